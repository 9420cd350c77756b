"""thbkg.graph.outputs.analytic: the text the analytic commands write, through the Python API."""

from __future__ import annotations

import csv
import io
import json
import math

import networkx as nx
import pytest

from thbkg.graph.errors import UsageError
from thbkg.graph.outputs import analytic as R

HOSTILE = "<img src=x onerror=alert(1)> | *bold* _x_"


def _records():
    return [{"rank": 1, "actor": "b", "label": HOSTILE, "type": "country", "betweenness": 2 / 3,
             "constraint": float("nan")},
            {"rank": 2, "actor": "a", "label": "A" * 60, "type": None, "betweenness": 0.0, "constraint": 1.0}]


PARAMS = {"metrics": ["betweenness", "constraint"], "ranked_by": "betweenness", "order": "descending",
          "top": 0, "k": None, "betweenness": "exact", "seed": 1, "backend": "networkx", "filters": "none",
          "actors": 2, "ties": 1, "links": 1, "networkx": nx.__version__}


def test_cli_offers_exactly_the_library_formats():
    from thbkg.cli import analytics_cmds

    assert tuple(analytics_cmds.FORMATS) == R.FORMATS


def test_centrality_csv_keeps_full_precision_and_json_writes_nan_as_null():
    rows = list(csv.DictReader(io.StringIO(R.render_centrality(_records(), PARAMS, "csv"))))
    assert float(rows[0]["betweenness"]) == 2 / 3          # repr round-trips exactly
    assert rows[0]["label"] == HOSTILE and rows[1]["type"] == ""
    assert math.isnan(float(rows[0]["constraint"]))
    payload = json.loads(R.render_centrality(_records(), PARAMS, "json"))
    assert payload["rows"][0]["constraint"] is None and payload["parameters"] == PARAMS
    assert set(payload["metrics"]) == {"betweenness", "constraint"}


def test_centrality_markdown_escapes_data_and_table_shortens_labels():
    md = R.render_centrality(_records(), PARAMS, "md")
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt; \\| \\*bold\\* \\_x\\_" in md
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert all(line.count(" | ") == 5 for line in rows)   # the escaped '|' does not add a column
    text = R.render_centrality(_records(), PARAMS, "table")
    assert "A" * 47 + "…" in text and "A" * 48 not in text
    assert "betweenness: " in text and "[exact]" in text and "0.6667" in text


def test_unknown_format_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown format 'xml'"):
        R.render_centrality(_records(), PARAMS, "xml")


def test_rank_actors_follows_the_shared_sampling_rule(mini_network, monkeypatch):
    from thbkg.graph.analytics import centrality as C

    records, params = R.rank_actors(mini_network, ("betweenness",), top=0, seed=3)
    assert params["betweenness"] == "exact" and params["k"] is None and len(records) == 8  # no framework
    exact = nx.betweenness_centrality(mini_network.cooperation_graph())
    assert {r["actor"]: r["betweenness"] for r in records} == pytest.approx(exact)
    monkeypatch.setattr(C, "EXACT_BETWEENNESS_LIMIT", 5)
    monkeypatch.setattr(C, "DEFAULT_SAMPLE_K", 3)
    _, params = R.rank_actors(mini_network, ("betweenness",), top=0, seed=3)
    assert params["betweenness"] == "sampled" and params["k"] == 3


def test_path_csv_has_one_row_per_link_record(mini_network):
    from thbkg.graph.analytics.paths import shortest_paths

    paths = shortest_paths(mini_network, "cd", "ce", all_paths=True)
    rows = list(csv.DictReader(io.StringIO(R.render_path(paths, {"filters": "none"}, "csv"))))
    assert list(rows[0]) == list(R.PATH_COLUMNS)
    graph = mini_network.cooperation_graph()
    # a direct link is one row; a shared framework one row per link tying either actor to it (make_mini.py: two
    # members of a framework each have exactly one link to it)
    expected = sum(len(graph[u][v]["links"]) + 2 * len(graph[u][v]["frameworks"])
                   for p in paths for u, v in zip(p["actors"], p["actors"][1:], strict=False))
    assert len(rows) == expected
    assert {r["via"] for r in rows} == {"direct link", "shared framework"}
    with pytest.raises(UsageError):
        R.render_path([], {}, "table")


def test_whatif_renders_every_section(mini_network):
    from thbkg.graph.analytics.whatif import what_if

    result = what_if(mini_network, ["ag2", "tr1"])
    rows = list(csv.DictReader(io.StringIO(R.render_whatif(result, "csv", label=mini_network.label))))
    assert {r["section"] for r in rows} == {"summary", "cut_off", "left_largest_component", "rank"}
    left = [r for r in rows if r["section"] == "left_largest_component"]
    assert [r["label"] for r in left] == [mini_network.label(r["actor"]) for r in left]
    text = R.render_whatif(result, "table", label=mini_network.label)
    assert "remove Agency Two (ag2)" in text and "Rank shifts by betweenness" in text
    payload = json.loads(R.render_whatif(result, "json"))
    assert payload["parameters"]["removed"] == ["ag2", "tr1"]
    # by hand: without ag2 and the treaty tr1 (and the ties through it), cc and cd are left on their own
    assert payload["components_after"] == 2
