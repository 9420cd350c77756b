"""Projections built from the fictional mini graph (tests/fixtures/analytics/mini.ttl).

Expected values are worked out by hand from the fixture's link table (make_mini.py LINKS), or
counted directly from the RDF triples with rdflib (independent of the SPARQL projections).
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest
import rdflib

from thbkg.graph.errors import ThbkgError, UsageError
from thbkg.graph.filters import Filters
from thbkg.graph.projections import load_network, parse_day

THB = rdflib.Namespace("https://w3id.org/thbkg/ontology#")


def link_ids(net):
    return {link["id"] for link in net.links}


def test_records_match_the_triples(mini_source, mini_network):
    graph = mini_source.graph()
    actors = set(graph.subjects(rdflib.RDF.type, THB.Actor))
    links = set(graph.subjects(rdflib.RDF.type, THB.CooperationLink))
    assert len(mini_network.actors) == len(actors) == 10
    assert len(mini_network.links) == len(links) == 16
    assert [link["id"] for link in mini_network.links] == sorted(link_ids(mini_network))
    assert set(mini_network.regions) == {"south", "east"}
    assert mini_network.regions["east"]["members"] == ("cc", "cd")
    assert set(mini_network.sources) == {"s1", "s2", "s3"}


def test_actor_and_link_fields(mini_network):
    ag1 = mini_network.actors["ag1"]
    assert (ag1["label"], ag1["type"], ag1["seat"]) == ("Agency One", "eu_agency", "Seat City")
    assert (ag1["lat"], ag1["lon"]) == (52.25, 4.5)          # from POINT(4.5 52.25): lon first in WKT
    assert mini_network.actors["ca"]["wikidata"] == "Q100001"
    assert mini_network.actors["ca"]["regions"] == ("south",)
    l02 = next(link for link in mini_network.links if link["id"] == "l02")
    assert (l02["subject"], l02["object"], l02["type"], l02["family"]) == ("cb", "ag1", "strategic_agreement",
                                                                           "agreement")
    assert (l02["start"], l02["end"], l02["status"]) == ("2012-05", "2018-06-30", "ended")
    assert (l02["start_day"], l02["end_day"]) == (dt.date(2012, 5, 1), dt.date(2018, 6, 30))
    assert l02["sources"] == ("s1", "s2") and l02["confidence"] == "medium"


def test_cooperation_graph_pairs(mini_network):
    G = mini_network.cooperation_graph()
    assert list(G.nodes) == sorted(G.nodes)
    assert G.number_of_edges() == 15            # 16 links, two of them on the pair ca–ag1
    pair = G["ca"]["ag1"]
    assert pair["types"] == ("joint_action", "operational_agreement")
    assert pair["links"] == ("l01", "l14") and pair["count"] == 2
    assert pair["start"] == "2010" and pair["end"] is None          # l01 is open-ended
    assert pair["confidence"] == "medium"                             # lowest of high, medium
    assert pair["weight"] == pytest.approx(3 / 3 + 2 / 3)
    assert G["cb"]["ag1"]["end"] == "2018-06-30"
    assert G["cc"]["ag2"]["weight"] == pytest.approx(1 / 3)


def test_same_input_same_graph(mini_source):
    a = load_network(mini_source).cooperation_graph()
    b = load_network(mini_source).cooperation_graph()
    assert list(a.edges(data=True)) == list(b.edges(data=True))


def test_multigraph_keeps_every_link(mini_network):
    M = mini_network.multigraph()
    assert M.is_directed() and M.number_of_edges() == 16
    assert set(M["ca"]["ag1"]) == {"l01", "l14"}
    assert M["ag2"]["ag1"]["l15"]["type"] == "cooperation_agreement"


def test_membership_graph_is_bipartite(mini_network):
    B = mini_network.membership_graph()
    assert nx.is_bipartite(B)
    frameworks = {n for n, side in B.nodes(data="bipartite") if side == 1}
    assert frameworks == {"proc1", "tr1"}
    assert {n for n, side in B.nodes(data="bipartite") if side == 0} == {"ca", "cb", "cc", "ce"}
    assert B.number_of_edges() == 6               # l05 l06 l07 l09 l10 l11; secretariat l08 is not membership


def test_comembership_counts_shared_frameworks(mini_network):
    C = mini_network.comembership_graph()
    assert C["ca"]["ce"]["weight"] == 2           # both in proc1 (member/observer) and tr1
    assert C["ca"]["cb"]["weight"] == 1
    assert not C.has_edge("cb", "cc")


def test_region_graph(mini_network):
    R = mini_network.region_graph()
    assert R.nodes["south"]["kind"] == "region" and R.nodes["ag1"]["kind"] == "actor"
    assert "ca" not in R                           # inside region south
    assert R["south"]["ag1"]["count"] == 3         # l01 l02 l14
    assert R["east"]["ag2"]["links"] == ("l03", "l12")
    assert R.nodes["east"]["internal_links"] == 1  # l04 cd -> cc


@pytest.mark.parametrize("as_of, expected", [
    ("2013", {"l01", "l02", "l07", "l09", "l10", "l11", "l13", "l15"}),
    ("2018-06", {"l01", "l02", "l03", "l04", "l05", "l06", "l07", "l08", "l09", "l10", "l11", "l13", "l15"}),
    ("2018-07-01", {"l01", "l03", "l04", "l05", "l06", "l07", "l08", "l09", "l10", "l11", "l13", "l15"}),
    ("2019-12-31", {"l01", "l03", "l04", "l05", "l06", "l07", "l08", "l09", "l10", "l11", "l13", "l14", "l15"}),
])
def test_as_of(mini_source, as_of, expected):
    # l12 under negotiation and l16 ended without an end date never count as in force
    assert link_ids(load_network(mini_source, Filters(as_of=as_of))) == expected


def test_between(mini_source):
    net = load_network(mini_source, Filters(between=(2019, 2020)))
    assert "l14" in link_ids(net) and "l02" not in link_ids(net)
    assert link_ids(load_network(mini_source, Filters(between=(2000, 2004)))) == {"l07", "l09", "l11"}


def test_link_and_actor_filters(mini_source):
    assert link_ids(load_network(mini_source, Filters(types=("treaty_party",)))) == {"l09", "l10", "l11"}
    assert link_ids(load_network(mini_source, Filters(regions=("east",)))) == {"l03", "l04", "l10", "l12"}
    net = load_network(mini_source, Filters(actor_types=("country",)))
    assert link_ids(net) == {"l04"}
    assert set(net.actors) == {"ca", "cb", "cc", "cd", "ce"}     # no link filter: isolates stay
    net = load_network(mini_source, Filters(min_confidence="high"))
    assert all(link["confidence"] == "high" for link in net.links) and len(net.links) == 10
    net = load_network(mini_source, Filters(exclude=("ag1",)))
    assert "ag1" not in net.actors and not any("ag1" in (l["subject"], l["object"]) for l in net.links)
    net = load_network(mini_source, Filters(types=("liaison_officer",)))
    assert set(net.actors) == {"cc", "cd", "ce", "ag1"}          # link filter: only actors with a kept link


@pytest.mark.parametrize("filters, message", [
    (Filters(exclude=("nobody",)), "unknown actor(s) in --exclude: nobody"),
    (Filters(as_of="2015-13-01"), "cannot be parsed"),
    (Filters(as_of="soon"), "cannot be parsed"),
    (Filters(types=("part_of",)), "empty after filtering"),
    (Filters(regions=("atlantis",)), "unknown region"),
    (Filters(types=("friendship",)), "unknown link type"),
    (Filters(between=(2020, 2010)), "must not be after"),
    (Filters(actor_types=("pirate",)), "unknown actor type"),
])
def test_bad_filters(mini_source, filters, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_network(mini_source, filters)


def test_empty_store():
    class Empty:
        def select(self, query, bindings=None):
            return []

    with pytest.raises(ThbkgError, match="no actor"):
        load_network(Empty())


def test_parse_day_month_end():
    assert parse_day("2023-02", end=True) == dt.date(2023, 2, 28)


def test_real_graph_source_on_a_persistent_store(mini_store):
    """The same projections through the project's GraphSource on an Oxigraph store on disk."""
    from thbkg.graph.source import GraphSource

    net = load_network(GraphSource(store=str(mini_store)))
    assert len(net.links) == 16 and net.cooperation_graph().number_of_edges() == 15


def test_bundled_graph_projects(bundled_source):
    try:
        net = load_network(bundled_source)
    except ThbkgError as exc:
        pytest.skip(f"bundled graph not available yet: {exc}")
    G = net.cooperation_graph()
    assert G.number_of_nodes() == len(net.actors) and G.number_of_edges() > 0
    ids = {a for link in net.links for a in (link["subject"], link["object"])}
    assert ids <= set(net.actors)
    # one link record per row of links.csv, one actor per row of actors.csv (read with csv, not SPARQL)
    import csv
    from importlib import resources

    def rows(name):
        with (resources.files("thbkg.data") / name).open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    assert sorted(link["id"] for link in net.links) == sorted(r["id"] for r in rows("links.csv"))
    assert sorted(net.actors) == sorted(r["id"] for r in rows("actors.csv"))
