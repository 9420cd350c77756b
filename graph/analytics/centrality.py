"""Node centrality metrics on an actor graph (normally :meth:`Network.cooperation_graph`).

All metrics are computed on the *undirected, simple* graph; a directed graph or multigraph is
first collapsed to one undirected edge per pair (weights summed). Edge ``weight`` is a *strength*
(see :mod:`thbkg.graph.network.projections`), so it is used by weighted degree, PageRank and Burt's
constraint, and never as a distance: path-based metrics (betweenness, closeness, harmonic,
reach) count hops.

Metrics (``METRICS``)
---------------------
``degree``            number of distinct partners (raw count, not divided by n-1)
``weighted_degree``   sum of edge weights (tie strength; the default ranking)
``betweenness``       :func:`networkx.betweenness_centrality`, normalised; exact, or sampled from
                      ``k`` source nodes drawn with ``seed`` (``k >= n`` means exact)
``closeness``         :func:`networkx.closeness_centrality` (Wasserman–Faust scaling for
                      disconnected graphs, NetworkX's default)
``harmonic``          :func:`networkx.harmonic_centrality` divided by ``n - 1`` (0..1)
``eigenvector``       :func:`networkx.eigenvector_centrality_numpy` on the *largest connected
                      component* (ties: the one holding the smallest node id), unit Euclidean
                      norm there; nodes outside it get 0.0, since the leading eigenvector of a
                      disconnected graph is not defined per component consistently
``pagerank``          :func:`networkx.pagerank`, alpha 0.85, weighted by ``weight``
``kcore``             :func:`networkx.core_number`
``clustering``        :func:`networkx.clustering` (unweighted local clustering coefficient)
``reach``             Kumu's two-step reach: share of the other nodes within two steps (0..1)
``effective_size``    Burt's effective size (:func:`networkx.effective_size`, unweighted)
``constraint``        Burt's constraint (:func:`networkx.constraint`, weighted); *lower* is more
                      brokerage, so rankings sort it ascending (see ``ASCENDING``)

``engine="igraph"`` computes betweenness, closeness, harmonic, eigenvector, pagerank, kcore and
clustering with python-igraph instead (the same values: :mod:`~thbkg.graph.analytics.engines`),
``engine="networkx"`` with NetworkX, and ``engine="auto"`` (the default) with igraph above
:data:`~thbkg.graph.analytics.engines.AUTO_ENGINE_NODES` nodes; :func:`metric_engines` says which
engine computes what. ``backend=NAME`` is passed through to NetworkX's backend dispatch for the
dispatchable functions (betweenness, closeness, harmonic, eigenvector, pagerank, kcore, clustering,
effective_size, constraint) and makes NetworkX compute every metric; an uninstalled backend raises
:class:`UsageError`.

>>> import networkx as nx
>>> G = nx.path_graph(["a", "b", "c"])
>>> scores = compute_centrality(G, metrics=("degree", "betweenness", "reach"))
>>> scores["degree"], scores["betweenness"]["b"], scores["reach"]["a"]
({'a': 1.0, 'b': 2.0, 'c': 1.0}, 1.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

import networkx as nx

from thbkg.graph.analytics import engines
from thbkg.graph.analytics.engines import check_engine, metric_engines
from thbkg.graph.analytics.graphs import check_backend, simple_graph
from thbkg.graph.errors import UsageError
from thbkg.graph.progress import progress

METRICS = ("degree", "weighted_degree", "betweenness", "closeness", "harmonic", "eigenvector",
           "pagerank", "kcore", "clustering", "reach", "effective_size", "constraint")

#: Metrics for which a smaller value ranks higher.
ASCENDING = frozenset({"constraint"})

#: ``thbkg centrality`` computes betweenness exactly up to this many actors when no ``--k`` is
#: given, and samples ``DEFAULT_SAMPLE_K`` sources above it (see docs/benchmarks-analytics.md).
EXACT_BETWEENNESS_LIMIT = 5000
DEFAULT_SAMPLE_K = 1000

#: a graph's node: an actor id in thbkg's networks, anything hashable in NetworkX's
NodeT = TypeVar("NodeT", bound=Hashable)


#: Metrics that need a breadth-first search from every actor and have no sampled variant here.
ALL_PAIRS_METRICS = ("closeness", "harmonic")
#: ``thbkg centrality`` and ``thbkg whatif`` refuse ``ALL_PAIRS_METRICS`` above this many actors
#: (``--no-size-limit`` overrides), and the report leaves closeness out: exact closeness took 310 s
#: at 10,000 actors and grows with actors times ties (docs/benchmarks-report.md).
EXACT_CLOSENESS_LIMIT = 5000


def refuse_too_large(source, filters, metrics, network=None, *, no_size_limit: bool = False) -> None:
    """Raise :class:`UsageError` before a metric too costly for the graph starts (see :func:`size_limit_message`).

    Without filters the store's actor count decides before anything is loaded; with filters, the
    kept actors of *network* once it is loaded (before that, nothing is refused).
    """
    from thbkg.graph.network.filters import Filters
    from thbkg.graph.network.projections import known_names

    if no_size_limit or not set(metrics) & set(ALL_PAIRS_METRICS):
        return
    if network is not None:
        count = len(network.actors)
    elif filters == Filters():
        count = len(known_names(source, actors=True).actors or ())
    else:
        return
    message = size_limit_message(metrics, count)
    if message:
        raise UsageError(message)


def size_limit_message(metrics, n: int) -> str | None:
    """Why *metrics* are too costly for a graph of *n* actors, naming the options that help; or None.

    >>> size_limit_message(("degree", "closeness"), 20_000)
    'closeness on 20,000 actors: it needs a breadth-first search from every actor, and thbkg computes it only up to 5,000 actors; narrow the graph with --region, --type, --actor-type, --as-of or --min-confidence, or give --no-size-limit to compute it anyway (hours at this size)'
    >>> size_limit_message(("closeness",), 146) is None
    True
    """
    heavy = [m for m in dict.fromkeys(metrics) if m in ALL_PAIRS_METRICS]
    if not heavy or n <= EXACT_CLOSENESS_LIMIT:
        return None
    return (f"{' and '.join(heavy)} on {n:,} actors: it needs a breadth-first search from every actor, and "
            f"thbkg computes it only up to {EXACT_CLOSENESS_LIMIT:,} actors; narrow the graph with --region, "
            "--type, --actor-type, --as-of or --min-confidence, or give --no-size-limit to compute it "
            "anyway (hours at this size)")


def default_k(n: int, k: int | None = None) -> int | None:
    """The betweenness sample size to use for *n* actors when the user gave *k* (or None).

    >>> default_k(146), default_k(20_000), default_k(20_000, 50)
    (None, 1000, 50)
    """
    if k is not None:
        return k
    return DEFAULT_SAMPLE_K if n > EXACT_BETWEENNESS_LIMIT else None


#: Default metrics of ``thbkg centrality``: ranked by tie strength, because on the default actor graph
#: (frameworks projected onto their members) the count of distinct partners mostly counts shared
#: frameworks, while the strength weighs a shared framework of n members 1/(n-1) per partner.
DEFAULT_METRICS = ("weighted_degree", "degree", "betweenness", "pagerank")

PAGERANK_ALPHA = 0.85
#: Tighter than NetworkX's default (1e-6), so values agree with exact solvers to ~1e-8.
PAGERANK_TOL = 1e-10

METRIC_DESCRIPTIONS = {
    "degree": "number of distinct partners",
    "weighted_degree": "tie strength: confidence rank / 3 per direct link, plus 1/(n-1) per shared framework "
                       "of n members",
    "betweenness": "share of shortest paths through the actor (normalised)",
    "closeness": "inverse mean hop distance to reachable actors (Wasserman-Faust scaled)",
    "harmonic": "mean of 1/hop distance to all other actors",
    "eigenvector": "eigenvector centrality on the largest component (0 elsewhere)",
    "pagerank": f"PageRank, alpha {PAGERANK_ALPHA}, weighted",
    "kcore": "k-core number",
    "clustering": "share of the actor's partner pairs that are tied",
    "reach": "share of other actors within two steps (Kumu reach)",
    "effective_size": "Burt's effective size (non-redundant partners)",
    "constraint": "Burt's constraint (lower = more brokerage)",
}


def _call(func, G, backend, **kwargs):
    if backend is not None:
        kwargs["backend"] = backend
    return func(G, **kwargs)


def _has_weights(G) -> bool:
    return any("weight" in data for _, _, data in G.edges(data=True))


def largest_component(G) -> set:
    """Node set of the largest connected component (ties: the one holding the smallest node)."""
    if G.number_of_nodes() == 0:
        return set()
    components = list(nx.connected_components(G))
    return min(components, key=lambda c: (-len(c), min(map(str, c))))


def two_step_reach(G, block_entries: int = 10_000_000) -> dict:
    """Kumu's reach: for each node, the share of the other nodes at most two hops away.

    Computed with sparse matrix products in row blocks of about *block_entries* entries (the
    two-step neighbourhood of a block can be nearly full when hubs link most actors), so memory
    stays near 100 MB at any size.

    >>> two_step_reach(nx.path_graph(4))
    {0: 0.6666666666666666, 1: 1.0, 2: 1.0, 3: 0.6666666666666666}
    """
    import numpy as np
    import scipy.sparse as sp

    nodes = list(G.nodes)
    n = len(nodes)
    if n <= 1:
        return {node: 0.0 for node in nodes}
    A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, format="csr", dtype=np.int8)
    A = sp.csr_array((np.ones_like(A.data, dtype=np.int32), A.indices, A.indptr), shape=A.shape)
    counts = np.empty(n, dtype=np.int64)
    block = max(1, block_entries // n)
    for start in range(0, n, block):
        rows = A[start:start + block]
        within = ((rows @ A) + rows).tocsr()
        within.data[:] = 1
        within.eliminate_zeros()
        per_row = np.diff(within.indptr)
        diagonal = np.asarray(within[:, start:start + rows.shape[0]].diagonal() > 0, dtype=np.int64)
        counts[start:start + rows.shape[0]] = per_row - diagonal
    return {node: float(counts[i]) / (n - 1) for i, node in enumerate(nodes)}


def eigenvector_on_largest_component(G, backend=None) -> dict:
    """Eigenvector centrality (unit Euclidean norm) on the largest component, 0.0 elsewhere."""
    scores = {node: 0.0 for node in G.nodes}
    component = largest_component(G)
    if len(component) < 2:
        return scores
    H = G.subgraph(sorted(component))
    if len(component) == 2:
        value = 2 ** -0.5
        scores.update({node: value for node in component})
        return scores
    values = _call(nx.eigenvector_centrality_numpy, H, backend)
    scores.update({node: abs(float(v)) for node, v in values.items()})
    return scores


def compute_metric(G, metric: str, *, k: int | None = None, seed: int | None = 42, backend: str | None = None,
                   engine: str = "auto", view: engines.IgraphView | None = None) -> dict:
    """One metric for every node of *G* (already a simple undirected graph).

    *engine* as in :func:`compute_centrality`; *view* is *G* already converted to igraph
    (:func:`~thbkg.graph.analytics.engines.to_igraph`), so several metrics share one conversion.

    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> ours, theirs = compute_metric(G, "closeness", engine="igraph"), compute_metric(G, "closeness")
    >>> max(abs(ours[v] - theirs[v]) for v in G) < 1e-12
    True
    """
    function = _METRIC_FUNCTIONS.get(metric)
    if function is None:
        raise UsageError(f"unknown metric {metric!r} (known: {', '.join(METRICS)})")
    if engines.metric_engine(metric, G.number_of_nodes(), engine, backend) == "igraph":
        return _IGRAPH_FUNCTIONS[metric](view or engines.to_igraph(G), G, k, seed)
    return function(G, k, seed, backend)


def _weight_key(G) -> str | None:
    """``"weight"`` when *G* has edge weights, else None (every edge counts 1)."""
    return "weight" if _has_weights(G) else None


def _degree(G, k, seed, backend) -> dict:
    return {node: float(d) for node, d in G.degree()}


def _weighted_degree(G, k, seed, backend) -> dict:
    return {node: float(d) for node, d in G.degree(weight=_weight_key(G))}


def _betweenness(G, k, seed, backend) -> dict:
    sample = _sample_size(G, k)
    if backend not in (None, "networkx"):
        return _call(nx.betweenness_centrality, G, backend, k=sample, normalized=True, seed=seed if sample else None)
    return tracked_betweenness(G, k=sample, seed=seed if sample else None)


def tracked_betweenness(G, k: int | None = None, seed=None) -> dict:
    """:func:`networkx.betweenness_centrality` (normalised, unweighted), one source at a time, with
    progress and an estimate of the time left (the long metric of large graphs).

    The same sources in the same order as NetworkX (the sample drawn by the same random state) and
    NetworkX's own accumulation and rescaling, so the values are NetworkX's.

    >>> G = nx.karate_club_graph()
    >>> tracked_betweenness(G) == nx.betweenness_centrality(G)
    True
    >>> tracked_betweenness(G, k=10, seed=3) == nx.betweenness_centrality(G, k=10, seed=3)
    True
    """
    from networkx.algorithms.centrality.betweenness import (
        _accumulate_basic,
        _rescale,
        _single_source_shortest_path_basic,
    )
    from networkx.utils import create_py_random_state

    if k == len(G):
        k = None
    sources = list(G) if k is None else create_py_random_state(seed).sample(list(G.nodes()), k)
    betweenness = dict.fromkeys(G, 0.0)
    with progress(len(sources), "betweenness") as bar:
        for source in sources:
            S, P, sigma, _ = _single_source_shortest_path_basic(G, source)
            betweenness, _ = _accumulate_basic(betweenness, S, P, sigma, source)
            bar.update(1)
    return _rescale(betweenness, len(G), normalized=True, directed=G.is_directed(), endpoints=False,
                    sampled_nodes=None if k is None else sources)


def _closeness(G, k, seed, backend) -> dict:
    return _call(nx.closeness_centrality, G, backend)


def _harmonic(G, k, seed, backend) -> dict:
    n = G.number_of_nodes()
    raw = _call(nx.harmonic_centrality, G, backend)
    return {node: (value / (n - 1) if n > 1 else 0.0) for node, value in raw.items()}


def _eigenvector(G, k, seed, backend) -> dict:
    return eigenvector_on_largest_component(G, backend)


def _pagerank(G, k, seed, backend) -> dict:
    return _call(nx.pagerank, G, backend, alpha=PAGERANK_ALPHA, weight=_weight_key(G), tol=PAGERANK_TOL,
                 max_iter=1000)


def _kcore(G, k, seed, backend) -> dict:
    return {node: float(c) for node, c in _call(nx.core_number, G, backend).items()}


def _clustering(G, k, seed, backend) -> dict:
    return {node: float(c) for node, c in _call(nx.clustering, G, backend).items()}


def _reach(G, k, seed, backend) -> dict:
    return two_step_reach(G)


# the brokers module avoids NetworkX's all-nodes matrices on large graphs (gigabytes at 20,000 actors);
# nan for isolates, as in NetworkX: an isolate has no tie to be constrained by
def _effective_size(G, k, seed, backend) -> dict:
    from thbkg.graph.analytics import brokers

    return {node: float(v) for node, v in brokers.burt_effective_size(G, backend).items()}


def _constraint(G, k, seed, backend) -> dict:
    from thbkg.graph.analytics import brokers

    return {node: float(v) for node, v in brokers.burt_constraint(G, _weight_key(G), backend).items()}


#: metric -> function(G, k, seed, backend) computing it
_METRIC_FUNCTIONS = {
    "degree": _degree, "weighted_degree": _weighted_degree, "betweenness": _betweenness,
    "closeness": _closeness, "harmonic": _harmonic, "eigenvector": _eigenvector, "pagerank": _pagerank,
    "kcore": _kcore, "clustering": _clustering, "reach": _reach, "effective_size": _effective_size,
    "constraint": _constraint,
}


def _sample_size(G, k: int | None) -> int | None:
    """*k* when it samples fewer sources than *G* has nodes, else None (exact)."""
    return k if (k is not None and k < G.number_of_nodes()) else None


def _igraph_betweenness(view, G, k, seed) -> dict:
    sample = _sample_size(G, k)
    return engines.betweenness(view, G, k=sample, seed=seed if sample else None)


#: metric -> function(view, G, k, seed) computing it with igraph (see :mod:`~thbkg.graph.analytics.engines`)
_IGRAPH_FUNCTIONS = {
    "betweenness": _igraph_betweenness,
    "closeness": lambda view, G, k, seed: engines.closeness(view),
    "harmonic": lambda view, G, k, seed: engines.harmonic(view),
    "eigenvector": lambda view, G, k, seed: engines.eigenvector(view),
    "pagerank": lambda view, G, k, seed: engines.pagerank(view, PAGERANK_ALPHA),
    "kcore": lambda view, G, k, seed: engines.kcore(view),
    "clustering": lambda view, G, k, seed: engines.clustering(view),
}


def compute_centrality(G, metrics=DEFAULT_METRICS, k: int | None = None, seed: int | None = 42,
                       backend: str | None = None, engine: str = "auto") -> dict:
    """Compute several centrality metrics.

    Parameters
    ----------
    G : networkx.Graph
        Actor graph; directed graphs and multigraphs are collapsed (see :func:`simple_graph`).
    metrics : sequence of str
        Names from ``METRICS``.
    k : int, optional
        Betweenness sample size (source nodes); ``None`` or ``k >= n`` computes it exactly.
    seed : int, optional
        Seed for the betweenness sample (everything else is deterministic).
    backend : str, optional
        NetworkX backend to dispatch to (must be installed); NetworkX then computes every metric.
    engine : {"auto", "networkx", "igraph"}
        Who computes betweenness, closeness, harmonic, eigenvector, pagerank, kcore and clustering:
        igraph (compiled; NetworkX's values, see :mod:`~thbkg.graph.analytics.engines`), NetworkX,
        or igraph above ``AUTO_ENGINE_NODES`` nodes (``auto``). :func:`metric_engines` tells which.

    Returns
    -------
    dict
        ``metric -> {node: float}``, nodes in sorted order.

    Examples
    --------
    >>> G = nx.karate_club_graph()
    >>> a = compute_centrality(G, ("betweenness", "kcore"), engine="igraph")
    >>> b = compute_centrality(G, ("betweenness", "kcore"), engine="networkx")
    >>> max(abs(a["betweenness"][v] - b["betweenness"][v]) for v in G) < 1e-12, a["kcore"] == b["kcore"]
    (True, True)
    """
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise UsageError(f"unknown metric(s) {', '.join(unknown)} (known: {', '.join(METRICS)})")
    if k is not None and k < 1:
        raise UsageError(f"--k must be at least 1 (got {k})")
    check_backend(backend)
    check_engine(engine, backend)
    H = simple_graph(G)
    order = sorted(H.nodes)
    chosen = metric_engines(metrics, H.number_of_nodes(), engine, backend)
    results = {}
    with progress(len(metrics), "centrality") as bar:
        view = None
        if "igraph" in chosen.values():
            bar.set_item("converting to igraph")
            view = engines.to_igraph(H)  # once for every metric
        for metric in metrics:
            bar.set_item(metric)
            values = compute_metric(H, metric, k=k, seed=seed, backend=backend, engine=chosen[metric], view=view)
            results[metric] = {node: float(values[node]) for node in order}
            bar.update(1)
    return results


def ranked(scores: dict[NodeT, float], metric: str | None = None,
           top: int | None = None) -> list[tuple[int, NodeT, float]]:
    """Rows ``(rank, node, value)`` best first; ties share the rank ("1224"), then sort by node id.

    NaN values go last. ``metric`` in ``ASCENDING`` sorts smaller-first.

    >>> ranked({"a": 1.0, "b": 3.0, "c": 3.0, "d": 0.5}, top=3)
    [(1, 'b', 3.0), (1, 'c', 3.0), (3, 'a', 1.0)]
    """
    import math

    sign = 1 if metric in ASCENDING else -1
    # rounded so that values equal but for the last bits (e.g. numpy eigenvectors) sort by id
    items = sorted(scores.items(), key=lambda kv: (math.isnan(kv[1]),
                                                   sign * (0 if math.isnan(kv[1]) else round(kv[1], 10)),
                                                   str(kv[0])))
    rows, rank, previous = [], 0, None
    for position, (node, value) in enumerate(items, start=1):
        if previous is None or not _same(value, previous):
            rank = position
        previous = value
        rows.append((rank, node, value))
    return rows[:top] if top else rows


def _same(a: float, b: float) -> bool:
    import math

    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
