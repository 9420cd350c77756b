"""The report keeps long lists short and says so, and its HTML fits any screen (issue 12).

A hand-built network (test data, not facts): one agency with 70 partner countries (a star: one
community of 71 actors) and 60 separate pairs of countries (60 communities of 2), so 61 communities.
The expected numbers are counted here by hand, not taken from the report code.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from plugin_browser import _network, actor, link, source

from thbkg.graph.outputs.report import build_report, render_html, render_json, render_markdown

STAR, PAIRS, SHOWN = 70, 60, 50
FULL = "(all in thbkg report --format json)"


@pytest.fixture(scope="module")
def crowded():
    actors = {"hub": actor("hub", "Agency Hub", "eu_agency")}
    links = []
    for i in range(STAR):
        actors[f"s{i:03d}"] = actor(f"s{i:03d}", f"Star country {i:03d}", "country")
        links.append(link(f"ls{i:03d}", f"s{i:03d}", "hub", "operational_agreement", start="2012"))
    for i in range(PAIRS):
        a, b = f"p{i:03d}a", f"p{i:03d}b"
        actors[a] = actor(a, f"Pair country {i:03d} A", "country")
        actors[b] = actor(b, f"Pair country {i:03d} B", "country")
        links.append(link(f"lp{i:03d}", a, b, "operational_agreement", start="2015"))
    net = _network(actors, links, {"src-a": source("src-a", "Source A", "https://example.org/a")})
    report = build_report(net, generated="2026-01-01", seed=42)
    return report, render_html(report), render_markdown(report)


def test_the_json_keeps_every_community(crowded):
    report, _, _ = crowded
    groups = json.loads(render_json(report))["communities"]["groups"]
    assert len(groups) == 1 + PAIRS
    assert sorted(g["size"] for g in groups) == [2] * PAIRS + [STAR + 1]


def test_the_html_lists_the_50_largest_communities_and_counts_the_rest(crowded):
    _, page, _ = crowded
    section = page.split('<section id="communities">', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", section)
    assert len(rows) == SHOWN
    assert [int(size) for _, size in rows] == [STAR + 1] + [2] * (SHOWN - 1)
    assert f"{1 + PAIRS} communities: the {SHOWN} largest are listed" in section
    rest = 1 + PAIRS - SHOWN
    assert f"… and {rest} more communities of {2 * rest} actors in all {FULL}" in section


def test_a_long_member_list_folds_and_says_how_many_more(crowded):
    _, page, _ = crowded
    section = page.split('<section id="communities">', 1)[1].split("</section>", 1)[0]
    star_row = section.split("<tr>", 3)[2]  # header row, then the largest community
    names = re.findall(r'<span title="s\d{3}">', star_row)
    assert len(names) == SHOWN - 1 and 'title="hub"' in star_row  # 50 of the 71 names
    inline, folded = star_row.split('<details class="more">', 1)
    assert len(re.findall(r'<span title="', inline)) == 12
    assert "<summary>show 38 more</summary>" in folded
    assert f"… and {STAR + 1 - SHOWN} more {FULL}" in folded


def test_the_markdown_lists_the_50_largest_communities(crowded):
    _, _, text = crowded
    section = text.split("## Communities", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"\| \d+ \| \d+ \|", line)]
    assert len(rows) == SHOWN
    assert f"… and {1 + PAIRS - SHOWN} more communities of {2 * (1 + PAIRS - SHOWN)} actors in all {FULL}" in section
    assert f"… and {STAR + 1 - SHOWN} more {FULL}" in rows[0]


def test_every_table_sits_in_its_own_scroll_box(crowded):
    _, page, _ = crowded
    tables = page.count("<table")
    assert tables > 10
    assert len(re.findall(r'<div class="scroll"><table', page)) == tables


def test_charts_are_narrow_and_scale_with_their_viewbox(crowded):
    _, page, _ = crowded
    charts = re.findall(r"<svg.*?</svg>", page, flags=re.DOTALL)
    assert len(charts) == 5
    for chart in charts:
        root = ET.fromstring(chart)
        _, _, width, height = (float(v) for v in root.get("viewBox").split())
        assert (float(root.get("width")), float(root.get("height"))) == (width, height)
        assert width <= 400  # at 368 px (a phone) the scale stays above 0.9
        sizes = [float(t.get("font-size")) for t in root.iter("{http://www.w3.org/2000/svg}text")]
        assert min(sizes) * 368 / width >= 10.5
    assert "svg.chart{display:block;max-width:100%;height:auto}" in page
