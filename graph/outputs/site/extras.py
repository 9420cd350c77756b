"""The site's pages that are not about one record: named queries with their answers, the map, downloads."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from thbkg.graph.errors import ThbkgError, UsageError
from thbkg.graph.io import temp_name
from thbkg.graph.outputs.site.linked import page_jsonld
from thbkg.graph.outputs.site.paths import ENTITY_KINDS, ID_BASE, entity_path
from thbkg.graph.outputs.text import csv_text

if TYPE_CHECKING:
    from thbkg.graph.store.query import QueryResult

#: Rows of a query's answer shown on its page (the CSV and JSON downloads hold them all).
QUERY_ROWS_SHOWN = 100
#: Rows a query's downloads hold at most, and seconds a query may take, on a very large graph.
QUERY_MAX_ROWS = 100_000
QUERY_TIMEOUT = 60.0
NTRIPLES = "data/thbkg.nt"
#: Above this many links the site leaves the GraphML and GEXF exports out (and says how to write them).
EXPORT_MAX_LINKS = 20_000


# ---------------------------------------------------------------------- queries
def _cell(term, has_page) -> dict:
    """A query answer's cell: its text as ``thbkg query`` shows it, and the page of a record it names
    (when the site has one: filters may leave the record out)."""
    from rdflib import URIRef

    from thbkg.graph.outputs.results import display_term

    path = None
    if isinstance(term, URIRef) and str(term).startswith(ID_BASE):
        kind, _, rest = str(term)[len(ID_BASE):].partition("/")
        if kind in ENTITY_KINDS and rest and "/" not in rest and has_page(kind, rest):
            path = entity_path(kind, rest)
    return {"text": display_term(term), "path": path}


def _answer(source, query) -> tuple[QueryResult | None, str | None]:
    """The query's result on *source*, or None and why not."""
    from thbkg.graph.store.query import QueryTimeout, run_query

    missing = [p.name for p in query.params if p.default is None]
    if missing:
        return None, f"needs a value for {', '.join(missing)}; run it with thbkg query -n {query.name} --param …"
    try:
        return run_query(source, query.text, {}, declared=query.params, timeout=QUERY_TIMEOUT,
                         max_rows=QUERY_MAX_ROWS), None
    except QueryTimeout:
        return None, f"took longer than {QUERY_TIMEOUT:.0f} s on this graph; run it with thbkg query -n {query.name}"
    except ThbkgError as exc:
        return None, f"could not run here: {exc}"


def write_queries(renderer, out, source) -> None:
    """``queries.html`` and, per named query, its page with the answer and CSV/JSON downloads."""
    from thbkg.graph.outputs.results import display_term, format_json
    from thbkg.graph.store.catalogue import list_named_queries

    listed = []
    for query in list_named_queries():
        result, why_not = _answer(source, query)
        page: dict[str, Any] = {"query": query, "why_not": why_not, "name": quote(query.name, safe="")}
        if result is not None:
            variables, rows = result.table()
            page.update(variables=variables, rows=[[_cell(t, renderer.has) for t in row] for row in rows[:QUERY_ROWS_SHOWN]],
                        total=len(rows), truncated=result.truncated, shown=min(len(rows), QUERY_ROWS_SHOWN))
            out.write(f"queries/{page['name']}.csv", csv_text(variables, ([display_term(t) for t in row] for row in rows),
                                                              lineterminator="\r\n"))
            out.write(f"queries/{page['name']}.json", format_json(result))
        listed.append(page)
        renderer.render(out, "query", f"queries/{page['name']}.html", title=f"Query: {query.summary or query.name}",
                        page=page, jsonld=page_jsonld(f"Query {query.name}", "WebPage"))
    renderer.render(out, "queries", "queries.html", title="Named queries", queries=listed,
                    jsonld=page_jsonld("Named queries", "CollectionPage"))


