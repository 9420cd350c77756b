"""Turn the checked tables (:class:`~thbkg.graph.rdf.tables.Dataset`) into RDF, as docs/design.md says.

The mapping rules (the ``_add_*`` functions) write each triple through an *emitter*, whose terms are
IRI texts and literal texts (plain ``str``): :class:`_GraphEmitter` adds rdflib terms to a Graph
(:func:`dataset_to_graph`), :class:`~thbkg.graph.rdf.ntriples.NTriplesWriter` writes the N-Triples line
with a string template, making no rdflib term at all (:func:`dataset_lines`, which loads every store).
Both come from the one set of rules below, and the Graph is the writer's test oracle.

No blank nodes are produced and every serialisation is made deterministic, so the same tables
always give byte-identical output.

>>> out = NTriplesWriter()
>>> _add_date(out, _id("link", "x"), thb.startDate, "2013") == xsd.gYear
True
>>> print(out.lines[0].decode(), end="")
<https://w3id.org/thbkg/id/link/x> <https://w3id.org/thbkg/ontology#startDate> "2013"^^<http://www.w3.org/2001/XMLSchema#gYear> .
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from decimal import Decimal
from typing import Protocol

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from thbkg.graph.rdf.dates import period_of
from thbkg.graph.rdf.namespaces import (
    DCT,
    EU_COUNTRY,
    FOAF,
    GEO,
    ORG,
    PREFIXES,
    PROV,
    SCHEMA,
    THB,
    THBID,
    TIME,
    WD,
    bind_prefixes,
)
from thbkg.graph.rdf.ntriples import NTriplesWriter, in_subject_order, unique_sorted
from thbkg.graph.rdf.tables import Dataset, agent_types, instrument_actor_types, load_dataset, split_multi

FORMATS = ("turtle", "nt", "jsonld", "trig")
#: ISO alpha-3 codes without an EU Publications Office country authority IRI
NO_EU_COUNTRY_AUTHORITY = {"XKX"}


class _Terms:
    """The IRI texts of one rdflib namespace's terms: ``_Terms(RDFS).label`` is ``rdfs:label``'s IRI.

    Each term is read from the namespace once, on first use (a closed namespace still refuses an
    unknown name): an rdflib namespace makes a new URIRef at every attribute read, which costs more
    than writing the triple's N-Triples line.

    >>> _Terms(RDFS).label
    'http://www.w3.org/2000/01/rdf-schema#label'
    """

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):  # not a term: e.g. doctest and copy probe __wrapped__, __deepcopy__
            raise AttributeError(name)
        text = str(getattr(self._namespace, name))
        setattr(self, name, text)  # later reads find it in the instance dict, without this call
        return text


#: the terms the mapping writes, as IRI texts, each named by its prefix (``owltime``: ``time:``)
rdf, rdfs, xsd, skos, dct, foaf, geo, org, prov, schema, thb, owltime = (
    _Terms(ns) for ns in (RDF, RDFS, XSD, SKOS, DCT, FOAF, GEO, ORG, PROV, SCHEMA, THB, TIME))
_THBID, _WD, _EU_COUNTRY = str(THBID), str(WD), str(EU_COUNTRY)


class Emitter(Protocol):
    """What the mapping writes triples to. Subjects, predicates, IRI objects and datatypes are IRI
    texts; implemented by :class:`_GraphEmitter` and :class:`~thbkg.graph.rdf.ntriples.NTriplesWriter`."""

    def ref(self, subject: str, predicate: str, obj: str) -> None:
        """Add a triple whose object is an IRI."""

    def text(self, subject: str, predicate: str, value: str, lang: str = "") -> None:
        """Add a triple whose object is a plain literal, or a language-tagged one when *lang* is given."""

    def typed(self, subject: str, predicate: str, value: str, datatype: str) -> None:
        """Add a triple whose object is a literal of *datatype*."""


class _GraphEmitter:
    """An emitter that adds the triples to an rdflib Graph (or anything with ``add(triple)``) as rdflib
    terms; each IRI text becomes one URIRef, made once."""

    def __init__(self, graph):
        self._add = graph.add
        self._iris: dict[str, URIRef] = {}

    def _iri(self, text: str) -> URIRef:
        node = self._iris.get(text)
        if node is None:
            node = self._iris[text] = URIRef(text)
        return node

    def ref(self, subject: str, predicate: str, obj: str) -> None:
        self._add((self._iri(subject), self._iri(predicate), self._iri(obj)))

    def text(self, subject: str, predicate: str, value: str, lang: str = "") -> None:
        self._add((self._iri(subject), self._iri(predicate), Literal(value, lang=lang or None)))

    def typed(self, subject: str, predicate: str, value: str, datatype: str) -> None:
        self._add((self._iri(subject), self._iri(predicate), Literal(value, datatype=self._iri(datatype))))


def _id(kind: str, *parts: str) -> str:
    """The text of :func:`iri`, which the mapping writes.

    >>> _id("region-member", "sahel", "ml")
    'https://w3id.org/thbkg/id/region-member/sahel/ml'
    """
    return _THBID + "/".join((kind, *parts))


def iri(kind: str, *parts: str) -> URIRef:
    """A data IRI, e.g. ``iri("actor", "al")`` -> ``thbid:actor/al``.

    >>> str(iri("region-member", "sahel", "ml"))
    'https://w3id.org/thbkg/id/region-member/sahel/ml'
    """
    return URIRef(_id(kind, *parts))


def date_datatype(text: str) -> str:
    """The datatype IRI of a table date: ``YYYY`` -> xsd:gYear, ``YYYY-MM`` -> xsd:gYearMonth, else xsd:date.

    >>> date_datatype("2021-07").rsplit("#", 1)[1]
    'gYearMonth'
    """
    return xsd.gYear if len(text) == 4 else xsd.gYearMonth if len(text) == 7 else xsd.date


def date_literal(text: str) -> Literal:
    """``YYYY`` -> xsd:gYear, ``YYYY-MM`` -> xsd:gYearMonth, ``YYYY-MM-DD`` -> xsd:date.

    >>> date_literal("2021-07").n3()
    '"2021-07"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'
    """
    return Literal(text, datatype=URIRef(date_datatype(text)))


def _add_date(out: Emitter, subject: str, predicate: str, text: str) -> str | None:
    """Add *text* as a date literal of the right precision; return its datatype (None if *text* is empty)."""
    if not text:
        return None
    datatype = date_datatype(text)
    out.typed(subject, predicate, text, datatype)
    return datatype


_INSTANT_PROPERTY = {xsd.gYear: owltime.inXSDgYear, xsd.gYearMonth: owltime.inXSDgYearMonth,
                     xsd.date: owltime.inXSDDate}


def _add_common(out: Emitter, subject: str, rec, *, confidence="confidence"):
    for source in split_multi(rec.get("sources", "")):
        out.ref(subject, prov.wasDerivedFrom, _id("source", source))
    if rec.get(confidence):
        out.ref(subject, thb.confidence, _id("confidence", rec[confidence]))
    if rec.get("note"):
        out.text(subject, rdfs.comment, rec["note"])


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits of *text*, runs of anything else as one ``-``.

    >>> slug("Bundesamt für Migration und Flüchtlinge (BAMF), EMN Germany")
    'bundesamt-fur-migration-und-fluchtlinge-bamf-emn-germany'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def actor_names(label: str) -> set:
    """The names an actor goes by: its label, the label without a closing bracketed part, and the
    bracketed part (often the abbreviation).

    >>> sorted(actor_names("International Organization for Migration (IOM)"))
    ['IOM', 'International Organization for Migration', 'International Organization for Migration (IOM)']
    """
    names = {label}
    match = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", label)
    if match:
        names.update(match.groups())
    return names


def publisher_iris(ds: Dataset, vocab) -> dict:
    """Publisher text of sources.csv -> its agent IRI (dct:publisher has range dct:Agent).

    A text that names exactly one organisation of actors.csv (:func:`actor_names`, compared without
    case) is that actor; any other text is ``thbid:publisher/{slug}``. Texts whose slugs clash (or are
    empty) get a short hash of the text appended, so two publishers never share an IRI.

    >>> from thbkg.graph.rdf.tables import load_dataset
    >>> from thbkg.graph.rdf.vocab import load_vocabulary
    >>> found = publisher_iris(load_dataset(), load_vocabulary())
    >>> str(found["Europol"])
    'https://w3id.org/thbkg/id/actor/europol'
    """
    return {text: URIRef(found) for text, found in _publisher_ids(ds, vocab).items()}


def _publisher_ids(ds: Dataset, vocab) -> dict:
    """:func:`publisher_iris` as IRI texts, which the mapping writes."""
    agents = agent_types(vocab)
    named: dict = {}
    for rec in ds.actors:
        if rec["type"] in agents:
            for name in actor_names(rec["label"]):
                named.setdefault(name.casefold(), set()).add(rec["id"])
    texts = sorted({rec["publisher"] for rec in ds.sources if rec["publisher"]})
    slugs: dict = {}
    for text in texts:
        slugs.setdefault(slug(text), []).append(text)
    found = {}
    for text in texts:
        actors = named.get(text.casefold(), set())
        if len(actors) == 1:
            found[text] = _id("actor", next(iter(actors)))
            continue
        key = slug(text)
        if not key or len(slugs[key]) > 1:
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
            key = f"{key}-{digest}" if key else digest
        found[text] = _id("publisher", key)
    return found


def _add_publisher(out: Emitter, publisher: str, text: str):
    """A publisher that is not an actor: an agent named by the cell's text."""
    if publisher.startswith(_id("publisher", "")):
        out.ref(publisher, rdf.type, foaf.Agent)
        out.text(publisher, rdfs.label, text)


