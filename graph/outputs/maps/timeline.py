"""The map's year slider follows the time rule of ``--as-of`` (one rule, from the network layer).

At the slider's year *Y* a link is shown when :func:`thbkg.graph.network.projections.in_force`
says it was in force on 31 December of *Y*, the day ``--as-of Y`` means: from its start day to its
end day; a link whose status is not in force (under negotiation, signed, suspended, ended…) and that
has no end day is never in force on a day. A link of the ``event`` family (joint action days,
operations) is activity in a period, not a standing tie: it is shown in the years it was active, the
window of ``--between Y Y``. A link whose start is unknown is *undated*: left out unless the map's
"include undated" switch is on (the default of ``--include-undated``), and then taken as in force
"since an unknown date".

The years are computed here, with the network layer's rule, and written into the page; the page
only looks them up.

>>> link = {"type": "working_arrangement", "status": "active", "start": "2012", "end": None}
>>> years_in_force(link, 2010, 2015)
[[2012, 2015]]
>>> years_in_force({**link, "start": None}, 2010, 2015), is_undated({**link, "start": None})
([[2010, 2015]], True)
"""

from __future__ import annotations

import datetime as dt

from thbkg.graph.network.projections import in_force
from thbkg.graph.rdf.dates import period_of
from thbkg.graph.rdf.vocab import load_vocabulary

__all__ = ["EVENT_FAMILY", "is_event", "is_undated", "link_days", "year_ranges", "years_in_force"]

#: The link family whose links are activity in a period (``thb:family`` in the ontology).
EVENT_FAMILY = "event"


def link_days(link: dict) -> tuple[dt.date | None, dt.date | None]:
    """``(start_day, end_day)`` of a link record: its own days, else the first day of its ``start``
    and the last day of its ``end`` (:func:`thbkg.graph.rdf.dates.period_of`), as the build does.

    >>> link_days({"start": "2015-03", "end": "2019"})
    (datetime.date(2015, 3, 1), datetime.date(2019, 12, 31))
    >>> link_days({"start": None, "end": None})
    (None, None)
    """
    start, end = link.get("start_day"), link.get("end_day")
    if start is None and link.get("start"):
        period = period_of(str(link["start"]))
        start = period[0] if period else None
    if end is None and link.get("end"):
        period = period_of(str(link["end"]))
        end = period[1] if period else None
    return start, end


def is_undated(link: dict) -> bool:
    """Whether the link's start is unknown (left out of time views unless undated links are included).

    >>> is_undated({"start": "2019"}), is_undated({"start": None, "end": "2022"})
    (False, True)
    """
    return link_days(link)[0] is None


def is_event(link: dict) -> bool:
    """Whether the link is of the ``event`` family (by its type in the ontology, else its record).

    >>> is_event({"type": "joint_action"}), is_event({"type": "membership"})
    (True, False)
    """
    family = load_vocabulary().family_of(link.get("type")) or link.get("family")
    return family == EVENT_FAMILY


def year_ranges(years) -> list[list[int]]:
    """Sorted years as ``[first, last]`` runs of consecutive years.

    >>> year_ranges([2003, 2004, 2005, 2009, 2011, 2012])
    [[2003, 2005], [2009, 2009], [2011, 2012]]
    >>> year_ranges([])
    []
    """
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return runs


def years_in_force(link: dict, first_year: int, last_year: int) -> list[list[int]]:
    """The years of ``first_year..last_year`` at which the slider shows *link* when undated links
    are included, as :func:`year_ranges` (see the module docstring for the rule).

    >>> rec = {"type": "liaison_officer", "status": "ended", "start": "2015-03", "end": "2019-06"}
    >>> years_in_force(rec, 2010, 2024)   # not in force on 31 December 2019
    [[2015, 2018]]
    >>> years_in_force({**rec, "end": None}, 2010, 2024)   # ended, no end date: never
    []
    >>> years_in_force({"type": "joint_action", "status": "ended", "start": "2022-06", "end": "2022-06"},
    ...                2020, 2024)   # an event: the years it was active
    [[2022, 2022]]
    """
    start, end = link_days(link)
    record = {"status": link.get("status"), "start_day": start, "end_day": end}
    event = is_event(link)
    years = []
    # no year before the start's or after the end's can qualify: only the years between are asked
    low = max(first_year, start.year) if start else first_year
    high = min(last_year, end.year) if end else last_year
    for year in range(low, high + 1):
        last = dt.date(year, 12, 31)
        if in_force(record, dt.date(year, 1, 1) if event else last, last):
            years.append(year)
    return year_ranges(years)
