"""Run read-only SPARQL queries on a graph source, with typed parameters and a timeout.

The flow is: :func:`check_query` parses the text (syntax errors, updates and SERVICE calls are
refused before anything runs), :func:`resolve_params` turns ``--param key=value`` pairs into RDF
terms as the query's header types them (:func:`to_term`), :func:`thbkg.graph.store.binder.bind`
adds them as a ``VALUES`` block at the start of the query's top-level ``WHERE`` group (RDF terms,
never pieces of query syntax), and :func:`run_query` runs the query on any
:class:`~thbkg.graph.store.source.GraphSource` (or rdflib Graph) in a worker thread, so that Ctrl-C
and ``--timeout`` take effect at once.

The named queries and their headers are in :mod:`thbkg.graph.store.catalogue`; the answers are
written as text by :mod:`thbkg.graph.outputs.results`.

>>> check_query('SELECT ?x WHERE { ?x ?p ?v }')
'SELECT'
>>> to_term("2015-06", "date").n3()
'"2015-06-01"^^<http://www.w3.org/2001/XMLSchema#date>'
"""

from __future__ import annotations

import contextlib
import difflib
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from thbkg.graph.errors import ThbkgError, UsageError
from thbkg.graph.rdf.dates import parse_day
from thbkg.graph.rdf.namespaces import PREFIXES, THBID, bind_prefixes
from thbkg.graph.store.binder import (
    FORMS,
    IRI_FORBIDDEN,
    VAR_NAME,
    bind,
    first_keyword,
    query_variables,
    service_targets,
    tokens,
)
from thbkg.graph.store.catalogue import ID_TYPES, NAME_TYPES, PARAM_TYPES, Param, parse_header, sorted_cells

UPDATE_KEYWORDS = ("INSERT", "DELETE", "DROP", "CLEAR", "LOAD", "CREATE", "ADD", "MOVE", "COPY", "WITH")


# --------------------------------------------------------------------------------------------------
# parsing and checking

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
    keyword = first_keyword(text)
    if keyword in UPDATE_KEYWORDS:
        raise UsageError(_read_only_message(keyword))
    if check_service(text, allow_service) and keyword in FORMS:
        return keyword
    try:
        # parsing happens here; evaluation on an empty store costs nothing (results are lazy)
        pyoxigraph.Store().query(text, prefixes={k: str(v) for k, v in PREFIXES.items()})
    except SyntaxError as exc:
        raise UsageError(_syntax_message(text, str(exc))) from None
    if keyword not in FORMS:  # cannot happen for a text Oxigraph accepted, but say so clearly
        raise UsageError(f"not a SPARQL query: it starts with {keyword or 'nothing'!r}")
    return keyword


def _read_only_message(keyword: str) -> str:
    return (f"query is read-only: {keyword} is a SPARQL update. Use 'thbkg push' to load data into a "
            "server, or edit the tables in data/ and rebuild.")


#: time limit of a query whose SERVICE calls were allowed (--allow-service) and no --timeout given
SERVICE_TIMEOUT = 30.0


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
    lines = text.splitlines() or [""]
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    at = line[col - 1:col + 9].strip() if 0 < col <= len(line) else ""
    where = f", at {at!r}" if at else " (end of line)"
    return (f"SPARQL syntax error at line {line_no}, column {col}{where}{_expected(detail)}; "
            f"the line reads: {line.strip()[:100]}")


def _expected(detail: str) -> str:
    """``": expected one of …"`` from Oxigraph's *detail*, or its own explanation when it gives one."""
    # keep the readable alternatives (keywords, quoted tokens, sentences), drop character classes
    detail = re.sub(r"\[[^\]]*\]", "", detail.replace("\n", " "))
    items = [item.strip() for item in detail.split(",")]
    for raw, friendly in _FRIENDLY:
        items = [friendly if item.endswith(raw) else item for item in items]
    items = [re.sub(r"^expected( one of)?\s*", "", item) for item in items]
    items = [item for item in items if item and not item.startswith("|")][:8]
    special = [i for i in items if "is not authorized" in i or "undeclared prefix" in i]
    if special:
        return ": " + "; ".join(special)
    if len(items) > 1:
        return f": expected one of {', '.join(items)}"
    return f": expected {items[0]}" if items else ""


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
    previous_end, previous_value = -1, ""
    for kind, value, start in tokens(text):
        if start > error_at:
            break
        glued = previous_end == start
        after_sign_or_digit = glued and (previous_value == "@" or previous_value[-1].isdigit())
        previous_end, previous_value = start + len(value), value
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
        if not sep or not VAR_NAME.match(key):
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
        if IRI_FORBIDDEN.search(iri) or ":" not in iri:
            raise UsageError(f"{value!r} is not a valid absolute IRI")
        return URIRef(iri)
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        iri = str(PREFIXES[prefix]) + local
        if IRI_FORBIDDEN.search(iri):
            raise UsageError(f"{value!r} is not a valid prefixed name")
        return URIRef(iri)
    return None


