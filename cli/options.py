"""Option decorators shared by several commands. Only click is imported here."""

from __future__ import annotations

import functools

import click


def graph_source_options(func):
    """Add ``--data``, ``--store`` and ``--endpoint`` and pass a ``source`` (GraphSource)."""

    @click.option("--data", "data_dirs", multiple=True,
                  type=click.Path(exists=True, file_okay=False, dir_okay=True),
                  help="Extra data folder (same tables as data/) merged with the bundled tables. Repeatable.")
    @click.option("--store", default=None, metavar="DIR|memory",
                  help="Read a persistent Oxigraph store written by 'thbkg build --store DIR', or 'memory' "
                       "for rdflib's own store. Default: an in-memory Oxigraph store built on the fly.")
    @click.option("--endpoint", default=None, metavar="URL",
                  help="Read the graph from a SPARQL 1.1 query endpoint instead (Fuseki, GraphDB, "
                       "Virtuoso, Oxigraph server, Neptune…).")
    @no_cache_option
    @functools.wraps(func)
    def wrapper(*args, data_dirs, store, endpoint, no_cache, **kwargs):
        from thbkg.graph.io import protect_inputs
        from thbkg.graph.store.source import GraphSource

        protect_inputs(*data_dirs, store)  # known before any output is checked
        kwargs["source"] = GraphSource(data_dirs=tuple(data_dirs), store=store, endpoint=endpoint,
                                       use_cache=False if no_cache else None)
        return func(*args, **kwargs)

    return wrapper


def no_cache_option(func):
    """Add ``--no-cache`` (build the store in memory; the store cache is neither read nor written)."""
    return click.option("--no-cache", is_flag=True, default=False,
                        help="Build the graph in memory for this command only: the store cache "
                             "('thbkg cache info') is neither read nor written (same as THBKG_NO_CACHE=1).")(func)


def no_bundled_option(func):
    """Add ``--no-bundled`` (the bundled tables left out; same as ``THBKG_NO_BUNDLED=1``)."""
    return click.option("--no-bundled", is_flag=True, default=False,
                        help="Leave the bundled tables out and use only the --data folders "
                             "(same as THBKG_NO_BUNDLED=1).")(func)


def _check_confidence(ctx, param, value):
    """Refuse a confidence level the ontology does not define, when given (the vocabulary is read
    only then, so ``--help`` stays fast)."""
    if value is not None:
        from thbkg.graph.errors import UsageError
        from thbkg.graph.network.projections import unknown_confidence_message
        from thbkg.graph.rdf.vocab import load_vocabulary

        if value not in load_vocabulary().confidence_rank:
            raise UsageError(unknown_confidence_message(value))
    return value


def filter_options(func):
    """Add the analytic filters shared by every analytic command and pass ``filters``."""

    @click.option("--as-of", default=None, metavar="DATE",
                  help="Only links active on this date (YYYY, YYYY-MM, YYYY-MM-DD or 'today').")
    @click.option("--between", nargs=2, type=int, default=None, metavar="Y1 Y2",
                  help="Only links active at some time between these two years (inclusive).")
    @click.option("--type", "types", multiple=True, metavar="LINK_TYPE",
                  help="Only links of this type (a code or its label, e.g. operational_agreement, "
                       "'working arrangement'). Repeatable.")
    @click.option("--region", "regions", multiple=True, metavar="REGION",
                  help="Only links touching an actor in this priority region (its id or name, e.g. sahel, "
                       "Sahel, 'Horn of Africa'). Repeatable.")
    @click.option("--actor-type", "actor_types", multiple=True, metavar="ACTOR_TYPE",
                  help="Only actors of this type (a code or its label, e.g. country, 'EU agency'). Repeatable.")
    @click.option("--min-confidence", default=None, metavar="LEVEL", callback=_check_confidence,
                  help="Drop links whose confidence ranks below this level (a confidence level of the "
                       "ontology, e.g. medium).")
    @click.option("--exclude", multiple=True, metavar="ACTOR",
                  help="Leave this actor out (an id, label, alias, ISO code or Wikidata QID, e.g. europol, "
                       "Europol, SRB). Repeatable.")
    @click.option("--include-undated", is_flag=True, default=False,
                  help="With --as-of or --between, also keep links whose start date is unknown "
                       "(left out by default: nothing says they were in force then).")
    @click.option("--frameworks", type=click.Choice(["shared", "as-nodes"]), default="shared", show_default=True,
                  help="How frameworks (treaties, regional processes, networks, platforms) enter the actor "
                       "graph: 'shared' ties two actors that belong to the same framework, weighted by "
                       "Newman's 1/(n-1); 'as-nodes' keeps each framework as a node (the two-mode view).")
    @functools.wraps(func)
    def wrapper(*args, as_of, between, types, regions, actor_types, min_confidence, exclude,
                include_undated, frameworks, **kwargs):
        from thbkg.graph.network.filters import Filters

        kwargs["filters"] = Filters(as_of=as_of, between=tuple(between) if between else None,
                                    types=tuple(types), regions=tuple(regions),
                                    actor_types=tuple(actor_types), min_confidence=min_confidence,
                                    exclude=tuple(exclude), include_undated=include_undated,
                                    frameworks=frameworks)
        return func(*args, **kwargs)

    return wrapper


def _set_follow_symlinks(ctx, param, value):
    from thbkg.graph.io import set_follow_symlinks

    set_follow_symlinks(value)
    if value:
        ctx.call_on_close(lambda: set_follow_symlinks(False))


def follow_symlinks_option(func):
    """``--follow-symlinks``: let -o write through a symbolic link (refused by default)."""
    return click.option("--follow-symlinks", is_flag=True, default=False, expose_value=False,
                        callback=_set_follow_symlinks,
                        help="Write through a symbolic link given as -o (by default a link is refused, "
                             "so that an output never lands somewhere unexpected).")(func)


def output_option(default="-", help_text="Write to FILE ('-' for standard output)."):
    """``-o/--output FILE|-``, with ``--follow-symlinks``."""
    option = click.option("-o", "--output", default=default, metavar="FILE|-", show_default=True,
                          help=help_text)
    return lambda func: option(follow_symlinks_option(func))


RAW_CSV_HELP = ("With --format csv (or tsv): write every cell exactly as in the data. By default a cell "
                "beginning with =, +, -, @, tab or carriage return gets a leading ' so that a spreadsheet "
                "shows it as text instead of running it as a formula (plain negative numbers stay numbers).")


def _set_raw_csv(ctx, param, value):
    """Turn thbkg.graph.outputs.text's --raw-csv switch on or off for this command only."""
    from thbkg.graph.outputs.text import reset_raw_csv, set_raw_csv

    token = set_raw_csv(value)
    ctx.call_on_close(lambda: reset_raw_csv(token))  # the next command in this process starts safe
    return value


def raw_csv_option(func):
    """``--raw-csv``: keep CSV cells as they are (sets the switch of :mod:`thbkg.graph.outputs.text`)."""
    return click.option("--raw-csv", is_flag=True, default=False, expose_value=False, callback=_set_raw_csv,
                        help=RAW_CSV_HELP)(func)


def format_option(choices, default):
    """``--format`` limited to *choices*; with ``csv`` among them, also ``--raw-csv``."""
    fmt = click.option("--format", "fmt", type=click.Choice(choices), default=default,
                       show_default=True, help="Output format.")
    if "csv" not in choices:
        return fmt
    return lambda func: fmt(raw_csv_option(func))


def seed_option(func):
    """``--seed N`` for everything random."""
    return click.option("--seed", type=int, default=42, show_default=True,
                        help="Random seed, so the same command gives the same output.")(func)
