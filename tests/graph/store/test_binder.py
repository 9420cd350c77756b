"""The one SPARQL binder (thbkg.graph.store.binder): one rule each, on both paths that bind values.

The two paths are ``thbkg query --param`` (:func:`thbkg.graph.store.query.run_query`) and the
bindings of :class:`thbkg.graph.store.source.GraphSource` (used by the network projections).
Expected query texts and messages are written by hand from the SPARQL 1.1 grammar (VALUES at the
start of the top-level WHERE group; ECHAR escapes in strings); expected rows are counted by hand in
tests/fixtures/sparql/mini.ttl.
"""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from thbkg.graph.errors import UsageError
from thbkg.graph.rdf.namespaces import THBID
from thbkg.graph.store.binder import bind, service_targets, tokens, where_group_start
from thbkg.graph.store.query import check_query, run_query
from thbkg.graph.store.source import GraphSource

A = URIRef("http://x/a")
VALUES_A = "VALUES (?a) { (<http://x/a>) }"
#: the one message for a value holding a codepoint escape, for the value a\u0022b
CODEPOINT_MESSAGE = "'a\\\\u0022b': a parameter value cannot contain '\\u' or '\\U'"
#: the one message for an IRI that could close its <…>
BAD_IRI_MESSAGE = "'http://x/a> } DROP ALL #' cannot be used as an IRI (it has a space or one of <>\"{}|^`\\)"


@pytest.fixture(scope="module")
def mini(fixtures_dir):
    graph = Graph(store="Oxigraph")
    graph.parse(fixtures_dir / "sparql" / "mini.ttl", format="ox-turtle")
    return graph


@pytest.fixture(scope="module", params=["embedded", "memory"])
def source(request, good_dir):
    """A GraphSource on the small test tables: Oxigraph (direct path) and rdflib's memory store."""
    return GraphSource([str(good_dir)], store=None if request.param == "embedded" else "memory",
                       include_bundled=False)


# -- where the VALUES block goes ----------------------------------------------------------------------

@pytest.mark.parametrize("text, bound", [
    # GROUP BY: inside the WHERE group, so the values restrict the rows before they are grouped
    ("SELECT ?a (COUNT(?l) AS ?n) WHERE { ?l ?p ?a } GROUP BY ?a",
     f"SELECT ?a (COUNT(?l) AS ?n) WHERE {{ {VALUES_A} ?l ?p ?a }} GROUP BY ?a"),
    # OPTIONAL first in the group: the block still opens the top-level group, not the OPTIONAL one
    ("SELECT * WHERE { OPTIONAL { ?a ?p ?o } ?a ?q ?r }",
     f"SELECT * WHERE {{ {VALUES_A} OPTIONAL {{ ?a ?p ?o }} ?a ?q ?r }}"),
    # a subquery: the outer group, never the inner one
    ("SELECT ?n WHERE { { SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?p ?o } GROUP BY ?a } }",
     f"SELECT ?n WHERE {{ {VALUES_A} {{ SELECT ?a (COUNT(*) AS ?n) WHERE {{ ?a ?p ?o }} GROUP BY ?a }} }}"),
    # a group inside a projected expression is not the WHERE group
    ("SELECT (EXISTS { ?a ?p ?o } AS ?e) WHERE { ?a ?q ?r }",
     f"SELECT (EXISTS {{ ?a ?p ?o }} AS ?e) WHERE {{ {VALUES_A} ?a ?q ?r }}"),
    # braces in a CONSTRUCT template, a string and a comment are not the WHERE group
    ('CONSTRUCT { ?a ?p "{" } # {\nWHERE { ?a ?p ?o }',
     f'CONSTRUCT {{ ?a ?p "{{" }} # {{\nWHERE {{ {VALUES_A} ?a ?p ?o }}'),
    # a prefix named like a query form, a FROM clause, no WHERE keyword
    ("PREFIX select: <http://x/>\nSELECT * FROM <http://x/g> { ?a select:p ?b }",
     f"PREFIX select: <http://x/>\nSELECT * FROM <http://x/g> {{ {VALUES_A} ?a select:p ?b }}"),
    ("ASK { ?a ?p ?o } ", f"ASK {{ {VALUES_A} ?a ?p ?o }} "),
    # a trailing VALUES clause stays where it is
    ("SELECT * WHERE { ?a ?p ?o } VALUES ?o { 1 }", f"SELECT * WHERE {{ {VALUES_A} ?a ?p ?o }} VALUES ?o {{ 1 }}"),
])
def test_values_open_the_top_level_where_group(text, bound):
    assert bind(text, {"a": A}) == bound
    check_query(bound)  # Oxigraph's parser accepts the bound text


