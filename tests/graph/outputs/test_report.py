"""The report: sections, offline-safety, escaping, determinism, and numbers checked independently."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser

import networkx as nx
import pytest

from thbkg.graph.outputs import report as R
from thbkg.graph.outputs.report import SECTIONS, build_report, render_html, render_json, render_markdown

HOSTILE = "<img src=x onerror=alert(1)>"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture()
def built(report_network):
    return build_report(report_network, generated="2026-01-01", top=5, seed=7,
                        snapshot_dates=("2010", "2015", "today"), filters_text="none")


class TagCollector(HTMLParser):
    """Every start tag with its attributes, and the text, as the browser's tokenizer sees them."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html):
    parser = TagCollector()
    parser.feed(html)
    return parser


def test_html_has_every_section(built):
    page = render_html(built)
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == list(SECTIONS)


def test_markdown_has_the_same_sections(built):
    text = render_markdown(built)
    assert re.findall(r"^## (.*)$", text, flags=re.MULTILINE) == list(SECTIONS)
    assert HOSTILE not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    # GFM tables: header separator lines follow header rows
    assert text.count("|---|") >= 10


def test_html_loads_nothing_from_the_network(built):
    page = render_html(built, map_href="map.html")
    for needle in ("<script", "<link", "@import", "url(", "<iframe", "<img", "<object", "<embed"):
        assert needle not in page.lower(), needle
    parsed = _parse(page)
    for tag, attrs in parsed.tags:
        assert tag not in {"script", "link", "img", "iframe", "object", "embed", "base", "form"}
        assert "src" not in attrs
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert href.startswith(("#", "http://", "https://")) or href == "map.html", href


def test_hostile_text_only_appears_escaped(built):
    page = render_html(built)
    assert HOSTILE not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # as the browser sees it: the hostile label is text, never a tag
    parsed = _parse(page)
    assert all(tag != "img" for tag, _ in parsed.tags)
    assert any(HOSTILE in chunk for chunk in parsed.text)
    # the source with a javascript: URL is shown as text, not as a link
    assert "javascript:" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in page


def test_header_echoes_parameters(built, report_network):
    page = render_html(built)
    assert "2026-01-01T00:00:00+00:00" in page
    assert "<strong>Seed:</strong> 7" in page and "<strong>Top:</strong> 5" in page
    assert "<strong>Filters:</strong> none" in page
    assert "2010, 2015, today" in page