def _add_sources(out: Emitter, ds, vocab):
    publishers = _publisher_ids(ds, vocab)
    for rec in ds.sources:
        s = _id("source", rec["id"])
        out.ref(s, rdf.type, prov.Entity)
        out.text(s, dct.identifier, rec["id"])
        out.text(s, dct.title, rec["title"])
        if rec["publisher"]:
            out.ref(s, dct.publisher, publishers[rec["publisher"]])
            _add_publisher(out, publishers[rec["publisher"]], rec["publisher"])
        if rec["url"]:
            out.ref(s, schema.url, rec["url"])
        _add_date(out, s, dct.issued, rec["issued"])
        _add_date(out, s, thb.accessed, rec["accessed"])
        if rec.get("kind"):
            out.ref(s, thb.sourceKind, _id("source-kind", rec["kind"]))
        if rec["note"]:
            out.text(s, rdfs.comment, rec["note"])


def _add_instruments(out: Emitter, ds):
    for rec in ds.instruments:
        s = _id("instrument", rec["id"])
        out.ref(s, rdf.type, thb.Instrument)
        out.ref(s, rdf.type, prov.Entity)
        out.text(s, rdfs.label, rec["label"], "en")
        out.ref(s, thb.instrumentType, _id("instrument-type", rec["type"]))
        if rec["identifier"]:
            out.text(s, dct.identifier, rec["identifier"])
        _add_date(out, s, dct.issued, rec["date"])
        if rec["url"]:
            out.ref(s, schema.url, rec["url"])
        _add_common(out, s, rec)


