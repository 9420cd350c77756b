"""What each page of the site says: plain data computed once from a :class:`Network`.

:func:`prepare` makes one pass over the records (links by actor, links by source, evidence grades,
centrality ranks, region coverage, frameworks), so that every page is then a cheap lookup:
:func:`actor_page`, :func:`link_page`, :func:`source_page`, :func:`region_page` and
:func:`home_page` return the dicts the templates fill. Nothing here escapes or formats HTML; the
templates do (autoescaped).

The statuses, families, grades and "in force" are the ontology's, through the same functions the
report uses (:mod:`thbkg.graph.analytics.coverage`, :mod:`thbkg.graph.analytics.evidence`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from thbkg.graph.analytics.centrality import compute_centrality, ranked
from thbkg.graph.analytics.coverage import STATE_LABELS, in_force_link_ids, link_state, region_coverage
from thbkg.graph.analytics.evidence import link_evidence
from thbkg.graph.analytics.frameworks import framework_summary
from thbkg.graph.network.projections import Network
from thbkg.graph.outputs.site.paths import ID_BASE, entity_path
from thbkg.graph.outputs.text import safe_url, short_label, shorten
from thbkg.graph.rdf.vocab import load_vocabulary

#: Metrics ranked on actor pages and on the home page (cheap enough for 100,000 actors).
RANK_METRICS = ("weighted_degree", "degree", "pagerank", "betweenness")
RANK_NAMES = {"weighted_degree": "tie strength", "degree": "partners", "pagerank": "PageRank",
              "betweenness": "betweenness"}
#: Above this many actors, betweenness is sampled from :data:`BETWEENNESS_SAMPLE` source actors (stated on
#: the pages): exact betweenness on 5,000 actors took most of the site's time budget.
BETWEENNESS_EXACT_UP_TO = 1000
BETWEENNESS_SAMPLE = 100
#: Columns of a region's coverage matrix at most: the agencies, then the frameworks tied to most of its countries.
MATRIX_COLUMNS = 24
#: Neighbours drawn on an actor's ego map (the most linked first).
EGO_NEIGHBOURS = 12
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"
ISO_PAGE = "https://www.iso.org/obp/ui/#iso:code:3166:"


@dataclass
class SiteData:
    """Everything the pages need, computed once (see :func:`prepare`)."""

    net: Network
    records: dict = field(default_factory=dict)  # link id -> link record
    rows: dict = field(default_factory=dict)  # link id -> display row
    links_of: dict = field(default_factory=dict)  # actor id -> link ids
    cited_by: dict = field(default_factory=dict)  # source id -> (link ids, actor ids)
    ranks: dict = field(default_factory=dict)  # actor id -> {metric: rank}
    ranked_actors: int = 0
    rank_basis: str = ""
    coverage: dict = field(default_factory=dict)  # region id -> coverage entry
    frameworks: dict = field(default_factory=dict)  # framework id -> summary


def prepare(net, *, seed: int = 42, progress_bar=None) -> SiteData:
    """Compute the shared page data of *net* (see the module docstring)."""
    data = SiteData(net=net)
    in_force = in_force_link_ids(net)
    for link in net.links:
        data.records[link["id"]] = link
        data.rows[link["id"]] = link_row(net, link, in_force)
        for party in {link["subject"], link["object"]}:
            data.links_of.setdefault(party, []).append(link["id"])
        for source_id in link.get("sources") or ():
            data.cited_by.setdefault(source_id, ([], []))[0].append(link["id"])
    for actor in net.actors.values():
        for source_id in actor.get("sources") or ():
            data.cited_by.setdefault(source_id, ([], []))[1].append(actor["id"])
    if progress_bar is not None:
        progress_bar.update(1, "centrality ranks")
    data.ranks, data.ranked_actors, data.rank_basis = _ranks(net, seed)
    if progress_bar is not None:
        progress_bar.update(1, "coverage and frameworks")
    data.coverage = {entry["id"]: entry for entry in region_coverage(net)}
    data.frameworks = {entry["id"]: entry for entry in framework_summary(net)}
    return data


def _ranks(net, seed: int) -> tuple[dict, int, str]:
    """Each actor's rank by each of :data:`RANK_METRICS` on the actor graph, and the basis in words."""
    graph = net.cooperation_graph()
    n = graph.number_of_nodes()
    k = BETWEENNESS_SAMPLE if n > BETWEENNESS_EXACT_UP_TO else None
    scores = compute_centrality(graph, RANK_METRICS, k=k, seed=seed)
    ranks: dict = defaultdict(dict)
    for metric in RANK_METRICS:
        for rank, node, _value in ranked(scores[metric], metric):
            ranks[node][metric] = rank
    basis = (f"ranks among the {n} actors of the actor graph ({net.basis(graph)})"
             + (f"; betweenness sampled from {k} source actors (seed {seed})" if k else ""))
    return dict(ranks), n, basis