def test_same_parameters_give_the_same_bytes(report_network, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    first = render_html(build_report(report_network, seed=3))
    second = render_html(build_report(report_network, seed=3))
    assert first == second
    assert "2026-01-01T00:00:00+00:00" in first


def test_svg_charts_parse_and_have_top_n_bars(built):
    page = render_html(built)
    charts = re.findall(r"<svg.*?</svg>", page, flags=re.DOTALL)
    assert len(charts) == 5  # four bar charts and the timeline
    for chart in charts[:4]:
        root = ET.fromstring(chart)
        assert len(root.findall(f".//{SVG}rect[@class='bar']")) == built["params"]["top"]
    years = ET.fromstring(charts[4]).findall(f".//{SVG}g[@class='year']")
    assert [int(g.find(f"{SVG}title").text.split(":")[0]) for g in years] == list(range(1999, 2021))


def test_top_actors_against_networkx(built, report_network):
    G = report_network.cooperation_graph()
    degree = dict(G.degree())
    rows = built["metrics"]["degree"]["rows"]
    best = max(degree.values())
    assert rows[0]["id"] == min(a for a, d in degree.items() if d == best) and rows[0]["value"] == best
    assert [r["value"] for r in rows] == sorted(degree.values(), reverse=True)[:5]
    bc = nx.betweenness_centrality(G)
    assert built["metrics"]["betweenness"]["rows"][0]["id"] == max(bc, key=bc.get)


def test_communities_cover_every_actor(built, report_network):
    groups = built["communities"]["groups"]
    members = [m for g in groups for m in g["members"]]
    assert sorted(members) == sorted(report_network.cooperation_graph().nodes)
    G = report_network.cooperation_graph()
    expected = nx.community.modularity(G, [set(g["members"]) for g in groups], weight="weight")
    assert built["communities"]["modularity"] == pytest.approx(expected, abs=1e-4)


def test_brokers_against_networkx_and_brute_force(built, report_network):
    G = report_network.cooperation_graph()
    brokers = built["brokers"]
    assert sorted(r["id"] for r in brokers["articulation_points"]) == sorted(nx.articulation_points(G))
    base = nx.number_connected_components(G)
    for row in brokers["articulation_points"]:
        H = G.copy()
        H.remove_node(row["id"])
        assert row["components_after"] == nx.number_connected_components(H)
        assert row["components_before"] == base
    # Germany's only tie in force is its liaison officer at Europol (l12): without Europol it is alone
    europol = next(r for r in brokers["articulation_points"] if r["id"] == "europol")
    H = G.copy()
    H.remove_node("europol")
    assert nx.node_connected_component(H, "de") == {"de"}
    assert europol["components_after"] > europol["components_before"]
    assert brokers["bridges_total"] == len(list(nx.bridges(G)))
    for row in brokers["bridges"]:
        H = G.copy()
        H.remove_edge(row["u"], row["v"])
        assert row["cut_off"] == min(len(nx.node_connected_component(H, row["u"])),
                                     len(nx.node_connected_component(H, row["v"])))
    cuts = [r["cut_off"] for r in brokers["bridges"]]
    assert cuts == sorted(cuts, reverse=True)


def test_coverage_and_change_sections(built, report_network):
    page = render_html(built)
    assert "5 white spot(s)" in page  # Western Balkans, derived by hand in test_coverage.py
    assert "8 white spot(s)" in page  # Sahel
    snaps = built["change"]["snapshots"]
    assert [s["date"] for s in snaps] == ["2010", "2015", "today"]
    added = sorted(lk["id"] for lk in report_network.links if lk["start"] and 2010 < int(lk["start"][:4]) <= 2015)
    assert snaps[1]["added"] == added


def test_data_quality_against_records(built, report_network):
    q = built["quality"]
    links = report_network.links
    assert q["by_confidence"] == {level: sum(1 for lk in links if lk["confidence"] == level)
                                  for level in ("high", "medium", "low")}
    top = {r["id"] for m in built["metrics"].values() for r in m["rows"]}
    expected = sorted(lk["id"] for lk in links if lk["confidence"] == "low"
                      and ({lk["subject"], lk["object"]} & top))
    assert sorted(t["id"] for t in q["low_confidence_ties"]) == expected
    # the fixture's sources have no kind: none is a document that was read, so every link rests on
    # ungraded sources only, and "Sources cited most" lists no document
    cited = Counter(s for lk in links for s in lk["sources"])
    evidence = q["evidence"]
    assert evidence["with_source"] == len(links) and evidence["with_document"] == 0
    assert evidence["cited_most"]["documents"] == []
    best = max(cited.values())
    assert evidence["cited_most"]["placeholders"][0]["links"] == best
    assert evidence["cited_most"]["placeholders"][0]["id"] == min(s for s, n in cited.items() if n == best)
    assert q["share_dated"] == round(sum(1 for lk in links if lk["start"]) / len(links), 4)


def test_json_rendering_round_trips(built):
    data = json.loads(render_json(built))
    assert set(data) >= {"params", "summary", "metrics", "communities", "brokers", "coverage", "change", "quality"}
    wb = next(r for r in data["coverage"] if r["id"] == "western_balkans")
    assert "al|europol" in wb["ties"]


def test_centrality_csv_has_every_actor(built, report_network):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(R.render_centrality_csv(built))))
    # every actor of the actor graph; frameworks (Rabat Process, the convention) are not actors there
    assert [r["id"] for r in rows] == sorted(report_network.cooperation_graph())
    assert {r["id"] for r in rows} == set(report_network.actors) - {"rabat", "trafficking_convention"}
    assert set(R.REPORT_METRICS) <= set(rows[0])


def test_write_product_without_map_says_so(report_network, built, tmp_path):
    paths = R.write_product(report_network, tmp_path / "out", built, with_map=False)
    assert [p.name for p in paths] == ["report.html", "centrality.csv", "centrality.json"]
    assert not (tmp_path / "out" / "map.html").exists()
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<strong>Map:</strong> map not requested (--no-map)" in page and 'href="map.html"' not in page


def _map_payload(path):
    """The data document the map page carries (see thbkg.graph.outputs.maps.render)."""
    page = path.read_text(encoding="utf-8")
    return json.loads(page.split('<script type="application/json" id="thbkg-data">', 1)[1].split("</script>", 1)[0])


