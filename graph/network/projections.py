"""Projections of the RDF graph onto NetworkX graphs for analysis.

:func:`load_network` runs narrow SPARQL SELECTs (``graph/network/sparql/network_*.rq``) on a
:class:`thbkg.graph.store.source.GraphSource` (or anything with the same ``select`` method), keeps the
records that pass the :class:`~thbkg.graph.network.filters.Filters`, and returns a :class:`Network` whose
methods build the projections:

* :meth:`Network.cooperation_graph` - actor–actor graph, one edge per pair of actors;
* :meth:`Network.multigraph` - the full directed multigraph of link records (subject -> object);
* :meth:`Network.membership_graph` - bipartite actor–framework graph (membership family);
* :meth:`Network.comembership_graph` - its one-mode projection on actors;
* :meth:`Network.region_graph` - the region-level aggregate.

Every graph inserts its nodes and edges in sorted order, so results never depend on the order in
which the store returns rows.

Filter semantics (documented choices)
-------------------------------------
A link is *in force on day D* when ``start_day <= D <= end_day``, where a missing ``end_day`` means
"still running" (no upper bound). A link whose ``start_day`` is unknown is left out of ``as_of`` and
``between`` views, because nothing says it was in force then (``Network.undated_left_out`` counts
them: exactly those ``include_undated`` would bring back); ``include_undated=True`` keeps them as
"since an unknown date" (no lower bound). Links of the *event* family (joint action days: activity in a
period, not standing ties) count when they fall in the period the ``as_of`` date names (``2015``: any
day of 2015), or in the ``between`` years (:func:`event_window`). One more
exception, read from the ontology (``thb:inForce`` of the status concepts,
:attr:`~thbkg.graph.rdf.vocab.Vocabulary.in_force_statuses`):

* a link whose status is *not in force* (under negotiation, suspended, ended…) and that has no
  ``end_day`` is never counted as in force on a given day: it has not entered into force, or it
  stopped at a date the sources do not give, and we only claim what the sources support. With an
  ``end_day`` it was in force from its start to its end.

Without ``as_of``/``between`` every link record is kept, whatever its status.

* ``as_of``: ``YYYY-MM-DD``; ``YYYY-MM`` and ``YYYY`` mean the *last* day of that month/year
  ("as of the end of 2015"); ``today`` is the current date (:mod:`thbkg.graph.rdf.dates`).
* ``between=(Y1, Y2)``: in force on at least one day between 1 January Y1 and 31 December Y2.
* ``types``: link-type codes. ``regions``: keep links with at least one party in one of the
  regions. ``actor_types``: keep actors of these types and the links between two kept actors.
* ``min_confidence``: drop links whose confidence ranks below it (``thb:rank`` in the ontology:
  high=3 > medium=2 > low=1; a link without confidence ranks 0 and is dropped by any
  ``min_confidence``).
* ``exclude``: drop these actors and all their links.

Actors kept: with no link filter (``as_of``, ``between``, ``types``, ``regions``,
``min_confidence``) every actor that passes ``actor_types``/``exclude`` is kept, isolated or
not; with a link filter only the actors taking part in a kept link are kept.

Edge weight of the cooperation graph
------------------------------------
``weight = sum(rank(confidence) / top rank for each link of the pair)``, the ranks being the
ontology's ``thb:rank``: a single high-confidence link weighs 1.0, a medium one 0.667, a low one
0.333, and several links add up. Weights are used as
*strength* (weighted degree, PageRank, Louvain, Burt's constraint), never as distances.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from importlib import resources

import networkx as nx

from thbkg.graph.errors import ThbkgError, UsageError
from thbkg.graph.network.filters import Filters
from thbkg.graph.network.names import (
    KnownNames,
    NameIndex,
    actor_index,
    actor_type_index,
    link_type_index,
    region_index,
    resolve_filters,
    unknown_confidence_message,  # noqa: F401  (imported from here by cli/options.py)
)
from thbkg.graph.rdf.dates import parse_day, parse_period, period_of
from thbkg.graph.rdf.vocab import load_vocabulary

THBID = "https://w3id.org/thbkg/id/"
WIKIDATA = "http://www.wikidata.org/entity/"
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"


def read_query(name: str) -> str:
    """Text of the internal SPARQL query ``graph/network/sparql/<name>.rq``.

    >>> "thb:CooperationLink" in read_query("network_links")
    True
    """
    return (resources.files("thbkg.graph.network") / "sparql" / f"{name}.rq").read_text(encoding="utf-8")


def link_weight(confidence: str | None) -> float:
    """Weight contributed by one link of the given confidence (its rank / the top rank).

    >>> link_weight("high"), round(link_weight("medium"), 3), round(link_weight("low"), 3)
    (1.0, 0.667, 0.333)
    """
    vocab = load_vocabulary()
    return vocab.rank(confidence) / vocab.top_rank()


def _tail(term, prefix: str | None = None) -> str | None:
    """Last path segment of an IRI (or the text after *prefix*), or the literal's text; None for None."""
    return None if term is None else _iri_tail(term, prefix)


def _iri_tail(term, prefix: str | None = None) -> str:
    """:func:`_tail` of a term known to be there (a record's own IRI)."""
    text = str(term)
    if prefix and text.startswith(prefix):
        return text[len(prefix):]
    if "://" in text:
        return text.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return text


def _text(term) -> str | None:
    return None if term is None else str(term)


def _parse_wkt_point(wkt) -> tuple[float | None, float | None]:
    """``POINT(lon lat)`` -> (lat, lon)."""
    if wkt is None:
        return None, None
    text = str(wkt)
    try:
        inner = text[text.index("(") + 1:text.index(")")].split()
        return float(inner[1]), float(inner[0])
    except (ValueError, IndexError):
        return None, None


def _to_day(term) -> _dt.date | None:
    """The day of an ``xsd:date`` value (its first day if it is a partial date), or None."""
    period = None if term is None else period_of(str(term)[:10])
    return period[0] if period else None


