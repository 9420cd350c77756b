"""Brokers and single points of failure.

* :func:`articulation_points` and :func:`bridges`: actors and ties whose removal splits the
  cooperation graph (NetworkX); :func:`cut_vertices` and :func:`cut_ties` say by how much (the
  pieces left, the actors cut off), for the report.
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

from collections import Counter

import networkx as nx

from thbkg.graph.analytics.graphs import check_backend, simple_graph

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



def cut_vertices(graph) -> list[dict]:
    """Articulation points with the number of pieces their component falls into without them.

    A cut vertex ``v`` splits its component into as many pieces as there are biconnected blocks
    containing ``v``, so one pass over the blocks (linear time) gives every count.

    Returns
    -------
    list of dict
        ``{"id", "pieces", "components_before", "components_after"}``, most pieces first.

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("b", "d"), ("d", "e")])
    >>> [(r["id"], r["pieces"], r["components_after"]) for r in cut_vertices(G)]
    [('b', 3, 3), ('d', 2, 2)]
    """
    base = nx.number_connected_components(graph)
    blocks = Counter(node for block in nx.biconnected_components(graph) for node in block)
    rows = [{"id": v, "pieces": blocks[v], "components_before": base, "components_after": base - 1 + blocks[v]}
            for v in nx.articulation_points(graph)]
    return sorted(rows, key=lambda r: (-r["pieces"], str(r["id"])))


def cut_ties(graph) -> list[dict]:
    """Bridges with the number of actors on the smaller side (``cut_off``), largest cut first.

    Contracting the 2-edge-connected pieces gives a forest whose edges are the bridges; the size
    below each forest edge is the side cut off. Linear time.

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")])
    >>> [(r["u"], r["v"], r["cut_off"]) for r in cut_ties(G)]
    [('c', 'd', 2), ('d', 'e', 1)]
    """
    bridge_list = [tuple(sorted(e, key=str)) for e in nx.bridges(graph)]
    if not bridge_list:
        return []
    rest = graph.copy()
    rest.remove_edges_from(bridge_list)
    piece_of, sizes = {}, []
    for i, comp in enumerate(nx.connected_components(rest)):
        sizes.append(len(comp))
        piece_of.update(dict.fromkeys(comp, i))
    tree = nx.Graph()
    tree.add_nodes_from(range(len(sizes)))
    for u, v in bridge_list:
        tree.add_edge(piece_of[u], piece_of[v], bridge=(u, v))
    cut = {}
    for comp in nx.connected_components(tree):
        cut.update(_cuts_below(tree, comp, sizes))
    rows = [{"u": u, "v": v, "cut_off": cut[(u, v)]} for u, v in bridge_list]
    return sorted(rows, key=lambda r: (-r["cut_off"], str(r["u"]), str(r["v"])))


def _cuts_below(tree, comp, sizes) -> dict:
    """Bridge -> actors on its smaller side, for one tree of the bridge forest (see :func:`cut_ties`)."""
    total = sum(sizes[i] for i in comp)
    root = min(comp)
    parent: dict = {root: None}
    for a, b in nx.dfs_edges(tree, root):
        parent[b] = a
    below: dict = {}
    cut: dict = {}
    for node in nx.dfs_postorder_nodes(tree, root):
        below[node] = sizes[node] + sum(below[c] for c in tree[node] if parent.get(c) == node)
        if parent[node] is not None:
            cut[tree.edges[node, parent[node]]["bridge"]] = min(below[node], total - below[node])
    return cut


#: Above this many actors, Burt's measures avoid NetworkX's all-nodes matrix paths: its effective size
#: builds three dense n-by-n arrays (9.6 GB at 20,000 actors) and its constraint squares the sparse
#: adjacency matrix at once (nearly n-by-n when hubs put most actors two steps apart). Above the
#: limit, effective size uses Borgatti's formula (:func:`borgatti_effective_size`, the same value for
#: the unweighted measure) and constraint is computed in row blocks (:func:`blocked_constraint`).
DENSE_BURT_LIMIT = 2_000
#: Most entries of one row block of the squared adjacency matrix held at once by
#: :func:`blocked_constraint` (about 12 bytes each).
BLOCK_ENTRIES = 10_000_000


def burt(G, weight: str | None = "weight", backend: str | None = None) -> dict:
    """Burt's structural-hole measures per node: ``{"constraint": .., "effective_size": ..}``.

    Constraint uses tie strength (``weight``) when present; effective size is unweighted
    (Borgatti's simplification, as in NetworkX). Isolates get ``nan`` for both, as in NetworkX.
    Above :data:`DENSE_BURT_LIMIT` actors (and without a backend) both are computed without
    NetworkX's all-nodes matrices, in memory linear in the number of ties.
    """
    check_backend(backend)
    H = simple_graph(G)
    if weight and not any(weight in d for _, _, d in H.edges(data=True)):
        weight = None
    constraint = burt_constraint(H, weight=weight, backend=backend)
    effective = burt_effective_size(H, backend=backend)
    return {node: {"constraint": float(constraint[node]), "effective_size": float(effective[node])}
            for node in sorted(H.nodes)}


def burt_constraint(H, weight: str | None = None, backend: str | None = None) -> dict:
    """Burt's constraint of every node of the simple graph *H* (NetworkX's values), in linear memory
    above :data:`DENSE_BURT_LIMIT` nodes."""
    if backend is None and H.number_of_nodes() > DENSE_BURT_LIMIT:
        return blocked_constraint(H, weight=weight)
    return nx.constraint(H, weight=weight, **({"backend": backend} if backend else {}))


def burt_effective_size(H, backend: str | None = None) -> dict:
    """Burt's (unweighted) effective size of every node of the simple graph *H*, in linear memory
    above :data:`DENSE_BURT_LIMIT` nodes."""
    if backend is None and H.number_of_nodes() > DENSE_BURT_LIMIT:
        return borgatti_effective_size(H)
    return nx.effective_size(H, **({"backend": backend} if backend else {}))


def blocked_constraint(graph, weight: str | None = "weight", block_entries: int = BLOCK_ENTRIES) -> dict:
    """Burt's constraint of every node of an undirected simple graph, NetworkX's formula in row blocks.

    ``c(v) = sum over partners w of (p_vw + sum_q p_vq p_qw) ** 2`` with ``p`` the tie weights
    normalised by each row's sum. NetworkX squares the whole matrix ``p`` at once; here a block
    of rows at a time, keeping only the entries of ties, so memory stays near *block_entries*.
    Isolates get ``nan``, as in NetworkX.

    >>> G = nx.Graph([("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")])
    >>> expected = nx.constraint(G)
    >>> got = blocked_constraint(G, weight=None, block_entries=4)
    >>> all(abs(got[v] - expected[v]) < 1e-12 for v in G)
    True
    """
    import numpy as np

    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}
    P = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=weight, format="csr", dtype=float)
    sums = np.asarray(P.sum(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(sums > 0, 1.0 / sums, 0.0)
    M = P.multiply(scale[:, np.newaxis]).tocsr()
    values = np.empty(n)
    rows_per_block = max(1, block_entries // n)
    for start in range(0, n, rows_per_block):
        rows = M[start:start + rows_per_block]
        local = (rows + rows @ M).multiply(rows > 0)  # only the entries of ties count
        values[start:start + rows.shape[0]] = np.asarray(local.power(2).sum(axis=1)).ravel()
    values[sums == 0] = float("nan")
    return dict(zip(nodes, values.tolist(), strict=True))


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
