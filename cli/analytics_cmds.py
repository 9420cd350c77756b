"""``thbkg centrality``, ``thbkg path`` and ``thbkg whatif``. Only click and the stdlib at module top."""

from __future__ import annotations

import click

from thbkg.cli.options import filter_options, format_option, graph_source_options, output_option, seed_option

FORMATS = ("table", "csv", "json", "md")
METRIC_NAMES = ("degree", "weighted_degree", "betweenness", "closeness", "harmonic", "eigenvector",
                "pagerank", "kcore", "clustering", "reach", "effective_size", "constraint")


def _emit(output, text) -> None:
    from thbkg.graph.io import atomic_write

    atomic_write(output, text)


def _load(source, filters, actors=()):
    """The filtered network; the *actors* named on the command line are checked before it loads."""
    from thbkg.graph.network.projections import load_network

    return load_network(source, filters, actors=actors)


#: the engines of thbkg.graph.analytics.engines (ENGINES, AUTO_ENGINE_NODES), spelt out: no heavy import here
ENGINE_NAMES = ("auto", "networkx", "igraph")
AUTO_ENGINE_NODES = 300


def _engine_option(func):
    return click.option("--engine", type=click.Choice(ENGINE_NAMES), default="auto", show_default=True,
                        help="Library that computes betweenness, closeness, harmonic, eigenvector, pagerank, "
                             "kcore and clustering: igraph (compiled, NetworkX's values: to 1e-9, PageRank to "
                             "NetworkX's own stopping error), networkx (the reference), or auto: igraph above "
                             f"{AUTO_ENGINE_NODES} actors, networkx below. The output says which computed each "
                             "metric. With --backend, networkx computes everything.")(func)


def _no_size_limit_option(func):
    return click.option("--no-size-limit", is_flag=True,
                        help="Compute closeness or harmonic centrality even above 5,000 actors (a search "
                             "from every actor: hours on large graphs).")(func)


# ---------------------------------------------------------------------- centrality
@click.command(context_settings={"max_content_width": 100})
@click.option("--metric", "metrics", multiple=True, type=click.Choice(METRIC_NAMES), metavar="METRIC",
              help="Metric to compute (repeatable; the table is ranked by the first). "
                   f"One of: {', '.join(METRIC_NAMES)}. Default: weighted_degree, degree, betweenness, pagerank.")
@click.option("--top", type=click.IntRange(min=0), default=20, show_default=True,
              help="Rows to show (0: all actors).")
@click.option("--k", "k", type=click.IntRange(min=1), default=None, metavar="N",
              help="Sample betweenness from N source actors (seeded) instead of computing it exactly. "
                   "Default: exact up to 5,000 actors, 1,000 sampled sources above.")
@seed_option
@click.option("--backend", default=None, metavar="NAME",
              help="NetworkX backend to dispatch to (e.g. cugraph, parallel), if installed.")
@_engine_option
@_no_size_limit_option
@format_option(FORMATS, "table")
@output_option()
@filter_options
@graph_source_options
def centrality(metrics, top, k, seed, backend, engine, no_size_limit, fmt, output, filters, source):
    """Rank actors by centrality on the actor graph.

    Nodes are actors; frameworks (treaties, regional processes, networks, platforms) are not
    nodes but tie the actors that share them (--frameworks as-nodes keeps them as nodes). Only
    ties in force count: an agreement under negotiation, signed, suspended or ended is not a tie.
    One row per actor, ranked by the first --metric (ties share a rank and are listed by
    id). Path-based metrics count hops; weights are tie strength (confidence rank / 3 per
    direct link, plus 1/(n-1) per shared framework of n members).
    The parameters are echoed in the header (table, md) or in "parameters" (json); csv holds
    only the rows, at full precision. The header says which engine (igraph or networkx)
    computed each metric; in json, "engine" in "parameters".

    \b
    Examples:
      thbkg centrality
      thbkg centrality --metric betweenness --metric eigenvector --top 10 --format md
      thbkg centrality --metric closeness --engine networkx
      thbkg centrality --as-of 2015 --type operational_agreement --format csv -o ranks.csv
      thbkg centrality --k 500 --seed 7 --format json -o -
      thbkg centrality --frameworks as-nodes --metric degree
    """
    from thbkg.graph.analytics.centrality import DEFAULT_METRICS, check_engine, refuse_too_large
    from thbkg.graph.outputs.analytic import rank_actors, render_centrality
    from thbkg.graph.progress import progress

    chosen = tuple(metrics) or DEFAULT_METRICS
    check_engine(engine, backend)  # before anything is loaded
    with progress(3, "centrality") as bar:
        bar.set_item("checking the graph's size")
        refuse_too_large(source, filters, chosen, no_size_limit=no_size_limit)
        bar.set_item("loading")
        network = _load(source, filters)
        refuse_too_large(source, filters, chosen, network, no_size_limit=no_size_limit)
        bar.update(1, "ranking")
        records, parameters = rank_actors(network, metrics, top=top, k=k, seed=seed, backend=backend, engine=engine)
        bar.update(1, "writing")
        _emit(output, render_centrality(records, parameters, fmt))
        bar.update(1)


