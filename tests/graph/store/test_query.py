"""The query machinery (thbkg.graph.store.query, .binder, .catalogue; answers written by
thbkg.graph.outputs.results) on a small fictional graph, on every local store kind."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from thbkg.graph.errors import UsageError
from thbkg.graph.outputs.results import format_result, short_iri
from thbkg.graph.rdf.namespaces import THBID
from thbkg.graph.store.binder import bind, query_variables, service_targets, term_to_sparql
from thbkg.graph.store.catalogue import parse_header
from thbkg.graph.store.query import check_query, run_query, to_term

PREFIXES = """PREFIX thb: <https://w3id.org/thbkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module", params=["Oxigraph", "Memory"])
def mini(request, fixtures_dir):
    """The fictional mini graph on Oxigraph (oxrdflib) and on rdflib's Memory store."""
    graph = Graph(store=request.param)
    if request.param == "Oxigraph":
        graph.parse(fixtures_dir / "sparql" / "mini.ttl", format="ox-turtle")
    else:
        graph.parse(fixtures_dir / "sparql" / "mini.ttl", format="turtle")
    return graph


def _n(graph):
    return len(list(graph.triples((None, None, None))))


# -- forms, syntax errors, updates ------------------------------------------------------------------

@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("PREFIX x: <http://x/>\n# a comment with SELECT in it\nASK { ?s x:p ?o }", "ASK"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://x/a>", "DESCRIBE"),
    ("select ?a where { ?a thb:party ?b }", "SELECT"),  # thbkg prefixes are predeclared
])
def test_check_query_gives_the_form(text, form):
    assert check_query(text) == form


@pytest.mark.parametrize("text, keyword", [
    ("INSERT DATA { <http://x/a> <http://x/p> <http://x/b> }", "INSERT"),
    ("PREFIX x: <http://x/>\nDELETE WHERE { ?s x:p ?o }", "DELETE"),
    ("DROP ALL", "DROP"),
    ("drop graph <http://x/g>", "DROP"),
    ("CLEAR DEFAULT", "CLEAR"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"),
    ("CREATE GRAPH <http://x/g>", "CREATE"),
    ("ADD DEFAULT TO <http://x/g>", "ADD"),
    ("MOVE DEFAULT TO <http://x/g>", "MOVE"),
    ("COPY DEFAULT TO <http://x/g>", "COPY"),
    ("WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ("# comment\nBASE <http://x/>\nINSERT DATA { <a> <p> <b> }", "INSERT"),
])
def test_updates_are_refused(text, keyword):
    with pytest.raises(UsageError) as info:
        check_query(text)
    assert info.value.exit_code == 2
    assert str(info.value).startswith(f"query is read-only: {keyword} is a SPARQL update")


def test_update_refused_leaves_the_store_unchanged(mini):
    before = _n(mini)
    with pytest.raises(UsageError):
        run_query(mini, "DELETE WHERE { ?s ?p ?o }")
    assert _n(mini) == before > 0


@pytest.mark.parametrize("text, line, column", [
    ("SELECT * WHERE { ?s ?p }", 1, 24),                              # the } where an object belongs
    ("SELECT ?s WHERE {\n  ?s ?p ?o .\n  ?s ?p }", 3, 9),              # the same on line 3
    ("PREFIX x: <http://x/>\nSELECT ?s\nWHERE { ?s x:p ?o ", 3, 18),    # unclosed group at the end
])
def test_syntax_errors_give_line_and_column(text, line, column):
    with pytest.raises(UsageError) as info:
        check_query(text)
    message = str(info.value)
    assert info.value.exit_code == 2
    assert message.startswith(f"SPARQL syntax error at line {line}, column {column}")
    assert "\n" not in message
    # the column names the character where parsing stopped, and the message quotes that line
    assert text.splitlines()[line - 1].strip() in message


@pytest.mark.parametrize("text, message", [
    ("SELECT * WHER { ?s ?p ?o }",
     ("SPARQL syntax error at line 1, column 10: unknown keyword 'WHER': did you mean WHERE? "
     "The line reads: SELECT * WHER { ?s ?p ?o }")),
    ("PREFIX x: <http://x/>\nselct ?s WHERE { ?s x:p 1.5e3 }",
     ("SPARQL syntax error at line 2, column 1: unknown keyword 'selct': did you mean SELECT? "
     "The line reads: selct ?s WHERE { ?s x:p 1.5e3 }")),
    ("SELECT (CONT(*) AS ?n) WHERE { ?s ?p ?o }",
     ("SPARQL syntax error at line 1, column 9: unknown keyword 'CONT': did you mean COUNT? "
     "The line reads: SELECT (CONT(*) AS ?n) WHERE { ?s ?p ?o }")),
    ('ASK { ?s ?p "x"@en-GB . foo }',  # a bare word that is close to no keyword
     ("SPARQL syntax error at line 1, column 25: unknown keyword 'foo' (variables are written ?name, prefixed "
     'names prefix:name) The line reads: ASK { ?s ?p "x"@en-GB . foo }')),
    # Oxigraph's own explanation wins over a guess (it reads GROUPBY as GROUP BY)
    ("SELECT * WHERE { ?s ?p ?o } GROUPBY ?s",
     ("SPARQL syntax error at line 1, column 38, at 's': SELECT * is not authorized with GROUP BY; "
     "the line reads: SELECT * WHERE { ?s ?p ?o } GROUPBY ?s")),
])
def test_misspelt_keywords_are_named(text, message):
    with pytest.raises(UsageError) as info:
        check_query(text)
    assert str(info.value) == message


def test_words_in_strings_iris_and_comments_are_not_keywords():
    text = 'SELECT ?s WHERE { ?s <http://x/SELEC> "FILTR" } # ORDR\nLIMT 5'
    with pytest.raises(UsageError) as info:
        check_query(text)
    assert "unknown keyword 'LIMT': did you mean LIMIT?" in str(info.value)


# -- SERVICE stays out -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, targets", [
    ("SELECT * { SERVICE <http://a.org/s> { ?s ?p ?o } }", ["<http://a.org/s>"]),
    ("select * { service silent ?where { ?s ?p ?o } }", ["?where"]),
    ("SELECT * { SERVICE<http://a.org/s>{ ?s ?p ?o } SERVICE x:e { } }", ["<http://a.org/s>", "x:e"]),
    ("SELECT * { \\u0053ERVICE <http://a.org/s> { } }", ["<http://a.org/s>"]),  # a codepoint escape
    ('SELECT * { ?s ?p "SERVICE <http://a.org/s> {}" }', []),
    ('SELECT * { ?s ?p """\nSERVICE <http://a.org/s> {}""" }', []),
    ("SELECT * { ?s ?p ?o } # SERVICE <http://a.org/s> { }", []),
    ("SELECT * { ?s <http://a.org/SERVICE> ?service . ?s ?p 'x'@service . ?s ?p service:x }", []),
])
def test_service_targets(text, targets):
    assert service_targets(text) == targets


