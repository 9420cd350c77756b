"""Benchmark: build + every named query at ~10k, ~100k and ~1M triples (synthetic data, `thbkg synth`).

Paths side by side: the default store (embedded Oxigraph; SELECT/ASK/CONSTRUCT run straight on its
pyoxigraph Store), the former default path (the same store queried through oxrdflib's
``Graph.query`` after a separate syntax-check parse), ``--store memory`` (rdflib's own store) and the
real Oxigraph server (``oxigraph serve-read-only`` on a persistent store, read
through rdflib's SPARQLStore, as ``--endpoint``). rdflib queries run in a forked child that is killed
at the cap, so a runaway query never burns CPU in the background of later measurements. Builds are
measured in a fresh subprocess each (wall time and peak RSS from resource.getrusage).

    python benchmarks/bench_sparql.py [--sizes 10k,100k,1m] [--cap 120] [--rdflib-max 100k] [--json out.json]

Each query runs REPEAT (3) times on every path and the fastest run counts (the rdflib child is
killed when its runs together pass the cap).

Not a test: it prints a Markdown report (docs/benchmarks-sparql.md holds a run).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: size label -> (actors, links) giving about that many triples (data + ontology)
SIZES = {"10k": (100, 300), "100k": (600, 3900), "1m": (4400, 40700)}


def _params(folder: Path) -> dict:
    """Parameters that exist in the synthetic data, per named query (hubs, a region, …)."""
    import csv
    from collections import Counter

    with open(folder / "actors.csv", encoding="utf-8", newline="") as fh:
        actors = list(csv.DictReader(fh))
    with open(folder / "links.csv", encoding="utf-8", newline="") as fh:
        links = list(csv.DictReader(fh))
    degree = Counter(x for r in links for x in (r["subject"], r["object"]))

    def top(actor_type, k=0):
        ranked = sorted((a["id"] for a in actors if a["type"] == actor_type), key=lambda i: (-degree[i], i))
        return ranked[k]

    return {
        "agency_partners": {"agency": top("eu_agency")},
        "country_ties": {"country": top("country")},
        "region_agreement_gaps": {"region": "syn-r00"},
        "framework_members_at": {"framework": top("regional_process"), "date": "2015-06-30"},
        "network_members": {"network": top("network")},
        "shared_frameworks": {"a": top("country"), "b": top("country", 1)},
        "treaty_parties_missing": {"region": "syn-r00", "treaty": top("treaty")},
        "region_members": {"region": "syn-r00"},
        "actor_links_graph": {"actor": top("eu_agency")},
        "actors_by_type": {"actor_type": "country"},
    }


def _build_in_subprocess(folder: Path, kind: str) -> dict:
    """Build the graph (embedded Oxigraph, rdflib memory, or persistent store) in a fresh process."""
    code = f"""
import json, resource, time, sys
t = time.perf_counter()
from thbkg.graph.store.source import GraphSource, write_store
kind = {kind!r}
if kind == "former":  # the former build: tables -> rdflib Graph -> sorted N-Triples -> Oxigraph
    import thbkg.graph.store.source as S
    from thbkg.graph.rdf.build import build_graph
    direct = S.built_ntriples
    S.built_ntriples = lambda dirs, include_bundled=None: direct(graph=build_graph(dirs, include_bundled=include_bundled))
    kind = "embedded"
if kind == "persistent":
    n = write_store(sys.argv[2], [sys.argv[1]], include_bundled=False)["triples"]
else:
    g = GraphSource(data_dirs=(sys.argv[1],), store=None if kind == "embedded" else "memory",
                    include_bundled=False).graph()
    n = len(g) if kind == "memory" else sum(1 for _ in g.store._inner)