def test_values_keep_the_line_numbers():
    text = "SELECT ?l\n# a comment { with a brace\nWHERE\n{\n  ?l ?p ?a .\n}"
    bound = bind(text, {"a": Literal("x\ny")})
    assert bound.splitlines()[3] == '{ VALUES (?a) { ("x\\ny") }'
    assert bound.count("\n") == text.count("\n")


def test_bound_values_restrict_grouped_optional_and_subquery_patterns(mini):
    prefix = "PREFIX thb: <https://w3id.org/thbkg/ontology#>\n"
    europol, xa = {"a": "thbid:actor/europol"}, {"a": "thbid:actor/xa"}
    grouped = run_query(mini, prefix + "SELECT ?a (COUNT(?l) AS ?n) WHERE { ?l thb:party ?a } GROUP BY ?a", europol)
    assert [(r[0], int(r[1])) for r in grouped.rows] == [(THBID["actor/europol"], 2)]
    nested = run_query(mini, prefix + "SELECT ?a ?n WHERE { { SELECT ?a (COUNT(?l) AS ?n) "
                                      "WHERE { ?l thb:party ?a } GROUP BY ?a } }", xa)
    assert [(r[0], int(r[1])) for r in nested.rows] == [(THBID["actor/xa"], 5)]
    optional = run_query(mini, prefix + "SELECT ?l ?end WHERE { ?l thb:party ?a OPTIONAL { ?l thb:endDay ?end } }", xa)
    ends = {str(r[0]).rsplit("/", 1)[1]: (str(r[1]) if r[1] is not None else None) for r in optional.rows}
    assert ends == {"xa-europol-op": None, "xa-frontex-wa": "2019-12-31", "xa-emn-mem": None,
                    "xa-eurojust-coop": None, "xc-xa-lo": None}


@pytest.mark.parametrize("text, message", [
    ("DESCRIBE <http://x/a>", "cannot bind parameters: the query has no WHERE { … } group"),
    ("CONSTRUCT WHERE { ?a ?p ?o }", ("cannot bind parameters in the short form CONSTRUCT WHERE { … } (it may "
                                     "hold triples only); write CONSTRUCT { … } WHERE { … }")),
])
def test_queries_without_a_group_for_values_are_refused(text, message):
    with pytest.raises(UsageError) as info:
        bind(text, {"a": A})
    assert str(info.value) == message and info.value.exit_code == 2
    assert where_group_start("CONSTRUCT { ?a ?p ?o } WHERE { ?a ?p ?o }") == len("CONSTRUCT { ?a ?p ?o } WHERE {")


# -- terms, never text -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, written", [
    ('say "hi"', '"say \\"hi\\""'),
    ("two\nlines\r\tend", '"two\\nlines\\r\\tend"'),
    ("back\\slash", '"back\\\\slash"'),
    ("'''} DROP ALL #", "\"'''} DROP ALL #\""),
    (Literal("Albania", lang="en"), '"Albania"@en'),
    (2013, '"2013"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    (URIRef("http://x/a?b=c#d"), "<http://x/a?b=c#d>"),
])
def test_values_are_written_as_escaped_terms(value, written):
    assert bind("SELECT ?v WHERE { }", {"v": value}) == f"SELECT ?v WHERE {{ VALUES (?v) {{ ({written}) }} }}"