def _add_actors(out: Emitter, ds, vocab):
    """The records of actors.csv: actors (agents) and treaties (instruments, see the ontology)."""
    agents = agent_types(vocab)
    classes = {code: [str(cls) for cls in found] for code, found in vocab.actor_classes.items()}
    for rec in ds.actors:
        a = _id("actor", rec["id"])
        actor_type = _id("actor-type", rec["type"])
        for cls in classes[rec["type"]]:
            out.ref(a, rdf.type, cls)
        out.text(a, rdfs.label, rec["label"], "en")
        out.text(a, skos.prefLabel, rec["label"], "en")
        for alias in split_multi(rec.get("aliases", "")):
            out.text(a, skos.altLabel, alias, "en")
        out.ref(a, thb.actorType, actor_type)
        if rec["type"] in agents:  # org:classification has domain org:Organization: not for treaties
            out.ref(a, org.classification, actor_type)
        out.text(a, dct.identifier, rec["id"])
        _add_codes(out, a, rec)
        _add_seat(out, a, rec)
        if rec["parent"]:
            out.ref(a, org.subOrganizationOf, _id("actor", rec["parent"]))
        _add_common(out, a, rec)


def _add_codes(out: Emitter, actor: str, rec):
    """ISO codes and outside identifiers (schema:sameAs: no OWL consequences, see the ontology)."""
    if rec["iso2"]:
        out.text(actor, thb.iso2, rec["iso2"])
    if rec["iso3"]:
        out.text(actor, thb.iso3, rec["iso3"])
        if rec["type"] == "country" and rec["iso3"] not in NO_EU_COUNTRY_AUTHORITY:
            out.ref(actor, schema.sameAs, _EU_COUNTRY + rec["iso3"])
    if rec["wikidata"]:
        out.ref(actor, schema.sameAs, _WD + rec["wikidata"])
    if rec["eu_authority"]:
        out.ref(actor, schema.sameAs, rec["eu_authority"])


