r"""Safe text in every output format: spreadsheet cells, terminals, Markdown and serialised documents.

Labels, notes and source titles come from tables anyone can edit, so thbkg never lets their text
become a live spreadsheet formula, a terminal escape sequence or raw HTML in Markdown. Each job has
one helper here, and every output format goes through it:

* :func:`csv_cell` (and :func:`csv_text`, which applies it to every cell): a cell beginning with
  ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` (OWASP's advice against
  CSV injection), except plain negative numbers such as ``-0.5``. ``--raw-csv``
  (:func:`raw_csv`, :func:`set_raw_csv`) keeps cells exactly as they are.
* :func:`terminal_safe`: control characters (C0, DEL, C1, line and paragraph separators, bidi
  overrides) become visible escapes such as ``\x1b``, so a terminal shows them and interprets none.
* :func:`md_cell` (and :func:`markdown_table`, :func:`md_code`, :func:`md_link`): HTML-significant
  characters, pipes, Markdown punctuation and line breaks are escaped, so a Markdown renderer never
  passes HTML through.
* :func:`escape_serialized_controls`: control characters left in a JSON, Turtle or N-Triples
  document become the syntax's own escapes (``\u001b``), so the data read back is unchanged.

>>> csv_cell("=HYPERLINK(\"http://x\")"), csv_cell("-0.5"), csv_cell("-x")
('\'=HYPERLINK("http://x")', '-0.5', "'-x")
>>> terminal_safe("\x1b[31mred\x1b[0m")
'\\x1b[31mred\\x1b[0m'
>>> md_cell("<img src=x onerror=alert(1)>")
'&lt;img src=x onerror=alert(1)&gt;'
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import io
import math
import re

#: First characters that make a spreadsheet read a cell as a formula (OWASP: CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: A plain decimal number, negative or not (``repr`` of a float, an int): kept as a number.
_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")

#: Characters a terminal (or a renderer) may act on, besides the C0 controls: DEL, the C1 controls,
#: the Unicode line and paragraph separators, and the bidi embeddings, overrides and isolates.
_NON_C0_CONTROLS = r"\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
#: Every control character.
_CONTROL_RE = re.compile(rf"[\x00-\x1f{_NON_C0_CONTROLS}]")
#: All but tab and newline: kept in multi-line terminal text (they rewrite nothing on screen).
_CONTROL_BUT_TAB_NEWLINE_RE = re.compile(rf"[\x00-\x08\x0b-\x1f{_NON_C0_CONTROLS}]")
#: All but tab, newline and carriage return, which are data inside a quoted CSV cell and the
#: whitespace of a serialised JSON/Turtle/N-Triples document.
_CONTROL_BUT_SPACE_RE = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f{_NON_C0_CONTROLS}]")
#: Line breaks and tabs, which end or misalign a table row: one space each in a cell.
_BREAKS_RE = re.compile(r"\r\n|[\t\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]")

_RAW_CSV: contextvars.ContextVar[bool] = contextvars.ContextVar("thbkg_raw_csv", default=False)


# ---------------------------------------------------------------------- the --raw-csv switch
def raw_csv_enabled() -> bool:
    """True while ``--raw-csv`` is in force (see :func:`set_raw_csv`).

    >>> raw_csv_enabled()
    False
    """
    return _RAW_CSV.get()


def set_raw_csv(enabled: bool) -> contextvars.Token:
    """Turn ``--raw-csv`` on or off for the running command; give the token to :func:`reset_raw_csv`.

    >>> token = set_raw_csv(True); csv_cell("=1+1")
    '=1+1'
    >>> reset_raw_csv(token); csv_cell("=1+1")
    "'=1+1"
    """
    return _RAW_CSV.set(bool(enabled))


def reset_raw_csv(token: contextvars.Token) -> None:
    """Undo :func:`set_raw_csv` (the switch is back to what it was before)."""
    _RAW_CSV.reset(token)


@contextlib.contextmanager
def raw_csv(enabled: bool = True):
    """Context manager: CSV cells are written as they are inside the block.

    >>> with raw_csv():
    ...     csv_cell("@SUM(1+1)")
    '@SUM(1+1)'
    >>> csv_cell("@SUM(1+1)")
    "'@SUM(1+1)"
    """
    token = set_raw_csv(enabled)
    try:
        yield
    finally:
        reset_raw_csv(token)


# ---------------------------------------------------------------------- CSV
def csv_cell(value, raw: bool = False):
    r"""A CSV cell a spreadsheet shows as text, never runs as a formula (OWASP CSV-injection advice).

    A cell whose text begins with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    leading ``'``; plain negative numbers (``-3``, ``-0.5``, ``-1e-05``) stay numbers. Control
    characters other than tab, newline and carriage return (which are data inside a quoted cell)
    become visible escapes (:func:`terminal_safe`). ``None`` is the empty cell.

    Parameters
    ----------
    value : object
        The cell; numbers and other non-text values are returned unchanged when they are safe.
    raw : bool
        Keep the cell exactly as it is, as does ``--raw-csv`` (:func:`raw_csv_enabled`).

    Returns
    -------
    object
        *value* itself when it needs no change, else the neutralised text.

    Examples
    --------
    >>> [csv_cell(v) for v in ("=cmd|' /C calc'!A0", "@SUM(1+1)", "+1", "\tx", "\rx", "plain")]
    ["'=cmd|' /C calc'!A0", "'@SUM(1+1)", "'+1", "'\tx", "'\rx", 'plain']
    >>> csv_cell(-3), csv_cell("-1e-05"), csv_cell(None), csv_cell("=1", raw=True)
    (-3, '-1e-05', '', '=1')
    >>> csv_cell("a\x1b[31mb")
    'a\\x1b[31mb'
    """
    if value is None:
        return ""
    if raw or _RAW_CSV.get():
        return value
    text = value if isinstance(value, str) else str(value)
    cleaned = _CONTROL_BUT_SPACE_RE.sub(_visible_escape, text)
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(text):
        return "'" + cleaned
    return value if cleaned == text else cleaned


def csv_text(headers, rows, *, delimiter: str = ",", lineterminator: str = "\n", raw: bool = False) -> str:
    """CSV text with a header row, every cell (header included) through :func:`csv_cell`.

    Parameters
    ----------
    headers : sequence
        Column names.
    rows : iterable of sequence
        The rows, in column order.
    delimiter, lineterminator : str
        As for :func:`csv.writer` (RFC 4180 quoting).
    raw : bool
        Keep every cell as it is (as ``--raw-csv`` does).

    Examples
    --------
    >>> csv_text(["a", "b"], [[1, "x,y"], [-2.5, "=1+1"]])
    'a,b\\n1,"x,y"\\n-2.5,\\'=1+1\\n'
    >>> csv_text(["a"], [["x\\ry"]], lineterminator="\\r\\n")
    'a\\r\\n"x\\ry"\\r\\n'
    """
    # rows are written with CRLF ends so that csv quotes a cell holding a lone CR (it quotes only the
    # characters of its line terminator), then each row gets the *lineterminator* asked for
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    lines = []
    for row in (headers, *rows):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(c, raw) for c in row])
        lines.append(buffer.getvalue()[:-2] + lineterminator)
    return "".join(lines)


# ---------------------------------------------------------------------- terminals
def _visible_escape(match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text, *, multiline: bool = False) -> str:
    r"""*text* with every control character shown as an escape (``\x1b``, ``\x9b``, ``\u202e``).

    Escape sequences (``ESC [ 31 m``, ``ESC ] 0 ; title BEL``), C1 controls, carriage returns that
    would overwrite a line, and bidi overrides that would reorder it are all made visible, so a
    terminal interprets nothing. Use it on every piece of data text printed as table or text.

    Parameters
    ----------
    text : object
        Converted with ``str``; ``None`` gives ``''``.
    multiline : bool
        Keep newline and tab (for a whole text whose lines thbkg laid out); otherwise they are
        escaped too, so a cell stays on its line.

    Examples
    --------
    >>> terminal_safe("a\x1b]0;title\x07b")
    'a\\x1b]0;title\\x07b'
    >>> terminal_safe("x\ny\tz"), terminal_safe("x\ny\tz\r", multiline=True)
    ('x\\x0ay\\x09z', 'x\ny\tz\\x0d')
    >>> terminal_safe("\x9b31m\u202eabc"), terminal_safe(None)
    ('\\x9b31m\\u202eabc', '')
    """
    text = "" if text is None else str(text)
    pattern = _CONTROL_BUT_TAB_NEWLINE_RE if multiline else _CONTROL_RE
    return pattern.sub(_visible_escape, text)


def one_line(text) -> str:
    r"""*text* on one line: each line break or tab becomes a space (for table cells).

    >>> one_line("a\r\nb\tc\u2028d")
    'a b c d'
    """
    return _BREAKS_RE.sub(" ", "" if text is None else str(text))


# ---------------------------------------------------------------------- Markdown
_MD_PUNCTUATION = "\\`*_[]|#"


def md_cell(text) -> str:
    r"""Escape text for Markdown (a GFM table cell or a line): no raw HTML, no markup, one line.

    ``&``, ``<`` and ``>`` become entities, so no renderer passes HTML through; Markdown
    punctuation (``\ ` * _ [ ] | #``) is backslash-escaped, so no link, image or emphasis is
    made; line breaks become spaces and other control characters visible escapes.

    Examples
    --------
    >>> md_cell("<img src=x> | a_b")
    '&lt;img src=x&gt; \\| a\\_b'
    >>> md_cell("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> md_cell("[x](javascript:alert(1))\nnext"), md_cell(None)
    ('\\[x\\](javascript:alert(1)) next', '')
    >>> md_cell("\x1b[31mred")
    '\\\\x1b\\[31mred'
    """
    text = terminal_safe(one_line(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in _MD_PUNCTUATION:
        text = text.replace(ch, "\\" + ch)
    return text


def md_code(text) -> str:
    r"""*text* as a Markdown code span that is safe in a GFM table cell.

    The fence is longer than any run of backticks in the text (CommonMark), pipes are escaped
    for the table, control characters are visible escapes and line breaks spaces. HTML is never
    interpreted inside a code span.

    >>> md_code("thbid:actor/a_b"), md_code("a`b|c"), md_code("")
    ('`thbid:actor/a_b`', '`` a`b\\|c ``', '')
    """
    text = terminal_safe(one_line(text)).replace("|", "\\|")
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest or text.startswith(" ") or text.endswith(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_link(text, url) -> str:
    r"""A Markdown link ``[text](<url>)``, or only the escaped *text* when *url* could break out.

    The caller decides which URLs may be linked at all (e.g. only ``http``/``https``); a URL with
    ``<``, ``>``, whitespace or a control character is not linked.

    >>> md_link("A <b>", "https://example.org/a")
    '[A &lt;b&gt;](<https://example.org/a>)'
    >>> md_link("A", "https://example.org/a> <img"), md_link("A", None)
    ('A', 'A')
    """
    url = "" if url is None else str(url)
    if not url or re.search(r"[<>\s\\]", url) or _CONTROL_RE.search(url):
        return md_cell(text)
    return f"[{md_cell(text)}](<{url}>)"


def markdown_table(headers, rows, *, escaped: bool = False) -> str:
    r"""GitHub-flavoured Markdown table; every header and cell goes through :func:`md_cell`.

    Parameters
    ----------
    headers : sequence
        Column names (always escaped).
    rows : iterable of sequence
        The cells.
    escaped : bool
        The cells are Markdown already made safe by the caller (with :func:`md_cell`,
        :func:`md_code` or :func:`md_link`) and are written as they are.

    Examples
    --------
    >>> print(markdown_table(["actor", "label"], [["a_b", "x | y"], ["c", "<img src=x>"]]))
    | actor | label |
    |---|---|
    | a\_b | x \| y |
    | c | &lt;img src=x&gt; |
    """
    cell = str if escaped else md_cell
    out = ["| " + " | ".join(md_cell(h) for h in headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


# ---------------------------------------------------------------------- links, numbers and labels
_HTTP_URL = re.compile(r"https?://", re.IGNORECASE)


def safe_url(url) -> str | None:
    """*url* (stripped) if it is an absolute ``http``/``https`` URL, else None.

    Every output links only such URLs; anything else (``javascript:``, ``data:``, ``//host``) is
    shown as text, never as a link.

    >>> safe_url(" https://example.org/a?b=1 "), safe_url("javascript:alert(1)"), safe_url(None)
    ('https://example.org/a?b=1', None, None)
    >>> safe_url("HTTPS://x.org"), safe_url("//evil.org")
    ('HTTPS://x.org', None)
    """
    text = "" if url is None else str(url).strip()
    return text if _HTTP_URL.match(text) else None


def format_number(value, digits: int = 4, *, significant: bool = False) -> str:
    """A number for a table cell or a chart: integers plainly, floats with *digits* decimals.

    NaN is ``n/a`` and None the empty string, in every output.

    Parameters
    ----------
    value : int, float or None
    digits : int
        Decimals (or significant digits with *significant*).
    significant : bool
        Round to *digits* significant digits (``.4g``), as the charts and the map do.

    Examples
    --------
    >>> format_number(3.0), format_number(0.123456), format_number(None), format_number(float("nan"))
    ('3', '0.1235', '', 'n/a')
    >>> format_number(0.0123456, significant=True), format_number(12), format_number(2.5e-06, significant=True)
    ('0.01235', '12', '2.5e-06')
    """
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.{digits}g}" if significant else f"{value:.{digits}f}"
    return str(value)


def format_share(share, digits: int = 0) -> str:
    """A share (0..1) as a percentage with *digits* decimals; None or NaN is ``n/a``.

    >>> format_share(0.4567), format_share(1.0, 1), format_share(None)
    ('46%', '100.0%', 'n/a')
    """
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "n/a"
    return f"{100 * share:.{digits}f}%"


def shorten(text, width: int = 48, *, words: bool = False) -> str:
    """*text* cut to about *width* characters with an ellipsis, for aligned tables and drawings.

    Parameters
    ----------
    text : object
        Converted with ``str``; None gives ``''``.
    width : int
        Longest text kept whole.
    words : bool
        Cut at the last word boundary (and drop trailing punctuation) instead of mid-word, as the
        map's canvas labels do; the result is then at most ``width + 1`` characters.

    Examples
    --------
    >>> shorten("International Organization for Migration", 16)
    'International O…'
    >>> shorten("Rabat Process (Euro-African Dialogue on Migration and Development)", 34, words=True)
    'Rabat Process (Euro-African…'
    >>> shorten("Europol", 34, words=True)
    'Europol'
    """
    text = "" if text is None else str(text)
    if len(text) <= width:
        return text
    if not words:
        return text[:width - 1] + "…"
    cut = text[:width].rsplit(" ", 1)[0].rstrip(" ,;:-–(")
    return (cut or text[:width]) + "…"


def short_label(label) -> str:
    """The part of a label before a parenthesis, when that is enough to name the actor.

    >>> short_label("Europol (European Union Agency for Law Enforcement Cooperation)")
    'Europol'
    >>> short_label("UN Protocol (2000)"), short_label("(odd)")
    ('UN Protocol', '(odd)')
    """
    head = str(label).split(" (", 1)[0].strip()
    return head if head and len(head) <= 48 else str(label)


# ---------------------------------------------------------------------- templates
def template_environment(package: str, *, markdown: bool = False, finalize=None, keep_trailing_newline: bool = True):
    """A Jinja environment for the templates in ``templates/`` of *package* (read as package data).

    Parameters
    ----------
    package : str
        E.g. ``thbkg.graph.outputs`` or ``thbkg.graph.outputs.maps``.
    markdown : bool
        For Markdown templates: no HTML autoescaping (the caller escapes every value for Markdown,
        e.g. with *finalize*); otherwise ``.html`` templates are autoescaped.
    finalize : callable, optional
        Applied to every ``{{ … }}`` value before output (Jinja's ``finalize``).
    keep_trailing_newline : bool
        Keep the newline that ends a template file (Jinja drops it by default).

    Undefined names raise an error instead of printing nothing.
    """
    from importlib import resources

    import jinja2

    def load(name):
        return (resources.files(package) / "templates" / name).read_text(encoding="utf-8")

    autoescape = False if markdown else jinja2.select_autoescape(("html", "htm", "xml"), default=True)
    return jinja2.Environment(loader=jinja2.FunctionLoader(load), autoescape=autoescape, finalize=finalize,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=keep_trailing_newline)


# ---------------------------------------------------------------------- serialised documents
def escape_serialized_controls(text: str, syntax: str = "json") -> str:
    r"""Replace the control characters a serialiser left raw by the syntax's own escapes.

    :func:`json.dumps` with ``ensure_ascii=False`` and the Turtle/N-Triples writers leave DEL,
    C1 controls (``\x9b`` is a terminal's CSI), ESC and others raw. In these syntaxes such a
    character can only stand inside a string, where ``\uXXXX`` means the same character, so the
    document reads back to the same data. Tab, newline and carriage return stay.

    Parameters
    ----------
    text : str
        A whole JSON, JSON-LD, Turtle, TriG or N-Triples document.
    syntax : {"json", "turtle"}
        ``json`` writes ``\u009b``; ``turtle`` (also for N-Triples and TriG) writes ``\u009B``.

    Examples
    --------
    >>> import json
    >>> doc = json.dumps({"label": "a\x9bb\x7f"}, ensure_ascii=False)
    >>> escape_serialized_controls(doc)
    '{"label": "a\\u009bb\\u007f"}'
    >>> json.loads(escape_serialized_controls(doc))["label"] == "a\x9bb\x7f"
    True
    >>> escape_serialized_controls('<a> <b> "x\x1by" .', "turtle")
    '<a> <b> "x\\u001By" .'
    """
    if syntax not in ("json", "turtle"):
        raise ValueError(f"unknown syntax {syntax!r} (use json or turtle)")
    spec = "\\u{:04x}" if syntax == "json" else "\\u{:04X}"
    return _CONTROL_BUT_SPACE_RE.sub(lambda m: spec.format(ord(m.group())), text)
