"""Query answers as text: an aligned table, CSV, SPARQL 1.1 TSV/JSON results, Markdown, or RDF.

:func:`format_result` writes a :class:`~thbkg.graph.store.query.QueryResult`; in the table, CSV and
Markdown, an IRI is written as it pastes back into a query (:func:`short_iri`: ``thba:rs``, or ``<IRI>``);
:func:`format_query_list` writes the library of named queries. Every cell goes through the escaping
helpers of :mod:`thbkg.graph.outputs.text`: no data text becomes a terminal escape
(:func:`~thbkg.graph.outputs.text.terminal_safe`), a spreadsheet formula
(:func:`~thbkg.graph.outputs.text.csv_text`), raw HTML in Markdown (:func:`~thbkg.graph.outputs.text.md_cell`)
or a raw control character in JSON or Turtle (:func:`~thbkg.graph.outputs.text.escape_serialized_controls`).

>>> from rdflib import Literal, URIRef
>>> print(format_markdown(["s", "label"], [(URIRef("https://w3id.org/thbkg/id/actor/a"), Literal("<b>"))]))
| s | label |
|---|---|
| `thba:a` | &lt;b&gt; |
<BLANKLINE>
"""

from __future__ import annotations

import json
import re

from rdflib import BNode, URIRef
from rdflib.namespace import XSD

from thbkg.graph.errors import UsageError
from thbkg.graph.outputs.text import (
    csv_cell,
    csv_text,
    escape_serialized_controls,
    markdown_table,
    md_cell,
    md_code,
    terminal_safe,
)
from thbkg.graph.rdf.namespaces import PREFIXES

#: formats for SELECT/ASK results (CONSTRUCT/DESCRIBE triples can use them too, as s/p/o rows)
RESULT_FORMATS = ("table", "csv", "tsv", "json", "md")
#: formats for CONSTRUCT/DESCRIBE graphs
GRAPH_FORMATS = ("turtle", "nt", "jsonld")
FORMATS = RESULT_FORMATS + GRAPH_FORMATS

#: the table cell width after which ``table`` output cuts a value with "…"
TABLE_CELL_WIDTH = 48


#: a local name a prefixed name may have as it is in SPARQL and Turtle (PN_LOCAL, ASCII and without
#: escapes): letters, digits, ``_``, ``-``, ``.`` and ``:``, not starting with ``-`` or ``.`` nor ending with ``.``
PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_:](?:[A-Za-z0-9_.:-]*[A-Za-z0-9_:-])?\Z")


def short_iri(iri: str) -> str:
    """An IRI as it pastes into a SPARQL query: a prefixed name when a thbkg prefix covers it with a
    plain local name (:data:`PLAIN_LOCAL`; the longest such namespace wins), else ``<IRI>``.

    Data IRIs get their short prefix (``thba:`` for actors, ``thbl:`` for links…, see
    :data:`thbkg.graph.rdf.namespaces.ID_PREFIXES`), which ``thbkg query`` declares, so a printed id
    runs as it is in the next query.

    >>> short_iri("https://w3id.org/thbkg/id/actor/europol")
    'thba:europol'
    >>> short_iri("https://w3id.org/thbkg/id/actor/europol/seat")  # no plain local name: the whole IRI
    '<https://w3id.org/thbkg/id/actor/europol/seat>'
    >>> short_iri("http://example.org/x")
    '<http://example.org/x>'
    """
    best = None
    for prefix, ns in PREFIXES.items():
        ns = str(ns)
        if (iri.startswith(ns) and PLAIN_LOCAL.match(iri[len(ns):])
                and (best is None or len(ns) > len(best[1]))):
            best = (prefix, ns)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else f"<{iri}>"


