"""graph/analytics/evidence.py on the bundled data: every figure against a hand count from data/*.csv.

The hand rule, read from the codebook (data/README.md) and not from the code: a source is documentary iff its kind
in sources.csv is official_text, official_page or secondary; a link has a documentary source iff one of its sources
is documentary; it rests only on placeholders iff it cites sources and every one is general_knowledge or memory.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from thbkg.graph.analytics.evidence import (
    RESTS_ON,
    date_basis,
    documentary_rule,
    evidence_summary,
    link_evidence,
    source_grade,
    strongest_grade,
)

DATA = Path(__file__).resolve().parents[3] / "data"
DOCUMENTS = ("official_text", "official_page", "secondary")  # strongest first, as the codebook lists them
PLACEHOLDERS = ("general_knowledge", "memory")


def _rows(table):
    with open(DATA / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def tables():
    kinds = {row["id"]: row["kind"] for row in _rows("sources")}
    links = _rows("links")
    for link in links:
        link["cited"] = [s.strip() for s in link["sources"].split(";") if s.strip()]
    return kinds, links


@pytest.fixture(scope="module")
def network(bundled_source):
    from thbkg.graph.network.projections import fetch_records

    return fetch_records(bundled_source)


def test_documentary_counts_match_the_csv(network, tables):
    kinds, links = tables
    summary = evidence_summary(network)
    documented = [link for link in links if any(kinds[s] in DOCUMENTS for s in link["cited"])]
    on_placeholders = sorted(link["id"] for link in links
                             if link["cited"] and all(kinds[s] in PLACEHOLDERS for s in link["cited"]))
    assert summary["links"] == len(links) == 1552  # data/links.csv: 1,553 lines with the header
    assert summary["with_document"] == len(documented)
    assert summary["share_with_document"] == pytest.approx(len(documented) / len(links))
    assert summary["with_source"] == sum(1 for link in links if link["cited"])
    assert summary["on_placeholders"] == on_placeholders
    assert summary["placeholder_only"] == on_placeholders  # no source is ungraded in the bundled tables
    assert summary["rests_on"] == {"documents": len(documented), "placeholders": len(on_placeholders),
                                   "ungraded": 0, "none": 0}
    # issue 10 quoted 465 documented and 131 placeholder-only of 596; issue 11 asks for at most 40 left
    assert (len(documented), len(on_placeholders)) == (1528, 24)


def test_links_by_kind_and_by_strongest_grade(network, tables):
    kinds, links = tables
    summary = evidence_summary(network)
    citing = Counter(kind for link in links for kind in {kinds[s] for s in link["cited"]})
    assert summary["by_kind"] == dict(citing)
    order = DOCUMENTS + PLACEHOLDERS
    strongest = Counter(min((kinds[s] for s in link["cited"]), key=order.index) for link in links)
    assert {k: v for k, v in summary["by_strongest"].items() if v} == dict(strongest)
    assert sum(summary["by_strongest"].values()) == len(links)
    assert summary["sources_by_kind"] == {kind: Counter(kinds.values())[kind] for kind in order}


def test_cited_most_keeps_placeholders_apart(network, tables):
    kinds, links = tables
    cited = Counter(s for link in links for s in set(link["cited"]))
    summary = evidence_summary(network, top=5)
    documents, placeholders = summary["cited_most"]["documents"], summary["cited_most"]["placeholders"]
    assert all(entry["kind"] in DOCUMENTS for entry in documents)
    assert all(entry["kind"] in PLACEHOLDERS for entry in placeholders)
    ranked = sorted((s for s in cited if kinds[s] in DOCUMENTS), key=lambda s: (-cited[s], s))[:5]
    assert [(e["id"], e["links"]) for e in documents] == [(s, cited[s]) for s in ranked]
    expected = sorted((s for s in cited if kinds[s] in PLACEHOLDERS), key=lambda s: (-cited[s], s))
    assert [(e["id"], e["links"]) for e in placeholders] == [(s, cited[s]) for s in expected]
    # the two placeholders issue 10 named (134 and 83 links then; fewer once issue 11 found documents) are never
    # ranked among the documents
    assert [(e["id"], e["links"]) for e in placeholders] == [("research-from-memory", 80),
                                                              ("research-general-knowledge", 28)]


def test_date_from_memory_is_said(network, tables):
    kinds, links = tables
    by_id = {link["id"]: link for link in network.links}
    row = next(link for link in links if link["id"] == "frontex-ng-working-arrangement")
    assert (row["start"], row["date_confidence"]) == ("2012", "low")
    assert "memory" in {kinds[s] for s in row["cited"]}
    evidence = link_evidence(by_id["frontex-ng-working-arrangement"], network.sources)
    assert evidence["date"] == "2012, from memory (unverified)"
    assert evidence["documentary"] and evidence["rests_on"] == "documents"
    assert evidence["note"] == row["note"]
    # every link citing a memory source with a start date and a date confidence other than high
    for link in links:
        if link["start"] and link["date_confidence"] != "high" and "memory" in {kinds[s] for s in link["cited"]}:
            assert link_evidence(by_id[link["id"]], network.sources)["date"] == f"{link['start']}, from memory (unverified)"


def test_grades_are_strongest_first_with_labels(network):
    by_id = {link["id"]: link for link in network.links}
    grades = link_evidence(by_id["frontex-ng-working-arrangement"], network.sources)["grades"]
    assert [(g["kind"], g["label"], g["documentary"]) for g in grades] == [
        ("official_page", "official page or press release", True), ("memory", "memory (unverified)", False)]


def test_ungraded_and_no_source():
    sources = {"doc": {"id": "doc", "kind": "secondary"}, "old": {"id": "old", "title": "Old"}}
    cases = {("doc", "old"): "documents", ("old",): "ungraded", (): "none"}
    for cited, expected in cases.items():
        evidence = link_evidence({"sources": cited}, sources)
        assert evidence["rests_on"] == expected and strongest_grade(evidence) in (expected, "secondary")
    assert source_grade("old", sources)["label"] == "ungraded" and not source_grade("old", sources)["documentary"]
    assert set(RESTS_ON) == {"documents", "placeholders", "ungraded", "none"}


@pytest.mark.parametrize("link, expected", [
    ({"start": "2019", "date_confidence": None}, "2019 (date confidence not given)"),
    ({"start": "2019", "date_confidence": "medium"}, "2019 (date confidence medium)"),
    ({"start": None, "date_confidence": "high"}, "start date unknown"),
])
def test_date_basis_without_memory(link, expected):
    assert date_basis(link, []) == expected


def test_rule_names_the_documentary_kinds():
    assert documentary_rule().endswith("official_text, official_page or secondary (sources.csv column kind)")
