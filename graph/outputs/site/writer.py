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
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from thbkg.graph import __version__
from thbkg.graph.errors import UsageError
from thbkg.graph.io import OUTPUT_MARKER, check_output, protected_inputs, swap_folder, sweep_stale, temp_name
from thbkg.graph.outputs.site import pages
from thbkg.graph.outputs.site.linked import entity_documents, instance_ntriples, jsonld_text
from thbkg.graph.outputs.site.model import prepare
from thbkg.graph.outputs.site.paths import ENTITY_KINDS, entity_path

#: Content-Security-Policy of every page but the map: own files only, no inline script or style.
SITE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'none'; base-uri 'none'; form-action 'self'")
#: The map page: its library sets inline styles on the elements it draws.
MAP_PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")
SITE_MARKER_TEXT = "This folder is a website written by 'thbkg site'; the next run replaces it whole.\n"


@dataclass
class SiteInfo:
    """What :func:`write_site` wrote."""

    folder: Path
    pages: int = 0
    files: int = 0
    bytes: int = 0
    largest_page: tuple = ("", 0)
    notes: list = field(default_factory=list)


class SiteFolder:
    """The temporary folder a site is written into, counting pages and bytes."""

    def __init__(self, root: Path):
        self.root = root
        self.info = SiteInfo(folder=root)

    def write(self, path: str, data) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
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
    if folder.is_dir() and any(folder.iterdir()) and not (folder / OUTPUT_MARKER).is_file():
        raise UsageError(f"{folder} holds files thbkg did not write; give a new or empty folder for the site")
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
    from thbkg.graph.network.projections import load_network
    from thbkg.graph.progress import progress

    folder = check_site_target(target)
    net = network if network is not None else load_network(source, filters)
    folder.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(folder.parent)
    tmp = folder.parent / temp_name(folder.name)
    out = SiteFolder(tmp)
    try:
        with progress(7, "site") as bar:
            bar.set_item("reading the triples")
            ntriples = instance_ntriples(source)
            context = pages.Context(graph_version=graph_version(ntriples), version=__version__,
                                    csp=SITE_CSP, map_csp=MAP_PAGE_CSP)
            bar.update(1, "page data")
            data = prepare(net, generated=context.graph_version, seed=seed)
            renderer = pages.Renderer(data, context)
            bar.update(1, "entity pages")
            _write_entities(out, renderer, ntriples)
            del ntriples
            bar.update(1, "lists and home")
            renderer.write_lists(out)
            bar.update(1, "queries")
            renderer.write_queries(out, source)
            bar.update(1, "map")
            renderer.write_map(out, top=map_top, seed=seed)
            bar.update(1, "downloads")
            report = with_report if with_report is not None else len(net.actors) <= 1000
            renderer.write_data(out, source, with_report=report, seed=seed)
            _write_static(out, renderer)
            out.write(OUTPUT_MARKER, SITE_MARKER_TEXT)
            bar.update(1, "swapping the site in")
        swap_folder(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # after the swap: the old site, or a failed run's files
    out.info.folder = folder
    return out.info


def graph_version(ntriples: bytes) -> str:
    """A short fingerprint of the graph's triples, whatever order the store gave them in."""
    digest = hashlib.sha256()
    for line in sorted(ntriples.split(b"\n")):
        digest.update(line + b"\n")
    return digest.hexdigest()[:12]


def _write_entities(out: SiteFolder, renderer, ntriples: bytes) -> None:
    """Each entity's Turtle, JSON-LD and page(s); entities the filters left out get no page."""
    seen: set = set()
    for kind, record_id, turtle, jsonld in entity_documents(ntriples):
        if not renderer.has(kind, record_id):
            continue
        seen.add((kind, record_id))
        out.write(entity_path(kind, record_id, ".ttl"), turtle)
        out.write(entity_path(kind, record_id, ".jsonld"), jsonld_text(jsonld))
        renderer.write_entity(out, kind, record_id, jsonld)
    for kind in ENTITY_KINDS:  # records the store gave no triple for (e.g. a region without members)
        for record_id in renderer.ids(kind):
            if (kind, record_id) not in seen:
                renderer.write_entity(out, kind, record_id, None)


def _write_static(out: SiteFolder, renderer) -> None:
    static = resources.files("thbkg.graph.outputs.site") / "static"
    for name in ("site.css", "search.js"):
        out.write(f"static/{name}", (static / name).read_bytes())
    out.write("static/search-index.js", renderer.search_index())

