"""The map's year slider: the years each link shows at, by the rule of --as-of (worked out by hand here)."""

from __future__ import annotations

import pytest

from thbkg.graph.outputs.maps.render import build_map
from thbkg.graph.outputs.maps.timeline import is_event, is_undated, years_in_force


def link(start=None, end=None, status="active", link_type="working_arrangement"):
    return {"type": link_type, "status": status, "start": start, "end": end}


@pytest.mark.parametrize("record, expected", [
    # in force from the start year on (31 December of each year is on or after the start)
    (link("2010"), [[2010, 2020]]),
    (link("2010-12-31"), [[2010, 2020]]),
    # ended with an end date: in force until it; an end before 31 December misses its last year
    (link("2005", "2012", "ended"), [[2005, 2012]]),
    (link("2015-03", "2019-06", "ended"), [[2015, 2018]]),
    # not in force and no end: never (under negotiation, suspended, ended without a date, signed)
    (link("2020", None, "suspended"), []),
    (link("2018-07", None, "ended"), []),
    (link("2019", None, "under_negotiation"), []),
    (link("2019", None, "signed"), []),
    # undated: taken as in force since an unknown date when undated links are included
    (link(None), [[2005, 2020]]),
    (link(None, "2012", "ended"), [[2005, 2012]]),
    # an event shows in the years it was active, even when it ended before 31 December
    (link("2016-06-10", "2016-06-17", "ended", "joint_action"), [[2016, 2016]]),
    (link("2016-12", "2017-01", "ended", "joint_action"), [[2016, 2017]]),
    # outside the slider's range
    (link("2030"), []),
])
def test_years_in_force(record, expected):
    assert years_in_force(record, 2005, 2020) == expected


def test_undated_and_event():
    assert is_undated(link(None, "2012")) and not is_undated(link("2012"))
    assert is_event(link(link_type="joint_action")) and not is_event(link(link_type="membership"))


def test_the_small_map_carries_the_slider_years(small_network):
    """Fixture links (tests/fixtures/plugin_browser.py), slider range 2005-2020, by hand."""
    links = {rec["id"]: rec for rec in build_map(small_network).payload["links"]}
    expected = {"l1": [[2010, 2020]], "l2": [[2015, 2019]], "l3": [[2005, 2012]], "l4": [[2005, 2020]],
                "l5": [[2014, 2020]], "l6": [], "l7": [[2005, 2020]], "l8": [[2016, 2020]]}
    assert {k: rec["yrs"] for k, rec in links.items()} == expected
    assert sorted(k for k, rec in links.items() if rec.get("u")) == ["l4", "l7"]


def test_the_switch_default_follows_include_undated(bundled_source):
    from thbkg.graph.network.filters import Filters
    from thbkg.graph.network.projections import load_network

    plain = build_map(load_network(bundled_source)).payload["time"]
    assert plain == {"includeUndated": False, "cliFilter": "", "cliLeftOut": 0}
    network = load_network(bundled_source, Filters(as_of="2015"))
    left_out = build_map(network).payload["time"]
    assert left_out["includeUndated"] is False and left_out["cliFilter"] == "--as-of 2015"
    assert left_out["cliLeftOut"] == network.undated_left_out > 0
    kept = build_map(load_network(bundled_source, Filters(as_of="2015", include_undated=True))).payload["time"]
    assert kept == {"includeUndated": True, "cliFilter": "--as-of 2015", "cliLeftOut": 0}
