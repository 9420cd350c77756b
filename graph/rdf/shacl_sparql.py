"""SHACL as SPARQL on Oxigraph: one query per (shape, constraint component), never one per focus node.

``thbkg validate`` (engine ``sparql``, the default) reads the shapes graph once, turns every constraint
of every shape into a SPARQL SELECT that returns the focus nodes violating it (:func:`compile_checks`,
cached per shapes graph), and runs each query once on a :class:`pyoxigraph.Store` holding the data
graph (:func:`shacl_results`). pySHACL (engine ``pyshacl``) stays the reference: the tests run both on
single-defect mutations of the bundled graph and require the same (focus node, shape, severity) sets.

Covered: targets (``sh:targetClass`` with ``rdf:type/rdfs:subClassOf*`` in the data graph, as pySHACL
does without inference; ``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, implicit
class targets), property shapes with predicate, sequence, alternative, inverse and ``*``/``+``/``?``
paths, ``sh:minCount``, ``sh:maxCount``, ``sh:datatype``, ``sh:class``, ``sh:in``, ``sh:pattern`` (with
``sh:flags`` i and m, the two pySHACL reads), ``sh:nodeKind``, ``sh:equals``, ``sh:disjoint``,
``sh:lessThanOrEquals``, ``sh:languageIn``, ``sh:hasValue``, ``sh:or``, node shapes' ``sh:property``
and SPARQL constraints (``sh:sparql`` with ``sh:select``), ``sh:severity``, ``sh:deactivated`` and
``sh:message`` (``@en`` first). Any other SHACL parameter on a shape raises
:class:`UnsupportedShapeError`: a new kind of rule is never silently skipped.

Literals are seen as Oxigraph stores them, and the checks follow pySHACL's (rdflib's) view of them:

- Oxigraph stores a valid value of a type derived from ``xsd:integer`` (``xsd:positiveInteger``…)
  as an ``xsd:integer``, so ``sh:datatype xsd:positiveInteger`` accepts an ``xsd:integer`` literal in
  the type's range (the build writes only ``xsd:positiveInteger``; a value typed ``xsd:integer`` in its
  place would pass here and fail in pySHACL).
- Whether a literal is well formed follows rdflib, which pySHACL uses: ``xsd:gYear``,
  ``xsd:gYearMonth`` and other types rdflib does not parse only need the datatype IRI; ``xsd:date``,
  the numbers and ``xsd:boolean`` need a lexical form rdflib can parse.
- ``sh:lessThanOrEquals`` compares as pySHACL does: text with text, values with values; a pair
  Oxigraph cannot compare (mixed date types) is a violation, two literals of one type that it cannot
  compare (ill-formed dates) fall back to their lexical forms.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import NamedTuple

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS, SH, XSD
from rdflib.term import Node

from thbkg.graph.errors import ThbkgError

PREFIXES = ("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n")

#: SHACL terms a shape may carry besides its constraint parameters (they are not rules)
_NOT_RULES = {SH.path, SH.property, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
              SH.message, SH.severity, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
              SH.defaultValue, SH.sparql, SH.flags}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


class UnsupportedShapeError(ThbkgError):
    """A shape uses a SHACL feature the SPARQL engine does not implement (use ``--engine pyshacl``)."""


class ShaclResult(NamedTuple):
    """One violated constraint at one focus node (rdflib terms); the first four are pySHACL's tuple."""

    focus: object
    path: object
    severity: URIRef
    message: str
    shape: object
    component: URIRef


@dataclass(frozen=True)
class Check:
    """One SPARQL SELECT that returns the focus nodes (``?this``) violating one constraint of one shape.

    ``fill``: a SPARQL constraint, whose message takes the row's values (``{?var}``).
    """

    shape: object
    component: URIRef
    path: object
    severity: URIRef
    message: str
    query: str
    fill: bool = False


