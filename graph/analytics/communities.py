"""Community detection on the cooperation graph: Louvain with a seed, reporting modularity.

NetworkX's Louvain (:func:`networkx.community.louvain_communities`) or igraph's
(``community_multilevel``, :func:`~thbkg.graph.analytics.engines.louvain_membership`): the same
method and a partition of the same quality (modularity within 0.01 in the tests), though not
necessarily the same partition. ``engine="auto"`` picks igraph above
:data:`~thbkg.graph.analytics.engines.AUTO_ENGINE_NODES` nodes; the result says which ran.

>>> import networkx as nx
>>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
>>> result = louvain(G, seed=1)
>>> result.communities
(('a', 'b', 'c'), ('x', 'y', 'z'))
>>> round(result.modularity, 4)
0.3571
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from thbkg.graph.analytics import engines
from thbkg.graph.analytics.graphs import check_backend, simple_graph
from thbkg.graph.errors import UsageError


@dataclass(frozen=True)
class Communities:
    """Result of :func:`louvain`.

    Attributes
    ----------
    communities : tuple of tuple
        Member ids (sorted) of each community, largest first (ties: smallest first member).
    modularity : float
        Newman–Girvan modularity of this partition (weighted, at ``resolution``).
    membership : dict
        Node -> index into ``communities``.
    seed, resolution, weight :
        The parameters used, for reproducibility.
    engine : str
        ``"networkx"`` or ``"igraph"``: which Louvain found the partition.
    """

    communities: tuple
    modularity: float
    membership: dict
    seed: int | None
    resolution: float
    weight: str | None
    engine: str = "networkx"


def louvain(G, seed: int | None = 42, resolution: float = 1.0, weight: str | None = "weight",
            backend: str | None = None, engine: str = "auto") -> Communities:
    """Louvain communities and their modularity.

    Edge ``weight`` (tie strength) is used when present. Isolated actors form singleton
    communities. The same seed gives the same partition. *engine* (``auto``, ``networkx`` or
    ``igraph``) chooses whose Louvain runs (see the module's docstring); a *backend* means NetworkX.

    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> ours, theirs = louvain(G, engine="igraph"), louvain(G, engine="networkx")
    >>> ours.engine, ours.modularity >= theirs.modularity - 0.01, sorted(ours.membership) == sorted(G)
    ('igraph', True, True)
    """
    check_backend(backend)
    H = simple_graph(G)
    if weight and not any(weight in d for _, _, d in H.edges(data=True)):
        weight = None
    chosen = _engine(H, weight, engine, backend)
    if chosen == "igraph":
        parts, score = _igraph_louvain(H, seed, resolution, weighted=weight is not None)
    else:
        kwargs = {"backend": backend} if backend else {}
        parts = nx.community.louvain_communities(H, weight=weight, resolution=resolution, seed=seed, **kwargs)
        score = None
    communities = tuple(sorted((tuple(sorted(p)) for p in parts), key=lambda c: (-len(c), c[0])))
    if score is None:
        score = nx.community.modularity(H, [set(c) for c in communities], weight=weight, resolution=resolution) \
            if H.number_of_edges() else 0.0
    membership = {node: i for i, members in enumerate(communities) for node in members}
    return Communities(communities=communities, modularity=float(score),
                       membership=dict(sorted(membership.items())), seed=seed,
                       resolution=resolution, weight=weight, engine=chosen)


def _engine(H, weight: str | None, engine: str, backend: str | None) -> str:
    """The engine for Louvain on *H*; igraph's conversion carries only the ``weight`` attribute."""
    chosen = engines.metric_engine("communities", H.number_of_nodes(), engine, backend)
    if chosen == "igraph" and weight not in (None, "weight"):
        if engine == "igraph":
            raise UsageError(f"--engine igraph weighs ties by 'weight' only (asked: {weight!r})")
        return "networkx"
    return chosen


def _igraph_louvain(H, seed, resolution: float, weighted: bool) -> tuple[list[set], float]:
    """igraph's Louvain on *H*: the communities as node sets, and their modularity."""
    view = engines.to_igraph(H)
    membership, score = engines.louvain_membership(view, seed, resolution, weighted=weighted)
    parts: dict[int, set] = {}
    for node, part in zip(view.nodes, membership, strict=True):
        parts.setdefault(part, set()).add(node)
    return list(parts.values()), score
