"""The analyst's report: one self-contained HTML (or Markdown, or JSON) file about the network.

:func:`build_report` computes everything (centrality, communities, brokers, priority-region
coverage, change over time, data quality) into plain data; :func:`render_html`,
:func:`render_markdown` and :func:`render_json` turn that data into text. The HTML is written with
the standard library: every text from the data goes through :func:`html.escape`, links to sources
are plain ``<a href>`` (only ``http``/``https`` URLs), and there is no script, stylesheet link,
web font or image URL, so the file opens with no network access and nothing is fetched. The
Markdown escapes every text with :func:`thbkg.graph.outputs.text.md_cell` (no raw HTML), the CSV
neutralises formulas with :func:`thbkg.graph.outputs.text.csv_text`, and no output carries a raw
control character (:mod:`thbkg.graph.outputs.text`).

:func:`write_product` writes the full product run into a folder: ``report.html``, ``map.html``
(through :mod:`thbkg.graph.outputs.maps` when available), ``centrality.csv`` and ``centrality.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import time
from collections import Counter
from html import escape
from pathlib import Path

import networkx as nx

from thbkg.graph.analytics.change import links_per_year, snapshots
from thbkg.graph.analytics.coverage import ACTIVE, region_coverage
from thbkg.graph.analytics.centrality import EXACT_CLOSENESS_LIMIT
from thbkg.graph.progress import progress
from thbkg.graph.errors import UsageError
from thbkg.graph.io import atomic_write, prepare_output_dir
from thbkg.graph.outputs.svg import bar_chart, timeline_chart
from thbkg.graph.outputs.text import (csv_text, escape_serialized_controls, markdown_table, md_cell, md_link,
                                  terminal_safe)

#: Section headings, in order; the HTML and Markdown reports both contain each of them.
SECTIONS = ("Summary", "Top actors", "Communities", "Brokers and single points of failure",
            "Priority-region coverage", "Change over time", "Data quality")

#: Metrics ranked in the report (names as in thbkg.graph.analytics.centrality.METRICS).
REPORT_METRICS = ("degree", "weighted_degree", "betweenness", "pagerank", "eigenvector", "closeness",
                  "kcore", "reach")
METRIC_TITLES = {"degree": "Degree", "weighted_degree": "Weighted degree", "betweenness": "Betweenness",
                 "pagerank": "PageRank", "eigenvector": "Eigenvector", "closeness": "Closeness",
                 "kcore": "k-core", "reach": "Two-step reach", "constraint": "Constraint",
                 "effective_size": "Effective size", "harmonic": "Harmonic", "clustering": "Clustering"}
DEFAULT_SNAPSHOTS = ("2010", "2015", "2020", "today")
#: Longest list or table the HTML/Markdown shows in full; the JSON output always holds everything.
LIST_LIMIT = 200
#: Most framework columns in a region's coverage table (those covering the most countries first).
MAX_FRAMEWORK_COLUMNS = 12

#: The product run's map keeps at most this many actors (the most central), so it stays legible.
MAP_MAX_ACTORS = 5000
#: Above this many actors, the report leaves closeness out (it is exact only, O(n·m)).
CONFIDENCE_LEVELS = ("high", "medium", "low")


# ----------------------------------------------------------------------------- parameters
def generated_at(value=None):
    """The report's generation time: *value* (ISO date or datetime), else ``SOURCE_DATE_EPOCH``, else now.

    >>> generated_at("2026-01-02")
    datetime.datetime(2026, 1, 2, 0, 0, tzinfo=datetime.timezone.utc)
    >>> generated_at("soon")
    Traceback (most recent call last):
    ...
    thbkg.graph.errors.UsageError: --generated 'soon' is not an ISO date or date-time (e.g. 2026-01-02)
    """
    if value:
        try:
            stamp = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise UsageError(f"--generated {value!r} is not an ISO date or date-time (e.g. 2026-01-02)") from None
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def safe_url(url):
    """*url* if it is an ``http``/``https`` URL, else None (no ``javascript:``/``data:`` links).

    >>> safe_url("https://example.org/a?b=1"), safe_url("javascript:alert(1)"), safe_url(None)
    ('https://example.org/a?b=1', None, None)
    """
    text = str(url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else None


# ----------------------------------------------------------------------------- computing
def _label(net, actor_id):
    return (net.actors.get(actor_id) or {}).get("label") or actor_id


def _type(net, actor_id):
    return (net.actors.get(actor_id) or {}).get("type") or ""


def _finite(value):
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def build_report(net, *, snapshot_dates=DEFAULT_SNAPSHOTS, top=10, seed=42, k=None, generated=None,
                 filters_text=None, backend=None, source_text=None, timings=None):
    """Compute the report's content as plain data (dicts, lists, numbers, strings).

    Parameters
    ----------
    net : thbkg.graph.network.projections.Network
        The filtered network (``load_network(source, filters)``).
    snapshot_dates : sequence of str
        Dates for the change-over-time snapshots (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``today``).
    top : int
        How many actors to list per metric.
    seed : int
        Seed for Louvain and for sampled betweenness.
    k : int, optional
        Betweenness sample size; default the rule of ``thbkg centrality``
        (:func:`thbkg.graph.analytics.centrality.default_k`: exact up to 5,000 actors, else
        1,000 sampled sources), so the report's centrality.csv matches ``thbkg centrality``.
    generated : str or datetime, optional
        Generation time shown in the header and used as ``today`` (see :func:`generated_at`).
    filters_text : str, optional
        Filters as text for the header (default: ``net.filters.describe()``).
    timings : dict, optional
        When given, filled with the seconds each step took (for benchmarks; not part of the report).

    Returns
    -------
    dict
        Keys ``params``, ``summary``, ``metrics``, ``communities``, ``brokers``, ``coverage``,
        ``change``, ``quality``, ``actors`` (id -> label and type of every actor named in the report).
    """
    from thbkg.graph.analytics import brokers as brokers_mod
    from thbkg.graph.analytics.centrality import compute_centrality, default_k, ranked
    from thbkg.graph.analytics.communities import louvain

    if top < 1:
        raise UsageError(f"--top must be at least 1 (got {top})")
    stamp = generated if isinstance(generated, dt.datetime) else generated_at(generated)
    graph = net.cooperation_graph()
    n = graph.number_of_nodes()
    if n == 0 or not net.links:
        raise UsageError("the graph is empty: there is nothing to report")
    k = default_k(n, k)
    if filters_text is None:
        filters = getattr(net, "filters", None)
        filters_text = filters.describe() if filters is not None else "none"
    params = {"generated": stamp.isoformat(), "filters": filters_text, "seed": seed, "top": top,
              "betweenness": f"sampled from k={k} source actors (seed {seed})" if k and k < n else "exact",
              "k": k, "snapshots": list(snapshot_dates), "backend": backend or "networkx",
              "source": source_text or "bundled tables",
              "skipped": (f"closeness (exact closeness needs a search from every actor; skipped above "
                          f"{EXACT_CLOSENESS_LIMIT:,} actors)" if n > EXACT_CLOSENESS_LIMIT else "")}

    steps = ["centrality", "communities", "brokers", "coverage", "change", "quality"]
    clock = {"last": time.perf_counter()}

    def lap(name):
        now = time.perf_counter()
        if timings is not None:
            timings[name] = round(now - clock["last"], 2)
        clock["last"] = now

    with progress(len(steps), "report") as bar:
        bar.set_item("centrality")
        chosen = tuple(m for m in REPORT_METRICS if m != "closeness" or n <= EXACT_CLOSENESS_LIMIT)
        scores = compute_centrality(graph, metrics=chosen, k=k, seed=seed, backend=backend)
        # eigenvector (ARPACK) differs in the last bits between runs; rounding keeps ties tied, so the
        # same command gives the same ranking
        scores = {m: {node: round(v, 10) if _finite(v) else v for node, v in values.items()}
                  for m, values in scores.items()}
        metrics = {}
        for metric in chosen:
            rows = [{"rank": rank, "id": node, "value": value}
                    for rank, node, value in ranked(scores[metric], metric, top=top)]
            metrics[metric] = {"title": METRIC_TITLES[metric], "rows": rows}
        lap("centrality")
        bar.update(1, "communities")

        parts = louvain(graph, seed=seed, backend=backend)
        communities = {"modularity": round(parts.modularity, 4), "seed": seed,
                       "groups": [{"index": i + 1, "size": len(members), "members": list(members),
                                   "types": dict(Counter(_type(net, m) for m in members).most_common())}
                                  for i, members in enumerate(parts.communities)]}
        lap("communities")
        bar.update(1, "brokers")

        cut_points = cut_vertices(graph)
        cut_edges = cut_ties(graph)
        bridge_rows = [{**row, "types": list(graph.edges[row["u"], row["v"]].get("types", ())),
                        "links": list(graph.edges[row["u"], row["v"]].get("links", ()))}
                       for row in cut_edges[:top]]
        burt = structural_holes(graph, backend=backend)
        by_effective = sorted((x for x in burt.items() if _finite(x[1]["effective_size"])),
                              key=lambda x: (-x[1]["effective_size"], x[0]))[:top]
        roles = brokers_mod.brokerage_roles(net.multigraph())
        role_rows = sorted(((node, counts) for node, counts in roles.items() if counts["total"]),
                           key=lambda x: (-x[1]["total"], x[0]))[:top]
        brokers = {"articulation_points": cut_points[:top], "articulation_total": len(cut_points),
                   "bridges": bridge_rows, "bridges_total": len(cut_edges),
                   "pendant_bridges": sum(1 for row in cut_edges if row["cut_off"] == 1),
                   "structural_holes": [{"id": node, **vals} for node, vals in by_effective],
                   "roles": [{"id": node, **counts} for node, counts in role_rows]}
        lap("brokers")
        bar.update(1, "coverage")

        coverage = region_coverage(net)
        lap("coverage")
        bar.update(1, "change")

        today = stamp.date()
        change = {"snapshots": snapshots(net, snapshot_dates, today=today) if snapshot_dates else [],
                  "per_year": links_per_year(net)}
        lap("change")
        bar.update(1, "quality")

        quality = _quality(net, metrics, top)
        lap("quality")
        bar.update(1, "")

    summary = _summary(net, graph)
    named = set(graph.nodes)
    actors = {a: {"label": _label(net, a), "type": _type(net, a)} for a in sorted(named | set(net.actors))}
    return {"params": params, "summary": summary, "metrics": metrics, "communities": communities,
            "brokers": brokers, "coverage": coverage, "change": change, "quality": quality,
            "actors": actors, "scores": scores,
            "links": {lk["id"]: {"label": lk.get("label") or lk["id"], "start": lk.get("start"),
                                 "end": lk.get("end"), "type": lk.get("type")} for lk in net.links}}


def structural_holes(graph, backend=None):
    """Burt's constraint and effective size per actor (:func:`thbkg.graph.analytics.brokers.burt`)."""
    from thbkg.graph.analytics import brokers as brokers_mod

    return brokers_mod.burt(graph, backend=backend)


