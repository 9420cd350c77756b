"""``thbkg validate``: check the tables, then run the SHACL shapes on the built graph.

Each SHACL result is turned into a :class:`~thbkg.graph.errors.Problem` that points back at the
CSV row the focus node came from, with the shape's plain-language ``sh:message``. Two SHACL engines give
the same results: ``sparql`` (the default: one generated query per constraint on an Oxigraph store,
:mod:`~thbkg.graph.rdf.shacl_sparql`, about ten times faster at scale) and ``pyshacl`` (the reference).

The evidence check (:func:`undocumented_links`) lists the links without a documentary source: every
source they cite is general knowledge or memory (a placeholder, not a document read), or has no kind.
They are warnings; with ``strict=True`` (``thbkg validate --strict``) they are problems. The bundled
data has such links (research placeholders still to be replaced by documents), so it passes plain
``thbkg validate`` and fails ``thbkg validate --strict``, on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SH, SKOS

from thbkg.graph.errors import DataError, Problem, UsageError
from thbkg.graph.rdf.namespaces import DCT, ORG, PROV, SCHEMA, THB, THBID
from thbkg.graph.rdf.shacl_sparql import (
    load_store,
    run_sparql_constraints,
    shacl_message,
    shacl_results,
    split_sparql_constraints,
    store_graph,
    store_triples,
)
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
    #: actors, links and sources counted in the tables (from ``dataset``, or kept with a cached report)
    counts: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def table_counts(self) -> dict | None:
        """``{"actors", "links", "sources"}`` rows in the tables, or None when they could not be read."""
        ds = self.dataset
        if ds is not None:
            return {"actors": len(ds.actors), "links": len(ds.links), "sources": len(ds.sources)}
        return self.counts

    def to_cache(self) -> dict:
        """Everything of the report but the tables themselves, as JSON data (:meth:`from_cache`)."""
        return {"problems": [problem_dict(p) for p in self.problems],
                "warnings": [problem_dict(p) for p in self.warnings],
                "undocumented": [problem_dict(p) for p in self.undocumented],
                "triples": self.triples, "conforms": self.conforms, "strict": self.strict,
                "counts": self.table_counts()}

    @classmethod
    def from_cache(cls, kept: dict) -> ValidationReport:
        """The report :meth:`to_cache` wrote.

        >>> r = ValidationReport(problems=[Problem("links.csv", 3, "end", "x")], counts={"actors": 1,
        ...                      "links": 2, "sources": 3}, triples=9, conforms=False)
        >>> ValidationReport.from_cache(r.to_cache()) == r
        True
        """
        def problems(items):
            return [Problem(**item) for item in items]

        return cls(problems=problems(kept["problems"]), warnings=problems(kept["warnings"]),
                   undocumented=problems(kept["undocumented"]), triples=kept["triples"],
                   conforms=kept["conforms"], strict=kept["strict"], counts=kept["counts"])

    def summary(self) -> str:
        """One line, e.g. ``OK: 312 actors, 1204 links, 97 sources; SHACL conforms``."""
        found = self.table_counts()
        counts = f"{found['actors']} actors, {found['links']} links, {found['sources']} sources" if found else ""
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
        found = self.table_counts() or {}
        warnings = self.warnings if self.strict else self.warnings + self.undocumented
        return {
            "valid": self.ok,
            "problems": [problem_dict(p) for p in self.problems],
            "warnings": [problem_dict(p) for p in warnings],
            "summary": {"text": self.summary(), "problems": len(self.problems), "warnings": len(warnings),
                        "actors": found.get("actors"), "links": found.get("links"),
                        "sources": found.get("sources"), "triples": self.triples,
                        "shacl_conforms": self.conforms, "strict": self.strict,
                        "links_without_documentary_source": len(self.undocumented) if found else None},
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


def _order(problem):
    return (problem.file, problem.line or 0, problem.column or "", problem.message)


ENGINES = ("sparql", "pyshacl")


def shacl_problems(graph: Graph | None, ds: Dataset, *, shapes: Graph | None = None, engine: str = "sparql",
                   store=None):
    """Run the SHACL shapes on the data graph; return (conforms, violations, warnings) located in the tables.

    Parameters
    ----------
    graph : rdflib.Graph or None
        The data graph (None when *store* holds it).
    ds : Dataset
        The tables the graph was built from: each result is placed at its row.
    shapes : rdflib.Graph, optional
        The SHACL shapes (default :func:`~thbkg.graph.rdf.vocab.shapes_graph`).
    engine : {"sparql", "pyshacl"}
        ``sparql``: one generated SPARQL query per constraint on Oxigraph
        (:mod:`~thbkg.graph.rdf.shacl_sparql`). ``pyshacl``: pySHACL for the core constraints, the
        SPARQL constraints of node shapes once each on Oxigraph (:func:`split_sparql_constraints`).
        The shapes need no ontology graph and no inference (the build materialises types).
    store : pyoxigraph.Store, optional
        A store already holding the data graph in its default graph: used instead of loading *graph*.
    """
    from thbkg.graph.rdf.vocab import shapes_graph

    if engine not in ENGINES:
        raise UsageError(f"unknown SHACL engine {engine!r}: use {either(ENGINES)}")
    if graph is None and store is None:
        raise UsageError("shacl_problems needs the data graph or a store holding it")
    if shapes is None:
        shapes = shapes_graph()  # sh:in lists completed from the ontology
    if engine == "sparql":
        found = shacl_results(store if store is not None else load_store(graph), shapes)
    else:
        found = _pyshacl_results(graph if graph is not None else store_graph(store), shapes, store)
    return _placed(found, ds)


def _pyshacl_results(graph: Graph, shapes: Graph, store) -> list:
    """pySHACL's results for the core constraints, plus the node-shape SPARQL constraints on Oxigraph."""
    import pyshacl

    core, constraints = split_sparql_constraints(shapes)
    # inplace: no copy of the data graph (without inference pySHACL does not change it)
    _conforms, results, _text = pyshacl.validate(graph, shacl_graph=core, inference="none",
                                                 allow_warnings=True, inplace=True)
    found = []
    for result in results.subjects(SH.focusNode, None):
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        shape = results.value(result, SH.sourceShape)
        message = messages[0] if messages else (shacl_message(core, shape) if shape is not None else None)
        found.append((results.value(result, SH.focusNode), results.value(result, SH.resultPath),
                      results.value(result, SH.resultSeverity), message or "does not conform to the SHACL shapes"))
    if constraints:
        store = store if store is not None else load_store(graph)
        found += [result[:4] for result in run_sparql_constraints(store, shapes, constraints)]
    return found


