"""A compiled engine (python-igraph) for the heavy metrics, behind thbkg's NetworkX API.

NetworkX stays the graph model, the public API and the reference: every function here takes the
simple undirected graph that :func:`~thbkg.graph.analytics.graphs.simple_graph` gives, converts it
once (:func:`to_igraph`, vertices in sorted node order, edge ``weight`` kept, 1.0 where missing)
and returns NetworkX's values, node for node:

==============  ===================================================================================
metric          igraph call, and what makes it NetworkX's value
==============  ===================================================================================
betweenness     ``betweenness(sources=...)``, doubled (igraph halves the pair sums of an undirected
                graph, NetworkX accumulates each source in full), then NetworkX's own ``_rescale``;
                sampled *k*: the same sources NetworkX draws (``create_py_random_state(seed)
                .sample(list(G), k)``) and ``_rescale(..., sampled_nodes=sources)``: exact to 1e-9
closeness       ``closeness()`` (hops within the reachable set) times (reachable - 1) / (n - 1),
                NetworkX's Wasserman-Faust scaling; 0.0 for isolates (igraph: NaN)
harmonic        ``harmonic_centrality(normalized=True)`` (thbkg divides NetworkX's sum by n - 1)
eigenvector     ``eigenvector_centrality()`` (unweighted, as thbkg calls NetworkX) on the largest
                component (the one :func:`~thbkg.graph.analytics.centrality.largest_component`
                picks), rescaled from max 1 to unit Euclidean norm, positive; 0.0 elsewhere
pagerank        ``pagerank(damping=0.85, weights, implementation="arpack")``: ARPACK to machine
                precision (NetworkX iterated to 1e-16 agrees to 1e-13); thbkg's NetworkX path,
                stopped at ``PAGERANK_TOL``, differs by its own stopping error, within
                :func:`pagerank_tolerance` (summed over nodes). Not PRPACK, igraph's default: its
                OpenMP threads spin for about a second per call on a busy machine (measured here)
kcore           ``coreness()``: the same integers
clustering      ``transitivity_local_undirected(mode="zero")`` (0.0 below two partners, as NetworkX)
communities     ``community_multilevel(weights, resolution)`` (Louvain) under a seeded generator;
                a partition of the same quality as NetworkX's Louvain, not the same partition;
                modularity by igraph's ``modularity()``, NetworkX's formula to 1e-12
==============  ===================================================================================

The other metrics stay where they are: degree and weighted degree are one pass over the ties; reach,
effective size and constraint are thbkg's own sparse-matrix code, in bounded memory (igraph has no
effective size).

Which engine (``engine=``)
--------------------------
``networkx`` always NetworkX; ``igraph`` igraph for every metric it has; ``auto`` (the default)
igraph for the metrics of :data:`IGRAPH_METRICS` when the graph has more than
:data:`AUTO_ENGINE_NODES` nodes, NetworkX below. ``backend=NAME`` (NetworkX's backend dispatch)
forces NetworkX; with ``engine="igraph"`` it is a usage error.

Measured on this machine (``benchmarks/bench_engines.py --parts inprocess``; 2 cores shared with other
jobs, so single times vary by up to 2x; graphs of ``thbkg synth --actors N --links 6N --seed 1``: 1,000
actors give 778 nodes and 30,644 ties, 10,000 give 7,136 nodes and 362,340 ties). NetworkX time /
igraph time for the metric alone, on a shared conversion; fastest of 5 runs at 778 nodes (PageRank:
of 3), one run at 7,136 (PageRank, k-core: fastest of 3). Betweenness is exact at 778 nodes and
sampled (k = 1,000, as ``thbkg centrality`` does above 5,000 actors) at 7,136:

==============  =========================  =========================  ===========
metric          778 nodes                  7,136 nodes                choice
==============  =========================  =========================  ===========
conversion      (igraph: 9 ms)             (igraph: 0.17 s)           once a run
betweenness     2.17 s / 0.12 s = 18x      63.1 s / 2.8 s = 22x       igraph
closeness       608 ms / 24 ms = 25x       138 s / 2.5 s = 54x        igraph
harmonic        589 ms / 18 ms = 34x       169 s / 6.7 s = 25x        igraph
eigenvector     112 ms / 2.2 ms = 51x      5.4 s / 0.13 s = 41x       igraph
pagerank        32 ms / 2.7 ms = 12x       1.2 s / 0.10 s = 12x       igraph
kcore           22 ms / 0.3 ms = 70x       1.16 s / 0.006 s = 187x    igraph
clustering      726 ms / 6.1 ms = 119x     92.9 s / 0.9 s = 103x      igraph
communities     212 ms / 30 ms = 7x        13.2 s / 2.6 s = 5x        igraph
==============  =========================  =========================  ===========

(communities: Louvain, its conversion included.) igraph is the faster engine for every metric it
has, at every size measured (100 to 7,136 nodes), its conversion included. Up to
:data:`AUTO_ENGINE_NODES` nodes NetworkX needs at most 0.22 s for one metric (betweenness) and about
half a second for all eight, so ``auto`` leaves small graphs (the bundled one has 214 actors) to
NetworkX, the reference. networkit and rustworkx were not measured: igraph has
every metric here, and what is left of a command's time is thbkg's loading, not the metrics.

>>> import networkx as nx
>>> G = nx.karate_club_graph()
>>> view = to_igraph(G)
>>> ours, theirs = betweenness(view, G), nx.betweenness_centrality(G)
>>> max(abs(ours[v] - theirs[v]) for v in G) < 1e-12
True
>>> metric_engine("betweenness", 34), metric_engine("betweenness", 5000), metric_engine("degree", 5000)
('networkx', 'igraph', 'networkx')
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from thbkg.graph.errors import UsageError
from thbkg.graph.progress import progress

ENGINES = ("auto", "networkx", "igraph")
#: ``engine="auto"`` uses igraph above this many nodes (see the table above).
AUTO_ENGINE_NODES = 300
#: The metrics igraph computes (``engine="igraph"``, or ``"auto"`` above :data:`AUTO_ENGINE_NODES`).
IGRAPH_METRICS = frozenset({"betweenness", "closeness", "harmonic", "eigenvector", "pagerank", "kcore",
                            "clustering", "communities"})
#: Seed of ARPACK's start vector (PageRank, eigenvector), so that runs agree to the last bit.
ARPACK_SEED = 1
#: Most calls into igraph for one betweenness (each a share of the sources), so progress can move.
BETWEENNESS_STEPS = 100


def pagerank_tolerance(n: int, tol: float, alpha: float) -> float:
    """Bound on the summed absolute difference between igraph's and NetworkX's PageRank of *n* nodes.

    igraph solves the eigenproblem to machine precision (1e-14 from NetworkX iterated to 1e-16).
    NetworkX, as thbkg calls it, stops its power iteration when the changes of one step sum to less
    than ``n * tol``; the iteration contracts by *alpha* per step, so the error left is at most that
    times ``alpha / (1 - alpha)``, summed over the nodes. Measured: 1.4e-8 summed (6.5e-9 at one
    node) on a sparse random graph of 300 nodes, where the bound is 1.7e-7; 2.1e-7 at 5,000 nodes
    (bound 2.8e-6). So 1e-9 per node does not hold against thbkg's NetworkX values; it holds against
    NetworkX run to convergence.

    >>> round(pagerank_tolerance(300, 1e-10, 0.85), 12)
    1.7e-07
    """
    return n * tol * alpha / (1 - alpha)


def check_engine(engine: str, backend: str | None = None) -> None:
    """Raise :class:`UsageError` for an unknown *engine*, or igraph asked for together with a backend.

    >>> check_engine("auto", "networkx")
    >>> check_engine("igraph", "parallel")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    thbkg.graph.errors.UsageError: --engine igraph and --backend parallel contradict each other: ...
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r} (use {', '.join(ENGINES)})")
    if engine == "igraph" and backend is not None:
        raise UsageError(f"--engine igraph and --backend {backend} contradict each other: a NetworkX backend "
                         "runs NetworkX's functions; give one or the other")
    if engine == "igraph" and not igraph_installed():
        raise UsageError("--engine igraph needs python-igraph: pip install igraph")


