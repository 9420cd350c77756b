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

import re
import shutil
import time
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Identifier

from thbkg.graph.errors import ThbkgError, UsageError
from thbkg.graph.namespaces import PREFIXES, bind_prefixes

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


_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SKIP = re.compile(r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>'{3}(?:[^\\]|\\.)*?'{3} | "{3}(?:[^\\]|\\.)*?"{3}
                 | '(?:[^'\\\n]|\\.)*' | "(?:[^"\\\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<word>[A-Za-z_][\w-]*)
    | (?P<brace>[{}])
""", re.VERBOSE | re.DOTALL)


def as_term(value):
    """An rdflib term for a binding value: terms stay, other values become literals.

    IRIs with characters that are not allowed in an IRI are refused, so a value can never
    change the query text around it.

    >>> as_term("Albania").n3()
    '"Albania"'
    >>> as_term(2013).n3()
    '"2013"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    if isinstance(value, URIRef):
        if _IRI_UNSAFE.search(str(value)):
            raise UsageError(f"{str(value)!r} is not a valid IRI (it contains spaces or <>\"{{}}|^`\\)")
        return value
    if isinstance(value, Identifier):
        return value
    return Literal(value)


def bind_values(query: str, bindings: dict) -> str:
    """Bind variables by a ``VALUES`` block placed at the start of the query's WHERE group.

    The values are RDF terms written by rdflib (literals escaped), so they are data, never
    query text. Line numbers of the query do not change.

    >>> print(bind_values("SELECT ?n WHERE { ?a rdfs:label ?n }", {"a": URIRef("http://x.org/a")}))
    SELECT ?n WHERE { VALUES (?a) { (<http://x.org/a>) } ?a rdfs:label ?n }
    >>> print(bind_values('SELECT * { ?a ?p ?n }', {"n": 'x"} ; DROP ALL #'}))
    SELECT * { VALUES (?n) { ("x\\"} ; DROP ALL #") } ?a ?p ?n }
    """
    if not bindings:
        return query
    names = sorted(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UsageError(f"{name!r} is not a SPARQL variable name")
    terms = [as_term(bindings[name]).n3() for name in names]
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(terms)}) }}"
    depth, form, top_braces, prev_word = 0, None, [], None
    for match in _SKIP.finditer(query):
        kind = match.lastgroup
        if kind == "word":
            word = match.group().upper()
            if form is None and word in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
                form = word
            if form == "CONSTRUCT" and prev_word == "CONSTRUCT" and word == "WHERE" and not top_braces:
                raise UsageError("bindings need the long form CONSTRUCT { … } WHERE { … }")
            prev_word = word
        elif kind == "brace":
            if match.group() == "{":
                if depth == 0:
                    top_braces.append(match.end())
                depth += 1
            else:
                depth -= 1
            prev_word = None
    wanted = 1 if form == "CONSTRUCT" else 0
    if form is None or len(top_braces) <= wanted:
        raise UsageError("cannot bind parameters: the query has no WHERE { … } group")
    at = top_braces[wanted]
    return query[:at] + block + query[at:]