@dataclass
class Network:
    """The actors, links, sources and regions kept by a set of filters, and their projections.

    See the module docstring for the meaning of each projection and of the filters.
    """

    actors: dict = field(default_factory=dict)
    links: list = field(default_factory=list)
    sources: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    filters: Filters = field(default_factory=Filters)
    #: links left out by a time filter because their start date is unknown
    undated_left_out: int = 0
    #: every actor before the filters (id -> record), to tell "filtered out" from "unknown"
    all_actors: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ projections
    def cooperation_graph(self, frameworks: str | None = None) -> nx.Graph:
        """Undirected actor graph of the ties in force, one edge per pair of nodes.

        ``frameworks="shared"`` (the default, from ``filters.frameworks``): frameworks (treaties,
        regional processes, networks, platforms) are not nodes; actors that share one are tied,
        with Newman's weights (:mod:`thbkg.graph.network.affiliations`, which lists the edge
        attributes). ``frameworks="as-nodes"``: the two-mode view, frameworks are nodes like actors.
        When sharing would make more actor pairs than
        :data:`~thbkg.graph.network.affiliations.MAX_SHARED_PAIRS`, the graph keeps frameworks as nodes
        and says why in ``graph.graph["frameworks_note"]``.

        In both, only ties in force are edges (:func:`~thbkg.graph.network.affiliations.tie_links`;
        ``graph.graph["not_in_force_left_out"]`` counts the others). Node attributes are the actor
        dicts. Edge attributes of the as-nodes view: ``types`` (sorted tuple), ``links`` (tuple of
        link ids, sorted), ``count``, ``start`` (earliest known start, as precise as known), ``end``
        (latest end; ``None`` if any link has no end), ``sources`` (sorted tuple), ``confidence``
        (lowest), ``weight`` (sum of rank/3, see module doc). Links from an actor to itself are left out.
        """
        from thbkg.graph.network.affiliations import ProjectionTooLarge, shared_framework_graph, tie_links

        view = frameworks or self.filters.frameworks
        note = None
        if view == "shared":
            try:
                return shared_framework_graph(self, _pair_attributes, link_weight)
            except ProjectionTooLarge as too_large:
                note = too_large.note()
        elif view != "as-nodes":
            raise UsageError(f"frameworks must be 'shared' or 'as-nodes', not {view!r}")
        links, not_in_force = tie_links(self)
        graph = nx.Graph(filters=self.filters.describe(), frameworks="as-nodes", not_in_force_left_out=not_in_force)
        if note:
            graph.graph["frameworks_note"] = note
        for actor_id in sorted(self.actors):
            graph.add_node(actor_id, **self.actors[actor_id])
        pairs: dict[tuple[str, str], list[dict]] = {}
        for link in links:
            if link["subject"] == link["object"]:
                continue
            pairs.setdefault(_ordered_pair(link["subject"], link["object"]), []).append(link)
        for (a, b) in sorted(pairs):
            graph.add_edge(a, b, **_pair_attributes(pairs[(a, b)]))
        return graph

    def multigraph(self) -> nx.MultiDiGraph:
        """Directed multigraph subject -> object of the ties in force (frameworks are nodes); key = link
        id; attributes = the link record."""
        from thbkg.graph.network.affiliations import tie_links

        links, not_in_force = tie_links(self)
        graph = nx.MultiDiGraph(filters=self.filters.describe(), not_in_force_left_out=not_in_force)
        for actor_id in sorted(self.actors):
            graph.add_node(actor_id, **self.actors[actor_id])
        for link in links:  # already sorted by id
            graph.add_edge(link["subject"], link["object"], key=link["id"], **link)
        return graph

    def membership_graph(self) -> nx.Graph:
        """Bipartite actor–framework graph from the links of the *membership* family.

        Frameworks (node attribute ``bipartite=1``) are the objects of membership links
        (``membership``, ``observer``, ``treaty_party``); members are the subjects
        (``bipartite=0``). A membership link whose subject is itself a framework here would
        break bipartiteness; it is left out and listed in ``graph.graph["skipped_links"]``.
        Edge attributes: ``types``, ``links``, ``weight`` (as in the cooperation graph).
        """
        member_links = [link for link in self.links if link["family"] == "membership"
                        and link["subject"] != link["object"]]
        frameworks = {link["object"] for link in member_links}
        kept: list[dict] = []
        skipped: list[dict] = []
        for link in member_links:
            (skipped if link["subject"] in frameworks else kept).append(link)
        members = {link["subject"] for link in kept}
        graph = nx.Graph(filters=self.filters.describe(), skipped_links=tuple(l["id"] for l in skipped))
        for node in sorted(members | frameworks):
            graph.add_node(node, **self.actors.get(node, {"id": node}),
                           bipartite=1 if node in frameworks else 0)
        pairs: dict[tuple[str, str], list[dict]] = {}
        for link in kept:
            pairs.setdefault((link["subject"], link["object"]), []).append(link)
        for (member, framework) in sorted(pairs):
            graph.add_edge(member, framework, **_pair_attributes(pairs[(member, framework)]))
        return graph

    def comembership_graph(self) -> nx.Graph:
        """One-mode projection of :meth:`membership_graph` on the member actors.

        Uses :func:`networkx.algorithms.bipartite.weighted_projected_graph`: the edge ``weight``
        is the number of frameworks two actors share. Members sharing nothing stay as isolates.
        """
        bipartite_graph = self.membership_graph()
        members = sorted(n for n, side in bipartite_graph.nodes(data="bipartite") if side == 0)
        projected = nx.algorithms.bipartite.weighted_projected_graph(bipartite_graph, members)
        graph = nx.Graph(filters=self.filters.describe())
        for node in members:
            graph.add_node(node, **bipartite_graph.nodes[node])
        for a, b in sorted(tuple(sorted(edge)) for edge in projected.edges()):
            shared = sorted(set(bipartite_graph[a]) & set(bipartite_graph[b]))
            graph.add_edge(a, b, weight=projected[a][b]["weight"], frameworks=tuple(shared))
        return graph

    def region_graph(self) -> nx.Graph:
        """Region-level aggregate of the cooperation links.

        Nodes: every region (``kind="region"``, ``label``, ``members`` = kept actors in it) and
        every kept actor outside all regions (``kind="actor"``). An actor in several regions
        counts for each of them. Each link adds to the edge between its parties' nodes:
        ``count`` (links), ``weight`` (rank/3 sum), ``types``, ``links``. Links inside one
        region are counted in the node attribute ``internal_links`` instead of a self-loop.
        """
        actor_nodes: dict[str, tuple[str, ...]] = {}
        for actor_id, actor in self.actors.items():
            regions = tuple(r for r in actor.get("regions", ()) if r in self.regions)
            actor_nodes[actor_id] = regions or (actor_id,)
        graph = nx.Graph(filters=self.filters.describe())
        for region_id in sorted(self.regions):
            region = self.regions[region_id]
            graph.add_node(region_id, kind="region", label=region["label"],
                           members=tuple(m for m in region["members"] if m in self.actors),
                           internal_links=0)
        for actor_id in sorted(a for a, nodes in actor_nodes.items() if nodes == (a,)):
            graph.add_node(actor_id, kind="actor", label=self.actors[actor_id]["label"],
                           type=self.actors[actor_id]["type"], internal_links=0)
        edges: dict[tuple[str, str], list[dict]] = {}
        for link in self.links:
            for u in actor_nodes.get(link["subject"], ()):
                for v in actor_nodes.get(link["object"], ()):
                    if u == v:
                        graph.nodes[u]["internal_links"] += 1
                    else:
                        edges.setdefault(_ordered_pair(u, v), []).append(link)
        for (u, v) in sorted(edges):
            group = edges[(u, v)]
            graph.add_edge(u, v, count=len(group), weight=sum(link_weight(l["confidence"]) for l in group),
                           types=tuple(sorted({l["type"] for l in group})),
                           links=tuple(sorted(l["id"] for l in group)))
        return graph

    # ------------------------------------------------------------------ helpers
    def basis(self, graph=None) -> str:
        """One line saying what a figure on this network rests on: the filters, the undated links a
        time filter left out, and (given the *graph* built from it) the links not in force left out.

        >>> Network(filters=Filters(as_of="2015"), undated_left_out=3).basis()
        'filters: as-of=2015; 3 undated links left out (--include-undated keeps them)'
        """
        parts = [f"filters: {self.filters.describe()}"]
        if self.undated_left_out:
            parts.append(f"{self.undated_left_out} undated link{'s' if self.undated_left_out != 1 else ''} "
                         "left out (--include-undated keeps them)")
        left = (graph.graph.get("not_in_force_left_out") if graph is not None else None) or 0
        if left:
            parts.append(f"{left} link{'s' if left != 1 else ''} not in force left out (under negotiation, "
                         "signed, suspended or ended)")
        return "; ".join(parts)

    def label(self, actor_id: str) -> str:
        """Label of an actor (its id if it has none)."""
        actor = self.actors.get(actor_id)
        return (actor or {}).get("label") or actor_id

    def actors_of_type(self, *types: str) -> list[str]:
        """Sorted ids of the kept actors of the given types."""
        return sorted(a for a, rec in self.actors.items() if rec.get("type") in types)


