"""thbkg.graph.store.push against a real Oxigraph server, plus retry behaviour against a tiny failing HTTP server."""

from __future__ import annotations

import http.server
import threading
import time
import urllib.parse
from typing import ClassVar

import pytest

from thbkg.graph.errors import ThbkgError, UsageError
from thbkg.graph.store.push import graph_store_url, push_graph

pytestmark = pytest.mark.server

A = (b"<http://example.org/a> <http://example.org/p> \"one\" .\n"
     b"<http://example.org/a> <http://example.org/p> \"two\" .\n")
B = b"<http://example.org/b> <http://example.org/p> <http://example.org/c> .\n"


def test_push_reports_the_triples_and_the_server_holds_them(oxigraph_endpoint):
    report = push_graph(oxigraph_endpoint.base, A)
    assert report["triples"] == 2 and report["method"] == "POST" and report["attempts"] == 1
    assert report["status"] in (200, 201, 204)
    assert oxigraph_endpoint.count() == 2


def test_push_the_whole_graph(oxigraph_endpoint):
    from thbkg.graph.store.source import built_ntriples

    data = built_ntriples()
    report = push_graph(oxigraph_endpoint.base + "/store", data, replace=True)
    distinct = {line for line in data.splitlines() if line.strip()}
    assert report["triples"] == len(distinct) == oxigraph_endpoint.count()


def test_replace_is_idempotent_and_really_replaces(oxigraph_endpoint):
    push_graph(oxigraph_endpoint.base, A, replace=True)
    first = oxigraph_endpoint.count()
    push_graph(oxigraph_endpoint.base, A, replace=True)
    assert oxigraph_endpoint.count() == first == 2
    push_graph(oxigraph_endpoint.base, B, replace=True)
    assert oxigraph_endpoint.count() == 1  # A is gone
    push_graph(oxigraph_endpoint.base, A)  # POST adds
    assert oxigraph_endpoint.count() == 3


def test_named_graph(oxigraph_endpoint):
    iri = "https://w3id.org/thbkg/graph/test"
    report = push_graph(oxigraph_endpoint.query_url, A, graph_iri=iri, replace=True)
    assert report["url"].endswith("/store?graph=https%3A%2F%2Fw3id.org%2Fthbkg%2Fgraph%2Ftest")
    assert oxigraph_endpoint.count(iri) == 2 and oxigraph_endpoint.count() == 0


def test_connection_refused_is_one_clear_error():
    from plugin_oxserver import free_port

    with pytest.raises(ThbkgError, match="connection refused"):
        push_graph(f"http://127.0.0.1:{free_port()}", A, retries=0)


def test_http_4xx_shows_the_servers_message(oxigraph_endpoint):
    with pytest.raises(ThbkgError) as info:
        push_graph(oxigraph_endpoint.base, b"<http://example.org/a> <oops\n")
    message = str(info.value)
    assert "refused the upload: HTTP 400" in message
    assert len(message.split(": HTTP 400", 1)[1]) > 10  # Oxigraph's own explanation follows
    assert oxigraph_endpoint.count() == 0


@pytest.mark.parametrize("url, expected", [
    ("http://h:1", "http://h:1/store?default"),
    ("http://h:1/", "http://h:1/store?default"),
    ("http://h:1/store", "http://h:1/store?default"),
    ("http://h:1/update", "http://h:1/store?default"),
    ("https://h/ds/data", "https://h/ds/data?default"),
])
def test_graph_store_url(url, expected):
    assert graph_store_url(url) == expected


