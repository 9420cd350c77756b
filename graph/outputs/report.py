"""The analyst's report: one self-contained HTML (or Markdown, or JSON) file about the network.

:func:`build_report` computes everything (centrality, communities, brokers, priority-region
coverage, frameworks, funding, liaison posts, national mechanisms, evaluations, change over time,
data quality) into plain data; :func:`render_html`,
:func:`render_markdown` and :func:`render_json` turn that data into text.

The HTML and Markdown come from the Jinja templates ``templates/report.html`` and
``templates/report.md``. The HTML template is autoescaped: every text from the data is escaped
(with :func:`html.escape`, see :func:`_html_value`), links to sources are plain ``<a href>`` (only
``http``/``https`` URLs, :func:`~thbkg.graph.outputs.text.safe_url`), and there is no script,
stylesheet link, web font or image URL, so the file opens with no network access and nothing is
fetched. The Markdown template escapes every value with :func:`thbkg.graph.outputs.text.md_cell`
(no raw HTML), the CSV neutralises formulas with :func:`thbkg.graph.outputs.text.csv_text`, and no
output carries a raw control character (:mod:`thbkg.graph.outputs.text`).

:func:`write_product` writes the full product run into a folder: ``report.html``, ``map.html``
(:func:`thbkg.graph.outputs.maps.write_map`), ``centrality.csv`` and ``centrality.json``.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import math
import os
from collections import Counter
from decimal import Decimal
from html import escape
from pathlib import Path

import networkx as nx
from markupsafe import Markup

from thbkg.graph.analytics.centrality import EXACT_CLOSENESS_LIMIT
from thbkg.graph.analytics.change import UNSTATED, is_event, links_per_year, snapshots
from thbkg.graph.analytics.cooperation import (
    COVERED,
    GAP,
    HOSTED,
    NO_COUNTRY,
    NO_ROUND,
    OTHER_COUNTRIES,
    cooperation_summary,
)
from thbkg.graph.analytics.coverage import (
    IN_FORCE,
    NONE,
    NOT_IN_FORCE,
    STATE_LABELS,
    STATE_MEANINGS,
    STATES,
    STATUS_STATES,
    region_coverage,
)
from thbkg.graph.analytics.evidence import evidence_summary, link_evidence
from thbkg.graph.analytics.frameworks import framework_summary
from thbkg.graph.errors import UsageError
from thbkg.graph.io import atomic_write, prepare_output_dir
from thbkg.graph.outputs.svg import bar_chart, timeline_chart
from thbkg.graph.outputs.text import (
    csv_text,
    escape_serialized_controls,
    format_number,
    format_share,
    md_cell,
    md_link,
    safe_url,
    short_label,
    template_environment,
    terminal_safe,
)
from thbkg.graph.progress import Laps, progress
from thbkg.graph.rdf.vocab import load_vocabulary

#: Section headings, in order; the HTML and Markdown reports both contain each of them.
SECTIONS = ("Summary", "Top actors", "Communities", "Brokers and single points of failure",
            "Priority-region coverage", "Frameworks", "Funding", "Liaison officers",
            "National rapporteurs and coordinators", "Evaluation rounds", "Change over time", "Data quality")

#: Metrics ranked in the report (names as in thbkg.graph.analytics.centrality.METRICS), tie strength first.
REPORT_METRICS = ("weighted_degree", "degree", "betweenness", "pagerank", "eigenvector", "closeness",
                  "kcore", "reach")
METRIC_TITLES = {"degree": "Degree", "weighted_degree": "Weighted degree", "betweenness": "Betweenness",
                 "pagerank": "PageRank", "eigenvector": "Eigenvector", "closeness": "Closeness",
                 "kcore": "k-core", "reach": "Two-step reach", "constraint": "Constraint",
                 "effective_size": "Effective size", "harmonic": "Harmonic", "clustering": "Clustering"}
#: Metrics drawn as bar charts under the top-actor tables.
#: Tie strength first, as in ``thbkg centrality``: on the actor graph the count of partners mostly counts
#: shared frameworks, while the strength weighs a shared framework of n members 1/(n-1) per partner.
CHART_METRICS = ("weighted_degree", "betweenness", "pagerank", "eigenvector")
DEFAULT_SNAPSHOTS = ("2010", "2015", "2020", "today")
#: Most rows of a table, or items of a list, the HTML/Markdown shows (the largest or first ones); the rest
#: are counted ("… and N more"). The JSON output (``--format json``) always holds everything.
LIST_LIMIT = 50
#: Names shown at once in one table cell or sentence of the HTML (a community's members, a programme's
#: countries…); the rest, up to :data:`LIST_LIMIT`, fold into a ``<details>`` ("N more").
NAME_LIMIT = 12
#: Where the full lists are, as the report says it.
FULL_LISTS = "all in thbkg report --format json"
#: Most framework columns in a region's coverage table (those covering the most countries first).
MAX_FRAMEWORK_COLUMNS = 12
#: Most agency columns in a region's coverage table (those with the most ties in force first).
MAX_AGENCY_COLUMNS = 12
#: The product run's map keeps at most this many actors (the most central), so it stays legible.
MAP_MAX_ACTORS = 5000
#: The report's computing steps, in order (progress and ``timings``).
STEPS = ("centrality", "communities", "brokers", "coverage", "frameworks", "cooperation", "change", "quality")


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


def _params(net, n, *, k, seed, top, stamp, snapshot_dates, filters_text, backend, source_text):
    """The parameters echoed in the report's header (and its JSON)."""
    filters = getattr(net, "filters", None)
    if filters_text is None:
        filters_text = filters.describe() if filters is not None else "none"
    timed = bool(filters is not None and (filters.as_of or filters.between))
    skipped = (f"closeness (exact closeness needs a search from every actor; skipped above "
               f"{EXACT_CLOSENESS_LIMIT:,} actors)" if n > EXACT_CLOSENESS_LIMIT else "")
    return {"generated": stamp.isoformat(), "filters": filters_text, "seed": seed, "top": top,
            "betweenness": f"sampled from k={k} source actors (seed {seed})" if k and k < n else "exact",
            "k": k, "snapshots": list(snapshot_dates), "backend": backend or "networkx",
            "source": source_text or "bundled tables", "skipped": skipped,
            # a time filter (--as-of, --between) leaves out the links without a start date unless asked
            "time_filter": timed, "include_undated": bool(timed and filters.include_undated),
            "undated_left_out": getattr(net, "undated_left_out", 0) if timed else None}


