"""``thbkg stats``: counts of the graph, computed with SPARQL on a :class:`GraphSource`.

The queries work on any of the stores (embedded, memory, persistent, endpoint); codes are read
from the concepts' ``skos:notation`` when the ontology is loaded, else from the concept IRI.

The evidence figures (links with a *documentary* source, links resting only on general knowledge
or memory, links by strongest evidence grade, sources cited most) come from the link and source
records read from the same store (:func:`~thbkg.graph.network.projections.fetch_records`) and the
rules of :mod:`thbkg.graph.analytics.evidence`: a source's kind decides its grade, and the
ontology says which kinds are documents that were read.
"""

from __future__ import annotations

import json
import re

from thbkg.graph.outputs.text import (
    csv_text,
    escape_serialized_controls,
    format_share,
    markdown_table,
    md_cell,
    terminal_safe,
)

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


def _share(part: int, whole: int):
    return round(part / whole, 4) if whole else None


def evidence_stats(network, top: int = 10) -> dict:
    """The evidence part of the stats, from the link and source records of *network*.

    Returns
    -------
    dict
        ``rule`` (in words), ``documentary_kinds`` and ``placeholder_kinds`` (from the ontology),
        ``links``, ``links_with_document``, ``share_links_with_document``, ``rests_on`` (documents,
        placeholders, ungraded, none -> links), ``links_by_strongest_grade`` (each link counted once,
        under its strongest source kind; ``ungraded``: no documentary source and one without a kind;
        ``none``: no source), ``links_citing_grade`` (kind -> links citing at least one source of that
        kind; a link may count under several), ``sources_by_grade`` (kind -> source records),
        ``ungraded_sources`` (ids of the source records without a kind), ``on_placeholders`` (every
        link resting only on general knowledge or memory: ``id``, ``subject``, ``object``, ``type``,
        ``sources``, ``kinds``), ``on_ungraded`` and ``without_source`` (link ids) and ``cited_most``
        (``documents`` and ``placeholders`` apart, at most *top* each).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(
    ...     links=[{"id": "a", "subject": "x", "object": "y", "type": "membership", "sources": ("doc",)},
    ...            {"id": "b", "subject": "x", "object": "z", "type": "membership", "sources": ("mem",)}],
    ...     sources={"doc": {"id": "doc", "title": "Treaty", "kind": "official_text"},
    ...              "mem": {"id": "mem", "title": "Memory", "kind": "memory"}})
    >>> ev = evidence_stats(net)
    >>> ev["links_with_document"], ev["share_links_with_document"], [l["id"] for l in ev["on_placeholders"]]
    (1, 0.5, ['b'])
    """
    from thbkg.graph.analytics.evidence import evidence_summary, source_grade

    summary = evidence_summary(network, top=top)
    by_id = {link["id"]: link for link in network.links}

    def listed(link_id):
        link = by_id[link_id]
        cited = tuple(link.get("sources") or ())
        return {"id": link_id, "subject": link.get("subject"), "object": link.get("object"),
                "type": link.get("type"), "sources": list(cited),
                "kinds": sorted({source_grade(s, network.sources)["kind"] or "ungraded" for s in cited})}

    def cited(entries):
        return [{key: entry[key] for key in ("id", "title", "kind", "label", "links")} for entry in entries]

    return {
        "rule": summary["rule"], "documentary_kinds": summary["documentary_kinds"],
        "placeholder_kinds": summary["placeholder_kinds"],
        "links": summary["links"], "links_with_document": summary["with_document"],
        "share_links_with_document": _share(summary["with_document"], summary["links"]),
        "rests_on": summary["rests_on"],
        "links_by_strongest_grade": summary["by_strongest"],
        "links_citing_grade": {kind or "ungraded": n for kind, n in summary["by_kind"].items()},
        "sources_by_grade": summary["sources_by_kind"],
        "ungraded_sources": sorted(s for s, record in network.sources.items() if not record.get("kind")),
        "on_placeholders": [listed(link_id) for link_id in summary["on_placeholders"]],
        "on_ungraded": summary["on_ungraded"], "without_source": summary["without_source"],
        "cited_most": {part: cited(entries) for part, entries in summary["cited_most"].items()},
    }


