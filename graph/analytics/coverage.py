"""Priority-region coverage: which EU agencies and frameworks each country is tied to, and the white spots.

A *tie* between a country and a target (an EU agency or a framework) is any link record in the
network whose two parties are that country and that target, in either direction. Each tie gets a
state from the statuses of its links:

``active``
    at least one link whose status is ``active`` or unknown (empty);
``negotiating``
    only links ``under_negotiation``;
``ended``
    only ``ended`` or ``suspended`` links.

A *white spot* is a (country, target) pair in a priority region with no active tie. Only the link
records kept by the filters of the network are looked at, so ``--as-of 2015`` gives the coverage of 2015.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

AGENCY_TYPE = "eu_agency"
FRAMEWORK_TYPES = ("regional_process", "network", "platform", "treaty")
# The agencies the analysts ask about first; listed first when present.
KEY_AGENCIES = ("europol", "frontex", "eurojust")

ACTIVE, NEGOTIATING, ENDED, NONE = "active", "negotiating", "ended", "none"
#: A framework is checked for a region when at least this share of the region's countries (and at
#: least one) is tied to it; with fewer than 20 countries, one tie is enough.
FRAMEWORK_MIN_SHARE = 0.05


def _tie_state(links):
    statuses = {link.get("status") or "" for link in links}
    if statuses & {"active", ""}:
        return ACTIVE
    if "under_negotiation" in statuses:
        return NEGOTIATING
    return ENDED


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
        ``(country, target) -> {"state", "types", "families", "links"}``, only pairs with a tie),
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
    actors = net.actors
    region_ids = sorted(net.regions) if regions is None else list(regions)

    by_pair = defaultdict(list)
    partners = defaultdict(set)
    for link in net.links:
        s, o = link["subject"], link["object"]
        by_pair[(s, o)].append(link)
        by_pair[(o, s)].append(link)
        partners[s].add(o)
        partners[o].add(s)

    def countries_of(region):
        members = net.regions[region].get("members", ())
        return sorted(m for m in members if actors.get(m, {}).get("type") == "country")

    def kind(actor_id):
        return actors.get(actor_id, {}).get("type")

    if agencies is None:
        found = {t for r in region_ids for c in countries_of(r) for t in partners[c] if kind(t) == AGENCY_TYPE}
        found |= {a for a in KEY_AGENCIES if kind(a) == AGENCY_TYPE}
        agencies = _ordered_agencies(found)
    else:
        agencies = list(agencies)

    result = []
    for region in region_ids:
        info = net.regions[region]
        countries = countries_of(region)
        tied = Counter(t for c in countries for t in partners[c] if kind(t) in FRAMEWORK_TYPES)
        min_ties = max(1, math.ceil(FRAMEWORK_MIN_SHARE * len(countries)))
        frameworks = sorted(t for t, n in tied.items() if n >= min_ties)
        targets = list(agencies) + frameworks
        target_set = set(targets)
        ties = {}
        for country in countries:
            for target in sorted(partners[country] & target_set):
                links = by_pair[(country, target)]
                ties[(country, target)] = {
                    "state": _tie_state(links),
                    "types": tuple(sorted({link["type"] for link in links})),
                    "families": tuple(sorted({link.get("family") or "" for link in links} - {""})),
                    "links": tuple(sorted(link["id"] for link in links)),
                }
        active = {pair for pair, tie in ties.items() if tie["state"] == ACTIVE}
        white_spots = [(c, t) for c in countries for t in sorted(targets) if (c, t) not in active]
        summary = {}
        for target in targets:
            n_active = sum(1 for c in countries if (c, target) in active)
            total = len(countries)
            summary[target] = {"active": n_active, "total": total,
                               "share": round(n_active / total, 4) if total else 0.0}
        result.append({"id": region, "label": info.get("label") or region, "countries": countries,
                       "agencies": list(agencies), "frameworks": frameworks, "ties": ties,
                       "white_spots": white_spots, "summary": summary})
    return result


def tie_state(coverage, country, target):
    """State of the tie between *country* and *target* in one region's coverage (``none`` if no tie).

    >>> tie_state({"ties": {("al", "europol"): {"state": "active"}}}, "al", "frontex")
    'none'
    """
    return coverage["ties"].get((country, target), {}).get("state", NONE)