def _ordered_pair(a: str, b: str) -> tuple[str, str]:
    """The two nodes of an undirected edge, smaller first."""
    return (a, b) if a <= b else (b, a)


def _pair_attributes(links: list[dict]) -> dict:
    links = sorted(links, key=lambda l: l["id"])
    starts = [l for l in links if l.get("start")]
    earliest = min(starts, key=lambda l: (l["start_day"] or _dt.date.max, l["start"]))["start"] if starts else None
    if any(not l.get("end") for l in links):
        latest = None
    else:
        latest = max(links, key=lambda l: (l["end_day"] or _dt.date.min, l["end"]))["end"]
    vocab = load_vocabulary()
    weakest = min((l.get("confidence") for l in links), key=vocab.rank)
    lowest_code = weakest if vocab.rank(weakest) else None  # a link without a known level: none
    return {
        "types": tuple(sorted({l["type"] for l in links if l["type"]})),
        "links": tuple(l["id"] for l in links),
        "count": len(links),
        "start": earliest,
        "end": latest,
        "sources": tuple(sorted({s for l in links for s in l["sources"]})),
        "confidence": lowest_code,
        "weight": sum(link_weight(l.get("confidence")) for l in links),
    }


# ---------------------------------------------------------------------- loading
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_DCT = "http://purl.org/dc/terms/"
_ORG = "http://www.w3.org/ns/org#"
_PROV = "http://www.w3.org/ns/prov#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_THB = "https://w3id.org/thbkg/ontology#"
_SCHEMA = "https://schema.org/"
LABEL = "label"  # read through network_labels.rq (English or untagged only)

#: Single-valued fields of a link record -> property (first sorted value wins when there are several).
LINK_FIELDS = {
    "subject": _THB + "subject", "object": _THB + "object", "id": _DCT + "identifier", "label": LABEL,
    "type": _THB + "linkType", "role": _THB + "role", "start": _THB + "startDate", "end": _THB + "endDate",
    "startDay": _THB + "startDay", "endDay": _THB + "endDay", "status": _THB + "status",
    "instrument": _THB + "instrument", "confidence": _THB + "confidence",
    "dateConfidence": _THB + "dateConfidence", "note": _RDFS + "comment",
    "round": _THB + "evaluationRound", "amount": _SCHEMA + "amount",
}
#: the value and currency of a link's schema:MonetaryAmount (the node its schema:amount names)
MONEY_VALUE, MONEY_CURRENCY = _SCHEMA + "value", _SCHEMA + "currency"
#: the countries a liaison post also covers (links.csv column covers)
COVERS = _THB + "covers"
#: Single-valued fields of an actor -> property.
ACTOR_FIELDS = {
    "id": _DCT + "identifier", "label": LABEL, "type": _THB + "actorType", "classification": _ORG + "classification",
    "iso2": _THB + "iso2",
    "iso3": _THB + "iso3", "confidence": _THB + "confidence", "parent": _ORG + "subOrganizationOf",
}
#: Multi-valued fields (all values kept) -> property.
SOURCES, MATCHES, IN_REGION, SITES = (_PROV + "wasDerivedFrom", _SKOS + "exactMatch", _THB + "inRegion",
                                      _ORG + "hasPrimarySite")
