"""Graph helpers shared by every analytics module: NetworkX backends and the simple-graph view.

They live below :mod:`~thbkg.graph.analytics.centrality`, :mod:`~thbkg.graph.analytics.brokers` and
:mod:`~thbkg.graph.analytics.communities`, so those modules never import each other in a circle.
"""

from __future__ import annotations

import networkx as nx

from thbkg.graph.errors import UsageError


def installed_backends() -> list[str]:
    """Names of the NetworkX backends installed here (``networkx`` itself always works).

    >>> "networkx" in installed_backends()
    True
    """
    from networkx.utils import backends as nx_backends

    return sorted(set(getattr(nx_backends, "backends", {})) | {"networkx"})


def check_backend(backend: str | None) -> None:
    """Raise :class:`UsageError` unless *backend* is ``None`` or an installed backend."""
    if backend is None:
        return
    names = installed_backends()
    if backend not in names:
        raise UsageError(f"NetworkX backend {backend!r} is not installed (installed: {', '.join(names)}); "
                         f"install it, e.g. 'pip install nx-{backend}'")


def simple_graph(G) -> nx.Graph:
    """Undirected simple copy of *G* without self-loops; parallel/opposite edge weights are summed.

    Nodes keep their attributes and are inserted in sorted order.
    """
    if not G.is_directed() and not G.is_multigraph() and nx.number_of_selfloops(G) == 0:
        return G
    H = nx.Graph(**G.graph)
    for node in sorted(G.nodes):
        H.add_node(node, **G.nodes[node])
    for u, v, data in G.edges(data=True):
        if u == v:
            continue
        weight = data.get("weight", 1.0)
        if H.has_edge(u, v):
            H[u][v]["weight"] += weight
        else:
            H.add_edge(u, v, weight=weight)
    return H
