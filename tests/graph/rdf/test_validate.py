"""graph/rdf/validate.py: table checks, then SHACL results located back in the CSV tables."""

from __future__ import annotations

import pytest

from thbkg.graph.errors import Problem, UsageError
from thbkg.graph.rdf.build import dataset_to_graph
from thbkg.graph.rdf.namespaces import THB, THBID
from thbkg.graph.rdf.tables import load_dataset
from thbkg.graph.rdf.validate import record_index, shacl_problems, validate


def test_good_fixture_is_valid(good_dir):
    report = validate([good_dir], include_bundled=False)
    assert report.problems == []
    assert report.conforms is True
    assert report.summary() == "OK: 8 actors, 6 links, 7 sources; SHACL conforms"


def test_table_problems_stop_before_shacl(fixtures_dir):
    report = validate([fixtures_dir / "bad" / "bad_date"], include_bundled=False)
    assert report.conforms is None and report.dataset is None
    assert [p.column for p in report.problems] == ["end"]


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_shacl_results_point_at_the_csv_row(good_dir, engine):
    ds = load_dataset([good_dir], include_bundled=False)
    graph = dataset_to_graph(ds)
    # break the graph behind the tables' back: a link loses its sources, an interval gets a sub-node
    link = THBID["link/frontex-ng-wa"]
    graph.remove((link, None, THBID["source/frontex-wa"]))
    conforms, problems, _warnings = shacl_problems(graph, ds, engine=engine)
    assert not conforms
    line = next(rec.line for rec in ds.links if rec["id"] == "frontex-ng-wa")
    assert Problem(ds.links[0].file, line, "sources",
                   "Every link must cite at least one source (prov:wasDerivedFrom).") in problems


def test_sub_nodes_map_to_their_record(good_dir):
    from thbkg.graph.rdf.validate import _locate

    ds = load_dataset([good_dir], include_bundled=False)
    index = record_index(ds)
    rec = _locate(THBID["link/europol-al-op/interval"], index)
    assert rec["id"] == "europol-al-op"
    assert _locate(THBID["actor/al/seat/geometry"], index)["id"] == "al"
    assert _locate(THB.Country, index) is None


def test_bundled_data_is_valid():
    report = validate()
    assert [str(p) for p in report.problems] == []


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_both_engines_report_the_same_triples_and_problems(fixtures_dir, engine):
    """The SPARQL engine loads the tables' N-Triples (no rdflib graph); the count is the graph's size."""
    report = validate([fixtures_dir / "hostile"], include_bundled=False, engine=engine)
    assert report.triples == len(dataset_to_graph(report.dataset)) > 0
    reference = validate([fixtures_dir / "hostile"], include_bundled=False, engine="pyshacl")
    assert (report.conforms, report.problems, report.warnings) == \
        (reference.conforms, reference.problems, reference.warnings)


def test_a_callers_store_is_used_as_it_is(good_dir):
    """With a store the graph is not rebuilt: what the store holds is what gets validated."""
    from thbkg.graph.rdf.build import dataset_ntriples_bytes
    from thbkg.graph.rdf.shacl_sparql import load_store

    ds = load_dataset([good_dir], include_bundled=False)
    store = load_store(dataset_ntriples_bytes(ds))
    assert validate([good_dir], include_bundled=False, store=store).ok
    store.update("DELETE WHERE { <https://w3id.org/thbkg/id/link/frontex-ng-wa> "
                 "<http://www.w3.org/ns/prov#wasDerivedFrom> ?s }")
    for engine in ("sparql", "pyshacl"):
        report = validate([good_dir], include_bundled=False, store=store, engine=engine)
        assert [p.column for p in report.problems] == ["sources"], engine
        assert report.triples == len(dataset_to_graph(ds)) - 1


def test_an_unknown_engine_is_a_usage_error(good_dir):
    with pytest.raises(UsageError, match="sparql or pyshacl"):
        validate([good_dir], include_bundled=False, engine="rudof")


SPARQL_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix thb: <https://w3id.org/thbkg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/shapes#> .
ex:prefixes sh:declare [ sh:prefix "thb" ; sh:namespace "https://w3id.org/thbkg/ontology#"^^xsd:anyURI ] ,
    [ sh:prefix "schema" ; sh:namespace "https://schema.org/"^^xsd:anyURI ] ,
    [ sh:prefix "org" ; sh:namespace "http://www.w3.org/ns/org#"^^xsd:anyURI ] .
