"""Linked data for the site: each entity's own triples as Turtle and JSON-LD, read once from the store.

:func:`instance_ntriples` takes the data triples out of the store in one pass (a dump of the
embedded or persistent Oxigraph store, or one ``CONSTRUCT`` on an endpoint); :func:`entity_documents`
splits them by entity (the triples whose subject is the entity's IRI or one of its sub-nodes, such as
``…/link/x/interval``), and Oxigraph writes each group as Turtle and as JSON-LD. The JSON-LD is
compacted with the prefixes the group uses (:data:`thbkg.graph.rdf.namespaces.PREFIXES`), so that an
entity page can embed it and a JSON-LD processor reads back exactly the Turtle's triples.

>>> nt = ('<https://w3id.org/thbkg/id/actor/x> <http://www.w3.org/2000/01/rdf-schema#label> "X" .\\n'
...       '<https://w3id.org/thbkg/id/source/s> <http://purl.org/dc/terms/title> "S" .\\n')
>>> [(kind, rid) for kind, rid, _, _ in entity_documents(sorted_lines(nt.encode()))]
[('actor', 'x'), ('source', 's')]
>>> next(entity_documents(sorted_lines(nt.encode())))[3]["@graph"][0]["rdfs:label"]
[{'@value': 'X'}]
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from thbkg.graph.outputs.site.paths import ENTITY_KINDS, ID_BASE
from thbkg.graph.outputs.text import escape_serialized_controls
from thbkg.graph.rdf.build import ntriples_line_key
from thbkg.graph.rdf.namespaces import PREFIXES

_PREFIXES = sorted(((prefix, str(ns)) for prefix, ns in PREFIXES.items()), key=lambda p: -len(p[1]))
_ENTITY_STARTS = tuple(f"<{ID_BASE}{kind}/" for kind in ENTITY_KINDS)


def instance_ntriples(source) -> bytes:
    """The data triples of *source* as N-Triples in Oxigraph's form, in one pass: every triple of the graph
    but the ontology's, whether the store holds the ontology (embedded, ``--store DIR``) or not.

    From tables, the triples are those the build wrote (kept by the source when its
    ``keep_ntriples`` is set before the load); a persistent store or an endpoint gives its own.
    """
    import pyoxigraph

    built = source.built_ntriples() if hasattr(source, "built_ntriples") else None
    store = source.oxigraph_store() if built is None and hasattr(source, "oxigraph_store") else None
    if built is not None:  # what the build wrote, before the store put literals in its own form
        dump = _oxigraph_form(built)
    elif store is not None:
        dump = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph()) or b""
    else:
        dump = _oxigraph_form(source.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
                              .serialize(format="nt", encoding="utf-8"))
    ontology = set(_oxigraph_form(_ontology_ntriples()).split(b"\n"))
    return b"\n".join(line for line in dump.split(b"\n") if line not in ontology) + b"\n"


def _oxigraph_form(ntriples: bytes) -> bytes:
    """N-Triples rewritten by Oxigraph, so that the same triple is the same line whoever wrote it."""
    import pyoxigraph

    quads = pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return pyoxigraph.serialize((quad.triple for quad in quads), format=pyoxigraph.RdfFormat.N_TRIPLES) or b""


def _ontology_ntriples() -> bytes:
    from thbkg.graph.rdf.build import serialize_graph
    from thbkg.graph.rdf.vocab import ontology_graph

    return serialize_graph(ontology_graph(), "nt")


def _entity_of(line: str) -> tuple[str, str] | None:
    """``(kind, id)`` of the entity a triple line is about, or None for other subjects."""
    if not line.startswith(_ENTITY_STARTS):
        return None
    subject = line[1 + len(ID_BASE):line.index(">")]
    kind, _, rest = subject.partition("/")
    record_id = rest.split("/", 1)[0]
    return (kind, record_id) if record_id else None


def sorted_lines(ntriples: bytes) -> list[str]:
    """The triple lines of *ntriples* in thbkg's N-Triples order (:func:`~thbkg.graph.rdf.build.ntriples_line_key`)."""
    lines = [line for line in ntriples.decode("utf-8").split("\n") if line.strip()]
    lines.sort(key=ntriples_line_key)
    return lines


