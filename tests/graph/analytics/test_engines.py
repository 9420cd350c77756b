"""The igraph engine gives NetworkX's values (graph/analytics/engines.py).

Expected values always come from NetworkX, the reference: thbkg's NetworkX path
(``engine="networkx"``) or NetworkX's functions called here, never from the igraph code.

Tolerances: shortest-path metrics, eigenvector and clustering to 1e-9 absolute (both sides compute
the same rational numbers, or solve the same eigenproblem to machine precision); k-core exactly;
PageRank within NetworkX's own stopping error (``pagerank_tolerance``: thbkg stops NetworkX's power
iteration at ``PAGERANK_TOL``, igraph's ARPACK solves the eigenproblem), and to 1e-9 against NetworkX iterated to
convergence. Louvain: a partition of the same quality (modularity at least NetworkX's - 0.01), not the
same partition.
"""

from __future__ import annotations

import json
import random

import networkx as nx
import pytest

from thbkg.graph.analytics import engines
from thbkg.graph.analytics.centrality import (
    PAGERANK_ALPHA,
    PAGERANK_TOL,
    compute_centrality,
    compute_metric,
    metric_engines,
)
from thbkg.graph.analytics.communities import louvain
from thbkg.graph.errors import UsageError

EXACT = 1e-9
SAME_VALUES = ("betweenness", "closeness", "harmonic", "eigenvector", "clustering")


def random_graph(n: int, p: float, seed: int, weighted: bool = True) -> nx.Graph:
    """A sparse gnp graph (isolated nodes and several components), string ids, strength weights."""
    G = nx.gnp_random_graph(n, p, seed=seed)
    rng = random.Random(seed)
    for u, v in G.edges:
        if weighted:
            G[u][v]["weight"] = rng.choice([1 / 3, 2 / 3, 1.0, 0.25, 1.5])
    return nx.relabel_nodes(G, {v: f"n{v:03d}" for v in G})


def sample_graphs():
    return {
        "karate": nx.karate_club_graph(),            # weighted by interaction counts
        "kite": nx.krackhardt_kite_graph(),
        "gnp_sparse": random_graph(120, 0.015, seed=1),
        "gnp_components": random_graph(200, 0.01, seed=2),
        "gnp_unweighted": random_graph(90, 0.03, seed=3, weighted=False),
        "gnp_above_auto": random_graph(engines.AUTO_ENGINE_NODES + 50, 0.02, seed=4),
    }


NAMES = [*sample_graphs(), "bundled"]


@pytest.fixture(scope="module")
def graphs(bundled_source):
    from thbkg.graph.network.projections import load_network

    return sample_graphs() | {"bundled": load_network(bundled_source).cooperation_graph()}


@pytest.fixture(scope="module")
def scores(graphs):
    """``name -> (G, igraph's scores, NetworkX's scores)`` for every metric igraph computes."""
    metrics = (*SAME_VALUES, "pagerank", "kcore")
    return {name: (G, compute_centrality(G, metrics, engine="igraph"),
                   compute_centrality(G, metrics, engine="networkx"))
            for name, G in graphs.items()}


def test_the_graphs_have_isolates_and_several_components(graphs):
    for name in ("gnp_sparse", "gnp_components"):
        G = graphs[name]
        assert any(d == 0 for _, d in G.degree()) and nx.number_connected_components(G) > 2, name


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("metric", SAME_VALUES)
def test_igraph_gives_networkx_values(scores, name, metric):
    G, ours, reference = scores[name]
    assert list(ours[metric]) == list(reference[metric])          # same nodes, same (sorted) order
    worst = max(abs(ours[metric][v] - reference[metric][v]) for v in G)
    assert worst <= EXACT, f"{metric} on {name}: {worst:.2e}"


@pytest.mark.parametrize("name", NAMES)
def test_kcore_is_exactly_networkx(scores, name):
    G, ours, reference = scores[name]
    assert ours["kcore"] == reference["kcore"]
    assert ours["kcore"] == {v: float(c) for v, c in nx.core_number(G).items()}


@pytest.mark.parametrize("name", NAMES)
def test_pagerank_within_networkx_stopping_error(scores, name):
    G, ours, reference = scores[name]
    n = G.number_of_nodes()
    summed = sum(abs(ours["pagerank"][v] - reference["pagerank"][v]) for v in G)
    assert summed <= engines.pagerank_tolerance(n, PAGERANK_TOL, PAGERANK_ALPHA)
    weight = "weight" if any("weight" in d for *_, d in G.edges(data=True)) else None
    converged = nx.pagerank(G, alpha=PAGERANK_ALPHA, weight=weight, tol=1e-16, max_iter=100_000)
    assert max(abs(ours["pagerank"][v] - converged[v]) for v in G) <= EXACT


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("k", "seed"), [(5, 1), (20, 7), (60, 3)])
def test_sampled_betweenness_is_networkx_sample(graphs, name, k, seed):
    G = graphs[name]
    ours = compute_centrality(G, ("betweenness",), k=k, seed=seed, engine="igraph")["betweenness"]
    if k < G.number_of_nodes():   # thbkg's exact path when k >= n
        reference = nx.betweenness_centrality(G, k=k, seed=seed, normalized=True)
    else:
        reference = nx.betweenness_centrality(G, normalized=True)
    assert max(abs(ours[v] - reference[v]) for v in G) <= EXACT


