"""``thbkg validate``: check the tables, then run the SHACL shapes on the built graph.

Each SHACL result is turned into a :class:`~thbkg.graph.errors.Problem` that points back at the
CSV row the focus node came from, with the shape's plain-language ``sh:message``.

The evidence check (:func:`undocumented_links`) lists the links without a documentary source: every
source they cite is general knowledge or memory (a placeholder, not a document read), or has no kind.
They are warnings; with ``strict=True`` (``thbkg validate --strict``) they are problems. The bundled
data has such links (research placeholders still to be replaced by documents), so it passes plain
``thbkg validate`` and fails ``thbkg validate --strict``, on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import RDFS, SH, SKOS
from rdflib.query import ResultRow

from thbkg.graph.errors import DataError, Problem
from thbkg.graph.rdf.namespaces import DCT, ORG, PROV, SCHEMA, THB, THBID
from thbkg.graph.rdf.tables import Dataset, load_dataset

#: property of a SHACL result path -> CSV column it comes from
PATH_COLUMNS = {
    THB.startDate: "start", THB.endDate: "end", THB.startDay: "start", THB.endDay: "end",
    THB.period: "start", THB.linkType: "type", THB.subject: "subject", THB.object: "object",
    THB.party: "subject", ORG.member: "subject", ORG.organization: "object", THB.role: "role",
    THB.status: "status", THB.instrument: "instrument", PROV.wasDerivedFrom: "sources",
    THB.confidence: "confidence", THB.dateConfidence: "date_confidence", THB.iso2: "iso2",
    THB.iso3: "iso3", RDFS.label: "label", SKOS.prefLabel: "label", ORG.classification: "type",
    ORG.subOrganizationOf: "parent", ORG.hasPrimarySite: "seat", DCT.title: "title",
    DCT.issued: "issued", THB.accessed: "accessed", THB.region: "region", THB.includes: "actor",
    SKOS.definition: "definition", DCT.identifier: "id", THB.actorType: "type", THB.instrumentType: "type",
    DCT.publisher: "publisher", SCHEMA.sameAs: "wikidata",
}
_KINDS = {"actors": "actor", "links": "link", "sources": "source", "instruments": "instrument",
          "regions": "region"}


@dataclass
class ValidationReport:
    """What ``thbkg validate`` found.

    Attributes
    ----------
    problems : list of Problem
        Violations (tables and SHACL); the data is valid when empty.
    warnings : list of Problem
        SHACL results of severity Warning or Info (they do not make the data invalid).
    dataset : Dataset or None
        The tables, when they could be read.
    triples : int
        Size of the built graph (0 when the tables had problems).
    conforms : bool or None
        SHACL result (None when SHACL did not run because the tables had problems).
    undocumented : list of Problem
        One per link without a documentary source (:func:`undocumented_links`), located at its row
        of links.csv. With *strict* they are also in ``problems``; without it, they are warnings
        (``to_dict`` lists them under ``warnings``).
    strict : bool
        Whether links without a documentary source make the data invalid.
    """

    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    dataset: Dataset | None = None
    triples: int = 0
    conforms: bool | None = None
    undocumented: list = field(default_factory=list)
    strict: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line, e.g. ``OK: 312 actors, 1204 links, 97 sources; SHACL conforms``."""
        ds = self.dataset
        counts = f"{len(ds.actors)} actors, {len(ds.links)} links, {len(ds.sources)} sources" if ds else ""
        if self.ok:
            return f"OK: {counts}; SHACL conforms"
        n = len(self.problems)
        counted = len(self.undocumented) if self.strict else 0
        extra = (f" ({counted} of them link{'s' if counted != 1 else ''} without a documentary source, "
                 "a problem with --strict)") if counted else ""
        return f"{n} problem{'s' if n != 1 else ''} found{extra}."

    def to_dict(self) -> dict:
        """The report as plain data, for ``thbkg validate --format json``.

        >>> r = ValidationReport(problems=[Problem("links.csv", 3, "end", "'2019-13' is not a date")])
        >>> d = r.to_dict()
        >>> d["valid"], d["problems"], d["summary"]["problems"]
        (False, [{'file': 'links.csv', 'line': 3, 'column': 'end', 'message': "'2019-13' is not a date"}], 1)
        """
        ds = self.dataset
        warnings = self.warnings if self.strict else self.warnings + self.undocumented
        return {
            "valid": self.ok,
            "problems": [problem_dict(p) for p in self.problems],
            "warnings": [problem_dict(p) for p in warnings],
            "summary": {"text": self.summary(), "problems": len(self.problems), "warnings": len(warnings),
                        "actors": len(ds.actors) if ds else None, "links": len(ds.links) if ds else None,
                        "sources": len(ds.sources) if ds else None, "triples": self.triples,
                        "shacl_conforms": self.conforms, "strict": self.strict,
                        "links_without_documentary_source": len(self.undocumented) if ds else None},
        }

    def undocumented_warning(self) -> str | None:
        """The one-line warning of plain ``thbkg validate`` about links without a documentary source.

        >>> ValidationReport(undocumented=[Problem("links.csv", 2, "sources", "x")]).undocumented_warning()
        "1 link has no documentary source (its sources are only general knowledge or memory, or have no kind); 'thbkg validate --strict' lists it and fails on it"
        """
        if not self.undocumented:
            return None
        n = len(self.undocumented)
        return (f"{n} link{'s have' if n != 1 else ' has'} no documentary source ({'their' if n != 1 else 'its'} "
                f"sources are only {_placeholder_words()}, or have no kind); 'thbkg validate --strict' lists "
                f"{'them' if n != 1 else 'it'} and fails on {'them' if n != 1 else 'it'}")


