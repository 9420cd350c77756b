"""thbkg.graph.outputs.text: spreadsheet cells, terminal text, Markdown and serialised documents.

Expected strings are written by hand from OWASP's CSV-injection advice (a leading ``'`` on cells
beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return), from the escapes a reader sees
(``\\x1b``), from HTML entities and from the JSON and Turtle escape syntax; round trips use the
standard ``csv`` and ``json`` modules and rdflib's Turtle parser.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import pytest
from rdflib import Graph, Literal, URIRef

from thbkg.graph.errors import Problem
from thbkg.graph.outputs import text as textsafe
from thbkg.graph.outputs.results import format_csv, format_json, format_markdown, format_table, format_tsv
from thbkg.graph.outputs.validation import format_validation
from thbkg.graph.rdf.validate import ValidationReport


def controls(text: str) -> set:
    """The control characters (Unicode category Cc) in *text*: an independent check."""
    return {c for c in text if unicodedata.category(c) == "Cc"}


# ---------------------------------------------------------------------- csv_cell
@pytest.mark.parametrize("value, expected", [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ('=HYPERLINK("http://x")', "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"),
    ("-x", "'-x"),
    ("-", "'-"),
    ("-inf", "'-inf"),
    ("\tTAB-led", "'\tTAB-led"),
    ("\rCR-led", "'\rCR-led"),
    ("plain text", "plain text"),
    ("a=b", "a=b"),
    ("", ""),
])
def test_csv_cell_neutralises_formula_starts(value, expected):
    assert textsafe.csv_cell(value) == expected


@pytest.mark.parametrize("value", ["-3", "-0.5", "-1e-05", "-2.5E+10", "0", "12", "-.5"])
def test_csv_cell_keeps_plain_numbers(value):
    assert textsafe.csv_cell(value) == value


def test_csv_cell_keeps_numbers_and_none_is_empty():
    assert textsafe.csv_cell(-3) == -3
    assert textsafe.csv_cell(-0.25) == -0.25
    assert textsafe.csv_cell(None) == ""


def test_csv_cell_shows_escape_sequences_but_keeps_line_breaks_inside():
    assert textsafe.csv_cell("a\x1b[31mb\x07") == "a\\x1b[31mb\\x07"
    assert textsafe.csv_cell("two\nlines\tand\rcr") == "two\nlines\tand\rcr"
    assert textsafe.csv_cell("\x9bC1") == "\\x9bC1"


def test_raw_keeps_every_cell_as_it_is():
    for value in ("=1+1", "\x1b[31m", "-x", "\tx"):
        assert textsafe.csv_cell(value, raw=True) == value
    with textsafe.raw_csv():
        assert textsafe.raw_csv_enabled()
        assert textsafe.csv_cell("@SUM(1+1)") == "@SUM(1+1)"
    assert not textsafe.raw_csv_enabled()
    assert textsafe.csv_cell("@SUM(1+1)") == "'@SUM(1+1)"


def test_set_and_reset_raw_csv():
    token = textsafe.set_raw_csv(True)
    try:
        assert textsafe.csv_cell("=1") == "=1"
    finally:
        textsafe.reset_raw_csv(token)
    assert textsafe.csv_cell("=1") == "'=1"


def test_csv_text_reads_back_with_the_csv_module():
    text = textsafe.csv_text(["=h", "b"], [["=cmd|' /C calc'!A0", -2], ["x\ry", "a,b"]])
    assert text == "'=h,b\n'=cmd|' /C calc'!A0,-2\n\"x\ry\",\"a,b\"\n"
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["'=h", "b"], ["'=cmd|' /C calc'!A0", "-2"], ["x\ry", "a,b"]]


def test_csv_text_raw_and_line_ends():
    assert textsafe.csv_text(["a"], [["=1"]], raw=True, lineterminator="\r\n") == "a\r\n=1\r\n"
    assert textsafe.csv_text(["a", "b"], [["@x", "y"]], delimiter=";") == "a;b\n'@x;y\n"


# ---------------------------------------------------------------------- terminal_safe
@pytest.mark.parametrize("text, expected", [
    ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
    ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
    ("\x9b31m", "\\x9b31m"),
    ("nul\x00del\x7f", "nul\\x00del\\x7f"),
    ("over\rwrite", "over\\x0dwrite"),
    ("two\nlines\tx", "two\\x0alines\\x09x"),
    ("bidi \u202eevil", "bidi \\u202eevil"),
    ("line\u2028sep", "line\\u2028sep"),
    ("Côte d’Ivoire – 中国 ✓", "Côte d’Ivoire – 中国 ✓"),
])
def test_terminal_safe(text, expected):
    assert textsafe.terminal_safe(text) == expected
    assert not controls(textsafe.terminal_safe(text))


def test_terminal_safe_multiline_keeps_newline_and_tab_only():
    assert textsafe.terminal_safe("a\nb\tc\rd\x1be", multiline=True) == "a\nb\tc\\x0dd\\x1be"
    assert textsafe.terminal_safe(None) == "" and textsafe.terminal_safe(42) == "42"


# ---------------------------------------------------------------------- Markdown
@pytest.mark.parametrize("text, expected", [
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("a | b", "a \\| b"),
    ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
    ("![i](http://x/i.png)", "!\\[i\\](http://x/i.png)"),
    ("&lt;b&gt;", "&amp;lt;b&amp;gt;"),
    ("two\nlines\r\nthree", "two lines three"),
    ("eu_agency *x* `c` #h", "eu\\_agency \\*x\\* \\`c\\` \\#h"),
    ("\x1b[31m", "\\\\x1b\\[31m"),
])
def test_md_cell(text, expected):
    assert textsafe.md_cell(text) == expected


def test_md_code_and_link():
    assert textsafe.md_code("thbid:actor/a_b") == "`thbid:actor/a_b`"
    assert textsafe.md_code("x``y|z") == "``` x``y\\|z ```"
    assert textsafe.md_link("<b>Title</b>", "https://example.org/a") == \
        "[&lt;b&gt;Title&lt;/b&gt;](<https://example.org/a>)"
    assert textsafe.md_link("T", "https://example.org/a><img src=x>") == "T"
    assert textsafe.md_link("T", "https://example.org/\x1b") == "T"
    assert textsafe.md_link("T", None) == "T"


def test_markdown_table_escapes_every_cell():
    text = textsafe.markdown_table(["a_b", "label"], [["1", "<img src=x onerror=alert(1)>"], ["2", "x|y"]])
    assert text == ("| a\\_b | label |\n|---|---|\n| 1 | &lt;img src=x onerror=alert(1)&gt; |\n"
                    "| 2 | x\\|y |")
    assert textsafe.markdown_table(["h"], [["**kept**"]], escaped=True) == "| h |\n|---|\n| **kept** |"


# ---------------------------------------------------------------------- serialised documents
def test_json_controls_escaped_and_read_back_unchanged():
    value = "\x9b31m\x7f\u202e\u2028\x1b[0m"
    doc = textsafe.escape_serialized_controls(json.dumps({"v": value}, ensure_ascii=False))
    assert doc == '{"v": "\\u009b31m\\u007f\\u202e\\u2028\\u001b[0m"}'
    assert json.loads(doc) == {"v": value}


def test_turtle_controls_escaped_and_read_back_unchanged():
    value = "\x1b]0;title\x07\x9b"
    graph = Graph()
    graph.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), Literal(value)))
    text = textsafe.escape_serialized_controls(graph.serialize(format="nt"), "turtle")
    assert not controls(text) - {"\n"}
    assert "\\u001B]0;title\\u0007\\u009B" in text
    back = Graph().parse(data=text, format="nt")
    assert [str(o) for o in back.objects()] == [value]


def test_escape_serialized_controls_refuses_unknown_syntax():
    with pytest.raises(ValueError, match="unknown syntax 'xml'"):
        textsafe.escape_serialized_controls("<a/>", "xml")


# ---------------------------------------------------------------------- query formats on injected terms
VARIABLES = ["s", "label"]
ROWS = [
    [URIRef("https://w3id.org/thbkg/id/actor/ge"), Literal("\x1b[31mred\x1b[0m", lang="en")],
    [URIRef("https://w3id.org/thbkg/id/actor/ng"), Literal("<img src=x onerror=alert(1)>")],
    [URIRef("https://w3id.org/thbkg/id/actor/cmd"), Literal("=cmd|' /C calc'!A0")],
    [URIRef("https://w3id.org/thbkg/id/actor/num"), Literal(-3)],
]


def test_query_table_shows_escapes():
    text = format_table(VARIABLES, ROWS)
    assert not controls(text) - {"\n"}
    assert "thba:ge   \\x1b[31mred\\x1b[0m\n" in text


def test_query_csv_neutralises_and_raw_keeps():
    rows = list(csv.reader(io.StringIO(format_csv(VARIABLES, ROWS), newline="")))
    assert [r[1] for r in rows] == ["label", "\\x1b[31mred\\x1b[0m", "<img src=x onerror=alert(1)>",
                                    "'=cmd|' /C calc'!A0", "-3"]
    with textsafe.raw_csv():
        raw = list(csv.reader(io.StringIO(format_csv(VARIABLES, ROWS), newline="")))
    assert [r[1] for r in raw][1:] == ["\x1b[31mred\x1b[0m", "<img src=x onerror=alert(1)>",
                                       "=cmd|' /C calc'!A0", "-3"]


def test_query_tsv_escapes_inside_the_term():
    lines = format_tsv(VARIABLES, ROWS).splitlines()
    assert lines[1] == '<https://w3id.org/thbkg/id/actor/ge>\t"\\u001B[31mred\\u001B[0m"@en'
    assert lines[3] == "<https://w3id.org/thbkg/id/actor/cmd>\t\"'=cmd|' /C calc'!A0\""
    assert lines[4] == "<https://w3id.org/thbkg/id/actor/num>\t-3"


def test_query_markdown_has_no_raw_html():
    text = format_markdown(VARIABLES, ROWS)
    assert "<img" not in text and not controls(text) - {"\n"}
    assert "| `thba:ng` | &lt;img src=x onerror=alert(1)&gt; |" in text
    assert "| `thba:ge` | \\\\x1b\\[31mred\\\\x1b\\[0m |" in text


def test_query_json_reads_back_unchanged():
    class Result:
        form = "SELECT"

        def table(self):
            return VARIABLES, ROWS

    text = format_json(Result())
    assert not controls(text) - {"\n"}
    bindings = json.loads(text)["results"]["bindings"]
    assert bindings[0]["label"] == {"type": "literal", "value": "\x1b[31mred\x1b[0m", "xml:lang": "en"}


# ---------------------------------------------------------------------- validate formats
def test_validation_text_and_csv_are_safe():
    report = ValidationReport(problems=[Problem("=bad/links.csv", 3, "note", "'\x1b[2J' is odd")])
    assert format_validation(report, "text").splitlines()[0] == "=bad/links.csv:3: column 'note': '\\x1b[2J' is odd"
    rows = list(csv.reader(io.StringIO(format_validation(report, "csv"))))
    assert rows[1] == ["'=bad/links.csv", "3", "note", "'\\x1b[2J' is odd"]
    assert json.loads(format_validation(report, "json"))["problems"][0]["message"] == "'\x1b[2J' is odd"


# ---------------------------------------------------------------------- links, numbers and labels
@pytest.mark.parametrize("url, expected", [("https://example.org/a?b=1", "https://example.org/a?b=1"),
                                           (" HTTP://example.org ", "HTTP://example.org"),
                                           ("javascript:alert(1)", None), ("data:text/html,<b>", None),
                                           ("//evil.org", None), ("ftp://example.org", None), ("", None),
                                           (None, None)])
def test_safe_url_links_only_http(url, expected):
    assert textsafe.safe_url(url) == expected


def test_nan_prints_n_a_in_every_output():
    """One number formatter: the report, the analytic commands and the charts write NaN the same way."""
    from thbkg.graph.outputs import analytic, svg

    nan = float("nan")
    assert textsafe.format_number(nan) == textsafe.format_number(nan, significant=True) == "n/a"
    assert svg._num(nan) == "n/a"
    records = [{"rank": 1, "actor": "a", "label": "A", "type": "country", "constraint": nan}]
    params = {"metrics": ["constraint"], "ranked_by": "constraint", "order": "ascending", "top": 0, "k": None,
              "betweenness": None, "seed": 1, "backend": "networkx", "filters": "none", "actors": 1, "ties": 0,
              "links": 0, "networkx": "x"}
    table = analytic.render_centrality(records, params, "table").splitlines()
    assert table[-1].split() == ["1", "a", "A", "country", "n/a"]
    # the column stays right-aligned ("n/a" counts as a number): it ends where its header ends
    header = next(line for line in table if line.startswith("rank "))
    assert header.endswith("constraint") and len(table[-1]) == len(header)
    assert "| n/a |" in analytic.render_centrality(records, params, "md")


@pytest.mark.parametrize("value, expected", [(3.0, "3"), (0.123456, "0.1235"), (-2.5, "-2.5000"), (7, "7"),
                                             (None, ""), (1e16, "10000000000000000.0000")])
def test_format_number(value, expected):
    assert textsafe.format_number(value) == expected


def test_format_share_and_shorten_and_short_label():
    assert (textsafe.format_share(0.125), textsafe.format_share(0.125, 1), textsafe.format_share(float("nan"))) \
        == ("12%", "12.5%", "n/a")
    assert textsafe.shorten("x" * 10, 5) == "xxxx…" and len(textsafe.shorten("x" * 10, 5)) == 5
    assert textsafe.shorten("Organisation for Security and Co-operation", 20, words=True) == "Organisation for…"
    assert textsafe.short_label("Frontex (European Border and Coast Guard Agency)") == "Frontex"
    assert textsafe.short_label("A" * 60 + " (x)") == "A" * 60 + " (x)"   # too long a head: kept whole