@pytest.mark.parametrize("name", NAMES)
def test_exact_betweenness_is_networkx(graphs, name):
    G = graphs[name]
    ours = compute_metric(G, "betweenness", engine="igraph")
    reference = nx.betweenness_centrality(G, normalized=True)
    assert max(abs(ours[v] - reference[v]) for v in G) <= EXACT


@pytest.mark.parametrize("name", NAMES)
def test_louvain_quality_and_cover(graphs, name):
    G = graphs[name]
    ours, reference = louvain(G, seed=42, engine="igraph"), louvain(G, seed=42, engine="networkx")
    assert (ours.engine, reference.engine) == ("igraph", "networkx")
    assert ours.modularity >= reference.modularity - 0.01
    members = [node for community in ours.communities for node in community]
    assert sorted(members) == sorted(G) and len(members) == len(set(members))     # every node once
    assert set(ours.membership) == set(G)
    weight = ours.weight
    recomputed = nx.community.modularity(G, [set(c) for c in ours.communities], weight=weight)
    assert ours.modularity == pytest.approx(recomputed, abs=1e-12)


def test_louvain_is_seeded():
    G = random_graph(400, 0.02, seed=8)
    assert louvain(G, seed=3, engine="igraph") == louvain(G, seed=3, engine="igraph")


def test_arpack_metrics_repeat_to_the_last_bit():
    """ARPACK starts from a random vector: seeded, whatever state Python's generator (igraph's) is in."""
    G = random_graph(400, 0.02, seed=9)
    random.seed(1)
    first = compute_centrality(G, ("pagerank", "eigenvector"), engine="igraph")
    random.seed(2)
    assert compute_centrality(G, ("pagerank", "eigenvector"), engine="igraph") == first


def test_louvain_without_edges_and_other_weights():
    empty = nx.Graph()
    empty.add_nodes_from("abc")
    result = louvain(empty, engine="igraph")
    assert result.communities == (("a",), ("b",), ("c",)) and result.modularity == 0.0
    G = random_graph(engines.AUTO_ENGINE_NODES + 1, 0.02, seed=6)
    nx.set_edge_attributes(G, 2.0, "strength")
    assert louvain(G, weight="strength").engine == "networkx"      # auto: igraph carries 'weight' only
    with pytest.raises(UsageError, match="'weight' only"):
        louvain(G, weight="strength", engine="igraph")


