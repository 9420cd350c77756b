"""Focus views (graph/analytics/focus.py and ``thbkg map --focus/--region``), against data/*.csv read by hand.

The map keeps every link of the filtered data (ties not in force are drawn dashed) and draws frameworks as nodes,
so an ego network of depth 1 is the actor, the other end of each of its links, and every link among those.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from thbkg.cli.main import cli
from thbkg.graph.analytics.focus import ego_network, focus_view, region_view
from thbkg.graph.errors import UsageError

DATA = Path(__file__).resolve().parents[3] / "data"


def _rows(name):
    with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _ego_by_hand(centre, depth=1):
    links = _rows("links")
    kept = {centre}
    for _ in range(depth):
        kept |= {l["object"] if l["subject"] in kept else l["subject"] for l in links
                 if l["subject"] in kept or l["object"] in kept}
    return kept, {l["id"] for l in links if l["subject"] in kept and l["object"] in kept}


def _map_data(path):
    block = re.search(r'id="thbkg-data">(.*?)</script>', path.read_text(encoding="utf-8"), re.DOTALL).group(1)
    return json.loads(block)


@pytest.mark.parametrize("centre, depth", [("frontex", 1), ("ne", 1), ("greta", 2)])
def test_ego_network_is_the_hand_count(bundled_source, centre, depth):
    actors, links = _ego_by_hand(centre, depth)
    network, title = focus_view(bundled_source, focus=centre, depth=depth)
    assert set(network.actors) == actors
    assert {link["id"] for link in network.links} == links
    assert title.endswith(f"up to {depth} link{'s' if depth > 1 else ''} away")


def test_focus_takes_names_as_people_type_them(bundled_source):
    by_id, _ = focus_view(bundled_source, focus="frontex")
    by_label, _ = focus_view(bundled_source, focus="FRONTEX")
    assert set(by_id.actors) == set(by_label.actors)
    with pytest.raises(UsageError, match="unknown actor 'nobodyx'"):
        focus_view(bundled_source, focus="nobodyx")


def test_depth_must_be_positive(bundled_source):
    network, _ = focus_view(bundled_source)
    with pytest.raises(UsageError, match="--depth must be 1 or more"):
        ego_network(network, "frontex", 0)


def test_region_view_keeps_the_three_agencies_even_without_a_tie(bundled_source):
    from thbkg.graph.network.filters import Filters

    network, _ = focus_view(bundled_source, Filters(regions=("sahel",)))
    assert {"europol", "frontex", "eurojust"} <= set(network.actors)
    sahel = {m["actor"] for m in _rows("region_members") if m["region"] == "sahel"}
    links = {x["id"] for x in network.links}
    # by hand: Europol has no link with a Sahel country (a white spot), Frontex has several
    europol = [l for l in _rows("links") if "europol" in (l["subject"], l["object"])
               and {l["subject"], l["object"]} & sahel]
    frontex = [l["id"] for l in _rows("links") if "frontex" in (l["subject"], l["object"])
               and {l["subject"], l["object"]} & sahel]
    assert not europol and frontex
    assert not [x for x in network.links if "europol" in (x["subject"], x["object"])]  # the missing edge
    assert set(frontex) <= links
    again = region_view(network)
    assert set(again.actors) == set(network.actors)  # idempotent


def test_map_focus_from_the_command_line(runner, tmp_path):
    target = tmp_path / "frontex.html"
    result = runner.invoke(cli, ["map", "-o", str(target), "--focus", "Frontex", "--depth", "1"])
    assert result.exit_code == 0, result.output
    actors, links = _ego_by_hand("frontex")
    data = _map_data(target)
    assert {node["id"] for node in data["nodes"]} == actors
    assert f"{len(actors)} actors" in result.stderr and f"({len(links)} links)" in result.stderr
    assert "Around Frontex" in target.read_text(encoding="utf-8")


def test_brokers_view_keeps_both_groups_their_broker_and_the_frameworks_between(runner, tmp_path):
    horn = {m["actor"] for m in _rows("region_members") if m["region"] == "horn-of-africa"}
    # eu-member-states is the stated proxy: the EMN members plus Denmark (data/README.md)
    eu = {l["subject"] for l in _rows("links") if l["object"] == "emn" and l["type"] == "membership"} | {"dk"}
    target = tmp_path / "brokers.html"
    result = runner.invoke(cli, ["map", "-o", str(target), "--brokers", "eu-member-states", "horn-of-africa"])
    assert result.exit_code == 0, result.output
    nodes = {node["id"] for node in _map_data(target)["nodes"]}
    assert horn | eu | {"iom"} <= nodes  # IOM: the one broker between them on the bundled data (issue 10)
    frameworks = {a["id"] for a in _rows("actors")
                  if a["type"] in ("regional_process", "network", "platform", "programme", "treaty")}
    assert nodes - horn - eu - {"iom"} <= frameworks
    both = runner.invoke(cli, ["map", "-o", str(tmp_path / "x.html"), "--brokers", "sahel", "horn-of-africa",
                               "--focus", "iom"])
    assert both.exit_code == 2 and "give --focus or --brokers, not both" in both.output