def compute_stats(source) -> dict:
    """Counts of the graph behind *source* (a :class:`~thbkg.graph.store.source.GraphSource`).

    Returns
    -------
    dict
        ``actors`` (total, by_type), ``links`` (total, by_type, by_status, by_confidence),
        ``sources``, ``links_with_source`` and ``share_links_with_source`` (0..1, None without links),
        ``links_with_document`` and ``share_links_with_document`` (links with at least one source of
        a documentary kind) and ``evidence`` (:func:`evidence_stats`).
    """
    from thbkg.graph.network.projections import fetch_records

    totals = source.select(TOTALS)[0]
    links = int(totals["links"])
    sourced = int(totals["sourced"])
    by = {name: _counts(source, LINKS_BY.format(prop=prop, code=_CODE))
          for name, prop in (("by_type", "thb:linkType"), ("by_status", "thb:status"),
                             ("by_confidence", "thb:confidence"))}
    evidence = evidence_stats(fetch_records(source))
    return {
        "actors": {"total": int(totals["actors"]), "by_type": _counts(source, ACTORS_BY_TYPE)},
        "links": {"total": links, **by},
        "sources": int(totals["sources"]),
        "links_with_source": sourced,
        "share_links_with_source": _share(sourced, links),
        "links_with_document": evidence["links_with_document"],
        "share_links_with_document": evidence["share_links_with_document"],
        "evidence": evidence,
    }


_NUMBER = re.compile(r"^-?[0-9][0-9.,]*%?$|^n/a$")
#: Longest list of links or sources the table and md formats show (json and csv list them all).
LIST_LIMIT = 20


def _words(kinds) -> str:
    from thbkg.graph.rdf.validate import either

    return either([kind.replace("_", " ") for kind in kinds])


def _limited(section: str, rows: list, limit: int | None) -> list:
    if limit is None or len(rows) <= limit:
        return rows
    return rows[:limit] + [(section, f"... and {len(rows) - limit} more", "(all in the json and csv formats)")]


def stats_rows(stats: dict, limit: int | None = None) -> list:
    """Flatten the stats into (section, key, value) rows, for csv, md and table output.

    *limit* caps the lists of links and sources (the table and md formats show :data:`LIST_LIMIT`,
    then "... and N more"; csv lists them all). Placeholders cited most are a section of their own,
    never ranked with the documents.
    """
    rows = [("actors", "total", stats["actors"]["total"])]
    rows += [("actors by type", k, v) for k, v in stats["actors"]["by_type"].items()]
    rows.append(("links", "total", stats["links"]["total"]))
    for part in ("by_type", "by_status", "by_confidence"):
        rows += [(f"links {part.replace('_', ' ')}", k, v) for k, v in stats["links"][part].items()]
    rows.append(("sources", "total", stats["sources"]))
    rows.append(("sources", "links with a source", stats["links_with_source"]))
    share = stats["share_links_with_source"]
    rows.append(("sources", "share of links with a source", format_share(share, 1)))
    evidence = stats.get("evidence")
    if not evidence:
        return rows
    placeholders = _words(evidence["placeholder_kinds"])
    rests_on = evidence["rests_on"]
    rows += [
        ("sources", "links with a documentary source", stats["links_with_document"]),
        ("sources", "share of links with a documentary source", format_share(stats["share_links_with_document"], 1)),
        ("sources", "documentary kinds", ", ".join(evidence["documentary_kinds"])),
        ("sources", f"links resting only on {placeholders}", rests_on["placeholders"]),
        ("sources", "links with no documentary source and an ungraded one", rests_on["ungraded"]),
        ("sources", "links without a source", rests_on["none"]),
        ("sources", "sources without a kind (ungraded)", len(evidence["ungraded_sources"])),
    ]
    for section, counts in (("links by strongest evidence grade", evidence["links_by_strongest_grade"]),
                            ("links citing each evidence grade", evidence["links_citing_grade"]),
                            ("sources by evidence grade", evidence["sources_by_grade"])):
        rows += [(section, kind, n) for kind, n in counts.items()]
    for part, section in (("documents", "sources cited most: documents"),
                          ("placeholders", "sources cited most: not documents (placeholders, ungraded)")):
        rows += [(section, entry["id"], entry["links"]) for entry in evidence["cited_most"][part]]
    section = f"links resting only on {placeholders}"
    rows += _limited(section, [(section, link["id"], ", ".join(link["kinds"]))
                               for link in evidence["on_placeholders"]], limit)
    for key, section, value in (("on_ungraded", "links with no documentary source and an ungraded one", "ungraded"),
                                ("ungraded_sources", "ungraded sources (no kind)", "no kind"),
                                ("without_source", "links without a source", "no source")):
        rows += _limited(section, [(section, item, value) for item in evidence[key]], limit)
    return rows


