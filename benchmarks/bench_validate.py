"""Validation benchmark (not a timed test): the SHACL step of ``thbkg validate`` in three engines.

Run from the repository root:

    .venv/bin/python benchmarks/bench_validate.py [--sizes 1000,10000] [--sparql-only 100000]
        [--engines pyshacl,sparql,rudof] [--max-rss-gb 12] [--write FILE.md]

For each dataset and engine, one fresh subprocess reads the tables (not timed), then runs the
validation step: from the checked tables to the list of SHACL results. It reports the CPU seconds of
building the engine's input and of checking, and the peak RSS of the process (with the RSS before the
step, so the step's own share shows). Engines:

- ``pyshacl``: what ``thbkg validate --engine pyshacl`` runs: the rdflib graph built from the tables,
  pySHACL on the core constraints, the node-shape SPARQL constraints once each on Oxigraph.
- ``sparql``: what ``thbkg validate`` runs by default: the tables' N-Triples bulk-loaded into an
  in-memory Oxigraph store, one generated SPARQL query per constraint (graph/rdf/shacl_sparql.py).
- ``rudof``: pyrudof (``pip install pyrudof``, not a thbkg dependency), native engine, on the same
  N-Triples and the same shapes (written as Turtle). Skipped with a note when pyrudof is missing.

Datasets: the bundled tables; ``thbkg synth --actors N --links 5N --seed 1`` for each N of --sizes
(and of --sparql-only, run with the sparql engine alone); and ``mutated``: the bundled graph with the
single-defect mutations of tests/fixtures/shacl_mutations.py applied, so that agreement is checked on
a graph with violations (the others conform). Agreement: the sets of (focus node, source shape,
severity) of each engine against pySHACL's (or the sparql engine's where pySHACL did not run).
"""

from __future__ import annotations

import argparse
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
ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("pyshacl", "sparql", "rudof")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _input_ntriples(ds, dataset: str) -> bytes:
    from thbkg.graph.rdf.build import dataset_ntriples, dataset_ntriples_bytes

    if dataset != "mutated":
        return dataset_ntriples_bytes(ds)
    sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
    from shacl_mutations import mutations

    text = dataset_ntriples(ds)
    lines = text.splitlines(keepends=True)
    for mutation in mutations(text):
        lines = mutation.apply(lines)
    return "".join(lines).encode("utf-8")


def run_pyshacl(ds, dataset: str, shapes, clock: dict) -> set:
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH

    from thbkg.graph.rdf.build import dataset_to_graph
    from thbkg.graph.rdf.shacl_sparql import load_store, run_sparql_constraints, split_sparql_constraints

    graph = dataset_to_graph(ds) if dataset != "mutated" else \
        Graph().parse(data=_input_ntriples(ds, dataset), format="nt")
    clock["input"] = time.process_time()
    core, constraints = split_sparql_constraints(shapes)
    _conforms, report, _ = pyshacl.validate(graph, shacl_graph=core, inference="none", allow_warnings=True,
                                            inplace=True)
    keys = {(str(report.value(r, SH.focusNode)), str(report.value(r, SH.sourceShape)),
             str(report.value(r, SH.resultSeverity))) for r in report.subjects(SH.focusNode, None)}
    found = run_sparql_constraints(load_store(graph), shapes, constraints)
    return keys | {(str(r.focus), str(r.shape), str(r.severity)) for r in found}


def run_sparql(ds, dataset: str, shapes, clock: dict) -> set:
    from thbkg.graph.rdf.shacl_sparql import load_store, run_checks

    store = load_store(_input_ntriples(ds, dataset))
    clock["input"] = time.process_time()
    return {(str(r.focus), str(r.shape), str(r.severity)) for r in run_checks(store, shapes)}