def display_term(term) -> str:
    """A term as text: IRIs as pasteable prefixed names, blank nodes as ``_:id``, nothing as ``""``."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return short_iri(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _cut(text: str, width: int) -> tuple[str, bool]:
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
            text, cut = _cut(display_term(term), width)
            cut_any |= cut
            line.append(text)
        cells.append(line)
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(variables)]
    out = ["  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    n = len(rows)
    out.append(f"({n} row{'s' if n != 1 else ''})")
    if cut_any:
        out.append(f"Note: values longer than {width} characters are cut with '…'; "
                   "use --format csv or json for full values.")
    return "\n".join(out) + "\n"


def format_csv(variables, rows, delimiter=",") -> str:
    """CSV in the layout of SPARQL 1.1 Query Results CSV: RFC 4180 quoting, CRLF line ends, literals
    as their lexical values; IRIs as in the table (:func:`short_iri`: ``thba:rs`` or ``<IRI>``), so
    that a cell pastes back into a query. ``--format json`` and ``tsv`` write every IRI in full.

    Cells a spreadsheet would run as formulas get a leading ``'`` unless ``--raw-csv``
    (:func:`thbkg.graph.outputs.text.csv_text`).

    >>> from rdflib import Literal
    >>> format_csv(["a", "n"], [(URIRef("https://w3id.org/thbkg/id/actor/rs"), Literal("Serbia"))]).splitlines()
    ['a,n', 'thba:rs,Serbia']
    """
    return csv_text(variables, ([display_term(t) for t in row] for row in rows), delimiter=delimiter,
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


def format_json(result) -> str:
    """SPARQL 1.1 Query Results JSON (``head``/``results``/``bindings``, or ``boolean`` for ASK)."""
    if result.form == "ASK":
        doc = {"head": {}, "boolean": bool(result.boolean)}
    else:
        variables, rows = result.table()
        bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
        doc = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return escape_serialized_controls(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def format_markdown(variables, rows) -> str:
    """A Markdown table: IRIs as prefixed names in code spans, every other cell escaped (no raw HTML).

    Cells go through :func:`thbkg.graph.outputs.text.md_cell` and :func:`~thbkg.graph.outputs.text.md_code`.
    """
    def cell(term):
        return md_code(display_term(term)) if isinstance(term, URIRef) else md_cell(display_term(term))

    return markdown_table(variables, ([cell(t) for t in row] for row in rows), escaped=True) + "\n"


def _format_graph(result, fmt: str) -> str:
    """A CONSTRUCT/DESCRIBE answer as Turtle, N-Triples or JSON-LD (deterministic serialisations)."""
    from thbkg.graph.rdf.build import serialize_graph

    if result.graph is None:
        raise UsageError(f"--format {fmt} is for CONSTRUCT and DESCRIBE queries; "
                         f"a {result.form} gives rows: use {', '.join(RESULT_FORMATS)}")
    text = serialize_graph(result.graph, fmt).decode("utf-8")
    return escape_serialized_controls(text, "json" if fmt == "jsonld" else "turtle")


def format_result(result, fmt: str | None = None) -> str:
    """Write *result* (a QueryResult) in *fmt*; default: table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE.

    Raises
    ------
    UsageError
        For an unknown format, or an RDF format asked of a SELECT or ASK answer.
    """
    fmt = fmt or ("turtle" if result.graph is not None else "table")
    if fmt in GRAPH_FORMATS:
        return _format_graph(result, fmt)
    if fmt == "json":
        return format_json(result)
    if fmt == "table" and result.form == "ASK":
        return ("yes" if result.boolean else "no") + "\n"
    writers = {"table": format_table, "csv": format_csv, "tsv": format_tsv, "md": format_markdown}
    if fmt not in writers:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return writers[fmt](*result.table())


def _params_text(query) -> str:
    """``name=default`` of each parameter, ``name=…`` when it is required."""
    return " ".join(f"{p.name}={p.default if p.default is not None else '…'}" for p in query.params)


def _query_list_json(items) -> str:
    return json.dumps([{"name": q.name, "title": q.title, "question": q.question,
                        "params": [{"name": p.name, "type": p.type, "default": p.default,
                                    "description": p.description} for p in q.params],
                        "examples": list(q.examples)} for q in items], indent=2, ensure_ascii=False) + "\n"


def format_query_list(items, fmt: str = "table") -> str:
    """The named queries as a listing: ``table`` (one line each), ``md``, ``csv`` or ``json``.

    >>> from thbkg.graph.store.catalogue import list_named_queries
    >>> print(format_query_list(list_named_queries(), "csv").splitlines()[0])
    name,title,question,params
    """
    items = list(items)
    if fmt == "json":
        return _query_list_json(items)
    if fmt == "csv":
        return csv_text(["name", "title", "question", "params"],
                        [[q.name, q.title, q.question, _params_text(q)] for q in items])
    if fmt == "md":
        return markdown_table(["name", "title", "parameters"],
                              [[md_code(q.name), md_cell(q.title), md_cell(_params_text(q))] for q in items],
                              escaped=True)
    width = max((len(q.name) for q in items), default=0)
    return "".join(terminal_safe(f"{q.name.ljust(width)}  {q.title}"
                                 + (f"  [{_params_text(q)}]" if q.params else "")) + "\n" for q in items)
