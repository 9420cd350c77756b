"""The map in real headless Chromium, opened from file:// with host resolution disabled."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_browser import ARTIFACTS, HOSTILE_TEXTS

from thbkg.graph.outputs.maps.render import write_map

pytestmark = pytest.mark.browser

ALLOWED_SCHEMES = ("file:", "data:", "blob:")


@pytest.fixture(scope="module")
def maps_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("maps")


@pytest.fixture(scope="module")
def bundled_network(bundled_source):
    from thbkg.graph.network.projections import load_network

    return load_network(bundled_source)


def assert_clean_load(browser):
    urls = browser.requested_urls()
    assert urls, "the performance log recorded no request at all"
    outside = [u for u in urls if not u.startswith(ALLOWED_SCHEMES)]
    assert outside == [], f"requests left file:: {outside}"
    assert browser.console_errors() == []
    assert browser.js("return window.__alerts;") == []


def click_node(browser, node_id):
    """Centre the view on the node, zoomed in, and click the canvas centre with a real mouse event."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.js("var p = network.getPositions([arguments[0]])[arguments[0]];"
               "network.moveTo({position: p, scale: 2.5, animation: false});", node_id)
    canvas = browser.driver.find_element(By.CSS_SELECTOR, "#map canvas")
    ActionChains(browser.driver).move_to_element(canvas).click().perform()


def node_is_clickable(browser, node_id):
    """Whether, centred and zoomed in, the node is the one under the canvas centre."""
    return browser.js("var p = network.getPositions([arguments[0]])[arguments[0]];"
                      "network.moveTo({position: p, scale: 2.5, animation: false});"
                      "var c = document.querySelector('#map canvas');"
                      "return network.getNodeAt({x: c.clientWidth / 2, y: c.clientHeight / 2}) === arguments[0];",
                      node_id)


def visible_counts(browser):
    return browser.js("return [thbkgMap.nodes.get({filter: function (n) { return !n.hidden; }}).length,"
                      " thbkgMap.edges.get({filter: function (e) { return !e.hidden; }}).length];")


def test_bundled_map(map_browser, bundled_network, maps_dir):
    b = map_browser
    path = maps_dir / "bundled.html"
    write_map(bundled_network, path)
    G = bundled_network.cooperation_graph()
    b.open(path)
    assert b.js("return [network.body.data.nodes.length, network.body.data.edges.length];") == \
        [G.number_of_nodes(), G.number_of_edges()]
    assert_clean_load(b)

    # legend with one checkbox per type present, and the search box
    actor_types = {a["type"] for a in bundled_network.actors.values()}
    link_types = {l["type"] for l in bundled_network.links}
    assert b.js("return document.querySelectorAll('#legend input[data-kind=actor]').length;") == len(actor_types)
    assert b.js("return document.querySelectorAll('#legend input[data-kind=link]').length;") == len(link_types)
    assert b.js("return !!document.querySelector('#search') && !!document.querySelector('#reset');")
    b.screenshot(ARTIFACTS / "map_bundled_force.png")

    # a real click on a well-connected actor opens the panel with its links and sources
    hub = next(n for n in sorted(G, key=lambda n: (-G.degree(n), n)) if node_is_clickable(b, n))
    click_node(b, hub)
    panel = b.js("var p = document.getElementById('panel');"
                 "return {hidden: p.hidden, title: p.querySelector('h2').textContent,"
                 " links: p.querySelectorAll('ul.links > li').length,"
                 " sources: Array.from(p.querySelectorAll('ul.sources > li')).map(function (li) {"
                 "   var a = li.querySelector('a'); return a ? a.href : null; })};")
    assert panel["hidden"] is False
    assert panel["title"] == bundled_network.actors[hub]["label"]
    n_links = sum(1 for l in bundled_network.links if hub in (l["subject"], l["object"]))
    assert panel["links"] == n_links
    assert panel["sources"] and all(h is None or h.startswith(("http://", "https://")) for h in panel["sources"])
    assert b.js("return network.getSelectedNodes();") == [hub]
    b.screenshot(ARTIFACTS / "map_bundled_panel.png")

    # filter checkboxes: hiding countries hides exactly the countries
    n_countries = sum(1 for a in bundled_network.actors.values() if a["type"] == "country")
    b.js("document.querySelector('#legend input[data-kind=actor][value=country]').click();")
    assert visible_counts(b)[0] == G.number_of_nodes() - n_countries

    # year slider: ties with a link in force that year (undated links always count)
    b.js("thbkgMap.reset();")
    year = 2010

    def in_year(link):
        sy = int(link["start"][:4]) if link["start"] else None
        ey = int(link["end"][:4]) if link["end"] else None
        return (sy is None or sy <= year) and (ey is None or ey >= year)

    pairs = {frozenset((l["subject"], l["object"])) for l in bundled_network.links
             if in_year(l) and l["subject"] != l["object"]}
    b.js("thbkgMap.setYear(arguments[0]);", year)
    assert visible_counts(b)[1] == len(pairs)
    assert b.js("return document.getElementById('status').textContent;").endswith(f"as they stood in {year}.")

    # search focuses an actor; reset shows everything again
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    b.js("thbkgMap.reset();")
    target = min(bundled_network.actors, key=lambda a: (-G.degree(a), a))
    box = b.driver.find_element(By.ID, "search")
    box.send_keys(bundled_network.actors[target]["label"].lower(), Keys.ENTER)
    assert b.js("return network.getSelectedNodes();") == [target]
    assert b.js("return document.querySelector('#panel h2').textContent;") == bundled_network.actors[target]["label"]
    b.driver.find_element(By.ID, "reset").click()
    assert visible_counts(b) == [G.number_of_nodes(), G.number_of_edges()]
    assert b.js("return document.getElementById('panel').hidden;") is True
    assert_clean_load(b)


