"""Groups of actors named on the command line: ``thbkg brokers --between GROUP --and GROUP``.

A GROUP is one of:

==========================  =========================================================================
``REGION``                  a region id or label (``sahel``, ``horn-of-africa``, ``"Horn of Africa"``;
                            ``region:REGION`` also works): its members in region_members.csv
``eu-member-states``        the member states of the EU (see below)
``type:ACTOR_TYPE``         every actor of that type, by code or label (``type:eu_agency``)
``members:FRAMEWORK``       the subjects of the membership-family links (membership, observer,
                            treaty_party) to that actor (``members:rabat-process``)
``ACTOR[,ACTOR...]``        actors, comma-separated (``europol,frontex``), each as
                            :func:`~thbkg.graph.network.projections.resolve_actor` takes it
==========================  =========================================================================

A bare name is read as a region first, then as ``eu-member-states``, then as one actor. Names are
read as :mod:`thbkg.graph.network.names` reads them (case, accents, ``-``/``_``/spaces ignored).

Groups are resolved against every actor of the data (``Network.all_actors``), so that a member the
filters left out is reported as *absent from the graph* rather than refused. Members of a framework
are read from the links in force that the filters kept (:func:`~thbkg.graph.network.affiliations.tie_links`):
``members:khartoum-process --as-of 2010`` has no member, since the process began in 2014.

``eu-member-states``
--------------------
The group is the subjects of membership-family links to the actor ``eu`` when the data has any. The
bundled data records no such link: the European Union (``eu``) appears only as a partner organisation of
the Rabat Process. What it does record is the European Migration Network's membership: links of type
``membership`` to ``emn`` (the National Contact Points), which the source ``emn-members-page`` describes
as "all EU Member States (except Denmark)", and Denmark's actor record, which says the same. Without
links to ``eu`` the group is therefore the EMN members plus Denmark (``dk``), and its definition says so
(a data region ``eu-member-states`` in regions.csv, if one is added, takes precedence over both).
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass

from thbkg.graph.errors import UsageError

#: The special group of the EU's member states.
EU_MEMBER_STATES = "eu-member-states"
#: The actor id of the European Union, whose members the group is when the data records them.
EU_ACTOR = "eu"
#: The proxy used when no membership link to the EU is recorded: the members of this network
#: (links of type ``membership``, observers excluded), plus the states the source names as exceptions.
EU_PROXY_FRAMEWORK = "emn"
EU_PROXY_EXCEPTIONS = ("dk",)
EU_PROXY_SOURCE = "emn-members-page"
#: The family of the link types that make an actor a member of another.
MEMBERSHIP_FAMILY = "membership"


@dataclass(frozen=True)
class Group:
    """A resolved group of actors.

    Attributes
    ----------
    spec : str
        The group as given (``horn-of-africa``, ``type:eu_agency``...).
    kind : str
        ``region``, ``eu-member-states``, ``actor-type``, ``framework-members`` or ``actors``.
    name : str
        The canonical name (``horn-of-africa``, ``type:eu_agency``, ``members:rabat-process``,
        ``europol,frontex``).
    label : str
        A readable name (the region's label, the framework's label...).
    members : tuple of str
        The member actor ids, sorted (whether or not they are in the graph).
    definition : str
        How the members were found, one line, for the basis of every output.
    """

    spec: str
    kind: str
    name: str
    label: str
    members: tuple
    definition: str

    def to_dict(self) -> dict:
        """The group as plain data."""
        return dataclasses.asdict(self) | {"members": list(self.members)}


def group_kinds_text(network=None) -> str:
    """The kinds of group accepted, with examples (the regions of *network* when given).

    >>> group_kinds_text()
    'a region, eu-member-states, type:ACTOR_TYPE (e.g. type:eu_agency), members:FRAMEWORK (e.g. members:rabat-process) or actors separated by commas (e.g. europol,frontex)'
    """
    regions = sorted(getattr(network, "regions", None) or {})
    region = f"a region ({', '.join(regions)})" if regions else "a region"
    return (f"{region}, {EU_MEMBER_STATES}, type:ACTOR_TYPE (e.g. type:eu_agency), members:FRAMEWORK "
            "(e.g. members:rabat-process) or actors separated by commas (e.g. europol,frontex)")


def unknown_group_message(spec: str, network=None) -> str:
    """The refusal of a group that names nothing known, with the closest names and the kinds accepted.

    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(regions={"sahel": {}, "horn-of-africa": {}}, actors={}, all_actors={})
    >>> unknown_group_message("horn-of-afrika", net)
    "unknown group 'horn-of-afrika' (did you mean horn-of-africa?); a group is a region (horn-of-africa, sahel), eu-member-states, type:ACTOR_TYPE (e.g. type:eu_agency), members:FRAMEWORK (e.g. members:rabat-process) or actors separated by commas (e.g. europol,frontex)"
    """
    candidates = [*sorted(getattr(network, "regions", None) or {}), EU_MEMBER_STATES,
                  *sorted(_everyone(network) if network is not None else {})]
    close = difflib.get_close_matches(spec.casefold(), candidates, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"unknown group {spec!r}{hint}; a group is {group_kinds_text(network)}"


def resolve_group(network, spec: str) -> Group:
    """The actors of the group *spec* (see the module docstring for the syntax).

    Parameters
    ----------
    network : thbkg.graph.network.projections.Network
        The loaded (filtered) network: its regions, all its actors and the links kept.
    spec : str
        The group as typed.

    Returns
    -------
    Group

    Raises
    ------
    UsageError
        An unknown group, region, actor type, framework or actor; a framework without members.

    Examples
    --------
    >>> from thbkg.graph.network.projections import Network
    >>> actors = {a: {"id": a, "label": a.upper(), "type": t} for a, t in
    ...           [("x", "country"), ("y", "country"), ("p", "eu_agency"), ("f", "regional_process")]}
    >>> link = dict(role=None, start=None, end=None, status="active", confidence="high", sources=("s",))
    >>> net = Network(actors=actors, all_actors=actors, regions={"r": {"label": "R", "members": ("x",)}},
    ...               links=[dict(link, id="l1", subject="x", object="f", type="membership", family="membership"),
    ...                      dict(link, id="l2", subject="y", object="p", type="working_arrangement",
    ...                           family="agreement")])
    >>> [resolve_group(net, g).members for g in ("r", "type:country", "members:f", "p,y")]
    [('x',), ('x', 'y'), ('x',), ('p', 'y')]
    >>> resolve_group(net, "members:p")
    Traceback (most recent call last):
    ...
    thbkg.graph.errors.UsageError: group 'members:p': no membership, observer or treaty_party link in force points to 'p' (filters: none); actors with members: f
    """
    text = (spec or "").strip()
    if not text:
        raise UsageError(f"empty group: give {group_kinds_text(network)}")
    prefix, _, rest = text.partition(":")
    kind = prefix.strip().casefold() if rest else ""
    if kind == "type":
        return _actor_type_group(network, text, rest.strip())
    if kind == "members":
        return _framework_group(network, text, rest.strip())
    if kind == "region":
        try:
            region = _regions(network).resolve(rest.strip())
        except UsageError as exc:
            raise UsageError(f"group {text!r}: {exc} (known: {', '.join(sorted(network.regions)) or 'none'})") from None
        return _region_group(network, text, region)
    if "," in text:
        return _actor_list_group(network, text, [name.strip() for name in text.split(",") if name.strip()])
    region = _find_region(network, text)
    if region is not None:
        return _region_group(network, text, region)
    if text.casefold() == EU_MEMBER_STATES:
        return _eu_member_states(network, text)
    try:
        actor = _resolve(network, text)
    except UsageError:
        raise UsageError(unknown_group_message(text, network)) from None
    return Group(spec=text, kind="actors", name=actor, label=network.label(actor), members=(actor,),
                 definition=f"the actor {actor}")


# ---------------------------------------------------------------------- the kinds of group
def _region_group(network, spec: str, region_id: str) -> Group:
    region = network.regions[region_id]
    members = tuple(sorted(region.get("members", ())))
    label = region.get("label") or region_id
    return Group(spec=spec, kind="region", name=region_id, label=label, members=members,
                 definition=f"region {region_id} ({label}): its {len(members)} members in region_members.csv")


def _actor_type_group(network, spec: str, code: str) -> Group:
    from thbkg.graph.network.names import actor_type_index

    everyone = _everyone(network)
    index = actor_type_index({r.get("type") for r in everyone.values() if r.get("type")})
    try:
        found = index.resolve(code)
    except UsageError as exc:
        raise UsageError(f"group {spec!r}: {exc} (known: {', '.join(index.ids)})") from None
    members = tuple(sorted(a for a, r in everyone.items() if r.get("type") == found))
    return Group(spec=spec, kind="actor-type", name=f"type:{found}", label=f"actors of type {found}",
                 members=members, definition=f"every actor of type {found} in actors.csv")


def _framework_group(network, spec: str, name: str) -> Group:
    try:
        framework = _resolve(network, name)
    except UsageError as exc:
        raise UsageError(f"group {spec!r}: {exc}") from None
    ties = _membership_ties(network)
    members = tuple(sorted({link["subject"] for link in ties if link["object"] == framework
                            and link["subject"] != framework}))
    if not members:
        having = sorted({link["object"] for link in ties})
        raise UsageError(f"group {spec!r}: no membership, observer or treaty_party link in force points to "
                         f"{framework!r} (filters: {network.filters.describe()}); actors with members: "
                         f"{', '.join(having) or 'none'}")
    types = sorted({link["type"] for link in ties if link["object"] == framework})
    return Group(spec=spec, kind="framework-members", name=f"members:{framework}", label=network.label(framework),
                 members=members, definition=f"the subjects of the {', '.join(types)} links in force to {framework}")


def _actor_list_group(network, spec: str, names: list) -> Group:
    members = []
    for name in names:
        try:
            members.append(_resolve(network, name))
        except UsageError as exc:
            raise UsageError(f"group {spec!r}: {exc}") from None
    members = sorted(set(members))
    return Group(spec=spec, kind="actors", name=",".join(members), label=", ".join(network.label(a) for a in members),
                 members=tuple(members), definition=f"the actors {', '.join(members)}")


def _eu_member_states(network, spec: str) -> Group:
    ties = _membership_ties(network)
    recorded = sorted({link["subject"] for link in ties if link["object"] == EU_ACTOR and link["subject"] != EU_ACTOR})
    if recorded:
        return Group(spec=spec, kind=EU_MEMBER_STATES, name=EU_MEMBER_STATES, label="EU member states",
                     members=tuple(recorded),
                     definition=f"the subjects of the membership-family links in force to {EU_ACTOR}")
    proxy = sorted({link["subject"] for link in ties
                    if link["object"] == EU_PROXY_FRAMEWORK and link["type"] == "membership"})
    if not proxy:
        raise UsageError(f"group {spec!r}: the data records no EU membership under the filters "
                         f"({network.filters.describe()}): no membership link to {EU_ACTOR!r} and no member of "
                         f"{EU_PROXY_FRAMEWORK!r}; add membership links to {EU_ACTOR!r}, or list the states "
                         "(e.g. at,be,bg)")
    everyone = _everyone(network)
    added = [a for a in EU_PROXY_EXCEPTIONS if a in everyone and a not in proxy]
    definition = (f"no membership link to {EU_ACTOR!r} in the data; proxy: the members (type membership) of "
                  f"{EU_PROXY_FRAMEWORK}, which source {EU_PROXY_SOURCE} gives as all EU Member States except "
                  "Denmark" + (f", plus {', '.join(added)}" if added else ""))
    return Group(spec=spec, kind=EU_MEMBER_STATES, name=EU_MEMBER_STATES, label="EU member states",
                 members=tuple(sorted(set(proxy) | set(added))), definition=definition)


# ---------------------------------------------------------------------- helpers
def _everyone(network) -> dict:
    """Every actor of the data (id -> record), before the filters."""
    return getattr(network, "all_actors", None) or getattr(network, "actors", None) or {}


def _resolve(network, name: str) -> str:
    """The id of the actor *name*, looked up among every actor of the data (a filtered-out member is
    reported as absent from the graph, not refused)."""
    from thbkg.graph.network.projections import Network, resolve_actor

    everyone = _everyone(network)
    view = dataclasses.replace(network, actors=everyone) if isinstance(network, Network) else network
    return resolve_actor(view, name)


def _membership_ties(network) -> list:
    """The links in force of the membership family (membership, observer, treaty_party)."""
    from thbkg.graph.network.affiliations import tie_links

    return [link for link in tie_links(network)[0] if link.get("family") == MEMBERSHIP_FAMILY]


def _regions(network):
    """The names of the regions (:func:`thbkg.graph.network.names.region_index`: id, label, IRI)."""
    from thbkg.graph.network.names import region_index

    return region_index({"id": r, **record} for r, record in sorted((network.regions or {}).items()))


def _find_region(network, name: str) -> str | None:
    """The id of the region *name* names (as :mod:`thbkg.graph.network.names` reads names), or None;
    UsageError when it names several."""
    index = _regions(network)
    found = index.find(name)
    if len(found) > 1:
        raise UsageError(index.ambiguous_message(name, found))
    return found[0] if found else None