ALT_LABEL = _SKOS + "altLabel"  # an actor's aliases (actors.csv column aliases)
#: outside identifiers (Wikidata…) are schema:sameAs; skos:exactMatch is read too, for stores built before
SAME_AS = "https://schema.org/sameAs"
QUERY_NAMES = ("network_actors", "network_links", "network_property", "network_labels", "network_sites",
               "network_sources", "network_regions")


def _select_rows(source, query: str, bindings=None) -> list[tuple]:
    """Rows of lexical values (str, None when unbound) in the query's variable order."""
    select_text = getattr(source, "select_text", None)
    if select_text is not None:
        return select_text(query, bindings)[1]
    rows = source.select(query, bindings)
    return [tuple(None if v is None else str(v) for v in row.values()) for row in rows]


def _property_values(source, properties, keep_all=(), shared: dict | None = None) -> tuple[dict, dict]:
    """One SPARQL scan per property; returns ``(smallest, every)``.

    ``smallest[property]`` maps each resource IRI to its smallest value (as text);
    ``every[property]`` maps it to all its values, for the properties in *keep_all*.
    Equal texts are one object (through *shared*): each scan returns its own copy of every IRI,
    which at 200,000 links and 20 properties came to several hundred MB.
    """
    from rdflib import URIRef

    shared = {} if shared is None else shared
    one = shared.setdefault
    property_query, label_query = read_query("network_property"), read_query("network_labels")
    smallest, every = {}, {}
    for prop in sorted(set(properties)):
        if prop == LABEL:
            found = _select_rows(source, label_query)
        else:
            found = _select_rows(source, property_query, {"property": URIRef(prop)})
        rows = [(one(row[0], row[0]), one(row[1], row[1])) for row in found]
        del found
        single = dict(rows)
        if len(single) == len(rows) and prop not in keep_all:  # one value each, the usual case
            smallest[prop] = single
            continue
        grouped: dict[str, list] = {}
        for resource, value in rows:
            grouped.setdefault(resource, []).append(value)
        smallest[prop] = {resource: min(found) for resource, found in grouped.items()}
        if prop in keep_all:
            every[prop] = grouped
    return smallest, every


def _first_sorted(fields: dict, smallest: dict, resource: str, fixed: dict) -> dict:
    """The fields of the row a wide OPTIONAL query would have sorted first for *resource*.

    The old projection queries returned one row per combination of values (one OPTIONAL per
    field) and kept the first row sorted by the variable names; that row holds each field's
    smallest value (None when the field has none). *fixed* pins some fields to given values.
    """
    row = dict(fixed)
    for name, prop in fields.items():
        if name not in fixed:
            row[name] = smallest[prop].get(resource)
    return row


def _sort_key(row: dict) -> tuple:
    return tuple(row[k] or "" for k in sorted(row))


def fetch_records(source) -> Network:
    """Run the projection SELECTs on *source* and return an unfiltered :class:`Network`.

    Each field comes from its own narrow SELECT (``graph/network/sparql/network_*.rq``), and the rows are
    grouped by IRI here. When a record has several values for a single-valued field, the smallest
    (as text) is kept, and records that share an identifier keep the smallest row, which is what
    sorting the rows of one wide query with an OPTIONAL per field gave.
    """
    shared: dict = {}  # one object per distinct text (see _property_values)
    one = shared.setdefault
    actor_iris = sorted({one(row[0], row[0]) for row in _select_rows(source, read_query("network_actors"))})
    link_iris = sorted({one(row[0], row[0]) for row in _select_rows(source, read_query("network_links"))})
    multi_valued = (LINK_FIELDS["id"], SOURCES, MATCHES, SAME_AS, IN_REGION, SITES, ALT_LABEL, COVERS)
    smallest, values = _property_values(source, list(LINK_FIELDS.values()) + list(ACTOR_FIELDS.values())
                                        + [MONEY_VALUE, MONEY_CURRENCY] + list(multi_valued),
                                        keep_all=multi_valued, shared=shared)
    actors, iri_to_id = _actor_records(source, actor_iris, smallest, values)
    chosen = _chosen_link_rows(link_iris, smallest, values[LINK_FIELDS["id"]])
    money = (smallest[MONEY_VALUE], smallest[MONEY_CURRENCY])
    links = _link_records(chosen, iri_to_id, values[SOURCES], values[COVERS], money)
    del smallest, values, shared

    rows = {name: source.select(read_query(name)) for name in ("network_sources", "network_regions")}
    sources = _source_records(rows["network_sources"])
    regions = _region_records(rows["network_regions"], actors, iri_to_id)
    return Network(actors=dict(sorted(actors.items())),
                   links=list(links.values()),  # inserted in sorted order
                   sources=dict(sorted(sources.items())), regions=dict(sorted(regions.items())))


def _actor_records(source, actor_iris: list[str], smallest: dict,
                   values: dict) -> tuple[dict[str, dict], dict[str, str]]:
    """The actor records (id -> record) and the id of each actor IRI, for :func:`fetch_records`."""
    site_rows: dict[str, list] = {}
    if values[SITES]:
        for site, seat, wkt in _select_rows(source, read_query("network_sites")):
            site_rows.setdefault(site, []).append((seat, wkt))
    actors: dict[str, dict] = {}
    iri_to_id: dict[str, str] = {}
    for iri in actor_iris:  # sorted: with a shared identifier, the last IRI's record stays
        row = _first_sorted(ACTOR_FIELDS, smallest, iri, {"actor": iri})
        # seat and wkt vary together (per site): the pair sorted first
        pairs = [pair for site in values[SITES].get(iri, ()) for pair in site_rows.get(site, [(None, None)])]
        row["seat"], row["wkt"] = min(pairs, key=lambda p: (p[0] or "", p[1] or "")) if pairs else (None, None)
        actor = _actor_record(iri, row)
        iri_to_id[iri] = actor["id"]
        actors[actor["id"]] = actor
    _add_actor_lists(actors, iri_to_id, values)
    return actors, iri_to_id