def igraph_installed() -> bool:
    """Whether python-igraph can be imported (a dependency of thbkg, so normally True).

    >>> igraph_installed()
    True
    """
    from importlib.util import find_spec

    return find_spec("igraph") is not None


def metric_engine(metric: str, n: int, engine: str = "auto", backend: str | None = None) -> str:
    """The engine that computes *metric* on a graph of *n* nodes: ``"igraph"`` or ``"networkx"``.

    ``"communities"`` names Louvain. A backend forces NetworkX; metrics outside
    :data:`IGRAPH_METRICS` are always NetworkX's.

    >>> metric_engine("pagerank", 301), metric_engine("pagerank", 300), metric_engine("pagerank", 10, "igraph")
    ('igraph', 'networkx', 'igraph')
    >>> metric_engine("pagerank", 10_000, backend="parallel"), metric_engine("reach", 10_000, "igraph")
    ('networkx', 'networkx')
    """
    check_engine(engine, backend)
    if backend is not None or metric not in IGRAPH_METRICS or engine == "networkx":
        return "networkx"
    if engine == "igraph":
        return "igraph"
    return "igraph" if n > AUTO_ENGINE_NODES and igraph_installed() else "networkx"


def metric_engines(metrics, n: int, engine: str = "auto", backend: str | None = None) -> dict[str, str]:
    """``metric -> engine`` for each of *metrics* (see :func:`metric_engine`): what the outputs report.

    >>> metric_engines(("degree", "betweenness"), 1000)
    {'degree': 'networkx', 'betweenness': 'igraph'}
    """
    return {metric: metric_engine(metric, n, engine, backend) for metric in metrics}


