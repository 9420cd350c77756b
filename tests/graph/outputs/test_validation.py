"""graph/outputs/validation.py and the evidence check of graph/rdf/validate.py, on a copy of the good fixture
whose sources get kinds; the expected lines are worked out by hand from the CSV files."""

from __future__ import annotations

import csv
import io
import json

import pytest

from thbkg.graph.outputs.validation import format_validation, validation_warnings
from thbkg.graph.rdf.validate import validate

# by hand: one documentary kind, two placeholders, one left without a kind
KINDS = {"europol-external": "official_page", "frontex-wa": "general_knowledge", "emnbelgium-ge": "memory",
         "ilmetropolitano-ge-europol": "secondary", "topchannel-al-europol": ""}
FIX = "cite a document read (sources.csv kind official_text, official_page or secondary)"


@pytest.fixture()
def graded(good_copy):
    with open(good_copy / "sources.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with open(good_copy / "sources.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [*rows[0], "kind"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, "kind": KINDS.get(row["id"], "official_text")} for row in rows)
    return good_copy


def _expected(folder):
    """links.csv line -> message, by hand: frontex-wa (general knowledge) is the only source of the three Frontex
    links, emnbelgium-ge (memory) of the EMN one; topchannel-al-europol has no kind."""
    file = str(folder / "links.csv")
    lines = {}
    with open(folder / "links.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            (source,) = row["sources"].split(";")
            kind = KINDS[source]
            if kind in ("general_knowledge", "memory"):
                lines[reader.line_num] = (f"link '{row['id']}' rests only on general knowledge or memory "
                                          f"({source}: {kind}); {FIX}")
            elif not kind:
                lines[reader.line_num] = (f"link '{row['id']}' has no documentary source and {source} has no kind; "
                                          "give every source its kind in sources.csv (official_text, official_page, "
                                          "secondary, general_knowledge or memory), and cite a document read if "
                                          "none is")
    return file, lines


def test_plain_validation_warns_once_and_stays_valid(graded):
    report = validate([graded], include_bundled=False)
    file, expected = _expected(graded)
    assert report.ok and not report.strict
    assert [(p.file, p.line, p.column, p.message) for p in report.undocumented] == [
        (file, line, "sources", message) for line, message in sorted(expected.items())]
    assert len(expected) == 5  # frontex-al-wa, frontex-ng-wa, frontex-xk-wa, emn-ge-obs; europol-al-op ungraded
    assert validation_warnings(report) == [
        ("5 links have no documentary source (their sources are only general knowledge or memory, or have no "
         "kind); 'thbkg validate --strict' lists them and fails on them")]
    payload = json.loads(format_validation(report, "json"))
    assert payload["valid"] is True and len(payload["warnings"]) == 5
    assert format_validation(report, "csv") == "file,line,column,message\n"


def test_strict_validation_makes_each_a_problem(graded):
    report = validate([graded], include_bundled=False, strict=True)
    file, expected = _expected(graded)
    assert not report.ok and validation_warnings(report) == []
    text = format_validation(report, "text").splitlines()
    assert text == [f"{file}:{line}: column 'sources': {message}" for line, message in sorted(expected.items())] + [
        "5 problems found (5 of them links without a documentary source, a problem with --strict)."]
    rows = list(csv.DictReader(io.StringIO(format_validation(report, "csv"))))
    assert [(int(r["line"]), r["message"]) for r in rows] == sorted(expected.items())
    assert json.loads(format_validation(report, "json"))["warnings"] == []
