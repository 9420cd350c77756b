"""Projections built from the fictional mini graph (tests/fixtures/analytics/mini.ttl).

Expected values are worked out by hand from the fixture's link table (make_mini.py LINKS), or
counted directly from the RDF triples with rdflib (independent of the SPARQL projections).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from former_projection_queries import FORMER_QUERIES

from thbkg.graph.errors import ThbkgError, UsageError
from thbkg.graph.network.filters import Filters
from thbkg.graph.network.projections import load_network, time_window

THB = rdflib.Namespace("https://w3id.org/thbkg/ontology#")
ONTOLOGY = Path(__file__).resolve().parents[3] / "ontology" / "thbkg.ttl"


def _families_in_the_ontology() -> dict:
    """Link-type code -> thb:family, read from the Turtle with rdflib (not through thbkg's reader)."""
    graph = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    return {str(graph.value(concept, rdflib.namespace.SKOS.notation)): str(family)
            for concept, family in graph.subject_objects(THB.family)}


FAMILIES = _families_in_the_ontology()


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


# Ties in force in make_mini.py LINKS: all but l02, l14, l16 (ended) and l12 (under negotiation).
def test_cooperation_graph_default_ties_actors_through_shared_frameworks(mini_network):
    G = mini_network.cooperation_graph()
    assert list(G.nodes) == sorted(G.nodes)
    assert "proc1" not in G and "tr1" not in G                 # frameworks are not nodes
    assert G.graph["not_in_force_left_out"] == 4               # l02 l12 l14 l16
    # direct ties in force: l01 ca-ag1, l03 cc-ag2, l04 cc-cd, l13 ag1-ce, l15 ag1-ag2 (5 pairs)
    # proc1 members ca, cb, ce, io1 (6 pairs, 1/3 each); tr1 parties ca, cc, ce (3 pairs, 1/2 each);
    # ca-ce shares both: 5 + 6 + 3 - 1 = 13 pairs
    assert G.number_of_edges() == 13
    assert G["ca"]["ce"]["frameworks"] == ("proc1", "tr1")
    assert G["ca"]["ce"]["shared_weight"] == pytest.approx(1 / 3 + 1 / 2)
    assert G["ca"]["ce"]["links"] == () and G["ca"]["ce"]["via"] == "framework"
    pair = G["ca"]["ag1"]
    assert pair["links"] == ("l01",) and pair["via"] == "link"   # l14 ended: not a tie in force
    assert pair["weight"] == pytest.approx(3 / 3)
    assert G["io1"]["cb"]["frameworks"] == ("proc1",)            # l16 io1-cb ended: only the shared process
    assert not G.has_edge("cd", "ag2")                           # l12 under negotiation


def test_cooperation_graph_as_nodes_keeps_frameworks(mini_network):
    G = mini_network.cooperation_graph(frameworks="as-nodes")
    assert "proc1" in G and "tr1" in G
    assert G.number_of_edges() == 12            # the 12 links in force, each on its own pair
    pair = G["ca"]["ag1"]
    assert pair["types"] == ("operational_agreement",) and pair["links"] == ("l01",)
    assert pair["start"] == "2010" and pair["end"] is None
    assert G["cc"]["ag2"]["weight"] == pytest.approx(1 / 3)


def test_cooperation_graph_under_a_time_filter_keeps_what_was_in_force(mini_source):
    G = load_network(mini_source, Filters(as_of="2015")).cooperation_graph(frameworks="as-nodes")
    pair = G["cb"]["ag1"]                        # l02 ended in 2018: in force in 2015
    assert pair["links"] == ("l02",) and pair["end"] == "2018-06-30"
    assert G.graph["not_in_force_left_out"] == 0


def test_same_input_same_graph(mini_source):
    a = load_network(mini_source).cooperation_graph()
    b = load_network(mini_source).cooperation_graph()
    assert list(a.edges(data=True)) == list(b.edges(data=True))


def test_multigraph_keeps_every_tie_in_force(mini_network):
    M = mini_network.multigraph()
    assert M.is_directed() and M.number_of_edges() == 12
    assert set(M["ca"]["ag1"]) == {"l01"}
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
    ("2013", {"l01", "l02", "l09", "l10", "l11", "l13", "l15"}),
    ("2018-06", {"l01", "l02", "l03", "l04", "l05", "l06", "l08", "l09", "l10", "l11", "l13", "l15"}),
    ("2018-07-01", {"l01", "l03", "l04", "l05", "l06", "l08", "l09", "l10", "l11", "l13", "l15"}),
    ("2019-12-31", {"l01", "l03", "l04", "l05", "l06", "l08", "l09", "l10", "l11", "l13", "l14", "l15"}),
])
def test_as_of(mini_source, as_of, expected):
    # l12 under negotiation and l16 ended without an end date never count as in force;
    # l07 has no start date, so it is left out unless include_undated is set
    net = load_network(mini_source, Filters(as_of=as_of))
    assert link_ids(net) == expected
    assert net.undated_left_out == 1
    assert link_ids(load_network(mini_source, Filters(as_of=as_of, include_undated=True))) == expected | {"l07"}


