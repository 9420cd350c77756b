"""``thbkg report`` and ``thbkg export`` through click, on the bundled graph (plus a hostile data folder)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from thbkg.cli.main import cli
from thbkg.graph.outputs.report import SECTIONS

HOSTILE_DATA = "tests/fixtures/report_data"
#: the bundled tables, read here with the csv module for expected values
DATA = Path(__file__).resolve().parents[2] / "data"


def _run(runner, args):
    result = runner.invoke(cli, args, catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def product(tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("product")
    result = CliRunner().invoke(cli, ["report", "-o", f"{out}/", "--generated", "2026-01-01", "--data",
                                      str(_fixture_dir()), "--top", "200"], catch_exceptions=False)
    return out, result


def _fixture_dir():
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "fixtures" / "report_data"


def _csv_rows(folder, table):
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _map_payload(path):
    """The data document the map page carries (see thbkg.graph.outputs.maps.render)."""
    page = path.read_text(encoding="utf-8")
    return json.loads(page.split('<script type="application/json" id="thbkg-data">', 1)[1].split("</script>", 1)[0])


def test_product_run_writes_report_and_tables(product):
    out, result = product
    assert result.exit_code == 0, result.output
    printed = result.output.split()
    for name in ("report.html", "map.html", "centrality.csv", "centrality.json"):
        assert str(out / name) in printed and (out / name).stat().st_size > 0, name
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'href="map.html"' in page and "<strong>Map:</strong>" not in page
    # the map is a real map of this graph: one node per actor and one record per link, counted
    # here from the CSV tables (bundled data plus the fixture folder)
    actors = {row["id"] for folder in (DATA, _fixture_dir()) for row in _csv_rows(folder, "actors")}
    links = {row["id"] for folder in (DATA, _fixture_dir()) for row in _csv_rows(folder, "links")}
    payload = _map_payload(out / "map.html")
    assert len(payload["nodes"]) == len(actors)
    assert {link["id"] for link in payload["links"]} == links
    data = json.loads((out / "centrality.json").read_text(encoding="utf-8"))
    frameworks = {row["id"] for folder in (DATA, _fixture_dir()) for row in _csv_rows(folder, "actors")
                  if row["type"] in FRAMEWORK_TYPES}
    assert {a["id"] for a in data["actors"]} == actors - frameworks  # frameworks are not actors to rank


def test_product_report_escapes_hostile_data(product):
    out, _ = product
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<img src=x onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b onmouseover" not in page and "&lt;b onmouseover=alert(3)&gt;" in page
    # the source URL is a link, with its quote characters escaped inside the attribute
    assert 'href="https://example.org/?a=1&amp;b=&#x27;onmouseover=alert(4)&#x27;"' in page
    assert not re.search(r"<script|<link|@import|url\(", page, flags=re.IGNORECASE)


def _report_process(args, hash_seed):
    """Run thbkg in a new Python process with the given PYTHONHASHSEED; return its stdout."""
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    done = subprocess.run([sys.executable, "-c", "from thbkg.cli.main import cli; cli()", *args], env=env,
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_markdown_to_stdout_is_deterministic():
    """Two processes with different hash seeds (set iteration order differs) write the same bytes."""
    args = ["report", "-o", "-", "--format", "md", "--generated", "2026-01-01", "--snapshot", "2015",
            "--snapshot", "today", "--type", "operational_agreement", "--type", "working_arrangement"]
    first, second = _report_process(args, 1), _report_process(args, 2)
    assert first == second
    assert "Filters: type=operational\\_agreement,working\\_arrangement" in first
    assert re.findall(r"^## (.*)$", first, flags=re.MULTILINE) == list(SECTIONS)


def test_html_report_is_the_same_in_two_processes():
    args = ["report", "-o", "-", "--generated", "2026-01-01", "--seed", "5"]
    assert _report_process(args, 3) == _report_process(args, 4)


def test_bad_snapshot_date_is_one_line_and_exit_2(runner):
    result = runner.invoke(cli, ["report", "--snapshot", "2019-13"])
    assert result.exit_code == 2
    assert "'2019-13' is not a date" in result.output
    assert "Traceback" not in result.output


def test_unknown_excluded_actor_is_a_clear_error(runner):
    result = runner.invoke(cli, ["report", "--exclude", "atlantis", "-o", "-"])
    assert result.exit_code == 2 and "atlantis" in result.output and "Traceback" not in result.output


FRAMEWORK_TYPES = {"regional_process", "network", "platform", "programme", "treaty"}  # docs/design.md


def _actor_pairs(links, frameworks) -> set:
    """Pairs of the actor graph: ties in force (status active or empty) between two actors, and every pair of
    actors tied in force to the same framework."""
    ties = [r for r in links if r["status"] in ("active", "")]
    pairs = {frozenset((r["subject"], r["object"])) for r in ties if not {r["subject"], r["object"]} & frameworks}
    members: dict = {}
    for r in ties:
        for framework, member in ((r["object"], r["subject"]), (r["subject"], r["object"])):
            if framework in frameworks and member not in frameworks:
                members.setdefault(framework, set()).add(member)
    return pairs | {frozenset((a, b)) for group in members.values() for a in group for b in group if a < b}


@pytest.mark.parametrize("level", ["pairs", "links"])
@pytest.mark.parametrize("fmt,reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_export_reads_back(runner, tmp_path, fmt, reader, level):
    """networkx reads the file back; its actors and edges are counted independently from data/*.csv."""
    target = tmp_path / f"net.{fmt}"
    result = _run(runner, ["export", "--format", fmt, "--edges", level, "-o", str(target)])
    assert result.exit_code == 0, result.output
    g = reader(str(target))
    actors = {row["id"] for row in _csv_rows(DATA, "actors")}
    links = _csv_rows(DATA, "links")
    if level == "pairs":  # the actor graph, by the rule of docs/design.md, from the CSV tables
        frameworks = {row["id"] for row in _csv_rows(DATA, "actors") if row["type"] in FRAMEWORK_TYPES}
        assert set(g.nodes) == actors - frameworks
        assert {frozenset(edge) for edge in g.edges()} == _actor_pairs(links, frameworks)
    else:  # one directed edge per link record, subject -> object
        assert set(g.nodes) == actors
        assert g.is_directed()
        assert sorted((u, v) for u, v in g.edges()) == sorted((r["subject"], r["object"]) for r in links)


def test_export_json_to_stdout_and_suffix_inference(runner, tmp_path):
    result = _run(runner, ["export", "--format", "cytoscape", "--edges", "links", "-o", "-"])
    doc = json.loads(result.output)
    assert doc["elements"]["edges"] and all(e["data"]["id"].startswith("link:") for e in doc["elements"]["edges"])
    result = _run(runner, ["export", "-o", str(tmp_path / "net.gexf")])
    assert result.exit_code == 0 and (tmp_path / "net.gexf").exists()
    result = runner.invoke(cli, ["export", "-o", str(tmp_path / "net.xyz")])
    assert result.exit_code == 2 and "--format" in result.output


@pytest.mark.parametrize("name", ["r.pdf", "report", "r.txt"])
def test_report_refuses_a_suffix_it_cannot_write(runner, mini_store, tmp_path, name):
    target = tmp_path / name
    result = runner.invoke(cli, ["report", "-o", str(target), "--store", str(mini_store)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"cannot tell the report format of '{target}'" in result.output
    for choice in (".html", ".md", ".json", ".csv", "a folder ending in '/'", "--format"):
        assert choice in result.output
    assert not target.exists()


def test_report_writes_any_name_when_the_format_is_given(runner, mini_store, tmp_path):
    target = tmp_path / "r.pdf"
    result = runner.invoke(cli, ["report", "-o", str(target), "--format", "md", "--store", str(mini_store),
                                 "--generated", "2026-01-01"])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# ") and "## Top actors" in text and "<html" not in text.lower()


def test_report_and_centrality_sample_betweenness_by_the_same_rule(runner, mini_store, mini_network, tmp_path,
                                                                    monkeypatch):
    """Both commands take the default k from centrality.default_k; shrink its limits so the 10-actor
    mini graph is sampled, and the report's centrality.csv must equal 'thbkg centrality'."""
    import csv

    from thbkg.graph.analytics import centrality as C

    monkeypatch.setattr(C, "EXACT_BETWEENNESS_LIMIT", 5)
    monkeypatch.setattr(C, "DEFAULT_SAMPLE_K", 3)
    out = tmp_path / "out"
    made = runner.invoke(cli, ["report", "-o", f"{out}/", "--no-map", "--seed", "3", "--store", str(mini_store),
                               "--generated", "2026-01-01"])
    assert made.exit_code == 0, made.output
    params = json.loads((out / "centrality.json").read_text(encoding="utf-8"))["params"]
    assert params["k"] == 3 and params["betweenness"].startswith("sampled from k=3")
    from_report = {row["id"]: float(row["betweenness"])
                   for row in csv.DictReader(io.StringIO((out / "centrality.csv").read_text(encoding="utf-8")))}

    ranked = runner.invoke(cli, ["centrality", "--metric", "betweenness", "--top", "0", "--seed", "3",
                                 "--format", "json", "--store", str(mini_store)])
    assert ranked.exit_code == 0, ranked.output
    payload = json.loads(ranked.output)
    assert payload["parameters"]["k"] == 3 and payload["parameters"]["betweenness"] == "sampled"
    from_centrality = {row["actor"]: row["betweenness"] for row in payload["rows"]}
    assert from_report.keys() == from_centrality.keys() and len(from_report) == 8  # proc1, tr1: frameworks
    for actor, value in from_centrality.items():
        assert from_report[actor] == pytest.approx(value, abs=1e-9), actor
    # and the sample really is a sample: it differs from exact betweenness somewhere
    exact = nx.betweenness_centrality(mini_network.cooperation_graph(), normalized=True)
    assert any(abs(exact[a] - v) > 1e-6 for a, v in from_centrality.items())
