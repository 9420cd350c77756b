"""Centrality metrics checked against python-igraph (an independent C implementation) and
against published values (Krackhardt's kite). These check thbkg's NetworkX path (``engine="networkx"``);
tests/graph/analytics/test_engines.py checks the igraph engine against it.

Tolerances: counts are compared exactly; shortest-path metrics to 1e-9 absolute (both sides are
exact rational computations in floating point); PageRank and eigenvector to 1e-6 (both are
iterative/ARPACK solvers with their own stopping rules).
"""

from __future__ import annotations

import math

import networkx as nx
import pytest
from igraph_reference import to_igraph

from thbkg.graph.analytics.centrality import METRICS, compute_centrality, largest_component, ranked, two_step_reach
from thbkg.graph.errors import UsageError

EXACT = 1e-9
ITERATIVE = 1e-6


def weighted_random_graph(n=60, m=150, seed=3):
    G = nx.gnm_random_graph(n, m, seed=seed)
    G.add_nodes_from([n, n + 1])                                  # two isolates
    G.add_edges_from([(n + 2, n + 3), (n + 3, n + 4)])            # a small second component
    for i, (u, v) in enumerate(sorted(G.edges())):
        G[u][v]["weight"] = 1 / 3 + (i % 5) / 3
    return nx.relabel_nodes(G, {v: f"n{v:03d}" for v in G})


def graphs(mini_network):
    return {
        "karate": nx.karate_club_graph(),
        "kite": nx.krackhardt_kite_graph(),
        "random": weighted_random_graph(),
        "mini": mini_network.cooperation_graph(),
    }


@pytest.fixture(scope="module")
def cases(mini_network):
    out = {}
    for name, G in graphs(mini_network).items():
        if name == "karate":   # karate's weights are interaction counts; keep them as strength
            pass
        out[name] = (G, compute_centrality(G, METRICS, seed=1, engine="networkx"))
    return out


NAMES = ["karate", "kite", "random", "mini"]


@pytest.mark.parametrize("name", NAMES)
def test_degree_and_weighted_degree(cases, name):
    G, scores = cases[name]
    g, nodes = to_igraph(G)
    assert [scores["degree"][n] for n in nodes] == g.degree()
    assert [scores["weighted_degree"][n] for n in nodes] == pytest.approx(g.strength(weights="weight"), abs=EXACT)


@pytest.mark.parametrize("name", NAMES)
def test_betweenness(cases, name):
    G, scores = cases[name]
    g, nodes = to_igraph(G)
    n = len(nodes)
    normalised = [b * 2 / ((n - 1) * (n - 2)) for b in g.betweenness(directed=False)]
    assert [scores["betweenness"][v] for v in nodes] == pytest.approx(normalised, abs=EXACT)


@pytest.mark.parametrize("name", NAMES)
def test_closeness(cases, name):
    G, scores = cases[name]
    g, nodes = to_igraph(G)
    n = len(nodes)
    # igraph: (reachable - 1) / sum of distances within the component; NetworkX scales by
    # (reachable - 1) / (n - 1) (Wasserman-Faust) on disconnected graphs; isolates are 0 / nan.
    sizes = {v: len(nx.node_connected_component(G, v)) for v in nodes}
    expected = []
    for v, c in zip(nodes, g.closeness(), strict=True):
        expected.append(0.0 if math.isnan(c) else c * (sizes[v] - 1) / (n - 1))
    assert [scores["closeness"][v] for v in nodes] == pytest.approx(expected, abs=EXACT)


@pytest.mark.parametrize("name", NAMES)
def test_harmonic(cases, name):
    G, scores = cases[name]
    g, nodes = to_igraph(G)
    assert [scores["harmonic"][v] for v in nodes] == pytest.approx(g.harmonic_centrality(normalized=True), abs=EXACT)


@pytest.mark.parametrize("name", NAMES)
def test_eigenvector_on_largest_component(cases, name):
    G, scores = cases[name]
    component = sorted(largest_component(G))
    sub, nodes = to_igraph(G.subgraph(component))
    reference = sub.eigenvector_centrality(scale=True)            # max = 1
    ours = [scores["eigenvector"][v] for v in nodes]
    top = max(ours)
    assert [x / top for x in ours] == pytest.approx(reference, abs=ITERATIVE)
    assert sum(x * x for x in ours) == pytest.approx(1.0)
    assert all(scores["eigenvector"][v] == 0.0 for v in G if v not in set(component))


