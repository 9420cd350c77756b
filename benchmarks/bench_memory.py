"""Peak memory (RSS) and wall time of thbkg commands on a large synthetic dataset (not a test).

Writes the dataset with ``thbkg synth`` (unless it is there already), then runs each command in its
own process, without the bundled tables (``THBKG_NO_BUNDLED=1 … --data DIR``), and prints the peak
resident set size of that process and its children (``getrusage(RUSAGE_CHILDREN)`` in a fresh
wrapper process per command) and the wall time. Nothing is written outside the work folder.

Usage::

    python benchmarks/bench_memory.py                       # 20,000 actors, 200,000 links, seed 1
    python benchmarks/bench_memory.py --actors 2000 --links 20000 --work /tmp/bench-mem
    python benchmarks/bench_memory.py --only centrality     # one command

The issue-8 figures (report 9.3 GB, 20,000 actors and 200,000 links) come from this shape. Heavy:
minutes per command at the default size. ``benchmarks/bench_report_memory.py`` measures ``report`` and
``map`` at several sizes, on a persistent store and with the graph built in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

#: name -> thbkg arguments (the data folder and outputs are added by :func:`commands`)
COMMANDS = ("centrality", "report")

_WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"exit": done.returncode, "seconds": round(time.perf_counter() - started, 1),
                  "peak_mb": round(peak_kb / 1024), "stderr": done.stderr.decode("utf-8", "replace")[-2000:]}))
"""


def thbkg() -> list[str]:
    """The thbkg command of this Python environment."""
    found = shutil.which("thbkg", path=str(Path(sys.executable).parent)) or shutil.which("thbkg")
    return [found] if found else [sys.executable, "-m", "thbkg.cli.main"]


def commands(data: Path, work: Path) -> dict[str, list[str]]:
    """The measured command lines."""
    return {
        "centrality": [*thbkg(), "centrality", "--data", str(data), "-o", str(work / "centrality.txt")],
        "report": [*thbkg(), "report", "--data", str(data), "-o", str(work / "report") + "/"],
    }


def measure(argv: list[str], **extra_env: str) -> dict:
    """Run *argv* in a fresh wrapper process (the environment plus *extra_env*); its exit status,
    seconds and peak RSS (MB)."""
    env = dict(os.environ, THBKG_NO_BUNDLED="1", **extra_env)
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *argv], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def ensure_dataset(data: Path, actors: int, links: int, seed: int, command: list[str] | None = None) -> None:
    """Write the synthetic tables into *data* unless they are there (with *command*, default :func:`thbkg`)."""
    if (data / "links.csv").is_file() and (data / "actors.csv").is_file():
        return
    subprocess.run([*(command or thbkg()), "synth", "--actors", str(actors), "--links", str(links), "--seed", str(seed),
                    "-o", str(data)], check=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=20_000)
    parser.add_argument("--links", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/thbkg-bench-memory"),
                        help="folder for the dataset and the outputs (created)")
    parser.add_argument("--only", choices=COMMANDS, action="append", help="measure only this command (repeatable)")
    args = parser.parse_args(argv)

    data = args.work / f"synth-{args.actors}-{args.links}-{args.seed}"
    args.work.mkdir(parents=True, exist_ok=True)
    ensure_dataset(data, args.actors, args.links, args.seed)
    print(f"dataset: {args.actors:,} actors, {args.links:,} links, seed {args.seed} ({data})")
    print(f"{'command':<12} {'exit':>4} {'seconds':>8} {'peak RSS MB':>12}")
    failed = 0
    for name, command in commands(data, args.work).items():
        if args.only and name not in args.only:
            continue
        started = time.strftime("%H:%M:%S")
        result = measure(command)
        print(f"{name:<12} {result['exit']:>4} {result['seconds']:>8} {result['peak_mb']:>12}   (started {started})",
              flush=True)
        if result["exit"] != 0:
            failed += 1
            print(result["stderr"], file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
