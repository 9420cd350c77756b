"""Shortest cooperation paths on the mini graph; path counts checked with igraph."""

from __future__ import annotations

import pytest
from igraph_reference import to_igraph

from thbkg.graph.analytics.paths import shortest_paths
from thbkg.graph.errors import UsageError
from thbkg.graph.network.filters import Filters
from thbkg.graph.network.projections import load_network


def _ids(links):
    return [link["id"] for link in links]


def test_single_path_with_link_records(mini_network):
    (found,) = shortest_paths(mini_network, "cd", "cb")
    # by hand from make_mini.py, actor view (frameworks proc1 and tr1 are not nodes; only ties in force):
    # cd - cc (l04); cc shares tr1 with ca and ce; cb shares proc1 with ca, ce and io1 (l02 to ag1 ended)
    assert found["actors"] == ["cd", "cc", "ca", "cb"] and found["length"] == 3
    assert found["labels"][0] == "Country D"
    first, second, third = found["hops"]
    assert (first["via"], _ids(first["links"]), first["frameworks"]) == ("link", ["l04"], [])
    (link,) = first["links"]
    assert (link["type"], link["start"], link["end"], link["status"], link["sources"]) == (
        "liaison_officer", "2016", None, "active", ["s3"])
    assert (second["via"], second["links"], [f["id"] for f in second["frameworks"]]) == ("framework", [], ["tr1"])
    # the links that tie each actor to the shared framework, the hop's first actor first
    assert _ids(second["frameworks"][0]["links"]) == ["l10", "l09"]
    assert second["frameworks"][0]["label"] == "Treaty One"
    assert [f["id"] for f in third["frameworks"]] == ["proc1"] and _ids(third["frameworks"][0]["links"]) == [
        "l05", "l06"]


def test_pair_sharing_two_frameworks_lists_both(mini_network):
    # ca and ce: both in proc1 (l05 member, l07 observer) and parties to tr1 (l09, l11); no direct link
    (found,) = shortest_paths(mini_network, "ca", "ce")
    (hop,) = found["hops"]
    assert hop["via"] == "framework"
    assert [(f["id"], _ids(f["links"])) for f in hop["frameworks"]] == [("proc1", ["l05", "l07"]),
                                                                       ("tr1", ["l09", "l11"])]


def test_only_ties_in_force_are_listed(mini_network):
    # ca - ag1 has l01 (active) and l14 (joint action, ended): only the tie in force is a hop's link
    (found,) = shortest_paths(mini_network, "ca", "ag1")
    assert _ids(found["hops"][0]["links"]) == ["l01"]


def test_frameworks_as_nodes(mini_source):
    net = load_network(mini_source, Filters(frameworks="as-nodes"))
    (found,) = shortest_paths(net, "cc", "ca")
    assert found["actors"] == ["cc", "tr1", "ca"]
    assert [(h["via"], _ids(h["links"])) for h in found["hops"]] == [("link", ["l10"]), ("link", ["l09"])]


def test_a_hop_without_link_record(mini_network):
    import networkx as nx

    graph = nx.Graph()
    graph.add_edge("ca", "cb")
    (found,) = shortest_paths(mini_network, "ca", "cb", graph=graph)
    assert found["hops"][0]["via"] == "none" and found["hops"][0]["links"] == []


def test_a_framework_is_not_an_end_in_the_actor_view(mini_network):
    with pytest.raises(UsageError) as info:
        shortest_paths(mini_network, "ca", "proc1")
    assert str(info.value) == ("'proc1' (Process One) is a framework (regional_process), not an actor: in the actor "
                               "view frameworks are not nodes; ask for a path between two actors, or use "
                               "--frameworks as-nodes")


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
