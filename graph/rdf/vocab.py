"""The controlled vocabularies of the tables, read from the ontology (schema as data).

The codes that the CSV tables may use (actor types, link types, status, confidence, instrument
types) are not written in Python: they are the ``skos:notation`` of the SKOS concepts in
``ontology/thbkg.ttl``. Adding a code to the ontology makes it valid in the tables.

>>> vocab = load_vocabulary()
>>> vocab.link_family["membership"]
'membership'
>>> vocab.confidence_order[0]
'high'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import OWL, SKOS

from thbkg.graph.errors import ThbkgError
from thbkg.graph.rdf.namespaces import THB, THBID

#: instrument types listed in docs/design.md, used when the ontology has no instrument-type concepts
DEFAULT_INSTRUMENT_TYPES = ("strategy", "directive", "regulation", "proposal", "decision", "study",
                            "declaration", "report", "convention")


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
    """

    actor_class: dict
    actor_classes: dict
    link_family: dict
    statuses: tuple
    confidence_rank: dict
    confidence_order: tuple
    instrument_types: tuple
    labels: dict

    @property
    def actor_types(self) -> tuple:
        """Actor-type codes, sorted."""
        return tuple(sorted(self.actor_class))

    @property
    def link_types(self) -> tuple:
        """Link-type codes, sorted."""
        return tuple(sorted(self.link_family))


def ontology_file():
    """The bundled ontology file (``thbkg.ontology/thbkg.ttl``) as a traversable resource."""
    return resources.files("thbkg.ontology") / "thbkg.ttl"


def shapes_file():
    """The bundled SHACL shapes file (``thbkg.ontology/shapes.ttl``)."""
    return resources.files("thbkg.ontology") / "shapes.ttl"


@functools.lru_cache(maxsize=4)
def _parse_ontology(path: str) -> Graph:
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise ThbkgError(f"the ontology file {path} is missing (reinstall thbkg)") from exc
    except Exception as exc:  # a syntax error in the shipped ontology
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
    labels = [lit for lit in graph.objects(concept, SKOS.prefLabel) if isinstance(lit, Literal)]
    labels.sort(key=lambda lit: (lit.language not in (None, "en"), str(lit)))
    return str(labels[0]) if labels else None


def vocabulary_from_graph(graph: Graph) -> Vocabulary:
    """Read the controlled vocabularies from an ontology graph.

    Raises
    ------
    ThbkgError
        If a vocabulary is missing from the ontology.
    """
    labels = {}
    actor_class, actor_classes = {}, {}
    for concept, code in _concepts(graph, "actor-type").items():
        cls = graph.value(concept, THB.rdfClass)
        if not isinstance(cls, URIRef):
            raise ThbkgError(f"ontology: actor type {concept} has no thb:rdfClass")
        actor_class[code] = cls
        actor_classes[code] = _superclasses(graph, cls)
        labels[concept] = _english_label(graph, concept)
    link_family = {}
    for concept, code in _concepts(graph, "link-type").items():
        family = graph.value(concept, THB.family)
        if family is None:
            raise ThbkgError(f"ontology: link type {concept} has no thb:family")
        link_family[code] = _code(graph, family, "") if isinstance(family, URIRef) and \
            graph.value(family, SKOS.notation) is not None else _local_name(family)
        labels[concept] = _english_label(graph, concept)
    statuses = _concepts(graph, "status")
    confidence_rank = {}
    for concept, code in _concepts(graph, "confidence").items():
        rank = graph.value(concept, THB.rank)
        confidence_rank[code] = int(rank) if rank is not None else None
        labels[concept] = _english_label(graph, concept)
    for concept in statuses:
        labels[concept] = _english_label(graph, concept)
    instrument_types = tuple(sorted(_concepts(graph, "instrument-type").values())) or DEFAULT_INSTRUMENT_TYPES
    for name, table in (("actor types", actor_class), ("link types", link_family),
                        ("status", statuses), ("confidence", confidence_rank)):
        if not table:
            raise ThbkgError(f"ontology: no {name} concepts found (expected thbid:… concepts with skos:notation)")
    # design.md: high > medium > low. Order by rank, in whichever direction puts 'high' first.
    ranked = sorted(confidence_rank, key=lambda c: (confidence_rank[c] is None, confidence_rank[c] or 0, c))
    if "high" in ranked and ranked[-1] == "high":
        ranked.reverse()
    return Vocabulary(actor_class=actor_class, actor_classes=actor_classes, link_family=link_family,
                      statuses=tuple(sorted(statuses.values())), confidence_rank=confidence_rank,
                      confidence_order=tuple(ranked), instrument_types=instrument_types,
                      labels={k: v for k, v in labels.items() if v})


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Vocabulary:
    return vocabulary_from_graph(ontology_graph(path))


def load_vocabulary(path=None) -> Vocabulary:
    """The vocabularies of the bundled ontology (or of *path*), cached.

    Parameters
    ----------
    path : str or Path, optional
        Another ontology file (Turtle). Default: the bundled ``ontology/thbkg.ttl``.
    """
    return _load(str(Path(path)) if path is not None else str(ontology_file()))
