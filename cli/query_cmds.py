"""``thbkg query``, ``thbkg queries``, ``thbkg push``, ``thbkg serve`` and ``thbkg synth``.

Only click and the stdlib at module top: rdflib and the graph modules load inside the commands.
"""

from __future__ import annotations

import sys

import click

from thbkg.cli.options import (
    follow_symlinks_option,
    format_option,
    graph_source_options,
    no_bundled_option,
    no_cache_option,
    output_option,
)

# the same list as thbkg.graph.outputs.results.FORMATS (kept here so --help imports nothing heavy)
QUERY_FORMATS = ("table", "csv", "tsv", "json", "md", "turtle", "nt", "jsonld")
_SETTINGS = {"max_content_width": 100}


@click.command(context_settings=_SETTINGS)
@click.argument("query_text", metavar="[QUERY]", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"), default=None,
              metavar="FILE.rq", help="Read the query from this file ('-' for standard input).")
@click.option("-n", "--name", "query_name", default=None, metavar="NAME",
              help="Run a named query of the library (see 'thbkg queries').")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind ?KEY to VALUE, as an RDF term typed by the query's '# param:' header (an "
                   "actor id, a <IRI>, a prefixed name, a date, a number or a string). Repeatable. "
                   "Values are bound with VALUES, never pasted into the query text.")
@format_option(QUERY_FORMATS, None)
@graph_source_options
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="S",
              help="Stop the query after S seconds with a message (exit status 1). Without it, Ctrl-C "
                   "stops a long query (exit status 130).")
@click.option("--allow-service", is_flag=True, default=False,
              help="Let SERVICE clauses send requests to other SPARQL servers (refused by default: "
                   "queries stay local). Such a query stops after --timeout, 30 s by default.")
@click.option("--max-rows", type=click.IntRange(min=0), default=100_000, show_default=True, metavar="N",
              help="Show at most N rows (CONSTRUCT: triples); a note says when there were more. "
                   "0 shows all.")
@output_option()
def query(query_text, query_file, query_name, params, fmt, source, timeout, allow_service, max_rows, output):
    """Run a read-only SPARQL query on the graph.

    Give the query as text, as a file (-f) or by the name of a query in the library (-n). SELECT
    and ASK print an aligned table by default (IRIs as prefixed names, long cells cut with "…");
    csv, tsv and json follow the SPARQL 1.1 Query Results formats. CONSTRUCT and DESCRIBE print
    Turtle by default (also nt, jsonld, or their triples as rows in the other formats).

    thbkg's prefixes (thb:, thbid:, org:, prov:, dct:, skos:, rdfs:, xsd: …) are declared for you.

    Queries stay on this machine: a SERVICE clause (a call to another server) is refused unless
    --allow-service is given. Huge answers are cut at --max-rows, with a note on stderr.

    Exit status: 0 on success, 1 on errors (e.g. --timeout reached, endpoint unreachable), 2 on
    usage errors: a SPARQL syntax error (with line and column), an update (INSERT, DELETE, DROP…:
    the query is read-only), a SERVICE without --allow-service, a bad --param; 130 on Ctrl-C.

    \b
    Examples:
      thbkg query -n agency_partners --param agency=frontex
      thbkg query -n region_agreement_gaps --param region=sahel --format md
      thbkg query 'SELECT ?a ?label WHERE { ?a a thb:EUAgency ; rdfs:label ?label }'
      thbkg query -f my.rq --format json -o answer.json
      thbkg query -n links_started_between --param from=2016 --param to=2018-12-31 --store graph-db/
      thbkg query -n agency_partners --endpoint http://127.0.0.1:7878/query --timeout 30
    """
    from thbkg.graph.errors import UsageError
    from thbkg.graph.io import atomic_write
    from thbkg.graph.outputs.results import format_result
    from thbkg.graph.store.catalogue import named_query, parse_header
    from thbkg.graph.store.query import parse_param_pairs, run_query

    given = [x for x in (query_text, query_file, query_name) if x is not None]
    if len(given) != 1:
        raise UsageError("give exactly one query: QUERY text, -f FILE.rq or -n NAME "
                         "('thbkg queries' lists the names)")
    declared = ()
    if query_name is not None:
        named = named_query(query_name)
        text, declared = named.text, named.params
    elif query_file is not None:
        text = query_file.read()
        declared = parse_header(text, where=getattr(query_file, "name", "query"))[2]
    else:
        text = query_text
    if timeout and source.endpoint:
        from thbkg.graph.store.source import http_timeout

        source.http_timeout = max(timeout, http_timeout())  # a slow endpoint gets the time asked for
    result = run_query(source, text, parse_param_pairs(params), declared=declared, timeout=timeout,
                       allow_service=allow_service, max_rows=max_rows or None, resolve_name=_name_resolver(source))
    atomic_write(output, format_result(result, fmt))
    if result.truncated:
        what = "triples" if result.graph is not None else "rows"
        click.echo(f"Note: the answer has more than {max_rows} {what}; only the first {max_rows} are "
                   "written. Add LIMIT/OFFSET to the query, or raise --max-rows (0 writes all).", err=True)


