"""Reliability: a hostile-label dataset written out in every format holds no live formula, no raw
HTML in Markdown and no control character.

The tables in ``tests/fixtures/hostile/`` carry spreadsheet formulas and HTML in labels, notes, seats,
source titles and publishers. The table reader refuses control characters, so those are put into
the graph the other way a graph reaches thbkg: the tables are built to N-Triples, placeholders
(``CTLESC``…) are replaced by escape sequences, and the result is loaded as a persistent store that
every command reads with ``--store``.

Checks are independent of the code under test: cells are read back with the ``csv`` module, control
characters found with ``unicodedata``, JSON with ``json`` and XML with ``xml.etree``; the expected
escaped strings are written by hand.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from thbkg.cli.main import cli

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"

#: placeholder in the tables -> (N-Triples escape put into the store, the text it stands for)
CONTROL_TEXT = {
    "CTLESC": (r"\u001B[31mred\u001B[0m", "\x1b[31mred\x1b[0m"),
    "CTLOSC": (r"\u001B]0;title\u0007", "\x1b]0;title\x07"),
    "CTLTAB": (r"\tTAB-led", "\tTAB-led"),
    "CTLCR": (r"\rCR-led", "\rCR-led"),
    "CTLC1": (r"\u009B31mC1 CSI \u0000\u007F\u202Eevil", "\x9b31mC1 CSI \x00\x7f\u202eevil"),
    "CTLTITLE": (r"\u001B]8;;http://x\u001B\\link", "\x1b]8;;http://x\x1b\\link"),
    "CTLNOTE": (r"note\u001B[2J", "note\x1b[2J"),
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NEGATIVE_NUMBER = re.compile(r"-\d+(\.\d+)?([eE][+-]?\d+)?")
CMD = "=cmd|' /C calc'!A0"
IMG = "<img src=x onerror=alert(1)>"
IMG_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    """A persistent store of the hostile tables with real control characters in place of the placeholders."""
    from thbkg.graph.store.source import built_ntriples, write_store

    ntriples = built_ntriples([HOSTILE], include_bundled=False)
    for placeholder, (escape, _) in CONTROL_TEXT.items():
        assert placeholder.encode() in ntriples, placeholder
        ntriples = ntriples.replace(placeholder.encode(), escape.encode())
    target = tmp_path_factory.mktemp("hostile") / "store"
    write_store(target, ntriples=ntriples)
    return target


@pytest.fixture(params=["data", "store"])
def source(request, hostile_store, monkeypatch):
    """The hostile graph, read from the tables (--data) or from the store with control characters."""
    monkeypatch.setenv("THBKG_NO_BUNDLED", "1")
    if request.param == "data":
        return ["--data", str(HOSTILE)]
    return ["--store", str(hostile_store)]


def run(runner, *args, exit_code=0):
    result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output and "Internal error" not in result.output, result.output
    assert result.exit_code == exit_code, result.output
    return result.stdout


def controls(text: str, allowed: str = "\n") -> set:
    """Control characters (Unicode category Cc, or the bidi override) in *text* other than *allowed*."""
    return {c for c in text if (unicodedata.category(c) == "Cc" or c == "\u202e") and c not in allowed}


def csv_cells(text: str, delimiter: str = ",") -> list:
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]


def assert_safe_csv(text: str, delimiter: str = ","):
    """No cell a spreadsheet would run, and no control character but tab, CR and LF inside a cell."""
    cells = csv_cells(text, delimiter)
    live = [c for c in cells if c.startswith(FORMULA_START) and not NEGATIVE_NUMBER.fullmatch(c)]
    assert not live, live
    assert not controls(text, "\n\r\t"), controls(text, "\n\r\t")
    return cells


def assert_safe_markdown(text: str):
    assert not re.search(r"<\s*(img|script)", text, re.IGNORECASE)
    assert not controls(text), controls(text)


def assert_safe_terminal(text: str):
    assert not controls(text), controls(text)


def assert_safe_json(text: str):
    assert not controls(text), controls(text)
    return json.loads(text)


def strings(value):
    """Every string in a JSON value (keys and values)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


QUERY = ("SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && STRSTARTS(STR(?s), STR(thbid:))) } "
         "ORDER BY ?s ?o")

#: command -> arguments (all analytic commands get their hostile labels in every row); some hostile
#: actors are frameworks, which are nodes only in the two-mode view
COMMANDS = {
    "query": ["query", QUERY],
    "centrality": ["centrality", "--top", "0", "--frameworks", "as-nodes", "--metric", "degree",
                   "--metric", "pagerank"],
    "path": ["path", "ml", "ctl-cr", "--frameworks", "as-nodes"],
    "whatif": ["whatif", "--remove", "agency-cmd", "--frameworks", "as-nodes"],
    "stats": ["stats"],
}