@pytest.mark.parametrize("name", NAMES)
def test_pagerank(cases, name):
    G, scores = cases[name]
    g, nodes = to_igraph(G)
    reference = g.pagerank(damping=0.85, weights="weight", directed=False)
    assert [scores["pagerank"][v] for v in nodes] == pytest.approx(reference, abs=ITERATIVE)


@pytest.mark.parametrize("name", NAMES)
def test_kcore_and_clustering(cases, name):
    G, scores = cases[name]
    g, nodes = to_igraph(G)
    assert [scores["kcore"][v] for v in nodes] == g.coreness()
    local = g.transitivity_local_undirected(mode="zero")
    assert [scores["clustering"][v] for v in nodes] == pytest.approx(local, abs=EXACT)


@pytest.mark.parametrize("name", NAMES)
def test_two_step_reach(cases, name):
    G, scores = cases[name]
    g, nodes = to_igraph(G)
    n = len(nodes)
    expected = [(size - 1) / (n - 1) for size in g.neighborhood_size(order=2)]
    assert [scores["reach"][v] for v in nodes] == pytest.approx(expected, abs=EXACT)


@pytest.mark.parametrize("name", NAMES)
def test_burt_constraint_and_effective_size(cases, name):
    G, scores = cases[name]
    g, nodes = to_igraph(G)
    reference = g.constraint(weights="weight")
    ours = [scores["constraint"][v] for v in nodes]
    for mine, theirs, v in zip(ours, reference, nodes, strict=True):
        if G.degree(v) == 0:
            assert math.isnan(mine)
        else:
            assert mine == pytest.approx(theirs, abs=EXACT), v
    # effective size (unweighted, Borgatti): degree - 2 * ties among the partners / degree
    for v in nodes:
        partners = g.neighbors(nodes.index(v))
        if not partners:
            assert math.isnan(scores["effective_size"][v])
            continue
        ties = g.induced_subgraph(partners).ecount()
        assert scores["effective_size"][v] == pytest.approx(len(partners) - 2 * ties / len(partners), abs=EXACT)


# Krackhardt (1990), "Assessing the political landscape", kite network: published raw betweenness,
# closeness (n-1)/sum(d) and degree. networkx numbers the nodes Andre=0 ... Jane=9.
KITE_BETWEENNESS = [0.833, 0.833, 0.0, 3.667, 0.0, 8.333, 8.333, 14.0, 8.0, 0.0]
KITE_CLOSENESS = [0.529, 0.529, 0.500, 0.600, 0.500, 0.643, 0.643, 0.600, 0.429, 0.310]
KITE_DEGREE = [4, 4, 3, 6, 3, 5, 5, 3, 2, 1]


def test_krackhardt_kite_published_values(cases):
    _, scores = cases["kite"]
    raw_betweenness = [scores["betweenness"][v] * (9 * 8 / 2) for v in range(10)]
    assert raw_betweenness == pytest.approx(KITE_BETWEENNESS, abs=1e-3)
    assert [scores["closeness"][v] for v in range(10)] == pytest.approx(KITE_CLOSENESS, abs=1e-3)
    assert [scores["degree"][v] for v in range(10)] == KITE_DEGREE


def test_karate_club_is_the_published_graph(cases):
    G, scores = cases["karate"]
    assert (G.number_of_nodes(), G.number_of_edges()) == (34, 78)      # Zachary (1977)
    # the two faction leaders (node 0 "Mr Hi" and node 33 the officer) have the highest degree
    top = [node for _, node, _ in ranked(scores["degree"], top=2)]
    assert set(top) == {0, 33}


def test_sampled_betweenness_is_seeded_and_close(cases):
    G, _ = cases["karate"]
    a = compute_centrality(G, ("betweenness",), k=20, seed=7)["betweenness"]
    b = compute_centrality(G, ("betweenness",), k=20, seed=7)["betweenness"]
    exact = compute_centrality(G, ("betweenness",))["betweenness"]
    assert a == b
    assert a != exact
    assert max(abs(a[v] - exact[v]) for v in G) < 0.15
    assert compute_centrality(G, ("betweenness",), k=1000)["betweenness"] == exact   # k >= n is exact


