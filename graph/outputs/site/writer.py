"""Write the whole site into a fresh folder, then swap it in place of the old one.

:func:`write_site` is ``thbkg site -o DIR``: it loads the graph once, computes the page data once
(:func:`thbkg.graph.outputs.site.model.prepare`), reads the store's triples once for the linked data
(:mod:`thbkg.graph.outputs.site.linked`), and renders each page kind from its Jinja template
(autoescaped). Everything is written into a temporary folder beside *DIR*, which then replaces *DIR*
in one rename, so a failed run leaves the old site as it was. Nothing depends on the clock: the same
graph gives the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from thbkg.graph import __version__
from thbkg.graph.errors import ThbkgError, UsageError
from thbkg.graph.io import OUTPUT_MARKER, check_output, protected_inputs, swap_folder, sweep_stale, temp_name
from thbkg.graph.outputs.site import pages
from thbkg.graph.outputs.site.extras import write_ntriples
from thbkg.graph.outputs.site.linked import entity_document, entity_groups, instance_ntriples, jsonld_text, sorted_lines
from thbkg.graph.outputs.site.model import prepare
from thbkg.graph.outputs.site.paths import ENTITY_KINDS, entity_path
from thbkg.graph.progress import Laps

#: Content-Security-Policy of every page but the map: own files only, no inline script or style.
SITE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'none'; base-uri 'none'; form-action 'self'")
#: The map page: its library sets inline styles on the elements it draws.
MAP_PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")
SITE_MARKER_TEXT = "This folder is a website written by 'thbkg site'; the next run replaces it whole.\n"
#: The file that makes a folder a site 'thbkg site' may replace whole (other outputs carry only OUTPUT_MARKER).
SITE_MARKER = ".thbkg-site"


@dataclass
class SiteInfo:
    """What :func:`write_site` wrote."""

    folder: Path
    pages: int = 0
    files: int = 0
    bytes: int = 0
    largest_page: tuple = ("", 0)
    #: seconds each phase took, in order (for benchmarks/bench_site.py)
    laps: dict = field(default_factory=dict)


class SiteFolder:
    """The temporary folder a site is written into, counting pages and bytes."""

    def __init__(self, root: Path):
        self.root = root
        self.info = SiteInfo(folder=root)
        self.made: set = set()

    @contextmanager
    def open(self, path: str):
        """A binary file to write *path* into, counted like :meth:`write` when it is closed."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as fh:
            yield fh
        self.info.files += 1
        self.info.bytes += target.stat().st_size

    def write(self, path: str, data) -> None:
        target = self.root / path
        if target.parent not in self.made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(target.parent)
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(target, "wb") as fh:
            fh.write(data)
        self.info.files += 1
        self.info.bytes += len(data)
        if path.endswith(".html"):
            self.info.pages += 1
            if len(data) > self.info.largest_page[1]:
                self.info.largest_page = (path, len(data))


def check_site_target(target) -> Path:
    """Refuse an output that is a file, an input, or a folder thbkg did not write as a site."""
    folder = check_output(target, folder=True)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file; give a folder for the site (e.g. {folder.parent / 'site'}/)")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / SITE_MARKER).is_file():
        what = "another thbkg output" if (folder / OUTPUT_MARKER).is_file() else "files thbkg did not write"
        raise UsageError(f"{folder} holds {what}, not a site; give a new or empty folder for the site "
                         "(a site replaces its whole folder)")
    for item in protected_inputs():
        if folder == item or folder in item.parents:
            raise UsageError(f"refusing to write the site into {folder}: it holds an input of this run ({item})")
    parent = folder.parent
    if parent.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write into {parent} (check its permissions or choose another folder)")
    return folder


def write_site(source, target, *, network=None, filters=None, seed: int = 42, map_top: int = 2000,
               with_report: bool | None = None) -> SiteInfo:
    """Write the site of *source* into the folder *target* (see the module docstring).

    Parameters
    ----------
    source : GraphSource
        Where the graph is (tables, store or endpoint).
    target : str or Path
        The site folder: new, empty, or a site thbkg wrote before (it is replaced whole).
    network : Network, optional
        The already loaded network (else loaded from *source* with *filters*).
    seed : int
        Seed of the map layout and of sampled betweenness.
    map_top : int
        The map draws at most this many actors (the most central), so it stays quick to open.
    with_report : bool, optional
        Add the analyst's report to the downloads (default: up to 1,000 actors, where it takes seconds).

    Returns
    -------
    SiteInfo
    """
    from thbkg.graph.io import protect_inputs
    from thbkg.graph.network.projections import load_network
    from thbkg.graph.outputs.site.extras import table_folders
    from thbkg.graph.progress import progress

    started = time.perf_counter()
    protect_inputs(*(folder for _, folder in table_folders(source)))  # refused now, not after the load
    folder = check_site_target(target)
    if network is None and getattr(source, "kind", None) == "embedded":
        source.keep_ntriples = True  # the build's own triples for the downloads (see instance_ntriples)
    net = network if network is not None else load_network(source, filters)
    folder.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(folder.parent)
    tmp = folder.parent / temp_name(folder.name)
    out = SiteFolder(tmp)
    lap = Laps(out.info.laps, started)
    lap("loading the graph")
    try:
        with progress(7, "site") as bar:
            bar.set_item("reading the triples")
            lines = sorted_lines(instance_ntriples(source))
            if hasattr(source, "drop_built_ntriples"):
                source.drop_built_ntriples()  # read once; let the bytes go
            context = pages.Context(graph_version=graph_version(lines), version=__version__,
                                    csp=SITE_CSP, map_csp=MAP_PAGE_CSP)
            lap("reading the triples")
            bar.update(1, "page data")
            data = prepare(net, seed=seed)
            renderer = pages.Renderer(data, context)
            lap("page data")
            report = with_report if with_report is not None else len(net.actors) <= 1000

            def other_pages():
                bar.update(1, "lists and home (entity pages start in a second process)")
                renderer.write_lists(out)
                lap("lists and home")
                bar.update(1, "queries")
                renderer.write_queries(out, source)
                lap("queries")
                bar.update(1, "map")
                renderer.write_map(out, top=map_top, seed=seed)
                lap("map")
                bar.update(1, "downloads")
                renderer.write_data(out, source, with_report=report, seed=seed)
                _write_static(out, renderer)
                lap("downloads")
                bar.update(1, "entity pages (both processes)")

            write_ntriples(lines, out)
            groups = _entity_groups(renderer, lines)
            del lines  # the groups hold the same text; the downloads read data/thbkg.nt
            share_work(groups, _entity_writer(out, renderer), other_pages, out.info)
            lap("entity pages (the rest, in both processes)")
            out.write(OUTPUT_MARKER, SITE_MARKER_TEXT)
            out.write(SITE_MARKER, SITE_MARKER_TEXT)
            bar.update(1, "swapping the site in")
        swap_folder(tmp, folder)
        lap("swapping the site in")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # after the swap: the old site, or a failed run's files
    out.info.folder = folder
    return out.info


