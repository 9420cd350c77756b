"""Brokers and single points of failure.

* :func:`articulation_points` and :func:`bridges`: actors and ties whose removal splits the
  cooperation graph (NetworkX).
* :func:`burt`: Burt's constraint and effective size (:func:`networkx.constraint`,
  :func:`networkx.effective_size`).
* :func:`brokerage_roles`: Gould–Fernandez brokerage roles on the *directed* multigraph
  (subject -> object), by actor type. NetworkX has no implementation, so it is written here.

Gould–Fernandez brokerage (Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation: a
formal approach to brokerage in transaction networks. *Sociological Methodology* 19, 89–126.)
------------------------------------------------------------------------------------------
Actor ``b`` *brokers* for the ordered pair ``(a, c)`` when ``a -> b -> c``, ``a != c`` and there
is no direct tie ``a -> c`` (an "open two-path"; parallel links count once). With groups
``g(.)`` (here the actor type), each such two-path gives ``b`` one of five roles:

============== ===================== ====================================
role           groups (a -> b -> c)  meaning
============== ===================== ====================================
coordinator    A -> A -> A           mediates inside its own group
itinerant      A -> B -> A           mediates inside another group (a.k.a. consultant)
representative A -> A -> B           carries its group's contact outward
gatekeeper     A -> B -> B           lets an outsider's contact into its group
liaison        A -> B -> C           mediates between two groups, neither its own
============== ===================== ====================================

This matches ``sna::brokerage`` (``raw.nli``) in R. Hand-checkable example: countries ``x`` and
``y`` sign with agency ``p`` (``x -> p``, ``y -> p``), ``p`` joins platform ``f`` (``p -> f``):

>>> import networkx as nx
>>> D = nx.DiGraph([("x", "p"), ("y", "p"), ("p", "f")])
>>> groups = {"x": "country", "y": "country", "p": "eu_agency", "f": "platform"}
>>> roles = brokerage_roles(D, groups)
>>> roles["p"]["liaison"], roles["p"]["total"]
(2, 2)

``p`` brokers ``x -> f`` and ``y -> f``, three different types each time: two liaison roles.
"""

from __future__ import annotations

import networkx as nx

from thbkg.graph.analytics.centrality import check_backend, simple_graph

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


def articulation_points(G) -> list:
    """Sorted actors whose removal increases the number of connected components.

    >>> articulation_points(nx.path_graph(["a", "b", "c"]))
    ['b']
    """
    return sorted(nx.articulation_points(simple_graph(G)))


def bridges(G) -> list[tuple]:
    """Sorted ties ``(u, v)`` (``u < v``) whose removal increases the number of components.

    >>> bridges(nx.Graph([("b", "a"), ("a", "c"), ("b", "c"), ("c", "d")]))
    [('c', 'd')]
    """
    return sorted(tuple(sorted(edge)) for edge in nx.bridges(simple_graph(G)))


DENSE_BURT_LIMIT = 20_000  # above this many actors, effective size by Borgatti's formula


def burt(G, weight: str | None = "weight", backend: str | None = None) -> dict:
    """Burt's structural-hole measures per node: ``{"constraint": .., "effective_size": ..}``.

    Constraint uses tie strength (``weight``) when present; effective size is unweighted
    (Borgatti's simplification, as in NetworkX). Isolates get ``nan`` for both, as in NetworkX.
    """
    check_backend(backend)
    H = simple_graph(G)
    if weight and not any(weight in d for _, _, d in H.edges(data=True)):
        weight = None
    kwargs = {"backend": backend} if backend else {}
    constraint = nx.constraint(H, weight=weight, **kwargs)
    if backend is None and H.number_of_nodes() > DENSE_BURT_LIMIT:
        # NetworkX's all-nodes path builds a dense n-by-n matrix (75 GiB at 100,000 actors)
        effective = borgatti_effective_size(H)
    else:
        effective = nx.effective_size(H, **kwargs)
    return {node: {"constraint": float(constraint[node]), "effective_size": float(effective[node])}
            for node in sorted(H.nodes)}


def borgatti_effective_size(graph):
    """Burt's effective size of every node of an undirected graph, by Borgatti's formula
    ``n - 2t/n`` (n partners, t ties among them); ``nan`` for isolates, as in NetworkX.

    >>> G = nx.Graph([("a", "b"), ("a", "c"), ("a", "d"), ("b", "c")])
    >>> borgatti_effective_size(G)["a"]
    2.3333333333333335
    """
    neighbours = {v: set(graph[v]) - {v} for v in graph}
    result = {}
    for v, partners in neighbours.items():
        n = len(partners)
        if n == 0:
            result[v] = float("nan")
            continue
        ties = sum(len(partners & neighbours[u]) for u in partners) / 2  # set & costs min(len)
        result[v] = n - 2 * ties / n
    return result


def role_of(source_group, broker_group, target_group) -> str:
    """Gould–Fernandez role of a broker given the three groups of ``a -> b -> c``.

    >>> [role_of(*g) for g in ("AAA", "ABA", "AAB", "ABB", "ABC")]
    ['coordinator', 'itinerant', 'representative', 'gatekeeper', 'liaison']
    """
    if source_group == broker_group:
        return "coordinator" if broker_group == target_group else "representative"
    if broker_group == target_group:
        return "gatekeeper"
    return "itinerant" if source_group == target_group else "liaison"


def brokerage_roles(D, groups=None, group_attribute: str = "type") -> dict:
    """Gould–Fernandez brokerage role counts for every node of a directed graph.

    Parameters
    ----------
    D : networkx.DiGraph or networkx.MultiDiGraph
        Directed ties (subject -> object); parallel edges and self-loops are ignored.
    groups : dict, optional
        Node -> group. Default: the node attribute ``group_attribute`` (actor type); nodes
        without a group form the group ``None``.

    Returns
    -------
    dict
        Node -> ``{"coordinator", "itinerant", "representative", "gatekeeper", "liaison",
        "total"}`` counts, nodes sorted.
    """
    if not D.is_directed():
        raise ValueError("brokerage roles need a directed graph (use Network.multigraph())")
    if groups is None:
        groups = dict(D.nodes(data=group_attribute))
    successors = {node: set(D.successors(node)) - {node} for node in D.nodes}
    predecessors = {node: set(D.predecessors(node)) - {node} for node in D.nodes}
    result = {}
    for broker in sorted(D.nodes):
        counts = dict.fromkeys(ROLES, 0)
        broker_group = groups.get(broker)
        for source in predecessors[broker]:
            source_succ = successors[source]
            source_group = groups.get(source)
            for target in successors[broker]:
                if target == source or target in source_succ:
                    continue
                counts[role_of(source_group, broker_group, groups.get(target))] += 1
        counts["total"] = sum(counts.values())
        result[broker] = counts
    return result
