"""thbkg centrality / path / whatif through the real CLI group on a persistent Oxigraph store
holding the fictional mini graph (tests/fixtures/analytics/mini.ttl)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from thbkg.cli.main import cli


@pytest.fixture()
def run(runner, mini_store):
    def invoke(*args):
        result = runner.invoke(cli, [*args, "--store", str(mini_store)])
        assert "Traceback" not in (result.output or "")
        return result
    return invoke


def test_centrality_json_agrees_with_igraph(run, mini_network):
    """Exact betweenness and PageRank from the CLI's JSON, against igraph on the same graph (an independent
    implementation), plus the parameters echoed and the ranks."""
    import pytest
    from igraph_reference import to_igraph

    result = run("centrality", "--format", "json", "--metric", "betweenness", "--metric", "pagerank",
                 "--seed", "9", "--top", "0")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    params = payload["parameters"]
    assert params["metrics"] == ["betweenness", "pagerank"] and params["seed"] == 9
    # the actor graph of make_mini.py: 8 actors (proc1 and tr1 are frameworks), 13 ties (test_projections)
    assert params["betweenness"] == "exact" and params["actors"] == 8 and params["ties"] == 13
    g, nodes = to_igraph(mini_network.cooperation_graph())
    n = len(nodes)
    ours = {r["actor"]: r for r in payload["rows"]}
    for node, b, pr in zip(nodes, g.betweenness(directed=False),
                           g.pagerank(damping=0.85, weights="weight", directed=False), strict=True):
        assert ours[node]["betweenness"] == pytest.approx(b * 2 / ((n - 1) * (n - 2)), abs=1e-9)
        assert ours[node]["pagerank"] == pytest.approx(pr, abs=1e-6)
    ranks = [r["rank"] for r in payload["rows"]]
    assert ranks == sorted(ranks) and len(ranks) == 8


def test_sampled_betweenness_is_seeded(run):
    args = ("centrality", "--format", "json", "--metric", "betweenness", "--k", "4", "--seed", "9", "--top", "0")
    first, second = json.loads(run(*args).output), json.loads(run(*args).output)
    assert first["parameters"]["betweenness"] == "sampled" and first["parameters"]["k"] == 4
    assert first == second


def test_centrality_table_header_echoes_parameters(run):
    result = run("centrality", "--top", "3", "--type", "treaty_party", "--seed", "5")
    assert result.exit_code == 0, result.output
    head = result.output.splitlines()
    # tr1's three parties ca, cc, ce: three actors tied through the treaty, 1/2 per pair (Newman)
    assert "filters: type=treaty_party" in head[0] and "3 actors, 3 ties" in head[0]
    assert head[1].startswith("actor graph: frameworks tie the actors that share them (not nodes)")
    assert "ranked by weighted_degree" in head[2] and "top 3" in head[2] and "seed 5" in head[2]
    assert any(line.startswith("betweenness:") and "[exact]" in line for line in head)
    rows = [line.split() for line in head if line.strip().startswith("1 ")]
    assert [r[:2] for r in rows] == [["1", "ca"], ["1", "cc"], ["1", "ce"]] and rows[0][-4] == "1"


def test_centrality_csv_and_md(run, tmp_path):
    out = tmp_path / "ranks.csv"
    result = run("centrality", "--format", "csv", "--metric", "kcore", "--metric", "reach", "-o", str(out))
    assert result.exit_code == 0 and result.output == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["rank", "actor", "label", "type", "kcore", "reach"]
    # ca, cb, ce, io1 share proc1 (a 3-core); ca reaches all 7 others in 2 steps (ag2 via ag1, cd via cc)
    assert rows[0]["actor"] == "ca" and float(rows[0]["kcore"]) == 3 and float(rows[0]["reach"]) == 1.0
    md = run("centrality", "--format", "md", "--metric", "constraint", "--top", "2").output
    assert "| rank | actor | label | type | constraint |" in md and "(ascending)" in md


@pytest.mark.parametrize("args, message, code", [
    (("centrality", "--exclude", "nobody"), "unknown actor(s) in --exclude: nobody", 2),
    (("centrality", "--as-of", "2015-31-12"),
     "--as-of '2015-31-12' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or 'today')", 2),
    (("centrality", "--min-confidence", "hihg"), "unknown confidence 'hihg' (did you mean high?)", 2),
    (("centrality", "--min-confidence", "sure"), "unknown confidence 'sure' (use high, medium or low)", 2),
    (("centrality", "--type", "part_of"), "empty after filtering", 2),
    (("centrality", "--backend", "gpu-magic"), "not installed", 2),
    (("path", "cd", "atlantis"), "unknown actor 'atlantis'", 2),
    (("path", "cd", "cb", "--exclude", "ag2", "--exclude", "tr1"), "no cooperation path", 1),
    (("whatif", "--remove", "nobody"), "unknown actor 'nobody'", 2),
    (("whatif", "--remove", "ag1", "--anchor-type", "eu_agncy"),
     "unknown actor type 'eu_agncy' in --anchor-type (did you mean eu_agency?)", 2),
])
def test_bad_input_is_one_clear_line(run, args, message, code):
    result = run(*args)
    assert result.exit_code == code
    assert message in result.output
    assert len([l for l in result.output.splitlines() if l.startswith("Error:")]) == 1


def test_path_formats(run):
    # by hand from make_mini.py, actor view: frameworks proc1 and tr1 are not nodes, actors sharing one are tied;
    # only ties in force (l02 cb-ag1 ended, l12 cd-ag2 under negotiation)
    text = run("path", "cd", "cb").output
    assert "Path 1: Country D (cd) -> Country C (cc) -> Country A (ca) -> Country B (cb)" in text
    assert "  cd - cc: direct link" in text and "  cc - ca: shared framework: Treaty One" in text
    assert "    liaison_officer [l04] cd -> cc, 2016 to open, active, confidence high" in text
    assert "      sources: s3: ungraded" in text  # the mini graph's sources have no kind
    payload = json.loads(run("path", "cd", "cb", "--all", "--format", "json").output)
    assert [p["actors"] for p in payload["paths"]] == [["cd", "cc", "ca", "cb"], ["cd", "cc", "ce", "cb"]]
    rows = list(csv.DictReader(io.StringIO(run("path", "cd", "ce", "--all", "--format", "csv").output)))
    assert [(r["via"], r["framework"], r["link"]) for r in rows] == [
        ("direct link", "", "l04"), ("shared framework", "tr1", "l10"), ("shared framework", "tr1", "l11")]
    assert "**Path 2:**" in run("path", "cd", "cb", "--all", "--format", "md").output
    as_nodes = json.loads(run("path", "cd", "ce", "--frameworks", "as-nodes", "--format", "json").output)
    assert as_nodes["paths"][0]["actors"] == ["cd", "cc", "tr1", "ce"]


def test_whatif_formats(run):
    text = run("whatif", "--remove", "ag2", "--remove", "tr1").output
    assert "Cut off from anchors, by priority region" in text
    # without ag2 and the treaty tr1, cc (and cd) keep no tie to the agencies: cc's ties were ag2, cd and,
    # through tr1, ca and ce
    assert "east    cc     Country C  ag1" in text
    payload = json.loads(run("whatif", "--remove", "ag2,tr1", "--format", "json").output)
    assert payload["parameters"]["removed"] == ["ag2", "tr1"]
    assert (payload["components_before"], payload["components_after"]) == (1, 2)
    rows = list(csv.DictReader(io.StringIO(run("whatif", "--remove", "ag2,tr1", "--format", "csv").output)))
    assert {r["section"] for r in rows} == {"summary", "cut_off", "left_largest_component", "rank"}
    assert "## Rank shifts by betweenness" in run("whatif", "--remove", "ag2", "--format", "md").output


def test_cli_module_imports_only_light_modules():
    import subprocess
    import sys

    code = ("import sys, thbkg.cli.analytics_cmds; "
            "print(sorted(m for m in ('rdflib', 'networkx', 'pyvis', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# the forms --snapshot and --param date=… take (docs/cli.md), with the one message for anything else
@pytest.mark.parametrize("value", ["2019-02-29", "2019-13", "20190101", "2019-1-5", "2019-06-31T00:00", "now"])
def test_as_of_refuses_what_every_date_option_refuses(run, value):
    result = run("centrality", "--as-of", value)
    assert result.exit_code == 2
    assert result.output == f"Error: --as-of '{value}' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or 'today')\n"


def test_as_of_today_is_the_current_date(run):
    import datetime as dt

    def ranks(value):
        result = run("centrality", "--as-of", value, "--format", "csv", "--top", "0")
        assert result.exit_code == 0, result.output
        return result.output

    before = dt.date.today()
    today = ranks("today")
    assert today in {ranks(before.isoformat()), ranks(dt.date.today().isoformat())}
    assert ranks("Today") == today
    # and not any date: the mini graph's links in force in 2011 are not those of today
    assert ranks("2011") != today