def shacl_results(store, shapes: Graph) -> list:
    """Validate the data graph in *store* against *shapes*: one query per constraint.

    Parameters
    ----------
    store : pyoxigraph.Store
        The data graph, in the store's default graph.
    shapes : rdflib.Graph
        The SHACL shapes (see :func:`compile_checks` for what they may use).

    Returns
    -------
    list of tuple
        ``(focus node, result path, severity, message)`` per violated constraint and focus node, as
        rdflib terms: what the pySHACL path of :func:`~thbkg.graph.rdf.validate.shacl_problems` reads
        from pySHACL's report.

    Raises
    ------
    UnsupportedShapeError
        When a shape uses a SHACL feature this engine does not implement.

    Examples
    --------
    >>> from pyoxigraph import RdfFormat, Store
    >>> shapes = Graph().parse(format="turtle", data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ...     ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    ...         sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "A person needs a name."@en ] .''')
    >>> store = Store()
    >>> store.bulk_load(b'<http://example.org/ann> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
    ...                 b'<http://example.org/Person> .', RdfFormat.N_TRIPLES)
    >>> for focus, path, severity, message in shacl_results(store, shapes):
    ...     print(focus, path, severity.fragment, message)
    http://example.org/ann http://example.org/name Violation A person needs a name.
    """
    return [result[:4] for result in run_checks(store, shapes)]


def run_checks(store, shapes: Graph) -> list:
    """Every :class:`ShaclResult` of *shapes* on the data graph in *store* (one query per :class:`Check`)."""
    found = []
    for check in compile_checks(shapes):
        found += _run_check(store, check)
    return found


def _run_check(store, check: Check) -> list:
    try:
        solutions = store.query(check.query)
    except (SyntaxError, OSError, ValueError) as exc:
        raise ThbkgError(f"SHACL shape {check.shape}: Oxigraph cannot run its {_local(check.component)} "
                         f"query ({exc}); use --engine pyshacl") from None
    found = []
    for solution in solutions:
        focus, path, message = solution["this"], check.path, check.message
        if check.fill:
            row = {v.value: solution[v] for v in solutions.variables}
            message = _fill(message, {name: _text(term) for name, term in row.items()})
            path = to_rdflib(row["path"]) if row.get("path") is not None else None
        found.append(ShaclResult(to_rdflib(focus), path, check.severity, message, check.shape, check.component))
    return found


def to_rdflib(term):
    """A pyoxigraph term as the rdflib term pySHACL reports (a plain literal has no datatype)."""
    import pyoxigraph

    if term is None or isinstance(term, pyoxigraph.NamedNode):
        return None if term is None else URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else datatype)


def _text(term) -> str | None:
    return None if term is None else term.value


def load_store(data):
    """A new in-memory :class:`pyoxigraph.Store` holding *data* (N-Triples bytes, or an rdflib Graph)."""
    import pyoxigraph

    if isinstance(data, Graph):
        data = data.serialize(format="nt", encoding="utf-8")
    store = pyoxigraph.Store()
    if data:
        store.bulk_load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def store_triples(store) -> int:
    """The number of triples in the default graph of *store*."""
    (row,) = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(row["n"].value)


def store_graph(store) -> Graph:
    """The default graph of *store* as an rdflib Graph (for pySHACL)."""
    import pyoxigraph

    data = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
    return Graph().parse(data=data, format="nt")


# --- the shapes graph -> checks ----------------------------------------------------------------------

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compile_checks(shapes: Graph) -> tuple:
    """The :class:`Check` of every active constraint of *shapes*, generated once per shapes graph.

    Raises
    ------
    UnsupportedShapeError
        For a SHACL parameter, path, datatype or SPARQL constraint this engine does not implement.
    """
    cached = _CACHE.get(shapes)
    if cached is not None and cached[0] == len(shapes):
        return cached[1]
    _reject_unsupported(shapes)
    checks = []
    for shape, parents in sorted(_focus_owners(shapes).items(), key=lambda item: str(item[0])):
        try:
            focus = _focus(shapes, shape, parents)
            checks += _shape_checks(shapes, shape, focus) if focus is not None else []
        except _BlankValue:
            raise _unsupported(shape, "a blank node as a value (in sh:in, sh:hasValue, sh:class or a target)",
                               shapes) from None
    checks += [_sparql_check(shapes, shape, constraint) for shape, constraint in sparql_constraints(shapes)]
    result = tuple(check for check in checks if check is not None)
    _CACHE[shapes] = (len(shapes), result)
    return result


