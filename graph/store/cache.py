"""A content-addressed cache of built stores: build once from a set of tables, then open it read-only.

Every command that reads tables (the bundled ones and ``--data`` folders) needs the graph as a store.
Building it means reading and checking the tables, writing RDF and bulk-loading it, which costs far
more than the query that follows. The first command on a given set of tables builds a persistent
Oxigraph store into the cache; every later command on the same tables opens that store read-only.

The key (:func:`cache_key`) is a SHA-256 over the bytes of every table in every folder, in the order
the folders are read, the ontology and shapes, thbkg's version and the source of the code that turns
tables into RDF. One byte changed anywhere gives another key, so an entry is never stale; it is
simply not used again, and pruned (:func:`prune`) once more than :func:`keep_entries` newer ones exist.

An entry is a folder ``<root>/<key>/`` holding ``store/`` (the Oxigraph store), ``entry.json``
(written last) and, once asked, validation results and query answers (``*.json``). It is built
in a temporary folder and renamed into place only when complete, under a per-key lock, so an
interrupted build (even SIGKILL) leaves no entry a later command would trust, and two commands on new
tables build it once. Entries are private to their user (mode 700).

>>> import tempfile, os
>>> root = tempfile.mkdtemp()
>>> os.environ["THBKG_CACHE"] = root
>>> cache_root() == Path(root)
True
>>> del os.environ["THBKG_CACHE"]
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from thbkg.graph.errors import ThbkgError

CACHE_ENV = "THBKG_CACHE"
NO_CACHE_ENV = "THBKG_NO_CACHE"
KEEP_ENV = "THBKG_CACHE_KEEP"
#: a file that, when named by THBKG_CACHE_TRACE, gets one line per cache event ("hit KEY", "build KEY")
TRACE_ENV = "THBKG_CACHE_TRACE"
DEFAULT_KEEP = 6
ENTRY_FILE = "entry.json"
STORE_FOLDER = "store"
_KEY = re.compile(r"^[0-9a-f]{64}$")
_FORMAT = "thbkg-store-cache-2"
_TAG = "CACHEDIR.TAG"
_TAG_TEXT = ("Signature: 8a477f597d28d172789f06886806bc55\n"
             "# This folder is thbkg's cache of built stores (safe to delete; `thbkg cache clear`).\n")


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def cache_enabled() -> bool:
    """False when the environment sets ``THBKG_NO_CACHE`` to a true value (``--no-cache`` does this)."""
    return not _true(os.environ.get(NO_CACHE_ENV))


def cache_root() -> Path:
    """The cache folder: ``THBKG_CACHE``, else the user cache directory (``platformdirs``) + ``stores``."""
    override = os.environ.get(CACHE_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("thbkg", appauthor=False)) / "stores"


def keep_entries() -> int:
    """How many entries pruning keeps: ``THBKG_CACHE_KEEP`` or 6."""
    text = os.environ.get(KEEP_ENV, "").strip()
    if not text:
        return DEFAULT_KEEP
    if not text.isdigit() or int(text) < 1:
        from thbkg.graph.errors import UsageError

        raise UsageError(f"{KEEP_ENV}={text!r}: give a whole number of entries, 1 or more")
    return int(text)


def _code_fingerprint(digest) -> None:
    """Feed the version, the ontology, the shapes and the code that builds RDF from tables to *digest*."""
    from thbkg.graph import __version__
    from thbkg.graph.rdf.vocab import ontology_file, shapes_file

    digest.update(f"{_FORMAT}\0{__version__}\0".encode())
    rdf_code = Path(__file__).resolve().parents[1] / "rdf"
    for path in [Path(str(ontology_file())), Path(str(shapes_file())), *sorted(rdf_code.glob("*.py"))]:
        _feed_file(digest, path.name, path)


def _feed_file(digest, name: str, path: Path) -> None:
    data = path.read_bytes()
    digest.update(f"\0{name}\0{len(data)}\0".encode())
    digest.update(data)


def cache_key(folders) -> str | None:
    """The cache key of the tables in *folders* (read in this order), or None when one cannot be hashed.

    None when a table is not a regular file, or a folder is missing: the build reports that as a
    problem, so such tables are never cached.

    >>> from thbkg.graph.rdf.tables import bundled_data_dir
    >>> key = cache_key([bundled_data_dir()])
    >>> len(key), key == cache_key([bundled_data_dir()])
    (64, True)
    """
    from thbkg.graph.rdf.tables import TABLES

    digest = hashlib.sha256()
    try:
        _code_fingerprint(digest)
    except OSError:  # an unreadable ontology: the build says what is wrong
        return None
    for folder in folders:
        digest.update(b"\0folder")
        for name in TABLES:
            path = Path(folder) / f"{name}.csv"
            try:
                mode = os.stat(path).st_mode
            except FileNotFoundError:
                digest.update(f"\0{name}\0absent".encode())
                continue
            except OSError:
                return None
            if not stat.S_ISREG(mode):
                return None
            try:
                _feed_file(digest, name, path)
            except OSError:
                return None
    return digest.hexdigest()


@dataclass(frozen=True)
class CacheEntry:
    """One built store in the cache.

    Attributes
    ----------
    path : Path
        The entry's folder ``<root>/<key>``.
    built : bool
        Whether this run built it (False: found in the cache).
    """

    path: Path
    built: bool = False

    @property
    def key(self) -> str:
        return self.path.name

    @property
    def store_path(self) -> Path:
        return self.path / STORE_FOLDER

    def info(self) -> dict:
        """What ``entry.json`` says (triples, folders, created…)."""
        return json.loads((self.path / ENTRY_FILE).read_text(encoding="utf-8"))

    def open_store(self):
        """The entry's store, opened read-only (a ``pyoxigraph.Store``)."""
        import pyoxigraph

        return pyoxigraph.Store.read_only(str(self.store_path))

    def read_json(self, name: str) -> dict | None:
        """A JSON file cached with the store (e.g. validation results), or None."""
        try:
            return json.loads((self.path / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def kept_answer(self, kind: str, text: str) -> dict | None:
        """The answer kept for the query *text* read as *kind* (e.g. ``select``), or None."""
        return self.read_json(_answer_name(kind, text)) if keepable(text) else None

    def keep_answer(self, kind: str, text: str, answer: dict, rows: int) -> None:
        """Keep *answer* (JSON) for the query *text* read as *kind*, when it may be kept and has at most
        :data:`KEPT_ANSWER_ROWS` *rows*."""
        if keepable(text) and rows <= KEPT_ANSWER_ROWS:
            self.write_json(_answer_name(kind, text), answer)

    def write_json(self, name: str, data: dict) -> None:
        """Cache *data* with the store as ``<name>.json`` (atomically; failures are ignored: a cache
        that cannot be written only costs time)."""
        from thbkg.graph.io import temp_name

        tmp = self.path / temp_name(f"{name}.json")
        try:
            tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path / f"{name}.json")
        except OSError:
            tmp.unlink(missing_ok=True)


#: answers of up to this many rows are kept with a cached store
KEPT_ANSWER_ROWS = 200_000
_VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE|SERVICE)\b", re.IGNORECASE)


