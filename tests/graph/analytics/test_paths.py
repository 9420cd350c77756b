"""Shortest cooperation paths on the mini graph; path counts checked with igraph."""

from __future__ import annotations

import pytest
from igraph_reference import to_igraph

from thbkg.graph.analytics.paths import shortest_paths
from thbkg.graph.errors import UsageError
from thbkg.graph.network.filters import Filters
from thbkg.graph.network.projections import load_network


def test_single_path_with_link_records(mini_network):
    (found,) = shortest_paths(mini_network, "cd", "ag2")
    # by hand: cd's only tie in force is cc (l04); cc holds a working arrangement with ag2 (l03)
    assert found["actors"] == ["cd", "cc", "ag2"] and found["length"] == 2
    assert found["labels"][0] == "Country D"
    hop = found["hops"][1]
    assert (hop["from"], hop["to"], hop["types"]) == ("cc", "ag2", ["working_arrangement"])
    (link,) = hop["links"]
    assert (link["id"], link["start"], link["end"], link["status"], link["sources"]) == (
        "l03", "2015-03-01", None, "active", ["s2"])


def test_a_path_never_runs_through_a_framework(mini_network):
    # cd -> cb: cb's ties in force are proc1 members only (l02 and l16 ended); cc and ca share tr1
    (found,) = shortest_paths(mini_network, "cd", "cb")
    assert found["actors"] == ["cd", "cc", "ca", "cb"]
    assert not {"proc1", "tr1"} & set(found["actors"])


def test_all_paths_count_matches_igraph(mini_network):
    G = mini_network.cooperation_graph()
    g, nodes = to_igraph(G)
    for a, b in (("cd", "ce"), ("cb", "cc"), ("io1", "ag2")):
        expected = g.get_all_shortest_paths(nodes.index(a), to=nodes.index(b))
        found = shortest_paths(mini_network, a, b, all_paths=True, max_paths=100)
        assert sorted(p["actors"] for p in found) == sorted([nodes[i] for i in p] for p in expected)
        assert [p["actors"] for p in found] == sorted(p["actors"] for p in found)
    assert len(shortest_paths(mini_network, "cd", "ce", all_paths=True, max_paths=1)) == 1


def test_pair_with_two_links_lists_both(mini_source):
    net = load_network(mini_source, Filters(between=(2019, 2019)))   # l01 and the 2019 joint action l14
    (found,) = shortest_paths(net, "ca", "ag1")
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
