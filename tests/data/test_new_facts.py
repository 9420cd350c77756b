"""The facts researched for issue 11 appear in the BUILT graph, each with its document and quoted sentence.

The oracle is tests/fixtures/research/new_facts.csv: one row per fact read in a public document (programmes and
funding, liaison posts, national mechanisms and networks, operational partnerships, joint investigation teams,
bilateral agreements, GRETA evaluations, updated statuses), with the source URL and the sentence that states it,
as transcribed from the research (access date 2026-11-30). Each fact is looked up with SPARQL in the bundled graph:
a link record joining the two parties with the expected type, the same dates, status, round, amount, currency and
covered countries where the research gives them, deriving from a source whose ``schema:url`` is the research URL
and whose note quotes the sentence.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

ORACLE = Path(__file__).resolve().parents[1] / "fixtures" / "research" / "new_facts.csv"

QUERY = """
SELECT ?subjectId ?objectId ?type ?role ?start ?end ?status ?round ?value ?currency ?covered ?url ?note WHERE {
  ?link a thb:CooperationLink ; thb:linkType ?type ; thb:subject ?subject ; thb:object ?object ;
        prov:wasDerivedFrom ?source .
  ?subject dct:identifier ?subjectId .
  ?object dct:identifier ?objectId .
  OPTIONAL { ?link thb:role ?role }
  OPTIONAL { ?link thb:startDate ?start }
  OPTIONAL { ?link thb:endDate ?end }
  OPTIONAL { ?link thb:status ?status }
  OPTIONAL { ?link thb:evaluationRound ?round }
  OPTIONAL { ?link schema:amount ?amount . ?amount schema:value ?value ; schema:currency ?currency }
  OPTIONAL { ?link thb:covers ?c . ?c dct:identifier ?covered }
  OPTIONAL { ?source schema:url ?url }
  OPTIONAL { ?link rdfs:comment ?note }
}
"""


def _tail(term) -> str:
    return str(term).rsplit("/", 1)[-1] if term is not None else ""


def _text(term) -> str:
    return str(term) if term is not None else ""


@pytest.fixture(scope="module")
def graph_links(bundled_source):
    """(subject, object, type) -> link records read from the built graph."""
    records: dict = {}
    for row in bundled_source.select(QUERY):
        key = (str(row["subjectId"]), str(row["objectId"]), _tail(row["type"]))
        rec = records.setdefault((key, _text(row["start"]), _text(row["role"]), _text(row["note"])), {
            "start": _text(row["start"]), "end": _text(row["end"]), "status": _tail(row["status"]),
            "round": _text(row["round"]), "amount": _text(row["value"]), "currency": _text(row["currency"]),
            "note": _text(row["note"]), "covers": set(), "urls": set(), "key": key})
        if row["covered"] is not None:
            rec["covers"].add(str(row["covered"]))
        if row["url"] is not None:
            rec["urls"].add(str(row["url"]))
    index = defaultdict(list)
    for rec in records.values():
        index[rec["key"]].append(rec)
    return index


def _facts() -> list[dict]:
    with open(ORACLE, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


FACTS = _facts()


def _same_amount(expected: str, found: str) -> bool:
    return not expected or (bool(found) and float(expected) == float(found))


def _matches(fact: dict, rec: dict) -> bool:
    if fact["type"] == "funds" and fact["amount"]:
        # one record per grant (codebook): its dates are the first document's, completed by the others
        return (fact["url"] in rec["urls"] and fact["quote"] in rec["note"]
                and _same_amount(fact["amount"], rec["amount"]) and rec["currency"] == fact["currency"])
    if f"Also: “{fact['quote']}”" in rec["note"]:
        # a second document for the same grant or tie: cited and quoted, its own dates are in the quote
        return fact["url"] in rec["urls"]
    return (rec["start"] == fact["start"] and rec["end"] == fact["end"]
            and (not fact["status"] or rec["status"] == fact["status"])
            and rec["round"] == fact["round"]
            and set(filter(None, fact["covers"].split(";"))) <= rec["covers"]
            and fact["url"] in rec["urls"] and fact["quote"] in rec["note"])


@pytest.mark.parametrize("fact", FACTS, ids=[f"{i}-{f['subject']}-{f['object']}-{f['type']}" for i, f in enumerate(FACTS)])
def test_new_fact_in_graph_with_its_document_and_sentence(graph_links, fact):
    candidates = graph_links.get((fact["subject"], fact["object"], fact["type"]), [])
    assert candidates, f"no {fact['type']} link {fact['subject']} -> {fact['object']} in the graph"
    matching = [rec for rec in candidates if _matches(fact, rec)]
    assert matching, (f"{fact['subject']} -> {fact['object']} ({fact['type']}): no record with start "
                      f"{fact['start']!r}, status {fact['status']!r}, source {fact['url']} and the quoted sentence")
    if fact["amount"]:
        # a second document with another figure for the same fact is kept in the note, not as a second amount
        assert any(_same_amount(fact["amount"], rec["amount"]) and rec["currency"] == fact["currency"]
                   for rec in matching) or any(fact["quote"] in rec["note"] and rec["amount"] for rec in matching)


def test_the_oracle_is_the_size_the_issue_asks_for():
    """At least 250 new link records from at least 60 documents, every fact with a URL and a sentence."""
    assert len(FACTS) >= 250
    assert len({f["url"] for f in FACTS}) >= 60
    assert all(f["url"].startswith(("http://", "https://")) and len(f["quote"]) >= 10 for f in FACTS)


def test_every_kind_of_issue_11_is_researched():
    kinds = {f["type"] for f in FACTS}
    assert {"funds", "implements", "operates_in", "liaison_officer", "evaluation", "operational_partnership",
            "joint_investigation_team", "bilateral_agreement", "membership"} <= kinds


def test_high_confidence_only_when_the_source_gives_the_date():
    """Research rule: high only when the source states the tie, the parties and the date."""
    undated_high = [f for f in FACTS if f["confidence"] == "high" and not (f["start"] or f["end"])
                    and f["type"] not in ("implements", "operates_in", "funds", "membership", "liaison_officer")]
    assert not undated_high, undated_high[:3]
