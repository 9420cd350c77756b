"""Text output of the analytic commands (centrality, path, whatif) as table, md, csv or json.

The functions here turn results of :mod:`~thbkg.graph.analytics.centrality`,
:mod:`~thbkg.graph.analytics.paths` and :mod:`~thbkg.graph.analytics.whatif` into text, so the
Python API gives the same output as ``thbkg centrality``, ``thbkg path`` and ``thbkg whatif``:

* ``table``: aligned plain text, long labels shortened, numbers right-aligned, control characters
  shown as escapes (:func:`thbkg.graph.outputs.text.terminal_safe`);
* ``md``: GitHub-flavoured Markdown, every cell escaped with :func:`thbkg.graph.outputs.text.md_cell`;
* ``csv``: only the rows, floats at full precision (``repr``), cells that a spreadsheet would run
  as formulas neutralised (:func:`thbkg.graph.outputs.text.csv_text`; ``--raw-csv`` keeps them);
* ``json``: the parameters and every row, NaN written as ``null``.

>>> records = [{"rank": 1, "actor": "b", "label": "B", "type": "country", "degree": 2.0},
...            {"rank": 2, "actor": "a", "label": "A", "type": "country", "degree": 1.0}]
>>> print(render_centrality(records, {"metrics": ["degree"]}, "csv"), end="")
rank,actor,label,type,degree
1,b,B,country,2.0
2,a,A,country,1.0
"""

from __future__ import annotations

import json
import math

from thbkg.graph.errors import UsageError
from thbkg.graph.outputs.text import (
    csv_text,
    escape_serialized_controls,
    format_number,
    markdown_table,
    md_cell,
    shorten,
    terminal_safe,
)

#: Output formats of the analytic commands.
FORMATS = ("table", "csv", "json", "md")
#: Longest label the aligned text table shows in full (csv, json and md keep labels whole).
LABEL_WIDTH = 48
#: How :func:`~thbkg.graph.outputs.text.format_number` writes NaN (a number column stays right-aligned).
NOT_A_NUMBER = format_number(float("nan"))


# ---------------------------------------------------------------------- generic formatting
def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return text in ("", NOT_A_NUMBER)


