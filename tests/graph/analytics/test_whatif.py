"""What-if removals on the mini graph, checked by hand and with igraph."""

from __future__ import annotations

import networkx as nx
import pytest
from igraph_reference import to_igraph

from thbkg.graph.analytics.whatif import average_distance, what_if
from thbkg.graph.errors import UsageError
from thbkg.graph.network.filters import Filters
from thbkg.graph.network.projections import load_network


def test_removing_agency_two_and_treaty(mini_source):
    mini_network = load_network(mini_source, Filters(frameworks="as-nodes"))  # the treaty is a node here
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
    result = what_if(mini_network, ["ag2"], metric="degree", top=8)
    rows = {r["actor"]: r for r in result.rank_shifts}
    assert rows["ag2"]["rank_after"] is None and rows["ag2"]["change"] is None
    # by hand on the actor graph (test_projections lists its 13 edges): degree before ca 5, ce 5, cc 4,
    # ag1 3, cb 3, io1 3, ag2 2, cd 1; without ag2, cc has 3 and ag1 2
    assert (rows["ca"]["rank_before"], rows["ca"]["rank_after"]) == (1, 1)
    assert (rows["cc"]["rank_before"], rows["cc"]["rank_after"], rows["cc"]["value_after"]) == (3, 3, 3.0)
    assert (rows["ag1"]["rank_before"], rows["ag1"]["rank_after"], rows["ag1"]["value_after"]) == (4, 6, 2.0)
    assert rows["ag1"]["change"] == -2


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
