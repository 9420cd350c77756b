"""Frameworks: who belongs to each treaty, regional process, network and platform, since when, and who runs it.

Treaties, regional processes, networks and platforms (the *framework types* of the ontology,
:meth:`~thbkg.graph.rdf.vocab.Vocabulary.is_framework_type`) are affiliations, not actors that
cooperate: actors belong to them. For each framework of the network this module gives

* its **members**: the parties of its links of the *membership* family (``membership``,
  ``observer``, ``treaty_party``: :meth:`~thbkg.graph.rdf.vocab.Vocabulary.family_of`), one entry per
  member with the state of its membership (in force, signed or initialled, negotiating, suspended,
  ended: :func:`~thbkg.graph.analytics.coverage.state_of`, the coverage table's rule);
* its **growth**: members joining per period. A member *joined* at the earliest start of its
  membership-family links to the framework. When one of those links has no start date, the member
  may have joined before any date the data gives, so it is counted as *undated*, never placed in a
  period. A member *left* at the latest end of its links when none of them is in force any more and
  all of them have an end date;
* who **chairs** it or **holds its secretariat**: the links of type ``secretariat`` to the framework,
  and the links to it whose role (links.csv column ``role``) names a chair or a secretariat
  (:data:`GOVERNANCE_WORDS`). The role is shown as the data gives it, with its dates and state;
  nothing is inferred;
* its **activity**: links of the *event* family (joint action days…) to it, which are activity in a
  period, not membership.

Only the link records kept by the network's filters are read, so ``--as-of 2015`` gives the
frameworks of 2015.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from thbkg.graph.analytics.change import is_event
from thbkg.graph.analytics.coverage import IN_FORCE, STATES, in_force_link_ids, state_of
from thbkg.graph.rdf.dates import parse_period
from thbkg.graph.rdf.vocab import load_vocabulary

#: the link family whose links make an actor a member of a framework (thb:family in the ontology)
MEMBERSHIP_FAMILY = "membership"
#: the link type of an organisation that runs or supports a framework's secretariat
SECRETARIAT_TYPE = "secretariat"
#: what a link's role must contain (whole word, any case) to name a chair or a secretariat -> the kind shown
GOVERNANCE_WORDS = {"chair": "chair", "secretariat": "secretariat"}
_GOVERNANCE = {kind: re.compile(rf"\b{re.escape(word)}", re.IGNORECASE) for word, kind in GOVERNANCE_WORDS.items()}
#: width of the growth periods, in years (periods start at multiples of it: 2000–2004, 2005–2009…)
PERIOD_YEARS = 5


def _days(link, which):
    """(first day of the start, last day of the end) pieces of a link record: a date or None."""
    day = link.get(f"{which}_day")
    if day is not None and not isinstance(day, str):
        return day
    text = link.get(which)
    if not text:
        return None
    first, last = parse_period(text, what=f"link {link.get('id')!r} {which}")
    return first if which == "start" else last


def _governance_kind(link):
    """``chair``, ``secretariat`` or None for one link to a framework."""
    if link.get("type") == SECRETARIAT_TYPE:
        return GOVERNANCE_WORDS["secretariat"]
    role = link.get("role") or ""
    return next((kind for kind, pattern in _GOVERNANCE.items() if pattern.search(role)), None)


def _period(year, width):
    first = year - year % width
    return first, first + width - 1


def framework_summary(net, period_years=PERIOD_YEARS):
    """Members, growth, governance and activity of every framework of *net*.

    Parameters
    ----------
    net : Network
        Anything with ``actors`` and ``links`` as described in docs/design.md (and ``filters``; see
        :func:`~thbkg.graph.analytics.coverage.in_force_link_ids`).
    period_years : int
        Width of the growth periods, in years.

    Returns
    -------
    list of dict
        One dict per framework, those with the most members in force first: ``id``, ``label``,
        ``type``, ``members`` (distinct members whose membership is in force), ``by_type`` (link type ->
        members in force holding a link of that type), ``by_state`` (state -> members, every state of
        :data:`~thbkg.graph.analytics.coverage.STATES` that occurs), ``member_types`` (actor type ->
        members in force), ``member_list`` (one dict per member: ``id``, ``label``, ``type``,
        ``state``, ``link_types``, ``roles``, ``joined``, ``left``, ``links``; in force first, then by
        label), ``growth`` (``periods``: list of ``{"first", "last", "joined", "left"}`` from the first
        to the last period with a date; ``dated`` and ``undated``: members with and without a known
        joining date), ``governance`` (list of ``{"kind", "actor", "label", "role", "type", "start",
        "end", "status", "state", "link"}``, in force first) and ``events`` (``links`` and
        ``participants``: event links to the framework and their distinct parties).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> def link(i, s, o, t, start=None, end=None, status="active", role=None):
    ...     return {"id": i, "subject": s, "object": o, "type": t, "start": start, "end": end,
    ...             "status": status, "role": role}
    >>> net = SimpleNamespace(
    ...     actors={"rp": {"label": "Rabat Process", "type": "regional_process"},
    ...             "ma": {"label": "Morocco", "type": "country"}, "sn": {"label": "Senegal", "type": "country"},
    ...             "ml": {"label": "Mali", "type": "country"}, "icmpd": {"label": "ICMPD",
    ...                                                                "type": "international_organisation"}},
    ...     links=[link("l1", "ma", "rp", "membership", "2006"), link("l2", "sn", "rp", "membership", "2008"),
    ...            link("l3", "ml", "rp", "membership"), link("l4", "ma", "rp", "membership", "2019", "2019",
    ...            "ended", "chair"), link("l5", "icmpd", "rp", "secretariat", role="Secretariat")])
    >>> rabat = framework_summary(net)[0]
    >>> rabat["members"], rabat["growth"]["undated"], rabat["growth"]["periods"][0]
    (3, 1, {'first': 2005, 'last': 2009, 'joined': 2, 'left': 0})
    >>> [(g["kind"], g["label"], g["state"]) for g in rabat["governance"]]
    [('secretariat', 'ICMPD', 'in_force'), ('chair', 'Morocco', 'ended')]
    """
    vocab = load_vocabulary()
    frameworks = {a for a, record in net.actors.items() if vocab.is_framework_type(record.get("type"))}
    if not frameworks:
        return []
    in_force = in_force_link_ids(net)
    memberships: dict = defaultdict(lambda: defaultdict(list))  # framework -> member -> links
    governance: dict = defaultdict(list)
    events: dict = defaultdict(list)
    for link in net.links:
        subject, obj = link["subject"], link["object"]
        framework, other = (obj, subject) if obj in frameworks else (subject, obj) if subject in frameworks else (None, None)
        if framework is None or framework == other:
            continue
        if is_event(link):
            events[framework].append(link)
            continue
        kind = _governance_kind(link)
        if kind:
            governance[framework].append((kind, other, link))
        if (link.get("family") or vocab.family_of(link.get("type"))) == MEMBERSHIP_FAMILY and framework == obj:
            memberships[framework][subject].append(link)
    result = [_framework(net, f, memberships[f], governance[f], events[f], in_force, period_years)
              for f in frameworks]
    return sorted(result, key=lambda f: (-f["members"], f["label"].casefold(), f["id"]))


def _label(net, actor_id):
    return (net.actors.get(actor_id) or {}).get("label") or actor_id


def _member(net, member, links, in_force) -> dict:
    """One member's entry: its state, link types, roles and joining / leaving dates."""
    state = state_of(links, in_force)
    starts = [(_days(link, "start"), link.get("start")) for link in links]
    joined = None if any(day is None for day, _ in starts) else min(starts)[1]
    ends = [(_days(link, "end"), link.get("end")) for link in links]
    left = None
    if state != IN_FORCE and ends and all(day is not None for day, _ in ends):
        left = max(ends)[1]
    return {"id": member, "label": _label(net, member), "type": (net.actors.get(member) or {}).get("type"),
            "state": state, "link_types": sorted({link["type"] for link in links}),
            "roles": sorted({link["role"] for link in links if link.get("role")}),
            "joined": joined, "left": left, "links": sorted(link["id"] for link in links)}


