r"""The one SPARQL tokenizer and the one binder: values go into a query as RDF terms, never as text.

Every piece of thbkg that reads SPARQL text reads it through :func:`tokens`, a small tokenizer that
knows comments, strings (short and long), IRIs, variables, words and brackets, so that none of them
can hide a keyword or fake one: :func:`first_keyword` (the query form), :func:`query_variables`,
:func:`where_group_start`, :func:`service_targets` (the SERVICE scan of ``thbkg query`` and of the
``thbkg serve`` guard), and the misspelt-keyword hints of :mod:`thbkg.graph.store.query`.

:func:`bind` is the one way a value enters a query, for ``thbkg query --param`` and for
:class:`~thbkg.graph.store.source.GraphSource` bindings alike. It writes the values as a
``VALUES (?a ?b) { (term term) }`` block at the start of the query's top-level WHERE group, on the
line of its ``{`` (so line numbers stay those of the user's text). Each value is an RDF term written
by :func:`term_to_sparql`, which escapes literals and refuses what it cannot write safely:

* an IRI with a space or one of ``<>"{}|^`\`` (it could close the ``<…>`` and write syntax);
* a literal containing ``\u`` or ``\U``: SPARQL expands codepoint escapes before it parses, even
  inside strings, so such a value would not stay the value given;
* a blank node or anything else that is not an IRI or a literal (a ``VALUES`` block holds neither).

>>> bind('SELECT ?x WHERE { ?x ?p ?v }', {"v": 'x"} ; DROP ALL #'})
'SELECT ?x WHERE { VALUES (?v) { ("x\\"} ; DROP ALL #") } ?x ?p ?v }'
>>> first_keyword("PREFIX s: <http://x/select#> # SELECT\nask { ?a s:b ?c }")
'ASK'
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from thbkg.graph.errors import UsageError

#: the four query forms
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
#: characters an IRIREF may not contain (SPARQL 1.1 grammar, production 139)
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
#: a variable name without its ``?``
VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LANG_RE = re.compile(r"[a-zA-Z]+(-[a-zA-Z0-9]+)*\Z")
#: a codepoint escape, which SPARQL expands before parsing (even inside strings)
CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# Tokens: comments and whitespace are dropped; strings and IRIs are single tokens, so nothing in
# them is read as a keyword, a variable or a brace. A word may be a prefixed name (``thb:party``).
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


def tokens(text: str):
    """The tokens of SPARQL *text* as ``(kind, text, offset)``; comments and whitespace left out.

    Kinds: ``string``, ``iri``, ``var``, ``word`` (keywords, prefixed names), ``punct`` (one of
    ``{}()``) and ``other`` (any other character).

    >>> [(k, v) for k, v, _ in tokens('ASK { ?s <http://x/p#SELECT> "}" } # }')]
    [('word', 'ASK'), ('punct', '{'), ('var', '?s'), ('iri', '<http://x/p#SELECT>'), ('string', '"}"'), ('punct', '}')]
    """
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        yield kind, match.group(), match.start()


def first_keyword(text: str) -> str:
    """The first keyword after the prologue (PREFIX/BASE), upper-case; ``''`` if there is none."""
    for kind, value, _ in tokens(text):
        if kind == "word":
            upper = value.upper()
            if upper in ("PREFIX", "BASE") or ":" in value:
                continue  # the prologue, and prefix names in it
            return upper
    return ""


def query_variables(text: str) -> set[str]:
    """Names of the variables used in *text* (``?x`` and ``$x``).

    >>> sorted(query_variables('SELECT ?a WHERE { ?a <p> $b . FILTER(?c = "?d") }'))
    ['a', 'b', 'c']
    """
    return {value[1:] for kind, value, _ in tokens(text) if kind == "var"}


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
    expanded = CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    found = _service_targets(text)
    return found + [t for t in _service_targets(expanded) if t not in found] if expanded != text else found


def _service_targets(text: str) -> list[str]:
    found_tokens = list(tokens(text))
    found = []
    for i, (kind, value, start) in enumerate(found_tokens):
        if kind != "word" or value.upper() != "SERVICE":
            continue
        if i and found_tokens[i - 1][1] == "@" and found_tokens[i - 1][2] + 1 == start:
            continue  # a language tag, "…"@service
        rest = [v for _, v, _ in found_tokens[i + 1:i + 3]]
        if rest and rest[0].upper() == "SILENT":
            rest = rest[1:]
        found.append(rest[0] if rest else "")
    return found


class _GroupFinder:
    """Reads tokens until the ``{`` that opens the top-level WHERE group (see :func:`where_group_start`)."""

    def __init__(self):
        self.depth = self.parens = 0
        self.form = None
        self.in_template = False  # between CONSTRUCT and the end of its template
        self.short_construct = False

    def at_top(self) -> bool:
        return self.depth == 0 and self.parens == 0

    def word(self, value: str) -> None:
        upper = value.upper()
        if self.form is None and self.at_top() and upper in FORMS:
            self.form = upper
            self.in_template = upper == "CONSTRUCT"
        elif self.in_template and self.depth == 0 and upper == "WHERE":
            self.short_construct = True  # CONSTRUCT WHERE { … }: the group is the template
            self.in_template = False

    def punct(self, value: str, end: int) -> int | None:
        """The offset just after the WHERE group's ``{`` when *value* is that brace, else None."""
        if value in "()":
            self.parens += 1 if value == "(" else -1
        elif value == "{":
            if self.at_top() and self.form is not None and not self.in_template:
                return end
            self.depth += 1
        else:
            self.depth -= 1
            if self.depth == 0 and self.in_template:
                self.in_template = False  # the template is closed; the WHERE group follows
        return None


def where_group_start(text: str) -> int:
    """Offset just after the ``{`` that opens the top-level WHERE group of *text*.

    Braces in comments, strings, IRIs, a CONSTRUCT template, subqueries and expressions such as
    ``(EXISTS { … } AS ?x)`` are not that group.

    Raises
    ------
    UsageError
        If the query has no WHERE group (``DESCRIBE <iri>``, an update), or is the short form
        ``CONSTRUCT WHERE { … }``, whose group may hold triples only.

    >>> where_group_start('CONSTRUCT { ?a ?p "{" } WHERE { ?a ?p ?o }')
    31
    """
    finder = _GroupFinder()
    for kind, value, start in tokens(text):
        if kind == "word":
            finder.word(value)
        elif kind == "punct":
            offset = finder.punct(value, start + 1)
            if offset is not None:
                if finder.short_construct:
                    raise UsageError("cannot bind parameters in the short form CONSTRUCT WHERE { … } "
                                     "(it may hold triples only); write CONSTRUCT { … } WHERE { … }")
                return offset
    raise UsageError("cannot bind parameters: the query has no WHERE { … } group")


def as_term(value):
    """An RDF term for a binding value: IRIs and literals stay, any other value becomes a literal.

    >>> as_term("Albania").n3(), as_term(2013).n3()
    ('"Albania"', '"2013"^^<http://www.w3.org/2001/XMLSchema#integer>')
    """
    return value if isinstance(value, Identifier) else Literal(value)


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
        if IRI_FORBIDDEN.search(str(term)):
            raise UsageError(f"{str(term)!r} cannot be used as an IRI (it has a space or one of "
                             "<>\"{}|^`\\)")
        return f"<{term}>"
    if isinstance(term, Literal):
        lexical = str(term)
        if re.search(r"\\[uU]", lexical):
            # SPARQL expands \uXXXX before parsing, even inside strings, so the value would change
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


def bind(text: str, bindings: dict | None) -> str:
    """*text* with *bindings* as a ``VALUES`` block at the start of its top-level WHERE group.

    Parameters
    ----------
    text : str
        A SPARQL query.
    bindings : dict
        Variable name (``?`` or ``$`` in front allowed) -> value: an rdflib IRI or literal, or a
        plain value, which becomes a literal (:func:`as_term`). None leaves the variable free.

    Raises
    ------
    UsageError
        For a name that is not a variable name, a value :func:`term_to_sparql` refuses, or a
        query without a WHERE group (:func:`where_group_start`).

    >>> bind("SELECT ?n WHERE { ?a rdfs:label ?n }", {"?a": URIRef("http://x.org/a"), "n": None})
    'SELECT ?n WHERE { VALUES (?a) { (<http://x.org/a>) } ?a rdfs:label ?n }'
    """
    terms = {str(name).lstrip("?$"): value for name, value in (bindings or {}).items() if value is not None}
    if not terms:
        return text
    names = sorted(terms)
    for name in names:
        if not VAR_NAME.match(name):
            raise UsageError(f"{name!r} is not a SPARQL variable name")
    values = " ".join(term_to_sparql(as_term(terms[name])) for name in names)
    offset = where_group_start(text)
    block = f" VALUES ({' '.join('?' + name for name in names)}) {{ ({values}) }}"
    return text[:offset] + block + text[offset:]
