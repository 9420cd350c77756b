"""``thbkg cache info`` as text or JSON (:func:`thbkg.graph.store.cache.cache_info` gives the figures)."""

from __future__ import annotations

import datetime as dt
import json

from thbkg.graph.outputs.results import format_table
from thbkg.graph.outputs.text import terminal_safe
from thbkg.graph.rdf.tables import human_size


def _when(stamp) -> str:
    if stamp is None:
        return ""
    return dt.datetime.fromtimestamp(stamp, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def format_cache_info(info: dict, fmt: str = "text") -> str:
    """The cache's folder, entries and size, for people (``text``) or programs (``json``).

    >>> print(format_cache_info({"root": "/c", "enabled": True, "keep": 6, "entries": [], "bytes": 0}), end="")
    Store cache: /c (on; keeps the 6 most recently used entries)
    No entries: the next command on a set of tables builds one.
    """
    if fmt == "json":
        return json.dumps(info, indent=2, sort_keys=True) + "\n"
    state = "on" if info["enabled"] else "off (THBKG_NO_CACHE)"
    head = (f"Store cache: {terminal_safe(info['root'])} ({state}; keeps the {info['keep']} most recently "
            "used entries)\n")
    if not info["entries"]:
        return head + "No entries: the next command on a set of tables builds one.\n"
    rows = [(e["key"][:12], f"{e['triples']:,}" if e["triples"] is not None else "", human_size(e["bytes"]),
             _when(e["last_used"]), "; ".join(e["folders"])) for e in info["entries"]]
    table = format_table(["entry", "triples", "size", "last used", "tables"], rows, width=80)
    return head + table + f"Total: {human_size(info['bytes'])}\n"


def format_cache_clear(cleared: dict) -> str:
    """One line saying what ``thbkg cache clear`` removed.

    >>> format_cache_clear({"root": "/c", "removed": 2, "bytes": 2 * 1024 ** 2})
    'Removed 2 entries (2.0 MB) from /c.\\n'
    """
    n = cleared["removed"]
    return (f"Removed {n} entr{'ies' if n != 1 else 'y'} ({human_size(cleared['bytes'])}) from "
            f"{terminal_safe(cleared['root'])}.\n")
