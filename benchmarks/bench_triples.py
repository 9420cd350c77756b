"""Triples benchmark (not a timed test): from the checked tables to the N-Triples that load a store.

Run from the repository root:

    .venv/bin/python benchmarks/bench_triples.py [--sizes 10000,100000] [--paths rdflib,writer,oxigraph]
        [--max-rss-gb 16] [--write FILE.md]

For each dataset (``thbkg synth --actors N --links 5N --seed 1``, one per N of --sizes) and each path,
one fresh subprocess reads the tables with ``load_dataset`` (not timed), then runs the path. It reports
the CPU and wall seconds of the two steps, triples per CPU second, and the peak RSS of the process (with
the RSS before the step, so the step's own share shows). Paths:

- ``rdflib``: the former way (before issue 15): the mapping of graph/rdf/build.py makes an rdflib
  ``URIRef``/``Literal`` per term (``build._GraphEmitter``), and each triple becomes its line through
  rdflib's N-Triples row writer (``_nt_row``) into a set, as the former ``_NTriplesSink`` did; then
  the lines are sorted, encoded and joined.
- ``writer``: what thbkg does now (``dataset_ntriples_bytes``): the same mapping writes each line with
  a string template (graph/rdf/ntriples.py, no rdflib term), then the UTF-8 lines are sorted, each kept
  once, and joined.
- ``oxigraph``: Oxigraph's own bulk load (``Store().bulk_load``, in memory, as the store cache loads)
  of the writer's N-Triples; step 1 is the writer (as above), step 2 the load, whose rate is the figure.

Both N-Triples paths are checked to give the same bytes (their SHA-256 is compared).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
PATHS = ("rdflib", "writer", "oxigraph")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _RdflibSink:
    """The former ``build._NTriplesSink``: each triple of rdflib terms kept as rdflib's N-Triples line."""

    def __init__(self):
        from rdflib.plugins.serializers.nt import _nt_row

        self.lines: set[str] = set()
        self._row = _nt_row
        self._add = self.lines.add

    def add(self, triple):
        self._add(self._row(triple))


def rdflib_path(ds, vocab, clock: dict) -> bytes:
    from thbkg.graph.rdf.build import _add_dataset, _GraphEmitter

    sink = _RdflibSink()
    _add_dataset(_GraphEmitter(sink), ds, vocab)
    clock["step1"] = time.process_time(), time.perf_counter()
    data = b"".join(line.encode("utf-8") for line in sorted(sink.lines))
    sink.lines.clear()
    return data


def writer_path(ds, vocab, clock: dict) -> bytes:
    from thbkg.graph.rdf.build import _add_dataset
    from thbkg.graph.rdf.ntriples import NTriplesWriter, unique_sorted

    out = NTriplesWriter()
    _add_dataset(out, ds, vocab)
    clock["step1"] = time.process_time(), time.perf_counter()
    lines = unique_sorted(out.lines)
    del out
    return b"".join(lines)


def oxigraph_path(ds, vocab, clock: dict) -> bytes:
    import pyoxigraph

    data = writer_path(ds, vocab, {})
    clock["step1"] = time.process_time(), time.perf_counter()
    store = pyoxigraph.Store()
    store.bulk_load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
    clock["loaded"] = len(store)
    return data


def child(path: str, dataset: str, out: str) -> None:
    """One measurement in this (fresh) process; the figures go to *out* (JSON)."""
    import pyoxigraph  # noqa: F401  (imported before the baseline, like the paths' other libraries)
    import rdflib.plugins.serializers.nt  # noqa: F401

    from thbkg.graph.rdf.tables import load_dataset
    from thbkg.graph.rdf.vocab import load_vocabulary

    ds = load_dataset([dataset], include_bundled=False)
    vocab = load_vocabulary()
    base_rss = _rss_mb()
    clock: dict = {}
    cpu, wall = time.process_time(), time.perf_counter()
    data = {"rdflib": rdflib_path, "writer": writer_path, "oxigraph": oxigraph_path}[path](ds, vocab, clock)
    done_cpu, done_wall = time.process_time(), time.perf_counter()
    step_cpu, step_wall = clock["step1"]
    Path(out).write_text(json.dumps({
        "cpu1_s": step_cpu - cpu, "cpu2_s": done_cpu - step_cpu, "wall1_s": step_wall - wall,
        "wall2_s": done_wall - step_wall, "rss_before_mb": base_rss, "rss_peak_mb": _rss_mb(),
        "triples": data.count(b"\n"), "loaded": clock.get("loaded"), "sha256": hashlib.sha256(data).hexdigest(),
        "actors": len(ds.actors), "links": len(ds.links)}))


