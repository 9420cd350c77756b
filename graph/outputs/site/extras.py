"""The site's pages that are not about one record: named queries with their answers, the map, downloads."""

from __future__ import annotations

import json
from importlib import resources
from urllib.parse import quote

from thbkg.graph.errors import ThbkgError
from thbkg.graph.outputs.site.linked import compact_jsonld, jsonld_text, page_jsonld
from thbkg.graph.outputs.site.paths import ENTITY_KINDS, ID_BASE, entity_path
from thbkg.graph.outputs.text import csv_text

#: Rows of a query's answer shown on its page (the CSV and JSON downloads hold them all).
QUERY_ROWS_SHOWN = 100
#: Rows a query's downloads hold at most, and seconds a query may take, on a very large graph.
QUERY_MAX_ROWS = 100_000
QUERY_TIMEOUT = 60.0


# ---------------------------------------------------------------------- queries
def _cell(term) -> dict:
    """A query answer's cell: its text as ``thbkg query`` shows it, and the page of a record it names."""
    from rdflib import URIRef

    from thbkg.graph.outputs.results import display_term

    path = None
    if isinstance(term, URIRef) and str(term).startswith(ID_BASE):
        kind, _, rest = str(term)[len(ID_BASE):].partition("/")
        if kind in ENTITY_KINDS and rest and "/" not in rest:
            path = entity_path(kind, rest)
    return {"text": display_term(term), "path": path}


def _answer(source, query) -> tuple[object, str | None]:
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
    from thbkg.graph.outputs.results import format_json
    from thbkg.graph.store.catalogue import list_named_queries

    listed = []
    for query in list_named_queries():
        result, why_not = _answer(source, query)
        page = {"query": query, "why_not": why_not, "name": quote(query.name, safe="")}
        if result is not None:
            variables, rows = result.table()
            page.update(variables=variables, rows=[[_cell(t) for t in row] for row in rows[:QUERY_ROWS_SHOWN]],
                        total=len(rows), truncated=result.truncated, shown=min(len(rows), QUERY_ROWS_SHOWN))
            out.write(f"queries/{page['name']}.csv", csv_text(variables, ([c["text"] for c in map(_cell, row)]
                                                                          for row in rows), lineterminator="\r\n"))
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

    def add(path, text, what):
        out.write(path, text)
        downloads.append({"path": path, "what": what})

    _graph_files(source, add)
    _tables(source, add)
    from thbkg.graph.outputs.export import export_network

    add("data/thbkg.graphml", export_network(renderer.net, "graphml"), "GraphML (Gephi, yEd, Cytoscape): one edge per pair")
    add("data/thbkg.gexf", export_network(renderer.net, "gexf"), "GEXF (Gephi, with dates for its timeline)")
    notes = []
    if with_report:
        _report(renderer.net, seed, add)
    else:
        notes.append(f"The report is not included for a graph of {len(renderer.net.actors)} actors (it takes minutes); "
                     "write it with: thbkg report -o report.html")
    add("data/LICENSE.txt", _licence(), "Licence")
    renderer.render(out, "data", "data.html", title="Downloads", downloads=downloads, notes=notes,
                    jsonld=page_jsonld("Downloads", "WebPage"))


def _graph_files(source, add) -> None:
    import pyoxigraph

    from thbkg.graph.outputs.site.linked import instance_ntriples
    from thbkg.graph.outputs.text import escape_serialized_controls
    from thbkg.graph.rdf.build import ntriples_line_key, serialize_ntriples
    from thbkg.graph.rdf.namespaces import PREFIXES

    lines = [line for line in instance_ntriples(source).decode("utf-8").split("\n") if line.strip()]
    lines.sort(key=ntriples_line_key)
    ntriples = "".join(line + "\n" for line in lines)
    add("data/thbkg.nt", escape_serialized_controls(ntriples, "turtle"), "The graph in N-Triples (sorted)")
    add("data/thbkg.ttl", serialize_ntriples(ntriples, "turtle"), "The graph in Turtle")
    triples = [q.triple for q in pyoxigraph.parse(ntriples.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)]
    expanded = json.loads(pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.JSON_LD) or b"[]")
    add("data/thbkg.jsonld", jsonld_text(compact_jsonld(expanded, {p: str(ns) for p, ns in PREFIXES.items()})),
        "The graph in JSON-LD")
    for name in ("thbkg.ttl", "shapes.ttl"):
        add(f"data/ontology-{name}" if name == "thbkg.ttl" else f"data/{name}",
            (resources.files("thbkg.ontology") / name).read_bytes(),
            "The ontology" if name == "thbkg.ttl" else "The SHACL shapes")


def _tables(source, add) -> None:
    """Copy the CSV tables the graph was built from (none for a store or an endpoint)."""
    from thbkg.graph.rdf.tables import bundled_data_dir, use_bundled_default

    folders = []
    if getattr(source, "store", None) is None and getattr(source, "endpoint", None) is None:
        include = getattr(source, "include_bundled", None)
        if include is None:
            include = use_bundled_default()
        if include:
            folders.append(("bundled", bundled_data_dir()))
        folders += [(f"extra-{n}", d) for n, d in enumerate(getattr(source, "data_dirs", ()) or (), start=1)]
    for name, folder in folders:
        for table in sorted(folder.glob("*.csv") if hasattr(folder, "glob") else ()):
            add(f"data/tables/{name}/{table.name}", table.read_bytes(), f"Table {table.name} ({name})")


def _report(net, seed, add) -> None:
    from thbkg.graph.outputs.report import build_report, render

    report = build_report(net, seed=seed, generated=None, filters_text=net.filters.describe(),
                          source_text="the site's graph")
    add("data/report.html", render(report, "html"), "The analyst's report (HTML)")


def _licence() -> str:
    from importlib import metadata

    try:
        text = metadata.distribution("thbkg").read_text("LICENSE")
    except metadata.PackageNotFoundError:
        text = None
    return text or "thbkg is under the MIT licence (see LICENSE in its source distribution).\n"
