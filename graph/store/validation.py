"""``thbkg validate`` with the store cache: an unchanged set of tables is checked once.

The SHACL shapes run on the cache's store of the tables (built on first use, so the commands that
follow open it at once), and the report is kept with that store. The next validation of the same
tables, with the same engine and ``--strict`` setting and from the same working folder (the report
names the files as they were given), reads the report back instead of checking again.
"""

from __future__ import annotations

import hashlib
import os

from thbkg.graph.rdf.validate import ValidationReport, validate


def validate_tables(data_dirs=(), *, include_bundled=None, strict: bool = False, engine: str = "sparql",
                    use_cache: bool | None = None) -> ValidationReport:
    """:func:`thbkg.graph.rdf.validate.validate`, through the store cache unless *use_cache* is False
    or the environment sets ``THBKG_NO_CACHE``; the same report either way."""
    from thbkg.graph.rdf.tables import data_folders
    from thbkg.graph.store.cache import cache_enabled, cache_key, find_entry

    folders = data_folders(data_dirs, include_bundled)
    key = cache_key(folders) if use_cache is not False and cache_enabled() else None
    if key is None:
        return validate(data_dirs, include_bundled=include_bundled, strict=strict, engine=engine)
    name = _report_name(folders, strict, engine)
    entry = find_entry(key)
    kept = entry.read_json(name) if entry is not None else None
    if kept is not None:
        return ValidationReport.from_cache(kept)
    built: list = []

    def cached_store(ds):
        entry = _entry_for(key, ds, folders)
        built.append(entry)
        return entry.open_store(), entry.info()["data_triples"]

    report = validate(data_dirs, include_bundled=include_bundled, strict=strict, engine=engine,
                      store=cached_store)
    if built:  # the tables could be read, so the report is that of a store in the cache
        built[0].write_json(name, report.to_cache())
    return report


def _report_name(folders, strict: bool, engine: str) -> str:
    where = "\0".join([os.getcwd(), *(str(f) for f in folders)])
    digest = hashlib.sha256(f"{engine}\0{strict}\0{where}".encode()).hexdigest()
    return f"validation-{digest}"


def _entry_for(key: str, ds, folders):
    """The cache entry of the tables read as *ds*, built from them when missing."""
    from thbkg.graph.rdf.build import dataset_ntriples_bytes
    from thbkg.graph.store.cache import get_or_build
    from thbkg.graph.store.source import ontology_ntriples

    recorded: dict = {}

    def build() -> bytes:
        data = dataset_ntriples_bytes(ds)
        recorded["data_triples"] = data.count(b"\n")
        return data + ontology_ntriples()

    return get_or_build(key, build, folders=folders, recorded=recorded)
