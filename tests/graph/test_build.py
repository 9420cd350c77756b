"""Tables -> RDF (graph/rdf/build.py): the shape of docs/design.md, determinism, round trips."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import pytest
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

from thbkg.graph.rdf.build import FORMATS, build_graph, serialize_graph
from thbkg.graph.rdf.namespaces import GEO, ORG, PROV, THB, THBID, TIME

RDFLIB_FORMAT = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig"}


@pytest.fixture(scope="module")
def graph(good_dir):
    return build_graph([good_dir], include_bundled=False)


def test_no_blank_nodes(graph):
    assert not any(isinstance(term, BNode) for triple in graph for term in triple)


def test_link_record_shape(graph):
    link = THBID["link/europol-al-op"]
    al, europol = THBID["actor/al"], THBID["actor/europol"]
    assert (link, RDF.type, THB.CooperationLink) in graph
    assert (link, RDF.type, ORG.Membership) not in graph  # an agreement, not a membership
    assert str(graph.value(link, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == \
        "Albania – Europol: operational agreement"
    assert set(graph.objects(link, THB.party)) == {al, europol}
    assert graph.value(link, THB.subject) == al and graph.value(link, THB.object) == europol
    assert graph.value(link, THB.startDate) == Literal("2013", datatype=XSD.gYear)
    assert graph.value(link, THB.startDay) == Literal("2013-01-01", datatype=XSD.date)
    assert graph.value(link, THB.linkType) == THBID["link-type/operational_agreement"]
    assert graph.value(link, PROV.wasDerivedFrom) == THBID["source/topchannel-al-europol"]
    assert graph.value(link, THB.confidence) == THBID["confidence/high"]
    interval = graph.value(link, THB.period)
    assert interval == THBID["link/europol-al-op/interval"]
    start = graph.value(interval, TIME.hasBeginning)
    assert graph.value(start, TIME.inXSDgYear) == Literal("2013", datatype=XSD.gYear)
    assert graph.value(interval, TIME.hasEnd) is None  # open-ended


def test_membership_family(graph):
    link = THBID["link/emn-ge-obs"]
    assert (link, RDF.type, ORG.Membership) in graph
    assert graph.value(link, ORG.member) == THBID["actor/ge"]
    assert graph.value(link, ORG.organization) == THBID["actor/emn"]
    assert graph.value(link, ORG.memberDuring) == graph.value(link, THB.period)
    start = graph.value(graph.value(link, THB.period), TIME.hasBeginning)
    assert graph.value(start, TIME.inXSDDate) == Literal("2021-03-11", datatype=XSD.date)


def test_actor_shape(graph, good_dir):
    al = THBID["actor/al"]
    assert (al, RDF.type, THB.Country) in graph and (al, RDF.type, THB.Actor) in graph
    assert (al, RDF.type, ORG.Organization) in graph  # superclasses materialised from the ontology
    assert (al, SKOS.exactMatch, URIRef("http://publications.europa.eu/resource/authority/country/ALB")) in graph
    # Kosovo's XKX has no EU country authority IRI
    assert not any("authority/country" in str(o) for o in graph.objects(THBID["actor/xk"], SKOS.exactMatch))
    assert (THBID["actor/europol"], SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q207203")) in graph
    assert (THBID["actor/frontex"], SKOS.exactMatch,
            URIRef("http://publications.europa.eu/resource/authority/corporate-body/FRONTEX")) in graph
    with open(good_dir / "actors.csv", encoding="utf-8", newline="") as fh:
        tirana = next(r for r in csv.DictReader(fh) if r["id"] == "al")
    wkt = graph.value(THBID["actor/al/seat/geometry"], GEO.asWKT)
    assert wkt == Literal(f"POINT({tirana['lon']} {tirana['lat']})", datatype=GEO.wktLiteral)
    assert graph.value(al, ORG.hasPrimarySite) == THBID["actor/al/seat"]


def test_every_row_becomes_a_node(graph, good_dir):
    for table, kind in (("actors", "actor"), ("links", "link"), ("sources", "source"),
                        ("instruments", "instrument"), ("regions", "region")):
        with open(good_dir / f"{table}.csv", encoding="utf-8", newline="") as fh:
            ids = [r["id"] for r in csv.DictReader(fh)]
        assert all((THBID[f"{kind}/{i}"], None, None) in graph for i in ids), table
    assert (THBID["actor/ml"], THB.inRegion, THBID["region/sahel"]) in graph
    assert (THBID["region-member/sahel/ml"], THB.includes, THBID["actor/ml"]) in graph


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic_in_process(fmt, good_dir):
    first = serialize_graph(build_graph([good_dir], include_bundled=False), fmt)
    second = serialize_graph(build_graph([good_dir], include_bundled=False), fmt)
    assert first == second


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic_across_processes(fmt, good_dir, tmp_path):
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"{seed}.{fmt}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "THBKG_NO_BUNDLED": "1"}
        subprocess.run([sys.executable, "-c", "from thbkg.cli.main import cli; cli()", "build", "--data",
                        str(good_dir), "--format", fmt, "-o", str(out)], env=env, check=True,
                       capture_output=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_is_isomorphic(fmt, graph):
    parsed = Graph()
    parsed.parse(data=serialize_graph(graph, fmt), format=RDFLIB_FORMAT[fmt])
    assert len(parsed) == len(graph)
    assert isomorphic(parsed, graph)


def test_oxigraph_reads_the_turtle(graph):
    import pyoxigraph

    quads = list(pyoxigraph.parse(serialize_graph(graph, "turtle"), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(graph)


def test_with_ontology_adds_the_vocabularies(good_dir, graph):
    full = build_graph([good_dir], include_bundled=False, with_ontology=True)
    assert len(full) > len(graph)
    assert (THBID["link-type/observer"], SKOS.notation, Literal("observer")) in full


def test_ntriples_straight_from_the_tables_equal_the_graph_serialisation(good_dir, tmp_path):
    """The store is loaded from N-Triples written without an rdflib Graph: the same bytes."""
    from thbkg.graph.rdf.build import dataset_ntriples, dataset_to_graph, sorted_ntriples
    from thbkg.graph.store.source import built_ntriples
    from thbkg.graph.rdf.synth import write_synthetic
    from thbkg.graph.rdf.tables import load_dataset

    write_synthetic(tmp_path / "syn", actors=60, links=200, seed=3)
    for folders in ([good_dir], [tmp_path / "syn"]):
        ds = load_dataset(folders, include_bundled=False)
        direct = dataset_ntriples(ds)
        assert direct == sorted_ntriples(dataset_to_graph(ds)) and direct.count("\n") > 100
        former = built_ntriples(graph=build_graph(folders, include_bundled=False))
        # the store's triples come in no particular order: the same lines, each once
        lines = built_ntriples(folders, include_bundled=False).splitlines()
        assert len(lines) == len(set(lines)) and sorted(lines) == sorted(former.splitlines())