def test_allowed_service_is_not_called_while_checking(mini):
    """Oxigraph calls a SERVICE as soon as a query starts; check_query must not start one."""
    from reliability.network_fakes import RawServer, count_answer

    with RawServer(lambda *request: count_answer(1)) as server:
        text = f"SELECT * WHERE {{ SERVICE <{server.url}/q> {{ ?s ?p ?o }} }}"
        with pytest.raises(UsageError, match="would send a request to another server"):
            check_query(text)
        assert check_query(text, allow_service=True) == "SELECT"
        with pytest.raises(UsageError, match="would send a request to another server"):
            run_query(mini, text)
        assert server.requests == []


# -- huge answers --------------------------------------------------------------------------------------

def test_max_rows_cuts_rows_and_triples_and_says_so(mini):
    triples = _n(mini)
    rows = run_query(mini, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", max_rows=10)
    assert len(rows.rows) == 10 and rows.truncated
    exact = run_query(mini, "SELECT * WHERE { ?a ?b ?c }", max_rows=triples)
    assert len(exact.rows) == triples and not exact.truncated
    graph = run_query(mini, "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }", max_rows=5)
    assert len(graph.graph) <= 5 and graph.truncated


def test_max_rows_on_the_oxigraph_store(bundled_source):
    result = run_query(bundled_source, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", max_rows=1000)
    assert len(result.rows) == 1000 and result.truncated


def test_undeclared_prefix_is_named():
    with pytest.raises(UsageError, match="undeclared prefix"):
        check_query("SELECT ?x WHERE { ?x a nope:Thing }")


# -- parameters -----------------------------------------------------------------------------------------

def test_header_is_parsed():
    title, question, params, examples = parse_header(
        "# title: T\n# question: Q one\n# question: Q two\n# param: a actor europol The agency\n"
        "# param: d date - A day\n# example: thbkg query -n x\nSELECT * {}\n# param: late string x y")
    assert (title, question, examples) == ("T", "Q one Q two", ("thbkg query -n x",))
    assert [(p.name, p.type, p.default) for p in params] == [("a", "actor", "europol"), ("d", "date", None)]


def test_bad_param_header_is_a_usage_error():
    with pytest.raises(UsageError, match="bad '# param:' line"):
        parse_header("# param: a nosuchtype x\nSELECT * {}")


@pytest.mark.parametrize("value, type_, expected", [
    ("europol", "actor", URIRef(THBID + "actor/europol")),
    ("thbid:actor/frontex", "actor", URIRef(THBID + "actor/frontex")),
    ("<http://example.org/x>", "actor", URIRef("http://example.org/x")),
    ("western-balkans", "region", URIRef(THBID + "region/western-balkans")),
    ("membership", "link_type", URIRef(THBID + "link-type/membership")),
    ("rdfs:label", "iri", URIRef("http://www.w3.org/2000/01/rdf-schema#label")),
    ("2016", "date", Literal("2016-01-01", datatype=XSD.date)),
    ("2016-02", "date", Literal("2016-02-01", datatype=XSD.date)),
    ("2016-02-29", "date", Literal("2016-02-29", datatype=XSD.date)),
    ("-7", "integer", Literal(-7, datatype=XSD.integer)),
    ("x:y", "string", Literal("x:y")),
    ("<http://example.org/y>", None, URIRef("http://example.org/y")),
    ("thb:party", None, URIRef("https://w3id.org/thbkg/ontology#party")),
    ("plain text", None, Literal("plain text")),
])
def test_params_become_typed_terms(value, type_, expected):
    term = to_term(value, type_)
    assert term == expected and type(term) is type(expected)
    if isinstance(expected, Literal):
        assert term.datatype == expected.datatype


@pytest.mark.parametrize("value, type_, message", [
    ("twelve", "integer", "expected an integer"),
    ("europol", "iri", "expected an IRI"),
    ("<http://x/a b>", "iri", "not a valid absolute IRI"),
])
def test_bad_param_values_are_usage_errors(value, type_, message):
    with pytest.raises(UsageError, match=message):
        to_term(value, type_)


@pytest.mark.parametrize("value", ["today", " Today ", "TODAY"])
def test_date_param_today_is_the_current_day(value):
    import datetime as dt

    before = dt.date.today()
    term = to_term(value, "date", "date")
    assert term.datatype == XSD.date and str(term) in {before.isoformat(), dt.date.today().isoformat()}


@pytest.mark.parametrize("value", ["2016-13-01", "2015-02-29", "2016-1", "20160101", "2016/01/01", "yesterday", ""])
def test_bad_date_param_gives_the_one_date_message(value):
    with pytest.raises(UsageError) as info:
        to_term(value, "date", "since")
    assert str(info.value) == f"--param since '{value}' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or 'today')"


def test_unknown_and_missing_params(mini):
    text = "# param: who actor - Someone\nSELECT ?l WHERE { ?l thb:party ?who }"
    with pytest.raises(UsageError, match="missing --param who"):
        run_query(mini, text)
    with pytest.raises(UsageError, match="no parameter or variable \\?nobody"):
        run_query(mini, text, {"who": "xa", "nobody": "1"})
    rows = run_query(mini, text, {"who": "xa"}).rows
    assert {str(r[0]).rsplit("/", 1)[1] for r in rows} == {
        "xa-europol-op", "xa-frontex-wa", "xa-emn-mem", "xa-eurojust-coop", "xc-xa-lo"}


def test_values_go_into_the_where_group_not_the_template():
    text = "CONSTRUCT { ?a <http://x/p> ?b } # {fake}\nWHERE { ?a ?q ?b . FILTER(?b != \"}\") }"
    bound = bind(text, {"a": URIRef("http://x/a")})
    assert bound.startswith("CONSTRUCT { ?a <http://x/p> ?b } # {fake}\nWHERE { VALUES (?a) { (<http://x/a>) }")
    assert bound.count("\n") == text.count("\n")  # line numbers stay those of the user's text
    check_query(bound)
    sub = "SELECT ?n WHERE { { SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?p ?o } GROUP BY ?a } }"
    assert bind(sub, {"a": URIRef("http://x/a")}).startswith("SELECT ?n WHERE { VALUES (?a)")
    with pytest.raises(UsageError, match="no WHERE"):
        bind("DESCRIBE <http://x/a>", {"a": URIRef("http://x/a")})


def test_query_variables_ignores_strings_iris_and_comments():
    text = 'SELECT ?a WHERE { ?a <http://x/?no> "?nope" . # ?never\n $b ?c ?d }'
    assert query_variables(text) == {"a", "b", "c", "d"}


INJECTIONS = [
    'x"} ; DROP ALL #',
    "x'} ; DROP ALL #",
    'x""" } DROP ALL #',
    "x\n} ; CLEAR DEFAULT #",
    "x\\\" } ; DROP ALL #",
    "> } ; DROP ALL ; SELECT * { <x",
    "x\" . ?s ?p ?o } #\t\r\f\b",
    "é🙂\"\\\\",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_attempts_are_plain_values(mini, payload):
    before = _n(mini)
    # as an untyped parameter: the literal comes back unchanged, character for character
    echo = run_query(mini, "SELECT ?v WHERE { }", {"v": payload})
    assert echo.variables == ["v"] and echo.rows == [(Literal(payload),)]
    # as a string compared with data: zero rows, no error
    assert run_query(mini, "SELECT ?l WHERE { ?l rdfs:label ?v }", {"v": payload}).rows == []
    # as an actor id: a percent-encoded IRI that matches nothing
    text = "# param: who actor europol Someone\nSELECT ?l WHERE { ?l thb:party ?who }"
    assert run_query(mini, text, {"who": payload}).rows == []
    assert _n(mini) == before


def test_codepoint_escapes_are_refused_not_expanded():
    with pytest.raises(UsageError, match="cannot contain"):
        term_to_sparql(Literal("a\\u0022b"))


def test_unsafe_iri_is_refused():
    with pytest.raises(UsageError, match="cannot be used as an IRI"):
        term_to_sparql(URIRef("http://x/a> } DROP ALL #"))


# -- output formats -------------------------------------------------------------------------------------

SELECT_TITLES = PREFIXES + """PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?source ?title ?url WHERE { ?source dct:title ?title OPTIONAL { ?source <https://schema.org/url> ?url } }
ORDER BY ?source"""


@pytest.fixture(scope="module")
def titles(mini):
    return run_query(mini, SELECT_TITLES)


def test_select_rows_match_the_graph(mini, titles):
    expected = {(s, str(o)) for s, o in mini.subject_objects(URIRef("http://purl.org/dc/terms/title"))}
    assert {(r[0], str(r[1])) for r in titles.rows} == expected
    assert len(titles.rows) == 2 and titles.rows[1][2] is None  # unbound stays None


def test_json_follows_sparql_results_json(titles):
    doc = json.loads(format_result(titles, "json"))
    assert doc["head"]["vars"] == ["source", "title", "url"]
    bindings = doc["results"]["bindings"]
    assert len(bindings) == 2
    assert bindings[0]["source"] == {"type": "uri", "value": str(titles.rows[0][0])}
    assert bindings[0]["title"] == {"type": "literal", "value": str(titles.rows[0][1])}
    assert "url" not in bindings[1]  # unbound variables are left out


def test_csv_follows_sparql_results_csv_with_pasteable_iris(titles):
    text = format_result(titles, "csv")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["source", "title", "url"]
    # IRIs as they paste into a query: a prefixed name with a plain local name, else <IRI>
    assert [row[0] for row in rows[1:]] == ["thbs:test-a", "thbs:test-b"]
    assert rows[1][2] == "<https://example.org/a>"
    assert [row[1] for row in rows[1:]] == [str(row[1]) for row in titles.rows]
    assert '"quotes"' in rows[2][1]  # RFC 4180 quoting round-trips the embedded quotes


def test_tsv_follows_sparql_results_tsv(titles):
    lines = format_result(titles, "tsv").splitlines()
    assert lines[0].split("\t") == ["?source", "?title", "?url"]
    first = lines[1].split("\t")
    assert first[0] == f"<{titles.rows[0][0]}>" and first[1] == '"Fictional test source A"'
    second = lines[2].split("\t")
    assert second[1] == '"' + str(titles.rows[1][1]).replace('"', '\\"') + '"' and second[2] == ""


def test_tsv_writes_numbers_bare_and_typed_literals_with_datatype(mini):
    result = run_query(mini, "SELECT ?n ?d WHERE { BIND(42 AS ?n) BIND(\"2013-01-01\"^^xsd:date AS ?d) }")
    line = format_result(result, "tsv").splitlines()[1]
    assert line == '42\t"2013-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'


def test_table_shortens_iris_and_cuts_long_cells(titles):
    text = format_result(titles, "table")
    assert "thbs:test-a" in text and "https://w3id.org" not in text
    assert "…" in text and "Note: values longer than" in text
    assert text.splitlines()[-3].startswith("thbs:test-b")
    assert "(2 rows)" in text


def test_markdown_table(mini, titles):
    # written by hand from mini.ttl: IRIs as prefixed names (or <…>) in code spans, unbound cells empty
    assert format_result(titles, "md") == (
        "| source | title | url |\n"
        "|---|---|---|\n"
        "| `thbs:test-a` | Fictional test source A | `<https://example.org/a>` |\n"
        '| `thbs:test-b` | Fictional test source B, with "quotes", commas and a very long title that '
        "a table must cut |  |\n")
    # a label that would be live HTML, a new column and emphasis: entities and backslash escapes
    label = run_query(mini, "SELECT ?s ?label WHERE { BIND(<https://w3id.org/thbkg/id/actor/europol> AS ?s) }",
                      {"label": "<img src=x onerror=alert(1)> | *x*"})
    assert format_result(label, "md") == (
        "| s | label |\n"
        "|---|---|\n"
        "| `thba:europol` | &lt;img src=x onerror=alert(1)&gt; \\| \\*x\\* |\n")


def test_ask_in_every_format(mini):
    yes = run_query(mini, "ASK { ?l thb:party ?a }", {"a": "thbid:actor/europol"})
    no = run_query(mini, "ASK { ?l thb:party ?a }", {"a": "thbid:actor/nobody"})
    assert (yes.boolean, no.boolean) == (True, False)
    assert json.loads(format_result(yes, "json")) == {"head": {}, "boolean": True}
    assert format_result(no, "table") == "no\n"
    assert list(csv.reader(io.StringIO(format_result(yes, "csv")))) == [["boolean"], ["true"]]


CONSTRUCT = PREFIXES + "CONSTRUCT { ?l thb:party ?a ; rdfs:label ?label } WHERE { ?l thb:party ?a OPTIONAL { ?l rdfs:label ?label } }"


@pytest.mark.parametrize("fmt, parser", [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_construct_output_parses_back(mini, fmt, parser):
    result = run_query(mini, CONSTRUCT, {"a": "thbid:actor/europol"})
    expected = Graph()
    for link in mini.subjects(URIRef("https://w3id.org/thbkg/ontology#party"), THBID["actor/europol"]):
        expected.add((link, URIRef("https://w3id.org/thbkg/ontology#party"), THBID["actor/europol"]))
        for label in mini.objects(link, URIRef("http://www.w3.org/2000/01/rdf-schema#label")):
            expected.add((link, URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                          Literal(str(label), lang=label.language)))
    parsed = Graph().parse(data=format_result(result, fmt), format=parser)
    assert len(parsed) == len(expected) == 3
    assert isomorphic(parsed, expected)


def test_construct_as_rows_and_select_refuses_rdf_formats(mini, titles):
    result = run_query(mini, CONSTRUCT, {"a": "thbid:actor/europol"})
    doc = json.loads(format_result(result, "json"))
    assert doc["head"]["vars"] == ["subject", "predicate", "object"] and len(doc["results"]["bindings"]) == 3
    with pytest.raises(UsageError, match="CONSTRUCT and DESCRIBE"):
        format_result(titles, "turtle")


def test_short_iri_uses_the_longest_namespace_with_a_plain_local_name():
    assert short_iri("https://w3id.org/thbkg/ontology#party") == "thb:party"
    assert short_iri("https://w3id.org/thbkg/id/link/x") == "thbl:x"
    assert short_iri("https://w3id.org/thbkg/id/region/sahel") == "thbr:sahel"
    assert short_iri("https://w3id.org/thbkg/id/link-type/membership") == "thblt:membership"
    assert short_iri("http://www.wikidata.org/entity/Q403") == "wd:Q403"
    # a local name SPARQL would need escapes for: the whole IRI
    assert short_iri("https://w3id.org/thbkg/id/region-member/sahel/ml") == (
        "<https://w3id.org/thbkg/id/region-member/sahel/ml>")
    assert short_iri("https://w3id.org/thbkg/id/actor/x.") == "<https://w3id.org/thbkg/id/actor/x.>"
