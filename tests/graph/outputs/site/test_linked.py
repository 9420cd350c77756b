"""The site's linked data reads the same triples whatever store the graph is in."""

from __future__ import annotations

import rdflib

from thbkg.graph.outputs.site.linked import instance_ntriples, sorted_lines
from thbkg.graph.rdf.vocab import ontology_file
from thbkg.graph.store.source import GraphSource, write_store

THB = rdflib.Namespace("https://w3id.org/thbkg/ontology#")


def _data_lines(source) -> set:
    return set(sorted_lines(instance_ntriples(source)))


def test_tables_give_the_builds_own_triples_whatever_the_store():
    embedded = GraphSource()
    embedded.keep_ntriples = True
    embedded.graph()
    memory = _data_lines(GraphSource(store="memory"))  # rdflib's store keeps every literal as written
    assert _data_lines(embedded) == memory
    assert embedded.built_ntriples() is not None


def test_evaluation_rounds_keep_the_ontologys_datatype():
    """The ontology gives thb:evaluationRound the range xsd:positiveInteger; Oxigraph's store would give
    xsd:integer back, so the site reads the build's own triples."""
    ontology = rdflib.Graph().parse(ontology_file(), format="turtle")
    declared = ontology.value(THB.evaluationRound, rdflib.RDFS.range)
    source = GraphSource()
    source.keep_ntriples = True
    source.graph()
    rounds = [line for line in _data_lines(source) if "#evaluationRound>" in line]
    assert rounds and all(line.endswith(f'^^<{declared}> .') for line in rounds)


def test_the_ontology_is_left_out_of_a_persistent_store_dump(tmp_path):
    """A store written by 'thbkg build --store' holds the ontology; the data triples are the rest."""
    write_store(tmp_path / "db")
    stored = _data_lines(GraphSource(store=str(tmp_path / "db")))
    memory = _data_lines(GraphSource(store="memory"))
    ontology = rdflib.Graph().parse(ontology_file(), format="turtle")
    assert not any(line.startswith("<https://w3id.org/thbkg/ontology#") for line in stored)
    assert len(stored) == len(memory) and len(ontology) > 100
    # the only difference: Oxigraph's normal form for derived integer types
    assert {line.replace("XMLSchema#integer>", "XMLSchema#positiveInteger>") for line in stored} == memory