def either(words) -> str:
    """Words joined as ``a, b or c``, for messages that name the allowed codes.

    >>> either(["official_text", "official_page", "secondary"]), either(["memory"]), either([])
    ('official_text, official_page or secondary', 'memory', '')
    """
    words = list(words)
    return " or ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def _placeholder_words() -> str:
    from thbkg.graph.rdf.vocab import load_vocabulary

    vocab = load_vocabulary()
    return either([k.replace("_", " ") for k in vocab.source_kinds if not vocab.is_documentary(k)])


def undocumented_links(ds: Dataset) -> list:
    """One :class:`Problem` per link without a documentary source, at its row of links.csv.

    A link has a documentary source when one of its sources has a kind that the ontology marks as a
    document read (``thb:documentary true``: official_text, official_page, secondary). The others
    rest only on placeholders (general knowledge, memory) or on sources without a kind; the message
    names them and the fix. Links with an empty sources cell are left to the table checks.

    Examples
    --------
    >>> from thbkg.graph.rdf.tables import Record
    >>> ds = Dataset(sources=[Record({"id": "gk", "kind": "general_knowledge"}, file="sources.csv", line=2),
    ...                       Record({"id": "oj", "kind": "official_text"}, file="sources.csv", line=3)],
    ...              links=[Record({"id": "a-b", "sources": "gk"}, file="links.csv", line=2),
    ...                     Record({"id": "a-c", "sources": "gk;oj"}, file="links.csv", line=3)])
    >>> for problem in undocumented_links(ds):
    ...     print(problem)
    links.csv:2: column 'sources': link 'a-b' rests only on general knowledge or memory (gk: general_knowledge); cite a document read (sources.csv kind official_text, official_page or secondary)
    """
    from thbkg.graph.rdf.tables import split_multi
    from thbkg.graph.rdf.vocab import load_vocabulary

    vocab = load_vocabulary()
    kinds = {rec["id"]: rec.get("kind") or None for rec in ds.sources}
    documents = either(k for k in vocab.source_kinds if vocab.is_documentary(k))
    placeholders = _placeholder_words()
    found = []
    for rec in ds.links:
        cited = split_multi(rec.get("sources") or "")
        if not cited or any(vocab.is_documentary(kinds.get(s)) for s in cited):
            continue
        ungraded = [s for s in cited if not kinds.get(s)]
        if ungraded:
            message = (f"link '{rec['id']}' has no documentary source and {', '.join(ungraded)} "
                       f"{'have' if len(ungraded) > 1 else 'has'} no kind; give every source its kind in "
                       f"sources.csv ({either(vocab.source_kinds)}), and cite a document read if none is")
        else:
            described = ", ".join(f"{s}: {kinds[s]}" for s in cited)
            message = (f"link '{rec['id']}' rests only on {placeholders} ({described}); cite a document read "
                       f"(sources.csv kind {documents})")
        found.append(Problem(rec.file, rec.line, "sources", message))
    return found


