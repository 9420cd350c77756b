"""`thbkg path` on the bundled data: every hop's evidence (date basis, source grades, note, shared frameworks)
against the CSV tables, read here with the csv module.

Hand rules (codebook, data/README.md): a source is documentary iff its kind in sources.csv is official_text,
official_page or secondary; grades are listed strongest first (official_text, official_page, secondary,
general_knowledge, memory); a start date is "from memory (unverified)" when the link cites a memory source and its
date_confidence is not high; frameworks are the actors of type treaty, regional_process, network or platform, and
two actors share one when both have a link in force (status active or empty) with it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from thbkg.cli.main import cli

DATA = Path(__file__).resolve().parents[3] / "data"
ORDER = ("official_text", "official_page", "secondary", "general_knowledge", "memory")
DOCUMENTS = ORDER[:3]
FRAMEWORK_TYPES = {"treaty", "regional_process", "network", "platform", "programme"}


def _rows(table):
    with open(DATA / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def tables():
    return ({row["id"]: row for row in _rows("actors")}, {row["id"]: row for row in _rows("links")},
            {row["id"]: row["kind"] for row in _rows("sources")})


@pytest.fixture(scope="module")
def path_csv(bundled_source):
    from click.testing import CliRunner

    def run(a, b, *extra):
        result = CliRunner().invoke(cli, ["path", a, b, "--format", "csv", *extra])
        assert result.exit_code == 0, result.output
        return list(csv.DictReader(io.StringIO(result.stdout)))
    return run


def _expected_evidence(link, kinds):
    cited = [s for s in link["sources"].split(";") if s]
    grades = sorted(cited, key=lambda s: (ORDER.index(kinds[s]), s))
    if not link["start"]:
        date = "start date unknown"
    elif link["date_confidence"] != "high" and any(kinds[s] == "memory" for s in cited):
        date = f"{link['start']}, from memory (unverified)"
    else:
        date = f"{link['start']} (date confidence {link['date_confidence'] or 'not given'})"
    return {"date_basis": date, "source_grades": "; ".join(f"{s}: {kinds[s]}" for s in grades),
            "documentary": "yes" if any(kinds[s] in DOCUMENTS for s in cited) else "no", "note": link["note"],
            "sources": ";".join(sorted(cited))}


@pytest.mark.parametrize("a, b", [("frontex", "rs"), ("ng", "frontex"), ("ng", "europol"), ("de", "ng")])
def test_every_link_row_carries_its_evidence(path_csv, tables, a, b):
    _, links, kinds = tables
    rows = path_csv(a, b)
    assert rows and all(row["link"] for row in rows)
    for row in rows:
        link = links[row["link"]]
        assert {k: row[k] for k in ("type", "subject", "object", "start", "end", "status", "confidence")} == {
            k: link[k] for k in ("type", "subject", "object", "start", "end", "status", "confidence")}
        assert {k: row[k] for k in ("date_basis", "source_grades", "documentary", "note", "sources")} == \
            _expected_evidence(link, kinds)


def test_ng_frontex_says_the_year_is_from_memory(path_csv, tables):
    _, links, kinds = tables
    (row,) = path_csv("ng", "frontex")
    link = links[row["link"]]
    assert (row["via"], row["link"]) == ("direct link", "frontex-ng-working-arrangement")
    assert "memory" in {kinds[s] for s in link["sources"].split(";")} and link["date_confidence"] == "low"
    assert row["date_basis"] == f"{link['start']}, from memory (unverified)" == "2012, from memory (unverified)"


def _frameworks_of(actor, actors, links):
    ties = {}
    for link in links.values():
        if link["status"] not in ("active", ""):
            continue
        for end, other in ((link["subject"], link["object"]), (link["object"], link["subject"])):
            if end == actor and actors[other]["type"] in FRAMEWORK_TYPES:
                ties.setdefault(other, []).append(link["id"])
    return ties


def test_a_shared_framework_hop_is_shown_as_such(path_csv, tables, runner):
    actors, links, _ = tables
    de, ng = _frameworks_of("de", actors, links), _frameworks_of("ng", actors, links)
    shared = sorted(set(de) & set(ng))
    direct = [l for l in links.values() if {l["subject"], l["object"]} == {"de", "ng"} and l["status"] == "active"]
    assert shared and not direct  # by hand: Germany and Nigeria share frameworks and have no direct link
    rows = path_csv("de", "ng")
    assert {row["via"] for row in rows} == {"shared framework"}
    assert [(row["framework"], row["link"]) for row in rows] == [
        (f, link) for f in shared for link in sorted(de[f]) + sorted(ng[f])]
    labels = ", ".join(actors[f]["label"] for f in shared)
    table = runner.invoke(cli, ["path", "de", "ng"]).stdout
    assert f"  de - ng: shared framework{'s' if len(shared) > 1 else ''}: {labels}" in table.splitlines()
    payload = json.loads(runner.invoke(cli, ["path", "de", "ng", "--format", "json"]).stdout)
    (hop,) = payload["paths"][0]["hops"]
    assert hop["via"] == "framework" and [f["id"] for f in hop["frameworks"]] == shared
    md = runner.invoke(cli, ["path", "de", "ng", "--format", "md"]).stdout
    assert len([line for line in md.splitlines() if line.startswith("| 1 | 1 |")]) == len(rows)


def test_table_shows_date_basis_grades_and_note(runner, tables):
    _, links, _ = tables
    link = links["frontex-ng-working-arrangement"]
    lines = runner.invoke(cli, ["path", "ng", "frontex"]).stdout.splitlines()
    assert lines[3:] == [
        "  ng - frontex: direct link",
        (f"    working_arrangement [frontex-ng-working-arrangement] ng -> frontex, {link['start']} to open, active, "
         f"confidence {link['confidence']}"),
        "      date: 2012, from memory (unverified)",
        ("      sources: frontex-working-arrangements-page: official page or press release; "
         "research-from-memory: memory (unverified)"),
        f"      note: {link['note'] or 'none'}",
    ]
