"""Peak memory (RSS) of ``thbkg report`` and ``thbkg map`` at several sizes, each run in a fresh process (not a test).

For each size, writes a synthetic dataset with ``thbkg synth`` (unless it is there already: *actors* actors,
``--links-per-actor`` links each, seed 1) and runs each command in its own process, in one or both modes:

* ``store``: the graph read from a persistent store built once with ``thbkg build --store`` (what every
  command does once the graph comes from a store on disk); this measures what thbkg's own code holds;
* ``memory``: the graph built in memory from the tables on every run (``--data DIR`` without the bundled
  tables, ``THBKG_NO_CACHE=1`` so that no store cache stands in for the build).

The figure is the peak resident set size of the command's process tree (``getrusage(RUSAGE_CHILDREN)`` in a
fresh wrapper process per command), with the wall time. The report is ``-o report.html`` (no map, no
tables), the map ``-o map.html`` (every actor, force layout). Nothing is written outside the work folder.

Usage::

    python benchmarks/bench_report_memory.py                          # 1,000, 5,000 and 20,000 actors
    python benchmarks/bench_report_memory.py --actors 20000 --mode store --only map
    python benchmarks/bench_report_memory.py --actors 1000 --work /tmp/bench-report-memory
    python benchmarks/bench_report_memory.py --thbkg "/path/to/other/venv/bin/thbkg"   # another checkout

Heavy: the report takes minutes at 20,000 actors (sampled betweenness from 1,000 sources).
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import time
from pathlib import Path

import bench_memory  # the wrapper that measures a command's peak memory (run from benchmarks/)

COMMANDS = ("report", "map")
MODES = ("store", "memory")

#: the measured thbkg command (``--thbkg``); default: this Python environment's
THBKG: list[str] = []


def thbkg() -> list[str]:
    """The thbkg command measured: ``--thbkg``, else the one of this Python environment."""
    if THBKG:
        return THBKG
    found = shutil.which("thbkg", path=str(Path(sys.executable).parent)) or shutil.which("thbkg")
    return [found] if found else [sys.executable, "-m", "thbkg.cli.main"]


def measure(argv: list[str]) -> dict:
    """:func:`bench_memory.measure` with the store cache off (each run builds what it measures)."""
    return bench_memory.measure(argv, THBKG_NO_CACHE="1")


def ensure_store(data: Path, store: Path) -> dict | None:
    """Build the persistent store of *data* into *store* unless it is there; the build's measure, or None."""
    if (store / "thbkg-store.txt").is_file():
        return None
    return measure([*thbkg(), "build", "--no-bundled", "--data", str(data), "--store", str(store)])


def command_line(command: str, mode: str, data: Path, store: Path, out: Path) -> list[str]:
    """The measured command line."""
    graph = ["--store", str(store)] if mode == "store" else ["--data", str(data)]
    return [*thbkg(), command, *graph, "-o", str(out)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, nargs="+", default=[1_000, 5_000, 20_000])
    parser.add_argument("--links-per-actor", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=MODES, action="append", help="measure only this mode (repeatable)")
    parser.add_argument("--only", choices=COMMANDS, action="append", help="measure only this command (repeatable)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/thbkg-bench-report-memory"),
                        help="folder for the datasets, stores and outputs (created)")
    parser.add_argument("--thbkg", help="the thbkg command to measure, e.g. another checkout's (default: this "
                                        "environment's)")
    args = parser.parse_args(argv)
    THBKG[:] = shlex.split(args.thbkg) if args.thbkg else []

    args.work.mkdir(parents=True, exist_ok=True)
    rows, failed = [], 0
    print(f"{'actors':>7} {'links':>8} {'mode':<7} {'command':<8} {'exit':>4} {'seconds':>8} {'peak RSS MB':>12}",
          flush=True)
    for actors in args.actors:
        links = actors * args.links_per_actor
        name = f"synth-{actors}-{links}-{args.seed}"
        data, store = args.work / name, args.work / f"{name}-store"
        bench_memory.ensure_dataset(data, actors, links, args.seed, thbkg())
        for mode in args.mode or MODES:
            if mode == "store":
                built = ensure_store(data, store)
                if built is not None:
                    print(f"{actors:>7} {links:>8} {mode:<7} {'build':<8} {built['exit']:>4} {built['seconds']:>8} "
                          f"{built['peak_mb']:>12}", flush=True)
            for command in args.only or COMMANDS:
                out = args.work / f"{command}-{name}-{mode}.html"
                result = measure(command_line(command, mode, data, store, out))
                rows.append((actors, links, mode, command, result))
                print(f"{actors:>7} {links:>8} {mode:<7} {command:<8} {result['exit']:>4} {result['seconds']:>8} "
                      f"{result['peak_mb']:>12}   (ended {time.strftime('%H:%M:%S')})", flush=True)
                if result["exit"] != 0:
                    failed += 1
                    print(result["stderr"], file=sys.stderr)
    print("\n| actors | links | graph | command | peak RSS | time |\n|---:|---:|---|---|---:|---:|")
    for actors, links, mode, command, result in rows:
        graph = "persistent store" if mode == "store" else "built in memory"
        print(f"| {actors:,} | {links:,} | {graph} | {command} | {result['peak_mb']:,} MB | {result['seconds']} s |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