def term_converter(plain_strings: bool = False):
    """A function turning pyoxigraph terms into the rdflib terms oxrdflib would give, with a cache.

    Rows repeat the same IRIs and literals many times, and building an rdflib ``Literal`` (which
    parses its lexical form) is the costly part, so each distinct term is converted once.

    Parameters
    ----------
    plain_strings : bool
        Give ``"x"^^xsd:string`` as the simple literal ``"x"`` (the same RDF 1.1 term; what
        :func:`thbkg.graph.query.run_query` shows). oxrdflib keeps the datatype.

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
            raise ValueError(f"unexpected Oxigraph term: {term!r}")
        cache[term] = out
        return out

    def convert(term):
        try:
            return cache[term]
        except KeyError:
            return convert_new(term)

    return convert


def _ontology_ntriples() -> bytes:
    from thbkg.graph.build import serialize_graph
    from thbkg.graph.vocab import ontology_graph

    return serialize_graph(ontology_graph(), "nt")


def built_ntriples(data_dirs=(), *, include_bundled=None, with_ontology=True, graph=None) -> bytes:
    """Check the tables, build the graph and return it as N-Triples (ontology included by default).

    The N-Triples are written straight from the tables (:func:`thbkg.graph.build.dataset_ntriples`,
    the same sorted text as serialising the rdflib graph), so no rdflib Graph is held in memory.

    *graph*: an already built data graph to use instead of reading the tables.
    """
    from thbkg.graph.build import dataset_ntriples, serialize_graph
    from thbkg.graph.tables import load_dataset

    if graph is None:
        text = dataset_ntriples(load_dataset(data_dirs, include_bundled=include_bundled))
        data = text.encode("utf-8")
        del text
    else:
        data = serialize_graph(graph, "nt")
    return data + _ontology_ntriples() if with_ontology else data


def write_store(target, data_dirs=(), *, include_bundled=None, ntriples: bytes | None = None) -> dict:
    """Write a persistent Oxigraph store (data + ontology) to the folder *target*.

    *ntriples* (the output of :func:`built_ntriples`) saves building the graph again.

    The store is written to ``target.tmp`` and renamed over *target* only when complete, so a
    failed build leaves an existing store untouched.

    Returns
    -------
    dict
        ``{"triples": int, "path": str}``.
    """
    import pyoxigraph

    target = Path(target)
    if target.exists() and not (target / STORE_MARKER).is_file() and any(target.iterdir()):
        raise UsageError(f"{target} exists and is not a thbkg store; give an empty or new folder")
    data = ntriples if ntriples is not None else built_ntriples(data_dirs, include_bundled=include_bundled)
    tmp = target.with_name(target.name + ".tmp")
    old = target.with_name(target.name + ".old")
    for leftover in (tmp, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    try:
        store = pyoxigraph.Store(str(tmp))
        store.bulk_load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.flush()
        triples = len(store)
        del store  # close the RocksDB files before renaming
        (tmp / STORE_MARKER).write_text(f"thbkg persistent Oxigraph store; {triples} triples\n",
                                        encoding="utf-8")
        if target.exists():
            target.rename(old)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not target.exists():
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return {"triples": triples, "path": str(target)}


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

    The graphs built from tables contain the data and the ontology (concept schemes, classes), so
    queries can use labels and link-type families without inference.
    """

    def __init__(self, data_dirs=(), store=None, endpoint=None, *, include_bundled=None):
        if store is not None and endpoint is not None:
            raise UsageError("give either --store or --endpoint, not both")
        self.data_dirs = tuple(str(d) for d in data_dirs)
        self.store = store
        self.endpoint = endpoint
        self.include_bundled = include_bundled
        self._graph = None
        self._oxigraph = None
        self.load_seconds = None

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
            started = time.perf_counter()
            loader = {"embedded": self._embedded, "memory": self._memory, "persistent": self._persistent,
                      "endpoint": self._remote}[self.kind]
            graph = loader()
            self.load_seconds = time.perf_counter() - started
            self._graph = graph
        return self._graph

    def _embedded(self) -> Graph:
        import pyoxigraph
        from oxrdflib import OxigraphStore

        # Measured (benchmarks/bench_foundation.py): N-Triples bulk-loaded by Oxigraph's own parser
        # is faster than adding the triples one by one through oxrdflib.
        data = built_ntriples(self.data_dirs, include_bundled=self.include_bundled)
        ox_store = pyoxigraph.Store()
        ox_store.bulk_load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
        del data
        self._oxigraph = ox_store
        # the default graph, so that embedded and persistent stores hold the triples in the same place
        return bind_prefixes(Graph(store=OxigraphStore(store=ox_store), identifier=DATASET_DEFAULT_GRAPH_ID,
                                   bind_namespaces="none"))

    def _memory(self) -> Graph:
        from thbkg.graph.build import build_graph
        from thbkg.graph.vocab import ontology_graph

        graph = build_graph(self.data_dirs, include_bundled=self.include_bundled)
        for triple in ontology_graph():
            graph.add(triple)
        return graph

    def _persistent(self) -> Graph:
        import pyoxigraph
        from oxrdflib import OxigraphStore

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
        self._oxigraph = ox_store
        return bind_prefixes(Graph(store=OxigraphStore(store=ox_store), identifier=DATASET_DEFAULT_GRAPH_ID,
                                   bind_namespaces="none"))

    def oxigraph_store(self):
        """The ``pyoxigraph.Store`` under the embedded or persistent store (loaded on first use).

        None for ``--store memory`` and endpoints. Queries on it see the same default graph as
        :meth:`graph`.
        """
        if self.kind not in ("embedded", "persistent"):
            return None
        self.graph()
        return self._oxigraph

    def _remote(self) -> Graph:
        from rdflib.plugins.stores.sparqlstore import SPARQLStore

        store = SPARQLStore(query_endpoint=self.endpoint, returnFormat="json")
        graph = Graph(store=store, bind_namespaces="none")
        try:
            store.query("ASK { }", initNs={}, initBindings={}, queryGraph="__UNION__", DEBUG=False)
        except Exception as exc:
            raise ThbkgError(f"cannot reach the SPARQL endpoint {self.endpoint}: {_one_line(exc)} "
                             "(check the URL and that the server is running)") from None
        return bind_prefixes(graph)

    # -- queries -----------------------------------------------------------------------------

    def _bound_text(self, query: str, bindings) -> str:
        bound = {str(k).lstrip("?$"): v for k, v in (bindings or {}).items() if v is not None}
        return bind_values(query, bound)

    def _query(self, query: str, bindings=None):
        graph = self.graph()
        text = self._bound_text(query, bindings)
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

    def _oxigraph_query(self, query: str, bindings):
        try:
            return self.oxigraph_query(self._bound_text(query, bindings))
        except SyntaxError as exc:
            raise UsageError(f"SPARQL syntax error: {_one_line(exc)}") from None

    def select(self, query: str, bindings=None) -> list:
        """Run a SELECT query; rows as dicts variable -> rdflib term (None when unbound).

        Parameters
        ----------
        query : str
            SPARQL SELECT text (thbkg's prefixes are declared automatically).
        bindings : dict, optional
            Variable name -> value (an rdflib term such as ``URIRef``; other values become
            literals; None leaves the variable free). Bound with a ``VALUES`` block of RDF terms
            (see :func:`bind_values`), never pasted into the text.
        """
        if self.oxigraph_store() is not None:
            solutions = self._oxigraph_query(query, bindings)
            names = [v.value for v in solutions.variables]
            convert = term_converter()
            return [dict(zip(names, [convert(t) for t in solution])) for solution in solutions]
        result = self._query(query, bindings)
        names = [str(v) for v in result.vars]
        return [{name: row[i] for i, name in enumerate(names)} for row in result]

    def select_text(self, query: str, bindings=None) -> tuple[list, list]:
        """Run a SELECT query; ``(variables, rows)`` with each row a tuple of lexical values.

        A value is the IRI, the literal's lexical form or the blank node id as ``str`` (what
        ``str()`` of the rdflib term gives), or None when unbound. On the Oxigraph stores no rdflib
        term is built, which makes this the fast way to read many rows.
        """
        if self.oxigraph_store() is not None:
            solutions = self._oxigraph_query(query, bindings)
            names = [v.value for v in solutions.variables]
            return names, [tuple([None if t is None else t.value for t in solution]) for solution in solutions]
        result = self._query(query, bindings)
        names = [str(v) for v in result.vars]
        return names, [tuple([None if t is None else str(t) for t in row]) for row in result]

    def ask(self, query: str, bindings=None) -> bool:
        """Run an ASK query."""
        if self.oxigraph_store() is not None:
            return bool(self._oxigraph_query(query, bindings))
        return bool(self._query(query, bindings).askAnswer)

    def construct(self, query: str, bindings=None) -> Graph:
        """Run a CONSTRUCT (or DESCRIBE) query; the triples as a new rdflib Graph."""
        result = self._query(query, bindings)
        out = bind_prefixes(Graph(bind_namespaces="none"))
        for triple in result:
            out.add(triple)
        return out


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
