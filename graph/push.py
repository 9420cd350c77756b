"""Upload the graph to a SPARQL server with the SPARQL 1.1 Graph Store HTTP Protocol (stdlib urllib).

``POST`` adds the triples to the target graph, ``PUT`` (``replace=True``) replaces its content, so
pushing twice with ``replace=True`` leaves the server with the same triples. HTTP 5xx answers and
timeouts are retried with exponential backoff; connection refused and 4xx answers fail at once with
the server's own message.

>>> graph_store_url("http://127.0.0.1:7878")
'http://127.0.0.1:7878/store?default'
>>> graph_store_url("http://127.0.0.1:7878/query", "https://w3id.org/thbkg/graph")
'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fthbkg%2Fgraph'
>>> graph_store_url("http://fuseki:3030/thb/data")
'http://fuseki:3030/thb/data?default'
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from thbkg.graph.errors import ThbkgError, UsageError

CONTENT_TYPES = {"nt": "application/n-triples", "turtle": "text/turtle"}


def graph_store_url(endpoint: str, graph_iri: str | None = None) -> str:
    """The Graph Store Protocol URL for *endpoint* and the target graph.

    *endpoint* is an Oxigraph server's base URL (``/store`` is added), its ``/query`` or
    ``/update`` URL (mapped to the sibling ``/store``), or any Graph Store Protocol URL (kept).
    """
    parts = urllib.parse.urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--endpoint {endpoint!r}: give an http(s) URL, e.g. http://127.0.0.1:7878")
    if parts.query:
        raise UsageError(f"--endpoint {endpoint!r}: give the URL without '?…' (use --graph for a named graph)")
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


def count_ntriples(data: bytes) -> int:
    """Number of triples in N-Triples *data* (one per non-blank, non-comment line).

    >>> count_ntriples(b"<a:x> <a:p> <a:y> .\\n\\n# note\\n<a:x> <a:p> <a:z> .\\n")
    2
    """
    return sum(1 for line in data.splitlines() if line.strip() and not line.lstrip().startswith(b"#"))


def _server_message(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read().decode("utf-8", "replace")
    except Exception:  # the body may be gone already
        body = ""
    body = " ".join(body.split())[:500]
    return f"HTTP {exc.code} {exc.reason}" + (f": {body}" if body else "")


def push_graph(endpoint: str, data: bytes, *, graph_iri: str | None = None, replace: bool = False,
               fmt: str = "nt", timeout: float = 120.0, retries: int = 4, backoff: float = 0.5,
               log=None) -> dict:
    """Send *data* (N-Triples, or Turtle with ``fmt="turtle"``) to the server at *endpoint*.

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
    timeout : float
        Seconds for one HTTP attempt.
    retries : int
        Further attempts after a 5xx answer or a timeout; waits ``backoff * 2**n`` seconds before
        retry *n* (0.5, 1, 2, 4 s by default).
    log : callable, optional
        Called with a one-line message before each retry.

    Returns
    -------
    dict
        ``{"url", "triples", "status", "attempts", "seconds", "method"}``.

    Raises
    ------
    ThbkgError
        Connection refused, unreachable host, 4xx, or 5xx/timeouts after the last retry.
    """
    url = graph_store_url(endpoint, graph_iri)
    method = "PUT" if replace else "POST"
    triples = count_ntriples(data) if fmt == "nt" else None
    started = time.perf_counter()
    attempt = 0
    while True:
        attempt += 1
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Content-Type": CONTENT_TYPES[fmt]})
        problem = None
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = response.status
                response.read()
            break
        except urllib.error.HTTPError as exc:
            message = _server_message(exc)
            if exc.code < 500:
                raise ThbkgError(f"{url} refused the upload: {message}") from None
            problem = message
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                problem = f"no answer within {timeout:g} s"
            elif isinstance(reason, ConnectionRefusedError):
                raise ThbkgError(f"cannot connect to {url}: connection refused (is the server running? "
                                 "'thbkg serve' is read-only; start a writable one with "
                                 "'oxigraph serve --location DIR')") from None
            else:
                raise ThbkgError(f"cannot connect to {url}: {reason}") from None
        except (TimeoutError, socket.timeout):
            problem = f"no answer within {timeout:g} s"
        except (ConnectionResetError, ConnectionAbortedError) as exc:
            problem = f"connection lost ({exc})"
        if attempt > retries:
            raise ThbkgError(f"upload to {url} failed after {attempt} attempt{'s' if attempt > 1 else ''}: "
                             f"{problem}") from None
        wait = backoff * 2 ** (attempt - 1)
        if log:
            log(f"{url}: {problem}; retrying in {wait:g} s ({attempt}/{retries})")
        time.sleep(wait)
    return {"url": url, "triples": triples, "status": status, "attempts": attempt,
            "seconds": time.perf_counter() - started, "method": method}
