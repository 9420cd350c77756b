"""Upload the graph to a SPARQL server with the SPARQL 1.1 Graph Store HTTP Protocol (stdlib urllib).

``POST`` adds the triples to the target graph, ``PUT`` (``replace=True``) replaces its content, so
pushing twice with ``replace=True`` leaves the server with the same triples. HTTP 5xx answers and
timeouts are retried with exponential backoff; connection refused and 4xx answers fail at once with
the server's own message.

Nothing is taken on trust: every request has a connect and read timeout (30 s by default); a
redirect is an error naming where it points (urllib would replay a POST as a GET to the new
address, sending nothing, and report success); an answer that is not HTTP is a message; and
afterwards the target graph is checked through the server's SPARQL query endpoint: it must hold
as many triples as were sent (``PUT``) or at least that many (``POST``), and a sample of the sent
triples must be there. The query endpoint of an Oxigraph server is found from its base URL; for
other servers give it (``query_endpoint``), or the check is skipped and the report says so.

>>> graph_store_url("http://127.0.0.1:7878")
'http://127.0.0.1:7878/store?default'
>>> graph_store_url("http://127.0.0.1:7878/query", "https://w3id.org/thbkg/graph")
'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fthbkg%2Fgraph'
>>> graph_store_url("http://fuseki:3030/thb/data")
'http://fuseki:3030/thb/data?default'
>>> oxigraph_query_url("http://127.0.0.1:7878/store"), oxigraph_query_url("http://fuseki:3030/thb/data")
('http://127.0.0.1:7878/query', None)
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from thbkg.graph.errors import ThbkgError, UsageError

CONTENT_TYPES = {"nt": "application/n-triples", "turtle": "text/turtle"}
#: how many of the sent triples are looked up one by one after the upload
SAMPLE_SIZE = 50
_OXIGRAPH_PATHS = ("", "store", "query", "update")


def graph_store_url(endpoint: str, graph_iri: str | None = None) -> str:
    """The Graph Store Protocol URL for *endpoint* and the target graph.

    *endpoint* is an Oxigraph server's base URL (``/store`` is added), its ``/query`` or
    ``/update`` URL (mapped to the sibling ``/store``), or any Graph Store Protocol URL (kept).
    """
    parts = _http_url(endpoint, "--endpoint")
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    if path == "":
        path = "/store"
    elif last in ("query", "update", "sparql"):
        path = path[: -len(last)] + "store"
    if graph_iri:
        target = urllib.parse.urlsplit(graph_iri)
        if not target.scheme or any(c in graph_iri for c in ' <>"{}|^`\\'):
            raise UsageError(f"--graph {graph_iri!r} is not an absolute IRI")
        query = "graph=" + urllib.parse.quote(graph_iri, safe="")
    else:
        query = "default"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _http_url(url: str, option: str):
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{option} {url!r}: give an http(s) URL, e.g. http://127.0.0.1:7878")
    if parts.query:
        raise UsageError(f"{option} {url!r}: give the URL without '?…' (use --graph for a named graph)")
    return parts


def oxigraph_query_url(endpoint: str) -> str | None:
    """The SPARQL query URL beside an Oxigraph-style *endpoint* (base, /store, /query, /update), else None."""
    parts = _http_url(endpoint, "--endpoint")
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if path == "":
        head, last = "", ""
    if last not in _OXIGRAPH_PATHS or (last == "" and path):
        return None
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, head + "/query", "", ""))


def count_ntriples(data: bytes) -> int:
    """Number of triples in N-Triples *data* (one per non-blank, non-comment line).

    >>> count_ntriples(b"<a:x> <a:p> <a:y> .\\n\\n# note\\n<a:x> <a:p> <a:z> .\\n")
    2
    """
    return sum(1 for line in data.splitlines() if line.strip() and not line.lstrip().startswith(b"#"))


def _triple_lines(data: bytes) -> list[bytes]:
    """The distinct triples of N-Triples *data*, one line each, in their first order."""
    return list(dict.fromkeys(line.strip() for line in data.splitlines()
                              if line.strip() and not line.lstrip().startswith(b"#")))


def _server_message(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read().decode("utf-8", "replace")
    except Exception:  # the body may be gone already
        body = ""
    body = " ".join(body.split())[:500]
    return f"HTTP {exc.code} {exc.reason}" + (f": {body}" if body else "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Turn every redirect into an HTTPError (urllib would replay a POST or PUT as a GET)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _redirect_message(url: str, exc: urllib.error.HTTPError, method: str) -> str:
    location = exc.headers.get("Location") if exc.headers else None
    where = urllib.parse.urljoin(url, location) if location else "no Location given"
    return (f"{url} answered HTTP {exc.code} {exc.reason}, a redirect to {where}; nothing was stored. thbkg "
            f"does not follow redirects when uploading (urllib would resend the {method} as a GET, without "
            "the data); if that address is right, give it as --endpoint")


def push_graph(endpoint: str, data: bytes, *, graph_iri: str | None = None, replace: bool = False,
               fmt: str = "nt", timeout: float | None = None, retries: int = 4, backoff: float = 0.5,
               log=None, query_endpoint: str | None = None, verify: bool = True) -> dict:
    """Send *data* (N-Triples, or Turtle with ``fmt="turtle"``) to the server at *endpoint*, and check it.

    Parameters
    ----------
    endpoint : str
        Server base URL or Graph Store Protocol URL (see :func:`graph_store_url`).
    data : bytes
        The RDF to send.
    graph_iri : str, optional
        Named graph to write (default: the default graph).
    replace : bool
        PUT (replace the graph's content) instead of POST (add).
    timeout : float, optional
        Connect and read timeout of each HTTP request, in seconds (default 30, see
        :func:`thbkg.graph.store.source.http_timeout`).
    retries : int
        Further attempts after a 5xx answer or a timeout; waits ``backoff * 2**n`` seconds before
        retry *n* (0.5, 1, 2, 4 s by default).
    log : callable, optional
        Called with a one-line message before each retry.
    query_endpoint : str, optional
        SPARQL query URL used to check the upload (default: the ``/query`` of an Oxigraph server).
    verify : bool
        Check the upload (N-Triples only). Without a query endpoint the check is skipped.

    Returns
    -------
    dict
        ``{"url", "triples", "status", "attempts", "seconds", "method", "query_url", "found"}``;
        ``found`` is the number of triples in the target graph afterwards (None when not checked).

    Raises
    ------
    ThbkgError
        Connection refused, unreachable host, a redirect, an answer that is not HTTP, 4xx, 5xx or
        timeouts after the last retry, or a graph that does not hold what was sent.
    """
    from thbkg.graph.store.source import http_timeout

    url = graph_store_url(endpoint, graph_iri)
    timeout = http_timeout() if timeout is None else timeout
    method = "PUT" if replace else "POST"
    lines = _triple_lines(data) if fmt == "nt" else None
    query_url = None
    if verify and lines is not None:
        query_url = query_endpoint or oxigraph_query_url(endpoint)
        if query_endpoint:
            _http_url(query_endpoint, "--query-endpoint")
    started = time.perf_counter()
    status, attempts = _send(url, data, method, fmt, timeout, retries, backoff, log)
    found = None
    if query_url:
        found = _check_arrival(url, status, query_url, graph_iri, lines, replace, timeout)
    return {"url": url, "triples": count_ntriples(data) if fmt == "nt" else None, "status": status,
            "attempts": attempts, "seconds": time.perf_counter() - started, "method": method,
            "query_url": query_url, "found": found}


def _send(url, data, method, fmt, timeout, retries, backoff, log) -> tuple[int, int]:
    """One upload with retries; ``(HTTP status, attempts)``."""
    attempt = 0
    while True:
        attempt += 1
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Content-Type": CONTENT_TYPES[fmt]})
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                status = response.status
                response.read()
            return status, attempt
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                raise ThbkgError(_redirect_message(url, exc, method)) from None
            message = _server_message(exc)
            if exc.code < 500:
                raise ThbkgError(f"{url} refused the upload: {message}") from None
            problem = message
        except urllib.error.URLError as exc:
            problem = _connection_problem(url, exc.reason, timeout)
        except TimeoutError:
            problem = f"no answer within {timeout:g} s"
        except (ConnectionResetError, ConnectionAbortedError) as exc:
            problem = f"connection lost ({' '.join(str(exc).split()) or type(exc).__name__})"
        except http.client.HTTPException as exc:  # BadStatusLine and its kin: not an HTTP server
            detail = " ".join(str(exc).split())[:100]
            raise ThbkgError(f"{url} did not answer in HTTP ({type(exc).__name__}"
                             f"{': ' + detail if detail else ''}); is it a SPARQL Graph Store endpoint? "
                             "Nothing is known to be stored") from None
        if attempt > retries:
            raise ThbkgError(f"upload to {url} failed after {attempt} attempt{'s' if attempt > 1 else ''}: "
                             f"{problem}") from None
        wait = backoff * 2 ** (attempt - 1)
        if log:
            log(f"{url}: {problem}; retrying in {wait:g} s ({attempt}/{retries})")
        time.sleep(wait)


def _connection_problem(url: str, reason, timeout: float) -> str:
    """The retryable problem behind a URLError, or a ThbkgError for one that retrying cannot fix."""
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        raise ThbkgError(f"cannot connect to {url}: connection refused (is the server running? "
                         "'thbkg serve' is read-only; start a writable one with "
                         "'oxigraph serve --location DIR')") from None
    raise ThbkgError(f"cannot connect to {url}: {reason}") from None


def _graph_pattern(graph_iri: str | None) -> str:
    return f"GRAPH <{graph_iri}> {{ ?s ?p ?o }}" if graph_iri else "?s ?p ?o"


def _select_number(query_url: str, query: str, timeout: float) -> int:
    """The single number a ``SELECT (COUNT(*) AS ?n)`` query gives at *query_url*."""
    from thbkg.graph.store.source import endpoint_request

    media, body = endpoint_request(query_url, {"query": query}, accept="application/sparql-results+json",
                                   timeout=timeout)
    try:
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise ThbkgError(f"the SPARQL endpoint {query_url} gave no count ({media}: "
                         f"{' '.join(body[:100].decode('utf-8', 'replace').split())!r}); give the server's "
                         "query endpoint with --query-endpoint, or skip the check with --no-verify") from None


def _count(query_url: str, graph_iri: str | None, timeout: float) -> int:
    return _select_number(query_url, f"SELECT (COUNT(*) AS ?n) WHERE {{ {_graph_pattern(graph_iri)} }}", timeout)


def _sample_found(query_url: str, graph_iri: str | None, lines: list[bytes], timeout: float) -> tuple[int, int]:
    """``(looked up, found)`` for a sample of the sent triples (those without blank nodes)."""
    plain = [line for line in lines if b"_:" not in line and line.endswith(b".")]
    step = max(1, len(plain) // SAMPLE_SIZE)
    sample = plain[::step][:SAMPLE_SIZE]
    if not sample:
        return 0, 0
    rows = " ".join(f"({_ntriples_terms(line)})" for line in sample)
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} {_graph_pattern(graph_iri)} }}"
    return len(sample), _select_number(query_url, query, timeout)


def _ntriples_terms(line: bytes) -> str:
    """``<s> <p> "o"@en .`` as ``<s> <p> "o"@en``: N-Triples terms are SPARQL terms too."""
    return line.decode("utf-8").strip()[:-1].strip()


def _check_arrival(url, status, query_url, graph_iri, lines, replace, timeout) -> int:
    """Count the target graph after the upload; refuse a graph that lacks what was sent."""
    sent = len(lines)
    where = f"the graph <{graph_iri}>" if graph_iri else "the default graph"
    found = _count(query_url, graph_iri, timeout)
    looked_up, present = _sample_found(query_url, graph_iri, lines, timeout)
    expected = f"{sent} triples" if replace else f"at least {sent} triples"
    short = found != sent if replace else found < sent
    if short or present < looked_up:
        missing = (f", and {looked_up - present} of {looked_up} sampled triples are missing"
                   if present < looked_up else "")
        raise ThbkgError(f"{url} answered HTTP {status}, but the upload did not arrive as sent: sent {sent} "
                         f"triples, and {where} holds {found} according to {query_url}{missing}; "
                         f"expected {expected}")
    return found