print(json.dumps({{"seconds": time.perf_counter() - t, "triples": n,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    target = folder.parent / f"store-{folder.name}"
    if kind == "persistent":
        shutil.rmtree(target, ignore_errors=True)
    out = subprocess.run([sys.executable, "-c", code, str(folder), str(target)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


#: each query runs this many times on each path; the fastest run counts (the same on every path)
REPEAT = 3


def _best_of(run):
    """Run *run* (giving ``(seconds, rows)``) REPEAT times; the fastest time and its row count."""
    return min(run() for _ in range(REPEAT))


def _timed(source, query, params):
    from thbkg.graph.store.query import run_query

    def once():
        started = time.perf_counter()
        result = run_query(source, query.text, params, declared=query.params)
        rows = len(result.graph) if result.graph is not None else len(result.rows)
        return time.perf_counter() - started, rows

    return _best_of(once)


def _timed_former(source, query, params):
    """The former default path: a syntax-check parse, then oxrdflib's Graph.query and its terms."""
    from thbkg.graph.store import query as q
    from thbkg.graph.store.binder import bind

    def once():
        started = time.perf_counter()
        form = q.check_query(query.text)
        final = bind(query.text, q.resolve_params(query.text, query.params, params))
        result = q._execute(q._graph_of(source, form), final, form)
        rows = len(result.graph) if result.graph is not None else len(result.rows)
        return time.perf_counter() - started, rows

    return _best_of(once)


def _child(conn, source, query, params):
    try:
        conn.send(_timed(source, query, params))  # repeats inside the child; killed at the cap
    except Exception as exc:  # reported in the table
        conn.send((None, f"error: {exc}"))


def _timed_capped(source, query, params, cap):
    """Run in a forked child (copy-on-write graph); kill it at *cap* seconds."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, source, query, params))
    process.start()
    if parent.poll(cap):
        out = parent.recv()
        process.join()
        return out
    process.kill()
    process.join()
    return None, "> cap"


def _start_server(store_dir: Path):
    from thbkg.graph.store.server import server_command, wait_until_ready

    sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "fixtures"))
    from plugin_oxserver import free_port

    port = free_port()
    process = subprocess.Popen(server_command(store_dir, "127.0.0.1", port), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    wait_until_ready(f"http://127.0.0.1:{port}/query", process)
    return process, f"http://127.0.0.1:{port}/query"


def run(sizes, cap, rdflib_max):
    from thbkg.graph.rdf.synth import write_synthetic
    from thbkg.graph.store.catalogue import list_named_queries
    from thbkg.graph.store.source import GraphSource

    queries = list_named_queries()
    work = Path(tempfile.mkdtemp(prefix="thbkg-bench-"))
    report = {"sizes": {}}
    try:
        for size in sizes:
            actors, links = SIZES[size]
            folder = work / size
            write_synthetic(folder, actors=actors, links=links, seed=1)
            params = _params(folder)
            entry = {"actors": actors, "links": links, "build": {}, "queries": {}}
            entry["build"]["embedded"] = _build_in_subprocess(folder, "embedded")
            entry["build"]["former"] = _build_in_subprocess(folder, "former")
            entry["build"]["persistent"] = _build_in_subprocess(folder, "persistent")
            with_rdflib = list(SIZES).index(size) <= list(SIZES).index(rdflib_max)
            if with_rdflib:
                entry["build"]["memory"] = _build_in_subprocess(folder, "memory")
            entry["triples"] = entry["build"]["embedded"]["triples"]
            print(f"[{size}] {entry['triples']} triples; builds {entry['build']}", file=sys.stderr)

            embedded = GraphSource(data_dirs=(str(folder),), include_bundled=False)
            embedded.graph()
            memory = GraphSource(data_dirs=(str(folder),), store="memory", include_bundled=False)
            if with_rdflib:
                memory.graph()
            server, url = _start_server(work / f"store-{size}")
            endpoint = GraphSource(endpoint=url)
            try:
                for query in queries:
                    p = params.get(query.name, {})
                    row = {"embedded": _timed(embedded, query, p), "former": _timed_former(embedded, query, p),
                           "server": _timed(endpoint, query, p)}
                    if with_rdflib:
                        row["memory"] = _timed_capped(memory, query, p, cap)
                    entry["queries"][query.name] = row
                    print(f"[{size}] {query.name}: {row}", file=sys.stderr)
            finally:
                server.terminate()
                server.wait()
            report["sizes"][size] = entry
            del embedded, memory
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def markdown(report, cap, command) -> str:
    lines = [f"Command: `{command}`", ""]
    for size, entry in report["sizes"].items():
        b = entry["build"]
        lines.append(f"### {size}: {entry['triples']:,} triples ({entry['actors']} actors, {entry['links']} links)")
        lines.append("")
        lines.append("| build | seconds | peak RSS (MB) |")
        lines.append("|---|---|---|")
        for kind in ("embedded", "former", "persistent", "memory"):
            if kind in b:
                lines.append(f"| {kind} | {b[kind]['seconds']:.2f} | {b[kind]['peak_rss_mb']:.0f} |")
        lines.append("")
        has_memory = any("memory" in row for row in entry["queries"].values())
        head = "| query | rows | default (Oxigraph) s | former default s | server s |" + (
            " rdflib memory s | memory / default |" if has_memory else "")
        lines.append(head)
        lines.append("|---|---|---|---|---|" + ("---|---|" if has_memory else ""))
        ratios = []
        for name, row in entry["queries"].items():
            (t_e, rows), (t_f, _), (t_s, _) = row["embedded"], row["former"], row["server"]
            cells = [name, str(rows), f"{t_e:.3f}", f"{t_f:.3f}", f"{t_s:.3f}"]
            if has_memory:
                t_m, info = row["memory"]
                if t_m is None:
                    cells += [f"> {cap:g}" if info == "> cap" else info, f"> {cap / max(t_e, 1e-4):.0f}×"]
                    ratios.append(cap / max(t_e, 1e-4))
                else:
                    ratio = t_m / max(t_e, 1e-4)
                    ratios.append(ratio)
                    cells += [f"{t_m:.3f}", f"{ratio:.0f}×"]
            lines.append("| " + " | ".join(cells) + " |")
        total_e = sum(r["embedded"][0] for r in entry["queries"].values())
        total_s = sum(r["server"][0] for r in entry["queries"].values())
        total_f = sum(r["former"][0] for r in entry["queries"].values())
        lines.append("")
        summary = (f"All {len(entry['queries'])} queries: default {total_e:.2f} s, former default path "
                   f"{total_f:.2f} s, server {total_s:.2f} s")
        if has_memory:
            total_m = sum((r["memory"][0] if r["memory"][0] is not None else cap) for r in entry["queries"].values())
            ratios.sort()
            summary += (f", rdflib memory {total_m:.2f} s (total ratio {total_m / total_e:.0f}×; "
                        f"median per-query ratio {ratios[len(ratios) // 2]:.0f}×, "
                        f"smallest {ratios[0]:.1f}×)")
        lines.append(summary + ".")
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m")
    parser.add_argument("--cap", type=float, default=120.0, help="seconds per rdflib query")
    parser.add_argument("--rdflib-max", default="100k", help="largest size run on rdflib's memory store")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    report = run(args.sizes.split(","), args.cap, args.rdflib_max)
    report["wall_seconds"] = time.perf_counter() - started
    report["machine"] = f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    command = "python benchmarks/bench_sparql.py " + " ".join(sys.argv[1:])
    print(markdown(report, args.cap, command.strip()))
    print(f"Total wall time {report['wall_seconds']:.0f} s on {report['machine']}.")


if __name__ == "__main__":
    main()
