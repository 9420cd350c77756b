"""``thbkg report`` and ``thbkg export``: the analyst's report and exports for Gephi, Kumu, Cytoscape.

Only click and the standard library are imported at module level; the work is in
:mod:`thbkg.graph.outputs.report` and :mod:`thbkg.graph.outputs.export`.
"""

from __future__ import annotations

import click

from thbkg.cli.options import filter_options, follow_symlinks_option, graph_source_options, raw_csv_option, seed_option

REPORT_FORMATS = ("html", "md", "json", "csv")
EXPORT_FORMATS = ("graphml", "gexf", "kumu", "cytoscape", "csv")
EXPORT_SUFFIXES = {".graphml": "graphml", ".gexf": "gexf", ".csv": "csv", ".cyjs": "cytoscape"}


def _source_text(source):
    parts = []
    if getattr(source, "endpoint", None):
        parts.append(f"endpoint {source.endpoint}")
    elif getattr(source, "store", None):
        parts.append(f"store {source.store}")
    else:
        parts.append("bundled tables")
    data_dirs = getattr(source, "data_dirs", ())
    if data_dirs:
        parts.append("+ " + ", ".join(str(d) for d in data_dirs))
    return " ".join(parts)


@click.command("report")
@follow_symlinks_option
@raw_csv_option
@click.option("-o", "--output", default="-", metavar="FILE|DIR/|-", show_default=True,
              help="report.html, report.md, report.json, or a folder (ending in '/' or existing) for the "
                   "full product: report.html, map.html, centrality.csv and centrality.json.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default=None,
              help="Output format (default: from the suffix .html, .md, .json or .csv; html for '-'; any "
                   "other suffix is refused). csv writes the centrality table of every actor.")
@click.option("--snapshot", "snapshot_dates", multiple=True, metavar="DATE",
              help="Snapshot date for 'Change over time' (YYYY, YYYY-MM, YYYY-MM-DD or 'today'). "
                   "Repeatable. Default: 2010, 2015, 2020 and today.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Actors listed per metric.")
@click.option("--k", type=click.IntRange(min=1), default=None,
              help="Sample betweenness from K source actors (default, as in 'thbkg centrality': exact up to "
                   "5,000 actors, else 1,000 sampled sources).")
@click.option("--generated", default=None, metavar="DATE",
              help="Generation date shown in the header and used as 'today' (default: SOURCE_DATE_EPOCH "
                   "if set, else now), so output can be reproduced.")
@click.option("--no-map", is_flag=True, help="In folder mode, do not write map.html.")
@click.option("--backend", default=None, metavar="NAME",
              help="NetworkX backend for the metrics (e.g. cugraph), when installed.")
@seed_option
@filter_options
@graph_source_options
def report(output, fmt, snapshot_dates, top, k, generated, no_map, backend, seed, filters, source):
    """Write the network report: summary, top actors by each metric, communities, brokers and
    single points of failure, priority-region coverage with white spots (each tie in force, signed,
    under negotiation, suspended or ended), frameworks (members, growth, chairs), change over time
    and data quality (what each link rests on), with inline SVG charts. The file is
    self-contained and opens offline.

    \b
    Examples:
      thbkg report -o out/                      # report.html + map.html + centrality.csv/json
      thbkg report -o report.md --snapshot 2015 --snapshot today
      thbkg report -o sahel.html --region sahel --as-of 2020
    """
    from thbkg.graph.io import atomic_write
    from thbkg.graph.network.projections import load_network
    from thbkg.graph.outputs.report import (
        DEFAULT_SNAPSHOTS,
        build_report,
        generated_at,
        output_kind,
        render,
        write_product,
    )
    from thbkg.graph.rdf.dates import parse_period

    stamp = generated_at(generated)
    dates = tuple(snapshot_dates) or DEFAULT_SNAPSHOTS
    for date in dates:  # fail before the (slow) load on a bad date
        parse_period(date, today=stamp.date(), what="--snapshot")
    kind, path = output_kind(output, fmt)
    if kind == "dir" and output == "-":
        kind = "html"
    net = load_network(source, filters)
    data = build_report(net, snapshot_dates=dates, top=top, seed=seed, k=k, generated=stamp,
                        filters_text=filters.describe(), backend=backend, source_text=_source_text(source))
    if kind == "dir":
        for written in write_product(net, path, data, with_map=not no_map, seed=seed):
            click.echo(str(written))
        return
    atomic_write(path, render(data, kind))
    if path != "-":
        click.echo(path, err=True)


@click.command("export")
@follow_symlinks_option
@raw_csv_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default=None,
              help="graphml or gexf (Gephi; GEXF carries start/end dates for the timeline), kumu (JSON "
                   "blueprint), cytoscape (Cytoscape.js JSON), csv (edge list). Default: from the suffix.")
@click.option("-o", "--output", default="-", metavar="FILE|-", show_default=True,
              help="Write to FILE ('-' for standard output).")
@click.option("--edges", "level", type=click.Choice(("pairs", "links")), default="pairs", show_default=True,
              help="pairs: one edge per cooperating pair; links: one directed edge per link record.")
@filter_options
@graph_source_options
def export(fmt, output, level, filters, source):
    """Export the cooperation network for Gephi, Kumu, Cytoscape or a spreadsheet.

    \b
    Examples:
      thbkg export --format gexf -o thb.gexf --edges links
      thbkg export --format kumu -o kumu.json --region western-balkans
      thbkg export --format csv | head
    """
    import os

    from thbkg.graph.errors import UsageError
    from thbkg.graph.io import atomic_write, check_output
    from thbkg.graph.network.projections import load_network
    from thbkg.graph.outputs.export import export_network
    from thbkg.graph.progress import progress

    if fmt is None:
        fmt = EXPORT_SUFFIXES.get(os.path.splitext(output)[1].lower())
        if fmt is None:
            raise UsageError("say which format to write with --format graphml|gexf|kumu|cytoscape|csv")
    check_output(output)  # refuse a bad path before loading, not after
    with progress(2, "export") as bar:
        bar.set_item("loading the graph")
        net = load_network(source, filters)
        bar.update(1, f"writing {fmt}")
        atomic_write(output, export_network(net, fmt, level))
        bar.update(1)
    if output != "-":
        click.echo(output, err=True)
