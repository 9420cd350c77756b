"""Brokers and single points of failure.

* :func:`articulation_points` and :func:`bridges`: actors and ties whose removal splits the
  cooperation graph (NetworkX); :func:`cut_vertices` and :func:`cut_ties` say by how much (the
  pieces left, the actors cut off), for the report.
* :func:`burt`: Burt's constraint and effective size (:func:`networkx.constraint`,
  :func:`networkx.effective_size`).
* :func:`brokerage_roles`: Gould–Fernandez brokerage roles on the *directed* multigraph
  (subject -> object), by actor type. NetworkX has no implementation, so it is written here.
* :func:`group_brokers`: who lies between two groups of actors (``thbkg brokers --between A --and B``):
  betweenness restricted to paths from one group to the other, the Gould–Fernandez roles that cross
  the two groups, and each broker's paths with the link records behind every hop.

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

import heapq
from collections import Counter
from itertools import islice, pairwise

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
    rest = _structure(graph)  # the pieces need no attributes (a copy of them took 300 MB at 20,000 actors)
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


def _structure(graph) -> nx.Graph:
    """The nodes and edges of the undirected *graph* without their attributes, inserted in the order of
    ``graph.copy()`` (so the same neighbours come in the same order).

    >>> G = nx.Graph([("b", "a", {"weight": 2}), ("a", "c")])
    >>> H = _structure(G)
    >>> list(H.edges(data=True)), [list(H[n]) for n in H] == [list(G[n]) for n in G]
    ([('b', 'a', {}), ('a', 'c', {})], True)
    """
    H = nx.Graph()
    H.add_nodes_from(graph)
    H.add_edges_from((u, v) for u, neighbours in graph.adjacency() for v in neighbours)
    return H


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


def brokerage_roles(D, groups=None, group_attribute: str = "type", across: tuple | None = None) -> dict:
    """Gould–Fernandez brokerage role counts for every node of a directed graph.

    Parameters
    ----------
    D : networkx.DiGraph or networkx.MultiDiGraph
        Directed ties (subject -> object); parallel edges and self-loops are ignored.
    groups : dict, optional
        Node -> group. Default: the node attribute ``group_attribute`` (actor type); nodes
        without a group form the group ``None``.
    across : (group, group), optional
        Count only the two-paths ``a -> b -> c`` that run from one of these two groups to the
        other (either way). They can only be representative, gatekeeper or liaison roles.

    Returns
    -------
    dict
        Node -> ``{"coordinator", "itinerant", "representative", "gatekeeper", "liaison",
        "total"}`` counts, nodes sorted.

    Examples
    --------
    ``x`` (group A) reaches ``y`` (group B) through ``p``, and ``z`` (group A) through ``p`` too:

    >>> D = nx.DiGraph([("x", "p"), ("p", "y"), ("p", "z")])
    >>> groups = {"x": "A", "y": "B", "z": "A", "p": "other"}
    >>> brokerage_roles(D, groups)["p"]["total"], brokerage_roles(D, groups, across=("A", "B"))["p"]
    (2, {'coordinator': 0, 'itinerant': 0, 'representative': 0, 'gatekeeper': 0, 'liaison': 1, 'total': 1})
    """
    if not D.is_directed():
        raise ValueError("brokerage roles need a directed graph (use Network.multigraph())")
    if groups is None:
        groups = dict(D.nodes(data=group_attribute))
    crossing = None
    if across is not None:
        first, second = across
        crossing = {(first, second), (second, first)}
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
                if crossing is not None and (source_group, groups.get(target)) not in crossing:
                    continue
                counts[role_of(source_group, broker_group, groups.get(target))] += 1
        counts["total"] = sum(counts.values())
        result[broker] = counts
    return result


# ---------------------------------------------------------------------- brokers between two groups
#: The roles a two-path from one group to the other can give its broker.
CROSSING_ROLES = ("representative", "gatekeeper", "liaison")
#: Most shortest paths enumerated between two actors when a broker's paths are drawn.
PATH_ENUMERATION_CAP = 1_000
#: Most (member of A, member of B) pairs tried per broker when looking for its paths.
PAIRS_TRIED_CAP = 100_000
NORMALISATION = ("score = the sum, over every pair (a in A, b in B), of the share of the shortest a-b paths "
                 "that pass through the actor (each pair counted once; paths counted in hops, ties unweighted: "
                 "networkx.betweenness_centrality_subset on the directed view of the actor graph, "
                 "normalized=False); share = score / the number of connected (a, b) pairs")
IN_GROUP_RULE = ("members of A or B that lie inside a shortest path between two other members count as brokers "
                 "and are flagged in_group; actors in both groups are left out of both and may broker")
ROLES_RULE = ("Gould-Fernandez roles on the directed multigraph of the ties in force (subject -> object), groups "
              "A, B and other; only the open two-paths a -> broker -> c with a in one group and c in the other "
              "count: representative (broker in a's group), gatekeeper (broker in c's group), liaison (in neither)")


def group_brokers(network, group_a, group_b, *, top: int = 15, max_paths: int = 3) -> tuple[list[dict], dict]:
    """The actors that lie between two groups of actors, their roles and their paths.

    Computed on the default actor graph, ``network.cooperation_graph()`` (frameworks are not nodes
    unless the filters say ``frameworks="as-nodes"``):

    1. *score*: betweenness restricted to shortest paths from a member of *group_a* to a member of
       *group_b*: for each pair ``(a, b)``, the share of the shortest ``a``–``b`` paths through the
       actor, summed over the pairs (each pair once, paths in hops). *share* divides it by the
       number of connected pairs. Brokers are the actors with a score above 0.
    2. *roles*: the Gould–Fernandez roles (:func:`brokerage_roles`) on ``network.multigraph()`` with
       the groups ``A``, ``B`` and ``other``, counting only the two-paths from one group to the
       other (:data:`ROLES_RULE`).
    3. *paths*: for each broker listed, up to *max_paths* shortest paths from a member of A through
       the broker to a member of B (one per pair, shortest first), each hop as
       :func:`~thbkg.graph.analytics.paths.hop_records` gives it: its link records (type, role, dates,
       status, confidence, sources with their grades, date basis, note) and, for a tie through shared
       frameworks, each framework and the links that tie the two actors to it.

    A member of A or B that lies inside a shortest path between two other members is a broker
    too, flagged ``in_group`` (a Horn country through which the others are reached is a broker of
    that region). Actors in both groups are left out of both (so they can broker between the rest).

    Parameters
    ----------
    network : thbkg.graph.network.projections.Network
        The loaded, filtered network.
    group_a, group_b : str or thbkg.graph.analytics.groups.Group
        The two groups (syntax in :mod:`thbkg.graph.analytics.groups`).
    top : int
        Brokers returned, best first (0: all); ties share a rank.
    max_paths : int
        Paths shown per broker (0: none).

    Returns
    -------
    (list of dict, dict)
        One row per broker: ``rank``, ``id``, ``label``, ``type``, ``score``, ``share``,
        ``in_group`` (bool), ``member_of`` (``"A"``, ``"B"`` or None), ``roles`` (counts of
        :data:`CROSSING_ROLES` and their ``total``), ``paths``; ``pandas.DataFrame(rows)`` works.
        And the basis: the groups resolved (definition, size, members in the graph, absent), the
        members shared by both, the filters, the graph's size, the pairs, the normalisation, and
        ``crossing_two_paths``, the Gould–Fernandez two-paths from one group to the other over all actors.

    Raises
    ------
    UsageError
        An unknown group; a group with no member in the graph; twice the same group.

    Examples
    --------
    Countries ``a1`` and ``a2`` (group A) reach ``b`` (group B) only through agency ``p``:

    >>> from thbkg.graph.network.projections import Network
    >>> actors = {i: {"id": i, "label": i.upper(), "type": t} for i, t in
    ...           [("a1", "country"), ("a2", "country"), ("b", "country"), ("p", "eu_agency")]}
    >>> link = dict(type="working_arrangement", family="agreement", role=None, start="2015", end=None,
    ...             start_day=None, end_day=None, status="active", confidence="high", date_confidence="high",
    ...             sources=("s1",), note=None, label=None)
    >>> net = Network(actors=actors, all_actors=actors, links=[
    ...     dict(link, id="l1", subject="a1", object="p"), dict(link, id="l2", subject="a2", object="p"),
    ...     dict(link, id="l3", subject="b", object="p")])
    >>> rows, basis = group_brokers(net, "a1,a2", "b", max_paths=1)
    >>> [(r["rank"], r["id"], r["score"], r["share"], r["in_group"]) for r in rows]
    [(1, 'p', 2.0, 1.0, False)]
    >>> rows[0]["roles"]["gatekeeper"], rows[0]["roles"]["liaison"]
    (0, 0)
    >>> path = rows[0]["paths"][0]
    >>> path["actors"], [link["id"] for hop in path["hops"] for link in hop["links"]]
    (['a1', 'p', 'b'], ['l1', 'l3'])
    >>> basis["groups"]["A"]["size"], basis["groups"]["B"]["size"], basis["connected_pairs"], basis["filters"]
    (2, 1, 2, 'none')

    Every link points at ``p``, so no two-path runs through it: its Gould–Fernandez roles are 0.
    """
    from thbkg.graph.analytics.groups import Group, resolve_group
    from thbkg.graph.errors import UsageError

    if top < 0:
        raise UsageError(f"--top must be 0 (all) or more (got {top})")
    if max_paths < 0:
        raise UsageError(f"--max-paths must be 0 (none) or more (got {max_paths})")
    first = group_a if isinstance(group_a, Group) else resolve_group(network, group_a)
    second = group_b if isinstance(group_b, Group) else resolve_group(network, group_b)
    if first.name == second.name:
        raise UsageError(f"both groups are {first.name}: give two different groups")
    graph = network.cooperation_graph()
    shared = set(first.members) & set(second.members)
    side_a = [m for m in first.members if m in graph and m not in shared]
    side_b = [m for m in second.members if m in graph and m not in shared]
    for group, side in ((first, side_a), (second, side_b)):
        if not side:
            besides = f" besides the {len(shared)} it shares with the other group" if shared else ""
            raise UsageError(f"group {group.spec!r} has no member in the actor graph{besides} (filters: "
                             f"{network.filters.describe()}; {len(group.members)} members defined: "
                             f"{group.definition}); loosen the filters or choose another group")
    raw = nx.betweenness_centrality_subset(graph.to_directed(as_view=True), side_a, side_b, normalized=False)
    scores = {v: round(s, 9) for v, s in raw.items() if s > 1e-9}
    connected, adjacent = _pair_counts(graph, side_a, side_b)
    roles = _crossing_roles(network, side_a, side_b)
    sides = dict.fromkeys(side_a, "A") | dict.fromkeys(side_b, "B")
    rows = []
    finder = _PathFinder(network, graph, side_a, side_b)
    for rank, node, score in _ranked(scores, top):
        actor = graph.nodes[node]
        counts = roles.get(node, {})
        rows.append({
            "rank": rank, "id": node, "label": actor.get("label") or node, "type": actor.get("type"),
            "score": score, "share": score / connected if connected else 0.0,
            "in_group": node in sides, "member_of": sides.get(node),
            "roles": {role: counts.get(role, 0) for role in (*CROSSING_ROLES, "total")},
            "paths": finder.paths_through(node, max_paths) if max_paths else [],
        })
    basis = {
        "groups": {"A": _group_basis(first, graph, side_a), "B": _group_basis(second, graph, side_b)},
        "shared_members": sorted(shared),
        "filters": network.filters.describe(),
        "frameworks": network.filters.frameworks,
        "graph": {"actors": graph.number_of_nodes(), "ties": graph.number_of_edges()},
        "pairs": len(side_a) * len(side_b), "connected_pairs": connected, "adjacent_pairs": adjacent,
        "brokers": len(scores), "top": top, "max_paths": max_paths,
        "undated_left_out": network.undated_left_out,
        "not_in_force_left_out": graph.graph.get("not_in_force_left_out"),
        "normalisation": NORMALISATION, "in_group": IN_GROUP_RULE, "roles": ROLES_RULE,
        "crossing_two_paths": sum(counts["total"] for counts in roles.values()),
    }
    return rows, basis


def _ranked(scores: dict, top: int) -> list[tuple]:
    """``(rank, node, score)`` best first, ties sharing a rank ("1224") and listed by id; the first *top* (0: all).

    The rule of :func:`thbkg.graph.analytics.centrality.ranked`, which this module cannot import
    (centrality imports brokers for Burt's measures); the scores here are already rounded.

    >>> _ranked({"a": 1.0, "b": 3.0, "c": 3.0, "d": 0.5}, 3)
    [(1, 'b', 3.0), (1, 'c', 3.0), (3, 'a', 1.0)]
    """
    rows, rank, previous = [], 0, None
    for position, (node, score) in enumerate(sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0]))), start=1):
        if score != previous:
            rank, previous = position, score
        rows.append((rank, node, score))
    return rows[:top] if top else rows


def _group_basis(group, graph, side) -> dict:
    """The basis of one group: its definition, its size, the members used and those absent from the graph."""
    return group.to_dict() | {"size": len(group.members), "in_graph": sum(1 for m in group.members if m in graph),
                              "used": len(side), "absent": [m for m in group.members if m not in graph]}


def _pair_counts(graph, side_a, side_b) -> tuple[int, int]:
    """How many (a, b) pairs are connected, and how many are tied directly (no broker between them)."""
    in_b = set(side_b)
    connected = 0
    for component in nx.connected_components(graph):
        connected += sum(1 for a in side_a if a in component) * sum(1 for b in side_b if b in component)
    adjacent = sum(1 for a in side_a for b in graph[a] if b in in_b)
    return connected, adjacent


def _crossing_roles(network, side_a, side_b) -> dict:
    """Gould–Fernandez counts of the two-paths from one group to the other (see :data:`ROLES_RULE`)."""
    D = network.multigraph()
    groups = dict.fromkeys(D.nodes, "other") | dict.fromkeys(side_a, "A") | dict.fromkeys(side_b, "B")
    return brokerage_roles(D, groups, across=("A", "B"))


class _PathFinder:
    """Shortest paths from a member of A through a broker to a member of B, each hop as
    :func:`thbkg.graph.analytics.paths.hop_records` gives it (the link records and their evidence)."""

    def __init__(self, network, graph, side_a, side_b):
        from thbkg.graph.analytics.paths import _HopIndex  # one index of the links for every hop

        self.network, self.graph = network, graph
        self.side_a, self.side_b = side_a, side_b
        self.index = _HopIndex(network)
        self.distances: dict = {}

    def _distance(self, a, b):
        if a not in self.distances:
            self.distances[a] = nx.single_source_shortest_path_length(self.graph, a)
        return self.distances[a].get(b)

    def paths_through(self, broker, most: int) -> list[dict]:
        """Up to *most* paths a -> ... -> broker -> ... -> b, one per pair (a, b), shortest first, pairs with
        ends not shown yet first (so that the paths show different members when there are some)."""
        from_broker = nx.single_source_shortest_path_length(self.graph, broker)
        ends_a = sorted((from_broker[a], a) for a in self.side_a if a in from_broker and a != broker)
        ends_b = sorted((from_broker[b], b) for b in self.side_b if b in from_broker and b != broker)
        chosen: list = []
        spare: list = []
        seen: set = set()
        for length, a, b in islice(_pairs_by_length(ends_a, ends_b), PAIRS_TRIED_CAP):
            if self._distance(a, b) != length:
                continue  # the broker is not on a shortest a-b path
            if a in seen or b in seen:
                spare.append((a, b))  # used only if too few pairs with two new ends
                continue
            chosen.append((a, b))
            seen.update((a, b))
            if len(chosen) >= most:
                break
        chosen = sorted(chosen + spare[:most - len(chosen)], key=lambda p: (from_broker[p[0]] + from_broker[p[1]], p))
        return [self._path_record(self._first_path(a, broker) + self._first_path(broker, b)[1:]) for a, b in chosen]

    def _first_path(self, u, v) -> list:
        return min(islice(nx.all_shortest_paths(self.graph, u, v), PATH_ENUMERATION_CAP))

    def _path_record(self, path) -> dict:
        from thbkg.graph.analytics.paths import hop_records

        return {"from": path[0], "to": path[-1], "actors": list(path),
                "labels": [self.network.label(a) for a in path], "length": len(path) - 1,
                "hops": [hop_records(self.network, u, v, self.graph, self.index) for u, v in pairwise(path)]}


def _pairs_by_length(ends_a, ends_b):
    """Pairs ``(d_a + d_b, a, b)`` from two lists of ``(distance, id)`` sorted ascending, in ascending order."""
    if not ends_a or not ends_b:
        return
    heap = [(da + ends_b[0][0], a, ends_b[0][1], i, 0) for i, (da, a) in enumerate(ends_a)]
    heapq.heapify(heap)
    while heap:
        total, a, b, i, j = heapq.heappop(heap)
        yield total, a, b
        if j + 1 < len(ends_b):
            heapq.heappush(heap, (ends_a[i][0] + ends_b[j + 1][0], a, ends_b[j + 1][1], i, j + 1))
