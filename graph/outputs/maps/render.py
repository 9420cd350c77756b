"""Build the interactive HTML map: pyvis for the node/edge data, our own template for the page.

Why not ``pyvis.Network.write_html``: pyvis 0.3.2 writes a ``lib/`` folder into the current
directory, loads Bootstrap from a CDN even with ``cdn_resources="in_line"``, renders its template
without autoescaping, and switches every tooltip to ``innerHTML`` as soon as one title contains
"href". So nodes and edges go through :class:`pyvis.network.Network` (``add_node``/``add_edge``,
``get_network_data``), and the page comes from ``templates/map.html`` rendered by an autoescaping
Jinja environment, with vis-network (``vendor/``) inlined. The data travels as one JSON document
in ``<script type="application/json">`` with every ``<``, ``>`` and ``&`` escaped; the page builds
all text with DOM APIs and ``textContent``.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import math
import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import networkx as nx
from markupsafe import Markup

from thbkg.graph.errors import UsageError
from thbkg.graph.io import atomic_write
from thbkg.graph.outputs.maps import basemap, timeline
from thbkg.graph.outputs.maps import layout as layouts
from thbkg.graph.outputs.maps import style as style_module
from thbkg.graph.outputs.maps.layout import actor_type_label
from thbkg.graph.outputs.maps.style import LINK_STYLES, actor_style, legend, link_style
from thbkg.graph.outputs.text import format_number, safe_url, shorten, template_environment
from thbkg.graph.rdf.vocab import load_vocabulary

__all__ = [
    "LAYOUTS",
    "MAP_WARN_BYTES",
    "PHYSICS_MAX_NODES",
    "SIZE_BY",
    "MapInfo",
    "build_map",
    "json_chunks",
    "json_for_script",
    "map_size_warning",
    "neutralise_href",
    "render_map",
    "render_page_bytes",
    "safe_node_ids",
    "when_text",
    "write_map",
]

LAYOUTS = ("force", "geo", "circular")
SIZE_BY = ("pagerank", "betweenness", "degree")
#: vis-network physics is only ever switched on up to this many nodes (it took 54 s for 300 nodes
#: with pyvis defaults in headless Chromium; with positions precomputed the first draw takes 1-3 s).
PHYSICS_MAX_NODES = 300
#: Above this many nodes exact betweenness is replaced by a k=200 sample (seeded).
EXACT_BETWEENNESS_MAX_NODES = 1000
#: Above this many edges, edges get no hover text (keeps a 5,000-node file small).
EDGE_TITLES_MAX_EDGES = 5000
#: Maps larger than this many bytes get a warning suggesting ``--top``: an 81 MB map of 20,000 actors
#: took 13-19 s to draw and 15-37 s per click in a browser.
MAP_WARN_BYTES = 20_000_000
DEFAULT_TITLE = "Cooperation against trafficking in human beings"
#: Longest actor name drawn on the canvas in full (cut at a word; the full name is in the panel).
CANVAS_LABEL_WIDTH = 34
#: The link family whose links point from a member to its framework (``thb:family`` in the ontology).
MEMBERSHIP_FAMILY = "membership"
#: The dash pattern of the border of framework and treaty nodes (vis-network ``shapeProperties.borderDashes``).
FRAMEWORK_BORDER_DASHES = (5, 3)

_SAFE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\Z")
_HREF = re.compile(r"(h)(ref)", re.IGNORECASE)


@dataclass(frozen=True)
class MapInfo:
    """What :func:`write_map` wrote."""

    path: str
    nodes: int
    edges: int
    links: int
    bytes: int
    layout: str
    size_by: str
    total_actors: int
    #: Things the user should know (e.g. ``--top`` left no ties); the CLI prints them on stderr.
    warnings: list = field(default_factory=list)
    #: Edges that are ties in force (the others, ``edges - ties_in_force``, are drawn dashed).
    ties_in_force: int | None = None


@dataclass
class MapData:
    """Everything the template needs; returned by :func:`build_map` (useful in tests)."""

    pyvis_network: object
    payload: dict
    title: str
    subtitle: str
    #: Things the user should know (e.g. ``--top`` left no ties), also shown in the subtitle.
    warnings: list = field(default_factory=list)


# ---------------------------------------------------------------------------- text safety
def json_for_script(value) -> str:
    """JSON safe to embed inside ``<script>``: ``<``, ``>``, ``&``, U+2028/9 are escaped.

    >>> json_for_script({"label": "</script><!--x-->"})
    '{"label":"\\\\u003c/script\\\\u003e\\\\u003c!--x--\\\\u003e"}'
    >>> json.loads(json_for_script(["a&b"])) == ["a&b"]
    True
    """
    return _script_safe(_dumps(value))


def _dumps(value) -> str:
    """Compact JSON text of *value*, as the map writes it (no NaN)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _script_safe(text: str) -> str:
    """*text* with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped (each one character, so a text cut in
    pieces gives the same result piece by piece)."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def json_chunks(value, depth: int = 2):
    """The text of :func:`json_for_script` in pieces: the lists and string-keyed dicts of the first *depth*
    levels are written item by item, each item (and anything deeper) in one piece, so a large map's data
    never has to be one string.

    >>> value = {"nodes": [{"id": "a<b"}, 2], "n": None, "sources": {"s": [1.5]}, "e": {}}
    >>> "".join(json_chunks(value)) == json_for_script(value)
    True
    >>> list(json_chunks({"a": [1, 2]}, depth=1))
    ['{', '"a":', '[1,2]', '}']
    """
    if depth > 0 and isinstance(value, dict) and all(type(key) is str for key in value):
        yield "{"
        for number, (key, item) in enumerate(value.items()):
            yield ("," if number else "") + _script_safe(_dumps(key)) + ":"
            yield from json_chunks(item, depth - 1)
        yield "}"
    elif depth > 0 and isinstance(value, (list, tuple)):
        yield "["
        for number, item in enumerate(value):
            if number:
                yield ","
            yield from json_chunks(item, depth - 1)
        yield "]"
    else:
        yield json_for_script(value)


def neutralise_href(text: str) -> str:
    """Break the word "href" with a zero-width space, so pyvis-style HTML-tooltip switches never fire.

    >>> neutralise_href("see HREF=x") == "see H\\u200bREF=x"
    True
    """
    return _HREF.sub("\\1\u200b\\2", text)


def safe_node_ids(actor_ids) -> dict:
    """Map actor ids to ids safe anywhere in HTML/JS: table ids as they are, others hashed.

    >>> m = safe_node_ids(["europol", "<img src=x>"])
    >>> m["europol"], m["<img src=x>"].startswith("x-")
    ('europol', True)
    """
    mapping, used = {}, set()
    for actor_id in sorted(actor_ids, key=str):
        text = str(actor_id)
        node_id = text if _SAFE_ID.match(text) else "x-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
        base, i = node_id, 1
        while node_id in used:
            i += 1
            node_id = f"{base}-{i}"
        used.add(node_id)
        mapping[actor_id] = node_id
    return mapping


def _text(value) -> str:
    return "" if value is None else str(value)


def _year(value):
    """First four digits of a date string as an int, or None."""
    text = _text(value)
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


# ---------------------------------------------------------------------------- metrics
def _centrality(G, metrics, seed):
    from thbkg.graph.analytics.centrality import compute_centrality

    k = 200 if len(G) > EXACT_BETWEENNESS_MAX_NODES else None
    return compute_centrality(G, metrics=tuple(metrics), k=k, seed=seed)


def _metric_names(size_by, n):
    names = ["degree", "pagerank"]
    if size_by == "betweenness" or n <= 2 * EXACT_BETWEENNESS_MAX_NODES:
        names.append("betweenness")
    return names


# ---------------------------------------------------------------------------- building
def _load(source_or_network, filters):
    if hasattr(source_or_network, "actors") and hasattr(source_or_network, "cooperation_graph"):
        return source_or_network
    from thbkg.graph.network.filters import Filters
    from thbkg.graph.network.projections import load_network

    return load_network(source_or_network, filters or Filters())


def _members(links):
    """framework -> members, from the links of the membership family (member -> framework)."""
    family_of = load_vocabulary().family_of
    members = defaultdict(set)
    for link in links:
        if (link.get("family") or family_of(link.get("type"))) == MEMBERSHIP_FAMILY:
            members[link["object"]].add(link["subject"])
    return {k: sorted(v, key=str) for k, v in members.items()}


def _dominant(types: Counter) -> str:
    order = {code: i for i, code in enumerate(LINK_STYLES)}
    return min(types, key=lambda t: (-types[t], order.get(t, len(order)), _text(t)))


def _check_options(layout, size_by, top):
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout {layout!r} (choose from {', '.join(LAYOUTS)})")
    if size_by not in SIZE_BY:
        raise UsageError(f"unknown --size-by {size_by!r} (choose from {', '.join(SIZE_BY)})")
    if top is not None and top < 1:
        raise UsageError(f"--top must be at least 1 (got {top})")


@dataclass
class _View:
    """The part of the network drawn: the graph (cut to ``--top``), its links and their metrics.

    ``total`` and ``total_ties`` count the nodes and edges of the network's cooperation graph with
    frameworks as nodes (its edges are the ties in force), of which only ``graph`` is kept; ``graph`` is
    the part drawn: the kept actors, their ties in force and, as edges with ``in_force=False`` (drawn
    dashed), the pairs whose links are none of them a tie in force.
    """

    total: int
    total_ties: int
    graph: nx.Graph
    metrics: dict
    score: dict
    nodes: list
    ids: dict
    links: list
    pair_links: dict

    @property
    def cut(self) -> bool:
        """Whether ``--top`` left actors out."""
        return len(self.graph) < self.total

    @property
    def ties_in_force(self) -> int:
        """Edges drawn that are ties in force (the others are drawn dashed)."""
        return sum(1 for _u, _v, in_force in self.graph.edges(data="in_force", default=True) if in_force)


def _view(network, size_by, top, seed) -> _View:
    """Metrics on the whole graph, the *top* actors by *size_by* (all without *top*) and their links."""
    # the map keeps the two-mode view: treaties and frameworks are drawn as nodes, their members tied to them
    full = network.cooperation_graph(frameworks="as-nodes")
    full.graph["regions"] = tuple(getattr(getattr(network, "filters", None), "regions", None) or ())  # geo_layout's region
    total = full.number_of_nodes()
    metrics = _centrality(full, _metric_names(size_by, total), seed) if total else {}
    score = metrics.get(size_by, {})
    if top is not None and top < total:
        keep = sorted(full, key=lambda n: (-score.get(n, 0.0), str(n)))[:top]
        graph = full.subgraph(sorted(keep, key=str)).copy()
    else:
        graph = full.copy()
    total_ties = full.number_of_edges()
    del full  # only its counts are needed from here on (a graph of 80,000 ties at 20,000 actors)
    nx.set_edge_attributes(graph, True, "in_force")
    nodes = sorted(graph, key=str)
    links = sorted((l for l in network.links if l["subject"] in graph and l["object"] in graph),
                   key=lambda l: _text(l.get("id")))
    pair_links = defaultdict(list)
    for i, link in enumerate(links):
        if link["subject"] != link["object"]:
            pair_links[tuple(sorted((link["subject"], link["object"]), key=str))].append(i)
    for (u, v), idx in sorted(pair_links.items(), key=lambda item: str(item[0])):
        if not graph.has_edge(u, v):  # no tie in force between them: drawn dashed, for the record
            graph.add_edge(u, v, links=tuple(links[i]["id"] for i in idx), count=len(idx), in_force=False,
                           types=tuple(sorted({_text(links[i].get("type")) for i in idx})))
    return _View(total, total_ties, graph, metrics, score, nodes, safe_node_ids(nodes), links, pair_links)


def _positions(view: _View, layout, seed):
    if layout == "force":
        return layouts.force_layout(view.graph, seed=seed, ranking=view.score)
    if layout == "geo":
        return layouts.geo_layout(view.graph, members=_members(view.links), ranking=view.score)
    return layouts.circular_layout(view.graph, ranking=view.score)


def _add_nodes(net, view: _View, lay, size_by):
    """One pyvis node per actor: shape and colour by type, size by *size_by*, position from *lay*;
    frameworks and treaties (affiliations) get a dashed border."""
    G = view.graph
    is_framework = load_vocabulary().is_framework_type
    for node in view.nodes:
        actor = G.nodes[node]
        style = actor_style(actor.get("type"))
        label = _text(actor.get("label")) or _text(node)
        value = view.score.get(node, 0.0)
        x, y = lay.positions.get(node, (0.0, 0.0))
        framework = is_framework(actor.get("type"))
        degree = G.degree(node)
        who = (f"{degree} member{'s' if degree != 1 else ''} or linked actors" if framework
               else f"{degree} partner{'s' if degree != 1 else ''}")
        kind = actor_type_label(actor.get("type")) + (" (framework: an affiliation)" if framework else "")
        tooltip = f"{label}\n{kind} · {size_by} {format_number(value, significant=True)} · {who}"
        options: dict[str, object] = {}
        if framework:
            options["shapeProperties"] = {"borderDashes": list(FRAMEWORK_BORDER_DASHES)}
            options["borderWidth"] = 2
        net.add_node(view.ids[node], label=neutralise_href(shorten(label, CANVAS_LABEL_WIDTH, words=True)),
                     shape=style.shape, color=style.color, title=neutralise_href(tooltip),
                     value=round(math.sqrt(max(value, 0.0)), 6), x=round(x, 1), y=round(y, 1),
                     actorType=_text(actor.get("type")), **options)


def _add_edges(net, view: _View):
    """One pyvis edge per cooperating pair: colour of its commonest link type, width by its number
    of links, dashed when it is no tie in force (none of its links is, see ``cooperation_graph``)."""
    G, links = view.graph, view.links
    with_titles = G.number_of_edges() <= EDGE_TITLES_MAX_EDGES
    labels = style_module.status_labels()
    pairs = sorted((tuple(sorted(e, key=str)) for e in G.edges() if e[0] != e[1]), key=str)
    for edge_number, (u, v) in enumerate(pairs):
        idx = view.pair_links.get((u, v), [])
        types = Counter(_text(links[i].get("type")) for i in idx)
        count = len(idx) or int(G.edges[u, v].get("count", 1) or 1)
        main_type = _dominant(types) if types else _text((G.edges[u, v].get("types") or [""])[0])
        in_force = bool(G.edges[u, v].get("in_force", True))
        options = {"color": link_style(main_type).color,
                   "width": round(min(1.0 + 1.6 * math.log2(count), 8.0), 2),
                   "arrows": "", "links": idx, "id": edge_number}
        if not in_force:
            options["dashes"] = True
            options["notInForce"] = True
        if with_titles:
            statuses = sorted({labels.get(_text(links[i].get("status")), _text(links[i].get("status")))
                               for i in idx} - {""})
            title = _edge_title(G, u, v, count, types)
            if not in_force:
                title += "\nno tie in force" + (f" ({', '.join(statuses)})" if statuses else "")
            options["title"] = neutralise_href(title)
        net.add_edge(view.ids[u], view.ids[v], **options)


def _edge_title(G, u, v, count, types):
    names = ", ".join(link_style(t).label if t in LINK_STYLES else t for t in sorted(types, key=str))
    lab_u = _text(G.nodes[u].get("label")) or _text(u)
    lab_v = _text(G.nodes[v].get("label")) or _text(v)
    return f"{lab_u} – {lab_v}\n{count} link{'s' if count != 1 else ''}{': ' + names if names else ''}"


#: The codes shown in an actor's side panel: record key -> name.
ACTOR_CODES = (("id", "id"), ("iso2", "ISO 3166 alpha-2"), ("iso3", "ISO 3166 alpha-3"),
               ("wikidata", "Wikidata"), ("eu_authority", "EU authority"))


def _actor_panels(view: _View) -> dict:
    """Side-panel data of every actor drawn, by node id."""
    G, metrics = view.graph, view.metrics
    is_framework = load_vocabulary().is_framework_type
    out = {}
    for node in view.nodes:
        actor = G.nodes[node]
        codes = {name: _text(node if key == "id" else actor.get(key)) for key, name in ACTOR_CODES
                 if (node if key == "id" else actor.get(key)) not in (None, "")}
        coords = layouts.parse_coordinates(actor.get("lat"), actor.get("lon"))
        out[view.ids[node]] = {
            "label": _text(actor.get("label")) or _text(node),
            "type": _text(actor.get("type")),
            "typeLabel": actor_type_label(actor.get("type")),
            "codes": codes,
            "seat": _text(actor.get("seat")),
            "coords": f"{coords[0]:.4f}, {coords[1]:.4f}" if coords else "",
            "regions": [_text(r) for r in actor.get("regions") or ()],
            "confidence": _text(actor.get("confidence")),
            "sources": [_text(s) for s in actor.get("sources") or ()],
            "metrics": {m: round(float(metrics[m].get(node, 0.0)), 6) for m in metrics},
            "partners": G.degree(node),
            "framework": is_framework(actor.get("type")),
        }
    return out


def when_text(link: dict, basis: str) -> str:
    """The period of a link, with how sure its start date is (*basis*, from
    :func:`thbkg.graph.analytics.evidence.date_basis`).

    >>> when_text({"start": "2012", "end": None}, "2012, from memory (unverified)")
    'since 2012, from memory (unverified)'
    >>> when_text({"start": "2015-03", "end": "2019"}, "2015-03 (date confidence high)")
    '2015-03 – 2019 (date confidence high)'
    >>> when_text({"start": None, "end": "2022"}, "start date unknown")
    'until 2022 (start date unknown)'
    >>> when_text({"start": None, "end": None}, "start date unknown")
    'undated (start date unknown)'
    """
    start, end = _text(link.get("start")), _text(link.get("end"))
    if not start:
        return f"{'until ' + end if end else 'undated'} ({basis})"
    how = basis[len(start):] if basis.startswith(start) else f" ({basis})"
    return f"{start} – {end}{how}" if end else f"since {start}{how}"


def _link_records(view: _View, sources, years) -> list:
    """Side-panel and slider data of every link drawn (empty fields left out, but the years, sources and type).

    ``when`` is the period with its date basis, ``sources`` are ordered strongest grade first and
    ``po`` marks a link resting only on placeholders (:func:`~thbkg.graph.analytics.evidence.link_evidence`);
    ``u`` marks an undated link and ``yrs`` holds the slider years at which the link is shown when
    undated links are included (:func:`~thbkg.graph.outputs.maps.timeline.years_in_force`); ``ev``
    marks an event.
    """
    from thbkg.graph.analytics.evidence import link_evidence

    out = []
    for link in view.links:
        evidence = link_evidence(link, sources or {})
        rec = {"id": _text(link.get("id")), "s": view.ids[link["subject"]], "o": view.ids[link["object"]],
               "type": _text(link.get("type")), "start": _text(link.get("start")), "end": _text(link.get("end")),
               "status": _text(link.get("status")), "confidence": _text(link.get("confidence")),
               "role": _text(link.get("role")), "sources": [_text(g["id"]) for g in evidence["grades"]],
               "when": when_text(link, evidence["date"]), "note": _text(evidence["note"]),
               "po": int(evidence["placeholder_only"]),
               "u": int(timeline.is_undated(link)), "ev": int(timeline.is_event(link)),
               "yrs": timeline.years_in_force(link, *years) if years else []}
        # flags are 1 or left out, and empty fields are left out: a 15,000-link map stays under 10 MB
        out.append({k: v for k, v in rec.items() if v not in ("", None, [], 0) or k in ("sources", "type", "yrs")})
    return out


def _source_panels(sources, used) -> dict:
    """Title, publisher, date, link (only http/https) and evidence grade of every source cited on the map."""
    from thbkg.graph.analytics.evidence import source_grade

    out = {}
    for sid in sorted(used):
        src = (sources or {}).get(sid) or {}
        url = _text(src.get("url"))
        grade = source_grade(sid, sources or {})
        out[sid] = {"title": _text(src.get("title")) or sid, "publisher": _text(src.get("publisher")),
                    "issued": _text(src.get("issued")), "url": safe_url(url), "urlText": "" if safe_url(url) else url,
                    "grade": _text(grade["label"]), "documentary": bool(grade["documentary"])}
    return out


def _time_payload(network) -> dict:
    """What the year slider needs besides each link's years: the undated switch's default (the
    ``--include-undated`` given, else off as in the CLI) and what a CLI time filter already left out."""
    filters = getattr(network, "filters", None)
    as_of, between = getattr(filters, "as_of", None), getattr(filters, "between", None)
    window = [f"--as-of {as_of}"] if as_of else []
    if between:
        window.append(f"--between {between[0]} {between[1]}")
    return {"includeUndated": bool(getattr(filters, "include_undated", False)),
            "cliFilter": " ".join(window),
            "cliLeftOut": int(getattr(network, "undated_left_out", 0) or 0) if window else 0}


def _heading(network, view: _View, lay, *, layout, size_by, filters_text):
    """``(notes, warnings, subtitle)`` of the page."""
    G = view.graph
    notes, warnings = list(lay.notes), []
    if view.cut:
        notes.insert(0, f"Showing the {len(G)} most central of {view.total} actors (by {size_by}).")
        if G.number_of_edges() == 0 and view.total_ties > 0:
            warnings.append(top_without_ties_warning(len(G), size_by))
    if filters_text is None:
        describe = getattr(getattr(network, "filters", None), "describe", None)
        # the map draws frameworks as nodes whatever the filters say: the subtitle says so once
        parts = [p for p in (describe() if callable(describe) else "none").split("; ") if not p.startswith("frameworks=")]
        filters_text = "; ".join(parts) or "none"
    ties, in_force = G.number_of_edges(), view.ties_in_force
    tie_text = f"{ties} ties" + (f" ({in_force} in force, {ties - in_force} not: dashed)" if in_force != ties else "")
    subtitle = (f"{len(G)} actors, {len(view.links)} links, {tie_text} · frameworks and treaties drawn as nodes · "
                f"layout: {layout} · size: {size_by} · filters: {filters_text}"
                + "".join(f" · warning: {w}" for w in warnings))
    return notes, warnings, subtitle


def build_map(network, *, layout="force", size_by="pagerank", top=None, seed=42, title=None,
              physics=False, filters_text=None, actor_page=None) -> MapData:
    """Compute positions, sizes and styles and fill a pyvis Network plus the page payload.

    Parameters
    ----------
    network : thbkg.graph.network.projections.Network
        Or any object with ``actors``, ``links``, ``sources`` and ``cooperation_graph(frameworks="as-nodes")``.
        The map always draws frameworks and treaties as nodes (the two-mode view), whatever
        ``filters.frameworks`` says.
    layout : {"force", "geo", "circular"}
    size_by : {"pagerank", "betweenness", "degree"}
    top : int, optional
        Keep only the *top* most central actors (by *size_by*, on the whole graph).
    seed : int
        Seed for the force layout and for sampled betweenness.
    title : str, optional
        Page heading (plain text).
    physics : bool
        Let vis-network relax the positions in the browser (only up to 300 nodes).
    filters_text : str, optional
        Description of the filters in force, for the subtitle.
    actor_page : callable, optional
        Actor id -> URL of its page; a click on the node then opens that page (``thbkg site``).
    """
    _check_options(layout, size_by, top)
    from pyvis.network import Network as PyvisNetwork

    view = _view(network, size_by, top, seed)
    lay = _positions(view, layout, seed)
    use_physics = bool(physics) and layout == "force" and len(view.graph) <= PHYSICS_MAX_NODES
    net = PyvisNetwork(height="100%", width="100%", directed=True, cdn_resources="in_line")
    _add_nodes(net, view, lay, size_by)
    _add_edges(net, view)
    net.options = _vis_options(len(view.graph), use_physics, seed)
    vis_nodes, vis_edges, _heading_text, _h, _w, options_json = net.get_network_data()
    years = [y for link in view.links for y in (_year(link.get("start")), _year(link.get("end"))) if y is not None]
    actors_out = _actor_panels(view)
    links_out = _link_records(view, network.sources, (min(years), max(years)) if years else None)
    used = {s for rec in [*actors_out.values(), *links_out] for s in rec["sources"]}
    notes, warnings, subtitle = _heading(network, view, lay, layout=layout, size_by=size_by,
                                         filters_text=filters_text)
    payload = {
        "nodes": vis_nodes, "edges": vis_edges, "options": json.loads(options_json),
        "actors": actors_out, "links": links_out, "sources": _source_panels(network.sources, used),
        "legend": legend(Counter(_text(view.graph.nodes[n].get("type")) for n in view.nodes),
                         Counter(_text(l.get("type")) for l in view.links)),
        "statusLabels": style_module.status_labels(),
        "sizeBy": size_by, "layout": layout, "physics": use_physics,
        "years": {"min": min(years), "max": max(years)} if years else None,
        "undatedLinks": sum(1 for rec in links_out if rec.get("u")), "time": _time_payload(network),
        "notes": notes, "background": lay.background,
        # the geo map opens on its core; a region's on the region (its members, the inset and the groups)
        "focus": (_nodes_in(vis_nodes, lay.extent) if layout == "geo" and lay.extent and view.graph.graph.get("regions")
                  else _focus_nodes(vis_nodes) if layout == "geo" else None),
        "basemap": (basemap.basemap_payload(network, view.graph, view.ids, lay.projection)
                    if layout == "geo" and lay.projection else None),
    }
    if actor_page is not None:  # the website's map: a click opens the actor's page
        for node in view.nodes:
            payload["actors"][view.ids[node]]["page"] = actor_page(node)
    return MapData(net, payload, _text(title) or DEFAULT_TITLE, subtitle, warnings)


def top_without_ties_warning(kept: int, size_by: str) -> str:
    """The warning for a ``--top`` that keeps only actors with no tie among them.

    >>> top_without_ties_warning(10, "pagerank")
    'no ties among the top 10 actors (by pagerank): the map shows unconnected dots; try a larger --top'
    """
    return (f"no ties among the top {kept} actor{'s' if kept != 1 else ''} (by {size_by}): the map shows "
            f"unconnected dots; try a larger --top")


def _nodes_in(vis_nodes, box):
    """Ids of the nodes inside *box* ``(x0, y0, x1, y1)``.

    >>> _nodes_in([{"id": "a", "x": 0, "y": 0}, {"id": "b", "x": 50, "y": 0}], (-1, -1, 1, 1))
    ['a']
    """
    x0, y0, x1, y1 = box
    return [n["id"] for n in vis_nodes if x0 <= n["x"] <= x1 and y0 <= n["y"] <= y1]


def _focus_nodes(vis_nodes, low=0.05, high=0.95):
    """Ids of the nodes inside the 5-95 percentile box of positions: the initial view of the geo
    map, so a few far-away partners (e.g. Australia) do not shrink Europe to a dot."""
    if len(vis_nodes) < 20:
        return None
    xs = sorted(n["x"] for n in vis_nodes)
    ys = sorted(n["y"] for n in vis_nodes)
    def q(values, f):
        return values[min(len(values) - 1, int(f * len(values)))]
    x0, x1, y0, y1 = q(xs, low), q(xs, high), q(ys, low), q(ys, high)
    return [n["id"] for n in vis_nodes if x0 <= n["x"] <= x1 and y0 <= n["y"] <= y1]


def _vis_options(n_nodes, use_physics, seed):
    big = n_nodes > 1000
    options = {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": seed},
        "physics": {"enabled": False},
        "interaction": {"hover": n_nodes <= 2000, "tooltipDelay": 150, "hideEdgesOnDrag": big,
                        "hideEdgesOnZoom": big, "keyboard": False, "multiselect": False},
        "nodes": {"borderWidth": 1, "borderWidthSelected": 3,
                  "font": {"size": 14, "face": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
                           "color": "#1b1b1b", "strokeWidth": 4, "strokeColor": "#ffffff"},
                  "scaling": {"min": 7, "max": 34,
                              "label": {"enabled": True, "min": 12, "max": 19, "drawThreshold": 6,
                                        "maxVisible": 24}},
                  "widthConstraint": {"maximum": 150}},
        "edges": {"smooth": False, "color": {"inherit": False, "opacity": 0.75}, "selectionWidth": 2,
                  "hoverWidth": 0.5},
    }
    if use_physics:
        options["physics"] = {"enabled": True, "solver": "forceAtlas2Based",
                              "stabilization": {"enabled": True, "iterations": 150, "fit": True}}
    return options


def render_map(network, *, layout="force", size_by="pagerank", top=None, seed=42, title=None,
               physics=False, filters_text=None) -> str:
    """The map as one self-contained HTML page (str). Parameters as for :func:`build_map`."""
    data = build_map(network, layout=layout, size_by=size_by, top=top, seed=seed, title=title,
                     physics=physics, filters_text=filters_text)
    return render_page(data)


def _vendored(name):
    return (resources.files("thbkg.graph.outputs.maps") / "vendor" / name).read_text(encoding="utf-8")


#: The map file's Content-Security-Policy: everything inline, nothing fetched.
MAP_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
           "font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")


def _environment():
    # the page has always ended without the template file's last newline
    return template_environment("thbkg.graph.outputs.maps", keep_trailing_newline=False)


def page_payload(data: MapData) -> dict:
    """The map's data block: the payload, with the country shapes of a geo map (decoded by TopoJSON)."""
    payload = data.payload
    if payload.get("basemap"):  # the shapes travel in the data block, their decoder after vis-network
        payload = {**payload, "basemap": {**payload["basemap"], "topology": basemap.topology()}}
    return payload


