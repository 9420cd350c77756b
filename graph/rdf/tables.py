"""Read and check the CSV tables of one or more data folders.

Every problem found is collected (not only the first) as a :class:`~thbkg.graph.errors.Problem`
pointing at the file, the physical line (header = line 1) and the column, with a message that says
what is wrong and how to fix it. :func:`load_dataset` raises :class:`~thbkg.graph.errors.DataError`
with all of them, or returns a :class:`Dataset`.

A row whose line starts with ``#`` is a comment and is skipped (``thbkg init`` writes each table with one
example row commented out this way); a first cell that really starts with ``#`` is written in quotes.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "sources.csv").write_text("id,title,publisher,url,issued,accessed,note\\n"
...                                    "s1,A title,,https://example.org,2019-13-40,,\\n", encoding="utf-8")
>>> try:
...     load_dataset([d], include_bundled=False)
... except DataError as exc:
...     print(exc.problems[0].column, "|", exc.problems[0].message)
issued | '2019-13-40' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)
"""

from __future__ import annotations

import collections
import contextlib
import csv
import difflib
import errno
import io
import os
import re
import stat
import urllib.parse
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from thbkg.graph.errors import DataError, Problem
from thbkg.graph.io import protect_inputs
from thbkg.graph.rdf.dates import period_of
from thbkg.graph.rdf.namespaces import ORG, THB

#: table name -> columns, in the order of docs/design.md (and of the bundled tables). A table's header may give
#: them in any order and leave out every column that is not in REQUIRED (an absent column reads as empty cells).
COLUMNS = {
    "actors": ("id", "label", "aliases", "type", "iso2", "iso3", "wikidata", "eu_authority", "seat", "lat", "lon",
               "parent", "sources", "confidence", "note"),
    "links": ("id", "subject", "object", "type", "role", "start", "end", "status", "instrument", "sources",
              "confidence", "date_confidence", "note", "amount", "currency", "covers", "round"),
    "sources": ("id", "title", "publisher", "url", "issued", "accessed", "kind", "note"),
    "instruments": ("id", "label", "type", "identifier", "date", "url", "sources", "confidence", "note"),
    "regions": ("id", "label", "definition", "sources", "confidence"),
    "region_members": ("region", "actor", "sources", "confidence", "note"),
}
#: tables read in this order, so that references point backwards where possible
TABLES = ("sources", "instruments", "actors", "regions", "region_members", "links")
#: columns that every table's header must have and that must not be empty; the others are optional
REQUIRED = {
    "actors": ("id", "label", "type"),
    "links": ("id", "subject", "object", "type", "sources", "confidence"),
    "sources": ("id", "title"),
    "instruments": ("id", "label", "type", "sources", "confidence"),
    "regions": ("id", "label"),
    "region_members": ("region", "actor", "sources", "confidence"),
}
#: what each table is called in messages about unknown ids
KIND = {"actors": "actor", "sources": "source", "instruments": "instrument", "regions": "region"}

#: a row whose first line starts with this (after spaces or tabs, outside quotes) is a comment: it is skipped
COMMENT = "#"
ENV_NO_BUNDLED = "THBKG_NO_BUNDLED"
ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
QID_RE = re.compile(r"Q[1-9][0-9]*\Z")
URL_RE = re.compile(r"https?://[^\s<>\"{}|\\^`]+\Z")
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
USER_ASSIGNED_ISO = {"XK": "XKX"}  # Kosovo: user-assigned code, not in ISO 3166-1

#: the largest cell accepted, in bytes of UTF-8 (Python's csv module alone stops at 128 K characters,
#: with a message about quoting)
MAX_CELL_BYTES = 64 * 1024
#: characters a cell must not hold: C0 controls but tab, CR and LF (which can only be in a cell inside
#: quotes), DEL, C1 controls, and the Unicode line and paragraph separators
BAD_CHAR_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\uffff]")
#: of those, the ones some programs (Python's str.splitlines, editors, JSON) read as a line break
LINE_BREAKERS = {"\x0b": "vertical tab", "\x0c": "form feed", "\x1c": "file separator",
                 "\x1d": "group separator", "\x1e": "record separator", "\x85": "next line",
                 "\u2028": "line separator", "\u2029": "paragraph separator"}
_C0_NAMES = ("NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI",
             "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US")
#: stands in for NUL while the csv module reads (Python < 3.11 refuses NUL); a noncharacter, so never
#: in real text
_NUL_STAND_IN = "\uffff"
_ABSENT = object()  # no file at all where a table could be
#: file type -> why a table that is not a regular file is refused, and the fix
_NOT_A_FILE = {
    stat.S_IFDIR: "is a folder, not a CSV file; put the table's CSV file here instead, or rename the folder",
    stat.S_IFIFO: "is a named pipe (FIFO), not a CSV file; put the table's CSV file here instead",
    stat.S_IFSOCK: "is a socket, not a CSV file; put the table's CSV file here instead",
    stat.S_IFCHR: "is a device, not a CSV file; put the table's CSV file here instead",
    stat.S_IFBLK: "is a device, not a CSV file; put the table's CSV file here instead",
}


