"""``thbkg map``: the interactive HTML network map. Only click and the stdlib at module top."""

from __future__ import annotations

import click

from thbkg.cli.options import filter_options, follow_symlinks_option, graph_source_options, seed_option

# the choices of thbkg.graph.outputs.maps, repeated so that 'thbkg --help' imports no map code
# (tests/cli/test_map_cmds.py checks that they agree)
LAYOUTS = ("force", "geo", "circular")
SIZE_BY = ("pagerank", "betweenness", "degree")


@click.command("map")
@follow_symlinks_option
@click.option("-o", "--output", default="map.html", show_default=True, metavar="FILE.html|-",
              help="Write the map to this file ('-' for standard output). Nothing else is written.")
@click.option("--layout", type=click.Choice(LAYOUTS), default="force", show_default=True,
              help="force: distance-preserving layout computed here; geo: capitals and seats on a Web-Mercator "
                   "map of the countries (Natural Earth, offline), frameworks and actors without a seat in groups "
                   "below it, with --region far agencies in an inset; circular: grouped by actor type.")
@click.option("--size-by", type=click.Choice(SIZE_BY), default="pagerank", show_default=True,
              help="Centrality metric that sets the node size.")
@click.option("--top", type=click.IntRange(min=1), default=None, metavar="N",
              help="Keep only the N most central actors (by --size-by) and the ties among them, for large "
                   "graphs; warns when no tie is left.")
@click.option("--title", default=None, metavar="TEXT", help="Heading of the page (plain text).")
@click.option("--physics/--no-physics", default=False, show_default=True,
              help="Let the browser relax the force layout (only for maps of up to 300 actors).")
@click.option("--focus", default=None, metavar="ACTOR",
              help="Draw only this actor (any name people use for it) and the actors up to --depth links away.")
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="With --focus: how many links away from the actor to go.")
@click.option("--brokers", "broker_groups", nargs=2, default=None, metavar="GROUP GROUP",
              help="Draw two groups and the actors that broker between them, as 'thbkg brokers --between A --and B' "
                   "finds them (a region, eu-member-states, type:X, members:X or a list of actors). Not "
                   "--between, which is the time filter here.")
@seed_option
@filter_options
@graph_source_options
def map_(output, layout, size_by, top, title, physics, focus, depth, broker_groups, seed, filters, source):
    """Draw an interactive network map as one self-contained HTML file.

    The page works offline (vis-network is inlined, no external requests): colour and shape by
    actor type, size by centrality, edge colour by link type (dashed when no link of the pair is
    in force), a legend with filter checkboxes, a search box, and a side panel with each actor's
    or tie's links, each with its dates and how sure they are, the grade of each source and its note.

    The map keeps the two-mode view: frameworks and treaties are drawn as nodes (dashed border),
    their members tied to them. Its year slider follows the rule of --as-of (in force on 31 December
    of the year; events: active that year) and leaves undated links out unless its "include undated"
    switch is on; --include-undated turns the switch on when the page opens.

    --focus draws an ego network; --region keeps Europol, Frontex, Eurojust and the other agencies of the
    region's coverage even when they have no tie there, so its white spots show as missing edges.

    Examples:

      thbkg map -o out/map.html --layout geo --region sahel

      thbkg map -o frontex.html --focus Frontex --depth 1

      thbkg map -o brokers.html --brokers eu-member-states horn-of-africa
    """
    if filters.frameworks == "shared" and click.get_current_context().get_parameter_source("frameworks") not in (
            None, click.core.ParameterSource.DEFAULT):
        from thbkg.graph.errors import UsageError

        raise UsageError("thbkg map always draws frameworks and treaties as nodes: leave out --frameworks shared "
                         "(or use --frameworks as-nodes)")
    from thbkg.graph.analytics.focus import focus_view
    from thbkg.graph.outputs.maps.render import write_map

    network, focus_title = focus_view(source, filters, focus, depth, broker_groups or None)
    info = write_map(network, output, filters=filters, layout=layout, size_by=size_by, top=top, seed=seed,
                     title=title or focus_title, physics=physics)
    for warning in info.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if output != "-":
        shown = f"{info.nodes} of {info.total_actors} actors" if info.nodes != info.total_actors else f"{info.nodes} actors"
        not_in_force = info.edges - (info.edges if info.ties_in_force is None else info.ties_in_force)
        ties = f"{info.edges} ties" + (f", {not_in_force} of them not in force" if not_in_force else "")
        click.echo(f"Wrote {output}: {shown}, {ties} ({info.links} links), "
                   f"{info.bytes / 1e6:.2f} MB, layout {layout}.", err=True)