def render_page(data: MapData, *, assets: dict | None = None, csp: str = MAP_CSP) -> str:
    """Fill ``templates/map.html`` (autoescaped) with the payload and the vendored vis-network (and,
    for a map with a basemap, the vendored country shapes and their TopoJSON decoder).

    With *assets* (``css``, ``scripts``, ``app`` and ``jsonld``: the website's map, see
    :func:`map_assets`), the page links those files instead of holding the library, data and code inline.
    """
    payload = page_payload(data)
    return _environment().get_template("map.html").render(
        title=data.title, subtitle=data.subtitle, csp=Markup(csp), assets=assets,  # csp: our text, not data
        vis_css=Markup(_vendored("vis-network.min.css")), vis_js=Markup(_vendored("vis-network.min.js")),
        data_json=Markup(json_for_script(payload)),
        topojson_js=Markup("\n" + basemap.decoder_js()) if payload.get("basemap") else None,
    )


#: How much text :func:`render_page_bytes` gathers before encoding it.
_ENCODE_CHUNK = 1 << 20


def render_page_bytes(data: MapData, *, assets: dict | None = None, csp: str = MAP_CSP) -> bytes:
    """``render_page(data, …).encode("utf-8")``, the same bytes, without holding the page or its data block
    as one text: the data block is encoded piece by piece (:func:`json_chunks`) between the two halves of
    the page. At 20,000 actors the data block is about 50 MB of UTF-8 and twice that as text (a single
    character beyond Latin-1 makes a Python string two bytes per character), and each of the escapes, the
    template and the encoding held one more copy of it.
    """
    payload = page_payload(data)
    marker = f"thbkg-map-data-{uuid.uuid4().hex}"
    page = _environment().get_template("map.html").render(
        title=data.title, subtitle=data.subtitle, csp=Markup(csp), assets=assets,
        vis_css=Markup(_vendored("vis-network.min.css")), vis_js=Markup(_vendored("vis-network.min.js")),
        data_json=Markup(marker),
        topojson_js=Markup("\n" + basemap.decoder_js()) if payload.get("basemap") else None,
    )
    head, found, tail = page.partition(marker)
    if not found or marker in tail:  # cannot happen (a fresh random marker), but never guess
        return render_page(data, assets=assets, csp=csp).encode("utf-8")
    del page
    out = io.BytesIO()
    out.write(head.encode("utf-8"))
    pending: list[str] = []
    size = 0
    for chunk in json_chunks(payload):
        pending.append(chunk)
        size += len(chunk)
        if size >= _ENCODE_CHUNK:
            out.write("".join(pending).encode("utf-8"))
            pending, size = [], 0
    out.write("".join(pending).encode("utf-8"))
    out.write(tail.encode("utf-8"))
    return out.getvalue()


