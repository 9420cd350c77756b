"""Focus views: the part of a network that answers one question, with the context it needs.

* :func:`ego_network` - an actor and everything within *depth* links of it (an ego network), frameworks and
  treaties included as the map draws them;
* :func:`region_view` - a region's network plus the EU agencies its coverage is about, even those with no tie
  to the region, so that the region's white spots show as missing edges;
* :func:`between_view` - two groups and the actors that broker between them.

Both take and return a :class:`~thbkg.graph.network.projections.Network`, so every output (the map, the
report, the tables) can draw them.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from thbkg.graph.analytics.coverage import AGENCY_TYPE, KEY_AGENCIES
from thbkg.graph.errors import UsageError


def ego_network(net, actor: str, depth: int = 1):
    """The actors within *depth* links of *actor*, and the links among them.

    Parameters
    ----------
    net : Network
        The network to cut (already filtered); its links are followed both ways, frameworks and treaties
        being nodes like any actor (the two-mode view of the map).
    actor : str
        The id of the centre (resolve names first, e.g. with
        :func:`~thbkg.graph.network.projections.resolve_actor`).
    depth : int
        How many links away from the centre to go (1: its direct partners).

    Returns
    -------
    Network
        A copy of *net* with only those actors and the links between two of them.

    Examples
    --------
    >>> from thbkg.graph.network.projections import Network
    >>> actors = {a: {"id": a, "type": "country"} for a in "abcd"}
    >>> links = [{"id": "l1", "subject": "a", "object": "b"}, {"id": "l2", "subject": "b", "object": "c"},
    ...          {"id": "l3", "subject": "c", "object": "d"}]
    >>> net = Network(actors=actors, links=links, all_actors=actors)
    >>> sorted(ego_network(net, "b").actors), [l["id"] for l in ego_network(net, "b").links]
    (['a', 'b', 'c'], ['l1', 'l2'])
    >>> sorted(ego_network(net, "a", depth=2).actors)
    ['a', 'b', 'c']
    """
    if depth < 1:
        raise UsageError(f"--depth must be 1 or more (got {depth})")
    if actor not in net.actors:
        raise UsageError(f"'{actor}' has no link left under the filters; widen them to focus on it")
    neighbours: defaultdict = defaultdict(set)
    for link in net.links:
        neighbours[link["subject"]].add(link["object"])
        neighbours[link["object"]].add(link["subject"])
    kept, frontier = {actor}, {actor}
    for _ in range(depth):
        frontier = {other for node in frontier for other in neighbours[node]} - kept
        kept |= frontier
    return _restricted(net, kept)


def region_view(net):
    """*net* (filtered to one or more regions) plus the EU agencies its coverage is about.

    The region filter keeps the links of the region's members, so an agency with no tie to the region
    would vanish, and with it the region's white spots. The agencies of the coverage table (those tied to
    a country of the regions, and always Europol, Frontex and Eurojust) are kept as nodes, tied or not.

    Examples
    --------
    >>> from thbkg.graph.network.projections import Network
    >>> everyone = {"ne": {"id": "ne", "type": "country"}, "frontex": {"id": "frontex", "type": "eu_agency"},
    ...             "europol": {"id": "europol", "type": "eu_agency"}}
    >>> net = Network(actors={"ne": everyone["ne"], "frontex": everyone["frontex"]},
    ...               links=[{"id": "l1", "subject": "ne", "object": "frontex"}], all_actors=everyone)
    >>> sorted(region_view(net).actors)
    ['europol', 'frontex', 'ne']
    """
    everyone = net.all_actors or net.actors
    agencies = {a for a in KEY_AGENCIES if a in everyone}
    agencies |= {a for a, rec in net.actors.items() if rec.get("type") == AGENCY_TYPE}
    excluded = set(getattr(net.filters, "exclude", ()) or ())
    actors = dict(net.actors)
    for agency in sorted(agencies - excluded - set(actors)):
        actors[agency] = everyone[agency]
    return dataclasses.replace(net, actors=actors)


def _restricted(net, kept: set):
    actors = {a: rec for a, rec in net.actors.items() if a in kept}
    links = [link for link in net.links if link["subject"] in kept and link["object"] in kept]
    return dataclasses.replace(net, actors=actors, links=links)


def focus_view(source, filters=None, focus: str | None = None, depth: int = 1, between=None):
    """The network ``thbkg map`` draws: *source* under *filters*, cut to the ego network of *focus*
    (a name as people type it), or to the brokers view of *between* (two group specs, ``--brokers``), and, when the
    filters name regions, with the coverage agencies kept.

    Returns ``(network, title)``; *title* describes the focus (None without one).
    """
    from thbkg.graph.network.filters import Filters
    from thbkg.graph.network.projections import load_network, resolve_actor

    filters = filters or Filters()
    network = load_network(source, filters, actors=(focus,) if focus else ())
    title = None
    if focus and between:
        raise UsageError("give --focus or --brokers, not both")
    if between:
        network, title = between_view(network, *between)
    if focus:
        centre = resolve_actor(network, focus)
        network = ego_network(network, centre, depth)
        label = network.actors[centre].get("label") or centre
        title = f"Around {label}: actors up to {depth} link{'s' if depth > 1 else ''} away"
    if filters.regions:
        network = region_view(network)
    return network, title


def between_view(net, group_a: str, group_b: str, *, top: int = 15):
    """The two groups, the actors that broker between them, the frameworks that tie any two of those, and the
    links among all of them: the brokers view of ``thbkg brokers --between A --and B`` as a network.

    Brokers are those of :func:`~thbkg.graph.analytics.brokers.group_brokers` (the *top* best, on the actor
    graph); the map draws the frameworks as nodes, so a framework joined by two kept actors stays too.

    Returns ``(network, title)``.
    """
    from thbkg.graph.analytics.brokers import group_brokers
    from thbkg.graph.analytics.groups import resolve_group
    from thbkg.graph.rdf.vocab import load_vocabulary

    first, second = resolve_group(net, group_a), resolve_group(net, group_b)
    brokers, _basis = group_brokers(net, first, second, top=top, max_paths=0)
    kept = (set(first.members) | set(second.members) | {row["id"] for row in brokers}) & set(net.actors)
    vocab = load_vocabulary()
    joined: defaultdict = defaultdict(set)
    for link in net.links:
        for framework, member in ((link["object"], link["subject"]), (link["subject"], link["object"])):
            if vocab.is_framework_type(net.actors.get(framework, {}).get("type")) and member in kept:
                joined[framework].add(member)
    kept |= {framework for framework, members in joined.items() if len(members) >= 2}
    title = f"Between {first.label} and {second.label}: {len(brokers)} broker{'s' if len(brokers) != 1 else ''}"
    return _restricted(net, kept), title