def _active(shapes: Graph, node) -> bool:
    return str(shapes.value(node, SH.deactivated)).lower() != "true"


def _focus_owners(shapes: Graph) -> dict:
    """Each active shape that gets focus nodes -> the active node shapes that pass theirs (sh:property)."""
    owners: dict = {}
    for shape in _shapes(shapes):
        if _active(shapes, shape) and _target_parts(shapes, shape):
            owners.setdefault(shape, [])
            for child in shapes.objects(shape, SH.property):
                if _active(shapes, child):
                    owners.setdefault(child, []).append(shape)
    return owners


def _shapes(shapes: Graph) -> set:
    """Every node of *shapes* that is a shape (declared, targeted, nested or listed in sh:or)."""
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    found |= set(shapes.objects(None, SH.property)) | set(shapes.subjects(SH.path, None))
    for target in _TARGETS:
        found |= set(shapes.subjects(target, None))
    for head in shapes.objects(None, SH["or"]):
        found |= set(Collection(shapes, head))
    return found


def _target_parts(shapes: Graph, shape) -> list:
    """The groups binding ?this to the focus nodes a shape's own targets select."""
    parts = [f"{{ ?this rdf:type/rdfs:subClassOf* {_term(c)} }}" for c in _objects(shapes, shape, SH.targetClass)]
    if (shape, RDF.type, RDFS.Class) in shapes:
        parts.append(f"{{ ?this rdf:type/rdfs:subClassOf* {_term(shape)} }}")
    parts += [f"{{ VALUES ?this {{ {_term(n)} }} }}" for n in _objects(shapes, shape, SH.targetNode)]
    parts += [f"{{ ?this {_term(p)} ?any_object }}" for p in _objects(shapes, shape, SH.targetSubjectsOf)]
    parts += [f"{{ ?any_subject {_term(p)} ?this }}" for p in _objects(shapes, shape, SH.targetObjectsOf)]
    return parts


def _objects(shapes: Graph, node, predicate) -> list:
    """The values of *predicate* on *node*, in a stable order."""
    return sorted(shapes.objects(node, predicate), key=str)


def _predicates(shapes: Graph, node) -> list:
    """The predicates used on *node*, in a stable order."""
    return sorted({p for p in shapes.predicates(node, None) if isinstance(p, URIRef)}, key=str)


def _local(term) -> str:
    """The local name of a SHACL term (``minCount``)."""
    return str(term).rsplit("#", 1)[-1]


def target_pattern(shapes: Graph, shape) -> str | None:
    """The focus nodes of a node shape as a SPARQL group binding ?this (None: no target)."""
    parts = _target_parts(shapes, shape)
    return " UNION ".join(parts) if parts else None


def _focus(shapes: Graph, shape, parents) -> str | None:
    """A sub-select of the distinct focus nodes of *shape*: its own targets and its parents'."""
    parts = _target_parts(shapes, shape)
    for parent in parents:
        parts += [p for p in _target_parts(shapes, parent) if p not in parts]
    return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }} }}" if parts else None


class _BlankValue(UnsupportedShapeError):
    """A blank node where a query needs a constant (it would be a variable there)."""


def _term(term) -> str:
    """*term* written in a SPARQL query (a blank node there would be a variable: refused)."""
    if isinstance(term, BNode) or not isinstance(term, (URIRef, Literal)):
        raise _BlankValue(term)
    return term.n3()