def to_term(value: str, type_: str | None, name: str = "param"):
    """Turn the text of a parameter into an RDF term, as its declared *type_* says.

    ``actor``, ``region``, ``link_type``… accept a table id (``europol``), a prefixed name or an
    ``<IRI>``; an id with characters no table id has is percent-encoded, so it is still one plain
    value (that matches nothing). Without a declared type, ``<…>`` and known prefixed names are
    IRIs and anything else is a string.

    >>> to_term("europol", "actor") == to_term("thba:europol", "actor")
    True
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
        # the one date rule of thbkg: YYYY, YYYY-MM, YYYY-MM-DD or today, with the one message
        return Literal(parse_day(value, what=f"--param {name}").isoformat(), datatype=XSD.date)
    if type_ in (None, "string"):
        if type_ is None:
            iri = _expand_iri(value) if (value.startswith("<") or ":" in value) else None
            if iri is not None:
                return iri
        return Literal(value)
    raise UsageError(f"unknown parameter type {type_!r}; use one of {', '.join(PARAM_TYPES)}")


def resolve_params(text: str, declared: tuple[Param, ...], given: dict[str, str],
                   resolve_name=None) -> dict[str, object]:
    """Check the given parameters against the declared ones, add defaults, and make RDF terms.

    *resolve_name*, when given, is a function ``(type, text) -> IRI`` that reads the value of a
    parameter of a type in :data:`~thbkg.graph.store.catalogue.NAME_TYPES` as a name (an id, label,
    alias, ISO code, QID or pasted IRI: :func:`thbkg.graph.network.projections.name_resolver`) and
    refuses an unknown or ambiguous one; the IRI is then bound like any other value. Defaults are
    the query author's ids and are not read as names.

    Raises
    ------
    UsageError
        For an unknown parameter, a missing required one, a value of the wrong type, or a name
        *resolve_name* refuses (the message starts with ``--param NAME:``).

    >>> resolve_params("SELECT * { ?a ?p ?o }", (Param("a", "actor", None),), {"a": "Frontex"},
    ...                lambda kind, text: URIRef("https://w3id.org/thbkg/id/actor/frontex"))
    {'a': rdflib.term.URIRef('https://w3id.org/thbkg/id/actor/frontex')}
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
        if resolve_name is not None and param is not None and param.type in NAME_TYPES:
            terms[key] = _named_term(resolve_name, param.type, key, value)
            continue
        terms[key] = to_term(value, param.type if param else None, key)
    for param in declared:
        if param.name in terms:
            continue
        if param.default is None:
            raise UsageError(f"missing --param {param.name}=… ({param.type}: {param.description})")
        terms[param.name] = to_term(param.default, param.type, param.name)
    return terms


def _named_term(resolve_name, type_: str, key: str, value: str):
    """The IRI *resolve_name* reads *value* as; its refusal says which parameter it is about."""
    try:
        term = resolve_name(type_, value)
    except UsageError as exc:
        raise UsageError(f"--param {key}: {exc}") from None
    return term if isinstance(term, URIRef) else to_term(str(term), type_, key)


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
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]

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
        xml_store = endpoint_store(str(store.query_endpoint), "xml", timeout=getattr(store, "timeout", None))
        graph = Graph(store=xml_store, bind_namespaces="none")
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
                with contextlib.suppress(Exception):  # the body may be gone already
                    detail += ": " + " ".join(cause.read().decode("utf-8", "replace").split())[:300]
            raise ThbkgError(f"the SPARQL endpoint {endpoint} failed: {detail[:400]}") from None
        raise


def _close_pending_rows(result) -> None:
    """Close the row generator an rdflib Result still holds after a capped read, in this thread.

    oxrdflib's generator and its Result refer to each other, so without this the garbage collector
    frees pyoxigraph's result iterator later, from any thread, which pyoxigraph does not allow.
    """
    close = getattr(getattr(result, "_genbindings", None), "close", None)
    if close is not None:
        close()


