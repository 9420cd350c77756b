"""Where the graph comes from: built on the fly, a persistent store on disk, or a SPARQL endpoint.

>>> src = GraphSource()                                    # doctest: +SKIP
>>> src.select("SELECT ?a WHERE { ?a a thb:Country }")[:1]  # doctest: +SKIP
[{'a': rdflib.term.URIRef('https://w3id.org/thbkg/id/actor/al')}]

Every query gets thbkg's prefixes (``thb:``, ``thbid:``, ``org:`` …) declared automatically, so
queries need not repeat them. Parameters are bound as RDF terms (a ``VALUES`` block), never
pasted into the query text.

On the Oxigraph stores (embedded and persistent) SELECT and ASK run directly on the underlying
``pyoxigraph.Store`` (:meth:`GraphSource.oxigraph_store`): the query is parsed once, and rows are
converted to rdflib terms through a per-query cache (:func:`term_converter`), giving the same terms
as oxrdflib at a fraction of the cost. :meth:`GraphSource.select_text` skips rdflib terms entirely
and gives the lexical values, for bulk readers such as the network projections.
"""

from __future__ import annotations

import errno
import re
import shutil
import time
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Identifier

from thbkg.graph.errors import ThbkgError, UsageError
from thbkg.graph.rdf.namespaces import PREFIXES, bind_prefixes
from thbkg.graph.store.binder import bind

#: marker file written into a persistent store folder by :func:`write_store`
STORE_MARKER = "thbkg-store.txt"
_INIT_NS = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_PREFIX_DECLARED = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE | re.MULTILINE)


def with_prefixes(query: str) -> str:
    """Prepend PREFIX declarations for thbkg's prefixes the query does not declare itself.

    >>> with_prefixes("PREFIX thb: <x:> SELECT * {}").count("PREFIX thb:")
    1
    """
    declared = {m.group(1) or "" for m in _PREFIX_DECLARED.finditer(query)}
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if p not in declared)
    return head + query


def term_converter(plain_strings: bool = False):
    """A function turning pyoxigraph terms into the rdflib terms oxrdflib would give, with a cache.

    Rows repeat the same IRIs and literals many times, and building an rdflib ``Literal`` (which
    parses its lexical form) is the costly part, so each distinct term is converted once.

    Parameters
    ----------
    plain_strings : bool
        Give ``"x"^^xsd:string`` as the simple literal ``"x"`` (the same RDF 1.1 term; what
        :func:`thbkg.graph.store.query.run_query` shows). oxrdflib keeps the datatype.

    >>> import pyoxigraph as ox
    >>> convert = term_converter()
    >>> convert(ox.NamedNode("http://x.org/a")), convert(None)
    (rdflib.term.URIRef('http://x.org/a'), None)
    >>> convert(ox.Literal("2013", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))).n3()
    '"2013"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    >>> term_converter(plain_strings=True)(ox.Literal("x")).n3(), convert(ox.Literal("x", language="en")).n3()
    ('"x"', '"x"@en')
    """
    import pyoxigraph as ox
    from rdflib import BNode

    cache: dict = {None: None}
    datatypes: dict = {}

    def convert_new(term):
        out: Identifier
        if isinstance(term, ox.NamedNode):
            out = URIRef(term.value)
        elif isinstance(term, ox.Literal):
            if term.language:
                out = Literal(term.value, lang=term.language)
            else:
                datatype = term.datatype.value
                if plain_strings and datatype == _XSD_STRING:
                    out = Literal(term.value)
                else:
                    dt = datatypes.get(datatype) or datatypes.setdefault(datatype, URIRef(datatype))
                    out = Literal(term.value, datatype=dt)
        elif isinstance(term, ox.BlankNode):
            out = BNode(term.value)
        elif isinstance(term, ox.Triple):  # RDF-star: as oxrdflib does, a tuple of terms
            return convert(term.subject), convert(term.predicate), convert(term.object)
        else:
            raise TypeError(f"unexpected Oxigraph term: {term!r}")
        cache[term] = out
        return out

    def convert(term):
        try:
            return cache[term]
        except KeyError:
            return convert_new(term)

    return convert


def ontology_ntriples() -> bytes:
    """The ontology (with the vocabularies' concept schemes) as N-Triples."""
    from thbkg.graph.rdf.build import serialize_graph
    from thbkg.graph.rdf.vocab import ontology_graph

    return serialize_graph(ontology_graph(), "nt")


