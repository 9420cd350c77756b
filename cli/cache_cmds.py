"""``thbkg cache``: show and empty the store cache. Only click and the stdlib at module top."""

from __future__ import annotations

import click

from thbkg.cli.options import format_option, output_option

_SETTINGS = {"max_content_width": 100}


@click.group(context_settings=_SETTINGS)
def cache():
    """Show or empty the store cache.

    The first command on a set of tables (the bundled ones and any --data folders) builds the graph
    into a persistent store in this cache; every later command on the same tables opens it at once,
    and answers to the same query are kept with it. One changed byte in a table, the ontology or
    thbkg gives a new entry; the least recently used are removed beyond THBKG_CACHE_KEEP (6).

    The cache lives in the user cache folder (THBKG_CACHE=DIR chooses another); --no-cache on a
    command, or THBKG_NO_CACHE=1, leaves it alone.

    \b
    Examples:
      thbkg cache info
      thbkg cache info --format json
      thbkg cache clear
    """


@cache.command("info", context_settings=_SETTINGS)
@format_option(("text", "json"), "text")
@output_option()
def cache_info(fmt, output):
    """Show the cache folder, its entries (tables, triples, size, last use) and total size."""
    from thbkg.graph.io import atomic_write
    from thbkg.graph.outputs.cacheinfo import format_cache_info
    from thbkg.graph.store.cache import cache_info as read_info

    atomic_write(output, format_cache_info(read_info(), fmt))


@cache.command("clear", context_settings=_SETTINGS)
def cache_clear():
    """Remove every entry from the cache (the next command on a set of tables builds its store again)."""
    from thbkg.graph.outputs.cacheinfo import format_cache_clear
    from thbkg.graph.store.cache import clear_cache

    click.echo(format_cache_clear(clear_cache()), nl=False)
