"""Run read-only SPARQL queries on a graph source, with typed parameters, a timeout and output formats.

The flow is: :func:`check_query` parses the text (syntax errors and updates are refused before
anything runs), :func:`bind_params` turns ``--param key=value`` pairs into RDF terms and adds them as
a ``VALUES`` block at the start of the query's top-level ``WHERE`` group (the values are RDF terms
serialised by :func:`term_to_sparql`, never pieces of query syntax), :func:`run_query` runs the
query on any :class:`~thbkg.graph.store.source.GraphSource` (or rdflib Graph), and :func:`format_result`
writes the answer as a table, SPARQL 1.1 CSV/TSV/JSON results, Markdown, or RDF.

Named queries live in ``graph/store/queries/NAME.rq``; their header comment declares the parameters::

    # title: Partners of an agency
    # question: Who cooperates with this agency, how, since when, on what source?
    # param: agency actor europol The agency (actor id, prefixed name or <IRI>)
    # example: thbkg query -n agency_partners --param agency=frontex

>>> q = 'SELECT ?x WHERE { ?x ?p ?v }'
>>> check_query(q)
'SELECT'
>>> bind_params(q, {"v": Literal('x"} ; DROP ALL #')})
'SELECT ?x WHERE { VALUES (?v) { ("x\\\\"} ; DROP ALL #") } ?x ?p ?v }'
"""

from __future__ import annotations

import difflib
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD

from thbkg.graph.errors import ThbkgError, UsageError
from thbkg.graph.rdf.namespaces import PREFIXES, THBID, bind_prefixes

QUERIES_DIR = Path(__file__).parent / "queries"

#: formats for SELECT/ASK results (CONSTRUCT/DESCRIBE triples can use them too, as s/p/o rows)
RESULT_FORMATS = ("table", "csv", "tsv", "json", "md")
#: formats for CONSTRUCT/DESCRIBE graphs
GRAPH_FORMATS = ("turtle", "nt", "jsonld")
FORMATS = RESULT_FORMATS + GRAPH_FORMATS

#: parameter types whose value is a table id under a data IRI (``thbid:{base}{id}``)
ID_TYPES = {
    "actor": "actor/", "region": "region/", "link_type": "link-type/", "actor_type": "actor-type/",
    "status": "status/", "confidence": "confidence/", "source": "source/", "instrument": "instrument/",
    "link": "link/",
}
PARAM_TYPES = tuple(ID_TYPES) + ("iri", "string", "integer", "date")

#: the table cell width after which ``table`` output cuts a value with "…"
TABLE_CELL_WIDTH = 48

