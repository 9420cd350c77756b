"""Progress on stderr: a bar on a terminal, a line per phase otherwise, nothing with --quiet."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from thbkg.graph import progress as progress_module
from thbkg.graph.progress import progress


@pytest.fixture()
def speaking(monkeypatch):
    """Progress on (the test session turns it off), every phase written at once."""
    monkeypatch.delenv("THBKG_QUIET", raising=False)
    monkeypatch.setenv("THBKG_PROGRESS_DELAY", "0")


def test_lines_name_each_phase_once_without_bars(speaking, capsys):
    with progress(3, "build") as bar:
        bar.set_item("reading the tables")
        bar.set_item("reading the tables")
        bar.update(1, "loading the store")
        bar.update(2)
    err = capsys.readouterr().err.splitlines()
    assert [line.rsplit(" (", 1)[0] for line in err] == ["build reading the tables", "build loading the store",
                                                         "build"]
    assert not any("#" in line or "\r" in line for line in err)


def test_quiet_silences_everything(speaking, monkeypatch, capsys):
    monkeypatch.setenv("THBKG_QUIET", "1")
    with progress(2, "build", enabled=None) as bar:
        bar.update(1, "x")
    assert capsys.readouterr().err == ""


def test_quick_work_leaves_no_line(monkeypatch, capsys):
    monkeypatch.delenv("THBKG_QUIET", raising=False)
    monkeypatch.delenv("THBKG_PROGRESS_DELAY", raising=False)
    with progress(2, "quick") as bar:
        bar.update(2)
    assert capsys.readouterr().err == ""


def test_the_estimate_follows_the_pace():
    with progress(10, "betweenness", enabled=False) as bar:
        bar._started -= 20.0  # 20 s for the first 4 steps: 5 s a step, 6 steps left
        bar.done = 4
        assert bar.eta() == pytest.approx(30.0, abs=0.5)
        assert bar.status().endswith("(about 30 s left)")
        bar.done = 10
        assert bar.eta() is None
    assert progress_module._ACTIVE == []


def test_durations_read_as_people_say_them():
    assert progress_module._duration(59) == "59 s"
    assert progress_module._duration(600) == "10 min"
    assert progress_module._duration(2 * 3600 + 5 * 60) == "2 h 05 min"


def _run(args, env):
    thbkg = shutil.which("thbkg")
    assert thbkg, "the thbkg command is not installed"
    return subprocess.run([thbkg, *args], env=env, capture_output=True, text=True, timeout=300)


def test_a_command_writes_phase_lines_to_a_pipe_and_none_with_quiet(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "THBKG_QUIET"}
    env.update(THBKG_PROGRESS_DELAY="0", THBKG_CACHE=str(tmp_path / "cache"))
    talking = _run(["query", "-n", "most_connected_actors", "--format", "csv"], env)
    assert talking.returncode == 0, talking.stderr
    lines = talking.stderr.splitlines()
    assert any(line.startswith("graph reading the tables") for line in lines), lines
    assert any(line.startswith("graph loading the store") for line in lines), lines
    silent = _run(["query", "--quiet", "-n", "most_connected_actors", "--format", "csv",
                   "--no-cache"], env)
    assert silent.returncode == 0 and silent.stderr == ""
    assert silent.stdout == talking.stdout
    env["THBKG_QUIET"] = "1"
    assert _run(["query", "-n", "most_connected_actors", "--no-cache"], env).stderr == ""


def test_every_command_takes_quiet(runner):
    from thbkg.cli.main import COMMANDS, cli

    for name in COMMANDS:
        result = runner.invoke(cli, [name, "--help"])
        assert "--quiet" in result.output, name


def test_counting_steps_of_one_phase_writes_one_line(speaking, capsys):
    with progress(2, "centrality") as outer:
        outer.set_item("betweenness")
        with progress(500, "betweenness") as inner:
            for _ in range(500):
                inner.update(1)
    lines = capsys.readouterr().err.splitlines()
    assert [line.rsplit(" (", 1)[0] for line in lines] == ["centrality betweenness",
                                                           "centrality betweenness | betweenness"]
