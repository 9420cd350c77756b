"""Every named query: well-formed header, same answer on every store, and answers checked against the CSV tables.

The four paths: the default embedded Oxigraph store, rdflib's Memory store (``--store memory``), a
persistent Oxigraph store on disk (``--store DIR``) and a real Oxigraph server read through rdflib's
SPARQLStore (``--endpoint``) after a ``push``.
"""

from __future__ import annotations

import csv
import shlex
from collections import Counter

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from thbkg.graph.rdf.tables import bundled_data_dir
from thbkg.graph.store.catalogue import PARAM_TYPES, list_named_queries, named_query
from thbkg.graph.store.query import check_query, run_query
from thbkg.graph.store.source import GraphSource

QUERIES = list_named_queries()
NAMES = [q.name for q in QUERIES]


def test_the_library_has_at_least_15_queries():
    assert len(QUERIES) >= 15
    assert len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_header_is_complete(name):
    query = named_query(name)
    assert query.title and "?" in query.question
    assert query.examples, "every query shows an example"
    for param in query.params:
        assert param.type in PARAM_TYPES and param.description
        assert f"?{param.name}" in query.text, f"parameter {param.name} is not used"
    declared = {p.name for p in query.params}
    for example in query.examples:
        words = shlex.split(example)
        assert words[:4] == ["thbkg", "query", "-n", name]
        given = [words[i + 1].split("=", 1)[0] for i, w in enumerate(words) if w == "--param"]
        assert set(given) <= declared
    assert check_query(query.text) in ("SELECT", "CONSTRUCT")


# -- the four paths ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sources(tmp_path_factory, bundled_source, oxigraph_server):
    from thbkg.graph.store.push import push_graph
    from thbkg.graph.store.source import GraphSource, built_ntriples, write_store

    data = built_ntriples()
    store_dir = tmp_path_factory.mktemp("named") / "store"
    write_store(store_dir, ntriples=data)
    report = push_graph(oxigraph_server.base, data, replace=True)
    assert oxigraph_server.count() == report["triples"]
    return {
        "embedded": bundled_source,
        "memory": GraphSource(store="memory"),
        "persistent": GraphSource(store=str(store_dir)),
        "endpoint": GraphSource(endpoint=oxigraph_server.query_url),
    }


def _norm(term):
    """A comparable form: xsd:string literals as plain, GROUP_CONCAT cells (order unspecified) sorted."""
    if term is None:
        return None
    if isinstance(term, Literal):
        text = str(term)
        if "; " in text:
            text = "; ".join(sorted(text.split("; ")))
        datatype = None if term.datatype in (None, XSD.string) else str(term.datatype)
        return ("literal", text, datatype, term.language)
    return (type(term).__name__, str(term))


def _answer(result):
    variables, rows = result.table()
    return variables, sorted((tuple(_norm(t) for t in row) for row in rows), key=repr)


@pytest.fixture(scope="module")
def answers(sources):
    out = {}
    for query in QUERIES:
        out[query.name] = {kind: _answer(run_query(src, query.text, {}, declared=query.params))
                           for kind, src in sources.items()}
    return out


@pytest.mark.server
@pytest.mark.parametrize("name", NAMES)
def test_every_path_gives_the_same_rows(answers, name):
    got = answers[name]
    variables, rows = got["embedded"]
    assert rows, f"{name} finds nothing in the bundled data with its default parameters"
    for kind in ("memory", "persistent", "endpoint"):
        assert got[kind][0] == variables, kind
        assert got[kind][1] == rows, f"{name}: {kind} differs from the embedded store"


# -- answers checked against the tables ----------------------------------------------------------------

