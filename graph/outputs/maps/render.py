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

import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jinja2
import networkx as nx

from thbkg.graph.errors import UsageError
from thbkg.graph.io import atomic_write
from thbkg.graph.outputs.maps import layout as layouts
from thbkg.graph.outputs.maps.style import (ACTOR_STYLES, DASHED_STATUSES, LINK_STYLES, STATUS_LABELS, actor_style,
                                    legend, link_style)

__all__ = ["LAYOUTS", "SIZE_BY", "PHYSICS_MAX_NODES", "MAP_WARN_BYTES", "MapInfo", "build_map", "render_map",
           "write_map", "map_size_warning", "safe_node_ids", "json_for_script", "neutralise_href", "safe_url",
           "short_label"]

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

_SAFE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\Z")
_HTTP_URL = re.compile(r"https?://", re.IGNORECASE)
_HREF = re.compile(r"(h)(ref)", re.IGNORECASE)
_TEMPLATES = "templates"


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
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def neutralise_href(text: str) -> str:
    """Break the word "href" with a zero-width space, so pyvis-style HTML-tooltip switches never fire.

    >>> neutralise_href("see HREF=x") == "see H\\u200bREF=x"
    True
    """
    return _HREF.sub("\\1\u200b\\2", text)


def safe_url(url) -> str | None:
    """The URL if it is an absolute http(s) URL, else ``None`` (shown as text, never as a link).

    >>> safe_url("https://example.org/a"), safe_url("javascript:alert(1)"), safe_url(None)
    ('https://example.org/a', None, None)
    """
    if url and _HTTP_URL.match(str(url).strip()):
        return str(url).strip()
    return None


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


def short_label(label: str, limit: int = 34) -> str:
    """Label drawn on the canvas: long names are cut at a word boundary (full name in the panel).

    >>> short_label("Rabat Process (Euro-African Dialogue on Migration and Development)")
    'Rabat Process (Euro-African…'
    >>> short_label("Europol")
    'Europol'
    """
    if len(label) <= limit:
        return label
    cut = label[:limit].rsplit(" ", 1)[0].rstrip(" ,;:-–(")
    return (cut or label[:limit]) + "…"


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
    members = defaultdict(set)
    for link in links:
        if link.get("family") == "membership" or link.get("type") in ("membership", "observer", "treaty_party"):
            members[link["object"]].add(link["subject"])
    return {k: sorted(v, key=str) for k, v in members.items()}


def _dominant(types: Counter) -> str:
    order = {code: i for i, code in enumerate(LINK_STYLES)}
    return min(types, key=lambda t: (-types[t], order.get(t, len(order)), _text(t)))


