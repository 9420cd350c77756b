"""``thbkg map --top``: a map of unconnected dots is written with a warning, never silently."""

from __future__ import annotations

import html

import networkx as nx
import pytest

from thbkg.cli.main import cli


def _top_by_pagerank(graph, n):
    """The n actors with the highest weighted PageRank (ties by id), computed here with NetworkX."""
    scores = nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-10, max_iter=1000)
    return sorted(graph, key=lambda a: (-round(scores[a], 10), a))[:n]


@pytest.fixture()
def make_map(runner, mini_store, tmp_path):
    def invoke(top):
        target = tmp_path / f"map-{top}.html"
        result = runner.invoke(cli, ["map", "-o", str(target), "--top", str(top), "--store", str(mini_store)])
        assert "Traceback" not in result.output
        return result, target
    return invoke


def test_top_without_ties_warns_on_stderr_and_in_the_header(make_map, mini_network):
    top = _top_by_pagerank(mini_network.cooperation_graph(frameworks="as-nodes"), 2)
    assert not mini_network.cooperation_graph(frameworks="as-nodes").subgraph(top).number_of_edges()  # the case under test
    result, target = make_map(2)
    assert result.exit_code == 0, result.output
    expected = "no ties among the top 2 actors (by pagerank): the map shows unconnected dots; try a larger --top"
    assert f"Warning: {expected}" in result.stderr
    assert "0 ties" in result.stderr
    page = html.unescape(target.read_text(encoding="utf-8"))
    subtitle = page.split('id="map-subtitle">', 1)[1].split("</div>", 1)[0]
    assert "0 ties" in subtitle and f"warning: {expected}" in subtitle


def test_top_with_ties_has_no_warning(make_map, mini_network):
    top = _top_by_pagerank(mini_network.cooperation_graph(frameworks="as-nodes"), 4)
    ties = mini_network.cooperation_graph(frameworks="as-nodes").subgraph(top).number_of_edges()
    assert ties > 0
    result, target = make_map(4)
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr and f"{ties} ties" in result.stderr
    assert "warning:" not in target.read_text(encoding="utf-8")


def test_cli_offers_exactly_the_library_choices():
    """cli/map_cmds.py repeats the choices so that 'thbkg --help' needs no map import: they must agree."""
    from thbkg.cli import map_cmds
    from thbkg.graph.outputs import maps

    assert map_cmds.LAYOUTS == maps.LAYOUTS and map_cmds.SIZE_BY == maps.SIZE_BY


def test_the_map_refuses_frameworks_shared(runner, tmp_path):
    result = runner.invoke(cli, ["map", "-o", str(tmp_path / "m.html"), "--frameworks", "shared"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "Error: thbkg map always draws frameworks and treaties as nodes: leave out --frameworks shared "
        "(or use --frameworks as-nodes)")
    assert "Traceback" not in result.output and not (tmp_path / "m.html").exists()


@pytest.mark.parametrize("flag, switched_on", [((), False), (("--include-undated",), True)])
def test_include_undated_sets_the_switch(runner, tmp_path, flag, switched_on):
    import json
    import re

    target = tmp_path / "m.html"
    result = runner.invoke(cli, ["map", "-o", str(target), "--as-of", "2020", "--frameworks", "as-nodes", *flag])
    assert result.exit_code == 0, result.output
    block = re.search(r'id="thbkg-data">(.*?)</script>', target.read_text(encoding="utf-8"), re.DOTALL).group(1)
    assert json.loads(block)["time"]["includeUndated"] is switched_on