def keepable(text: str) -> bool:
    """Whether the answer to the query *text* can be kept: a cached store never changes, so the same
    text gives the same answer, unless it calls ``NOW()``, ``RAND()``, ``UUID()``, ``BNODE()`` or a
    ``SERVICE``.

    >>> keepable("SELECT * { ?s ?p ?o }"), keepable("SELECT (NOW() AS ?t) {}")
    (True, False)
    """
    return _VOLATILE.search(text) is None


def _answer_name(kind: str, text: str) -> str:
    import pyoxigraph

    digest = hashlib.sha256(f"{pyoxigraph.__version__}\0{kind}\0{text}".encode()).hexdigest()
    return f"answer-{digest}"


def term_to_json(term):
    """An rdflib term (or None) as JSON: ``["u", iri]``, ``["b", id]``, ``["l", text, datatype, lang]``.

    >>> from rdflib import Literal
    >>> term_from_json(term_to_json(Literal("a", lang="en"))) == Literal("a", lang="en")
    True
    """
    from rdflib import Literal, URIRef

    if term is None:
        return None
    if isinstance(term, Literal):
        return ["l", str(term), str(term.datatype) if term.datatype else None, term.language]
    return ["u" if isinstance(term, URIRef) else "b", str(term)]


def term_from_json(item):
    """The rdflib term :func:`term_to_json` wrote."""
    from rdflib import BNode, Literal, URIRef

    if item is None:
        return None
    if item[0] == "l":
        return Literal(item[1], datatype=URIRef(item[2]) if item[2] else None, lang=item[3])
    return URIRef(item[1]) if item[0] == "u" else BNode(item[1])


def _trace(event: str, key: str) -> None:
    target = os.environ.get(TRACE_ENV)
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(f"{event} {key} {os.getpid()}\n")


def _ensure_root(root: Path) -> Path:
    """Create the cache folder, private to its user, tagged so backups skip it."""
    created = not root.exists()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    tag = root / _TAG
    if created or tag.is_file():
        os.chmod(root, 0o700)  # a folder thbkg made; mkdir's mode is cut by the umask
    if not tag.exists():
        tag.write_text(_TAG_TEXT, encoding="utf-8")
    return root


