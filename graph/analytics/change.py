"""Change over time: snapshots of the cooperation network at chosen dates, and links per year.

Dates in the data are as precise as the research gives them (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``),
so a date stands for a period: ``2015`` is the whole of 2015. A link is *active in a snapshot period*
when its known start is on or before the period's last day and it had not ended before the period's
first day. Nothing is guessed:

* a link without a start date is never placed in a snapshot; snapshots count such links separately
  (``undated``);
* a link whose status is not in force (``thb:inForce false`` in the ontology: ended, suspended,
  under negotiation…) and whose end date is unknown is never counted as active: it stopped at a
  date the sources do not give, or has not entered into force (again). It is counted as
  ``undetermined`` for every snapshot after its start. With an end date, it was in force from its
  start to its end.

Dates are read by the one date parser, :mod:`thbkg.graph.rdf.dates`.

Between two consecutive snapshots S1 < S2, a link is *added* when its start day is after S1's last day
and on or before S2's last day, and *ended* when its end day is on or after S1's first day and before
S2's first day. These windows tile the time line, so each dated start or end is counted once.

Links of the *event* family (joint action days, operations, conferences: ``thb:family "event"`` in
the ontology) are activity in a period, not standing ties: they are never *added* or *ended* and never
enter a snapshot's graph; each snapshot counts the events active in its period (``events``), each
interval the events that took place in it (``events_between``), and :func:`links_per_year` counts
them in their own column.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import networkx as nx

from thbkg.graph.rdf.dates import parse_period
from thbkg.graph.rdf.vocab import load_vocabulary

__all__ = ["link_activity", "links_per_year", "parse_period", "snapshots"]  # parse_period: the one date parser

#: the key of the links whose confidence is not stated, next to the confidence codes of the ontology
UNSTATED = "unstated"
def is_event(link) -> bool:
    """Whether *link* is of the event family (activity in a period, not a tie that begins and ends).

    >>> is_event({"type": "joint_action"}), is_event({"type": "membership"})
    (True, False)
    """
    return load_vocabulary().is_event(link.get("type"))


def _day(link, which):
    """First day of the start (which='start') or last day of the end, or None when unknown."""
    day = link.get(f"{which}_day")
    if isinstance(day, dt.date):
        return day
    text = str(day)[:10] if day else link.get(which)
    if not text:
        return None
    first, last = parse_period(text, what=f"link {link.get('id')!r} {which}")
    return first if which == "start" else last


def link_activity(link, first_day, last_day):
    """Whether *link* is active in the period ``first_day..last_day``: True, False or None (unknown).

    >>> link = {"start": "2013", "end": None, "status": "active"}
    >>> link_activity(link, dt.date(2012, 1, 1), dt.date(2012, 12, 31))
    False
    >>> link_activity(link, dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    True
    >>> link_activity({"start": None, "status": "active"}, dt.date(2020, 1, 1), dt.date(2020, 12, 31)) is None
    True
    """
    start = _day(link, "start")
    if start is None:
        return None
    if start > last_day:
        return False
    end = _day(link, "end")
    if end is not None:
        return end >= first_day
    if not load_vocabulary().counts_in_force(link.get("status")):
        return None  # not in force now, since a day the sources don't give (or not yet)
    return True


def snapshots(net, dates, today=None):
    """The cooperation network at each date, and the links added and ended between consecutive dates.

    Parameters
    ----------
    net : Network
        Anything with ``links`` (link records as in docs/design.md).
    dates : sequence of str
        Snapshot dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``today``); sorted chronologically.
    today : datetime.date, optional
        What ``today`` means.

    Returns
    -------
    list of dict
        One dict per date, chronological: ``date`` (as given), ``first_day``, ``last_day``, ``nodes``,
        ``edges`` (actor pairs with an active link), ``links`` (active link records), ``density``,
        ``components``, ``largest_component``, ``undated`` (links without a start date),
        ``undetermined`` (dated links whose activity on that date is unknown), ``events`` (event
        links active in the period; they are not in the other figures), and from the second
        snapshot on ``added`` and ``ended`` (sorted link ids of ties since the previous snapshot)
        and ``events_between`` (sorted ids of the events that started in that interval).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(links=[
    ...     {"id": "a", "subject": "x", "object": "y", "start": "2010", "end": "2016", "status": "ended"},
    ...     {"id": "b", "subject": "y", "object": "z", "start": "2018", "end": None, "status": "active"},
    ...     {"id": "c", "subject": "x", "object": "z", "start": None, "end": None, "status": "active"}])
    >>> s = snapshots(net, ["2015", "2020"])
    >>> [(x["date"], x["links"], x["undated"]) for x in s]
    [('2015', 1, 1), ('2020', 1, 1)]
    >>> s[1]["added"], s[1]["ended"]
    (['b'], ['a'])

    A week of joint action is an event: activity in 2019, never a tie added or ended.

    >>> net.links.append({"id": "jad", "subject": "x", "object": "p", "type": "joint_action",
    ...                   "start": "2019-06-10", "end": "2019-06-17", "status": "ended"})
    >>> s = snapshots(net, ["2015", "2019", "2020"])
    >>> s[1]["events"], s[1]["events_between"], s[1]["added"], s[2]["ended"]
    (1, ['jad'], ['b'], [])
    """
    periods = sorted(((parse_period(d, today=today, what="snapshot"), str(d)) for d in dates),
                     key=lambda p: (p[0], p[1]))
    links = [link for link in net.links if not is_event(link)]
    events = [link for link in net.links if is_event(link)]
    starts = {link["id"]: _day(link, "start") for link in links}
    ends = {link["id"]: _day(link, "end") for link in links}
    event_starts = {link["id"]: _day(link, "start") for link in events}
    undated = sum(1 for link in links if starts[link["id"]] is None)
    result = []
    previous = None
    for (first, last), label in periods:
        active, undetermined = _active_links(links, starts, first, last)
        row = {"date": label, "first_day": first.isoformat(), "last_day": last.isoformat(),
               **_graph_figures(active), "undated": undated, "undetermined": undetermined,
               "events": sum(1 for link in events if link_activity(link, first, last))}
        if previous is not None:
            p_first, p_last = previous
            row["added"] = sorted(i for i, d in starts.items() if d is not None and p_last < d <= last)
            row["ended"] = sorted(i for i, d in ends.items() if d is not None and p_first <= d < first)
            row["events_between"] = sorted(i for i, d in event_starts.items() if d is not None and p_last < d <= last)
        result.append(row)
        previous = (first, last)
    return result


def _active_links(links, starts: dict, first: dt.date, last: dt.date) -> tuple[list, int]:
    """The links active in ``first..last``, and how many dated links have an unknown activity then."""
    active, undetermined = [], 0
    for link in links:
        state = link_activity(link, first, last)
        if state is True:
            active.append(link)
        elif state is None and starts[link["id"]] is not None:
            undetermined += 1
    return active, undetermined


def _graph_figures(active: list) -> dict:
    """``nodes``, ``edges``, ``links``, ``density``, ``components`` and ``largest_component`` of the
    actor graph of the *active* links."""
    graph = nx.Graph()
    for link in sorted(active, key=lambda link: link["id"]):
        graph.add_edge(*sorted((link["subject"], link["object"])))
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
            "links": len(active), "density": round(nx.density(graph), 4) if len(graph) > 1 else 0.0,
            "components": nx.number_connected_components(graph) if len(graph) else 0,
            "largest_component": max((len(c) for c in nx.connected_components(graph)), default=0)}


def links_per_year(net):
    """Links counted by the year they started, split by ``date_confidence``; undated links apart.

    Returns
    -------
    dict
        ``years``: list of ``{"year", "total", <each confidence code of the ontology, surest first>,
        "unstated", "ended", "events"}`` for every year from the first to the last start year (years
        without links included, with zeros), where ``ended`` counts ties whose end date falls in that
        year and ``events`` the event links (joint action…) that started in that year, which are
        not in the other columns;
        ``undated``: number of links without a start date; ``dated``: number with one;
        ``share_dated``: dated / all (0 when there are no links); ``ended_undated``: links whose
        status is not in force (ended, suspended, under negotiation…) and that have no end date.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(links=[
    ...     {"id": "a", "start": "2010", "date_confidence": "high", "status": "active"},
    ...     {"id": "b", "start": "2012-05", "date_confidence": "low", "status": "active"},
    ...     {"id": "c", "start": None, "date_confidence": None, "status": "active"}])
    >>> t = links_per_year(net)
    >>> [(y["year"], y["total"]) for y in t["years"]], t["undated"], t["share_dated"]
    ([(2010, 1), (2011, 0), (2012, 1)], 1, 0.6667)
    """
    vocab = load_vocabulary()
    levels = (*vocab.confidence_order, UNSTATED)
    by_year = defaultdict(Counter)
    ended_by_year = Counter()
    events_by_year = Counter()
    undated = ended_undated = 0
    for link in net.links:
        if is_event(link):
            start = _day(link, "start")
            if start is not None:
                events_by_year[start.year] += 1
            else:
                undated += 1
            continue
        start = _day(link, "start")
        end = _day(link, "end")
        if end is not None:
            ended_by_year[end.year] += 1
        elif not vocab.counts_in_force(link.get("status")):
            ended_undated += 1
        if start is None:
            undated += 1
            continue
        level = link.get("date_confidence")
        by_year[start.year][level if level in vocab.confidence_rank else UNSTATED] += 1
    years = []
    known = set(by_year) | set(ended_by_year) | set(events_by_year)
    if known:
        for year in range(min(known), max(known) + 1):
            counts = by_year.get(year, Counter())
            years.append({"year": year, "total": sum(counts.values()),
                          **{level: counts.get(level, 0) for level in levels},
                          "ended": ended_by_year.get(year, 0), "events": events_by_year.get(year, 0)})
    dated = sum(sum(c.values()) for c in by_year.values()) + sum(events_by_year.values())
    total = dated + undated
    return {"years": years, "undated": undated, "dated": dated,
            "share_dated": round(dated / total, 4) if total else 0.0, "ended_undated": ended_undated}