# ---------------------------------------------------------------------- path
@click.command(context_settings={"max_content_width": 100})
@click.argument("actor_a", metavar="A")
@click.argument("actor_b", metavar="B")
@click.option("--all", "all_paths", is_flag=True, help="Show all shortest paths (up to --max), not just the first.")
@click.option("--max", "max_paths", type=click.IntRange(min=1), default=10, show_default=True,
              help="Most paths shown with --all.")
@format_option(FORMATS, "table")
@output_option()
@filter_options
@graph_source_options
def path(actor_a, actor_b, all_paths, max_paths, fmt, output, filters, source):
    """Shortest cooperation paths between actors A and B.

    A and B are each an id, a label or a name in it, an alias, an ISO code or a Wikidata QID
    (case and accents ignored): "thbkg path Frontex Serbia" is "thbkg path frontex rs". Every hop lists the link records behind it: type, dates, status, confidence and sources.
    Paths are listed in sorted order of their actor ids. Exit status 1 when A and B are not
    connected (under the filters).

    \b
    Examples:
      thbkg path ng europol
      thbkg path Frontex Serbia
      thbkg path ng europol --all --max 5 --format json
      thbkg path ng frontex --as-of 2018 --min-confidence medium
    """
    from thbkg.graph.analytics.paths import shortest_paths
    from thbkg.graph.errors import ThbkgError
    from thbkg.graph.network.projections import check_names
    from thbkg.graph.outputs.analytic import render_path
    from thbkg.graph.progress import progress

    with progress(3, "path") as bar:
        bar.set_item("checking the names given")
        filters, (id_a, id_b) = check_names(source, filters, (actor_a, actor_b))  # names as ids, before loading
        bar.set_item("loading")
        network = _load(source, filters)
        bar.update(1, "shortest paths")
        paths = shortest_paths(network, id_a, id_b, all_paths=all_paths, max_paths=max_paths)
        if not paths:
            raise ThbkgError(f"no cooperation path between {actor_a!r} and {actor_b!r} "
                             f"(filters: {filters.describe()})")
        bar.update(1, "writing")
        _emit(output, render_path(paths, {"all": all_paths, "max": max_paths, "filters": filters.describe()},
                                  fmt))
        bar.update(1)


# ---------------------------------------------------------------------- whatif
@click.command(context_settings={"max_content_width": 100})
@click.option("--remove", "remove", multiple=True, required=True, metavar="ACTOR",
              help="Actor to take out: an id, a label or a name in it, an alias, an ISO code or a Wikidata QID "
                   "(e.g. Europol). Repeatable; names may also be comma-separated.")
@click.option("--metric", type=click.Choice(METRIC_NAMES), default="betweenness", show_default=True,
              help="Metric whose ranking is compared before and after.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Compare the union of the top N before and after.")
@click.option("--anchor-type", "anchor_types", multiple=True, default=("eu_agency",), show_default=True,
              metavar="ACTOR_TYPE", help="Actor types whose reachability from the priority regions is checked.")
@click.option("--k", "k", type=click.IntRange(min=1), default=None, metavar="N",
              help="Sample betweenness from N source actors (seeded). Default: exact up to 5,000 "
                   "actors, 1,000 sampled sources above.")
