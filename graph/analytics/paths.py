"""Shortest cooperation paths between two actors, with the link records behind every hop.

A path runs over the cooperation graph (one edge per pair of actors, direction ignored): two
actors are one hop apart when at least one kept link record ties them. Paths are listed in
sorted order of their actor ids, so the output is deterministic.
"""

from __future__ import annotations

from itertools import islice, pairwise

import networkx as nx

from thbkg.graph.network.projections import Network, resolve_actor

#: How many shortest paths are enumerated at most before sorting (guards against explosions).
ENUMERATION_CAP = 10_000


def hop_records(network: Network, u: str, v: str, graph=None) -> dict:
    """The hop ``u - v``: the pair's summary and each link record (type, dates, status, sources)."""
    graph = graph if graph is not None else network.cooperation_graph()
    data = graph[u][v]
    by_id = {link["id"]: link for link in network.links}
    links = []
    for link_id in data["links"]:
        link = by_id[link_id]
        links.append({key: link[key] for key in ("id", "subject", "object", "type", "role", "start", "end",
                                                 "status", "confidence", "date_confidence")}
                     | {"sources": list(link["sources"]), "label": link["label"]})
    return {"from": u, "to": v, "types": list(data["types"]), "confidence": data["confidence"],
            "links": links}


def shortest_paths(network: Network, source: str, target: str, *, all_paths: bool = False,
                   max_paths: int = 10, graph=None) -> list[dict]:
    """Shortest cooperation paths from *source* to *target* (actor ids or labels).

    Parameters
    ----------
    all_paths : bool
        All shortest paths (up to *max_paths*) instead of the first one in sorted order.
    max_paths : int
        Cap on the number of paths returned with ``all_paths``.

    Returns
    -------
    list of dict
        ``{"actors": [ids], "labels": [labels], "length": hops, "hops": [hop_records(...)]}``;
        empty when the two actors are not connected.

    Raises
    ------
    UsageError
        Unknown actor, or the same actor twice.

    Examples
    --------
    >>> from thbkg.graph.network.projections import Network
    >>> rec = dict(type="membership", role=None, start="2014", end=None, status="active", confidence="high",
    ...            date_confidence=None, label=None, family="membership", start_day=None, end_day=None)
    >>> net = Network(actors={a: {"id": a, "label": a.upper()} for a in "abc"},
    ...               links=[dict(rec, id="l1", subject="a", object="b", sources=("s",)),
    ...                      dict(rec, id="l2", subject="c", object="b", sources=("s",))])
    >>> [p["actors"] for p in shortest_paths(net, "a", "c")]
    [['a', 'b', 'c']]
    """
    from thbkg.graph.errors import UsageError

    source = resolve_actor(network, source)
    target = resolve_actor(network, target)
    if source == target:
        raise UsageError(f"'{source}' is given twice: a path needs two different actors")
    if max_paths < 1:
        raise UsageError(f"--max must be at least 1 (got {max_paths})")
    graph = graph if graph is not None else network.cooperation_graph()
    try:
        found = sorted(islice(nx.all_shortest_paths(graph, source, target), ENUMERATION_CAP))
    except nx.NetworkXNoPath:
        return []
    found = found[:max_paths] if all_paths else found[:1]
    return [{"actors": path, "labels": [network.label(a) for a in path], "length": len(path) - 1,
             "hops": [hop_records(network, u, v, graph) for u, v in pairwise(path)]}
            for path in found]
