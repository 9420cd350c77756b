"""Benchmark thbkg's compute engines: igraph through thbkg, NetworkX through thbkg, and bare igraph.

What it measures, on synthetic data (``thbkg synth --actors N --links 6N --seed 1``):

1. ``inprocess``: per metric, :func:`~thbkg.graph.analytics.centrality.compute_metric` with
   ``engine="networkx"`` and with ``engine="igraph"`` on the same cooperation graph (the conversion
   to igraph, shared by every metric of a run, timed apart as ``conversion``), plus Louvain
   (:func:`~thbkg.graph.analytics.communities.louvain`, conversion included). This is the measurement
   behind the per-metric choice and ``AUTO_ENGINE_NODES`` in ``graph/analytics/engines.py``; small
   sizes (``--small``) place the threshold. Times: the fastest of ``--repeat`` runs.
2. ``process``: per metric, whole process against whole process, side by side:
   ``thbkg centrality --metric M --engine igraph``, ``thbkg centrality --metric M --engine networkx``
   (both ``THBKG_NO_BUNDLED=1 ... --data DIR``), and a bare python-igraph script that reads the GraphML
   export of the same graph (``thbkg export --format graphml``) and computes M (betweenness as thbkg
   does at that size: exact up to 5,000 actors, 1,000 sampled sources above).
3. ``done``: the issue's done-criterion: ``thbkg centrality`` (default metrics, default engine) at
   ``--done-size`` actors against a bare igraph script reading the GraphML export and computing
   **exact** betweenness; goal: within 3x.

Whole-process times are the median of ``--repeat`` runs, in seconds; the cache (``THBKG_CACHE``, by default
a folder under the work directory) is warmed by one untimed run first, as a user's second command.

How to run (from the repository, with the venv active; 10,000 actors take about an hour, most of it
NetworkX's closeness and harmonic)::

    python benchmarks/bench_engines.py                          # all three parts, 1,000 and 10,000 actors
    python benchmarks/bench_engines.py --parts process --sizes 1000 10000 100000 --networkx-up-to 10000
    python benchmarks/bench_engines.py --parts inprocess --small 100 200 300 500 --out engines.json
    python benchmarks/bench_engines.py --parts process done --metrics pagerank --sizes 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

METRICS = ("betweenness", "closeness", "harmonic", "eigenvector", "pagerank", "kcore", "clustering")
#: the bare script's igraph call for each metric (``g`` is the graph read from GraphML)
BARE_CALLS = {
    "betweenness": "g.betweenness(directed=False)",
    "betweenness_sampled": ("g.betweenness(directed=False, sources=random.Random(42).sample(range(g.vcount()), "
                            "min(1000, g.vcount())))"),
    "closeness": "g.closeness()",
    "harmonic": "g.harmonic_centrality()",
    "eigenvector": "g.induced_subgraph(max(g.connected_components(), key=len)).eigenvector_centrality()",
    # ARPACK as thbkg: the default PRPACK's OpenMP threads spin for a second on a busy machine
    "pagerank": "g.pagerank(damping=0.85, weights='weight', directed=False, implementation='arpack')",
    "kcore": "g.coreness()",
    "clustering": "g.transitivity_local_undirected(mode='zero')",
}
BARE_SCRIPT = textwrap.dedent("""\
    import random, sys
    import igraph as ig
    g = ig.Graph.Read_GraphML(sys.argv[1])
    values = {call}
    print(len(values))
""")
#: betweenness is exact up to this many actors in ``thbkg centrality`` (EXACT_BETWEENNESS_LIMIT)
EXACT_LIMIT = 5000


def thbkg_env(cache: Path) -> dict:
    return dict(os.environ, THBKG_NO_BUNDLED="1", THBKG_CACHE=str(cache), THBKG_QUIET="1")


def run(command, env, repeat: int) -> float:
    """Median wall-clock seconds of *command* (a list), run *repeat* times; fails loudly."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def dataset(workdir: Path, n: int, env) -> tuple[Path, Path]:
    """The synthetic tables of *n* actors and their GraphML export (made once, then reused)."""
    data, graphml = workdir / f"syn{n}", workdir / f"syn{n}.graphml"
    if not (data / "links.csv").exists():
        subprocess.run(["thbkg", "synth", "-q", "--actors", str(n), "--links", str(6 * n), "--seed", "1",
                        "-o", str(data)], env=env, check=True, stdout=subprocess.DEVNULL)
    if not graphml.exists():
        subprocess.run(["thbkg", "export", "-q", "--format", "graphml", "--data", str(data), "-o", str(graphml)],
                       env=env, check=True)
    return data, graphml


def bare(graphml: Path, call: str, workdir: Path, env, repeat: int) -> float:
    script = workdir / "bare_igraph.py"
    script.write_text(BARE_SCRIPT.format(call=call), encoding="utf-8")
    return run([sys.executable, str(script), str(graphml)], env, repeat)


def centrality_command(data: Path, metrics, engine: str | None) -> list[str]:
    command = ["thbkg", "centrality", "--data", str(data), "--top", "10", "--no-size-limit"]
    for metric in metrics:
        command += ["--metric", metric]
    return command + (["--engine", engine] if engine else [])


