"""Names as people type them, through the real CLI on the bundled data: ``thbkg path Frontex Serbia``,
``whatif --remove Europol``, ``--region Sahel``, ambiguous and unknown names (one line, exit 2, no
traceback), and ids printed by ``thbkg query`` that paste back into a query as they are.

Expected ids are read from data/*.csv (quoted next to each case)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from thbkg.cli.main import cli


def ok(result):
    assert "Traceback" not in (result.output or "")
    assert result.exit_code == 0, result.output
    return result.output


def error_lines(result) -> list[str]:
    assert "Traceback" not in (result.output or "")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


# ---------------------------------------------------------------------- done-when checks
def test_path_frontex_serbia(runner):
    # data/actors.csv: frontex "Frontex (European Border and Coast Guard Agency)", rs "Serbia";
    # data/links.csv has frontex-rs-working-arrangement (rs -> frontex): one hop
    doc = json.loads(ok(runner.invoke(cli, ["path", "Frontex", "Serbia", "--format", "json"])))
    assert (doc["parameters"]["from"], doc["parameters"]["to"]) == ("frontex", "rs")
    assert doc["paths"][0]["actors"] == ["frontex", "rs"]


def test_path_takes_codes_qids_and_pasted_ids(runner):
    by_names = ok(runner.invoke(cli, ["path", "Frontex", "Serbia", "--format", "json"]))
    for args in (("frontex", "rs"), ("Q21786841", "SRB"), ("thba:frontex", "<https://w3id.org/thbkg/id/actor/rs>")):
        assert ok(runner.invoke(cli, ["path", *args, "--format", "json"])) == by_names, args


def test_whatif_remove_europol(runner):
    by_label = json.loads(ok(runner.invoke(cli, ["whatif", "--remove", "Europol", "--format", "json"])))
    assert by_label["removed"] == ["europol"]
    by_id = json.loads(ok(runner.invoke(cli, ["whatif", "--remove", "europol", "--format", "json"])))
    assert by_label == by_id


def test_centrality_region_sahel(runner):
    by_label = ok(runner.invoke(cli, ["centrality", "--region", "Sahel", "--format", "json"]))
    doc = json.loads(by_label)
    assert "region=sahel" in json.dumps(doc["parameters"])
    assert ok(runner.invoke(cli, ["centrality", "--region", "sahel", "--format", "json"])) == by_label


def test_exclude_and_type_take_names(runner):
    by_names = ok(runner.invoke(cli, ["centrality", "--exclude", "Europol", "--type", "Working arrangement",
                                      "--actor-type", "EU agency", "--actor-type", "Country", "--format", "json"]))
    by_ids = ok(runner.invoke(cli, ["centrality", "--exclude", "europol", "--type", "working_arrangement",
                                    "--actor-type", "eu_agency", "--actor-type", "country", "--format", "json"]))
    assert by_names == by_ids


# ---------------------------------------------------------------------- bad names: one line, exit 2
# data/actors.csv: fr France (iso3 FRA) and fra "European Union Agency for Fundamental Rights (FRA)"
FRA = "'FRA' matches 2 actors: fr (France), fra (European Union Agency for Fundamental Rights (FRA)); give the id"
REGIONS = "eastern-europe, horn-of-africa, north-africa, sahel, western-balkans"  # data/regions.csv


@pytest.mark.parametrize("args, message", [
    (("path", "Frontx", "Serbia"), "unknown actor 'Frontx' (did you mean Frontex (frontex)?)"),
    (("path", "FRA", "Serbia"), FRA),
    (("whatif", "--remove", "FRA"), FRA),
    (("centrality", "--exclude", "FRA"), f"--exclude: {FRA}"),
    (("centrality", "--region", "Sahl"), f"unknown region(s): Sahl (known: {REGIONS})"),
])
def test_bad_names_are_one_line(runner, args, message):
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 2
    assert error_lines(result) == [f"Error: {message}"]


def test_an_ambiguous_name_from_a_data_folder(runner, tmp_path):
    """A fictional actor (a --data fixture) whose alias is Frontex makes the name ambiguous."""
    (tmp_path / "actors.csv").write_text("id,label,aliases,type,confidence\n"
                                         "frontex-watch,Frontex Watch (a fictional test NGO),Frontex,ngo,low\n",
                                         encoding="utf-8")
    result = runner.invoke(cli, ["path", "Frontex", "Serbia", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert error_lines(result) == [
        ("Error: 'Frontex' matches 2 actors: frontex (Frontex (European Border and Coast Guard Agency)), "
         "frontex-watch (Frontex Watch (a fictional test NGO)); give the id")]
    doc = json.loads(ok(runner.invoke(cli, ["path", "frontex", "Serbia", "--data", str(tmp_path),
                                            "--format", "json"])))
    assert doc["paths"][0]["actors"] == ["frontex", "rs"]


# ---------------------------------------------------------------------- ids paste back into a query
FIND_SERBIA = 'SELECT ?actor WHERE { ?actor dct:identifier "rs" ; a thb:Actor }'
LINK_OF = 'SELECT ?link WHERE { ?link dct:identifier "frontex-rs-working-arrangement" }'


def _cell(fmt: str, output: str) -> str:
    """The first data cell of a one-column answer in *fmt*, as a person would copy it."""
    if fmt == "table":
        return output.splitlines()[2].strip()
    if fmt == "csv":
        return list(csv.reader(io.StringIO(output, newline="")))[1][0]
    return re.search(r"`([^`]+)`", output.splitlines()[2]).group(1)  # md: the code span


@pytest.mark.parametrize("fmt", ["table", "csv", "md"])
def test_a_printed_id_runs_in_the_next_query(runner, fmt):
    actor = _cell(fmt, ok(runner.invoke(cli, ["query", FIND_SERBIA, "--format", fmt])))
    assert actor == "thba:rs"
    label = ok(runner.invoke(cli, ["query", f"SELECT ?label WHERE {{ {actor} rdfs:label ?label }}",
                                  "--format", "csv"]))
    assert label.splitlines()[1:] == ["Serbia"]  # data/actors.csv: rs,Serbia
    link = _cell(fmt, ok(runner.invoke(cli, ["query", LINK_OF, "--format", fmt])))
    assert link == "thbl:frontex-rs-working-arrangement"
    subject = ok(runner.invoke(cli, ["query", f"SELECT ?s WHERE {{ {link} thb:subject ?s }}", "--format", "csv"]))
    assert subject.splitlines()[1:] == ["thba:rs"]  # data/links.csv: subject rs
