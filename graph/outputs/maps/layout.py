"""Node positions for the map, computed in Python with a seed (vis-network physics stays off).

Three layouts:

* :func:`force_layout` -- stress majorization on shortest-path hops, per connected component
  (NetworkX's own force layouts were too slow or too cramped here: ``spring_layout`` took 44 s for
  5,000 nodes and crowds the members of big frameworks; ``kamada_kawai_layout`` 6 s for 140).
  Above :data:`FORCE_CORE_SIZE` nodes only the most central nodes get the stress layout and the
  others are placed in rings around their most central already-placed neighbour.
* :func:`geo_layout` -- actors at their own coordinates (capital or seat, from the data),
  frameworks at the centroid of their members, everything else in a margin row; Web-Mercator
  projection scaled to pixels.
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

__all__ = [
    "FORCE_CORE_SIZE",
    "Layout",
    "actor_type_label",
    "circular_layout",
    "force_layout",
    "geo_layout",
    "mercator",
    "parse_coordinates",
    "stress_layout",
]

#: Largest component laid out entirely by the stress layout (O(n^2) memory and time per step).
FORCE_CORE_SIZE = 450
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@dataclass
class Layout:
    """Positions plus what the page needs to explain them.

    Attributes
    ----------
    positions : dict
        node -> (x, y) in pixels.
    unplaced : tuple
        Nodes put in the margin row because their position is unknown (geo layout only).
    notes : list of str
        Sentences for the legend ("12 actors without known location ...").
    background : dict
        Drawn under the network: ``{"lines": [[[x, y], ...], ...], "labels": [{"text", "x", "y"}]}``.
    projection : dict or None
        Geo layout only: how a point is placed, ``{"cx", "cy", "scale"}``, so that
        ``x = (mx - cx) * scale`` and ``y = (my - cy) * scale`` where ``(mx, my)`` is
        :func:`mercator` of its latitude and longitude (the basemap is drawn with it).
    """

    positions: dict
    unplaced: tuple = ()
    notes: list = field(default_factory=list)
    background: dict = field(default_factory=lambda: {"lines": [], "labels": []})
    projection: dict | None = None


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


def _spread_colocated(positions, key, spacing):
    """Nodes sharing a point (e.g. Brussels, The Hague) go on a sunflower spiral around it."""
    groups = defaultdict(list)
    for node, (x, y) in positions.items():
        groups[(round(x), round(y))].append(node)
    out = {}
    for nodes in groups.values():
        cx, cy = positions[nodes[0]]
        for i, node in enumerate(sorted(nodes, key=key)):
            r = spacing * math.sqrt(i)
            a = i * _GOLDEN_ANGLE
            out[node] = (cx + r * math.cos(a), cy + r * math.sin(a))
    return out


def geo_layout(G, *, members=None, ranking=None) -> Layout:
    """Geographic positions from each node's ``lat``/``lon`` attributes.

    Parameters
    ----------
    G : networkx.Graph
        Node attributes ``lat``, ``lon`` (WGS84 degrees, str or float; empty when unknown),
        ``type`` and ``label``.
    members : dict, optional
        node -> iterable of member nodes; a node without coordinates sits at the centroid of
        its located members (frameworks, regional processes, treaties).
    ranking : dict, optional
        node -> score; the most central node of a shared point sits in the middle.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_node("nl", lat="52.37", lon="4.90", type="country", label="Netherlands")
    >>> G.add_node("be", lat="50.85", lon="4.35", type="country", label="Belgium")
    >>> G.add_node("bx", lat="", lon="", type="regional_process", label="Benelux")
    >>> G.add_node("zz", type="eu_body", label="Nowhere")
    >>> lay = geo_layout(G, members={"bx": ["nl", "be"]})
    >>> lay.positions["nl"][1] < lay.positions["be"][1]   # north is up
    True
    >>> lay.unplaced
    ('zz',)
    """
    key = _rank_key(ranking)
    located = {}
    for node in sorted(G, key=str):
        ll = parse_coordinates(G.nodes[node].get("lat"), G.nodes[node].get("lon"))
        if ll is not None:
            located[node] = mercator(*ll)
    n_direct = len(located)
    located.update(_at_member_centroids(G, located, members or {}))
    notes, positions, lines, projection = [], {}, [], None
    if located:
        positions, lines, projection = _project(located, len(G), key)
        notes.append(f"{n_direct} actors at their capital or seat (coordinates from the data), "
                     f"{len(located) - n_direct} frameworks at the centroid of their members; "
                     "Web-Mercator projection, grid every 10°.")
    unplaced = _margin_row(G, positions)
    if unplaced:
        notes.append(f"{len(unplaced)} actors without a known location (no coordinates in the data "
                     "and no located members) are shown in the row below the map.")
    return Layout(positions, unplaced=unplaced, notes=notes, background={"lines": lines, "labels": []},
                  projection=projection)


def _at_member_centroids(G, located, members) -> dict:
    """Nodes without coordinates at the centroid of their located members (frameworks); repeated so
    that frameworks of frameworks resolve too."""
    placed = dict(located)
    for _ in range(3):
        added = {}
        for node in sorted(G, key=str):
            if node in placed:
                continue
            pts = [placed[m] for m in members.get(node, ()) if m in placed]
            if pts:
                added[node] = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
        if not added:
            break
        placed.update(added)
    return {node: xy for node, xy in placed.items() if node not in located}


def _project(located, n, key):
    """``(positions, graticule, projection)``: projected points scaled to pixels around their centre,
    points sharing a place spread out, the grid lines, and the projection (see :class:`Layout`)."""
    x0, y0, x1, y1 = _bbox(list(located.values()))
    span = max(x1 - x0, y1 - y0, math.radians(20))
    px_per_unit = max(4500.0, 120.0 * math.sqrt(max(n, 1))) / span
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    positions = {v: ((x - cx) * px_per_unit, (y - cy) * px_per_unit) for v, (x, y) in located.items()}
    return (_spread_colocated(positions, key, spacing=24.0), _graticule(x0, y0, x1, y1, cx, cy, px_per_unit),
            {"cx": cx, "cy": cy, "scale": px_per_unit})


def _margin_row(G, positions) -> tuple:
    """Put the nodes without a position in rows below the map (by type, then label); return them."""
    order = list(ACTOR_STYLES)
    unplaced = tuple(sorted((v for v in G if v not in positions),
                            key=lambda v: (order.index(G.nodes[v].get("type"))
                                           if G.nodes[v].get("type") in order else len(order),
                                           str(G.nodes[v].get("label") or v), str(v))))
    if not unplaced:
        return unplaced
    if positions:
        bx0, _, bx1, by1 = _bbox(list(positions.values()))
    else:
        bx0, bx1, by1 = 0.0, 1600.0, 0.0
    per_row = max(1, int((bx1 - bx0) // 110) + 1)
    for i, v in enumerate(unplaced):
        positions[v] = (bx0 + (i % per_row) * 110.0, by1 + 220.0 + (i // per_row) * 90.0)
    return unplaced


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