def _plain(term):
    """``"x"^^xsd:string`` as the simple literal ``"x"`` (the same term in RDF 1.1; stores differ)."""
    if isinstance(term, Literal) and term.datatype == XSD.string and not term.language:
        return Literal(str(term))
    return term


class QueryTimeout(ThbkgError):
    """The query ran longer than its time limit."""


_ID_LOOKUPS = {  # parameter type -> query listing the IRIs that exist (full IRIs: no prefixes needed)
    "actor": "SELECT DISTINCT ?x WHERE { ?x <https://w3id.org/thbkg/ontology#actorType> ?t }",
    "region": "SELECT DISTINCT ?x WHERE { ?x a <https://w3id.org/thbkg/ontology#Region> }",
}
_ID_PATTERNS = {  # parameter type -> the pattern an IRI ?x of that type matches
    "actor": "?x <https://w3id.org/thbkg/ontology#actorType> ?t",
    "region": "?x a <https://w3id.org/thbkg/ontology#Region>",
}


def check_ids_exist(source, declared, terms, *, given) -> None:
    """Refuse an actor or region id that is not in the graph, with a did-you-mean.

    A typo would otherwise look like a true empty answer ("no partners"). Only values the user
    gave are checked; defaults are the query author's choice. One ASK checks every id given; only
    when it fails are the known ids listed, for the message.
    """
    checked = _given_ids(declared, terms, given)
    if not checked:
        return
    patterns, bindings = [], {}
    for n, (_name, param, term) in enumerate(checked):
        patterns.append(_ID_PATTERNS[param.type].replace("?x", f"?x{n}").replace("?t", f"?t{n}"))
        bindings[f"x{n}"] = term
    if run_query(source, bind("ASK { " + " . ".join(patterns) + " }", bindings)).boolean:
        return
    for name, param, term in checked:
        _refuse_unknown_id(source, name, param, term, given[name])


def _given_ids(declared, terms, given) -> list:
    """``(name, param, IRI)`` of each actor or region id the user gave."""
    by_name = {p.name: p for p in declared}
    found = []
    for name in sorted(given):
        param, term = by_name.get(name), terms.get(name)
        if param is None or param.type not in _ID_LOOKUPS or not isinstance(term, URIRef):
            continue
        if str(term).startswith(str(THBID) + ID_TYPES[param.type]):
            found.append((name, param, term))
    return found