@pytest.mark.parametrize("url, graph", [("ftp://h/x", None), ("http://h/store?x=1", None), ("http://h", "no iri")])
def test_bad_urls_are_usage_errors(url, graph):
    with pytest.raises(UsageError):
        graph_store_url(url, graph)


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 503 (or stalls) for the first requests, then 204."""

    plan: ClassVar[list] = []
    seen: ClassVar[list] = []

    def _handle(self):
        self.seen.append((self.command, self.path, self.rfile.read(int(self.headers["Content-Length"]))))
        step = self.plan.pop(0) if self.plan else 204
        if step == "stall":
            time.sleep(1.5)
            step = 204
        body = b"" if step < 300 else b"busy, try later"
        try:
            self.send_response(step)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting: that is the test
            pass

    do_POST = do_PUT = _handle

    def log_message(self, *args):
        pass


@pytest.fixture()
def flaky():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Flaky.seen = []
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_5xx_is_retried_with_backoff(flaky):
    _, url = flaky
    _Flaky.plan = [503, 502]
    messages = []
    started = time.monotonic()
    report = push_graph(url, A, replace=True, backoff=0.1, log=messages.append, verify=False)
    assert report["attempts"] == 3 and report["status"] == 204
    assert time.monotonic() - started >= 0.1 + 0.2  # waited 0.1 s, then 0.2 s
    assert [m.split(": ", 1)[1] for m in messages] == [
        "HTTP 503 Service Unavailable: busy, try later; retrying in 0.1 s (1/4)",
        "HTTP 502 Bad Gateway: busy, try later; retrying in 0.2 s (2/4)"]
    assert [(c, p) for c, p, _ in _Flaky.seen] == [("PUT", "/store?default")] * 3
    assert all(body == A for _, _, body in _Flaky.seen)


def test_retries_are_bounded(flaky):
    _, url = flaky
    _Flaky.plan = [500] * 10
    with pytest.raises(ThbkgError, match="failed after 3 attempts: HTTP 500"):
        push_graph(url, A, retries=2, backoff=0.01, verify=False)
    assert len(_Flaky.seen) == 3


def test_timeouts_are_retried(flaky):
    _, url = flaky
    _Flaky.plan = ["stall"]
    messages = []
    report = push_graph(url, A, timeout=0.5, backoff=0.01, log=messages.append, verify=False)
    assert report["attempts"] == 2 and "no answer within 0.5 s" in messages[0]


# -- no redirects, garbage answers, checked afterwards ----------------------------------------------

@pytest.mark.parametrize("endpoint, query_url", [
    ("http://h:1", "http://h:1/query"),
    ("http://h:1/", "http://h:1/query"),
    ("http://h:1/store", "http://h:1/query"),
    ("http://h:1/update", "http://h:1/query"),
    ("http://h:1/db/store", "http://h:1/db/query"),
    ("https://h/ds/data", None),
    ("http://h:1/repositories/x/rdf-graphs/service", None),
])
def test_oxigraph_query_url(endpoint, query_url):
    from thbkg.graph.store.push import oxigraph_query_url

    assert oxigraph_query_url(endpoint) == query_url


def test_a_redirect_is_not_followed():
    from reliability.network_fakes import REDIRECT, RawServer

    with RawServer(lambda *request: REDIRECT) as server:
        with pytest.raises(ThbkgError) as info:
            push_graph(server.url, A, replace=True, verify=False)
        assert server.requests == [("PUT", "/store?default")]
    assert str(info.value).startswith(f"{server.url}/store?default answered HTTP 302 Found, a redirect to "
                                      f"{server.url}/elsewhere; nothing was stored.")
    assert "resend the PUT as a GET" in str(info.value)


def test_a_store_with_enough_triples_but_not_these_fails_the_check():
    """The count alone would pass (1000 >= 2); the sampled triples are not there."""
    from reliability.network_fakes import RawServer, count_answer, http_answer

    def respond(method, path, body):
        if path.startswith("/store"):
            return http_answer("204 No Content")
        return count_answer(0 if "VALUES" in urllib.parse.unquote_plus(path) else 1000)

    with RawServer(respond) as server, pytest.raises(ThbkgError) as info:
        push_graph(server.url, A)
    assert str(info.value) == (
        f"{server.url}/store?default answered HTTP 204, but the upload did not arrive as sent: sent 2 triples, "
        f"and the default graph holds 1000 according to {server.url}/query, and 2 of 2 sampled triples are "
        "missing; expected at least 2 triples")


def test_posting_what_is_already_there_passes_the_check(oxigraph_endpoint):
    push_graph(oxigraph_endpoint.base, A + B)
    report = push_graph(oxigraph_endpoint.base, A)  # adds nothing new: still all there
    assert report["found"] == 3 and report["query_url"] == oxigraph_endpoint.query_url


def test_the_check_covers_named_graphs_and_literals_of_every_kind(oxigraph_endpoint):
    data = ('<http://example.org/a> <http://example.org/p> "é \\" \\\\ \\n"@fr-BE .\n'
            '<http://example.org/a> <http://example.org/p> "2013"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n'
            '<http://example.org/a> <http://example.org/p> _:b1 .\n').encode()
    iri = "https://w3id.org/thbkg/graph/check"
    report = push_graph(oxigraph_endpoint.base, data, graph_iri=iri, replace=True)
    assert report["found"] == 3 == oxigraph_endpoint.count(iri)


def test_a_bad_query_endpoint_is_a_usage_error():
    with pytest.raises(UsageError, match=r"^--query-endpoint 'ftp://x/q': give an http\(s\) URL"):
        push_graph("http://127.0.0.1:9", A, query_endpoint="ftp://x/q")
