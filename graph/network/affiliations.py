"""The actor graph: actors tied directly, or through the frameworks they share.

Treaties, conventions, regional processes, networks and platforms (the *framework types* of the
ontology, :attr:`~thbkg.graph.rdf.vocab.Vocabulary.framework_types`) are affiliations: actors belong
to them, they do not broker. The default cooperation graph therefore has only actors as nodes. Its
edges are of two kinds, which may add up on one pair:

* a **direct tie**: at least one link record between the two actors (an agreement, a liaison post, a
  membership of an organisation…), weighted as before (the sum of ``rank(confidence) / top rank``
  over the pair's links; see :mod:`thbkg.graph.network.projections`);
* a **shared framework**: both actors are tied to the same framework (a membership, an observer seat,
  a treaty ratification, a secretariat, joint action under a platform). This is the one-mode
  projection of the two-mode actor × framework network with Newman's collaboration weights: a
  framework with *n* members adds ``1 / (n - 1)`` to each pair of its members, so each member's
  ties through one framework weigh 1 in total however large the framework (Newman, M. E. J. (2001).
  Scientific collaboration networks. II. Shortest paths, weighted networks, and centrality.
  *Physical Review E* 64, 016132; the same weights as
  :func:`networkx.algorithms.bipartite.collaboration_weighted_projected_graph`).

Edge attributes: ``types``, ``links``, ``count``, ``start``, ``end``, ``sources``, ``confidence``
(of the direct links, empty for a shared-framework-only edge), ``direct_weight``, ``frameworks``
(the shared framework ids, sorted), ``shared_weight``, ``weight`` (their sum, used as a strength) and
``via`` (``"link"``, ``"framework"`` or ``"link+framework"``). Links between two frameworks join no
actor; their ids are in ``graph.graph["framework_links"]``.

The pairs that share only frameworks (most of them: 690,000 of 720,000 at 20,000 synthetic actors) share
one attribute dict per set of frameworks, a read-only :class:`SharedEdgeData`: to change an edge's
attributes, work on ``graph.copy()`` (or ``nx.Graph(graph)``), whose dicts are plain and the edge's own.

Only ties in force enter the graph (:func:`tie_links`): the statuses whose concept says
``thb:inForce true`` (or no status), or, under a time filter, the links that filter kept as in force.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict

import networkx as nx

from thbkg.graph.rdf.vocab import load_vocabulary

#: Most actor pairs the shared-framework projection may create (one framework of n members makes
#: n(n-1)/2, about 1 KB each in NetworkX with attributes of their own, some 150 bytes each sharing them as
#: :class:`SharedEdgeData`); beyond it the graph keeps frameworks as nodes, linear in the links, and says so
#: (``graph.graph["frameworks_note"]``).
MAX_SHARED_PAIRS = 3_000_000


class ProjectionTooLarge(Exception):
    """The shared-framework projection would make more than :data:`MAX_SHARED_PAIRS` actor pairs."""

    def __init__(self, pairs: int):
        super().__init__(pairs)
        self.pairs = pairs

    def note(self) -> str:
        """What the graph does instead, for every output's basis."""
        return (f"frameworks kept as nodes: sharing them would make {self.pairs:,} actor pairs (more than "
                f"{MAX_SHARED_PAIRS:,}); narrow the graph with --region, --type or --actor-type to see shared "
                "ties")


def tie_links(network) -> tuple[list[dict], int]:
    """The links of *network* that are ties in force, and how many were left out as not in force.

    Without a time filter a link is a tie when its status counts in force
    (:meth:`~thbkg.graph.rdf.vocab.Vocabulary.counts_in_force`): an agreement under negotiation,
    signed but not in force, suspended or ended is not. With ``as_of``/``between`` the filter has
    already kept exactly the links in force in that window (an ended link with its end date was in
    force until then), so all of them are ties.
    """
    if network.filters.as_of or network.filters.between:
        return list(network.links), 0
    vocab = load_vocabulary()
    ties = [link for link in network.links if vocab.counts_in_force(link.get("status"))]
    return ties, len(network.links) - len(ties)