def _actor_record(iri: str, row: dict) -> dict:
    """The record of the actor *iri* from its fields (*row*), before its lists of sources and regions."""
    actor_id = row["id"] or _iri_tail(iri, THBID + "actor/")
    lat, lon = _parse_wkt_point(row["wkt"])
    return {
        "id": actor_id, "iri": iri, "label": row["label"] or actor_id,
        "type": _tail(row["type"] or row["classification"], THBID + "actor-type/"),
        "iso2": row["iso2"], "iso3": row["iso3"], "wikidata": None, "authority": None,
        "seat": row["seat"], "lat": lat, "lon": lon,
        "regions": (), "sources": (), "aliases": (),
        "confidence": _tail(row["confidence"], THBID + "confidence/"),
        "parent": _tail(row["parent"], THBID + "actor/"),
    }


def _add_actor_lists(actors: dict[str, dict], iri_to_id: dict[str, str], values: dict) -> None:
    """Set the sources, regions, Wikidata id and aliases of the *actors* from their multi-valued properties."""
    multi: dict[str, dict[str, set]] = {}
    for kind, prop in (("source", SOURCES), ("match", MATCHES), ("match", SAME_AS), ("region", IN_REGION),
                       ("alias", ALT_LABEL)):
        for iri, actor_id in iri_to_id.items():  # the actor IRIs, sorted
            found = values[prop].get(iri)
            if found:
                multi.setdefault(actor_id, {}).setdefault(kind, set()).update(found)
    for actor_id, found in multi.items():
        actor = actors[actor_id]
        actor["sources"] = tuple(sorted(_iri_tail(v, THBID + "source/") for v in found.get("source", ())))
        actor["regions"] = tuple(sorted(_iri_tail(v, THBID + "region/") for v in found.get("region", ())))
        qids = sorted(v[len(WIKIDATA):] for v in found.get("match", ()) if v.startswith(WIKIDATA))
        actor["wikidata"] = qids[0] if qids else None
        authorities = sorted(v for v in found.get("match", ()) if v.startswith(EU_AUTHORITY))
        actor["authority"] = authorities[0] if authorities else None
        actor["aliases"] = tuple(sorted(found.get("alias", ())))


def _chosen_link_rows(link_iris: list[str], smallest: dict, identifiers: dict) -> dict[str, dict]:
    """Link id -> the fields of its link record; records sharing an identifier: the smallest row."""
    chosen: dict[str, dict] = {}
    subjects, objects = smallest[LINK_FIELDS["subject"]], smallest[LINK_FIELDS["object"]]
    columns = [(name, smallest[prop]) for name, prop in LINK_FIELDS.items() if name != "id"]
    for iri in link_iris:
        if iri not in subjects or iri not in objects:
            continue  # not a complete link record (subject and object are required)
        found = identifiers.get(iri)
        for identifier in (found if found and len(found) == 1 else sorted(set(found or [None]))):
            row = {name: column.get(iri) for name, column in columns}
            row["link"], row["id"] = iri, identifier
            link_id = identifier or _iri_tail(iri, THBID + "link/")
            if link_id not in chosen or _sort_key(row) < _sort_key(chosen[link_id]):
                chosen[link_id] = row
    return chosen


def _link_records(chosen: dict[str, dict], iri_to_id: dict[str, str], link_sources: dict, covers=None,
                  money=({}, {})) -> dict[str, dict]:
    """Link id -> link record, in sorted order, from the *chosen* rows (emptied on the way)."""
    codes: dict = {}  # the codes (link types, statuses, sources…) repeat: one object each
    days: dict = {}  # dates repeat too
    family_of = load_vocabulary().family_of

    def code(term, prefix):
        text = _tail(term, prefix)
        return codes.setdefault(text, text)

    def day(term):
        return days[term] if term in days else days.setdefault(term, _to_day(term))

    links: dict[str, dict] = {}
    for link_id in sorted(chosen):
        row = chosen.pop(link_id)  # the row goes as its record comes: never both for every link
        iri = row["link"]
        link_type = code(row["type"], THBID + "link-type/")
        links[link_id] = {
            "id": link_id, "iri": iri, "label": row["label"],
            "subject": iri_to_id.get(row["subject"], _tail(row["subject"], THBID + "actor/")),
            "object": iri_to_id.get(row["object"], _tail(row["object"], THBID + "actor/")),
            "type": link_type, "family": family_of(link_type), "role": row["role"],
            "start": row["start"], "end": row["end"],
            "start_day": day(row["startDay"]), "end_day": day(row["endDay"]),
            "status": code(row["status"], THBID + "status/"),
            "instrument": code(row["instrument"], THBID + "instrument/"),
            "sources": tuple(sorted({code(v, THBID + "source/") for v in link_sources.get(iri, ())})),
            "confidence": code(row["confidence"], THBID + "confidence/"),
            "date_confidence": code(row["dateConfidence"], THBID + "confidence/"),
            "note": row["note"],
            # the issue 11 columns: a funds link's amount (exact decimal text) and currency, the countries a
            # liaison post also covers, an evaluation's round
            "amount": money[0].get(row["amount"]) if row["amount"] else None,
            "currency": money[1].get(row["amount"]) if row["amount"] else None,
            "covers": tuple(sorted(iri_to_id.get(v, _tail(v, THBID + "actor/")) for v in (covers or {}).get(iri, ()))),
            "round": int(row["round"]) if row["round"] else None,
        }
    return links


def _row_order(row: dict) -> tuple:
    """Sort key of a SPARQL row: its values as text, in the order of the variable names."""
    return tuple(str(row.get(k) or "") for k in sorted(row))


def _source_records(rows) -> dict[str, dict]:
    """Source id -> source record; a source with several rows keeps the row sorted first."""
    sources: dict[str, dict] = {}
    for row in sorted(rows, key=_row_order):
        source_id = _iri_tail(row["source"], THBID + "source/")
        if source_id in sources:
            continue
        sources[source_id] = {
            "id": source_id, "iri": str(row["source"]), "title": _text(row.get("title")),
            "publisher": _text(row.get("publisher")), "url": _text(row.get("url")),
            "issued": _text(row.get("issued")), "accessed": _text(row.get("accessed")),
            "kind": _tail(row.get("kind"), THBID + "source-kind/"), "note": _text(row.get("note")),
        }
    return sources


