"""thbkg.graph.outputs.rows: results as plain dicts, checked against the tables read with the csv module.

The expected values come from data/*.csv and the rules of docs/design.md, not from the analytics under test:
only the status ``active`` is in force (or no status: a link is taken at its word); event-family links (joint
actions, evaluations, meetings) are activity, never ties, and funding links belong to the Funding section, not to
coverage; the agreement family is the five agreement types of the design table; a source is
a document that was read when its kind is official_text, official_page or secondary.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from thbkg.graph.network.projections import load_network
from thbkg.graph.outputs.rows import (
    COVERAGE_COLUMNS,
    EVIDENCE_COLUMNS,
    coverage_rows,
    evidence_rows,
    query_rows,
)
from thbkg.graph.store.query import run_query

DATA = Path(__file__).resolve().parents[3] / "data"
AGREEMENTS = {"operational_agreement", "strategic_agreement", "working_arrangement", "status_agreement",
              "cooperation_agreement"}
EVENTS = {"joint_action", "evaluation", "participation"}  # the event family of docs/design.md
FUNDING = {"funds", "implements", "operates_in"}  # the funding family: the report's Funding section, not coverage
DOCUMENTARY = {"official_text", "official_page", "secondary"}
# a tie that is not in force takes the most advanced status of its links (docs/design.md, the coverage table)
NOT_IN_FORCE_ORDER = (("signed", "signed"), ("initialled", "signed"), ("under_negotiation", "negotiating"),
                      ("suspended", "suspended"), ("ended", "ended"))


def _table(name: str) -> list[dict]:
    with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if not next(iter(row.values()), "").startswith("#")]


def _state(statuses: list[str]) -> str:
    """The state of a tie whose links have these statuses, by the rule of docs/design.md."""
    if not statuses:
        return "none"
    if any(status in ("active", "") for status in statuses):
        return "in_force"
    for status, state in NOT_IN_FORCE_ORDER:
        if status in statuses:
            return state
    return "not_in_force"


@pytest.fixture(scope="module")
def network(bundled_source):
    return load_network(bundled_source)


@pytest.fixture(scope="module")
def links_by_pair() -> dict:
    pairs: dict = defaultdict(list)
    for link in _table("links"):
        if link["type"] in EVENTS | FUNDING:
            continue
        pairs[(link["subject"], link["object"])].append(link)
        pairs[(link["object"], link["subject"])].append(link)
    return pairs


def _plain(value) -> bool:
    return value is None or type(value) in (str, int, float, bool) or (
        type(value) is list and all(type(item) is str for item in value))


def test_coverage_rows_have_the_states_the_tables_give(network, links_by_pair):
    rows = coverage_rows(network)
    assert rows and all(tuple(row) == COVERAGE_COLUMNS for row in rows)
    assert all(_plain(value) for row in rows for value in row.values())
    json.dumps(rows)  # plain data
    for row in rows:
        links = links_by_pair.get((row["country"], row["target"]), [])
        where = f"{row['region']} {row['country']} x {row['target']}"
        assert row["links"] == sorted(link["id"] for link in links), where
        assert row["state"] == _state([link["status"] for link in links]), where
        assert row["white_spot"] == (row["state"] != "in_force"), where
        agreements = [link["status"] for link in links if link["type"] in AGREEMENTS]
        assert row["agreement_state"] == _state(agreements), where
        in_force = {link["type"] for link in links if link["status"] in ("active", "")}
        assert row["in_force_types"] == sorted(in_force), where


def test_coverage_rows_list_every_country_of_each_region_once_per_target(network):
    countries = {actor["id"] for actor in _table("actors") if actor["type"] == "country"}
    expected: dict = defaultdict(set)
    for member in _table("region_members"):
        if member["actor"] in countries:
            expected[member["region"]].add(member["actor"])
    rows = coverage_rows(network)
    assert {row["region"] for row in rows} == {region["id"] for region in _table("regions")}
    for region, members in expected.items():
        in_rows = [row for row in rows if row["region"] == region]
        targets = {row["target"] for row in in_rows}
        assert {row["country"] for row in in_rows} == members
        assert len(in_rows) == len(members) * len(targets), f"{region}: one row per country x target"
        assert {"europol", "frontex", "eurojust"} <= targets


def test_coverage_rows_name_the_kind_of_each_target(network):
    types = {actor["id"]: actor["type"] for actor in _table("actors")}
    for row in coverage_rows(network):
        expected = "agency" if types[row["target"]] == "eu_agency" else "framework"
        assert row["target_kind"] == expected, row["target"]


def test_the_frontex_sahel_agreements_under_negotiation_are_not_in_force(network):
    """The issue's case: Frontex x Mauritania, Niger, Senegal (links.csv: working arrangements under negotiation)."""
    negotiating = {link["subject"] for link in _table("links")
                   if link["object"] == "frontex" and link["type"] == "working_arrangement"
                   and link["status"] == "under_negotiation"}
    assert {"mr", "ne", "sn"} <= negotiating
    rows = {row["country"]: row for row in coverage_rows(network, regions=["sahel"]) if row["target"] == "frontex"}
    for country in ("mr", "ne", "sn"):
        assert rows[country]["agreement_state"] == "negotiating"
        assert "working_arrangement (under_negotiation)" in rows[country]["not_in_force"]
        assert "working_arrangement" not in rows[country]["in_force_types"]