def built_ntriples(data_dirs=(), *, include_bundled=None, with_ontology=True, graph=None) -> bytes:
    """Check the tables, build the graph and return it as N-Triples (ontology included by default).

    The lines are in plain string order (see :func:`thbkg.graph.rdf.build.dataset_ntriples_bytes`).

    The N-Triples are written straight from the tables (:func:`thbkg.graph.rdf.build.dataset_ntriples`,
    the same sorted text as serialising the rdflib graph), so no rdflib Graph is held in memory.

    *graph*: an already built data graph to use instead of reading the tables.
    """
    from thbkg.graph.rdf.build import dataset_ntriples_bytes, serialize_graph
    from thbkg.graph.rdf.tables import load_dataset

    if graph is None:
        data = dataset_ntriples_bytes(load_dataset(data_dirs, include_bundled=include_bundled))
    else:
        data = serialize_graph(graph, "nt")
    return data + ontology_ntriples() if with_ontology else data


def tables_entry(data_dirs=(), include_bundled=None, *, say=None):
    """The store cache's entry (:class:`~thbkg.graph.store.cache.CacheEntry`) for the tables of
    *data_dirs* (and the bundled ones), built now when missing.

    None when the cache is off (``THBKG_NO_CACHE``) or a table cannot be hashed (the build then
    reports why). *say*, when given, is called with a few words on each phase of a build.
    """
    from thbkg.graph.rdf.tables import data_folders
    from thbkg.graph.store.cache import cache_enabled, cache_key, get_or_build

    if not cache_enabled():
        return None
    folders = data_folders(data_dirs, include_bundled)
    key = cache_key(folders)
    if key is None:
        return None
    say = say or (lambda words: None)
    recorded: dict = {}

    def build() -> bytes:
        say("reading the tables (first use of these tables; later commands reuse the store)")
        data = built_ntriples(data_dirs, include_bundled=include_bundled, with_ontology=False)
        recorded["data_triples"] = data.count(b"\n")
        say("loading the store into the cache")
        return data + ontology_ntriples()

    return get_or_build(key, build, folders=folders, recorded=recorded)


def write_store(target, data_dirs=(), *, include_bundled=None, ntriples: bytes | None = None,
                lock_wait: float = 600.0) -> dict:
    """Write a persistent Oxigraph store (data + ontology) to the folder *target*.

    *ntriples* (the output of :func:`built_ntriples`) saves building the graph again.

    The store is loaded into a temporary folder beside *target*, named by
    :func:`thbkg.graph.io.temp_name`, and swapped in only when complete (one atomic exchange of the
    two folders on Linux), so a failed or killed build leaves an existing store untouched and only
    temporaries that the next run sweeps. No other name beside *target* is touched: a user's own
    ``gdb.old/`` or ``gdb.tmp/`` stay. Writers of the same store take turns through a lock file
    ``.NAME.thbkg-lock`` beside it; a second writer waits up to *lock_wait* seconds, then says the
    store is busy.

    Returns
    -------
    dict
        ``{"triples": int, "path": str}``.

    Raises
    ------
    UsageError
        *target* is an input of the run, a symbolic link, a file, or a folder that is not a thbkg store.
    ThbkgError
        An OS error (read-only folder, disk full…) or a busy store, as one line.
    """
    from thbkg.graph.io import check_output, exclusive_lock, os_error_message

    target = check_output(target, folder=True)
    _check_store_target(target)
    data = ntriples if ntriples is not None else built_ntriples(data_dirs, include_bundled=include_bundled)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(target.parent / f".{target.name}.thbkg-lock", wait=lock_wait,
                            what=f"the store {target}"):
            triples = _replace_store(target, data)
    except OSError as exc:
        raise ThbkgError(os_error_message(_with_errno(exc, target))) from None
    return {"triples": triples, "path": str(target)}


# RocksDB (under pyoxigraph) reports OS errors as text only; their errno, for the usual fixes
_OS_ERROR_TEXTS = {"No space left on device": errno.ENOSPC, "Read-only file system": errno.EROFS,
                   "Permission denied": errno.EACCES, "File too large": errno.EFBIG,
                   "Disk quota exceeded": errno.EDQUOT}