def entity_groups(lines: list[str]) -> list[tuple[str, str, str]]:
    """``(kind, id, lines)`` for each entity of the sorted triple *lines*, entities in sorted order."""
    groups: dict[tuple[str, str], list[str]] = {}
    for line in lines:
        key = _entity_of(line)
        if key is not None:
            groups.setdefault(key, []).append(line)
    return [(key[0], key[1], "\n".join(groups.pop(key)) + "\n") for key in sorted(groups)]


def _used_prefixes(text: str) -> dict[str, str]:
    return {prefix: ns for prefix, ns in sorted(_PREFIXES) if ns in text}


def entity_documents(lines: list[str]) -> Iterator[tuple[str, str, bytes, dict]]:
    """``(kind, id, turtle, jsonld)`` for each entity of the sorted triple *lines* (see the module docstring)."""
    for kind, record_id, group in entity_groups(lines):
        yield (kind, record_id, *entity_document(group))


def entity_document(group: str) -> tuple[bytes, dict]:
    """The Turtle and the compacted JSON-LD of one entity's triple lines (:func:`entity_groups`)."""
    import pyoxigraph

    triples = [quad.triple for quad in pyoxigraph.parse(group.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)]
    turtle = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=_used_prefixes(group)) or b""
    expanded = json.loads(pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.JSON_LD) or b"[]")
    return _stable_turtle(turtle), compact_jsonld(expanded)


def _stable_turtle(turtle: bytes) -> bytes:
    """Oxigraph's Turtle with its prefix lines sorted (their order is not fixed) and controls escaped."""
    lines = turtle.decode("utf-8").split("\n")
    head = sorted(line for line in lines if line.startswith("@prefix "))
    body = "\n".join(line for line in lines if not line.startswith("@prefix ")).lstrip("\n")
    return escape_serialized_controls("\n".join(head) + "\n" + body, "turtle").encode("utf-8")


def compact_iri(iri: str, prefixes: dict[str, str]) -> str:
    """*iri* as ``prefix:rest`` with the longest matching namespace of *prefixes*, else unchanged.

    >>> compact_iri("http://www.w3.org/2000/01/rdf-schema#label", {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"})
    'rdfs:label'
    """
    for prefix, ns in sorted(prefixes.items(), key=lambda p: -len(p[1])):
        if iri.startswith(ns) and not iri[len(ns):].startswith("//"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


class _Compactor(dict):
    """:func:`compact_iri` with thbkg's prefixes, remembered per IRI (predicates and classes repeat)."""

    def __missing__(self, iri: str) -> str:
        self[iri] = compact_iri(iri, _PREFIX_MAP)
        return self[iri]


_PREFIX_MAP = {prefix: ns for prefix, ns in _PREFIXES}
_COMPACT = _Compactor()


def compact_jsonld(expanded: list) -> dict:
    """Expanded JSON-LD node objects as one document whose context holds the prefixes it uses, nodes by ``@id``."""
    compact = _COMPACT if len(_COMPACT) < 200_000 else _Compactor()  # a bounded cache
    used: set = set()

    def iri(text: str) -> str:
        short = compact[text]
        if short != text:
            used.add(short.split(":", 1)[0])
        return short

    nodes = []
    for node in expanded:
        compacted: dict = {}
        for key, values in node.items():
            if key == "@id":
                compacted[key] = iri(values)
            elif key == "@type":
                compacted[key] = [iri(v) for v in values]
            else:
                compacted[iri(key)] = [{k: iri(v) if k in ("@id", "@type") else v for k, v in item.items()}
                                       for item in values]
        nodes.append(compacted)
    nodes.sort(key=lambda n: n.get("@id", ""))
    return {"@context": {prefix: _PREFIX_MAP[prefix] for prefix in sorted(used)}, "@graph": nodes}


def jsonld_text(document: dict) -> str:
    """A JSON-LD document as stable text (sorted keys, UTF-8, control characters escaped)."""
    # no indent: json's C encoder only runs without one (10x faster on a site's worth of documents)
    return escape_serialized_controls(json.dumps(document, ensure_ascii=False, sort_keys=True) + "\n")


def page_jsonld(name: str, kind: str = "WebPage", **extra) -> dict:
    """The schema.org description embedded in a page that is not an entity's (home, lists, queries…)."""
    return {"@context": {"schema": str(PREFIXES["schema"])}, "@type": f"schema:{kind}", "schema:name": name,
            **{f"schema:{key}": val for key, val in extra.items()}}