# ---------------------------------------------------------------------- one link, as a row
def link_row(net, link: dict, in_force: set) -> dict:
    """The display row of one link record: labels, state, grade and sources, with page paths."""
    vocab = load_vocabulary()
    evidence = link_evidence(link, net.sources)
    state = link_state(link, in_force)
    best = evidence["best"]
    return {
        "id": link["id"], "path": entity_path("link", link["id"]), "label": link.get("label"),
        "type": link["type"], "type_label": vocab.link_type_labels.get(link["type"], link["type"]),
        "family": link.get("family") or vocab.family_of(link["type"]) or "other",
        "subject": _party(net, link["subject"]), "object": _party(net, link["object"]),
        "role": link.get("role"), "start": link.get("start"), "end": link.get("end"),
        "status": link.get("status"), "status_label": vocab.status_labels.get(link.get("status") or "", "not given"),
        "state": state, "state_label": STATE_LABELS.get(state, state),
        "confidence": link.get("confidence"), "date_confidence": link.get("date_confidence"),
        "grade": best, "grade_label": (vocab.source_kind_labels.get(best, best) if best else "no graded source"),
        "rests_on": evidence["rests_on"], "date_basis": evidence["date"],
        "sources": [_source_ref(net, source_id) for source_id in link.get("sources") or ()],
    }


def _party(net, actor_id: str) -> dict:
    """An actor as a page names it: its label (also for one the filters left out) and, when kept, its page."""
    actor = net.actors.get(actor_id) or (getattr(net, "all_actors", None) or {}).get(actor_id) or {}
    return {"id": actor_id, "label": actor.get("label") or actor_id, "path": entity_path("actor", actor_id),
            "known": actor_id in net.actors}


def _source_ref(net, source_id: str) -> dict:
    source = net.sources.get(source_id) or {}
    return {"id": source_id, "title": source.get("title") or source_id, "path": entity_path("source", source_id),
            "known": source_id in net.sources}


# ---------------------------------------------------------------------- pages
def actor_page(data: SiteData, actor_id: str) -> dict:
    """An actor's page: names, codes, seat, links by family, frameworks, ranks, ego map data, citation."""
    net, vocab = data.net, load_vocabulary()
    actor = net.actors[actor_id]
    rows = [data.rows[link_id] for link_id in data.links_of.get(actor_id, ())]
    rows.sort(key=lambda r: (r["family"], r["type_label"], r["start"] or "", r["id"]))
    return {
        "actor": actor, "type_label": vocab.actor_type_labels.get(actor.get("type") or "", actor.get("type") or "actor"),
        "is_framework": vocab.is_framework_type(actor.get("type")),
        "codes": actor_codes(actor), "rows": rows, "frameworks": _frameworks_of(data, actor_id, rows),
        "ranks": [(RANK_NAMES[m], data.ranks.get(actor_id, {}).get(m)) for m in RANK_METRICS],
        "framework": data.frameworks.get(actor_id),
        "regions": [_region_ref(net, r) for r in actor.get("regions") or ()],
        "sources": [_source_ref(net, s) for s in actor.get("sources") or ()],
        "parent": _party(net, actor["parent"]) if actor.get("parent") else None,
        "ego": ego_neighbours(net, actor_id, rows),
        "iri": actor.get("iri") or ID_BASE + "actor/" + actor_id,
    }


