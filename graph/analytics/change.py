"""Change over time: snapshots of the cooperation network at chosen dates, and links per year.

Dates in the data are as precise as the research gives them (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``),
so a date stands for a period: ``2015`` is the whole of 2015. A link is *active in a snapshot period*
when its known start is on or before the period's last day and it had not ended before the period's
first day. Nothing is guessed:

* a link without a start date is never placed in a snapshot; snapshots count such links separately
  (``undated``);
* a link whose status is ``ended`` or ``suspended`` but whose end date is unknown is active only in
  snapshots that it cannot have left yet: it is counted as ``undetermined`` for every snapshot after
  its start;
* links ``under_negotiation`` are not ties yet and never active.

Between two consecutive snapshots S1 < S2, a link is *added* when its start day is after S1's last day
and on or before S2's last day, and *ended* when its end day is on or after S1's first day and before
S2's first day. These windows tile the time line, so each dated start or end is counted once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter, defaultdict

import networkx as nx

from thbkg.graph.errors import UsageError

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
INACTIVE_STATUSES = ("ended", "suspended")
CONFIDENCE_LEVELS = ("high", "medium", "low")


def parse_period(text, today=None):
    """The first and last day covered by a date written ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``today``.

    Parameters
    ----------
    text : str
        The date.
    today : datetime.date, optional
        What ``today`` means (default: the current date), so reports can be reproduced.

    Returns
    -------
    tuple of datetime.date
        ``(first_day, last_day)``.

    Raises
    ------
    UsageError
        When *text* is not such a date.

    Examples
    --------
    >>> parse_period("2020-02")
    (datetime.date(2020, 2, 1), datetime.date(2020, 2, 29))
    >>> parse_period("today", today=dt.date(2026, 1, 5))
    (datetime.date(2026, 1, 5), datetime.date(2026, 1, 5))
    >>> parse_period("2019-13")
    Traceback (most recent call last):
    ...
    thbkg.graph.errors.UsageError: '2019-13' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or 'today')
    """
    text = str(text).strip()
    if text.lower() == "today":
        day = today or dt.date.today()
        return day, day
    m = _DATE.match(text)
    try:
        if not m:
            raise ValueError
        year = int(m.group(1))
        if m.group(3):
            day = dt.date(year, int(m.group(2)), int(m.group(3)))
            return day, day
        if m.group(2):
            month = int(m.group(2))
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        raise UsageError(f"'{text}' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or 'today')") from None


def _day(link, which):
    """First day of the start (which='start') or last day of the end, or None when unknown."""
    day = link.get(f"{which}_day")
    if isinstance(day, dt.date):
        return day
    if day:
        return dt.date.fromisoformat(str(day)[:10])
    text = link.get(which)
    if not text:
        return None
    first, last = parse_period(text)
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
    if link.get("status") == "under_negotiation":
        return False
    start = _day(link, "start")
    if start is None:
        return None
    if start > last_day:
        return False
    end = _day(link, "end")
    if end is not None:
        return end >= first_day
    if link.get("status") in INACTIVE_STATUSES:
        return None
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
        ``undetermined`` (dated links whose activity on that date is unknown), and from the second
        snapshot on ``added`` and ``ended`` (sorted link ids since the previous snapshot).

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
    """
    periods = sorted(((parse_period(d, today), str(d)) for d in dates), key=lambda p: (p[0], p[1]))
    links = list(net.links)
    starts = {link["id"]: _day(link, "start") for link in links}
    ends = {link["id"]: _day(link, "end") for link in links}
    undated = sum(1 for link in links if starts[link["id"]] is None)
    result = []
    previous = None
    for (first, last), label in periods:
        graph = nx.Graph()
        active, undetermined = [], 0
        for link in links:
            state = link_activity(link, first, last)
            if state is True:
                active.append(link)
            elif state is None and starts[link["id"]] is not None:
                undetermined += 1
        for link in sorted(active, key=lambda link: link["id"]):
            graph.add_edge(*sorted((link["subject"], link["object"])))
        row = {"date": label, "first_day": first.isoformat(), "last_day": last.isoformat(),
               "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
               "links": len(active), "density": round(nx.density(graph), 4) if len(graph) > 1 else 0.0,
               "components": nx.number_connected_components(graph) if len(graph) else 0,
               "largest_component": max((len(c) for c in nx.connected_components(graph)), default=0),
               "undated": undated, "undetermined": undetermined}
        if previous is not None:
            p_first, p_last = previous
            row["added"] = sorted(i for i, d in starts.items() if d is not None and p_last < d <= last)
            row["ended"] = sorted(i for i, d in ends.items() if d is not None and p_first <= d < first)
        result.append(row)
        previous = (first, last)
    return result


def links_per_year(net):
    """Links counted by the year they started, split by ``date_confidence``; undated links apart.

    Returns
    -------
    dict
        ``years``: list of ``{"year", "total", "high", "medium", "low", "unstated", "ended"}`` for every
        year from the first to the last start year (years without links included, with zeros), where
        ``ended`` counts links whose end date falls in that year; ``undated``: number of links without a
        start date; ``dated``: number with one; ``share_dated``: dated / all (0 when there are no links);
        ``ended_undated``: links ended or suspended without an end date.

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
    by_year = defaultdict(Counter)
    ended_by_year = Counter()
    undated = ended_undated = 0
    for link in net.links:
        start = _day(link, "start")
        end = _day(link, "end")
        if end is not None:
            ended_by_year[end.year] += 1
        elif link.get("status") in INACTIVE_STATUSES:
            ended_undated += 1
        if start is None:
            undated += 1
            continue
        level = link.get("date_confidence") or "unstated"
        by_year[start.year][level if level in CONFIDENCE_LEVELS else "unstated"] += 1
    years = []
    known = set(by_year) | set(ended_by_year)
    if known:
        for year in range(min(known), max(known) + 1):
            counts = by_year.get(year, Counter())
            years.append({"year": year, "total": sum(counts.values()),
                          **{level: counts.get(level, 0) for level in (*CONFIDENCE_LEVELS, "unstated")},
                          "ended": ended_by_year.get(year, 0)})
    dated = sum(sum(c.values()) for c in by_year.values())
    total = dated + undated
    return {"years": years, "undated": undated, "dated": dated,
            "share_dated": round(dated / total, 4) if total else 0.0, "ended_undated": ended_undated}
