"""``thbkg validate``: check the tables, then run the SHACL shapes on the built graph.

Each SHACL result is turned into a :class:`~thbkg.graph.errors.Problem` that points back at the
CSV row the focus node came from, with the shape's plain-language ``sh:message``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SH, SKOS

from thbkg.graph.errors import DataError, Problem, ThbkgError
from thbkg.graph.namespaces import DCT, ORG, PROV, THB, THBID
from thbkg.graph.tables import Dataset, load_dataset

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
    SKOS.definition: "definition", DCT.identifier: "id",
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
    """

    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    dataset: Dataset | None = None
    triples: int = 0
    conforms: bool | None = None

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
        return f"{n} problem{'s' if n != 1 else ''} found."


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


def shacl_problems(graph: Graph, ds: Dataset, *, shapes: Graph | None = None,
                   ontology: Graph | None = None):
    """Run pySHACL; return (conforms, violations, warnings) as Problems located in the tables."""
    import pyshacl

    from thbkg.graph.vocab import ontology_graph, shapes_file

    if shapes is None:
        shapes = Graph()
        try:
            shapes.parse(str(shapes_file()), format="turtle")
        except FileNotFoundError:
            raise ThbkgError(f"the SHACL shapes file {shapes_file()} is missing (reinstall thbkg)") from None
    ontology = ontology if ontology is not None else ontology_graph()
    conforms, results, _text = pyshacl.validate(graph, shacl_graph=shapes, ont_graph=ontology,
                                                inference="none", advanced=True, allow_warnings=True)
    index = record_index(ds)
    violations, warnings = [], []
    for result in sorted(results.subjects(SH.focusNode, None), key=str):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        severity = results.value(result, SH.resultSeverity)
        shape = results.value(result, SH.sourceShape)
        messages = [str(m) for m in results.objects(result, SH.resultMessage)]
        if shape is not None and not messages:
            messages = [str(m) for m in shapes.objects(shape, SH.message)]
        message = sorted(messages)[0] if messages else "does not conform to the SHACL shapes"
        rec = _locate(focus, index)
        column = PATH_COLUMNS.get(path) if isinstance(path, URIRef) else None
        if rec is not None:
            problem = Problem(rec.file, rec.line, column, message)
        else:
            problem = Problem(f"<{focus}>", None, None, message)
        (violations if severity in (None, SH.Violation) else warnings).append(problem)
    return bool(conforms), sorted(set(violations)), sorted(set(warnings))


def validate(data_dirs=(), *, include_bundled=None) -> ValidationReport:
    """Check the tables and, when they are readable, the SHACL shapes on the built graph.

    Parameters
    ----------
    data_dirs : iterable of str or Path
        Extra data folders.
    include_bundled : bool, optional
        Read the bundled tables (default yes, unless ``THBKG_NO_BUNDLED=1``).

    Returns
    -------
    ValidationReport
        Never raises for bad data: every problem is in ``report.problems``.
    """
    from thbkg.graph.build import dataset_to_graph

    report = ValidationReport()
    try:
        ds = load_dataset(data_dirs, include_bundled=include_bundled)
    except DataError as exc:
        report.problems = list(exc.problems)
        return report
    report.dataset = ds
    graph = dataset_to_graph(ds)
    report.triples = len(graph)
    report.conforms, report.problems, report.warnings = shacl_problems(graph, ds)
    return report
