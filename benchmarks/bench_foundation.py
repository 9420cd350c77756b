"""Foundation benchmark (not a timed test): CLI cold start, build + validate, embedded store load.

Run from the repository root:

    /work/venv/bin/python benchmarks/bench_foundation.py [--runs 9] [--write docs/benchmarks-foundation.md]

(a) cold start of ``thbkg --help`` against ``python -c "import click"``: fresh processes, run
    alternately so both see the same machine load; median of each and their ratio (target <= 2x).
(b) build + validate of the bundled data in fresh processes (``thbkg build -o FILE`` and
    ``thbkg validate``, which builds the graph and runs SHACL), wall and CPU time (target < 2 s),
    plus an in-process breakdown of the steps.
(c) loading the built graph into the embedded Oxigraph store: N-Triples parsed by Oxigraph
    (``ox-nt``, what GraphSource does) against adding the triples one by one through oxrdflib.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
THBKG = [PY, "-c", "from thbkg.cli.main import cli; cli()"]


def run_timed(cmd) -> tuple:
    """(wall seconds, CPU seconds of the child) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cold_start(runs: int) -> dict:
    commands = {"click": [PY, "-c", "import click"], "thbkg --help": THBKG + ["--help"]}
    for cmd in commands.values():  # warm the OS file cache once
        run_timed(cmd)
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(run_timed(cmd)[0])
    medians = {name: statistics.median(t) for name, t in times.items()}
    return {"runs": runs, "median_s": medians, "min_s": {n: min(t) for n, t in times.items()},
            "ratio": medians["thbkg --help"] / medians["click"]}


def build_validate(runs: int) -> dict:
    out = Path(tempfile.mkdtemp()) / "thbkg.ttl"
    commands = {"build": THBKG + ["build", "-o", str(out)], "validate": THBKG + ["validate"]}
    run_timed(commands["validate"])  # warm-up
    results = {}
    for name, cmd in commands.items():
        samples = [run_timed(cmd) for _ in range(runs)]
        results[name] = {"wall_median_s": statistics.median(s[0] for s in samples),
                         "cpu_median_s": statistics.median(s[1] for s in samples)}
    return results


def breakdown() -> dict:
    from thbkg.graph.rdf.build import dataset_to_graph, serialize_graph
    from thbkg.graph.rdf.tables import load_dataset
    from thbkg.graph.rdf.validate import shacl_problems

    steps = {}
    t = time.perf_counter()
    ds = load_dataset()
    steps["read + check tables"] = time.perf_counter() - t
    t = time.perf_counter()
    graph = dataset_to_graph(ds)
    steps["tables -> RDF"] = time.perf_counter() - t
    t = time.perf_counter()
    serialize_graph(graph, "turtle")
    steps["serialise Turtle"] = time.perf_counter() - t
    t = time.perf_counter()
    conforms, _, _ = shacl_problems(graph, ds)
    steps["SHACL (pySHACL core + SPARQL constraints on Oxigraph)"] = time.perf_counter() - t
    return {"triples": len(graph), "actors": len(ds.actors), "links": len(ds.links), "conforms": conforms,
            "steps_s": steps}


def store_load(repeat: int = 5) -> dict:
    from rdflib import Graph
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    from thbkg.graph.store.source import built_ntriples

    data = built_ntriples()
    parsed = Graph()
    parsed.parse(data=data, format="nt")
    triples = list(parsed)

    def via_ntriples():
        g = Graph(store="Oxigraph", identifier=DATASET_DEFAULT_GRAPH_ID)
        g.parse(data=data, format="ox-nt", transactional=False)
        return g

    def via_add():
        g = Graph(store="Oxigraph", identifier=DATASET_DEFAULT_GRAPH_ID)
        for triple in triples:
            g.add(triple)
        return g

    def via_addn():
        g = Graph(store="Oxigraph", identifier=DATASET_DEFAULT_GRAPH_ID)
        g.addN((s, p, o, g) for s, p, o in triples)
        return g

    results = {}
    for name, func in (("parse the N-Triples with ox-nt (used; N-Triples already written)", via_ntriples),
                       ("Graph.add per triple", via_add), ("Graph.addN", via_addn)):
        samples = []
        for _ in range(repeat):
            t = time.perf_counter()
            func()
            samples.append(time.perf_counter() - t)
        results[name] = statistics.median(samples)
    # the N-Triples path also pays for serialising; measure it separately
    from thbkg.graph.rdf.build import build_graph, serialize_graph

    g = build_graph()
    t = time.perf_counter()
    serialize_graph(g, "nt")
    results["writing the sorted N-Triples (add to the ox-nt row)"] = time.perf_counter() - t
    return {"triples": len(triples), "median_s": results}


def markdown(res: dict, command: str) -> str:
    cs, bv, bd, sl = res["cold_start"], res["build_validate"], res["breakdown"], res["store_load"]
    lines = [
        "# Foundation benchmarks",
        "",
        f"Date: {res['date']}. Machine: {res['machine']}. Load average at start: {res['loadavg']}.",
        "",
        f"Command: `{command}`",
        "",
        "The machine is shared with other jobs, so wall times are noisy; CPU times of the child",
        "processes are given next to them.",
        "",
        f"## Cold start (median of {cs['runs']} fresh processes each, run alternately)",
        "",
        "| command | median s | min s |",
        "|---|---|---|",
    ]
    for name in cs["median_s"]:
        lines.append(f"| `{name}` | {cs['median_s'][name]:.3f} | {cs['min_s'][name]:.3f} |")
    lines += ["", f"Ratio thbkg --help / import click: **{cs['ratio']:.2f}×** (target ≤ 2×).", "",
              (f"## Build + validate of the bundled data ({bd['triples']} triples, {bd['actors']} actors, "
              f"{bd['links']} links)"), "",
              "Fresh processes (imports included), median:", "",
              "| command | wall s | CPU s |", "|---|---|---|"]
    for name, r in bv.items():
        lines.append(f"| `thbkg {name}` | {r['wall_median_s']:.2f} | {r['cpu_median_s']:.2f} |")
    lines += ["", ("`thbkg validate` reads and checks the tables, builds the graph and runs SHACL, so it is the "
              "build + validate figure (target < 2 s)."), "", "In-process steps (one run, imports excluded):", "",
              "| step | s |", "|---|---|"]
    for name, s in bd["steps_s"].items():
        lines.append(f"| {name} | {s:.3f} |")
    lines += ["", f"## Loading the embedded Oxigraph store ({sl['triples']} triples incl. ontology, median)", "",
              "| method | s |", "|---|---|"]
    for name, s in sl["median_s"].items():
        lines.append(f"| {name} | {s:.3f} |")
    lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--write", metavar="FILE", help="write the Markdown report here")
    args = parser.parse_args(argv)
    res = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "cold_start": cold_start(args.runs),
        "build_validate": build_validate(max(5, args.runs // 2)),
        "breakdown": breakdown(),
        "store_load": store_load(),
    }
    command = "python benchmarks/bench_foundation.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = markdown(res, command.strip())
    print(text)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