def process_part(args, workdir: Path, env) -> list[dict]:
    rows = []
    for n in args.sizes:
        data, graphml = dataset(workdir, n, env)
        run(centrality_command(data, ("degree",), "networkx"), env, 1)  # warm the cache
        baseline = run(centrality_command(data, ("degree",), "networkx"), env, args.repeat)
        for metric in args.metrics:
            row = {"actors": n, "metric": metric, "degree_only_s": baseline}
            row["thbkg_igraph_s"] = run(centrality_command(data, (metric,), "igraph"), env, args.repeat)
            if n <= args.networkx_up_to:
                row["thbkg_networkx_s"] = run(centrality_command(data, (metric,), "networkx"), env, args.repeat)
            call = BARE_CALLS["betweenness_sampled" if metric == "betweenness" and n > EXACT_LIMIT else metric]
            row["bare_igraph_s"] = bare(graphml, call, workdir, env, args.repeat)
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def done_part(args, workdir: Path, env) -> dict:
    data, graphml = dataset(workdir, args.done_size, env)
    run(centrality_command(data, (), None), env, 1)  # warm the cache
    row = {"actors": args.done_size,
           "thbkg_centrality_s": run(centrality_command(data, (), None), env, args.repeat),
           "bare_igraph_exact_betweenness_s": bare(graphml, BARE_CALLS["betweenness"], workdir, env, args.repeat)}
    row["ratio"] = row["thbkg_centrality_s"] / row["bare_igraph_exact_betweenness_s"]
    print(json.dumps(row), flush=True)
    return row


def inprocess_graph(data: Path, cache: Path):
    """The cooperation graph of the tables in *data*, loaded as ``thbkg centrality`` loads it."""
    os.environ.update(THBKG_NO_BUNDLED="1", THBKG_CACHE=str(cache), THBKG_QUIET="1")
    from thbkg.graph.network.projections import load_network
    from thbkg.graph.store.source import GraphSource

    return load_network(GraphSource(data_dirs=[str(data)], include_bundled=False)).cooperation_graph()


def timed(repeat: int, function, *args, **kwargs) -> float:
    """Fastest of *repeat* runs, in seconds (the machine is shared: the minimum is the least disturbed)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return min(times)


def inprocess_row(G, view, metric: str, networkx: bool, repeat: int) -> dict:
    """One metric on *G* by each engine; igraph's time on the shared conversion *view*, which is timed apart."""
    from thbkg.graph.analytics import communities
    from thbkg.graph.analytics.centrality import compute_metric, default_k

    n = G.number_of_nodes()
    row: dict = {"nodes": n, "ties": G.number_of_edges(), "metric": metric}
    for engine in ("igraph", "networkx") if networkx else ("igraph",):
        if metric == "communities":  # louvain converts by itself: its time includes the conversion
            row[f"{engine}_s"] = timed(repeat, communities.louvain, G, seed=42, engine=engine)
        else:
            row[f"{engine}_s"] = timed(repeat, compute_metric, G, metric, k=default_k(n), seed=42, engine=engine,
                                       view=view)
    if networkx:
        row["ratio"] = row["networkx_s"] / row["igraph_s"]
    return row


def inprocess_part(args, workdir: Path, env) -> list[dict]:
    import networkx as nx

    rows = []
    graphs = [inprocess_graph(dataset(workdir, n, env)[0], Path(env["THBKG_CACHE"])) for n in args.sizes]
    for size in args.small:  # the threshold's neighbourhood: the first size's graph cut to its first actors by id
        graphs.append(nx.Graph(graphs[0].subgraph(sorted(graphs[0].nodes)[:size])))
    from thbkg.graph.analytics.engines import to_igraph

    for G in graphs:
        conversion = {"nodes": G.number_of_nodes(), "ties": G.number_of_edges(), "metric": "conversion",
                      "igraph_s": timed(args.repeat, to_igraph, G)}
        rows.append(conversion)
        print(json.dumps(conversion), flush=True)
        view = to_igraph(G)
        for metric in (*args.metrics, "communities"):
            row = inprocess_row(G, view, metric, G.number_of_nodes() <= args.networkx_up_to, args.repeat)
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", nargs="+", choices=("inprocess", "process", "done"),
                        default=["inprocess", "process", "done"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000], help="actors (thbkg synth)")
    parser.add_argument("--small", nargs="*", type=int, default=[100, 200, 300, 500],
                        help="inprocess: also these node counts, taken from the first size's graph")
    parser.add_argument("--metrics", nargs="+", choices=METRICS, default=list(METRICS))
    parser.add_argument("--done-size", type=int, default=5000)
    parser.add_argument("--networkx-up-to", type=int, default=10_000,
                        help="skip NetworkX above this many actors (process) or nodes (inprocess)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None, help="datasets and cache (default: a temporary folder)")
    parser.add_argument("--out", type=Path, default=None, help="write every row as JSON here")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-engines-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = thbkg_env(Path(os.environ.get("THBKG_CACHE") or workdir / "cache"))
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; workdir {workdir}", flush=True)
    results: dict = {}
    if "inprocess" in args.parts:
        results["inprocess"] = inprocess_part(args, workdir, env)
    if "process" in args.parts:
        results["process"] = process_part(args, workdir, env)
    if "done" in args.parts:
        results["done"] = done_part(args, workdir, env)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