def find_entry(key: str, root: Path | None = None) -> CacheEntry | None:
    """The complete entry for *key*, or None (a folder without a readable ``entry.json`` is not trusted)."""
    path = (root or cache_root()) / key
    try:
        recorded = json.loads((path / ENTRY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if recorded.get("key") != key or recorded.get("format") != _FORMAT:
        return None
    try:
        os.utime(path / ENTRY_FILE)  # last use, for pruning
    except OSError:
        pass
    return CacheEntry(path)


def get_or_build(key: str, build: Callable[[], bytes], *, folders=(), recorded: dict | None = None,
                 lock_wait: float = 3600.0) -> CacheEntry:
    """The entry for *key*, built from ``build()`` (N-Triples) when the cache has none.

    Parameters
    ----------
    key : str
        From :func:`cache_key`.
    build : callable
        Returns the graph's N-Triples; called at most once, only when the entry is missing.
    folders : sequence of path
        The data folders, recorded in ``entry.json`` for ``thbkg cache info``.
    recorded : dict, optional
        More facts for ``entry.json`` (e.g. ``data_triples``), filled in by *build*.
    lock_wait : float
        How long a second command on the same new tables waits for the first one's build.

    Raises
    ------
    ThbkgError
        The cache folder cannot be written (the message names it and says how to bypass the cache).
    """
    from thbkg.graph.io import exclusive_lock, os_error_message

    entry = find_entry(key)
    if entry is not None:
        _trace("hit", key)
        return entry
    root = cache_root()
    try:
        _ensure_root(root)
        with exclusive_lock(root / f".{key[:16]}.lock", wait=lock_wait, what="the store cache entry"):
            entry = find_entry(key, root)  # another command may have built it meanwhile
            if entry is not None:
                _trace("hit", key)
                return entry
            data = build()
            entry = _build_entry(root, key, data, folders, recorded or {})
            del data
        prune(root, keep=keep_entries(), spare=key)
    except OSError as exc:
        raise ThbkgError(f"cannot write the store cache: {os_error_message(exc)} "
                         f"(set {CACHE_ENV}=DIR to use another folder, or give --no-cache)") from None
    return entry


def _build_entry(root: Path, key: str, ntriples: bytes, folders, recorded: dict) -> CacheEntry:
    """Load *ntriples* into a new entry in a temporary folder, then rename it into place."""
    import pyoxigraph

    from thbkg.graph.io import sweep_stale, temp_name

    sweep_stale(root)
    tmp = root / temp_name(key[:16])
    tmp.mkdir(mode=0o700)
    try:
        store = pyoxigraph.Store(str(tmp / STORE_FOLDER))
        store.bulk_load(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.flush()
        triples = len(store)
        del store  # close the RocksDB files before the rename
        facts = {**recorded, "format": _FORMAT, "key": key, "triples": triples, "created": time.time(),
                 "folders": [str(Path(f).resolve()) for f in folders]}
        (tmp / ENTRY_FILE).write_text(json.dumps(facts, sort_keys=True), encoding="utf-8")
        if (root / key).exists():  # a damaged entry (find_entry did not trust it): replaced
            _remove(root / key)
        os.rename(tmp, root / key)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _trace("build", key)
    return CacheEntry(root / key, built=True)


def entries(root: Path | None = None) -> list[CacheEntry]:
    """The complete entries in the cache, most recently used first."""
    root = root or cache_root()
    try:
        names = [p.name for p in root.iterdir() if _KEY.match(p.name)]
    except OSError:
        return []
    found = [CacheEntry(root / name) for name in names if (root / name / ENTRY_FILE).is_file()]
    return sorted(found, key=_last_used, reverse=True)


def _last_used(entry: CacheEntry) -> float:
    try:
        return (entry.path / ENTRY_FILE).stat().st_mtime
    except OSError:
        return 0.0


def _remove(path: Path) -> int:
    """Remove a cache folder (renamed aside first, so no reader ever sees half of it); bytes freed."""
    from thbkg.graph.io import temp_name

    size = folder_size(path)
    aside = path.parent / temp_name("removed")
    try:
        os.rename(path, aside)
    except OSError:
        return 0
    shutil.rmtree(aside, ignore_errors=True)
    return size


def prune(root: Path | None = None, *, keep: int = DEFAULT_KEEP, spare: str | None = None) -> list[str]:
    """Remove all but the *keep* most recently used entries (never *spare*); the removed keys."""
    removed = []
    for entry in entries(root)[keep:]:
        if entry.key != spare and _remove(entry.path):
            removed.append(entry.key)
    return removed


def folder_size(path: Path) -> int:
    """Bytes of the files under *path*."""
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def cache_info() -> dict:
    """The cache folder, its entries (key, triples, size, folders, created, last used) and total size."""
    root = cache_root()
    rows = []
    for entry in entries(root):
        try:
            recorded = entry.info()
        except (OSError, ValueError):
            continue
        rows.append({"key": entry.key, "triples": recorded.get("triples"), "bytes": folder_size(entry.path),
                     "folders": recorded.get("folders", []), "created": recorded.get("created"),
                     "last_used": _last_used(entry)})
    return {"root": str(root), "enabled": cache_enabled(), "keep": keep_entries(), "entries": rows,
            "bytes": sum(r["bytes"] for r in rows)}


def clear_cache() -> dict:
    """Remove every entry (and thbkg's leftovers) from the cache; ``{"root", "removed", "bytes"}``."""
    from thbkg.graph.io import sweep_stale

    root = cache_root()
    removed, freed = 0, 0
    for entry in entries(root):
        size = _remove(entry.path)
        if size:
            removed, freed = removed + 1, freed + size
    sweep_stale(root)
    return {"root": str(root), "removed": removed, "bytes": freed}