def actor_codes(actor: dict) -> list[dict]:
    """The actor's outside codes, each with the page that defines it (http(s) only)."""
    codes = []
    if actor.get("iso2"):
        codes.append({"name": "ISO 3166-1 alpha-2", "value": actor["iso2"], "url": ISO_PAGE + actor["iso2"]})
    if actor.get("iso3"):
        codes.append({"name": "ISO 3166-1 alpha-3", "value": actor["iso3"], "url": None})
    if actor.get("wikidata"):
        codes.append({"name": "Wikidata", "value": actor["wikidata"], "url": WIKIDATA_PAGE + actor["wikidata"]})
    if actor.get("authority"):
        codes.append({"name": "EU authority", "value": actor["authority"].rsplit("/", 1)[-1],
                      "url": safe_url(actor["authority"])})
    return codes


def _frameworks_of(data: SiteData, actor_id: str, rows: list[dict]) -> list[dict]:
    """The frameworks the actor belongs to (membership links it is the subject of), with their state."""
    vocab = load_vocabulary()
    found = []
    for row in rows:
        other = row["object"]
        if (row["family"] == "membership" and row["subject"]["id"] == actor_id
                and vocab.is_framework_type((data.net.actors.get(other["id"]) or {}).get("type"))):
            found.append({**other, "type_label": row["type_label"], "state_label": row["state_label"],
                          "state": row["state"], "start": row["start"], "end": row["end"], "link": row["path"]})
    return sorted(found, key=lambda f: (f["label"].casefold(), f["start"] or ""))


def ego_neighbours(net, actor_id: str, rows: list[dict]) -> list[dict]:
    """The neighbours drawn on the ego map: the most linked first, then by label (at most :data:`EGO_NEIGHBOURS`)."""
    by_other: dict = {}
    for row in rows:
        other = row["object"] if row["subject"]["id"] == actor_id else row["subject"]
        if other["id"] != actor_id:
            by_other.setdefault(other["id"], (other, []))[1].append(row)
    neighbours = []
    for other, links in by_other.values():
        states = {r["state"] for r in links}
        state = "in_force" if "in_force" in states else "ended" if states == {"ended"} else "not_in_force"
        neighbours.append({"id": other["id"], "label": other["label"], "state": state, "count": len(links),
                           "kind": ", ".join(sorted({r["family"] for r in links}))})
    neighbours.sort(key=lambda n: (-n["count"], n["label"].casefold(), n["id"]))
    return neighbours[:EGO_NEIGHBOURS]


def _region_ref(net, region_id: str) -> dict:
    region = net.regions.get(region_id) or {}
    return {"id": region_id, "label": region.get("label") or region_id, "path": entity_path("region", region_id)}


def link_page(data: SiteData, link_id: str) -> dict:
    """A link's page: the record in full, with its note, instrument, money, coverage and sources."""
    net = data.net
    link = data.records[link_id]
    row = data.rows[link_id]
    sources = [{**_source_ref(net, s), "kind_label": _kind_label(net, s), "url": safe_url((net.sources.get(s) or {}).get("url"))}
               for s in link.get("sources") or ()]
    return {"link": link, "row": row, "sources": sources,
            "covers": [_party(net, a) for a in link.get("covers") or ()],
            "iri": link.get("iri") or ID_BASE + "link/" + link_id}


def _kind_label(net, source_id: str) -> str:
    kind = (net.sources.get(source_id) or {}).get("kind")
    return load_vocabulary().source_kind_labels.get(kind, kind) if kind else "ungraded"


def source_page(data: SiteData, source_id: str) -> dict:
    """A source's page: what it is, its URL, grade, and every link and actor citing it."""
    net = data.net
    source = net.sources[source_id]
    link_ids, actor_ids = data.cited_by.get(source_id, ([], []))
    return {"source": source, "url": safe_url(source.get("url")), "kind_label": _kind_label(net, source_id),
            "documentary": load_vocabulary().is_documentary(source.get("kind")),
            "rows": sorted((data.rows[i] for i in link_ids), key=lambda r: r["id"]),
            "actors": sorted((_party(net, a) for a in actor_ids), key=lambda p: (p["label"].casefold(), p["id"])),
            "iri": source.get("iri") or ID_BASE + "source/" + source_id}


