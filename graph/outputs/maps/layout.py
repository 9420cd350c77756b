"""Node positions for the map, computed in Python with a seed (vis-network physics stays off).

Three layouts:

* :func:`force_layout` -- stress majorization on shortest-path hops, per connected component
  (NetworkX's own force layouts were too slow or too cramped here: ``spring_layout`` took 44 s for
  5,000 nodes and crowds the members of big frameworks; ``kamada_kawai_layout`` 6 s for 140).
  Above :data:`FORCE_CORE_SIZE` nodes only the most central nodes get the stress layout and the
  others are placed in rings around their most central already-placed neighbour.
* :func:`geo_layout` -- actors at their own coordinates (capital or seat, from the data), those sharing
  a seat moved just off it so that each can be clicked; frameworks, treaties and programmes (no place)
  in groups by type below the map, actors without coordinates beside them; with a region, the
  agencies seated far from it in an inset. Web-Mercator projection scaled to pixels.
* :func:`circular_layout` -- one ring, grouped by actor type.

All functions return a :class:`Layout`; positions are in vis-network pixels (y grows downwards).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from thbkg.graph.outputs.maps.style import ACTOR_STYLES, actor_style
from thbkg.graph.rdf.vocab import load_vocabulary

__all__ = [
    "FORCE_CORE_SIZE",
    "Layout",
    "actor_type_label",
    "circular_layout",
    "force_layout",
    "geo_layout",
    "mercator",
    "node_radii",
    "parse_coordinates",
    "stress_layout",
]

#: Largest component laid out entirely by the stress layout (O(n^2) memory and time per step).
FORCE_CORE_SIZE = 450
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
#: vis-network draws node values between these radii (``nodes.scaling`` of the map's options, in
#: render.py): the lowest value NODE_SIZE_MIN, the highest NODE_SIZE_MAX, linear in between.
NODE_SIZE_MIN = 7.0
NODE_SIZE_MAX = 34.0
#: Clear space kept between the boxes of two nodes moved off a shared seat (vis-network hit-tests boxes).
SEAT_GAP_PX = 4.0
#: A cell of the side groups: its width leaves room for a label (vis-network wraps them at 150 px), and
#: a row is a node's diameter plus this much for its label.
SIDE_CELL_WIDTH_PX = 170.0
SIDE_LABEL_HEIGHT_PX = 30.0
#: Room for a side group's heading, and between the map and the side groups.
SIDE_HEADING_PX = 50.0
SIDE_GAP_PX = 160.0
#: The side groups below the map are at most this share of the map's height tall (at least the minimum).
SIDE_BAND_SHARE = 0.3
SIDE_BAND_MIN_PX = 700.0
#: Region view: an agency seated further than this share of the larger side of the region's box
#: outside the box is drawn in the inset.
REGION_MARGIN = 0.15
#: What :attr:`Layout.placement` says for each kind of side group.
PLACEMENT = {"frameworks": "below", "unlocated": "below", "far": "inset"}


@dataclass
class Layout:
    """Positions plus what the page needs to explain them.

    Attributes
    ----------
    positions : dict
        node -> (x, y) in pixels.
    unplaced : tuple
        Geo layout only: the actors without coordinates (no framework), drawn in the side block.
    notes : list of str
        Sentences for the legend ("12 actors without known location ...").
    background : dict
        Drawn under the network: ``{"lines": [[[x, y], ...], ...], "labels": [{"text", "x", "y"}]}``.
    projection : dict or None
        Geo layout only: how a point is placed, ``{"cx", "cy", "scale"}``, so that
        ``x = (mx - cx) * scale`` and ``y = (my - cy) * scale`` where ``(mx, my)`` is
        :func:`mercator` of its latitude and longitude (the basemap is drawn with it).
    extent : tuple or None
        Geo layout only: ``(x0, y0, x1, y1)`` in pixels, what the initial view should show: the located
        actors (with a region: the region's members) and the side groups, not far partners.
    placement : dict
        Geo layout only: where each kind of node without a place went, for the legend: ``frameworks``
        (frameworks, treaties, programmes) and ``unlocated`` (no coordinates) -> ``"below"`` (groups by
        type below the map), ``far`` (agencies seated far from the region) -> ``"inset"`` (left of it);
        a kind is absent when the map has none.
    groups : list of dict
        Geo layout only: the side groups, ``{"kind", "type", "label", "box", "count", "nodes"}`` (``kind``
        as in *placement*; ``box`` as *extent*; its ``label`` is drawn above it as a background label).
    moved : tuple
        Geo layout only: the located actors drawn just off their seat, so that each can be clicked.
    """

    positions: dict
    unplaced: tuple = ()
    notes: list = field(default_factory=list)
    background: dict = field(default_factory=lambda: {"lines": [], "labels": []})
    projection: dict | None = None
    extent: tuple | None = None
    placement: dict = field(default_factory=dict)
    groups: list = field(default_factory=list)
    moved: tuple = ()


def actor_type_label(actor_type) -> str:
    """How the map names an actor type: its style's label, or the code itself when the ontology does
    not know it (``Other`` when there is none).

    >>> actor_type_label("eu_agency"), actor_type_label("<b>x</b>"), actor_type_label(None)
    ('EU agency', '<b>x</b>', 'Other')
    """
    style = actor_style(actor_type)
    return style.label if actor_type in ACTOR_STYLES else (str(actor_type or "") or style.label)


def _rank_key(ranking):
    ranking = ranking or {}
    return lambda n: (-ranking.get(n, 0.0), str(n))


def _sorted_graph(G):
    """A plain undirected copy with nodes and edges inserted in sorted order (layout stability)."""
    H = nx.Graph()
    H.add_nodes_from(sorted(G, key=str))
    H.add_edges_from(sorted((tuple(sorted((u, v), key=str)) for u, v in G.edges() if u != v), key=str))
    return H


def _bbox(points):
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _hop_distances(H, nodes, sources=None):
    """Shortest-path lengths in hops (scipy's C BFS), rows = *sources* (default: all *nodes*)."""
    import numpy as np
    from scipy.sparse.csgraph import shortest_path

    A = nx.to_scipy_sparse_array(H, nodelist=nodes, weight=None, format="csr")
    index = {n: i for i, n in enumerate(nodes)}
    rows = None if sources is None else [index[s] for s in sources]
    D = shortest_path(A, directed=False, unweighted=True, indices=rows)
    return np.asarray(D)


def stress_layout(D, *, seed=42, iterations=200, tol=1e-4):
    """Positions whose distances match *D* (stress majorization, SMACOF with weights 1/d^2).

    NetworkX has no fast stress layout: ``kamada_kawai_layout`` (the same energy, via L-BFGS)
    took 6 s for 140 nodes and 56 s for 450 here; SMACOF needs one ``pinv`` and cheap
    matrix products per iteration.

    Parameters
    ----------
    D : numpy.ndarray
        Symmetric matrix of finite target distances (a connected component).
    seed : int
        Seeds the small jitter that separates nodes with identical distances.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` coordinates in the units of *D*.

    Examples
    --------
    >>> import numpy as np
    >>> D = np.array([[0, 1, 2], [1, 0, 1], [2, 1, 0]], dtype=float)   # a path a-b-c
    >>> X = stress_layout(D, seed=1)
    >>> round(float(np.linalg.norm(X[0] - X[2])), 2)
    2.0
    """
    import numpy as np

    n = len(D)
    if n == 1:
        return np.zeros((1, 2))
    from scipy.linalg import cho_factor, cho_solve, eigh
    from scipy.spatial.distance import cdist

    # classical MDS start, then a seeded jitter so twins (same distances to all) can separate
    D2 = D ** 2
    B = -0.5 * (D2 - D2.mean(axis=0) - D2.mean(axis=1)[:, None] + D2.mean())
    vals, vecs = eigh(B, subset_by_index=[n - 2, n - 1])
    X = vecs * np.sqrt(np.maximum(vals, 1e-9))
    X = X + np.random.default_rng(seed).normal(scale=0.05, size=X.shape)
    with np.errstate(divide="ignore"):
        W = np.where(D > 0, 1.0 / np.maximum(D, 1e-12) ** 2, 0.0)
    V = -W
    V[np.diag_indices(n)] = W.sum(axis=1)
    # V is a weighted Laplacian: V + 11'/n is positive definite and acts as V's pseudo-inverse on
    # centred vectors, so one Cholesky factorisation replaces pinv (3x faster here)
    factor = cho_factor(V + 1.0 / n)
    WD = W * D
    previous = np.inf
    for _ in range(iterations):
        dist = cdist(X, X)
        stress = float((W * (dist - D) ** 2).sum())
        if previous - stress < tol * max(previous, 1e-12):
            break
        previous = stress
        with np.errstate(divide="ignore", invalid="ignore"):
            Bx = np.where(dist > 1e-12, -WD / np.maximum(dist, 1e-12), 0.0)
        Bx[np.diag_indices(n)] = 0.0
        Bx[np.diag_indices(n)] = -Bx.sum(axis=1)
        X = cho_solve(factor, Bx @ X)
    return X


def _declutter(X, min_distance, iterations=60):
    """Push apart points closer than *min_distance* (vectorised; fine for a few hundred points)."""
    import numpy as np
    from scipy.spatial.distance import cdist

    X = X.copy()
    n = len(X)
    for _ in range(iterations):
        dist = cdist(X, X)
        dist[np.diag_indices(n)] = np.inf
        close = dist < min_distance
        if not close.any():
            break
        diff = X[:, None, :] - X[None, :, :]
        safe = np.where(dist > 1e-9, dist, 1.0)
        push = np.where(close, (min_distance - np.minimum(dist, min_distance)) / 2 / safe, 0.0)
        X = X + (diff * push[:, :, None]).sum(axis=1)
    return X


#: Pixels per hop of shortest-path distance in the force layout.
HOP_PX = 160.0
#: Smallest distance kept between two node centres after the stress layout.
MIN_GAP_PX = 60.0


def _component_layout(H, seed, key):
    """Positions (centred on 0) of one connected component."""
    nodes = sorted(H, key=str)
    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    hop_px = HOP_PX * max(1.0, math.sqrt(n / 150.0))  # big components need more room per hop
    if n <= FORCE_CORE_SIZE:
        X = _declutter(stress_layout(_hop_distances(H, nodes), seed=seed) * hop_px, MIN_GAP_PX)
        return _centred({v: (float(x), float(y)) for v, (x, y) in zip(nodes, X, strict=True)})

    # Large component: stress layout of the most central nodes (distances measured in the whole
    # component), then each other node joins a ring around its best placed neighbour.
    core = sorted(nodes, key=key)[:FORCE_CORE_SIZE]
    D = _hop_distances(H, nodes, sources=core)
    index = {v: i for i, v in enumerate(nodes)}
    X = _declutter(stress_layout(D[:, [index[c] for c in core]], seed=seed) * hop_px, MIN_GAP_PX)
    positions = {v: (float(x), float(y)) for v, (x, y) in zip(core, X, strict=True)}
    rng = random.Random(seed)
    phase, children = {}, defaultdict(int)
    frontier = core
    while frontier:
        layer = sorted({v for u in frontier for v in H[u] if v not in positions}, key=key)
        for v in layer:
            anchor = min((u for u in H[v] if u in positions), key=key)
            if anchor not in phase:
                phase[anchor] = rng.uniform(0, 2 * math.pi)
            i = children[anchor]
            children[anchor] += 1
            angle = phase[anchor] + i * _GOLDEN_ANGLE
            radius = 30.0 + 14.0 * math.sqrt(i)
            ax, ay = positions[anchor]
            positions[v] = (ax + radius * math.cos(angle), ay + radius * math.sin(angle))
        frontier = layer
    return _centred(positions)


def _centred(positions):
    x0, y0, x1, y1 = _bbox(list(positions.values()))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return {v: (x - cx, y - cy) for v, (x, y) in positions.items()}


def _pack(parts, gap=120.0):
    """Shelf-pack component layouts (largest first) in rows no wider than the largest one."""
    placed = {}
    if not parts:
        return placed
    boxes = [_bbox(list(p.values())) for p in parts]
    max_width = max(1200.0, boxes[0][2] - boxes[0][0])
    x = y = row_height = 0.0
    for pos, (x0, y0, x1, y1) in zip(parts, boxes, strict=True):
        w, h = x1 - x0, y1 - y0
        if x > 0 and x + w > max_width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        for v, (px, py) in pos.items():
            placed[v] = (round(px - x0 + x, 1), round(py - y0 + y, 1))
        x += w + gap
        row_height = max(row_height, h)
    return placed


def force_layout(G, *, seed=42, ranking=None) -> Layout:
    """Distance-preserving ("force") positions, reproducible for a given *seed*.

    Each connected component is laid out by stress majorization on hop distances (the energy of
    Kamada-Kawai); above :data:`FORCE_CORE_SIZE` nodes only the most central nodes are, the others
    join rings around their most central placed neighbour. Components are then packed in rows,
    largest first.

    Parameters
    ----------
    G : networkx.Graph
    seed : int
    ranking : dict, optional
        node -> score; decides the core of large components (default: degree).

    Examples
    --------
    >>> import networkx as nx
    >>> lay = force_layout(nx.path_graph(4), seed=1)
    >>> sorted(lay.positions) == [0, 1, 2, 3]
    True
    >>> force_layout(nx.path_graph(4), seed=1).positions == lay.positions
    True
    """
    H = _sorted_graph(G)
    if len(H) == 0:
        return Layout({})
    ranking = ranking if ranking else dict(H.degree())
    key = _rank_key(ranking)
    components = sorted(nx.connected_components(H), key=lambda c: (-len(c), min(map(str, c))))
    parts = [_component_layout(H.subgraph(c).copy(), seed, key) for c in components]
    return Layout(_pack(parts))


def parse_coordinates(lat, lon):
    """``(lat, lon)`` as floats, or ``None`` if missing or out of range.

    >>> parse_coordinates("52.08", "4.31")
    (52.08, 4.31)
    >>> parse_coordinates("", "4.3") is None, parse_coordinates(95, 0) is None
    (True, True)
    """
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(la) and math.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180):
        return None
    return la, lo


def mercator(lat, lon):
    """Web-Mercator projection on the unit sphere: ``(x, y)`` with y growing southwards.

    >>> x, y = mercator(0, 0); round(x, 9), round(y, 9) + 0.0
    (0.0, 0.0)
    >>> x, y = mercator(52.0, 4.0); round(x, 4), round(y, 4)   # ln(tan(71 deg)) = 1.0662
    (0.0698, -1.0662)
    """
    lat = max(min(lat, 85.0), -85.0)
    x = math.radians(lon)
    y = -math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return x, y


def node_radii(G, ranking=None) -> dict:
    """The radius (pixels) vis-network draws each node with: the map gives a node the value
    ``sqrt(score)`` and vis-network scales values linearly between :data:`NODE_SIZE_MIN` and
    :data:`NODE_SIZE_MAX` (the middle when all values are equal).

    Examples
    --------
    >>> import networkx as nx
    >>> r = node_radii(nx.path_graph(3), {0: 0.0, 1: 0.25, 2: 1.0})
    >>> r[0], r[1], r[2]
    (7.0, 20.5, 34.0)
    >>> node_radii(nx.path_graph(2))[0]
    20.5
    """
    ranking = ranking or {}
    values = {v: math.sqrt(max(float(ranking.get(v, 0.0) or 0.0), 0.0)) for v in G}
    lo, hi = min(values.values(), default=0.0), max(values.values(), default=0.0)
    if hi - lo <= 1e-12:
        return {v: (NODE_SIZE_MIN + NODE_SIZE_MAX) / 2 for v in G}
    return {v: NODE_SIZE_MIN + (NODE_SIZE_MAX - NODE_SIZE_MIN) * (x - lo) / (hi - lo) for v, x in values.items()}


def geo_layout(G, *, members=None, ranking=None, regions=None) -> Layout:
    """Geographic positions from each node's ``lat``/``lon`` attributes.

    Actors sit at their capital or seat (Web-Mercator, scaled to pixels); those that share a seat, or
    would hide a country, are moved to the nearest free spot around it so that each can be clicked
    (countries never move, unless two share a point). Frameworks, treaties and programmes have no place:
    they go in groups by type below the map, and the actors without coordinates in groups beside
    them (:attr:`Layout.groups`, :attr:`Layout.placement`). With *regions*, the map is scaled to the
    region's members and the agencies seated far from it are drawn in an inset left of it.

    Parameters
    ----------
    G : networkx.Graph
        Node attributes ``lat``, ``lon`` (WGS84 degrees, str or float; empty when unknown), ``type``,
        ``label``, ``iso2`` (a country) and ``regions`` (region ids).
    members : dict, optional
        Accepted for callers of the earlier layout, which put frameworks at their members' centroid;
        not used.
    ranking : dict, optional
        node -> score (the map's size measure): the radius of each node (:func:`node_radii`), who keeps
        a shared seat (the most central), and the order in the side groups.
    regions : iterable of str, optional
        Region ids the view is about (``--region``); default ``G.graph["regions"]``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_node("nl", lat="52.37", lon="4.90", type="country", label="Netherlands", iso2="NL")
    >>> G.add_node("be", lat="50.85", lon="4.35", type="country", label="Belgium", iso2="BE")
    >>> G.add_node("bx", lat="", lon="", type="regional_process", label="Benelux")
    >>> G.add_node("zz", type="eu_body", label="Nowhere")
    >>> lay = geo_layout(G)
    >>> lay.positions["nl"][1] < lay.positions["be"][1]   # north is up
    True
    >>> lay.positions["bx"][0] > lay.positions["nl"][0], lay.unplaced, lay.placement["frameworks"]
    (True, ('zz',), 'below')
    """
    del members  # frameworks are no place: see the docstring
    key = _rank_key(ranking)
    radius = node_radii(G, ranking)
    is_framework = load_vocabulary().is_framework_type
    seats = _seats(G, is_framework)
    wanted = set(G.graph.get("regions") or () if regions is None else regions)
    area = [v for v in seats if wanted & set(G.nodes[v].get("regions") or ())] if wanted else []
    far = _far_from(G, seats, area) if area else []
    box = _bbox([seats[v] for v in (area or seats)]) if seats else None
    projection, positions, moved = None, {}, []
    if box:
        projection = _projection(box, len(G))
        positions, moved = _place_at_seats(G, seats, projection, radius, key, skip=set(far))
    extent = _box_of(positions, area or positions, radius) if positions else (0.0, 0.0, 0.0, 0.0)
    side = _side_groups(G, positions, radius, key, extent, far=far, is_framework=is_framework)
    for group in side:
        positions.update(group.pop("positions"))
        extent = _union(extent, group["box"])
    lines = []
    if projection:
        x0, y0, x1, y1 = _bbox(list(seats.values()))
        lines = _graticule(x0, y0, x1, y1, projection["cx"], projection["cy"], projection["scale"])
    counts = {kind: sum(g["count"] for g in side if g["kind"] == kind) for kind in ("frameworks", "unlocated", "far")}
    return Layout(positions, unplaced=tuple(v for g in side if g["kind"] == "unlocated" for v in g["nodes"]),
                  notes=_geo_notes(len(seats) - len(far), len(moved), counts),
                  background={"lines": lines, "labels": [g["heading"] for g in side]}, projection=projection,
                  extent=tuple(round(c, 1) for c in extent), placement={k: PLACEMENT[k] for k, n in counts.items() if n},
                  groups=[{k: g[k] for k in ("kind", "type", "label", "box", "count", "nodes")} for g in side],
                  moved=tuple(moved))


def _seats(G, is_framework) -> dict:
    """node -> Web-Mercator point of the actors with coordinates (frameworks are no place, never located)."""
    seats = {}
    for node in sorted(G, key=str):
        attrs = G.nodes[node]
        ll = parse_coordinates(attrs.get("lat"), attrs.get("lon"))
        if ll is not None and not is_framework(attrs.get("type")):
            seats[node] = mercator(*ll)
    return seats


def _is_country(G, node) -> bool:
    return bool(str(G.nodes[node].get("iso2") or "").strip())


def _far_from(G, seats, area) -> list:
    """The located actors that are no country and no member of the region, seated outside the region's
    box widened by :data:`REGION_MARGIN` of its larger side (projected units)."""
    x0, y0, x1, y1 = _bbox([seats[v] for v in area])
    pad = REGION_MARGIN * max(x1 - x0, y1 - y0, math.radians(5))
    inside = set(area)
    return [v for v, (x, y) in seats.items() if v not in inside and not _is_country(G, v)
            and not (x0 - pad <= x <= x1 + pad and y0 - pad <= y <= y1 + pad)]


def _projection(box, n) -> dict:
    """``{"cx", "cy", "scale"}``: the centre of *box* (projected units) at pixel (0, 0), its larger side
    at least 4,500 pixels wide (more for big graphs)."""
    x0, y0, x1, y1 = box
    span = max(x1 - x0, y1 - y0, math.radians(20))
    return {"cx": (x0 + x1) / 2, "cy": (y0 + y1) / 2, "scale": max(4500.0, 120.0 * math.sqrt(max(n, 1))) / span}


class _Occupied:
    """The boxes of the nodes placed so far (a grid of cells), to find a free spot quickly."""

    def __init__(self, gap):
        self.gap, self.cell, self.cells = gap, 2 * NODE_SIZE_MAX + gap, defaultdict(list)

    def free(self, x, y, r) -> bool:
        """Whether a node of radius *r* at ``(x, y)`` keeps :data:`SEAT_GAP_PX` from every placed box."""
        reach = math.ceil((r + NODE_SIZE_MAX + self.gap) / self.cell)
        i, j = self._cell(x, y)
        for a in range(i - reach, i + reach + 1):
            for b in range(j - reach, j + reach + 1):
                for px, py, pr in self.cells.get((a, b), ()):
                    if max(abs(px - x), abs(py - y)) < pr + r + self.gap - 1e-9:
                        return False
        return True

    def _cell(self, x, y):
        return math.floor(x / self.cell), math.floor(y / self.cell)

    def add(self, x, y, r):
        self.cells[self._cell(x, y)].append((x, y, r))


def _place_at_seats(G, seats, projection, radius, key, skip):
    """``(positions, moved)``: countries at their point (unless another country holds it), then the other
    actors, most central first, at their seat when it is free, else at the nearest free point around it,
    close to those placed from the same seat (node boxes :data:`SEAT_GAP_PX` apart, as vis-network
    hit-tests boxes)."""
    cx, cy, scale = projection["cx"], projection["cy"], projection["scale"]
    occupied, positions, moved, taken = _Occupied(SEAT_GAP_PX), {}, [], defaultdict(list)
    nodes = sorted((v for v in seats if v not in skip), key=lambda v: (not _is_country(G, v), key(v)))
    for v in nodes:
        x, y = (seats[v][0] - cx) * scale, (seats[v][1] - cy) * scale
        r = radius[v]
        stays = (seats[v] not in taken) if _is_country(G, v) else occupied.free(x, y, r)
        if not stays:
            x, y = _nearest_free(occupied, x, y, r, taken[seats[v]])
            moved.append(v)
        taken[seats[v]].append((x, y))
        occupied.add(x, y, r)
        positions[v] = (x, y)
    return positions, moved


def _nearest_free(occupied, x, y, r, siblings=(), tries=20000, choices=24):
    """A free point of a sunflower spiral around ``(x, y)`` (deterministic): the first one, or with
    *siblings* (points placed from the same seat) the one of the first *choices* free points that is
    nearest to the seat and to them."""
    step = (r + SEAT_GAP_PX) / 2
    found = []
    for i in range(1, tries):
        d, a = step * math.sqrt(i), i * _GOLDEN_ANGLE - math.pi / 2
        px, py = x + d * math.cos(a), y + d * math.sin(a)
        if occupied.free(px, py, r):
            found.append((px, py))
            if not siblings or len(found) == choices:
                break
    if not found:
        return x + step * math.sqrt(tries), y
    return min(found, key=lambda q: math.dist(q, (x, y)) + sum(math.dist(q, s) for s in siblings) / max(len(siblings), 1))


def _box_of(positions, nodes, radius):
    """The box around the drawn nodes of *nodes* (their radius included)."""
    pts = [positions[v] for v in nodes if v in positions] or list(positions.values())
    pad = max((radius[v] for v in nodes if v in positions), default=NODE_SIZE_MAX)
    x0, y0, x1, y1 = _bbox(pts)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _union(a, b):
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _type_order(G, nodes, key):
    """*nodes* grouped by actor type in legend order: ``[(type, [nodes, most central first])]``."""
    order = list(ACTOR_STYLES)
    groups = defaultdict(list)
    for v in nodes:
        groups[str(G.nodes[v].get("type") or "")].append(v)
    codes = sorted(groups, key=lambda c: (order.index(c) if c in order else len(order), c))
    return [(c, sorted(groups[c], key=key)) for c in codes]


def _side_groups(G, positions, radius, key, extent, *, far, is_framework):
    """The inset (left of the map) and the side groups (below it): frameworks by type, then beside them the
    actors without coordinates by type. Each group: ``kind``, ``type``, ``label``, ``box``, ``count``,
    ``nodes``, ``heading`` (a background label) and ``positions``."""
    far_set = set(far)
    rest = [v for v in sorted(G, key=str) if v not in positions and v not in far_set]
    frameworks = [v for v in rest if is_framework(G.nodes[v].get("type"))]
    unlocated = [v for v in rest if not is_framework(G.nodes[v].get("type"))]
    obstacles = [(x, y, radius[v]) for v, (x, y) in positions.items()]
    groups = []
    if far:
        block = _blocks([("far", "", sorted(far, key=key))], radius, rows=math.ceil(math.sqrt(len(far))))[0]
        right = _clear_left(obstacles, extent[0] - SIDE_GAP_PX, extent[1], block)
        groups.append(_group(block, right - block[5], extent[1]))
    specs = [(kind, code, vs) for kind, nodes in (("frameworks", frameworks), ("unlocated", unlocated))
             for code, vs in _type_order(G, nodes, key)]
    if specs:
        band = max(SIDE_BAND_MIN_PX, SIDE_BAND_SHARE * (extent[3] - extent[1]))
        blocks = _blocks(specs, radius, height=band)
        flow, width, height = _flow(blocks, max(extent[2] - extent[0], 2000.0))
        xs = [positions[u][0] for v in frameworks + unlocated for u in G[v] if u in positions]
        centre = sum(xs) / len(xs) if xs else (extent[0] + extent[2]) / 2
        left = min(max(centre - width / 2, extent[0]), max(extent[0], extent[2] - width))
        top = _clear_down(obstacles, left, left + width, extent[3] + SIDE_GAP_PX, height)
        groups += [_group(block, left + dx, top + dy) for block, dx, dy in flow]
    return groups


def _blocks(specs, radius, *, rows=None, height=None):
    """Grid blocks, one per ``(kind, type, nodes)``: ``(kind, type, nodes, cols, rows, width, height,
    pitch)``, with *rows* rows or as many as fit in *height*, columns balanced."""
    out = []
    for kind, code, nodes in specs:
        pitch = 2 * max(radius[v] for v in nodes) + SIDE_LABEL_HEIGHT_PX
        n_rows = rows or max(1, min(len(nodes), int((height - SIDE_HEADING_PX) // pitch)))
        cols = math.ceil(len(nodes) / n_rows)
        n_rows = math.ceil(len(nodes) / cols)
        width = max(cols * SIDE_CELL_WIDTH_PX, len(_group_label(kind, code, len(nodes))) * 16.0)
        out.append((kind, code, nodes, cols, n_rows, width, SIDE_HEADING_PX + n_rows * pitch, pitch))
    return out


def _group_label(kind, code, n):
    return f"Seated far from the region ({n})" if kind == "far" else f"{actor_type_label(code)} ({n})"


def _flow(blocks, max_width):
    """``(placed, width, height)``: *blocks* left to right, on a new line when one would pass *max_width*;
    *placed* holds ``(block, dx, dy)``."""
    placed, x, y, line_h, width = [], 0.0, 0.0, 0.0, 0.0
    for block in blocks:
        if x > 0 and x + block[5] > max_width:
            x, y, line_h = 0.0, y + line_h + SIDE_LABEL_HEIGHT_PX, 0.0
        placed.append((block, x, y))
        width = max(width, x + block[5])
        x += block[5] + SIDE_LABEL_HEIGHT_PX
        line_h = max(line_h, block[6])
    return placed, width, y + line_h


def _clear_left(obstacles, right, top, block):
    """The right edge, at most *right*, where *block* (from *top* down) touches no placed node."""
    bottom = top + block[6]
    for _ in range(len(obstacles) + 1):
        hits = [ox - r for ox, oy, r in obstacles
                if right - block[5] - r - SEAT_GAP_PX < ox < right + r + SEAT_GAP_PX and top - r < oy < bottom + r]
        if not hits:
            break
        right = min(hits) - SIDE_GAP_PX
    return right


def _clear_down(obstacles, left, right, top, height):
    """The top edge, at least *top*, where a band ``left..right`` *height* tall touches no placed node."""
    for _ in range(len(obstacles) + 1):
        hits = [oy + r for ox, oy, r in obstacles
                if left - r < ox < right + r and top - r - SEAT_GAP_PX < oy < top + height + r + SEAT_GAP_PX]
        if not hits:
            break
        top = max(hits) + SIDE_GAP_PX
    return top


def _group(block, x, y):
    """A side group: *block* with its top left corner at ``(x, y)``."""
    kind, code, nodes, cols, n_rows, width, height, pitch = block
    inner = x + (width - cols * SIDE_CELL_WIDTH_PX) / 2
    label = _group_label(kind, code, len(nodes))
    return {"kind": kind, "type": code, "label": label, "count": len(nodes), "nodes": tuple(nodes),
            "box": (round(x, 1), round(y, 1), round(x + width, 1), round(y + height, 1)),
            "heading": {"text": label, "x": round(x + width / 2, 1), "y": round(y + 32.0, 1)},
            "positions": {v: (inner + (i // n_rows + 0.5) * SIDE_CELL_WIDTH_PX,
                              y + SIDE_HEADING_PX + (i % n_rows + 0.5) * pitch) for i, v in enumerate(nodes)}}


def _geo_notes(at_seats, moved, counts) -> list:
    """The legend's sentences on where the geo layout put what."""
    notes = []
    if at_seats:
        notes.append(f"{at_seats} actors at their capital or seat (coordinates from the data)"
                     + (f"; {moved} of them moved just off it, so that actors sharing a seat can each be clicked"
                        if moved else "") + "; Web-Mercator projection, grid every 10°.")
    if counts["far"]:
        notes.append(f"{counts['far']} actors seated far from the region are drawn in the inset left of it, "
                     "not at their seats.")
    if counts["frameworks"]:
        notes.append(f"{counts['frameworks']} frameworks, treaties and programmes have no place: they are drawn "
                     "in the groups below the map, by type.")
    if counts["unlocated"]:
        notes.append(f"{counts['unlocated']} actors without a known location (no coordinates in the data) are "
                     "drawn beside them, by type.")
    return notes


def _graticule(x0, y0, x1, y1, cx, cy, scale):
    """Meridians and parallels every 10° around the projected box, as pixel polylines."""
    def inv_lat(y):
        return math.degrees(2 * math.atan(math.exp(-y)) - math.pi / 2)

    lon_min = math.floor(math.degrees(x0) / 10) * 10 - 10
    lon_max = math.ceil(math.degrees(x1) / 10) * 10 + 10
    lat_min = max(-80, math.floor(inv_lat(y1) / 10) * 10 - 10)
    lat_max = min(80, math.ceil(inv_lat(y0) / 10) * 10 + 10)

    def px(lat, lon):
        x, y = mercator(lat, lon)
        return [round((x - cx) * scale, 1), round((y - cy) * scale, 1)]

    lines = [[px(lat_min, lon), px(lat_max, lon)] for lon in range(lon_min, lon_max + 1, 10)]
    lines += [[px(lat, lon_min), px(lat, lon_max)] for lat in range(lat_min, lat_max + 1, 10)]
    return lines


def circular_layout(G, *, ranking=None, spacing=30.0) -> Layout:
    """One ring of nodes grouped by actor type (legend order), most central first in each group.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> for i, t in enumerate(["country", "eu_agency", "country"]):
    ...     G.add_node(f"a{i}", type=t, label=f"A{i}")
    >>> lay = circular_layout(G)
    >>> [b["text"] for b in lay.background["labels"]]
    ['Country (2)', 'EU agency (1)']
    """
    key = _rank_key(ranking)
    order = list(ACTOR_STYLES)
    groups = defaultdict(list)
    for v in G:
        groups[G.nodes[v].get("type") or ""].append(v)
    codes = sorted(groups, key=lambda c: (order.index(c) if c in order else len(order), c))
    gap = 3
    slots = len(G) + gap * len(codes)
    radius = max(250.0, slots * spacing / (2 * math.pi))
    positions, labels = {}, []
    slot = 0
    for code in codes:
        nodes = sorted(groups[code], key=key)
        first = slot
        for v in nodes:
            a = -math.pi / 2 + 2 * math.pi * slot / max(slots, 1)
            positions[v] = (radius * math.cos(a), radius * math.sin(a))
            slot += 1
        mid = -math.pi / 2 + 2 * math.pi * (first + (len(nodes) - 1) / 2) / max(slots, 1)
        labels.append({"text": f"{actor_type_label(code)} ({len(nodes)})", "x": round((radius + 90) * math.cos(mid), 1),
                       "y": round((radius + 90) * math.sin(mid), 1)})
        slot += gap
    return Layout(positions, background={"lines": [], "labels": labels})