def _table(name):
    with open(bundled_data_dir() / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


LINKS = _table("links.csv")


def _ids(result, var="link"):
    i = result.variables.index(var)
    return sorted(str(row[i]).rsplit("/", 1)[1] for row in result.rows)


def test_agency_partners_are_the_links_of_the_agency(bundled_source):
    for agency in ("europol", "frontex"):
        result = run_query(bundled_source, named_query("agency_partners").text, {"agency": agency})
        expected = sorted(r["id"] for r in LINKS if agency in (r["subject"], r["object"]))
        assert _ids(result) == expected
        partner = result.variables.index("partner")
        others = {r["object"] if r["subject"] == agency else r["subject"]
                  for r in LINKS if agency in (r["subject"], r["object"])}
        assert {str(row[partner]).rsplit("/", 1)[1] for row in result.rows} == others


def test_country_ties(bundled_source):
    result = run_query(bundled_source, named_query("country_ties").text, {"country": "ma"})
    assert _ids(result) == sorted(r["id"] for r in LINKS if "ma" in (r["subject"], r["object"]))
    start = result.variables.index("start")
    dated = [str(row[start]) for row in result.rows if row[start] is not None]
    assert dated == sorted(dated, key=lambda d: (d + "-01-01")[:10])  # oldest first


@pytest.mark.parametrize("name, keep", [
    ("links_under_negotiation", lambda r: r["status"] in ("under_negotiation", "initialled", "signed")),
    ("low_confidence_links", lambda r: r["confidence"] == "low"),
    ("liaison_officers", lambda r: r["type"] == "liaison_officer"),
    ("uncertain_dates", lambda r: r["date_confidence"] == "low"),
    ("ended_or_suspended_links", lambda r: r["status"] in ("ended", "suspended")),
    ("network_members", lambda r: r["object"] == "emn" and r["type"] in ("membership", "observer")),
])
def test_link_lists_match_the_table(bundled_source, name, keep):
    result = run_query(bundled_source, named_query(name).text, {})
    assert _ids(result) == sorted(r["id"] for r in LINKS if keep(r))


def test_links_started_between(bundled_source):
    result = run_query(bundled_source, named_query("links_started_between").text,
                       {"from": "2016", "to": "2018-12-31"})
    expected = sorted(r["id"] for r in LINKS if r["start"] and "2016" <= r["start"][:4] <= "2018")
    assert _ids(result) == expected


def test_link_counts_add_up_to_the_table(bundled_source):
    result = run_query(bundled_source, named_query("link_counts_by_type_year").text, {})
    per_type = Counter()
    per_year = Counter()
    for link_type, year, n in result.rows:
        per_type[str(link_type)] += int(n)
        per_year[(str(link_type), int(year) if year is not None else None)] += int(n)
    assert per_type == Counter(r["type"] for r in LINKS)
    assert per_year == Counter((r["type"], int(r["start"][:4]) if r["start"] else None) for r in LINKS)


def test_actor_counts_by_type(bundled_source):
    result = run_query(bundled_source, named_query("actor_counts_by_type").text, {})
    got = {str(t): int(n) for t, n, _ in result.rows}
    assert got == dict(Counter(r["type"] for r in _table("actors.csv")))


def test_region_members(bundled_source):
    rows = _table("region_members.csv")
    for region in sorted({r["region"] for r in rows}):
        result = run_query(bundled_source, named_query("region_members").text, {"region": region})
        assert _ids(result, "actor") == sorted(r["actor"] for r in rows if r["region"] == region)


def test_gap_table_counts_missing_agreements(bundled_source):
    result = run_query(bundled_source, named_query("region_agreement_gaps").text, {"region": "western-balkans"})
    agreements = {"operational_agreement", "strategic_agreement", "working_arrangement", "status_agreement",
                  "cooperation_agreement"}
    members = {r["actor"] for r in _table("region_members.csv") if r["region"] == "western-balkans"}
    country = {r["id"] for r in _table("actors.csv") if r["type"] == "country"}
    assert set(_ids(result, "country")) == members & country
    v = result.variables
    for row in result.rows:
        cid = str(row[v.index("country")]).rsplit("/", 1)[1]
        held = {agency for agency in ("europol", "frontex", "eurojust")
                if any({r["subject"], r["object"]} == {cid, agency} and r["type"] in agreements
                       and r["status"] in ("active", "") for r in LINKS)}  # in force: active or no status
        assert int(row[v.index("missing")]) == 3 - len(held), cid
        for agency in ("europol", "frontex", "eurojust"):
            assert (row[v.index(agency)] is not None) == (agency in held), (cid, agency)


def test_tied_to_all_three(bundled_source):
    result = run_query(bundled_source, named_query("tied_to_all_three").text, {})
    country = {r["id"] for r in _table("actors.csv") if r["type"] == "country"}

    def tied(agency):  # ties in force only (status active or none): mandates, signed and ended ties do not count
        return {r["subject"] if r["object"] == agency else r["object"] for r in LINKS
                if agency in (r["subject"], r["object"]) and r["status"] in ("active", "")}

    assert set(_ids(result, "country")) == tied("europol") & tied("frontex") & tied("eurojust") & country
    since = result.variables.index("europolSince")
    for row in result.rows:  # dates keep the source's precision: YYYY stays YYYY
        if row[since] is not None:
            assert str(row[since]) in {r["start"] for r in LINKS if "europol" in (r["subject"], r["object"])}


# -- the direct pyoxigraph path gives the terms of the former oxrdflib path -------------------------------

@pytest.mark.parametrize("kind", ["embedded", "persistent"])
def test_direct_oxigraph_path_gives_the_oxrdflib_terms(sources, kind):
    """run_query on the Oxigraph stores skips oxrdflib; rows must be the very same terms, in order."""
    from thbkg.graph.store import query as q
    from thbkg.graph.store.binder import bind
    from thbkg.graph.store.catalogue import sorted_cells

    source = sources[kind]
    for query in QUERIES:
        fast = run_query(source, query.text, {}, declared=query.params)
        form = q.check_query(query.text)
        final = bind(query.text, q.resolve_params(query.text, query.params, {}))
        former = q._execute(q._graph_of(source, form), final, form)  # through oxrdflib's Graph.query
        q._sort_cells(former, sorted_cells(query.text))  # run_query sorts the declared cells on every path
        assert (fast.form, fast.variables, fast.boolean) == (former.form, former.variables, former.boolean)
        assert [[(type(t), t) for t in row] for row in fast.rows] == \
            [[(type(t), t) for t in row] for row in former.rows], query.name
        if former.graph is not None:
            assert set(fast.graph) == set(former.graph) and len(fast.graph) > 0, query.name


# -- the same answers on data the queries were not written for ---------------------------------------------

@pytest.fixture(scope="module")
def synthetic_answers(tmp_path_factory):
    """Every named query on a small synthetic dataset (no GRETA, no named agencies), on the embedded store and
    on rdflib's memory store: an engine's corner case (an empty grouped subquery) must not change the answer."""
    from click.testing import CliRunner

    from thbkg.cli.main import cli

    folder = tmp_path_factory.mktemp("synthetic") / "data"
    result = CliRunner().invoke(cli, ["synth", "--actors", "300", "--links", "1000", "--seed", "5", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    sources = {"embedded": GraphSource([str(folder)], include_bundled=False),
               "memory": GraphSource([str(folder)], include_bundled=False, store="memory")}
    return {query.name: {kind: _answer(run_query(src, query.text, {}, declared=query.params))
                         for kind, src in sources.items()} for query in QUERIES}


@pytest.mark.parametrize("name", NAMES)
def test_every_query_agrees_on_synthetic_data(synthetic_answers, name):
    got = synthetic_answers[name]
    assert got["memory"] == got["embedded"], f"{name}: rdflib's memory store differs from the embedded store"


def test_greta_rounds_is_empty_without_greta(synthetic_answers):
    """The synthetic data has no GRETA: no row, on either store (rdflib once gave one per labelled resource)."""
    assert synthetic_answers["greta_rounds"]["embedded"][1] == []
    assert synthetic_answers["greta_rounds"]["memory"][1] == []