@pytest.mark.parametrize("name", ["karate", "gnp_components", "bundled"])
def test_subset_betweenness_is_networkx_subset(graphs, name):
    """The brokers score: NetworkX's subset betweenness on the directed view, unnormalised."""
    G = graphs[name]
    nodes = sorted(G)
    sources, targets = nodes[: len(nodes) // 4], nodes[-len(nodes) // 3:]
    reference = nx.betweenness_centrality_subset(G.to_directed(as_view=True), sources, targets, normalized=False)
    ours = engines.betweenness_subset(engines.to_igraph(G), sources, targets)
    assert max(abs(ours[v] - reference[v]) for v in G) <= EXACT


def test_tiny_graphs():
    for G in (nx.Graph(), nx.empty_graph(1), nx.path_graph(2), nx.empty_graph(3)):
        ours = compute_centrality(G, (*SAME_VALUES, "pagerank", "kcore"), engine="igraph")
        reference = compute_centrality(G, (*SAME_VALUES, "pagerank", "kcore"), engine="networkx")
        for metric, values in reference.items():
            assert ours[metric] == pytest.approx(values, abs=EXACT), (G, metric)


# ---------------------------------------------------------------------- which engine
@pytest.fixture()
def conversions(monkeypatch):
    """Counts the conversions to igraph: igraph runs only through them."""
    made = []
    convert = engines.to_igraph

    def counting(G):
        made.append(G.number_of_nodes())
        return convert(G)

    monkeypatch.setattr(engines, "to_igraph", counting)
    return made


def test_auto_uses_igraph_above_the_threshold_only(conversions):
    at = random_graph(engines.AUTO_ENGINE_NODES, 0.02, seed=5)
    above = random_graph(engines.AUTO_ENGINE_NODES + 1, 0.02, seed=5)
    compute_centrality(at, ("betweenness", "pagerank"))
    louvain(at)
    assert conversions == []
    compute_centrality(above, ("betweenness", "pagerank", "degree"))     # one conversion for every metric
    assert louvain(above).engine == "igraph"
    assert conversions == [engines.AUTO_ENGINE_NODES + 1] * 2
    assert metric_engines(("degree", "betweenness"), engines.AUTO_ENGINE_NODES + 1) == {
        "degree": "networkx", "betweenness": "igraph"}
    assert metric_engines(("betweenness",), engines.AUTO_ENGINE_NODES) == {"betweenness": "networkx"}


def test_a_backend_forces_networkx(conversions):
    G = random_graph(engines.AUTO_ENGINE_NODES + 1, 0.02, seed=5)
    compute_centrality(G, ("betweenness", "kcore"), backend="networkx")
    assert louvain(G, backend="networkx").engine == "networkx"
    assert conversions == []
    assert metric_engines(("kcore",), 10_000, backend="networkx") == {"kcore": "networkx"}
    with pytest.raises(UsageError, match="contradict"):
        compute_centrality(G, ("kcore",), backend="networkx", engine="igraph")


def test_networkx_engine_never_converts(conversions):
    compute_centrality(random_graph(engines.AUTO_ENGINE_NODES + 1, 0.02, seed=5), ("closeness",), engine="networkx")
    assert conversions == []


def test_unknown_engine():
    with pytest.raises(UsageError, match="unknown engine"):
        compute_centrality(nx.path_graph(3), ("degree",), engine="rust")


def test_cli_spells_the_engines_as_the_module():
    from thbkg.cli import analytics_cmds

    assert set(analytics_cmds.ENGINE_NAMES) == set(engines.ENGINES)
    assert analytics_cmds.AUTO_ENGINE_NODES == engines.AUTO_ENGINE_NODES


# ---------------------------------------------------------------------- outputs say which engine
def test_rank_actors_says_which_engine_computed_each_metric(mini_network):
    from thbkg.graph.outputs.analytic import rank_actors, render_centrality

    metrics = ("degree", "betweenness", "eigenvector")
    rows_nx, params_nx = rank_actors(mini_network, metrics, top=0, engine="networkx")
    rows_ig, params_ig = rank_actors(mini_network, metrics, top=0, engine="igraph")
    assert params_nx["engine"] == dict.fromkeys(metrics, "networkx") and params_nx["igraph"] is None
    assert params_ig["engine"] == {"degree": "networkx", "betweenness": "igraph", "eigenvector": "igraph"}
    assert params_ig["igraph"]
    for mine, theirs in zip(rows_ig, rows_nx, strict=True):
        assert mine["actor"] == theirs["actor"]
        assert mine["betweenness"] == pytest.approx(theirs["betweenness"], abs=EXACT)
    text = render_centrality(rows_ig, params_ig, "table")
    assert "betweenness: share of shortest paths through the actor (normalised) [exact] (computed by igraph)" in text
    assert f"; igraph {params_ig['igraph']}" in text


@pytest.fixture()
def run(runner, mini_store):
    from thbkg.cli.main import cli

    def invoke(*args):
        return runner.invoke(cli, [*args, "--store", str(mini_store)])
    return invoke


def test_cli_centrality_engine_option_and_json(run):
    args = ("centrality", "--format", "json", "--metric", "closeness", "--metric", "degree", "--top", "0")
    ours, reference = run(*args, "--engine", "igraph"), run(*args, "--engine", "networkx")
    assert ours.exit_code == 0 and reference.exit_code == 0, ours.output + reference.output
    ours_json, reference_json = json.loads(ours.output), json.loads(reference.output)
    assert ours_json["parameters"]["engine"] == {"closeness": "igraph", "degree": "networkx"}
    assert reference_json["parameters"]["engine"] == {"closeness": "networkx", "degree": "networkx"}
    auto = json.loads(run(*args).output)                 # 8 actors: below the threshold
    assert auto["parameters"]["engine"] == reference_json["parameters"]["engine"]
    for mine, theirs in zip(ours_json["rows"], reference_json["rows"], strict=True):
        assert mine["actor"] == theirs["actor"]
        assert mine["closeness"] == pytest.approx(theirs["closeness"], abs=EXACT)


def test_cli_engine_and_backend_contradict(run):
    result = run("centrality", "--engine", "igraph", "--backend", "networkx")
    assert result.exit_code == 2 and "contradict" in result.output


def test_cli_whatif_engine(run):
    result = run("whatif", "--remove", "ag1", "--engine", "igraph", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["parameters"]["engine"] == "igraph"
    table = run("whatif", "--remove", "ag1", "--engine", "networkx")
    assert "computed by networkx" in table.output.splitlines()[1]