def _growth(net, members, links_of, period_years) -> dict:
    """Members joining (and leaving) per period, and how many have no known joining date."""
    joined: Counter = Counter()
    left: Counter = Counter()
    for member in members:
        links = links_of[member["id"]]
        if member["joined"] is not None:
            joined[_period(min(_days(link, "start") for link in links).year, period_years)] += 1
        if member["left"] is not None:
            left[_period(max(_days(link, "end") for link in links).year, period_years)] += 1
    periods = []
    known = set(joined) | set(left)
    if known:
        first, last = min(known)[0], max(known)[0]
        for start in range(first, last + 1, period_years):
            key = (start, start + period_years - 1)
            periods.append({"first": key[0], "last": key[1], "joined": joined[key], "left": left[key]})
    undated = sum(1 for m in members if m["joined"] is None)
    return {"periods": periods, "dated": len(members) - undated, "undated": undated, "period_years": period_years}


def _framework(net, framework, links_of, governance, events, in_force, period_years) -> dict:
    """One framework's entry of :func:`framework_summary`."""
    rank = {state: i for i, state in enumerate(STATES)}
    members = [_member(net, m, links, in_force) for m, links in links_of.items()]
    members.sort(key=lambda m: (rank[m["state"]], m["label"].casefold(), m["id"]))
    current = [m for m in members if m["state"] == IN_FORCE]
    by_type: Counter = Counter()
    for m in current:
        by_type.update({link["type"] for link in links_of[m["id"]] if link["id"] in in_force})
    states = Counter(m["state"] for m in members)
    rows = []
    for kind, actor, link in governance:
        days = [day for day in (_days(link, "start"), _days(link, "end")) if day is not None]
        latest = max(days) if days else None
        row = {"kind": kind, "actor": actor, "label": _label(net, actor), "role": link.get("role"),
               "type": link.get("type"), "start": link.get("start"), "end": link.get("end"),
               "status": link.get("status"), "state": state_of([link], in_force), "link": link["id"]}
        # in force first; then the most recent (start or end) first, undated last
        rows.append(((rank[row["state"]], latest is None, -(latest.toordinal() if latest else 0),
                      row["label"].casefold(), row["link"]), row))
    record = net.actors.get(framework) or {}
    return {"id": framework, "label": record.get("label") or framework, "type": record.get("type"),
            "members": len(current), "by_type": dict(sorted(by_type.items())),
            "by_state": {state: states[state] for state in STATES if states[state]},
            "member_types": dict(Counter((m["type"] or "") for m in current).most_common()),
            "member_list": members, "growth": _growth(net, members, links_of, period_years),
            "governance": [row for _, row in sorted(rows, key=lambda pair: pair[0])],
            "events": {"links": len(events),
                       "participants": len({a for link in events for a in (link["subject"], link["object"])}
                                           - {framework})}}

