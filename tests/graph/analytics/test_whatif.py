"""What-if removals on the mini graph, checked by hand and with igraph."""

from __future__ import annotations

import networkx as nx
import pytest
from igraph_reference import to_igraph

from thbkg.graph.analytics.whatif import average_distance, what_if
from thbkg.graph.errors import UsageError


def test_removing_agency_two_and_treaty(mini_network):
    result = what_if(mini_network, ["ag2", "tr1"])
    G = mini_network.cooperation_graph()
    H = G.copy()
    H.remove_nodes_from(["ag2", "tr1"])
    g, _ = to_igraph(H)
    assert (result.components_before, result.components_after) == (1, len(g.connected_components()))
    assert result.largest_after == max(len(c) for c in g.connected_components()) == 6
    # by hand: region east (cc, cd) reached ag1 only through ag2 (cc-ag2-ag1) or tr1; now they
    # form a component of their own. Region south (ca, cb) still reaches ag1 directly.
    assert [(r["region"], r["actor"], r["lost"]) for r in result.cut_off] == [
        ("east", "cc", ["ag1"]), ("east", "cd", ["ag1"])]
    assert result.anchors_removed == ["ag2"]
    assert result.left_largest_component == ["cc", "cd"]
    giant = g.connected_components().giant()
    assert result.average_distance_after == pytest.approx(giant.average_path_length(), abs=1e-12)
    g_before, _ = to_igraph(G)
    assert result.average_distance_before == pytest.approx(g_before.average_path_length(), abs=1e-12)


def test_rank_shifts(mini_network):
    result = what_if(mini_network, ["ag2"], metric="degree", top=3)
    rows = {r["actor"]: r for r in result.rank_shifts}
    assert rows["ag2"]["rank_after"] is None and rows["ag2"]["change"] is None
    # degree before: ag1 4, proc1 4 (rank 1); after removing ag2, ag1 drops to 3 and proc1 alone is 1st
    assert (rows["proc1"]["rank_before"], rows["proc1"]["rank_after"]) == (1, 1)
    assert (rows["ag1"]["rank_before"], rows["ag1"]["rank_after"], rows["ag1"]["value_after"]) == (1, 2, 3.0)
    assert rows["ag1"]["change"] == -1


def test_no_cut_off(mini_network):
    result = what_if(mini_network, ["io1"])
    assert result.cut_off == [] and result.components_after == 1


def test_sampled_average_distance_is_close_and_seeded():
    G = nx.barabasi_albert_graph(800, 2, seed=1)
    exact, none = average_distance(G)
    estimate, sources = average_distance(G, seed=5, sample=200)
    assert none is None and sources == 200
    assert estimate == pytest.approx(exact, rel=0.05)
    assert average_distance(G, seed=5, sample=200) == (estimate, sources)


def test_bad_removals(mini_network):
    with pytest.raises(UsageError, match="unknown actor 'nobody'"):
        what_if(mini_network, ["nobody"])
    with pytest.raises(UsageError, match="at least one"):
        what_if(mini_network, [])
