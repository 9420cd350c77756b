"""Same tables, same bytes: every output written twice, by two processes with different hash seeds.

Running in one process could not catch output that depends on Python's per-process string hashing
(set and dict order of strings); two processes with ``PYTHONHASHSEED`` 1 and 2 do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

THBKG = str(Path(sys.executable).parent / "thbkg")

COMMANDS = {
    "export-gexf": ["export", "--format", "gexf", "-o", "{out}"],
    "export-graphml": ["export", "--format", "graphml", "--edges", "links", "-o", "{out}"],
    "export-kumu": ["export", "--format", "kumu", "-o", "{out}"],
    "export-cytoscape": ["export", "--format", "cytoscape", "-o", "{out}"],
    "export-csv": ["export", "--format", "csv", "-o", "{out}"],
    "report-md": ["report", "--format", "md", "--generated", "2026-01-01", "--snapshot", "2015", "-o", "{out}"],
    "report-html": ["report", "--format", "html", "--generated", "2026-01-01", "--snapshot", "2015",
                    "-o", "{out}"],
    "map": ["map", "--layout", "force", "-o", "{out}"],
    "centrality-csv": ["centrality", "--format", "csv", "-o", "{out}"],
    "query-csv": ["query", "-n", "agency_partners", "--param", "agency=frontex", "--format", "csv", "-o", "{out}"],
    "stats-json": ["stats", "--format", "json", "-o", "{out}"],
}


def run_with_seed(args, seed: str, out: Path) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run([THBKG, *(a.format(out=out) for a in args)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out.read_bytes()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_two_processes_with_different_hash_seeds_write_the_same_bytes(name, tmp_path):
    first = run_with_seed(COMMANDS[name], "1", tmp_path / "a" / "out")
    second = run_with_seed(COMMANDS[name], "2", tmp_path / "b" / "out")
    assert len(first) > 100
    assert first == second


def test_synth_writes_the_same_tables_under_different_hash_seeds(tmp_path):
    tables = []
    for seed in ("1", "2"):
        folder = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([THBKG, "synth", "--actors", "200", "--links", "800", "--seed", "7", "-o", str(folder)],
                       env=env, check=True, capture_output=True, timeout=300)
        tables.append({p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))})
    assert len(tables[0]) == 6 and tables[0] == tables[1]