def cut_vertices(graph):
    """Articulation points with the number of pieces their component falls into without them.

    A cut vertex ``v`` splits its component into as many pieces as there are biconnected blocks
    containing ``v``, so one pass over the blocks (linear time) gives every count.

    Returns
    -------
    list of dict
        ``{"id", "pieces", "components_before", "components_after"}``, most pieces first.

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("b", "d"), ("d", "e")])
    >>> [(r["id"], r["pieces"], r["components_after"]) for r in cut_vertices(G)]
    [('b', 3, 3), ('d', 2, 2)]
    """
    base = nx.number_connected_components(graph)
    blocks = Counter(node for block in nx.biconnected_components(graph) for node in block)
    rows = [{"id": v, "pieces": blocks[v], "components_before": base, "components_after": base - 1 + blocks[v]}
            for v in nx.articulation_points(graph)]
    return sorted(rows, key=lambda r: (-r["pieces"], str(r["id"])))


def cut_ties(graph):
    """Bridges with the number of actors on the smaller side (``cut_off``), largest cut first.

    Contracting the 2-edge-connected pieces gives a forest whose edges are the bridges; the size
    below each forest edge is the side cut off. Linear time.

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")])
    >>> [(r["u"], r["v"], r["cut_off"]) for r in cut_ties(G)]
    [('c', 'd', 2), ('d', 'e', 1)]
    """
    bridge_list = [tuple(sorted(e, key=str)) for e in nx.bridges(graph)]
    if not bridge_list:
        return []
    rest = graph.copy()
    rest.remove_edges_from(bridge_list)
    piece_of, sizes = {}, []
    for i, comp in enumerate(nx.connected_components(rest)):
        sizes.append(len(comp))
        for node in comp:
            piece_of[node] = i
    tree = nx.Graph()
    tree.add_nodes_from(range(len(sizes)))
    for u, v in bridge_list:
        tree.add_edge(piece_of[u], piece_of[v], bridge=(u, v))
    cut = {}
    for comp in nx.connected_components(tree):
        total = sum(sizes[i] for i in comp)
        root = min(comp)
        below = {}
        order = list(nx.dfs_postorder_nodes(tree, root))
        parent = {root: None}
        for a, b in nx.dfs_edges(tree, root):
            parent[b] = a
        for node in order:
            below[node] = sizes[node] + sum(below[c] for c in tree[node] if parent.get(c) == node)
            if parent[node] is not None:
                u, v = tree.edges[node, parent[node]]["bridge"]
                cut[(u, v)] = min(below[node], total - below[node])
    rows = [{"u": u, "v": v, "cut_off": cut[(u, v)]} for u, v in bridge_list]
    return sorted(rows, key=lambda r: (-r["cut_off"], str(r["u"]), str(r["v"])))