def build_map(network, *, layout="force", size_by="pagerank", top=None, seed=42, title=None,
              physics=False, filters_text=None) -> MapData:
    """Compute positions, sizes and styles and fill a pyvis Network plus the page payload.

    Parameters
    ----------
    network : thbkg.graph.network.projections.Network
        Or any object with ``actors``, ``links``, ``sources`` and ``cooperation_graph()``.
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
    """
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout {layout!r} (choose from {', '.join(LAYOUTS)})")
    if size_by not in SIZE_BY:
        raise UsageError(f"unknown --size-by {size_by!r} (choose from {', '.join(SIZE_BY)})")
    if top is not None and top < 1:
        raise UsageError(f"--top must be at least 1 (got {top})")
    from pyvis.network import Network as PyvisNetwork

    G_full = network.cooperation_graph()
    total_actors = G_full.number_of_nodes()
    metrics = _centrality(G_full, _metric_names(size_by, total_actors), seed) if total_actors else {}
    score = metrics.get(size_by, {})
    if top is not None and top < total_actors:
        keep = sorted(G_full, key=lambda n: (-score.get(n, 0.0), str(n)))[:top]
        G = G_full.subgraph(sorted(keep, key=str)).copy()
    else:
        G = G_full
    nodes_sorted = sorted(G, key=str)
    ids = safe_node_ids(nodes_sorted)

    links = [l for l in network.links if l["subject"] in G and l["object"] in G]
    links.sort(key=lambda l: _text(l.get("id")))
    pair_links = defaultdict(list)
    for i, link in enumerate(links):
        if link["subject"] != link["object"]:
            pair_links[tuple(sorted((link["subject"], link["object"]), key=str))].append(i)

    # positions
    if layout == "force":
        lay = layouts.force_layout(G, seed=seed, ranking=score)
    elif layout == "geo":
        lay = layouts.geo_layout(G, members=_members(links), ranking=score)
    else:
        lay = layouts.circular_layout(G, ranking=score)
    use_physics = bool(physics) and layout == "force" and len(G) <= PHYSICS_MAX_NODES

    net = PyvisNetwork(height="100%", width="100%", directed=True, cdn_resources="in_line")
    n_nodes = len(G)
    for node in nodes_sorted:
        actor = G.nodes[node]
        style = actor_style(actor.get("type"))
        label = _text(actor.get("label")) or _text(node)
        value = score.get(node, 0.0)
        x, y = lay.positions.get(node, (0.0, 0.0))
        type_label = style.label if actor.get("type") in ACTOR_STYLES else (_text(actor.get("type")) or style.label)
        tooltip = f"{label}\n{type_label} · {size_by} {value:.4g} · {G.degree(node)} partners"
        net.add_node(ids[node], label=neutralise_href(short_label(label)), shape=style.shape, color=style.color,
                     title=neutralise_href(tooltip), value=round(math.sqrt(max(value, 0.0)), 6),
                     x=round(x, 1), y=round(y, 1), actorType=_text(actor.get("type")))

    edge_titles = G.number_of_edges() <= EDGE_TITLES_MAX_EDGES
    link_type_counts = Counter(_text(l.get("type")) for l in links)
    pairs = sorted((tuple(sorted(e, key=str)) for e in G.edges() if e[0] != e[1]), key=str)
    for edge_number, (u, v) in enumerate(pairs):
        idx = pair_links.get((u, v), [])
        types = Counter(_text(links[i].get("type")) for i in idx)
        count = len(idx) or int(G.edges[u, v].get("count", 1) or 1)
        main_type = _dominant(types) if types else _text((G.edges[u, v].get("types") or [""])[0])
        dashed = bool(idx) and all(_text(links[i].get("status")) in DASHED_STATUSES for i in idx)
        options = {"color": link_style(main_type).color,
                   "width": round(min(1.0 + 1.6 * math.log2(count), 8.0), 2),
                   "arrows": "", "links": idx, "id": edge_number}
        if dashed:
            options["dashes"] = True
        if edge_titles:
            names = ", ".join(link_style(t).label if t in LINK_STYLES else t for t in sorted(types, key=str))
            lab_u = _text(G.nodes[u].get("label")) or _text(u)
            lab_v = _text(G.nodes[v].get("label")) or _text(v)
            options["title"] = neutralise_href(f"{lab_u} – {lab_v}\n{count} link{'s' if count != 1 else ''}"
                                               f"{': ' + names if names else ''}")
        net.add_edge(ids[u], ids[v], **options)

    net.options = _vis_options(n_nodes, use_physics, seed)
    vis_nodes, vis_edges, _heading, _h, _w, options_json = net.get_network_data()

    # side-panel data ------------------------------------------------------------------
    used_sources = set()
    actors_out = {}
    for node in nodes_sorted:
        actor = G.nodes[node]
        style = actor_style(actor.get("type"))
        codes = {}
        for key, name in (("id", "id"), ("iso2", "ISO 3166 alpha-2"), ("iso3", "ISO 3166 alpha-3"),
                          ("wikidata", "Wikidata"), ("eu_authority", "EU authority")):
            value = node if key == "id" else actor.get(key)
            if value not in (None, ""):
                codes[name] = _text(value)
        coords = layouts.parse_coordinates(actor.get("lat"), actor.get("lon"))
        srcs = [_text(s) for s in actor.get("sources") or ()]
        used_sources.update(srcs)
        actors_out[ids[node]] = {
            "label": _text(actor.get("label")) or _text(node),
            "type": _text(actor.get("type")),
            "typeLabel": style.label if actor.get("type") in ACTOR_STYLES else (_text(actor.get("type")) or style.label),
            "codes": codes,
            "seat": _text(actor.get("seat")),
            "coords": f"{coords[0]:.4f}, {coords[1]:.4f}" if coords else "",
            "regions": [_text(r) for r in actor.get("regions") or ()],
            "confidence": _text(actor.get("confidence")),
            "sources": srcs,
            "metrics": {m: round(float(metrics[m].get(node, 0.0)), 6) for m in metrics},
            "partners": G.degree(node),
        }
    links_out = []
    years = []
    for link in links:
        srcs = [_text(s) for s in link.get("sources") or ()]
        used_sources.update(srcs)
        sy, ey = _year(link.get("start")), _year(link.get("end"))
        years.extend(y for y in (sy, ey) if y is not None)
        lt = _text(link.get("type"))
        rec = {"id": _text(link.get("id")), "s": ids[link["subject"]], "o": ids[link["object"]], "type": lt,
               "start": _text(link.get("start")), "end": _text(link.get("end")),
               "sy": sy, "ey": ey, "status": _text(link.get("status")),
               "confidence": _text(link.get("confidence")), "dateConfidence": _text(link.get("date_confidence")),
               "role": _text(link.get("role")), "sources": srcs}
        links_out.append({k: v for k, v in rec.items() if v not in ("", None, [])
                          or k in ("sy", "ey", "sources", "type")})
    sources_out = {}
    for sid in sorted(used_sources):
        src = (network.sources or {}).get(sid) or {}
        url = _text(src.get("url"))
        sources_out[sid] = {"title": _text(src.get("title")) or sid, "publisher": _text(src.get("publisher")),
                            "issued": _text(src.get("issued")), "url": safe_url(url),
                            "urlText": "" if safe_url(url) else url}

    actor_type_counts = Counter(_text(G.nodes[n].get("type")) for n in nodes_sorted)
    notes = list(lay.notes)
    warnings = []
    if top is not None and top < total_actors:
        notes.insert(0, f"Showing the {len(G)} most central of {total_actors} actors (by {size_by}).")
        if G.number_of_edges() == 0 and G_full.number_of_edges() > 0:
            warnings.append(top_without_ties_warning(len(G), size_by))
    title = _text(title) or DEFAULT_TITLE
    if filters_text is None:
        filters_obj = getattr(network, "filters", None)
        filters_text = filters_obj.describe() if hasattr(filters_obj, "describe") else "none"
    subtitle = (f"{len(G)} actors, {len(links)} links, {G.number_of_edges()} ties · layout: {layout} · "
                f"size: {size_by} · filters: {filters_text}"
                + "".join(f" · warning: {w}" for w in warnings))
    payload = {
        "nodes": vis_nodes, "edges": vis_edges, "options": json.loads(options_json),
        "actors": actors_out, "links": links_out, "sources": sources_out,
        "legend": legend(actor_type_counts, link_type_counts), "statusLabels": STATUS_LABELS,
        "sizeBy": size_by, "layout": layout, "physics": use_physics,
        "years": {"min": min(years), "max": max(years)} if years else None,
        "undatedLinks": sum(1 for l in links_out if l["sy"] is None and l["ey"] is None),
        "notes": notes, "background": lay.background,
        "focus": _focus_nodes(vis_nodes) if layout == "geo" else None,
    }
    return MapData(net, payload, title, subtitle, warnings)


