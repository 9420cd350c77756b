"""Errors that thbkg reports to users as plain lines, never as tracebacks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in the input, located as precisely as known.

    >>> str(Problem("data/links.csv", 57, "end", "'2019-13-40' is not a date"))
    "data/links.csv:57: column 'end': '2019-13-40' is not a date"
    """

    file: str
    line: int | None = None
    column: str | None = None
    message: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        col = f" column '{self.column}':" if self.column else ""
        return f"{where}:{col} {self.message}"


class ThbkgError(Exception):
    """An error with a message meant for the user (exit status 1)."""

    exit_code = 1


class UsageError(ThbkgError):
    """The user asked for something impossible (exit status 2)."""

    exit_code = 2


class DataError(ThbkgError):
    """The input has one or more problems; all of them are listed."""

    def __init__(self, problems):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or "", p.message))
        super().__init__("\n".join(str(p) for p in self.problems))