def _summary(net, graph):
    components = list(nx.connected_components(graph))
    return {"actors": graph.number_of_nodes(), "pairs": graph.number_of_edges(), "links": len(net.links),
            "density": round(nx.density(graph), 4) if len(graph) > 1 else 0.0,
            "components": len(components), "largest_component": max((len(c) for c in components), default=0),
            "isolated": sum(1 for c in components if len(c) == 1),
            "sources": len({s for lk in net.links for s in lk.get("sources", ())}),
            "regions": len(net.regions),
            "actor_types": dict(sorted(Counter(_type(net, a) for a in graph).items())),
            "link_types": dict(sorted(Counter(lk.get("type") or "" for lk in net.links).items())),
            "statuses": dict(sorted(Counter(lk.get("status") or "unknown" for lk in net.links).items()))}


def _quality(net, metrics, top):
    links = net.links
    by_conf = Counter(lk.get("confidence") or "unstated" for lk in links)
    dated = [lk for lk in links if lk.get("start")]
    by_date_conf = Counter(lk.get("date_confidence") or "unstated" for lk in dated)
    top_actors = sorted({row["id"] for m in metrics.values() for row in m["rows"]})
    top_set = set(top_actors)
    low_ties = [{"id": lk["id"], "subject": lk["subject"], "object": lk["object"], "type": lk.get("type"),
                 "start": lk.get("start"), "status": lk.get("status"), "sources": list(lk.get("sources", ()))}
                for lk in links if lk.get("confidence") == "low"
                and (lk["subject"] in top_set or lk["object"] in top_set)]
    cited = Counter(s for lk in links for s in lk.get("sources", ()))
    actor_cited = Counter(s for a in net.actors.values() for s in a.get("sources", ()) or ())
    sources = []
    for sid, count in sorted(cited.items(), key=lambda x: (-x[1], x[0]))[:max(top, 10)]:
        info = net.sources.get(sid, {})
        sources.append({"id": sid, "title": info.get("title") or sid, "publisher": info.get("publisher"),
                        "url": info.get("url"), "links": count, "actors": actor_cited.get(sid, 0)})
    total = len(links)
    return {"links": total,
            "by_confidence": {level: by_conf.get(level, 0) for level in (*CONFIDENCE_LEVELS, "unstated")
                              if level != "unstated" or by_conf.get(level)},
            "dated": len(dated), "share_dated": round(len(dated) / total, 4) if total else 0.0,
            "date_confidence": {level: by_date_conf.get(level, 0) for level in (*CONFIDENCE_LEVELS, "unstated")},
            "top_actors": top_actors, "low_confidence_ties": low_ties, "sources_cited_most": sources,
            "uncited_links": sum(1 for lk in links if not lk.get("sources"))}


# ----------------------------------------------------------------------------- value formatting
def fmt_value(value):
    """Numbers for tables: integers plainly, floats with 4 decimals, NaN as ``n/a``.

    >>> fmt_value(3.0), fmt_value(0.123456), fmt_value(float("nan"))
    ('3', '0.1235', 'n/a')
    """
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if value.is_integer() and abs(value) < 1e12:
            return str(int(value))
        return f"{value:.4f}"
    return str(value)


def _more(total, shown):
    """Text saying how many items were left out of a list, or ''.

    >>> _more(250, 200), _more(3, 3)
    (' … and 50 more (all of them are in the JSON output)', '')
    """
    return f" … and {total - shown} more (all of them are in the JSON output)" if total > shown else ""


def coverage_columns(region):
    """The targets shown as columns: all agencies, then the frameworks covering the most countries.

    Returns
    -------
    tuple
        ``(targets, hidden)``: the column ids and the number of frameworks left out.
    """
    frameworks = sorted(region["frameworks"], key=lambda t: (-region["summary"][t]["active"], t))
    shown = frameworks[:MAX_FRAMEWORK_COLUMNS]
    return region["agencies"] + shown, len(frameworks) - len(shown)


