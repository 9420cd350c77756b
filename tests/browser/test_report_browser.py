"""The report in real headless Chromium, at 1400×900 and on a phone (390×844), opened from file://.

Two reports: the bundled one (``thbkg report -o DIR``) and that of a 5,000-actor synthetic network
(``thbkg synth`` + ``thbkg report --data``). On each, at both sizes: the page never scrolls sideways,
every table wider than the window sits in its own scroll box, every chart has a viewBox, fits its
container and keeps its text legible, no request leaves ``file:``; and the long lists are cut and say
so, with counts checked against networkx and the data tables (not against the report code).
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

import networkx as nx
import pytest
from plugin_browser import ARTIFACTS

pytestmark = pytest.mark.browser

ALLOWED_SCHEMES = ("file:", "data:", "about:")
SIZES = ((1400, 900), (390, 844))
#: Smallest chart text allowed, in CSS pixels, once the chart is scaled to its container.
MIN_CHART_TEXT_PX = 9.5
#: Rows of a long list the report shows (the 50 largest communities, etc.).
SHOWN = 50
SYNTH = {"actors": 5000, "links": 15000, "seed": 7}

LAYOUT = """
const w = window.innerWidth;
function scrollBox(el) {  // el itself or an ancestor that scrolls sideways and fits the window
  for (let p = el; p && p !== document.body; p = p.parentElement) {
    const s = getComputedStyle(p), r = p.getBoundingClientRect();
    if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && r.left >= -0.5 && r.right <= w + 0.5) return p;
  }
  return null;
}
const tables = [...document.querySelectorAll('table')];
const wide = tables.filter(t => t.scrollWidth > w || t.getBoundingClientRect().width > w);
const charts = [...document.querySelectorAll('svg')].map(svg => {
  const vb = svg.viewBox && svg.viewBox.baseVal, r = svg.getBoundingClientRect();
  const scale = vb && vb.width ? r.width / vb.width : 0;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size') ||
                                                        getComputedStyle(t).fontSize));
  return {viewBox: svg.getAttribute('viewBox'), width: r.width, container: svg.parentElement.clientWidth,
          minText: Math.min(...sizes) * scale};
});
return {scrollWidth: document.documentElement.scrollWidth, bodyScroll: document.body.scrollWidth,
        innerWidth: w, height: document.documentElement.scrollHeight, tables: tables.length,
        wide: wide.length, unboxed: wide.filter(t => !scrollBox(t)).map(t => t.className || t.rows[0].textContent),
        charts: charts};
"""


# ---------------------------------------------------------------------------- reports
def _report_cli(out, *args, env=None):
    from click.testing import CliRunner

    from thbkg.cli.main import cli

    result = CliRunner().invoke(cli, ["report", "-o", f"{out}/", "--generated", "2026-01-01", "--no-map", *args],
                                env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out / "report.html"


@pytest.fixture(scope="module")
def bundled_report(tmp_path_factory, bundled_source):
    from thbkg.graph.network.projections import load_network

    path = _report_cli(tmp_path_factory.mktemp("report-bundled"))
    return path, load_network(bundled_source)


@pytest.fixture(scope="module")
def synthetic_report(tmp_path_factory):
    from thbkg.graph.network.projections import load_network
    from thbkg.graph.rdf.synth import write_synthetic
    from thbkg.graph.store.source import GraphSource

    tables = tmp_path_factory.mktemp("synth-tables")
    write_synthetic(tables, **SYNTH)
    # betweenness sampled from 100 actors: the layout does not depend on it, and it keeps the test short
    path = _report_cli(tmp_path_factory.mktemp("report-synth"), "--data", str(tables), "--k", "100",
                       env={"THBKG_NO_BUNDLED": "1"})
    return path, load_network(GraphSource(data_dirs=(tables,), include_bundled=False)), tables


# ---------------------------------------------------------------------------- browser helpers
def set_viewport(driver, width, height):
    """Resize the window so that the page's viewport is *width* × *height* CSS pixels."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight];")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])
    assert driver.execute_script("return window.innerWidth;") == width


def open_report(browser, path, width, height):
    """Open *path* at the given viewport; return the URLs requested while loading it."""
    d = browser.driver
    set_viewport(d, width, height)
    d.get("about:blank")
    browser.drain_logs()
    browser._urls, browser._console = [], []
    d.get(Path(path).resolve().as_uri())
    deadline = time.monotonic() + 30
    while d.execute_script("return document.readyState;") != "complete":
        assert time.monotonic() < deadline, "the report did not load within 30 s"
        time.sleep(0.05)
    return browser.requested_urls()