def _add_seat(out: Emitter, actor: str, rec):
    """The seat as an org:Site with a WKT point (organisations only: the tables refuse a treaty's)."""
    if not (rec["seat"] or rec["lat"]):
        return
    site = _id("actor", rec["id"], "seat")
    out.ref(actor, org.hasPrimarySite, site)
    out.ref(site, rdf.type, org.Site)
    out.ref(site, rdf.type, geo.Feature)
    if rec["seat"]:
        out.text(site, rdfs.label, rec["seat"], "en")
    if rec["lat"]:
        geometry = _id("actor", rec["id"], "seat", "geometry")
        out.ref(site, geo.hasGeometry, geometry)
        out.ref(geometry, rdf.type, geo.Geometry)
        out.typed(geometry, geo.asWKT, f"POINT({rec['lon']} {rec['lat']})", geo.wktLiteral)


def _add_regions(out: Emitter, ds):
    for rec in ds.regions:
        r = _id("region", rec["id"])
        out.ref(r, rdf.type, thb.Region)
        out.ref(r, rdf.type, skos.Concept)
        out.ref(r, skos.inScheme, thb.RegionScheme)
        out.text(r, skos.prefLabel, rec["label"], "en")
        out.text(r, rdfs.label, rec["label"], "en")
        out.text(r, dct.identifier, rec["id"])
        if rec["definition"]:
            out.text(r, skos.definition, rec["definition"], "en")
        _add_common(out, r, rec)
    for rec in ds.region_members:
        m = _id("region-member", rec["region"], rec["actor"])
        region, actor = _id("region", rec["region"]), _id("actor", rec["actor"])
        out.ref(m, rdf.type, thb.RegionInclusion)
        out.ref(m, thb.region, region)
        out.ref(m, thb.includes, actor)
        out.ref(actor, thb.inRegion, region)
        _add_common(out, m, rec)


def _instrument_iris(ds, vocab) -> dict:
    """Instrument id -> IRI text: an instruments.csv row, or a treaty record of actors.csv."""
    treaties = instrument_actor_types(vocab)
    found = {rec["id"]: _id("actor", rec["id"]) for rec in ds.actors if rec["type"] in treaties}
    found.update((rec["id"], _id("instrument", rec["id"])) for rec in ds.instruments)
    return found


def _add_links(out: Emitter, ds, vocab):
    labels = {rec["id"]: rec["label"] for rec in ds.actors}
    agents = agent_types(vocab)
    organisations = {rec["id"] for rec in ds.actors if rec["type"] in agents}
    instruments = _instrument_iris(ds, vocab)
    for rec in ds.links:
        link = _id("link", rec["id"])
        subject, obj = _id("actor", rec["subject"]), _id("actor", rec["object"])
        # org:Membership only with an organisation: org:organization has range org:Organization
        membership = vocab.link_family[rec["type"]] == "membership" and rec["object"] in organisations
        out.ref(link, rdf.type, thb.CooperationLink)
        if membership:
            out.ref(link, rdf.type, org.Membership)
        label = f"{labels[rec['subject']]} – {labels[rec['object']]}: {rec['type'].replace('_', ' ')}"
        out.text(link, rdfs.label, label, "en")
        out.text(link, dct.identifier, rec["id"])
        out.ref(link, thb.linkType, _id("link-type", rec["type"]))
        out.ref(link, thb.subject, subject)
        out.ref(link, thb.object, obj)
        out.ref(link, thb.party, subject)
        out.ref(link, thb.party, obj)
        if membership:
            out.ref(link, org.member, subject)
            out.ref(link, org.organization, obj)
        if rec["role"]:
            out.text(link, thb.role, rec["role"])
        if rec["status"]:
            out.ref(link, thb.status, _id("status", rec["status"]))
        if rec["instrument"]:
            out.ref(link, thb.instrument, instruments[rec["instrument"]])
        if rec["date_confidence"]:
            out.ref(link, thb.dateConfidence, _id("confidence", rec["date_confidence"]))
        _add_period(out, link, rec, membership)
        _add_link_extras(out, link, rec)
        _add_common(out, link, rec)


