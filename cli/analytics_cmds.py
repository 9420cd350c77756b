"""``thbkg centrality``, ``thbkg path`` and ``thbkg whatif``. Only click and the stdlib at module top."""

from __future__ import annotations

import csv
import io
import json
import math

import click

from thbkg.cli.options import filter_options, format_option, graph_source_options, output_option, seed_option

FORMATS = ("table", "csv", "json", "md")
METRIC_NAMES = ("degree", "weighted_degree", "betweenness", "closeness", "harmonic", "eigenvector",
                "pagerank", "kcore", "clustering", "reach", "effective_size", "constraint")


# ---------------------------------------------------------------------- formatting helpers
def _number(value, digits=4) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.{digits}f}"
    return str(value)


def _table(headers, rows) -> str:
    """Plain aligned text table (numbers right-aligned)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    numeric = [all(_is_number(r[i]) for r in cells) and cells for i in range(len(headers))]
    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()
    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _short(text, width=48) -> str:
    """Shorten long labels for the aligned text table (csv/json/md keep them whole)."""
    text = str(text or "")
    return text if len(text) <= width else text[:width - 1] + "…"


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return text in ("", "nan")


def _md_escape(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(headers, rows) -> str:
    out = ["| " + " | ".join(_md_escape(h) for h in headers) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def _csv(headers, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def _json(payload) -> str:
    def default(value):
        if hasattr(value, "isoformat"):
            return value.isoformat()
        if isinstance(value, (set, frozenset, tuple)):
            return sorted(value)
        raise TypeError(f"cannot serialise {type(value).__name__}")
    return json.dumps(_nan_to_none(payload), indent=2, ensure_ascii=False, default=default, allow_nan=False) + "\n"


def _nan_to_none(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nan_to_none(v) for v in value]
    return value


def _emit(output, text) -> None:
    from thbkg.graph.io import atomic_write

    atomic_write(output, text)


def _load(source, filters):
    from thbkg.graph.analytics.progress import progress
    from thbkg.graph.projections import load_network

    with progress(None, "loading the graph") as bar:
        bar.set_item("SPARQL")
        network = load_network(source, filters)
    return network


# ---------------------------------------------------------------------- centrality
@click.command(context_settings={"max_content_width": 100})
@click.option("--metric", "metrics", multiple=True, type=click.Choice(METRIC_NAMES), metavar="METRIC",
              help="Metric to compute (repeatable; the table is ranked by the first). "
                   f"One of: {', '.join(METRIC_NAMES)}. Default: degree, betweenness, pagerank.")
@click.option("--top", type=click.IntRange(min=0), default=20, show_default=True,
              help="Rows to show (0: all actors).")
@click.option("--k", "k", type=click.IntRange(min=1), default=None, metavar="N",
              help="Sample betweenness from N source actors (seeded) instead of computing it exactly. "
                   "Default: exact up to 5,000 actors, 1,000 sampled sources above.")
@seed_option
@click.option("--backend", default=None, metavar="NAME",
              help="NetworkX backend to dispatch to (e.g. cugraph, parallel), if installed.")
@format_option(FORMATS, "table")
@output_option()
@filter_options
@graph_source_options
def centrality(metrics, top, k, seed, backend, fmt, output, filters, source):
    """Rank actors by centrality on the cooperation graph.

    One row per actor, ranked by the first --metric (ties share a rank and are listed by
    id). Path-based metrics count hops; weights (confidence rank / 3 per link) are tie strength.
    The parameters are echoed in the header (table, md) or in "parameters" (json); csv holds
    only the rows, at full precision.

    \b
    Examples:
      thbkg centrality
      thbkg centrality --metric betweenness --metric eigenvector --top 10 --format md
      thbkg centrality --as-of 2015 --type operational_agreement --format csv -o ranks.csv
      thbkg centrality --k 500 --seed 7 --format json -o -
    """
    import networkx as nx

    from thbkg.graph.analytics.centrality import (ASCENDING, DEFAULT_METRICS, METRIC_DESCRIPTIONS,
                                                  compute_centrality, default_k, ranked)

    metrics = tuple(dict.fromkeys(metrics)) or DEFAULT_METRICS
    network = _load(source, filters)
    graph = network.cooperation_graph()
    k = default_k(graph.number_of_nodes(), k)
    scores = compute_centrality(graph, metrics, k=k, seed=seed, backend=backend)
    first = metrics[0]
    rows = ranked(scores[first], first, top or None)
    n = graph.number_of_nodes()
    sampled = "betweenness" in metrics and k is not None and k < n
    parameters = {
        "metrics": list(metrics), "ranked_by": first, "order": "ascending" if first in ASCENDING else "descending",
        "top": top, "k": k if sampled else None, "betweenness": ("sampled" if sampled else "exact")
        if "betweenness" in metrics else None, "seed": seed, "backend": backend or "networkx",
        "filters": filters.describe(), "actors": n, "ties": graph.number_of_edges(),
        "links": len(network.links), "networkx": nx.__version__,
    }
    records = []
    for rank, node, _ in rows:
        actor = network.actors[node]
        records.append({"rank": rank, "actor": node, "label": actor.get("label"), "type": actor.get("type"),
                        **{m: scores[m][node] for m in metrics}})

    headers = ["rank", "actor", "label", "type", *metrics]
    if fmt == "json":
        payload = {"parameters": parameters,
                   "metrics": {m: METRIC_DESCRIPTIONS[m] for m in metrics},
                   "rows": records}
        _emit(output, _json(payload))
        return
    if fmt == "csv":
        _emit(output, _csv(headers, [[r[h] if not isinstance(r[h], float) else repr(r[h]) for h in headers]
                                      for r in records]))
        return
    header_lines = [
        f"thbkg centrality: {n} actors, {graph.number_of_edges()} ties, {len(network.links)} links; "
        f"filters: {parameters['filters']}",
        f"ranked by {first} ({parameters['order']}); top {top or 'all'}; seed {seed}; "
        f"backend {parameters['backend']}; networkx {nx.__version__}",
    ]
    for m in metrics:
        extra = ""
        if m == "betweenness":
            extra = f" [sampled, k={k}, seed={seed}]" if sampled else " [exact]"
        header_lines.append(f"{m}: {METRIC_DESCRIPTIONS[m]}{extra}")
    table_rows = [[r["rank"], r["actor"], r["label"] if fmt == "md" else _short(r["label"]), r["type"] or "",
                   *(_number(r[m]) for m in metrics)] for r in records]
    if fmt == "md":
        text = "\n".join(f"- {line}" for line in header_lines) + "\n\n" + _md_table(headers, table_rows) + "\n"
    else:
        text = "\n".join(header_lines) + "\n\n" + _table(headers, table_rows) + "\n"
    _emit(output, text)


# ---------------------------------------------------------------------- path
@click.command(context_settings={"max_content_width": 100})
@click.argument("actor_a", metavar="A")
@click.argument("actor_b", metavar="B")
@click.option("--all", "all_paths", is_flag=True, help="Show all shortest paths (up to --max), not just the first.")
@click.option("--max", "max_paths", type=click.IntRange(min=1), default=10, show_default=True,
              help="Most paths shown with --all.")
@format_option(FORMATS, "table")
@output_option()
@filter_options
@graph_source_options
def path(actor_a, actor_b, all_paths, max_paths, fmt, output, filters, source):
    """Shortest cooperation paths between actors A and B (ids or labels).

    Every hop lists the link records behind it: type, dates, status, confidence and sources.
    Paths are listed in sorted order of their actor ids. Exit status 1 when A and B are not
    connected (under the filters).

    \b
    Examples:
      thbkg path ng europol
      thbkg path ng europol --all --max 5 --format json
      thbkg path ng frontex --as-of 2018 --min-confidence medium
    """
    from thbkg.graph.analytics.paths import shortest_paths
    from thbkg.graph.errors import ThbkgError

    network = _load(source, filters)
    paths = shortest_paths(network, actor_a, actor_b, all_paths=all_paths, max_paths=max_paths)
    if not paths:
        raise ThbkgError(f"no cooperation path between {actor_a!r} and {actor_b!r} "
                         f"(filters: {filters.describe()})")
    if fmt == "json":
        _emit(output, _json({"parameters": {"from": paths[0]["actors"][0], "to": paths[0]["actors"][-1],
                                            "all": all_paths, "max": max_paths, "filters": filters.describe()},
                             "paths": paths}))
        return
    headers = ["path", "hop", "from", "to", "link", "type", "start", "end", "status", "confidence", "sources"]
    rows = []
    for number, found in enumerate(paths, start=1):
        for hop_number, hop in enumerate(found["hops"], start=1):
            for link in hop["links"]:
                rows.append([number, hop_number, hop["from"], hop["to"], link["id"], link["type"] or "",
                             link["start"] or "", link["end"] or "", link["status"] or "",
                             link["confidence"] or "", ";".join(link["sources"])])
    if fmt == "csv":
        _emit(output, _csv(headers, rows))
        return
    lines = [f"thbkg path: {len(paths)} shortest path{'s' if len(paths) != 1 else ''} of "
             f"{paths[0]['length']} hop{'s' if paths[0]['length'] != 1 else ''}; filters: {filters.describe()}"]
    if fmt == "md":
        for number, found in enumerate(paths, start=1):
            lines.append(f"\n**Path {number}:** " + " → ".join(_md_escape(f"{l} ({a})")
                                                             for a, l in zip(found["actors"], found["labels"])))
        lines.append("\n" + _md_table(headers, rows))
        _emit(output, "\n".join(lines) + "\n")
        return
    for number, found in enumerate(paths, start=1):
        lines.append("")
        lines.append(f"Path {number}: " + " -> ".join(f"{l} ({a})" for a, l in zip(found["actors"], found["labels"])))
        for hop in found["hops"]:
            lines.append(f"  {hop['from']} - {hop['to']}:")
            for link in hop["links"]:
                dates = f"{link['start'] or '?'} to {link['end'] or 'open'}"
                lines.append(f"    {link['type']} [{link['id']}] {link['subject']} -> {link['object']}, {dates}, "
                             f"{link['status'] or 'status unknown'}, confidence {link['confidence'] or '?'}; "
                             f"sources: {', '.join(link['sources']) or 'none'}")
    _emit(output, "\n".join(lines) + "\n")


# ---------------------------------------------------------------------- whatif
@click.command(context_settings={"max_content_width": 100})
@click.option("--remove", "remove", multiple=True, required=True, metavar="ACTOR",
              help="Actor to take out (id or label). Repeatable; names may also be comma-separated.")
@click.option("--metric", type=click.Choice(METRIC_NAMES), default="betweenness", show_default=True,
              help="Metric whose ranking is compared before and after.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Compare the union of the top N before and after.")
@click.option("--anchor-type", "anchor_types", multiple=True, default=("eu_agency",), show_default=True,
              metavar="ACTOR_TYPE", help="Actor types whose reachability from the priority regions is checked.")
@click.option("--k", "k", type=click.IntRange(min=1), default=None, metavar="N",
              help="Sample betweenness from N source actors (seeded). Default: exact up to 5,000 "
                   "actors, 1,000 sampled sources above.")
@seed_option
@click.option("--backend", default=None, metavar="NAME", help="NetworkX backend to dispatch to, if installed.")
@format_option(FORMATS, "table")
@output_option()
@filter_options
@graph_source_options
def whatif(remove, metric, top, anchor_types, k, seed, backend, fmt, output, filters, source):
    """What changes when actors leave the cooperation graph.

    Shows the components before and after, the actors of each priority region cut off from
    the anchors (EU agencies by default) they could reach before, the change in average
    distance on the largest component, and the rank shifts among the top actors.

    csv: one row per finding with the columns section, region, actor, label, before, after,
    change, detail (sections: summary, cut_off, left_largest_component, rank).

    \b
    Examples:
      thbkg whatif --remove europol
      thbkg whatif --remove frontex --remove iom --format md -o whatif.md
      thbkg whatif --remove europol --anchor-type eu_agency --anchor-type eu_body --format json
    """
    from thbkg.graph.analytics.whatif import what_if

    from thbkg.graph.analytics.centrality import default_k

    names = [name.strip() for item in remove for name in item.split(",") if name.strip()]
    network = _load(source, filters)
    k = default_k(len(network.actors), k)
    result = what_if(network, names, metric=metric, top=top, k=k, seed=seed,
                     anchor_types=tuple(anchor_types), backend=backend)
    if fmt == "json":
        payload = result.to_dict()
        payload = {"parameters": payload.pop("parameters") | {"removed": result.removed}, **payload}
        _emit(output, _json(payload))
        return

    summary = [
        ("components", result.components_before, result.components_after),
        ("largest component (actors)", result.largest_before, result.largest_after),
        ("average distance on the largest component", result.average_distance_before,
         result.average_distance_after),
    ]
    if fmt == "csv":
        headers = ["section", "region", "actor", "label", "before", "after", "change", "detail"]
        rows = []
        for name, b, a in summary:
            change = (a - b) if (a is not None and b is not None) else ""
            rows.append(["summary", "", "", name, b if b is not None else "", a if a is not None else "", change,
                         f"sampled from {result.distance_sample} sources" if "distance" in name
                         and result.distance_sample else ""])
        for row in result.cut_off:
            rows.append(["cut_off", row["region"], row["actor"], row["label"], "", "", "",
                         "lost: " + ";".join(row["lost"]) + " | still reaches: " + (";".join(row["left"]) or "none")])
        for actor in result.left_largest_component:
            rows.append(["left_largest_component", "", actor, network.label(actor), "", "", "", ""])
        for row in result.rank_shifts:
            rows.append(["rank", "", row["actor"], row["label"], row["rank_before"] or "",
                         row["rank_after"] if row["rank_after"] is not None else "removed",
                         row["change"] if row["change"] is not None else "", f"{result.metric}"])
        _emit(output, _csv(headers, rows))
        return

    md = fmt == "md"
    render = _md_table if md else _table
    heading = (lambda t: f"\n## {t}\n") if md else (lambda t: f"\n{t}\n{'=' * len(t)}")
    removed = ", ".join(f"{network.label(a)} ({a})" for a in result.removed)
    lines = [f"thbkg whatif: remove {removed}",
             f"filters: {filters.describe()}; anchors: {', '.join(result.anchor_types)}; "
             f"ranking metric: {metric}, top {top}; seed {seed}"]
    if result.anchors_removed:
        lines.append(f"anchors removed themselves: {', '.join(result.anchors_removed)}")
    lines.append(heading("Summary"))
    lines.append(render(["measure", "before", "after", "change"],
                        [[name, _number(b), _number(a),
                          _number((a - b) if (a is not None and b is not None) else None)]
                         for name, b, a in summary]))
    if result.distance_sample:
        lines.append(f"(average distance estimated from {result.distance_sample} seeded BFS sources)")
    lines.append(heading("Cut off from anchors, by priority region"))
    if result.cut_off:
        lines.append(render(["region", "actor", "label", "loses", "still reaches"],
                            [[r["region"], r["actor"], r["label"], ", ".join(r["lost"]),
                              ", ".join(r["left"]) or "none"] for r in result.cut_off]))
    else:
        lines.append("No region member loses its connection to an anchor.")
    if result.left_largest_component:
        lines.append(heading("No longer in the largest component"))
        lines.append(", ".join(f"{network.label(a)} ({a})" for a in result.left_largest_component))
    lines.append(heading(f"Rank shifts by {metric}"))
    lines.append(render(["actor", "label", "rank before", "rank after", "change", "before", "after"],
                        [[r["actor"], r["label"] if md else _short(r["label"]), r["rank_before"] or "",
                          r["rank_after"] if r["rank_after"] is not None else "removed",
                          "" if r["change"] is None else f"{r['change']:+d}",
                          _number(r["value_before"]), _number(r["value_after"])] for r in result.rank_shifts]))
    _emit(output, "\n".join(lines) + "\n")