def test_evidence_rows_follow_the_source_kinds(network):
    kinds = {source["id"]: source["kind"] for source in _table("sources")}
    links = {link["id"]: link for link in _table("links")}
    rows = evidence_rows(network)
    assert [row["link"] for row in rows] == sorted(links)
    assert all(tuple(row) == EVIDENCE_COLUMNS for row in rows)
    assert all(_plain(value) for row in rows for value in row.values())
    for row in rows:
        cited = [s for s in links[row["link"]]["sources"].split(";") if s]
        assert sorted(row["sources"]) == sorted(cited), row["link"]
        assert row["documentary"] == any(kinds[s] in DOCUMENTARY for s in cited), row["link"]
        assert row["kinds"] == [kinds[s] for s in row["sources"]], row["link"]
        assert row["note"] == (links[row["link"]]["note"] or None), row["link"]


def test_query_rows_give_plain_python_values():
    from rdflib.namespace import XSD  # imported here: pytest's collection trips over the closed namespace

    graph = Graph()
    actor = URIRef("https://w3id.org/thbkg/id/actor/rs")
    graph.add((actor, URIRef("https://w3id.org/thbkg/ontology#links"), Literal(3)))
    graph.add((actor, URIRef("https://w3id.org/thbkg/ontology#since"), Literal("2009", datatype=XSD.gYear)))
    graph.add((actor, URIRef("https://w3id.org/thbkg/ontology#share"), Literal("0.5", datatype=XSD.decimal)))
    graph.add((actor, URIRef("https://w3id.org/thbkg/ontology#label"), Literal("Serbia", lang="en")))
    result = run_query(graph, "SELECT ?a ?n ?y ?s ?l ?none WHERE { ?a thb:links ?n ; thb:since ?y ; thb:share ?s ; "
                              "thb:label ?l OPTIONAL { ?a thb:nothing ?none } }")
    assert query_rows(result) == [{"a": str(actor), "n": 3, "y": "2009", "s": 0.5, "l": "Serbia", "none": None}]
    assert query_rows(run_query(graph, "ASK { ?a thb:links 3 }")) == [{"boolean": True}]


def test_query_rows_of_a_named_query_on_the_bundled_data(bundled_source):
    from thbkg.graph.store.catalogue import named_query

    query = named_query("agency_partners")
    rows = query_rows(run_query(bundled_source, query.text, {"agency": "frontex"}, declared=query.params))
    expected = {link["id"] for link in _table("links") if "frontex" in (link["subject"], link["object"])}
    assert {row["link"].rsplit("/", 1)[-1] for row in rows} == expected
    assert all(_plain(value) for row in rows for value in row.values())