@dataclass(frozen=True, eq=False)
class IgraphView:
    """A NetworkX graph converted to igraph once: vertex ``i`` is node ``nodes[i]``.

    Attributes
    ----------
    graph : igraph.Graph
        Undirected; edge attribute ``weight`` (1.0 where the NetworkX edge has none).
    nodes : list
        The nodes in sorted order.
    index : dict
        Node -> vertex index.
    """

    graph: Any
    nodes: list
    index: dict

    def values(self, numbers) -> dict:
        """``{node: float}`` from a sequence indexed by vertex.

        >>> import networkx as nx
        >>> to_igraph(nx.path_graph(["b", "a"])).values([1, 2])
        {'a': 1.0, 'b': 2.0}
        """
        return {node: float(value) for node, value in zip(self.nodes, numbers, strict=True)}


def to_igraph(G) -> IgraphView:
    """Convert the undirected simple graph *G* to igraph (vertices in sorted node order, weights kept).

    >>> import networkx as nx
    >>> view = to_igraph(nx.Graph([("b", "a", {"weight": 2.0}), ("b", "c")]))
    >>> view.nodes, view.graph.get_edgelist(), view.graph.es["weight"]
    (['a', 'b', 'c'], [(0, 1), (1, 2)], [2.0, 1.0])
    """
    import igraph as ig

    nodes = sorted(G.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    edges, weights = [], []
    for u, v, weight in G.edges(data="weight", default=1.0):
        edges.append((index[u], index[v]))
        weights.append(float(weight))
    graph = ig.Graph(n=len(nodes), edges=edges, directed=False)
    graph.es["weight"] = weights
    return IgraphView(graph=graph, nodes=nodes, index=index)


def betweenness(view: IgraphView, G, k: int | None = None, seed=None) -> dict:
    """NetworkX's normalised betweenness (exact, or sampled from *k* sources drawn with *seed*).

    *G* is the graph *view* was made from: NetworkX draws the sample from its node order.

    >>> import networkx as nx
    >>> G = nx.gnp_random_graph(40, 0.1, seed=2)
    >>> ours, theirs = betweenness(to_igraph(G), G, k=8, seed=3), nx.betweenness_centrality(G, k=8, seed=3)
    >>> max(abs(ours[v] - theirs[v]) for v in G) < 1e-12
    True
    """
    import numpy as np
    from networkx.algorithms.centrality.betweenness import _rescale
    from networkx.utils import create_py_random_state

    n = len(view.nodes)
    sources = None if k is None or k >= n else create_py_random_state(seed).sample(list(G.nodes()), k)
    vertices = np.arange(n) if sources is None else np.array([view.index[s] for s in sources], dtype=np.int64)
    raw = np.zeros(n)
    with progress(len(vertices), "betweenness") as bar:
        for chunk in np.array_split(vertices, min(BETWEENNESS_STEPS, len(vertices))) if len(vertices) else ():
            raw += view.graph.betweenness(directed=False, sources=chunk.tolist())
            bar.update(len(chunk))
    # igraph halves the pair sums of an undirected graph; NetworkX sums every source in full, then rescales
    return _rescale(view.values(2 * raw), n, normalized=True, directed=False, endpoints=False,
                    sampled_nodes=sources)


def closeness(view: IgraphView) -> dict:
    """NetworkX's closeness: igraph's (within the reachable set) scaled by Wasserman-Faust.

    >>> import networkx as nx
    >>> G = nx.Graph([(0, 1), (1, 2), (3, 4)])
    >>> closeness(to_igraph(G)) == nx.closeness_centrality(G)
    True
    """
    import numpy as np

    n = len(view.nodes)
    if n <= 1:
        return view.values([0.0] * n)
    components = view.graph.connected_components()
    reachable = np.asarray(components.sizes())[np.asarray(components.membership)]
    raw = np.asarray(view.graph.closeness(normalized=True), dtype=float)
    return view.values(np.where(np.isnan(raw), 0.0, np.nan_to_num(raw) * (reachable - 1) / (n - 1)))


def harmonic(view: IgraphView) -> dict:
    """Harmonic centrality divided by n - 1 (thbkg's scale of NetworkX's sum).

    >>> import networkx as nx
    >>> harmonic(to_igraph(nx.path_graph(3)))
    {0: 0.75, 1: 1.0, 2: 0.75}
    """
    if len(view.nodes) <= 1:
        return view.values([0.0] * len(view.nodes))
    return view.values(view.graph.harmonic_centrality(normalized=True))


def largest_component_vertices(view: IgraphView) -> list[int]:
    """Vertices of the largest component, ties broken as NetworkX's ``largest_component`` (smallest node).

    >>> import networkx as nx
    >>> largest_component_vertices(to_igraph(nx.Graph([("c", "d"), ("a", "b"), ("x", "x")])))
    [0, 1]
    """
    if not view.nodes:
        return []
    components = view.graph.connected_components()
    return min(components, key=lambda members: (-len(members), min(str(view.nodes[i]) for i in members)))


def eigenvector(view: IgraphView) -> dict:
    """Unweighted eigenvector centrality on the largest component (unit Euclidean norm), 0.0 elsewhere.

    >>> import networkx as nx
    >>> scores = eigenvector(to_igraph(nx.Graph([(0, 1), (1, 2), (3, 4)])))
    >>> [round(scores[v], 6) for v in range(5)]
    [0.5, 0.707107, 0.5, 0.0, 0.0]
    """
    import numpy as np

    values = np.zeros(len(view.nodes))
    members = largest_component_vertices(view)
    if len(members) == 2:
        values[members] = 2 ** -0.5  # as thbkg's NetworkX path: ARPACK is not asked about two nodes
    elif len(members) > 2:
        # copy_and_delete keeps the vertices in their order, so position i is members[i]
        sub = view.graph.induced_subgraph(members, implementation="copy_and_delete")
        with seeded(ARPACK_SEED):
            vector = np.abs(np.asarray(sub.eigenvector_centrality(weights=None), dtype=float))
        values[members] = vector / np.linalg.norm(vector)
    return view.values(values)


@contextmanager
def seeded(seed: int | None):
    """igraph's process-wide random generator seeded with *seed* inside the block (nothing when None).

    ARPACK starts from a random vector and Louvain visits the vertices in a random order: seeded,
    the same command gives the same figures to the last bit.

    >>> import igraph
    >>> with seeded(1):
    ...     first = igraph.Graph.Erdos_Renyi(20, 0.2).get_edgelist()
    >>> with seeded(1):
    ...     first == igraph.Graph.Erdos_Renyi(20, 0.2).get_edgelist()
    True
    """
    import random

    import igraph as ig

    if seed is None:
        yield
        return
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)  # igraph's default: the random module


