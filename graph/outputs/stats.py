"""``thbkg stats``: counts of the graph, computed with SPARQL on a :class:`GraphSource`.

The queries work on any of the stores (embedded, memory, persistent, endpoint); codes are read
from the concepts' ``skos:notation`` when the ontology is loaded, else from the concept IRI.
"""

from __future__ import annotations

import json

from thbkg.graph.outputs.text import csv_text, escape_serialized_controls, format_share, markdown_table, terminal_safe

_CODE = ('COALESCE(?notation, REPLACE(STR(?concept), "^.*/", ""))')

ACTORS_BY_TYPE = f"""
SELECT ?code (COUNT(DISTINCT ?actor) AS ?n) WHERE {{
  ?actor thb:actorType ?concept .
  FILTER(STRSTARTS(STR(?concept), STR(thbid:actor-type)))
  OPTIONAL {{ ?concept skos:notation ?notation }}
  BIND({_CODE} AS ?code)
}} GROUP BY ?code ORDER BY ?code
"""

LINKS_BY = """
SELECT ?code (COUNT(DISTINCT ?link) AS ?n) WHERE {{
  ?link a thb:CooperationLink .
  OPTIONAL {{ ?link {prop} ?concept . OPTIONAL {{ ?concept skos:notation ?notation }} }}
  BIND(IF(BOUND(?concept), {code}, "unknown") AS ?code)
}} GROUP BY ?code ORDER BY ?code
"""

TOTALS = """
SELECT
  (COUNT(DISTINCT ?actor) AS ?actors)
  (COUNT(DISTINCT ?link) AS ?links)
  (COUNT(DISTINCT ?sourced) AS ?sourced)
  (COUNT(DISTINCT ?source) AS ?sources)
WHERE {
  { ?actor a thb:LinkEnd } UNION { ?actor a thb:Actor }
  UNION { ?link a thb:CooperationLink }
  UNION { ?sourced a thb:CooperationLink ; prov:wasDerivedFrom ?any }
  UNION { ?source a prov:Entity . FILTER NOT EXISTS { ?source a thb:Instrument } }
}
"""


def _counts(source, query) -> dict:
    return {str(row["code"]): int(row["n"]) for row in source.select(query) if row["code"] is not None}


def compute_stats(source) -> dict:
    """Counts of the graph behind *source* (a :class:`~thbkg.graph.store.source.GraphSource`).

    Returns
    -------
    dict
        ``actors`` (total, by_type), ``links`` (total, by_type, by_status, by_confidence),
        ``sources``, ``links_with_source`` and ``share_links_with_source`` (0..1, None without links).
    """
    totals = source.select(TOTALS)[0]
    links = int(totals["links"])
    sourced = int(totals["sourced"])
    by = {name: _counts(source, LINKS_BY.format(prop=prop, code=_CODE))
          for name, prop in (("by_type", "thb:linkType"), ("by_status", "thb:status"),
                             ("by_confidence", "thb:confidence"))}
    return {
        "actors": {"total": int(totals["actors"]), "by_type": _counts(source, ACTORS_BY_TYPE)},
        "links": {"total": links, **by},
        "sources": int(totals["sources"]),
        "links_with_source": sourced,
        "share_links_with_source": round(sourced / links, 4) if links else None,
    }


def stats_rows(stats: dict) -> list:
    """Flatten the stats into (section, key, value) rows, for csv and table output."""
    rows = [("actors", "total", stats["actors"]["total"])]
    rows += [("actors by type", k, v) for k, v in stats["actors"]["by_type"].items()]
    rows.append(("links", "total", stats["links"]["total"]))
    for part in ("by_type", "by_status", "by_confidence"):
        rows += [(f"links {part.replace('_', ' ')}", k, v) for k, v in stats["links"][part].items()]
    rows.append(("sources", "total", stats["sources"]))
    rows.append(("sources", "links with a source", stats["links_with_source"]))
    share = stats["share_links_with_source"]
    rows.append(("sources", "share of links with a source", format_share(share, 1)))
    return rows


#: Output formats of ``thbkg stats``.
STATS_FORMATS = ("table", "md", "json", "csv")


def format_stats(stats: dict, fmt: str = "table") -> str:
    """Render the stats as ``table`` (aligned text), ``md`` (Markdown), ``json`` or ``csv``.

    ``md`` has one ``##`` heading and one two-column table per section (cells escaped); ``csv``
    neutralises cells a spreadsheet would run as formulas, ``table`` shows control characters as
    escapes (:mod:`thbkg.graph.outputs.text`).

    >>> s = {"actors": {"total": 1, "by_type": {"country": 1}}, "links": {"total": 0, "by_type": {},
    ...      "by_status": {}, "by_confidence": {}}, "sources": 2, "links_with_source": 0,
    ...      "share_links_with_source": None}
    >>> print(format_stats(s, "csv").splitlines()[1])
    actors,total,1
    >>> print(format_stats(s, "md").splitlines()[:5])
    ['## Actors', '', '| key | value |', '|---|---|', '| total | 1 |']
    """
    if fmt == "json":
        return escape_serialized_controls(json.dumps(stats, indent=2, ensure_ascii=False)) + "\n"
    rows = stats_rows(stats)
    if fmt == "csv":
        return csv_text(("section", "key", "value"), rows)
    if fmt == "md":
        sections: dict = {}
        for sec, key, value in rows:
            sections.setdefault(sec, []).append([key, value])
        return "\n\n".join(f"## {sec.capitalize()}\n\n" + markdown_table(["key", "value"], body)
                            for sec, body in sections.items()) + "\n"
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r} (use {', '.join(STATS_FORMATS)})")
    rows = [(sec, terminal_safe(key), terminal_safe(value)) for sec, key, value in rows]
    width = max(len(key) for _, key, _ in rows)
    lines, section = [], None
    for sec, key, value in rows:
        if sec != section:
            lines.append(("" if section is None else "\n") + sec.capitalize())
            section = sec
        lines.append(f"  {key:<{width}}  {value:>8}")
    return "\n".join(lines) + "\n"
