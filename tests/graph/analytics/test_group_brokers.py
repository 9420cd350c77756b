"""Brokers between two groups (thbkg.graph.analytics.brokers.group_brokers) and the groups themselves
(thbkg.graph.analytics.groups): scores counted by hand and by brute force over nx.all_shortest_paths,
Gould-Fernandez roles worked by hand, groups checked against data/*.csv read here."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import networkx as nx
import pytest

from thbkg.graph.analytics.brokers import brokerage_roles, group_brokers
from thbkg.graph.analytics.groups import resolve_group
from thbkg.graph.errors import UsageError
from thbkg.graph.network.filters import Filters
from thbkg.graph.network.projections import Network, load_network

DATA = Path(__file__).resolve().parents[3] / "data"
MEMBERSHIP_FAMILY = ("membership", "observer", "treaty_party")  # docs/design.md, link types table


def read_csv(name):
    with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def toy_network(edges, *, absent=(), types=None, filters=None):
    """Actors tied by working arrangements (subject -> object), all in force; *absent* actors are known
    to the data but not kept (as a filter would leave them out)."""
    ids = sorted({a for edge in edges for a in edge})
    actors = {a: {"id": a, "label": a.upper(), "type": (types or {}).get(a, "country")} for a in ids}
    everyone = actors | {a: {"id": a, "label": a.upper(), "type": "country"} for a in absent}
    base = {"type": "working_arrangement", "family": "agreement", "role": None, "start": "2015", "end": None,
            "start_day": None, "end_day": None, "status": "active", "confidence": "high", "date_confidence": "high",
            "note": None, "label": None}
    links = [dict(base, id=f"l{i:02d}-{s}-{o}", subject=s, object=o, sources=(f"src-{s}-{o}",))
             for i, (s, o) in enumerate(edges)]
    return Network(actors=actors, links=links, all_actors=everyone, filters=filters or Filters())


# a1, a2 (group A) and b1, b2, b3 (group B); x, y, z in neither; s in both; a3 in A but filtered out.
#   a1 - x, a2 - x, x - y, x - z, y - b1, z - b1, y - b2, b2 - b3, s - z
TOY_EDGES = [("a1", "x"), ("a2", "x"), ("x", "y"), ("x", "z"), ("y", "b1"), ("z", "b1"), ("y", "b2"), ("b2", "b3"),
             ("s", "z")]
GROUP_A, GROUP_B = "a1,a2,a3,s", "b1,b2,b3,s"


def test_toy_scores_by_hand():
    """Pairs and their shortest paths, by hand (s is in both groups, so left out of both):
    (a1, b1): a1-x-y-b1 and a1-x-z-b1, so x 1, y 1/2, z 1/2; (a2, b1) the same;
    (a1, b2): a1-x-y-b2, so x 1, y 1; (a2, b2) the same;
    (a1, b3): a1-x-y-b2-b3, so x 1, y 1, b2 1; (a2, b3) the same.
    x = 6, y = 5, b2 = 2 (a member of B), z = 1, over 6 connected pairs."""
    rows, basis = group_brokers(toy_network(TOY_EDGES, absent=("a3",)), GROUP_A, GROUP_B, max_paths=0)
    got = {r["id"]: (r["rank"], r["score"], r["share"], r["in_group"], r["member_of"]) for r in rows}
    assert got == {"x": (1, 6.0, 1.0, False, None), "y": (2, 5.0, 5 / 6, False, None),
                   "b2": (3, 2.0, 2 / 6, True, "B"), "z": (4, 1.0, 1 / 6, False, None)}
    assert basis["shared_members"] == ["s"]
    assert basis["groups"]["A"]["absent"] == ["a3"] and basis["groups"]["A"]["size"] == 4
    assert basis["groups"]["A"]["in_graph"] == 3 and basis["groups"]["A"]["used"] == 2
    assert basis["groups"]["B"]["used"] == 3 and basis["pairs"] == 6 and basis["connected_pairs"] == 6
    assert basis["adjacent_pairs"] == 0 and basis["brokers"] == 4 and basis["filters"] == "none"


def brute_force_scores(G, sources, targets):
    """Sum over (s, t) of the share of the shortest s-t paths through each inner node, from the paths listed."""
    scores = {}
    for s, t in itertools.product(sources, targets):
        if s == t or not nx.has_path(G, s, t):
            continue
        paths = list(nx.all_shortest_paths(G, s, t))
        for path in paths:
            for v in path[1:-1]:
                scores[v] = scores.get(v, 0.0) + 1 / len(paths)
    return scores


def test_toy_scores_against_brute_force():
    network = toy_network(TOY_EDGES, absent=("a3",))
    rows, _ = group_brokers(network, GROUP_A, GROUP_B, top=0, max_paths=0)
    expected = brute_force_scores(network.cooperation_graph(), ["a1", "a2"], ["b1", "b2", "b3"])
    assert {r["id"]: r["score"] for r in rows} == pytest.approx(expected)


def test_bundled_scores_against_brute_force(bundled_network):
    rows, basis = group_brokers(bundled_network, "eu-member-states", "horn-of-africa", top=0, max_paths=0)
    G = bundled_network.cooperation_graph()
    a = [m for m in resolve_group(bundled_network, "eu-member-states").members if m in G]
    b = [m for m in resolve_group(bundled_network, "horn-of-africa").members if m in G]
    expected = brute_force_scores(G, a, b)
    assert {r["id"]: r["score"] for r in rows} == pytest.approx(expected)
    assert rows and basis["pairs"] == len(a) * len(b)


def test_toy_paths_pass_through_the_broker_with_their_links():
    rows, _ = group_brokers(toy_network(TOY_EDGES, absent=("a3",)), GROUP_A, GROUP_B, max_paths=3)
    z = next(r for r in rows if r["id"] == "z")
    # z lies only on the shortest paths to b1: a1-x-z-b1 and a2-x-z-b1
    assert [p["actors"] for p in z["paths"]] == [["a1", "x", "z", "b1"], ["a2", "x", "z", "b1"]]
    hop = z["paths"][0]["hops"][0]
    assert (hop["from"], hop["to"]) == ("a1", "x")
    assert [(l["id"], l["type"], l["start"], l["status"], l["sources"]) for l in hop["links"]] == [
        ("l00-a1-x", "working_arrangement", "2015", "active", ["src-a1-x"])]
    b2 = next(r for r in rows if r["id"] == "b2")
    assert [p["actors"] for p in b2["paths"]] == [["a1", "x", "y", "b2", "b3"], ["a2", "x", "y", "b2", "b3"]]


def test_a_shared_framework_hop_names_the_framework_and_its_links():
    """a and b belong to the platform p (not a node by default); b works with agency c."""
    network = toy_network([("a", "p"), ("b", "p"), ("b", "c")], types={"p": "platform", "c": "eu_agency"})
    for link in network.links:
        if link["object"] == "p":
            link.update(type="membership", family="membership")
    rows, _ = group_brokers(network, "a", "c")
    assert [r["id"] for r in rows] == ["b"]
    first_hop = rows[0]["paths"][0]["hops"][0]
    assert first_hop["via"] == "framework" and first_hop["links"] == []
    assert [f["id"] for f in first_hop["frameworks"]] == ["p"]
    assert [l["id"] for l in first_hop["frameworks"][0]["links"]] == ["l00-a-p", "l01-b-p"]


# Gould-Fernandez across two groups, by hand. A = {a1, a2}, B = {b1, b2}, p and q in neither:
#   a1->a2, a2->b1, b1->b2, a1->p, p->b2, a1->q, q->a2
# a2 brokers a1->b1 (A A B: representative); b1 brokers a2->b2 (A B B: gatekeeper);
# p brokers a1->b2 (A other B: liaison); q brokers a1->a2 only, which a1->a2 already ties (not open),
# and a1->q->a2 would be itinerant anyway, inside A: not across.
def test_crossing_roles_by_hand():
    D = nx.DiGraph([("a1", "a2"), ("a2", "b1"), ("b1", "b2"), ("a1", "p"), ("p", "b2"), ("a1", "q"), ("q", "a2")])
    groups = {"a1": "A", "a2": "A", "b1": "B", "b2": "B", "p": "other", "q": "other"}
    roles = brokerage_roles(D, groups, across=("A", "B"))
    got = {node: {k: v for k, v in counts.items() if v} for node, counts in roles.items()}
    assert got == {"a1": {}, "a2": {"representative": 1, "total": 1}, "b1": {"gatekeeper": 1, "total": 1},
                   "b2": {}, "p": {"liaison": 1, "total": 1}, "q": {}}
    # without `across`, a1->p->b2 is still liaison but a2->b1->b2 is also counted for b1, and so on
    assert brokerage_roles(D, groups)["p"]["liaison"] == 1


def test_group_brokers_reports_the_crossing_roles():
    network = toy_network([("a1", "a2"), ("a2", "b1"), ("b1", "b2"), ("a1", "p"), ("p", "b2")])
    rows, basis = group_brokers(network, "a1,a2", "b1,b2")
    roles = {r["id"]: r["roles"] for r in rows}
    # undirected: a1-a2-b1 and a1-p-b2 (2 hops), a2-b1-b2 (2 hops); a1-b1 has one path a1-a2-b1
    assert roles["a2"] == {"representative": 1, "gatekeeper": 0, "liaison": 0, "total": 1}
    assert roles["b1"] == {"representative": 0, "gatekeeper": 1, "liaison": 0, "total": 1}
    assert roles["p"] == {"representative": 0, "gatekeeper": 0, "liaison": 1, "total": 1}
    assert basis["crossing_two_paths"] == 3


def test_rows_are_a_table():
    """One flat dict per broker with the same keys, as pandas.DataFrame(rows) expects."""
    rows, _ = group_brokers(toy_network(TOY_EDGES, absent=("a3",)), GROUP_A, GROUP_B)
    assert {tuple(r) for r in rows} == {("rank", "id", "label", "type", "score", "share", "in_group", "member_of",
                                         "roles", "paths")}


# ---------------------------------------------------------------------- groups on the bundled data
@pytest.fixture(scope="module")
def bundled_network(bundled_source):
    return load_network(bundled_source)


def test_region_group_is_its_members_in_region_members_csv(bundled_network):
    expected = sorted(r["actor"] for r in read_csv("region_members") if r["region"] == "horn-of-africa")
    for spec in ("horn-of-africa", "Horn of Africa", "region:horn-of-africa", "horn_of_africa"):
        group = resolve_group(bundled_network, spec)
        assert (group.kind, group.name, list(group.members)) == ("region", "horn-of-africa", expected)


def test_actor_type_group(bundled_network):
    expected = sorted(r["id"] for r in read_csv("actors") if r["type"] == "eu_agency")
    assert list(resolve_group(bundled_network, "type:eu_agency").members) == expected
    assert list(resolve_group(bundled_network, "type:EU agency").members) == expected  # its label in the ontology


def test_framework_members_are_the_membership_links_in_force(bundled_network):
    expected = sorted({r["subject"] for r in read_csv("links") if r["object"] == "rabat-process"
                       and r["type"] in MEMBERSHIP_FAMILY and r["status"] == "active"})
    assert list(resolve_group(bundled_network, "members:rabat-process").members) == expected


def test_eu_member_states_proxy(bundled_network):
    """links.csv records no membership of 'eu'; the EMN members (membership, not observer) plus Denmark,
    whose actor record and the source emn-members-page say it is the one EU Member State outside the EMN."""
    links = read_csv("links")
    assert not [r for r in links if r["object"] == "eu" and r["type"] in MEMBERSHIP_FAMILY]
    emn = {r["subject"] for r in links if r["object"] == "emn" and r["type"] == "membership" and r["status"] == "active"}
    dk = next(r for r in read_csv("actors") if r["id"] == "dk")
    assert "except Denmark" in dk["note"]
    group = resolve_group(bundled_network, "eu-member-states")
    assert list(group.members) == sorted(emn | {"dk"}) and len(group.members) == 27
    assert "proxy" in group.definition and "emn-members-page" in group.definition


def test_actor_list_group(bundled_network):
    assert resolve_group(bundled_network, " frontex , europol ").members == ("europol", "frontex")
    assert resolve_group(bundled_network, "europol").members == ("europol",)


def test_unknown_group_message(bundled_network):
    regions = ", ".join(sorted(r["id"] for r in read_csv("regions")))
    with pytest.raises(UsageError) as caught:
        resolve_group(bundled_network, "horn-of-afrika")
    assert str(caught.value) == (
        "unknown group 'horn-of-afrika' (did you mean horn-of-africa, north-africa?); a group is a region "
        f"({regions}), eu-member-states, type:ACTOR_TYPE (e.g. type:eu_agency), members:FRAMEWORK "
        "(e.g. members:rabat-process) or actors separated by commas (e.g. europol,frontex)")


@pytest.mark.parametrize("spec,message", [
    ("type:eu_agenci", "group 'type:eu_agenci': unknown actor type 'eu_agenci' (did you mean "),
    ("europol,frontx", "group 'europol,frontx': unknown actor 'frontx' (did you mean "),
    ("region:sahl", "group 'region:sahl': unknown region 'sahl' (did you mean "),
    ("members:europol", ("group 'members:europol': no membership, observer or treaty_party link in force points "
                         "to 'europol' (filters: none)")),
])
def test_bad_group_parts(bundled_network, spec, message):
    """The group named, then the resolver's own refusal (thbkg.graph.network.names) with the closest names."""
    with pytest.raises(UsageError) as caught:
        resolve_group(bundled_network, spec)
    assert str(caught.value).startswith(message)
    if "did you mean" in message:
        closest = {"type:eu_agenci": "eu_agency", "europol,frontx": "frontex", "region:sahl": "sahel"}[spec]
        assert closest in str(caught.value).split("did you mean", 1)[1]


def test_same_group_twice_and_empty_group(bundled_network):
    with pytest.raises(UsageError, match="^both groups are sahel: give two different groups$"):
        group_brokers(bundled_network, "sahel", "Sahel")
    network = toy_network(TOY_EDGES, absent=("a3",))
    with pytest.raises(UsageError, match="^group 'a3' has no member in the actor graph"):
        group_brokers(network, "a3", "b1")
