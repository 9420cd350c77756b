"""Render the pages of the site from the templates in ``templates/`` (autoescaped Jinja).

A :class:`Renderer` holds the page data (:class:`~thbkg.graph.outputs.site.model.SiteData`) and writes
each page kind: entity pages (:meth:`Renderer.write_entity`), lists and home (:meth:`Renderer.write_lists`),
the named queries with their answers (:meth:`Renderer.write_queries`), the map (:meth:`Renderer.write_map`)
and the downloads (:meth:`Renderer.write_data`). Long lists are cut into pages of
:data:`~thbkg.graph.outputs.site.paths.PAGE_ROWS` rows.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from thbkg.graph.analytics.coverage import STATE_LABELS
from thbkg.graph.network.names import initials, name_key
from thbkg.graph.outputs.site import model
from thbkg.graph.outputs.site.linked import page_jsonld
from thbkg.graph.outputs.site.paths import (
    ID_BASE,
    PAGE_ROWS,
    continuation_path,
    entity_path,
    list_path,
    pages_of,
    root_of,
)
from thbkg.graph.outputs.svg import ego_map
from thbkg.graph.outputs.text import short_label, template_environment
from thbkg.graph.rdf.build import actor_names
from thbkg.graph.rdf.vocab import load_vocabulary

#: Members, white spots and citing actors listed in full on a page; longer lists say how many more.
MEMBER_LIMIT = PAGE_ROWS


@dataclass
class Context:
    """What every page shows in its frame."""

    graph_version: str
    version: str
    csp: str
    map_csp: str


@dataclass
class Paging:
    """One page of a long list: its rows' range and the links to the other pages."""

    page: int
    pages: int
    total: int
    per_page: int
    links: list

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)


def paging(total: int, page: int, path_of) -> Paging:
    """The pager of page *page* of *total* rows; *path_of(n)* is the site path of page n.

    Links go to the first and last pages and to two pages either side of this one, with ``None``
    for a gap.

    >>> [n for n, _ in paging(2000, 5, str).links]
    [1, None, 3, 4, 5, 6, 7, None, 10]
    """
    pages = pages_of(total)
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links: list = []
    for n in shown:
        if links and links[-1][0] is not None and n > links[-1][0] + 1:
            links.append((None, None))
        links.append((n, path_of(n)))
    return Paging(page=page, pages=pages, total=total, per_page=PAGE_ROWS, links=links)


def _slices(rows: list):
    """``(page number, rows of that page)`` for each page of *rows* (one empty page for no rows)."""
    for n in range(1, pages_of(len(rows)) + 1):
        yield n, rows[(n - 1) * PAGE_ROWS:n * PAGE_ROWS]


