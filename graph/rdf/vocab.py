"""The controlled vocabularies of the tables, read from the ontology (schema as data).

The codes that the CSV tables may use (actor types, link types, status, confidence, instrument
types, source kinds) are not written in Python: they are the ``skos:notation`` of the SKOS concepts in
``ontology/thbkg.ttl``. Adding a code to the ontology makes it valid in the tables, and every
module that needs to know what a code means (its family, its rank, whether it is a framework or in
force, its label) asks :func:`load_vocabulary` instead of keeping a list of its own.

The environment variable ``THBKG_ONTOLOGY=path`` replaces the bundled ontology for the whole process
(tables, build, validation, analytics, outputs), e.g. to try a new link type on a copy.

>>> vocab = load_vocabulary()
>>> vocab.link_family["membership"]
'membership'
>>> vocab.confidence_order[0]
'high'
>>> sorted(vocab.in_force_statuses)
['active']
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, SH, SKOS

from thbkg.graph.errors import ThbkgError
from thbkg.graph.rdf.namespaces import THB, THBID

#: instrument types listed in docs/design.md, used when the ontology has no instrument-type concepts
DEFAULT_INSTRUMENT_TYPES = ("strategy", "directive", "regulation", "proposal", "decision", "study",
                            "declaration", "report", "convention")
#: the environment variable naming another ontology file for the whole process
ONTOLOGY_ENV = "THBKG_ONTOLOGY"
#: classes whose actor types are "framework-like" (joined by members rather than acting on their own):
#: an actor type is a framework type when its class is one of these or a subclass of one. thb:Treaty is
#: named as well, so that a treaty still counts if the ontology stops making it a thb:Framework.
FRAMEWORK_CLASSES = (THB.Framework, THB.Treaty)
#: the link family (thb:family) whose links are events: activity in a period, not standing ties
EVENT_FAMILY = "event"
#: the link family of funding (funds, implements, operates_in): who pays for and runs programmes, shown in
#: the report's Funding section rather than as coverage by agreements and frameworks
FUNDING_FAMILY = "funding"


@dataclass(frozen=True)
class Vocabulary:
    """The codes of the controlled vocabularies and what they mean.

    Attributes
    ----------
    actor_class : dict
        Actor-type code -> its RDF class (``thb:rdfClass``), e.g. ``country`` -> ``thb:Country``.
    actor_classes : dict
        Actor-type code -> the class and all its named superclasses in the ontology (sorted), so
        the build can materialise them and queries need no inference.
    link_family : dict
        Link-type code -> family (``agreement``, ``liaison``, ``membership``, ``joint_action``,
        ``institutional``).
    statuses : tuple of str
        Status codes.
    confidence_rank : dict
        Confidence code -> ``thb:rank`` as given in the ontology.
    confidence_order : tuple of str
        Confidence codes from the strongest (``high``) to the weakest (``low``).
    instrument_types : tuple of str
        Instrument-type codes.
    labels : dict
        Concept IRI -> English preferred label.
    framework_types : tuple of str
        Actor-type codes whose class is ``thb:Framework`` or ``thb:Treaty`` or a subclass of one
        (see :data:`FRAMEWORK_CLASSES`), sorted.
    in_force_statuses : frozenset of str
        Status codes whose concept says ``thb:inForce true``: a link with such a status is a tie
        in force. Every other status (under negotiation, suspended, ended…) is not.
    actor_type_labels, link_type_labels, status_labels, confidence_labels, source_kind_labels : dict
        Code -> English preferred label (the code itself when the concept has none).
    source_kind_rank : dict
        Source-kind code (``thb:SourceKindScheme``, sources.csv column ``kind``) -> ``thb:rank``, the
        evidence grade (a larger number is stronger evidence).
    documentary_kinds : frozenset of str
        Source-kind codes whose concept says ``thb:documentary true``: a document that was read. A
        link has a documentary source when one of its sources is of such a kind.
    """

    actor_class: dict
    actor_classes: dict
    link_family: dict
    statuses: tuple
    confidence_rank: dict
    confidence_order: tuple
    instrument_types: tuple
    labels: dict
    framework_types: tuple = ()
    in_force_statuses: frozenset = frozenset()
    actor_type_labels: dict = field(default_factory=dict)
    link_type_labels: dict = field(default_factory=dict)
    status_labels: dict = field(default_factory=dict)
    confidence_labels: dict = field(default_factory=dict)
    source_kind_rank: dict = field(default_factory=dict)
    documentary_kinds: frozenset = frozenset()
    source_kind_labels: dict = field(default_factory=dict)

    @property
    def source_kinds(self) -> tuple:
        """Source-kind codes from the strongest evidence grade to the weakest.

        >>> kinds = load_vocabulary().source_kinds
        >>> kinds[0], kinds[-1]
        ('official_text', 'memory')
        """
        return tuple(sorted(self.source_kind_rank, key=lambda k: (-(self.source_kind_rank[k] or 0), k)))

    def is_documentary(self, kind) -> bool:
        """Whether a source of this kind is a document that was read (None or unknown: no).

        >>> vocab = load_vocabulary()
        >>> vocab.is_documentary("official_page"), vocab.is_documentary("memory"), vocab.is_documentary(None)
        (True, False, False)
        """
        return kind in self.documentary_kinds

    @property
    def actor_types(self) -> tuple:
        """Actor-type codes, sorted."""
        return tuple(sorted(self.actor_class))

    @property
    def link_types(self) -> tuple:
        """Link-type codes, sorted."""
        return tuple(sorted(self.link_family))

    @property
    def families(self) -> tuple:
        """Link-family codes, sorted.

        >>> "liaison" in load_vocabulary().families
        True
        """
        return tuple(sorted(set(self.link_family.values())))

    @property
    def confidence_levels(self) -> tuple:
        """Confidence codes, sorted."""
        return tuple(sorted(self.confidence_rank))

    def rank(self, confidence) -> int:
        """The rank of a confidence code (a larger number is surer); 0 for none or an unknown code.

        >>> vocab = load_vocabulary()
        >>> vocab.rank("high") > vocab.rank("low") > vocab.rank(None) == 0
        True
        """
        return self.confidence_rank.get(confidence or "") or 0

    def top_rank(self) -> int:
        """The largest confidence rank (that of the surest level)."""
        return max((rank or 0 for rank in self.confidence_rank.values()), default=0) or 1

    def counts_in_force(self, status) -> bool:
        """Whether a link with this status is a tie in force: its status is in force, or unstated.

        A link without a status is taken at its word (its dates decide), as the tables allow.

        >>> vocab = load_vocabulary()
        >>> vocab.counts_in_force("active"), vocab.counts_in_force(None), vocab.counts_in_force("ended")
        (True, True, False)
        """
        return not status or status in self.in_force_statuses

    @property
    def instrument_actor_types(self) -> frozenset:
        """Actor-type codes whose records are instruments (treaties), not agents: their class is
        ``thb:Instrument`` or a subclass of it, so they have no seat, coordinates or parent."""
        return frozenset(code for code, classes in self.actor_classes.items() if THB.Instrument in classes)

    def is_framework_type(self, actor_type) -> bool:
        """Whether *actor_type* is a framework type (see :attr:`framework_types`)."""
        return actor_type in self.framework_types

    def family_of(self, link_type):
        """The family of a link-type code (None for none or an unknown code)."""
        return self.link_family.get(link_type or "")

    def is_event(self, link_type) -> bool:
        """Whether links of this type are events (family :data:`EVENT_FAMILY`): activity in a period.

        >>> load_vocabulary().is_event("joint_action"), load_vocabulary().is_event("membership")
        (True, False)
        """
        return self.family_of(link_type) == EVENT_FAMILY


def ontology_file():
    """The ontology file: ``$THBKG_ONTOLOGY`` when set, else the bundled ``thbkg.ontology/thbkg.ttl``.

    Returns
    -------
    pathlib.Path or importlib.resources.abc.Traversable
    """
    override = os.environ.get(ONTOLOGY_ENV, "").strip()
    if override:
        return Path(override).expanduser().absolute()
    return resources.files("thbkg.ontology") / "thbkg.ttl"


def shapes_file():
    """The bundled SHACL shapes file (``thbkg.ontology/shapes.ttl``)."""
    return resources.files("thbkg.ontology") / "shapes.ttl"


#: the vocabularies whose concepts a SHACL ``sh:in`` list may enumerate (``thbid:{kind}/{code}``)
SHAPE_LIST_KINDS = ("actor-type", "link-type", "status", "confidence", "instrument-type", "source-kind")


def shapes_graph() -> Graph:
    """The SHACL shapes, each ``sh:in`` list of vocabulary concepts completed from the ontology.

    ``shapes.ttl`` enumerates the allowed concepts (validation then needs no ontology graph and no
    inference). A concept added to the ontology (or to the file of ``THBKG_ONTOLOGY``) is appended to
    the list that enumerates its vocabulary, and to the list in the shape's message, so the ontology
    stays the one home of the codes. A new graph each call: the caller may change it.
    """
    shapes = Graph()
    try:
        shapes.parse(str(shapes_file()), format="turtle")
    except FileNotFoundError:
        raise ThbkgError(f"the SHACL shapes file {shapes_file()} is missing (reinstall thbkg)") from None
    ontology = ontology_graph()
    concepts = {kind: sorted(_concepts(ontology, kind).items()) for kind in SHAPE_LIST_KINDS}
    for shape, head in sorted(shapes.subject_objects(SH["in"])):
        listed = list(Collection(shapes, head))
        kind = _list_kind(listed)
        missing = [(c, code) for c, code in concepts.get(kind, ()) if c not in set(listed)]
        if missing:
            collection = Collection(shapes, head)
            for concept, _ in missing:
                collection.append(concept)
            _extend_messages(shapes, shape, [_local_name(c) for c in listed], [code for _, code in missing])
    return shapes


def _list_kind(items: list):
    """The vocabulary kind all *items* are concepts of (``link-type``…), or None."""
    for kind in SHAPE_LIST_KINDS:
        prefix = str(THBID[f"{kind}/"])
        if items and all(isinstance(i, URIRef) and str(i).startswith(prefix) for i in items):
            return kind
    return None


def _enumeration(codes: list, last: str) -> str:
    return ", ".join(codes) if not last else f"{', '.join(codes[:-1])} {last} {codes[-1]}"


def _extend_messages(shapes: Graph, shape, old: list, added: list) -> None:
    """Append *added* codes where the ``sh:message`` of *shape* lists the *old* ones."""
    for message in list(shapes.objects(shape, SH.message)):
        if not isinstance(message, Literal):
            continue
        text = str(message)
        for last in ("or", ""):
            listed = _enumeration(old, last)
            if len(old) > 1 and listed in text:
                text = text.replace(listed, _enumeration(old + added, last))
                break
        if text != str(message):
            shapes.remove((shape, SH.message, message))
            shapes.add((shape, SH.message, Literal(text, lang=message.language)))


def _missing_fix() -> str:
    if os.environ.get(ONTOLOGY_ENV, "").strip():
        return f"check {ONTOLOGY_ENV}, or unset it to use the bundled ontology"
    return "reinstall thbkg"


@functools.lru_cache(maxsize=4)
def _parse_ontology(path: str) -> Graph:
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise ThbkgError(f"the ontology file {path} is missing ({_missing_fix()})") from exc
    except OSError as exc:
        raise ThbkgError(f"cannot read the ontology {path}: {exc.strerror or exc} ({_missing_fix()})") from exc
    except Exception as exc:  # a syntax error in the ontology
        raise ThbkgError(f"cannot read the ontology {path}: {exc}") from exc
    return graph


def ontology_graph(path=None) -> Graph:
    """The ontology as an rdflib Graph (parsed once and cached; do not modify it).

    Parameters
    ----------
    path : str or Path, optional
        Another ontology file; default the bundled ``thbkg.ttl``.
    """
    return _parse_ontology(str(path if path is not None else ontology_file()))


def _code(graph: Graph, concept: URIRef, prefix: str) -> str:
    notation = graph.value(concept, SKOS.notation)
    return str(notation) if notation is not None else str(concept)[len(prefix):]


def _concepts(graph: Graph, kind: str) -> dict:
    """Concepts whose IRI is ``thbid:{kind}/{code}`` -> code (design.md, IRI table)."""
    prefix = str(THBID[f"{kind}/"])
    found = {}
    for concept in set(graph.subjects(RDF.type, SKOS.Concept)) | set(graph.subjects(SKOS.inScheme, None)):
        if isinstance(concept, URIRef) and str(concept).startswith(prefix):
            found[concept] = _code(graph, concept, prefix)
    return found


def _local_name(term) -> str:
    text = str(term)
    for sep in ("#", "/"):
        if isinstance(term, URIRef) and sep in text:
            text = text.rsplit(sep, 1)[1]
    return text


def _superclasses(graph: Graph, cls: URIRef) -> tuple:
    seen, todo = {cls}, [cls]
    while todo:
        for parent in graph.objects(todo.pop(), RDFS.subClassOf):
            if isinstance(parent, URIRef) and parent not in seen and parent != OWL.Thing:
                seen.add(parent)
                todo.append(parent)
    return tuple(sorted(seen))


def _english_label(graph: Graph, concept: URIRef):
    labels: list[Literal] = [lit for lit in graph.objects(concept, SKOS.prefLabel) if isinstance(lit, Literal)]
    labels.sort(key=lambda lit: (lit.language not in (None, "en"), str(lit)))
    return str(labels[0]) if labels else None


def _actor_types(graph: Graph) -> tuple:
    """``(actor_class, actor_classes, labels)`` of the actor-type concepts, keyed by code."""
    actor_class, actor_classes, labels = {}, {}, {}
    for concept, code in _concepts(graph, "actor-type").items():
        cls = graph.value(concept, THB.rdfClass)
        if not isinstance(cls, URIRef):
            raise ThbkgError(f"ontology: actor type {concept} has no thb:rdfClass")
        actor_class[code] = cls
        actor_classes[code] = _superclasses(graph, cls)
        labels[code] = _english_label(graph, concept)
    return actor_class, actor_classes, labels


def _family(graph: Graph, concept: URIRef) -> str:
    family = graph.value(concept, THB.family)
    if family is None:
        raise ThbkgError(f"ontology: link type {concept} has no thb:family")
    if isinstance(family, URIRef) and graph.value(family, SKOS.notation) is not None:
        return _code(graph, family, "")
    return _local_name(family)


def _flag(graph: Graph, concept: URIRef, prop: URIRef) -> bool:
    flag = graph.value(concept, prop)
    return isinstance(flag, Literal) and flag.toPython() is True


def _rank(graph: Graph, concept: URIRef) -> int | None:
    rank = graph.value(concept, THB.rank)
    return int(str(rank)) if rank is not None else None  # a literal's text, e.g. "3"^^xsd:integer


def _labelled(graph: Graph, concepts: dict) -> dict:
    """Code -> English label of *concepts* (concept -> code)."""
    return {code: _english_label(graph, concept) for concept, code in concepts.items()}


def vocabulary_from_graph(graph: Graph) -> Vocabulary:
    """Read the controlled vocabularies from an ontology graph.

    Raises
    ------
    ThbkgError
        If a vocabulary is missing from the ontology.
    """
    actor_class, actor_classes, actor_labels = _actor_types(graph)
    link_concepts = _concepts(graph, "link-type")
    link_family = {code: _family(graph, concept) for concept, code in link_concepts.items()}
    statuses = _concepts(graph, "status")
    confidences = _concepts(graph, "confidence")
    confidence_rank = {code: _rank(graph, concept) for concept, code in confidences.items()}
    source_kinds = _concepts(graph, "source-kind")
    instrument_types = tuple(sorted(_concepts(graph, "instrument-type").values())) or DEFAULT_INSTRUMENT_TYPES
    for name, table in (("actor types", actor_class), ("link types", link_family),
                        ("status", statuses), ("confidence", confidence_rank)):
        if not table:
            raise ThbkgError(f"ontology: no {name} concepts found (expected thbid:… concepts with skos:notation)")
    # thb:rank: a larger number means more confidence, so the surest level comes first
    ranked = sorted(confidence_rank, key=lambda c: (confidence_rank[c] is None, -(confidence_rank[c] or 0), c))
    framework_types = tuple(sorted(code for code, classes in actor_classes.items()
                                   if set(classes) & set(FRAMEWORK_CLASSES)))
    labels = {concept: _english_label(graph, concept)
              for concepts in (_concepts(graph, "actor-type"), link_concepts, statuses, confidences)
              for concept in concepts}
    return Vocabulary(actor_class=actor_class, actor_classes=actor_classes, link_family=link_family,
                      statuses=tuple(sorted(statuses.values())), confidence_rank=confidence_rank,
                      confidence_order=tuple(ranked), instrument_types=instrument_types,
                      labels={k: v for k, v in labels.items() if v},
                      framework_types=framework_types,
                      in_force_statuses=frozenset(code for concept, code in statuses.items()
                                                  if _flag(graph, concept, THB.inForce)),
                      actor_type_labels=_or_code(actor_labels),
                      link_type_labels=_or_code(_labelled(graph, link_concepts)),
                      status_labels=_or_code(_labelled(graph, statuses)),
                      confidence_labels=_or_code(_labelled(graph, confidences)),
                      source_kind_rank={code: _rank(graph, concept) for concept, code in source_kinds.items()},
                      documentary_kinds=frozenset(code for concept, code in source_kinds.items()
                                                  if _flag(graph, concept, THB.documentary)),
                      source_kind_labels=_or_code(_labelled(graph, source_kinds)))


def _or_code(labels: dict) -> dict:
    """Code -> label, the code itself standing in for a missing label."""
    return {code: label or code for code, label in sorted(labels.items())}


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Vocabulary:
    return vocabulary_from_graph(ontology_graph(path))


def load_vocabulary(path=None) -> Vocabulary:
    """The vocabularies of the bundled ontology (or of *path*), cached.

    Parameters
    ----------
    path : str or Path, optional
        Another ontology file (Turtle). Default: :func:`ontology_file` (``$THBKG_ONTOLOGY`` or the
        bundled ``ontology/thbkg.ttl``).
    """
    if path is not None:
        return _load(str(Path(path)))
    return _default_vocabulary(os.environ.get(ONTOLOGY_ENV, "").strip())


@functools.lru_cache(maxsize=4)
def _default_vocabulary(override: str) -> Vocabulary:
    """The vocabulary of :func:`ontology_file`, cached per value of ``THBKG_ONTOLOGY`` (called per link)."""
    return _load(str(ontology_file()))
