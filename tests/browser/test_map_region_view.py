"""``thbkg map --layout geo --region sahel`` opens on the region: every Sahel country of data/region_members.csv
and the agencies the region's coverage is about are on the map, and all the region's countries lie inside the
first view (headless Chromium, 1400x900)."""

from __future__ import annotations

import csv
from pathlib import Path

from thbkg.cli.main import cli

DATA = Path(__file__).resolve().parents[2] / "data"


def test_the_sahel_geo_map_opens_on_the_sahel_with_the_agencies(map_browser, runner, tmp_path):
    with open(DATA / "region_members.csv", encoding="utf-8", newline="") as fh:
        sahel = {row["actor"] for row in csv.DictReader(fh) if row["region"] == "sahel"}
    target = tmp_path / "sahel.html"
    result = runner.invoke(cli, ["map", "--layout", "geo", "--region", "sahel", "-o", str(target)])
    assert result.exit_code == 0, result.output
    map_browser.open(target)
    on_map = set(map_browser.js("return window.thbkgMap.nodes.getIds();"))
    assert sahel <= on_map and {"europol", "frontex", "eurojust"} <= on_map
    outside = map_browser.js("""
        var n = window.thbkgMap.network, c = document.getElementById('map'), ids = arguments[0], out = [];
        var pos = n.getPositions(ids);
        for (var id in pos) { var p = n.canvasToDOM(pos[id]);
          if (p.x < 0 || p.y < 0 || p.x > c.clientWidth || p.y > c.clientHeight) out.push(id); }
        return out;""", sorted(sahel))
    assert outside == []
    # the region fills the view: its countries span most of the map's width (the world view spans far less)
    span = map_browser.js("""
        var n = window.thbkgMap.network, xs = Object.values(n.getPositions(arguments[0])).map(function (p) {
          return n.canvasToDOM(p).x; });
        return (Math.max.apply(null, xs) - Math.min.apply(null, xs)) / document.getElementById('map').clientWidth;""",
        sorted(sahel))
    assert span > 0.5, span
    assert all(u.startswith(("file:", "data:", "blob:", "about:")) for u in map_browser.requested_urls())