def run_rudof(ds, dataset: str, shapes, clock: dict) -> set:
    import pyrudof

    shapes_text = shapes.serialize(format="turtle")
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(_input_ntriples(ds, dataset).decode("utf-8"), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(shapes_text)
    clock["input"] = time.process_time()
    report = rudof.validate_shacl()
    return {(str(e.focus_node), str(e.source_shape), "http://www.w3.org/ns/shacl#" + str(e.severity))
            for e in report}


def child(engine: str, dataset: str, out: str) -> None:
    """One measurement in this (fresh) process; the figures and the result keys go to *out* (JSON)."""
    from thbkg.graph.rdf.tables import load_dataset
    from thbkg.graph.rdf.vocab import shapes_graph

    if engine == "rudof":
        import pyrudof  # noqa: F401  (imported before the baseline, like the other engines' libraries)
    else:
        import pyshacl  # noqa: F401
    ds = load_dataset() if dataset in ("bundled", "mutated") else load_dataset([dataset], include_bundled=False)
    shapes = shapes_graph()
    base_rss = _rss_mb()
    clock: dict = {}
    cpu, wall = time.process_time(), time.perf_counter()
    keys = {"pyshacl": run_pyshacl, "sparql": run_sparql, "rudof": run_rudof}[engine](ds, dataset, shapes, clock)
    done = time.process_time()
    Path(out).write_text(json.dumps({
        "cpu_input_s": clock["input"] - cpu, "cpu_check_s": done - clock["input"], "cpu_s": done - cpu,
        "wall_s": time.perf_counter() - wall, "rss_before_mb": base_rss, "rss_peak_mb": _rss_mb(),
        "actors": len(ds.actors), "links": len(ds.links), "keys": sorted(keys)}))


def _rss_of(pid: int) -> float:
    """Resident memory of process *pid* in MB (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


def measure(engine: str, dataset: str, workdir: Path, max_rss_gb: float) -> dict:
    """Run one child; stop it (by its pid) if its resident memory passes *max_rss_gb* (shared machines)."""
    out = workdir / f"{engine}-{Path(dataset).name}.json"
    cmd = [PY, __file__, "--child", engine, dataset, str(out)]
    started = time.perf_counter()
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
    result = json.loads(out.read_text())
    result["process_wall_s"] = time.perf_counter() - started
    return result


def synth(n: int, workdir: Path) -> str:
    folder = workdir / f"synth-{n}"
    subprocess.run([PY, "-c", "from thbkg.cli.main import cli; cli()", "synth", "--actors", str(n), "--links",
                    str(5 * n), "--seed", "1", "-o", str(folder)], check=True, capture_output=True)
    return str(folder)


def _rudof_available() -> bool:
    return subprocess.run([PY, "-c", "import pyrudof"], capture_output=True).returncode == 0


def run(sizes, sparql_only, engines, max_rss_gb: float = 12.0) -> list:
    workdir = Path(tempfile.mkdtemp(prefix="bench-validate-"))
    if "rudof" in engines and not _rudof_available():
        print("pyrudof is not installed: rudof skipped (pip install pyrudof)", file=sys.stderr)
        engines = tuple(e for e in engines if e != "rudof")
    plan = [("mutated", engines), ("bundled", engines)]
    plan += [(f"synth {n}", engines) for n in sizes] + [(f"synth {n}", ("sparql",)) for n in sparql_only]
    rows = []
    for label, chosen in plan:
        dataset = synth(int(label.split()[1]), workdir) if label.startswith("synth") else label
        results = {}
        for engine in chosen:
            print(f"{label}: {engine} ...", file=sys.stderr, flush=True)
            results[engine] = measure(engine, dataset, workdir, max_rss_gb)
        reference = "pyshacl" if "keys" in results.get("pyshacl", {}) else "sparql"
        ref_keys = {tuple(k) for k in results[reference].get("keys", [])}
        for engine, result in results.items():
            if "keys" in result:
                keys = {tuple(k) for k in result.pop("keys")}
                result["results"] = len(keys)
                result["agrees"] = "reference" if engine == reference else (
                    "yes" if keys == ref_keys else f"no: {len(keys - ref_keys)} extra, {len(ref_keys - keys)} missing")
                result["differences"] = sorted(keys ^ ref_keys)[:20] if engine != reference else []
            rows.append({"dataset": label, "engine": engine, **result})
    return rows


def markdown(rows) -> str:
    lines = [("| data | actors / links | engine | CPU s: input | CPU s: check | CPU s total | RSS before MB | "
              "peak RSS MB | results | agrees with pySHACL |"),
             "|---|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['dataset']} | | {r['engine']} | | | | | | | error: {r['error']} |")
            continue
        lines.append(f"| {r['dataset']} | {r['actors']} / {r['links']} | {r['engine']} | {r['cpu_input_s']:.2f} | "
                     f"{r['cpu_check_s']:.2f} | {r['cpu_s']:.2f} | {r['rss_before_mb']:.0f} | "
                     f"{r['rss_peak_mb']:.0f} | {r['results']} | {r['agrees']} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "DATASET", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="1000,10000", help="synth actor counts for every engine")
    parser.add_argument("--sparql-only", default="", help="synth actor counts for the sparql engine alone")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--max-rss-gb", type=float, default=12.0,
                        help="stop a measurement whose resident memory passes this (default 12)")
    parser.add_argument("--write", help="also write the markdown table and the raw figures to this file")
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return
    sizes = [int(n) for n in args.sizes.split(",") if n]
    big = [int(n) for n in args.sparql_only.split(",") if n]
    rows = run(sizes, big, tuple(args.engines.split(",")), args.max_rss_gb)
    table = markdown(rows)
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs"
    print(table)
    print(f"({machine}; {time.strftime('%Y-%m-%d')})")
    for r in rows:
        if r.get("differences"):
            print(f"{r['dataset']} {r['engine']} differs from the reference, e.g.:")
            for key in r["differences"]:
                print("   ", " ".join(key))
    if args.write:
        Path(args.write).write_text(table + "\n```json\n" + json.dumps(rows, indent=1) + "\n```\n", encoding="utf-8")


if __name__ == "__main__":
    main()
