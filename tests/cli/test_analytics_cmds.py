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
    assert params["betweenness"] == "exact" and params["actors"] == 10 and params["ties"] == 15
    g, nodes = to_igraph(mini_network.cooperation_graph())
    n = len(nodes)
    ours = {r["actor"]: r for r in payload["rows"]}
    for node, b, pr in zip(nodes, g.betweenness(directed=False),
                           g.pagerank(damping=0.85, weights="weight", directed=False), strict=True):
        assert ours[node]["betweenness"] == pytest.approx(b * 2 / ((n - 1) * (n - 2)), abs=1e-9)
        assert ours[node]["pagerank"] == pytest.approx(pr, abs=1e-6)
    ranks = [r["rank"] for r in payload["rows"]]
    assert ranks == sorted(ranks) and len(ranks) == 10


def test_sampled_betweenness_is_seeded(run):
    args = ("centrality", "--format", "json", "--metric", "betweenness", "--k", "4", "--seed", "9", "--top", "0")
    first, second = json.loads(run(*args).output), json.loads(run(*args).output)
    assert first["parameters"]["betweenness"] == "sampled" and first["parameters"]["k"] == 4
    assert first == second


def test_centrality_table_header_echoes_parameters(run):
    result = run("centrality", "--top", "3", "--type", "treaty_party", "--seed", "5")
    assert result.exit_code == 0, result.output
    head = result.output.splitlines()
    assert "filters: type=treaty_party" in head[0] and "4 actors, 3 ties" in head[0]
    assert "ranked by degree" in head[1] and "top 3" in head[1] and "seed 5" in head[1]
    assert any(line.startswith("betweenness:") and "[exact]" in line for line in head)
    # tr1 has all three treaty parties; the three countries tie on rank 2
    rows = [line.split() for line in head if line.strip().startswith(("1 ", "2 "))]
    assert rows[0][:2] == ["1", "tr1"] and [r[0] for r in rows[1:]] == ["2", "2"]


def test_centrality_csv_and_md(run, tmp_path):
    out = tmp_path / "ranks.csv"
    result = run("centrality", "--format", "csv", "--metric", "kcore", "--metric", "reach", "-o", str(out))
    assert result.exit_code == 0 and result.output == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["rank", "actor", "label", "type", "kcore", "reach"]
    assert rows[0]["actor"] == "ag1" and float(rows[0]["reach"]) == 1.0   # ag1 reaches all 9 others in 2 steps
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
    text = run("path", "cd", "cb").output
    assert "Path 1: Country D (cd) -> Agency Two (ag2) -> Agency One (ag1) -> Country B (cb)" in text
    assert "strategic_agreement [l02] cb -> ag1, 2012-05 to 2018-06-30, ended" in text
    payload = json.loads(run("path", "cd", "ce", "--all", "--format", "json").output)
    assert [p["actors"] for p in payload["paths"]] == [["cd", "ag2", "ag1", "ce"], ["cd", "cc", "tr1", "ce"]]
    rows = list(csv.DictReader(io.StringIO(run("path", "cd", "ce", "--all", "--format", "csv").output)))
    assert [r["link"] for r in rows] == ["l12", "l15", "l13", "l04", "l10", "l11"]
    assert "**Path 2:**" in run("path", "cd", "ce", "--all", "--format", "md").output


def test_whatif_formats(run):
    text = run("whatif", "--remove", "ag2", "--remove", "tr1").output
    assert "Cut off from anchors, by priority region" in text
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
