"""Reliability: outputs never replace inputs, links or foreign folders, and OS errors are messages.

Each case asserts the exact message, the exit status, and that nothing was lost. The cases that need
root (read-only and full file systems) mount a small tmpfs; CI runs as root, so they fail, not skip,
when CI=true and mounting is impossible.
"""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from reliability.mounts import mounted_tmpfs

from thbkg.cli.main import cli
from thbkg.graph import io

THBKG = [str(Path(sys.executable).parent / "thbkg")]


@pytest.fixture(autouse=True)
def _fresh_guard():
    """Each test starts with no recorded inputs and symlinks not followed (the CLI is one process per run)."""
    saved = set(io._inputs)
    io._inputs.clear()
    io.set_follow_symlinks(False)
    yield
    io._inputs.clear()
    io._inputs.update(saved)
    io.set_follow_symlinks(False)


def run(runner, *args):
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    assert "Internal error" not in result.output
    return result


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- outputs onto inputs -------------------------------------------------------------------------

def test_build_refuses_to_overwrite_its_own_links_table(runner, good_copy, no_bundled):
    before = snapshot(good_copy)
    result = run(runner, "build", "--data", str(good_copy), "-o", str(good_copy / "links.csv"))
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Error: refusing to write {good_copy / 'links.csv'}: it is an input folder of this run "
        f"({good_copy}); choose another output path")
    assert snapshot(good_copy) == before


def test_export_csv_refuses_to_overwrite_the_actors_table(runner, good_copy, no_bundled):
    before = snapshot(good_copy)
    result = run(runner, "export", "--format", "csv", "--data", str(good_copy),
                 "-o", str(good_copy / "actors.csv"))
    assert result.exit_code == 2
    assert f"refusing to write {good_copy / 'actors.csv'}: it is an input folder of this run" in result.output
    assert snapshot(good_copy) == before


def test_report_refuses_the_data_folder_itself(runner, good_copy, no_bundled):
    before = snapshot(good_copy)
    result = run(runner, "report", "--data", str(good_copy), "-o", f"{good_copy}/")
    assert result.exit_code == 2
    assert f"refusing to write {good_copy}: it is an input folder of this run" in result.output
    assert snapshot(good_copy) == before


def test_synth_refuses_a_folder_of_someone_elses_files(runner, tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"precious")
    result = run(runner, "synth", "--actors", "20", "--links", "40", "-o", str(mine))
    assert result.exit_code == 2
    assert result.output.strip() == (f"Error: {mine} holds files thbkg did not write (thesis.docx); "
                                     "give a new or empty folder")
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.docx"]


def test_report_folder_written_twice_is_thbkgs_own(runner, tmp_path, good_dir, no_bundled):
    out = tmp_path / "out"
    for _ in range(2):
        result = run(runner, "report", "--data", str(good_dir), "--no-map", "-o", f"{out}/")
        assert result.exit_code == 0, result.output
    assert (out / ".thbkg-output").is_file()
    assert (out / "report.html").is_file()


# -- symlinks and modes --------------------------------------------------------------------------

def test_symlinked_output_is_refused_and_left_a_link(runner, tmp_path, good_dir, no_bundled):
    real = tmp_path / "real.ttl"
    real.write_text("keep me\n", encoding="utf-8")
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    result = run(runner, "build", "--data", str(good_dir), "-o", str(link))
    assert result.exit_code == 2
    assert result.output.strip() == (f"Error: {link} is a symbolic link; thbkg does not write through links "
                                     "(give another path, or add --follow-symlinks)")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "keep me\n"