# ---------------------------------------------------------------------- every command, every format
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_csv_output_has_no_live_formula(runner, source, command):
    text = run(runner, *COMMANDS[command], *source, "--format", "csv")
    cells = assert_safe_csv(text)
    if command in ("query", "centrality", "whatif"):
        assert "'" + CMD in cells and "'@SUM(1+1)" in cells and "'-x" in cells and CMD not in cells
    if command in ("query", "centrality") and "--store" in source:
        assert "'\tTAB-led" in cells and "'\rCR-led" in cells and "\\x1b[31mred\\x1b[0m" in cells


@pytest.mark.parametrize("command", ["query", "centrality", "whatif"])
def test_raw_csv_keeps_cells_as_they_are(runner, source, command):
    cells = csv_cells(run(runner, *COMMANDS[command], *source, "--format", "csv", "--raw-csv"))
    assert CMD in cells and "@SUM(1+1)" in cells and "-x" in cells and "'" + CMD not in cells
    if "--store" in source:
        assert "\x1b[31mred\x1b[0m" in cells and "\tTAB-led" in cells
    # the switch ends with the command: the next run neutralises again
    assert "'" + CMD in csv_cells(run(runner, *COMMANDS[command], *source, "--format", "csv"))


def test_query_tsv_has_no_live_formula(runner, source):
    text = run(runner, *COMMANDS["query"], *source, "--format", "tsv")
    lines = text.splitlines()
    assert f"<https://w3id.org/thbkg/id/actor/agency-cmd>\t\"'{CMD}\"@en" in lines
    assert not [c for c in csv_cells(text, "\t") if c.startswith(FORMULA_START)]
    assert_safe_terminal(text.replace("\t", ""))
    raw = run(runner, *COMMANDS["query"], *source, "--format", "tsv", "--raw-csv").splitlines()
    assert f'<https://w3id.org/thbkg/id/actor/agency-cmd>\t"{CMD}"@en' in raw


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_markdown_output_has_no_raw_html(runner, source, command):
    text = run(runner, *COMMANDS[command], *source, "--format", "md")
    assert_safe_markdown(text)
    if command in ("query", "centrality", "whatif"):
        assert IMG_ESCAPED in text
    if command == "centrality":
        assert "| agency-cmd | =cmd\\|' /C calc'!A0 | eu\\_agency | 3 |" in text
        if "--store" in source:
            assert "| ge | \\\\x1b\\[31mred\\\\x1b\\[0m | country | 2 |" in text


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_table_output_has_no_control_character(runner, source, command):
    text = run(runner, *COMMANDS[command], *source, "--format", "table")
    assert_safe_terminal(text)
    if "--store" not in source:
        return
    if command in ("query", "centrality", "whatif"):
        assert "\\x1b[31mred\\x1b[0m" in text and "\\x1b]0;title\\x07" in text
    if command == "path":  # ml - agency-cmd - io-link - agency-sum - net-plus - ge - ctl-cr
        assert "Path 1: -x (ml) -> " in text and "\\x1b[31mred\\x1b[0m (ge) -> \\x0dCR-led (ctl-cr)" in text


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_json_output_reads_back_unchanged(runner, source, command):
    data = assert_safe_json(run(runner, *COMMANDS[command], *source, "--format", "json"))
    texts = set(strings(data))
    if command in ("centrality", "whatif"):
        assert CMD in texts
    if "--store" in source and command in ("query", "centrality"):
        assert {"\x1b[31mred\x1b[0m", "\x9b31mC1 CSI \x00\x7f\u202eevil"} <= texts


CONSTRUCT = ('CONSTRUCT { ?s rdfs:label ?o } WHERE { ?s rdfs:label ?o '
             'FILTER(STRSTARTS(STR(?s), "https://w3id.org/thbkg/id/actor/")) }')