UPDATE_KEYWORDS = ("INSERT", "DELETE", "DROP", "CLEAR", "LOAD", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
# characters an IRIREF may not contain (SPARQL 1.1 grammar, production 139)
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LANG_RE = re.compile(r"^[a-zA-Z]+(-[a-zA-Z0-9]+)*$")


# --------------------------------------------------------------------------------------------------
# named queries

@dataclass(frozen=True)
class Param:
    """One declared parameter of a query (``# param: name type default description``).

    ``default`` is None when the parameter is required (written ``-`` in the header).
    """

    name: str
    type: str
    default: str | None
    description: str = ""


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library in ``graph/store/queries/``, with its header."""

    name: str
    text: str
    title: str = ""
    question: str = ""
    params: tuple[Param, ...] = ()
    examples: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """One line: the title, or else the question."""
        return self.title or self.question


def parse_header(text: str, where: str = "query"):
    """Read the ``# key: value`` lines at the top of a query.

    Returns ``(title, question, params, examples)``.

    >>> t, q, ps, ex = parse_header("# title: T\\n# param: agency actor europol The agency\\nSELECT * {}")
    >>> t, ps[0]
    ('T', Param(name='agency', type='actor', default='europol', description='The agency'))
    """
    title = question = ""
    params: list[Param] = []
    examples: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        key, sep, value = stripped.lstrip("#").strip().partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "title":
            title = value
        elif key == "question":
            question = (question + " " + value).strip()
        elif key == "example":
            examples.append(value)
        elif key == "param":
            parts = value.split(None, 3)
            if len(parts) < 3 or parts[1] not in PARAM_TYPES or not _VAR_NAME.match(parts[0]):
                raise UsageError(f"{where}:{number}: bad '# param:' line {value!r}; write "
                                 f"'# param: name type default description' with type one of "
                                 f"{', '.join(PARAM_TYPES)} and default '-' when required")
            default = None if parts[2] == "-" else parts[2]
            params.append(Param(parts[0], parts[1], default, parts[3] if len(parts) > 3 else ""))
    return title, question, tuple(params), tuple(examples)


def list_named_queries() -> list[NamedQuery]:
    """All named queries, sorted by name.

    >>> len(list_named_queries()) >= 15
    True
    """
    return [named_query(path.stem) for path in sorted(QUERIES_DIR.glob("*.rq"))]


def format_query_list(items, fmt: str = "table") -> str:
    """The named queries as a listing: ``table`` (one line each), ``md``, ``csv`` or ``json``.

    >>> print(format_query_list(list_named_queries(), "csv").splitlines()[0])
    name,title,question,params
    """
    from thbkg.graph.outputs.text import csv_text, markdown_table, md_cell, md_code, terminal_safe

    rows = [{"name": q.name, "title": q.title, "question": q.question,
             "params": " ".join(f"{p.name}={p.default if p.default is not None else '…'}" for p in q.params)}
            for q in items]
    if fmt == "json":
        return json.dumps([{"name": q.name, "title": q.title, "question": q.question,
                            "params": [{"name": p.name, "type": p.type, "default": p.default,
                                        "description": p.description} for p in q.params],
                            "examples": list(q.examples)} for q in items], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return csv_text(["name", "title", "question", "params"], [list(r.values()) for r in rows])
    if fmt == "md":
        return markdown_table(["name", "title", "parameters"],
                              [[md_code(r["name"]), md_cell(r["title"]), md_cell(r["params"])] for r in rows],
                              escaped=True)
    width = max((len(r["name"]) for r in rows), default=0)
    return "".join(terminal_safe(f"{r['name'].ljust(width)}  {r['title']}"
                                 + (f"  [{r['params']}]" if r["params"] else "")) + "\n" for r in rows)


def named_query(name: str) -> NamedQuery:
    """The named query *name* (file ``graph/store/queries/NAME.rq``).

    Raises
    ------
    UsageError
        If there is no such query (with the closest names as hints).
    """
    path = QUERIES_DIR / f"{name}.rq"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name or "") or not path.is_file():
        names = sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))
        close = difflib.get_close_matches(name or "", names, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"no named query {name!r}.{hint} 'thbkg queries' lists them all.")
    text = path.read_text(encoding="utf-8")
    title, question, params, examples = parse_header(text, where=f"graph/store/queries/{name}.rq")
    return NamedQuery(name, text, title, question, params, examples)


# --------------------------------------------------------------------------------------------------
# parsing and checking

def _first_keyword(text: str) -> str:
    """The first keyword after the prologue (PREFIX/BASE), comments, strings and IRIs skipped."""
    for kind, value, _ in _tokens(text):
        if kind == "word":
            upper = value.upper()
            if upper in ("PREFIX", "BASE") or ":" in value:
                continue  # the prologue, and prefix names in it
            return upper
    return ""


def check_query(text: str, *, allow_service: bool = False) -> str:
    """Parse *text* and return its form: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``.

    Oxigraph's parser checks the text (with thbkg's prefixes predeclared), which gives exact
    line and column numbers and also catches errors such as ``SELECT *`` with ``GROUP BY``.
    A ``SERVICE`` clause is refused first (see :func:`check_service`): Oxigraph calls the service
    as soon as the query is started, even on an empty store. With *allow_service*, a query with
    SERVICE is not test-parsed (that would call the service too); its syntax is checked when it runs.

    Raises
    ------
    UsageError
        On a syntax error (with line and column), an update (the graph is read-only here), or a
        SERVICE clause unless *allow_service*.

    >>> check_query("ASK { ?s ?p ?o }")
    'ASK'
    >>> check_query("SELECT * WHERE { ?s ?p }")
    Traceback (most recent call last):
    ...
    thbkg.graph.errors.UsageError: SPARQL syntax error at line 1, column 24, at '}': expected one of LATERAL, SERVICE; the line reads: SELECT * WHERE { ?s ?p }
    >>> check_query("DROP ALL")
    Traceback (most recent call last):
    ...
    thbkg.graph.errors.UsageError: query is read-only: DROP is a SPARQL update. Use 'thbkg push' to load data into a server, or edit the tables in data/ and rebuild.
    """
    import pyoxigraph

    if not text.strip():
        raise UsageError("the query is empty")
    keyword = _first_keyword(text)
    if keyword in UPDATE_KEYWORDS:
        raise UsageError(_read_only_message(keyword))
    if check_service(text, allow_service) and keyword in _FORMS:
        return keyword
    try:
        # parsing happens here; evaluation on an empty store costs nothing (results are lazy)
        pyoxigraph.Store().query(text, prefixes={k: str(v) for k, v in PREFIXES.items()})
    except SyntaxError as exc:
        raise UsageError(_syntax_message(text, str(exc))) from None
    if keyword not in _FORMS:  # cannot happen for a text Oxigraph accepted, but say so clearly
        raise UsageError(f"not a SPARQL query: it starts with {keyword or 'nothing'!r}")
    return keyword


def _read_only_message(keyword: str) -> str:
    return (f"query is read-only: {keyword} is a SPARQL update. Use 'thbkg push' to load data into a "
            "server, or edit the tables in data/ and rebuild.")


#: time limit of a query whose SERVICE calls were allowed (--allow-service) and no --timeout given
SERVICE_TIMEOUT = 30.0
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def service_targets(text: str) -> list[str]:
    """The targets of the ``SERVICE`` clauses of *text* (an IRI, prefixed name or variable), in order.

    A token scan that skips comments, strings and IRIs, so neither hides a SERVICE nor fakes one.
    The text is also read with its ``\\u`` escapes expanded, as the SPARQL grammar says, and a
    SERVICE found either way counts.

    >>> service_targets('SELECT * { SERVICE SILENT <http://x.org/sparql> { ?s ?p ?o } }')
    ['<http://x.org/sparql>']
    >>> service_targets('SELECT * { ?s ?p "SERVICE <http://x>" } # SERVICE <http://y>')
    []
    """
    expanded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    found = _service_targets(text)
    return found + [t for t in _service_targets(expanded) if t not in found] if expanded != text else found


def _service_targets(text: str) -> list[str]:
    tokens = list(_tokens(text))
    found = []
    for i, (kind, value, start) in enumerate(tokens):
        if kind != "word" or value.upper() != "SERVICE":
            continue
        if i and tokens[i - 1][1] == "@" and tokens[i - 1][2] + 1 == start:
            continue  # a language tag, "…"@service
        rest = [v for _, v, _ in tokens[i + 1:i + 3]]
        if rest and rest[0].upper() == "SILENT":
            rest = rest[1:]
        found.append(rest[0] if rest else "")
    return found


def check_service(text: str, allow_service: bool = False) -> list[str]:
    """Refuse a query with a ``SERVICE`` clause unless *allow_service*; the SERVICE targets.

    >>> check_service("SELECT * { SERVICE <http://x.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    thbkg.graph.errors.UsageError: SERVICE <http://x.org/sparql> would send a request to another server; thbkg queries stay local (add --allow-service to allow it)
    """
    targets = service_targets(text)
    if targets and not allow_service:
        raise UsageError(f"SERVICE {targets[0]} would send a request to another server; thbkg queries "
                         "stay local (add --allow-service to allow it)".replace("SERVICE  ", "SERVICE "))
    return targets


_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)
_FRIENDLY = (("Prefix not found", "an undeclared prefix (declare it with PREFIX)"),)
# Oxigraph's own explanations, better than any guess at a misspelt word
_SPECIAL = ("is not authorized", "Prefix not found")


def _syntax_message(text: str, message: str) -> str:
    """One readable line from Oxigraph's "error at L:C: expected …" message."""
    match = _POSITION.search(message)
    if not match:
        return f"SPARQL syntax error: {' '.join(message.split())[:300]}"
    # Oxigraph points just past the character where parsing stopped; name that character
    line_no, col, detail = int(match.group(1)), max(1, int(match.group(2)) - 1), match.group(3)
    if detail.lstrip().startswith("expected") and not any(raw in detail for raw in _SPECIAL):
        misspelt = _misspelt_keyword(text, line_no, int(match.group(2)))
        if misspelt:
            return misspelt
    # keep the readable alternatives (keywords, quoted tokens, sentences), drop character classes
    detail = re.sub(r"\[[^\]]*\]", "", detail.replace("\n", " "))
    items = [item.strip() for item in detail.split(",")]
    for raw, friendly in _FRIENDLY:
        items = [friendly if item.endswith(raw) else item for item in items]
    items = [re.sub(r"^expected( one of)?\s*", "", item) for item in items]
    items = [item for item in items if item and not item.startswith("|")][:8]
    lines = text.splitlines() or [""]
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    at = line[col - 1:col + 9].strip() if 0 < col <= len(line) else ""
    where = f", at {at!r}" if at else " (end of line)"
    expected = f": expected one of {', '.join(items)}" if len(items) > 1 else (
        f": expected {items[0]}" if items else "")
    special = [i for i in items if "is not authorized" in i or "undeclared prefix" in i]
    if special:
        expected = ": " + "; ".join(special)
    return (f"SPARQL syntax error at line {line_no}, column {col}{where}{expected}; "
            f"the line reads: {line.strip()[:100]}")


#: the words SPARQL (1.1 and 1.2, with Oxigraph's extensions) knows: keywords and built-in functions
_SPARQL_WORDS = frozenset("""
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE GROUP BY HAVING
    ORDER ASC DESC LIMIT OFFSET VALUES LOAD SILENT INTO CLEAR DROP CREATE ADD TO MOVE COPY INSERT DATA
    DELETE WITH USING DEFAULT GRAPH ALL OPTIONAL SERVICE BIND UNDEF MINUS UNION FILTER NOT IN EXISTS
    SEPARATOR A TRUE FALSE LATERAL VERSION
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE
    LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES
    SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT
    SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE
    GROUP_CONCAT TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE ADJUST LANGDIR HASLANG HASLANGDIR STRLANGDIR
    GROUPBY ORDERBY
""".split())  # Oxigraph also reads GROUP BY and ORDER BY written without the space
# the words offered as corrections
_SUGGESTED = tuple(sorted(_SPARQL_WORDS - {"A", "TRUE", "FALSE", "GROUPBY", "ORDERBY"}))


def _misspelt_keyword(text: str, line_no: int, column: int) -> str | None:
    """The syntax error as "unknown keyword 'SELEC': did you mean SELECT?", if a word before the
    error position is no SPARQL keyword (variables are ``?x``, prefixed names ``p:x``)."""
    lines = text.splitlines(keepends=True)
    error_at = sum(len(line) for line in lines[:line_no - 1]) + column - 1
    previous = None
    for kind, value, start in _tokens(text):
        if start > error_at:
            break
        glued = previous is not None and previous[2] + len(previous[1]) == start
        after_sign_or_digit = glued and (previous[1] == "@" or previous[1][-1].isdigit())
        previous = (kind, value, start)
        if kind != "word" or ":" in value or after_sign_or_digit or value.upper() in _SPARQL_WORDS:
            continue  # prefixed names, language tags, exponents of numbers, known words
        close = difflib.get_close_matches(value.upper(), _SUGGESTED, n=1, cutoff=0.8)
        word_line = text.count("\n", 0, start) + 1
        word_column = start - (text.rfind("\n", 0, start) + 1) + 1
        hint = f": did you mean {close[0]}?" if close else " (variables are written ?name, prefixed names prefix:name)"
        line_text = " ".join(lines[word_line - 1].split())[:100]
        return (f"SPARQL syntax error at line {word_line}, column {word_column}: unknown keyword {value!r}"
                f"{hint} The line reads: {line_text}")
    return None


# A small SPARQL tokenizer: enough to find the top-level WHERE group without being fooled by
# comments, strings or IRIs. Tokens: ("word", text), ("punct", char), ("skip", text).
_TOKEN_RE = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*(?::[^\s{}()<>;,]*)?)
  | (?P<punct>[{}()])
  | (?P<other>\S)
  | (?P<space>\s+)