def check_layout(browser, path, width, height, name):
    """Open the report at one size and check what a reader sees; return the measurements."""
    urls = open_report(browser, path, width, height)
    assert urls, "the performance log recorded no request at all"
    assert [u for u in urls if not u.startswith(ALLOWED_SCHEMES)] == [], "a request left file:"
    assert browser.console_errors() == []
    m = browser.js(LAYOUT)
    assert m["innerWidth"] == width
    assert m["scrollWidth"] <= width and m["bodyScroll"] <= width, f"the page scrolls sideways at {width} px"
    assert m["unboxed"] == [], f"tables wider than the window outside a scroll box at {width} px"
    assert len(m["charts"]) == 5  # four bar charts of the top actors and the timeline
    for chart in m["charts"]:
        assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", chart["viewBox"] or ""), chart
        assert 0 < chart["width"] <= chart["container"] + 0.5, chart
        assert chart["minText"] >= MIN_CHART_TEXT_PX, f"chart text shrinks to {chart['minText']:.1f} px: {chart}"
    browser.screenshot(ARTIFACTS / f"report_{name}_{width}x{height}.png")
    return m


def community_rows(browser):
    return browser.js("return document.querySelectorAll('#communities table.communities > tbody > tr').length;")


def section_text(browser, section_id):
    return browser.js("return document.getElementById(arguments[0]).innerText;", section_id)


def hand_communities(network):
    """Louvain communities straight from networkx, with the report's seed (42) and tie strength."""
    G = nx.Graph(network.cooperation_graph())
    weight = "weight" if any("weight" in d for _, _, d in G.edges(data=True)) else None
    return sorted((len(c) for c in nx.community.louvain_communities(G, weight=weight, seed=42)), reverse=True)


# ---------------------------------------------------------------------------- tests
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_bundled_report_fits_the_screen(map_browser, bundled_report, width, height):
    path, network = bundled_report
    m = check_layout(map_browser, path, width, height, "bundled")
    if width < 700:
        assert m["wide"] > 0, "on a phone some tables are wider than the screen: the check must see them"
    sizes = hand_communities(network)
    assert community_rows(map_browser) == min(SHOWN, len(sizes))
    text = section_text(map_browser, "communities")
    assert f", {len(sizes)} communities" in text


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_synthetic_report_fits_the_screen_and_keeps_lists_short(map_browser, synthetic_report, width, height):
    path, network, tables = synthetic_report
    m = check_layout(map_browser, path, width, height, "synthetic_5000")
    sizes = hand_communities(network)
    assert len(sizes) > SHOWN  # the synthetic graph has many small communities
    assert community_rows(map_browser) == SHOWN
    text = section_text(map_browser, "communities")
    assert f"{len(sizes):,} communities: the {SHOWN} largest are listed" in text
    rest = len(sizes) - SHOWN
    assert f"… and {rest:,} more communities of {sum(sizes[SHOWN:]):,} actors in all " \
           "(all in thbkg report --format json)" in text
    shown_sizes = map_browser.js("return [...document.querySelectorAll('#communities table.communities > tbody > tr')]"
                                 ".map(tr => +tr.cells[1].textContent);")
    assert shown_sizes == sizes[:SHOWN]  # the largest ones, largest first
    # no member list shows more than SHOWN names, and a cut one says how many more there are
    with open(tables / "actors.csv", newline="", encoding="utf-8") as handle:
        n_actors = sum(1 for _ in csv.DictReader(handle))
    assert n_actors == SYNTH["actors"]
    names = map_browser.js("return [...document.querySelectorAll('#communities table.communities > tbody > tr')]"
                           ".map(tr => tr.cells[2].querySelectorAll('span[title]').length);")
    assert max(names) == SHOWN and sizes[0] > SHOWN
    assert f"… and {sizes[0] - SHOWN:,} more (all in thbkg report --format json)" in text
    # a phone page stays short enough to read through: measured 101,000 px here (327,000 before the cut)
    assert m["height"] < (130_000 if width < 700 else 90_000)
    assert path.stat().st_size < 1_500_000  # 3.5 MB before the cut


def test_phone_screenshot_of_the_bundled_report(map_browser, bundled_report):
    """The report at 390 px, scrolled to the communities (kept as an artifact to look at)."""
    path, _ = bundled_report
    open_report(map_browser, path, 390, 844)
    map_browser.js("document.getElementById('communities').scrollIntoView();")
    shot = map_browser.screenshot(ARTIFACTS / "report_bundled_phone_communities.png")
    assert shot.stat().st_size > 10_000
