"""The geo layout on the bundled data: shared seats spread so that each node can be clicked, frameworks and
actors without coordinates in side groups outside the located map, and a region view scaled to the region
with the far agencies in an inset.

Expected values come from data/*.csv read with the csv module and from the Web-Mercator formula written out
here; node radii from vis-network's scaling rule (linear in the node's ``value`` between 7 and 34 pixels).
"""

from __future__ import annotations

import csv
import itertools
import math
import random
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import pytest

from thbkg.graph.outputs.maps.layout import geo_layout
from thbkg.graph.outputs.maps.render import build_map

DATA = Path(__file__).resolve().parents[4] / "data"


def _rows(name):
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _project(lat, lon, p):
    """Web-Mercator written out: x = lon in radians, y = -ln(tan(pi/4 + lat/2)), then the map's scale."""
    x = math.radians(lon)
    y = -math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return (x - p["cx"]) * p["scale"], (y - p["cy"]) * p["scale"]


def _radii(nodes):
    """vis-network's radius of each node: 7 + 27 * (value - min) / (max - min)."""
    values = [n["value"] for n in nodes]
    lo, hi = min(values), max(values)
    return {n["id"]: 7 + 27 * (n["value"] - lo) / (hi - lo) for n in nodes}


def _apart(a, b, ra, rb):
    """Whether the hit boxes of two nodes (squares of half-side = radius) do not overlap."""
    return max(abs(a[0] - b[0]), abs(a[1] - b[1])) >= ra + rb


@pytest.fixture(scope="module")
def geo(bundled_source):
    from thbkg.graph.network.projections import load_network

    payload = build_map(load_network(bundled_source), layout="geo").payload
    return payload, {n["id"]: (n["x"], n["y"]) for n in payload["nodes"]}, _radii(payload["nodes"])


@pytest.fixture(scope="module")
def sahel(bundled_source):
    from thbkg.graph.analytics.focus import focus_view
    from thbkg.graph.network.filters import Filters

    network, _ = focus_view(bundled_source, Filters(regions=("sahel",)))
    payload = build_map(network, layout="geo").payload
    layout = geo_layout(network.cooperation_graph(frameworks="as-nodes"), regions=("sahel",))
    return payload, {n["id"]: (n["x"], n["y"]) for n in payload["nodes"]}, layout


def test_actors_sharing_a_seat_can_each_be_clicked(geo):
    payload, pos, radius = geo
    seats = defaultdict(list)
    for a in _rows("actors.csv"):
        if a["lat"]:
            seats[(a["lat"], a["lon"])].append(a["id"])
    shared = [ids for ids in seats.values() if len(ids) > 1]
    # hand count: Vienna (5), Brussels (4), The Hague, Addis Ababa, Abuja, Budapest, Bratislava, Valletta, Warsaw
    assert sorted(len(ids) for ids in shared) == [2, 2, 2, 2, 2, 2, 2, 4, 5]
    for (lat, lon), ids in seats.items():
        if len(ids) < 2:
            continue
        for a, b in itertools.combinations(ids, 2):
            assert _apart(pos[a], pos[b], radius[a], radius[b]), (a, b)
            assert math.dist(pos[a], pos[b]) >= radius[a] + radius[b]
        # and they stay around their seat: within four of the largest diameters
        seat = _project(float(lat), float(lon), payload["basemap"]["projection"])
        assert all(math.dist(pos[i], seat) <= 4 * 2 * 34 for i in ids)
    # the case: Europol at The Hague no longer sits on the Netherlands (Amsterdam)
    assert _apart(pos["europol"], pos["nl"], radius["europol"], radius["nl"])


def test_a_country_alone_at_its_coordinates_is_exactly_there(geo):
    payload, pos, _radius = geo
    rows = [a for a in _rows("actors.csv") if a["lat"]]
    count = Counter((a["lat"], a["lon"]) for a in rows)
    alone = [a for a in rows if a["iso2"] and count[(a["lat"], a["lon"])] == 1]
    assert len(alone) > 90
    for a in alone:
        x, y = _project(float(a["lat"]), float(a["lon"]), payload["basemap"]["projection"])
        assert abs(pos[a["id"]][0] - x) < 0.06 and abs(pos[a["id"]][1] - y) < 0.06


def test_actors_without_coordinates_are_outside_the_located_map(geo):
    _payload, pos, radius = geo
    rows = _rows("actors.csv")
    located = [a["id"] for a in rows if a["lat"]]
    x0 = min(pos[i][0] - radius[i] for i in located)
    x1 = max(pos[i][0] + radius[i] for i in located)
    y0 = min(pos[i][1] - radius[i] for i in located)
    y1 = max(pos[i][1] + radius[i] for i in located)
    placeless = [a["id"] for a in rows if not a["lat"]]
    assert len(placeless) == 188                                  # 104 frameworks and 84 actors (hand count)
    for i in placeless:
        x, y = pos[i]
        assert not (x0 <= x <= x1 and y0 <= y <= y1), i
    # compact: the side groups are no wider than the located map and less than 60 % as deep
    depth = max(pos[i][1] for i in placeless) - min(pos[i][1] for i in placeless)
    width = max(pos[i][0] for i in placeless) - min(pos[i][0] for i in placeless)
    assert depth < 0.6 * (y1 - y0) and width <= x1 - x0