def _pct(share):
    return f"{100 * share:.0f}%"


def _cell_text(tie):
    """Short text for one coverage cell."""
    if not tie:
        return "—"
    types = ", ".join(t.replace("_", " ") for t in tie["types"])
    return types if tie["state"] == ACTIVE else f"{tie['state']}: {types}"


# ----------------------------------------------------------------------------- HTML
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0 auto;max-width:1100px;
padding:1rem 1.5rem;color:#1d1d1d;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #3b6ea5;padding-bottom:.2rem;margin-top:2rem}
h3{margin-bottom:.3rem}table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.2rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.white-spot{background:#fde8e8;color:#8a1c1c;text-align:center}td.tie-active{background:#e6f4ea}
td.tie-negotiating,td.tie-ended{background:#fff4d6}.params{background:#f6f6f6;padding:.5rem 1rem;border-radius:4px}
.note{color:#555;font-size:.9rem}.charts{display:flex;flex-wrap:wrap;gap:1rem}nav ul{columns:2}
.scroll{overflow-x:auto}code{font-size:.85rem}
"""


def _h(text):
    return escape("" if text is None else str(text), quote=True)


def short_label(label):
    """The part of a label before a parenthesis, when that is enough to name the actor.

    >>> short_label("Europol (European Union Agency for Law Enforcement Cooperation)")
    'Europol'
    >>> short_label("UN Protocol (2000)"), short_label("(odd)")
    ('UN Protocol', '(odd)')
    """
    head = str(label).split(" (", 1)[0].strip()
    return head if head and len(head) <= 48 else str(label)


def _actor_html(report, actor_id, short=False):
    info = report["actors"].get(actor_id, {})
    label = info.get("label") or actor_id
    if short:
        return f'<span title="{_h(label)} ({_h(actor_id)})">{_h(short_label(label))}</span>'
    return f'<span title="{_h(actor_id)}">{_h(label)}</span>'


def _table_html(header, rows, numeric=()):
    out = ["<table><thead><tr>", "".join(f"<th>{_h(h)}</th>" for h in header), "</tr></thead><tbody>"]
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = ' class="num"' if i in numeric else ""
            cells.append(f"<td{cls}>{cell}</td>")  # cells are already-escaped HTML
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _section_id(title):
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def render_html(report, map_href=None, map_note=None):
    """The report as one self-contained HTML page (text).

    Parameters
    ----------
    report : dict
        From :func:`build_report`.
    map_href : str, optional
        Relative link to the interactive map written next to the report.
    map_note : str, optional
        Shown instead of the map link when the map could not be written.
    """
    p, s = report["params"], report["summary"]
    out = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>thbkg report: cooperation against trafficking in human beings</title>",
           f"<style>{CSS}</style></head><body>",
           "<h1>Cooperation against trafficking in human beings: network report</h1>",
           '<div class="params"><p><strong>Generated:</strong> ' + _h(p["generated"]) +
           " &middot; <strong>Filters:</strong> " + _h(p["filters"]) +
           " &middot; <strong>Seed:</strong> " + _h(p["seed"]) +
           " &middot; <strong>Top:</strong> " + _h(p["top"]) +
           " &middot; <strong>Betweenness:</strong> " + _h(p["betweenness"]) +
           " &middot; <strong>Snapshots:</strong> " + _h(", ".join(p["snapshots"]) or "none") +
           " &middot; <strong>Graph:</strong> " + _h(p["source"]) +
           (" &middot; <strong>Left out:</strong> " + _h(p["skipped"]) if p.get("skipped") else "") + "</p>"]
    if map_href:
        out.append(f'<p><strong>Interactive map:</strong> <a href="{_h(map_href)}">{_h(map_href)}</a> '
                   "(opens offline, in the same folder)</p>")
    elif map_note:
        out.append(f'<p class="note"><strong>Map:</strong> {_h(map_note)}</p>')
    out.append("</div>")
    out.append("<nav><ul>" + "".join(f'<li><a href="#{_section_id(t)}">{_h(t)}</a></li>' for t in SECTIONS)
               + "</ul></nav>")

    def section(title):
        out.append(f'<section id="{_section_id(title)}"><h2>{_h(title)}</h2>')

    # Summary
    section("Summary")
    out.append(_table_html(["measure", "value"], [
        ["actors (with at least one link or kept by the filters)", _h(s["actors"])],
        ["cooperating pairs (edges)", _h(s["pairs"])], ["link records", _h(s["links"])],
        ["density", _h(fmt_value(s["density"]))], ["connected components", _h(s["components"])],
        ["largest component (actors)", _h(s["largest_component"])], ["isolated actors", _h(s["isolated"])],
        ["sources cited by links", _h(s["sources"])], ["priority regions", _h(s["regions"])]], numeric=(1,)))
    out.append("<h3>Actors by type</h3>" + _table_html(
        ["type", "actors"], [[_h(t), _h(c)] for t, c in s["actor_types"].items()], numeric=(1,)))
    out.append("<h3>Links by type</h3>" + _table_html(
        ["type", "links"], [[_h(t), _h(c)] for t, c in s["link_types"].items()], numeric=(1,)))
    out.append("<h3>Links by status</h3>" + _table_html(
        ["status", "links"], [[_h(t), _h(c)] for t, c in s["statuses"].items()], numeric=(1,)))
    out.append("</section>")

    # Top actors
    section("Top actors")
    out.append(f'<p class="note">The {_h(p["top"])} highest-ranked actors for each metric; ties share a rank. '
               "Hover a name for its id.</p>")
    charts = []
    for metric, data in report["metrics"].items():
        out.append(f"<h3>{_h(data['title'])}</h3>")
        out.append(_table_html(["rank", "actor", "type", data["title"]],
                               [[_h(r["rank"]), _actor_html(report, r["id"]),
                                 _h(report["actors"].get(r["id"], {}).get("type")), _h(fmt_value(r["value"]))]
                                for r in data["rows"]], numeric=(0, 3)))
        if metric in ("degree", "betweenness", "pagerank", "eigenvector"):
            charts.append(bar_chart([(report["actors"].get(r["id"], {}).get("label") or r["id"], r["value"])
                                     for r in data["rows"] if _finite(r["value"])], f"Top actors: {data['title']}"))
    out.append('<div class="charts">' + "".join(charts) + "</div></section>")

    # Communities
    c = report["communities"]
    section("Communities")
    out.append(f"<p>Louvain communities (seed {_h(c['seed'])}) of the cooperation graph; "
               f"modularity <strong>{_h(fmt_value(c['modularity']))}</strong>, "
               f"{_h(len(c['groups']))} communities.</p>")
    out.append(_table_html(["#", "size", "actor types", "members"], [
        [_h(g["index"]), _h(g["size"]), _h(", ".join(f"{t} {n}" for t, n in g["types"].items())),
         ", ".join(_actor_html(report, m) for m in g["members"][:LIST_LIMIT]) + _h(_more(g["size"], LIST_LIMIT))]
        for g in c["groups"][:LIST_LIMIT]], numeric=(0, 1)) + _h(_more(len(c["groups"]), LIST_LIMIT)))
    out.append("</section>")

    # Brokers
    b = report["brokers"]
    section("Brokers and single points of failure")
    out.append("<h3>Articulation points</h3><p class=\"note\">Actors whose departure splits the network: "
               f"{_h(b['articulation_total'])} in all; those splitting it into the most pieces first.</p>")
    out.append(_table_html(["actor", "type", "pieces left", "components before", "components after removal"], [
        [_actor_html(report, r["id"]), _h(report["actors"].get(r["id"], {}).get("type")), _h(r["pieces"]),
         _h(r["components_before"]), _h(r["components_after"])] for r in b["articulation_points"]],
        numeric=(2, 3, 4)) if b["articulation_points"] else "<p>None: no single actor's departure splits the network.</p>")
    out.append("<h3>Bridges</h3><p class=\"note\">Ties whose loss splits the network: "
               f"{_h(b['bridges_total'])} in all, {_h(b['pendant_bridges'])} of them the only tie of one actor; "
               "those cutting off the most actors first.</p>")
    out.append(_table_html(["actor", "actor", "actors cut off", "link types", "links"], [
        [_actor_html(report, r["u"]), _actor_html(report, r["v"]), _h(r["cut_off"]), _h(", ".join(r["types"])),
         _h(", ".join(r["links"]))] for r in b["bridges"]], numeric=(2,)) if b["bridges"] else "<p>None.</p>")
    out.append("<h3>Structural holes (Burt)</h3><p class=\"note\">Highest effective size; "
               "lower constraint means more brokerage opportunity.</p>")
    out.append(_table_html(["actor", "effective size", "constraint"], [
        [_actor_html(report, r["id"]), _h(fmt_value(r["effective_size"])), _h(fmt_value(r["constraint"]))]
        for r in b["structural_holes"]], numeric=(1, 2)))
    out.append("<h3>Gould–Fernandez brokerage roles</h3><p class=\"note\">Open two-paths a → broker → c "
               "along link direction (subject → object), by actor type.</p>")
    out.append(_table_html(["actor", "coordinator", "itinerant", "representative", "gatekeeper", "liaison",
                            "total"],
                           [[_actor_html(report, r["id"])] + [_h(r[k]) for k in
                                                              ("coordinator", "itinerant", "representative",
                                                               "gatekeeper", "liaison", "total")]
                            for r in b["roles"]], numeric=(1, 2, 3, 4, 5, 6))
               if b["roles"] else "<p>No brokerage two-paths.</p>")
    out.append("</section>")

    # Coverage
    section("Priority-region coverage")
    out.append('<p class="note">For each priority region and each country in it: ties to EU agencies and '
               "to the frameworks the region takes part in (those tied to at least 5% of its countries, and at "
               "least one). A <em>white spot</em> (red, —) is a country "
               "without an active tie; negotiating or ended ties are shaded yellow and also count as white "
               "spots.</p>")
    if not report["coverage"]:
        out.append("<p>No priority regions in this graph.</p>")
    for region in report["coverage"]:
        targets, hidden = coverage_columns(region)
        out.append(f"<h3>{_h(region['label'])}</h3>")
        if hidden:
            out.append(f'<p class="note">{_h(hidden)} framework(s) covering fewer countries are not shown as '
                       "columns (see the JSON output).</p>")
        if not region["countries"]:
            out.append("<p>No country of this region is in the filtered graph.</p>")
            continue
        header = "<tr><th>country</th>" + "".join(
            f"<th>{_actor_html(report, t, short=True)}</th>" for t in targets) + "</tr>"
        rows = []
        for country in region["countries"][:LIST_LIMIT]:
            cells = [f"<td>{_actor_html(report, country)}</td>"]
            for target in targets:
                tie = region["ties"].get((country, target))
                cls = "white-spot" if not tie else f"tie-{tie['state']}"
                title = ", ".join(tie["links"]) if tie else "no tie"
                cells.append(f'<td class="{cls}" title="{_h(title)}">{_h(_cell_text(tie))}</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")
        share = "<tr><th>share covered</th>" + "".join(
            f'<td class="num">{_h(_pct(region["summary"][t]["share"]))}</td>' for t in targets) + "</tr>"
        out.append(f'<div class="scroll"><table><thead>{header}</thead><tbody>{"".join(rows)}{share}'
                   "</tbody></table></div>" + _h(_more(len(region["countries"]), LIST_LIMIT)))
        spots = region["white_spots"]
        out.append(f"<p><strong>{len(spots)} white spot(s):</strong> " + (", ".join(
            f"{_actor_html(report, c_, short=True)} – {_actor_html(report, t, short=True)}"
            for c_, t in spots[:LIST_LIMIT]) or "none") + _h(_more(len(spots), LIST_LIMIT)) + "</p>")
    out.append("</section>")

    # Change
    ch = report["change"]
    section("Change over time")
    out.append('<p class="note">A snapshot counts the links known to be in force during the snapshot period '
               "(a year stands for the whole year). Links without a start date are never placed in a snapshot "
               "and are counted as <em>undated</em>; ended links without an end date are <em>undetermined</em>. "
               "<em>Added</em> and <em>ended</em> count dated starts and ends since the previous snapshot.</p>")
    snap_rows = []
    for row in ch["snapshots"]:
        snap_rows.append([_h(row["date"]), _h(row["nodes"]), _h(row["edges"]), _h(row["links"]),
                          _h(fmt_value(row["density"])), _h(row["components"]), _h(row["largest_component"]),
                          _h(len(row["added"])) if "added" in row else "", _h(len(row["ended"])) if "ended" in row else "",
                          _h(row["undated"]), _h(row["undetermined"])])
    out.append(_table_html(["snapshot", "actors", "pairs", "links", "density", "components", "largest",
                            "added", "ended", "undated", "undetermined"], snap_rows, numeric=tuple(range(1, 11))))
    previous = None
    for row in ch["snapshots"]:
        for kind in ("added", "ended"):
            if row.get(kind):
                rows = [[_h(i), _h(report["links"].get(i, {}).get("label") or i),
                         _h(report["links"].get(i, {}).get("start" if kind == "added" else "end") or "")]
                        for i in row[kind][:LIST_LIMIT]]
                out.append(f"<details><summary>{_h(len(row[kind]))} link(s) {_h(kind)} after "
                           f"{_h(previous)}, up to {_h(row['date'])}</summary>"
                           + _table_html(["link", "label", "start" if kind == "added" else "end"], rows)
                           + _h(_more(len(row[kind]), LIST_LIMIT)) + "</details>")
        previous = row["date"]
    per_year = ch["per_year"]
    out.append(timeline_chart(per_year["years"]))
    out.append(f"<p>Links with a start date: {_h(per_year['dated'])} ({_h(_pct(per_year['share_dated']))}); "
               f"without: {_h(per_year['undated'])}. Ended or suspended without an end date: "
               f"{_h(per_year['ended_undated'])}.</p>")
    out.append("<details><summary>Links per start year (table)</summary>" + _table_html(
        ["year", "started", "date confidence high", "medium", "low", "unstated", "ended"],
        [[_h(y["year"]), _h(y["total"]), _h(y["high"]), _h(y["medium"]), _h(y["low"]), _h(y["unstated"]),
          _h(y["ended"])] for y in per_year["years"]], numeric=tuple(range(1, 7))) + "</details>")
    out.append("</section>")

    # Quality
    q = report["quality"]
    section("Data quality")
    out.append("<h3>Links by confidence</h3>" + _table_html(
        ["confidence", "links", "share"],
        [[_h(level), _h(n), _h(_pct(n / q["links"]) if q["links"] else "")] for level, n in q["by_confidence"].items()],
        numeric=(1, 2)))
    out.append(f"<h3>Dates</h3><p>{_h(q['dated'])} of {_h(q['links'])} links ({_h(_pct(q['share_dated']))}) "
               "have a start date. Confidence in those dates:</p>" + _table_html(
                   ["date confidence", "links"], [[_h(k_), _h(v)] for k_, v in q["date_confidence"].items()],
                   numeric=(1,)))
    out.append("<h3>Low-confidence ties among the top actors</h3>")
    out.append(_table_html(["link", "subject", "object", "type", "start", "status", "sources"], [
        [_h(t["id"]), _actor_html(report, t["subject"]), _actor_html(report, t["object"]), _h(t["type"]),
         _h(t["start"] or "undated"), _h(t["status"]), _h(", ".join(t["sources"]))]
        for t in q["low_confidence_ties"][:LIST_LIMIT]]) + _h(_more(len(q["low_confidence_ties"]), LIST_LIMIT))
        if q["low_confidence_ties"] else "<p>None.</p>")
    out.append("<h3>Sources cited most</h3>")
    out.append(_table_html(["source", "publisher", "links citing", "actors citing"], [
        [_source_html(src), _h(src["publisher"] or ""), _h(src["links"]), _h(src["actors"])]
        for src in q["sources_cited_most"]], numeric=(2, 3)))
    out.append("</section>")
    out.append('<footer class="note"><p>Made by thbkg from sourced, dated link records. Institutions and '
               "agreements only. Every number above can be reproduced with the parameters in the header.</p>"
               "</footer></body></html>\n")
    # the data is escaped for HTML above; control characters are then shown, never left raw
    return terminal_safe("\n".join(out), multiline=True)


def _source_html(src):
    url = safe_url(src.get("url"))
    title = _h(src["title"])
    return f'<a href="{_h(url)}" rel="noopener noreferrer">{title}</a>' if url else title


# ----------------------------------------------------------------------------- Markdown
def _md_table(header, rows):
    """A Markdown table whose cells the caller escaped (with md_cell or md_link), then a blank line."""
    return markdown_table(header, rows, escaped=True) + "\n"


def render_markdown(report, map_href=None, map_note=None):
    """The report as GitHub-flavoured Markdown with the same sections as the HTML (text)."""
    p, s, e = report["params"], report["summary"], md_cell

    def actor(a):
        return e(report["actors"].get(a, {}).get("label") or a)

    out = ["# Cooperation against trafficking in human beings: network report", "",
           f"Generated: {e(p['generated'])} · Filters: {e(p['filters'])} · Seed: {e(p['seed'])} · "
           f"Top: {e(p['top'])} · Betweenness: {e(p['betweenness'])} · "
           f"Snapshots: {e(', '.join(p['snapshots']) or 'none')} · Graph: {e(p['source'])}"
           + (f" · Left out: {e(p['skipped'])}" if p.get("skipped") else ""), ""]
    if map_href:
        out += [f"Interactive map: {md_link(map_href, map_href)}", ""]
    elif map_note:
        out += [f"Map: {e(map_note)}", ""]
    out += ["## Summary", "", _md_table(["measure", "value"], [
        ["actors", e(s["actors"])], ["cooperating pairs (edges)", e(s["pairs"])], ["link records", e(s["links"])],
        ["density", e(fmt_value(s["density"]))], ["connected components", e(s["components"])],
        ["largest component", e(s["largest_component"])], ["isolated actors", e(s["isolated"])],
        ["sources cited by links", e(s["sources"])], ["priority regions", e(s["regions"])]]),
        _md_table(["actor type", "actors"], [[e(t), e(c)] for t, c in s["actor_types"].items()]),
        _md_table(["link type", "links"], [[e(t), e(c)] for t, c in s["link_types"].items()]),
        "## Top actors", ""]
    for data in report["metrics"].values():
        out += [f"### {e(data['title'])}", "", _md_table(["rank", "actor", "type", data["title"]], [
            [e(r["rank"]), actor(r["id"]), e(report["actors"].get(r["id"], {}).get("type")), e(fmt_value(r["value"]))]
            for r in data["rows"]])]
    c = report["communities"]
    out += ["## Communities", "", f"Louvain (seed {e(c['seed'])}), modularity {e(fmt_value(c['modularity']))}.", "",
            _md_table(["#", "size", "members"], [[e(g["index"]), e(g["size"]),
                                                  ", ".join(actor(m) for m in g["members"][:LIST_LIMIT])
                                                  + e(_more(g["size"], LIST_LIMIT))]
                                                 for g in c["groups"]])]
    b = report["brokers"]
    out += ["## Brokers and single points of failure", "", "### Articulation points", "",
            f"{e(b['articulation_total'])} in all.", "",
            _md_table(["actor", "pieces left", "components before", "components after removal"],
                      [[actor(r["id"]), e(r["pieces"]), e(r["components_before"]), e(r["components_after"])]
                       for r in b["articulation_points"]]) if b["articulation_points"] else "None.\n",
            "### Bridges", "",
            f"{e(b['bridges_total'])} in all, {e(b['pendant_bridges'])} of them the only tie of one actor.", "",
            _md_table(["actor", "actor", "actors cut off", "link types"],
                      [[actor(r["u"]), actor(r["v"]), e(r["cut_off"]), e(", ".join(r["types"]))]
                       for r in b["bridges"]]) if b["bridges"] else "None.\n",
            "### Structural holes (Burt)", "",
            _md_table(["actor", "effective size", "constraint"],
                      [[actor(r["id"]), e(fmt_value(r["effective_size"])), e(fmt_value(r["constraint"]))]
                       for r in b["structural_holes"]]),
            "### Gould–Fernandez brokerage roles", "",
            _md_table(["actor", "coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total"],
                      [[actor(r["id"])] + [e(r[k_]) for k_ in ("coordinator", "itinerant", "representative",
                                                               "gatekeeper", "liaison", "total")]
                       for r in b["roles"]]) if b["roles"] else "None.\n"]
    out += ["## Priority-region coverage", "",
            "White spot (—): no active tie; negotiating or ended ties are marked and count as white spots.", ""]
    for region in report["coverage"]:
        targets, hidden = coverage_columns(region)
        out += [f"### {e(region['label'])}", ""]
        if hidden:
            out += [f"{e(hidden)} framework(s) covering fewer countries are not shown as columns.", ""]
        if not region["countries"]:
            out += ["No country of this region is in the filtered graph.", ""]
            continue
        rows = [[actor(country)] + [e(_cell_text(region["ties"].get((country, t)))) for t in targets]
                for country in region["countries"][:LIST_LIMIT]]
        rows.append(["**share covered**"] + [e(_pct(region["summary"][t]["share"])) for t in targets])
        out += [_md_table(["country"] + [short_label(report["actors"].get(t, {}).get("label") or t) for t in targets],
                          rows),
                f"White spots ({len(region['white_spots'])}): "
                + (", ".join(f"{actor(c_)} – {actor(t)}" for c_, t in region["white_spots"][:LIST_LIMIT]) or "none")
                + e(_more(len(region["white_spots"]), LIST_LIMIT)), ""]
    ch = report["change"]
    out += ["## Change over time", "",
            "Snapshots count links known to be in force in the period; undated links are counted apart.", "",
            _md_table(["snapshot", "actors", "pairs", "links", "density", "components", "added", "ended", "undated",
                       "undetermined"],
                      [[e(r["date"]), e(r["nodes"]), e(r["edges"]), e(r["links"]), e(fmt_value(r["density"])),
                        e(r["components"]), e(len(r["added"])) if "added" in r else "",
                        e(len(r["ended"])) if "ended" in r else "", e(r["undated"]), e(r["undetermined"])]
                       for r in ch["snapshots"]])]
    py = ch["per_year"]
    out += [f"Links with a start date: {e(py['dated'])} ({e(_pct(py['share_dated']))}); without: {e(py['undated'])}.",
            "", _md_table(["year", "started", "high", "medium", "low", "unstated", "ended"],
                          [[e(y["year"]), e(y["total"]), e(y["high"]), e(y["medium"]), e(y["low"]), e(y["unstated"]),
                            e(y["ended"])] for y in py["years"]])]
    q = report["quality"]
    out += ["## Data quality", "", "### Links by confidence", "",
            _md_table(["confidence", "links"], [[e(k_), e(v)] for k_, v in q["by_confidence"].items()]),
            f"{e(q['dated'])} of {e(q['links'])} links ({e(_pct(q['share_dated']))}) have a start date.", "",
            _md_table(["date confidence", "links"], [[e(k_), e(v)] for k_, v in q["date_confidence"].items()]),
            "### Low-confidence ties among the top actors", "",
            _md_table(["link", "subject", "object", "type", "start"],
                      [[e(t["id"]), actor(t["subject"]), actor(t["object"]), e(t["type"]), e(t["start"] or "undated")]
                       for t in q["low_confidence_ties"][:LIST_LIMIT]]) + e(_more(len(q["low_confidence_ties"]), LIST_LIMIT))
            if q["low_confidence_ties"] else "None.\n",
            "### Sources cited most", "",
            _md_table(["source", "links citing"],
                      [[md_link(src["title"], safe_url(src["url"])), e(src["links"])]
                       for src in q["sources_cited_most"]])]
    # every data text is escaped above; a control character in thbkg's own text is shown too
    return terminal_safe("\n".join(out) + "\n", multiline=True)


# ----------------------------------------------------------------------------- JSON / CSV
def _jsonable(value):
    if isinstance(value, dict):
        return {("|".join(k) if isinstance(k, tuple) else str(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def render_json(report):
    """The report data as JSON text (coverage tie keys written ``country|target``)."""
    data = {k: v for k, v in report.items() if k != "scores"}
    return escape_serialized_controls(json.dumps(_jsonable(data), ensure_ascii=False, indent=1)) + "\n"


def centrality_rows(report):
    """One row per actor with every report metric, sorted by id."""
    scores = report["scores"]
    nodes = sorted({n for values in scores.values() for n in values})
    return [{"id": n, "label": report["actors"].get(n, {}).get("label") or n,
             "type": report["actors"].get(n, {}).get("type") or "",
             **{m: scores[m].get(n) for m in scores}} for n in nodes]


def render_centrality_csv(report):
    """All actors and metrics as CSV text; formula-like cells neutralised (:func:`~thbkg.graph.outputs.text.csv_text`)."""
    header = ["id", "label", "type", *report["scores"]]
    return csv_text(header, [[repr(v) if isinstance(v, float) else v for v in (row.get(h) for h in header)]
                             for row in centrality_rows(report)])


def render_centrality_json(report):
    """All actors and metrics as JSON text, with the parameters."""
    return escape_serialized_controls(json.dumps(_jsonable({"params": report["params"],
                                                            "actors": centrality_rows(report)}),
                                                 ensure_ascii=False, indent=1)) + "\n"


# ----------------------------------------------------------------------------- writing
#: File suffix -> report format, for ``thbkg report -o FILE`` without ``--format``.
REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json",
                   ".csv": "csv"}


def output_kind(output, fmt=None):
    """Decide what to write: ``("dir", path)``, or ``(format, path)`` with format html|md|json|csv.

    Without *fmt*, the format comes from the suffix (:data:`REPORT_SUFFIXES`); ``-`` is HTML on
    standard output and a path ending in ``/`` (or an existing folder) is the full product run.
    Any other suffix is refused rather than guessed.

    >>> output_kind("out/")[0], output_kind("r.md")[0], output_kind("-")[0], output_kind("x.txt", "json")[0]
    ('dir', 'md', 'html', 'json')
    >>> output_kind("r.pdf")
    Traceback (most recent call last):
    ...
    thbkg.graph.errors.UsageError: cannot tell the report format of 'r.pdf' from its suffix: use .html, .md, .json, .csv, a folder ending in '/', or give --format html|md|json|csv
    """
    text = str(output)
    if fmt:
        if fmt == "dir":
            return "dir", text
        return fmt, text
    if text == "-":
        return "html", text
    if text.endswith(("/", os.sep)) or Path(text).is_dir():
        return "dir", text
    kind = REPORT_SUFFIXES.get(Path(text).suffix.lower())
    if kind is None:
        raise UsageError(f"cannot tell the report format of {text!r} from its suffix: use .html, .md, .json, "
                         f".csv, a folder ending in '/', or give --format html|md|json|csv")
    return kind, text


def render(report, fmt, map_href=None, map_note=None):
    """Text of the report in *fmt* (html, md, json or csv)."""
    if fmt == "html":
        return render_html(report, map_href=map_href, map_note=map_note)
    if fmt == "md":
        return render_markdown(report, map_href=map_href, map_note=map_note)
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_centrality_csv(report)
    raise UsageError(f"unknown report format {fmt!r} (use html, md, json or csv)")


def write_map(net, report, path, seed=42):
    """Write the interactive map with :func:`thbkg.graph.outputs.maps.write_map`; return None, or a note why not.

    Maps of more than :data:`MAP_MAX_ACTORS` actors keep the most central ones (the note says so).
    """
    try:
        from thbkg.graph.outputs import maps
    except ImportError as exc:
        return f"the interactive map could not be made: the map module is not available ({exc})"
    writer = getattr(maps, "write_map", None)
    if writer is None:
        return "the interactive map is not available in this version of thbkg (thbkg.graph.outputs.maps has no write_map)"
    import inspect

    wanted = {"seed": seed}
    n = report["summary"]["actors"]
    if n > MAP_MAX_ACTORS:
        wanted["top"] = MAP_MAX_ACTORS
    accepted = inspect.signature(writer).parameters
    writer(net, path, **{k: v for k, v in wanted.items() if k in accepted})
    return None


PRODUCT_FILES = ("report.html", "map.html", "centrality.csv", "centrality.json")


def write_product(net, folder, report, *, with_map=True, seed=42):
    """Write report.html, map.html, centrality.csv and centrality.json into *folder*; return the paths.

    Every file is written atomically. When the map cannot be made, the report says so in its header.
    """
    folder = prepare_output_dir(folder, produces=PRODUCT_FILES)
    paths = []
    map_note = None
    map_path = folder / "map.html"
    if with_map:
        map_note = write_map(net, report, map_path, seed=seed)
        if map_note is None:
            paths.append(map_path)
    else:
        map_note = "map not requested (--no-map)"
    atomic_write(folder / "centrality.csv", render_centrality_csv(report))
    atomic_write(folder / "centrality.json", render_centrality_json(report))
    atomic_write(folder / "report.html",
                 render_html(report, map_href="map.html" if map_note is None else None, map_note=map_note))
    return [folder / "report.html", *paths, folder / "centrality.csv", folder / "centrality.json"]