def framework_ids(network) -> set:
    """The kept actors whose type is a framework type of the ontology."""
    vocab = load_vocabulary()
    return {a for a, record in network.actors.items() if vocab.is_framework_type(record.get("type"))}


def shared_framework_graph(network, pair_attributes, link_weight) -> nx.Graph:
    """The actor graph described in the module docstring (frameworks are not nodes).

    *pair_attributes* and *link_weight* are the projection's own helpers (one home for the direct-tie
    attributes and weights).

    Examples
    --------
    A platform ``p`` with members ``a``, ``b`` and ``c``, and one direct agreement ``a`` – ``b``:

    >>> from types import SimpleNamespace
    >>> from thbkg.graph.network.filters import Filters
    >>> from thbkg.graph.network.projections import _pair_attributes, link_weight
    >>> actors = {"a": {"type": "country"}, "b": {"type": "country"}, "c": {"type": "eu_agency"},
    ...           "p": {"type": "platform"}}
    >>> def link(i, s, o, t): return {"id": i, "subject": s, "object": o, "type": t, "status": "active",
    ...                               "confidence": "high", "sources": (), "start": None, "end": None}
    >>> net = SimpleNamespace(actors=actors, filters=Filters(), links=[
    ...     link("l1", "a", "p", "membership"), link("l2", "b", "p", "membership"),
    ...     link("l3", "c", "p", "membership"), link("l4", "a", "b", "working_arrangement")])
    >>> G = shared_framework_graph(net, _pair_attributes, link_weight)
    >>> sorted(G.nodes)
    ['a', 'b', 'c']
    >>> G["a"]["b"]["via"], G["a"]["b"]["shared_weight"], G["a"]["b"]["weight"]
    ('link+framework', 0.5, 1.5)
    >>> G["a"]["c"]["frameworks"], G["a"]["c"]["links"]
    (('p',), ())
    """
    frameworks = framework_ids(network)
    links, not_in_force = tie_links(network)
    graph = nx.Graph(filters=network.filters.describe(), frameworks="shared", not_in_force_left_out=not_in_force)
    for actor_id in sorted(set(network.actors) - frameworks):
        graph.add_node(actor_id, **network.actors[actor_id])
    direct: dict[tuple[str, str], list[dict]] = defaultdict(list)
    members: dict[str, dict[str, None]] = defaultdict(dict)  # framework -> members, in link order
    between_frameworks = []
    for link in links:
        subject, obj = link["subject"], link["object"]
        if subject == obj:
            continue
        ends = (subject in frameworks, obj in frameworks)
        if ends == (False, False):
            direct[(subject, obj) if subject <= obj else (obj, subject)].append(link)
        elif ends == (True, True):
            between_frameworks.append(link["id"])
        else:
            framework, member = (subject, obj) if ends[0] else (obj, subject)
            members[framework][member] = None
    graph.graph["framework_links"] = tuple(sorted(between_frameworks))
    _check_size(members)
    # a pair that shares only frameworks gets the same attributes as every other pair sharing exactly those
    # frameworks: one read-only dict for all of them (about 690,000 such pairs at 20,000 actors, 460 bytes each)
    framework_only: dict[tuple, SharedEdgeData] = {}
    adjacency = graph._adj  # NetworkX's own adjacency: the one way to give an edge a dict of ours
    for a, b, shared_entry in _pairs_in_order(direct, members):
        links_ab = direct.get((a, b))
        if links_ab:
            graph.add_edge(a, b, **_edge(links_ab, shared_entry, pair_attributes))
            continue
        key = tuple(shared_entry[0])
        data = framework_only.get(key)
        if data is None:
            data = framework_only[key] = SharedEdgeData(_edge(None, (key, shared_entry[1]), pair_attributes))
        graph.add_edge(a, b)
        adjacency[a][b] = adjacency[b][a] = data
    return graph


