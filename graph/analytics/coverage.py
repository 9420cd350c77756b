"""Priority-region coverage: which EU agencies and frameworks each country is tied to, and the white spots.

A *tie* between a country and a target (an EU agency or a framework) is the set of link records in
the network whose two parties are that country and that target, in either direction. Links of the
*event* family (joint action days, operations: :func:`~thbkg.graph.analytics.change.is_event`) are
activity in a period, not standing ties, and are left out.

Each link, and so each tie, has a *display state*. A link is in force when its status counts in
force in the ontology (``thb:inForce`` of the status concepts, read through
:meth:`~thbkg.graph.rdf.vocab.Vocabulary.counts_in_force`; a link without a status is taken at its
word) or, under a time filter (``--as-of``, ``--between``), when the filter kept it (it was in force
then: :func:`~thbkg.graph.network.affiliations.tie_links`). The states, from the strongest:

``in_force``
    at least one link of the tie is in force;
``signed``
    none is in force; the most advanced is signed or initialled (not in force yet);
``negotiating``
    none is in force; the most advanced is under negotiation;
``suspended``
    none is in force; the most advanced is suspended;
``ended``
    every link has ended;
``not_in_force``
    none is in force and the status is one this module does not order (a status added to a copy of
    the ontology); shown with the ontology's label of the status;
``none``
    no link at all.

So a tie's state is ``in_force`` if any of its links is in force, else the most advanced of its
not-in-force statuses, in the order **signed > initialled > under_negotiation > suspended > ended**
(:data:`STATUS_STATES`; signed and initialled share the state ``signed``). A negotiating, signed or
suspended agreement is never a tie in force.

A *framework* is an actor whose type is a framework type of the ontology
(:attr:`~thbkg.graph.rdf.vocab.Vocabulary.framework_types`: regional processes, networks,
platforms, treaties…). A *white spot* is a (country, target) pair in a priority region with no tie in
force (its state may still be signed, negotiating, suspended or ended). Only the link records kept by
the filters of the network are looked at, so ``--as-of 2015`` gives the coverage of 2015.

Coverage counts every kind of link (a liaison officer too). The named query ``region_agreement_gaps``
counts only formal agreements (links of the ``agreement`` family); each tie's ``family_states`` gives
the state of its links of one family, to compare like with like.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from thbkg.graph.analytics.change import is_event
from thbkg.graph.rdf.vocab import FUNDING_FAMILY, load_vocabulary

#: the actor type of the agencies checked (the question coverage answers is about EU agencies)
AGENCY_TYPE = "eu_agency"
#: the actor type of the members of a region whose ties are checked
COUNTRY_TYPE = "country"
# The agencies the analysts ask about first; listed first when present.
KEY_AGENCIES = ("europol", "frontex", "eurojust")

#: tie states (not status codes: a state sums up the statuses of a tie's links; see the module doc)
IN_FORCE = "in_force"
SIGNED = "signed"
NEGOTIATING = "negotiating"
SUSPENDED = "suspended"
ENDED = "ended"
NOT_IN_FORCE = "not_in_force"
NONE = "none"
#: the states, strongest first: a tie takes the first state any of its links has
STATES = (IN_FORCE, SIGNED, NEGOTIATING, SUSPENDED, ENDED, NOT_IN_FORCE, NONE)
#: each state in words (the report never shows a state by colour alone)
STATE_LABELS = {IN_FORCE: "in force", SIGNED: "signed or initialled, not in force", NEGOTIATING: "under negotiation",
                SUSPENDED: "suspended", ENDED: "ended", NOT_IN_FORCE: "not in force (other status)",
                NONE: "no tie"}
#: what each state means (the report's legend)
STATE_MEANINGS = {
    IN_FORCE: "at least one link in force; the cell names its types (other links follow with their status)",
    SIGNED: "no link in force; an agreement is signed or initialled but has not entered into force",
    NEGOTIATING: "no link in force; an agreement is under negotiation",
    SUSPENDED: "no link in force; the most advanced link is suspended",
    ENDED: "no link in force; every link has ended",
    NOT_IN_FORCE: "no link in force; its status is one this report does not order (see the ontology)",
    NONE: "no link at all",
}
#: status not in force -> display state, most advanced first: signed > initialled > under_negotiation >
#: suspended > ended. Which statuses are in force is the ontology's (thb:inForce); this is only how the
#: ones that are not are shown. A status missing here (added to a copy of the ontology) is NOT_IN_FORCE.
STATUS_STATES = {"signed": SIGNED, "initialled": SIGNED, "under_negotiation": NEGOTIATING,
                 "suspended": SUSPENDED, "ended": ENDED}
_RANK = {state: rank for rank, state in enumerate(STATES)}

#: A framework is checked for a region when at least this share of the region's countries (and at
#: least one) is tied to it; with fewer than 20 countries, one tie is enough.
FRAMEWORK_MIN_SHARE = 0.05


def in_force_link_ids(net) -> set:
    """Ids of the links of *net* that are ties in force (see the module doc).

    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(links=[{"id": "a", "status": "active"}, {"id": "b", "status": "signed"},
    ...                              {"id": "c", "status": None}])
    >>> sorted(in_force_link_ids(net))
    ['a', 'c']
    """
    if getattr(net, "filters", None) is not None:
        from thbkg.graph.network.affiliations import tie_links

        return {link["id"] for link in tie_links(net)[0]}
    vocab = load_vocabulary()
    return {link["id"] for link in net.links if vocab.counts_in_force(link.get("status"))}


def link_state(link, in_force=None) -> str:
    """The display state of one link: ``in_force``, else the state of its status (:data:`STATUS_STATES`).

    *in_force* is the set of ids of the links in force (:func:`in_force_link_ids`); without it the
    link's status decides (:meth:`~thbkg.graph.rdf.vocab.Vocabulary.counts_in_force`).

    >>> link_state({"id": "l1", "status": "initialled"}), link_state({"id": "l2", "status": "active"})
    ('signed', 'in_force')
    """
    if in_force is not None:
        if link["id"] in in_force:
            return IN_FORCE
    elif load_vocabulary().counts_in_force(link.get("status")):
        return IN_FORCE
    return STATUS_STATES.get(link.get("status") or "", NOT_IN_FORCE)


def state_of(links, in_force=None) -> str:
    """The display state of a tie made of *links*: the strongest state of its links (``none`` if none).

    >>> state_of([{"id": "a", "status": "ended"}, {"id": "b", "status": "under_negotiation"}])
    'negotiating'
    >>> state_of([{"id": "a", "status": "ended"}, {"id": "b", "status": "active"}]), state_of([])
    ('in_force', 'none')
    """
    return min((link_state(link, in_force) for link in links), key=_RANK.__getitem__, default=NONE)


def _ordered_agencies(ids):
    key = {a: i for i, a in enumerate(KEY_AGENCIES)}
    return sorted(ids, key=lambda a: (key.get(a, len(KEY_AGENCIES)), a))


def region_coverage(net, agencies=None, regions=None):
    """Coverage of each priority region by EU agencies and frameworks.

    Parameters
    ----------
    net : Network
        Anything with ``actors``, ``links`` and ``regions`` as described in docs/design.md (and
        ``filters``, whose time window decides what was in force; without it, the statuses do).
    agencies : sequence of str, optional
        Agency ids to check. Default: the EU agencies (actor type ``eu_agency``) that have at least one
        link with a country of a priority region, plus Europol, Frontex and Eurojust when present.
    regions : sequence of str, optional
        Region ids to report (default: all regions of the network, sorted).

    Returns
    -------
    list of dict
        One dict per region: ``id``, ``label``, ``countries`` (ids, sorted), ``agencies``, ``frameworks``
        (the frameworks tied to at least 5 % of the region's countries, and at least one; see
        :data:`FRAMEWORK_MIN_SHARE`), ``ties`` (dict ``(country, target) -> tie``, only pairs with a
        link; see below), ``white_spots`` (sorted list of ``(country, target)`` pairs without a tie in
        force) and ``summary`` (dict target -> ``{"in_force", "total", "share", "states"}``, where
        ``states`` counts the countries in each state, ``none`` included).

        A tie is a dict: ``state`` (see the module doc), ``statuses`` (the status codes of its links,
        sorted), ``types``, ``in_force_types`` (the types of its links in force), ``not_in_force``
        (sorted ``(status, type)`` pairs of its other links), ``families``, ``family_states`` (family ->
        state of the tie's links of that family) and ``links`` (ids, sorted).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(
    ...     actors={"al": {"type": "country"}, "rs": {"type": "country"},
    ...             "europol": {"type": "eu_agency"}, "rcc": {"type": "regional_process"}},
    ...     links=[{"id": "l1", "subject": "al", "object": "europol", "type": "operational_agreement",
    ...             "family": "agreement", "status": "active"},
    ...            {"id": "l2", "subject": "rs", "object": "europol", "type": "operational_agreement",
    ...             "family": "agreement", "status": "under_negotiation"},
    ...            {"id": "l3", "subject": "rs", "object": "rcc", "type": "membership",
    ...             "family": "membership", "status": "active"}],
    ...     regions={"wb": {"id": "wb", "label": "Western Balkans", "members": ("al", "rs")}})
    >>> cov = region_coverage(net)[0]
    >>> cov["white_spots"]
    [('al', 'rcc'), ('rs', 'europol')]
    >>> cov["ties"][("rs", "europol")]["state"]
    'negotiating'
    >>> cov["summary"]["europol"]["in_force"], cov["summary"]["europol"]["states"]["negotiating"]
    (1, 1)
    """
    vocab = load_vocabulary()
    region_ids = sorted(net.regions) if regions is None else list(regions)
    by_pair, partners = _links_by_pair(net.links)
    if agencies is None:
        agencies = _default_agencies(net, region_ids, partners)
    else:
        agencies = list(agencies)
    in_force = in_force_link_ids(net)
    return [_coverage_of_region(net, region, agencies, by_pair, partners, vocab, in_force)
            for region in region_ids]


def _links_by_pair(links) -> tuple[defaultdict, defaultdict]:
    """The links between each ordered pair of parties (both orders), and each actor's partners;
    events are left out (activity, not ties), and so is funding (programmes have their own report section)."""
    vocab = load_vocabulary()
    by_pair: defaultdict = defaultdict(list)
    partners: defaultdict = defaultdict(set)
    for link in links:
        if is_event(link) or vocab.family_of(link.get("type")) == FUNDING_FAMILY:
            continue
        s, o = link["subject"], link["object"]
        by_pair[(s, o)].append(link)
        by_pair[(o, s)].append(link)
        partners[s].add(o)
        partners[o].add(s)
    return by_pair, partners


def _actor_type(net, actor_id):
    return net.actors.get(actor_id, {}).get("type")


def _kept(net, actor_id, actor_type) -> bool:
    """Whether *actor_id* is an actor of *actor_type* that the filters keep. A time or link filter drops the
    actors left without a link, but a country without a tie in that window is a white spot of its region,
    and an agency without one is still checked: they stay, unless the actor filters (``--exclude``,
    ``--actor-type``) removed them."""
    record = net.actors.get(actor_id) or (getattr(net, "all_actors", None) or {}).get(actor_id)
    if record is None or record.get("type") != actor_type:
        return False
    if actor_id in net.actors:
        return True
    filters = getattr(net, "filters", None)
    types = set(getattr(filters, "actor_types", ()) or ())
    return actor_id not in set(getattr(filters, "exclude", ()) or ()) and (not types or actor_type in types)


def _countries_of(net, region) -> list:
    """The region's member countries the filters keep (see :func:`_kept`)."""
    return sorted(m for m in net.regions[region].get("members", ()) if _kept(net, m, COUNTRY_TYPE))


