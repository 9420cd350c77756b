"""Change over time, checked against independent counts from the fixture's link records."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from types import SimpleNamespace

import pytest

from thbkg.graph.analytics.change import links_per_year, parse_period, snapshots
from thbkg.graph.errors import UsageError

#: the statuses whose concept says thb:inForce false in ontology/thbkg.ttl
NOT_IN_FORCE = {"ended", "suspended", "under_negotiation"}


def _year(text):
    return int(text[:4]) if text else None


def _independent_active(links, year):
    """Links known to be active at some time in *year*, by year arithmetic on the raw strings."""
    out = []
    for lk in links:
        start, end = _year(lk["start"]), _year(lk["end"])
        if start is None or start > year:
            continue
        if end is None and lk["status"] in NOT_IN_FORCE:
            continue
        if end is not None and end < year:
            continue
        out.append(lk)
    return out


@pytest.mark.parametrize("years", [(2010, 2015, 2020), (2005, 2013), (2000, 2024)])
def test_added_and_ended_match_an_independent_count(report_network, years):
    links = report_network.links
    result = snapshots(report_network, [str(y) for y in years])
    for (y1, y2), row in zip(pairwise(years), result[1:], strict=True):
        added = sorted(lk["id"] for lk in links if lk["start"] and y1 < _year(lk["start"]) <= y2)
        ended = sorted(lk["id"] for lk in links if lk["end"] and y1 <= _year(lk["end"]) < y2)
        assert row["added"] == added
        assert row["ended"] == ended


@pytest.mark.parametrize("year", [2005, 2010, 2015, 2020, 2025])
def test_snapshot_counts_match_an_independent_count(report_network, year):
    active = _independent_active(report_network.links, year)
    pairs = {frozenset((lk["subject"], lk["object"])) for lk in active}
    nodes = {a for p in pairs for a in p}
    row = snapshots(report_network, [str(year)])[0]
    assert row["links"] == len(active)
    assert row["edges"] == len(pairs)
    assert row["nodes"] == len(nodes)
    assert row["undated"] == sum(1 for lk in report_network.links if not lk["start"])
    if len(nodes) > 1:
        assert row["density"] == pytest.approx(2 * len(pairs) / (len(nodes) * (len(nodes) - 1)), abs=1e-4)


def test_snapshot_2015_by_hand(report_network):
    row = snapshots(report_network, ["2015"])[0]
    # hand count: l01 l02 l03 l05 l09 l10 l11 l12 l13 l14 l15 l16 l17
    assert row["links"] == 13
    assert row["undated"] == 3  # l07, l08, l18
    # Mali's Frontex arrangement (l17, 2012-2020) joins the Rabat cluster to the agencies in 2015 ...
    assert row["components"] == 1 and row["nodes"] == 12
    # ... but not in 2025, when it has ended (Niger's Frontex tie l08 is undated, so not placed)
    later = snapshots(report_network, ["2025"])[0]
    assert later["components"] == 2
    assert later["largest_component"] == 7  # al rs de europol frontex eurojust trafficking_convention


def test_snapshots_are_sorted_and_today_is_reproducible(report_network):
    rows = snapshots(report_network, ["today", "2015"], today=dt.date(2026, 1, 1))
    assert [r["date"] for r in rows] == ["2015", "today"]
    assert rows[1]["first_day"] == "2026-01-01"
    # l17 (ended 2020) and l13 (ended 2016) both ended between 2015 and 2026
    assert rows[1]["ended"] == ["l13", "l17"]


def test_ended_without_end_date_is_undetermined_not_active(report_network):
    for lk in report_network.links:
        if lk["id"] == "l13":
            lk["end"] = lk["end_day"] = None  # ended, end date unknown
    row = snapshots(report_network, ["2020"])[0]
    assert row["undetermined"] == 1
    assert row["links"] == len(_independent_active(report_network.links, 2020))


def test_bad_snapshot_date_is_a_usage_error():
    with pytest.raises(UsageError, match="'2019-13' is not a date"):
        parse_period("2019-13")
    with pytest.raises(UsageError, match=r"^snapshot '2019-13' is not a date \(use YYYY, YYYY-MM, YYYY-MM-DD or 'today'\)$"):
        snapshots(SimpleNamespace(links=[]), ["2019-13"])
    with pytest.raises(UsageError):
        parse_period("yesterday")


def test_links_per_year_against_records(report_network):
    links = report_network.links
    result = links_per_year(report_network)
    dated = [lk for lk in links if lk["start"]]
    assert result["undated"] == len(links) - len(dated) == 3
    assert result["dated"] == len(dated)
    assert result["share_dated"] == round(len(dated) / len(links), 4)
    years = {y["year"]: y for y in result["years"]}
    for lk in dated:
        assert years[_year(lk["start"])]["total"] >= 1
    for year, row in years.items():
        expected = [lk for lk in dated if _year(lk["start"]) == year]
        assert row["total"] == len(expected)
        assert row["low"] == sum(1 for lk in expected if lk["date_confidence"] == "low")
        assert row["ended"] == sum(1 for lk in links if lk["end"] and _year(lk["end"]) == year)
    # no invented years: every year from the first to the last, nothing outside
    assert min(years) == 1999 and max(years) == 2020
    # not in force and without an end date: l07 (under negotiation) and l18 (suspended)
    assert result["ended_undated"] == 2