def _refuse_unknown_id(source, name: str, param, term, typed: str) -> None:
    """Raise the message for *term* when it is not in the graph (the known ids listed for a hint)."""
    import difflib

    pattern = _ID_PATTERNS[param.type]
    if run_query(source, bind(f"ASK {{ {pattern} }}", {"x": term})).boolean:
        return
    prefix = str(THBID) + ID_TYPES[param.type]
    known = {str(row[0])[len(prefix):] for row in run_query(source, _ID_LOOKUPS[param.type]).rows
             if row[0] is not None and str(row[0]).startswith(prefix)}
    close = difflib.get_close_matches(str(term)[len(prefix):], sorted(known), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else " (see 'thbkg query -n actors_by_type')"
    raise UsageError(f"--param {name}: there is no {param.type} {typed!r} in the graph{hint}")


def run_query(source, text: str, params: dict[str, str] | None = None, *, declared: tuple = (),
              timeout: float | None = None, allow_service: bool = False,
              max_rows: int | None = None, resolve_name=None) -> QueryResult:
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
    resolve_name : callable, optional
        ``(type, text) -> IRI``: reads the values given for parameters typed ``actor``, ``region``,
        ``link_type`` or ``actor_type`` as names (``Frontex``, ``Sahel``, ``SRB``), see
        :func:`resolve_params`; :func:`thbkg.graph.network.projections.name_resolver` makes one for a
        source. Without it such values are ids, prefixed names or ``<IRI>`` (:func:`to_term`).

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
    run = _in_worker(lambda: _prepare(source, text, params or {}, declared, allow_service, max_rows, resolve_name))
    started = time.perf_counter()
    result = _in_worker(run, timeout)
    result.seconds = time.perf_counter() - started
    _sort_cells(result, sorted_cells(text))
    return result


def _sort_cells(result: QueryResult, names: tuple[str, ...]) -> None:
    """Sort the ``;``-separated items of the cells of *names* (see :func:`~thbkg.graph.store.catalogue.sorted_cells`)."""
    columns = [i for i, name in enumerate(result.variables) if name in names]
    if not columns or not result.rows:
        return
    for r, row in enumerate(result.rows):
        cells = list(row)
        for i in columns:
            if isinstance(cells[i], Literal) and ";" in str(cells[i]):
                cells[i] = Literal(";".join(sorted(str(cells[i]).split(";"))), lang=cells[i].language,
                                   datatype=cells[i].datatype)
        result.rows[r] = tuple(cells)


def _prepare(source, text: str, params: dict, declared: tuple, allow_service: bool, max_rows, resolve_name=None):
    """Parse, load the graph, bind the parameters; the function that runs the query."""
    fast = _oxigraph_source(source) and first_keyword(text) in FORMS
    if fast and source.oxigraph_store() is not None:
        # the store is loaded: parse once, when running (an update keyword is refused up front)
        form = first_keyword(text)
    else:
        # parse before anything is built, so a bad query fails fast
        form = check_query(text, allow_service=allow_service)
    if not declared:
        declared = parse_header(text)[2]
    terms = resolve_params(text, declared, params, resolve_name)
    if hasattr(source, "kind"):
        check_ids_exist(source, declared, terms, given=params)
    final = bind(text, terms)
    if fast:
        return lambda: _answer_oxigraph(source, text, final, form, max_rows, allow_service)
    return lambda: _execute(_graph_of(source, form), final, form, max_rows)


def _oxigraph_source(source) -> bool:
    """Whether *source* is a GraphSource on an Oxigraph store (embedded or persistent)."""
    return getattr(source, "kind", None) in ("embedded", "persistent") and hasattr(source, "oxigraph_query")


def _answer_oxigraph(source, text: str, final: str, form: str, max_rows: int | None = None,
                     allow_service: bool = False) -> QueryResult:
    """:func:`_execute_oxigraph`, with SELECT and ASK answers kept beside a store from the cache.

    A cached store never changes (its key covers the tables, ontology and code), so the same query
    text gives the same answer; it is read back instead of run again (see
    :func:`thbkg.graph.store.cache.keepable` for the queries that are always run).
    """
    entry = getattr(source, "cache_entry", None)
    if entry is None or form not in ("SELECT", "ASK"):
        return _execute_oxigraph(source, text, final, form, max_rows, allow_service)
    kept = entry.kept_answer("query", final)
    if kept is not None:
        return _answer_from_json(kept, max_rows)
    result = _execute_oxigraph(source, text, final, form, max_rows, allow_service)
    if not result.truncated:
        entry.keep_answer("query", final, _answer_to_json(result), len(result.rows))
    return result


def _answer_to_json(result: QueryResult) -> dict:
    """A SELECT or ASK answer as JSON (terms as :func:`~thbkg.graph.store.cache.term_to_json` writes them).

    >>> r = QueryResult("SELECT", ["x"], [(Literal("a", lang="en"),), (None,)])
    >>> back = _answer_from_json(_answer_to_json(r), None)
    >>> back.rows == r.rows, back.variables
    (True, ['x'])
    """
    from thbkg.graph.store.cache import term_to_json

    return {"form": result.form, "boolean": result.boolean, "variables": result.variables,
            "rows": [[term_to_json(t) for t in row] for row in result.rows]}


def _answer_from_json(kept: dict, max_rows: int | None) -> QueryResult:
    from thbkg.graph.store.cache import term_from_json

    rows = [tuple(term_from_json(t) for t in row) for row in kept["rows"]]
    truncated = max_rows is not None and len(rows) > max_rows
    return QueryResult(kept["form"], variables=kept["variables"], boolean=kept["boolean"],
                       rows=rows[:max_rows] if truncated else rows, truncated=truncated)


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
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__


def _in_worker(func, timeout: float | None = None):
    """``func()`` run in a daemon thread; this thread waits in short slices (see :func:`run_query`)."""
    box: dict[str, object] = {}
    errors: list[BaseException] = []

    def work():
        try:
            box["result"] = func()
        except BaseException as exc:  # handed to the caller's thread
            _clear_frames(exc)
            errors.append(exc)

    worker = threading.Thread(target=work, name="thbkg-query", daemon=True)
    worker.start()
    deadline = time.monotonic() + timeout if timeout else None
    while worker.is_alive():
        wait = _WAIT_SLICE if deadline is None else min(_WAIT_SLICE, deadline - time.monotonic())
        if wait <= 0:
            raise QueryTimeout(f"query stopped after {timeout:g} s (--timeout); narrow it down (filters, "
                               "LIMIT) or allow more time")
        worker.join(wait)
    if errors:
        raise errors[0]
    return box["result"]
