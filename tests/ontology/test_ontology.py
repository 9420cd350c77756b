"""The ontology (ontology/thbkg.ttl): it parses, it is complete, and it follows docs/design.md."""

from __future__ import annotations

import functools
import importlib.resources
import re
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    GEO,
    ORG,
    PROV,
    SDO,
    SH,
    SKOS,
    TIME,
    VANN,
)

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "thbkg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
DESIGN = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")

THB = "https://w3id.org/thbkg/ontology#"
ID = "https://w3id.org/thbkg/id/"
CV = "http://data.europa.eu/m8g/"
CV_TERMS = {CV + "PublicOrganisation"}  # the only CPOV term the ontology references
T = lambda local: URIRef(THB + local)

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, SKOS.ConceptScheme)


@functools.cache
def onto() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def thb_terms() -> set[URIRef]:
    return {s for t in TERM_TYPES for s in onto().subjects(RDF.type, t) if str(s).startswith(THB)}


# --- parsing -------------------------------------------------------------------------------------


def test_parses_identically_in_rdflib_and_pyoxigraph():
    store = pyoxigraph.Store()
    store.load(ONTOLOGY.read_bytes(), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(onto()) > 400
    assert {(str(q.subject.value), str(q.predicate.value)) for q in store} == {
        (str(s), str(p)) for s, p, _ in onto()
    }


def test_shapes_parse_in_pyoxigraph_too():
    store = pyoxigraph.Store()
    store.load(SHAPES.read_bytes(), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(Graph().parse(SHAPES, format="turtle"))


def test_no_blank_nodes_so_serialisations_are_deterministic():
    assert not [t for t in onto() if any(isinstance(x, BNode) for x in t)]


def test_header():
    g, o = onto(), URIRef(THB)
    assert (o, RDF.type, OWL.Ontology) in g
    assert g.value(o, DCTERMS.title).language == "en"
    assert len(str(g.value(o, DCTERMS.description))) > 100
    assert g.value(o, DCTERMS.license) == URIRef("https://spdx.org/licenses/MIT")
    assert g.value(o, OWL.versionInfo) == Literal("0.1.0")
    assert g.value(o, DCTERMS.created) == Literal("2026-11-29", datatype=XSD.date)
    assert g.value(o, VANN.preferredNamespaceUri) == Literal(THB)
    assert not list(g.objects(None, OWL.imports)), "standard vocabularies are referenced, not imported"
    assert len(list(g.objects(o, SKOS.editorialNote))) >= 4, "the modelling choices of issue 9 are written down"


# --- completeness --------------------------------------------------------------------------------


def test_every_term_has_an_english_label_and_definition():
    terms = thb_terms()
    assert len(terms) >= 45
    for term in terms:
        labels = [x for x in onto().objects(term, RDFS.label) if x.language == "en"]
        definitions = [x for x in onto().objects(term, SKOS.definition) if x.language == "en"]
        assert len(labels) == 1, f"{term}: needs one rdfs:label@en"
        assert len(definitions) == 1 and len(definitions[0]) > 20, f"{term}: needs a skos:definition@en"
        assert (term, RDFS.isDefinedBy, URIRef(THB)) in onto(), term


def test_properties_have_ranges_and_domains():
    g = onto()
    properties = {p for t in (OWL.ObjectProperty, OWL.DatatypeProperty) for p in g.subjects(RDF.type, t)}
    assert len(properties) >= 24
    for prop in properties:
        assert g.value(prop, RDFS.range) is not None, prop
    # thb:confidence applies to links, actors, instruments and region records alike
    without_domain = {p for p in properties if g.value(p, RDFS.domain) is None}
    assert without_domain == {T("confidence")}


def test_every_thb_term_used_anywhere_is_defined():
    """Catches typos: a thb: IRI in the ontology, the shapes or design.md must be a defined term."""
    defined = thb_terms()
    used = set()
    for graph in (onto(), Graph().parse(SHAPES, format="turtle")):
        used |= {x for triple in graph for x in triple if isinstance(x, URIRef) and str(x).startswith(THB)}
    used |= {T(name) for name in re.findall(r"\bthb:([A-Za-z]\w*)", DESIGN)}
    used.discard(URIRef(THB))
    assert used - defined == set()


def test_terms_named_in_the_brief_exist():
    names = ["Actor", "Country", "EUAgency", "EUBody", "EUInstitution", "InternationalOrganisation", "Framework", "RegionalProcess", "Network", "Platform", "Treaty", "CooperationLink", "Instrument", "Region", "RegionInclusion", "linkType", "party", "subject", "object", "role", "startDate", "endDate", "startDay", "endDay", "period", "status", "instrument", "confidence", "dateConfidence", "iso2", "iso3", "inRegion", "region", "includes", "accessed", "family", "rank", "rdfClass", "subjectRole", "objectRole", "ActorTypeScheme", "LinkTypeScheme", "LinkStatusScheme", "ConfidenceScheme", "RegionScheme"]
    assert {T(n) for n in names} <= thb_terms()


@pytest.mark.parametrize(
    "child, parent",
    [
        ("Actor", ORG.Organization),
        ("Country", "Actor"),
        ("EUAgency", "Actor"),
        ("EUBody", "Actor"),
        ("EUInstitution", "Actor"),
        ("InternationalOrganisation", "Actor"),
        ("Framework", ORG.OrganizationalCollaboration),
        ("Framework", "Actor"),
        ("RegionalProcess", "Framework"),
        ("Network", "Framework"),
        ("Platform", "Framework"),
        # issue 9: a treaty is an instrument (one record), not a framework or an organisation
        ("Treaty", "Instrument"),
        ("Treaty", PROV.Entity),
        ("Treaty", "LinkEnd"),
        ("Actor", "LinkEnd"),
        ("EUAgency", URIRef(CV + "PublicOrganisation")),
        ("EUBody", URIRef(CV + "PublicOrganisation")),
        ("EUInstitution", URIRef(CV + "PublicOrganisation")),
        ("Instrument", PROV.Entity),
        ("Region", SKOS.Concept),
    ],
)
def test_class_hierarchy_follows_design(child, parent):
    parent = parent if isinstance(parent, URIRef) else T(parent)
    assert parent in set(onto().transitive_objects(T(child), RDFS.subClassOf))


@pytest.mark.parametrize("parent", [T("Actor"), T("Framework"), ORG.Organization, ORG.OrganizationalCollaboration,
                                    FOAF.Agent])
def test_a_treaty_is_not_an_agent(parent):
    """Issue 9: thb:Treaty was under thb:Framework, so each treaty was inferred to be an organisation."""
    assert parent not in set(onto().transitive_objects(T("Treaty"), RDFS.subClassOf))


@pytest.mark.parametrize("prop", ["party", "subject", "object"])
def test_link_ends_are_actors_or_treaties(prop):
    assert onto().value(T(prop), RDFS.range) == T("LinkEnd")


def test_no_skos_exact_match_or_dct_type_in_the_ontology():
    """Issue 9: skos:exactMatch (domain skos:Concept) and dct:type (range rdfs:Class) were used on data."""
    used = {x for triple in onto() for x in triple}
    assert SKOS.exactMatch not in used and DCTERMS.type not in used


@pytest.mark.parametrize(
    "child, parent",
    [("subject", T("party")), ("object", T("party")), ("accessed", DCTERMS.date)],
)
def test_subproperties(child, parent):
    assert parent in set(onto().transitive_objects(T(child), RDFS.subPropertyOf))


def test_period_is_documented_as_paired_with_org_member_during():
    assert onto().value(T("period"), RDFS.subPropertyOf) is None
    assert onto().value(T("period"), RDFS.range) == TIME.Interval
    assert "org:memberDuring" in str(onto().value(T("period"), SKOS.definition))


# --- controlled vocabularies ---------------------------------------------------------------------

SCHEMES = {
    "ActorTypeScheme": "actor-type",
    "LinkTypeScheme": "link-type",
    "LinkStatusScheme": "status",
    "ConfidenceScheme": "confidence",
    "InstrumentTypeScheme": "instrument-type",
    "SourceKindScheme": "source-kind",
}


def concepts(scheme: str) -> dict[str, URIRef]:
    """notation -> concept IRI for one scheme."""
    g = onto()
    result = {}
    for concept in g.subjects(SKOS.inScheme, T(scheme)):
        notations = list(g.objects(concept, SKOS.notation))
        assert len(notations) == 1, concept
        result[str(notations[0])] = concept
    return result


@pytest.mark.parametrize("scheme, path", SCHEMES.items())
def test_every_concept_is_complete_and_at_its_data_iri(scheme, path):
    g = onto()
    members = concepts(scheme)
    assert members
    assert set(g.objects(T(scheme), SKOS.hasTopConcept)) == set(members.values())
    for code, concept in members.items():
        assert concept == URIRef(f"{ID}{path}/{code}")
        assert (concept, RDF.type, SKOS.Concept) in g
        assert (concept, SKOS.topConceptOf, T(scheme)) in g
        assert [x.language for x in g.objects(concept, SKOS.prefLabel)] == ["en"], concept
        definitions = list(g.objects(concept, SKOS.definition))
        assert len(definitions) == 1 and definitions[0].language == "en", concept


def test_region_scheme_is_empty_in_the_ontology():
    assert (T("RegionScheme"), RDF.type, SKOS.ConceptScheme) in onto()
    assert not list(onto().subjects(SKOS.inScheme, T("RegionScheme")))


def test_actor_types_and_classes_equal_design_md():
    documented = dict(re.findall(r"`([a-z_]+)`\s+\(thb:(\w+)", DESIGN))
    assert len(documented) == 13
    members = concepts("ActorTypeScheme")
    assert set(members) == set(documented)
    for code, concept in members.items():
        assert onto().value(concept, T("rdfClass")) == T(documented[code])


def _design_link_types() -> dict[str, tuple[str, str, str]]:
    rows = re.findall(r"^\| `([a-z_]+)` \| ([a-z_]+) \| (.+?) \|$", DESIGN, flags=re.MULTILINE)
    table = {}
    for code, family, direction in rows:
        subject_role, object_role = direction.split(" → ", 1)
        object_role = object_role.split(" (", 1)[0]
        table[code] = (family, subject_role.strip(), object_role.strip())
    return table


def test_link_types_equal_design_md():
    documented = _design_link_types()
    assert len(documented) == 21
    members = concepts("LinkTypeScheme")
    assert set(members) == set(documented)
    g = onto()
    for code, (family, subject_role, object_role) in documented.items():
        concept = members[code]
        assert g.value(concept, T("family")) == Literal(family), code
        assert g.value(concept, T("subjectRole")) == Literal(subject_role), code
        assert g.value(concept, T("objectRole")) == Literal(object_role), code


def test_link_families_are_the_seven_allowed():
    families = {str(f) for f in onto().objects(None, T("family"))}
    assert families == {"agreement", "liaison", "membership", "event", "institutional", "funding", "operational"}


def test_status_and_confidence_codes_equal_design_md():
    line = re.search(r"Status \(`status`\): (.+?)\. Confidence: (.+?)\n", DESIGN)
    assert line
    assert set(concepts("LinkStatusScheme")) == set(re.findall(r"`(\w+)`", line.group(1)))
    assert list(concepts("ConfidenceScheme")) and set(concepts("ConfidenceScheme")) == set(
        re.findall(r"`(\w+)`", line.group(2))
    )


def test_instrument_types_equal_design_md():
    line = re.search(r"`type` ∈ `([^`]+)`", DESIGN)
    assert line
    assert set(concepts("InstrumentTypeScheme")) == {code.strip() for code in line.group(1).split(",")}


def test_confidence_ranks_order_high_over_medium_over_low():
    members = concepts("ConfidenceScheme")
    ranks = {code: onto().value(c, T("rank")) for code, c in members.items()}
    assert all(r.datatype == XSD.integer for r in ranks.values())
    assert {code: r.toPython() for code, r in ranks.items()} == {"high": 3, "medium": 2, "low": 1}


# --- external namespaces -------------------------------------------------------------------------

STANDARD_NAMESPACES = {
    str(ns): ns for ns in (ORG, PROV, SKOS, DCTERMS, TIME, GEO, SDO, SH, VANN, RDF, RDFS, OWL, XSD)
}
OTHER_ALLOWED_PREFIXES = (
    THB,
    ID,
    "https://w3id.org/thbkg/shapes",
    CV,
    "https://spdx.org/licenses/",
)
# hosts whose namespaces are easy to mistype (http vs https, '#' vs '/')
WATCHED_HOSTS = ("w3.org", "purl.org", "schema.org", "opengis.net", "europa.eu", "w3id.org", "spdx.org")


@pytest.mark.parametrize("path", [ONTOLOGY, SHAPES], ids=["thbkg.ttl", "shapes.ttl"])
def test_external_terms_use_exact_standard_namespaces(path):
    graph = Graph().parse(path, format="turtle")
    iris = {x for triple in graph for x in triple if isinstance(x, URIRef)}
    checked = 0
    for iri in sorted(iris):
        text = str(iri)
        if not any(host in text for host in WATCHED_HOSTS):
            continue
        namespace = next((ns for ns in STANDARD_NAMESPACES if text.startswith(ns)), None)
        if namespace is not None:
            local = text[len(namespace):]
            ns = STANDARD_NAMESPACES[namespace]
            if local:
                assert iri in ns, f"{iri} is not a term of {namespace}"
            checked += 1
        elif text.startswith(CV):
            assert text in CV_TERMS | {CV}, f"unexpected CPOV term {iri}"
            checked += 1
        else:
            assert text.startswith(OTHER_ALLOWED_PREFIXES), f"{iri} is not in a known namespace (typo?)"
    assert checked > 10


def test_builds_on_the_standard_terms():
    """The ontology refers to the standard classes and properties that docs/design.md builds on."""
    for term in (ORG.Organization, ORG.OrganizationalCollaboration, ORG.FormalOrganization, ORG.Membership,
                 ORG.memberDuring, PROV.Entity, SKOS.Concept, TIME.Interval, DCTERMS.date):
        assert term in onto().all_nodes(), term


# --- packaging -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["thbkg.ttl", "shapes.ttl"])
def test_installed_package_ships_the_file(name):
    resource = importlib.resources.files("thbkg.ontology") / name
    assert resource.is_file()
    assert resource.read_bytes() == (ROOT / "ontology" / name).read_bytes()


# --- docs/ontology.md ----------------------------------------------------------------------------
# The page is generated from the two Turtle files; regenerate with
#   python tests/ontology/test_ontology.py

DOC = ROOT / "docs" / "ontology.md"
DOC_PREFIXES = {
    THB: "thb:", ORG: "org:", CV: "cv:", PROV: "prov:", SKOS: "skos:", DCTERMS: "dct:", TIME: "time:",
    GEO: "geo:", SDO: "schema:", str(RDFS): "rdfs:", str(XSD): "xsd:", str(OWL): "owl:", ID: "thbid:",
    str(FOAF): "foaf:",
}


def _short(term) -> str:
    text = str(term)
    for namespace, prefix in sorted(DOC_PREFIXES.items(), key=lambda item: -len(str(item[0]))):
        if text.startswith(str(namespace)):
            return prefix + text[len(str(namespace)):]
    return f"<{text}>"


def _cell(text) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


FAMILY_ORDER = ("agreement", "liaison", "membership", "event", "institutional", "funding", "operational")


def _doc_order(concept, code):
    """Link types by family, confidence strongest first, the rest by code."""
    family, rank = onto().value(concept, T("family")), onto().value(concept, T("rank"))
    return (FAMILY_ORDER.index(str(family)) if family is not None else 0,
            -rank.toPython() if rank is not None else 0, code)


def render_ontology_doc() -> str:
    g = onto()
    o = URIRef(THB)
    lines = [
        "# The thbkg ontology",
        "",
        ("<!-- Generated from ontology/thbkg.ttl and ontology/shapes.ttl by "
         "`python tests/ontology/test_ontology.py`; do not edit by hand. -->"),
        "",
        _cell(g.value(o, DCTERMS.description)),
        "",
        f"- Namespace `{THB}` (prefix `thb:`), data under `{ID}` (prefix `thbid:`).",
        (f"- Version {g.value(o, OWL.versionInfo)}, created {g.value(o, DCTERMS.created)}, "
         f"licence <{g.value(o, DCTERMS.license)}>."),
        ("- Standard vocabularies are reused by reference (no `owl:imports`): W3C ORG, CPOV, PROV-O, SKOS, "
         "DCTERMS, FOAF, OWL-Time, GeoSPARQL, schema.org. See docs/design.md for the RDF shape of each record."),
        "",
        "## Modelling choices",
        "",
        ("What was chosen where a standard term did not fit, and why (`skos:editorialNote` of the ontology; "
         "`tests/ontology/test_owlrl.py` checks them with an OWL-RL closure over the standard vocabularies)."),
        "",
        *(f"- {_cell(note)}" for note in sorted(str(n) for n in g.objects(o, SKOS.editorialNote))),
        "",
        "## Classes",
        "",
        "| class | subclass of | definition |",
        "|---|---|---|",
    ]
    for cls in sorted(s for s in g.subjects(RDF.type, OWL.Class) if str(s).startswith(THB)):
        parents = ", ".join(sorted(_short(p) for p in g.objects(cls, RDFS.subClassOf)))
        lines.append(f"| `{_short(cls)}` | {parents} | {_cell(g.value(cls, SKOS.definition))} |")
    lines += ["", "## Properties", "", "| property | kind | domain → range | definition |", "|---|---|---|---|"]
    kinds = {OWL.ObjectProperty: "object", OWL.DatatypeProperty: "datatype", OWL.AnnotationProperty: "annotation"}
    for kind, name in kinds.items():
        for prop in sorted(s for s in g.subjects(RDF.type, kind) if str(s).startswith(THB)):
            domain, rng = g.value(prop, RDFS.domain), g.value(prop, RDFS.range)
            extra = "".join(f" (⊑ `{_short(p)}`)" for p in sorted(g.objects(prop, RDFS.subPropertyOf)))
            lines.append(
                f"| `{_short(prop)}`{extra} | {name} | {_short(domain) if domain else 'any'} → "
                f"{_short(rng) if rng else 'any'} | {_cell(g.value(prop, SKOS.definition))} |"
            )
    lines += ["", "## Concept schemes", "", "The notation is the code used in the CSV tables."]
    extras = {
        "ActorTypeScheme": (("class", T("rdfClass")),),
        "LinkTypeScheme": (("family", T("family")), ("subject", T("subjectRole")), ("object", T("objectRole"))),
        "ConfidenceScheme": (("rank", T("rank")),),
        "LinkStatusScheme": (("in force", T("inForce")),),
        "InstrumentTypeScheme": (),
        "SourceKindScheme": (("rank", T("rank")), ("documentary", T("documentary"))),
    }
    for scheme in ("ActorTypeScheme", "LinkTypeScheme", "LinkStatusScheme", "ConfidenceScheme", "InstrumentTypeScheme",
                   "SourceKindScheme", "RegionScheme"):
        lines += ["", f"### `thb:{scheme}` — {g.value(T(scheme), RDFS.label)}", "",
                  _cell(g.value(T(scheme), SKOS.definition))]
        members = concepts(scheme)
        if not members:
            continue
        columns = extras[scheme]
        lines += ["", "| code | label | " + "".join(f"{c} | " for c, _ in columns) + "definition |",
                  "|---|---|" + "---|" * len(columns) + "---|"]
        for code in sorted(members, key=lambda c: _doc_order(members[c], c)):
            concept = members[code]
            values = "".join(
                f"{_short(v) if isinstance(v, URIRef) else _cell(v)} | "
                for v in (g.value(concept, p) for _, p in columns)
            )
            lines.append(f"| `{code}` | {_cell(g.value(concept, SKOS.prefLabel))} | {values}"
                         f"{_cell(g.value(concept, SKOS.definition))} |")
    shapes = Graph().parse(SHAPES, format="turtle")
    lines += ["", "## What `thbkg validate` checks (ontology/shapes.ttl)", "",
              "Each rule below is a SHACL shape; its text is the message printed when a record breaks it.", ""]
    targets = {}
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        for target in list(shapes.objects(shape, SH.targetClass)) + list(shapes.objects(shape, SH.targetObjectsOf)):
            rules = [shapes.value(p, SH.message) for p in shapes.objects(shape, SH.property)]
            if shapes.value(shape, SH.sparql) is not None:
                rules.append(shapes.value(shape, SH.message))
            by_class = (shape, SH.targetClass, target) in shapes
            label = _short(target) if by_class else f"sources (objects of {_short(target)})"
            targets.setdefault(label, set()).update(str(r) for r in rules)
    for target in sorted(targets):
        rules = sorted(re.sub(r"\{[?$](\w+)\}", lambda m: m.group(1).upper(), rule) for rule in targets[target])
        lines += [f"- **{target}**"] + [f"  - {_cell(rule)}" for rule in rules]
    return "\n".join(lines) + "\n"


def test_docs_page_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render_ontology_doc(), (
        "docs/ontology.md is stale: run `python tests/ontology/test_ontology.py`"
    )


def test_docs_page_names_every_term_and_code():
    text = DOC.read_text(encoding="utf-8")
    for term in thb_terms():
        assert f"`{_short(term)}`" in text, term
    for scheme in SCHEMES:
        for code in concepts(scheme):
            assert f"`{code}`" in text, code


if __name__ == "__main__":
    DOC.write_text(render_ontology_doc(), encoding="utf-8")
    print(f"wrote {DOC}")