def _with_errno(exc: OSError, target: Path) -> OSError:
    """*exc*, or for an error RocksDB gave as text only, an OSError on *target* with its errno."""
    if exc.errno is not None:
        return exc
    for text, code in _OS_ERROR_TEXTS.items():
        if text in str(exc):
            return OSError(code, text, str(target))
    return OSError(None, " ".join(str(exc).split())[:300] or "cannot write the store", str(target))


def _check_store_target(target: Path) -> None:
    """Refuse a file, or a folder holding something other than a thbkg store."""
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file; give a folder for the store (e.g. {target.parent / 'graph-db'})")
    if target.is_dir() and not (target / STORE_MARKER).is_file() and any(target.iterdir()):
        raise UsageError(f"{target} exists and is not a thbkg store; give an empty or new folder")


def _replace_store(target: Path, data: bytes) -> int:
    """Load *data* into a temporary store beside *target* and swap it in (the lock is held)."""
    import pyoxigraph

    from thbkg.graph.io import sweep_stale, temp_name

    _restore_interrupted_swap(target)
    sweep_stale(target.parent)
    _check_store_target(target)  # another writer may have finished in the meantime
    tmp = target.parent / temp_name(target.name)
    try:
        store = pyoxigraph.Store(str(tmp))
        store.bulk_load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.flush()
        triples = len(store)
        del store  # close the RocksDB files before renaming
        (tmp / STORE_MARKER).write_text(f"thbkg persistent Oxigraph store; {triples} triples\n",
                                        encoding="utf-8")
        _swap_in(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # after the swap: the former store, or nothing
    return triples


def _swap_in(new: Path, target: Path) -> None:
    """Put the folder *new* in place of *target*; afterwards *new* holds the former store, if any."""
    from thbkg.graph.io import swap_folder

    swap_folder(new, target)


def _restore_interrupted_swap(target: Path) -> None:
    """Put back a store set aside by a run killed between the two renames of :func:`_swap_in`."""
    from thbkg.graph.io import restore_set_aside

    restore_set_aside(target, STORE_MARKER)


def _terms_json(rows: list) -> dict:
    """SELECT rows (dicts of rdflib terms) as JSON, for the answers kept with a cached store."""
    from thbkg.graph.store.cache import term_to_json

    names = list(rows[0]) if rows else []
    return {"variables": names, "rows": [[term_to_json(row[name]) for name in names] for row in rows]}


def _terms_from_json(kept: dict) -> list:
    from thbkg.graph.store.cache import term_from_json

    names = kept["variables"]
    return [dict(zip(names, [term_from_json(t) for t in row], strict=True)) for row in kept["rows"]]


def _rdflib_view(ox_store) -> Graph:
    """An rdflib Graph on the default graph of a pyoxigraph Store, with thbkg's prefixes."""
    from oxrdflib import OxigraphStore

    # the default graph, so that embedded and persistent stores hold the triples in the same place
    return bind_prefixes(Graph(store=OxigraphStore(store=ox_store), identifier=DATASET_DEFAULT_GRAPH_ID,
                               bind_namespaces="none"))


class GraphSource:
    """The thbkg graph, from one of four places.

    Parameters
    ----------
    data_dirs : tuple of str
        Extra data folders merged with the bundled tables (ignored with a store DIR or endpoint).
    store : None, "memory" or str
        None: an in-memory Oxigraph store (oxrdflib) built from the tables; ``"memory"``: rdflib's own
        Memory store; a folder: a persistent Oxigraph store written by ``thbkg build --store DIR``.
    endpoint : str, optional
        URL of a SPARQL 1.1 query endpoint (read-only).
    include_bundled : bool, optional
        Read the bundled tables (default yes, unless the environment sets ``THBKG_NO_BUNDLED=1``).
    http_timeout : float, optional
        Connect and read timeout of each request to *endpoint*, in seconds (default:
        :func:`http_timeout`, 30 s).
    use_cache : bool, optional
        Build the store from the tables once and reuse it (:mod:`thbkg.graph.store.cache`): default
        yes, unless the environment sets ``THBKG_NO_CACHE=1``; False (``--no-cache``) never uses it.

    The graphs built from tables contain the data and the ontology (concept schemes, classes), so
    queries can use labels and link-type families without inference.
    """

    def __init__(self, data_dirs=(), store=None, endpoint=None, *, include_bundled=None,
                 http_timeout: float | None = None, use_cache: bool | None = None):
        if store is not None and endpoint is not None:
            raise UsageError("give either --store or --endpoint, not both")
        self.data_dirs = tuple(str(d) for d in data_dirs)
        self.store = store
        self.endpoint = endpoint
        self.http_timeout = http_timeout
        self.include_bundled = include_bundled
        self._graph: Graph | None = None
        self._oxigraph: Any = None  # the pyoxigraph Store under the embedded and persistent stores
        self.load_seconds: float | None = None
        #: keep the N-Triples the embedded store is loaded from (:meth:`built_ntriples`); set before the load
        self.keep_ntriples = False
        self._ntriples: bytes | None = None
        #: False: never use the store cache (:mod:`thbkg.graph.store.cache`); otherwise it is used unless
        #: the environment sets THBKG_NO_CACHE
        self.use_cache: bool | None = use_cache
        #: the cache entry the embedded store was opened from, once loaded (None: built in memory)
        self.cache_entry: Any = None

    def __repr__(self):
        return (f"GraphSource(data_dirs={self.data_dirs!r}, store={self.store!r}, "
                f"endpoint={self.endpoint!r})")

    @property
    def kind(self) -> str:
        """``embedded``, ``memory``, ``persistent`` or ``endpoint``."""
        if self.endpoint:
            return "endpoint"
        if self.store is None:
            return "embedded"
        return "memory" if self.store == "memory" else "persistent"

    # -- loading --------------------------------------------------------------------------

    def graph(self) -> Graph:
        """The graph as an rdflib Graph on the chosen store (built or opened once, then cached)."""
        if self._graph is None:
            if self.kind in ("embedded", "persistent"):
                self._graph = _rdflib_view(self.oxigraph_store())
            else:
                started = time.perf_counter()
                self._graph = self._memory() if self.kind == "memory" else self._remote()
                self.load_seconds = time.perf_counter() - started
        return self._graph

    def _embedded(self):
        import pyoxigraph

        from thbkg.graph.progress import progress

        with progress(None, "graph") as bar:
            entry = self._cached_entry(bar)
            if entry is not None:
                bar.set_item("opening the store")
                self._oxigraph = entry.open_store()
                if self.keep_ntriples:  # not kept in the cache: as big as the store, and rarely needed
                    bar.set_item("reading the tables")
                    self._ntriples = built_ntriples(self.data_dirs, include_bundled=self.include_bundled)
            else:
                # Measured (benchmarks/bench_foundation.py): N-Triples bulk-loaded by Oxigraph's own parser
                # is faster than adding the triples one by one through oxrdflib.
                bar.set_item("reading the tables")
                data = built_ntriples(self.data_dirs, include_bundled=self.include_bundled)
                bar.set_item("loading the store")
                self._oxigraph = pyoxigraph.Store()
                self._oxigraph.bulk_load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
                if self.keep_ntriples:
                    self._ntriples = data
                del data
        return self._oxigraph

    def _cached_entry(self, bar):
        """The store cache's entry for these tables, built now when missing; None when the cache is
        off (``--no-cache``) or the tables cannot be hashed (the build then reports why)."""
        if self.use_cache is False:
            return None
        self.cache_entry = tables_entry(self.data_dirs, self.include_bundled, say=bar.set_item)
        return self.cache_entry

    def _memory(self) -> Graph:
        from thbkg.graph.rdf.build import build_graph
        from thbkg.graph.rdf.vocab import ontology_graph

        graph = build_graph(self.data_dirs, include_bundled=self.include_bundled)
        for triple in ontology_graph():
            graph.add(triple)
        return graph

    def _persistent(self):
        import pyoxigraph

        path = Path(self.store)
        hint = f"build it with 'thbkg build --store {self.store}'"
        if not path.is_dir():
            raise ThbkgError(f"no store at {self.store} ({hint}, or use --store memory)")
        if not (path / STORE_MARKER).is_file():
            raise ThbkgError(f"{self.store} is not a thbkg store ({hint})")
        try:
            ox_store = pyoxigraph.Store.read_only(str(path))
        except (OSError, ValueError, RuntimeError) as exc:  # RocksDB reports corruption as RuntimeError
            raise ThbkgError(f"cannot open the store {self.store}: {_one_line(exc)} ({hint} again)") from None
        return ox_store

    def builds_from_tables(self) -> bool:
        """Whether loading the graph would build it from the tables: an embedded or ``memory`` source not
        loaded yet, whose tables the store cache does not hold."""
        if self.kind == "memory":
            return self._graph is None
        if self.kind != "embedded" or self._oxigraph is not None:
            return False
        from thbkg.graph.rdf.tables import data_folders
        from thbkg.graph.store.cache import cache_enabled, cache_key, find_entry

        if self.use_cache is False or not cache_enabled():
            return True
        key = cache_key(data_folders(self.data_dirs, self.include_bundled))
        return key is None or find_entry(key) is None

    def built_ntriples(self) -> bytes | None:
        """The N-Triples the embedded store was built from, exactly as the build wrote them, when
        :attr:`keep_ntriples` was set before the load; else None.

        Oxigraph keeps some literals in a normal form of its own (an ``xsd:positiveInteger`` comes back as
        ``xsd:integer``), so what a store returns is not always what the build wrote.
        """
        return self._ntriples

    def drop_built_ntriples(self) -> None:
        """Stop keeping the build's N-Triples (:meth:`built_ntriples`) once they have been read."""
        self.keep_ntriples, self._ntriples = False, None

    def oxigraph_store(self):
        """The ``pyoxigraph.Store`` under the embedded or persistent store (loaded on first use).

        None for ``--store memory`` and endpoints. Queries on it see the same default graph as
        :meth:`graph`.
        """
        if self.kind not in ("embedded", "persistent"):
            return None
        if self._oxigraph is None:
            started = time.perf_counter()
            self._oxigraph = self._embedded() if self.kind == "embedded" else self._persistent()
            self.load_seconds = time.perf_counter() - started
        return self._oxigraph

    def _remote(self) -> Graph:
        store = endpoint_store(self.endpoint, "json", timeout=self.http_timeout)
        graph = Graph(store=store, bind_namespaces="none")
        # one cheap request first, so an unreachable or wrong endpoint is reported before any work
        store.query("ASK { }", initNs={}, initBindings={}, queryGraph="__UNION__", DEBUG=False)
        return bind_prefixes(graph)

    # -- queries -----------------------------------------------------------------------------

    def _query(self, query: str, bindings=None):
        graph = self.graph()
        text = bind(query, bindings)
        try:
            return graph.query(text, initNs=_INIT_NS)
        except ThbkgError:
            raise
        except SyntaxError as exc:  # pyoxigraph reports query syntax errors as SyntaxError
            raise UsageError(f"SPARQL syntax error: {_one_line(exc)}") from None
        except Exception as exc:
            if self.kind == "endpoint":
                raise ThbkgError(f"the SPARQL endpoint {self.endpoint} failed: {_one_line(exc)}") from None
            if type(exc).__name__ in ("ParseException", "ParseSyntaxException"):
                raise UsageError(f"SPARQL syntax error: {_one_line(exc)}") from None
            raise

    def oxigraph_query(self, text: str):
        """Run SPARQL *text* (already bound) on the pyoxigraph store; its raw result.

        The store's default graph is the query's default graph, and thbkg's prefixes are
        declared, as through :meth:`graph`. A syntax error raises ``SyntaxError`` (pyoxigraph's).
        """
        return self.oxigraph_store().query(text, prefixes=_INIT_NS)

    def select(self, query: str, bindings=None) -> list:
        """Run a SELECT query; rows as dicts variable -> rdflib term (None when unbound).

        Parameters
        ----------
        query : str
            SPARQL SELECT text (thbkg's prefixes are declared automatically).
        bindings : dict, optional
            Variable name -> value (an rdflib term such as ``URIRef``; other values become
            literals; None leaves the variable free). Bound with a ``VALUES`` block of RDF terms
            (see :func:`thbkg.graph.store.binder.bind`), never pasted into the text.
        """
        if self.oxigraph_store() is not None:
            return self._kept("select", query, bindings, self._select_terms, _terms_json, _terms_from_json)
        result = self._query(query, bindings)
        names = [str(v) for v in result.vars]
        return [{name: row[i] for i, name in enumerate(names)} for row in result]

    def _kept(self, kind: str, query: str, bindings, run, to_json, from_json):
        """``run(text)`` for the bound query, or on a store from the cache, the answer kept for it
        (:meth:`thbkg.graph.store.cache.CacheEntry.kept_answer`); a new answer is kept."""
        text = bind(query, bindings)
        entry = self.cache_entry
        kept = entry.kept_answer(kind, text) if entry is not None else None
        if kept is not None:
            return from_json(kept)
        answer = run(text)
        if entry is not None:
            entry.keep_answer(kind, text, to_json(answer), len(answer[1]) if isinstance(answer, tuple) else len(answer))
        return answer

    def _run_bound(self, text: str):
        try:
            return self.oxigraph_query(text)
        except SyntaxError as exc:
            raise UsageError(f"SPARQL syntax error: {_one_line(exc)}") from None

    def _select_terms(self, text: str) -> list:
        solutions = self._run_bound(text)
        names = [v.value for v in solutions.variables]
        convert = term_converter()
        return [dict(zip(names, [convert(t) for t in solution], strict=True)) for solution in solutions]

    def _select_values(self, text: str) -> tuple[list, list]:
        solutions = self._run_bound(text)
        names = [v.value for v in solutions.variables]
        return names, [tuple([None if t is None else t.value for t in solution]) for solution in solutions]

    def select_text(self, query: str, bindings=None) -> tuple[list, list]:
        """Run a SELECT query; ``(variables, rows)`` with each row a tuple of lexical values.

        A value is the IRI, the literal's lexical form or the blank node id as ``str`` (what
        ``str()`` of the rdflib term gives), or None when unbound. On the Oxigraph stores no rdflib
        term is built, which makes this the fast way to read many rows.
        """
        if self.oxigraph_store() is not None:
            return self._kept("values", query, bindings, self._select_values, lambda answer: list(answer),
                              lambda kept: (kept[0], [tuple(row) for row in kept[1]]))
        result = self._query(query, bindings)
        names = [str(v) for v in result.vars]
        return names, [tuple([None if t is None else str(t) for t in row]) for row in result]

    def ask(self, query: str, bindings=None) -> bool:
        """Run an ASK query."""
        if self.oxigraph_store() is not None:
            return bool(self._run_bound(bind(query, bindings)))
        return bool(self._query(query, bindings).askAnswer)

    def construct(self, query: str, bindings=None) -> Graph:
        """Run a CONSTRUCT (or DESCRIBE) query; the triples as a new rdflib Graph."""
        result = self._query(query, bindings)
        out = bind_prefixes(Graph(bind_namespaces="none"))
        for triple in result:
            out.add(triple)
        return out


#: connect and read timeout of every request to a SPARQL endpoint or server, in seconds
HTTP_TIMEOUT = 30.0
#: the largest answer read from an endpoint (a bigger one is refused with a message, not held in memory)
MAX_ANSWER_BYTES = 512 * 1024 * 1024


def http_timeout() -> float:
    """The connect and read timeout for endpoint and server requests: ``THBKG_HTTP_TIMEOUT`` or 30 s.

    >>> http_timeout() > 0
    True
    """
    import os

    text = os.environ.get("THBKG_HTTP_TIMEOUT", "").strip()
    if not text:
        return HTTP_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise UsageError(f"THBKG_HTTP_TIMEOUT={text!r}: give a number of seconds greater than 0")
    return value


def endpoint_request(url: str, params: dict, *, accept: str, timeout: float | None = None,
                     max_bytes: int = MAX_ANSWER_BYTES) -> tuple[str, bytes]:
    """Send one SPARQL protocol query request; ``(media type, body)`` of a successful answer.

    GET with the parameters in the URL, or a form POST when the URL would be long. Every failure is
    a :class:`ThbkgError` naming the endpoint and what was wrong: refused, no answer within
    *timeout* seconds (connect and read), an HTTP error with the server's message, an answer that is
    not HTTP, no Content-Type, or more than *max_bytes*.
    """
    import urllib.parse
    import urllib.request

    timeout = http_timeout() if timeout is None else timeout
    encoded = urllib.parse.urlencode(params)
    headers = {"Accept": accept}
    if len(url) + len(encoded) < 2000:
        request = urllib.request.Request(url + ("&" if "?" in url else "?") + encoded, headers=headers)
    else:
        request = urllib.request.Request(url, data=encoded.encode("ascii"), headers={
            **headers, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = response.headers.get("Content-Type")
            body = response.read(max_bytes + 1)
    except Exception as exc:  # urllib and http.client raise many kinds; each becomes one line
        raise ThbkgError(_request_failure(url, exc, timeout)) from None
    if len(body) > max_bytes:
        raise ThbkgError(f"the SPARQL endpoint {url} sent more than {max_bytes // 2**20} MB; "
                         "narrow the query down (filters, LIMIT)")
    if not content_type or not content_type.split(";")[0].strip():
        raise ThbkgError(f"the SPARQL endpoint {url} answered without a Content-Type, so its answer cannot "
                         f"be read as SPARQL results (is {url} a SPARQL query endpoint?)")
    return content_type.split(";")[0].strip().lower(), body


def _request_failure(url: str, exc: BaseException, timeout: float) -> str:
    """One line for a failed request to the SPARQL endpoint *url*."""
    import http.client
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        try:
            body = " ".join(exc.read().decode("utf-8", "replace").split())[:300]
        except Exception:  # the body may be gone already
            body = ""
        return f"the SPARQL endpoint {url} answered HTTP {exc.code} {exc.reason}" + (f": {body}" if body else "")
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):  # socket.timeout too
        return (f"the SPARQL endpoint {url} did not answer within {timeout:g} s (is the server running "
                "and reachable? THBKG_HTTP_TIMEOUT=S waits longer)")
    if isinstance(reason, http.client.HTTPException) and not isinstance(reason, ConnectionError):
        detail = " ".join(str(reason).split())[:100]
        return (f"the SPARQL endpoint {url} did not answer in HTTP ({type(reason).__name__}"
                f"{': ' + detail if detail else ''}); is it a SPARQL query endpoint?")
    return (f"cannot reach the SPARQL endpoint {url}: {_one_line(exc)} "
            "(check the URL and that the server is running)")


def endpoint_store(url: str, return_format: str = "json", *, timeout: float | None = None):
    """An rdflib ``SPARQLStore`` on *url* whose requests go through :func:`endpoint_request`.

    rdflib's own connector has no timeout and reports a missing Content-Type as
    "'NoneType' object has no attribute 'split'"; this one has both handled.
    """
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    class EndpointStore(SPARQLStore):
        timeout: float | None = None

        def _query(self, query, default_graph=None, named_graph=None):
            from rdflib import BNode

            self._queries += 1
            params = {"query": query}
            if default_graph is not None and not isinstance(default_graph, BNode):
                params["default-graph-uri"] = default_graph
            endpoint = str(self.query_endpoint)
            media, body = endpoint_request(endpoint, params, accept=self.response_mime_types(), timeout=self.timeout)
            return _parse_answer(endpoint, media, body)

    store = EndpointStore(query_endpoint=url, returnFormat=return_format)
    store.timeout = timeout
    return store


def _parse_answer(url: str, media: str, body: bytes):
    """The rdflib Result in *body*, or a message saying the endpoint's answer is not SPARQL results."""
    import io

    from rdflib.query import Result

    try:
        return Result.parse(io.BytesIO(body), content_type=media)
    except Exception as exc:  # a parser plugin missing for *media*, or a body that does not parse
        detail = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise ThbkgError(f"the SPARQL endpoint {url} answered {media} that thbkg cannot read as SPARQL "
                         f"results ({detail}); is {url} a SPARQL query endpoint?") from None


def _network_reason(exc) -> str | None:
    """The network failure behind *exc* (SPARQLWrapper hides it behind a generic message), if any."""
    import urllib.error

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, urllib.error.HTTPError):
            return f"HTTP {exc.code} {exc.reason}"
        if isinstance(exc, urllib.error.URLError):
            reason = exc.reason
            return reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        if isinstance(exc, ConnectionRefusedError):
            return "connection refused"
        if isinstance(exc, (TimeoutError, OSError)):
            return exc.strerror or type(exc).__name__
        exc = exc.__cause__ or exc.__context__
    return None


def _one_line(exc) -> str:
    text = _network_reason(exc) or " ".join(str(exc).split())
    return text[:300] or type(exc).__name__
