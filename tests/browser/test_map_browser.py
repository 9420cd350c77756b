"""The map in real headless Chromium, opened from file:// with host resolution disabled."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from pathlib import Path

import pytest
from plugin_browser import ARTIFACTS, HOSTILE_TEXTS, assert_offline_and_quiet

from thbkg.graph.outputs.maps.render import write_map

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1].parent / "data"


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


def all_pairs(network):
    """Every pair of actors with a link record, whatever its status: the ties the map draws."""
    return {frozenset((l["subject"], l["object"])) for l in network.links if l["subject"] != l["object"]}


def test_bundled_map(map_browser, bundled_network, maps_dir):
    b = map_browser
    path = maps_dir / "bundled.html"
    write_map(bundled_network, path)
    G = bundled_network.cooperation_graph(frameworks="as-nodes")
    b.open(path)
    assert b.js("return [network.body.data.nodes.length, network.body.data.edges.length];") == \
        [G.number_of_nodes(), len(all_pairs(bundled_network))]
    assert_offline_and_quiet(b)

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
    assert visible_counts(b) == [G.number_of_nodes(), len(all_pairs(bundled_network))]
    assert b.js("return document.getElementById('panel').hidden;") is True
    assert_offline_and_quiet(b)

# ---------------------------------------------------------------------------- evidence and the time rule
def csv_rows(table):
    with open(DATA / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def period(text):
    """First and last day of a YYYY, YYYY-MM or YYYY-MM-DD cell (written here, not thbkg's parser)."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], 1), dt.date(parts[0], parts[1], calendar.monthrange(*parts)[1])
    return dt.date(*parts), dt.date(*parts)


def shown_at(row, year, include_undated):
    """The rule of docs/design.md and graph/network/projections.py, applied by hand to a links.csv row: in force
    on 31 December of *year* (start_day <= D <= end_day; status 'active' or none stated is in force, and a link
    of another status without an end is never in force); an undated link only when undated links are
    included; an event (joint action, evaluation, participation: the event family of docs/design.md) when
    active at some time in *year*."""
    event = row["type"] in ("joint_action", "evaluation", "participation")
    first, last = (dt.date(year, 1, 1) if event else dt.date(year, 12, 31)), dt.date(year, 12, 31)
    if not row["start"] and not include_undated:
        return False
    if row["status"] not in ("active", "") and not row["end"]:
        return False
    if row["start"] and period(row["start"])[0] > last:
        return False
    return not row["end"] or period(row["end"])[1] >= first


def pairs_shown(rows, year, include_undated):
    return {frozenset((r["subject"], r["object"])) for r in rows
            if r["subject"] != r["object"] and shown_at(r, year, include_undated)}


@pytest.fixture(scope="module")
def bundled_page(map_browser, bundled_network, maps_dir):
    path = maps_dir / "bundled-time.html"
    write_map(bundled_network, path)
    map_browser.open(path)
    return map_browser


def test_the_tie_panel_shows_the_evidence_of_each_link(bundled_page):
    """Frontex – Nigeria: its year is from memory (data/links.csv cites research-from-memory); a real click on
    the edge opens the tie's panel, which says so, grades each source and shows the link's note."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    b = bundled_page
    b.js("thbkgMap.reset();")
    row = next(r for r in csv_rows("links") if {r["subject"], r["object"]} == {"frontex", "ng"})
    assert "research-from-memory" in row["sources"].split(";")          # the case under test
    kinds = {s["id"]: s["kind"] for s in csv_rows("sources")}
    assert kinds["research-from-memory"] == "memory"
    edge = b.js("return thbkgMap.tieBetween('frontex', 'ng');")
    assert edge is not None
    # centre the view on a point of the edge that no node covers, then click there with a real mouse event
    found = b.js("""
        var e = thbkgMap.edges.get(arguments[0]), p = network.getPositions([e.from, e.to]);
        var c = document.querySelector('#map canvas'), centre = {x: c.clientWidth / 2, y: c.clientHeight / 2};
        for (var t = 0.3; t <= 0.71; t += 0.05) {
          var at = {x: p[e.from].x + t * (p[e.to].x - p[e.from].x), y: p[e.from].y + t * (p[e.to].y - p[e.from].y)};
          network.moveTo({position: at, scale: 3, animation: false});
          if (network.getNodeAt(centre) === undefined && network.getEdgeAt(centre) === e.id) return true;
        }
        return false;""", edge)
    assert found, "no point of the Frontex–Nigeria edge is clear of nodes"
    canvas = b.driver.find_element(By.CSS_SELECTOR, "#map canvas")
    ActionChains(b.driver).move_to_element(canvas).click().perform()
    panel = b.js("var p = document.getElementById('panel');"
                 "return {hidden: p.hidden, title: p.querySelector('h2').textContent, text: p.innerText,"
                 " links: p.querySelectorAll('ul.links > li').length,"
                 " grades: Array.from(p.querySelectorAll('ul.links .grade')).map(function (g) { return g.textContent; }),"
                 " when: Array.from(p.querySelectorAll('ul.links .when')).map(function (n) { return n.textContent; }),"
                 " notes: Array.from(p.querySelectorAll('.link-note')).map(function (n) { return n.textContent; })};")
    assert panel["hidden"] is False
    assert "Frontex" in panel["title"] and "Nigeria" in panel["title"]
    pair_rows = [r for r in csv_rows("links") if {r["subject"], r["object"]} == {"frontex", "ng"}]
    assert panel["links"] == len(pair_rows)
    # the date says it is from memory (the link's date_confidence is low), not "since 2012 · confidence high"
    assert row["date_confidence"] == "low"
    assert f"since {row['start']}, from memory (unverified)" in panel["when"]
    assert "memory (unverified)" in panel["grades"]                                    # the grade of each source
    assert len(panel["grades"]) == sum(len(r["sources"].split(";")) for r in pair_rows)
    assert row["note"] in panel["notes"]
    b.screenshot(ARTIFACTS / "map_tie_panel.png")
    # the actor panel tells the same
    b.js("thbkgMap.selectActor('frontex');")
    assert f"since {row['start']}, from memory (unverified)" in b.js(
        "return document.getElementById('panel').innerText;")
    assert_offline_and_quiet(b)


def test_the_year_slider_follows_the_as_of_rule_and_the_undated_switch(bundled_page, bundled_source):
    """At 2015 with undated links left out (the CLI's default) the map shows the ties counted by hand from
    data/links.csv, says how many undated links it leaves out, and the switch brings them back."""
    from thbkg.graph.network.filters import Filters
    from thbkg.graph.network.projections import load_network

    b = bundled_page
    b.js("thbkgMap.reset();")
    year, rows = 2015, csv_rows("links")
    expected = pairs_shown(rows, year, include_undated=False)
    expected_with_undated = pairs_shown(rows, year, include_undated=True)
    left_out = sum(1 for r in rows if not r["start"] and shown_at(r, year, include_undated=True))
    assert 0 < len(expected) < len(expected_with_undated)   # the switch matters on the bundled data
    assert b.js("return document.getElementById('include-undated').checked;") is False   # the CLI's default

    b.js("thbkgMap.setYear(arguments[0]);", year)
    assert visible_counts(b)[1] == len(expected)
    status = b.js("return document.getElementById('status').textContent;")
    assert f"{len(expected)} of " in status and f"as they stood at the end of {year}." in status
    assert f"{left_out} undated links left out." in status
    assert f"{left_out} undated links left out at {year}" in b.js(
        "return document.getElementById('year-note').textContent;")
    # the same answer as the command line's --as-of
    cli_pairs = all_pairs(load_network(bundled_source, Filters(as_of=str(year))))
    assert cli_pairs == expected
    b.screenshot(ARTIFACTS / "map_year_2015.png")

    b.driver.find_element("id", "include-undated").click()          # the switch, clicked
    assert visible_counts(b)[1] == len(expected_with_undated)
    assert "Undated links included." in b.js("return document.getElementById('status').textContent;")
    b.driver.find_element("id", "include-undated").click()
    assert visible_counts(b)[1] == len(expected)
    b.js("thbkgMap.reset();")
    assert b.js("return document.getElementById('include-undated').checked;") is False
    assert_offline_and_quiet(b)


def test_events_show_only_in_the_years_they_were_active(bundled_page):
    """Joint action days (the event family) are activity in a period: at a year they show only if active then."""
    b = bundled_page
    b.js("thbkgMap.reset();")
    events = [r for r in csv_rows("links") if r["type"] == "joint_action"]
    years = sorted({y for r in events for y in range(period(r["start"])[0].year, period(r["end"])[1].year + 1)})
    assert years, "the bundled data has no dated joint action"
    b.js("thbkgMap.setIncludeUndated(true);")
    for year in (years[0] - 1, *years):
        active = {r["id"] for r in events if shown_at(r, year, include_undated=True)}
        b.js("thbkgMap.setYear(arguments[0]);", year)
        shown = b.js("return thbkgMap.data.links.filter(function (l, i) {"
                     "  return l.type === 'joint_action' && thbkgMap.linkShown(i); }).map(function (l) { return l.id; });")
        assert set(shown) == active, year
    b.js("thbkgMap.reset();")


def test_a_cli_include_undated_turns_the_switch_on(map_browser, bundled_source, maps_dir):
    from thbkg.graph.network.filters import Filters
    from thbkg.graph.network.projections import load_network

    b = map_browser
    path = maps_dir / "undated-on.html"
    write_map(load_network(bundled_source, Filters(as_of="2020", include_undated=True)), path)
    b.open(path)
    assert b.js("return document.getElementById('include-undated').checked;") is True
    b.js("thbkgMap.setYear(2015);")
    assert "Undated links included." in b.js("return document.getElementById('status').textContent;")
    b.js("thbkgMap.reset();")
    assert b.js("return document.getElementById('include-undated').checked;") is True


def test_the_legend_draws_frameworks_as_nodes(bundled_page, bundled_network):
    b = bundled_page
    legend = b.js("return document.getElementById('legend').innerText;")
    assert "Frameworks and treaties" in legend and "drawn as nodes" in legend
    treaties = [a for a, rec in bundled_network.actors.items() if rec["type"] == "treaty"]
    assert treaties and set(treaties) <= set(b.js("return thbkgMap.nodes.getIds();"))
    assert b.js("return thbkgMap.nodes.get(arguments[0]).shapeProperties.borderDashes.length;", treaties[0]) == 2


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
    tie_texts = set()
    for edge_id in b.js("return thbkgMap.edges.getIds();"):   # every tie's panel: links, roles, sources
        b.js("thbkgMap.selectTie(arguments[0]);", edge_id)
        tie_texts.add(b.js("return document.getElementById('panel').innerText;"))
    assert all(any(text in panel for panel in tie_texts) for text in HOSTILE_TEXTS[:4])
    assert b.js("return document.querySelectorAll('#panel img, #panel script, #panel svg').length;") == 0
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
    assert_offline_and_quiet(b)
    b.screenshot(ARTIFACTS / "map_hostile.png")


def test_synthetic_5000_nodes_draw_within_5_seconds(map_browser, synthetic_network, maps_dir):
    b = map_browser
    path = maps_dir / "synthetic.html"
    info = write_map(synthetic_network, path)
    G = synthetic_network.cooperation_graph(frameworks="as-nodes")
    assert G.number_of_nodes() == 5000
    assert info.bytes == Path(path).stat().st_size < 10_000_000
    b.open(path, timeout=60)
    assert b.js("return [network.body.data.nodes.length, network.body.data.edges.length];") == \
        [G.number_of_nodes(), len(all_pairs(synthetic_network))]
    first_draw_ms = b.js("return thbkgMap.firstDrawMs;")
    assert first_draw_ms < 5000, f"first draw after {first_draw_ms:.0f} ms"
    assert_offline_and_quiet(b)
    b.screenshot(ARTIFACTS / "map_synthetic_5000.png")