""", re.VERBOSE)


def _tokens(text: str):
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        yield kind, match.group(), match.start()


def _where_group_start(text: str) -> int | None:
    """Offset just after the ``{`` that opens the query's top-level WHERE group (None if none)."""
    depth = parens = 0
    form = None
    skip_template = False
    for kind, value, start in _tokens(text):
        if kind == "word" and depth == 0 and parens == 0 and form is None and value.upper() in _FORMS:
            form = value.upper()
            skip_template = form == "CONSTRUCT"
            continue
        if kind == "word" and skip_template and value.upper() == "WHERE" and depth == 0:
            skip_template = False  # the short form: CONSTRUCT WHERE { … }
            continue
        if kind != "punct":
            continue
        if value == "(":
            parens += 1
        elif value == ")":
            parens -= 1
        elif value == "{":
            if depth == 0 and parens == 0 and form is not None and not skip_template:
                return start + 1
            depth += 1
        elif value == "}":
            depth -= 1
            if depth == 0 and skip_template:
                skip_template = False  # the CONSTRUCT template is closed; the WHERE group follows
    return None


def query_variables(text: str) -> set[str]:
    """Names of the variables used in *text* (``?x`` and ``$x``).

    >>> sorted(query_variables('SELECT ?a WHERE { ?a <p> $b . FILTER(?c = "?d") }'))
    ['a', 'b', 'c']
    """
    return {value[1:] for kind, value, _ in _tokens(text) if kind == "var"}


# --------------------------------------------------------------------------------------------------
# parameters

def parse_param_pairs(pairs) -> dict[str, str]:
    """``["k=v", ...]`` -> ``{"k": "v"}``; the value may contain ``=``.

    >>> parse_param_pairs(["agency=europol", "q=a=b"])
    {'agency': 'europol', 'q': 'a=b'}
    """
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().lstrip("?$")
        if not sep or not _VAR_NAME.match(key):
            raise UsageError(f"--param {pair!r}: write key=value, with key a variable name (letters, "
                             "digits, _)")
        if key in out:
            raise UsageError(f"--param {key} is given twice")
        out[key] = value
    return out


def _expand_iri(value: str) -> URIRef | None:
    """``<…>`` or ``prefix:local`` (a thbkg prefix) as an IRI, else None."""
    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        iri = value[1:-1]
        if _IRI_FORBIDDEN.search(iri) or ":" not in iri:
            raise UsageError(f"{value!r} is not a valid absolute IRI")
        return URIRef(iri)
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        iri = str(PREFIXES[prefix]) + local
        if _IRI_FORBIDDEN.search(iri):
            raise UsageError(f"{value!r} is not a valid prefixed name")
        return URIRef(iri)
    return None


def to_term(value: str, type_: str | None, name: str = "param"):
    """Turn the text of a parameter into an RDF term, as its declared *type_* says.

    ``actor``, ``region``, ``link_type``… accept a table id (``europol``), a prefixed name or an
    ``<IRI>``; an id with characters no table id has is percent-encoded, so it is still one plain
    value (that matches nothing). Without a declared type, ``<…>`` and known prefixed names are
    IRIs and anything else is a string.

    >>> to_term("europol", "actor")
    rdflib.term.URIRef('https://w3id.org/thbkg/id/actor/europol')
    >>> to_term("2015", "date").n3()
    '"2015-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'
    >>> to_term('x"} ; DROP ALL #', "actor")
    rdflib.term.URIRef('https://w3id.org/thbkg/id/actor/x%22%7D%20%3B%20DROP%20ALL%20%23')
    """
    if type_ in ID_TYPES:
        iri = _expand_iri(value)
        if iri is not None:
            return iri
        return URIRef(str(THBID) + ID_TYPES[type_] + urllib.parse.quote(value, safe=""))
    if type_ == "iri":
        iri = _expand_iri(value)
        if iri is None:
            raise UsageError(f"--param {name}={value!r}: expected an IRI, written <…> or as a prefixed "
                             f"name ({', '.join(sorted(PREFIXES))})")
        return iri
    if type_ == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise UsageError(f"--param {name}={value!r}: expected an integer")
        return Literal(int(value), datatype=XSD.integer)
    if type_ == "date":
        return Literal(_parse_day(value, name).isoformat(), datatype=XSD.date)
    if type_ in (None, "string"):
        if type_ is None:
            iri = _expand_iri(value) if (value.startswith("<") or ":" in value) else None
            if iri is not None:
                return iri
        return Literal(value)
    raise UsageError(f"unknown parameter type {type_!r}; use one of {', '.join(PARAM_TYPES)}")


def _parse_day(value: str, name: str) -> date:
    """``YYYY`` and ``YYYY-MM`` give the first day of that year or month."""
    text = value.strip()
    if text.lower() == "today":
        return date.today()
    try:
        if re.fullmatch(r"\d{4}", text):
            return date(int(text), 1, 1)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return date(int(text[:4]), int(text[5:]), 1)
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--param {name}={value!r}: expected a date YYYY-MM-DD (or YYYY, YYYY-MM, "
                         "today)") from None


def resolve_params(text: str, declared: tuple[Param, ...], given: dict[str, str]) -> dict[str, object]:
    """Check the given parameters against the declared ones, add defaults, and make RDF terms.

    Raises
    ------
    UsageError
        For an unknown parameter, a missing required one, or a value of the wrong type.
    """
    by_name = {p.name: p for p in declared}
    used = query_variables(text)
    terms: dict[str, object] = {}
    for key, value in given.items():
        if key not in by_name and key not in used:
            known = ", ".join(sorted(by_name)) or "none declared"
            raise UsageError(f"--param {key}: the query has no parameter or variable ?{key} "
                             f"(parameters: {known})")
        param = by_name.get(key)
        terms[key] = to_term(value, param.type if param else None, key)
    for param in declared:
        if param.name in terms:
            continue
        if param.default is None:
            raise UsageError(f"missing --param {param.name}=… ({param.type}: {param.description})")
        terms[param.name] = to_term(param.default, param.type, param.name)
    return terms


def term_to_sparql(term) -> str:
    """One RDF term in SPARQL syntax, for a VALUES block; refuses anything it cannot write safely.

    >>> term_to_sparql(Literal('a"b\\\\c\\nd'))
    '"a\\\\"b\\\\\\\\c\\\\nd"'
    >>> term_to_sparql(URIRef("http://x/a b"))
    Traceback (most recent call last):
    ...
    thbkg.graph.errors.UsageError: 'http://x/a b' cannot be used as an IRI (it has a space or one of <>"{}|^`\\)
    """
    if isinstance(term, URIRef):
        if _IRI_FORBIDDEN.search(str(term)):
            raise UsageError(f"{str(term)!r} cannot be used as an IRI (it has a space or one of "
                             "<>\"{}|^`\\)")
        return f"<{term}>"
    if isinstance(term, Literal):
        lexical = str(term)
        if re.search(r"\\[uU]", lexical):
            # SPARQL expands \\uXXXX before parsing, even inside strings, so the value would change
            raise UsageError(f"{lexical!r}: a parameter value cannot contain '\\u' or '\\U'")
        escaped = (lexical.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\r", "\\r").replace("\t", "\\t").replace("\b", "\\b").replace("\f", "\\f"))
        if term.language:
            if not _LANG_RE.match(term.language):
                raise UsageError(f"bad language tag {term.language!r}")
            return f'"{escaped}"@{term.language}'
        if term.datatype and term.datatype != XSD.string:
            return f'"{escaped}"^^{term_to_sparql(URIRef(term.datatype))}'
        return f'"{escaped}"'
    raise UsageError(f"cannot bind {term!r}: only IRIs and literals can be parameters")


def bind_params(text: str, terms: dict[str, object]) -> str:
    """Add ``VALUES (?k …) { (term …) }`` at the start of the top-level WHERE group of *text*.

    The block goes on the same line as the ``{``, so line numbers stay those of the text.
    """
    if not terms:
        return text
    offset = _where_group_start(text)
    if offset is None:
        raise UsageError("this query has no WHERE { … } group, so parameters cannot be bound")
    names = sorted(terms)
    block = (" VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
             + " ".join(term_to_sparql(terms[n]) for n in names) + ") }")
    return text[:offset] + block + text[offset:]


# --------------------------------------------------------------------------------------------------
# running

@dataclass
class QueryResult:
    """The answer to a query.

    ``form`` is SELECT, ASK, CONSTRUCT or DESCRIBE; SELECT gives ``variables`` and ``rows`` (tuples of
    rdflib terms, None when unbound), ASK ``boolean``, CONSTRUCT/DESCRIBE ``graph``.
    """

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    seconds: float = 0.0
    #: True when the answer had more rows (or triples) than the ``max_rows`` asked for
    truncated: bool = False

    def as_dicts(self) -> list[dict]:
        """Rows as ``{variable: term or None}`` dicts."""
        return [dict(zip(self.variables, row)) for row in self.rows]

    def table(self):
        """``(variables, rows)``; CONSTRUCT/DESCRIBE triples as sorted subject/predicate/object rows."""
        if self.form == "ASK":
            return ["boolean"], [(Literal(bool(self.boolean)),)]
        if self.graph is not None:
            return ["subject", "predicate", "object"], sorted(self.graph)
        return self.variables, self.rows


def _graph_of(source, form: str = "SELECT") -> Graph:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    from thbkg.graph.store.source import endpoint_store

    graph = source if isinstance(source, Graph) else source.graph()
    store = graph.store
    if form in ("CONSTRUCT", "DESCRIBE") and isinstance(store, SPARQLStore) and store.returnFormat == "json":
        # asked for SPARQL JSON results, servers answer a CONSTRUCT with 406 Not Acceptable;
        # "xml" makes rdflib accept RDF/XML, which every SPARQL 1.1 server can write
        graph = Graph(store=endpoint_store(store.query_endpoint, "xml", timeout=getattr(store, "timeout", None)),
                      bind_namespaces="none")
    return graph


def _capped(items, max_rows: int | None) -> tuple[list, bool]:
    """The first *max_rows* of the iterable *items* (all when None), and whether there were more.

    >>> _capped(iter(range(5)), 3), _capped(range(3), 3), _capped(range(2), None)
    (([0, 1, 2], True), ([0, 1, 2], False), ([0, 1], False))
    """
    import itertools

    if max_rows is None:
        return list(items), False
    first = list(itertools.islice(items, max_rows + 1))
    return first[:max_rows], len(first) > max_rows


def _execute(graph: Graph, text: str, form: str, max_rows: int | None = None) -> QueryResult:
    try:
        result = graph.query(text, initNs={k: str(v) for k, v in PREFIXES.items()})
        if form == "ASK":
            return QueryResult(form, boolean=bool(result.askAnswer))
        if form in ("CONSTRUCT", "DESCRIBE"):
            triples, truncated = _capped(iter(result), max_rows)
            out = bind_prefixes(Graph(bind_namespaces="none"))
            for triple in triples:
                out.add(tuple(_plain(t) for t in triple))
            return QueryResult(form, graph=out, truncated=truncated)
        variables = [str(v) for v in (result.vars or [])]
        # a ResultRow is a tuple in the order of result.vars
        rows, truncated = _capped(iter(result), max_rows)
        _close_pending_rows(result)
        return QueryResult(form, variables=variables, rows=[tuple(_plain(t) for t in row) for row in rows],
                           truncated=truncated)
    except ThbkgError:
        raise
    except SyntaxError as exc:  # pyoxigraph reports its own parse errors (e.g. an unknown prefix)
        raise UsageError(_syntax_message(text, str(exc))) from None
    except Exception as exc:
        if type(exc).__name__ in ("ParseException", "ParseSyntaxException"):  # rdflib's parser
            raise UsageError(f"SPARQL syntax error (rdflib): {' '.join(str(exc).split())[:300]}") from None
        endpoint = getattr(graph.store, "query_endpoint", None)
        if endpoint:  # rdflib's SPARQLStore hides the HTTP error behind a generic ValueError
            cause = exc.__context__ or exc
            detail = " ".join(str(cause).split())
            if hasattr(cause, "read"):
                try:
                    detail += ": " + " ".join(cause.read().decode("utf-8", "replace").split())[:300]
                except Exception:  # the body may be gone already
                    pass
            raise ThbkgError(f"the SPARQL endpoint {endpoint} failed: {detail[:400]}") from None
        raise


def _close_pending_rows(result) -> None:
    """Close the row generator an rdflib Result still holds after a capped read, in this thread.

    oxrdflib's generator and its Result refer to each other, so without this the garbage collector
    frees pyoxigraph's result iterator later, from any thread, which pyoxigraph does not allow.
    """
    pending = getattr(result, "_genbindings", None)
    if hasattr(pending, "close"):
        pending.close()


def _plain(term):
    """``"x"^^xsd:string`` as the simple literal ``"x"`` (the same term in RDF 1.1; stores differ)."""
    if isinstance(term, Literal) and term.datatype == XSD.string and not term.language:
        return Literal(str(term))
    return term


class QueryTimeout(ThbkgError):
    """The query ran longer than its time limit."""


_ID_LOOKUPS = {  # parameter type -> query listing the IRIs that exist (full IRIs: no prefixes needed)
    "actor": "SELECT DISTINCT ?x WHERE { ?x <http://www.w3.org/ns/org#classification> ?t }",
    "region": "SELECT DISTINCT ?x WHERE { ?x a <https://w3id.org/thbkg/ontology#Region> }",
}


def check_ids_exist(source, declared, terms, *, given) -> None:
    """Refuse an actor or region id that is not in the graph, with a did-you-mean.

    A typo would otherwise look like a true empty answer ("no partners"). Only values the user
    gave are checked; defaults are the query author's choice.
    """
    import difflib

    by_name = {p.name: p for p in declared}
    for name in sorted(given):
        param = by_name.get(name)
        lookup = _ID_LOOKUPS.get(param.type) if param else None
        term = terms.get(name)
        if lookup is None or not isinstance(term, URIRef):
            continue
        prefix = str(THBID) + ID_TYPES[param.type]
        if not str(term).startswith(prefix):
            continue
        known = {str(row[0])[len(prefix):] for row in run_query(source, lookup).rows
                 if row[0] is not None and str(row[0]).startswith(prefix)}
        value = str(term)[len(prefix):]
        if value not in known:
            close = difflib.get_close_matches(value, sorted(known), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else f" (see 'thbkg query -n actors_by_type')"
            raise UsageError(f"--param {name}: there is no {param.type} {given[name]!r} in the graph{hint}")


def run_query(source, text: str, params: dict[str, str] | None = None, *, declared: tuple = (),
              timeout: float | None = None, allow_service: bool = False,
              max_rows: int | None = None) -> QueryResult:
    """Check, bind and run a read-only query on *source* (a GraphSource or an rdflib Graph).

    Parameters
    ----------
    source : GraphSource or rdflib.Graph
        Where the graph is: embedded Oxigraph, rdflib memory, a persistent store or an endpoint.
    text : str
        The SPARQL query.
    params : dict of str to str, optional
        Parameter values as typed by the user; see :func:`to_term` and :func:`resolve_params`.
    declared : tuple of Param
        Declared parameters (default: read from the query's header).
    timeout : float, optional
        Seconds after which the query is abandoned with :class:`QueryTimeout`. Default: none, or
        :data:`SERVICE_TIMEOUT` for a query whose SERVICE calls *allow_service* lets through.
    allow_service : bool
        Let ``SERVICE`` clauses call other servers. Refused by default: queries stay local.
    max_rows : int, optional
        Keep at most this many rows (CONSTRUCT: triples), read as a stream; ``result.truncated``
        says whether there were more. Default: all.

    The graph is loaded and the query run in a daemon worker thread while this thread waits in
    short slices, so Ctrl-C (KeyboardInterrupt) and the timeout take effect at once even while
    Oxigraph is busy in native code (it releases the GIL). The worker is left behind; a
    command-line run then exits, which ends it.

    >>> g = Graph(); _ = g.add((THBID["actor/a"], THBID["p"], Literal("x")))
    >>> r = run_query(g, "SELECT ?s WHERE { ?s ?p ?o }", {"o": "x"})
    >>> [str(s) for (s,) in r.rows]
    ['https://w3id.org/thbkg/id/actor/a']
    """
    if check_service(text, allow_service) and not timeout:  # refused before anything is parsed or built
        timeout = SERVICE_TIMEOUT
    run = _in_worker(lambda: _prepare(source, text, params or {}, declared, allow_service, max_rows))
    started = time.perf_counter()
    result = _in_worker(run, timeout)
    result.seconds = time.perf_counter() - started
    return result


def _prepare(source, text: str, params: dict, declared: tuple, allow_service: bool, max_rows):
    """Parse, load the graph, bind the parameters; the function that runs the query."""
    fast = _oxigraph_source(source) and _first_keyword(text) in _FORMS
    if fast and source.oxigraph_store() is not None:
        # the store is loaded: parse once, when running (an update keyword is refused up front)
        form = _first_keyword(text)
    else:
        # parse before anything is built, so a bad query fails fast
        form = check_query(text, allow_service=allow_service)
    if not declared:
        declared = parse_header(text)[2]
    terms = resolve_params(text, declared, params)
    if hasattr(source, "kind"):
        check_ids_exist(source, declared, terms, given=params)
    final = bind_params(text, terms)
    if fast:
        return lambda: _execute_oxigraph(source, text, final, form, max_rows, allow_service)
    return lambda: _execute(_graph_of(source, form), final, form, max_rows)


def _oxigraph_source(source) -> bool:
    """Whether *source* is a GraphSource on an Oxigraph store (embedded or persistent)."""
    return getattr(source, "kind", None) in ("embedded", "persistent") and hasattr(source, "oxigraph_query")


def _execute_oxigraph(source, text: str, final: str, form: str, max_rows: int | None = None,
                      allow_service: bool = False) -> QueryResult:
    """Run on the pyoxigraph store directly, converting each distinct term once.

    Gives the same terms as :func:`_execute` through oxrdflib (``xsd:string`` as simple literals).
    Rows are read as a stream, so *max_rows* bounds the memory even for a cross product.
    """
    import pyoxigraph

    from thbkg.graph.store.source import term_converter

    try:
        result = source.oxigraph_query(final)
    except SyntaxError as exc:
        check_query(text, allow_service=allow_service)  # the message with the line and column of the user's text
        raise UsageError(_syntax_message(final, str(exc))) from None
    if isinstance(result, pyoxigraph.QueryBoolean):
        return QueryResult("ASK", boolean=bool(result))
    convert = term_converter(plain_strings=True)
    if isinstance(result, pyoxigraph.QueryTriples):
        triples, truncated = _capped(result, max_rows)
        out = bind_prefixes(Graph(bind_namespaces="none"))
        out.addN((convert(t.subject), convert(t.predicate), convert(t.object), out) for t in triples)
        return QueryResult(form, graph=out, truncated=truncated)
    variables = [v.value for v in result.variables]
    solutions, truncated = _capped(result, max_rows)
    rows = [tuple([convert(t) for t in solution]) for solution in solutions]
    return QueryResult("SELECT", variables=variables, rows=rows, truncated=truncated)


#: how long the waiting thread sleeps between checks for Ctrl-C and the deadline
_WAIT_SLICE = 0.1


def _clear_frames(exc: BaseException) -> None:
    """Free the local variables held by the tracebacks of *exc* and the exceptions behind it.

    Done in the worker thread: pyoxigraph's result iterators must be freed by the thread that made
    them, and a traceback handed to another thread would keep them alive. Line numbers stay.
    """
    import traceback

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        traceback.clear_frames(exc.__traceback__)
        exc = exc.__cause__ or exc.__context__


def _in_worker(func, timeout: float | None = None):
    """``func()`` run in a daemon thread; this thread waits in short slices (see :func:`run_query`)."""
    box: dict[str, object] = {}

    def work():
        try:
            box["result"] = func()
        except BaseException as exc:  # handed to the caller's thread
            _clear_frames(exc)
            box["error"] = exc

    worker = threading.Thread(target=work, name="thbkg-query", daemon=True)
    worker.start()
    deadline = time.monotonic() + timeout if timeout else None
    while worker.is_alive():
        wait = _WAIT_SLICE if deadline is None else min(_WAIT_SLICE, deadline - time.monotonic())
        if wait <= 0:
            raise QueryTimeout(f"query stopped after {timeout:g} s (--timeout); narrow it down (filters, "
                               "LIMIT) or allow more time")
        worker.join(wait)
    if "error" in box:
        raise box["error"]
    return box["result"]


# --------------------------------------------------------------------------------------------------
# output

def short_iri(iri: str) -> str:
    """An IRI as a prefixed name when a thbkg prefix covers it (longest namespace wins).

    >>> short_iri("https://w3id.org/thbkg/id/actor/europol")
    'thbid:actor/europol'
    >>> short_iri("http://example.org/x")
    '<http://example.org/x>'
    """
    best = None
    for prefix, ns in PREFIXES.items():
        ns = str(ns)
        if iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > len(best[1])):
            best = (prefix, ns)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else f"<{iri}>"


def _display(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return short_iri(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _cut(text: str, width: int) -> tuple[str, bool]:
    from thbkg.graph.outputs.text import terminal_safe

    # newlines and tabs would break the alignment; escape sequences must not reach the terminal
    text = terminal_safe(" ".join(text.split()))
    if len(text) <= width:
        return text, False
    return text[:width - 1] + "…", True


def format_table(variables, rows, *, width: int = TABLE_CELL_WIDTH) -> str:
    """An aligned text table; IRIs as prefixed names, long cells cut with "…" and a note below.

    Control characters are shown as escapes (:func:`thbkg.graph.outputs.text.terminal_safe`).
    """
    cut_any = False
    cells = []
    for row in rows:
        line = []
        for term in row:
            text, cut = _cut(_display(term), width)
            cut_any |= cut
            line.append(text)
        cells.append(line)
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(variables)]
    out = ["  ".join(v.ljust(w) for v, w in zip(variables, widths)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    n = len(rows)
    out.append(f"({n} row{'s' if n != 1 else ''})")
    if cut_any:
        out.append(f"Note: values longer than {width} characters are cut with '…'; "
                   "use --format csv or json for full values.")
    return "\n".join(out) + "\n"


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def format_csv(variables, rows, delimiter=",") -> str:
    """SPARQL 1.1 Query Results CSV: lexical values only, RFC 4180 quoting, CRLF line ends.

    Cells a spreadsheet would run as formulas get a leading ``'`` unless ``--raw-csv``
    (:func:`thbkg.graph.outputs.text.csv_text`).
    """
    from thbkg.graph.outputs.text import csv_text

    return csv_text(variables, ([_csv_value(t) for t in row] for row in rows), delimiter=delimiter,
                    lineterminator="\r\n")


_TSV_PLAIN = {XSD.integer: r"[+-]?\d+", XSD.decimal: r"[+-]?\d*\.\d+", XSD.boolean: r"true|false",
              XSD.double: r"[+-]?(\d+\.\d*|\.?\d+)[eE][+-]?\d+"}


def _tsv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    lexical = str(term)
    pattern = _TSV_PLAIN.get(term.datatype)
    if pattern and re.fullmatch(pattern, lexical):
        return lexical
    from thbkg.graph.outputs.text import csv_cell, escape_serialized_controls

    escaped = (lexical.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    # other controls as \uXXXX (same term); a formula-like text gets a leading ' (unless --raw-csv)
    escaped = csv_cell(escape_serialized_controls(escaped, "turtle"))
    if term.language:
        return f'"{escaped}"@{term.language}'
    if term.datatype and term.datatype != XSD.string:
        return f'"{escaped}"^^<{term.datatype}>'
    return f'"{escaped}"'


def format_tsv(variables, rows) -> str:
    """SPARQL 1.1 Query Results TSV: ``?var`` header, terms in SPARQL/Turtle syntax.

    A literal whose text a spreadsheet would run as a formula gets a leading ``'`` inside its
    quotes unless ``--raw-csv`` (:func:`thbkg.graph.outputs.text.csv_cell`).
    """
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(_tsv_value(t) for t in row) for row in rows]
    return "\n".join(lines) + "\n"


def _json_term(term) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def format_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON (``head``/``results``/``bindings``, or ``boolean`` for ASK)."""
    if result.form == "ASK":
        doc = {"head": {}, "boolean": bool(result.boolean)}
    else:
        variables, rows = result.table()
        doc = {"head": {"vars": list(variables)},
               "results": {"bindings": [{v: _json_term(t) for v, t in zip(variables, row) if t is not None}
                                        for row in rows]}}
    from thbkg.graph.outputs.text import escape_serialized_controls

    return escape_serialized_controls(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def format_markdown(variables, rows) -> str:
    """A Markdown table: IRIs as prefixed names in code spans, every other cell escaped (no raw HTML).

    Cells go through :func:`thbkg.graph.outputs.text.md_cell` and :func:`~thbkg.graph.outputs.text.md_code`.
    """
    from thbkg.graph.outputs.text import markdown_table, md_cell, md_code

    def cell(term):
        return md_code(_display(term)) if isinstance(term, URIRef) else md_cell(_display(term))

    return markdown_table(variables, ([cell(t) for t in row] for row in rows), escaped=True) + "\n"


def format_result(result: QueryResult, fmt: str | None = None) -> str:
    """Write *result* in *fmt* (default: table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE)."""
    is_graph = result.graph is not None
    fmt = fmt or ("turtle" if is_graph else "table")
    if fmt in GRAPH_FORMATS:
        if not is_graph:
            raise UsageError(f"--format {fmt} is for CONSTRUCT and DESCRIBE queries; "
                             f"a {result.form} gives rows: use {', '.join(RESULT_FORMATS)}")
        from thbkg.graph.rdf.build import serialize_graph  # deterministic serialisations
        from thbkg.graph.outputs.text import escape_serialized_controls

        text = serialize_graph(result.graph, fmt).decode("utf-8")
        return escape_serialized_controls(text, "json" if fmt == "jsonld" else "turtle")
    if fmt == "json":
        return format_json(result)
    variables, rows = result.table()
    if fmt == "table":
        if result.form == "ASK":
            return ("yes" if result.boolean else "no") + "\n"
        return format_table(variables, rows)
    if fmt == "csv":
        return format_csv(variables, rows)
    if fmt == "tsv":
        return format_tsv(variables, rows)
    if fmt == "md":
        return format_markdown(variables, rows)
    raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
