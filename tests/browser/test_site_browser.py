"""The website of ``thbkg site`` in real headless Chromium, opened from file:// with host resolution
disabled: the search box, a click on the map, what each kind of page loads and shows (offline, no console
error, axe-core, no sideways scroll at phone and desktop sizes), screenshots, and a site built from a data
folder whose texts are markup and script.

The bundled site is built once per module through the Python API (about 15 s), the hostile one once too.
"""

from __future__ import annotations

import csv
import html
import re
import time
from pathlib import Path

import pytest
from axe import describe, run_axe, serious_violations
from plugin_browser import ALLOWED_SCHEMES, ARTIFACTS, assert_offline_and_quiet, set_viewport

PHONE, DESKTOP = (390, 844), (1400, 900)
FRONTEX = "id/actor/frontex.html"
FRONTEX_LABEL = "Frontex (European Border and Coast Guard Agency)"

#: Every hostile field carries all three payloads: an image with an error handler, a script that closes
#: the one around it, and an attribute break-out into an svg with a load handler.
EVIL = '<img src=x onerror=alert(1)> </script><script>alert(2)</script> "><svg onload=alert(3)>'
EVIL_ACTOR_LABEL = "Evil actor " + EVIL
EVIL_SOURCE_TITLE = "Evil source " + EVIL
EVIL_LINK_NOTE = "Evil note " + EVIL
#: What a payload that ran, or turned into markup, would leave in the page.
INJECTED = "img[src='x'], img[onerror], svg[onload], script:not([src]):not([type='application/ld+json'])"


# ---------------------------------------------------------------------------- sites
def _build(source, folder: Path) -> Path:
    from thbkg.graph.outputs.site.writer import write_site

    write_site(source, folder)
    assert (folder / "index.html").is_file()
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site of the bundled graph."""
    from thbkg.graph.store.source import GraphSource

    return _build(GraphSource(), tmp_path_factory.mktemp("site") / "site")


def _init_tables(folder: Path) -> None:
    from click.testing import CliRunner

    from thbkg.cli.main import cli

    result = CliRunner().invoke(cli, ["init", str(folder)])
    assert result.exit_code == 0, result.output


def _fill(folder: Path, name: str, rows: list[dict]) -> None:
    path = folder / name
    with open(path, encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-data") / "data"
    _init_tables(folder)
    _fill(folder, "sources.csv", [{
        "id": "evil-source", "title": EVIL_SOURCE_TITLE, "publisher": "Evil publisher " + EVIL,
        "url": "https://example.org/evil", "kind": "official_page", "note": EVIL}])
    _fill(folder, "actors.csv", [{
        "id": "evil-actor", "label": EVIL_ACTOR_LABEL, "aliases": "Evil alias " + EVIL, "type": "ngo",
        "sources": "evil-source", "confidence": "high", "note": EVIL}])
    _fill(folder, "links.csv", [{
        "id": "evil-link", "subject": "evil-actor", "object": "frontex", "type": "cooperation_agreement",
        "role": EVIL, "status": "active", "sources": "evil-source", "confidence": "high",
        "note": EVIL_LINK_NOTE}])
    return folder


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory, hostile_data):
    """The bundled graph plus the hostile data folder."""
    from thbkg.graph.store.source import GraphSource

    return _build(GraphSource(data_dirs=(hostile_data,)), tmp_path_factory.mktemp("hostile-site") / "site")


# ---------------------------------------------------------------------------- browser helpers
def open_page(browser, path: Path, timeout: float = 30.0):
    """Open a page of the site from file:// and wait until it has loaded (scripts deferred included)."""
    d = browser.driver
    d.get("about:blank")
    browser.drain_logs()
    browser._urls, browser._console = [], []
    d.get(Path(path).resolve().as_uri())
    deadline = time.monotonic() + timeout
    while d.execute_script("return document.readyState;") != "complete":
        assert time.monotonic() < deadline, f"{path} did not load within {timeout} s"
        time.sleep(0.05)


