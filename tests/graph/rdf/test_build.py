"""Tables -> RDF (graph/rdf/build.py): the shape of docs/design.md, determinism, round trips."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys

import pytest
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, SKOS

from thbkg.graph.errors import DataError
from thbkg.graph.rdf.build import FORMATS, build_graph, serialize_graph
from thbkg.graph.rdf.namespaces import GEO, ORG, PROV, SCHEMA, THB, THBID, TIME

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
    assert (al, THB.actorType, THBID["actor-type/country"]) in graph
    assert (al, ORG.classification, THBID["actor-type/country"]) in graph
    # issue 9: outside identifiers with schema:sameAs; skos:exactMatch (domain skos:Concept) is gone
    assert (al, SCHEMA.sameAs, URIRef("http://publications.europa.eu/resource/authority/country/ALB")) in graph
    # Kosovo's XKX has no EU country authority IRI
    assert not any("authority/country" in str(o) for o in graph.objects(THBID["actor/xk"], SCHEMA.sameAs))
    assert (THBID["actor/europol"], SCHEMA.sameAs, URIRef("http://www.wikidata.org/entity/Q207203")) in graph
    assert (THBID["actor/frontex"], SCHEMA.sameAs,
            URIRef("http://publications.europa.eu/resource/authority/corporate-body/FRONTEX")) in graph
    assert not list(graph.triples((None, SKOS.exactMatch, None)))
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
    from thbkg.graph.rdf.synth import write_synthetic
    from thbkg.graph.rdf.tables import load_dataset
    from thbkg.graph.store.source import built_ntriples

    write_synthetic(tmp_path / "syn", actors=60, links=200, seed=3)
    for folders in ([good_dir], [tmp_path / "syn"]):
        ds = load_dataset(folders, include_bundled=False)
        direct = dataset_ntriples(ds)
        assert direct == sorted_ntriples(dataset_to_graph(ds)) and direct.count("\n") > 100
        former = built_ntriples(graph=build_graph(folders, include_bundled=False))
        # the store's triples come in no particular order: the same lines, each once
        lines = built_ntriples(folders, include_bundled=False).splitlines()
        assert len(lines) == len(set(lines)) and sorted(lines) == sorted(former.splitlines())


# --- issue 9: ontology terms used as their specs say -------------------------------------------------


def test_instrument_kinds_are_concepts(graph):
    directive = THBID["instrument/directive-2024-1712"]  # tests/fixtures/good/instruments.csv: type directive
    assert graph.value(directive, THB.instrumentType) == THBID["instrument-type/directive"]
    assert not list(graph.triples((None, DCTERMS.type, None)))  # dct:type has range rdfs:Class


def test_publishers_are_agents(graph):
    """tests/fixtures/good/sources.csv: 'Europol' names the actor europol; 'Top Channel' names no actor."""
    assert graph.value(THBID["source/europol-external"], DCTERMS.publisher) == THBID["actor/europol"]
    top_channel = graph.value(THBID["source/topchannel-al-europol"], DCTERMS.publisher)
    assert top_channel == THBID["publisher/top-channel"]
    assert (top_channel, RDF.type, FOAF.Agent) in graph
    assert graph.value(top_channel, RDFS.label) == Literal("Top Channel")
    assert not [o for o in graph.objects(None, DCTERMS.publisher) if isinstance(o, Literal)]


@pytest.mark.parametrize("texts, expected", [
    # a name shared by two actors names neither; the label before a bracket, or the bracketed part, names one
    (("IOM",), {"IOM": "actor/iom"}),
    (("International Organization for Migration",), {"International Organization for Migration": "actor/iom"}),
    (("Twin",), {"Twin": "publisher/twin"}),
    # two texts with one slug get the slug plus a hash each, so they never share an IRI
    (("A.B", "A-B"), {"A.B": "publisher/a-b-", "A-B": "publisher/a-b-"}),
    (("…",), {"…": "publisher/"}),
])
def test_publisher_iris(texts, expected):
    from types import SimpleNamespace

    from thbkg.graph.rdf.build import publisher_iris
    from thbkg.graph.rdf.tables import Record
    from thbkg.graph.rdf.vocab import load_vocabulary

    actors = [Record({"id": "iom", "label": "International Organization for Migration (IOM)",
                      "type": "international_organisation"}, file="a", line=2),
              Record({"id": "t1", "label": "Twin (TW)", "type": "international_organisation"}, file="a", line=3),
              Record({"id": "t2", "label": "Twin", "type": "network"}, file="a", line=4)]
    sources = [Record({"id": f"s{i}", "publisher": text}, file="s", line=i) for i, text in enumerate(texts)]
    found = publisher_iris(SimpleNamespace(actors=actors, sources=sources), load_vocabulary())
    assert {text: str(iri).startswith(str(THBID[expected[text]])) for text, iri in found.items()} == \
        {text: True for text in expected}
    assert len(set(found.values())) == len(texts)


@pytest.fixture(scope="module")
def bundled_graph():
    return build_graph(include_bundled=True)


def test_a_treaty_is_one_record_an_instrument_not_an_agent(bundled_graph):
    """The issue: CETS 197 was the actor cets197 (inferred an organisation) and the instrument
    coe-convention-cets197, with nothing linking the two."""
    g = bundled_graph
    for treaty in ("cets197", "palermo-protocol"):
        node = THBID[f"actor/{treaty}"]
        types = set(g.objects(node, RDF.type))
        assert {THB.Treaty, THB.Instrument, PROV.Entity, THB.LinkEnd} <= types
        assert not types & {THB.Actor, THB.Framework, ORG.Organization, ORG.OrganizationalCollaboration}
        assert g.value(node, THB.actorType) == THBID["actor-type/treaty"]
        assert g.value(node, ORG.classification) is None
    for removed in ("coe-convention-cets197", "un-trafficking-protocol"):
        assert (THBID[f"instrument/{removed}"], None, None) not in g
        assert (None, None, THBID[f"instrument/{removed}"]) not in g


def test_treaty_party_links_name_the_treaty_record_and_are_no_memberships(bundled_graph):
    g = bundled_graph
    link = THBID["link/cets197-al-party"]
    assert g.value(link, THB.object) == g.value(link, THB.instrument) == THBID["actor/cets197"]
    assert (link, RDF.type, ORG.Membership) not in g and g.value(link, ORG.organization) is None
    # a membership of an organisation is still an org:Membership (tests/fixtures/good: emn-ge-obs)
    members = {s for s in g.subjects(THB.linkType, THBID["link-type/treaty_party"])}
    assert len(members) == 108  # 48 CETS 197 + 60 Palermo parties in data/links.csv, counted by hand with grep
    assert not members & set(g.subjects(RDF.type, ORG.Membership))


def _treaty_folder(tmp_path, good_dir, actor_row, *, instruments="", region_members=""):
    """The good fixture tables plus one more actors.csv row (and rows of other tables)."""
    folder = tmp_path / "data"
    shutil.copytree(good_dir, folder)
    with open(folder / "actors.csv", "a", encoding="utf-8", newline="") as fh:
        fh.write(actor_row + "\n")
    for name, rows in (("instruments", instruments), ("region_members", region_members)):
        if rows:
            with open(folder / f"{name}.csv", "a", encoding="utf-8", newline="") as fh:
                fh.write(rows + "\n")
    return folder


TREATY = "tr,A Treaty,treaty,,,,,{seat},{lat},{lon},{parent},frontex-wa,high,"


@pytest.mark.parametrize("row, column, message", [
    (TREATY.format(seat="Warsaw", lat="", lon="", parent=""), "seat",
     "a treaty is an instrument, not an organisation, so it has no seat; leave it empty"),
    (TREATY.format(seat="", lat="52.2", lon="21.0", parent=""), "lat",
     "a treaty is an instrument, not an organisation, so it has no coordinates; leave it empty"),
    (TREATY.format(seat="", lat="", lon="", parent="europol"), "parent",
     "a treaty is an instrument, not an organisation, so it has no parent; leave it empty"),
    (TREATY.format(seat="", lat="", lon="", parent="") + "\nunit,A unit,eu_body,,,,,,,,tr,frontex-wa,high,",
     "parent", ("'tr' is a treaty, not an organisation: it cannot be a parent; leave parent empty or name an "
                "organisation")),
])
def test_a_treaty_has_no_organisation_columns(tmp_path, good_dir, row, column, message):
    with pytest.raises(DataError) as caught:
        build_graph([_treaty_folder(tmp_path, good_dir, row)], include_bundled=False)
    assert [(p.column, p.message) for p in caught.value.problems] == [(column, message)]


def test_a_treaty_in_a_region_or_with_an_instrument_row_is_refused(tmp_path, good_dir):
    folder = _treaty_folder(tmp_path, good_dir, TREATY.format(seat="", lat="", lon="", parent=""),
                            instruments="tr,The same treaty,convention,,,,frontex-wa,high,",
                            region_members="sahel,tr,eeas-sahel,high,")
    with pytest.raises(DataError) as caught:
        build_graph([folder], include_bundled=False)
    found = sorted((p.file.rsplit("/", 1)[-1], p.line, p.column, p.message) for p in caught.value.problems)
    assert found == [
        ("instruments.csv", 3, "id", ("'tr' is also a treaty in actors.csv; a treaty is one record: keep the "
                                      "actors.csv row (add this row's sources and facts to it) and remove this one")),
        ("region_members.csv", 3, "actor", ("'tr' is a treaty, not an actor: a region includes only actors; "
                                            "remove this row")),
    ]


def test_a_link_may_rest_on_a_treaty_record(tmp_path, good_dir):
    folder = _treaty_folder(tmp_path, good_dir, TREATY.format(seat="", lat="", lon="", parent=""))
    with open(folder / "links.csv", "a", encoding="utf-8", newline="") as fh:
        fh.write("tr-al-party,al,tr,treaty_party,,2010,,active,tr,frontex-wa,high,high,\n")
    g = build_graph([folder], include_bundled=False)
    link = THBID["link/tr-al-party"]
    assert g.value(link, THB.instrument) == g.value(link, THB.object) == THBID["actor/tr"]
    assert (link, RDF.type, ORG.Membership) not in g


def test_a_treaty_seat_is_one_line_on_the_command_line(tmp_path, good_dir, runner):
    from thbkg.cli.main import cli

    folder = _treaty_folder(tmp_path, good_dir, TREATY.format(seat="Warsaw", lat="", lon="", parent=""))
    result = runner.invoke(cli, ["validate", "--no-bundled", "--data", str(folder)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "treaty" in line]
    assert len(lines) == 1 and "actors.csv" in lines[0] and "seat" in lines[0], result.output
    assert "Traceback" not in result.output