def _headline(stats: dict) -> str | None:
    evidence = stats.get("evidence")
    if not evidence:
        return None
    rests_on = evidence["rests_on"]
    others = ""
    if rests_on["ungraded"]:
        others += f"; {rests_on['ungraded']} have no documentary source and a source without a kind (ungraded)"
    if rests_on["none"]:
        others += f"; {rests_on['none']} cite no source"
    return (f"Evidence: {evidence['links_with_document']} of {evidence['links']} links "
            f"({format_share(evidence['share_links_with_document'], 1)}) have a documentary source; "
            f"{rests_on['placeholders']} rest only on {_words(evidence['placeholder_kinds'])}{others}. "
            f"Rule: {evidence['rule']}.")


#: Output formats of ``thbkg stats``.
STATS_FORMATS = ("table", "md", "json", "csv")


def format_stats(stats: dict, fmt: str = "table") -> str:
    """Render the stats as ``table`` (aligned text), ``md`` (Markdown), ``json`` or ``csv``.

    ``md`` has one ``##`` heading and one two-column table per section (cells escaped); ``csv``
    neutralises cells a spreadsheet would run as formulas, ``table`` shows control characters as
    escapes (:mod:`thbkg.graph.outputs.text`). ``table`` and ``md`` open with the evidence headline
    (links with a documentary source, links resting only on placeholders, and the rule) and show the
    first :data:`LIST_LIMIT` links or sources of each list; ``json`` and ``csv`` list them all.

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
    if fmt == "csv":
        return csv_text(("section", "key", "value"), stats_rows(stats))
    if fmt not in STATS_FORMATS:
        raise ValueError(f"unknown format {fmt!r} (use {', '.join(STATS_FORMATS)})")
    rows = stats_rows(stats, LIST_LIMIT)
    headline = _headline(stats)
    sections: dict = {}
    for sec, key, value in rows:
        sections.setdefault(sec, []).append([key, value])
    if fmt == "md":
        head = f"{md_cell(headline)}\n\n" if headline else ""
        return head + "\n\n".join(f"## {md_cell(_title(sec))}\n\n" + markdown_table(["key", "value"], body)
                                   for sec, body in sections.items()) + "\n"
    lines = [terminal_safe(headline), ""] if headline else []
    for number, (sec, body) in enumerate(sections.items()):
        body = [(terminal_safe(key), terminal_safe(value), _NUMBER.match(str(value)) is not None)
                for key, value in body]
        width = max(len(key) for key, _, _ in body)
        numbers = max([8] + [len(value) for _, value, numeric in body if numeric])
        lines.append(("" if number == 0 else "\n") + terminal_safe(_title(sec)))
        # numbers right-aligned in one column, words left-aligned where that column starts
        lines += [f"  {key:<{width}}  {value:>{numbers}}" if numeric else f"  {key:<{width}}  {value}".rstrip()
                  for key, value, numeric in body]
    return "\n".join(lines) + "\n"


def _title(section: str) -> str:
    return section[:1].upper() + section[1:]
