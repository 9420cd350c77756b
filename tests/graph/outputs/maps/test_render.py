"""The map page: self-contained, offline, encodes the data as documented, writes only its file."""

from __future__ import annotations

import json
import math
import os
import re
from html.parser import HTMLParser

import pytest

from thbkg.graph.outputs.maps.render import build_map, render_map, write_map
from thbkg.graph.outputs.maps.style import ACTOR_STYLES, LINK_STYLES


def payload_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="thbkg-data">(.*?)</script>', html, re.DOTALL)
    assert match, "data block missing"
    return json.loads(match.group(1))


class ExternalRefs(HTMLParser):
    """Collect every src/href attribute and <link> tag."""

    def __init__(self):
        super().__init__()
        self.refs, self.link_tags = [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "link":
            self.link_tags += 1
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.refs.append(value)


@pytest.fixture(scope="module")
def small_html(small_network):
    return render_map(small_network, layout="force", seed=3)


def test_page_is_self_contained_and_offline(small_html):
    parser = ExternalRefs()
    parser.feed(small_html)
    assert parser.refs == [] and parser.link_tags == 0
    for host in ("cdnjs.cloudflare.com", "cdn.jsdelivr.net", "unpkg.com", "googleapis.com"):
        assert host not in small_html
    assert "bootstrap" not in small_html.lower()
    assert "vis.Network" in small_html and "@version 9.1.2" in small_html  # vis-network inlined
    assert "Content-Security-Policy" in small_html and "connect-src 'none'" in small_html
    assert '<meta charset="utf-8">' in small_html


def test_counts_match_the_cooperation_graph(small_network, small_html):
    """Every pair with a link is drawn once; the solid ones are the ties in force of the two-mode graph."""
    G = small_network.cooperation_graph(frameworks="as-nodes")
    data = payload_of(small_html)
    assert len(data["nodes"]) == G.number_of_nodes() == 7
    assert len(data["links"]) == len(small_network.links)
    pairs = {frozenset((e["from"], e["to"])) for e in data["edges"]}
    # from the fixture's links: every pair, whatever the direction and status
    assert pairs == {frozenset((l["subject"], l["object"])) for l in small_network.links}
    assert len(data["edges"]) == len(pairs) == 7
    solid = {frozenset((e["from"], e["to"])) for e in data["edges"] if not e.get("dashes")}
    assert solid == {frozenset(e) for e in G.edges()}
    # l3 (ended) and l6 (suspended) are the only links of their pairs: no tie in force, drawn dashed
    assert pairs - solid == {frozenset(("bb", "agency")), frozenset(("cc", "agency2"))}
    assert {"proc"} <= {n["id"] for n in data["nodes"]}   # the framework is a node


def test_encoding_colour_shape_width_dashes(small_network, small_html):
    data = payload_of(small_html)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["aa"]["shape"] == ACTOR_STYLES["country"].shape
    assert nodes["agency"]["color"] == ACTOR_STYLES["eu_agency"].color
    assert nodes["agency"]["shape"] != nodes["aa"]["shape"]
    edges = {frozenset((e["from"], e["to"])): e for e in data["edges"]}
    aa_agency = edges[frozenset(("aa", "agency"))]      # two links: operational (active) + liaison (ended)
    assert len(aa_agency["links"]) == 2
    assert aa_agency["width"] > edges[frozenset(("aa", "proc"))]["width"]
    assert "dashes" not in aa_agency                    # one of its links is still active
    bb_agency = edges[frozenset(("bb", "agency"))]      # only link ended
    assert bb_agency["dashes"] is True and bb_agency["color"] == LINK_STYLES["strategic_agreement"].color
    assert edges[frozenset(("cc", "agency2"))]["dashes"] is True   # suspended
    assert edges[frozenset(("aa", "proc"))]["color"] == LINK_STYLES["membership"].color
    # tie of two links of different types: colour of the first type in legend order (equal counts)
    assert aa_agency["color"] == LINK_STYLES["operational_agreement"].color


def test_node_size_follows_the_metric(small_network):
    import networkx as nx

    data = build_map(small_network, size_by="degree").payload
    degree = dict(small_network.cooperation_graph(frameworks="as-nodes").degree())
    values = {n["id"]: n["value"] for n in data["nodes"]}
    # value is sqrt(degree) for the degree metric (independent check with networkx)
    for node, d in degree.items():
        assert values[node] == pytest.approx(math.sqrt(d), abs=1e-6)
    pr = nx.pagerank(small_network.cooperation_graph(frameworks="as-nodes"), weight="weight")
    data = build_map(small_network, size_by="pagerank").payload
    top = max(data["nodes"], key=lambda n: n["value"])["id"]
    assert top == max(pr, key=pr.get)


def test_panel_data_has_codes_metrics_links_and_sources(small_html):
    data = payload_of(small_html)
    aa = data["actors"]["aa"]
    assert aa["label"] == "Country A" and aa["typeLabel"] == "Country"
    assert aa["codes"]["ISO 3166 alpha-2"] == "AA" and aa["seat"] == "Acity"
    assert set(aa["metrics"]) >= {"degree", "pagerank", "betweenness"}
    l2 = next(l for l in data["links"] if l["id"] == "l2")
    assert (l2["start"], l2["end"], l2["status"]) == ("2015-03", "2019", "ended")
    # in force on 31 December of 2015 to 2019 (it ends on the last day of 2019); no date confidence in the fixture
    assert l2["yrs"] == [[2015, 2019]] and "u" not in l2
    assert l2["when"] == "2015-03 – 2019 (date confidence not given)"
    assert data["sources"]["src-a"] == {"title": "Source A title", "publisher": "Test publisher", "issued": "",
                                        "url": "https://example.org/a", "urlText": "", "grade": "ungraded",
                                        "documentary": False}   # the fixture's sources have no kind
    # a non-http URL is kept as text only
    assert data["sources"]["src-b"]["url"] is None and data["sources"]["src-b"]["urlText"].startswith("ftp:")
    assert data["years"] == {"min": 2005, "max": 2020}
    assert data["undatedLinks"] == 2   # l4 and l7 have no dates


def test_legend_lists_present_types_with_counts(small_html):
    legend = payload_of(small_html)["legend"]
    actor_counts = {e["code"]: e["count"] for e in legend["actor_types"]}
    assert actor_counts == {"country": 3, "eu_agency": 2, "eu_body": 1, "regional_process": 1}
    link_counts = {e["code"]: e["count"] for e in legend["link_types"]}
    assert link_counts["membership"] == 2 and sum(link_counts.values()) == 8


def test_top_keeps_the_most_central(small_network):
    data = build_map(small_network, size_by="degree", top=3).payload
    degree = dict(small_network.cooperation_graph(frameworks="as-nodes").degree())
    expected = sorted(degree, key=lambda n: (-degree[n], n))[:3]
    assert sorted(n["id"] for n in data["nodes"]) == sorted(expected)
    kept = set(expected)
    assert all(l["s"] in kept and l["o"] in kept for l in data["links"])
    assert any("most central of 7" in note for note in data["notes"])


def test_physics_only_for_small_force_maps(small_network):
    assert build_map(small_network, physics=True).payload["options"]["physics"]["enabled"] is True
    assert build_map(small_network, physics=False).payload["options"]["physics"]["enabled"] is False
    assert build_map(small_network, layout="geo", physics=True).payload["options"]["physics"]["enabled"] is False


def _page_in_a_process(fixtures, hash_seed):
    """The small network's map, rendered by a new Python process with the given PYTHONHASHSEED."""
    import subprocess
    import sys

    code = ("import sys; sys.path.insert(0, sys.argv[1]); from plugin_browser import make_small_network; "
            "from thbkg.graph.outputs.maps.render import render_map; "
            "sys.stdout.buffer.write(render_map(make_small_network(), seed=5).encode('utf-8'))")
    done = subprocess.run([sys.executable, "-c", code, str(fixtures)], capture_output=True, check=False,
                          env={**os.environ, "PYTHONHASHSEED": str(hash_seed)})
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done.stdout


def test_positions_are_seeded(fixtures_dir):
    """Same seed, two processes with different hash seeds (set order differs): the same page, byte for byte."""
    first, second = _page_in_a_process(fixtures_dir, 1), _page_in_a_process(fixtures_dir, 2)
    assert first == second
    assert payload_of(first.decode("utf-8"))["nodes"]


@pytest.mark.parametrize("kwargs, message", [({"layout": "spiral"}, "unknown layout"),
                                             ({"size_by": "closeness"}, "size-by"),
                                             ({"top": 0}, "at least 1")])
def test_bad_arguments_are_usage_errors(small_network, kwargs, message):
    from thbkg.graph.errors import UsageError

    with pytest.raises(UsageError, match=message):
        build_map(small_network, **kwargs)


def test_write_map_writes_only_the_output_file(small_network, tmp_path, monkeypatch):
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    target = tmp_path / "out" / "map.html"
    info = write_map(small_network, target, layout="geo")
    assert os.listdir(work) == []                       # pyvis' lib/ never appears
    assert sorted(os.listdir(target.parent)) == ["map.html"]   # no temp files left
    raw = target.read_bytes()
    assert info.bytes == len(raw) and info.nodes == 7 and info.layout == "geo"
    raw.decode("utf-8")                                 # valid UTF-8


def test_write_map_is_utf8_with_non_ascii_labels(tmp_path):
    from plugin_browser import _network, actor, link, source

    net = _network({"ci": actor("ci", "Côte d’Ivoire", "country", 6.8, -5.3),
                    "tr": actor("tr", "Türkiye — Ankara 🇹🇷", "country", 39.9, 32.9)},
                   [link("k1", "ci", "tr", "joint_action")],
                   {"src-a": source("src-a", "Source é", "https://example.org/é")})
    target = tmp_path / "m.html"
    write_map(net, target)
    text = target.read_bytes().decode("utf-8")
    data = payload_of(text)
    assert data["actors"]["tr"]["label"] == "Türkiye — Ankara 🇹🇷"
    assert data["actors"]["ci"]["label"] == "Côte d’Ivoire"


def _csv_rows(table):
    import csv
    from pathlib import Path

    with open(Path(__file__).resolve().parents[4] / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_bundled_graph_map(bundled_source, tmp_path):
    """The real graph: every actor is on the map and every link is listed (counted from the CSV tables)."""
    from thbkg.graph.network.projections import load_network

    net = load_network(bundled_source)
    info = write_map(net, tmp_path / "m.html", layout="geo")
    data = payload_of((tmp_path / "m.html").read_text(encoding="utf-8"))
    links = _csv_rows("links")
    assert info.nodes == len(data["nodes"]) == len(_csv_rows("actors"))
    assert info.edges == len({frozenset((r["subject"], r["object"])) for r in links})
    assert sorted(l["id"] for l in data["links"]) == sorted(r["id"] for r in links)
    # Europol and Eurojust share The Hague's coordinates in the data but get distinct positions
    pos = {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}
    assert pos["europol"] != pos["eurojust"]
    assert math.dist(pos["europol"], pos["eurojust"]) < 100


def test_cli_map_command(runner, tmp_path, monkeypatch):
    from thbkg.cli.main import cli

    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["map", "-o", "sub/m.html", "--layout", "circular", "--top", "20",
                                 "--title", "<b>Title</b>", "--type", "membership"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "sub" / "m.html").read_text(encoding="utf-8")
    assert "<h1 id=\"map-title\">&lt;b&gt;Title&lt;/b&gt;</h1>" in html
    data = payload_of(html)
    members = {a for r in _csv_rows("links") if r["type"] == "membership" for a in (r["subject"], r["object"])}
    assert len(members) > 20 and len(data["nodes"]) == 20   # --top keeps 20 of the actors with a membership
    assert {l["type"] for l in data["links"]} == {"membership"}
    assert sorted(os.listdir(tmp_path)) == ["sub"]


def test_cli_bad_option_is_one_line(runner):
    from thbkg.cli.main import cli

    result = runner.invoke(cli, ["map", "-o", "x.html", "--layout", "spiral"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_links_carry_their_evidence(bundled_source):
    """Date basis, source grades and note of each link, checked against data/links.csv and data/sources.csv."""
    from thbkg.graph.network.projections import load_network

    data = build_map(load_network(bundled_source)).payload
    links = {rec["id"]: rec for rec in data["links"]}
    kinds = {r["id"]: r["kind"] for r in _csv_rows("sources")}
    documentary = {"official_text", "official_page", "secondary"}   # docs/design.md: documents that were read
    row = next(r for r in _csv_rows("links") if r["id"] == "frontex-ng-working-arrangement")
    assert "research-from-memory" in row["sources"].split(";") and row["date_confidence"] == "low"
    rec = links[row["id"]]
    assert rec["when"] == f"since {row['start']}, from memory (unverified)"
    assert rec["note"] == row["note"]
    assert sorted(rec["sources"]) == sorted(row["sources"].split(";"))
    assert rec["sources"][-1] == "research-from-memory"                   # strongest grade first
    assert "po" not in rec                                                # one of its sources is a document
    for sid in rec["sources"]:
        assert data["sources"][sid]["documentary"] is (kinds[sid] in documentary)
    assert data["sources"]["research-from-memory"]["grade"] == "memory (unverified)"
    only_placeholders = [r["id"] for r in _csv_rows("links")
                         if r["sources"] and not {kinds[s] for s in r["sources"].split(";")} & documentary]
    assert only_placeholders
    assert sorted(k for k, rec in links.items() if rec.get("po")) == sorted(only_placeholders)


def test_frameworks_are_nodes_with_a_dashed_border(bundled_source):
    from thbkg.graph.network.projections import load_network

    data = build_map(load_network(bundled_source)).payload
    nodes = {n["id"]: n for n in data["nodes"]}
    frameworks = {r["id"] for r in _csv_rows("actors")
                  if r["type"] in {"treaty", "regional_process", "network", "platform", "programme"}}   # docs/design.md
    assert frameworks and frameworks <= set(nodes)
    assert {k for k, n in nodes.items() if "shapeProperties" in n} == frameworks
    assert {e["code"] for e in data["legend"]["actor_types"] if e["framework"]} == \
        {r["type"] for r in _csv_rows("actors") if r["id"] in frameworks}