@seed_option
@click.option("--backend", default=None, metavar="NAME", help="NetworkX backend to dispatch to, if installed.")
@_engine_option
@_no_size_limit_option
@format_option(FORMATS, "table")
@output_option()
@filter_options
@graph_source_options
def whatif(remove, metric, top, anchor_types, k, seed, backend, engine, no_size_limit, fmt, output, filters, source):
    """What changes when actors leave the cooperation graph.

    Shows the components before and after, the actors of each priority region cut off from
    the anchors (EU agencies by default) they could reach before, the change in average
    distance on the largest component, and the rank shifts among the top actors.

    csv: one row per finding with the columns section, region, actor, label, before, after,
    change, detail (sections: summary, cut_off, left_largest_component, rank).

    \b
    Examples:
      thbkg whatif --remove europol
      thbkg whatif --remove frontex --remove iom --format md -o whatif.md
      thbkg whatif --remove europol --anchor-type eu_agency --anchor-type eu_body --format json
    """
    from thbkg.graph.analytics.centrality import check_engine, default_k, refuse_too_large
    from thbkg.graph.analytics.whatif import check_anchor_types, what_if
    from thbkg.graph.network.projections import check_names
    from thbkg.graph.outputs.analytic import render_whatif
    from thbkg.graph.progress import progress

    names = [name.strip() for item in remove for name in item.split(",") if name.strip()]
    check_anchor_types(anchor_types)  # before anything is loaded
    check_engine(engine, backend)
    with progress(3, "whatif") as bar:
        bar.set_item("checking the names given")
        filters, removed = check_names(source, filters, names)  # names as ids, before loading
        bar.set_item("checking the graph's size")
        refuse_too_large(source, filters, (metric,), no_size_limit=no_size_limit)
        bar.set_item("loading")
        network = _load(source, filters)
        refuse_too_large(source, filters, (metric,), network, no_size_limit=no_size_limit)
        k = default_k(len(network.actors), k)
        bar.update(1, "comparing")
        result = what_if(network, list(removed), metric=metric, top=top, k=k, seed=seed,
                         anchor_types=tuple(anchor_types), backend=backend, engine=engine)
        bar.update(1, "writing")
        _emit(output, render_whatif(result, fmt, label=network.label))
        bar.update(1)


# ---------------------------------------------------------------------- brokers
def _filter_options_with_years(func):
    """The shared filters, with the year window as ``--years Y1 Y2``: ``--between`` names a group here."""
    decorated = filter_options(func)
    for param in decorated.__click_params__:
        if param.name == "between":
            param.opts = ["--years"]
            param.help = ("Only links active at some time between these two years (inclusive); the --between "
                          "Y1 Y2 of the other commands.")
        elif param.help and "--between" in param.help:
            param.help = param.help.replace("--between", "--years")
    return decorated


@click.command(context_settings={"max_content_width": 100})
@click.option("--between", "group_a", required=True, metavar="GROUP",
              help="The first group (see GROUP below).")
@click.option("--and", "group_b", required=True, metavar="GROUP", help="The second group.")
@click.option("--top", type=click.IntRange(min=0), default=15, show_default=True,
              help="Brokers to list, best first (0: all).")
@click.option("--max-paths", type=click.IntRange(min=0), default=3, show_default=True,
              help="Paths shown per broker, one per pair of members, shortest first (0: none).")
@format_option(FORMATS, "table")
@output_option()
@_filter_options_with_years
@graph_source_options
def brokers(group_a, group_b, top, max_paths, fmt, output, filters, source):
    """Who lies between two groups of actors: brokers, their roles and their paths.

    score: for every pair (a in the first group, b in the second), the share of the shortest
    a-b paths (in hops) that pass through the actor, summed over the pairs (betweenness
    restricted to those sources and targets, each pair once); share: score / connected pairs.
    Members of a group that lie between other members are brokers too, marked "in group";
    actors in both groups are left out of both. Roles: Gould-Fernandez roles on the directed
    links (subject -> object) that run from one group to the other. Each broker's paths list
    every link's type, dates, status and sources. Every output states the groups, their sizes
    and the filters. The year window is --years Y1 Y2 here.

    \b
    GROUP is one of:
      REGION               a region id or label: eastern-europe, horn-of-africa, north-africa,
                           sahel, western-balkans (region:REGION also works)
      eu-member-states     the EU member states (from membership links to 'eu' when the data
                           has them; otherwise the EMN members plus Denmark, as the source
                           emn-members-page gives them)
      type:ACTOR_TYPE      every actor of a type, e.g. type:eu_agency
      members:FRAMEWORK    the members of a framework, e.g. members:rabat-process
      ACTOR,ACTOR...       actors (ids or labels), comma-separated, e.g. europol,frontex

    \b
    Examples:
      thbkg brokers --between eu-member-states --and horn-of-africa
      thbkg brokers --between type:eu_agency --and sahel --format md -o brokers.md
      thbkg brokers --between members:rabat-process --and western-balkans --top 5 --format json
      thbkg brokers --between europol,frontex --and "Horn of Africa" --years 2015 2024
    """
    from thbkg.graph.analytics.brokers import group_brokers
    from thbkg.graph.outputs.brokerage import render_brokers
    from thbkg.graph.progress import progress

    with progress(3, "brokers") as bar:
        bar.set_item("loading")
        network = _load(source, filters)
        bar.update(1, "brokers")
        rows, basis = group_brokers(network, group_a, group_b, top=top, max_paths=max_paths)
        bar.update(1, "writing")
        _emit(output, render_brokers(rows, basis, fmt))
        bar.update(1)
