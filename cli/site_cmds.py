"""``thbkg site``: the graph as a static, linked, offline website. Only click and the stdlib at module top."""

from __future__ import annotations

import click

from thbkg.cli.options import (
    filter_options,
    follow_symlinks_option,
    graph_source_options,
    no_bundled_option,
    seed_option,
)


@click.command("site")
@follow_symlinks_option
@click.option("-o", "--output", default=None, metavar="DIR/",
              help="Write the website into this folder: new, empty, or a site thbkg wrote before (replaced whole, "
                   "in one step, only when the new one is complete).")
@click.option("--check", "check_dir", default=None, metavar="DIR/",
              type=click.Path(exists=True, file_okay=False, dir_okay=True),
              help="Crawl a written site instead: every internal link resolves, every page has its JSON-LD, "
                   "and nothing but sources' own links leaves the site.")
@click.option("--map-top", type=click.IntRange(min=1), default=2000, show_default=True, metavar="N",
              help="The map page draws at most the N most central actors.")
@click.option("--report/--no-report", "with_report", default=None,
              help="Add the analyst's report to the downloads (default: for graphs of up to 1,000 actors).")
@no_bundled_option
@seed_option
@filter_options
@graph_source_options
def site(output, check_dir, map_top, with_report, no_bundled, seed, filters, source):
    """Write the whole graph as a website that works offline: a page for every actor, link, region,
    framework and source (each with its sources and evidence grade), the named queries with their
    answers, the map (a click opens the actor's page) and the downloads. Every entity page embeds its
    JSON-LD, with Turtle and JSON-LD files beside it at the path of its IRI, and search runs in the
    page. Open index.html from the folder, or serve the folder from any static host (docs/site.md).

    \b
    Examples:
      thbkg site -o site/                        # then open site/index.html
      thbkg site --check site/
      thbkg site -o sahel-site/ --region sahel --data my-tables/
    """
    from thbkg.graph.errors import UsageError

    if check_dir is not None:
        if output is not None:
            raise UsageError("give either -o DIR (write a site) or --check DIR (crawl one), not both")
        _check(check_dir)
        return
    if output is None:
        raise UsageError("say where to write the site with -o DIR/ (or crawl one with --check DIR/)")
    if no_bundled:
        source.include_bundled = False
    from thbkg.graph.outputs.site.writer import check_site_target, write_site

    check_site_target(output)  # refuse a bad folder before the (slow) load
    info = write_site(source, output, filters=filters, seed=seed, map_top=map_top, with_report=with_report)
    click.echo(f"Wrote {info.pages} pages ({info.files} files, {info.bytes / 1e6:.1f} MB) to {info.folder}; "
               f"open {info.folder / 'index.html'}", err=True)


def _check(folder) -> None:
    from thbkg.graph.errors import ThbkgError
    from thbkg.graph.outputs.site.check import check_site, summarise
    from thbkg.graph.progress import progress

    with progress(None, "checking the site") as bar:
        problems = check_site(folder, progress_bar=bar)
    if problems:
        click.echo(summarise(problems), err=True)
        raise ThbkgError(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the site at {folder}")
    click.echo(f"{folder}: every internal link resolves, every page has its JSON-LD, nothing is loaded from "
               "outside the site.", err=True)