# ----------------------------------------------------------------------------- computing
def _record(net, actor_id):
    """The actor's record: kept by the filters, or (a region's country without a link in a time window)
    from every actor before the filters."""
    return net.actors.get(actor_id) or (getattr(net, "all_actors", None) or {}).get(actor_id) or {}


def _label(net, actor_id):
    return _record(net, actor_id).get("label") or actor_id


def _type(net, actor_id):
    return _record(net, actor_id).get("type") or ""


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
        ``frameworks`` (:func:`~thbkg.graph.analytics.frameworks.framework_summary`), ``funding``,
        ``liaison``, ``mechanisms`` and ``evaluations`` (the four views of
        :func:`~thbkg.graph.analytics.cooperation.cooperation_summary`, each with its ``basis``), ``change``,
        ``quality``, ``actors`` (id -> label and type of every actor named in the report), ``scores``
        (metric -> actor -> value), ``links`` (id -> label, start, end, type, family, status and what
        the link rests on: ``date`` (its date basis, e.g. "2012, from memory (unverified)"), ``sources``
        (ids, strongest grade first), ``documentary``, ``note``; see
        :func:`~thbkg.graph.analytics.evidence.link_evidence`) and ``sources`` (id -> title, url,
        grade of every source a link cites).
    """
    from thbkg.graph.analytics.centrality import default_k

    if top < 1:
        raise UsageError(f"--top must be at least 1 (got {top})")
    stamp = generated if isinstance(generated, dt.datetime) else generated_at(generated)
    graph = net.cooperation_graph()
    n = graph.number_of_nodes()
    if n == 0 or not net.links:
        raise UsageError("the graph is empty: there is nothing to report")
    k = default_k(n, k)
    params = _params(net, n, k=k, seed=seed, top=top, stamp=stamp, snapshot_dates=snapshot_dates,
                     filters_text=filters_text, backend=backend, source_text=source_text)
    laps = Laps(timings)

    def lap(step):
        # NetworkX leaves its working graphs (Louvain's levels, the search forest of the bridges: 200 MB each at
        # 20,000 actors) in reference cycles, which wait for a full collection: end each step with one (0.1 s),
        # so that the next step does not add its own on top of them
        gc.collect()
        laps(step)

    with progress(len(STEPS), "report") as bar:
        bar.set_item(STEPS[0])
        scores, metrics = _top_actors(graph, k=k, seed=seed, top=top, backend=backend)
        lap("centrality")
        bar.update(1, "communities")
        communities = _communities(net, graph, seed=seed, backend=backend)
        lap("communities")
        bar.update(1, "brokers")
        brokers = _brokers(net, graph, top=top, backend=backend)
        lap("brokers")
        bar.update(1, "coverage")
        coverage = region_coverage(net)
        lap("coverage")
        bar.update(1, "frameworks")
        # a framework with no member, chair or event has nothing to show here (programmes: see Funding)
        frameworks = [f for f in framework_summary(net) if f["member_list"] or f["governance"] or f["events"]["links"]]
        lap("frameworks")
        bar.update(1, "cooperation")
        cooperation = cooperation_summary(net)
        lap("cooperation")
        bar.update(1, "change")
        change = _change(net, snapshot_dates, stamp)
        lap("change")
        bar.update(1, "quality")
        quality = _quality(net, metrics, top)
        links, sources = _link_records(net)
        lap("quality")
        bar.update(1, "")
    named = set(graph) | set(net.actors) | {a for r in coverage for a in r["countries"] + r["agencies"]}
    named |= _cooperation_actors(cooperation)
    return {"params": params, "summary": _summary(net, graph), "metrics": metrics, "communities": communities,
            "brokers": brokers, "coverage": coverage, "frameworks": frameworks, **cooperation, "change": change,
            "quality": quality,
            "actors": {a: {"label": _label(net, a), "type": _type(net, a)} for a in sorted(named)},
            "scores": scores, "links": links, "sources": sources}


def _cooperation_actors(cooperation):
    """The actors the funding, liaison, mechanism and evaluation sections name (a region's country left
    without a link by a time filter too)."""
    named = {c["id"] for region in cooperation["liaison"]["regions"] for c in region["countries"]}
    named |= {post[end] for region in cooperation["liaison"]["regions"] for c in region["countries"]
              for kind in ("hosted", "covered_by", "sends") for post in c[kind] for end in ("subject", "object")}
    named |= {c["id"] for c in cooperation["mechanisms"]["countries"] if c["id"]}
    return named


def _link_records(net):
    """``(links, sources)``: every link with what it rests on, and the grade of every source cited."""
    links, sources = {}, {}
    for lk in net.links:
        evidence = link_evidence(lk, net.sources)
        for grade in evidence["grades"]:
            if grade["id"] not in sources:
                sources[grade["id"]] = {key: grade[key] for key in ("title", "url", "kind", "label", "documentary")}
        links[lk["id"]] = {"label": lk.get("label") or lk["id"], "start": lk.get("start"), "end": lk.get("end"),
                           "type": lk.get("type"), "family": lk.get("family"), "status": lk.get("status"),
                           "date": evidence["date"], "sources": [g["id"] for g in evidence["grades"]],
                           "documentary": evidence["documentary"], "note": evidence["note"]}
    return links, dict(sorted(sources.items()))


def _change(net, snapshot_dates, stamp):
    """Snapshots and links per year (:mod:`thbkg.graph.analytics.change`). Events (joint action days…)
    are activity in a period: never listed as ties added or ended."""
    rows = snapshots(net, snapshot_dates, today=stamp.date()) if snapshot_dates else []
    events = {lk["id"] for lk in net.links if is_event(lk)}
    for row in rows:
        for kind in ("added", "ended"):
            if kind in row:
                row[kind] = [i for i in row[kind] if i not in events]
    return {"snapshots": rows, "per_year": links_per_year(net), "events": len(events),
            "undated_events": sum(1 for lk in net.links if lk["id"] in events and not lk.get("start"))}


def _top_actors(graph, *, k, seed, top, backend):
    """``(scores, metrics)``: every report metric of every actor, and the *top* rows of each."""
    from thbkg.graph.analytics.centrality import compute_centrality, ranked

    n = graph.number_of_nodes()
    chosen = tuple(m for m in REPORT_METRICS if m != "closeness" or n <= EXACT_CLOSENESS_LIMIT)
    scores = compute_centrality(graph, metrics=chosen, k=k, seed=seed, backend=backend)
    # eigenvector (ARPACK) differs in the last bits between runs; rounding keeps ties tied, so the
    # same command gives the same ranking
    scores = {m: {node: round(v, 10) if _finite(v) else v for node, v in values.items()}
              for m, values in scores.items()}
    metrics = {metric: {"title": METRIC_TITLES[metric],
                        "rows": [{"rank": rank, "id": node, "value": value}
                                 for rank, node, value in ranked(scores[metric], metric, top=top)]}
               for metric in chosen}
    return scores, metrics


def _communities(net, graph, *, seed, backend):
    """Louvain communities with their size and actor types, and the modularity."""
    from thbkg.graph.analytics.communities import louvain

    # NetworkX's Louvain: igraph's finds partitions of the same quality but not the same ones, and the
    # report does not yet say which engine drew its communities
    parts = louvain(graph, seed=seed, backend=backend, engine="networkx")
    return {"modularity": round(parts.modularity, 4), "seed": seed,
            "groups": [{"index": i + 1, "size": len(members), "members": list(members),
                        "types": dict(Counter(_type(net, m) for m in members).most_common())}
                       for i, members in enumerate(parts.communities)]}


def _brokers(net, graph, *, top, backend):
    """Articulation points, bridges, Burt's structural holes and Gould–Fernandez roles (top rows).

    All on the actor graph (*graph*, :meth:`~thbkg.graph.network.projections.Network.cooperation_graph`);
    the brokerage roles need directions, so they are counted on the directed ties in force between
    actors (:meth:`~thbkg.graph.network.projections.Network.multigraph` without the frameworks, which
    are affiliations, not brokers).
    """
    from thbkg.graph.analytics.brokers import brokerage_roles, burt, cut_ties, cut_vertices

    cut_points = cut_vertices(graph)
    cut_edges = cut_ties(graph)
    gc.collect()  # the search forest of nx.bridges (a reference cycle), before Burt's measures (see build_report)
    bridge_rows = [{**row, "types": list(graph.edges[row["u"], row["v"]].get("types", ())),
                    "links": list(graph.edges[row["u"], row["v"]].get("links", ())),
                    "frameworks": list(graph.edges[row["u"], row["v"]].get("frameworks", ()))}
                   for row in cut_edges[:top]]
    holes = burt(graph, backend=backend)
    by_effective = sorted((x for x in holes.items() if _finite(x[1]["effective_size"])),
                          key=lambda x: (-x[1]["effective_size"], x[0]))[:top]
    roles = brokerage_roles(_directed_ties(net))
    role_rows = sorted(((node, counts) for node, counts in roles.items() if counts["total"]),
                       key=lambda x: (-x[1]["total"], x[0]))[:top]
    return {"articulation_points": cut_points[:top], "articulation_total": len(cut_points),
            "bridges": bridge_rows, "bridges_total": len(cut_edges),
            "pendant_bridges": sum(1 for row in cut_edges if row["cut_off"] == 1),
            "structural_holes": [{"id": node, **vals} for node, vals in by_effective],
            "roles": [{"id": node, **counts} for node, counts in role_rows]}


def _directed_ties(net):
    """The directed ties in force between actors, frameworks left out: the nodes and edges of
    :meth:`~thbkg.graph.network.projections.Network.multigraph`, parallel links as one edge, and of the
    attributes only the actor type, all that :func:`~thbkg.graph.analytics.brokers.brokerage_roles` reads
    (the multigraph copies every link record onto its edge: 100 MB at 100,000 links)."""
    from thbkg.graph.network.affiliations import tie_links

    links, _ = tie_links(net)
    directed = nx.DiGraph()
    for actor_id in sorted(net.actors):
        directed.add_node(actor_id, type=net.actors[actor_id].get("type"))
    directed.add_edges_from((link["subject"], link["object"]) for link in links)
    vocab = load_vocabulary()
    directed.remove_nodes_from([n for n in list(directed) if vocab.is_framework_type(_type(net, n))])
    return directed


def _summary(net, graph):
    components = list(nx.connected_components(graph))
    vocab = load_vocabulary()
    return {"actors": graph.number_of_nodes(), "pairs": graph.number_of_edges(), "links": len(net.links),
            "frameworks": sum(1 for a in net.actors if vocab.is_framework_type(_type(net, a))),
            "framework_view": graph.graph.get("frameworks"),
            "framework_note": graph.graph.get("frameworks_note"),
            "not_in_force_left_out": graph.graph.get("not_in_force_left_out", 0),
            "direct_pairs": sum(1 for _, _, links in graph.edges(data="links") if links),
            "density": round(nx.density(graph), 4) if len(graph) > 1 else 0.0,
            "components": len(components), "largest_component": max((len(c) for c in components), default=0),
            "isolated": sum(1 for c in components if len(c) == 1),
            "sources": len({s for lk in net.links for s in lk.get("sources", ())}),
            "regions": len(net.regions),
            "actor_types": dict(sorted(Counter(_type(net, a) for a in graph).items())),
            "link_types": dict(sorted(Counter(lk.get("type") or "" for lk in net.links).items())),
            "statuses": dict(sorted(Counter(lk.get("status") or "unknown" for lk in net.links).items()))}


def _quality(net, metrics, top):
    """Confidence and dating of the links, low-confidence ties of the top actors, and what the links rest on
    (:func:`~thbkg.graph.analytics.evidence.evidence_summary`: documents read, placeholders, sources cited most)."""
    links = net.links
    levels = load_vocabulary().confidence_order
    by_conf = Counter(lk.get("confidence") or UNSTATED for lk in links)
    dated = [lk for lk in links if lk.get("start")]
    by_date_conf = Counter(lk.get("date_confidence") or UNSTATED for lk in dated)
    top_actors = sorted({row["id"] for m in metrics.values() for row in m["rows"]})
    total = len(links)
    return {"links": total,
            "by_confidence": {level: by_conf.get(level, 0) for level in (*levels, UNSTATED)
                              if level != UNSTATED or by_conf.get(level)},
            "dated": len(dated), "share_dated": round(len(dated) / total, 4) if total else 0.0,
            "date_confidence": {level: by_date_conf.get(level, 0) for level in (*levels, UNSTATED)},
            "top_actors": top_actors, "low_confidence_ties": _low_confidence_ties(links, set(top_actors)),
            "evidence": _evidence(net, max(top, 10)),
            "uncited_links": sum(1 for lk in links if not lk.get("sources"))}


def _low_confidence_ties(links, actors):
    """The links of the weakest confidence level that touch one of *actors*."""
    weakest = load_vocabulary().confidence_order[-1]
    return [{"id": lk["id"], "subject": lk["subject"], "object": lk["object"], "type": lk.get("type"),
             "start": lk.get("start"), "status": lk.get("status"), "sources": list(lk.get("sources", ()))}
            for lk in links if lk.get("confidence") == weakest and (lk["subject"] in actors or lk["object"] in actors)]


def _evidence(net, limit):
    """:func:`~thbkg.graph.analytics.evidence.evidence_summary`, each source cited most with its publisher
    and the number of actors citing it, and the source kinds with their labels."""
    summary = evidence_summary(net, top=limit)
    actor_cited = Counter(s for a in net.actors.values() for s in a.get("sources", ()) or ())
    for group in summary["cited_most"].values():
        for row in group:
            row["publisher"] = (net.sources.get(row["id"]) or {}).get("publisher")
            row["actors"] = actor_cited.get(row["id"], 0)
    vocab = load_vocabulary()
    summary["kinds"] = [{"kind": kind, "label": vocab.source_kind_labels.get(kind, "ungraded") if kind else "ungraded",
                         "documentary": vocab.is_documentary(kind), "links": n}
                        for kind, n in summary["by_kind"].items()]
    return summary


# ----------------------------------------------------------------------------- rendering helpers
def _more(total, shown=LIST_LIMIT):
    """Text saying how many items were left out of a list, and where they all are, or ''.

    >>> _more(250, 50), _more(3, 3)
    (' … and 200 more (all in thbkg report --format json)', '')
    """
    return f" … and {total - shown:,} more ({FULL_LISTS})" if total > shown else ""


def _count(n):
    """A count with thousands separators.

    >>> _count(8050), _count(7)
    ('8,050', '7')
    """
    return f"{n:,}"


def coverage_columns(region):
    """The targets shown as columns: the agencies, then the frameworks, those with the most ties in force
    first (at most :data:`MAX_AGENCY_COLUMNS` and :data:`MAX_FRAMEWORK_COLUMNS`; agencies in their order
    when all fit).

    Returns
    -------
    tuple
        ``(targets, hidden)``: the column ids and the number of agencies and frameworks left out.

    Examples
    --------
    >>> region = {"agencies": ["europol"], "frameworks": ["a", "b"],
    ...           "summary": {"europol": {"in_force": 1}, "a": {"in_force": 1}, "b": {"in_force": 3}}}
    >>> coverage_columns(region)
    (['europol', 'b', 'a'], 0)
    """
    def most_in_force(ids):
        return sorted(ids, key=lambda t: (-region["summary"][t]["in_force"], t))

    agencies = region["agencies"]
    if len(agencies) > MAX_AGENCY_COLUMNS:
        agencies = most_in_force(agencies)[:MAX_AGENCY_COLUMNS]
    frameworks = most_in_force(region["frameworks"])[:MAX_FRAMEWORK_COLUMNS]
    hidden = len(region["agencies"]) + len(region["frameworks"]) - len(agencies) - len(frameworks)
    return agencies + frameworks, hidden


def _cell_text(tie):
    """Text of one coverage cell: the link types in force, then each status not in force (the most
    advanced first, in the ontology's words) with its types. The words carry the state; the colour
    only repeats it.

    >>> _cell_text(None)
    '— no tie'
    >>> _cell_text({"state": "negotiating", "in_force_types": (),
    ...             "not_in_force": (("under_negotiation", "working_arrangement"),)})
    'under negotiation: working arrangement'
    >>> _cell_text({"state": "in_force", "in_force_types": ("liaison_officer",),
    ...             "not_in_force": (("ended", "working_arrangement"), ("signed", "status_agreement"))})
    'liaison officer; signed, not in force: status agreement; ended: working arrangement'

    A link of a type that is also in force is not repeated (the cell's title lists every link):

    >>> _cell_text({"state": "in_force", "in_force_types": ("membership",), "not_in_force": (("ended", "membership"),)})
    'membership'
    """
    if not tie:
        return "— " + STATE_LABELS[NONE]
    vocab = load_vocabulary()

    def labels(types):
        return ", ".join(vocab.link_type_labels.get(t) or t for t in types)

    parts = [labels(tie["in_force_types"])] if tie["in_force_types"] else []
    by_status: dict[str, list] = {}
    for status, link_type in tie["not_in_force"]:
        if link_type not in tie["in_force_types"]:  # a type also in force (e.g. an ended chair seat of a member)
            by_status.setdefault(status, []).append(link_type)
    order = {status: rank for rank, status in enumerate(STATUS_STATES)}
    parts += [f"{vocab.status_labels.get(status) or status or 'no status'}: {labels(types)}"
              for status, types in sorted(by_status.items(), key=lambda x: (order.get(x[0], len(order)), x[0]))]
    return "; ".join(parts)


def _state_label(state):
    """The words of a coverage state (:data:`~thbkg.graph.analytics.coverage.STATE_LABELS`).

    >>> _state_label("negotiating")
    'under negotiation'
    """
    return STATE_LABELS.get(state, state)


def _legend_states(report):
    """The coverage states the legend explains: all but ``not_in_force``, which only when a cell has it."""
    used = {tie["state"] for region in report["coverage"] for tie in region["ties"].values()}
    return [state for state in STATES if state != NOT_IN_FORCE or state in used]


def _not_in_force_text(summary):
    """The countries of one coverage column whose tie exists but is not in force, by state.

    >>> _not_in_force_text({"states": {"in_force": 3, "negotiating": 2, "ended": 1, "none": 4}})
    '2 under negotiation, 1 ended'
    >>> _not_in_force_text({"states": {"none": 4}})
    '—'
    """
    parts = [f"{n} {STATE_LABELS[state]}" for state, n in summary["states"].items() if state not in (IN_FORCE, NONE)]
    return ", ".join(parts) or "—"


def _growth_parts(growth):
    """Members joining (and leaving) per period, then the undated: one text per period with a change.

    >>> _growth_parts({"periods": [{"first": 2000, "last": 2004, "joined": 3, "left": 0},
    ...                            {"first": 2005, "last": 2009, "joined": 0, "left": 1}], "undated": 2})
    ['2000–2004: 3 joined', '2005–2009: 1 left', '2 without a joining date']
    >>> _growth_parts({"periods": [], "undated": 0})
    ['no member']
    """
    parts = []
    for period in growth["periods"]:
        counts = [f"{period[kind]} {kind}" for kind in ("joined", "left") if period[kind]]
        if counts:
            parts.append(f"{period['first']}–{period['last']}: {', '.join(counts)}")
    if growth["undated"]:
        parts.append(f"{growth['undated']} without a joining date")
    return parts or ["no member"]


def _governance_text(row):
    """One chair or secretariat, as the data gives it: the role, the dates and the state (not who).

    >>> _governance_text({"label": "Egypt", "role": "chair", "kind": "chair", "start": "2024-04", "end": None,
    ...                   "state": "in_force"})
    'chair (since 2024-04; in force)'
    >>> _governance_text({"label": "ICMPD", "role": None, "kind": "secretariat", "start": None, "end": None,
    ...                   "state": "in_force"})
    'secretariat (dates not given; in force)'
    """
    start, end = row.get("start"), row.get("end")
    if start and end:
        dates = start if start == end else f"{start} to {end}"
    elif start:
        dates = f"since {start}"
    elif end:
        dates = f"until {end}"
    else:
        dates = "dates not given"
    return f"{row.get('role') or row['kind']} ({dates}; {STATE_LABELS.get(row['state'], row['state'])})"


def _member_states_text(framework):
    """The members of a framework whose membership is not in force, by state ('—' if none)."""
    return _not_in_force_text({"states": framework["by_state"]})


#: a country's liaison state in words (the colour of its cell only repeats them)
LIAISON_STATE_LABELS = {HOSTED: "hosts a post", COVERED: "covered from another country", GAP: "gap: no post"}
#: the rows of the funding table by region that are not regions
FUNDING_ROW_LABELS = {OTHER_COUNTRIES: "countries in no priority region", NO_COUNTRY: "no country given"}


def _money_text(amounts):
    """Amounts per currency, with thousands separators, never converted ('—' when none is given); a
    no-break space keeps each currency with its amount.

    >>> _money_text({"EUR": Decimal("40000000"), "USD": Decimal("1500.5")})
    'EUR\xa040,000,000; USD\xa01,500.50'
    >>> _money_text({}), _money_text({"": Decimal("10")}), _money_text({"USD": Decimal("3451763.7")})
    ('—', '10 (currency not given)', 'USD\xa03,451,763.70')
    """
    def shown(amount):  # cents when there are any
        return amount if amount == amount.to_integral_value() else amount.quantize(Decimal("0.01"))

    parts = [f"{currency}\u00a0{shown(amount):,}" if currency else f"{shown(amount):,} (currency not given)"
             for currency, amount in sorted(amounts.items())]
    return "; ".join(parts) or "—"


def _basis_parts(basis):
    """What a section rests on, as short phrases: the filters, the links read by type, the undated, the
    links not in force, and the evidence.

    >>> _basis_parts({"filters": "none", "links": 3, "by_type": {"funds": 2, "operates_in": 1}, "undated": 1,
    ...               "not_in_force": 0, "documentary": 2, "placeholder_only": 1, "time_filter": False,
    ...               "undated_left_out": None})
    ['filters: none', '3 link(s) read (funds 2, operates in 1)', '1 without a start date (kept: no time filter)', '2 cite a document that was read, 1 only placeholders (general knowledge, memory or ungraded)']
    """
    vocab = load_vocabulary()
    types = ", ".join(f"{vocab.link_type_labels.get(t) or t} {n}" for t, n in basis["by_type"].items())
    parts = [f"filters: {basis['filters']}", f"{basis['links']} link(s) read" + (f" ({types})" if types else "")]
    if basis["time_filter"]:
        parts.append(f"{basis['undated']} without a start date kept (--include-undated)" if basis["undated"]
                     else f"{basis['undated_left_out']} link(s) of every kind without a start date left out by the "
                          "time filter")
    else:
        parts.append(f"{basis['undated']} without a start date (kept: no time filter)")
    if basis["not_in_force"]:
        parts.append(f"{basis['not_in_force']} not in force (ended, signed, suspended…), shown as such")
    parts.append(f"{basis['documentary']} cite a document that was read, {basis['placeholder_only']} only "
                 "placeholders (general knowledge, memory or ungraded)")
    return parts


def _funding_parts(funding):
    """What the funding totals leave out or count once, as short phrases (after :func:`_basis_parts`).

    >>> _funding_parts({"programmes_total": 3, "without_amount": 1, "partial": 1, "shares_not_given": 2,
    ...                 "repeated": 1, "several_amounts": ["bmm"]})
    ['3 programme(s), 1 without any amount (counted, they add nothing to the sums)', '1 with a funder whose share is not given (partial totals; 2 funder share(s) not given in all)', '1 link(s) repeating the amount of the same funder for the same programme (one grant, several sources): counted once', '1 programme(s) where one funder states several different amounts (phases, or figures that overlap): all added, marked "check"']
    """
    parts = [(f"{funding['programmes_total']} programme(s), {funding['without_amount']} without any amount "
              "(counted, they add nothing to the sums)")]
    if funding["partial"]:
        parts.append(f"{funding['partial']} with a funder whose share is not given (partial totals; "
                     f"{funding['shares_not_given']} funder share(s) not given in all)")
    if funding["repeated"]:
        parts.append(f"{funding['repeated']} link(s) repeating the amount of the same funder for the same programme "
                     "(one grant, several sources): counted once")
    if funding["several_amounts"]:
        parts.append(f"{len(funding['several_amounts'])} programme(s) where one funder states several different "
                     'amounts (phases, or figures that overlap): all added, marked "check"')
    return parts


def _when_text(row):
    """The dates of one link row: ``2019``, ``2015 to 2019``, ``since 2019``, ``until 2020`` or ''.

    >>> _when_text({"start": "2015", "end": "2019"}), _when_text({"start": "2019", "end": None})
    ('2015 to 2019', 'since 2019')
    >>> _when_text({"start": "2019-05", "end": "2019-05"}), _when_text({"start": None, "end": None})
    ('2019-05', '')
    """
    start, end = row.get("start"), row.get("end")
    if start and end:
        return start if start == end else f"{start} to {end}"
    return f"since {start}" if start else f"until {end}" if end else ""


def _post_text(post, label, kind):
    """One liaison post in words: who sends it (*kind* ``hosted``), where it is hosted (``covered_by``) or
    where the country's own post is posted to (``sends``), with its role, dates and state when not in force.

    >>> post = {"subject": "frontex", "object": "rs", "role": "Frontex Liaison Officer", "start": "2019",
    ...         "end": None, "state": "in_force"}
    >>> _post_text(post, {"frontex": "Frontex", "rs": "Serbia"}.get, "covered_by")
    'Frontex, post in Serbia (Frontex Liaison Officer; since 2019)'
    >>> _post_text({**post, "state": "ended"}, {"frontex": "Frontex", "rs": "Serbia"}.get, "hosted")
    'Frontex (Frontex Liaison Officer; since 2019; ended)'
    """
    who = {"hosted": label(post["subject"]), "covered_by": f"{label(post['subject'])}, post in {label(post['object'])}",
           "sends": f"to {label(post['object'])}"}[kind]
    details = [d for d in (post.get("role"), _when_text(post)) if d]
    if post["state"] != IN_FORCE:
        details.append(STATE_LABELS.get(post["state"], post["state"]))
    return f"{who} ({'; '.join(details)})" if details else who


def _mechanism_tie_text(row, label, several):
    """One link of a national mechanism to a network: its kind, dates and state; the mechanism's name
    first when the country has *several* mechanisms.

    >>> row = {"mechanism": "se-nr", "type": "membership", "role": None, "start": "2009", "end": None,
    ...        "state": "in_force"}
    >>> _mechanism_tie_text(row, {"se-nr": "Swedish Rapporteur"}.get, False)
    'membership (since 2009)'
    >>> _mechanism_tie_text({**row, "type": "participation", "state": "in_force", "start": "2019-05"},
    ...                     {"se-nr": "Swedish Rapporteur"}.get, True)
    'Swedish Rapporteur: participation in a meeting (2019-05)'
    """
    kind = load_vocabulary().link_type_labels.get(row["type"]) or row["type"]
    if is_event(row):  # an event (a meeting) took place on its dates, and is over by nature
        details = [d for d in (_when_text({**row, "end": row.get("end") or row.get("start")}),) if d]
    else:
        details = [d for d in (_when_text(row),) if d]
        if row["state"] != IN_FORCE:
            details.append(STATE_LABELS.get(row["state"], row["state"]))
    text = kind + (f" ({'; '.join(details)})" if details else "")
    return f"{label(row['mechanism'])}: {text}" if several else text


def _report_texts(reports):
    """Each report (or visit) of one country in one round: its date ('date not given' when undated) and
    its role as the data gives it (e.g. ``evaluation visit``), so that a visit is never read as a report.

    >>> _report_texts([{"start": "2011-11", "role": "evaluation report"}, {"start": None, "role": None}])
    ['2011-11 (evaluation report)', 'date not given']
    """
    return [(r.get("start") or "date not given") + (f" ({r['role']})" if r.get("role") else "") for r in reports]


def _round_label(key):
    """The heading of a round column.

    >>> _round_label("2"), _round_label("none")
    ('round 2', 'round not given')
    """
    return "round not given" if key == NO_ROUND else f"round {key}"


def _mechanism_columns(mechanisms):
    """The networks shown as columns of the mechanisms table (those with the most countries first) and how
    many are left out (they are in the JSON output)."""
    shown = mechanisms["networks"][:MAX_FRAMEWORK_COLUMNS]
    return [n["id"] for n in shown], len(mechanisms["networks"]) - len(shown)


def _evidence_text(link_id, report):
    """What one link rests on, in one line: date basis; each source with its grade; the note.

    >>> report = {"links": {"l1": {"date": "2012, from memory (unverified)", "sources": ["mem"], "note": "Seen."}},
    ...           "sources": {"mem": {"title": "From memory", "label": "memory (unverified)"}}}
    >>> _evidence_text("l1", report)
    '2012, from memory (unverified); sources: From memory (memory (unverified)); note: Seen.'
    """
    link = report["links"].get(link_id) or {}
    parts = [link.get("date") or "start date unknown"]
    grades = [f"{(report['sources'].get(s) or {}).get('title') or s} "
              f"({(report['sources'].get(s) or {}).get('label') or 'ungraded'})" for s in link.get("sources") or ()]
    parts.append("sources: " + ", ".join(grades) if grades else "no source")
    if link.get("note"):
        parts.append(f"note: {link['note']}")
    return "; ".join(parts)


def _column_label(label):
    """A short column heading for a coverage table: :func:`~thbkg.graph.outputs.text.short_label`, or,
    when that is still long, the short name in the label's last parentheses (the full label is the
    heading's hover text).

    >>> _column_label("Europol (European Union Agency for Law Enforcement Cooperation)")
    'Europol'
    >>> _column_label("UN Protocol to Prevent, Suppress and Punish Trafficking in Persons (Palermo Protocol, 2000)")
    'Palermo Protocol'
    >>> _column_label("Council of Europe Convention on Action against Trafficking in Human Beings (CETS 197)")
    'CETS 197'
    """
    short = short_label(label)
    if len(short) <= 30 or not str(label).endswith(")") or " (" not in str(label):
        return short
    inner = str(label).rsplit(" (", 1)[1][:-1].split(",", 1)[0].strip()
    return inner if 0 < len(inner) <= 30 else short


def _section_id(title):
    """The HTML id of a section heading.

    >>> _section_id("Brokers and single points of failure")
    'brokers-and-single-points-of-failure'
    """
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def _pick(mapping, keys):
    """``[mapping[key] for key in keys]`` (a table row from a record, in the templates)."""
    return [mapping[key] for key in keys]


def _html_value(value):
    """Every ``{{ value }}`` of the HTML template: escaped with :func:`html.escape`, None as ''.

    Autoescape would escape too, but with markupsafe's spelling of quotes (``&#39;``, ``&#34;``);
    escaping here keeps the report's bytes as they were (``&#x27;``, ``&quot;``). Markup (the
    template's macros, the SVG charts) is left as it is.
    """
    if hasattr(value, "__html__"):
        return value
    return Markup(escape("" if value is None else str(value), quote=True))


def _md_value(value):
    """Every ``{{ value }}`` of the Markdown template through :func:`md_cell`, but links made by
    :func:`md_link`, which escape their own text."""
    return value if isinstance(value, _MdSafe) else md_cell(value)


class _MdSafe(str):
    """Markdown already escaped (by :func:`md_link`), written as it is by the Markdown template."""


def _md_link(text, url):
    return _MdSafe(md_link(text, url))


@functools.lru_cache(maxsize=2)
def _environment(markdown):
    """The Jinja environment of the report templates, with their filters and globals."""
    env = template_environment("thbkg.graph.outputs", markdown=markdown,
                               finalize=_md_value if markdown else _html_value)
    env.filters.update(num=format_number, pct=format_share, short_label=short_label, safe_url=safe_url,
                       tie_text=_cell_text, anchor=_section_id, state_label=_state_label,
                       column_label=_column_label, count=_count)
    env.globals.update(more=_more, coverage_columns=coverage_columns, pick=_pick, list_limit=LIST_LIMIT,
                       name_limit=NAME_LIMIT, full_lists=FULL_LISTS,
                       sections=SECTIONS, md_link=_md_link, state_meanings=STATE_MEANINGS, none_state=NONE,
                       in_force_state=IN_FORCE, legend_states=_legend_states, not_in_force_text=_not_in_force_text,
                       growth_parts=_growth_parts, governance_text=_governance_text,
                       member_states_text=_member_states_text, money=_money_text, basis_parts=_basis_parts,
                       post_text=_post_text, mechanism_tie_text=_mechanism_tie_text,
                       report_texts=_report_texts, round_label=_round_label,
                       mechanism_columns=_mechanism_columns, liaison_states=LIAISON_STATE_LABELS,
                       funding_rows=FUNDING_ROW_LABELS, funding_parts=_funding_parts)
    return env


def _context(report, map_href, map_note):
    """What both templates are given besides the report."""
    from thbkg.graph.analytics.brokers import ROLES

    vocab = load_vocabulary()
    return {"report": report, "map_href": map_href, "map_note": map_note, "roles": list(ROLES),
            "confidence_levels": list(vocab.confidence_order),
            "label": lambda actor: report["actors"].get(actor, {}).get("label") or actor,
            "short_name": lambda actor: short_label(report["actors"].get(actor, {}).get("label") or actor),
            "evidence": lambda link_id: _evidence_text(link_id, report),
            "by_label": lambda ids: sorted(ids, key=lambda a: (((report["actors"].get(a) or {}).get("label") or a).casefold(), a)),
            "spots_by_label": lambda pairs: sorted(pairs, key=lambda pair: tuple(
                (((report["actors"].get(a) or {}).get("label") or a).casefold(), a) for a in pair)),
            "type_label": lambda code: vocab.link_type_labels.get(code) or code,
            "region_names": lambda ids: ", ".join(_region_labels(report).get(r) or r for r in ids) or "—",
            "actor_type_label": lambda code: vocab.actor_type_labels.get(code) or code}


def _region_labels(report):
    """Region id -> label, from the sections that list the regions."""
    return {r["id"]: r["label"] for r in [*report["coverage"], *report["liaison"]["regions"]]}


def _charts(report):
    """The bar charts of the top actors (SVG, escaped by :mod:`thbkg.graph.outputs.svg`)."""
    charts = []
    for metric, data in report["metrics"].items():
        if metric in CHART_METRICS:
            items = [(report["actors"].get(r["id"], {}).get("label") or r["id"], r["value"])
                     for r in data["rows"] if _finite(r["value"])]
            charts.append(Markup(bar_chart(items, f"Top actors: {data['title']}")))
    return charts


# ----------------------------------------------------------------------------- HTML and Markdown
def render_html(report, map_href=None, map_note=None):
    """The report as one self-contained HTML page (text), from ``templates/report.html``.

    Parameters
    ----------
    report : dict
        From :func:`build_report`.
    map_href : str, optional
        Relative link to the interactive map written next to the report.
    map_note : str, optional
        Shown instead of the map link when the map was not written.
    """
    page = _environment(False).get_template("report.html").render(
        **_context(report, map_href, map_note), charts=_charts(report),
        timeline=Markup(timeline_chart(report["change"]["per_year"]["years"])))
    # the data is escaped for HTML by the template; control characters are then shown, never left raw
    return terminal_safe(page, multiline=True)


def render_markdown(report, map_href=None, map_note=None):
    """The report as GitHub-flavoured Markdown with the same sections as the HTML (text)."""
    text = _environment(True).get_template("report.md").render(**_context(report, map_href, map_note))
    # every data value is escaped by the template; a control character in thbkg's own text is shown too
    return terminal_safe(text, multiline=True)


# ----------------------------------------------------------------------------- JSON / CSV
def _jsonable(value):
    if isinstance(value, dict):
        return {("|".join(k) if isinstance(k, tuple) else str(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Decimal):  # an amount: its exact decimal text, never a rounded float
        return format(value, "f")
    return value


def render_json(report):
    """The report data as JSON text (coverage tie keys written ``country|target``; amounts as exact
    decimal text without trailing zeros, e.g. ``"1500000.5"``)."""
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


PRODUCT_FILES = ("report.html", "map.html", "centrality.csv", "centrality.json")


def write_product(net, folder, report, *, with_map=True, seed=42):
    """Write report.html, map.html, centrality.csv and centrality.json into *folder*; return the paths.

    Every file is written atomically. The map (:func:`thbkg.graph.outputs.maps.write_map`) keeps
    the :data:`MAP_MAX_ACTORS` most central actors of a larger graph; without it (``with_map=False``)
    the report's header says so.
    """
    from thbkg.graph.outputs.maps import write_map

    folder = prepare_output_dir(folder, produces=PRODUCT_FILES)
    paths = [folder / "report.html"]
    if with_map:
        top = MAP_MAX_ACTORS if report["summary"]["actors"] > MAP_MAX_ACTORS else None
        write_map(net, folder / "map.html", seed=seed, top=top)
        paths.append(folder / "map.html")
    atomic_write(folder / "centrality.csv", render_centrality_csv(report))
    atomic_write(folder / "centrality.json", render_centrality_json(report))
    atomic_write(folder / "report.html", render_html(report, map_href="map.html" if with_map else None,
                                                     map_note=None if with_map else "map not requested (--no-map)"))
    return [*paths, folder / "centrality.csv", folder / "centrality.json"]
