"""The ``thbkg`` command: a thin, lazily loaded click layer over :mod:`thbkg.graph`."""

from __future__ import annotations

import importlib
import os
import sys

import click

from thbkg.graph import __version__
from thbkg.graph.errors import DataError, ThbkgError

# command name -> "module:function"; modules are imported only when their command runs
# (or when --help lists them), so `thbkg --help` never loads rdflib, networkx or pyvis.
COMMANDS = {
    "build": "thbkg.cli.build_cmds:build",
    "cache": "thbkg.cli.cache_cmds:cache",
    "validate": "thbkg.cli.build_cmds:validate",
    "stats": "thbkg.cli.build_cmds:stats",
    "init": "thbkg.cli.build_cmds:init",
    "query": "thbkg.cli.query_cmds:query",
    "queries": "thbkg.cli.query_cmds:queries",
    "serve": "thbkg.cli.query_cmds:serve",
    "push": "thbkg.cli.query_cmds:push",
    "synth": "thbkg.cli.query_cmds:synth",
    "centrality": "thbkg.cli.analytics_cmds:centrality",
    "report": "thbkg.cli.report_cmds:report",
    "whatif": "thbkg.cli.analytics_cmds:whatif",
    "path": "thbkg.cli.analytics_cmds:path",
    "brokers": "thbkg.cli.analytics_cmds:brokers",
    "export": "thbkg.cli.report_cmds:export",
    "map": "thbkg.cli.map_cmds:map_",
    "site": "thbkg.cli.site_cmds:site",
}


class LazyGroup(click.Group):
    """A click group that imports each command's module on first use."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not any(param.name == "quiet" for param in command.params):
            command.params.append(_quiet_option())
        return command

    def invoke(self, ctx):
        from thbkg.graph.io import start_run

        start_run()
        try:
            return super().invoke(ctx)
        except DataError as exc:
            from thbkg.graph.outputs.text import terminal_safe

            for problem in exc.problems:
                click.echo(terminal_safe(str(problem)), err=True)
            n = len(exc.problems)
            click.echo(f"{n} problem{'s' if n != 1 else ''} found.", err=True)
            ctx.exit(exc.exit_code)
        except ThbkgError as exc:
            from thbkg.graph.outputs.text import terminal_safe

            click.echo(terminal_safe(f"Error: {exc}"), err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            # the reader (e.g. `head`) went away; stay quiet like other Unix tools
            _quiet_broken_pipe()
            ctx.exit(1)
        except (KeyboardInterrupt, click.Abort):
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except OSError as exc:  # permission, read-only, disk full, too large, not a file...
            from thbkg.graph.io import os_error_message

            click.echo(f"Error: {os_error_message(exc)}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:  # a bug: say so in one line, traceback only on request
            if os.environ.get("THBKG_DEBUG"):
                raise
            click.echo(f"Internal error: {type(exc).__name__}: {exc} "
                       "(this is a bug in thbkg; rerun with THBKG_DEBUG=1 for details)", err=True)
            ctx.exit(1)


def _set_quiet(ctx, param, value):
    from thbkg.graph.progress import set_quiet

    if value:
        set_quiet(True)
        ctx.call_on_close(lambda: set_quiet(False))  # the next command in this process speaks again


def _quiet_option() -> click.Option:
    """``-q/--quiet``, given to every command: no progress on stderr (errors and notes still are)."""
    return click.Option(["-q", "--quiet"], is_flag=True, default=False, expose_value=False, is_eager=True,
                        callback=_set_quiet,
                        help="Show no progress on stderr (same as THBKG_QUIET=1); errors are still shown.")


def _quiet_broken_pipe() -> None:
    """Point stdout at /dev/null so Python's final flush doesn't complain about the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"],
                                              "max_content_width": 100})
@click.version_option(version=__version__, prog_name="thbkg")
def cli():
    """thbkg: a sourced knowledge graph of international cooperation against
    trafficking in human beings.

    Build the graph from the bundled tables, validate it, query it with SPARQL,
    rank actors by centrality, write reports and draw interactive maps.

    Start with:  thbkg report -o out/
    """