def _string(text: str) -> str:
    """*text* as a SPARQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _unsupported(shape, what: str, shapes: Graph | None = None) -> UnsupportedShapeError:
    name = _name(shapes, shape) if shapes is not None else str(shape)
    return UnsupportedShapeError(f"SHACL shape {name} uses {what}, which the SPARQL validation engine does "
                                 "not implement; run 'thbkg validate --engine pyshacl', or add it to "
                                 "graph/rdf/shacl_sparql.py")


def _name(shapes: Graph, node) -> str:
    """*node* for a message: a blank node is named by where it sits (``[…] in sh:or of ex:Shape``)."""
    if not isinstance(node, BNode):
        return str(node)
    head: Node = node
    cell = next(shapes.subjects(RDF.first, node), None)
    while cell is not None:  # a list member: walk back to the list's head
        head, cell = cell, next(shapes.subjects(RDF.rest, cell), None)
    owner = next(shapes.subject_predicates(head), None)
    if owner is None:
        return "[a blank node]"
    return f"[a blank node] in sh:{_local(owner[1])} of {_name(shapes, owner[0])}"


def _reject_unsupported(shapes: Graph) -> None:
    """Raise :class:`UnsupportedShapeError` for the first SHACL term of a shape no check covers."""
    for shape in sorted(_shapes(shapes), key=str):
        for predicate in _predicates(shapes, shape):
            if str(predicate).startswith(str(SH)) and predicate not in _NOT_RULES and predicate not in _COMPONENTS:
                raise _unsupported(shape, f"sh:{_local(predicate)}", shapes)
        if shapes.value(shape, SH.path) is None:
            for parameter in _PROPERTY_ONLY:
                if (shape, parameter, None) in shapes:
                    raise _unsupported(shape, f"sh:{_local(parameter)} on a node shape", shapes)
        elif (shape, SH.property, None) in shapes:
            raise _unsupported(shape, "sh:property on a property shape", shapes)
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        if shapes.value(shape, SH.path) is not None or shapes.value(constraint, SH.select) is None:
            raise _unsupported(shape, "a SPARQL constraint on a property shape or without sh:select", shapes)


# --- paths -------------------------------------------------------------------------------------------

_PATH_MODIFIERS = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


def sparql_path(shapes: Graph, node, shape=None) -> str:
    """A SHACL path as a SPARQL property path.

    >>> g = Graph().parse(format="turtle", data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <x:s> sh:path [ sh:alternativePath ( <x:a> [ sh:inversePath <x:b> ] ) ] .''')
    >>> sparql_path(g, g.value(URIRef("x:s"), SH.path))
    '(<x:a>|^(<x:b>))'
    """
    if isinstance(node, URIRef):
        return node.n3()
    if (node, RDF.first, None) in shapes:
        return "(" + "/".join(sparql_path(shapes, step, shape) for step in Collection(shapes, node)) + ")"
    alternatives = shapes.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sparql_path(shapes, p, shape) for p in Collection(shapes, alternatives)) + ")"
    inverse = shapes.value(node, SH.inversePath)
    if inverse is not None:
        return f"^({sparql_path(shapes, inverse, shape)})"
    for predicate, modifier in _PATH_MODIFIERS.items():
        inner = shapes.value(node, predicate)
        if inner is not None:
            return f"({sparql_path(shapes, inner, shape)}){modifier}"
    raise _unsupported(shape, f"the path {node!r}", shapes)


# --- value conditions: a SPARQL expression true when a value node satisfies a constraint ------------

_INT = r"^\s*[+-]?[0-9]+(_[0-9]+)*\s*$"  # what Python's int() reads (rdflib's converter)
_DIGITS = r"[0-9](_?[0-9])*"
_DECIMAL = rf"^\s*[+-]?(({_DIGITS}(\.({_DIGITS})?)?|\.{_DIGITS})(e[+-]?{_DIGITS})?|inf(inity)?|s?nan[0-9]*)\s*$"
_FLOAT = rf"^\s*[+-]?(({_DIGITS}(\.({_DIGITS})?)?|\.{_DIGITS})(e[+-]?{_DIGITS})?|inf(inity)?|nan)\s*$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T.*|[Zz]|[+-][0-9]{2}:[0-9]{2})?$"  # rdflib drops a time or zone part
#: integer types rdflib checks the range of: (lowest, highest); Oxigraph stores their values as xsd:integer
_INTEGER_RANGES = {
    XSD.integer: (None, None), XSD.long: (None, None), XSD.positiveInteger: (1, None),
    XSD.nonNegativeInteger: (0, None), XSD.negativeInteger: (None, -1), XSD.nonPositiveInteger: (None, 0),
    XSD.int: (-2 ** 31, 2 ** 31 - 1), XSD.short: (-2 ** 15, 2 ** 15 - 1), XSD.byte: (-128, 127),
    XSD.unsignedLong: (0, None), XSD.unsignedInt: (0, 2 ** 32 - 1), XSD.unsignedShort: (0, 65535),
    XSD.unsignedByte: (0, 255),
}
#: datatypes rdflib reads as text (always well formed)
_TEXT_TYPES = {XSD.string, XSD.normalizedString, XSD.token, XSD.language, XSD.anyURI, RDF.langString}
#: datatypes rdflib parses but this engine does not check the lexical form of the same way
_UNCHECKED = {XSD.time, XSD.dateTime, XSD.duration, XSD.dayTimeDuration, XSD.yearMonthDuration, XSD.hexBinary,
              XSD.base64Binary, RDF.XMLLiteral, RDF.HTML, RDFS.Datatype}


def _datatype_condition(shapes: Graph, datatype, var: str, shape) -> str:
    """True when *var* is a literal pySHACL accepts as *datatype* (see the module notes)."""
    if datatype == RDFS.Literal:
        return f"isLiteral({var})"
    if datatype in _UNCHECKED or not isinstance(datatype, URIRef):
        raise _unsupported(shape, f"sh:datatype {datatype}", shapes)
    typed = f"isLiteral({var}) && DATATYPE({var}) = {_term(datatype)}"
    if datatype in _INTEGER_RANGES:
        return _integer_condition(datatype, var)
    if datatype == XSD.decimal:
        return f"{typed} && REGEX(STR({var}), {_string(_DECIMAL)}, \"i\")"
    if datatype in (XSD.double, XSD.float):
        return f"{typed} && REGEX(STR({var}), {_string(_FLOAT)}, \"i\")"
    if datatype == XSD.boolean:
        return f'{typed} && STR({var}) IN ("true", "false", "1", "0")'
    if datatype == XSD.date:
        day = f"xsd:date(SUBSTR(STR({var}), 1, 10))"  # Oxigraph checks the calendar (no 30 February)
        return (f"{typed} && REGEX(STR({var}), {_string(_DATE)}) && !STRSTARTS(STR({var}), \"0000\") && "
                f"COALESCE(isLiteral({day}), false)")
    return typed  # text types, and the types rdflib does not parse (xsd:gYear, geo:wktLiteral…)


def _integer_condition(datatype, var: str) -> str:
    low, high = _INTEGER_RANGES[datatype]
    value = f'xsd:integer(REPLACE(STR({var}), "[\\\\s_]", ""))'
    bounds = [f"{value} >= {low}"] * (low is not None) + [f"{value} <= {high}"] * (high is not None)
    return " && ".join([f"isLiteral({var})", f"DATATYPE({var}) IN ({_term(datatype)}, xsd:integer)",
                        f"REGEX(STR({var}), {_string(_INT)})", *bounds])


_NODE_KINDS = {SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
               SH.BlankNodeOrIRI: "!isLiteral({v})", SH.BlankNodeOrLiteral: "!isIRI({v})",
               SH.IRIOrLiteral: "!isBlank({v})"}


def _one(shapes: Graph, shape, parameter):
    values = list(shapes.objects(shape, parameter))
    if len(values) != 1:
        raise _unsupported(shape, f"{len(values)} values of sh:{_local(parameter)}", shapes)
    return values[0]


def _cond_datatype(shapes, shape, var):
    return _datatype_condition(shapes, _one(shapes, shape, SH.datatype), var, shape)


def _cond_class(shapes, shape, var):
    return " && ".join(f"EXISTS {{ {var} rdf:type/rdfs:subClassOf* {_term(c)} }}"
                       for c in _objects(shapes, shape, SH["class"]))


def _cond_node_kind(shapes, shape, var):
    kind = _one(shapes, shape, SH.nodeKind)
    if kind not in _NODE_KINDS:
        raise _unsupported(shape, f"sh:nodeKind {kind}", shapes)
    return _NODE_KINDS[kind].format(v=var)


def _cond_in(shapes, shape, var):
    members = list(Collection(shapes, _one(shapes, shape, SH["in"])))
    return "(" + " || ".join(f"sameTerm({var}, {_term(m)})" for m in members) + ")" if members else "false"


def _cond_pattern(shapes, shape, var):
    flags = "".join(f for f in str(shapes.value(shape, SH.flags) or "").lower() if f in "im")  # as pySHACL
    return " && ".join(f"!isBlank({var}) && REGEX(STR({var}), {_string(str(p))}, {_string(flags)})"
                       for p in _objects(shapes, shape, SH.pattern))


def _cond_language_in(shapes, shape, var):
    tags = {str(t).lower() for t in Collection(shapes, _one(shapes, shape, SH.languageIn))}
    tagged = f'isLiteral({var}) && LANG({var}) != ""'
    if "*" in tags:
        return tagged
    listed = ", ".join(_string(t) for t in sorted(tags)) or '""'
    first = f'LCASE(STRBEFORE(CONCAT(LANG({var}), "-"), "-"))'  # pySHACL also accepts the first subtag
    return f"{tagged} && (LCASE(LANG({var})) IN ({listed}) || {first} IN ({listed}))"


def _cond_has_value(shapes, shape, var):
    return " && ".join(f"sameTerm({var}, {_term(v)})" for v in _objects(shapes, shape, SH.hasValue))


def _cond_or(shapes, shape, var):
    lists = [list(Collection(shapes, head)) for head in shapes.objects(shape, SH["or"])]
    return " && ".join("(" + " || ".join(f"({node_condition(shapes, member, var)})" for member in members) + ")"
                       for members in lists)


_CONDITIONS = {
    SH.DatatypeConstraintComponent: (SH.datatype, _cond_datatype),
    SH.ClassConstraintComponent: (SH["class"], _cond_class),
    SH.NodeKindConstraintComponent: (SH.nodeKind, _cond_node_kind),
    SH.InConstraintComponent: (SH["in"], _cond_in),
    SH.PatternConstraintComponent: (SH.pattern, _cond_pattern),
    SH.LanguageInConstraintComponent: (SH.languageIn, _cond_language_in),
    SH.OrConstraintComponent: (SH["or"], _cond_or),
}


def node_condition(shapes: Graph, shape, var: str) -> str:
    """True when *var* conforms to *shape* seen as a node shape (the members of an ``sh:or`` list)."""
    parts = []
    for predicate in _predicates(shapes, shape):
        if predicate == SH.hasValue:
            parts.append(_cond_has_value(shapes, shape, var))
        elif predicate in _PARAMETER_CONDITIONS:
            parts.append(_PARAMETER_CONDITIONS[predicate](shapes, shape, var))
        elif predicate in _COMPONENTS or predicate in (SH.property, SH.sparql, SH.path):
            raise _unsupported(shape, f"sh:{_local(predicate)} inside sh:or", shapes)
    return " && ".join(f"({p})" for p in parts) or "true"


_PARAMETER_CONDITIONS = {parameter: build for parameter, build in _CONDITIONS.values()}


# --- one check per (shape, constraint component) -----------------------------------------------------

def _select(focus: str, body: str, tail: str = "", head: str = "DISTINCT ?this") -> str:
    return f"{PREFIXES}SELECT {head} WHERE {{ {focus} {body} }}{tail}"


def _min_count(shapes, shape, focus, path):
    n = int(_one(shapes, shape, SH.minCount))
    if n <= 0:
        return None
    if n == 1:
        return _select(focus, f"FILTER NOT EXISTS {{ ?this {path} ?value }}")
    return _select(focus, f"OPTIONAL {{ ?this {path} ?value }}", head="?this",
                   tail=f" GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})")


def _max_count(shapes, shape, focus, path):
    n = int(_one(shapes, shape, SH.maxCount))
    return _select(focus, f"?this {path} ?value .", head="?this",
                   tail=f" GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {n})")


def _has_value(shapes, shape, focus, path):
    if path is None:
        return _select(focus, f"FILTER(!({_cond_has_value(shapes, shape, '?this')}))")
    present = " && ".join(f"EXISTS {{ ?this {path} {_term(v)} }}" for v in _objects(shapes, shape, SH.hasValue))
    return _select(focus, f"FILTER(!({present}))")


def _pair_properties(shapes, shape, parameter) -> list:
    others = _objects(shapes, shape, parameter)
    for other in others:
        if not isinstance(other, URIRef):
            raise _unsupported(shape, f"sh:{_local(parameter)} with a path that is not a property", shapes)
    return [_term(o) for o in others]


def _equals(shapes, shape, focus, path):
    branches = []
    for other in _pair_properties(shapes, shape, SH.equals):
        branches += [f"{{ ?this {path} ?value FILTER NOT EXISTS {{ ?this {other} ?value }} }}",
                     f"{{ ?this {other} ?value FILTER NOT EXISTS {{ ?this {path} ?value }} }}"]
    return _select(focus, " UNION ".join(branches))


def _disjoint(shapes, shape, focus, path):
    branches = [f"{{ ?this {path} ?value . ?this {other} ?value }}"
                for other in _pair_properties(shapes, shape, SH.disjoint)]
    return _select(focus, " UNION ".join(branches))


def _textual(var: str) -> str:
    """pySHACL compares IRIs and text literals as Python strings, everything else by value."""
    return (f"(isIRI({var}) || (isLiteral({var}) && (LANG({var}) != \"\" || DATATYPE({var}) IN "
            f"({', '.join(_term(t) for t in sorted(_TEXT_TYPES - {RDF.langString}))}))))")


def _less_or_equal(v: str, w: str) -> str:
    """True when pySHACL finds *v* <= *w* (sh:lessThanOrEquals); a pair it cannot compare is False."""
    lexical = f"isLiteral({v}) && isLiteral({w}) && DATATYPE({v}) = DATATYPE({w}) && STR({v}) <= STR({w})"
    return (f"IF({_textual(v)} || {_textual(w)}, {_textual(v)} && {_textual(w)} && STR({v}) <= STR({w}), "
            f"COALESCE({v} <= {w}, {lexical}))")


def _less_than_or_equals(shapes, shape, focus, path):
    branches = [f"{{ ?this {path} ?value . ?this {other} ?other . "
                f"FILTER(!COALESCE({_less_or_equal('?value', '?other')}, false)) }}"
                for other in _pair_properties(shapes, shape, SH.lessThanOrEquals)]
    return _select(focus, " UNION ".join(branches))


def _value_check(component):
    """The check of a constraint on each value node: a value node that fails it is a violation."""
    parameter, condition = _CONDITIONS[component]

    def build(shapes, shape, focus, path):
        cond = condition(shapes, shape, "?value")
        values = f"?this {path} ?value ." if path is not None else "BIND(?this AS ?value)"
        return _select(focus, f"{values} FILTER(!COALESCE({cond}, false))")
    return parameter, build


_COMPONENTS_BUILDERS = {
    SH.MinCountConstraintComponent: (SH.minCount, _min_count),
    SH.MaxCountConstraintComponent: (SH.maxCount, _max_count),
    SH.HasValueConstraintComponent: (SH.hasValue, _has_value),
    SH.EqualsConstraintComponent: (SH.equals, _equals),
    SH.DisjointConstraintComponent: (SH.disjoint, _disjoint),
    SH.LessThanOrEqualsConstraintComponent: (SH.lessThanOrEquals, _less_than_or_equals),
    **{component: _value_check(component) for component in _CONDITIONS},
}
#: constraint parameter -> (component, query builder)
_COMPONENTS = {parameter: (component, build) for component, (parameter, build) in _COMPONENTS_BUILDERS.items()}
_PROPERTY_ONLY = (SH.minCount, SH.maxCount, SH.equals, SH.disjoint, SH.lessThanOrEquals)


def _shape_checks(shapes: Graph, shape, focus: str) -> list:
    """One :class:`Check` per constraint component *shape* uses, on the focus nodes *focus*."""
    path_node = shapes.value(shape, SH.path)
    path = sparql_path(shapes, path_node, shape) if path_node is not None else None
    severity = shapes.value(shape, SH.severity) or SH.Violation
    checks = []
    for parameter in [p for p in _predicates(shapes, shape) if p in _COMPONENTS]:
        component, build = _COMPONENTS[parameter]
        query = build(shapes, shape, focus, path)
        if query is not None:
            message = shacl_message(shapes, shape) or f"does not satisfy sh:{_local(parameter)}"
            checks.append(Check(shape, component, path_node, severity, message, query))
    return checks


# --- SPARQL constraints (sh:sparql) ------------------------------------------------------------------

def shacl_message(graph: Graph, node) -> str | None:
    """The ``sh:message`` of *node*, the English one first (None when it has none)."""
    messages = sorted(graph.objects(node, SH.message),
                      key=lambda m: (getattr(m, "language", None) not in (None, "en"), str(m)))
    return str(messages[0]) if messages else None


def _fill(message: str, row: dict) -> str:
    """Put the values of a SPARQL constraint's row into ``{?var}`` / ``{$var}`` placeholders."""
    for name, value in row.items():
        if value is not None:
            message = message.replace(f"{{?{name}}}", str(value)).replace(f"{{${name}}}", str(value))
    return message


def prefix_block(shapes: Graph, constraint) -> str:
    """The PREFIX lines a SPARQL constraint declares through ``sh:prefixes``."""
    lines = []
    for holder in sorted(shapes.objects(constraint, SH.prefixes), key=str):
        for decl in shapes.objects(holder, SH.declare):
            prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def sparql_constraints(shapes: Graph) -> list:
    """The active ``(node shape, sh:sparql constraint)`` pairs of *shapes*, in a stable order.

    Property-shape constraints (with ``$PATH``) are left out: :func:`split_sparql_constraints` leaves
    them to pySHACL, and :func:`compile_checks` refuses them.
    """
    pairs = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        if shapes.value(shape, SH.path) is not None or shapes.value(constraint, SH.select) is None:
            continue
        if _active(shapes, shape) and _active(shapes, constraint):
            pairs.append((shape, constraint))
    return pairs


def split_sparql_constraints(shapes: Graph):
    """Split *shapes* into (shapes for pySHACL, SPARQL constraints of node shapes run on Oxigraph).

    pySHACL runs a SPARQL constraint once per focus node and parses the query each time with
    rdflib (measured: 1 599 parses, > 90 % of the validation time on the bundled data). The same
    query run once on Oxigraph, joined with the shape's targets, gives the same violations.
    """
    core = Graph()
    for triple in shapes:
        core.add(triple)
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        if shapes.value(shape, SH.path) is None and shapes.value(constraint, SH.select) is not None:
            core.remove((shape, SH.sparql, constraint))
    return core, sparql_constraints(shapes)


_PRE_BOUND = re.compile(r"[$?](PATH|currentShape|shapesGraph|value)\b")


def _sparql_check(shapes: Graph, shape, constraint) -> Check | None:
    """The check of one node-shape SPARQL constraint: its SELECT joined with the shape's focus nodes."""
    targets = target_pattern(shapes, shape)
    if targets is None:
        return None
    select = str(shapes.value(constraint, SH.select))
    if _PRE_BOUND.search(select):
        raise _unsupported(shape, "a SPARQL constraint with $PATH, $value, $currentShape or $shapesGraph", shapes)
    select = select.replace("$this", "?this")
    head = select[:select.upper().find("WHERE")] if "WHERE" in select.upper() else select
    if "?this" not in head and "*" not in head:  # ?this must come out of the sub-select to join
        select = select.replace("SELECT", "SELECT ?this", 1)
    query = (prefix_block(shapes, constraint) + "\n" + PREFIXES +
             f"SELECT * WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {targets} }} }} {{ {select} }} }}")
    message = shacl_message(shapes, constraint) or shacl_message(shapes, shape) or "does not conform"
    severity = shapes.value(constraint, SH.severity) or shapes.value(shape, SH.severity) or SH.Violation
    return Check(shape, SH.SPARQLConstraintComponent, None, severity, message, query, fill=True)


def run_sparql_constraints(store, shapes: Graph, constraints) -> list:
    """The :class:`ShaclResult` list of node-shape SPARQL constraints (from :func:`split_sparql_constraints`),
    each run once on *store*."""
    found = []
    for shape, constraint in constraints:
        check = _sparql_check(shapes, shape, constraint)
        if check is not None:
            found += _run_check(store, check)
    return found