def test_between(mini_source):
    net = load_network(mini_source, Filters(between=(2019, 2020)))
    assert "l14" in link_ids(net) and "l02" not in link_ids(net)
    assert link_ids(load_network(mini_source, Filters(between=(2000, 2004)))) == {"l09", "l11"}
    assert link_ids(load_network(mini_source, Filters(between=(2000, 2004), include_undated=True))) == {
        "l07", "l09", "l11"}


def test_undated_links_stay_without_a_time_filter(mini_source):
    net = load_network(mini_source, Filters(types=("membership",)))
    assert net.undated_left_out == 0


def test_as_of_before_any_dated_link_is_empty_not_everything(mini_source):
    with pytest.raises(UsageError, match="undated links were left out"):
        load_network(mini_source, Filters(as_of="1900"))


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
    (Filters(as_of="2015-13-01"), "--as-of '2015-13-01' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or 'today')"),
    (Filters(as_of="soon"), "--as-of 'soon' is not a date"),
    (Filters(min_confidence="hihg"), "unknown confidence 'hihg' (did you mean high?)"),
    (Filters(types=("part_of",)), "empty after filtering"),
    (Filters(regions=("atlantis",)), "unknown region"),
    (Filters(types=("friendship",)), "unknown link type"),
    (Filters(between=(2020, 2010)), "must not be after"),
    (Filters(actor_types=("pirate",)), "unknown actor type"),
])
def test_bad_filters(mini_source, filters, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        load_network(mini_source, filters)


def test_empty_store():
    class Empty:
        def select(self, query, bindings=None):
            return []

    with pytest.raises(ThbkgError, match="no actor"):
        load_network(Empty())


def test_as_of_month_means_its_last_day_and_today_is_accepted():
    assert time_window(Filters(as_of="2023-02")) == (dt.date(2023, 2, 28), dt.date(2023, 2, 28))
    before = dt.date.today()
    window = time_window(Filters(as_of="today"))
    after = dt.date.today()  # the day may turn during the test
    assert window in ((before, before), (after, after))


def test_real_graph_source_on_a_persistent_store(mini_store):
    """The same projections through the project's GraphSource on an Oxigraph store on disk."""
    from thbkg.graph.store.source import GraphSource

    net = load_network(GraphSource(store=str(mini_store)))
    assert len(net.links) == 16 and net.cooperation_graph().number_of_edges() == 13


def test_bundled_graph_projects(bundled_source):
    net = load_network(bundled_source)
    G = net.cooperation_graph()
    frameworks = {a for a, rec in net.actors.items()
                  if rec["type"] in ("regional_process", "network", "platform", "programme", "treaty")}  # docs/design.md
    assert G.number_of_nodes() == len(net.actors) - len(frameworks) and G.number_of_edges() > 0
    assert not frameworks & set(G)
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


# -- the narrow projection queries give the records of the former wide OPTIONAL queries ------------

# The former queries (one row per record, one OPTIONAL per field) and how their rows were read: the
# rows sorted, the first one per record kept. The narrow queries must give exactly these records.
_WIDE_ACTORS = FORMER_QUERIES["actors"]
_WIDE_ACTOR_VALUES = FORMER_QUERIES["actor_values"]
_WIDE_LINKS = FORMER_QUERIES["links"]
_WIDE_LINK_SOURCES = FORMER_QUERIES["link_sources"]


def _wide_records(source):
    """Actors and links as the former wide queries gave them (first sorted row per record)."""
    from thbkg.graph.network import projections as P

    def by_sorted_rows(rows):
        return sorted(rows, key=lambda r: tuple(str(r.get(k) or "") for k in sorted(r)))

    actors, iri_to_id = {}, {}
    for row in by_sorted_rows(source.select(_WIDE_ACTORS)):
        iri = str(row["actor"])
        if iri in iri_to_id:
            continue
        actor_id = P._text(row.get("id")) or P._tail(iri, P.THBID + "actor/")
        iri_to_id[iri] = actor_id
        lat, lon = P._parse_wkt_point(row.get("wkt"))
        actors[actor_id] = {
            "id": actor_id, "iri": iri, "label": P._text(row.get("label")) or actor_id,
            "type": P._tail(row.get("type"), P.THBID + "actor-type/"), "iso2": P._text(row.get("iso2")),
            "iso3": P._text(row.get("iso3")), "wikidata": None, "authority": None, "seat": P._text(row.get("seat")),
            "lat": lat, "lon": lon, "regions": (), "sources": (),
            "confidence": P._tail(row.get("confidence"), P.THBID + "confidence/")}
    multi = {}
    for row in source.select(_WIDE_ACTOR_VALUES):
        multi.setdefault(iri_to_id[str(row["actor"])], {}).setdefault(str(row["kind"]), set()).add(str(row["value"]))
    for actor_id, values in multi.items():
        actors[actor_id]["sources"] = tuple(sorted(P._tail(v, P.THBID + "source/") for v in values.get("source", ())))
        actors[actor_id]["regions"] = tuple(sorted(P._tail(v, P.THBID + "region/") for v in values.get("region", ())))
        qids = sorted(v[len(P.WIKIDATA):] for v in values.get("match", ()) if v.startswith(P.WIKIDATA))
        actors[actor_id]["wikidata"] = qids[0] if qids else None
        authorities = sorted(v for v in values.get("match", ()) if v.startswith("http://publications.europa.eu/resource/authority/"))
        actors[actor_id]["authority"] = authorities[0] if authorities else None
    link_sources = {}
    for row in source.select(_WIDE_LINK_SOURCES):
        link_sources.setdefault(str(row["link"]), set()).add(P._tail(row["source"], P.THBID + "source/"))
    links = {}
    for row in by_sorted_rows(source.select(_WIDE_LINKS)):
        iri = str(row["link"])
        link_id = P._text(row.get("id")) or P._tail(iri, P.THBID + "link/")
        if link_id in links:
            continue
        link_type = P._tail(row.get("type"), P.THBID + "link-type/")
        links[link_id] = {
            "id": link_id, "iri": iri, "label": P._text(row.get("label")),
            "subject": iri_to_id.get(str(row["subject"]), P._tail(row["subject"], P.THBID + "actor/")),
            "object": iri_to_id.get(str(row["object"]), P._tail(row["object"], P.THBID + "actor/")),
            "type": link_type, "family": FAMILIES.get(link_type), "role": P._text(row.get("role")),
            "start": P._text(row.get("start")), "end": P._text(row.get("end")),
            "start_day": P._to_day(row.get("startDay")), "end_day": P._to_day(row.get("endDay")),
            "status": P._tail(row.get("status"), P.THBID + "status/"),
            "instrument": P._tail(row.get("instrument"), P.THBID + "instrument/"),
            "sources": tuple(sorted(link_sources.get(iri, ()))),
            "confidence": P._tail(row.get("confidence"), P.THBID + "confidence/"),
            "date_confidence": P._tail(row.get("dateConfidence"), P.THBID + "confidence/"),
            "note": P._text(row.get("note"))}
    return dict(sorted(actors.items())), [links[k] for k in sorted(links)]


# Records with several values where one is expected: two labels (one French), two confidences,
# two identifiers, two links sharing an identifier, an actor with two seats, a link without an
# object (not a record), an actor without identifier.
_AWKWARD_TTL = """@prefix thb: <https://w3id.org/thbkg/ontology#> .
@prefix id: <https://w3id.org/thbkg/id/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
id:actor\\/xa a thb:Actor ; dct:identifier "xa" ; rdfs:label "Zeta"@en, "Alpha"@fr, "Beta" ;
  org:classification id:actor-type\\/country ; thb:confidence id:confidence\\/low, id:confidence\\/high ;
  org:hasPrimarySite id:site1, id:site2 ; prov:wasDerivedFrom id:source\\/s2, id:source\\/s1 .
id:site1 rdfs:label "Seat B" ; geo:hasGeometry id:g1 . id:g1 geo:asWKT "POINT(1 2)" .
id:site2 rdfs:label "Seat A" . 
id:actor\\/xb a thb:Actor ; org:classification id:actor-type\\/eu_agency .
id:actor\\/xc a thb:Actor ; dct:identifier "xc", "xc2" ; rdfs:label "C"@en .
id:link\\/l1 a thb:CooperationLink ; dct:identifier "l1", "l0" ; thb:subject id:actor\\/xa ;
  thb:object id:actor\\/xb, id:actor\\/xc ; thb:linkType id:link-type\\/membership ;
  rdfs:label "one"@en, "un"@fr ; thb:startDate "2013"^^xsd:gYear, "2011"^^xsd:gYear ;
  thb:startDay "2013-01-01"^^xsd:date ; thb:confidence id:confidence\\/medium ; rdfs:comment "n1", "n0" .
id:link\\/l2 a thb:CooperationLink ; dct:identifier "l1" ; thb:subject id:actor\\/xb ; thb:object id:actor\\/xa ;
  thb:linkType id:link-type\\/observer ; thb:status id:status\\/ended ; thb:endDate "2020"^^xsd:gYear ;
  prov:wasDerivedFrom id:source\\/s1 .
id:link\\/l3 a thb:CooperationLink ; thb:subject id:actor\\/xc ; thb:object id:actor\\/xa .
id:link\\/l4 a thb:CooperationLink ; dct:identifier "l4" ; thb:subject id:actor\\/xc .
"""


def test_narrow_queries_give_the_wide_query_records(mini_source, tmp_path):
    from thbkg.graph.network.projections import fetch_records
    from thbkg.graph.store.source import GraphSource, write_store

    awkward = tmp_path / "awkward.ttl"
    awkward.write_text(_AWKWARD_TTL, encoding="utf-8")
    from plugin_analytics import TurtleSource

    sources = [mini_source, TurtleSource(awkward)]
    import rdflib

    nt = rdflib.Graph().parse(str(awkward), format="turtle").serialize(format="nt", encoding="utf-8")
    write_store(tmp_path / "store", ntriples=nt)
    sources.append(GraphSource(store=str(tmp_path / "store")))  # the fast raw path
    for source in sources:
        net = fetch_records(source)
        actors, links = _wide_records(source)
        assert _without_aliases(net.actors) == actors  # the former queries read no alias
        assert _former_fields(net.links) == links
    assert {l["id"] for l in links} == {"l0", "l1", "l3"} and actors["xa"]["seat"] == "Seat A"


def test_narrow_queries_on_the_bundled_graph(bundled_source):
    from thbkg.graph.network.projections import fetch_records

    net = fetch_records(bundled_source)
    actors, links = _wide_records(bundled_source)
    assert _without_aliases(net.actors) == actors and _former_fields(net.links) == links and len(links) > 100
    import csv
    from importlib import resources

    with (resources.files("thbkg.data") / "actors.csv").open(encoding="utf-8") as fh:
        aliases = {row["id"]: tuple(sorted(a.strip() for a in row["aliases"].split(";") if a.strip()))
                   for row in csv.DictReader(fh)}
    assert {a: rec["aliases"] for a, rec in net.actors.items()} == aliases
    # the issue-11 fields, against the tables read with csv
    with (resources.files("thbkg.data") / "links.csv").open(encoding="utf-8") as fh:
        rows = {row["id"]: row for row in csv.DictReader(fh)}
    for link in net.links:
        row = rows[link["id"]]
        assert link["covers"] == tuple(sorted(c for c in row["covers"].split(";") if c)), link["id"]
        assert link["round"] == (int(row["round"]) if row["round"] else None), link["id"]
        assert link["currency"] == (row["currency"] or None), link["id"]
        from decimal import Decimal
        assert (Decimal(link["amount"]) if link["amount"] else None) == (
            Decimal(row["amount"]) if row["amount"] else None), link["id"]
    with (resources.files("thbkg.data") / "actors.csv").open(encoding="utf-8") as fh:
        parents = {row["id"]: row["parent"] or None for row in csv.DictReader(fh)}
    assert {a: rec["parent"] for a, rec in net.actors.items()} == parents


#: fields the former wide queries did not read: actor aliases (issue 10) and parent, link columns of issue 11
NEWER_ACTOR_FIELDS = {"aliases", "parent"}
NEWER_LINK_FIELDS = {"amount", "currency", "covers", "round"}


def _without_aliases(actors: dict) -> dict:
    return {a: {k: v for k, v in rec.items() if k not in NEWER_ACTOR_FIELDS} for a, rec in actors.items()}


def _former_fields(links: list) -> list:
    return [{k: v for k, v in link.items() if k not in NEWER_LINK_FIELDS} for link in links]


def test_filtered_out_actor_is_not_called_unknown(mini_source):
    from thbkg.graph.network.projections import resolve_actor

    net = load_network(mini_source, Filters(types=("treaty_party",)))
    with pytest.raises(UsageError, match="has no link left under the filters"):
        resolve_actor(net, "ag1")
    with pytest.raises(UsageError, match="unknown actor 'ag9'"):
        resolve_actor(net, "ag9")


@pytest.mark.parametrize("status, end, expected", [
    ("active", None, True),
    (None, None, True),                        # no status: its dates decide
    ("suspended", None, False),                # not in force (thb:inForce false), stopped on an unknown day
    ("ended", None, False),
    ("under_negotiation", None, False),        # not in force yet
    ("ended", dt.date(2016, 6, 30), True),     # in force from its start to its end
    ("ended", dt.date(2014, 12, 31), False),   # ...and not after its end
])
def test_in_force_follows_the_ontology_flag(status, end, expected):
    from thbkg.graph.network.projections import in_force

    record = {"status": status, "start_day": dt.date(2010, 1, 1), "end_day": end}
    assert in_force(record, dt.date(2015, 1, 1), dt.date(2015, 12, 31)) is expected


def test_a_string_where_a_list_is_expected_is_one_item(mini_source):
    """Filters(regions="sahel") once read as the regions s, a, h, e, l."""
    from thbkg.graph.network.filters import Filters

    as_string = Filters(regions="east", types="membership", exclude="ag1", actor_types="country")
    as_tuple = Filters(regions=("east",), types=("membership",), exclude=("ag1",), actor_types=("country",))
    assert as_string == as_tuple
    one_region = load_network(mini_source, Filters(regions="east")).links
    assert one_region and one_region == load_network(mini_source, Filters(regions=("east",))).links


def test_a_projection_too_large_keeps_frameworks_as_nodes_and_says_so(mini_network, monkeypatch):
    from thbkg.graph.network import affiliations

    monkeypatch.setattr(affiliations, "MAX_SHARED_PAIRS", 8)   # proc1 makes 6 pairs and tr1 3: 9 in all
    G = mini_network.cooperation_graph()
    assert G.graph["frameworks"] == "as-nodes" and "proc1" in G
    assert G.graph["frameworks_note"].startswith("frameworks kept as nodes: sharing them would make 9 actor pairs")


def test_an_event_counts_in_the_period_the_date_names(mini_source):
    # l14: ca joins a joint action under ag1 in 2019 (start and end 2019): an event, not a standing tie
    assert "l14" in link_ids(load_network(mini_source, Filters(as_of="2019")))
    assert "l14" in link_ids(load_network(mini_source, Filters(as_of="2019-06")))  # "2019" covers June
    assert "l14" not in link_ids(load_network(mini_source, Filters(as_of="2018")))
    assert "l14" not in link_ids(load_network(mini_source, Filters(as_of="2020")))
    assert "l14" in link_ids(load_network(mini_source, Filters(between=(2018, 2019))))


def test_undated_left_out_counts_what_include_undated_brings_back(mini_source):
    # undated in make_mini.py: l07 (observer, active) and l12 (under negotiation: never in force)
    net = load_network(mini_source, Filters(as_of="2018"))
    with_undated = load_network(mini_source, Filters(as_of="2018", include_undated=True))
    assert net.undated_left_out == 1
    assert link_ids(with_undated) - link_ids(net) == {"l07"}


def test_actor_records_carry_their_eu_authority_iri():
    """The EU authority IRI of each actor is the eu_authority cell of data/actors.csv (for countries, the
    country authority built from iso3 when the cell is empty)."""
    import csv

    from thbkg.graph.network.projections import fetch_records
    from thbkg.graph.rdf.tables import bundled_data_dir
    from thbkg.graph.store.source import GraphSource

    network = fetch_records(GraphSource())
    with open(bundled_data_dir() / "actors.csv", encoding="utf-8", newline="") as fh:
        rows = {row["id"]: row for row in csv.DictReader(fh)}
    assert network.actors["frontex"]["authority"] == rows["frontex"]["eu_authority"] != ""
    assert network.actors["al"]["authority"] == "http://publications.europa.eu/resource/authority/country/ALB"
    without = [a for a, row in rows.items() if not row["eu_authority"] and row["type"] != "country"]
    assert without and all(network.actors[a]["authority"] is None for a in without)
