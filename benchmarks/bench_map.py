"""Benchmark ``thbkg map``: build time, file size and first draw in headless Chromium.

Usage::

    /work/venv/bin/python benchmarks/bench_map.py [--sizes 1000 5000] [--runs 3] [--no-screenshots]

For the bundled graph (force, geo and circular layouts) and for seeded synthetic graphs (the
5,000-node one of the issue by default), it measures:

* Python time to build and write the map (``write_map``: centrality, layout, pyvis, template);
* the file size;
* the first draw in headless Chromium (``performance.now()`` at vis-network's first
  ``afterDrawing``, i.e. from navigation start), median of ``--runs`` page loads;
* requests leaving file:/data:/blob: (must be none) and SEVERE console messages (must be none).

It also saves screenshots of the bundled map in the force and geo layouts to docs/screenshots/
(each kept under 500 KB by shrinking the window when needed) and writes the raw figures to
benchmarks/results/bench_map.json. Browser: Debian's chromium + chromedriver via selenium, with
the same flags as the browser test (tests/fixtures/plugin_browser.py).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

import plugin_browser  # shared browser set-up and seeded synthetic networks

SCREENSHOTS = ROOT / "docs" / "screenshots"
RESULTS = ROOT / "benchmarks" / "results"
MAX_SCREENSHOT_BYTES = 500_000


def start_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = plugin_browser.find_browser()
    if not (chromium and chromedriver):
        sys.exit("chromium and chromedriver are needed (apt-get install chromium chromium-driver)")
    profile = tempfile.mkdtemp(prefix="thbkg-bench-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,900", f"--user-data-dir={profile}",
                 "--host-resolver-rules=MAP * ~NOTFOUND"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": plugin_browser.ALERT_TRAP})
    return plugin_browser.MapBrowser(driver), profile


def measure(browser, network, path, *, layout, runs, **kwargs):
    from thbkg.graph.outputs.maps.render import write_map

    started = time.perf_counter()
    info = write_map(network, path, layout=layout, **kwargs)
    build_s = time.perf_counter() - started
    draws, waits = [], []
    outside, errors = [], []
    for _ in range(runs):
        waits.append(browser.open(path, timeout=120))
        draws.append(browser.js("return thbkgMap.firstDrawMs;"))
        outside += [u for u in browser.requested_urls() if not u.startswith(("file:", "data:", "blob:"))]
        errors += [e["message"] for e in browser.console_errors()]
    counts = browser.js("return [network.body.data.nodes.length, network.body.data.edges.length];")
    return {"layout": layout, "nodes": info.nodes, "edges": info.edges, "links": info.links,
            "bytes": info.bytes, "build_s": round(build_s, 2),
            "first_draw_ms_median": round(statistics.median(draws)), "first_draw_ms_all": [round(d) for d in draws],
            "wait_s_median": round(statistics.median(waits), 2), "browser_counts": counts,
            "external_requests": outside, "console_errors": errors}


def screenshot(browser, target):
    """Save a PNG under MAX_SCREENSHOT_BYTES, shrinking the window if the first one is too big."""
    width, height = 1400, 900
    for _ in range(5):
        browser.driver.set_window_size(width, height)
        browser.js("thbkgMap.reset();")
        time.sleep(0.5)
        browser.screenshot(target)
        if target.stat().st_size <= MAX_SCREENSHOT_BYTES:
            return target.stat().st_size
        width, height = int(width * 0.85), int(height * 0.85)
    raise RuntimeError(f"{target} stays above {MAX_SCREENSHOT_BYTES} bytes")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[5000], help="synthetic graph sizes (actors)")
    parser.add_argument("--runs", type=int, default=3, help="page loads per map (median reported)")
    parser.add_argument("--no-screenshots", action="store_true")
    args = parser.parse_args(argv)

    from thbkg.graph.network.projections import load_network
    from thbkg.graph.store.source import GraphSource

    out = Path(tempfile.mkdtemp(prefix="thbkg-map-bench-"))
    browser, profile = start_browser()
    rows = []
    try:
        started = time.perf_counter()
        bundled = load_network(GraphSource())
        load_s = time.perf_counter() - started
        for layout in ("force", "geo", "circular"):
            row = measure(browser, bundled, out / f"bundled_{layout}.html", layout=layout, runs=args.runs)
            row["graph"] = "bundled"
            if layout in ("force", "geo") and not args.no_screenshots:
                browser.open(out / f"bundled_{layout}.html")
                row["screenshot_bytes"] = screenshot(browser, SCREENSHOTS / f"map-{layout}.png")
            rows.append(row)
        for n in args.sizes:
            started = time.perf_counter()
            net = plugin_browser.make_synthetic_network(n_actors=n, n_links=3 * n, seed=7)
            gen_s = time.perf_counter() - started
            for layout in ("force", "geo"):
                row = measure(browser, net, out / f"synthetic_{n}_{layout}.html", layout=layout, runs=args.runs)
                row.update(graph=f"synthetic {n}", generate_s=round(gen_s, 2))
                rows.append(row)
            row = measure(browser, net, out / f"synthetic_{n}_top500.html", layout="force", runs=args.runs, top=500)
            row.update(graph=f"synthetic {n}, --top 500")
            rows.append(row)
        version = browser.driver.capabilities.get("browserVersion")
    finally:
        browser.driver.quit()
        shutil.rmtree(profile, ignore_errors=True)

    print(f"bundled graph loaded in {load_s:.2f} s; Chromium {version}; {platform.platform()}")
    print("| graph | layout | actors | ties | links | build s | file MB | first draw ms (median) | ext. requests | console errors |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['graph']} | {r['layout']} | {r['nodes']:,} | {r['edges']:,} | {r['links']:,} | {r['build_s']} | "
              f"{r['bytes'] / 1e6:.2f} | {r['first_draw_ms_median']:,} ({', '.join(map(str, r['first_draw_ms_all']))}) | "
              f"{len(r['external_requests'])} | {len(r['console_errors'])} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_map.json").write_text(json.dumps({"chromium": version, "platform": platform.platform(),
                                                        "python": platform.python_version(), "rows": rows},
                                                       indent=2), encoding="utf-8")
    bad = [r for r in rows if r["external_requests"] or r["console_errors"]
           or r["browser_counts"] != [r["nodes"], r["edges"]]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
