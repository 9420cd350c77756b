"""The vocabularies as thbkg.graph.rdf.vocab reads them, against the ontology read another way.

Expected values come from SPARQL over the Turtle file with plain rdflib (not through the reader under
test) and, where the docs list them, from docs/design.md by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from thbkg.graph.errors import ThbkgError
from thbkg.graph.rdf.vocab import ONTOLOGY_ENV, load_vocabulary, ontology_file, shapes_graph

ROOT = Path(__file__).resolve().parents[3]
ONTOLOGY = ROOT / "ontology" / "thbkg.ttl"
PREFIXES = """PREFIX thb: <https://w3id.org/thbkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def turtle():
    return rdflib.Graph().parse(ONTOLOGY, format="turtle")


def _codes(graph, where: str) -> set:
    return {str(row[0]) for row in graph.query(PREFIXES + f"SELECT ?code WHERE {{ {where} }}")}


@pytest.fixture(autouse=True)
def bundled_ontology(monkeypatch):
    monkeypatch.delenv(ONTOLOGY_ENV, raising=False)


def test_the_bundled_file_is_the_one_in_the_repository():
    assert Path(str(ontology_file())).read_bytes() == ONTOLOGY.read_bytes()


def test_framework_types(turtle):
    vocab = load_vocabulary()
    expected = _codes(turtle, """?c skos:notation ?code ; thb:rdfClass ?cls .
        { ?cls rdfs:subClassOf* thb:Framework } UNION { ?cls rdfs:subClassOf* thb:Treaty }""")
    assert set(vocab.framework_types) == expected
    # docs/design.md: "regional_process, network, platform and programme" are frameworks; treaties count too
    assert expected == {"regional_process", "network", "platform", "programme", "treaty"}


def test_in_force_statuses(turtle):
    vocab = load_vocabulary()
    assert vocab.in_force_statuses == _codes(turtle, "?c skos:notation ?code ; thb:inForce true")
    assert vocab.in_force_statuses == {"active"}  # the ontology's definitions: only 'active' is in force
    assert set(vocab.statuses) - vocab.in_force_statuses == {"suspended", "ended", "under_negotiation", "signed",
                                                                "initialled"}


def test_families_ranks_and_labels(turtle):
    vocab = load_vocabulary()
    assert set(vocab.families) == _codes(turtle, "?c thb:family ?code")
    assert set(vocab.families) == {"agreement", "liaison", "membership", "event", "institutional", "funding",
                                   "operational"}
    ranks = {str(c): int(r) for c, r in turtle.query(
        PREFIXES + "SELECT ?c ?r WHERE { ?x skos:notation ?c ; thb:rank ?r ; skos:inScheme thb:ConfidenceScheme }")}
    assert vocab.confidence_rank == ranks == {"high": 3, "medium": 2, "low": 1}
    assert vocab.confidence_order == ("high", "medium", "low")
    assert vocab.rank("medium") == 2 and vocab.rank(None) == vocab.rank("nonsense") == 0
    labels = {str(c): str(l) for c, l in turtle.query(
        PREFIXES + "SELECT ?c ?l WHERE { ?x skos:inScheme thb:LinkTypeScheme ; skos:notation ?c ; skos:prefLabel ?l }")}
    assert vocab.link_type_labels == labels
    assert vocab.status_labels["under_negotiation"] == "under negotiation"
    assert vocab.actor_type_labels["eu_agency"] == "EU agency"


def _copy_with_secondment(tmp_path) -> Path:
    copy = tmp_path / "thbkg.ttl"
    shutil.copyfile(ONTOLOGY, copy)
    with copy.open("a", encoding="utf-8") as fh:
        fh.write('\nltype:secondment a skos:Concept ; skos:inScheme thb:LinkTypeScheme ; '
                 'skos:notation "secondment" ; skos:prefLabel "secondment"@en ; thb:family "liaison" .\n'
                 'thb:LinkTypeScheme skos:hasTopConcept ltype:secondment .\n')
    return copy


def test_thbkg_ontology_replaces_the_ontology_for_the_process(tmp_path, monkeypatch):
    assert "secondment" not in load_vocabulary().link_family
    monkeypatch.setenv(ONTOLOGY_ENV, str(_copy_with_secondment(tmp_path)))
    assert load_vocabulary().family_of("secondment") == "liaison"
    monkeypatch.delenv(ONTOLOGY_ENV)
    assert "secondment" not in load_vocabulary().link_family


def test_a_missing_override_is_one_message_naming_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(ONTOLOGY_ENV, str(tmp_path / "nowhere.ttl"))
    with pytest.raises(ThbkgError, match=r"the ontology file .*nowhere\.ttl is missing \(check THBKG_ONTOLOGY"):
        load_vocabulary()


def test_the_shapes_lists_follow_the_ontology(tmp_path, monkeypatch):
    ltype = rdflib.URIRef("https://w3id.org/thbkg/id/link-type/secondment")

    def allowed_link_types(shapes):
        found = [list(rdflib.collection.Collection(shapes, head))
                 for shape, head in shapes.subject_objects(SH["in"])
                 if shapes.value(shape, SH.path) == rdflib.URIRef("https://w3id.org/thbkg/ontology#linkType")]
        assert len(found) == 1
        return found[0]

    assert ltype not in allowed_link_types(shapes_graph())
    monkeypatch.setenv(ONTOLOGY_ENV, str(_copy_with_secondment(tmp_path)))
    shapes = shapes_graph()
    assert ltype in allowed_link_types(shapes)
    messages = " ".join(str(m) for m in shapes.objects(None, SH.message))
    assert "participation, secondment" in messages  # the message lists it too
    # nothing else changes: one more list node (its rdf:first and rdf:rest), the message replaced
    graph = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle")
    assert len(shapes) == len(graph) + 2


def test_source_kinds_and_documentary_flag(turtle):
    vocab = load_vocabulary()
    assert set(vocab.source_kinds) == _codes(turtle, "?c skos:notation ?code ; skos:inScheme thb:SourceKindScheme")
    # the grades, strongest first; only documents that were read are documentary
    assert vocab.source_kinds == ("official_text", "official_page", "secondary", "general_knowledge", "memory")
    assert vocab.documentary_kinds == {"official_text", "official_page", "secondary"}
