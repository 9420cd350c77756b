"""Funding, liaison posts, national mechanisms and evaluations (issue 11): thbkg.graph.analytics.cooperation.

Two sources of expected values, never the code under test:

* the hand-built network of tests/fixtures/cooperation/records.py, whose expectations are counted by hand
  from its LINKS table (the comments say how);
* the bundled tables, counted again here with the csv module from data/*.csv.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from cooperation.records import make_network

from thbkg.graph.analytics.cooperation import (
    COVERED,
    GAP,
    HOSTED,
    NO_COUNTRY,
    NO_ROUND,
    OTHER_COUNTRIES,
    evaluation_rounds,
    funding_summary,
    liaison_coverage,
    mechanism_networks,
)
from thbkg.graph.network.filters import Filters
from thbkg.graph.network.projections import apply_filters, load_network

DATA = Path(__file__).resolve().parents[3] / "data"
EUR, USD = "EUR", "USD"


def _rows(by_key, key="id"):
    return {row[key]: row for row in by_key}


# ---------------------------------------------------------------------- funding, on the hand-built network
@pytest.fixture()
def funding():
    return funding_summary(make_network())


def test_a_programme_sums_its_funders_per_currency_and_counts_a_repeated_amount_once(funding):
    programmes = _rows(funding["programmes"])
    # p1: f1 EU 10,000,000 + f2 EU 4,000,000 + f3 DE 2,000,000 EUR
    assert programmes["p1"]["amounts"] == {EUR: Decimal(16000000)}
    assert programmes["p1"]["several_amounts"] == ["eu"]  # EU states 10M and 4M: both added, to check
    # p2: f4 and f5 both state EU 5,000,000 EUR (one grant, two sources); f6 DE gives none
    assert programmes["p2"]["amounts"] == {EUR: Decimal(5000000)}
    assert programmes["p2"]["repeated"] == 1 and [f["link"] for f in programmes["p2"]["funders"] if f["counted"]] == ["f4"]
    assert programmes["p2"]["partial"] and programmes["p2"]["shares_not_given"] == ["de"]
    assert programmes["p3"]["amounts"] == {USD: Decimal(300000)}  # f7
    assert programmes["p4"]["amounts"] == {} and not programmes["p4"]["with_amount"]  # f8 has no amount
    assert funding["totals"] == {EUR: Decimal(21000000), USD: Decimal(300000)}
    assert (funding["programmes_total"], funding["without_amount"], funding["partial"], funding["repeated"],
            funding["shares_not_given"], funding["several_amounts"]) == (4, 1, 1, 1, 2, ["p1"])


def test_a_programme_knows_its_implementers_countries_and_regions(funding):
    programmes = _rows(funding["programmes"])
    assert programmes["p1"]["implementers"] == ["icmpd", "iom"]  # i1, i2; by label ICMPD < IOM
    assert programmes["p1"]["countries"] == ["al", "ne", "rs"]  # o1, o2, o3; by label
    assert programmes["p1"]["regions"] == ["sahel", "wb"]
    assert programmes["p2"]["other_countries"] == ["tr"]  # Türkiye is in no region
    assert programmes["p3"]["countries"] == [] and programmes["p3"]["implementers"] == []
    assert programmes["p4"]["implementers"] == ["icmpd", "al-nc"]  # by label: ICMPD < National Coordinator


def test_money_by_region_is_the_full_amount_of_each_programme_never_split(funding):
    rows = _rows(funding["by_region"])
    assert list(rows) == ["sahel", "wb", OTHER_COUNTRIES, NO_COUNTRY]
    # Sahel: p1 (Niger) and p2 (Mali); Western Balkans: p1 (Albania, Serbia) and p4 (Serbia, no amount)
    assert (rows["sahel"]["programmes"], rows["sahel"]["amounts"]) == (["p1", "p2"], {EUR: Decimal(21000000)})
    assert rows["sahel"]["countries"] == ["ml", "ne"]
    assert (rows["wb"]["programmes"], rows["wb"]["with_amount"], rows["wb"]["without_amount"]) == (["p4", "p1"], 1, 1)
    assert rows["wb"]["amounts"] == {EUR: Decimal(16000000)}  # p1 in full, once, though it works in two countries
    assert (rows[OTHER_COUNTRIES]["programmes"], rows[OTHER_COUNTRIES]["countries"]) == (["p2"], ["tr"])
    assert (rows[NO_COUNTRY]["programmes"], rows[NO_COUNTRY]["amounts"]) == (["p3"], {USD: Decimal(300000)})


def test_money_by_funder_is_its_own_share_and_by_implementer_the_full_programme(funding):
    funders = _rows(funding["by_funder"])
    # EU: p1 (10M + 4M), p2 (5M once), p4 (no amount); Germany: p1 (2M EUR), p2 (none), p3 (300,000 USD)
    assert [r["id"] for r in funding["by_funder"]] == ["eu", "de"]  # 3 programmes each; by label
    assert (funders["eu"]["amounts"], funders["eu"]["with_amount"], funders["eu"]["without_amount"]) == (
        {EUR: Decimal(19000000)}, 2, 1)
    assert funders["de"]["amounts"] == {EUR: Decimal(2000000), USD: Decimal(300000)}
    assert (funders["de"]["with_amount"], funders["de"]["regions"]) == (2, ["sahel", "wb"])
    implementers = _rows(funding["by_implementer"])
    assert [r["id"] for r in funding["by_implementer"]] == ["icmpd", "iom", "al-nc"]
    assert implementers["iom"]["amounts"] == {EUR: Decimal(21000000)}  # p1 and p2 in full
    assert implementers["icmpd"]["amounts"] == {EUR: Decimal(16000000)}  # p1 in full; p4 adds nothing
    assert (implementers["icmpd"]["with_amount"], implementers["icmpd"]["without_amount"]) == (1, 1)


def test_the_funding_basis_counts_its_links_their_dates_and_evidence(funding):
    basis = funding["basis"]
    # f1-f8, i1-i5, o1-o6; undated: i2 o3 f6 f8 i4 i5 o6; not in force: f4 f5 i3 o4 o5 (ended);
    # only f5 rests on general knowledge alone
    assert (basis["links"], basis["by_type"]) == (19, {"funds": 8, "implements": 5, "operates_in": 6})
    assert (basis["undated"], basis["not_in_force"], basis["documentary"], basis["placeholder_only"]) == (7, 5, 18, 1)
    assert (basis["filters"], basis["time_filter"], basis["undated_left_out"]) == ("none", False, None)


def test_a_time_filter_gives_the_funding_of_its_year():
    net = apply_filters(make_network(), Filters(as_of="2016"))
    money = funding_summary(net)
    # in force at the end of 2016: f1, f3, i1, o1, o2 (p1); f2 starts 2019, p2 2018, f7 2021; the undated are out
    assert [p["id"] for p in money["programmes"]] == ["p1"]
    assert money["totals"] == {EUR: Decimal(12000000)}
    assert _rows(money["programmes"])["p1"]["countries"] == ["al", "rs"]
    assert money["basis"]["time_filter"] and money["basis"]["filters"] == "as-of=2016"
    assert money["basis"]["undated_left_out"] == net.undated_left_out > 0


# ---------------------------------------------------------------------- liaison posts
def test_countries_host_are_covered_or_are_gaps():
    regions = _rows(liaison_coverage(make_network())["regions"])
    states = {r: {c["id"]: c["state"] for c in regions[r]["countries"]} for r in regions}
    # lo1 Frontex -> Serbia covers Bosnia (and Serbia, its host: not counted twice); lo2 Spain -> Niger;
    # lo3 is Albania's own post at Europol (covers nothing); lo4 Spain -> Mali has ended
    assert states == {"sahel": {"ml": GAP, "ne": HOSTED}, "wb": {"al": GAP, "ba": COVERED, "rs": HOSTED, "xk": GAP}}
    assert regions["wb"]["gaps"] == ["al", "xk"] and (regions["wb"]["hosted"], regions["wb"]["covered"]) == (1, 1)
    wb = _rows(regions["wb"]["countries"])
    assert [p["link"] for p in wb["ba"]["covered_by"]] == ["lo1"] and wb["rs"]["covered_by"] == []
    assert [p["link"] for p in wb["al"]["sends"]] == ["lo3"]
    mali = _rows(regions["sahel"]["countries"])["ml"]
    assert [(p["link"], p["state"]) for p in mali["hosted"]] == [("lo4", "ended")]


def test_liaison_under_a_time_filter_keeps_every_country_of_the_region():
    found = liaison_coverage(apply_filters(make_network(), Filters(as_of="2016")))
    # only lo2 (since 2015) is in force at the end of 2016; lo4 ended in 2015, lo1 and lo3 are undated
    assert {r["id"]: r["gaps"] for r in found["regions"]} == {"sahel": ["ml"], "wb": ["al", "ba", "xk", "rs"]}  # by label
    assert found["basis"]["links"] == 1


# ---------------------------------------------------------------------- national mechanisms
def test_which_country_has_a_mechanism_in_which_network():
    found = mechanism_networks(make_network())
    # m1 Albania member of natc, m2 Albania at a natc meeting, m3 Serbia's membership ended,
    # m4 a mechanism without a country in nrem; i5 (Albania implements p4) is funding, not a network
    assert [(n["id"], n["members"], n["countries"]) for n in found["networks"]] == [("natc", 1, 2), ("nrem", 1, 1)]
    rows = {row["id"]: row for row in found["countries"]}
    assert list(rows) == ["al", "ne", "rs", None]  # by label; the mechanism without a country last
    assert {n: [t["link"] for t in ties] for n, ties in rows["al"]["ties"].items()} == {"natc": ["m1", "m2"]}
    assert [(t["link"], t["state"], t["membership"]) for t in rows["rs"]["ties"]["natc"]] == [("m3", "ended", True)]
    assert rows["ne"]["ties"] == {} and rows[None]["mechanisms"] == ["x-mech"]
    assert (found["without_network"], found["without_country"], found["mechanisms"]) == (["ne-m"], ["x-mech"], 4)
    assert (found["basis"]["links"], found["basis"]["placeholder_only"]) == (4, 1)  # m1-m4; m4 cites gk only


def test_mechanisms_of_a_year():
    found = mechanism_networks(apply_filters(make_network(), Filters(as_of="2016")))
    # in 2016: m3 (2012-2018, in force then) and m4 (since 2014); m1 is undated, m2 took place in 2019
    assert [(n["id"], n["members"]) for n in found["networks"]] == [("natc", 1), ("nrem", 1)]
    assert [row["id"] for row in found["countries"]] == ["rs", None]


# ---------------------------------------------------------------------- evaluations
def test_evaluation_rounds_by_country_with_the_dates():
    found = evaluation_rounds(make_network())
    assert [e["id"] for e in found["evaluators"]] == ["greta"]
    greta = found["evaluators"][0]
    assert greta["rounds"] == ["1", "2", NO_ROUND]
    cells = {c["id"]: {k: [(r["link"], r["start"]) for r in v] for k, v in c["by_round"].items()}
             for c in greta["countries"]}
    assert cells == {"al": {"1": [("e1", "2011-12")], "2": [("e3", "2015-10"), ("e2", "2016-03")]},
                     "xk": {NO_ROUND: [("e5", None)]}, "rs": {"1": [("e4", "2013-06")]}}
    assert [c["id"] for c in greta["countries"]] == ["al", "xk", "rs"]  # Albania, Kosovo, Serbia
    assert greta["per_round"] == {"1": 2, "2": 1, NO_ROUND: 1}
    assert (greta["reports"], greta["undated"]) == (5, 1)
    assert [c["latest_round"] for c in greta["countries"]] == [2, None, 1]


def test_evaluations_of_a_year():
    greta = evaluation_rounds(apply_filters(make_network(), Filters(as_of="2016")))["evaluators"][0]
    # an event counts in the period --as-of names: 2016 holds e2 only (e1, e3, e4 are of other years; an ended
    # link needs its end date to count in a time window, and e2 has one)
    assert [(c["id"], sorted(c["by_round"])) for c in greta["countries"]] == [("al", ["2"])]


# ---------------------------------------------------------------------- the bundled tables, counted with csv
def _table(name):
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if not row[next(iter(row))].lstrip().startswith("#")]


@pytest.fixture(scope="module")
def tables():
    return {name: _table(name) for name in ("actors", "links", "region_members")}


@pytest.fixture(scope="module")
def bundled(bundled_source):
    return load_network(bundled_source)


IN_FORCE = {"", "active"}  # docs/design.md: only `active` is in force; an empty status counts in force
FRAMEWORK_TYPES = {"regional_process", "network", "platform", "programme", "treaty"}  # docs/design.md
FUNDING_TYPES = {"funds", "implements", "operates_in"}


def test_the_bundled_records_carry_the_issue11_fields(bundled, tables):
    """The views read amount, currency, covers and round from the link records and parent from the actor
    records (load_network); without them every total below would be empty."""
    with_amount = {r["id"] for r in tables["links"] if r["amount"]}
    with_parent = {r["id"] for r in tables["actors"] if r["parent"]}
    links = {lk["id"]: lk for lk in bundled.links}
    missing = [field for field in ("amount", "currency", "covers", "round")
               if not any(field in lk for lk in bundled.links)]
    assert not missing, f"the Network's link records carry no {missing} (graph/network/projections.py)"
    assert {i for i in with_amount if links[i].get("amount") is not None} == with_amount
    assert all(bundled.actors[a].get("parent") == r["parent"] for a, r in
               ((r["id"], r) for r in tables["actors"] if r["id"] in with_parent)), "actor records carry no parent"


def _expected_funding(tables):
    """Programmes with their amounts (a funder's repeated amount once), countries and implementers."""
    amounts = defaultdict(dict)  # programme -> {(funder, currency, Decimal)}
    funders, countries, implementers = defaultdict(set), defaultdict(set), defaultdict(set)
    for row in tables["links"]:
        if row["type"] == "funds":
            funders[row["object"]].add(row["subject"])
            if row["amount"]:
                amounts[row["object"]][(row["subject"], row["currency"], Decimal(row["amount"]))] = True
        elif row["type"] == "implements":
            implementers[row["object"]].add(row["subject"])
        elif row["type"] == "operates_in":
            countries[row["subject"]].add(row["object"])
    programmes = set(funders) | set(implementers) | set(countries)
    money = {p: defaultdict(Decimal) for p in programmes}
    for p, found in amounts.items():
        for _, currency, value in found:
            money[p][currency] += value
    return programmes, {p: dict(m) for p, m in money.items()}, countries, implementers


def test_bundled_funding_against_the_tables(bundled, tables):
    programmes, money, countries, implementers = _expected_funding(tables)
    found = funding_summary(bundled)
    assert {p["id"] for p in found["programmes"]} == programmes
    assert {p["id"]: p["amounts"] for p in found["programmes"]} == money
    totals = defaultdict(Decimal)
    for m in money.values():
        for currency, value in m.items():
            totals[currency] += value
    assert found["totals"] == dict(totals)
    assert found["without_amount"] == sum(1 for p in programmes if not money[p])
    region_of = defaultdict(set)
    for row in tables["region_members"]:
        region_of[row["actor"]].add(row["region"])
    for row in found["by_region"]:
        if row["id"] in (OTHER_COUNTRIES, NO_COUNTRY):
            continue
        inside = {p for p in programmes if any(row["id"] in region_of[c] for c in countries[p])}
        assert set(row["programmes"]) == inside, row["id"]
        expected = defaultdict(Decimal)
        for p in inside:
            for currency, value in money[p].items():
                expected[currency] += value
        assert row["amounts"] == dict(expected), row["id"]
        assert row["without_amount"] == sum(1 for p in inside if not money[p]), row["id"]
    for row in found["by_implementer"]:
        mine = {p for p in programmes if row["id"] in implementers[p]}
        assert set(row["programmes"]) == mine, row["id"]


def test_bundled_liaison_gaps_against_the_tables(bundled, tables):
    types = {r["id"]: r["type"] for r in tables["actors"]}
    posts = [r for r in tables["links"] if r["type"] == "liaison_officer" and r["status"] in IN_FORCE]
    served = {r["object"] for r in posts}
    served |= {c for r in posts for c in r["covers"].split(";") if c and c != r["object"]}
    expected = defaultdict(list)
    for row in tables["region_members"]:
        if types.get(row["actor"]) == "country" and row["actor"] not in served:
            expected[row["region"]].append(row["actor"])
    found = liaison_coverage(bundled)
    assert {r["id"]: sorted(r["gaps"]) for r in found["regions"]} == {r: sorted(expected[r]) for r in
                                                                      sorted({m["region"] for m in tables["region_members"]})}
    covered = {r["id"]: r["covered"] for r in found["regions"]}
    hosted_in = {r["object"] for r in posts}
    for region, n in covered.items():
        members = [m["actor"] for m in tables["region_members"] if m["region"] == region]
        assert n == sum(1 for c in members if c in served and c not in hosted_in), region


def test_bundled_mechanisms_against_the_tables(bundled, tables):
    actors = {r["id"]: r for r in tables["actors"]}
    mechanisms = {a for a, r in actors.items() if r["type"] == "national_mechanism"}
    pairs = set()
    for row in tables["links"]:
        if row["type"] in FUNDING_TYPES:
            continue
        for mech, other in ((row["subject"], row["object"]), (row["object"], row["subject"])):
            if mech in mechanisms and actors[other]["type"] in FRAMEWORK_TYPES:
                pairs.add((actors[mech]["parent"] or None, other))
                break
    found = mechanism_networks(bundled)
    assert {(row["id"], n) for row in found["countries"] for n in row["ties"]} == pairs
    assert found["mechanisms"] == len(mechanisms)
    linked = {m for row in tables["links"] if row["type"] not in FUNDING_TYPES for m in (row["subject"], row["object"])
              if m in mechanisms and actors[row["object" if m == row["subject"] else "subject"]]["type"] in FRAMEWORK_TYPES}
    assert set(found["without_network"]) == mechanisms - linked


def test_bundled_evaluation_rounds_against_the_tables(bundled, tables):
    expected = defaultdict(list)
    for row in tables["links"]:
        if row["type"] == "evaluation":
            expected[(row["subject"], row["object"], row["round"] or NO_ROUND)].append(row["start"] or None)
    found = evaluation_rounds(bundled)
    cells = {(e["id"], c["id"], key): sorted((r["start"] for r in reports), key=lambda d: d or "")
             for e in found["evaluators"] for c in e["countries"] for key, reports in c["by_round"].items()}
    assert cells == {key: sorted(dates, key=lambda d: d or "") for key, dates in expected.items()}
    for evaluator in found["evaluators"]:
        for key, n in evaluator["per_round"].items():
            assert n == len({c for (e, c, k) in expected if e == evaluator["id"] and k == key}), (evaluator["id"], key)