#: Entities a process claims at a time when two share the entity pages.
ENTITY_CHUNK = 256


def share_work(items: list, do_one, other, info: SiteInfo) -> None:
    """Do ``do_one(item)`` for every item of *items* in two processes, while this one also runs *other*.

    A forked process starts on the items at once; this process runs *other* first, then joins in.
    Both claim chunks of :data:`ENTITY_CHUNK` items from a shared counter, so the work splits by the
    time it takes, and they write different files. Where ``fork`` is missing or there is one core,
    everything runs here, one after the other. An error in the other process is raised here.
    """
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2:
        other()
        for item in items:
            do_one(item)
        return
    context = multiprocessing.get_context("fork")
    claimed = context.Value("q", 0)
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_run_and_report, args=(lambda: _claim_chunks(items, do_one, claimed), info, send),
                            daemon=True)
    child.start()
    send.close()
    try:
        other()
        _claim_chunks(items, do_one, claimed)
    finally:
        outcome: tuple[str, Any] = (receive.recv() if receive.poll(None if child.is_alive() else 0)
                                    else ("error", "the process died"))
        child.join()
    if outcome[0] == "error":
        raise ThbkgError(f"writing the entity pages failed: {outcome[1]}")
    for name in ("pages", "files", "bytes"):
        setattr(info, name, getattr(info, name) + outcome[1][name])
    if outcome[1]["largest_page"][1] > info.largest_page[1]:
        info.largest_page = tuple(outcome[1]["largest_page"])


def _run_and_report(job, info: SiteInfo, send) -> None:
    """In the forked process: count from zero, run *job*, send the counts (or the error) back."""
    _die_with_parent()
    info.pages = info.files = info.bytes = 0
    info.largest_page = ("", 0)
    try:
        job()
        send.send(("ok", {"pages": info.pages, "files": info.files, "bytes": info.bytes,
                          "largest_page": info.largest_page}))
    except BaseException as exc:  # reported to the parent, which raises it
        send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _die_with_parent() -> None:
    """Ask Linux to end this process if its parent dies (even by SIGKILL), so it stops writing."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _claim_chunks(items: list, do_one, claimed) -> None:
    while True:
        with claimed.get_lock():
            start = claimed.value
            claimed.value = start + ENTITY_CHUNK
        if start >= len(items):
            return
        for item in items[start:start + ENTITY_CHUNK]:
            do_one(item)


def graph_version(lines: list[str]) -> str:
    """A short fingerprint of the graph: the sha256 of its sorted triple lines, cut to 12 hex digits."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()[:12]


def _entity_writer(out: SiteFolder, renderer):
    """A function writing one entity's Turtle, JSON-LD and page(s) from its ``(kind, id, lines)`` group."""

    def write(group: tuple[str, str, str | None]) -> None:
        kind, record_id, lines = group
        if lines is None:  # a record the store gave no triple for (e.g. a region without members)
            renderer.write_entity(out, kind, record_id, None)
            return
        turtle, jsonld = entity_document(lines)
        out.write(entity_path(kind, record_id, ".ttl"), turtle)
        out.write(entity_path(kind, record_id, ".jsonld"), jsonld_text(jsonld))
        renderer.write_entity(out, kind, record_id, jsonld)

    return write


def _entity_groups(renderer, lines: list[str]) -> list:
    """The entities to write: their triple groups, less those the filters left out, plus records without triples."""
    groups = [group for group in entity_groups(lines) if renderer.has(group[0], group[1])]
    seen = {(kind, record_id) for kind, record_id, _ in groups}
    return groups + [(kind, record_id, None) for kind in ENTITY_KINDS for record_id in renderer.ids(kind)
                     if (kind, record_id) not in seen]


def _write_static(out: SiteFolder, renderer) -> None:
    static = resources.files("thbkg.graph.outputs.site") / "static"
    for name in ("site.css", "search.js"):
        out.write(f"static/{name}", (static / name).read_bytes())
    out.write("static/search-index.js", renderer.search_index())

