"""Priority-region coverage on the hand-built network of tests/fixtures/plugin_report.py.

Expected values were derived by hand from the LINKS table of that fixture.
"""

from __future__ import annotations

from thbkg.graph.analytics.coverage import region_coverage, tie_state


def _by_region(net, **kwargs):
    return {r["id"]: r for r in region_coverage(net, **kwargs)}


def test_default_agencies_are_those_tied_to_region_countries(report_network):
    cov = _by_region(report_network)
    # EUAA has no tie to any region country, so it is not checked; the key agencies come first
    assert cov["sahel"]["agencies"] == ["europol", "frontex", "eurojust"]


def test_frameworks_are_those_the_region_is_tied_to(report_network):
    cov = _by_region(report_network)
    assert cov["sahel"]["frameworks"] == ["rabat"]
    assert cov["western_balkans"]["frameworks"] == ["trafficking_convention"]


def test_white_spots_western_balkans(report_network):
    cov = _by_region(report_network)["western_balkans"]
    assert cov["countries"] == ["al", "rs", "xx"]
    assert cov["white_spots"] == [("rs", "eurojust"), ("xx", "eurojust"), ("xx", "europol"),
                                  ("xx", "frontex"), ("xx", "trafficking_convention")]


def test_white_spots_sahel_count_negotiating_and_ended_ties(report_network):
    cov = _by_region(report_network)["sahel"]
    assert cov["white_spots"] == [("ma", "eurojust"), ("ma", "europol"), ("ma", "frontex"),
                                  ("ml", "eurojust"), ("ml", "europol"), ("ml", "frontex"),
                                  ("ne", "eurojust"), ("ne", "europol")]
    assert tie_state(cov, "ma", "europol") == "not_in_force"  # under_negotiation only
    assert cov["ties"][("ma", "europol")]["statuses"] == ("under_negotiation",)
    assert tie_state(cov, "ml", "frontex") == "not_in_force"
    assert cov["ties"][("ml", "frontex")]["statuses"] == ("ended",)
    assert tie_state(cov, "ml", "europol") == "not_in_force"
    assert cov["ties"][("ml", "europol")]["statuses"] == ("suspended",)
    assert tie_state(cov, "ne", "frontex") == "active"  # undated but active
    assert tie_state(cov, "ne", "eurojust") == "none"


def test_a_negotiating_agreement_is_never_a_tie_in_force():
    """Whatever its dates: thb:inForce of status:under_negotiation is false in the ontology."""
    from types import SimpleNamespace

    net = SimpleNamespace(
        actors={"ma": {"type": "country"}, "europol": {"type": "eu_agency"}},
        links=[{"id": "l1", "subject": "ma", "object": "europol", "type": "operational_agreement",
                "family": "agreement", "status": "under_negotiation", "start": "2010"}],
        regions={"north": {"id": "north", "label": "North", "members": ("ma",)}})
    cov = region_coverage(net)[0]
    assert tie_state(cov, "ma", "europol") == "not_in_force"
    assert cov["white_spots"] == [("ma", "europol")]
    assert cov["summary"]["europol"]["active"] == 0


def test_summary_shares(report_network):
    cov = _by_region(report_network)
    wb, sahel = cov["western_balkans"]["summary"], cov["sahel"]["summary"]
    assert wb["europol"] == {"active": 2, "total": 3, "share": round(2 / 3, 4)}
    assert wb["eurojust"]["active"] == 1
    assert sahel["rabat"] == {"active": 3, "total": 3, "share": 1.0}
    assert sahel["frontex"]["active"] == 1 and sahel["europol"]["active"] == 0


def test_tie_details_list_types_families_and_links(report_network):
    cov = _by_region(report_network)["western_balkans"]
    tie = cov["ties"][("al", "frontex")]
    assert tie["types"] == ("status_agreement", "working_arrangement")
    assert tie["families"] == ("agreement",)
    assert tie["links"] == ("l03", "l04")


def test_explicit_agencies_and_regions(report_network):
    cov = region_coverage(report_network, agencies=["euaa"], regions=["sahel"])
    assert [r["id"] for r in cov] == ["sahel"]
    # nobody is tied to EUAA: every country is a white spot for it
    assert [w for w in cov[0]["white_spots"] if w[1] == "euaa"] == [("ma", "euaa"), ("ml", "euaa"),
                                                                     ("ne", "euaa")]


def test_filtered_network_changes_coverage(report_network):
    # keep only links active in 2015: Albania's Eurojust agreement (2018) is then a white spot
    report_network.links = [lk for lk in report_network.links
                            if lk["start"] and lk["start"][:4] <= "2015"
                            and (not lk["end"] or lk["end"][:4] >= "2015")]
    cov = _by_region(report_network)["western_balkans"]
    assert ("al", "eurojust") in cov["white_spots"]


def test_large_regions_check_frameworks_tied_to_5_percent_of_countries():
    from types import SimpleNamespace

    countries = [f"c{i:02d}" for i in range(40)]  # 5 % of 40 = 2 countries
    actors = {c: {"type": "country"} for c in countries}
    actors.update({"one": {"type": "regional_process"}, "two": {"type": "treaty"}})
    links = [{"id": "a", "subject": "c00", "object": "one", "type": "membership", "status": "active"},
             {"id": "b", "subject": "c00", "object": "two", "type": "treaty_party", "status": "active"},
             {"id": "c", "subject": "c01", "object": "two", "type": "treaty_party", "status": "ended"}]
    net = SimpleNamespace(actors=actors, links=links,
                          regions={"r": {"label": "R", "members": tuple(countries)}})
    cov = region_coverage(net, agencies=[])[0]
    assert cov["frameworks"] == ["two"]  # tied to 2 countries (one tie ended); "one" to a single country
    assert len(cov["white_spots"]) == 39  # every country but c00