def wait_for(browser, script, *args, timeout=10.0, message="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = browser.js(script, *args)
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        time.sleep(0.05)


def wait_for_location(browser, suffix, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not (browser.driver.current_url.endswith(suffix)
               and browser.js("return document.readyState;") == "complete"):
        assert time.monotonic() < deadline, f"the browser stayed at {browser.driver.current_url}, not …{suffix}"
        time.sleep(0.05)


def assert_no_sideways_scroll(browser, name):
    for width, height in (PHONE, DESKTOP):
        set_viewport(browser, width, height)
        m = browser.js("var e = document.documentElement;"
                       "return {scroll: e.scrollWidth, client: e.clientWidth, body: document.body.scrollWidth};")
        assert m["scroll"] <= m["client"] and m["body"] <= m["client"], \
            f"{name} scrolls sideways at {width}x{height}: {m}"
    set_viewport(browser, *DESKTOP)


def search(browser, text):
    """Type *text* into the search box (real key presses) and wait until the list shows its results;
    return [(href attribute, link text, label text without the type)]."""
    from selenium.webdriver.common.by import By

    box = browser.driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(text)
    wait_for(browser, """
        var q = document.getElementById('q'), list = document.getElementById('q-results');
        if (q.value !== arguments[0] || !window.thbkgSearch) return false;
        var want = window.thbkgSearch.find(arguments[0]);
        if (want === null || !document.getElementById('q-status').textContent) return false;
        var root = document.body.getAttribute('data-root') || '';
        var got = Array.prototype.map.call(list.querySelectorAll('a'), function (a) { return a.getAttribute('href'); });
        want = want.slice(0, 20).map(function (p) { return root + p; });
        return got.length > 0 && !list.hidden && got.join('\\n') === want.join('\\n');
        """, text, message=f"the results of {text!r}")
    return browser.js("""
        return Array.prototype.map.call(document.querySelectorAll('#q-results a'), function (a) {
          var own = Array.prototype.filter.call(a.childNodes, function (n) { return n.nodeType === 3; })
                      .map(function (n) { return n.nodeValue; }).join('');
          return [a.getAttribute('href'), a.textContent, own, a.children.length,
                  a.children.length ? a.children[0].className : null];
        });""")


# ---------------------------------------------------------------------------- search
@pytest.mark.browser
@pytest.mark.parametrize("text", ["frontex", "Frontex", "EBCGA", "Q21786841"])
def test_search_finds_frontex(map_browser, site, text):
    """By name in any case, by alias and by Wikidata QID, Frontex is the first result."""
    b = map_browser
    open_page(b, site / "index.html")
    assert b.js("return window.thbkgSearch.find('frontex');") is None  # the index waits for first use
    results = search(b, text)
    hrefs = [r[0] for r in results]
    assert FRONTEX in hrefs, f"{text!r} does not list Frontex: {hrefs}"
    assert hrefs[0] == FRONTEX, hrefs
    for href, text_all, own, children, child_class in results:
        # each link is the label as text, followed by one span with the type; no other markup
        assert children == 1 and child_class == "type", (href, text_all)
        assert own.strip() and "<" not in own
    hit = next(r for r in results if r[0] == FRONTEX)
    assert hit[2] == FRONTEX_LABEL
    assert hit[1].startswith(FRONTEX_LABEL)
    # the index is read from the site's own folder
    assert_offline_and_quiet(b)
    assert any(u.endswith("static/search-index.js") for u in b.requested_urls())


@pytest.mark.browser
@pytest.mark.parametrize("start", ["index.html", "id/region/western-balkans.html"])
def test_search_enter_opens_frontex(map_browser, site, start):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    b = map_browser
    open_page(b, site / start)
    results = search(b, "Frontex")
    root = "../../" if start.startswith("id/") else ""
    assert results[0][0] == root + FRONTEX
    b.driver.find_element(By.ID, "q").send_keys(Keys.ENTER)
    wait_for_location(b, FRONTEX)
    assert b.driver.find_element(By.TAG_NAME, "h1").text == FRONTEX_LABEL
    assert_offline_and_quiet(b)


@pytest.mark.browser
def test_search_keyboard_choice(map_browser, site):
    """Arrow down to the second result and Enter opens that one, not the first."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    b = map_browser
    open_page(b, site / "index.html")
    results = search(b, "agency")
    assert len(results) >= 2
    box = b.driver.find_element(By.ID, "q")
    box.send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.ENTER)
    wait_for_location(b, results[1][0])


# ---------------------------------------------------------------------------- map
def frontex_dom_position(browser):
    """Centre and zoom the view on Frontex; return its position in the canvas (CSS px) and the node the
    map finds there."""
    return browser.js("""
        var net = window.thbkgMap.network, id = 'frontex';
        net.moveTo({position: net.getPosition(id), scale: 2.5, animation: false});
        net.redraw();
        var p = net.canvasToDOM(net.getPosition(id));
        var c = document.querySelector('#map canvas');
        return {x: p.x, y: p.y, w: c.clientWidth, h: c.clientHeight, at: net.getNodeAt(p)};""")


@pytest.mark.browser
def test_map_click_opens_actor_page(map_browser, site):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    b = map_browser
    set_viewport(b, *DESKTOP)
    b.open(site / "map.html")
    assert b.js("return window.thbkgMap.data.actors.frontex.page;") == FRONTEX
    pos = frontex_dom_position(b)
    assert pos["at"] == "frontex", pos
    canvas = b.driver.find_element(By.CSS_SELECTOR, "#map canvas")
    # a real mouse click at the node's place (selenium's offsets are from the element's centre)
    ActionChains(b.driver).move_to_element_with_offset(
        canvas, int(pos["x"] - pos["w"] / 2), int(pos["y"] - pos["h"] / 2)).click().perform()
    wait_for_location(b, FRONTEX)
    assert b.driver.find_element(By.TAG_NAME, "h1").text == FRONTEX_LABEL
    assert_offline_and_quiet(b)


@pytest.mark.browser
def test_map_page_offline_and_accessible(map_browser, site):
    """The site's map loads its library, data and code from files beside it, nothing from elsewhere."""
    b = map_browser
    set_viewport(b, *DESKTOP)
    b.open(site / "map.html")
    assert b.js("return Object.keys(window.thbkgMap.data.actors).length;") > 100
    assert_offline_and_quiet(b)
    violations = serious_violations(run_axe(b))
    assert not violations, describe(violations)


# ---------------------------------------------------------------------------- pages
def first_link_page(site: Path) -> str:
    match = re.search(r'href="(id/link/[^"]+\.html)"', (site / "links.html").read_text(encoding="utf-8"))
    assert match, "links.html lists no link page"
    return match.group(1)


PAGES = {
    "home": "index.html",
    "actor": FRONTEX,
    "region": "id/region/western-balkans.html",
    "source": "id/source/geonames.html",
    "link": None,  # the first link of links.html
    "queries": "queries.html",
    "data": "data.html",
    "actors": "actors.html",
    "query": "queries/region_agreement_gaps.html",  # its SPARQL text scrolls in its own box
    "framework": "id/actor/rabat-process.html",  # members over time, chairs
}


@pytest.mark.browser
@pytest.mark.parametrize("name", list(PAGES))
def test_page_offline_accessible_and_fits(map_browser, site, name):
    b = map_browser
    path = PAGES[name] or first_link_page(site)
    set_viewport(b, *DESKTOP)
    open_page(b, site / path)
    assert b.js("return document.querySelectorAll('h1').length;") == 1
    assert b.js("return document.querySelector('main h1').textContent.trim().length;") > 0
    # the search index is only read when the box is used; using it must stay offline too
    b.driver.find_element("id", "q").click()
    wait_for(b, "return window.thbkgSearch.find('a') !== null;", message="the search index")
    assert_offline_and_quiet(b)
    violations = serious_violations(run_axe(b))
    open_page(b, site / path)
    assert_no_sideways_scroll(b, path)
    assert not violations, f"{path}:\n" + describe(violations)


# ---------------------------------------------------------------------------- screenshots
SHOTS = {"home": "index.html", "actor": FRONTEX, "region": "id/region/western-balkans.html",
         "source": "id/source/geonames.html"}


@pytest.mark.browser
@pytest.mark.parametrize("name", list(SHOTS))
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots(map_browser, site, name, viewport):
    """Screenshots for a reader to judge (tests/artifacts/site-*.png; docs/screenshots holds copies)."""
    b = map_browser
    set_viewport(b, *viewport)
    open_page(b, site / SHOTS[name])
    suffix = "-phone" if viewport == PHONE else ""
    shot = b.screenshot(ARTIFACTS / f"site-{name}{suffix}.png")
    assert shot.stat().st_size > 10_000
    set_viewport(b, *DESKTOP)


# ---------------------------------------------------------------------------- hostile text
HOSTILE_PAGES = {
    "actor": "id/actor/evil-actor.html",
    "link": "id/link/evil-link.html",
    "source": "id/source/evil-source.html",
}


def test_hostile_text_is_escaped_in_every_page(hostile_site):
    """No file of the site carries a payload as markup: every < of the hostile texts is escaped."""
    for name in HOSTILE_PAGES.values():
        assert (hostile_site / name).is_file(), name
    raw = ("<img src=x", "<svg onload", "<script>alert")
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        text = page.read_text(encoding="utf-8")
        found = [r for r in raw if r in text]
        assert found == [], f"{page.relative_to(hostile_site)} holds {found}"
    actor = (hostile_site / HOSTILE_PAGES["actor"]).read_text(encoding="utf-8")
    h1 = re.search(r"<h1>(.*?)</h1>", actor, re.DOTALL)
    assert h1 and html.unescape(h1.group(1)) == EVIL_ACTOR_LABEL
    # the JSON-LD in each page head stays one script element: its </script> is escaped
    assert actor.count("</script>") == actor.count("<script")


def assert_not_injected(browser, where):
    assert browser.js("return window.__alerts;") == [], where
    assert browser.js("return window.__xss || false;") is False, where
    found = browser.js("return Array.prototype.map.call(document.querySelectorAll(arguments[0]),"
                       " function (e) { return e.outerHTML.slice(0, 120); });", INJECTED)
    assert found == [], f"{where}: injected elements {found}"


@pytest.mark.browser
@pytest.mark.parametrize("name, expected", [("actor", EVIL_ACTOR_LABEL), ("link", EVIL_LINK_NOTE),
                                            ("source", EVIL_SOURCE_TITLE)])
def test_hostile_pages(map_browser, hostile_site, name, expected):
    b = map_browser
    open_page(b, hostile_site / HOSTILE_PAGES[name])
    time.sleep(0.3)  # a payload's error or load handler would have fired by now
    assert_not_injected(b, name)
    text = b.js("return document.querySelector('main').textContent;")
    assert expected in text, f"the hostile text is not shown literally on the {name} page"
    if name == "actor":
        assert b.js("return document.querySelector('h1').textContent;") == EVIL_ACTOR_LABEL
    if name == "source":
        assert EVIL_SOURCE_TITLE in b.js("return document.querySelector('h1').textContent;")
    assert b.console_errors() == []
    assert [u for u in b.requested_urls() if not u.startswith(ALLOWED_SCHEMES)] == []


@pytest.mark.browser
def test_hostile_lists_and_search(map_browser, hostile_site):
    b = map_browser
    pages = [p.relative_to(hostile_site).as_posix() for p in sorted(hostile_site.glob("actors*.html"))]
    shown = []
    for page in pages:
        open_page(b, hostile_site / page)
        assert_not_injected(b, page)
        shown += b.js("return Array.prototype.map.call(document.querySelectorAll('main a'),"
                      " function (a) { return [a.getAttribute('href'), a.textContent]; });")
    assert ["id/actor/evil-actor.html", EVIL_ACTOR_LABEL] in shown, "the actors list misses the hostile actor"

    open_page(b, hostile_site / "index.html")
    results = search(b, "<img src=x")
    hit = [r for r in results if r[0] == "id/actor/evil-actor.html"]
    assert hit, results
    assert hit[0][2] == EVIL_ACTOR_LABEL
    time.sleep(0.3)
    assert_not_injected(b, "search results")
    results = search(b, "evil actor")
    assert results[0][0] == "id/actor/evil-actor.html"
    assert_not_injected(b, "search results")
    assert b.console_errors() == []

    b.open(hostile_site / "map.html")
    time.sleep(0.3)
    assert_not_injected(b, "map")
    assert b.console_errors() == []