def _placed(found, ds: Dataset):
    """(conforms, violations, warnings) of SHACL results, each placed at the table row it comes from."""
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


def validate(data_dirs=(), *, include_bundled=None, strict: bool = False, engine: str = "sparql",
             store=None) -> ValidationReport:
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
    engine : {"sparql", "pyshacl"}
        The SHACL engine (see :func:`shacl_problems`). ``sparql`` bulk-loads the tables' N-Triples
        into an Oxigraph store and builds no rdflib graph.
    store : pyoxigraph.Store or callable, optional
        A store already holding the graph built from these tables (default graph): not rebuilt; or a
        function called with the tables once read, returning ``(store, triples)`` (the store cache
        passes one, :func:`thbkg.graph.store.validation.validate_tables`).

    Returns
    -------
    ValidationReport
        Never raises for bad data: every problem is in ``report.problems``.
    """
    from thbkg.graph.progress import progress
    from thbkg.graph.rdf.build import dataset_ntriples_bytes, dataset_to_graph

    if engine not in ENGINES:
        raise UsageError(f"unknown SHACL engine {engine!r}: use {either(ENGINES)}")
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
        graph = None
        if callable(store):
            store, report.triples = store(ds)
        elif store is not None:
            report.triples = store_triples(store)
        elif engine == "sparql":
            store = load_store(dataset_ntriples_bytes(ds))
            report.triples = len(store)
        else:
            graph = dataset_to_graph(ds)
            report.triples = len(graph)
        bar.update(1, "checking the SHACL shapes")
        report.conforms, report.problems, report.warnings = shacl_problems(graph, ds, engine=engine, store=store)
        report.undocumented = undocumented_links(ds)
        if strict:
            report.problems = sorted(report.problems + report.undocumented, key=_order)
        bar.update(1)
    return report
