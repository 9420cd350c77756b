"""thbkg brokers on the bundled data, checked against data/*.csv read here."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from thbkg.cli.main import cli

DATA = Path(__file__).resolve().parents[2] / "data"


def read_csv(name):
    with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


LINKS = {row["id"]: row for row in read_csv("links")}
SOURCES = {row["id"] for row in read_csv("sources")}
HORN = {row["actor"] for row in read_csv("region_members") if row["region"] == "horn-of-africa"}
# no link to 'eu' records EU membership: the group is the EMN members plus Denmark (see the analytics tests)
EU = {row["subject"] for row in LINKS.values() if row["object"] == "emn" and row["type"] == "membership"} | {"dk"}


@pytest.fixture()
def run(runner):
    def invoke(*args):
        result = runner.invoke(cli, ["brokers", *args])
        assert "Traceback" not in (result.output or "")
        return result
    return invoke


def test_eu_and_horn_of_africa_answers_with_sources(run):
    result = run("--between", "eu-member-states", "--and", "horn-of-africa")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (f"thbkg brokers between A = eu-member-states (EU member states; {len(EU)} members, {len(EU)} "
                        f"in the graph) and B = horn-of-africa (Horn of Africa; {len(HORN)} members, {len(HORN)} in "
                        "the graph)")
    assert any(line.startswith("filters: none; frameworks: shared;") for line in lines)
    assert any(line.startswith("Paths through ") for line in lines)
    # each link's sources, as thbkg path shows them: "sources: ID: grade; ID: grade"
    cited = [item.split(": ", 1)[0] for line in lines if line.strip().startswith("sources: ")
             for item in line.split("sources: ", 1)[1].split("; ")]
    assert cited and set(cited) <= SOURCES


def test_json_paths_run_from_one_group_to_the_other_over_the_links_of_links_csv(run):
    result = run("--between", "eu-member-states", "--and", "horn-of-africa", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    basis, brokers = payload["basis"], payload["brokers"]
    assert basis["groups"]["A"]["size"] == len(EU) and basis["groups"]["B"]["size"] == len(HORN)
    assert set(basis["groups"]["A"]["members"]) == EU and set(basis["groups"]["B"]["members"]) == HORN
    assert basis["filters"] == "none" and brokers
    for broker in brokers:
        assert broker["paths"] and broker["score"] > 0
        for path in broker["paths"]:
            assert path["actors"][0] in EU and path["actors"][-1] in HORN and broker["id"] in path["actors"][1:-1]
            for hop in path["hops"]:
                shown = hop["links"] + [link for f in hop["frameworks"] for link in f["links"]]
                assert shown
                for link in shown:
                    row = LINKS[link["id"]]
                    assert (link["subject"], link["object"], link["type"], link["status"]) == (
                        row["subject"], row["object"], row["type"], row["status"])
                    assert (link["start"] or "", link["end"] or "") == (row["start"], row["end"])
                    assert sorted(link["sources"]) == sorted(row["sources"].split(";"))


def test_unknown_group_is_one_line_naming_it(run):
    regions = ", ".join(sorted(row["id"] for row in read_csv("regions")))
    result = run("--between", "eu-member-state", "--and", "horn-of-africa")
    assert result.exit_code == 2
    assert result.output == (
        "Error: unknown group 'eu-member-state' (did you mean eu-member-states?); a group is a region "
        f"({regions}), eu-member-states, type:ACTOR_TYPE (e.g. type:eu_agency), members:FRAMEWORK "
        "(e.g. members:rabat-process) or actors separated by commas (e.g. europol,frontex)\n")


def test_csv_states_the_basis_in_every_row(run):
    result = run("--between", "type:eu_agency", "--and", "sahel", "--format", "csv", "--top", "3")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    agencies = sum(1 for row in read_csv("actors") if row["type"] == "eu_agency")
    sahel = sum(1 for row in read_csv("region_members") if row["region"] == "sahel")
    assert 1 <= len(rows) <= 3
    for row in rows:
        assert (row["group_a"], row["group_a_size"], row["group_b"], row["group_b_size"], row["filters"]) == (
            "type:eu_agency", str(agencies), "sahel", str(sahel), "none")
        assert row["sources"] and all(s in SOURCES for s in row["sources"].split(";"))


def test_years_is_the_time_window_and_md_states_the_filters(run):
    result = run("--between", "europol,frontex", "--and", "Horn of Africa", "--years", "2015", "2024",
                 "--format", "md")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("- thbkg brokers between A = europol,frontex")
    assert "- filters: between=2015-2024; frameworks: shared;" in result.output


def test_help_documents_the_groups(run):
    result = run("--help")
    assert result.exit_code == 0
    for text in ("--between GROUP", "--and GROUP", "--years Y1 Y2", "eu-member-states", "type:ACTOR_TYPE",
                 "members:FRAMEWORK", "europol,frontex", "thbkg brokers --between eu-member-states --and horn-of-africa"):
        assert text in result.output