def _region_records(rows, actors: dict[str, dict], iri_to_id: dict[str, str]) -> dict[str, dict]:
    """Region id -> region record with its members; adds each region to its members' ``regions``."""
    regions: dict[str, dict] = {}
    members: dict[str, set] = {}
    for row in sorted(rows, key=_row_order):
        region_id = _iri_tail(row["region"], THBID + "region/")
        regions.setdefault(region_id, {"id": region_id, "iri": str(row["region"]),
                                       "label": _text(row.get("label")) or region_id, "members": ()})
        members.setdefault(region_id, set())
        if row.get("actor") is not None:
            member = iri_to_id.get(str(row["actor"]), _iri_tail(row["actor"], THBID + "actor/"))
            members[region_id].add(member)
            if member in actors and region_id not in actors[member]["regions"]:
                actors[member]["regions"] = tuple(sorted(actors[member]["regions"] + (region_id,)))
    for region_id, region in regions.items():
        region["members"] = tuple(sorted(members[region_id]))
    return regions


def in_force(link: dict, first: _dt.date, last: _dt.date) -> bool:
    """Whether *link* is in force on at least one day of ``first..last`` (see module doc).

    >>> import datetime as dt
    >>> rec = {"status": "active", "start_day": dt.date(2010, 1, 1), "end_day": None}
    >>> in_force(rec, dt.date(2009, 12, 31), dt.date(2009, 12, 31)), in_force(rec, dt.date(2020, 1, 1), dt.date(2020, 1, 1))
    (False, True)
    """
    if not load_vocabulary().counts_in_force(link.get("status")) and link.get("end_day") is None:
        return False  # not yet in force, or stopped at a date the sources don't give
    start, end = link.get("start_day"), link.get("end_day")
    if start is not None and start > last:
        return False
    return end is None or end >= first


def event_window(filters: Filters, window=None) -> tuple[_dt.date, _dt.date] | None:
    """The days in which an event (a link of the event family) must fall to count under *filters*.

    An event is activity in a period, so ``--as-of 2015`` keeps the events of the whole of 2015 (the
    period the date names), where a standing tie must be in force on 31 December 2015; ``--between``
    keeps the events of its years, as for ties.

    >>> event_window(Filters(as_of="2015-06"))
    (datetime.date(2015, 6, 1), datetime.date(2015, 6, 30))
    """
    window = time_window(filters) if window is None else window
    if window is None or not filters.as_of:
        return window
    first, last = parse_period(filters.as_of, what="--as-of")
    if filters.between:
        first, last = max(first, _dt.date(int(filters.between[0]), 1, 1)), min(last, _dt.date(int(filters.between[1]), 12, 31))
    return (first, last)


def time_window(filters: Filters) -> tuple[_dt.date, _dt.date] | None:
    """The days ``(first, last)`` of ``as_of``/``between`` (None without them); UsageError on bad dates.

    >>> time_window(Filters(as_of="2015", between=(2010, 2020)))
    (datetime.date(2015, 12, 31), datetime.date(2015, 12, 31))
    >>> time_window(Filters(between=(2020, 2010)))
    Traceback (most recent call last):
    ...
    thbkg.graph.errors.UsageError: --between 2020 2010: the first year must not be after the second
    """
    window = None
    if filters.as_of:
        day = parse_day(filters.as_of, end=True, what="--as-of")
        window = (day, day)
    if filters.between:
        y1, y2 = (int(y) for y in filters.between)
        if y1 > y2:
            raise UsageError(f"--between {y1} {y2}: the first year must not be after the second")
        try:
            between = (_dt.date(y1, 1, 1), _dt.date(y2, 12, 31))
        except ValueError as exc:
            raise UsageError(f"--between {y1} {y2}: {exc}") from None
        window = between if window is None else (max(window[0], between[0]), min(window[1], between[1]))
    return window


def apply_filters(network: Network, filters: Filters) -> Network:
    """Keep the records of *network* that pass *filters*; raise UsageError on unknown names."""
    filters = _check_filter_names(network, filters or Filters())  # names as ids
    window = time_window(filters)
    excluded = set(filters.exclude)
    kept_actors = {a: rec for a, rec in network.actors.items()
                   if a not in excluded and (not filters.actor_types or rec.get("type") in filters.actor_types)}
    links, undated = _kept_links(network, filters, kept_actors, window)
    link_filtered = bool(window or filters.types or filters.regions or filters.min_confidence)
    if link_filtered:
        used = {a for link in links for a in (link["subject"], link["object"])}
        kept_actors = {a: rec for a, rec in kept_actors.items() if a in used}
    if not links:
        hint = (f" ({undated} undated links were left out; --include-undated keeps them)"
                if undated else "")
        raise UsageError(f"the graph is empty after filtering ({filters.describe()}): no link is left; "
                         f"loosen the filters{hint}")
    return Network(actors=kept_actors, links=links, sources=network.sources, regions=network.regions,
                   filters=filters, undated_left_out=undated, all_actors=network.all_actors or network.actors)


def _kept_links(network: Network, filters: Filters, kept_actors: dict,
                window: tuple[_dt.date, _dt.date] | None) -> tuple[list[dict], int]:
    """The links of *network* that pass *filters* between *kept_actors*, and the count of undated
    links a time filter left out (those whose status alone would have let them in)."""
    region_members = {m for r in filters.regions for m in network.regions[r]["members"]}
    vocab = load_vocabulary()
    min_rank = vocab.rank(filters.min_confidence) if filters.min_confidence else None
    events = event_window(filters, window)
    links, undated = [], 0
    for link in network.links:
        if link["subject"] not in kept_actors or link["object"] not in kept_actors:
            continue
        if filters.types and link["type"] not in filters.types:
            continue
        if min_rank is not None and vocab.rank(link.get("confidence")) < min_rank:
            continue
        if filters.regions and not ({link["subject"], link["object"]} & region_members):
            continue
        if window is None:
            links.append(link)
            continue
        days = (events or window) if vocab.is_event(link.get("type")) else window
        if not link.get("start_day") and not filters.include_undated:
            undated += in_force(link, *days)  # what --include-undated would bring back
            continue
        if in_force(link, *days):
            links.append(link)
    return links, undated


