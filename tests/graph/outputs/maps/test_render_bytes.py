"""The map page written as bytes piece by piece (render_page_bytes, json_chunks) is the page rendered as one
text and encoded (render_page), byte for byte."""

from __future__ import annotations

import json

import pytest

from thbkg.graph.outputs.maps.render import (
    build_map,
    json_chunks,
    json_for_script,
    render_page,
    render_page_bytes,
    write_map,
)

HOSTILE = {"nodes": [{"id": "a", "label": "</script><!--x--> & é ✓ \u2028\u2029 🇹🇷"}, {"id": "b", "x": -1.5}],
           "edges": [], "actors": {"a": {"codes": {}, "metrics": {"pagerank": 0.25}}, "é": {}},
           "links": [[1, 2], [], None], "options": {"physics": {"enabled": False}}, "years": None,
           "flags": (True, False), "sources": {}}


def test_json_chunks_join_to_the_escaped_document():
    text = "".join(json_chunks(HOSTILE))
    # independent of the map code: the standard library's compact JSON, with <, >, & and U+2028/9 escaped
    expected = json.dumps(HOSTILE, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        expected = expected.replace(raw, escaped)
    assert text == expected == json_for_script(HOSTILE)
    assert json.loads(text) == json.loads(json.dumps(HOSTILE))
    assert "</script" not in text and "\u2028" not in text


def test_json_chunks_cut_at_items_and_refuse_nan():
    assert list(json_chunks({"nodes": [1, {"a": "<"}], "e": {}})) == [
        "{", '"nodes":', "[", "1", ",", '{"a":"\\u003c"}', "]", ',"e":', "{", "}", "}"]
    assert list(json_chunks({1: "x"})) == ['{"1":"x"}']         # a key JSON converts: one piece, as json.dumps
    assert list(json_chunks([], depth=0)) == ["[]"]
    with pytest.raises(ValueError):
        "".join(json_chunks({"nodes": [float("nan")]}))


@pytest.mark.parametrize("layout", ["force", "geo", "circular"])
def test_page_bytes_are_the_encoded_page(small_network, layout):
    data = build_map(small_network, layout=layout, seed=3, title="Tëst </script> \u2028 ✓")
    assert render_page_bytes(data) == render_page(data).encode("utf-8")
    assets = {"css": "vis.css", "scripts": ["vis.js", "map-data.js"], "app": "map-app.js", "jsonld": {"a": "b"}}
    assert render_page_bytes(data, assets=assets, csp="default-src 'self'") == render_page(
        data, assets=assets, csp="default-src 'self'").encode("utf-8")


def test_write_map_writes_the_encoded_page(small_network, tmp_path):
    info = write_map(small_network, tmp_path / "m.html", layout="geo", seed=5)
    expected = render_page(build_map(small_network, layout="geo", seed=5)).encode("utf-8")
    assert (tmp_path / "m.html").read_bytes() == expected and info.bytes == len(expected)
