"""Community detection on the cooperation graph: Louvain with a seed, reporting modularity.

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

from thbkg.graph.analytics.graphs import check_backend, simple_graph


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
    """

    communities: tuple
    modularity: float
    membership: dict
    seed: int | None
    resolution: float
    weight: str | None


def louvain(G, seed: int | None = 42, resolution: float = 1.0, weight: str | None = "weight",
            backend: str | None = None) -> Communities:
    """Louvain communities (:func:`networkx.community.louvain_communities`) and their modularity.

    Edge ``weight`` (tie strength) is used when present. Isolated actors form singleton
    communities. The same seed gives the same partition.
    """
    check_backend(backend)
    H = simple_graph(G)
    if weight and not any(weight in d for _, _, d in H.edges(data=True)):
        weight = None
    kwargs = {"backend": backend} if backend else {}
    parts = nx.community.louvain_communities(H, weight=weight, resolution=resolution, seed=seed, **kwargs)
    communities = tuple(sorted((tuple(sorted(p)) for p in parts), key=lambda c: (-len(c), c[0])))
    score = nx.community.modularity(H, [set(c) for c in communities], weight=weight, resolution=resolution) \
        if H.number_of_edges() else 0.0
    membership = {node: i for i, members in enumerate(communities) for node in members}
    return Communities(communities=communities, modularity=float(score),
                       membership=dict(sorted(membership.items())), seed=seed,
                       resolution=resolution, weight=weight)
