"""Time and memory of ``thbkg site`` (write_site) on the bundled graph and on ``thbkg synth`` data (not a test).

Each site is written in a fresh process (this script run with an internal flag, calling
:func:`thbkg.graph.outputs.site.writer.write_site` on ``GraphSource()`` for the bundled graph or
``GraphSource(data_dirs=(DIR,), include_bundled=False)`` for synthetic tables), so nothing leaks from one
size to the next. For each size it prints:

* wall time of that process (interpreter start, imports, the build and exit) and its CPU time (the
  process and the one write_site forks for the entity pages, from ``os.wait4``), and write_site's own
  phases (``SiteInfo.laps``);
* pages, files and MB (from SiteInfo), and the largest HTML page and largest file found on disk
  afterwards, with every HTML page over 1 MB named;
* memory: peak RSS of the main process (``getrusage(RUSAGE_SELF)``) and of the forked process
  (``RUSAGE_CHILDREN``), and the peak of the *sum* of the proportional set sizes (``Pss`` of
  ``/proc/<pid>/smaps_rollup``) of the process and all its descendants, sampled every 0.25 s by a thread
  of this script. The fork shares the parent's pages copy-on-write, so the two RSS figures count the
  shared pages twice; the PSS sum counts each page once (a peak shorter than 0.25 s can be missed);
* side by side in the same run: the median of ``thbkg --help`` (process start; 5 runs around each
  build), for the sizes given with ``--compare`` also ``thbkg report -o x.html`` on the same data (the
  nearest existing product, with the same PSS sampling), alternated with the site build ``--runs`` times;
  and the crawler ``check_site`` on the written site, in its own process, given up after
  ``--check-timeout`` seconds.

Memory is in MiB (2**20 bytes), file sizes in MB (10**6 bytes). Each build also records a fingerprint of
thbkg's code, templates and bundled data before and after it, flagged when they changed during the build.
Sizes are ``bundled`` or ``ACTORSxLINKS`` (``thbkg synth --actors ACTORS --links LINKS --seed SEED``, written
once into the work folder and reused). The raw figures go to ``WORK/bench_site-<sizes>.json``.

Usage::

    python benchmarks/bench_site.py                                  # bundled 1000x10000 5000x50000
    python benchmarks/bench_site.py 100000x300000 --check-timeout 600
    python benchmarks/bench_site.py bundled --runs 3 --work /tmp/thbkg-bench-site

Heavy at 100,000 actors: tens of minutes and several GB. Run one big size at a time on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

PAGE_LIMIT = 1_000_000  # bytes: the limit on one page
SAMPLE_S = 0.25


# ---------------------------------------------------------------------- in the measured process
def _build(data: str, out: str) -> None:
    """Internal: write one site and print what write_site and getrusage say, as one JSON line."""
    import resource

    started = time.perf_counter()
    from thbkg.graph.outputs.site.writer import write_site
    from thbkg.graph.store.source import GraphSource

    source = GraphSource() if data == "bundled" else GraphSource(data_dirs=(data,), include_bundled=False)
    imported = time.perf_counter()
    info = write_site(source, out)
    done = time.perf_counter()
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"import_s": round(imported - started, 2), "write_site_s": round(done - imported, 2),
                      "laps": info.laps, "pages": info.pages, "files": info.files, "bytes": info.bytes,
                      "largest_page": list(info.largest_page),
                      "rss_main_mb": round(own.ru_maxrss / 1024), "rss_fork_mb": round(children.ru_maxrss / 1024),
                      "cpu_main_s": round(own.ru_utime + own.ru_stime, 1),
                      "cpu_fork_s": round(children.ru_utime + children.ru_stime, 1)}))


def _check(out: str) -> None:
    """Internal: crawl one site; print the number of problems and the first few, as one JSON line."""
    started = time.perf_counter()
    from thbkg.graph.outputs.site.check import check_site

    problems = check_site(out)
    print(json.dumps({"check_s": round(time.perf_counter() - started, 1), "problems": len(problems),
                      "first": problems[:5]}))


# ---------------------------------------------------------------------- measuring a process tree
def _children_of() -> dict[int, list[int]]:
    """Every process's children, from /proc/*/stat (this kernel has no /proc/<pid>/task/<tid>/children)."""
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _tree(pid: int) -> list[int]:
    kids, found, todo = _children_of(), [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(kids.get(p, ()))
    return found


def _rollup(pid: int) -> tuple[int, int]:
    """(Pss, Rss) of one process in kB, (0, 0) once it has gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return pss, rss


class TreeSampler(threading.Thread):
    """Every SAMPLE_S seconds, the summed PSS (and RSS) of a process and its descendants; keeps the peaks."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.stop = pid, threading.Event()
        self.peak_pss_kb = self.peak_rss_kb = self.most_processes = self.samples = 0
        self.cpu_s = 0.0

    def run(self):
        while not self.stop.is_set():
            pids = _tree(self.pid)
            sizes = [_rollup(p) for p in pids]
            self.peak_pss_kb = max(self.peak_pss_kb, sum(s[0] for s in sizes))
            self.peak_rss_kb = max(self.peak_rss_kb, sum(s[1] for s in sizes))
            self.most_processes = max(self.most_processes, sum(1 for s in sizes if s[1]))
            self.samples += 1
            self.cpu_s = time.thread_time()  # this thread's own CPU time: the cost of sampling
            self.stop.wait(SAMPLE_S)


def measure(argv: list[str], *, env=None, timeout: float | None = None, log: Path | None = None) -> dict:
    """Run *argv* in a fresh process; wall and CPU time, peak summed PSS/RSS of its tree, exit status, stdout."""
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-site-{os.getpid()}.out"
    with open(out_path, "wb") as out, open(log or os.devnull, "ab") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, start_new_session=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - started > timeout:
                os.killpg(proc.pid, signal.SIGKILL)  # the group of the process started just above
                timed_out = True
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop.set()
        sampler.join()
    text = out_path.read_text(encoding="utf-8", errors="replace")
    out_path.unlink()
    return {"exit": proc.returncode, "timed_out": timed_out, "wall_s": round(wall, 3),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "max_rss_one_mb": round(usage.ru_maxrss / 1024),
            "peak_pss_sum_mb": round(sampler.peak_pss_kb / 1024), "peak_rss_sum_mb": round(sampler.peak_rss_kb / 1024),
            "most_processes": sampler.most_processes, "samples": sampler.samples,
            "sampler_cpu_s": round(sampler.cpu_s, 1), "stdout": text}


def _json_line(result: dict) -> dict:
    lines = [line for line in result["stdout"].splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines and result["exit"] == 0 else {}


def code_fingerprint() -> str:
    """sha256 (12 hex digits) of thbkg's code, templates and bundled data, to tell if they changed during a run."""
    import hashlib

    import thbkg.graph

    root = Path(next(iter(thbkg.graph.__path__))).parent
    digest = hashlib.sha256()
    for folder in ("graph", "cli", "ontology", "data"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def thbkg() -> list[str]:
    """The thbkg command of this Python environment."""
    found = shutil.which("thbkg", path=str(Path(sys.executable).parent)) or shutil.which("thbkg")
    return [found] if found else [sys.executable, "-m", "thbkg.cli.main"]


def help_median(runs: int = 5) -> float:
    return statistics.median(measure([*thbkg(), "--help"])["wall_s"] for _ in range(runs))


def scan(folder: Path) -> dict:
    """Largest HTML page, largest file and HTML pages over PAGE_LIMIT, as found on disk."""
    largest_html, largest_file, over, files, total = ("", 0), ("", 0), [], 0, 0
    for root, _, names in os.walk(folder):
        for name in names:
            path = Path(root, name)
            size = path.stat().st_size
            rel = path.relative_to(folder).as_posix()
            files += 1
            total += size
            if size > largest_file[1]:
                largest_file = (rel, size)
            if name.endswith(".html"):
                if size > largest_html[1]:
                    largest_html = (rel, size)
                if size > PAGE_LIMIT:
                    over.append((rel, size))
    return {"disk_files": files, "disk_bytes": total, "largest_html": list(largest_html),
            "largest_file": list(largest_file), "html_over_1mb": sorted(over, key=lambda x: -x[1])}


# ---------------------------------------------------------------------- one size
def parse_size(text: str) -> tuple[str, int | None, int | None]:
    if text == "bundled":
        return "bundled", None, None
    actors, _, links = text.lower().partition("x")
    return text, int(actors), int(links)


def dataset(work: Path, actors: int, links: int, seed: int) -> tuple[Path, float | None]:
    """The synthetic tables (written with thbkg synth unless there already), and the seconds that took."""
    data = work / f"synth-{actors}-{links}-{seed}"
    if (data / "links.csv").is_file() and (data / "actors.csv").is_file():
        return data, None
    started = time.perf_counter()
    subprocess.run([*thbkg(), "synth", "--actors", str(actors), "--links", str(links), "--seed", str(seed),
                    "-o", str(data)], check=True, stdout=subprocess.DEVNULL)
    return data, round(time.perf_counter() - started, 1)


def run_size(spec: str, args) -> dict:
    name, actors, links = parse_size(spec)
    row: dict = {"size": name, "actors": actors, "links": links, "seed": args.seed,
                 "started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                 "load_before": os.getloadavg()[0]}
    if actors is None:
        data, env, data_args = "bundled", None, []
    else:
        data_dir, row["synth_s"] = dataset(args.work, actors, links, args.seed)
        data, env, data_args = str(data_dir), dict(os.environ, THBKG_NO_BUNDLED="1"), ["--data", str(data_dir)]
    compared = spec in args.compare
    runs = args.runs if compared else 1
    site = args.work / f"site-{name}"
    log = args.work / f"bench-site-{name}.log"
    builds, reports, helps = [], [], []
    for n in range(runs):
        helps.append(help_median())
        shutil.rmtree(site, ignore_errors=True)
        code = code_fingerprint()
        result = measure([sys.executable, __file__, "--_build", data, str(site)], log=log)
        result.update(_json_line(result))
        del result["stdout"]
        result["code"] = code if code == code_fingerprint() else f"{code}, changed during the build"
        builds.append(result)
        print(f"  {name} build {n + 1}/{runs}: exit {result['exit']}, {result['wall_s']} s, "
              f"PSS sum {result['peak_pss_sum_mb']} MB", file=sys.stderr, flush=True)
        if result["exit"] != 0:
            row.update(builds=builds, error=f"exit {result['exit']}; see {log}")
            return row
        if compared:
            report = measure([*thbkg(), "report", *data_args, "-o", str(args.work / f"report-{name}.html")],
                             env=env, log=log)
            del report["stdout"]
            reports.append(report)
        helps.append(help_median())
    row.update(builds=builds, reports=reports, helps=helps, disk=scan(site))
    if args.check_timeout > 0:
        check = measure([sys.executable, __file__, "--_check", str(site)], timeout=args.check_timeout, log=log)
        check.update(_json_line(check))
        del check["stdout"]
        row["check"] = check
    row["load_after"] = os.getloadavg()[0]
    if not args.keep:
        shutil.rmtree(site, ignore_errors=True)
    return row


# ---------------------------------------------------------------------- printing
def _mb(n: float) -> str:
    return f"{n / 1e6:,.2f} MB"


def table(row: dict) -> str:
    """The figures of one size as a Markdown table (medians where there were several runs)."""
    if "error" in row:
        return f"{row['size']}: failed ({row['error']})"
    builds = row["builds"]

    def med(key, rows=builds):
        return statistics.median(r[key] for r in rows)

    last, disk = builds[-1], row["disk"]
    cost = [b["sampler_cpu_s"] for b in builds if "sampler_cpu_s" in b]
    sampling = f"{statistics.median(cost):.1f} s" if cost else "not recorded"
    runs = f" (median of {len(builds)})" if len(builds) > 1 else ""
    help_s = statistics.median(row["helps"])
    lines = ["| figure | value |", "|---|---:|",
             f"| thbkg code, templates and data (sha256) | {', '.join(sorted({b.get('code', 'not recorded') for b in builds}))} |",
             f"| process wall time{runs} | {med('wall_s'):.2f} s |",
             f"| of which write_site{runs} | {med('write_site_s'):.2f} s |",
             (f"| CPU time, both processes{runs} | {med('cpu_s'):.1f} s (main {med('cpu_main_s'):.1f} s, "
              f"fork {med('cpu_fork_s'):.1f} s) |")]
    for phase in last["laps"]:
        lines.append(f"| phase: {phase}{runs} | {statistics.median(b['laps'][phase] for b in builds):.2f} s |")
    lines += [f"| pages / files / MB | {last['pages']:,} / {last['files']:,} / {last['bytes'] / 1e6:,.1f} MB |",
              f"| largest page (write_site) | `{last['largest_page'][0]}`, {_mb(last['largest_page'][1])} |",
              (f"| largest HTML on disk / largest file | `{disk['largest_html'][0]}`, {_mb(disk['largest_html'][1])} "
               f"/ `{disk['largest_file'][0]}`, {_mb(disk['largest_file'][1])} |"),
              f"| HTML pages over 1 MB | {len(disk['html_over_1mb'])}"
              + "".join(f"; `{p}` {_mb(s)}" for p, s in disk["html_over_1mb"][:10])
              + ("; …" if len(disk["html_over_1mb"]) > 10 else "") + " |",
              (f"| peak RSS, main process / forked process{runs} | {med('rss_main_mb'):,.0f} MiB / "
               f"{med('rss_fork_mb'):,.0f} MiB |"),
              (f"| peak of summed PSS, all processes (0.25 s samples){runs} | **{med('peak_pss_sum_mb'):,.0f} MiB** "
               f"(summed RSS {med('peak_rss_sum_mb'):,.0f} MiB; the sampling thread's CPU {sampling}) |"),
              f"| `thbkg --help` (median) / site ÷ help | {help_s:.3f} s / {med('wall_s') / help_s:,.0f}× |"]
    if row["reports"]:
        reports = row["reports"]
        lines.append(f"| `thbkg report -o x.html`{runs} / site ÷ report | {med('wall_s', reports):.2f} s, "
                     f"PSS {med('peak_pss_sum_mb', reports):,.0f} MiB / "
                     f"{med('wall_s') / med('wall_s', reports):.2f}× (time), "
                     f"{med('peak_pss_sum_mb') / med('peak_pss_sum_mb', reports):.2f}× (PSS) |")
    check = row.get("check")
    if check:
        if check["timed_out"]:
            lines.append(f"| `check_site` | given up after {check['wall_s']:.0f} s |")
        else:
            lines.append(f"| `check_site` / site ÷ check | {check.get('check_s', float('nan')):.1f} s "
                         f"({check.get('problems', '?')} problems), peak RSS {check['max_rss_one_mb']:,} MiB / "
                         f"{med('wall_s') / max(check.get('check_s', 0), 0.01):.2f}× |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", default=["bundled", "1000x10000", "5000x50000"],
                        help="bundled or ACTORSxLINKS (thbkg synth); default: bundled 1000x10000 5000x50000")
    parser.add_argument("--seed", type=int, default=1, help="thbkg synth --seed")
    parser.add_argument("--runs", type=int, default=3, help="builds per size given in --compare (median reported)")
    parser.add_argument("--compare", nargs="*", default=["bundled", "1000x10000"],
                        help="sizes also timed with thbkg report -o x.html, alternated with the site build")
    parser.add_argument("--check-timeout", type=float, default=600,
                        help="give check_site up after this many seconds (0: do not crawl)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/thbkg-bench-site"),
                        help="folder for the datasets, sites, logs and the JSON figures (created)")
    parser.add_argument("--keep", action="store_true", help="keep the written sites in the work folder")
    parser.add_argument("--show", type=Path, metavar="JSON", help="print the tables of a JSON file this script wrote")
    parser.add_argument("--_build", nargs=2, metavar=("DATA", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--_check", metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._build:
        _build(*args._build)
        return 0
    if args._check:
        _check(args._check)
        return 0
    if args.show:
        for row in json.loads(args.show.read_text(encoding="utf-8")):
            print(f"\n## {row['size']} ({row['started']})\n\n{table(row)}")
        return 0

    args.work.mkdir(parents=True, exist_ok=True)
    print(f"# {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    rows, failed = [], 0
    for spec in args.sizes:
        row = run_size(spec, args)
        rows.append(row)
        failed += "error" in row
        title = spec if spec == "bundled" else f"{row['actors']:,} actors, {row['links']:,} links, seed {args.seed}"
        print(f"\n## {title} ({row['started']}, load average {row['load_before']:.2f} before, "
              f"{row.get('load_after', float('nan')):.2f} after)\n\n{table(row)}", flush=True)
        (args.work / f"bench_site-{'-'.join(args.sizes)}.json").write_text(json.dumps(rows, indent=2),
                                                                             encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