class SharedEdgeData(dict):
    """The attributes of the edges that share only the same frameworks: one dict for all those edges, so it
    refuses to change. ``data.copy()`` and ``dict(data)`` (and so ``graph.copy()`` and ``nx.Graph(graph)``)
    give plain dicts to change; :func:`copy.deepcopy` and pickling keep them shared and read-only.

    >>> data = SharedEdgeData({"weight": 0.5})
    >>> data["weight"], type(data.copy()).__name__
    (0.5, 'dict')
    >>> data["weight"] = 1.0
    Traceback (most recent call last):
    ...
    TypeError: these edge attributes are shared by several edges of the actor graph: change a copy (dict(data))
    """

    __slots__ = ()

    def _refuse(self, *args, **kwargs):
        raise TypeError("these edge attributes are shared by several edges of the actor graph: change a copy "
                        "(dict(data))")

    __setitem__ = __delitem__ = __ior__ = update = setdefault = pop = popitem = clear = _refuse

    def copy(self) -> dict:
        return dict(self)

    def __reduce__(self):
        return SharedEdgeData, (dict(self),)


def _check_size(members: dict) -> None:
    """Raise :class:`ProjectionTooLarge` when sharing the frameworks would make more than
    :data:`MAX_SHARED_PAIRS` actor pairs."""
    size = sum(len(m) * (len(m) - 1) // 2 for m in members.values())
    if size > MAX_SHARED_PAIRS:
        raise ProjectionTooLarge(size)


def _pairs_in_order(direct: dict, members: dict):
    """Every actor pair ``(a, b, shared)`` with a direct tie or a shared framework, sorted by ``(a, b)``.

    *shared* is ``[frameworks, Newman weight]`` (the frameworks sorted, the weight summed in that order), or
    None for a pair without a shared framework. The pairs of one actor are worked out at a time, so that
    only one actor's partners are held, never every pair of the graph (700,000 at 20,000 actors).

    >>> members = {"f": {"a": None, "b": None, "c": None}, "g": {"a": None, "c": None}}
    >>> list(_pairs_in_order({("a", "d"): ["l1"]}, members))
    [('a', 'b', [['f'], 0.5]), ('a', 'c', [['f', 'g'], 1.5]), ('a', 'd', None), ('b', 'c', [['f'], 0.5])]
    """
    groups = {framework: sorted(found) for framework, found in sorted(members.items()) if len(found) >= 2}
    frameworks_of: dict[str, list[str]] = defaultdict(list)  # actor -> its frameworks, sorted
    for framework, group in groups.items():
        for member in group:
            frameworks_of[member].append(framework)
    direct_partners: dict[str, list[str]] = defaultdict(list)
    for a, b in direct:
        direct_partners[a].append(b)
    for a in sorted(set(frameworks_of) | set(direct_partners)):
        shared: dict[str, list] = {}
        for framework in frameworks_of.get(a, ()):
            group = groups[framework]
            weight = 1.0 / (len(group) - 1)
            for b in group[bisect_right(group, a):]:
                entry = shared.get(b)
                if entry is None:
                    shared[b] = [[framework], weight]
                else:
                    entry[0].append(framework)
                    entry[1] += weight
        for b in sorted(shared.keys() | set(direct_partners.get(a, ()))):
            yield a, b, shared.get(b)


def _edge(direct_links, shared_entry, pair_attributes) -> dict:
    """The attributes of one actor pair (see the module docstring)."""
    if direct_links:
        attributes = pair_attributes(direct_links)
    else:
        attributes = {"types": (), "links": (), "count": 0, "start": None, "end": None, "sources": (),
                      "confidence": None, "weight": 0.0}
    attributes["direct_weight"] = attributes["weight"]
    frameworks, shared_weight = (tuple(shared_entry[0]), shared_entry[1]) if shared_entry else ((), 0.0)
    attributes.update(frameworks=frameworks, shared_weight=shared_weight,
                      weight=attributes["direct_weight"] + shared_weight,
                      via="+".join(kind for kind, present in (("link", direct_links), ("framework", frameworks))
                                   if present))
    return attributes
