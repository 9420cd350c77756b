"""The one date rule of thbkg: partial dates as the sources give them, and ``today``.

Every table cell, command-line option (``--as-of``, ``--snapshot``), query parameter and Python
argument that takes a date goes through :func:`parse_period` (or :func:`parse_day`), so each accepts
the same forms and refuses with the same message.

>>> parse_period("2024-02")
(datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
>>> parse_day("2019", end=True)
datetime.date(2019, 12, 31)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from thbkg.graph.errors import UsageError

#: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``
DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")
FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or 'today'"
TABLE_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"


def period_of(text: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day covered by a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date, or None.

    ``today`` is not accepted here: tables hold dates as sources give them.

    >>> period_of("2019")
    (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))
    >>> period_of("2019-13-40") is None
    True
    """
    match = DATE_RE.match(str(text))
    if not match:
        return None
    year_text, month_text, day_text = match.groups()
    year = int(year_text)
    try:
        if month_text is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        month = int(month_text)
        if day_text is None:
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        day_date = dt.date(year, month, int(day_text))
        return day_date, day_date
    except ValueError:
        return None


def not_a_date_message(text, what: str = "date") -> str:
    """The one message for a value that is not a date."""
    return f"{what} '{text}' is not a date (use {FORMS})"


def parse_period(text, *, today: dt.date | None = None, what: str = "date"):
    """The first and last day covered by *text*: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``today``.

    Parameters
    ----------
    text : str or datetime.date
        The date as typed (surrounding spaces and the case of ``today`` don't matter).
    today : datetime.date, optional
        What ``today`` means (default: the current date), so that outputs can be reproduced.
    what : str
        How the value is named in the error message, e.g. ``--as-of``.

    Raises
    ------
    UsageError
        If *text* is none of these forms.

    >>> parse_period("today", today=dt.date(2026, 1, 5))
    (datetime.date(2026, 1, 5), datetime.date(2026, 1, 5))
    >>> parse_period("2019-13", what="--as-of")
    Traceback (most recent call last):
    ...
    thbkg.graph.errors.UsageError: --as-of '2019-13' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or 'today')
    """
    if isinstance(text, dt.date):
        return text, text
    if str(text).strip().lower() == "today":
        day = today or dt.date.today()
        return day, day
    period = period_of(str(text).strip())
    if period is None:
        raise UsageError(not_a_date_message(text, what))
    return period


def parse_day(text, *, end: bool = False, today: dt.date | None = None, what: str = "date") -> dt.date:
    """The first day covered by *text* (the last with ``end=True``); see :func:`parse_period`.

    >>> parse_day("2024-02", end=True)
    datetime.date(2024, 2, 29)
    """
    first, last = parse_period(text, today=today, what=what)
    return last if end else first