def _default_agencies(net, region_ids, partners) -> list:
    """The EU agencies tied to a country of the regions, and the key agencies (see :func:`_kept`)."""
    found = {t for r in region_ids for c in _countries_of(net, r) for t in partners[c]
             if _actor_type(net, t) == AGENCY_TYPE}
    found |= {a for a in KEY_AGENCIES if _kept(net, a, AGENCY_TYPE)}
    return _ordered_agencies(found)


def _coverage_of_region(net, region, agencies, by_pair, partners, vocab, in_force) -> dict:
    """One region's entry of :func:`region_coverage`."""
    countries = _countries_of(net, region)
    tied = Counter(t for c in countries for t in partners[c] if vocab.is_framework_type(_actor_type(net, t)))
    min_ties = max(1, math.ceil(FRAMEWORK_MIN_SHARE * len(countries)))
    frameworks = sorted(t for t, n in tied.items() if n >= min_ties)
    targets = list(agencies) + frameworks
    target_set = set(targets)
    ties = {(country, target): _tie(by_pair[(country, target)], in_force)
            for country in countries for target in sorted(partners[country] & target_set)}
    held = {pair for pair, tie in ties.items() if tie["state"] == IN_FORCE}
    white_spots = [(c, t) for c in countries for t in sorted(targets) if (c, t) not in held]
    summary = {}
    for target in targets:
        states = Counter(ties[(c, target)]["state"] if (c, target) in ties else NONE for c in countries)
        total = len(countries)
        summary[target] = {"in_force": states[IN_FORCE], "total": total,
                           "share": round(states[IN_FORCE] / total, 4) if total else 0.0,
                           "states": {state: states[state] for state in STATES if states[state]}}
    return {"id": region, "label": net.regions[region].get("label") or region, "countries": countries,
            "agencies": list(agencies), "frameworks": frameworks, "ties": ties,
            "white_spots": white_spots, "summary": summary}


