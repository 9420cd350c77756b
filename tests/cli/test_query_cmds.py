"""thbkg query / queries / push / synth through the command line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from thbkg.cli.main import cli
from thbkg.graph.store.catalogue import list_named_queries

CLI = [sys.executable, "-c", "from thbkg.cli.main import cli; cli()"]


def test_queries_lists_one_line_each(runner):
    result = runner.invoke(cli, ["queries"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    names = [q.name for q in list_named_queries()]
    assert [line.split()[0] for line in lines] == names
    assert len(names) == len(list((Path(__file__).parents[2] / "graph" / "store" / "queries").glob("*.rq")))
    doc = json.loads(runner.invoke(cli, ["queries", "--format", "json"]).output)
    assert [q["name"] for q in doc] == names and all(q["title"] and q["question"] for q in doc)


def test_queries_show(runner):
    result = runner.invoke(cli, ["queries", "show", "agency_partners"])
    assert result.exit_code == 0 and result.output.startswith("# title: Partners of an agency")
    result = runner.invoke(cli, ["queries", "show", "agency_partner"])
    assert result.exit_code == 2 and "Did you mean agency_partners" in result.output


def test_named_query_to_csv_file(runner, tmp_path):
    out = tmp_path / "partners.csv"
    result = runner.invoke(cli, ["query", "-n", "agency_partners", "--param", "agency=frontex",
                                 "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    with open(Path(__file__).parents[2] / "data" / "links.csv", encoding="utf-8", newline="") as fh:
        expected = {r["id"] for r in csv.DictReader(fh) if "frontex" in (r["subject"], r["object"])}
    assert {r["link"].removeprefix("thbl:") for r in rows} == expected


def test_query_text_file_and_stdin(runner, tmp_path):
    text = "SELECT ?label WHERE { ?a rdfs:label ?label } ORDER BY ?label"
    (tmp_path / "q.rq").write_text("# param: a actor - an actor\n" + text, encoding="utf-8")
    by_file = runner.invoke(cli, ["query", "-f", str(tmp_path / "q.rq"), "-p", "a=europol", "--format", "json"])
    assert by_file.exit_code == 0, by_file.output
    labels = [b["label"]["value"] for b in json.loads(by_file.output)["results"]["bindings"]]
    assert labels and all("Europol" in label for label in labels)
    by_stdin = runner.invoke(cli, ["query", "-f", "-", "-p", "a=thbid:actor/europol", "--format", "json"],
                             input=text)
    assert json.loads(by_stdin.output) == json.loads(by_file.output)


@pytest.mark.parametrize("args, message", [
    (["SELECT * WHERE { ?s ?p }"], "SPARQL syntax error at line 1, column 24"),
    (["INSERT DATA { <http://x/a> <http://x/p> <http://x/b> }"], "query is read-only"),
    (["DROP ALL"], "query is read-only: DROP"),
    (["-n", "agency_partners", "--param", "agency"], "write key=value"),
    (["-n", "framework_members_at", "--param", "date=yesterday"],
     "Error: --param date 'yesterday' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or 'today')\n"),
    (["-n", "nope"], "no named query 'nope'"),
    ([], "give exactly one query"),
    (["-n", "agency_partners", "SELECT * {}"], "give exactly one query"),
    (["-n", "agency_partners", "--format", "turtle"], "--format turtle is for CONSTRUCT"),
    (["SELECT * { SERVICE <http://127.0.0.1:9/q> { ?s ?p ?o } }"],
     ("Error: SERVICE <http://127.0.0.1:9/q> would send a request to another server; thbkg queries stay local "
     "(add --allow-service to allow it)")),
    (["SELEC * WHERE {}"], "unknown keyword 'SELEC': did you mean SELECT?"),
    (["SELECT * {}", "--max-rows", "-1"], "Invalid value for '--max-rows'"),
])
def test_usage_errors_exit_2_with_one_line(runner, args, message):
    result = runner.invoke(cli, ["query", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_the_format_choices_are_those_of_the_formatters():
    from thbkg.cli.query_cmds import QUERY_FORMATS
    from thbkg.graph.outputs.results import FORMATS

    assert QUERY_FORMATS == FORMATS == ("table", "csv", "tsv", "json", "md", "turtle", "nt", "jsonld")


# the forms --as-of and --snapshot take (docs/cli.md), with the one message for anything else
@pytest.mark.parametrize("value", ["2019-02-29", "2019-13", "20190101", "2019-1-5", "2019-06-31T00:00", "now"])
def test_date_parameters_refuse_what_every_date_option_refuses(runner, value):
    result = runner.invoke(cli, ["query", "-n", "framework_members_at", "--param", f"date={value}"])
    assert result.exit_code == 2
    assert result.output == f"Error: --param date '{value}' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or 'today')\n"


def test_date_parameters_take_today_and_partial_dates(runner):
    import datetime as dt

    def members(value):
        result = runner.invoke(cli, ["query", "-n", "framework_members_at", "--param", f"date={value}",
                                     "--format", "csv"])
        assert result.exit_code == 0, result.output
        return result.output

    before = dt.date.today()
    today = members("TODAY")
    assert today in {members(before.isoformat()), members(dt.date.today().isoformat())}
    # a month stands for its first day, a year for 1 January (the header of framework_members_at):
    # data/links.csv has Georgia an EMN observer from 2021-03-11 on
    march = members("2021-03")
    assert march == members("2021-03-01") and "thba:ge," not in march and "thba:de," in march
    assert "thba:ge," in members("2021-03-31")
    assert members(" 2021 ") == members("2021-01-01")


def test_unknown_actor_parameter_is_refused_with_a_suggestion(runner):
    result = runner.invoke(cli, ["query", "-n", "agency_partners", "--param", "agency=europl"])
    assert result.exit_code == 2
    assert "--param agency: unknown actor 'europl' (did you mean Europol (europol)?)" in result.output


def test_construct_gives_turtle_by_default(runner):
    result = runner.invoke(cli, ["query", "-n", "actor_links_graph", "--param", "actor=europol"])
    assert result.exit_code == 0
    graph = Graph().parse(data=result.output, format="turtle")
    assert len(graph) > 50


def test_injection_through_the_command_line(runner):
    before = runner.invoke(cli, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv"]).output
    payload = 'x"} ; DROP ALL #'
    echo = runner.invoke(cli, ["query", "SELECT ?v WHERE { }", "--param", f"v={payload}", "--format", "json"])
    assert echo.exit_code == 0
    assert json.loads(echo.output)["results"]["bindings"] == [{"v": {"type": "literal", "value": payload}}]
    # as an actor id the payload is just an id that does not exist: refused by name, never run as SPARQL
    none = runner.invoke(cli, ["query", "-n", "agency_partners", "--param", f"agency={payload}", "--format", "csv"])
    assert none.exit_code == 2 and "unknown actor" in none.output and "Traceback" not in none.output
    after = runner.invoke(cli, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv"]).output
    assert before == after


@pytest.mark.slow
def test_timeout_stops_a_runaway_query():
    # the query itself would take hours; the subprocess timeout is only a liveness guard
    result = subprocess.run(CLI + ["query", "--timeout", "1.5",
                                   "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert result.stderr == ("Error: query stopped after 1.5 s (--timeout); narrow it down (filters, LIMIT) "
                             "or allow more time\n")


@pytest.mark.server
def test_push_then_query_the_endpoint(runner, oxigraph_endpoint):
    pushed = runner.invoke(cli, ["push", "--endpoint", oxigraph_endpoint.base, "--replace"])
    assert pushed.exit_code == 0, pushed.output
    triples = int(pushed.output.split("Sent ", 1)[1].split()[0])
    assert triples == oxigraph_endpoint.count()
    again = runner.invoke(cli, ["push", "--endpoint", oxigraph_endpoint.base + "/store", "--replace"])
    assert again.exit_code == 0 and oxigraph_endpoint.count() == triples
    local = runner.invoke(cli, ["query", "-n", "liaison_officers", "--format", "csv"])
    remote = runner.invoke(cli, ["query", "-n", "liaison_officers", "--format", "csv",
                                 "--endpoint", oxigraph_endpoint.query_url])
    assert remote.exit_code == 0 and local.exit_code == 0
    assert len(local.output.splitlines()) > 10
    assert sorted(remote.output.splitlines()) == sorted(local.output.splitlines())


@pytest.mark.server
def test_push_checks_through_the_query_endpoint_given(runner, oxigraph_endpoint, good_dir, monkeypatch):
    monkeypatch.setenv("THBKG_NO_BUNDLED", "1")
    result = runner.invoke(cli, ["push", "--data", str(good_dir), "--endpoint", oxigraph_endpoint.store_url,
                                 "--graph", "https://w3id.org/thbkg/graph/t",
                                 "--query-endpoint", oxigraph_endpoint.query_url])
    assert result.exit_code == 0, result.output
    found = oxigraph_endpoint.count("https://w3id.org/thbkg/graph/t")
    assert result.output.strip().endswith(f"Checked through {oxigraph_endpoint.query_url}: graph "
                                          f"<https://w3id.org/thbkg/graph/t> holds {found} triples.")


def test_push_to_a_server_without_a_known_query_endpoint_says_it_did_not_check(runner, good_dir, monkeypatch):
    from reliability.network_fakes import RawServer, http_answer

    monkeypatch.setenv("THBKG_NO_BUNDLED", "1")
    with RawServer(lambda *request: http_answer("204 No Content")) as server:
        result = runner.invoke(cli, ["push", "--data", str(good_dir), "--endpoint", server.url + "/ds/data"])
        assert result.exit_code == 0, result.output
        assert result.output.strip().endswith(
            "Not checked: give the server's SPARQL query endpoint with --query-endpoint to check.")
        result = runner.invoke(cli, ["push", "--data", str(good_dir), "--endpoint", server.url, "--no-verify"])
        assert result.exit_code == 0 and result.output.strip().endswith("Not checked (--no-verify).")
        assert server.requests == [("POST", "/ds/data?default"), ("POST", "/store?default")]


def test_push_connection_refused(runner):
    from plugin_oxserver import free_port

    result = runner.invoke(cli, ["push", "--endpoint", f"http://127.0.0.1:{free_port()}", "--retries", "0"])
    assert result.exit_code == 1 and "connection refused" in result.output


def test_synth_writes_tables_usable_without_the_bundled_data(runner, tmp_path, monkeypatch):
    result = runner.invoke(cli, ["synth", "--actors", "60", "--links", "300", "--seed", "5", "-o", str(tmp_path)])
    assert result.exit_code == 0 and "300 links" in result.output
    monkeypatch.setenv("THBKG_NO_BUNDLED", "1")
    counted = runner.invoke(cli, ["query", "--data", str(tmp_path), "--format", "csv",
                                  "SELECT (COUNT(?l) AS ?n) WHERE { ?l a thb:CooperationLink }"])
    assert counted.exit_code == 0, counted.output
    assert counted.output.split() == ["n", "300"]