# ---------------------------------------------------------------------- map
def write_map(renderer, out, *, top: int, seed: int) -> None:
    """``map.html`` and its files under ``map/``; a click on an actor opens its page."""
    from thbkg.graph.outputs.maps.render import build_map, map_assets, render_page

    net = renderer.net
    kept = top if len(net.actors) > top else None
    data = build_map(net, top=kept, seed=seed, actor_page=lambda actor_id: entity_path("actor", actor_id))
    files = map_assets(data)
    for name, text in files.items():
        out.write(f"map/{name}", text)
    scripts = ["map/map-data.js", "map/vis-network.min.js"]
    if "topojson-client.min.js" in files:
        scripts.append("map/topojson-client.min.js")
    assets = {"css": "map/vis-network.min.css", "scripts": scripts, "app": "map/map-app.js",
              "jsonld": page_jsonld("Map of the cooperation network", "WebPage")}
    out.write("map.html", render_page(data, assets=assets, csp=renderer.context.map_csp))


# ---------------------------------------------------------------------- downloads
def write_data(renderer, out, source, *, with_report: bool, seed: int) -> None:
    """``data.html`` and the files under ``data/``: the graph, the tables, exports, report and licence."""
    downloads = []

    def add(path, text, what, *, path_written=None):
        if path is not None:
            out.write(path, text)
        downloads.append({"path": path or path_written, "what": what})

    _graph_files(out, add)
    _tables(source, add)
    from thbkg.graph.outputs.export import export_network

    notes = []
    if len(renderer.net.links) <= EXPORT_MAX_LINKS:
        add("data/thbkg.graphml", export_network(renderer.net, "graphml"),
            "GraphML (Gephi, yEd, Cytoscape): one edge per pair")
        add("data/thbkg.gexf", export_network(renderer.net, "gexf"), "GEXF (Gephi, with dates for its timeline)")
    else:
        notes.append(f"The GraphML and GEXF exports are not included for a graph of {len(renderer.net.links)} links "
                     f"(over {EXPORT_MAX_LINKS:,}, each is over 50 MB and takes many seconds); write them with: "
                     "thbkg export --format gexf -o thbkg.gexf")
    if with_report:
        _report(renderer.net, seed, add)
    else:
        notes.append(f"The report is not included for a graph of {len(renderer.net.actors)} actors (it takes minutes); "
                     "write it with: thbkg report -o report.html")
    add("data/LICENSE.txt", _licence(), "Licence")
    renderer.render(out, "data", "data.html", title="Downloads", downloads=downloads, notes=notes,
                    jsonld=page_jsonld("Downloads", "WebPage"))


def write_ntriples(lines: list[str], out) -> None:
    """``data/thbkg.nt``: the graph's data triples (sorted *lines*), control characters escaped.

    Written first, so that the Turtle and JSON-LD downloads are made from the file and the lines can go.
    """
    from thbkg.graph.outputs.text import escape_serialized_controls

    with out.open(NTRIPLES) as target:
        for start in range(0, len(lines), 50_000):
            text = "".join(line + "\n" for line in lines[start:start + 50_000])
            target.write(escape_serialized_controls(text, "turtle").encode("utf-8"))