def pagerank(view: IgraphView, alpha: float) -> dict:
    """Weighted PageRank (ARPACK): NetworkX's fixed point (see :func:`pagerank_tolerance`).

    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> ours, theirs = pagerank(to_igraph(G), 0.85), nx.pagerank(G, tol=1e-17, max_iter=10_000)
    >>> max(abs(ours[v] - theirs[v]) for v in G) < 1e-12
    True
    """
    if not view.nodes:
        return {}
    # ARPACK, not the default PRPACK, whose OpenMP threads spin for about a second on a busy machine
    with seeded(ARPACK_SEED):
        values = view.graph.pagerank(damping=alpha, weights="weight", directed=False, implementation="arpack")
    return view.values(values)


def kcore(view: IgraphView) -> dict:
    """Core numbers (NetworkX's ``core_number``) as floats.

    >>> import networkx as nx
    >>> kcore(to_igraph(nx.Graph([(0, 1), (1, 2), (0, 2), (2, 3)])))
    {0: 2.0, 1: 2.0, 2: 2.0, 3: 1.0}
    """
    return view.values(view.graph.coreness())


def clustering(view: IgraphView) -> dict:
    """Unweighted local clustering coefficient; 0.0 below two partners, as NetworkX.

    >>> import networkx as nx
    >>> clustering(to_igraph(nx.Graph([(0, 1), (1, 2), (0, 2), (2, 3)])))
    {0: 1.0, 1: 1.0, 2: 0.3333333333333333, 3: 0.0}
    """
    return view.values(view.graph.transitivity_local_undirected(mode="zero"))