def region_page(data: SiteData, region_id: str) -> dict:
    """A region's page: members, the coverage matrix (country × agency or framework) and white spots."""
    net = data.net
    region = net.regions[region_id]
    coverage = data.coverage.get(region_id)
    matrix = None
    if coverage is not None:
        agencies = list(coverage["agencies"])[:MATRIX_COLUMNS]  # Europol, Frontex, Eurojust first (coverage's order)
        targets = agencies + _widest_frameworks(coverage, MATRIX_COLUMNS - len(agencies))
        matrix = {"targets": [{**_party(net, t), "short": column_label(_party(net, t)["label"])} for t in targets],
                  "rows": [{"country": _party(net, c),
                            "cells": [_cell(coverage, c, t) for t in targets]} for c in coverage["countries"]],
                  "summary": [{"target": _party(net, t), **coverage["summary"][t]} for t in targets],
                  "white_spots": [(_party(net, c), _party(net, t)) for c, t in coverage["white_spots"]],
                  "hidden": len(coverage["agencies"]) + len(coverage["frameworks"]) - len(targets)}
    members = sorted((_party(net, m) for m in region.get("members") or ()), key=lambda p: (p["label"].casefold(), p["id"]))
    return {"region": region, "members": members, "matrix": matrix,
            "iri": region.get("iri") or ID_BASE + "region/" + region_id}


def column_label(label: str) -> str:
    """A matrix column's heading: the bracketed abbreviation of a long name, else the name cut short.

    >>> column_label("European Migration Network (EMN)"), column_label("Europol (European Union Agency for Law Enforcement Cooperation)")
    ('EMN', 'Europol')
    >>> column_label("Council of Europe Convention on Action against Trafficking in Human Beings (CETS 197)")
    'CETS 197'
    """
    match = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", label)
    head = match.group(1) if match else label
    if match and len(head) > 24 and len(match.group(2)) <= 24:
        return match.group(2)
    return shorten(short_label(label), 24)


def _widest_frameworks(coverage: dict, room: int) -> list:
    """The frameworks of a region's coverage tied (in force) to the most of its countries, at most *room*."""
    ranked = sorted(coverage["frameworks"], key=lambda f: (-coverage["summary"][f]["in_force"], f))
    return sorted(ranked[:max(room, 0)], key=coverage["frameworks"].index)


def _cell(coverage: dict, country: str, target: str) -> dict:
    tie = coverage["ties"].get((country, target))
    state = tie["state"] if tie else "none"
    return {"state": state, "label": STATE_LABELS.get(state, state),
            "links": [entity_path("link", i) for i in (tie["links"] if tie else ())],
            "types": ", ".join(tie["types"]) if tie else ""}


def home_page(data: SiteData, top: int = 10) -> dict:
    """The home page: counts, the regions, the most central actors."""
    net, vocab = data.net, load_vocabulary()
    by_type: defaultdict[str, int] = defaultdict(int)
    for actor in net.actors.values():
        by_type[actor.get("type") or "actor"] += 1
    central = sorted(((ranks.get("pagerank"), actor_id) for actor_id, ranks in data.ranks.items()
                      if ranks.get("pagerank") is not None), key=lambda r: (r[0], r[1]))[:top]
    return {"counts": {"actors": len(net.actors), "links": len(net.links), "sources": len(net.sources),
                       "regions": len(net.regions)},
            "by_type": sorted(((vocab.actor_type_labels.get(t, t), n) for t, n in by_type.items()),
                              key=lambda x: (-x[1], x[0])),
            "regions": [_region_ref(net, r) for r in net.regions],
            "central": [{**_party(net, a), "rank": rank} for rank, a in central],
            "documentary": sum(1 for r in data.rows.values() if r["rests_on"] == "documents")}
