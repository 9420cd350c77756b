"""Reliability: every malformed byte of a --data table is reported, and no table is skipped.

Each case builds a bad copy of the small valid fixture (tests/fixtures/good) in tmp_path and asserts
the exact lines `thbkg validate` prints, the exit status, and that no traceback or "Internal error"
appears. The expected lines are written out by hand from the issue (#8) and the Unicode names of the
characters; line numbers are counted in the fixture files.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from thbkg.cli.main import cli

THBKG = str(Path(sys.executable).parent / "thbkg")
CELL_CONTROLS = "(a cell may hold tabs and, inside quotes, line breaks, but no other control character)"
LINE_BREAK_FIX = "which some programs read as a line break; replace it with a space, or with an ordinary line break " \
                 "inside quotes"


@pytest.fixture()
def data(good_copy, monkeypatch, no_bundled):
    """A writable copy of the valid fixture at tmp_path/data; paths in messages read data/<table>.csv."""
    monkeypatch.chdir(good_copy.parent)
    return good_copy


def validate(runner, folder="data"):
    """(exit status, stderr lines) of `thbkg validate --data folder`, checked for tracebacks."""
    result = runner.invoke(cli, ["validate", "--data", str(folder)])
    assert "Traceback" not in result.output and "Internal error" not in result.output, result.output
    # the fixture's sources have no kind, so validate also warns that no link has a documentary source: that
    # warning is about evidence, not about reading the tables, which is what these cases test
    return result.exit_code, [line for line in result.stderr.splitlines() if not EVIDENCE_WARNING.match(line)]


EVIDENCE_WARNING = re.compile(r"warning: \d+ links have no documentary source ")


def replace(path: Path, old: str, new: str):
    """Replace the one occurrence of *old* in the table *path* (bytes kept as they are otherwise)."""
    text = path.read_bytes().decode("utf-8")
    assert text.count(old) == 1, old
    path.write_bytes(text.replace(old, new).encode("utf-8"))


def append(path: Path, rows: str):
    with open(path, "a", encoding="utf-8", newline="") as fh:
        fh.write(rows)


def problems(*lines):
    return [*lines, f"{len(lines)} problem{'s' if len(lines) > 1 else ''} found."]


# -- control characters --------------------------------------------------------------------------

@pytest.mark.parametrize("char, name", [
    ("\x00", "U+0000 (NUL)"),
    ("\x07", "U+0007 (BEL)"),
    ("\x1b", "U+001B (ESC)"),
    ("\x7f", "U+007F (DEL)"),
    ("\x9b", "U+009B (C1 control)"),
])
def test_control_character_in_a_cell_is_reported(char, name, runner, data):
    # "The Hague" is the seat of europol, the first row (line 2); the character becomes the 4th
    replace(data / "actors.csv", "The Hague", f"The{char}Hague")
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems(f"data/actors.csv:2: column 'seat': contains the control character {name} at "
                             f"character 4; remove it {CELL_CONTROLS}")


def test_several_control_characters_in_a_cell_are_counted(runner, data):
    replace(data / "actors.csv", "The Hague", "\x1b[31mThe Hague\x1b[0m")
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/actors.csv:2: column 'seat': contains the control character U+001B (ESC) at "
                             f"character 1 (the cell has 2 such characters); remove it {CELL_CONTROLS}")


def test_no_control_character_reaches_another_message(runner, data):
    # a bad date with an escape sequence: both are reported, and the date message shows U+FFFD instead
    replace(data / "links.csv", "2017-04-04", "2017\x1b[2J")
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems(
        "data/links.csv:3: column 'start': '2017\ufffd[2J' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)",
        "data/links.csv:3: column 'start': contains the control character U+001B (ESC) at character 5; "
        f"remove it {CELL_CONTROLS}")
    assert all("\x1b" not in line for line in lines)


def test_control_character_in_the_header_is_reported(runner, data):
    replace(data / "regions.csv", "id,label,", "id,la\x00bel,")
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems(
        "data/regions.csv:1: column name 2 contains the control character U+0000 (NUL) at character 3; "
        f"remove it {CELL_CONTROLS}",
        "data/regions.csv:1: column 'label': missing column; regions.csv needs the columns id,label (in any order) "
        "and may add definition,sources,confidence",
        "data/regions.csv:1: column 'la\ufffdbel': unknown column (did you mean 'label'?)")


def test_tab_and_line_breaks_inside_quotes_are_allowed(runner, data):
    replace(data / "links.csv", "signed in Tbilisi", '"signed\tin\r\nTbilisi\nand Brussels"')
    status, lines = validate(runner)
    assert (status, lines) == (0, [])


# -- line and paragraph separators, form feed ----------------------------------------------------

@pytest.mark.parametrize("char, name", [
    ("\u2028", "U+2028 (line separator)"),
    ("\u2029", "U+2029 (paragraph separator)"),
    ("\x85", "U+0085 (next line)"),
    ("\x0c", "U+000C (form feed)"),
    ("\x0b", "U+000B (vertical tab)"),
    ("\x1e", "U+001E (record separator)"),
])
def test_line_separator_in_a_cell_is_reported_at_its_cell(char, name, runner, data):
    # before: the row was cut in two there and reported as "the row has 1 cells"
    replace(data / "actors.csv", "The Hague", f"The{char}Hague")
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems(f"data/actors.csv:2: column 'seat': contains {name} at character 4, {LINE_BREAK_FIX}")


def test_line_separators_do_not_shift_line_numbers(runner, data):
    # a U+2028 on line 2 and a bad date on line 3: the date is still on line 3, as an editor shows it
    replace(data / "links.csv", "high,high,\neuropol-ge-op", "high,high,a\u2028b\neuropol-ge-op")
    replace(data / "links.csv", "2017-04-04", "2017-04-31")
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems(
        f"data/links.csv:2: column 'note': contains U+2028 (line separator) at character 2, {LINE_BREAK_FIX}",
        "data/links.csv:3: column 'start': '2017-04-31' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")


def test_a_row_of_only_a_form_feed_is_not_skipped(runner, data):
    append(data / "regions.csv", "\x0c\n")  # line 3; str.strip() would have taken it for a blank line
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/regions.csv:3: the row has 1 cells but the header has 5; check the commas and "
                             "quotes",
                             f"data/regions.csv:3: column 'id': contains U+000C (form feed) at character 1, "
                             f"{LINE_BREAK_FIX}")


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings_keep_line_numbers(ending, runner, data):
    path = data / "actors.csv"
    text = path.read_text(encoding="utf-8").replace("\n", ending)
    text = text.replace("The Hague", f'"The{ending}Hague"').replace("19.8187", "east")  # al: line 5 -> 6
    path.write_bytes(text.encode("utf-8"))
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/actors.csv:6: column 'lon': 'east' is not a number "
                             "(use decimal degrees with a dot, e.g. 41.3275)")


# -- long cells ----------------------------------------------------------------------------------

def test_a_one_megabyte_cell_is_reported_with_its_size(runner, data):
    # before: Python's csv field limit (131,072 characters) failed with a message about quoting
    replace(data / "actors.csv", "The Hague", "x" * 1_048_576)
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/actors.csv:2: column 'seat': the cell has 1,048,576 bytes (1.0 MB), more than "
                             "the 64 KB (65,536 bytes) a cell may hold; shorten it (put long texts in a source "
                             "document and cite it)")


def test_a_cell_of_exactly_64_kb_is_accepted(runner, data):
    replace(data / "links.csv", "signed in Tbilisi", "x" * 65_536)
    status, lines = validate(runner)
    assert (status, lines) == (0, [])


def test_the_cell_limit_counts_bytes_not_characters(runner, data):
    # 40,000 × 'é' is 40,000 characters but 80,000 bytes of UTF-8: 80,000 / 1024 = 78.125 KB
    replace(data / "links.csv", "signed in Tbilisi", "é" * 40_000)
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/links.csv:3: column 'note': the cell has 80,000 bytes (78.1 KB), more than the "
                             "64 KB (65,536 bytes) a cell may hold; shorten it (put long texts in a source "
                             "document and cite it)")


# -- cycles --------------------------------------------------------------------------------------

def test_a_parent_cycle_of_two_is_named(runner, data):
    path = data / "actors.csv"
    replace(path, "52.0705,4.3007,,", "52.0705,4.3007,frontex,")  # europol (line 2) -> frontex
    replace(path, "52.2297,21.0122,,", "52.2297,21.0122,europol,")  # frontex (line 3) -> europol
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/actors.csv:2: column 'parent': the parent chain loops: europol → frontex → "
                             "europol; an actor cannot be its own ancestor: remove or change one of these parents")


def test_a_parent_cycle_of_three_is_named_from_its_smallest_id(runner, data):
    path = data / "actors.csv"
    replace(path, "19.8187,,", "19.8187,ge,")  # al (line 5) -> ge
    replace(path, "ge,Georgia,country,GE,GEO,,,,,,,", "ge,Georgia,country,GE,GEO,,,,,,ng,")  # ge -> ng
    replace(path, "ng,Nigeria,country,NG,NGA,,,,,,,", "ng,Nigeria,country,NG,NGA,,,,,,al,")  # ng -> al
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/actors.csv:5: column 'parent': the parent chain loops: al → ge → ng → al; an "
                             "actor cannot be its own ancestor: remove or change one of these parents")


def test_a_parent_chain_without_a_loop_is_fine(runner, data):
    path = data / "actors.csv"
    replace(path, "19.8187,,", "19.8187,ge,")
    replace(path, "ge,Georgia,country,GE,GEO,,,,,,,", "ge,Georgia,country,GE,GEO,,,,,,ng,")
    status, lines = validate(runner)
    assert (status, lines) == (0, [])


PART_OF = "{},{},{},part_of,,,,active,,frontex-wa,high,,\n"


def test_a_part_of_cycle_is_named_with_its_links(runner, data):
    # links.csv has 7 lines; the three new links are lines 8, 9 and 10
    append(data / "links.csv", PART_OF.format("po1", "emn", "europol") + PART_OF.format("po2", "europol", "frontex")
           + PART_OF.format("po3", "frontex", "emn"))
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/links.csv:8: column 'object': part_of links loop: emn → europol → frontex → "
                             "emn (links po1, po2, po3); a unit cannot be part of itself: remove or reverse one "
                             "of these links")


def test_each_separate_part_of_cycle_is_reported(runner, data):
    append(data / "links.csv", PART_OF.format("po1", "frontex", "europol")
           + PART_OF.format("po2", "europol", "frontex") + PART_OF.format("po3", "ng", "ml")
           + PART_OF.format("po4", "ml", "ng")
           + PART_OF.format("po5", "emn", "europol"))  # leads into the first cycle, is in none
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems(
        "data/links.csv:9: column 'object': part_of links loop: europol → frontex → europol (links po2, po1); a "
        "unit cannot be part of itself: remove or reverse one of these links",
        "data/links.csv:11: column 'object': part_of links loop: ml → ng → ml (links po4, po3); a unit cannot be "
        "part of itself: remove or reverse one of these links")


def test_part_of_chains_without_a_loop_are_fine(runner, data):
    append(data / "links.csv", PART_OF.format("po1", "emn", "europol") + PART_OF.format("po2", "europol", "frontex")
           + PART_OF.format("po3", "emn", "frontex"))  # a diamond, not a loop
    status, lines = validate(runner)
    assert (status, lines) == (0, [])


# -- source URLs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "data:text/html,<script>alert(1)</script>",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "ftp://example.org/file.csv",
    "http:///etc/passwd",
    "https://",
])
def test_a_source_url_that_is_not_a_web_address_is_refused(url, runner, data):
    replace(data / "sources.csv", "https://emnbelgium.be", f'"{url}"')  # emnbelgium-ge, line 6
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems(f"data/sources.csv:6: column 'url': '{url}' is not a web address (use an http:// or "
                             "https:// URL with a host name and no spaces)")


# -- cells, header, quoting ----------------------------------------------------------------------

@pytest.mark.parametrize("note, cells", [("signed, in, Tbilisi", 15), ("", 12)])
def test_a_row_with_the_wrong_number_of_cells(note, cells, runner, data):
    replace(data / "links.csv", ",signed in Tbilisi" if not note else "signed in Tbilisi", note)
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems(f"data/links.csv:3: the row has {cells} cells but the header has 13; check the "
                             "commas and quotes")


def test_a_column_twice_in_the_header(runner, data):
    replace(data / "regions.csv", "id,label,definition", "id,label,label,definition")
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/regions.csv:1: column 'label': column appears twice in the header; keep one")


def test_an_unterminated_quote_names_where_it_opens(runner, data):
    replace(data / "links.csv", "signed in Tbilisi", '"signed in Tbilisi')  # line 3 of 7
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/links.csv:3: column 'note': a quoted cell opened on this line is never closed "
                             "(the file ends inside it, on line 7); add the closing quote (\")")


def test_text_after_a_closing_quote(runner, data):
    replace(data / "links.csv", "signed in Tbilisi", '"signed" in Tbilisi')
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/links.csv:3: text follows the closing quote of a cell; write a quote inside a "
                             "quoted cell as two quotes (\"\"), or put the closing quote at the end")


def test_a_file_in_another_encoding(runner, data):
    path = data / "actors.csv"
    path.write_bytes(path.read_bytes().replace(b"The Hague", "La Haye é".encode("latin-1")))
    status, lines = validate(runner)
    assert status == 1
    # europol's row: "europol,Europol,eu_agency,,,Q207203,,La Haye " is 45 characters, 'é' is the 46th
    assert lines == problems("data/actors.csv:2: byte 0xe9 at character 46 is not UTF-8 (the file has another "
                             "encoding); save the file as UTF-8")


# -- tables that are not regular files -----------------------------------------------------------

def test_a_dangling_symlink_table_is_refused(runner, data):
    (data / "links.csv").unlink()
    (data / "links.csv").symlink_to("gone.csv")
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/links.csv: is a symbolic link to 'gone.csv', which does not exist; fix the link "
                             "or remove it")


def test_a_symlink_loop_table_is_refused(runner, data):
    (data / "links.csv").unlink()
    (data / "links.csv").symlink_to("links.csv")
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems(f"data/links.csv: cannot be read: {os.strerror(40)} (it is a loop of symbolic links; "
                             "check the path)")


def test_a_folder_named_like_a_table_is_refused(runner, data):
    (data / "links.csv").unlink()
    (data / "links.csv").mkdir()
    status, lines = validate(runner)
    assert status == 1
    assert lines == problems("data/links.csv: is a folder, not a CSV file; put the table's CSV file here instead, "
                             "or rename the folder")


def test_a_fifo_table_is_refused_without_blocking(data):
    # actors.csv as a FIFO: reading it would wait forever for a writer. The refused table is not used,
    # so the links that name actors give no second message. (The timeout only stops a hung test.)
    (data / "actors.csv").unlink()
    os.mkfifo(data / "actors.csv")
    result = subprocess.run([THBKG, "validate", "--data", "data"], capture_output=True, text=True, timeout=120,
                            check=False, cwd=data.parent, env={**os.environ, "THBKG_NO_BUNDLED": "1"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Internal error" not in result.stderr
    assert result.stderr.splitlines() == problems("data/actors.csv: is a named pipe (FIFO), not a CSV file; put the "
                                                  "table's CSV file here instead")


def test_build_refuses_a_folder_table_and_writes_nothing(runner, data):
    (data / "sources.csv").unlink()
    (data / "sources.csv").mkdir()
    result = runner.invoke(cli, ["build", "--data", "data", "-o", "out.ttl"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "Internal error" not in result.output
    assert result.stderr.splitlines() == problems("data/sources.csv: is a folder, not a CSV file; put the table's "
                                                  "CSV file here instead, or rename the folder")
    assert not Path("out.ttl").exists()


def test_a_symlink_to_a_table_is_read(runner, data, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (data / "links.csv").rename(elsewhere / "links.csv")
    (data / "links.csv").symlink_to(elsewhere / "links.csv")
    result = runner.invoke(cli, ["validate", "--data", "data"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "OK: 8 actors, 6 links, 7 sources; SHACL conforms"


PERMISSION_DENIED = problems("data/links.csv: cannot be read (permission denied); make the file readable for you "
                             "(e.g. chmod a+r) or copy it")


def test_an_unreadable_table_is_a_message(runner, good_dir, no_bundled, monkeypatch):
    """A table without read permission. Root reads every file, so as root the run drops to 'nobody'."""
    top = Path(tempfile.mkdtemp(prefix="thbkg-unreadable-"))  # not under tmp_path, whose parents are 0700
    try:
        top.chmod(0o755)
        folder = top / "data"
        folder.mkdir()
        for table in good_dir.iterdir():
            (folder / table.name).write_bytes(table.read_bytes())
        (folder / "links.csv").chmod(0)
        monkeypatch.chdir(top)
        if os.geteuid() != 0:
            status, lines = validate(runner)
        else:
            validate(runner, good_dir)  # import and cache everything before dropping privileges
            status, lines = _as_nobody(lambda: validate(runner))
        assert status == 1
        assert lines == PERMISSION_DENIED
    finally:
        (top / "data" / "links.csv").chmod(0o644)
        subprocess.run(["rm", "-rf", str(top)], check=True)


def _as_nobody(function):
    """The result of *function* (JSON-able) run in a child process with the user and group 'nobody'."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.write(write_end, json.dumps(function()).encode())
        except Exception as exc:  # report it, so that the parent fails with the reason
            os.write(write_end, json.dumps({"child error": repr(exc)}).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        answer = json.loads(fh.read())
    os.waitpid(pid, 0)
    assert not isinstance(answer, dict), answer
    return answer