def _add_link_extras(out: Emitter, link: str, rec):
    """The optional columns: covers (liaison posts), round (evaluations), amount and currency (funding)."""
    for covered in split_multi(rec.get("covers") or ""):
        out.ref(link, thb.covers, _id("actor", covered))
    if rec.get("round"):
        out.typed(link, thb.evaluationRound, rec["round"], xsd.positiveInteger)
    if rec.get("amount"):
        # schema.org's model of a grant: the link is a schema:MonetaryGrant whose schema:amount is a
        # schema:MonetaryAmount with its value and ISO 4217 currency
        amount = f"{link}/amount"
        out.ref(link, rdf.type, schema.MonetaryGrant)
        out.ref(link, schema.funder, _id("actor", rec["subject"]))
        out.ref(link, schema.fundedItem, _id("actor", rec["object"]))
        out.ref(link, schema.amount, amount)
        out.ref(amount, rdf.type, schema.MonetaryAmount)
        out.typed(amount, schema.value, canonical_decimal(rec["amount"]), xsd.decimal)
        out.text(amount, schema.currency, rec["currency"])


def canonical_decimal(text: str) -> str:
    """The canonical xsd:decimal form of a checked amount, so every store prints it the same way.

    >>> canonical_decimal("3451763.70"), canonical_decimal("15000000"), canonical_decimal("0.50")
    ('3451763.7', '15000000', '0.5')
    """
    number = Decimal(text)
    return format(number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize(), "f")


def _add_period(out: Emitter, link: str, rec, membership):
    start = _add_date(out, link, thb.startDate, rec["start"])
    end = _add_date(out, link, thb.endDate, rec["end"])
    if start is None and end is None:
        return
    interval = f"{link}/interval"
    out.ref(link, thb.period, interval)
    if membership:
        out.ref(link, org.memberDuring, interval)
    out.ref(interval, rdf.type, owltime.Interval)
    for datatype, text, edge, day_property, which, bound in (
            (start, rec["start"], owltime.hasBeginning, thb.startDay, "start", 0),
            (end, rec["end"], owltime.hasEnd, thb.endDay, "end", 1)):
        if datatype is None:
            continue
        bounds = period_of(text)
        assert bounds is not None  # the tables were checked: every date parses
        out.typed(link, day_property, bounds[bound].isoformat(), xsd.date)
        instant = f"{link}/{which}"
        out.ref(interval, edge, instant)
        out.ref(instant, rdf.type, owltime.Instant)
        out.typed(instant, _INSTANT_PROPERTY[datatype], text, datatype)


def dataset_to_graph(ds: Dataset, *, vocab=None, graph: Graph | None = None) -> Graph:
    """Add the RDF of *ds* to *graph* (a new rdflib Memory graph by default) and return it."""
    from thbkg.graph.rdf.vocab import load_vocabulary

    vocab = vocab or load_vocabulary()
    graph = bind_prefixes(Graph(bind_namespaces="none") if graph is None else graph)
    _add_dataset(_GraphEmitter(graph), ds, vocab)
    return graph


def _add_dataset(out: Emitter, ds: Dataset, vocab) -> None:
    """Add every table's triples to *out*."""
    _add_sources(out, ds, vocab)
    _add_instruments(out, ds)
    _add_actors(out, ds, vocab)
    _add_regions(out, ds)
    _add_links(out, ds, vocab)


def dataset_lines(ds: Dataset, *, vocab=None) -> list:
    """The RDF of *ds* as N-Triples lines, written as text straight from the tables (no rdflib term).

    Returns
    -------
    list of bytes
        Each triple once, as its UTF-8 line (ending in a newline) exactly as rdflib's N-Triples
        serializer writes it, in plain sorted order: a store's answer order (e.g. of ``GROUP_CONCAT``)
        follows its load order, which must not depend on anything but the tables.

    Examples
    --------
    >>> from thbkg.graph.rdf.tables import load_dataset
    >>> lines = dataset_lines(load_dataset())
    >>> lines == sorted(set(lines)) and lines[0].startswith(b"<https://w3id.org/thbkg/id/")
    True
    """
    from thbkg.graph.rdf.vocab import load_vocabulary

    out = NTriplesWriter()
    _add_dataset(out, ds, vocab or load_vocabulary())
    return unique_sorted(out.lines)