def _rss_of(pid: int) -> float:
    """Resident memory of process *pid* in MB (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


def measure(path: str, dataset: str, workdir: Path, max_rss_gb: float) -> dict:
    """Run one child; stop it (by its pid) if its resident memory passes *max_rss_gb* (shared machines)."""
    out = workdir / f"{path}-{Path(dataset).name}.json"
    cmd = [PY, __file__, "--child", path, dataset, str(out)]
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "THBKG_QUIET": "1"}) as proc:
        while proc.poll() is None:
            if _rss_of(proc.pid) > max_rss_gb * 1024:
                proc.kill()
                proc.wait()
                return {"error": f"stopped: resident memory above {max_rss_gb:g} GB"}
            time.sleep(0.2)
        stderr = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        return {"error": stderr.strip().splitlines()[-1] if stderr.strip() else "failed"}
    return json.loads(out.read_text())


def synth(n: int, workdir: Path) -> str:
    folder = workdir / f"synth-{n}"
    subprocess.run([PY, "-c", "from thbkg.cli.main import cli; cli()", "synth", "--actors", str(n), "--links",
                    str(5 * n), "--seed", "1", "-o", str(folder)], check=True, capture_output=True)
    return str(folder)


def run(sizes, paths, max_rss_gb: float) -> list:
    workdir = Path(tempfile.mkdtemp(prefix="bench-triples-"))
    rows = []
    for n in sizes:
        dataset = synth(n, workdir)
        results = {}
        for path in paths:
            print(f"synth {n}: {path} ...", file=sys.stderr, flush=True)
            results[path] = measure(path, dataset, workdir, max_rss_gb)
        digests = {r["sha256"] for r in results.values() if "sha256" in r}
        for path, result in results.items():
            rows.append({"dataset": f"synth {n}", "path": path, "same_bytes": len(digests) == 1, **result})
    return rows


def _rate(triples: int, seconds: float) -> str:
    return f"{triples / seconds:,.0f}" if seconds > 0 else "–"


def markdown(rows) -> str:
    lines = [("| data | actors / links | path | triples | CPU s: N-Triples | CPU s: sort+join / load | "
              "wall s total | triples per CPU s | RSS before MB | peak RSS MB | same bytes |"),
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['dataset']} | | {r['path']} | | | | | | | | error: {r['error']} |")
            continue
        if r["path"] == "oxigraph":  # the figure is the load's rate
            rate = _rate(r["loaded"], r["cpu2_s"]) + " (load)"
        else:
            rate = _rate(r["triples"], r["cpu1_s"] + r["cpu2_s"])
        lines.append(f"| {r['dataset']} | {r['actors']} / {r['links']} | {r['path']} | {r['triples']:,} | "
                     f"{r['cpu1_s']:.2f} | {r['cpu2_s']:.2f} | {r['wall1_s'] + r['wall2_s']:.2f} | {rate} | "
                     f"{r['rss_before_mb']:.0f} | {r['rss_peak_mb']:.0f} | {'yes' if r['same_bytes'] else 'NO'} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, metavar=("PATH", "DATASET", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="10000,100000", help="synth actor counts (links: 5 per actor)")
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--max-rss-gb", type=float, default=16.0,
                        help="stop a measurement whose resident memory passes this (default 16)")
    parser.add_argument("--write", help="also write the markdown table and the raw figures to this file")
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return
    rows = run([int(n) for n in args.sizes.split(",") if n], tuple(args.paths.split(",")), args.max_rss_gb)
    table = markdown(rows)
    print(table)
    print(f"({platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs; "
          f"{time.strftime('%Y-%m-%d')})")
    if args.write:
        Path(args.write).write_text(table + "\n```json\n" + json.dumps(rows, indent=1) + "\n```\n", encoding="utf-8")


if __name__ == "__main__":
    main()