def filter_name_problems(filters: Filters, names: KnownNames) -> list[str]:
    """One message per kind of unknown or ambiguous name in *filters* (exclude, regions, types, actor
    types, confidence), as :func:`thbkg.graph.network.names.resolve_filters` finds them.

    Only the kinds *names* holds are checked (an empty ``actors`` skips ``exclude``, and so on).

    >>> filter_name_problems(Filters(exclude=("x",), regions=("atlantis",)),
    ...                      KnownNames(actors=("a",), regions=("sahel",)))
    ['unknown actor(s) in --exclude: x', 'unknown region(s): atlantis (known: sahel)']
    """
    return resolve_filters(filters, names)[1]


def _check_filter_names(network: Network, filters: Filters) -> Filters:
    """*filters* with its names made ids of *network* (:class:`KnownNames.of_network`); UsageError
    naming every unknown or ambiguous one."""
    resolved, problems = resolve_filters(filters, KnownNames.of_network(network, actors=bool(filters.exclude)))
    if problems:
        raise UsageError("; ".join(problems))
    return resolved


def unknown_actor_message(name: str, candidates) -> str:
    """The refusal of an unknown actor *name*, with the closest of the *candidates* ids.

    >>> unknown_actor_message("europl", ["europol", "frontex"])
    "unknown actor 'europl' (did you mean europol?)"
    """
    return NameIndex.of_ids("actor", candidates).unknown_message(name)


def known_names(source, *, actors: bool = False, regions: bool = False, link_types: bool = False,
                actor_types: bool = False) -> KnownNames:
    """The names of the kinds asked for, each read with one small query on *source*.

    No actor or link record is read: this is the cheap lookup done before :func:`fetch_records`.
    The actors come with every name they go by (labels, aliases, ISO codes, Wikidata QIDs: see
    :mod:`thbkg.graph.network.names`). A :class:`~thbkg.graph.store.source.GraphSource` that would build
    its store from the tables and has not done so yet answers from the tables (:func:`names_in_tables`),
    seconds instead of minutes at 20,000 actors; any other source is queried. Kinds not asked for are
    None (not looked up).
    """
    if _builds_from_tables(source):
        return names_in_tables(source.data_dirs, source.include_bundled, actors=actors, regions=regions,
                               link_types=link_types, actor_types=actor_types)
    region_records: dict[str, dict] | None = None
    if regions:
        region_records = {}
        for row in sorted(source.select(read_query("network_regions")), key=_row_order):
            region_id = _iri_tail(row["region"], THBID + "region/")
            region_records.setdefault(region_id, {"id": region_id, "iri": str(row["region"]),
                                                  "label": _text(row.get("label"))})
    return KnownNames(actors=_actor_names(source) if actors else None,
                      regions=region_index(region_records.values()) if region_records is not None else None,
                      link_types=link_type_index(_codes(source, LINK_FIELDS["type"], "link-type/"))
                      if link_types else None,
                      actor_types=actor_type_index(_actor_type_codes(source)) if actor_types else None)


def _builds_from_tables(source) -> bool:
    """Whether *source* is a GraphSource that has yet to build its store from the tables."""
    builds = getattr(source, "builds_from_tables", None)
    return bool(builds and builds())


def names_in_tables(data_dirs=(), include_bundled=None, *, actors=False, regions=False, link_types=False,
                    actor_types=False) -> KnownNames:
    """The names of the kinds asked for, from the tables a store is built from.

    The same names the store holds once built (``thbkg.graph.rdf.build`` writes each actor's ``id`` as
    its identifier, ``label`` as its English label, each of ``aliases`` as an alternative label, the
    ISO codes and the Wikidata QID, and the codes as they are). Bad tables raise the
    :class:`~thbkg.graph.errors.DataError` that building the store would raise.
    """
    from thbkg.graph.rdf.tables import load_dataset

    if not (actors or regions or link_types or actor_types):
        return KnownNames()
    ds = load_dataset(data_dirs, include_bundled=include_bundled)
    return KnownNames(
        actors=actor_index(ds.actors) if actors else None,
        regions=region_index(ds.regions) if regions else None,
        link_types=link_type_index({r["type"] for r in ds.links if r.get("type")}) if link_types else None,
        actor_types=actor_type_index({r["type"] for r in ds.actors if r.get("type")}) if actor_types else None)


def _actor_names(source) -> NameIndex:
    """Every name of every actor in the store (``network_actor_names.rq``); the ids are those of
    :func:`fetch_records` (the smallest identifier, else the IRI's tail; the label is the smallest)."""
    found: dict[str, dict[str, list]] = {}
    for resource, kind, value in _select_rows(source, read_query("network_actor_names")):
        values = found.setdefault(resource, {})
        if kind is not None and value is not None:
            values.setdefault(kind, []).append(value)
    records: dict[str, dict] = {}
    for iri in sorted(found):  # with a shared identifier, the last IRI is the record's (as fetch_records)
        values = found[iri]
        actor_id = min(values["id"]) if values.get("id") else _iri_tail(iri, THBID + "actor/")
        record = records.setdefault(actor_id, {"id": actor_id, "aliases": []})
        record["iri"] = iri
        labels = sorted(values.get("label", ()))
        if labels:
            record["label"] = labels[0]
        record["aliases"] += labels[1:] + sorted(values.get("alias", ()))
        for key in ("iso2", "iso3"):
            if values.get(key):
                record[key] = min(values[key])
        qids = sorted(value[len(WIKIDATA):] for value in values.get("wikidata", ()))
        record["aliases"] += qids
    return actor_index(records.values())