class Renderer:
    """Writes the pages of one site (see the module docstring)."""

    def __init__(self, data: model.SiteData, context: Context):
        self.data = data
        self.net = data.net
        self.context = context
        self.env = template_environment("thbkg.graph.outputs.site")
        self.templates = {name: self.env.get_template(f"{name}.html")
                          for name in ("actor", "link", "source", "region", "home", "list", "queries", "query", "data")}
        documentary = sum(1 for r in data.rows.values() if r["rests_on"] == "documents")
        filters = self.net.filters.describe() if getattr(self.net, "filters", None) is not None else "none"
        #: what the pages leave out; the queries and downloads are of the whole graph
        self.filters_text = "" if filters == "none" else filters
        self.counts_line = (f"{len(self.net.actors)} actors, {len(self.net.links)} links "
                            f"({documentary} on documents read), {len(self.net.sources)} sources")

    # -------------------------------------------------------------- frame
    def _render(self, out, name: str, path: str, *, title: str, jsonld: dict, alternates=None, **values) -> None:
        html = self.templates[name].render(
            root=root_of(path), title=title, jsonld=jsonld, alternates=alternates, csp=Markup(self.context.csp),
            version=self.context.version, graph_version=self.context.graph_version, counts_line=self.counts_line,
            rank_basis=self.data.rank_basis, ranked_actors=self.data.ranked_actors, state_labels=STATE_LABELS,
            member_limit=MEMBER_LIMIT, filters_text=self.filters_text, **values)
        out.write(path, html)

    def has(self, kind: str, record_id: str) -> bool:
        return record_id in self._records(kind)

    def ids(self, kind: str):
        return list(self._records(kind))

    def _records(self, kind: str) -> dict:
        return {"actor": self.net.actors, "link": self.data.rows, "source": self.net.sources,
                "region": self.net.regions}[kind]

    # -------------------------------------------------------------- entity pages
    def write_entity(self, out, kind: str, record_id: str, jsonld: dict | None) -> None:
        """Write the page(s) of one record; *jsonld* is its own description (None: a minimal one)."""
        alternates = None
        if jsonld is None:
            jsonld = {"@id": f"{ID_BASE}{kind}/{record_id}"}
        else:
            base = Path(entity_path(kind, record_id)).stem
            alternates = {"ttl": f"{base}.ttl", "jsonld": f"{base}.jsonld"}
        getattr(self, f"_{kind}")(out, record_id, jsonld, alternates)

    def _continuations(self, out, kind, record_id, name, rows, write_page) -> None:
        """Call *write_page(path, paging, rows, continuation)* for each page of *rows*."""
        for n, chunk in _slices(rows):
            path = continuation_path(kind, record_id, name, n)
            write_page(path, paging(len(rows), n, lambda m: continuation_path(kind, record_id, name, m)), chunk, n > 1)

    def _actor(self, out, actor_id, jsonld, alternates) -> None:
        page = model.actor_page(self.data, actor_id)
        label = page["actor"]["label"]
        svg = Markup(ego_map({"id": actor_id, "label": short_label(label)}, page["ego"], title=f"Closest ties of {label}",
                             link_prefix="./"))

        def write_page(path, pager, rows, continuation):
            groups = [(family, list(group)) for family, group in itertools.groupby(rows, key=lambda r: r["family"])]
            title = label if not continuation else f"{label}: links, page {pager.page}"
            self._render(out, "actor", path, title=title, page=page, groups=groups, paging=pager,
                         continuation=continuation, ego_svg=svg,
                         jsonld=jsonld if not continuation else page_jsonld(title),
                         alternates=alternates if not continuation else None)

        self._continuations(out, "actor", actor_id, "links", page["rows"], write_page)

    def _link(self, out, link_id, jsonld, alternates) -> None:
        page = model.link_page(self.data, link_id)
        row = page["row"]
        title = f"{row['type_label']}: {row['subject']['label']} → {row['object']['label']}"
        self._render(out, "link", entity_path("link", link_id), title=title, page=page, jsonld=jsonld,
                     alternates=alternates)

    def _source(self, out, source_id, jsonld, alternates) -> None:
        page = model.source_page(self.data, source_id)
        heading = f"Source: {page['source'].get('title') or source_id}"

        def write_page(path, pager, rows, continuation):
            title = heading if not continuation else f"{heading}, page {pager.page}"
            self._render(out, "source", path, title=title, page=page, rows=rows, paging=pager,
                         continuation=continuation, jsonld=jsonld if not continuation else page_jsonld(title),
                         alternates=alternates if not continuation else None)

        self._continuations(out, "source", source_id, "cited", page["rows"], write_page)

    def _region(self, out, region_id, jsonld, alternates) -> None:
        page = model.region_page(self.data, region_id)
        heading = f"Region: {page['region']['label']}"
        rows = page["matrix"]["rows"] if page["matrix"] else []

        def write_page(path, pager, chunk, continuation):
            title = heading if not continuation else f"{heading}, coverage page {pager.page}"
            self._render(out, "region", path, title=title, page=page, rows=chunk, paging=pager,
                         continuation=continuation, jsonld=jsonld if not continuation else page_jsonld(title),
                         alternates=alternates if not continuation else None)

        self._continuations(out, "region", region_id, "coverage", rows, write_page)

    # -------------------------------------------------------------- home and lists
    def write_lists(self, out) -> None:
        """The home page and the lists of actors, frameworks, regions, sources and links."""
        home = model.home_page(self.data)
        share = f"{100 * home['documentary'] / home['counts']['links']:.1f}%" if home["counts"]["links"] else "n/a"
        self._render(out, "home", "index.html", title="Cooperation against trafficking in human beings",
                     page=home, documentary_share=share,
                     jsonld=page_jsonld("thbkg: cooperation against trafficking in human beings", "Dataset",
                                        description=("A sourced knowledge graph of the institutions and agreements of "
                                                     "international cooperation against trafficking in human beings."),
                                        distribution=[{"@type": "schema:DataDownload", "schema:contentUrl": url,
                                                       "schema:encodingFormat": media}
                                                      for url, media in (("data/thbkg.ttl", "text/turtle"),
                                                                         ("data/thbkg.nt", "application/n-triples"),
                                                                         ("data/thbkg.jsonld", "application/ld+json"))]))
        for name, heading, intro, columns, rows in self._lists():
            self._write_list(out, name, heading, intro, columns, rows)

    def _write_list(self, out, name, heading, intro, columns, rows) -> None:
        for n, chunk in _slices(rows):
            pager = paging(len(rows), n, lambda m: list_path(name, m))
            title = heading if n == 1 else f"{heading}, page {n}"
            self._render(out, "list", list_path(name, n), title=title, heading=heading, intro=intro,
                         columns=columns, rows=chunk, paging=pager, jsonld=page_jsonld(title, "CollectionPage"))

    def _lists(self):
        vocab, net, data = load_vocabulary(), self.net, self.data

        def cell(text, path=None):
            return {"text": text, "path": path}

        def actor_row(a):
            return [cell(a["label"], entity_path("actor", a["id"])),
                    cell(vocab.actor_type_labels.get(a.get("type") or "", a.get("type") or "")),
                    cell(str(len(data.links_of.get(a["id"], ()))))]

        actors = sorted(net.actors.values(), key=lambda a: (a["label"].casefold(), a["id"]))
        frameworks = [a for a in actors if vocab.is_framework_type(a.get("type"))]
        yield ("actors", "Actors", "Every actor of the graph, by name.", ["Actor", "Type", "Link records"],
               [actor_row(a) for a in actors])
        yield ("frameworks", "Frameworks and treaties",
               "Regional processes, networks, platforms, programmes and treaties: actors belong to them.",
               ["Framework", "Type", "Link records"], [actor_row(a) for a in frameworks])
        yield ("regions", "Priority regions", None, ["Region", "Members"],
               [[cell(r["label"], entity_path("region", r["id"])), cell(str(len(r.get("members") or ())))]
                for r in net.regions.values()])
        yield ("sources", "Sources", "Every source a record cites, with its evidence grade.",
               ["Source", "Grade", "Publisher", "Links citing it"],
               [[cell(s.get("title") or s["id"], entity_path("source", s["id"])),
                 cell(vocab.source_kind_labels.get(s.get("kind") or "", "ungraded")), cell(s.get("publisher") or ""),
                 cell(str(len(data.cited_by.get(s["id"], ((), ()))[0])))]
                for s in sorted(net.sources.values(), key=lambda s: ((s.get("title") or s["id"]).casefold(), s["id"]))])
        yield ("links", "Link records", "Every link record, by id.", ["Record", "Type", "Subject", "Object", "Start", "State"],
               [[cell(r["id"], r["path"]), cell(r["type_label"]), cell(r["subject"]["label"], r["subject"]["path"]),
                 cell(r["object"]["label"], r["object"]["path"]), cell(r["start"] or "unknown"), cell(r["state_label"])]
                for r in sorted(data.rows.values(), key=lambda r: r["id"])])

    # -------------------------------------------------------------- search
    def search_index(self) -> str:
        """``static/search-index.js``: every actor and region with the names it is found by (:func:`name_key` form)."""
        vocab = load_vocabulary()
        entries = []
        for actor in sorted(self.net.actors.values(), key=lambda a: a["id"]):
            names = {*actor_names(actor["label"]), *(actor.get("aliases") or ()), actor["id"]}
            names |= {actor[k] for k in ("iso2", "iso3", "wikidata") if actor.get(k)}
            names |= {i for n in list(names) if (i := initials(n))}
            entries.append([actor["label"], entity_path("actor", actor["id"]),
                            vocab.actor_type_labels.get(actor.get("type") or "", "actor"),
                            sorted({name_key(n) for n in names})])
        for region in self.net.regions.values():
            entries.append([region["label"], entity_path("region", region["id"]), "region",
                            sorted({name_key(region["label"]), name_key(region["id"])})])
        return "window.THBKG_SEARCH = " + json.dumps(entries, ensure_ascii=True, separators=(",", ":")) + ";\n"

    # -------------------------------------------------------------- queries, map, downloads
    def write_queries(self, out, source) -> None:
        from thbkg.graph.outputs.site.extras import write_queries

        write_queries(self, out, source)

    def write_map(self, out, *, top: int, seed: int) -> None:
        from thbkg.graph.outputs.site.extras import write_map

        write_map(self, out, top=top, seed=seed)

    def write_data(self, out, source, *, with_report: bool, seed: int) -> None:
        from thbkg.graph.outputs.site.extras import write_data

        write_data(self, out, source, with_report=with_report, seed=seed)

    def render(self, out, name, path, **values) -> None:
        """Render template *name* to *path* (for :mod:`thbkg.graph.outputs.site.extras`)."""
        self._render(out, name, path, **values)
