"""The ego map of an actor page: well-formed SVG, one group per neighbour, escaped text, deterministic layout."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from thbkg.graph.outputs.svg import ego_map

SVG = "{http://www.w3.org/2000/svg}"
CENTER = {"id": "iom", "label": "International Organization for Migration"}
HOSTILE = ["</svg><script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


def neighbours(n, state="in_force", labels=None):
    labels = labels or [f"actor {i}" for i in range(n)]
    return [{"id": f"actor-{i}", "label": labels[i], "kind": "agreement, membership", "state": state, "count": i + 1}
            for i in range(n)]


def groups(root):
    return root.findall(f".//{SVG}g[@class='ego-neighbour']")


@pytest.mark.parametrize("n", [0, 1, 4, 12])
def test_one_group_per_neighbour_in_well_formed_svg(n):
    root = ET.fromstring(ego_map(CENTER, neighbours(n), title="Ties of IOM"))
    assert root.tag == f"{SVG}svg"
    assert len(groups(root)) == n
    assert root.get("role") == "img"
    assert root.get("style") is None  # no inline style: a strict CSP would block it
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("360", "300", "0 0 360 300")
    title = root.find(f"{SVG}title")
    assert title.text == "Ties of IOM" and title.get("id") == root.get("aria-labelledby")
    assert not root.findall(f".//{SVG}script")


def test_links_only_with_a_prefix():
    plain = ET.fromstring(ego_map(CENTER, neighbours(3), title="t"))
    assert not plain.findall(f".//{SVG}a")
    assert not [e for e in plain.iter() if e.get("href") is not None]
    linked = ET.fromstring(ego_map(CENTER, neighbours(3), title="t", link_prefix="../actor/"))
    anchors = linked.findall(f".//{SVG}a")
    assert [a.get("href") for a in anchors] == ["../actor/actor-0.html", "../actor/actor-1.html",
                                                "../actor/actor-2.html"]
    # each anchor holds exactly one neighbour group, and the centre is not linked
    assert [len(a.findall(f"{SVG}g[@class='ego-neighbour']")) for a in anchors] == [1, 1, 1]
    assert linked.find(f"{SVG}g[@class='ego-centre']") is not None


def test_hostile_ids_are_escaped_in_hrefs():
    nb = [{"id": '"><script>x</script>', "label": "a", "kind": "k", "state": "in_force", "count": 1}]
    root = ET.fromstring(ego_map(CENTER, nb, title="t", link_prefix="../actor/"))
    assert root.find(f".//{SVG}a").get("href") == '../actor/"><script>x</script>.html'
    assert not root.findall(f".//{SVG}script")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_labels_stay_text(hostile):
    center = {"id": "c", "label": hostile}
    nb = [{"id": "a", "label": hostile, "kind": hostile, "state": "in_force", "count": 2}]
    svg = ego_map(center, nb, title=hostile, link_prefix="../actor/")
    root = ET.fromstring(svg)
    assert not root.findall(f".//{SVG}script") and not root.findall(f".//{SVG}img")
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in {"script", "img"}]
    assert not [e for e in root.iter() if "onerror" in e.attrib]
    assert root.find(f"{SVG}title").text == hostile
    tooltip = groups(root)[0].find(f"{SVG}title").text
    assert tooltip.splitlines()[0] == hostile and hostile in tooltip.splitlines()[1]
    assert root.find(f"{SVG}g[@class='ego-centre']/{SVG}title").text == hostile


def test_tooltip_gives_label_kind_and_count():
    root = ET.fromstring(ego_map(CENTER, neighbours(2), title="t"))
    tips = [g.find(f"{SVG}title").text for g in groups(root)]
    assert tips == ["actor 0\nagreement, membership · 1 link record", "actor 1\nagreement, membership · 2 link records"]


def test_same_input_gives_same_bytes():
    nb = neighbours(7, labels=[f"Actor with a rather long name number {i}" for i in range(7)])
    first = ego_map(CENTER, nb, title="t", link_prefix="../actor/")
    assert ego_map(dict(CENTER), [dict(n) for n in nb], title="t", link_prefix="../actor/") == first


@pytest.mark.parametrize(("state", "dashed"), [("in_force", None), ("not_in_force", "6 4"), ("ended", "2 3"),
                                               ("no such state", None)])
def test_line_style_follows_the_state(state, dashed):
    root = ET.fromstring(ego_map(CENTER, neighbours(1, state=state), title="t"))
    line = groups(root)[0].find(f"{SVG}line")
    assert line.get("stroke-dasharray") == dashed
    assert line.get("stroke") == ("#5f6368" if state == "ended" else "#3c4043")


def test_line_width_grows_with_the_count_up_to_five():
    nb = neighbours(7)  # counts 1..7
    widths = [float(g.find(f"{SVG}line").get("stroke-width")) for g in groups(ET.fromstring(ego_map(CENTER, nb,
                                                                                                    title="t")))]
    assert widths[:5] == sorted(widths[:5]) and len(set(widths[:5])) == 5
    assert widths[4] == widths[5] == widths[6]


def test_four_neighbours_sit_above_right_below_and_left_of_the_centre():
    root = ET.fromstring(ego_map(CENTER, neighbours(4), title="t", width=360, height=300))
    centre = root.find(f"{SVG}g[@class='ego-centre']/{SVG}circle")
    cx, cy = float(centre.get("cx")), float(centre.get("cy"))
    assert (cx, cy) == (180.0, 150.0)  # the middle of the 360 x 300 viewBox
    nodes = [(float(c.get("cx")), float(c.get("cy"))) for c in (g.find(f"{SVG}circle") for g in groups(root))]
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = nodes
    r = cy - y0
    assert r > 0
    # first straight above, then clockwise: right, below, left, all at the same distance
    assert x0 == cx
    assert (x1, y1) == (cx + r, cy)
    assert (x2, y2) == (cx, cy + r)
    assert (x3, y3) == (cx - r, cy)
    # each line joins the centre to its node
    for g, (x, y) in zip(groups(root), nodes, strict=True):
        line = g.find(f"{SVG}line")
        assert [float(line.get(a)) for a in ("x1", "y1", "x2", "y2")] == [cx, cy, x, y]


def test_labels_sit_outside_their_nodes_and_run_away_from_the_centre():
    root = ET.fromstring(ego_map(CENTER, neighbours(4), title="t"))
    anchors = [g.find(f"{SVG}text").get("text-anchor") for g in groups(root)]
    assert anchors == ["middle", "start", "middle", "end"]
    top, right = groups(root)[:2]
    top_y = float(top.find(f"{SVG}circle").get("cy"))
    assert all(float(t.get("y")) < top_y for t in top.iter(f"{SVG}tspan"))
    right_x = float(right.find(f"{SVG}circle").get("cx"))
    assert all(float(t.get("x")) > right_x for t in right.iter(f"{SVG}tspan"))


def test_long_labels_are_shortened_but_whole_in_the_tooltip():
    label = "Rabat Process (Euro-African Dialogue on Migration and Development)"
    group = groups(ET.fromstring(ego_map(CENTER, neighbours(1, labels=[label]), title="t")))[0]
    drawn = " ".join(t.text for t in group.iter(f"{SVG}tspan"))
    assert drawn.endswith("…") and len(drawn) <= 28
    assert group.find(f"{SVG}title").text.splitlines()[0] == label


def test_no_neighbours_draws_the_centre_and_says_so():
    root = ET.fromstring(ego_map({"id": "x", "label": "Lonely"}, [], title="t", link_prefix="../actor/"))
    assert not groups(root) and not root.findall(f".//{SVG}a") and not root.findall(f".//{SVG}line")
    assert root.find(f"{SVG}g[@class='ego-centre']/{SVG}text").text == "Lonely"
    assert "no ties" in [t.text for t in root.findall(f"{SVG}text")]