def map_assets(data: MapData) -> dict[str, str]:
    """The files a map page links when it does not hold them inline: file name -> text.

    ``map-data.js`` sets ``window.THBKG_MAP_DATA``; ``map-app.js`` is the page's code; the vendored
    vis-network (and, for a geo map, the TopoJSON decoder) keep their names.
    """
    files = {"vis-network.min.css": _vendored("vis-network.min.css"), "vis-network.min.js": _vendored("vis-network.min.js"),
             "map-data.js": "window.THBKG_MAP_DATA = " + json_for_script(page_payload(data)) + ";\n",
             "map-app.js": _environment().get_template("map_app.js").render()}
    if data.payload.get("basemap"):
        files["topojson-client.min.js"] = basemap.decoder_js()
    return files


def map_size_warning(size: int, nodes: int, top: int | None = None) -> str:
    """The warning for a map of *size* bytes and *nodes* actors, suggesting a (smaller) ``--top``.

    >>> map_size_warning(81_234_567, 20_000)
    'the map is 81.2 MB (20000 actors): browsers take many seconds to draw it and to answer each click; keep the most central actors with --top N, e.g. --top 2000'
    >>> map_size_warning(25_000_000, 8000, top=8000).endswith("actors with a smaller --top, e.g. --top 2000")
    True
    """
    suggested = max(1, min(2000, nodes // 4))
    how = "a smaller --top" if top is not None else "--top N"
    return (f"the map is {size / 1e6:.1f} MB ({nodes} actors): browsers take many seconds to draw it and to answer "
            f"each click; keep the most central actors with {how}, e.g. --top {suggested}")


def write_map(source_or_network, path, *, filters=None, layout="force", size_by="pagerank", top=None,
              seed=42, title=None, physics=False, warn_bytes: int | None = None) -> MapInfo:
    """Write the interactive map of a graph source (or of a loaded Network) to *path*.

    Nothing is written anywhere else (no ``lib/`` folder); the file is UTF-8 and works offline.

    Parameters
    ----------
    source_or_network : GraphSource or Network
        A :class:`thbkg.graph.store.source.GraphSource` (loaded with *filters*) or a Network.
    path : str or Path
        Output file, or ``-`` for standard output.
    filters : thbkg.graph.network.filters.Filters, optional
        Only used when a source is given.
    warn_bytes : int, optional
        Warn (in ``MapInfo.warnings``) when the file is larger than this; default
        :data:`MAP_WARN_BYTES` (20 MB).

    Returns
    -------
    MapInfo
    """
    from thbkg.graph.progress import progress

    with progress(4, "map") as bar:
        bar.set_item("loading the graph")
        network = _load(source_or_network, filters)
        bar.update(1)
        bar.set_item("metrics and layout")
        data = build_map(network, layout=layout, size_by=size_by, top=top, seed=seed, title=title,
                         physics=physics)
        bar.update(1)
        bar.set_item("rendering")
        gc.collect()  # the layout's and the metrics' working graphs are reference cycles: free them first
        encoded = render_page_bytes(data)
        bar.update(1)
        bar.set_item("writing")
        atomic_write(path if str(path) == "-" else Path(path), encoded)
        bar.update(1)
    warnings = list(data.warnings)
    if len(encoded) > (MAP_WARN_BYTES if warn_bytes is None else warn_bytes):
        warnings.append(map_size_warning(len(encoded), len(data.payload["nodes"]), top))
    edges = len(data.payload["edges"])
    return MapInfo(path=str(path), nodes=len(data.payload["nodes"]), edges=edges,
                   links=len(data.payload["links"]), bytes=len(encoded), layout=layout, size_by=size_by,
                   total_actors=len(network.actors), warnings=warnings,
                   ties_in_force=edges - sum(1 for e in data.payload["edges"] if e.get("notInForce")))