def louvain_membership(view: IgraphView, seed: int | None = 42, resolution: float = 1.0,
                       weighted: bool = True) -> tuple[list[int], float]:
    """igraph's Louvain (``community_multilevel``) under a generator seeded with *seed*.

    Returns the community index of each vertex and the partition's modularity (by ``weight`` when
    *weighted*, at *resolution*; 0.0 without edges, as thbkg reports it).

    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    >>> membership, score = louvain_membership(to_igraph(G), seed=1)
    >>> membership, round(score, 4)
    ([0, 0, 0, 1, 1, 1], 0.3571)
    """
    if view.graph.ecount() == 0:
        return list(range(len(view.nodes))), 0.0
    weights = "weight" if weighted else None
    with seeded(seed):
        parts = view.graph.community_multilevel(weights=weights, resolution=resolution)
    membership = list(parts.membership)
    return membership, float(view.graph.modularity(membership, weights=weights, resolution=resolution))


def betweenness_subset(view: IgraphView, sources, targets) -> dict:
    """NetworkX's ``betweenness_centrality_subset(G.to_directed(), sources, targets, normalized=False)``.

    For each pair (s in *sources*, t in *targets*) the share of the shortest s-t paths (hops) through
    each node, summed over the pairs: the score of ``thbkg brokers``.

    >>> import networkx as nx
    >>> G = nx.Graph([("a1", "p"), ("a2", "p"), ("b", "p")])
    >>> betweenness_subset(to_igraph(G), ["a1", "a2"], ["b"])
    {'a1': 0.0, 'a2': 0.0, 'b': 0.0, 'p': 2.0}
    """
    import numpy as np

    raw = view.graph.betweenness(directed=False, sources=[view.index[s] for s in sources],
                                 targets=[view.index[t] for t in targets])
    # igraph halves each pair of an undirected graph; NetworkX's directed view counts s -> t in full
    return view.values(2 * np.asarray(raw, dtype=float))
