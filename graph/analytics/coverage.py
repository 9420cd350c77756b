"""Priority-region coverage: which EU agencies and frameworks each country is tied to, and the white spots.

A *tie* between a country and a target (an EU agency or a framework) is any link record in the
network whose two parties are that country and that target, in either direction. Each tie gets a
state from the statuses of its links, read from the ontology (``thb:inForce`` of the status
concepts, :attr:`~thbkg.graph.rdf.vocab.Vocabulary.in_force_statuses`):

``active``
    at least one link whose status is in force (``active``) or unstated;
``not_in_force``
    only links whose status is not in force (under negotiation, suspended, ended…); the tie's
    ``statuses`` say which. A negotiating agreement is never a tie in force.

A *framework* is an actor whose type is a framework type of the ontology
(:attr:`~thbkg.graph.rdf.vocab.Vocabulary.framework_types`: regional processes, networks,
platforms, treaties…). A *white spot* is a (country, target) pair in a priority region with no active tie. Only the link
records kept by the filters of the network are looked at, so ``--as-of 2015`` gives the coverage of 2015.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from thbkg.graph.rdf.vocab import load_vocabulary

#: the actor type of the agencies checked (the question coverage answers is about EU agencies)
AGENCY_TYPE = "eu_agency"
#: the actor type of the members of a region whose ties are checked
COUNTRY_TYPE = "country"
# The agencies the analysts ask about first; listed first when present.
KEY_AGENCIES = ("europol", "frontex", "eurojust")

#: tie states (not status codes: a state sums up the statuses of a tie's links)
ACTIVE, NOT_IN_FORCE, NONE = "active", "not_in_force", "none"
#: A framework is checked for a region when at least this share of the region's countries (and at
#: least one) is tied to it; with fewer than 20 countries, one tie is enough.
FRAMEWORK_MIN_SHARE = 0.05


def _tie_state(links, vocab) -> str:
    """ACTIVE when a link of the tie is in force (or has no status), else NOT_IN_FORCE."""
    return ACTIVE if any(vocab.counts_in_force(link.get("status")) for link in links) else NOT_IN_FORCE


def _ordered_agencies(ids):
    key = {a: i for i, a in enumerate(KEY_AGENCIES)}
    return sorted(ids, key=lambda a: (key.get(a, len(KEY_AGENCIES)), a))


def region_coverage(net, agencies=None, regions=None):
    """Coverage of each priority region by EU agencies and frameworks.

    Parameters
    ----------
    net : Network
        Anything with ``actors``, ``links`` and ``regions`` as described in docs/design.md.
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
        :data:`FRAMEWORK_MIN_SHARE`), ``ties`` (dict
        ``(country, target) -> {"state", "statuses", "types", "families", "links"}``, only pairs
        with a tie; ``statuses`` are the status codes of its links, sorted),
        ``white_spots`` (sorted list of ``(country, target)`` pairs without an active tie) and
        ``summary`` (dict target -> ``{"active", "total", "share"}``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(
    ...     actors={"al": {"type": "country"}, "rs": {"type": "country"},
    ...             "europol": {"type": "eu_agency"}, "rcc": {"type": "regional_process"}},
    ...     links=[{"id": "l1", "subject": "al", "object": "europol", "type": "operational_agreement",
    ...             "family": "agreement", "status": "active"},
    ...            {"id": "l2", "subject": "rs", "object": "rcc", "type": "membership",
    ...             "family": "membership", "status": "active"}],
    ...     regions={"wb": {"id": "wb", "label": "Western Balkans", "members": ("al", "rs")}})
    >>> cov = region_coverage(net)[0]
    >>> cov["white_spots"]
    [('al', 'rcc'), ('rs', 'europol')]
    >>> cov["summary"]["europol"]
    {'active': 1, 'total': 2, 'share': 0.5}
    """
    vocab = load_vocabulary()
    region_ids = sorted(net.regions) if regions is None else list(regions)
    by_pair, partners = _links_by_pair(net.links)
    if agencies is None:
        agencies = _default_agencies(net, region_ids, partners)
    else:
        agencies = list(agencies)
    return [_coverage_of_region(net, region, agencies, by_pair, partners, vocab) for region in region_ids]


def _links_by_pair(links) -> tuple[defaultdict, defaultdict]:
    """The links between each ordered pair of parties (both orders), and each actor's partners."""
    by_pair: defaultdict = defaultdict(list)
    partners: defaultdict = defaultdict(set)
    for link in links:
        s, o = link["subject"], link["object"]
        by_pair[(s, o)].append(link)
        by_pair[(o, s)].append(link)
        partners[s].add(o)
        partners[o].add(s)
    return by_pair, partners


def _actor_type(net, actor_id):
    return net.actors.get(actor_id, {}).get("type")


def _countries_of(net, region) -> list:
    members = net.regions[region].get("members", ())
    return sorted(m for m in members if _actor_type(net, m) == COUNTRY_TYPE)


def _default_agencies(net, region_ids, partners) -> list:
    """The EU agencies tied to a country of the regions, and the key agencies present."""
    found = {t for r in region_ids for c in _countries_of(net, r) for t in partners[c]
             if _actor_type(net, t) == AGENCY_TYPE}
    found |= {a for a in KEY_AGENCIES if _actor_type(net, a) == AGENCY_TYPE}
    return _ordered_agencies(found)


def _coverage_of_region(net, region, agencies, by_pair, partners, vocab) -> dict:
    """One region's entry of :func:`region_coverage`."""
    countries = _countries_of(net, region)
    tied = Counter(t for c in countries for t in partners[c] if vocab.is_framework_type(_actor_type(net, t)))
    min_ties = max(1, math.ceil(FRAMEWORK_MIN_SHARE * len(countries)))
    frameworks = sorted(t for t, n in tied.items() if n >= min_ties)
    targets = list(agencies) + frameworks
    target_set = set(targets)
    ties = {(country, target): _tie(by_pair[(country, target)], vocab)
            for country in countries for target in sorted(partners[country] & target_set)}
    active = {pair for pair, tie in ties.items() if tie["state"] == ACTIVE}
    white_spots = [(c, t) for c in countries for t in sorted(targets) if (c, t) not in active]
    summary = {}
    for target in targets:
        n_active = sum(1 for c in countries if (c, target) in active)
        total = len(countries)
        summary[target] = {"active": n_active, "total": total,
                           "share": round(n_active / total, 4) if total else 0.0}
    return {"id": region, "label": net.regions[region].get("label") or region, "countries": countries,
            "agencies": list(agencies), "frameworks": frameworks, "ties": ties,
            "white_spots": white_spots, "summary": summary}


def _tie(links, vocab) -> dict:
    """The tie made by *links* (all between one country and one target)."""
    return {
        "state": _tie_state(links, vocab),
        "statuses": tuple(sorted({link.get("status") or "" for link in links} - {""})),
        "types": tuple(sorted({link["type"] for link in links})),
        # what is in force, and what is not (a cell must never show a negotiating agreement as in force)
        "in_force_types": tuple(sorted({link["type"] for link in links if vocab.counts_in_force(link.get("status"))})),
        "not_in_force": tuple(sorted({(link.get("status") or "", link["type"]) for link in links
                                      if not vocab.counts_in_force(link.get("status"))})),
        "families": tuple(sorted({link.get("family") or "" for link in links} - {""})),
        "links": tuple(sorted(link["id"] for link in links)),
    }


def tie_state(coverage, country, target):
    """State of the tie between *country* and *target* in one region's coverage (``none`` if no tie).

    >>> tie_state({"ties": {("al", "europol"): {"state": "active"}}}, "al", "frontex")
    'none'
    """
    return coverage["ties"].get((country, target), {}).get("state", NONE)