ex:PartiesShape a sh:NodeShape ; sh:targetClass thb:CooperationLink ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes ex:prefixes ;
        sh:message "{?missing} is not among the parties"@en ;
        sh:select \"\"\"SELECT $this ?missing WHERE {
            { $this thb:subject ?missing } UNION { $this thb:object ?missing }
            FILTER NOT EXISTS { $this thb:party ?missing } }\"\"\" ] .
ex:AuthorityShape a sh:NodeShape ; sh:targetClass thb:Country ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes ex:prefixes ;
        sh:message "no EU authority for {?iso3}"@en ;
        sh:select \"\"\"SELECT $this ?iso3 WHERE { $this thb:iso3 ?iso3 . FILTER(STR(?iso3) != "XKX")
            FILTER NOT EXISTS { $this schema:sameAs ?a .
                FILTER(STRSTARTS(STR(?a), "http://publications.europa.eu/resource/authority/country/")) } }\"\"\" ] .
ex:MemberShape a sh:NodeShape ; sh:targetObjectsOf thb:subject ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes ex:prefixes ;
        sh:message "an observer link without org:member"@en ;
        sh:select \"\"\"SELECT $this WHERE { ?link thb:subject $this ; a org:Membership .
            FILTER NOT EXISTS { ?link org:member $this } }\"\"\" ] .
"""


def _broken_graph(good_dir):
    """The good fixture graph with one defect for each SPARQL constraint of the shapes."""
    from rdflib import Literal

    from thbkg.graph.rdf.namespaces import GEO, ORG, SCHEMA

    ds = load_dataset([good_dir], include_bundled=False)
    graph = dataset_to_graph(ds)
    graph.remove((THBID["link/europol-al-op"], THB.party, THBID["actor/al"]))          # parties miss an end
    graph.remove((THBID["link/emn-ge-obs"], ORG.member, None))                           # membership family
    graph.remove((THBID["actor/ge"], SCHEMA.sameAs, None))                               # country authority
    geometry = THBID["actor/europol/seat/geometry"]
    graph.set((geometry, GEO.asWKT, Literal("POINT(4.3 152.07)", datatype=GEO.wktLiteral)))  # out of range
    return ds, graph


def test_sparql_constraints_find_what_pyshacl_finds(good_dir):
    """Our one-query-per-constraint run on Oxigraph reports the same focus nodes and messages as
    pySHACL's own per-focus-node evaluation of the full shapes."""
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH

    from thbkg.graph.rdf.shacl_sparql import load_store, run_sparql_constraints
    from thbkg.graph.rdf.validate import split_sparql_constraints

    _, graph = _broken_graph(good_dir)
    shapes = Graph().parse(data=SPARQL_SHAPES, format="turtle")
    core, constraints = split_sparql_constraints(shapes)
    assert len(constraints) == 3
    assert not list(core.objects(None, SH.sparql))
    found = run_sparql_constraints(load_store(graph), shapes, constraints)
    ours = {(result.focus, result.message) for result in found}
    _conforms, results, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    sparql_shapes = {shape for shape, _ in constraints}
    theirs = set()
    for result in results.subjects(SH.focusNode, None):
        if results.value(result, SH.sourceShape) in sparql_shapes or \
                results.value(result, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent:
            for message in results.objects(result, SH.resultMessage):
                theirs.add((results.value(result, SH.focusNode), str(message)))
    assert len(ours) == 3
    assert ours == theirs


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_broken_graph_problems_are_located(good_dir, engine):
    from rdflib import Graph

    ds, graph = _broken_graph(good_dir)
    conforms, problems, _ = shacl_problems(graph, ds, engine=engine)
    assert not conforms
    lines = {(p.file.rsplit("/", 1)[-1], p.line) for p in problems}
    line_of = {rec["id"]: rec.line for rec in ds.actors + ds.links}
    for record, table in (("europol-al-op", "links.csv"), ("emn-ge-obs", "links.csv"), ("ge", "actors.csv"),
                          ("europol", "actors.csv")):
        assert (table, line_of[record]) in lines, record
    # with SPARQL constraints too, messages get the row's values
    _, sparql_problems, _ = shacl_problems(graph, ds, shapes=Graph().parse(data=SPARQL_SHAPES, format="turtle"),
                                           engine=engine)
    assert Problem(ds.links[0].file, line_of["europol-al-op"], None,
                   "https://w3id.org/thbkg/id/actor/al is not among the parties") in sparql_problems
