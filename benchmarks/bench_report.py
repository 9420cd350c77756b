"""Time ``thbkg report`` on synthetic networks (not a test; writes nothing unless --write-doc).

The synthetic network is built directly as a :class:`thbkg.graph.network.projections.Network` (records as in
docs/design.md), so this measures the report itself (metrics, coverage, change, rendering), not
the SPARQL load. It is random and fictitious, seeded, and shaped like the real graph: a few percent
of hubs (EU agencies, frameworks, treaties, international organisations) that countries link to,
some country-country liaison links, 55 % of links dated, 8 % ended, five priority regions.

Usage::

    python benchmarks/bench_report.py 10000 100000 [--k 64] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import resource
import sys
import time

HUB_TYPES = ("eu_agency", "regional_process", "treaty", "international_organisation", "network", "platform")
FAMILY = {"eu_agency": ("working_arrangement", "agreement"), "regional_process": ("membership", "membership"),
          "treaty": ("treaty_party", "membership"), "international_organisation": ("cooperation_agreement", "agreement"),
          "network": ("membership", "membership"), "platform": ("joint_action", "joint_action")}


def synthetic_network(n_actors, seed=1):
    from thbkg.graph.network.projections import Network

    rng = random.Random(seed)
    n_hubs = max(6, n_actors // 50)
    actors = {}
    hubs = []
    for i in range(n_hubs):
        kind = HUB_TYPES[i % len(HUB_TYPES)]
        aid = f"hub{i:06d}"
        hubs.append(aid)
        actors[aid] = {"id": aid, "iri": None, "label": f"Synthetic {kind} {i}", "type": kind, "iso2": None,
                       "iso3": None, "wikidata": None, "seat": None, "lat": None, "lon": None, "regions": (),
                       "sources": ("src0",), "confidence": "high"}
    countries = [f"c{i:06d}" for i in range(n_actors - n_hubs)]
    region_ids = ("region-a", "region-b", "region-c", "region-d", "region-e")
    members = {r: [] for r in region_ids}
    for cid in countries:
        region = rng.choice(region_ids) if rng.random() < 0.3 else None
        if region:
            members[region].append(cid)
        actors[cid] = {"id": cid, "iri": None, "label": f"Country {cid}", "type": "country", "iso2": None,
                       "iso3": None, "wikidata": None, "seat": None, "lat": None, "lon": None,
                       "regions": (region,) if region else (), "sources": ("src0",), "confidence": "high"}
    # hubs are grouped in "clusters" (policy fields) so communities exist; preferential weights
    weights = [1.0 / (1 + i % 97) for i in range(n_hubs)]
    links = []
    for cid in countries:
        for hub in set(rng.choices(hubs, weights=weights, k=rng.randint(1, 4))):
            kind, family = FAMILY[actors[hub]["type"]]
            links.append((cid, hub, kind, family))
        if rng.random() < 0.2:
            links.append((cid, rng.choice(countries), "liaison_officer", "liaison"))
    for i, hub in enumerate(hubs[1:], start=1):  # hubs part of a parent hub
        links.append((hub, hubs[rng.randrange(i)], "part_of", "institutional"))
    records = []
    for n, (s, o, kind, family) in enumerate(links):
        if s == o:
            continue
        dated = rng.random() < 0.55
        year = rng.randint(1995, 2025)
        ended = dated and rng.random() < 0.08
        end_year = min(2026, year + rng.randint(1, 10)) if ended else None
        records.append({"id": f"l{n:07d}", "iri": None, "label": f"{s} - {o}: {kind}", "subject": s, "object": o,
                        "type": kind, "family": family, "role": None,
                        "start": str(year) if dated else None, "end": str(end_year) if ended else None,
                        "start_day": dt.date(year, 1, 1) if dated else None,
                        "end_day": dt.date(end_year, 12, 31) if ended else None,
                        "status": "ended" if ended else "active", "instrument": None,
                        "sources": (f"src{rng.randrange(50)}",),
                        "confidence": rng.choice(("high", "high", "medium", "low")),
                        "date_confidence": rng.choice(("high", "medium", "low")) if dated else None, "note": None})
    sources = {f"src{i}": {"id": f"src{i}", "iri": None, "title": f"Synthetic source {i}", "publisher": None,
                           "url": None, "issued": None, "accessed": None} for i in range(50)}
    regions = {r: {"id": r, "iri": None, "label": r, "members": tuple(sorted(m))} for r, m in members.items()}
    return Network(actors=actors, links=records, sources=sources, regions=regions)


def main(argv=None):
    from thbkg.graph.outputs.report import build_report, render_html, render_markdown

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10000, 100000])
    parser.add_argument("--k", type=int, default=64, help="betweenness sample size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--metrics", action="store_true", help="also time each centrality metric alone")
    args = parser.parse_args(argv)
    print(f"# {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}", flush=True)
    print("| actors | links | pairs | build network s | report data s | render html s | html MB | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        t0 = time.perf_counter()
        net = synthetic_network(n, seed=args.seed)
        t1 = time.perf_counter()
        steps = {}
        data = build_report(net, k=args.k, seed=args.seed, generated="2026-01-01", top=10, timings=steps)
        t2 = time.perf_counter()
        page = render_html(data)
        render_markdown(data)
        t3 = time.perf_counter()
        pairs = data["summary"]["pairs"]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {n} | {len(net.links)} | {pairs} | {t1 - t0:.1f} | {t2 - t1:.1f} | {t3 - t2:.1f} | "
              f"{len(page.encode()) / 1e6:.2f} | {rss:.0f} |", flush=True)
        print(f"<!-- {n}: steps (s) {steps}; betweenness {data['params']['betweenness']}; left out: "
              f"{data['params'].get('skipped') or 'none'} -->", flush=True)
        if args.metrics:
            from thbkg.graph.analytics.centrality import compute_centrality

            graph = net.cooperation_graph()
            for metric in data["metrics"]:
                t = time.perf_counter()
                compute_centrality(graph, metrics=(metric,), k=args.k, seed=args.seed)
                print(f"<!-- {n}: {metric} {time.perf_counter() - t:.1f} s -->", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
