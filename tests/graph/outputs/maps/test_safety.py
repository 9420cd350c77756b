"""Hostile text in the data never becomes HTML or script in the map (unit level, no browser)."""

from __future__ import annotations

import json
import re

import pytest
from plugin_browser import HOSTILE_TEXTS

from thbkg.graph.outputs.maps.render import json_for_script, neutralise_href, render_map, safe_node_ids
from thbkg.graph.outputs.text import safe_url


@pytest.fixture(scope="module")
def hostile_html(hostile_network):
    return render_map(hostile_network, layout="geo", title='<img src=x onerror=alert("title")> href')


def _page_script(html: str) -> str:
    """Our own page script: the last <script> block (after the data and vis-network)."""
    blocks = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    assert len(blocks) == 2 and "vis-network" in blocks[0]
    return blocks[1]


def _without_vendor(html: str) -> str:
    """The page minus the vendored vis-network JS and CSS (which contain markup-like strings)."""
    from importlib import resources

    vendor = resources.files("thbkg.graph.outputs.maps") / "vendor"
    for name in ("vis-network.min.js", "vis-network.min.css"):
        text = (vendor / name).read_text(encoding="utf-8")
        assert text in html
        html = html.replace(text, "")
    return html


def test_no_raw_markup_from_the_data_anywhere(hostile_html):
    page = _without_vendor(hostile_html)
    for needle in ("<img", "<svg", "<!-- <svg", "<a href", "<b>", "<i>", "</script><script>alert"):
        assert needle not in page, needle
    # exactly our own script blocks: data, vis-network, page code
    assert page.count("<script") == 3 and page.count("</script>") == 3


def test_heading_and_title_are_escaped(hostile_html):
    assert '<h1 id="map-title">&lt;img src=x onerror=alert(&#34;title&#34;)&gt; href</h1>' in hostile_html
    assert "<title>&lt;img src=x onerror=alert(&#34;title&#34;)&gt; href</title>" in hostile_html


def test_data_block_round_trips_the_hostile_text(hostile_html, hostile_network):
    match = re.search(r'<script type="application/json" id="thbkg-data">(.*?)</script>', hostile_html, re.DOTALL)
    data = json.loads(match.group(1))
    labels = {a["label"] for a in data["actors"].values()}
    assert set(HOSTILE_TEXTS) <= labels               # shown verbatim (as text) in the panel
    block = match.group(1)
    assert "<" not in block and ">" not in block and "\u2028" not in block


def test_node_ids_are_slugs_even_for_hostile_ids(hostile_html):
    data = json.loads(re.search(r'id="thbkg-data">(.*?)</script>', hostile_html, re.DOTALL).group(1))
    for node in data["nodes"]:
        assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*", node["id"]), node["id"]
    for edge in data["edges"]:
        assert isinstance(edge["id"], int)


def test_no_tooltip_contains_href(hostile_html):
    """pyvis switches every tooltip to innerHTML when one title contains "href"."""
    data = json.loads(re.search(r'id="thbkg-data">(.*?)</script>', hostile_html, re.DOTALL).group(1))
    titles = [n.get("title", "") for n in data["nodes"]] + [e.get("title", "") for e in data["edges"]]
    assert titles and all("href" not in t.lower() for t in titles)
    assert any("h\u200bref" in t.lower() for t in titles)     # the hostile ones were neutralised


def test_page_code_never_uses_innerhtml_or_eval(hostile_html):
    own_code = _page_script(hostile_html)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "setAttribute(\"on", "DOMParser"):
        assert sink not in own_code, sink
    assert "textContent" in own_code


def test_only_http_urls_become_links(hostile_html):
    data = json.loads(re.search(r'id="thbkg-data">(.*?)</script>', hostile_html, re.DOTALL).group(1))
    for src in data["sources"].values():
        assert src["url"] is None or re.match(r"https?://", src["url"])
    assert any(s["urlText"].startswith("javascript:") for s in data["sources"].values())


def test_helpers():
    assert json_for_script("</script><!--") == '"\\u003c/script\\u003e\\u003c!--"'
    assert json.loads(json_for_script("\u2028&<>")) == "\u2028&<>"
    assert "href" not in neutralise_href("a HrEf b href").lower()
    assert safe_url(" HTTPS://x.org ") == "HTTPS://x.org"
    assert safe_url("data:text/html,<script>") is None and safe_url("//evil.org") is None
    ids = safe_node_ids(["a", "A", "ok-id", "__proto__", "x-" + "0" * 16])
    assert ids["ok-id"] == "ok-id" and ids["a"] == "a"
    assert len(set(ids.values())) == 5
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9_-]*", v) for v in ids.values())