def _graph_files(out, add) -> None:
    """The graph in Turtle and JSON-LD (from ``data/thbkg.nt``), and the ontology and shapes.

    Oxigraph reads the N-Triples file and writes each file itself, so no triple becomes a Python object.
    The whole graph's JSON-LD is Oxigraph's expanded form (full IRIs, no context); each entity's own
    ``.jsonld`` beside its page is compacted.
    """
    import pyoxigraph

    from thbkg.graph.outputs.text import escape_serialized_controls
    from thbkg.graph.rdf.build import stable_prefix_lines
    from thbkg.graph.rdf.namespaces import PREFIXES

    add(None, None, "The graph in N-Triples (sorted)", path_written=NTRIPLES)
    source = str(out.root / NTRIPLES)
    for name, fmt, what in (("thbkg.ttl", pyoxigraph.RdfFormat.TURTLE, "The graph in Turtle"),
                            ("thbkg.jsonld", pyoxigraph.RdfFormat.JSON_LD, "The graph in JSON-LD (expanded form)")):
        raw = out.root / "data" / temp_name(name)
        quads = pyoxigraph.parse(path=source, format=pyoxigraph.RdfFormat.N_TRIPLES)
        prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()} if fmt == pyoxigraph.RdfFormat.TURTLE else None
        pyoxigraph.serialize((quad.triple for quad in quads), output=str(raw), format=fmt, prefixes=prefixes)
        syntax = "turtle" if fmt == pyoxigraph.RdfFormat.TURTLE else "json"
        with open(raw, encoding="utf-8") as written, out.open(f"data/{name}") as target:
            first = True
            while chunk := written.read(1 << 22):  # control characters escaped, a chunk at a time
                if first and syntax == "turtle":
                    chunk, first = stable_prefix_lines(chunk), False
                target.write(escape_serialized_controls(chunk, syntax).encode("utf-8"))
        raw.unlink()
        add(None, None, what, path_written=f"data/{name}")
    for name in ("thbkg.ttl", "shapes.ttl"):
        add(f"data/ontology-{name}" if name == "thbkg.ttl" else f"data/{name}",
            (resources.files("thbkg.ontology") / name).read_bytes(),
            "The ontology" if name == "thbkg.ttl" else "The SHACL shapes")


def table_folders(source) -> list[tuple[str, Path]]:
    """``(name, folder)`` of each folder of CSV tables *source* builds the graph from (none for a store or
    an endpoint): ``bundled``, then ``extra-1``, ``extra-2``… for the ``--data`` folders."""
    from thbkg.graph.rdf.tables import bundled_data_dir, use_bundled_default

    if getattr(source, "store", None) is not None or getattr(source, "endpoint", None) is not None:
        return []
    include = getattr(source, "include_bundled", None)
    folders = [("bundled", bundled_data_dir())] if (use_bundled_default() if include is None else include) else []
    return folders + [(f"extra-{n}", Path(d)) for n, d in enumerate(getattr(source, "data_dirs", ()) or (), start=1)]


def _tables(source, add) -> None:
    """Copy the CSV tables the graph was built from."""
    for name, folder in table_folders(source):
        for table in sorted(p for p in Path(folder).glob("*.csv") if p.is_file()):
            add(f"data/tables/{name}/{table.name}", table.read_bytes(), f"Table {table.name} ({name})")


def _report(net, seed, add) -> None:
    from thbkg.graph.outputs.report import build_report, render

    report = build_report(net, seed=seed, generated=report_date(net), filters_text=net.filters.describe(),
                          source_text="the site's graph")
    add("data/report.html", render(report, "html"), "The analyst's report (HTML)")


def report_date(net):
    """The report's "today": ``SOURCE_DATE_EPOCH`` if set, else the last day the sources were read (their
    ``accessed`` dates), so that the same graph gives the same report whatever day the site is built."""
    import os

    from thbkg.graph.outputs.report import generated_at
    from thbkg.graph.rdf.dates import parse_period

    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        return generated_at(None)
    days = []
    for source in net.sources.values():
        accessed = (source.get("accessed") or "").strip()
        if not accessed or accessed.lower() == "today":
            continue
        try:
            days.append(parse_period(accessed)[1])
        except UsageError:  # a date the tables would not have let in: not a basis
            continue
    return generated_at(max(days).isoformat()) if days else generated_at(None)


def _licence() -> str:
    from importlib import metadata

    try:
        text = metadata.distribution("thbkg").read_text("LICENSE")
    except metadata.PackageNotFoundError:
        text = None
    return text or "thbkg is under the MIT licence (see LICENSE in its source distribution).\n"
