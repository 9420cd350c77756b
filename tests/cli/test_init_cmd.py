"""``thbkg init DIR``: a folder that validates as it is, and a broken row named by file, line and column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from thbkg.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("sources.csv", "instruments.csv", "actors.csv", "regions.csv", "region_members.csv", "links.csv")


@pytest.fixture()
def here(tmp_path, monkeypatch):
    """Run in tmp_path, with the bundled tables read unless a test leaves them out."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("THBKG_NO_BUNDLED", raising=False)
    return tmp_path


def run(runner, *args):
    result = runner.invoke(cli, list(args))
    assert "Traceback" not in result.output and "Internal error" not in result.output, result.output
    return result


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_init_says_what_it_wrote_and_what_to_do_next(runner, here):
    result = run(runner, "init", "mydata")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == ("Wrote 6 tables to mydata: sources.csv, instruments.csv, actors.csv, regions.csv, "
                        "region_members.csv, links.csv.")
    assert lines[1] == ("Each has its header and one example row commented out with '#' (validate skips it): "
                        "copy it, remove the '#' and replace the values.")
    assert lines[2].startswith("Codebook: ") and lines[2].endswith("README.md")
    assert lines[3] == "Next: thbkg validate --data mydata"
    assert sorted(p.name for p in (here / "mydata").iterdir()) == sorted(TABLES)


def test_init_then_validate_without_the_bundled_tables_passes(runner, here):
    assert run(runner, "init", "mydata").exit_code == 0
    result = run(runner, "validate", "--data", "mydata", "--no-bundled")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "OK: 0 actors, 0 links, 0 sources; SHACL conforms\n",
                                                                "")


def bundled_rows(table):
    """Rows of a bundled table, counted with the csv module."""
    with open(ROOT / "data" / table, encoding="utf-8", newline="") as fh:
        return len(list(csv.DictReader(fh)))


def test_init_then_validate_with_the_bundled_tables_passes(runner, here):
    # the example rows add nothing to the bundled counts
    assert run(runner, "init", "mydata").exit_code == 0
    result = run(runner, "validate", "--data", "mydata")
    counts = [bundled_rows(table) for table in ("actors.csv", "links.csv", "sources.csv")]
    assert (result.exit_code, result.stdout) == (
        0, "OK: {} actors, {} links, {} sources; SHACL conforms\n".format(*counts))


def test_init_then_a_broken_row_is_named_by_file_line_and_column(runner, here):
    run(runner, "init", "mydata")
    links = here / "mydata" / "links.csv"
    # the user's own row below the example, with the agency's name mistyped
    with open(links, "a", encoding="utf-8") as fh:
        fh.write("example-ngo-europol,example-ngo,europl,joint_action,participant,2024-06,,ended,,"
                 "example-source,high,high,,,,,\n")  # the header's 17 columns, the last four empty
    for table in ("sources.csv", "actors.csv"):  # the example source and NGO, their '#' removed
        edit(here / "mydata" / table, "\n#example-", "\nexample-")
    result = run(runner, "validate", "--data", "mydata")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        ("mydata/links.csv:3: column 'object': unknown actor 'europl' (did you mean 'europol'? otherwise add it to "
        "actors.csv)"),
        "1 problem found."]


def test_init_then_a_bad_date_without_the_bundled_tables(runner, here):
    run(runner, "init", "mydata")
    sources = here / "mydata" / "sources.csv"
    edit(sources, "\n#example-source,", "\nexample-source,")
    edit(sources, "https://example.org/about-us,,,", "https://example.org/about-us,2024-13,,")
    result = run(runner, "validate", "--no-bundled", "--data", "mydata")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "mydata/sources.csv:2: column 'issued': '2024-13' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)",
        "1 problem found."]


def test_init_refuses_a_folder_it_did_not_make(runner, here):
    (here / "notes").mkdir()
    (here / "notes" / "todo.txt").write_text("mine", encoding="utf-8")
    result = run(runner, "init", "notes")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        ("Error: notes holds files that are not thbkg tables (todo.txt); give a new or empty folder, "
        "e.g. thbkg init notes/mydata")]
    assert result.stdout == ""


def test_init_never_overwrites_a_table(runner, here):
    run(runner, "init", "mydata")
    (here / "mydata" / "actors.csv").write_text("id,label,type\nmine,Mine,ngo\n", encoding="utf-8")
    (here / "mydata" / "links.csv").unlink()
    result = run(runner, "init", "mydata")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        "Wrote 1 table to mydata: links.csv.",
        ("Kept sources.csv, instruments.csv, actors.csv, regions.csv, region_members.csv: already there "
        "(thbkg init never overwrites a table).")]
    assert (here / "mydata" / "actors.csv").read_text(encoding="utf-8") == "id,label,type\nmine,Mine,ngo\n"


def test_init_help_has_examples(runner):
    result = run(runner, "init", "--help")
    assert result.exit_code == 0 and "Examples:" in result.output and "thbkg init mydata/" in result.output
