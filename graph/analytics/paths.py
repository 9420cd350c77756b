"""Shortest cooperation paths between two actors, with the evidence behind every hop.

A path runs over the cooperation graph (:meth:`~thbkg.graph.network.projections.Network.cooperation_graph`,
direction ignored). In the default actor view two actors are one hop apart when a link record in force
ties them (a *direct link*) or when both are tied to the same framework (a *shared framework*: a treaty,
regional process, network or platform; edge attribute ``frameworks``); with ``frameworks="as-nodes"``
frameworks are nodes and every hop is a direct link. Each hop lists the link records behind it, and for
a shared framework the links that tie each of the two actors to it, each with its evidence
(:func:`~thbkg.graph.analytics.evidence.link_evidence`): the grade of every source, the basis of its
date and its note. Paths are listed in sorted order of their actor ids, so the output is deterministic.
"""

from __future__ import annotations

from itertools import islice, pairwise

import networkx as nx

from thbkg.graph.analytics.evidence import link_evidence
from thbkg.graph.network.projections import Network, resolve_actor

#: How many shortest paths are enumerated at most before sorting (guards against explosions).
ENUMERATION_CAP = 10_000
#: What a hop rests on (``via`` of :func:`hop_records`): a direct link, a shared framework, both, or neither
#: (an edge of a graph that carries no link record, e.g. one built by hand).
VIA = ("link", "framework", "link+framework", "none")
#: Fields of a link record copied into a hop.
LINK_FIELDS = ("id", "subject", "object", "type", "role", "start", "end", "status", "confidence", "date_confidence")


def link_entry(link: dict, sources: dict) -> dict:
    """A link record as a hop shows it: its fields, its sources and their evidence grades.

    Returns
    -------
    dict
        The fields of :data:`LINK_FIELDS`, ``label``, ``sources`` (ids, as in the table), ``grades``
        (each source's ``id``, ``title``, ``url``, ``kind``, ``label`` and ``documentary``, strongest
        first), ``documentary`` (at least one document read), ``rests_on`` (documents, placeholders,
        ungraded or none), ``date_basis`` (e.g. ``2012, from memory (unverified)``) and ``note``.

    Examples
    --------
    >>> link = {"id": "l1", "subject": "ng", "object": "frontex", "type": "working_arrangement",
    ...         "start": "2012", "date_confidence": "low", "sources": ("mem", "page"), "note": None}
    >>> sources = {"mem": {"id": "mem", "title": "from memory", "kind": "memory"},
    ...            "page": {"id": "page", "title": "Frontex page", "kind": "official_page"}}
    >>> entry = link_entry(link, sources)
    >>> entry["date_basis"], [(g["id"], g["label"]) for g in entry["grades"]], entry["documentary"]
    ('2012, from memory (unverified)', [('page', 'official page or press release'), ('mem', 'memory (unverified)')], True)
    """
    evidence = link_evidence(link, sources)
    return ({key: link.get(key) for key in LINK_FIELDS}
            | {"label": link.get("label"), "sources": list(link.get("sources") or ()),
               "grades": [{key: grade[key] for key in ("id", "title", "url", "kind", "label", "documentary")}
                          for grade in evidence["grades"]],
               "documentary": evidence["documentary"], "rests_on": evidence["rests_on"],
               "date_basis": evidence["date"], "note": evidence["note"]})


class _HopIndex:
    """The link records by id, and the ties in force between each actor and each framework."""

    def __init__(self, network: Network):
        from thbkg.graph.network.affiliations import tie_links

        self.by_id = {link["id"]: link for link in network.links}
        self.to_framework: dict[tuple[str, str], list[dict]] = {}
        for link in tie_links(network)[0]:
            for actor, framework in ((link["subject"], link["object"]), (link["object"], link["subject"])):
                self.to_framework.setdefault((actor, framework), []).append(link)


def hop_records(network: Network, u: str, v: str, graph=None, index=None) -> dict:
    """The hop ``u - v``: how the two actors are tied, and the evidence for it.

    Parameters
    ----------
    network : Network
    u, v : str
        Actor ids, adjacent in *graph*.
    graph : networkx.Graph, optional
        Default ``network.cooperation_graph()``.
    index : optional
        Reused across the hops of :func:`shortest_paths` (built when not given).

    Returns
    -------
    dict
        ``from``, ``to``, ``via`` (one of :data:`VIA`), ``types`` and ``confidence`` (of the direct
        links), ``links`` (the direct link records, each a :func:`link_entry`) and ``frameworks`` (the
        shared frameworks: ``id``, ``label`` and ``links``, the records that tie *u* and *v* to it).

    Examples
    --------
    A platform ``p`` with members ``a`` and ``b``, no direct link between them:

    >>> rec = dict(type="membership", role=None, start="2014", end=None, status="active", confidence="high",
    ...            date_confidence=None, label=None, family="membership", start_day=None, end_day=None,
    ...            sources=("s",), note="listed as a member")
    >>> net = Network(actors={"a": {"id": "a", "label": "A", "type": "country"},
    ...                       "b": {"id": "b", "label": "B", "type": "country"},
    ...                       "p": {"id": "p", "label": "Platform P", "type": "platform"}},
    ...               links=[dict(rec, id="l1", subject="a", object="p"), dict(rec, id="l2", subject="b", object="p")],
    ...               sources={"s": {"id": "s", "title": "Members page", "kind": "official_page"}})
    >>> hop = hop_records(net, "a", "b")
    >>> hop["via"], hop["links"], [(f["label"], [l["id"] for l in f["links"]]) for f in hop["frameworks"]]
    ('framework', [], [('Platform P', ['l1', 'l2'])])
    """
    graph = graph if graph is not None else network.cooperation_graph()
    index = index if index is not None else _HopIndex(network)
    data = graph[u][v]
    links = [link_entry(index.by_id[link_id], network.sources) for link_id in data.get("links") or ()]
    frameworks = []
    for framework in data.get("frameworks") or ():
        ties = sorted(index.to_framework.get((u, framework), []) + index.to_framework.get((v, framework), []),
                      key=lambda link: (link["subject"] != u and link["object"] != u, link["id"]))
        frameworks.append({"id": framework, "label": network.label(framework),
                           "links": [link_entry(link, network.sources) for link in ties]})
    via = "+".join(kind for kind, present in (("link", links), ("framework", frameworks)) if present) or "none"
    return {"from": u, "to": v, "via": via, "types": list(data.get("types") or ()),
            "confidence": data.get("confidence"), "links": links, "frameworks": frameworks}


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
        empty when the two actors are not connected. The graph is the network's default view
        (``network.filters.frameworks``): frameworks are not intermediate actors unless it is
        ``"as-nodes"``.

    Raises
    ------
    UsageError
        Unknown actor, the same actor twice, or a framework in the actor view (not a node there).

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
    for end in (source, target):
        if end not in graph:  # kept, but not a node: a framework in the actor view
            kind = (network.actors.get(end) or {}).get("type") or "framework"
            raise UsageError(f"'{end}' ({network.label(end)}) is a framework ({kind}), not an actor: in the actor "
                             "view frameworks are not nodes; ask for a path between two actors, or use "
                             "--frameworks as-nodes")
    try:
        found = sorted(islice(nx.all_shortest_paths(graph, source, target), ENUMERATION_CAP))
    except nx.NetworkXNoPath:
        return []
    found = found[:max_paths] if all_paths else found[:1]
    index = _HopIndex(network)
    return [{"actors": path, "labels": [network.label(a) for a in path], "length": len(path) - 1,
             "hops": [hop_records(network, u, v, graph, index) for u, v in pairwise(path)]}
            for path in found]
