"""The CLI group's last lines of defence: a bug, a closed pipe, Ctrl-C, the version."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from thbkg.cli import main as cli_main
from thbkg.graph import __version__

THBKG = str(Path(sys.executable).parent / "thbkg")


def test_version_is_the_one_written_in_the_library(runner):
    result = runner.invoke(cli_main.cli, ["--version"])
    assert result.output == f"thbkg, version {__version__}\n"
    from importlib.metadata import version

    assert version("thbkg") == __version__


def test_a_bug_is_one_line_without_traceback(runner, monkeypatch):
    @click.command("stats")
    def broken():
        raise RuntimeError("something impossible")

    monkeypatch.setattr(cli_main.LazyGroup, "get_command", lambda self, ctx, name: broken)
    result = runner.invoke(cli_main.cli, ["stats"])
    assert result.exit_code == 1
    assert result.output == ("Internal error: RuntimeError: something impossible (this is a bug in thbkg; "
                             "rerun with THBKG_DEBUG=1 for details)\n")


def test_thbkg_debug_shows_the_traceback(runner, monkeypatch):
    @click.command("stats")
    def broken():
        raise RuntimeError("something impossible")

    monkeypatch.setattr(cli_main.LazyGroup, "get_command", lambda self, ctx, name: broken)
    monkeypatch.setenv("THBKG_DEBUG", "1")
    result = runner.invoke(cli_main.cli, ["stats"])
    assert isinstance(result.exception, RuntimeError)


def test_a_closed_pipe_is_quiet():
    """`thbkg build --format nt -o - | head -c 0`: the reader is gone before the output comes."""
    proc = subprocess.Popen([THBKG, "build", "--format", "nt", "-o", "-"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # before the build has written anything (it takes a moment to read the tables)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert err == b""


def test_ctrl_c_during_a_long_command_exits_130(tmp_path):
    """SIGINT while `centrality` works on a synthetic graph: 'Interrupted.', exit 130, no traceback."""
    data = tmp_path / "syn"
    subprocess.run([THBKG, "synth", "--actors", "3000", "--links", "20000", "--seed", "1", "-o", str(data)],
                   check=True, capture_output=True, timeout=300)
    env = {**os.environ, "THBKG_NO_BUNDLED": "1"}
    proc = subprocess.Popen([THBKG, "centrality", "--data", str(data), "--metric", "betweenness", "--k", "3000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    time.sleep(3)
    assert proc.poll() is None, "the command ended before it could be interrupted; make the graph larger"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)  # a liveness guard, not a timing assertion
    assert proc.returncode == 130
    assert err.decode().strip().endswith("Interrupted.")
    assert b"Traceback" not in err