def _actor_type_codes(source) -> tuple:
    """The actor types in the store: ``thb:actorType`` (every record of actors.csv, treaties included),
    and ``org:classification``, all a store built before thb:actorType existed has."""
    return tuple(sorted(set(_codes(source, ACTOR_FIELDS["type"], "actor-type/"))
                        | set(_codes(source, ACTOR_FIELDS["classification"], "actor-type/"))))


def _codes(source, prop: str, kind: str) -> tuple:
    """The distinct codes (IRI tails) that *prop* takes in the store."""
    from rdflib import URIRef

    rows = _select_rows(source, read_query("network_property"), {"property": URIRef(prop)})
    return tuple(sorted({_tail(row[1], THBID + kind) for row in rows if row[1] is not None}))


def check_names(source, filters: Filters | None = None, actors=()) -> tuple[Filters, tuple[str, ...]]:
    """Look up the names given on the command line before the network is loaded: refuse the unknown
    and the ambiguous ones, and return them as ids.

    Checks the dates of *filters* (no query), then the actors of ``exclude``, the regions, link
    types and actor types of *filters*, and the *actors* named, each kind with one small query
    (:func:`known_names`). Every name is read as :mod:`thbkg.graph.network.names` says (an id, a label,
    an alias, an ISO code, a Wikidata QID, a pasted IRI…). The messages are those of
    :func:`apply_filters` and :func:`resolve_actor`. A store without any actor is left to
    :func:`load_network` to report (the names are then returned as they are).

    Returns
    -------
    (Filters, tuple of str)
        *filters* with ids in place of names, and the ids of *actors*, in their order.

    Raises
    ------
    UsageError
        A bad date, or an unknown or ambiguous name.
    """
    filters = filters or Filters()
    time_window(filters)
    actors = tuple(actors)
    names = known_names(source, actors=bool(actors or filters.exclude), regions=bool(filters.regions),
                        link_types=bool(filters.types), actor_types=bool(filters.actor_types))
    if (actors or filters.exclude) and not names.actors:
        return filters, actors  # an empty store: load_network says so
    filters, problems = resolve_filters(filters, names)
    if problems:
        raise UsageError("; ".join(problems))
    ids = tuple(names.actors.resolve(name) for name in actors) if names.actors is not None else actors
    return filters, ids


def name_resolver(source):
    """A function ``(parameter type, text) -> IRI`` reading names on *source*, for the parameters of
    ``thbkg query`` (:func:`thbkg.graph.store.query.run_query`'s ``resolve_name``).

    The types read are those of :data:`thbkg.graph.store.catalogue.NAME_TYPES` (``actor``, ``region``,
    ``link_type``, ``actor_type``); each kind's names are looked up once (:func:`known_names`).
    Unknown and ambiguous names raise :class:`~thbkg.graph.errors.UsageError`.
    """
    from rdflib import URIRef

    kinds = {"actor": "actors", "region": "regions", "link_type": "link_types", "actor_type": "actor_types"}
    indexes: dict[str, NameIndex] = {}

    def resolve(param_type: str, text: str):
        field_name = kinds[param_type]
        if field_name not in indexes:
            names = known_names(source, **{field_name: True})
            indexes[field_name] = getattr(names, field_name)
        index = indexes[field_name]
        return URIRef(index.iri(index.resolve(text)))

    return resolve


def load_network(source, filters: Filters | None = None, *, actors=()) -> Network:
    """Load the actors, links, sources and regions from *source* and apply *filters*.

    Names given on the command line (the filters' and *actors*) are checked first, with a few
    small queries (:func:`check_names`), so a typo is refused before the records are read.

    Parameters
    ----------
    source : GraphSource
        Anything with ``select(query_text, bindings=None) -> list[dict]`` (a
        :class:`thbkg.graph.store.source.GraphSource`).
    filters : Filters, optional
        The shared analytic filters (see the module docstring for their exact meaning).
    actors : sequence of str, optional
        Actor ids or labels the command will look up (``path A B``, ``whatif --remove``).

    Returns
    -------
    Network

    Raises
    ------
    UsageError
        Unknown actor in ``exclude`` or *actors*, unknown region/type, an unparseable date, or no
        link left.
    ThbkgError
        The store holds no actor at all.
    """
    from thbkg.graph.progress import progress

    filters = filters or Filters()
    time_window(filters)  # a bad date needs no store to be refused
    with progress(4, "graph") as bar:
        bar.set_item("checking the names given")
        filters, _ = check_names(source, filters, actors)  # before the store is built from tables; names as ids
        bar.update(1, _opening_step(source))
        open_store = getattr(source, "graph", None)
        if callable(open_store):
            open_store()  # built or opened here, so the steps below are quick or say what they do
        bar.update(1, "reading actors and links (SPARQL)")
        network = fetch_records(source)
        if not network.actors:
            raise ThbkgError("the graph holds no actor (thb:Actor): build it from the tables first")
        bar.update(1, "filtering")
        network = apply_filters(network, filters)
        bar.update(1)
    return network


def _opening_step(source) -> str:
    """What opening *source* involves, for the progress line."""
    steps: dict[str | None, str] = {
        "embedded": "reading the tables and building the store", "memory": "reading the tables",
        "persistent": "opening the store", "endpoint": "connecting to the endpoint"}
    return steps.get(getattr(source, "kind", None), "opening the graph")


def resolve_actor(network: Network, name: str) -> str:
    """The id of the actor *name* (an id, label, alias, ISO code, QID or pasted IRI, as
    :mod:`thbkg.graph.network.names` reads it) among the actors of *network*.

    The name is looked up among every actor of the data (``all_actors``), so an actor the filters
    left out is told apart from an unknown one. Aliases are known when the actor records carry them
    (``aliases``); :func:`check_names` reads them from the store or the tables.

    Raises
    ------
    UsageError
        An unknown name (with the closest names), an ambiguous one (with the candidates and their
        ids), or an actor with no link left under the filters.
    """
    if name in network.actors:
        return name
    actor_id = actor_index((network.all_actors or network.actors).values()).resolve(name)
    if actor_id not in network.actors:
        raise UsageError(f"actor {name!r} has no link left under the filters ({network.filters.describe()}); "
                         "loosen the filters")
    return actor_id