def dataset_ntriples(ds: Dataset, *, vocab=None) -> str:
    """The RDF of *ds* as sorted N-Triples (:func:`ntriples_line_key` order), written straight from the tables.

    The same text as ``sorted_ntriples(dataset_to_graph(ds))``, without building an rdflib Graph.

    >>> from thbkg.graph.rdf.tables import load_dataset
    >>> ds = load_dataset()
    >>> dataset_ntriples(ds) == sorted_ntriples(dataset_to_graph(ds))
    True
    """
    return b"".join(in_subject_order(dataset_lines(ds, vocab=vocab))).decode("utf-8")


def dataset_ntriples_bytes(ds: Dataset, *, vocab=None) -> bytes:
    """The RDF of *ds* as N-Triples bytes for loading a store: :func:`dataset_lines` joined.

    Plain string order, unlike :func:`dataset_ntriples`, which needs no sort key per line.

    >>> from thbkg.graph.rdf.tables import load_dataset
    >>> dataset_ntriples_bytes(load_dataset()).count(b"\\n") > 10_000
    True
    """
    return b"".join(dataset_lines(ds, vocab=vocab))


def build_graph(data_dirs=(), *, with_ontology=False, store=None, include_bundled=None,
                dataset=None) -> Graph:
    """Read and check the tables, then build the RDF graph.

    Parameters
    ----------
    data_dirs : iterable of str or Path
        Extra data folders merged with the bundled tables.
    with_ontology : bool
        Also add the ontology (classes, properties, concept schemes) to the graph.
    store : str or rdflib Store, optional
        rdflib store of the returned graph (default rdflib's Memory store).
    include_bundled : bool, optional
        Read the bundled tables (default yes, unless ``THBKG_NO_BUNDLED=1``).
    dataset : Dataset, optional
        Already loaded tables (then *data_dirs* and *include_bundled* are ignored).

    Raises
    ------
    DataError
        With every problem found in the tables.
    """
    from thbkg.graph.rdf.vocab import ontology_graph

    ds = dataset if dataset is not None else load_dataset(data_dirs, include_bundled=include_bundled)
    graph = Graph(store=store, bind_namespaces="none") if store is not None else None
    graph = dataset_to_graph(ds, graph=graph)
    if with_ontology:
        for triple in ontology_graph():
            graph.add(triple)
    return graph


def ntriples_line_key(line: str):
    """Sort key of an N-Triples line: the subject IRI's text, so a record comes before its sub-nodes
    (``…/interval``, ``…/seat``), then the rest of the line."""
    subject, _, rest = line.partition(" ")
    return subject.rstrip(">"), rest


def sorted_ntriples(graph: Graph) -> str:
    """The graph as N-Triples, one triple per line, sorted by subject then the rest of the line."""
    return _sorted_lines(graph.serialize(format="nt", encoding="utf-8").decode("utf-8"))


def _sorted_lines(text: str) -> str:
    return "".join(line + "\n" for line in sorted((ln for ln in text.split("\n") if ln.strip()),
                                                  key=ntriples_line_key))


def _oxigraph_serialize(ntriples: str | bytes, fmt: str) -> bytes:
    """Turtle or TriG written by Oxigraph from sorted N-Triples (10x faster than rdflib's writer)."""
    import pyoxigraph

    source = ntriples.encode("utf-8") if isinstance(ntriples, str) else ntriples
    # streamed from the parser to the writer: no list of Python triples
    quads = pyoxigraph.parse(source, format=pyoxigraph.RdfFormat.N_TRIPLES)
    prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    if fmt == "turtle":
        data = pyoxigraph.serialize((quad.triple for quad in quads), format=pyoxigraph.RdfFormat.TURTLE,
                                    prefixes=prefixes)
    else:
        data = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.TRIG, prefixes=prefixes)
    return stable_prefix_lines((data or b"").decode("utf-8")).encode("utf-8")


def stable_prefix_lines(turtle: str) -> str:
    """Oxigraph's Turtle (or its first part) with the ``@prefix`` lines it starts with in sorted order (the
    writer's order is not fixed), then one blank line.

    >>> print(stable_prefix_lines("@prefix b: <http://b/> .\\n@prefix a: <http://a/> .\\n<x> a <y> ."))
    @prefix a: <http://a/> .
    @prefix b: <http://b/> .
    <BLANKLINE>
    <x> a <y> .
    """
    lines = turtle.split("\n")
    count = 0
    while count < len(lines) and lines[count].startswith("@prefix "):
        count += 1
    return "\n".join(sorted(lines[:count])) + "\n\n" + "\n".join(lines[count:]).lstrip("\n")