def test_bundled_graph_against_igraph(bundled_source):
    from thbkg.graph.network.projections import load_network

    G = load_network(bundled_source).cooperation_graph()
    scores = compute_centrality(G, ("degree", "betweenness", "pagerank", "kcore", "harmonic"), engine="networkx")
    g, nodes = to_igraph(G)
    n = len(nodes)
    assert [scores["degree"][v] for v in nodes] == g.degree()
    assert [scores["betweenness"][v] for v in nodes] == pytest.approx(
        [b * 2 / ((n - 1) * (n - 2)) for b in g.betweenness(directed=False)], abs=EXACT)
    assert [scores["pagerank"][v] for v in nodes] == pytest.approx(
        g.pagerank(damping=0.85, weights="weight", directed=False), abs=ITERATIVE)
    assert [scores["kcore"][v] for v in nodes] == g.coreness()
    assert [scores["harmonic"][v] for v in nodes] == pytest.approx(g.harmonic_centrality(normalized=True), abs=EXACT)


def test_directed_multigraph_is_collapsed(mini_network):
    scores = compute_centrality(mini_network.multigraph(), ("degree", "weighted_degree"))
    assert scores["degree"]["ag1"] == 3.0                 # ca, ce, ag2 (l02 cb and l14 ended)
    # link records carry no weight, so each counts 1: ca has l01, l05, l09 in force
    assert scores["weighted_degree"]["ca"] == 3.0


def test_unknown_metric_and_backend():
    G = nx.path_graph(3)
    with pytest.raises(UsageError, match="unknown metric"):
        compute_centrality(G, ("fame",))
    with pytest.raises(UsageError, match="not installed"):
        compute_centrality(G, ("betweenness",), backend="no-such-backend")


def test_networkx_backend_passes_through():
    G = nx.karate_club_graph()
    assert compute_centrality(G, ("betweenness", "pagerank"), backend="networkx") == compute_centrality(
        G, ("betweenness", "pagerank"))


def test_reach_blocks_agree_with_bfs():
    G = nx.barabasi_albert_graph(5000, 2, seed=5)
    reach = two_step_reach(G)
    for v in (0, 17, 4999):
        within = nx.single_source_shortest_path_length(G, v, cutoff=2)
        assert reach[v] == pytest.approx((len(within) - 1) / 4999)


def test_ranked_ties_and_ascending():
    rows = ranked({"a": 0.2, "b": 0.1, "c": float("nan")}, "constraint")
    assert [r[1] for r in rows] == ["b", "a", "c"]


def test_progress_is_silent_for_quick_work(capsys, monkeypatch):
    monkeypatch.delenv("THBKG_QUIET", raising=False)
    monkeypatch.delenv("THBKG_PROGRESS_DELAY", raising=False)
    G = nx.karate_club_graph()
    compute_centrality(G, ("degree", "betweenness"))
    assert capsys.readouterr().err == ""


def test_progress_draws_nested_steps_on_one_line(capsys):
    from thbkg.graph.progress import progress

    with progress(2, "outer", delay=0, enabled=True) as outer:
        outer.set_item("first")
        with progress(3, "inner", delay=0, enabled=True) as inner:
            inner.update(1, "x")
        outer.update(2)
    err = capsys.readouterr().err
    assert "outer [" in err and "inner [####--------] 1/3 x" in err and err.endswith("\n")


@pytest.mark.parametrize("graph_seed", [1, 2, 3])
@pytest.mark.parametrize("k", [None, 5, 40])
def test_tracked_betweenness_is_networkx_betweenness(graph_seed, k):
    from thbkg.graph.analytics.centrality import tracked_betweenness

    G = nx.gnp_random_graph(40, 0.08, seed=graph_seed)  # sparse: several components
    G.add_nodes_from(["lonely"])
    expected = nx.betweenness_centrality(G, k=k, normalized=True, seed=7 if k else None)
    assert tracked_betweenness(G, k=k, seed=7 if k else None) == expected