def test_follow_symlinks_writes_the_target_and_keeps_the_link(runner, tmp_path, good_dir, no_bundled):
    real = tmp_path / "real.ttl"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    result = run(runner, "build", "--follow-symlinks", "--data", str(good_dir), "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith("@prefix")


def test_existing_output_keeps_its_mode(runner, tmp_path, good_dir, no_bundled):
    out = tmp_path / "private.ttl"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o600)
    result = run(runner, "build", "--data", str(good_dir), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8").startswith("@prefix")


def test_output_pointing_at_a_folder(runner, tmp_path, good_dir, no_bundled):
    folder = tmp_path / "somewhere"
    folder.mkdir()
    result = run(runner, "build", "--data", str(good_dir), "-o", str(folder))
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {folder} is a folder; give a file name (e.g. {folder / 'out'})"


# -- temporary files -----------------------------------------------------------------------------

def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_killed_runs_temporary_file_is_swept_by_the_next_run(runner, tmp_path, good_dir, no_bundled):
    stale = tmp_path / f".thbkg-tmp-{_dead_pid()}-0a1b2c3d-big.ttl"
    stale.write_bytes(b"x" * 1000)
    live = tmp_path / f".thbkg-tmp-{os.getpid()}-0a1b2c3d-other.ttl"   # a run still going: kept
    live.write_bytes(b"y")
    users = tmp_path / ".big.ttl.1234.tmp"                              # not thbkg's name: kept
    users.write_bytes(b"z")
    result = run(runner, "build", "--data", str(good_dir), "-o", str(tmp_path / "big.ttl"))
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert live.exists() and users.exists()


def test_sigkill_during_a_write_leaves_only_a_sweepable_temporary(tmp_path):
    """A child killed inside atomic_write leaves the old file intact and a name the next run sweeps."""
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    code = ("import os, signal, thbkg.graph.io as io\n"
            "real_replace = os.replace\n"
            "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
            f"io.atomic_write({str(target)!r}, 'new' * 100000)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == -9
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".thbkg-tmp-")]
    assert len(leftovers) == 1 and target.read_text(encoding="utf-8") == "old\n"
    io.atomic_write(target, "newer\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    assert target.read_text(encoding="utf-8") == "newer\n"


# -- OS errors -----------------------------------------------------------------------------------

def thbkg(*args, env=None, preexec_fn=None):
    environ = {**os.environ, "THBKG_NO_BUNDLED": "1", **(env or {})}
    return subprocess.run([*THBKG, *args], capture_output=True, text=True, env=environ,
                          preexec_fn=preexec_fn, timeout=300)


def test_read_only_folder(tmp_path, good_dir):
    with mounted_tmpfs(tmp_path / "ro", "ro,size=1m") as ro:
        proc = thbkg("build", "--data", str(good_dir), "-o", str(ro / "g.ttl"))
    assert proc.returncode == 1
    assert proc.stderr.strip().endswith(
        "Read-only file system (the file system is read-only; choose another path)")
    assert proc.stderr.startswith(f"Error: {ro}")
    assert "Traceback" not in proc.stderr


def test_disk_full_keeps_the_earlier_output(tmp_path, good_dir):
    with mounted_tmpfs(tmp_path / "small", "size=64k") as small:
        out = small / "g.ttl"
        out.write_text("earlier\n", encoding="utf-8")
        proc = thbkg("build", "--data", str(good_dir), "--with-ontology", "--format", "nt", "-o", str(out))
        kept = out.read_text(encoding="utf-8")
        names = sorted(p.name for p in small.iterdir())
    assert proc.returncode == 1
    assert proc.stderr.strip().endswith(
        "No space left on device (the disk is full; free some space or choose another path)")
    assert kept == "earlier\n" and names == ["g.ttl"]


def test_file_too_large(tmp_path, good_dir):
    out = tmp_path / "g.nt"

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    proc = thbkg("build", "--data", str(good_dir), "--format", "nt", "-o", str(out), preexec_fn=limit)
    assert proc.returncode == 1
    assert proc.stderr.strip().endswith(
        "File too large (the file is larger than this system allows (see 'ulimit -f'); "
        "choose a smaller output)")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_permission_denied(tmp_path, good_dir):
    """Root ignores permission bits, so the child runs without the DAC-override capabilities."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    prefix = []
    if os.geteuid() == 0:
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    proc = subprocess.run([*prefix, *THBKG, "build", "--data", str(good_dir), "-o", str(locked / "g.ttl")],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "THBKG_NO_BUNDLED": "1"})
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip() == (f"Error: {locked / 'g.ttl'}: Permission denied "
                                   "(check its permissions or choose another path)")
    assert list(locked.iterdir()) == []