def serialize_ntriples(ntriples: str, fmt: str = "turtle") -> bytes:
    """Sorted N-Triples text as Turtle or TriG, written by Oxigraph with thbkg's prefixes."""
    return _oxigraph_serialize(ntriples, fmt)


def serialize_lines(lines: list, fmt: str = "turtle") -> bytes:
    r"""N-Triples lines in plain sorted order, each once (:func:`dataset_lines`), written as *fmt*.

    The same bytes as :func:`serialize_graph` of the graph of these triples, without an rdflib Graph.

    Parameters
    ----------
    lines : list of bytes
        UTF-8 N-Triples lines, as :func:`dataset_lines` returns them.
    fmt : {"turtle", "nt", "trig"}
        N-Triples are put in :func:`ntriples_line_key` order; Turtle and TriG are written by Oxigraph
        from them. JSON-LD is rdflib's (:func:`serialize_graph`): Oxigraph's JSON-LD is another document.

    Examples
    --------
    >>> label = b" <http://www.w3.org/2000/01/rdf-schema#label> "
    >>> lines = [b"<https://w3id.org/thbkg/id/actor/a-b>" + label + b'"B" .\n',
    ...          b"<https://w3id.org/thbkg/id/actor/a>" + label + b'"A" .\n']
    >>> print(serialize_lines(lines, "nt").decode(), end="")
    <https://w3id.org/thbkg/id/actor/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .
    <https://w3id.org/thbkg/id/actor/a-b> <http://www.w3.org/2000/01/rdf-schema#label> "B" .
    >>> print(serialize_lines(lines, "turtle").decode().split("\n\n", 1)[1], end="")
    thba:a rdfs:label "A" .
    thba:a-b rdfs:label "B" .
    """
    if fmt not in FORMATS or fmt == "jsonld":
        raise ValueError(f"cannot write {fmt!r} from N-Triples lines; use turtle, nt or trig")
    ntriples = b"".join(in_subject_order(lines))
    return ntriples if fmt == "nt" else _oxigraph_serialize(ntriples, fmt)


def ontology_lines() -> list:
    """The ontology's N-Triples lines (UTF-8 bytes), as rdflib writes them, in :func:`ntriples_line_key` order.

    >>> lines = ontology_lines()
    >>> len(lines) > 100 and all(line.endswith(b" .\\n") for line in lines)
    True
    """
    from thbkg.graph.rdf.vocab import ontology_graph

    return serialize_graph(ontology_graph(), "nt").splitlines(keepends=True)


def serialize_graph(graph: Graph, fmt: str = "turtle") -> bytes:
    """Serialise *graph* deterministically (same triples -> same bytes).

    Parameters
    ----------
    fmt : {"turtle", "nt", "jsonld", "trig"}
        N-Triples are sorted; Turtle and TriG are written by Oxigraph from the sorted N-Triples;
        JSON-LD is written by rdflib with a fixed context, nodes sorted by ``@id``.

    >>> from rdflib import Graph, Literal
    >>> g = Graph(); _ = g.add((THBID["actor/b"], RDFS.label, Literal("B")))
    >>> _ = g.add((THBID["actor/a"], RDFS.label, Literal("A")))
    >>> print(serialize_graph(g, "nt").decode().strip())
    <https://w3id.org/thbkg/id/actor/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .
    <https://w3id.org/thbkg/id/actor/b> <http://www.w3.org/2000/01/rdf-schema#label> "B" .
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "jsonld":
        return _jsonld(graph)
    ntriples = sorted_ntriples(graph)
    if fmt == "nt":
        return ntriples.encode("utf-8")
    return _oxigraph_serialize(ntriples, fmt)


def _jsonld(graph: Graph) -> bytes:
    context = {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}
    ordered = bind_prefixes(Graph(bind_namespaces="none"))
    for triple in sorted(graph):  # the same insertion order whatever store the graph came from
        ordered.add(triple)
    text = ordered.serialize(format="json-ld", context=context, auto_compact=False, encoding="utf-8")
    doc = json.loads(text)
    nodes = doc.get("@graph", [] if "@id" not in doc else [{k: v for k, v in doc.items() if k != "@context"}])
    for node in nodes:
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(value, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    nodes.sort(key=lambda n: n.get("@id", ""))
    return (json.dumps({"@context": context, "@graph": nodes}, indent=2, sort_keys=True, ensure_ascii=False)
            + "\n").encode("utf-8")
