"""``thbkg build``, ``thbkg validate`` and ``thbkg stats``. Only click and the stdlib at module top."""

from __future__ import annotations

import time

import click

from thbkg.cli.options import format_option, graph_source_options, no_cache_option, output_option

_DATA_HELP = "Extra data folder (same tables as data/) merged with the bundled tables. Repeatable."
_NO_BUNDLED_HELP = ("Leave the bundled tables out and read only the --data folders "
                    "(same as setting THBKG_NO_BUNDLED=1).")


def _data_options(func):
    func = click.option("--no-bundled", is_flag=True, default=False, help=_NO_BUNDLED_HELP)(func)
    return click.option("--data", "data_dirs", multiple=True, metavar="DIR",
                        type=click.Path(exists=True, file_okay=False, dir_okay=True), help=_DATA_HELP)(func)


def _bundled(no_bundled):
    """None lets the library decide (THBKG_NO_BUNDLED), False leaves the bundled tables out."""
    return False if no_bundled else None


@click.command(context_settings={"max_content_width": 100})
@_data_options
@output_option()
@format_option(("turtle", "nt", "jsonld", "trig"), "turtle")
@click.option("--with-ontology", is_flag=True, help="Include the ontology (classes, properties, concept "
                                                    "schemes) in the output.")
@click.option("--store", "store_dir", default=None, metavar="DIR",
              type=click.Path(file_okay=False, dir_okay=True),
              help="Write a persistent Oxigraph store (data + ontology) to DIR, for '--store DIR' "
                   "on the other commands; RDF then goes to -o only when -o is given. An existing "
                   "store there is replaced atomically.")
@click.pass_context
def build(ctx, data_dirs, no_bundled, output, fmt, with_ontology, store_dir):
    """Build the RDF graph from the bundled tables (plus any --data folders).

    The tables are checked first; any problem stops the build with one line per problem. The
    output is deterministic (same tables, same bytes) and written atomically: a failed build
    leaves an existing output file untouched.

    \b
    Examples:
      thbkg build -o thbkg.ttl
      thbkg build --format nt -o - | wc -l
      thbkg build --data my-extra-tables/ --with-ontology --format jsonld -o thbkg.jsonld
      thbkg build --store graph-db/ && thbkg stats --store graph-db/
      thbkg build --no-bundled --data my-tables/ -o mine.ttl
    """
    from thbkg.graph.store.builder import run_build

    started = time.perf_counter()
    # with --store and no -o, write no RDF to the terminal
    if store_dir and ctx.get_parameter_source("output") == click.core.ParameterSource.DEFAULT:
        output = None
    summary = run_build(data_dirs, include_bundled=_bundled(no_bundled), output=output, fmt=fmt,
                        with_ontology=with_ontology, store_dir=store_dir)
    elapsed = time.perf_counter() - started
    where = "" if output in ("-", None) else f" to {output}"
    stored = summary["store"]
    extra = f"; store {stored['path']} ({stored['triples']} triples with the ontology)" if stored else ""
    click.echo(f"Built {summary['triples']} triples ({summary['actors']} actors, {summary['links']} links) "
               f"in {elapsed:.2f} s{where}{extra}", err=True)


@click.command(context_settings={"max_content_width": 100})
@_data_options
@format_option(("text", "json", "csv"), "text")
@output_option(help_text="Write the json/csv result to FILE ('-' for standard output).")
@click.option("--strict", is_flag=True, default=False,
              help="Also fail on every link without a documentary source: its sources are only general "
                   "knowledge or memory (sources.csv kind), or have no kind. One line per link, with the fix. "
                   "Without --strict they are counted in one warning line (listed in --format json).")
@click.option("--engine", type=click.Choice(["sparql", "pyshacl"]), default="sparql", show_default=True,
              help="SHACL engine. sparql: one generated SPARQL query per constraint on the Oxigraph store "
                   "(5x faster than pyshacl at 10,000 actors, docs/benchmarks.md). pyshacl: pySHACL, the "
                   "reference implementation. Both report the same problems.")