def test_write_product_writes_and_links_a_real_map(report_network, built, tmp_path):
    paths = R.write_product(report_network, tmp_path / "out", built)
    assert [p.name for p in paths] == ["report.html", "map.html", "centrality.csv", "centrality.json"]
    payload = _map_payload(tmp_path / "out" / "map.html")
    # the map draws the two-mode view: every actor and framework is a node (networkx counts them here)
    assert len(payload["nodes"]) == report_network.cooperation_graph(frameworks="as-nodes").number_of_nodes() == 14
    assert len(payload["links"]) == len(report_network.links)
    assert 'href="map.html"' in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_write_product_map_keeps_the_most_central_actors_of_a_large_graph(report_network, built, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr(R, "MAP_MAX_ACTORS", 5)
    R.write_product(report_network, tmp_path / "out", built)
    payload = _map_payload(tmp_path / "out" / "map.html")
    # PageRank by networkx on the map's two-mode view, ties broken by id: the five most central are drawn
    scores = nx.pagerank(report_network.cooperation_graph(frameworks="as-nodes"), alpha=0.85, weight="weight",
                         tol=1e-10, max_iter=1000)
    expected = sorted(scores, key=lambda a: (-round(scores[a], 10), a))[:5]
    assert sorted(node["id"] for node in payload["nodes"]) == sorted(expected)


def test_every_tie_state_has_a_style_and_words(built):
    from thbkg.graph.analytics.coverage import STATE_LABELS, STATES

    page = render_html(built)
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    classes = set(re.findall(r'<td class="(tie-[^"]+)"', page))
    # the fixture has ties in force, under negotiation, suspended and ended, and cells without a tie
    assert classes >= {"tie-in_force", "tie-negotiating", "tie-suspended", "tie-ended", "tie-none"}
    for state in STATES:
        assert f"td.tie-{state}" in css, state
    # the legend explains each colour in words, never by colour alone
    legend = page.split('<table class="legend">', 1)[1].split("</table>", 1)[0]
    for state in set(STATES) - {"not_in_force"}:
        assert f'<td class="tie-{state}">' in legend and STATE_LABELS[state].split(",")[0] in legend, state


def test_bad_parameters(report_network):
    from thbkg.graph.errors import UsageError

    with pytest.raises(UsageError, match="--top"):
        build_report(report_network, top=0)
    with pytest.raises(UsageError, match="not a date"):
        build_report(report_network, snapshot_dates=("2020-02-30",))


def test_output_kind(tmp_path):
    assert R.output_kind(str(tmp_path))[0] == "dir"
    assert R.output_kind("x/report.md") == ("md", "x/report.md")
    assert R.output_kind("report.html", "json")[0] == "json"


def test_coverage_cells_name_the_statuses_of_ties_not_in_force(built):
    """l07 (Morocco–Europol) is under negotiation, l18 (Mali–Europol) suspended and l17 (Mali–Frontex)
    ended in the fixture; the cells say so in the ontology's words, with their own colour, and count as
    white spots."""
    page, text = render_html(built), render_markdown(built)
    assert '<td class="tie-negotiating" title="l07">under negotiation: strategic agreement</td>' in page
    assert '<td class="tie-suspended" title="l18">suspended: liaison officer</td>' in page
    assert '<td class="tie-ended" title="l17">ended: working arrangement</td>' in page
    assert '<td class="tie-none">— no tie</td>' in page
    assert "| Morocco | under negotiation: strategic agreement |" in text
    assert "Morocco – Europol (under negotiation)" in text
    sahel = next(r for r in built["coverage"] if r["id"] == "sahel")
    assert ("ma", "europol") in sahel["white_spots"] and ("ml", "europol") in sahel["white_spots"]


def test_no_coverage_cell_shows_a_tie_not_in_force_as_in_force(bundled_source):
    """Every cell of every region: the types shown as in force are exactly those of the cell's links whose
    status in data/links.csv (read with csv, not through thbkg) is 'active' or not stated."""
    import csv
    from importlib import resources

    from thbkg.graph.analytics.coverage import region_coverage
    from thbkg.graph.network.projections import load_network

    with (resources.files("thbkg.data") / "links.csv").open(encoding="utf-8", newline="") as fh:
        rows = {row["id"]: row for row in csv.DictReader(fh)}
    checked = 0
    for region in region_coverage(load_network(bundled_source)):
        for tie in region["ties"].values():
            # in force: 'active', or no status stated (data/README.md: the link is then taken as in force)
            active = {rows[link]["type"] for link in tie["links"] if rows[link]["status"] in ("active", "")}
            assert set(tie["in_force_types"]) == active, tie["links"]
            checked += 1
    assert checked > 100


def test_the_sahel_headline_cell_says_the_working_arrangement_is_under_negotiation(bundled_source):
    """data/links.csv rows frontex-mr-liaison-officer (active) and frontex-mr-working-arrangement
    (under_negotiation): the cell must not present the arrangement as in force."""
    from thbkg.graph.network.projections import load_network

    report = build_report(load_network(bundled_source), generated="2026-01-01")
    sahel = next(r for r in report["coverage"] if r["id"] == "sahel")
    # issue 11: the proposed status agreement, abandoned in March 2024 (mr-frontex-status-agreement), is ended
    assert R._cell_text(sahel["ties"][("mr", "frontex")]) == (
        "liaison officer; under negotiation: working arrangement; ended: status agreement")
    assert sahel["ties"][("mr", "frontex")]["family_states"] == {"agreement": "negotiating", "liaison": "in_force"}
