"""SHACL shapes (ontology/shapes.ttl) against hand-written fixture graphs.

tests/fixtures/shapes/valid.ttl must conform. Each tests/fixtures/shapes/invalid/*.ru is a SPARQL Update
that breaks one rule of a copy of valid.ttl; its ``# expect:`` lines are the texts the validation messages
must contain, and every message must be one of them (so each file shows exactly its own defect).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "thbkg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
INVALID_CASES = sorted((FIXTURES / "invalid").glob("*.ru"))

THB = "https://w3id.org/thbkg/ontology#"
THBSH = "https://w3id.org/thbkg/shapes#"
ID = "https://w3id.org/thbkg/id/"

# Prefixes predeclared for the update files, so that each file shows only its defect.
UPDATE_PREFIXES = {
    "thb": THB,
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "schema": "https://schema.org/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "conf": ID + "confidence/",
    "ltype": ID + "link-type/",
    "status": ID + "status/",
    "atype": ID + "actor-type/",
    "foaf": "http://xmlns.com/foaf/0.1/",
}


@functools.cache
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


@functools.cache
def ontology_graph() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@functools.cache
def valid_triples() -> frozenset:
    return frozenset(Graph().parse(FIXTURES / "valid.ttl", format="turtle"))


def validate(data: Graph, with_ontology: bool = True):
    return pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph() if with_ontology else None,
        inference="none",
        advanced=True,
    )


def expectations(case: Path) -> list[str]:
    return re.findall(r"^# expect: (.+)$", case.read_text(encoding="utf-8"), flags=re.MULTILINE)


@functools.cache
def run_case(case: Path):
    """Apply the update to a copy of valid.ttl and validate it; return (conforms, results, changed)."""
    data = Graph()
    for triple in valid_triples():
        data.add(triple)
    data.update(case.read_text(encoding="utf-8"), initNs=UPDATE_PREFIXES)
    changed = set(data) ^ valid_triples()
    conforms, report, _text = validate(data)
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        results.append(
            {
                "messages": [str(m) for m in report.objects(result, SH.resultMessage)],
                "shape": report.value(result, SH.sourceShape),
                "constraint": report.value(result, SH.sourceConstraint),
            }
        )
    return conforms, results, changed


@pytest.mark.parametrize("with_ontology", [False, True], ids=["data-only", "with-ontology"])
def test_valid_fixture_conforms(with_ontology):
    conforms, _report, text = validate(Graph().parse(FIXTURES / "valid.ttl"), with_ontology)
    assert conforms, text


def test_there_is_an_invalid_case_for_many_rules():
    assert len(INVALID_CASES) >= 40
    for case in INVALID_CASES:
        assert expectations(case), f"{case.name} has no '# expect:' line"


@pytest.mark.parametrize("case", INVALID_CASES, ids=[c.stem for c in INVALID_CASES])
def test_invalid_case_is_rejected_with_its_message(case):
    conforms, results, changed = run_case(case)
    assert changed, f"{case.name} did not change the valid graph (typo in the update?)"
    assert not conforms
    for result in results:  # one plain message per problem, not the shape's and the constraint's glued together
        assert len(result["messages"]) == 1, result
    messages = sorted({r["messages"][0] for r in results})
    expected = expectations(case)
    for text in expected:
        assert any(text in m for m in messages), f"no message contains {text!r}: {messages}"
    for message in messages:
        assert any(text in message for text in expected), f"unexpected extra problem: {message!r}"


def _shape_messages(node) -> list[Literal]:
    return list(shapes_graph().objects(node, SH.message))


def _all_shapes_and_constraints() -> set:
    g = shapes_graph()
    nodes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    nodes |= set(g.objects(None, SH.property)) | set(g.subjects(SH.path, None))
    nodes |= set(g.objects(None, SH.sparql))
    # members of sh:or lists are parts of their shape's constraint, not shapes that report on their own
    in_lists = set()
    for head in g.objects(None, SH["or"]):
        in_lists |= set(Collection(g, head))
    return nodes - in_lists


def test_every_shape_has_a_plain_english_message():
    nodes = _all_shapes_and_constraints()
    assert len(nodes) > 60
    for node in nodes:
        messages = _shape_messages(node)
        assert len(messages) == 1, f"{node} needs exactly one sh:message"
        message = messages[0]
        assert message.language == "en", node
        assert message[0].isupper() and message.endswith("."), f"{node}: {message!r}"
        # messages are for analysts: no SHACL jargon
        assert not re.search(r"\b(sh:|minCount|maxCount|nodeKind|focus node)\b", message), message


def test_every_constraint_is_exercised_by_an_invalid_case():
    """Each property shape and SPARQL constraint must fire in at least one invalid fixture."""
    fired = set()
    for case in INVALID_CASES:
        for result in run_case(case)[1]:
            fired.add(result["shape"])
            fired.add(result["constraint"])
    g = shapes_graph()
    expected = set(g.objects(None, SH.property)) | set(g.objects(None, SH.sparql))
    missing = sorted(str(n) for n in expected - fired)
    assert not missing, f"never exercised: {missing}"


def _in_list(shape_local: str) -> set:
    g = shapes_graph()
    head = g.value(URIRef(THBSH + shape_local), SH["in"])
    assert head is not None, shape_local
    return set(Collection(g, head))


def _scheme_members(scheme_local: str) -> set:
    return set(ontology_graph().subjects(SKOS.inScheme, URIRef(THB + scheme_local)))


@pytest.mark.parametrize(
    "shape, scheme",
    [
        ("LinkTypeShape", "LinkTypeScheme"),
        ("LinkConfidenceShape", "ConfidenceScheme"),
        ("LinkDateConfidenceShape", "ConfidenceScheme"),
        ("ActorConfidenceShape", "ConfidenceScheme"),
        ("InstrumentConfidenceShape", "ConfidenceScheme"),
        ("InclusionConfidenceShape", "ConfidenceScheme"),
        ("LinkStatusShape", "LinkStatusScheme"),
        ("ActorTypeShape", "ActorTypeScheme"),
        ("InstrumentTypeShape", "InstrumentTypeScheme"),
    ],
)
def test_allowed_values_follow_the_ontology_schemes(shape, scheme):
    members = _scheme_members(scheme)
    assert members
    assert _in_list(shape) == members


def test_membership_family_constraint_lists_the_membership_link_types():
    query = str(shapes_graph().value(URIRef(THBSH + "LinkMembershipFamilyConstraint"), SH.select))
    listed = {ID + "link-type/" + code for code in re.findall(r"ltype:(\w+)", query)}
    family = {
        str(c)
        for c in ontology_graph().subjects(URIRef(THB + "family"), Literal("membership"))
    }
    assert listed == family == {ID + "link-type/" + c for c in ("membership", "observer", "treaty_party")}


def test_instrument_types_follow_design_md():
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    block = re.search(r"`type` ∈ `([^`]+)`", design)
    assert block, "instrument type list not found in docs/design.md"
    documented = {t.strip() for t in block.group(1).split(",")}
    assert {str(v).rsplit("/", 1)[1] for v in _in_list("InstrumentTypeShape")} == documented


def test_thbkg_validate_path_gives_the_same_verdicts():
    """`thbkg validate` runs the shapes its own way (core in pySHACL without the ontology graph or
    advanced features, node-shape SPARQL constraints once on Oxigraph); every fixture must come out the same."""
    from thbkg.graph.rdf.tables import load_dataset
    from thbkg.graph.rdf.validate import shacl_problems

    dataset = load_dataset(())  # only used to place problems in table rows; fixture nodes are not in it
    conforms, problems, _warnings = shacl_problems(Graph().parse(FIXTURES / "valid.ttl"), dataset)
    assert conforms, problems
    for case in INVALID_CASES:
        data = Graph()
        for triple in valid_triples():
            data.add(triple)
        data.update(case.read_text(encoding="utf-8"), initNs=UPDATE_PREFIXES)
        conforms, problems, _warnings = shacl_problems(data, dataset)
        messages = {problem.message for problem in problems}
        expected = expectations(case)
        assert not conforms, case.name
        assert all(any(text in m for m in messages) for text in expected), (case.name, messages)
        assert all(any(text in m for text in expected) for m in messages), (case.name, messages)
