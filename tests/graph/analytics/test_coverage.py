"""Priority-region coverage on the hand-built network of tests/fixtures/plugin_report.py.

Expected values were derived by hand from the LINKS table of that fixture.
"""

from __future__ import annotations

import pytest

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
    assert tie_state(cov, "ma", "europol") == "negotiating"  # under_negotiation only
    assert cov["ties"][("ma", "europol")]["statuses"] == ("under_negotiation",)
    assert tie_state(cov, "ml", "frontex") == "ended"
    assert cov["ties"][("ml", "frontex")]["statuses"] == ("ended",)
    assert tie_state(cov, "ml", "europol") == "suspended"
    assert cov["ties"][("ml", "europol")]["statuses"] == ("suspended",)
    assert tie_state(cov, "ne", "frontex") == "in_force"  # undated but active
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
    assert tie_state(cov, "ma", "europol") == "negotiating"
    assert cov["white_spots"] == [("ma", "europol")]
    assert cov["summary"]["europol"]["in_force"] == 0
    assert cov["summary"]["europol"]["states"] == {"negotiating": 1}


def test_summary_shares(report_network):
    cov = _by_region(report_network)
    wb, sahel = cov["western_balkans"]["summary"], cov["sahel"]["summary"]
    # Western Balkans: Albania and Serbia hold Europol agreements in force (l01, l02); the hostile actor's
    # ended in 2016 (l13)
    assert wb["europol"] == {"in_force": 2, "total": 3, "share": round(2 / 3, 4),
                             "states": {"in_force": 2, "ended": 1}}
    assert wb["eurojust"]["in_force"] == 1
    assert sahel["rabat"] == {"in_force": 3, "total": 3, "share": 1.0, "states": {"in_force": 3}}
    # Sahel Europol: Morocco negotiating (l07), Mali suspended (l18), Niger nothing
    assert sahel["frontex"]["in_force"] == 1 and sahel["europol"]["in_force"] == 0
    assert sahel["europol"]["states"] == {"negotiating": 1, "suspended": 1, "none": 1}


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


def _one_tie(*statuses, filters=None):
    """The coverage of one country tied to Europol by one agreement per status."""
    from types import SimpleNamespace

    net = SimpleNamespace(
        actors={"ma": {"type": "country"}, "europol": {"type": "eu_agency"}},
        links=[{"id": f"l{i}", "subject": "ma", "object": "europol", "type": "operational_agreement",
                "family": "agreement", "status": status, "start": None, "start_day": None}
               for i, status in enumerate(statuses)],
        regions={"north": {"id": "north", "label": "North", "members": ("ma",)}})
    if filters is not None:
        net.filters = filters
    return region_coverage(net)[0]


@pytest.mark.parametrize(("statuses", "state"), [
    (("ended", "suspended", "under_negotiation", "initialled", "signed"), "signed"),
    (("ended", "initialled", "suspended"), "signed"),  # initialled shows as signed or initialled
    (("ended", "under_negotiation", "suspended"), "negotiating"),
    (("ended", "suspended"), "suspended"),
    (("ended",), "ended"),
    (("ended", "signed", "active"), "in_force"),
    ((None,), "in_force"),  # a link without a status is taken at its word
])
def test_a_tie_takes_its_most_advanced_state(statuses, state):
    """signed > initialled > under_negotiation > suspended > ended, and any link in force wins."""
    cov = _one_tie(*statuses)
    assert tie_state(cov, "ma", "europol") == state
    assert (("ma", "europol") in cov["white_spots"]) == (state != "in_force")


def test_every_status_not_in_force_of_the_ontology_has_a_state():
    """The order of coverage.STATUS_STATES covers exactly the statuses the ontology says are not in force."""
    from thbkg.graph.analytics.coverage import STATE_LABELS, STATES, STATUS_STATES
    from thbkg.graph.rdf.vocab import load_vocabulary

    vocab = load_vocabulary()
    assert set(STATUS_STATES) == set(vocab.statuses) - set(vocab.in_force_statuses)
    assert set(STATUS_STATES.values()) < set(STATES) and set(STATE_LABELS) == set(STATES)


def test_a_status_the_order_does_not_know_is_not_in_force():
    """A status added to a copy of the ontology (not in force) is never shown in force, nor dropped."""
    cov = _one_tie("provisional")
    assert tie_state(cov, "ma", "europol") == "not_in_force"
    assert cov["white_spots"] == [("ma", "europol")]


def test_under_a_time_filter_the_links_kept_were_in_force():
    """With --as-of the network holds the links in force then: an agreement ended since was in force."""
    from thbkg.graph.network.filters import Filters

    cov = _one_tie("ended", filters=Filters(as_of="2015"))
    assert tie_state(cov, "ma", "europol") == "in_force"
    cov = _one_tie("ended", filters=Filters())
    assert tie_state(cov, "ma", "europol") == "ended"


def test_events_are_not_ties():
    """A joint action day with Europol is activity, not a tie: it makes no cell."""
    from types import SimpleNamespace

    net = SimpleNamespace(
        actors={"ma": {"type": "country"}, "europol": {"type": "eu_agency"}},
        links=[{"id": "jad", "subject": "ma", "object": "europol", "type": "joint_action", "family": "event",
                "status": "ended", "start": "2019-06-10"}],
        regions={"north": {"id": "north", "label": "North", "members": ("ma",)}})
    cov = region_coverage(net)[0]
    assert cov["ties"] == {} and tie_state(cov, "ma", "europol") == "none"


def test_family_states_compare_agreements_with_agreements(report_network):
    """Albania – Frontex: a working arrangement and a status agreement in force (l03, l04)."""
    cov = _by_region(report_network)["western_balkans"]
    assert cov["ties"][("al", "frontex")]["family_states"] == {"agreement": "in_force"}
    sahel = _by_region(report_network)["sahel"]
    assert sahel["ties"][("ml", "europol")]["family_states"] == {"liaison": "suspended"}


def test_a_time_filter_keeps_the_regions_countries_without_a_tie_then(report_network):
    """As of 2005 no Sahel country has a link (the Rabat memberships start in 2006, l09-l11): the filter
    drops them from the graph, but they are the region's white spots of 2005, not out of the region."""
    from thbkg.graph.network.filters import Filters
    from thbkg.graph.network.projections import apply_filters

    net = apply_filters(report_network, Filters(as_of="2005"))
    assert not {"ma", "ml", "ne"} & set(net.actors)
    sahel = _by_region(net)["sahel"]
    assert sahel["countries"] == ["ma", "ml", "ne"] and sahel["frameworks"] == []
    assert len(sahel["white_spots"]) == 9 and sahel["summary"]["europol"]["total"] == 3
    # an actor filter still removes a country: --exclude ma
    net = apply_filters(report_network, Filters(as_of="2005", exclude=("ma",)))
    assert _by_region(net)["sahel"]["countries"] == ["ml", "ne"]