def top_without_ties_warning(kept: int, size_by: str) -> str:
    """The warning for a ``--top`` that keeps only actors with no tie among them.

    >>> top_without_ties_warning(10, "pagerank")
    'no ties among the top 10 actors (by pagerank): the map shows unconnected dots; try a larger --top'
    """
    return (f"no ties among the top {kept} actor{'s' if kept != 1 else ''} (by {size_by}): the map shows "
            f"unconnected dots; try a larger --top")


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


def _resource_text(*parts):
    return (resources.files("thbkg.graph.outputs.maps").joinpath(*parts)).read_text(encoding="utf-8")


def render_page(data: MapData) -> str:
    """Fill ``templates/map.html`` (autoescaped) with the payload and the vendored vis-network."""
    env = jinja2.Environment(loader=jinja2.FunctionLoader(lambda name: _resource_text(_TEMPLATES, name)),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.get_template("map.html")
    return template.render(
        title=data.title, subtitle=data.subtitle,
        vis_css=jinja2.utils.markupsafe.Markup(_resource_text("vendor", "vis-network.min.css")),
        vis_js=jinja2.utils.markupsafe.Markup(_resource_text("vendor", "vis-network.min.js")),
        data_json=jinja2.utils.markupsafe.Markup(json_for_script(data.payload)),
    )


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
        encoded = render_page(data).encode("utf-8")
        bar.update(1)
        bar.set_item("writing")
        atomic_write(path if str(path) == "-" else Path(path), encoded)
        bar.update(1)
    warnings = list(data.warnings)
    if len(encoded) > (MAP_WARN_BYTES if warn_bytes is None else warn_bytes):
        warnings.append(map_size_warning(len(encoded), len(data.payload["nodes"]), top))
    return MapInfo(path=str(path), nodes=len(data.payload["nodes"]), edges=len(data.payload["edges"]),
                   links=len(data.payload["links"]), bytes=len(encoded), layout=layout, size_by=size_by,
                   total_actors=len(network.actors), warnings=warnings)
