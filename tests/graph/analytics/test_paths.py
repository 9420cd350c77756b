"""Shortest cooperation paths on the mini graph; path counts checked with igraph."""

from __future__ import annotations

import pytest
from igraph_reference import to_igraph

from thbkg.graph.analytics.paths import shortest_paths
from thbkg.graph.errors import UsageError
from thbkg.graph.network.filters import Filters
from thbkg.graph.network.projections import load_network


def test_single_path_with_link_records(mini_network):
    (found,) = shortest_paths(mini_network, "cd", "cb")
    # by hand: cd's partners are cc and ag2; cb is tied to ag1, proc1, io1; ag2-ag1 closes the gap
    assert found["actors"] == ["cd", "ag2", "ag1", "cb"] and found["length"] == 3
    assert found["labels"][0] == "Country D"
    hop = found["hops"][2]
    assert (hop["from"], hop["to"], hop["types"]) == ("ag1", "cb", ["strategic_agreement"])
    (link,) = hop["links"]
    assert (link["id"], link["start"], link["end"], link["status"], link["sources"]) == (
        "l02", "2012-05", "2018-06-30", "ended", ["s1", "s2"])


def test_all_paths_count_matches_igraph(mini_network):
    G = mini_network.cooperation_graph()
    g, nodes = to_igraph(G)
    for a, b in (("cd", "ce"), ("cb", "cc"), ("io1", "ag2")):
        expected = g.get_all_shortest_paths(nodes.index(a), to=nodes.index(b))
        found = shortest_paths(mini_network, a, b, all_paths=True, max_paths=100)
        assert sorted(p["actors"] for p in found) == sorted([nodes[i] for i in p] for p in expected)
        assert [p["actors"] for p in found] == sorted(p["actors"] for p in found)
    assert len(shortest_paths(mini_network, "cd", "ce", all_paths=True, max_paths=1)) == 1


def test_pair_with_two_links_lists_both(mini_network):
    (found,) = shortest_paths(mini_network, "ca", "ag1")
    assert [link["id"] for link in found["hops"][0]["links"]] == ["l01", "l14"]


def test_labels_are_accepted(mini_network):
    assert shortest_paths(mini_network, "Country D", "country b")[0]["actors"][-1] == "cb"


def test_not_connected_gives_no_path(mini_source):
    net = load_network(mini_source, Filters(exclude=("ag2", "tr1")))
    assert shortest_paths(net, "cd", "cb") == []


@pytest.mark.parametrize("a, b, message", [("cd", "atlantis", "unknown actor 'atlantis'"),
                                           ("cd", "cd", "given twice")])
def test_bad_actors(mini_network, a, b, message):
    with pytest.raises(UsageError, match=message):
        shortest_paths(mini_network, a, b)
