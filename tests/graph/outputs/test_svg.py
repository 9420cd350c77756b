"""Inline SVG charts: well-formed XML, one bar per item, escaped text, proportional lengths."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from thbkg.graph.outputs.svg import bar_chart, timeline_chart

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("n", [0, 1, 7, 25])
def test_bar_chart_has_one_bar_per_item(n):
    items = [(f"actor {i}", float(n - i)) for i in range(n)]
    root = ET.fromstring(bar_chart(items, "Degree"))
    bars = root.findall(f".//{SVG}rect[@class='bar']")
    assert len(bars) == n
    if n > 1:
        widths = [float(b.get("width")) for b in bars]
        # lengths are proportional to the values
        assert widths[0] / widths[1] == pytest.approx(n / (n - 1), rel=1e-2)


def test_bar_chart_escapes_labels_and_title():
    hostile = "<img src=x onerror=alert(1)> & \"q\""
    svg = bar_chart([(hostile, 1.0)], hostile)
    assert "<img" not in svg
    root = ET.fromstring(svg)  # still well-formed
    texts = [t.text or "" for t in root.iter(f"{SVG}title")]
    assert hostile in texts  # the parser gives back the original text, so it was escaped, not dropped


def test_timeline_has_one_group_per_year_and_stacks_to_the_total():
    years = [{"year": 2000 + i, "high": i, "medium": 1, "low": 0, "unstated": 2} for i in range(5)]
    root = ET.fromstring(timeline_chart(years))
    groups = root.findall(f".//{SVG}g[@class='year']")
    assert len(groups) == 5
    heights = [sum(float(r.get("height")) for r in g.findall(f"{SVG}rect")) for g in groups]
    totals = [i + 3 for i in range(5)]
    for h, total in zip(heights, totals, strict=True):
        assert h / heights[-1] == pytest.approx(total / totals[-1], rel=1e-2)


def test_empty_timeline_is_still_valid_svg():
    root = ET.fromstring(timeline_chart([]))
    assert root.tag == f"{SVG}svg"