def _name_resolver(source):
    """A name resolver for *source* that imports the network layer (and networkx) only when a
    parameter is given as a name."""
    resolvers: list = []

    def resolve(type_, text):
        if not resolvers:
            from thbkg.graph.network.projections import name_resolver

            resolvers.append(name_resolver(source))
        return resolvers[0](type_, text)

    return resolve


@click.group(invoke_without_command=True, context_settings=_SETTINGS)
@format_option(("table", "csv", "json", "md"), "table")
@output_option()
@click.pass_context
def queries(ctx, fmt, output):
    """List the named queries (one line each); 'thbkg queries show NAME' prints one.

    Run one with 'thbkg query -n NAME [--param key=value]...'.

    \b
    Examples:
      thbkg queries
      thbkg queries show region_agreement_gaps
      thbkg queries --format json
    """
    if ctx.invoked_subcommand is not None:
        return
    from thbkg.graph.io import atomic_write
    from thbkg.graph.outputs.results import format_query_list
    from thbkg.graph.store.catalogue import list_named_queries

    text = format_query_list(list_named_queries(), fmt)
    atomic_write(output, text)


@queries.command("show", context_settings=_SETTINGS)
@click.argument("name")
def queries_show(name):
    """Print the named query NAME (header and SPARQL)."""
    from thbkg.graph.store.catalogue import named_query

    click.echo(named_query(name).text, nl=False)


@click.command(context_settings=_SETTINGS)
@click.option("--endpoint", required=True, metavar="URL",
              help="Where to upload: an Oxigraph server's base URL (e.g. http://127.0.0.1:7878, "
                   "'/store' is added; a …/query or …/update URL is mapped to …/store too), or any "
                   "SPARQL 1.1 Graph Store Protocol URL, used as given (Fuseki …/ds/data, GraphDB "
                   "…/repositories/ID/rdf-graphs/service).")
@click.option("--graph", "graph_iri", default=None, metavar="IRI",
              help="Upload into this named graph (default: the server's default graph).")
@click.option("--replace", is_flag=True, default=False,
              help="Replace the graph's content (HTTP PUT) instead of adding to it (POST); pushing "
                   "twice with --replace leaves the same triples.")
@click.option("--data", "data_dirs", multiple=True,
              type=click.Path(exists=True, file_okay=False, dir_okay=True),
              help="Extra data folder merged with the bundled tables. Repeatable.")
@no_bundled_option
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              metavar="S", help="Connect and read timeout of each HTTP request, in seconds.")
@click.option("--retries", type=click.IntRange(min=0, max=10), default=4, show_default=True,
              help="Retries (with exponential backoff) after HTTP 5xx answers and timeouts.")
@click.option("--query-endpoint", default=None, metavar="URL",
              help="SPARQL query endpoint used to check the upload (default: the /query of an Oxigraph "
                   "server; other servers are not checked unless it is given).")
@click.option("--no-verify", is_flag=True, default=False,
              help="Do not check afterwards that the server holds what was sent.")
def push(endpoint, graph_iri, replace, data_dirs, no_bundled, timeout, retries, query_endpoint, no_verify):
    """Upload the graph (data + ontology) to a SPARQL server (Graph Store HTTP Protocol).

    Sends N-Triples with POST (add) or PUT (--replace) to the default graph or to ?graph=IRI,
    then counts the graph through the server's SPARQL query endpoint and fails unless it holds
    what was sent. Connection errors and HTTP 4xx/5xx answers are reported with the server's own
    message; 5xx answers and timeouts are retried with exponential backoff. A redirect is an error
    naming where it points (it is never followed: the data would not be sent again).

    \b
    Examples:
      oxigraph serve --location srv-db --bind 127.0.0.1:7878 &
      thbkg push --endpoint http://127.0.0.1:7878 --replace
      thbkg query -n agency_partners --endpoint http://127.0.0.1:7878/query
      thbkg push --endpoint http://fuseki:3030/thb/data --graph https://w3id.org/thbkg/graph --replace
    """
    from thbkg.graph.progress import progress
    from thbkg.graph.store.push import push_graph
    from thbkg.graph.store.source import built_ntriples

    with progress(None, "push") as bar:
        bar.set_item("reading the tables and writing N-Triples")
        data = built_ntriples(data_dirs, include_bundled=False if no_bundled else None)
    report = push_graph(endpoint, data, graph_iri=graph_iri, replace=replace, timeout=timeout,
                        retries=retries, log=lambda msg: click.echo(msg, err=True),
                        query_endpoint=query_endpoint, verify=not no_verify)
    target = f"graph <{graph_iri}>" if graph_iri else "the default graph"
    verb = "replaced" if replace else "added to"
    if report["found"] is not None:
        checked = f" Checked through {report['query_url']}: {target} holds {report['found']} triples."
    else:
        checked = (" Not checked (--no-verify)." if no_verify else
                   " Not checked: give the server's SPARQL query endpoint with --query-endpoint to check.")
    click.echo(f"Sent {report['triples']} triples to {report['url']} ({verb} {target}; HTTP "
               f"{report['status']}, {report['seconds']:.1f} s, {report['attempts']} attempt"
               f"{'s' if report['attempts'] != 1 else ''}).{checked}")