@no_cache_option
@click.pass_context
def validate(ctx, data_dirs, no_bundled, fmt, output, strict, engine, no_cache):
    """Check the tables, then the SHACL shapes on the built graph.

    text: one line per problem on stderr (file:line: column: what is wrong and how to fix it),
    then the number of problems; "OK: ..." on stdout when valid. json: {"valid", "problems":
    [{file, line, column, message}], "warnings", "summary"}. csv: file,line,column,message, one
    row per problem. Exit status in every format: 0 valid, 1 invalid, 2 usage error.

    Links whose sources are all placeholders (general knowledge, memory) are a warning; with
    --strict each is a problem. The bundled data still has such links, so it passes plain
    'thbkg validate' and fails 'thbkg validate --strict'.

    \b
    Examples:
      thbkg validate
      thbkg validate --data my-extra-tables/
      thbkg validate --no-bundled --data my-tables/ --strict
      thbkg validate --format json -o validation.json
      thbkg validate --engine pyshacl
    """
    from thbkg.graph.io import atomic_write
    from thbkg.graph.outputs.text import terminal_safe
    from thbkg.graph.outputs.validation import format_validation, validation_warnings
    from thbkg.graph.store.validation import validate_tables

    report = validate_tables(data_dirs, include_bundled=_bundled(no_bundled), strict=strict, engine=engine,
                             use_cache=False if no_cache else None)
    if fmt != "json":
        for warning in validation_warnings(report):
            click.echo(terminal_safe(f"warning: {warning}"), err=True)
    if fmt == "text":
        if report.problems:
            click.echo(format_validation(report, "text"), err=True, nl=False)  # lines, then the count
            ctx.exit(1)
        atomic_write(output, report.summary() + "\n")
        return
    atomic_write(output, format_validation(report, fmt))
    if report.problems:
        click.echo(report.summary(), err=True)
        ctx.exit(1)


@click.command(context_settings={"max_content_width": 100})
@graph_source_options
@click.option("--no-bundled", is_flag=True, default=False, help=_NO_BUNDLED_HELP)
@format_option(("table", "md", "json", "csv"), "table")
@output_option()
def stats(source, no_bundled, fmt, output):
    """Count actors by type; links by type, status and confidence; sources and evidence grades.

    Evidence: the share of links that cite a source, and apart from it the share with a
    documentary source (a source of kind official_text, official_page or secondary, the documents
    that were read); the links resting only on general knowledge or memory (table and md show the
    first 20, json and csv all); links by strongest evidence grade; sources without a kind
    (ungraded); and the sources cited most, documents and placeholders apart. Computed on the graph
    source (default: built on the fly; or --store DIR, --store memory, --endpoint URL).

    \b
    Examples:
      thbkg stats
      thbkg stats --format json -o stats.json
      thbkg stats --store graph-db/ --format csv
      thbkg stats --format md -o stats.md
    """
    from thbkg.graph.io import atomic_write
    from thbkg.graph.outputs.stats import compute_stats, format_stats

    if no_bundled:
        source.include_bundled = False
    atomic_write(output, format_stats(compute_stats(source), fmt))


@click.command(context_settings={"max_content_width": 100})
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=True, dir_okay=True))
def init(folder):
    """Start a data folder of your own: write the six tables to DIR, ready to fill.

    Each table gets its header (every column; only the required ones must stay) and one example
    row commented out with '#', which validate skips: copy it, remove the '#' and replace the
    values. DIR must be new or empty; a table already there is kept, never overwritten. The
    codebook (data/README.md) describes every column.

    \b
    Examples:
      thbkg init mydata/
      thbkg validate --data mydata/
      thbkg validate --no-bundled --data mydata/
    """
    import shlex

    from thbkg.graph.outputs.text import terminal_safe
    from thbkg.graph.rdf.init import init_tables
    from thbkg.graph.rdf.tables import bundled_data_dir, display_path

    written, kept = init_tables(folder)
    shown = terminal_safe(display_path(folder))
    if written:
        click.echo(f"Wrote {len(written)} table{'s' if len(written) != 1 else ''} to {shown}: "
                   f"{', '.join(p.name for p in written)}.")
    if kept:
        click.echo(f"Kept {', '.join(p.name for p in kept)}: already there (thbkg init never overwrites a table).")
    if written:
        click.echo("Each has its header and one example row commented out with '#' (validate skips it): copy it, "
                   "remove the '#' and replace the values.")
        click.echo(f"Codebook: {terminal_safe(display_path(bundled_data_dir() / 'README.md'))}")
    click.echo(f"Next: thbkg validate --data {terminal_safe(shlex.quote(display_path(folder)))}")
