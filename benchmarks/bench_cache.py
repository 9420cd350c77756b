"""The store cache, side by side in one run (not a test): what a command on tables costs before and after.

For each size (``thbkg synth --actors N --links 5N --seed 1``, written once into the work folder), each
command runs as its own process, and its wall time, CPU time (user + system, from ``os.wait4``) and
peak RSS are recorded:

* ``help``: ``thbkg --help`` (process start, the floor);
* ``no-cache``: ``thbkg query -n most_connected_actors --data DIR --no-cache`` (what every command did
  before the cache: check the tables, build the store in memory, answer);
* ``first``: the same command on a new, empty cache (tables checked, store built into the cache);
* ``build-store``: ``thbkg build --store DIR`` on the same tables (the floor for ``first``);
* ``second``: the same command again (store opened read-only, the answer read back);
* ``second-new-query``: the same query with a different comment each run, so it is run on the cached
  store and not read back (what any other query costs);
* ``validate-pyshacl-no-cache`` (the former ``thbkg validate``), ``validate-sparql-no-cache`` (the new
  engine, tables read and checked again) and ``validate-second`` (unchanged tables: the kept report).

The commands of one size are interleaved ``--runs`` times (help, second, second-new-query, no-cache,
first, build-store, …) so that load on the machine hits them alike; medians are reported, and the
ratios are of medians from this one run. Sizes over ``--no-cache-limit`` actors skip the no-cache run,
and sizes over ``--pyshacl-limit`` the pySHACL validation (minutes each). Raw figures go to ``WORK/bench_cache.json``.

Usage::

    python benchmarks/bench_cache.py                       # 1000 10000
    python benchmarks/bench_cache.py 1000 10000 100000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUERY = "most_connected_actors"


def thbkg() -> str:
    found = shutil.which("thbkg")
    if not found:
        sys.exit("thbkg is not installed in this environment")
    return found


def measure(args: list[str], env: dict) -> dict:
    """Run one command; wall seconds, CPU seconds and peak RSS (MiB) of its process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err[-500:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mib": usage.ru_maxrss / 1024}


def synth(work: Path, actors: int) -> Path:
    folder = work / f"synth-{actors}"
    if not (folder / "links.csv").exists():
        subprocess.run([thbkg(), "synth", "--actors", str(actors), "--links", str(5 * actors), "--seed", "1",
                        "-o", str(folder)], check=True, stdout=subprocess.DEVNULL)
    return folder


def one_round(data: Path, work: Path, env: dict, n: int, with_no_cache: bool, with_pyshacl: bool) -> dict:
    exe = thbkg()
    query = [exe, "query", "-n", QUERY, "--data", str(data)]
    text = (Path(__file__).resolve().parents[1] / "graph" / "store" / "queries" / f"{QUERY}.rq").read_text()
    fresh = dict(env, THBKG_CACHE=str(work / f"cache-first-{n}"))
    out = {"help": measure([exe, "--help"], env),
           "second": measure(query, env),
           "second-new-query": measure([exe, "query", "--data", str(data), f"# round {n} {time.time()}\n" + text],
                                       env)}
    validate = [exe, "validate", "--data", str(data)]
    out["validate-second"] = measure(validate, env)
    out["validate-sparql-no-cache"] = measure(validate + ["--no-cache"], env)
    if with_no_cache:
        out["no-cache"] = measure(query + ["--no-cache"], env)
    if with_pyshacl:
        out["validate-pyshacl-no-cache"] = measure(validate + ["--no-cache", "--engine", "pyshacl"], env)
    out["first"] = measure(query, fresh)
    shutil.rmtree(work / f"cache-first-{n}", ignore_errors=True)
    out["build-store"] = measure([exe, "build", "--data", str(data), "--store", str(work / f"store-{n}")], env)
    shutil.rmtree(work / f"store-{n}", ignore_errors=True)
    return out


def bench_size(actors: int, work: Path, runs: int, no_cache_limit: int, pyshacl_limit: int) -> dict:
    data = synth(work, actors)
    env = dict(os.environ, THBKG_NO_BUNDLED="1", THBKG_QUIET="1", THBKG_CACHE=str(work / "cache"))
    env.pop("THBKG_NO_CACHE", None)
    measure([thbkg(), "query", "-n", QUERY, "--data", str(data)], env)  # warm: the entry and the answer exist
    measure([thbkg(), "validate", "--data", str(data)], env)  # and the validation report
    rounds = [one_round(data, work, env, n, actors <= no_cache_limit, actors <= pyshacl_limit) for n in range(runs)]
    medians = {name: {k: statistics.median(r[name][k] for r in rounds) for k in ("wall", "cpu", "rss_mib")}
               for name in rounds[0]}
    return {"actors": actors, "links": 5 * actors, "runs": runs, "rounds": rounds, "median": medians}


def report(result: dict) -> str:
    med = result["median"]
    lines = [f"## {result['actors']:,} actors, {result['links']:,} links (median of {result['runs']})", "",
             "| command | wall s | CPU s | peak RSS MiB | wall ÷ `--help` |", "|---|---|---|---|---|"]
    for name, m in med.items():
        lines.append(f"| {name} | {m['wall']:.2f} | {m['cpu']:.2f} | {m['rss_mib']:.0f} | "
                     f"{m['wall'] / med['help']['wall']:.1f}× |")
    if "no-cache" in med:
        lines.append(f"\nsecond ÷ no-cache: {med['second']['wall'] / med['no-cache']['wall']:.3f} (wall)")
    if "validate-pyshacl-no-cache" in med:
        old, new = med["validate-pyshacl-no-cache"], med["validate-sparql-no-cache"]
        lines.append(f"validate, pyshacl ÷ sparql engine (both without the cache): {old['wall'] / new['wall']:.1f}× "
                     f"(wall), {old['cpu'] / new['cpu']:.1f}× (CPU); ÷ the kept report: "
                     f"{old['wall'] / med['validate-second']['wall']:.0f}× (wall)")
    lines.append(f"first ÷ build-store: {med['first']['wall'] / med['build-store']['wall']:.2f} (wall), "
                 f"{med['first']['cpu'] / med['build-store']['cpu']:.2f} (CPU)")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000], help="numbers of actors")
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds per size (median reported)")
    parser.add_argument("--no-cache-limit", type=int, default=20000,
                        help="largest size also timed without the cache")
    parser.add_argument("--pyshacl-limit", type=int, default=20000,
                        help="largest size also validated with pySHACL (minutes at 10,000 actors)")
    parser.add_argument("--work", default="/tmp/thbkg-bench-cache", help="folder for data, caches and results")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}\n", flush=True)
    results = []
    for actors in args.sizes:
        results.append(bench_size(actors, work, args.runs, args.no_cache_limit, args.pyshacl_limit))
        print(report(results[-1]), flush=True)
    (work / "bench_cache.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
