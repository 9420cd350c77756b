"""The two SHACL engines of ``thbkg validate`` find the same problems; pySHACL is the oracle.

Graphs compared: the clean bundled graph, single-defect mutations of it (tests/fixtures/shacl_mutations.py;
applied a few to one copy, each on its own record, to keep the file fast), every table fixture that
reaches SHACL, and the hand-written shapes fixtures (tests/fixtures/shapes/invalid/*.ru). The results are
compared as sets of (focus node, source shape, severity).

On the bundled graph the oracle is pySHACL for the core constraints and, for the three node-shape SPARQL
constraints, the one-query-per-constraint run that both engines share (pySHACL on them takes ~1 600 query
parses); on the shapes fixtures the oracle is pySHACL alone, SPARQL constraints included.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH
from shacl_mutations import mutations

from thbkg.graph.errors import DataError, ThbkgError
from thbkg.graph.rdf.build import dataset_ntriples
from thbkg.graph.rdf.shacl_sparql import (
    UnsupportedShapeError,
    compile_checks,
    load_store,
    run_checks,
    run_sparql_constraints,
    split_sparql_constraints,
)
from thbkg.graph.rdf.tables import load_dataset
from thbkg.graph.rdf.vocab import shapes_graph

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
BATCHES = 4

#: SHACL parameter -> the constraint component pySHACL names in its report
COMPONENTS = {
    "minCount": "MinCount", "maxCount": "MaxCount", "datatype": "Datatype", "class": "Class", "in": "In",
    "pattern": "Pattern", "nodeKind": "NodeKind", "equals": "Equals", "disjoint": "Disjoint",
    "lessThanOrEquals": "LessThanOrEquals", "languageIn": "LanguageIn", "hasValue": "HasValue", "or": "Or",
    "sparql": "SPARQL",
}
NOT_RULES = {"path", "property", "targetClass", "targetObjectsOf", "targetSubjectsOf", "targetNode", "message",
             "severity", "deactivated", "flags", "name", "description", "order", "group", "alternativePath",
             "inversePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"}


@functools.cache
def shapes() -> Graph:
    return shapes_graph()


@functools.cache
def bundled_ntriples() -> str:
    return dataset_ntriples(load_dataset())


@functools.cache
def bundled_graph() -> Graph:
    return Graph().parse(data=bundled_ntriples(), format="nt")


@functools.cache
def bundled_mutations() -> tuple:
    return tuple(mutations(bundled_ntriples()))


def oracle(graph: Graph, store, *, full: bool = False) -> dict:
    """pySHACL's results: {(focus, source shape, severity): {constraint components}}.

    *full*: pySHACL runs the SPARQL constraints too; else they run once each on *store* (see the module).
    """
    core, constraints = (shapes(), []) if full else split_sparql_constraints(shapes())
    _conforms, report, _text = pyshacl.validate(graph, shacl_graph=core, inference="none", allow_warnings=True)
    found: dict = {}
    for result in report.subjects(SH.focusNode, None):
        key = (report.value(result, SH.focusNode), report.value(result, SH.sourceShape),
               report.value(result, SH.resultSeverity))
        found.setdefault(key, set()).add(report.value(result, SH.sourceConstraintComponent))
    for result in run_sparql_constraints(store, shapes(), constraints):
        found.setdefault((result.focus, result.shape, result.severity), set()).add(result.component)
    return found


def sparql_engine(store) -> set:
    return {(result.focus, result.shape, result.severity) for result in run_checks(store, shapes())}


def _triples(lines) -> list:
    return list(Graph().parse(data="".join(lines), format="nt")) if lines else []


def _mutated(batch: list) -> tuple:
    """(rdflib graph, Oxigraph store) of the bundled graph with the mutations of *batch*."""
    lines = bundled_ntriples().splitlines(keepends=True)
    for mutation in batch:
        lines = mutation.apply(lines)
    graph = Graph()
    graph += bundled_graph()
    for mutation in batch:
        for triple in _triples(mutation.remove):
            graph.remove(triple)
        for triple in _triples(mutation.add):
            graph.add(triple)
    return graph, load_store("".join(lines).encode("utf-8"))


def test_the_clean_bundled_graph_conforms_in_both_engines():
    store = load_store(bundled_ntriples().encode("utf-8"))
    assert oracle(bundled_graph(), store) == {}
    assert sparql_engine(store) == set()


def test_there_is_a_mutation_for_every_constraint_component_in_use():
    used = set()
    for shape, predicate in shapes().subject_predicates(None):
        name = str(predicate)
        if name.startswith(str(SH)) and (shape, SH.declare, None) not in shapes():
            local = name[len(str(SH)):]
            if local not in NOT_RULES and local not in ("declare", "prefixes", "select", "prefix", "namespace"):
                assert local in COMPONENTS, f"sh:{local} is new: add it to COMPONENTS and a mutation for it"
                used.add(COMPONENTS[local] + "ConstraintComponent")
    found = {m.component for m in bundled_mutations()}
    assert len(bundled_mutations()) >= 25
    assert used <= found, used - found
    assert len({m.focus for m in bundled_mutations()}) == len(bundled_mutations()), "one record per mutation"


@pytest.mark.parametrize("batch", range(BATCHES))
def test_mutations_of_the_bundled_graph_agree(batch):
    chosen = list(bundled_mutations()[batch::BATCHES])
    graph, store = _mutated(chosen)
    expected = oracle(graph, store)
    for mutation in chosen:  # each defect is reported, by the rule it breaks: the mutation is not a no-op
        focus = URIRef(mutation.focus[1:-1])
        components = set().union(*(c for (f, _s, _v), c in expected.items() if f == focus), set())
        assert SH[mutation.component] in components, (mutation.name, components)
    assert sparql_engine(store) == set(expected)


def _table_fixtures() -> list:
    found = []
    for folder in sorted(p.parent for p in FIXTURES.rglob("actors.csv")):
        try:
            load_dataset([folder], include_bundled=False)
        except DataError:
            continue
        found.append(folder)
    return found


TABLE_FIXTURES = _table_fixtures()


def test_several_table_fixtures_reach_shacl():
    names = {p.name for p in TABLE_FIXTURES}
    assert {"good", "hostile", "issue11", "country_without_iso2"} <= names


@pytest.mark.parametrize("folder", TABLE_FIXTURES, ids=[p.name for p in TABLE_FIXTURES])
def test_table_fixtures_agree(folder):
    ntriples = dataset_ntriples(load_dataset([folder], include_bundled=False))
    store = load_store(ntriples.encode("utf-8"))
    expected = oracle(Graph().parse(data=ntriples, format="nt"), store)
    assert sparql_engine(store) == set(expected)
    if folder.name == "country_without_iso2":
        assert expected, "the fixture's defect must reach SHACL"


SHAPE_CASES = sorted((FIXTURES / "shapes" / "invalid").glob("*.ru"))


@functools.cache
def _shape_fixture_graph() -> Graph:
    return Graph().parse(FIXTURES / "shapes" / "valid.ttl")


def test_shapes_fixtures_agree_with_full_pyshacl():
    """pySHACL with every shape, SPARQL constraints included, on each hand-written invalid case."""
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "ontology"))
    from test_shapes import UPDATE_PREFIXES

    assert len(SHAPE_CASES) >= 40
    for case in [None, *SHAPE_CASES]:
        data = Graph()
        data += _shape_fixture_graph()
        if case is not None:
            data.update(case.read_text(encoding="utf-8"), initNs=UPDATE_PREFIXES)
        store = load_store(data)
        expected = oracle(data, store, full=True)
        assert (case is None) == (not expected), case
        assert sparql_engine(store) == set(expected), case and case.name


# --- what the engine refuses, and how it runs ----------------------------------------------------------

HEAD = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .
"""
UNSUPPORTED = {
    "sh:minLength": "ex:P sh:path ex:name ; sh:minLength 3 .",
    "sh:node": "ex:P sh:path ex:name ; sh:node ex:S .",
    "sh:not": "ex:P sh:path ex:name ; sh:not [ sh:datatype xsd:string ] .",
    "sh:qualified": "ex:P sh:path ex:name ; sh:qualifiedValueShape ex:S ; sh:qualifiedMinCount 1 .",
    "sh:closed": "ex:P sh:path ex:name . ex:S sh:closed true .",
    "sh:datatype http://www.w3.org/2001/XMLSchema#dateTime": "ex:P sh:path ex:name ; sh:datatype xsd:dateTime .",
    "sh:minCount on a node shape": "ex:P sh:path ex:name . ex:S sh:minCount 1 .",
    "$PATH": 'ex:P sh:path ex:name . ex:S sh:sparql [ sh:select "SELECT $this WHERE { $this $PATH ?v }" ] .',
    "a blank node as a value": "ex:P sh:path ex:name ; sh:in ( [ ] ) .",
    "a SPARQL constraint on a property shape": 'ex:P sh:path ex:name ; sh:sparql [ sh:select "SELECT $this {}" ] .',
    "sh:maxCount on a node shape": "ex:P sh:path ex:name ; sh:or ( [ sh:maxCount 1 ] ) .",
}