class Record(dict):
    """One table row (column -> stripped text) that remembers where it came from.

    >>> r = Record({"id": "al"}, file="data/actors.csv", line=3)
    >>> r["id"], r.where
    ('al', 'data/actors.csv:3')
    """

    __slots__ = ("file", "line")  # no per-row attribute dict: a row costs its cells only

    def __init__(self, values, *, file: str, line: int):
        super().__init__(values)
        self.file = file
        self.line = line

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Dataset:
    """The rows of all tables, merged over the data folders, each a :class:`Record`.

    ``folders`` lists the folders read, bundled data first.
    """

    actors: list = field(default_factory=list)
    links: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    instruments: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    region_members: list = field(default_factory=list)
    folders: tuple = ()

    def table(self, name: str) -> list:
        return getattr(self, name)

    def ids(self, name: str) -> set:
        return {r["id"] for r in self.table(name)}


# ---------------------------------------------------------------------------------------------
# dates


# ---------------------------------------------------------------------------------------------
# folders and files


def display_path(path) -> str:
    """*path* relative to the current folder when it is inside it, else as given."""
    path = Path(path)
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return str(path)


def bundled_data_dir() -> Path:
    """The folder of the bundled tables (``thbkg.data``)."""
    return Path(str(resources.files("thbkg.data")))


def use_bundled_default() -> bool:
    """False when the environment variable ``THBKG_NO_BUNDLED`` is set to a true value."""
    return os.environ.get(ENV_NO_BUNDLED, "").strip().lower() not in ("1", "true", "yes", "on")


def data_folders(data_dirs=(), include_bundled=None) -> list:
    """The folders to read, bundled first (unless excluded), then *data_dirs* in order."""
    if include_bundled is None:
        include_bundled = use_bundled_default()
    folders = [bundled_data_dir()] if include_bundled else []
    for d in data_dirs:
        p = Path(d)
        if not any(p.resolve() == f.resolve() for f in folders):
            folders.append(p)
    protect_inputs(*folders)  # no output of this run may replace them
    return folders


def _table_file_problem(path: Path):
    """Why *path* cannot be read as a table, checked before opening it (so that a FIFO never blocks).

    Returns None for a regular file or a link to one, ``_ABSENT`` when nothing is there (a table
    missing from a data folder is fine), else a message with the fix: what is there is never skipped.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            return f"is a symbolic link to '{os.readlink(path)}', which does not exist; fix the link or remove it"
        return _ABSENT
    except OSError as exc:
        return _unreadable(exc)
    if stat.S_ISREG(mode):
        return None
    return _NOT_A_FILE.get(stat.S_IFMT(mode), "is not a regular file; put the table's CSV file here instead")


def _unreadable(exc: OSError) -> str:
    """The message for a table the system refuses to read."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot be read (permission denied); make the file readable for you (e.g. chmod a+r) or copy it"
    from thbkg.graph.io import os_error_message

    return "cannot be read: " + os_error_message(OSError(exc.errno, exc.strerror))


