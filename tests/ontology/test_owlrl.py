"""The ontology's consequences under OWL RL (issue 9): the bundled graph, the ontology and the standard
vocabularies it builds on (tests/fixtures/vocabularies) closed with owlrl.

Before issue 9 the closure made every actor with a Wikidata or EU authority match a skos:Concept
(skos:exactMatch has domain and range skos:Concept) and each treaty an org:Organization, hence a foaf:Agent
(thb:Treaty ⊑ thb:Framework ⊑ org:OrganizationalCollaboration). A missing owlrl or vocabulary file fails.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from pathlib import Path

import pytest
from rdflib import RDF, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, SKOS

ROOT = Path(__file__).resolve().parents[2]
VOCABULARIES = ROOT / "tests" / "fixtures" / "vocabularies"
THB = Namespace("https://w3id.org/thbkg/ontology#")
ID = Namespace("https://w3id.org/thbkg/id/")
SCHEMA = Namespace("https://schema.org/")
ERRNS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # where owlrl writes inconsistencies
#: the two treaties of data/actors.csv named in the issue
TREATIES = {ID["actor/cets197"], ID["actor/palermo-protocol"]}
AGENT_CLASSES = {FOAF.Agent, ORG.Organization, DCTERMS.Agent, THB.Actor, ORG.OrganizationalCollaboration}


def _standard_vocabularies() -> Graph:
    graph = Graph()
    files = sorted(VOCABULARIES.glob("*.nq"))
    assert {f.name for f in files} == {"skos.nq", "org.nq", "prov.nq", "dcterms.nq", "foaf.nq", "time.nq",
                                       "geo.nq"}, "tests/fixtures/vocabularies is incomplete (see PROVENANCE.md)"
    for path in files:
        dataset = Dataset()
        dataset.parse(path, format="nquads")
        for s, p, o, _graph in dataset.quads():
            graph.add((s, p, o))
    return graph


def _closed(graph: Graph) -> Graph:
    import owlrl

    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


@functools.lru_cache(maxsize=1)
def closure() -> Graph:
    """The bundled graph with the ontology and the standard vocabularies, closed under OWL RL."""
    from thbkg.graph.rdf.build import build_graph

    graph = build_graph(with_ontology=True, include_bundled=True)
    graph += _standard_vocabularies()
    return _closed(graph)


def _types(graph, node) -> set:
    return set(graph.objects(node, RDF.type))


def test_vocabularies_are_the_recorded_files():
    provenance = (VOCABULARIES / "PROVENANCE.md").read_text(encoding="utf-8")
    recorded = {name: digest for digest, name in re.findall(r"`([0-9a-f]{64})`\s+`(\w+\.nq)`", provenance)}
    assert len(recorded) == 7
    for name, digest in recorded.items():
        assert hashlib.sha256((VOCABULARIES / name).read_bytes()).hexdigest() == digest, name


def test_the_check_can_fail():
    """The vocabularies carry the axioms of the issue: with the former modelling, the closure does make an
    actor a SKOS concept and a treaty an organisation and an agent."""
    from thbkg.graph.rdf.vocab import ontology_graph

    graph = Graph()
    graph += ontology_graph()
    graph += _standard_vocabularies()
    actor, treaty = ID["actor/x"], ID["actor/t"]
    graph.add((actor, RDF.type, THB.Actor))
    graph.add((actor, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q1")))  # the former match
    graph.add((treaty, RDF.type, THB.Treaty))
    graph.add((treaty, ORG.classification, ID["actor-type/treaty"]))  # the former actor type
    closed = _closed(graph)
    assert SKOS.Concept in _types(closed, actor)
    assert {ORG.Organization, FOAF.Agent} <= _types(closed, treaty)


def test_no_actor_is_a_skos_concept():
    graph = closure()
    actors = set(graph.subjects(RDF.type, THB.Actor))
    with open(Path(__file__).resolve().parents[2] / "data" / "actors.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(actors) == sum(row["type"] != "treaty" for row in rows)  # every row of data/actors.csv but treaties
    matched = {a for a in actors if any("wikidata.org/entity/" in str(o) for o in graph.objects(a, SCHEMA.sameAs))}
    assert len(matched) == 14  # the QIDs of tests/data/test_tables_content.py::test_identifiers
    assert [a for a in actors if SKOS.Concept in _types(graph, a)] == []
    assert FOAF.Agent in _types(graph, ID["actor/europol"])  # ORG's org:Organization ⊑ foaf:Agent did apply


def test_no_treaty_is_an_agent():
    graph = closure()
    assert set(graph.subjects(RDF.type, THB.Treaty)) == TREATIES
    for treaty in TREATIES:
        types = _types(graph, treaty)
        assert {THB.Instrument, THB.LinkEnd} <= types
        assert types & AGENT_CLASSES == set(), (treaty, types & AGENT_CLASSES)
        assert SKOS.Concept not in types


def test_publishers_and_instrument_kinds_fit_their_properties():
    """DCMI gives dct:publisher the range dct:Agent: thbkg's publishers are IRIs of agents (foaf:Agent, which
    FOAF makes equivalent to dct:Agent); the instrument kinds are the concepts of the ontology's scheme, and no
    data IRI becomes an rdfs:Class (dct:type expects a class)."""
    graph = closure()
    publishers = {o for s, o in graph.subject_objects(DCTERMS.publisher) if str(s).startswith(str(ID))}
    assert len(publishers) > 50 and not [p for p in publishers if isinstance(p, Literal)]
    assert all({FOAF.Agent, DCTERMS.Agent} <= _types(graph, p) for p in publishers)
    assert not publishers & TREATIES
    kinds = set(graph.objects(None, THB.instrumentType))
    assert kinds and all(SKOS.Concept in _types(graph, k) for k in kinds)
    data_classes = {c for c in graph.subjects(RDF.type, URIRef("http://www.w3.org/2000/01/rdf-schema#Class"))
                    if str(c).startswith(str(ID))}
    assert data_classes == set()


def test_the_closure_finds_no_inconsistency():
    graph = closure()
    errors = [str(graph.value(e, ERRNS.error)) for e in graph.subjects(RDF.type, ERRNS.ErrorMessage)]
    assert errors == []
    assert list(graph.subjects(RDF.type, OWL.Nothing)) == []


@pytest.mark.parametrize("node, expected", [
    # what the closure does add, as the standard vocabularies say: records derived from sources are
    # prov:Entity (domain of prov:wasDerivedFrom); an EU agency is an agent through ORG
    ("actor/europol", {THB.Actor, ORG.Organization, FOAF.Agent, URIRef("http://www.w3.org/ns/prov#Entity")}),
    ("link/cets197-al-party", {THB.CooperationLink}),
    ("publisher/wikipedia", {FOAF.Agent, DCTERMS.Agent}),
])
def test_expected_inferences(node, expected):
    types = _types(closure(), ID[node])
    assert expected <= types
    if node.startswith("link/"):
        assert ORG.Membership not in types  # a treaty is not an organisation, so no membership of one