def problem_dict(problem: Problem) -> dict:
    """A :class:`Problem` as ``{file, line, column, message}`` (unknown parts None)."""
    return {"file": problem.file, "line": problem.line, "column": problem.column, "message": problem.message}


def record_index(ds: Dataset) -> dict:
    """IRI of every record built from a table row -> that row (a Record with file and line)."""
    index = {}
    for table, kind in _KINDS.items():
        for rec in ds.table(table):
            index[THBID[f"{kind}/{rec['id']}"]] = rec
    for rec in ds.region_members:
        index[THBID[f"region-member/{rec['region']}/{rec['actor']}"]] = rec
    return index


def _locate(node, index):
    """The row a focus node comes from; sub-nodes (``…/interval``, ``…/seat``) map to their record."""
    if not isinstance(node, URIRef):
        return None
    text = str(node)
    while text.startswith(str(THBID)):
        rec = index.get(URIRef(text))
        if rec is not None:
            return rec
        if "/" not in text[len(str(THBID)):]:
            return None
        text = text.rsplit("/", 1)[0]
    return None


def _message(graph, node):
    messages = sorted(graph.objects(node, SH.message), key=lambda m: (getattr(m, "language", None) not in
                                                                       (None, "en"), str(m)))
    return str(messages[0]) if messages else None


def _fill(message: str, row: dict) -> str:
    """Put the values of a SPARQL constraint's row into ``{?var}`` / ``{$var}`` placeholders."""
    for name, value in row.items():
        if value is not None:
            message = message.replace(f"{{?{name}}}", str(value)).replace(f"{{${name}}}", str(value))
    return message


def _prefix_block(shapes: Graph, constraint) -> str:
    lines = []
    for holder in sorted(shapes.objects(constraint, SH.prefixes), key=str):
        for decl in shapes.objects(holder, SH.declare):
            prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _target_pattern(shapes: Graph, shape) -> str | None:
    """The focus nodes of a node shape as a SPARQL group binding ?this (None: no target)."""
    parts = [f"{{ ?this rdf:type/rdfs:subClassOf* <{c}> }}" for c in sorted(shapes.objects(shape, SH.targetClass), key=str)]
    if (shape, RDF.type, RDFS.Class) in shapes:
        parts.append(f"{{ ?this rdf:type/rdfs:subClassOf* <{shape}> }}")
    parts += [f"{{ VALUES ?this {{ {n.n3()} }} }}" for n in sorted(shapes.objects(shape, SH.targetNode), key=str)]
    parts += [f"{{ ?this <{p}> ?any_object }}" for p in sorted(shapes.objects(shape, SH.targetSubjectsOf), key=str)]
    parts += [f"{{ ?any_subject <{p}> ?this }}" for p in sorted(shapes.objects(shape, SH.targetObjectsOf), key=str)]
    return " UNION ".join(parts) if parts else None


def split_sparql_constraints(shapes: Graph):
    """Split *shapes* into (shapes for pySHACL, SPARQL constraints of node shapes run here).

    pySHACL runs a SPARQL constraint once per focus node and parses the query each time with
    rdflib (measured: 1 599 parses, > 90 % of the validation time on the bundled data). The same
    query run once on Oxigraph, joined with the shape's targets, gives the same violations.
    """
    core = Graph()
    for triple in shapes:
        core.add(triple)
    constraints = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        if shapes.value(shape, SH.path) is not None or shapes.value(constraint, SH.select) is None:
            continue  # property-shape constraints (with $PATH) stay with pySHACL
        core.remove((shape, SH.sparql, constraint))
        if str(shapes.value(shape, SH.deactivated)) == "true" or \
                str(shapes.value(constraint, SH.deactivated)) == "true":
            continue
        constraints.append((shape, constraint))
    return core, constraints


