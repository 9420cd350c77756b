"""Brokers: articulation points, bridges and Burt's constraint against igraph; Gould-Fernandez
roles against a hand-worked example and a brute-force count over all ordered triples."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
from igraph_reference import to_igraph

from thbkg.graph.analytics.brokers import (
    ROLES,
    articulation_points,
    bridges,
    brokerage_roles,
    burt,
    cut_ties,
    cut_vertices,
)


def sample_graphs(mini_network):
    tree_like = nx.random_labeled_tree(40, seed=2)
    tree_like.add_edges_from([(0, 5), (7, 9), (10, 30)])
    return [nx.karate_club_graph(), nx.krackhardt_kite_graph(), tree_like, mini_network.cooperation_graph()]


def test_articulation_points_and_bridges_agree_with_igraph(mini_network):
    for G in sample_graphs(mini_network):
        g, nodes = to_igraph(G)
        assert articulation_points(G) == sorted(nodes[i] for i in g.articulation_points())
        expected = sorted(tuple(sorted((nodes[g.es[e].source], nodes[g.es[e].target]))) for e in g.bridges())
        assert bridges(G) == expected


def test_mini_brokers_by_hand(mini_network):
    G = mini_network.cooperation_graph()
    # cd's only tie in force is cc (l12 cd-ag2 is under negotiation): cc cuts cd off
    assert articulation_points(G) == ["cc"]
    assert bridges(G) == [("cc", "cd")]
    # ag2's ties: cc (l03) and ag1 (l15); without ag1-ag2, ag2 hangs on cc alone
    G.remove_edge("ag1", "ag2")
    assert bridges(G) == [("ag2", "cc"), ("cc", "cd")] and articulation_points(G) == ["cc"]


def test_constraint_agrees_with_igraph(mini_network):
    for G in sample_graphs(mini_network):
        if not any("weight" in d for _, _, d in G.edges(data=True)):
            nx.set_edge_attributes(G, 1.0, "weight")
        g, nodes = to_igraph(G)
        ours = burt(G)
        assert [ours[v]["constraint"] for v in nodes] == pytest.approx(g.constraint(weights="weight"), abs=1e-9)


# Hand-worked Gould-Fernandez example, groups A = {a1, a2, a3}, B = {b1, b2}, C = {c1}:
#   a1->a2, a2->a3, a2->b2, a1->b1, b1->a3, a3->b1, b1->b2, b1->c1
# a2 brokers a1->a3 (A A A: coordinator) and a1->b2 (A A B: representative).
# a3 brokers a2->b1 (A A B: representative).
# b1 brokers a1->a3 (A B A: itinerant), a1->b2 and a3->b2 (A B B: gatekeeper),
#    a1->c1 and a3->c1 (A B C: liaison); a3->a3 is not a pair.
EDGES = [("a1", "a2"), ("a2", "a3"), ("a2", "b2"), ("a1", "b1"), ("b1", "a3"), ("a3", "b1"),
         ("b1", "b2"), ("b1", "c1")]
GROUPS = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C"}


def counts(**kw):
    out = dict.fromkeys(ROLES, 0)
    out.update(kw)
    out["total"] = sum(kw.values())
    return out


def test_gould_fernandez_hand_example():
    roles = brokerage_roles(nx.DiGraph(EDGES), GROUPS)
    assert roles["a2"] == counts(coordinator=1, representative=1)
    assert roles["a3"] == counts(representative=1)
    assert roles["b1"] == counts(itinerant=1, gatekeeper=2, liaison=2)
    assert roles["a1"] == roles["b2"] == roles["c1"] == counts()


def test_gould_fernandez_closed_triads_and_parallel_links():
    D = nx.MultiDiGraph(EDGES + [("a1", "a3"), ("a1", "a2"), ("b1", "b1")])   # a1->a3 closes two two-paths
    roles = brokerage_roles(D, GROUPS)
    assert roles["a2"] == counts(representative=1)
    assert roles["b1"] == counts(gatekeeper=2, liaison=2)


def brute_force(D, groups):
    """Independent count: every ordered triple (a, b, c) of distinct nodes, by the definition."""
    out = {v: dict.fromkeys(ROLES, 0) for v in D}
    for a, b, c in itertools.permutations(D.nodes, 3):
        if D.has_edge(a, b) and D.has_edge(b, c) and not D.has_edge(a, c):
            ga, gb, gc = groups[a], groups[b], groups[c]
            if ga == gb == gc:
                role = "coordinator"
            elif ga == gc:
                role = "itinerant"
            elif ga == gb:
                role = "representative"
            elif gb == gc:
                role = "gatekeeper"
            else:
                role = "liaison"
            out[b][role] += 1
    return out


def test_gould_fernandez_matches_brute_force_on_random_digraph():
    D = nx.gnp_random_graph(40, 0.08, seed=11, directed=True)
    groups = {v: "XYZ"[v % 3] for v in D}
    ours = brokerage_roles(D, groups)
    expected = brute_force(D, groups)
    for v in D:
        assert {r: ours[v][r] for r in ROLES} == expected[v]


def test_gould_fernandez_on_the_mini_multigraph(mini_network):
    roles = brokerage_roles(mini_network.multigraph())          # groups = actor types
    # ag1 receives from ca, cb, ce, ag2 and sends nothing: no brokerage
    assert roles["ag1"]["total"] == 0
    # cd -> cc -> tr1 (country, country, treaty; cd has no tie to tr1): cc is a representative
    assert roles["cc"]["representative"] >= 1
    # ag2 brokers cc -> ag1 (country -> eu_agency -> eu_agency): a gatekeeper; cd -> ag2 (l12) is
    # under negotiation, so not a tie in force
    assert roles["ag2"] == counts(gatekeeper=1)


def test_brokerage_needs_direction():
    with pytest.raises(ValueError):
        brokerage_roles(nx.Graph([(1, 2)]), {1: "a", 2: "b"})


def test_bundled_graph_brokers_and_communities_against_igraph(bundled_source):
    from thbkg.graph.analytics.communities import louvain
    from thbkg.graph.network.projections import load_network

    G = load_network(bundled_source).cooperation_graph()
    g, nodes = to_igraph(G)
    assert articulation_points(G) == sorted(nodes[i] for i in g.articulation_points())
    assert bridges(G) == sorted(tuple(sorted((nodes[g.es[e].source], nodes[g.es[e].target]))) for e in g.bridges())
    ours = burt(G)
    for v, theirs in zip(nodes, g.constraint(weights="weight"), strict=True):
        if G.degree(v):
            assert ours[v]["constraint"] == pytest.approx(theirs, abs=1e-9)
    parts = louvain(G, seed=42)
    assert g.modularity([parts.membership[v] for v in nodes], weights="weight") == pytest.approx(parts.modularity,
                                                                                               abs=1e-12)


def test_cut_vertices_and_cut_ties_by_removal(mini_network):
    """Each count checked by removing the actor (or tie) from a copy and counting with networkx."""
    for G in sample_graphs(mini_network) + [nx.Graph([("a", "b"), ("b", "c"), ("b", "d"), ("d", "e"), ("x", "y")])]:
        base = nx.number_connected_components(G)
        rows = cut_vertices(G)
        assert sorted(r["id"] for r in rows) == articulation_points(G)
        for row in rows:
            H = G.copy()
            H.remove_node(row["id"])
            assert row["components_before"] == base
            assert row["components_after"] == nx.number_connected_components(H)
            assert row["pieces"] == row["components_after"] - base + 1
        assert [r["pieces"] for r in rows] == sorted((r["pieces"] for r in rows), reverse=True)
        ties = cut_ties(G)
        assert {frozenset((r["u"], r["v"])) for r in ties} == {frozenset(e) for e in bridges(G)}
        assert len(ties) == len(bridges(G))
        for row in ties:
            H = G.copy()
            H.remove_edge(row["u"], row["v"])
            assert row["cut_off"] == min(len(nx.node_connected_component(H, row["u"])),
                                         len(nx.node_connected_component(H, row["v"])))
        assert [r["cut_off"] for r in ties] == sorted((r["cut_off"] for r in ties), reverse=True)


def test_cut_ties_of_a_graph_without_bridges():
    assert cut_ties(nx.cycle_graph(5)) == [] and cut_vertices(nx.cycle_graph(5)) == []


def test_large_graph_structural_holes_match_burt(monkeypatch):
    from thbkg.graph.analytics import brokers

    G = nx.karate_club_graph()
    for u, v in G.edges:
        G.edges[u, v]["weight"] = 1.0 + (u * v) % 3
    expected = {v: {"constraint": c, "effective_size": e} for (v, c), e in
                zip(nx.constraint(G, weight="weight").items(), nx.effective_size(G).values(), strict=True)}
    monkeypatch.setattr(brokers, "DENSE_BURT_LIMIT", 0)  # force Borgatti's formula and the row blocks
    got = burt(G)
    for node in G:
        assert got[node]["constraint"] == pytest.approx(expected[node]["constraint"], abs=1e-12)
        assert got[node]["effective_size"] == pytest.approx(expected[node]["effective_size"], abs=1e-9)