@pytest.mark.parametrize("payload", ['x"} ; DROP ALL #', "a\nb\r\n\"c\"", "'''\"\"\"", "x\\\" } #", "é🙂\t\f\b"])
def test_literals_with_quotes_and_newlines_come_back_unchanged_on_both_paths(mini, source, payload):
    echo = run_query(mini, "SELECT ?v WHERE { }", {"v": payload})
    assert [str(r[0]) for r in echo.rows] == [payload]
    assert [str(r["v"]) for r in source.select("SELECT ?v WHERE { }", bindings={"v": payload})] == [payload]


def test_codepoint_escapes_are_refused_on_both_paths(mini, source):
    value = "a\\u0022b"  # a backslash, then u0022: SPARQL would read it as a quote before parsing
    with pytest.raises(UsageError) as by_param:
        run_query(mini, "SELECT ?v WHERE { }", {"v": value})
    with pytest.raises(UsageError) as by_binding:
        source.select("SELECT ?v WHERE { }", bindings={"v": value})
    with pytest.raises(UsageError) as long_form:
        bind("SELECT ?v WHERE { }", {"v": Literal("x\\U00000022", lang="en")})
    assert str(by_param.value) == str(by_binding.value) == CODEPOINT_MESSAGE
    assert "cannot contain '\\u' or '\\U'" in str(long_form.value)


def test_iris_that_could_close_their_brackets_are_refused_on_both_paths(source):
    iri = URIRef("http://x/a> } DROP ALL #")
    with pytest.raises(UsageError) as direct:
        bind("SELECT * { ?a ?b ?c }", {"a": iri})
    with pytest.raises(UsageError) as by_binding:
        source.select("SELECT * { ?a ?b ?c }", bindings={"a": iri})
    assert str(direct.value) == str(by_binding.value) == BAD_IRI_MESSAGE
    for bad in ("http://x/a b", 'http://x/"', "http://x/{", "http://x/\\u0041"):
        with pytest.raises(UsageError, match="cannot be used as an IRI"):
            bind("SELECT * { ?a ?b ?c }", {"a": URIRef(bad)})


@pytest.mark.parametrize("bindings, message", [
    ({"a b": "x"}, "'a b' is not a SPARQL variable name"),
    ({"a\n": "x"}, "'a\\n' is not a SPARQL variable name"),
    ({"a": BNode("b1")}, "cannot bind rdflib.term.BNode('b1'): only IRIs and literals can be parameters"),
])
def test_names_and_blank_nodes_are_refused(bindings, message):
    with pytest.raises(UsageError) as info:
        bind("SELECT * { ?a ?b ?c }", bindings)
    assert str(info.value) == message


def test_question_marks_and_none_values():
    text = "SELECT * { ?a ?b ?c }"
    assert bind(text, {"?a": A, "$b": None}) == f"SELECT * {{ {VALUES_A} ?a ?b ?c }}"
    assert bind(text, {"b": None}) == bind(text, {}) == bind(text, None) == text
    # names are sorted, so the same bindings always give the same text
    assert bind(text, {"c": 1, "a": A}) == (
        'SELECT * { VALUES (?a ?c) { (<http://x/a> "1"^^<http://www.w3.org/2001/XMLSchema#integer>) } ?a ?b ?c }')


# -- one tokenizer for binding and the SERVICE scan ---------------------------------------------------------

def test_the_service_scan_and_the_binder_read_strings_alike():
    text = 'SELECT * WHERE { ?s ?p "} SERVICE <http://a.org/s> {" . ?s ?q <http://a.org/SERVICE> } # SERVICE <x> {'
    assert service_targets(text) == []
    assert bind(text, {"s": A}).startswith('SELECT * WHERE { VALUES (?s) { (<http://x/a>) } ?s ?p "} SERVICE')
    kinds = [kind for kind, _, _ in tokens(text)]
    assert kinds.count("punct") == 2 and kinds.count("string") == 1 and kinds.count("iri") == 1