def _run_sparql_constraints(graph: Graph, shapes: Graph, constraints):
    """Evaluate node-shape SPARQL constraints once each on an Oxigraph copy of *graph*."""
    if not constraints:
        return []
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    store = Graph(store="Oxigraph", identifier=DATASET_DEFAULT_GRAPH_ID)
    store.parse(data=graph.serialize(format="nt", encoding="utf-8"), format="ox-nt", transactional=False)
    found = []
    for shape, constraint in constraints:
        targets = _target_pattern(shapes, shape)
        if targets is None:
            continue
        select = str(shapes.value(constraint, SH.select)).replace("$this", "?this")
        head = select[:select.upper().find("WHERE")] if "WHERE" in select.upper() else select
        if "?this" not in head and "*" not in head:  # $this must come out of the sub-select to join
            select = select.replace("SELECT", "SELECT ?this", 1)
        query = (_prefix_block(shapes, constraint) + "\n"
                 "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
                 "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                 f"SELECT * WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {targets} }} }} {{ {select} }} }}")
        message = _message(shapes, constraint) or _message(shapes, shape) or "does not conform"
        severity = shapes.value(constraint, SH.severity) or shapes.value(shape, SH.severity) or SH.Violation
        for row in store.query(query):
            values = cast(ResultRow, row).asdict()  # a SELECT answers rows
            found.append((values.get("this"), values.get("path"), severity, _fill(message, values)))
    return found


def _order(problem):
    return (problem.file, problem.line or 0, problem.column or "", problem.message)


def shacl_problems(graph: Graph, ds: Dataset, *, shapes: Graph | None = None):
    """Run the SHACL shapes on *graph*; return (conforms, violations, warnings) located in the tables.

    Core constraints run in pySHACL; SPARQL constraints of node shapes run once each on
    Oxigraph (see :func:`split_sparql_constraints`). The shapes need no ontology graph and no
    inference (the build materialises types), so none is used.
    """
    import pyshacl

    from thbkg.graph.rdf.vocab import shapes_graph

    if shapes is None:
        shapes = shapes_graph()  # sh:in lists completed from the ontology
    core, constraints = split_sparql_constraints(shapes)
    # inplace: no copy of the data graph (without inference pySHACL does not change it)
    _conforms, results, _text = pyshacl.validate(graph, shacl_graph=core, inference="none",
                                                 allow_warnings=True, inplace=True)
    found = []
    for result in results.subjects(SH.focusNode, None):
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        shape = results.value(result, SH.sourceShape)
        message = messages[0] if messages else (_message(core, shape) if shape is not None else None)
        found.append((results.value(result, SH.focusNode), results.value(result, SH.resultPath),
                      results.value(result, SH.resultSeverity), message or "does not conform to the SHACL shapes"))
    found += _run_sparql_constraints(graph, shapes, constraints)
    index = record_index(ds)
    violations: set[Problem] = set()
    warnings: set[Problem] = set()
    for focus, path, severity, message in found:
        rec = _locate(focus, index)
        column = PATH_COLUMNS.get(path) if isinstance(path, URIRef) else None
        problem = (Problem(rec.file, rec.line, column, message) if rec is not None
                   else Problem(f"<{focus}>", None, None, message))
        (violations if severity in (None, SH.Violation) else warnings).add(problem)
    return not violations, sorted(violations, key=_order), sorted(warnings, key=_order)


def validate(data_dirs=(), *, include_bundled=None, strict: bool = False) -> ValidationReport:
    """Check the tables and, when they are readable, the SHACL shapes on the built graph.

    Links without a documentary source (:func:`undocumented_links`) are in ``report.undocumented``;
    with *strict* they are problems too, so the data is invalid.

    Parameters
    ----------
    data_dirs : iterable of str or Path
        Extra data folders.
    include_bundled : bool, optional
        Read the bundled tables (default yes, unless ``THBKG_NO_BUNDLED=1``).
    strict : bool
        Make links without a documentary source problems (``thbkg validate --strict``).

    Returns
    -------
    ValidationReport
        Never raises for bad data: every problem is in ``report.problems``.
    """
    from thbkg.graph.progress import progress
    from thbkg.graph.rdf.build import dataset_to_graph

    report = ValidationReport(strict=strict)
    with progress(3, "validate") as bar:
        bar.set_item("checking the tables")
        try:
            ds = load_dataset(data_dirs, include_bundled=include_bundled)
        except DataError as exc:
            report.problems = list(exc.problems)
            return report
        report.dataset = ds
        bar.update(1, "building the graph")
        graph = dataset_to_graph(ds)
        report.triples = len(graph)
        bar.update(1, "checking the SHACL shapes")
        report.conforms, report.problems, report.warnings = shacl_problems(graph, ds)
        report.undocumented = undocumented_links(ds)
        if strict:
            report.problems = sorted(report.problems + report.undocumented, key=_order)
        bar.update(1)
    return report