def text_table(headers, rows) -> str:
    r"""Plain aligned text table; columns holding only numbers are right-aligned.

    Every cell goes through :func:`~thbkg.graph.outputs.text.terminal_safe`, so a label cannot move
    the cursor, colour the terminal or break its row.

    >>> print(text_table(["actor", "degree"], [["iom", 12], ["europol", 7]]))
    actor    degree
    -------  ------
    iom          12
    europol       7
    >>> print(text_table(["label"], [["\x1b[31mred"]]))
    label
    -----------
    \x1b[31mred
    """
    headers = [terminal_safe(h) for h in headers]
    cells = [[terminal_safe(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    numeric = [bool(cells) and all(_is_number(r[i]) for r in cells) for i in range(len(headers))]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def _nan_to_none(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nan_to_none(v) for v in value]
    return value


def json_text(payload) -> str:
    """Indented JSON; NaN becomes ``null``, dates ISO strings, sets sorted lists.

    >>> json_text({"x": float("nan"), "s": {"b", "a"}})
    '{\\n  "x": null,\\n  "s": [\\n    "a",\\n    "b"\\n  ]\\n}\\n'
    """
    def default(value):
        if hasattr(value, "isoformat"):
            return value.isoformat()
        if isinstance(value, (set, frozenset, tuple)):
            return sorted(value)
        raise TypeError(f"cannot serialise {type(value).__name__}")

    text = json.dumps(_nan_to_none(payload), indent=2, ensure_ascii=False, default=default, allow_nan=False)
    return escape_serialized_controls(text) + "\n"


def _check_format(fmt):
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")


# ---------------------------------------------------------------------- centrality
def centrality_records(network, scores: dict, metrics, top: int | None = None) -> list[dict]:
    """Rows of the centrality ranking, ranked by the first of *metrics*.

    Parameters
    ----------
    network : thbkg.graph.network.projections.Network
        Gives each actor's label and type.
    scores : dict
        ``metric -> {actor: value}`` from :func:`~thbkg.graph.analytics.centrality.compute_centrality`.
    metrics : sequence of str
        Metrics to put in each row; the first sets the ranking.
    top : int, optional
        Rows to keep (None or 0: all); tied actors share a rank and are listed by id.

    Returns
    -------
    list of dict
        ``{"rank", "actor", "label", "type", <metric>: value, ...}``.
    """
    from thbkg.graph.analytics.centrality import ranked

    first = metrics[0]
    records = []
    for rank, node, _ in ranked(scores[first], first, top or None):
        actor = network.actors.get(node) or {}
        records.append({"rank": rank, "actor": node, "label": actor.get("label"), "type": actor.get("type"),
                        **{m: scores[m][node] for m in metrics}})
    return records


def rank_actors(network, metrics=None, *, top: int = 20, k: int | None = None, seed: int | None = 42,
                backend: str | None = None, engine: str = "auto") -> tuple[list[dict], dict]:
    """Compute the centrality ranking of ``thbkg centrality``: its rows and its parameters.

    Parameters
    ----------
    network : thbkg.graph.network.projections.Network
        The (filtered) network; the ranking runs on its cooperation graph.
    metrics : sequence of str, optional
        Default :data:`~thbkg.graph.analytics.centrality.DEFAULT_METRICS`.
    top : int
        Rows to keep (0: all).
    k : int, optional
        Betweenness sample size; default from :func:`~thbkg.graph.analytics.centrality.default_k`.
    seed : int
        Seed for sampled betweenness.
    backend : str, optional
        NetworkX backend.
    engine : {"auto", "networkx", "igraph"}
        Who computes the heavy metrics (:func:`~thbkg.graph.analytics.centrality.compute_centrality`).

    Returns
    -------
    (list of dict, dict)
        :func:`centrality_records` and the parameters echoed in every output format; ``engine``
        says which engine computed each metric (``metric -> "igraph" | "networkx"``), ``igraph``
        igraph's version when it computed one.

    Examples
    --------
    >>> from thbkg.graph.network.projections import Network
    >>> rec = dict(type="membership", role=None, start="2014", end=None, status="active", confidence="high",
    ...            date_confidence=None, label=None, family="membership", start_day=None, end_day=None,
    ...            sources=("s",))
    >>> net = Network(actors={a: {"id": a, "label": a.upper(), "type": "country"} for a in "abc"},
    ...               links=[dict(rec, id="l1", subject="a", object="b"), dict(rec, id="l2", subject="c", object="b")])
    >>> records, params = rank_actors(net, ("degree",))
    >>> [(r["rank"], r["actor"], r["degree"]) for r in records], params["actors"], params["ties"]
    ([(1, 'b', 2.0), (2, 'a', 1.0), (2, 'c', 1.0)], 3, 2)
    >>> params["engine"], rank_actors(net, ("kcore",), engine="igraph")[1]["engine"]
    ({'degree': 'networkx'}, {'kcore': 'igraph'})
    """
    import networkx as nx

    from thbkg.graph.analytics.centrality import (
        ASCENDING,
        DEFAULT_METRICS,
        compute_centrality,
        default_k,
        metric_engines,
    )

    metrics = tuple(dict.fromkeys(metrics or ())) or DEFAULT_METRICS
    graph = network.cooperation_graph()
    n = graph.number_of_nodes()
    k = default_k(n, k)
    engines = metric_engines(metrics, n, engine, backend)
    scores = compute_centrality(graph, metrics, k=k, seed=seed, backend=backend, engine=engine)
    first = metrics[0]
    sampled = "betweenness" in metrics and k is not None and k < n
    filters = getattr(network, "filters", None)
    parameters = {
        "metrics": list(metrics), "ranked_by": first, "order": "ascending" if first in ASCENDING else "descending",
        "top": top, "k": k if sampled else None,
        "betweenness": ("sampled" if sampled else "exact") if "betweenness" in metrics else None,
        "seed": seed, "backend": backend or "networkx", "engine": engines,
        "filters": filters.describe() if filters is not None else "none", "actors": n,
        "ties": graph.number_of_edges(), "links": len(network.links), "networkx": nx.__version__,
        "igraph": _igraph_version() if "igraph" in engines.values() else None,
        "frameworks": graph.graph.get("frameworks", "shared"),
        "frameworks_note": graph.graph.get("frameworks_note"),
        "not_in_force_left_out": graph.graph.get("not_in_force_left_out", 0),
        "undated_left_out": getattr(network, "undated_left_out", 0),
    }
    return centrality_records(network, scores, metrics, top), parameters


def _igraph_version() -> str:
    import igraph

    return igraph.__version__


def _basis_line(params: dict) -> str:
    """What the ranking's graph leaves out and how frameworks enter it, in one line.

    >>> _basis_line({"frameworks": "shared", "not_in_force_left_out": 41, "undated_left_out": 0})
    'actor graph: frameworks tie the actors that share them (not nodes); ties in force only (41 links not in force left out)'
    """
    view = ("frameworks tie the actors that share them (not nodes)" if params.get("frameworks", "shared") == "shared"
            else params.get("frameworks_note") or "frameworks are nodes")
    line = f"actor graph: {view}; ties in force only ({params.get('not_in_force_left_out', 0)} links not in force left out)"
    if params.get("undated_left_out"):
        line += f"; {params['undated_left_out']} undated links left out (--include-undated keeps them)"
    return line


def render_centrality(records, params: dict, fmt: str = "table") -> str:
    """The centrality ranking as text in *fmt* (table, md, csv or json).

    *params* needs ``metrics`` for csv; table, md and json use every key :func:`rank_actors`
    returns (the header echoes them). csv holds only the rows, at full precision.
    """
    from thbkg.graph.analytics.centrality import METRIC_DESCRIPTIONS

    _check_format(fmt)
    metrics = list(params["metrics"])
    headers = ["rank", "actor", "label", "type", *metrics]
    if fmt == "json":
        return json_text({"parameters": params, "metrics": {m: METRIC_DESCRIPTIONS[m] for m in metrics},
                          "rows": list(records)})
    if fmt == "csv":
        return csv_text(headers, [[r[h] if not isinstance(r[h], float) else repr(r[h]) for h in headers]
                                  for r in records])
    sampled = params.get("betweenness") == "sampled"
    header_lines = [
        (f"thbkg centrality: {params['actors']} actors, {params['ties']} ties, {params['links']} links; "
         f"filters: {params['filters']}"),
        _basis_line(params),
        (f"ranked by {params['ranked_by']} ({params['order']}); top {params['top'] or 'all'}; seed {params['seed']}; "
         f"backend {params['backend']}; networkx {params['networkx']}"
         + (f"; igraph {params['igraph']}" if params.get("igraph") else "")),
    ]
    engines = params.get("engine") or {}
    for m in metrics:
        extra = ""
        if m == "betweenness":
            extra = f" [sampled, k={params['k']}, seed={params['seed']}]" if sampled else " [exact]"
        if m in engines:
            extra += f" (computed by {engines[m]})"
        header_lines.append(f"{m}: {METRIC_DESCRIPTIONS[m]}{extra}")
    md = fmt == "md"
    rows = [[r["rank"], r["actor"], r["label"] if md else shorten(r["label"], LABEL_WIDTH), r["type"] or "",
             *(format_number(r[m]) for m in metrics)] for r in records]
    if md:
        return "\n".join(f"- {md_cell(line)}" for line in header_lines) + "\n\n" + markdown_table(headers, rows) + "\n"
    return "\n".join(terminal_safe(line) for line in header_lines) + "\n\n" + text_table(headers, rows) + "\n"


# ---------------------------------------------------------------------- path
PATH_COLUMNS = ("path", "hop", "from", "to", "via", "framework", "link", "type", "subject", "object", "start", "end",
                "status", "confidence", "date_basis", "sources", "source_grades", "documentary", "note")
#: How each kind of hop (``via`` of :func:`~thbkg.graph.analytics.paths.hop_records`) is named.
HOP_KINDS = {"link": "direct link", "framework": "shared framework", "none": "no link record"}


def _hop_rows(hop) -> list[tuple[str, str, dict | None]]:
    """(via, framework, link entry) for each record behind a hop: its direct links, then for each shared
    framework the links that tie the two actors to it; one row without a link when there is neither."""
    rows: list[tuple[str, str, dict | None]] = [(HOP_KINDS["link"], "", link) for link in hop["links"]]
    for framework in hop.get("frameworks") or ():
        rows += [(HOP_KINDS["framework"], framework["id"], link) for link in framework["links"]]
    return rows or [(HOP_KINDS["none"], "", None)]


def _grades(link: dict) -> str:
    return "; ".join(f"{g['id']}: {g['kind'] or 'ungraded'}" for g in link.get("grades") or ())


def path_rows(paths) -> list[list]:
    """One row per record behind each hop of each path (columns :data:`PATH_COLUMNS`).

    A direct link is one row (``via`` "direct link"); a shared framework gives one row per link tying
    one of the two actors to it (``via`` "shared framework", ``framework`` its id); a hop with
    neither is one row "no link record". ``date_basis`` says how sure the start date is (e.g.
    ``2012, from memory (unverified)``), ``source_grades`` each source's kind (``ungraded`` without one),
    ``documentary`` whether one of them is a document that was read.
    """
    rows = []
    for number, found in enumerate(paths, start=1):
        for hop_number, hop in enumerate(found["hops"], start=1):
            for via, framework, link in _hop_rows(hop):
                if link is None:
                    rows.append([number, hop_number, hop["from"], hop["to"], via, framework]
                                + [""] * (len(PATH_COLUMNS) - 6))
                    continue
                rows.append([number, hop_number, hop["from"], hop["to"], via, framework, link["id"],
                             link["type"] or "", link["subject"] or "", link["object"] or "", link["start"] or "",
                             link["end"] or "", link["status"] or "", link["confidence"] or "",
                             link.get("date_basis") or "", ";".join(link["sources"]), _grades(link),
                             "" if "documentary" not in link else ("yes" if link["documentary"] else "no"),
                             link.get("note") or ""])
    return rows


def _hop_heading(hop) -> str:
    """``direct link``, ``shared framework: Rabat Process``, both, or ``no link record``."""
    frameworks = hop.get("frameworks") or ()
    shared = ", ".join(f["label"] or f["id"] for f in frameworks)
    shared = f"shared framework{'s' if len(frameworks) != 1 else ''}: {shared}" if frameworks else ""
    if hop["links"]:
        return HOP_KINDS["link"] + (f"; also {shared}" if shared else "")
    return shared or HOP_KINDS["none"]


def _link_lines(link, indent: str) -> list[str]:
    dates = f"{link['start'] or '?'} to {link['end'] or 'open'}"
    lines = [(f"{indent}{link['type']} [{link['id']}] {link['subject']} -> {link['object']}, {dates}, "
              f"{link['status'] or 'status unknown'}, confidence {link['confidence'] or '?'}")]
    if "grades" in link:
        sources = "; ".join(f"{g['id']}: {g['label']}" for g in link["grades"]) or "none"
        lines += [f"{indent}  date: {link['date_basis']}", f"{indent}  sources: {sources}",
                  f"{indent}  note: {link['note'] or 'none'}"]
    else:  # a hop record made before the evidence was attached
        lines[0] += f"; sources: {', '.join(link['sources']) or 'none'}"
    return lines


def render_path(paths, params: dict, fmt: str = "table") -> str:
    """Shortest paths (from :func:`~thbkg.graph.analytics.paths.shortest_paths`) as text in *fmt*.

    Every hop says what it rests on (a direct link, a shared framework, or no link record) and every
    link record its date basis, the grade of each source and its note, in every format: ``table``
    (one block per hop), ``csv`` and ``md`` (:func:`path_rows`), ``json`` (the paths as given).

    Parameters
    ----------
    paths : list of dict
        At least one path.
    params : dict
        ``all``, ``max`` and ``filters`` (text), echoed in the output; ``from`` and ``to`` are
        taken from the first path.
    fmt : {"table", "md", "csv", "json"}

    Examples
    --------
    >>> from thbkg.graph.analytics.paths import link_entry
    >>> link = link_entry({"id": "l1", "subject": "a", "object": "b", "type": "membership", "start": "2014",
    ...                    "end": None, "status": "active", "confidence": "high", "date_confidence": "high",
    ...                    "sources": ("s1",), "note": "listed on the members page"},
    ...                   {"s1": {"id": "s1", "title": "Members", "kind": "official_page"}})
    >>> paths = [{"actors": ["a", "b"], "labels": ["A", "B"], "length": 1,
    ...           "hops": [{"from": "a", "to": "b", "via": "link", "links": [link], "frameworks": []}]}]
    >>> print(render_path(paths, {"filters": "none"}, "table"), end="")
    thbkg path: 1 shortest path of 1 hop; filters: none
    <BLANKLINE>
    Path 1: A (a) -> B (b)
      a - b: direct link
        membership [l1] a -> b, 2014 to open, active, confidence high
          date: 2014 (date confidence high)
          sources: s1: official page or press release
          note: listed on the members page
    """
    _check_format(fmt)
    if not paths:
        raise UsageError("no path to render")
    if fmt == "json":
        return json_text({"parameters": {"from": paths[0]["actors"][0], "to": paths[0]["actors"][-1],
                                         "all": params.get("all", False), "max": params.get("max"),
                                         "filters": params.get("filters", "none")},
                          "paths": paths})
    rows = path_rows(paths)
    if fmt == "csv":
        return csv_text(PATH_COLUMNS, rows)
    length = paths[0]["length"]
    lines = [(f"thbkg path: {len(paths)} shortest path{'s' if len(paths) != 1 else ''} of "
              f"{length} hop{'s' if length != 1 else ''}; filters: {params.get('filters', 'none')}")]
    if fmt == "md":
        lines[0] = md_cell(lines[0])
        for number, found in enumerate(paths, start=1):
            lines.append(f"\n**Path {number}:** " + " → ".join(md_cell(f"{label} ({actor})")
                                                             for actor, label in zip(found["actors"], found["labels"], strict=True)))
            lines += [f"- {md_cell(hop['from'])} – {md_cell(hop['to'])}: {md_cell(_hop_heading(hop))}"
                      for hop in found["hops"]]
        lines.append("\n" + markdown_table(PATH_COLUMNS, rows))
        return "\n".join(lines) + "\n"
    for number, found in enumerate(paths, start=1):
        lines.append("")
        lines.append(f"Path {number}: " + " -> ".join(f"{label} ({actor})"
                                                     for actor, label in zip(found["actors"], found["labels"], strict=True)))
        for hop in found["hops"]:
            lines.append(f"  {hop['from']} - {hop['to']}: {_hop_heading(hop)}")
            for link in hop["links"]:
                lines += _link_lines(link, "    ")
            frameworks = hop.get("frameworks") or ()
            for framework in frameworks:
                indent = "    "
                if hop["links"] or len(frameworks) > 1:  # say which framework each group of links ties to
                    lines.append(f"    ties to {framework['label']} ({framework['id']}):")
                    indent = "      "
                for link in framework["links"]:
                    lines += _link_lines(link, indent)
    # each line is one line of data text: a label's newline or escape sequence is shown, not obeyed
    return "\n".join(terminal_safe(line) for line in lines) + "\n"


# ---------------------------------------------------------------------- whatif
WHATIF_COLUMNS = ("section", "region", "actor", "label", "before", "after", "change", "detail")


def _whatif_summary(result):
    return [("components", result.components_before, result.components_after),
            ("largest component (actors)", result.largest_before, result.largest_after),
            ("average distance on the largest component", result.average_distance_before,
             result.average_distance_after)]


def _difference(before, after):
    return (after - before) if (after is not None and before is not None) else None


def whatif_rows(result, label=None) -> list[list]:
    """CSV rows of a :class:`~thbkg.graph.analytics.whatif.WhatIf` (columns :data:`WHATIF_COLUMNS`).

    Sections: ``summary``, ``cut_off``, ``left_largest_component``, ``rank``. *label* maps an
    actor id to its label (default: the id).
    """
    label = label or str
    rows = []
    for name, before, after in _whatif_summary(result):
        change = _difference(before, after)
        rows.append(["summary", "", "", name, "" if before is None else before, "" if after is None else after,
                     "" if change is None else change,
                     f"sampled from {result.distance_sample} sources" if "distance" in name
                     and result.distance_sample else ""])
    for row in result.cut_off:
        rows.append(["cut_off", row["region"], row["actor"], row["label"], "", "", "",
                     "lost: " + ";".join(row["lost"]) + " | still reaches: " + (";".join(row["left"]) or "none")])
    for actor in result.left_largest_component:
        rows.append(["left_largest_component", "", actor, label(actor), "", "", "", ""])
    for row in result.rank_shifts:
        rows.append(["rank", "", row["actor"], row["label"], row["rank_before"] or "",
                     row["rank_after"] if row["rank_after"] is not None else "removed",
                     row["change"] if row["change"] is not None else "", f"{result.metric}"])
    return rows


def render_whatif(result, fmt: str = "table", label=None) -> str:
    """A :class:`~thbkg.graph.analytics.whatif.WhatIf` as text in *fmt* (table, md, csv or json).

    Parameters
    ----------
    result : WhatIf
        From :func:`~thbkg.graph.analytics.whatif.what_if`.
    fmt : {"table", "md", "csv", "json"}
    label : callable, optional
        Actor id -> label, for the removed actors and those leaving the largest component
        (e.g. ``network.label``; default: the id).
    """
    _check_format(fmt)
    label = label or str
    if fmt == "json":
        payload = result.to_dict()
        return json_text({"parameters": payload.pop("parameters") | {"removed": result.removed}, **payload})
    if fmt == "csv":
        return csv_text(WHATIF_COLUMNS, whatif_rows(result, label))

    md = fmt == "md"
    escape = md_cell if md else terminal_safe
    table = markdown_table if md else text_table

    def heading(title):
        return f"\n## {escape(title)}\n" if md else f"\n{escape(title)}\n{'=' * len(title)}"

    params = result.parameters
    removed = ", ".join(f"{label(a)} ({a})" for a in result.removed)
    lines = [escape(f"thbkg whatif: remove {removed}"),
             escape(f"filters: {params.get('filters', 'none')}; anchors: {', '.join(result.anchor_types)}; "
                       f"ranking metric: {result.metric}, top {result.top}; seed {params.get('seed')}"
                       + (f"; computed by {params['engine']}" if params.get("engine") else ""))]
    if result.anchors_removed:
        lines.append(escape(f"anchors removed themselves: {', '.join(result.anchors_removed)}"))
    lines.append(heading("Summary"))
    lines.append(table(["measure", "before", "after", "change"],
                       [[name, format_number(b), format_number(a), format_number(_difference(b, a))]
                        for name, b, a in _whatif_summary(result)]))
    if result.distance_sample:
        lines.append(f"(average distance estimated from {result.distance_sample} seeded BFS sources)")
    lines.append(heading("Cut off from anchors, by priority region"))
    if result.cut_off:
        lines.append(table(["region", "actor", "label", "loses", "still reaches"],
                           [[r["region"], r["actor"], r["label"], ", ".join(r["lost"]),
                             ", ".join(r["left"]) or "none"] for r in result.cut_off]))
    else:
        lines.append("No region member loses its connection to an anchor.")
    if result.left_largest_component:
        lines.append(heading("No longer in the largest component"))
        lines.append(escape(", ".join(f"{label(a)} ({a})" for a in result.left_largest_component)))
    lines.append(heading(f"Rank shifts by {result.metric}"))
    lines.append(table(["actor", "label", "rank before", "rank after", "change", "before", "after"],
                       [[r["actor"], r["label"] if md else shorten(r["label"], LABEL_WIDTH), r["rank_before"] or "",
                         r["rank_after"] if r["rank_after"] is not None else "removed",
                         "" if r["change"] is None else f"{r['change']:+d}",
                         format_number(r["value_before"]), format_number(r["value_after"])]
                        for r in result.rank_shifts]))
    return "\n".join(lines) + "\n"
