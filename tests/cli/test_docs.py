"""Every command is documented (Datasette's test_docs pattern)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from thbkg.cli.docs import cli_reference
from thbkg.cli.main import COMMANDS, cli

ROOT = Path(__file__).resolve().parents[2]


def test_every_registered_command_loads():
    ctx = click.Context(cli)
    missing = [name for name in COMMANDS if cli.get_command(ctx, name) is None]
    assert not missing, f"commands registered in cli/main.py but not implemented: {missing}"


def test_cli_reference_is_up_to_date():
    expected = cli_reference()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run `python -m thbkg.cli.docs > docs/cli.md`"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_readme_mentions_every_command(name):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"thbkg {name}\b", readme), f"README.md does not mention `thbkg {name}`"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_has_help_text(name):
    command = cli.get_command(click.Context(cli), name)
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"thbkg {name} {param.opts[0]} has no help text"