@pytest.mark.parametrize("fmt, parser", [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_query_graph_output_reads_back_unchanged(runner, source, fmt, parser):
    from rdflib import Graph

    text = run(runner, "query", CONSTRUCT, *source, "--format", fmt)
    assert not controls(text, "\n\t"), controls(text, "\n\t")
    labels = {str(o) for o in Graph().parse(data=text, format=parser).objects()}
    assert CMD in labels and IMG in labels
    if "--store" in source:
        assert {"\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\rCR-led", "\x9b31mC1 CSI \x00\x7f\u202eevil"} <= labels


# ---------------------------------------------------------------------- export
def test_export_csv_has_no_live_formula(runner, source):
    for level in ("pairs", "links"):
        cells = assert_safe_csv(run(runner, "export", *source, "--format", "csv", "--edges", level))
        assert "'" + CMD in cells and "'=HYPERLINK(\"http://x\")" in cells and CMD not in cells
    if "--store" in source:
        assert "\\x1b[31mred\\x1b[0m" in cells


@pytest.mark.parametrize("fmt", ["kumu", "cytoscape"])
def test_export_json_reads_back_unchanged(runner, source, fmt):
    texts = set(strings(assert_safe_json(run(runner, "export", *source, "--format", fmt, "--frameworks", "as-nodes"))))
    assert CMD in texts and IMG in texts
    if "--store" in source:
        assert "\x1b]0;title\x07" in texts


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_xml_is_well_formed_without_control_characters(runner, source, fmt):
    text = run(runner, "export", *source, "--format", fmt, "--edges", "links")
    assert not controls(text, "\n\t"), controls(text, "\n\t")
    root = ET.fromstring(text.encode("utf-8"))
    values = {(e.text or "") for e in root.iter()} | {v for e in root.iter() for v in e.attrib.values()}
    assert CMD in values
    if "--store" in source:
        assert "\\x1b[31mred\\x1b[0m" in values


# ---------------------------------------------------------------------- validate
def test_validate_csv_neutralises_a_formula_like_path(runner, tmp_path, monkeypatch):
    folder = tmp_path / "=bad"
    shutil.copytree(HOSTILE, folder)
    with (folder / "links.csv").open("a", encoding="utf-8") as table:
        table.write("bad-date,ml,agency-sum,membership,,@SUM(1+1),,active,,src-html,high,,\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("THBKG_NO_BUNDLED", "1")
    text = run(runner, "validate", "--data", "=bad", "--format", "csv", exit_code=1)
    cells = assert_safe_csv(text)
    assert cells[:4] == ["file", "line", "column", "message"]
    assert cells[4:7] == ["'=bad/links.csv", "13", "start"] and cells[7].startswith("'@SUM(1+1)'")
    raw = csv_cells(run(runner, "validate", "--data", "=bad", "--format", "csv", "--raw-csv", exit_code=1))
    assert raw[4:7] == ["=bad/links.csv", "13", "start"]


def test_validate_of_the_hostile_tables(runner, monkeypatch):
    monkeypatch.setenv("THBKG_NO_BUNDLED", "1")
    assert run(runner, "validate", "--data", HOSTILE, "--format", "csv") == "file,line,column,message\n"
    assert_safe_json(run(runner, "validate", "--data", HOSTILE, "--format", "json"))
    assert_safe_terminal(run(runner, "validate", "--data", HOSTILE))


# ---------------------------------------------------------------------- report
def test_report_markdown_has_no_raw_html(runner, source):
    text = run(runner, "report", *source, "--format", "md", "-o", "-", "--generated", "2026-01-01")
    assert_safe_markdown(text)
    assert IMG_ESCAPED in text and "=cmd\\|' /C calc'!A0" in text
    assert "&lt;img src=x onerror=alert(1)&gt;](<https://example.org/html>)" in text
    if "--store" in source:
        assert "\\\\x1b\\[31mred\\\\x1b\\[0m" in text


def test_report_html_has_no_raw_html_from_the_data(runner, source):
    text = run(runner, "report", *source, "--format", "html", "-o", "-", "--generated", "2026-01-01")
    assert not re.search(r"<\s*(img|script)", text, re.IGNORECASE)
    assert not controls(text, "\n\t"), controls(text, "\n\t")  # a tab is only white space in HTML
    assert IMG_ESCAPED in text


def test_report_csv_and_json(runner, source):
    cells = assert_safe_csv(run(runner, "report", *source, "--format", "csv", "-o", "-", "--frameworks", "as-nodes"))
    assert "'" + CMD in cells and "'+1" in cells  # '+1' labels a network: a node in the two-mode view
    texts = set(strings(assert_safe_json(run(runner, "report", *source, "--format", "json", "-o", "-"))))
    assert CMD in texts
    if "--store" in source:
        assert "\x1b[31mred\x1b[0m" in texts


def test_report_folder_neutralises_centrality_csv(runner, source, tmp_path):
    folder = tmp_path / "product"
    run(runner, "report", *source, "-o", f"{folder}/", "--no-map", "--generated", "2026-01-01")
    cells = assert_safe_csv((folder / "centrality.csv").read_text(encoding="utf-8"))
    assert "'" + CMD in cells and "'@SUM(1+1)" in cells and "'-x" in cells
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<\s*(img|script)", html, re.IGNORECASE) and not controls(html, "\n\t")
    assert CMD in set(strings(assert_safe_json((folder / "centrality.json").read_text(encoding="utf-8"))))


def test_report_and_export_keep_cells_with_raw_csv(runner, source):
    report_cells = csv_cells(run(runner, "report", *source, "--format", "csv", "--raw-csv", "-o", "-"))
    export_cells = csv_cells(run(runner, "export", *source, "--format", "csv", "--raw-csv"))
    assert CMD in report_cells and CMD in export_cells and "'" + CMD not in report_cells + export_cells
