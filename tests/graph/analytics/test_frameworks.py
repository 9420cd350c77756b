"""Frameworks (issue 10, item 3): members, growth and chairs, checked against data/*.csv read with csv."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from importlib import resources
from types import SimpleNamespace

import pytest

from thbkg.graph.analytics.frameworks import framework_summary
from thbkg.graph.network.projections import load_network

#: the codebook (docs/design.md): framework actor types and the membership family
FRAMEWORK_TYPES = {"treaty", "regional_process", "network", "platform", "programme"}  # docs/design.md
MEMBERSHIP_TYPES = {"membership", "observer", "treaty_party"}


def _table(name):
    with (resources.files("thbkg.data") / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def bundled(bundled_source):
    return {f["id"]: f for f in framework_summary(load_network(bundled_source))}


@pytest.fixture(scope="module")
def by_hand():
    frameworks = {row["id"] for row in _table("actors.csv") if row["type"] in FRAMEWORK_TYPES}
    members = defaultdict(lambda: defaultdict(list))
    governance = defaultdict(set)
    for row in _table("links.csv"):
        if row["object"] not in frameworks:
            continue
        if row["type"] in MEMBERSHIP_TYPES:
            members[row["object"]][row["subject"]].append(row)
        role = row["role"].lower()
        if row["type"] == "secretariat" or "chair" in role or "secretariat" in role:
            governance[row["object"]].add(row["id"])
    return {"frameworks": frameworks, "members": members, "governance": governance}


def test_every_framework_of_actors_csv_is_listed(bundled, by_hand):
    assert set(bundled) == by_hand["frameworks"]


def test_members_in_force_and_by_type(bundled, by_hand):
    for framework, members in by_hand["members"].items():
        # in force: status active, or no status stated (data/README.md: the link is then taken as in force)
        current = {m for m, rows in members.items() if any(r["status"] in ("active", "") for r in rows)}
        assert bundled[framework]["members"] == len(current), framework
        by_type = Counter(t for m in current for t in {r["type"] for r in members[m]
                                                         if r["status"] in ("active", "")})
        assert bundled[framework]["by_type"] == dict(by_type), framework
        assert {m["id"] for m in bundled[framework]["member_list"]} == set(members), framework


def test_growth_counts_a_member_as_undated_when_one_of_its_links_is(bundled, by_hand):
    for framework, members in by_hand["members"].items():
        undated = {m for m, rows in members.items() if any(not r["start"] for r in rows)}
        growth = bundled[framework]["growth"]
        assert growth["undated"] == len(undated) and growth["dated"] == len(members) - len(undated), framework
        joined = Counter()
        for m, rows in members.items():
            if m not in undated:
                year = min(int(r["start"][:4]) for r in rows)
                joined[year - year % 5] += 1
        assert {p["first"]: p["joined"] for p in growth["periods"] if p["joined"]} == dict(joined), framework


def test_chairs_and_secretariats_are_the_roles_of_links_csv(bundled, by_hand):
    for framework in by_hand["frameworks"]:
        assert {g["link"] for g in bundled[framework]["governance"]} == by_hand["governance"][framework], framework
    khartoum = bundled["khartoum-process"]["governance"]
    # links.csv: Egypt chairs since 2024-04 (khartoum-process-eg-chair-2024, active); Germany's chair ended 2024-04
    assert (khartoum[0]["actor"], khartoum[0]["role"], khartoum[0]["start"]) == ("eg", "chair", "2024-04")
    germany = next(g for g in khartoum if g["link"] == "khartoum-process-de-chair")
    assert (germany["state"], germany["end"]) == ("ended", "2024-04")


def _net(links, actors=None):
    actors = actors or {"t": {"label": "Treaty", "type": "treaty"}, "a": {"label": "A", "type": "country"},
                        "b": {"label": "B", "type": "country"}, "c": {"label": "C", "type": "country"}}
    return SimpleNamespace(actors=actors, links=[
        {"id": i, "subject": s, "object": o, "type": t, "start": start, "end": end, "status": status, "role": None}
        for i, s, o, t, start, end, status in links])


def test_a_signatory_is_not_a_party_in_force():
    net = _net([("l1", "a", "t", "treaty_party", "2005", None, "active"),
                ("l2", "b", "t", "treaty_party", "2006", None, "signed"),
                ("l3", "c", "t", "treaty_party", "2001", "2012", "ended")])
    treaty = framework_summary(net)[0]
    assert treaty["members"] == 1 and treaty["by_state"] == {"in_force": 1, "signed": 1, "ended": 1}
    assert [m["id"] for m in treaty["member_list"]] == ["a", "b", "c"]  # in force, signed, ended
    # joined: c 2001, a 2005, b 2006; left: c 2012
    assert treaty["growth"]["periods"] == [{"first": 2000, "last": 2004, "joined": 1, "left": 0},
                                           {"first": 2005, "last": 2009, "joined": 2, "left": 0},
                                           {"first": 2010, "last": 2014, "joined": 0, "left": 1}]


def test_events_are_activity_not_membership():
    actors = {"p": {"label": "Platform", "type": "platform"}, "a": {"label": "A", "type": "country"}}
    net = _net([("e1", "a", "p", "joint_action", "2019-06", "2019-06", "ended")], actors)
    platform = framework_summary(net)[0]
    assert platform["members"] == 0 and platform["member_list"] == []
    assert platform["events"] == {"links": 1, "participants": 1}


def test_no_framework_no_rows():
    assert framework_summary(_net([], {"a": {"label": "A", "type": "country"}})) == []