def _tie(links, in_force) -> dict:
    """The tie made by *links* (all between one country and one target)."""
    by_family: defaultdict = defaultdict(list)
    for link in links:
        by_family[link.get("family") or load_vocabulary().family_of(link.get("type")) or ""].append(link)
    states = {link["id"]: link_state(link, in_force) for link in links}
    return {
        "state": min(states.values(), key=_RANK.__getitem__, default=NONE),
        "statuses": tuple(sorted({link.get("status") or "" for link in links} - {""})),
        "types": tuple(sorted({link["type"] for link in links})),
        # what is in force, and what is not (a cell must never show a negotiating agreement as in force)
        "in_force_types": tuple(sorted({link["type"] for link in links if states[link["id"]] == IN_FORCE})),
        "not_in_force": tuple(sorted({(link.get("status") or "", link["type"]) for link in links
                                      if states[link["id"]] != IN_FORCE})),
        "families": tuple(sorted(set(by_family) - {""})),
        "family_states": {family: state_of(group, in_force) for family, group in sorted(by_family.items()) if family},
        "links": tuple(sorted(link["id"] for link in links)),
    }


def tie_state(coverage, country, target):
    """State of the tie between *country* and *target* in one region's coverage (``none`` if no tie).

    >>> tie_state({"ties": {("al", "europol"): {"state": "in_force"}}}, "al", "frontex")
    'none'
    """
    return coverage["ties"].get((country, target), {}).get("state", NONE)
