"""The validation result as text, JSON or CSV (the result itself is made by :mod:`thbkg.graph.rdf.validate`)."""

from __future__ import annotations

import json

from thbkg.graph.outputs.text import csv_text, escape_serialized_controls, terminal_safe
from thbkg.graph.rdf.validate import ValidationReport, problem_dict

VALIDATE_FORMATS = ("text", "json", "csv")
#: Columns of ``thbkg validate --format csv`` (one row per problem).
PROBLEM_COLUMNS = ("file", "line", "column", "message")


def validation_warnings(report: ValidationReport) -> list:
    """The warning lines of ``thbkg validate`` (text and csv, on stderr): one per SHACL warning, then,
    without ``--strict``, one line counting the links without a documentary source (``--strict`` or
    ``--format json`` lists them).

    >>> from thbkg.graph.errors import Problem
    >>> r = ValidationReport(undocumented=[Problem("links.csv", 2, "sources", "x"), Problem("links.csv", 5, "sources", "y")])
    >>> validation_warnings(r)
    ["2 links have no documentary source (their sources are only general knowledge or memory, or have no kind); 'thbkg validate --strict' lists them and fails on them"]
    >>> validation_warnings(ValidationReport(undocumented=r.undocumented, strict=True))
    []
    """
    lines = [str(warning) for warning in report.warnings]
    undocumented = report.undocumented_warning()
    if not report.strict and undocumented:
        lines.append(undocumented)
    return lines


def format_validation(report: ValidationReport, fmt: str = "text") -> str:
    """The validation result as text for *fmt*:

    * ``text``: one line per problem (``file:line: column 'c': message``), then the summary line;
    * ``json``: :meth:`ValidationReport.to_dict`;
    * ``csv``: one row per problem with the columns :data:`PROBLEM_COLUMNS` (header only when valid).

    Data text quoted in a message is made safe for each format (:mod:`thbkg.graph.outputs.text`):
    control characters are shown as escapes in ``text``, and ``csv`` cells that a spreadsheet
    would run as formulas get a leading ``'``.

    >>> from thbkg.graph.errors import Problem
    >>> r = ValidationReport(problems=[Problem("links.csv", 3, "end", "bad, very bad")])
    >>> print(format_validation(r, "csv"), end="")
    file,line,column,message
    links.csv,3,end,"bad, very bad"
    >>> print(format_validation(r, "text"), end="")
    links.csv:3: column 'end': bad, very bad
    1 problem found.
    """
    if fmt == "json":
        return escape_serialized_controls(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)) + "\n"
    if fmt == "csv":
        return csv_text(PROBLEM_COLUMNS, (problem_dict(problem).values() for problem in report.problems))
    if fmt == "text":
        return "".join(f"{terminal_safe(p)}\n" for p in report.problems) + report.summary() + "\n"
    raise ValueError(f"unknown format {fmt!r} (use {', '.join(VALIDATE_FORMATS)})")
