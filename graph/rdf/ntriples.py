"""N-Triples written as text straight from strings: no rdflib term object per IRI or literal.

:mod:`thbkg.graph.rdf.build` maps the tables to triples through an *emitter*; :class:`NTriplesWriter`
is the emitter that makes each triple one N-Triples line with a string template, while
``build._GraphEmitter`` adds rdflib terms to a Graph (the test oracle, and the JSON-LD writer's input).

The lines are byte for byte those of rdflib's N-Triples serializer
(``rdflib.plugins.serializers.nt._nt_row``, rdflib 7):

* an IRI is written as it is between ``<`` and ``>``. rdflib refuses (rather than escapes) an IRI
  holding one of ``<>" {}|\\^`` and the backquote; no such IRI is made here, since ids match
  ``tables.ID_RE`` and web addresses ``tables.URL_RE``, which both exclude those characters;
* a literal's text escapes backslash, newline, double quote and carriage return, in that order
  (:func:`quote_literal`, the one N-Triples escaper of thbkg); every other character (tab, other
  control characters, non-ASCII letters, emoji, bidirectional marks) stays as it is;
* a language tag follows as ``@en``, a datatype as ``^^<IRI>``; a plain (xsd:string) literal has neither;
* the line is ``S P O .`` and a newline, encoded as UTF-8.

rdflib also rewrites the text of some typed literals to a canonical form (``"03"^^xsd:positiveInteger``
becomes ``"3"``). The mapping only writes texts that are already canonical (checked dates,
:func:`~thbkg.graph.rdf.build.canonical_decimal`, checked round numbers), so the text is written as it is;
tests/graph/rdf/test_ntriples_writer.py compares the two paths on every fixture.

>>> out = NTriplesWriter()
>>> out.text("http://x/a", "http://x/label", 'say "hi"\\n', "en")
>>> out.lines
[b'<http://x/a> <http://x/label> "say \\\\"hi\\\\"\\\\n"@en .\\n']
"""

from __future__ import annotations

from itertools import chain


def quote_literal(text: str) -> str:
    r"""*text* as an N-Triples literal in double quotes, escaped as rdflib's N-Triples serializer does.

    Parameters
    ----------
    text : str
        The literal's lexical form.

    Returns
    -------
    str
        ``"…"`` with ``\``, newline, ``"`` and carriage return escaped; nothing else is.

    Examples
    --------
    >>> print(quote_literal('a\\b "c"\r\nd\te'))
    "a\\b \"c\"\r\nd	e"
    """
    return '"' + text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r") + '"'


class NTriplesWriter:
    """An emitter that keeps each triple as its N-Triples line (UTF-8 bytes), in the order given.

    Subjects, predicates, IRI objects and datatypes are IRI texts (plain ``str``, no ``<>``). Lines
    are kept as bytes: a bytes object is smaller than its ``str``, and UTF-8 bytes sort in the
    order of their text (code point order), so sorting them sorts the text.

    Attributes
    ----------
    lines : list of bytes
        One line per triple added, duplicates included (see :func:`unique_sorted`).

    Examples
    --------
    >>> out = NTriplesWriter()
    >>> out.ref("http://x/a", "http://x/p", "http://x/b")
    >>> out.typed("http://x/a", "http://x/y", "2013", "http://www.w3.org/2001/XMLSchema#gYear")
    >>> out.text("http://x/a", "http://x/n", "note")
    >>> print(b"".join(out.lines).decode(), end="")
    <http://x/a> <http://x/p> <http://x/b> .
    <http://x/a> <http://x/y> "2013"^^<http://www.w3.org/2001/XMLSchema#gYear> .
    <http://x/a> <http://x/n> "note" .
    """

    __slots__ = ("_append", "lines")

    def __init__(self):
        self.lines: list[bytes] = []
        self._append = self.lines.append

    def ref(self, subject: str, predicate: str, obj: str) -> None:
        """Add a triple whose object is an IRI."""
        self._append(f"<{subject}> <{predicate}> <{obj}> .\n".encode())

    def text(self, subject: str, predicate: str, value: str, lang: str = "") -> None:
        """Add a triple whose object is a plain literal, or a language-tagged one when *lang* is given."""
        literal = quote_literal(value)
        self._append((f"<{subject}> <{predicate}> {literal}@{lang} .\n" if lang
                      else f"<{subject}> <{predicate}> {literal} .\n").encode())

    def typed(self, subject: str, predicate: str, value: str, datatype: str) -> None:
        """Add a triple whose object is a literal of *datatype* (an IRI text)."""
        self._append(f"<{subject}> <{predicate}> {quote_literal(value)}^^<{datatype}> .\n".encode())


def unique_sorted(lines: list) -> list:
    """*lines* sorted in plain order (in place), then each kept once, as a new list.

    Sorting first and dropping neighbours that repeat costs no set of all lines.

    >>> unique_sorted([b"b\\n", b"a\\n", b"b\\n"])
    [b'a\\n', b'b\\n']
    """
    lines.sort()
    return [line for line, previous in zip(lines, chain((None,), lines), strict=False) if line != previous]


def subject_key(line: bytes) -> bytes:
    """The subject of an N-Triples line without its closing ``>``, as a sort key.

    >>> subject_key(b"<http://x/a> <http://x/p> <http://x/b> .\\n")
    b'<http://x/a'
    """
    return line[:line.index(b">")]


def in_subject_order(lines: list) -> list:
    """Lines in plain order (:func:`unique_sorted`) reordered by subject, so a record comes before its
    sub-nodes (``…/link/x`` before ``…/link/x/interval``): the order of
    :func:`~thbkg.graph.rdf.build.ntriples_line_key`.

    Python's sort is stable and the lines of one subject share the prefix ``<S> ``, so the lines of a
    subject stay in plain order, which is the order of the rest of the line; and the list is nearly
    sorted already, which the sort finds in about one pass.

    >>> in_subject_order([b"<x/a-b> <p> <o> .\\n", b"<x/a> <p> <o> .\\n"])
    [b'<x/a> <p> <o> .\\n', b'<x/a-b> <p> <o> .\\n']
    """
    return sorted(lines, key=subject_key)
