"""Benchmark the analytics on synthetic graphs: projections, centrality metrics, sampled betweenness
error, and the ratio to python-igraph on the same graph.

Usage::

    /work/venv/bin/python benchmarks/bench_analytics.py [--sizes 10000 100000] [--error-size 5000]
                                                          [--out results.json]

The synthetic graph: ``thbkg.graph.rdf.synth`` when available, otherwise a seeded preferential-attachment
graph (networkx.barabasi_albert_graph, m=2) with thbkg's attributes (actor types, regions, link
types, dates, statuses, confidences, sources) written as N-Triples in the RDF shape of
docs/design.md, loaded into a persistent Oxigraph store, and read back through the real
projections (SPARQL) and the real CLI. Everything is seeded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

THBID = "https://w3id.org/thbkg/id/"
THB = "https://w3id.org/thbkg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT_ID = "http://purl.org/dc/terms/identifier"
ORG_CLASS = "http://www.w3.org/ns/org#classification"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
XSD = "http://www.w3.org/2001/XMLSchema#"

ACTOR_TYPES = [("country", 70), ("international_organisation", 10), ("eu_agency", 5), ("eu_body", 5),
               ("regional_process", 4), ("network", 3), ("platform", 3)]
LINK_TYPES = [("membership", 40), ("treaty_party", 15), ("cooperation_agreement", 10), ("working_arrangement", 10),
              ("liaison_officer", 8), ("operational_agreement", 7), ("joint_action", 5), ("observer", 5)]
STATUSES = [("active", 80), ("ended", 12), ("suspended", 3), ("under_negotiation", 5)]
CONFIDENCES = [("high", 60), ("medium", 30), ("low", 10)]
REGIONS = ["sahel", "horn-of-africa", "north-africa", "western-balkans", "eastern-europe"]


def pick(rng, table):
    return rng.choices([c for c, _ in table], weights=[w for _, w in table])[0]


def synthetic_ntriples(n: int, seed: int = 1) -> tuple[bytes, int]:
    """Seeded preferential-attachment actor graph as N-Triples; returns (data, number of links)."""
    rng = random.Random(seed)
    topology = nx.barabasi_albert_graph(n, 2, seed=seed)
    out = []
    add = out.append

    def iri(kind, ident):
        return f"<{THBID}{kind}/{ident}>"

    for s in range(20):
        add(f"{iri('source', f's{s}')} <{RDF_TYPE}> <http://www.w3.org/ns/prov#Entity> .")
    for region in REGIONS:
        add(f"{iri('region', region)} <{RDF_TYPE}> <{THB}Region> .")
    for v in range(n):
        a = iri("actor", f"a{v:06d}")
        typ = pick(rng, ACTOR_TYPES)
        add(f"{a} <{RDF_TYPE}> <{THB}Actor> .")
        add(f'{a} <{RDFS_LABEL}> "Actor {v}"@en .')
        add(f'{a} <{DCT_ID}> "a{v:06d}" .')
        add(f"{a} <{ORG_CLASS}> {iri('actor-type', typ)} .")
        add(f"{a} <{PROV_DERIVED}> {iri('source', f's{v % 20}')} .")
        add(f"{a} <{THB}confidence> {iri('confidence', 'high')} .")
        if typ == "country" and rng.random() < 0.3:
            region = rng.choice(REGIONS)
            add(f"{a} <{THB}inRegion> {iri('region', region)} .")
            rec = f"<{THBID}region-member/{region}/a{v:06d}>"
            add(f"{rec} <{THB}region> {iri('region', region)} .")
            add(f"{rec} <{THB}includes> {a} .")
    links = 0
    for u, v in sorted(topology.edges()):
        for _ in range(2 if rng.random() < 0.1 else 1):       # some pairs carry two link records
            link_id = f"l{links:07d}"
            links += 1
            lnk = iri("link", link_id)
            s, o = (u, v) if rng.random() < 0.5 else (v, u)
            add(f"{lnk} <{RDF_TYPE}> <{THB}CooperationLink> .")
            add(f'{lnk} <{DCT_ID}> "{link_id}" .')
            add(f"{lnk} <{THB}linkType> {iri('link-type', pick(rng, LINK_TYPES))} .")
            add(f"{lnk} <{THB}subject> {iri('actor', f'a{s:06d}')} .")
            add(f"{lnk} <{THB}object> {iri('actor', f'a{o:06d}')} .")
            status = pick(rng, STATUSES)
            add(f"{lnk} <{THB}status> {iri('status', status)} .")
            add(f"{lnk} <{THB}confidence> {iri('confidence', pick(rng, CONFIDENCES))} .")
            add(f"{lnk} <{PROV_DERIVED}> {iri('source', f's{rng.randrange(20)}')} .")
            if status != "under_negotiation":
                start = rng.randrange(1995, 2025)
                add(f'{lnk} <{THB}startDate> "{start}"^^<{XSD}gYear> .')
                add(f'{lnk} <{THB}startDay> "{start}-01-01"^^<{XSD}date> .')
                if status == "ended":
                    end = rng.randrange(start, 2026)
                    add(f'{lnk} <{THB}endDate> "{end}"^^<{XSD}gYear> .')
                    add(f'{lnk} <{THB}endDay> "{end}-12-31"^^<{XSD}date> .')
    return ("\n".join(out) + "\n").encode("utf-8"), links


def timed(func, *args, **kwargs):
    started = time.perf_counter()
    value = func(*args, **kwargs)
    return value, time.perf_counter() - started


def build_store(n: int, workdir: Path, seed: int = 1) -> dict:
    from thbkg.graph.store.source import write_store

    try:
        from thbkg.graph.rdf import synth  # noqa: F401  (the SPARQL engineer's generator, if present)
        generator = "thbkg.graph.rdf.synth (not used: its API is not fixed yet)"
    except ImportError:
        generator = "benchmarks/bench_analytics.py preferential attachment (BA m=2)"
    (data, links), gen_seconds = timed(synthetic_ntriples, n, seed)
    store = workdir / f"store-{n}"
    info, store_seconds = timed(write_store, store, ntriples=data)
    return {"n": n, "links": links, "triples": info["triples"], "store": str(store), "generator": generator,
            "generate_s": gen_seconds, "write_store_s": store_seconds}


# The former projection queries, timed side by side with the narrow queries that replaced them.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fixtures"))
from former_projection_queries import FORMER_QUERIES
from igraph_reference import to_igraph


def former_queries_seconds(store: str) -> dict:
    """Seconds of the former wide projection SELECTs as the former ``GraphSource.select`` ran them
    (oxrdflib's Graph.query, every row as a dict of rdflib terms). The records were then built in
    Python, so this is a lower bound of the former ``load_network``."""
    from thbkg.graph.store.source import _INIT_NS, GraphSource

    graph = GraphSource(store=store).graph()

    def select(text):
        result = graph.query(text, initNs=_INIT_NS)
        names = [str(v) for v in result.vars]
        return [{name: row[i] for i, name in enumerate(names)} for row in result]

    return {name: timed(select, text)[1] for name, text in FORMER_QUERIES.items()}


def projections(store: str) -> tuple:
    from thbkg.graph.network.projections import load_network
    from thbkg.graph.store.source import GraphSource

    net, load_s = timed(load_network, GraphSource(store=store))
    G, graph_s = timed(net.cooperation_graph)
    return net, G, {"load_network_s": load_s, "cooperation_graph_s": graph_s,
                    "actors": G.number_of_nodes(), "ties": G.number_of_edges()}


def cli_centrality(store: str, k: int) -> dict:
    cmd = [sys.executable, "-m", "thbkg.cli.main", "centrality", "--store", store, "--k", str(k),
           "--format", "csv", "-o", os.devnull]
    code = "import sys; from thbkg.cli.main import cli; sys.exit(cli())"
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *cmd[3:]], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    return {"command": "thbkg " + " ".join(cmd[3:]), "exit": proc.returncode, "wall_s": seconds,
            "stderr": proc.stderr.strip()[-300:]}


NX_METRICS_10K = ("degree", "weighted_degree", "betweenness", "closeness", "harmonic", "eigenvector", "pagerank",
                  "kcore", "clustering", "reach", "effective_size", "constraint")
NX_METRICS_100K = ("degree", "weighted_degree", "betweenness", "eigenvector", "pagerank", "kcore", "clustering",
                   "reach")


def igraph_times(G, metrics) -> dict:
    g, _ = to_igraph(G)
    calls = {
        "degree": lambda: g.degree(),
        "weighted_degree": lambda: g.strength(weights="weight"),
        "closeness": lambda: g.closeness(),
        "harmonic": lambda: g.harmonic_centrality(normalized=True),
        "eigenvector": lambda: g.eigenvector_centrality(),
        "pagerank": lambda: g.pagerank(weights="weight"),
        "kcore": lambda: g.coreness(),
        "clustering": lambda: g.transitivity_local_undirected(mode="zero"),
        "reach": lambda: g.neighborhood_size(order=2),
        "constraint": lambda: g.constraint(weights="weight"),
        "betweenness_exact": lambda: g.betweenness(directed=False),
        "louvain": lambda: g.community_multilevel(weights="weight"),
    }
    out = {}
    for metric in metrics:
        if metric in calls:
            out[metric] = timed(calls[metric])[1]
    return out


def nx_times(G, metrics, k, seed=42) -> dict:
    from thbkg.graph.analytics.centrality import compute_centrality
    from thbkg.graph.analytics.graphs import simple_graph

    H = simple_graph(G)
    out = {}
    for metric in metrics:
        _, seconds = timed(compute_centrality, H, (metric,), k=k, seed=seed)
        out[metric] = seconds
        print(f"    nx {metric}: {seconds:.2f} s", file=sys.stderr, flush=True)
    return out


def betweenness_error(G, ks=(100, 500), seed=42, reference="networkx") -> dict:
    """Sampled vs exact betweenness. *reference*: which exact values to compare against
    ("networkx", timed; or "igraph", identical to 1e-17 per the tests and ~80x faster)."""
    from scipy.stats import spearmanr

    from thbkg.graph.analytics.centrality import compute_centrality

    nodes = sorted(G)
    n = len(nodes)
    g, _ = to_igraph(G)
    raw, ig_exact_s = timed(g.betweenness, directed=False)
    from_igraph = {v: raw[i] * 2 / ((n - 1) * (n - 2)) for i, v in enumerate(nodes)}
    if reference == "networkx":
        exact, nx_exact_s = timed(compute_centrality, G, ("betweenness",))
        exact = exact["betweenness"]
        igraph_max_diff = max(abs(exact[v] - from_igraph[v]) for v in nodes)
    else:
        exact, nx_exact_s, igraph_max_diff = from_igraph, None, None
    rows = []
    by_exact = sorted(nodes, key=lambda v: (-exact[v], v))
    top100 = by_exact[:100]
    for k in ks:
        sampled, seconds = timed(compute_centrality, G, ("betweenness",), k=k, seed=seed)
        sampled = sampled["betweenness"]
        rho = spearmanr([exact[v] for v in nodes], [sampled[v] for v in nodes]).statistic
        rho_top = spearmanr([exact[v] for v in top100], [sampled[v] for v in top100]).statistic
        top_sampled = sorted(nodes, key=lambda v: (-sampled[v], v))[:20]
        rows.append({"k": k, "seconds": seconds, "spearman": float(rho), "spearman_top100": float(rho_top),
                     "max_abs_error": max(abs(exact[v] - sampled[v]) for v in nodes),
                     "max_exact": max(exact.values()),
                     "top10_max_rel_error": max(abs(exact[v] - sampled[v]) / exact[v] for v in by_exact[:10]),
                     "top20_overlap": len(set(by_exact[:20]) & set(top_sampled))})
        print(f"    k={k}: {seconds:.1f} s, rho={rho:.4f}", file=sys.stderr, flush=True)
    return {"n": n, "edges": G.number_of_edges(), "reference": reference, "nx_exact_s": nx_exact_s,
            "igraph_exact_s": ig_exact_s, "igraph_max_abs_diff": igraph_max_diff, "samples": rows}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--error-size", type=int, default=5_000)
    parser.add_argument("--k-10k", type=int, default=500)
    parser.add_argument("--k-100k", type=int, default=100)
    parser.add_argument("--error-k", type=int, nargs="*", default=[100, 500])
    parser.add_argument("--reference", choices=("networkx", "igraph"), default="networkx",
                        help="exact betweenness to compare the samples with (igraph saves ~4 min at 5k)")
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    parser.add_argument("--projections-only", action="store_true",
                        help="only write the store, time load_network and cooperation_graph (and, with "
                             "--former, the former wide projection queries); no metrics")
    parser.add_argument("--former", action="store_true", help="also time the former wide projection queries")
    args = parser.parse_args(argv)

    import igraph
    import networkx
    import pyoxigraph

    results = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.platform()}, {os.cpu_count()} cores",
               "python": platform.python_version(), "networkx": networkx.__version__,
               "igraph": igraph.__version__, "pyoxigraph": pyoxigraph.__version__,
               "command": "python benchmarks/bench_analytics.py " + " ".join(argv or sys.argv[1:]), "runs": []}
    total = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="thbkg-bench-") as tmp:
        workdir = Path(tmp)
        if args.projections_only:
            for n in args.sizes:
                run = build_store(n, workdir)
                run |= projections(run["store"])[2]
                if args.former:
                    run["former_queries_s"] = former_queries_seconds(run["store"])
                print(f"  n={n}: {run}", file=sys.stderr, flush=True)
                results["runs"].append(run)
            args.error_size, args.sizes = 0, []
        if args.error_size:
            print(f"[error study n={args.error_size}]", file=sys.stderr, flush=True)
            built = build_store(args.error_size, workdir)
            _, G, proj = projections(built["store"])
            results["betweenness_error"] = built | proj | betweenness_error(G, tuple(args.error_k), reference=args.reference)
        for n in args.sizes:
            print(f"[n={n}]", file=sys.stderr, flush=True)
            k = args.k_10k if n <= 20_000 else args.k_100k
            run = build_store(n, workdir)
            net, G, proj = projections(run["store"])
            run |= proj
            run["cli"] = cli_centrality(run["store"], k)
            print(f"  cli: {run['cli']['wall_s']:.1f} s", file=sys.stderr, flush=True)
            metrics = NX_METRICS_10K if n <= 20_000 else NX_METRICS_100K
            run["k"] = k
            run["networkx_s"] = nx_times(G, metrics, k)
            if n <= 20_000:
                from thbkg.graph.analytics.communities import louvain

                result, seconds = timed(louvain, G, seed=42)
                run["networkx_s"]["louvain"] = seconds
                run["louvain_modularity"] = result.modularity
            ig_metrics = list(metrics) + (["louvain", "betweenness_exact"] if n <= 20_000 else [])
            run["igraph_s"] = igraph_times(G, [m for m in ig_metrics if m != "betweenness"])
            results["runs"].append(run)
            del net, G
    results["total_s"] = time.perf_counter() - total
    text = json.dumps(results, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