@pytest.mark.parametrize("what", UNSUPPORTED)
def test_an_unsupported_constraint_stops_the_engine_with_a_clear_message(what):
    graph = Graph().parse(data=HEAD + UNSUPPORTED[what], format="turtle")
    with pytest.raises(UnsupportedShapeError, match=re.escape(what)) as caught:
        compile_checks(graph)
    assert "--engine pyshacl" in str(caught.value)
    assert "http://example.org/" in str(caught.value)  # names the shape, or where its blank node sits
    assert isinstance(caught.value, ThbkgError)  # the CLI prints it as one line


def test_the_checks_are_generated_once_and_run_once_each():
    class CountingStore:
        def __init__(self, store):
            self.store, self.queries = store, 0

        def query(self, text):
            self.queries += 1
            return self.store.query(text)

    checks = compile_checks(shapes())
    assert compile_checks(shapes()) is checks  # cached per shapes graph
    store = CountingStore(load_store(bundled_ntriples().encode("utf-8")))
    run_checks(store, shapes())
    assert store.queries == len(checks) > 100  # one query per (shape, constraint), whatever the data size


def test_a_changed_shapes_graph_is_compiled_again():
    graph = Graph().parse(data=HEAD + "ex:P sh:path ex:name ; sh:minCount 1 .", format="turtle")
    first = compile_checks(graph)
    graph.parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . <http://example.org/P> sh:maxCount 1 .",
                format="turtle")
    assert len(compile_checks(graph)) == len(first) + 1