def _read_bytes(path: Path) -> bytes:
    """The bytes of the regular file *path* (OSError when it cannot be read).

    Opened without blocking and checked again once open, in case it became a FIFO since it was checked.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    with open(os.open(path, flags), "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise OSError(errno.ENXIO, "not a regular file any more")
        return fh.read()


def _read_text(raw: bytes, name: str, shown: str, problems: list):
    """The text of a table file, or None when it cannot be used (the problem is recorded)."""
    if not raw.strip():
        problems.append(Problem(shown, None, None,
                                f"the file is empty (it needs at least the header row: {','.join(COLUMNS[name])})"))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(shown, 1, None, "the file starts with a UTF-8 byte order mark (BOM); "
                                                "save it as UTF-8 without BOM"))
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(Problem(shown, line, None,
                                f"byte 0x{raw[exc.start]:02x} at character {col} is not UTF-8 "
                                "(the file has another encoding); save the file as UTF-8"))
        return None


@contextlib.contextmanager
def _field_size_limit(limit: int):
    """Let the csv module read cells of up to *limit* characters (its default, 128 K, fails on long
    cells with a message about quoting); long cells are then reported with their size."""
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, limit))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _read_table(path: Path, name: str, problems: list):
    """Records of one CSV file, or None when the file is unusable (problems recorded)."""
    shown = display_path(path)
    try:
        raw = _read_bytes(path)
    except OSError as exc:
        problems.append(Problem(shown, None, None, _unreadable(exc)))
        return None
    size = len(raw)
    text = _read_text(raw, name, shown, problems)
    del raw  # the text is all that is needed from here on
    if text is None:
        return None
    # screen cells one by one only where there may be something to find (the reading stays fast)
    screen = _Screen(BAD_CHAR_RE.search(text) is not None, size > MAX_CELL_BYTES)
    if "\x00" in text:
        text = text.replace("\x00", _NUL_STAND_IN)  # Python < 3.11's csv refuses NUL; it is reported per cell
    with _field_size_limit(len(text) + 1):
        reader = csv.reader(csv_lines(text), strict=True)
        header = _read_header(reader, name, text, shown, problems, screen)
        if header is None:
            return None
        return _read_rows(reader, name, header, text, shown, problems, screen)


_CSV_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def csv_lines(text: str):
    """The lines of *text* with their endings, one at a time (no copy of the whole text is made).

    Lines end at ``\\n``, ``\\r\\n`` or ``\\r`` only, as in CSV (what ``io.StringIO(text, newline="")``
    gives), never at U+2028 or a form feed.

    >>> list(csv_lines("a,b\\r\\nc\\rd\\n\\u2028e"))
    ['a,b\\r\\n', 'c\\r', 'd\\n', '\\u2028e']
    """
    return (match.group() for match in _CSV_LINE.finditer(text))


def _read_header(reader, name, text, shown, problems, screen):
    """The stripped column names, or None when the header is unusable (problems recorded)."""
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        problems.append(_quoting_problem(exc, text, 1, reader.line_num, None, shown))
        return None
    if screen.needed(header):
        header = _screen_cells(header, None, shown, 1, problems)
    header = [h.strip() for h in header]
    if header and header[0].startswith(COMMENT):
        problems.append(Problem(shown, 1, None, f"the first line starts with '{COMMENT}', but it must be the header "
                                                f"row (the column names, at least {','.join(REQUIRED[name])}); "
                                                "move comment rows below the header"))
        return None
    expected = COLUMNS[name]
    missing = [c for c in REQUIRED[name] if c not in header]
    unknown = [h for h in header if h not in expected]
    broken = False
    for col in missing:
        problems.append(Problem(shown, 1, col, f"missing column; {name}.csv needs the columns "
                                               f"{','.join(REQUIRED[name])} (in any order) and may add "
                                               f"{','.join(optional_columns(name))}"))
        broken = True
    for col in unknown:
        hint = difflib.get_close_matches(col, [c for c in expected if c not in header], n=1)
        fix = f"did you mean '{hint[0]}'?" if hint else f"allowed columns: {','.join(expected)}"
        problems.append(Problem(shown, 1, col or "(empty)", f"unknown column ({fix})"))
        broken = True
    seen_columns = set()
    for col in header:
        if col in seen_columns and col in expected:
            problems.append(Problem(shown, 1, col, "column appears twice in the header; keep one"))
            broken = True
        seen_columns.add(col)
    return None if broken else header


def optional_columns(name: str) -> tuple:
    """The columns of table *name* that its header may leave out (their cells then read as empty).

    >>> optional_columns("sources")
    ('publisher', 'url', 'issued', 'accessed', 'kind', 'note')
    """
    return tuple(c for c in COLUMNS[name] if c not in REQUIRED[name])


def _read_rows(reader, name, header, text, shown, problems, screen):
    """The records after the header, or None when the CSV cannot be read to its end (problems recorded)."""
    absent = {c: "" for c in COLUMNS[name] if c not in header}
    comments = comment_lines(text) if COMMENT in text else frozenset()
    records = []
    start = reader.line_num + 1  # physical line where the next row begins (a row may span lines)
    try:
        for row in reader:
            first, start = start, reader.line_num + 1
            if first in comments:
                continue
            if screen.needed(row):
                row = _screen_cells(row, header, shown, first, problems)
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != len(header):
                problems.append(Problem(shown, first, None,
                                        f"the row has {len(row)} cells but the header has {len(header)}; "
                                        "check the commas and quotes"))
                continue
            cells = {h: c.strip() for h, c in zip(header, row, strict=True)}
            records.append(Record({**absent, **cells}, file=shown, line=first))
    except csv.Error as exc:
        problems.append(_quoting_problem(exc, text, start, reader.line_num, header, shown))
        return None
    return records


def comment_lines(text: str) -> frozenset:
    """The numbers of the physical lines of *text* that start with ``#`` (after spaces or tabs).

    A row that begins on such a line is a comment. Lines end at ``\\n``, ``\\r\\n`` or ``\\r``, as the
    csv module counts them; a line inside a quoted cell never begins a row, so it is not a comment.

    >>> sorted(comment_lines('id,label\\n#example,An example\\nb,"#not a comment"\\n  # indented\\n'))
    [2, 4]
    """
    lines = io.StringIO(text, newline="")
    return frozenset(number for number, line in enumerate(lines, start=1) if line.lstrip(" \t").startswith(COMMENT))


def _quoting_problem(exc, text, start, end, header, shown) -> Problem:
    """The problem for a row (lines *start*..*end*) the csv module cannot read."""
    reason = str(exc)
    if reason.startswith("unexpected end of data"):  # the file ends inside quotes
        return Problem(shown, start, _open_quote_column(text, start, header),
                       f"a quoted cell opened on this line is never closed (the file ends inside it, on line "
                       f"{end}); add the closing quote (\")")
    if "expected after '\"'" in reason:  # e.g. "a"b: text after the closing quote
        return Problem(shown, end, None, "text follows the closing quote of a cell; write a quote inside a "
                                         "quoted cell as two quotes (\"\"), or put the closing quote at the end")
    what = "the header row" if header is None else "the CSV"
    return Problem(shown, end, None, f"cannot read {what} ({reason or 'no header row'}); fix the quoting")


def _open_quote_column(text, start, header):
    """The column whose quoted cell, opened on line *start*, is never closed (None when unknown)."""
    rest = "".join(io.StringIO(text, newline="").readlines()[start - 1:])
    try:
        row = next(csv.reader(io.StringIO(rest + '"', newline="")))
    except (StopIteration, csv.Error):
        return None
    index = len(row) - 1
    return header[index] if header and index < len(header) else None


@dataclass(frozen=True)
class _Screen:
    """Whether a file holds a bad character, and whether it is large enough to hold a cell over 64 KB."""

    bad_characters: bool
    large: bool

    def needed(self, row) -> bool:
        """Whether the cells of *row* must be screened."""
        return self.bad_characters or (self.large and max(map(len, row), default=0) > MAX_CELL_BYTES // 4)


def _screen_cells(row, header, shown, line, problems) -> list:
    """*row* with bad characters and overlong cells reported, and made harmless for later messages."""
    cleaned = []
    for index, cell in enumerate(row):
        column = header[index] if header and index < len(header) else None
        subject = "" if column else (f"column name {index + 1} " if header is None else f"cell {index + 1} ")
        messages, cell = _screen_cell(cell)
        problems.extend(Problem(shown, line, column, subject + message) for message in messages)
        cleaned.append(cell)
    return cleaned


def _screen_cell(cell: str):
    """(messages, cell): what is wrong with one cell's characters and size, and the cell shortened and
    with U+FFFD for each bad character, so that no later message repeats them.

    >>> _screen_cell("tab" + chr(9) + "ok")[0]
    []
    >>> _screen_cell("a" + chr(0) + "b")[1] == "a" + chr(0xFFFD) + "b"
    True
    """
    messages = []
    if len(cell) > MAX_CELL_BYTES // 4:  # a UTF-8 character has at most 4 bytes
        size = len(cell.encode("utf-8"))
        if size > MAX_CELL_BYTES:
            messages.append(f"the cell has {size:,} bytes ({human_size(size)}), more than the 64 KB "
                            f"({MAX_CELL_BYTES:,} bytes) a cell may hold; shorten it (put long texts in a "
                            "source document and cite it)")
            cell = cell[:20] + "…"
    match = BAD_CHAR_RE.search(cell)
    if match:
        messages.append(_bad_character_message(match.group(), match.start() + 1, len(BAD_CHAR_RE.findall(cell))))
        cell = BAD_CHAR_RE.sub("\ufffd", cell)
    return messages, cell


def _bad_character_message(char: str, position: int, count: int) -> str:
    """What is wrong with the bad character *char* at *position* of a cell holding *count* of them.

    >>> _bad_character_message(chr(27), 4, 1)[:60]
    'contains the control character U+001B (ESC) at character 4; '
    """
    code = 0 if char == _NUL_STAND_IN else ord(char)
    where = f"at character {position}" + (f" (the cell has {count} such characters)" if count > 1 else "")
    if char in LINE_BREAKERS:
        return (f"contains U+{code:04X} ({LINE_BREAKERS[char]}) {where}, which some programs read as a line "
                "break; replace it with a space, or with an ordinary line break inside quotes")
    name = _C0_NAMES[code] if code < 0x20 else ("DEL" if code == 0x7F else "C1 control")
    return (f"contains the control character U+{code:04X} ({name}) {where}; remove it (a cell may hold tabs "
            "and, inside quotes, line breaks, but no other control character)")


def human_size(size: int) -> str:
    """A byte count for people, in KB or MB.

    >>> human_size(1048576)
    '1.0 MB'
    """
    return f"{size / 1024 ** 2:.1f} MB" if size >= 1024 ** 2 else f"{size / 1024:.1f} KB"


# ---------------------------------------------------------------------------------------------
# checks


class _Checker:
    def __init__(self, vocab, problems):
        self.vocab = vocab
        self.problems = problems
        self.iso = _iso_tables()

    def add(self, rec, column, message):
        self.problems.append(Problem(rec.file, rec.line, column, message))

    def required(self, rec, table):
        ok = True
        for col in REQUIRED[table]:
            if not rec[col]:
                what = {"sources": "at least one source id (separate several with ';')"}.get(col, "a value")
                self.add(rec, col, f"is empty; give {what}")
                ok = False
        return ok

    def ident(self, rec, column="id"):
        value = rec[column]
        if value and not ID_RE.match(value):
            self.add(rec, column, f"'{value}' is not a valid id (use lower-case letters, digits, '_' and '-', "
                                  "starting with a letter or digit)")

    def code(self, rec, column, allowed, what):
        value = rec[column]
        if value and value not in allowed:
            hint = difflib.get_close_matches(value, list(allowed), n=1)
            choices = ", ".join(allowed if isinstance(allowed, tuple) else sorted(allowed))
            fix = f"did you mean '{hint[0]}'? allowed: {choices}" if hint else f"use one of: {choices}"
            self.add(rec, column, f"unknown {what} '{value}' ({fix})")

    def date(self, rec, column):
        value = rec[column]
        if not value:
            return None
        bounds = period_of(value)
        if bounds is None:
            self.add(rec, column, f"'{value}' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
        return bounds

    def url(self, rec, column):
        value = rec[column]
        if value and not is_web_address(value):
            self.add(rec, column, f"'{value}' is not a web address (use an http:// or https:// URL with a host "
                                  "name and no spaces)")

    def reference(self, rec, column, known, table, multi=False):
        """Check ids in *column* against *known* (None: the target table is unusable, skip)."""
        values = split_multi(rec[column]) if multi else ([rec[column]] if rec[column] else [])
        if known is None:
            return values
        for value in values:
            if value not in known:
                hint = difflib.get_close_matches(value, sorted(known), n=1)
                fix = (f"did you mean '{hint[0]}'? otherwise add it to {table}.csv" if hint
                       else f"add it to {table}.csv or fix the id")
                self.add(rec, column, f"unknown {KIND[table]} '{value}' ({fix})")
        return values

    def iso_codes(self, rec):
        iso2, iso3 = rec["iso2"], rec["iso3"]
        if iso2 and (not re.fullmatch(r"[A-Z]{2}", iso2) or (self.iso and iso2 not in self.iso[0]
                                                             and iso2 not in USER_ASSIGNED_ISO)):
            self.add(rec, "iso2", f"'{iso2}' is not an ISO 3166-1 alpha-2 country code "
                                  "(two capital letters, e.g. AL; Kosovo: XK)")
            iso2 = ""
        if iso3:
            known3 = set(self.iso[0].values()) | set(USER_ASSIGNED_ISO.values()) if self.iso else None
            if not re.fullmatch(r"[A-Z]{3}", iso3) or (known3 and iso3 not in known3):
                self.add(rec, "iso3", f"'{iso3}' is not an ISO 3166-1 alpha-3 country code "
                                      "(three capital letters, e.g. ALB; Kosovo: XKX)")
                iso3 = ""
        if iso2 and iso3 and self.iso:
            expected = {**self.iso[0], **USER_ASSIGNED_ISO}.get(iso2)
            if expected and expected != iso3:
                self.add(rec, "iso3", f"'{iso3}' does not match iso2 '{iso2}' (the alpha-3 code of {iso2} "
                                      f"is {expected})")

    def coordinates(self, rec):
        lat, lon = rec["lat"], rec["lon"]
        if bool(lat) != bool(lon):
            self.add(rec, "lon" if lat else "lat", "is empty; give both lat and lon, or neither")
            return
        for column, value, limit in (("lat", lat, 90), ("lon", lon, 180)):
            if not value:
                continue
            try:
                number = float(value)
                if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
                    raise ValueError
            except ValueError:
                self.add(rec, column, f"'{value}' is not a number (use decimal degrees with a dot, e.g. 41.3275)")
                continue
            if not -limit <= number <= limit:
                self.add(rec, column, f"{value} is out of range (WGS84 decimal degrees between "
                                      f"-{limit} and {limit})")


def is_web_address(text: str) -> bool:
    """Whether *text* is an http(s) URL with a host: never ``data:``, ``javascript:``, ``file:``...

    >>> [is_web_address(t) for t in ("https://example.org/a?b=1", "http:///etc/passwd", "javascript:alert(1)")]
    [True, False, False]
    """
    if not URL_RE.match(text):
        return False
    try:
        return bool(urllib.parse.urlsplit(text).hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False


def agent_types(vocab) -> frozenset:
    """Actor-type codes whose records are organisations (agents): their class is an org:Organization.

    >>> from thbkg.graph.rdf.vocab import load_vocabulary
    >>> sorted(agent_types(load_vocabulary()))[:2], "treaty" in agent_types(load_vocabulary())
    (['country', 'eu_agency'], False)
    """
    return frozenset(code for code, classes in vocab.actor_classes.items() if ORG.Organization in classes)


def instrument_actor_types(vocab) -> frozenset:
    """Actor-type codes whose records are instruments (treaties), not agents: their class is a thb:Instrument.

    >>> from thbkg.graph.rdf.vocab import load_vocabulary
    >>> sorted(instrument_actor_types(load_vocabulary()))
    ['treaty']
    """
    return frozenset(code for code, classes in vocab.actor_classes.items() if THB.Instrument in classes)


#: columns of actors.csv that only an organisation can have (their properties have domain org:Organization
#: or thb:Country), with what the column is called in messages
ORGANISATION_COLUMNS = {"iso2": "ISO code", "iso3": "ISO code", "seat": "seat", "lat": "coordinates",
                        "parent": "parent"}


def split_multi(cell: str) -> list:
    """Values of a multi-valued cell (separated by ``;``), stripped, empty ones dropped.

    >>> split_multi("a; b;;c ")
    ['a', 'b', 'c']
    """
    return [v.strip() for v in cell.split(";") if v.strip()]


def _iso_tables():
    """({alpha2: alpha3}) from pycountry, or None when pycountry is not installed (shape check only)."""
    try:
        import pycountry
    except ImportError:  # pragma: no cover - pycountry is a dependency
        return None
    return ({c.alpha_2: c.alpha_3 for c in pycountry.countries},)


def _merge(name, per_folder, problems):
    """Merge the records of one table over folders; report duplicate and conflicting keys."""
    key_cols = ("region", "actor") if name == "region_members" else ("id",)
    merged: list = []
    first_seen: dict = {}
    for records in per_folder:
        for rec in records:
            key = tuple(rec[c] for c in key_cols)
            if not all(key):
                merged.append(rec)  # reported as an empty required cell
                continue
            shown_key = "/".join(key)
            what = "region member" if name == "region_members" else "id"
            if key in first_seen:
                other = first_seen[key]
                if other.file == rec.file:
                    problems.append(Problem(rec.file, rec.line, key_cols[-1],
                                            f"duplicate {what} '{shown_key}' (first defined on line {other.line}); "
                                            "ids must be unique: rename or remove one"))
                elif dict(other) != dict(rec):
                    problems.append(Problem(rec.file, rec.line, key_cols[-1],
                                            f"{what} '{shown_key}' conflicts with {other.where} (same id, "
                                            "different content); ids must be unique across data folders: "
                                            "rename it or make the rows identical"))
                # identical rows in two folders are the same fact: keep the first
                continue
            first_seen[key] = rec
            merged.append(rec)
    return merged


def load_dataset(data_dirs=(), *, include_bundled=None, vocab=None) -> Dataset:
    """Read, merge and check the tables of the bundled data folder and of *data_dirs*.

    Parameters
    ----------
    data_dirs : iterable of str or Path
        Extra data folders with tables in the same format; tables missing there are fine.
    include_bundled : bool, optional
        Read the bundled tables first. Default: yes, unless ``THBKG_NO_BUNDLED=1`` is set.
    vocab : Vocabulary, optional
        The controlled vocabularies; default read from the bundled ontology.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        With every problem found.
    """
    from thbkg.graph.rdf.vocab import load_vocabulary

    vocab = vocab or load_vocabulary()
    problems: list = []
    if include_bundled is None:
        include_bundled = use_bundled_default()
    folders = data_folders(data_dirs, include_bundled)
    if not folders:
        raise DataError([Problem("(no data)", None, None,
                                 "no data folder to read; give --data DIR or unset THBKG_NO_BUNDLED")])
    per_table: dict[str, list] = {name: [] for name in TABLES}
    unusable = set()  # tables with a file that could not be read: references to them are not checked
    for folder in folders:
        if not folder.is_dir():
            problems.append(Problem(display_path(folder), None, None, "is not a folder; give a data folder"))
            continue
        for name in TABLES:
            path = folder / f"{name}.csv"
            trouble = _table_file_problem(path)
            if trouble is _ABSENT:
                if include_bundled and folder == folders[0]:
                    problems.append(Problem(display_path(path), None, None,
                                            "the bundled table is missing; reinstall thbkg"))
                continue
            if trouble:
                problems.append(Problem(display_path(path), None, None, trouble))
            records = None if trouble else _read_table(path, name, problems)
            if records is None:
                unusable.add(name)
            else:
                per_table[name].append(records)
    dataset = Dataset(folders=tuple(folders))
    for name in TABLES:
        setattr(dataset, name, _merge(name, per_table[name], problems))
    _check(dataset, vocab, problems, unusable)
    if problems:
        raise DataError(problems)
    return dataset


def _check(ds: Dataset, vocab, problems, unusable):
    chk = _Checker(vocab, problems)
    known = {name: (None if name in unusable else ds.ids(name)) for name in KIND}
    treaties = _treaty_ids(ds, vocab)
    known["instruments"] = _instrument_ids(known["instruments"], treaties)
    for rec in ds.sources:
        chk.required(rec, "sources")
        chk.ident(rec)
        chk.url(rec, "url")
        chk.date(rec, "issued")
        chk.date(rec, "accessed")
        chk.code(rec, "kind", chk.vocab.source_kinds, "source kind")
    for rec in ds.instruments:
        chk.required(rec, "instruments")
        chk.ident(rec)
        chk.code(rec, "type", vocab.instrument_types, "instrument type")
        chk.date(rec, "date")
        chk.url(rec, "url")
        _check_sourced(chk, rec, known)
    for rec in ds.actors:
        _check_actor(chk, rec, known)
    _check_treaties(ds, chk, treaties)
    for rec in ds.regions:
        chk.required(rec, "regions")
        chk.ident(rec)
        _check_sourced(chk, rec, known)
    for rec in ds.region_members:
        chk.required(rec, "region_members")
        chk.reference(rec, "region", known["regions"], "regions")
        chk.reference(rec, "actor", known["actors"], "actors")
        _check_sourced(chk, rec, known)
    for rec in ds.links:
        _check_link(chk, rec, known)
    _check_cycles(ds, chk)


def _check_sourced(chk: _Checker, rec, known):
    """The ``sources`` and ``confidence`` cells that every table but sources.csv has."""
    chk.reference(rec, "sources", known["sources"], "sources", multi=True)
    chk.code(rec, "confidence", tuple(chk.vocab.confidence_order), "confidence")


def _check_actor(chk: _Checker, rec, known):
    chk.required(rec, "actors")
    chk.ident(rec)
    chk.code(rec, "type", chk.vocab.actor_class, "actor type")
    chk.iso_codes(rec)
    if rec["wikidata"] and not QID_RE.match(rec["wikidata"]):
        chk.add(rec, "wikidata", f"'{rec['wikidata']}' is not a Wikidata id (use the QID only, e.g. Q207203)")
    if rec["eu_authority"] and not (rec["eu_authority"].startswith(EU_AUTHORITY)
                                    and URL_RE.match(rec["eu_authority"])):
        chk.add(rec, "eu_authority", f"'{rec['eu_authority']}' is not an EU Publications Office authority "
                                     f"IRI (it must start with {EU_AUTHORITY})")
    chk.coordinates(rec)
    if rec["lat"] and not rec["sources"]:
        chk.add(rec, "sources", "is empty; an actor with coordinates must cite where they come from")
    if rec["parent"] == rec["id"] and rec["id"]:
        chk.add(rec, "parent", "an actor cannot be its own parent; leave it empty")
    else:
        chk.reference(rec, "parent", known["actors"], "actors")
    _check_sourced(chk, rec, known)


def _check_link(chk: _Checker, rec, known):
    vocab = chk.vocab
    chk.required(rec, "links")
    chk.ident(rec)
    chk.reference(rec, "subject", known["actors"], "actors")
    chk.reference(rec, "object", known["actors"], "actors")
    if rec["subject"] and rec["subject"] == rec["object"]:
        chk.add(rec, "object", f"the link joins '{rec['subject']}' to itself; subject and object must differ")
    chk.code(rec, "type", vocab.link_family, "link type")
    chk.code(rec, "status", vocab.statuses, "status")
    chk.reference(rec, "instrument", known["instruments"], "instruments")
    _check_sourced(chk, rec, known)
    chk.code(rec, "date_confidence", tuple(vocab.confidence_order), "date confidence")
    start, end = chk.date(rec, "start"), chk.date(rec, "end")
    if start and end and start[0] > end[1]:
        chk.add(rec, "end", f"'{rec['end']}' is before start '{rec['start']}'; swap them or fix the dates")
    if rec["date_confidence"] and not (rec["start"] or rec["end"]):
        chk.add(rec, "date_confidence", "is set but the link has no start or end date; leave it empty")
    _check_link_extras(chk, rec, known)


#: ISO 4217 alphabetic code: three capital letters
CURRENCY_RE = re.compile(r"[A-Z]{3}\Z")
AMOUNT_RE = re.compile(r"[0-9]+(\.[0-9]+)?\Z")


def _check_link_extras(chk: _Checker, rec, known):
    """The optional columns of some link types: amount and currency (funds), covers (liaison), round."""
    amount, currency = rec["amount"], rec["currency"]
    if amount and not AMOUNT_RE.match(amount):
        chk.add(rec, "amount", f"'{amount}' is not an amount (a plain number with a dot for decimals and no "
                               "thousands separator or currency sign, e.g. 15000000)")
    if currency and not CURRENCY_RE.match(currency):
        chk.add(rec, "currency", f"'{currency}' is not an ISO 4217 currency code (three capital letters, e.g. EUR)")
    if bool(amount) != bool(currency):
        chk.add(rec, "currency" if amount else "amount", "is empty; give both amount and currency, or neither")
    chk.reference(rec, "covers", known["actors"], "actors", multi=True)
    if rec["round"] and not re.fullmatch(r"[1-9][0-9]*", rec["round"]):
        chk.add(rec, "round", f"'{rec['round']}' is not a round number (a whole number from 1, e.g. 3)")


def _treaty_ids(ds: Dataset, vocab) -> set:
    """Ids of the actors.csv records that are treaties (instruments, see :func:`instrument_actor_types`)."""
    kinds = instrument_actor_types(vocab)
    return {rec["id"] for rec in ds.actors if rec["type"] in kinds and rec["id"]}


def _instrument_ids(instruments, treaties: set):
    """What a link's ``instrument`` may name: an instruments.csv id or a treaty of actors.csv (None: the
    instruments table is unusable, so references to it are not checked)."""
    return None if instruments is None else instruments | treaties


def _check_treaties(ds: Dataset, chk: _Checker, treaties: set):
    """A treaty is one record, an instrument: no organisation columns, no parent of an actor, not in a
    region, and no row of instruments.csv with its id (links would not know which record they name)."""
    for rec in ds.actors:
        if rec["id"] in treaties:
            for column, what in ORGANISATION_COLUMNS.items():
                if column == "lat" and rec["lon"] and not rec["lat"]:
                    column = "lon"  # the coordinates are one fact: one message, on the cell that is filled
                if rec[column]:
                    chk.add(rec, column, f"a treaty is an instrument, not an organisation, so it has no {what}; "
                                         "leave it empty")
        elif rec["parent"] in treaties:
            chk.add(rec, "parent", f"'{rec['parent']}' is a treaty, not an organisation: it cannot be a parent; "
                                   "leave parent empty or name an organisation")
    for rec in ds.region_members:
        if rec["actor"] in treaties:
            chk.add(rec, "actor", f"'{rec['actor']}' is a treaty, not an actor: a region includes only actors; "
                                  "remove this row")
    for rec in ds.instruments:
        if rec["id"] in treaties:
            chk.add(rec, "id", f"'{rec['id']}' is also a treaty in actors.csv; a treaty is one record: keep the "
                               "actors.csv row (add this row's sources and facts to it) and remove this one")


def _check_cycles(ds: Dataset, chk: _Checker):
    """Report each loop of ``parent`` cells and of ``part_of`` links (a unit cannot contain itself)."""
    _check_parent_cycles(ds, chk)
    _check_part_of_cycles(ds, chk)


def _check_parent_cycles(ds: Dataset, chk: _Checker):
    """Report each loop of ``parent`` cells on the row of its smallest actor id."""
    actor_rows = {rec["id"]: rec for rec in ds.actors}
    parents = {rec["id"]: [rec["parent"]] for rec in ds.actors
               if rec["id"] and rec["parent"] and rec["parent"] != rec["id"]}  # self: reported above
    for cycle in find_cycles(parents):
        chain = " → ".join(cycle + cycle[:1])
        chk.add(actor_rows[cycle[0]], "parent", f"the parent chain loops: {chain}; an actor cannot be its own "
                                                "ancestor: remove or change one of these parents")


def _check_part_of_cycles(ds: Dataset, chk: _Checker):
    """Report each loop of ``part_of`` links on the link leaving its smallest actor id."""
    part_of: dict = {}  # (unit, parent) -> first part_of link
    for rec in ds.links:
        if rec["type"] == "part_of" and rec["subject"] and rec["object"] and rec["subject"] != rec["object"]:
            part_of.setdefault((rec["subject"], rec["object"]), rec)
    edges: dict = {}
    for unit, parent in part_of:
        edges.setdefault(unit, []).append(parent)
    for cycle in find_cycles(edges):
        hops = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
        names = ", ".join(part_of[hop]["id"] for hop in hops)
        chain = " → ".join(cycle + cycle[:1])
        chk.add(part_of[hops[0]], "object", f"part_of links loop: {chain} (links {names}); a unit cannot be part "
                                            "of itself: remove or reverse one of these links")


def find_cycles(edges: dict) -> list:
    """One shortest cycle through each group of nodes that all reach each other, from its smallest node.

    Parameters
    ----------
    edges : dict
        node -> list of the nodes it points to (no node pointing to itself).

    Returns
    -------
    list of list
        The nodes of each cycle in order, the first not repeated at the end; sorted.

    >>> find_cycles({"b": ["c"], "c": ["a", "b"], "a": ["b"], "d": ["a"]})
    [['a', 'b', 'c']]
    >>> find_cycles({"a": ["b"], "b": ["c"]})
    []
    """
    cycles = []
    for group in _strongly_connected(edges):
        start = min(group)
        cycles.append(_shortest_cycle(start, edges, group))
    return sorted(cycles)


def _strongly_connected(edges: dict) -> list:
    """The strongly connected components of two or more nodes (Tarjan's algorithm, without recursion,
    so that a chain of 20,000 parents does not overflow the stack)."""
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    groups: list = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:  # all children done
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = _pop_group(stack, on_stack, node)
                    if len(group) > 1:
                        groups.append(group)
    return groups


def _pop_group(stack: list, on_stack: set, root) -> set:
    """Pop the nodes of *stack* down to *root*: one strongly connected component."""
    group = set()
    while root not in group:
        member = stack.pop()
        on_stack.discard(member)
        group.add(member)
    return group


def _shortest_cycle(start, edges: dict, group: set) -> list:
    """The shortest cycle from *start* back to it within *group* (breadth-first search)."""
    previous = {start: None}
    queue = collections.deque([start])
    while queue:
        node = queue.popleft()
        for child in edges.get(node, ()):
            if child == start:
                path = [node]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return path[::-1]
            if child in group and child not in previous:
                previous[child] = node
                queue.append(child)
    raise AssertionError("a strongly connected group always has a cycle")  # pragma: no cover