def test_side_groups_are_by_type_and_the_legend_can_say_where(bundled_source):
    from thbkg.graph.network.projections import load_network

    G = load_network(bundled_source).cooperation_graph(frameworks="as-nodes")
    lay = geo_layout(G)
    rows = {a["id"]: a for a in _rows("actors.csv")}
    placeless = Counter(a["type"] for a in rows.values() if not a["lat"])
    by_group = Counter()
    for g in lay.groups:
        assert {rows[v]["type"] for v in g["nodes"]} == {g["type"]} and g["count"] == len(g["nodes"])
        by_group[g["type"]] += g["count"]
        x0, y0, x1, y1 = g["box"]
        assert all(x0 <= lay.positions[v][0] <= x1 and y0 <= lay.positions[v][1] <= y1 for v in g["nodes"])
    assert by_group == placeless
    assert {g["kind"] for g in lay.groups if g["type"] == "programme"} == {"frameworks"}
    assert {g["kind"] for g in lay.groups if g["type"] == "ngo"} == {"unlocated"}
    assert lay.placement == {"frameworks": "below", "unlocated": "below"}
    assert [g["label"] for g in lay.groups if g["type"] == "programme"] == [f"Programme ({placeless['programme']})"]
    assert any("104 frameworks" in n for n in lay.notes) and any("84 actors without" in n for n in lay.notes)
    # the side groups do not overlap each other
    for a, b in itertools.combinations([g["box"] for g in lay.groups], 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
    # the extent holds every node (located ones and the side groups), and no more than that
    ex = lay.extent
    xs = [p[0] for p in lay.positions.values()]
    ys = [p[1] for p in lay.positions.values()]
    assert ex[0] <= min(xs) and max(xs) <= ex[2] and ex[1] <= min(ys) and max(ys) <= ex[3]
    assert min(xs) - ex[0] < 400 and ex[2] - max(xs) < 400 and min(ys) - ex[1] < 400 and ex[3] - max(ys) < 400


def test_region_view_zooms_to_the_region_with_far_agencies_in_an_inset(sahel):
    payload, pos, lay = sahel
    p = payload["basemap"]["projection"]
    rows = {a["id"]: a for a in _rows("actors.csv")}
    members = {r["actor"] for r in _rows("region_members.csv") if r["region"] == "sahel"}
    drawn = [m for m in members if m in pos and rows[m]["lat"]]
    pts = [_project(float(rows[m]["lat"]), float(rows[m]["lon"]), p) for m in drawn]
    x0, x1 = min(q[0] for q in pts), max(q[0] for q in pts)
    y0, y1 = min(q[1] for q in pts), max(q[1] for q in pts)
    margin = 0.3 * max(x1 - x0, y1 - y0)
    ex = lay.extent
    assert x0 - margin <= ex[0] and ex[2] <= x1 + margin and y0 - margin <= ex[1] and ex[3] <= y1 + margin
    # the map is scaled to the region: its members span at least 4,500 pixels one way
    assert max(x1 - x0, y1 - y0) >= 4500 - 1
    # Europol, Eurojust and Frontex (The Hague, Warsaw) are kept, drawn in the inset inside that view, not at their seats
    for agency in ("europol", "eurojust", "frontex"):
        seat = _project(float(rows[agency]["lat"]), float(rows[agency]["lon"]), p)
        assert not (x0 - margin <= seat[0] <= x1 + margin and y0 - margin <= seat[1] <= y1 + margin)
        x, y = pos[agency]                                       # as drawn by the map (render passes the region)
        assert ex[0] <= x <= ex[2] and ex[1] <= y <= ex[3]
        assert x < x0                                            # the inset is left of the region
    assert lay.placement["far"] == "inset"
    inset = next(g for g in lay.groups if g["kind"] == "far")
    assert {"europol", "eurojust", "frontex"} <= set(inset["nodes"])
    assert not [v for v in inset["nodes"] if rows[v]["iso2"]]   # countries stay at their capitals
    # a Sahel country is at its capital
    fx, fy = _project(float(rows["ne"]["lat"]), float(rows["ne"]["lon"]), p)
    assert abs(pos["ne"][0] - fx) < 0.06 and abs(pos["ne"][1] - fy) < 0.06


def _crowded_graph(order):
    G = nx.Graph()
    G.add_node("c", lat=10, lon=10, type="country", iso2="CC", label="C")
    for i in order:
        G.add_node(f"b{i}", lat=10, lon=10, type="eu_agency", label=f"B{i}")
    G.add_node("f", type="programme", label="F")
    G.add_edge("f", "c")
    return G


def test_a_crowded_seat_is_spread_deterministically_whatever_the_order():
    ranking = {f"b{i}": (i + 1) / 12 for i in range(12)} | {"c": 1.0, "f": 1 / 12}
    lay = geo_layout(_crowded_graph(range(12)), ranking=ranking)
    shuffled = list(range(12))
    random.Random(7).shuffle(shuffled)
    assert geo_layout(_crowded_graph(shuffled), ranking=ranking).positions == lay.positions
    radius = {v: 7 + 27 * (math.sqrt(s) - math.sqrt(1 / 12)) / (1 - math.sqrt(1 / 12))
              for v, s in ranking.items()}
    located = [v for v in lay.positions if v != "f"]
    for a, b in itertools.combinations(located, 2):
        assert _apart(lay.positions[a], lay.positions[b], radius[a], radius[b]), (a, b)
    assert lay.positions["c"] == (0.0, 0.0) and set(lay.moved) == {f"b{i}" for i in range(12)}
    assert lay.positions["f"][1] > max(lay.positions[v][1] + radius[v] for v in located)