def test_hostile_labels_never_run(map_browser, hostile_network, maps_dir):
    from selenium.webdriver.common.action_chains import ActionChains

    b = map_browser
    path = maps_dir / "hostile.html"
    write_map(hostile_network, path, layout="geo", title="<img src=x onerror=alert('title')>")
    b.open(path)
    assert b.js("return document.querySelector('h1').textContent;") == "<img src=x onerror=alert('title')>"
    ids = b.js("return thbkgMap.nodes.getIds();")
    assert len(ids) == len(hostile_network.actors)
    seen_titles = set()
    for node_id in ids:
        b.js("thbkgMap.selectActor(arguments[0]);", node_id)
        seen_titles.add(b.js("return document.querySelector('#panel h2').textContent;"))
    assert set(HOSTILE_TEXTS) <= seen_titles          # shown verbatim, as text
    # a real click and a hover tooltip on a hostile node
    evil = b.js("return thbkgMap.nodes.get().filter(function (n) { return n.label.indexOf('<img') === 0; })[0].id;")
    click_node(b, evil)
    ActionChains(b.driver).move_by_offset(1, 1).pause(0.6).perform()
    tooltip = b.js("var t = document.querySelector('div.vis-tooltip');"
                   "return t ? {text: t.innerText, elements: t.querySelectorAll(':not(br)').length} : null;")
    assert tooltip is not None and tooltip["text"], "hovering the node showed no tooltip"
    assert tooltip["elements"] == 0 and "<img" in tooltip["text"]   # innerText: only <br> for newlines
    assert b.js("return document.querySelectorAll('img, iframe, object, embed').length;") == 0
    assert b.js("return Array.from(document.querySelectorAll('a[href]')).every("
                "function (a) { return /^https?:/.test(a.href); });")
    assert b.js("return window.__xss === undefined;")
    assert_clean_load(b)
    b.screenshot(ARTIFACTS / "map_hostile.png")


def test_synthetic_5000_nodes_draw_within_5_seconds(map_browser, synthetic_network, maps_dir):
    b = map_browser
    path = maps_dir / "synthetic.html"
    info = write_map(synthetic_network, path)
    G = synthetic_network.cooperation_graph()
    assert G.number_of_nodes() == 5000
    assert info.bytes == Path(path).stat().st_size < 10_000_000
    b.open(path, timeout=60)
    assert b.js("return [network.body.data.nodes.length, network.body.data.edges.length];") == \
        [G.number_of_nodes(), G.number_of_edges()]
    first_draw_ms = b.js("return thbkgMap.firstDrawMs;")
    assert first_draw_ms < 5000, f"first draw after {first_draw_ms:.0f} ms"
    assert_clean_load(b)
    b.screenshot(ARTIFACTS / "map_synthetic_5000.png")