@click.command(context_settings=_SETTINGS)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback exposes the graph to the network "
                   "(a warning is printed).")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="TCP port.")
@click.option("--store", "store_dir", default=None, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, dir_okay=True),
              help="Serve this persistent store (written by 'thbkg build --store DIR'). Default: the "
                   "store cache's store of the tables (built on first use); with --no-cache, a temporary "
                   "store built from the tables, removed on exit.")
@click.option("--data", "data_dirs", multiple=True,
              type=click.Path(exists=True, file_okay=False, dir_okay=True),
              help="Extra data folder merged with the bundled tables (ignored with --store). Repeatable.")
@no_bundled_option
@click.option("--timeout", "query_timeout", type=click.IntRange(min=1), default=30, show_default=True,
              metavar="S", help="Stop each SPARQL query after S seconds (HTTP 504 with a message).")
@click.option("--max-result-mb", type=click.IntRange(min=1), default=64, show_default=True, metavar="MB",
              help="Refuse answers larger than MB megabytes (HTTP 413 with a message).")
@click.option("--allow-service", is_flag=True, default=False,
              help="Let queries with SERVICE make the server send requests to other servers (refused "
                   "by default, so that clients cannot use it to reach other addresses).")
@no_cache_option
def serve(host, port, store_dir, data_dirs, no_bundled, query_timeout, max_result_mb, allow_service, no_cache):
    """Serve the graph read-only over HTTP with the real Oxigraph SPARQL server.

    Runs 'oxigraph serve-read-only' (from the 'oxigraph' Python package) on a store holding the
    graph, behind a small guard that refuses SERVICE (no requests to other servers on a client's
    behalf), stops queries after --timeout and refuses answers over --max-result-mb. Prints the
    SPARQL query endpoint URL and the URL of Oxigraph's query page, and runs until Ctrl-C, SIGTERM
    or SIGHUP, then stops the server (and removes the store if it built a temporary one). Updates are
    refused.

    \b
    Examples:
      thbkg serve
      thbkg build --store graph-db/ && thbkg serve --store graph-db/ --port 8000
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 3' \\
           http://127.0.0.1:7878/query
    """
    from thbkg.graph.store.server import serve_graph

    code = serve_graph(host=host, port=port, store_dir=store_dir, data_dirs=data_dirs,
                       include_bundled=False if no_bundled else None, query_timeout=query_timeout,
                       max_result_mb=max_result_mb, allow_service=allow_service, use_cache=not no_cache,
                       echo=lambda msg, err=False: click.echo(msg, err=err))
    sys.exit(code)


@click.command(context_settings=_SETTINGS)
@click.option("--actors", type=click.IntRange(min=10), default=1000, show_default=True,
              help="Number of actors.")
@click.option("--links", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Number of links.")
@click.option("--seed", type=int, default=42, show_default=True,
              help="Random seed, so the same command writes the same tables.")
@follow_symlinks_option
@click.option("-o", "--output", required=True, metavar="DIR",
              type=click.Path(file_okay=False, dir_okay=True),
              help="Folder to write the tables into (created if needed; existing tables are replaced).")
def synth(actors, links, seed, output):
    """Write a synthetic dataset in the table format of data/, to measure growth.

    Realistic in shape, not in content: mostly countries with a few agencies and frameworks,
    a few hubs (preferential attachment), link types that fit the actor types, dates 1995–2026
    (some ended), Zipf-shared sources, a mix of confidence, priority regions. Every id starts with
    'syn-' and every source says it is synthetic. Use it without the bundled tables:

    \b
    Examples:
      thbkg synth --actors 2000 --links 20000 --seed 1 -o synth/
      thbkg validate --no-bundled --data synth/
      THBKG_NO_BUNDLED=1 thbkg query -n most_connected_actors --data synth/
      thbkg build --no-bundled --data synth/ --store synth-db/
    """
    from thbkg.graph.rdf.synth import write_synthetic

    counts = write_synthetic(output, actors=actors, links=links, seed=seed)
    click.echo("Wrote " + ", ".join(f"{n} {name}" for name, n in counts.items()) + f" to {output}")
