"""Layouts: seeded, distance-aware, geographic placement from the data, circular grouping."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from thbkg.graph.outputs.maps.layout import (
    FORCE_CORE_SIZE,
    circular_layout,
    force_layout,
    geo_layout,
    mercator,
    stress_layout,
)


def test_stress_layout_recovers_a_grid():
    G = nx.grid_2d_graph(4, 4)
    nodes = sorted(G)
    D = np.array([[nx.shortest_path_length(G, a, b) for b in nodes] for a in nodes], dtype=float)
    X = stress_layout(D, seed=1)
    # a 4x4 grid has distances up to 6 hops (corner to corner); the layout keeps near/far apart
    i, j, k = nodes.index((0, 0)), nodes.index((0, 1)), nodes.index((3, 3))
    assert np.linalg.norm(X[i] - X[j]) == pytest.approx(1.0, abs=0.25)
    assert np.linalg.norm(X[i] - X[k]) > 3.5


def test_force_layout_is_seeded_and_order_independent():
    G = nx.karate_club_graph()
    H = nx.Graph()
    H.add_nodes_from(sorted(G, reverse=True))
    H.add_edges_from(sorted(G.edges(), reverse=True))
    a = force_layout(G, seed=4).positions
    b = force_layout(H, seed=4).positions
    assert a == b
    assert force_layout(G, seed=5).positions != a


def test_force_layout_keeps_neighbours_closer_than_strangers():
    G = nx.karate_club_graph()
    pos = force_layout(G, seed=1).positions
    near = np.mean([math.dist(pos[u], pos[v]) for u, v in G.edges()])
    far_pairs = [(u, v) for u in G for v in G if u < v and nx.shortest_path_length(G, u, v) >= 3]
    far = np.mean([math.dist(pos[u], pos[v]) for u, v in far_pairs])
    assert far > 1.8 * near


def test_force_layout_packs_components_without_overlap():
    G = nx.disjoint_union(nx.cycle_graph(10), nx.path_graph(3))
    G.add_node("alone")
    pos = force_layout(G, seed=1).positions
    assert set(pos) == set(G)
    big = [pos[n] for n in range(10)]
    small = [pos[n] for n in range(10, 13)]
    big_box = (min(p[0] for p in big), max(p[0] for p in big), min(p[1] for p in big), max(p[1] for p in big))
    for x, y in small + [pos["alone"]]:
        assert not (big_box[0] <= x <= big_box[1] and big_box[2] <= y <= big_box[3])


def test_large_component_uses_core_and_rings():
    G = nx.barabasi_albert_graph(FORCE_CORE_SIZE + 300, 2, seed=3)
    pos = force_layout(G, seed=2).positions
    assert len(pos) == len(G)
    assert len({(round(x, 1), round(y, 1)) for x, y in pos.values()}) == len(G)   # no two nodes stacked


def test_geo_layout_places_by_coordinates_and_side_groups():
    G = nx.Graph()
    G.add_node("lisbon", lat=38.72, lon=-9.14, type="country", label="PT")
    G.add_node("helsinki", lat="60.17", lon="24.94", type="country", label="FI")
    G.add_node("athens", lat=37.98, lon=23.73, type="country", label="GR")
    G.add_node("europol", lat=52.08, lon=4.31, type="eu_agency", label="Europol")
    G.add_node("eurojust", lat=52.08, lon=4.31, type="eu_agency", label="Eurojust")
    G.add_node("process", type="regional_process", label="P")
    G.add_node("lost", lat="not a number", lon=5, type="eu_body", label="Lost")
    lay = geo_layout(G, members={"process": ["lisbon", "helsinki", "athens"]})
    p = lay.positions
    assert p["lisbon"][0] < p["europol"][0] < p["helsinki"][0]      # west to east
    assert p["helsinki"][1] < p["europol"][1] < p["athens"][1]      # north is up (y grows down)
    located = ("lisbon", "helsinki", "athens", "europol", "eurojust")
    # the framework is no place: it sits below the map, not at its members' centroid
    assert p["process"][1] > max(p[m][1] for m in located)
    assert lay.placement["frameworks"] == "below"
    # co-located seats are spread, but stay close
    assert p["europol"] != p["eurojust"] and math.dist(p["europol"], p["eurojust"]) < 60
    assert lay.unplaced == ("lost",)
    assert p["lost"][1] > max(p[m][1] for m in located)             # beside the frameworks, below the map
    assert any("without a known location" in note for note in lay.notes)
    assert lay.background["lines"]                                   # graticule


def test_mercator_ratio_matches_the_projection():
    # Web-Mercator: y(lat) = ln(tan(pi/4 + lat/2)); independent values from the formula's tables
    assert mercator(60, 0)[1] == pytest.approx(-1.3170, abs=1e-4)
    assert mercator(-30, 10)[1] == pytest.approx(0.5493, abs=1e-4)
    assert mercator(89.9, 0)[1] == mercator(85, 0)[1]               # clamped near the poles


def test_circular_layout_groups_by_type_in_legend_order():
    G = nx.Graph()
    for i in range(6):
        G.add_node(f"c{i}", type="country", label=f"C{i}")
    for i in range(3):
        G.add_node(f"a{i}", type="eu_agency", label=f"A{i}")
    G.add_node("t", type="treaty", label="T")
    lay = circular_layout(G, ranking={"c3": 1.0})
    pos = lay.positions
    radii = {round(math.hypot(x, y), 3) for x, y in pos.values()}
    assert len(radii) == 1                                           # one ring
    angle = {n: math.atan2(y, x) % (2 * math.pi) for n, (x, y) in pos.items()}
    order = sorted(pos, key=lambda n: (angle[n] - (-math.pi / 2)) % (2 * math.pi))
    types = [G.nodes[n]["type"] for n in order]
    assert types == ["country"] * 6 + ["eu_agency"] * 3 + ["treaty"]
    assert order[0] == "c3"                                          # most central first in its group
