"""``thbkg serve`` end to end: a real Oxigraph server behind thbkg's guard, HTTP queries, refused
updates, clean stop. The signal, SERVICE and limit cases are in tests/reliability/test_sparql_network.py."""

from __future__ import annotations

import os
import signal
import urllib.parse
from pathlib import Path

import pytest
from plugin_oxserver import free_port, http
from reliability.serve_process import oxigraph_children, start_serve, stop, wait_gone

from thbkg.graph.store.server import _Refusal, base_url, find_oxigraph, is_loopback, serve_graph, sparql_texts

pytestmark = [pytest.mark.server, pytest.mark.slow]


def _start(*args, log_dir):
    find_oxigraph()  # a missing binary fails the test, with the install hint
    port = free_port()
    process, lines = start_serve(*args, port=port, log_dir=log_dir)
    return process, port, lines


def _select(port, query):
    return http(f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": query}),
                headers={"Accept": "text/csv"})


def _stop(process, sig):
    return stop(process, sig)


@pytest.mark.parametrize("cached", [True, False], ids=["cached-store", "temporary-store"])
def test_serve_answers_refuses_updates_and_stops_cleanly(tmp_path, cached):
    from thbkg.graph.rdf.tables import data_folders
    from thbkg.graph.store.cache import cache_key, find_entry
    from thbkg.graph.store.source import built_ntriples

    process, port, lines = _start(*([] if cached else ["--no-cache"]), log_dir=tmp_path)
    try:
        assert f"SPARQL query endpoint: http://127.0.0.1:{port}/query" in lines[0]
        assert lines[1] == f"Query page:            http://127.0.0.1:{port}/"
        status, body = _select(port, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert status == 200
        expected = len({line for line in built_ntriples().splitlines() if line.strip()})
        assert int(body.decode().split()[-1]) == expected
        status, body = _select(port, "SELECT ?label WHERE { thbid:actor/europol rdfs:label ?label }"
                                     .replace("thbid:actor/europol", "<https://w3id.org/thbkg/id/actor/europol>")
                                     .replace("rdfs:label", "<http://www.w3.org/2000/01/rdf-schema#label>"))
        assert status == 200 and b"Europol" in body
        assert http(f"http://127.0.0.1:{port}/")[0] == 200  # Oxigraph's query page
        # updates are refused, through the update endpoint and through the graph store
        status, _ = http(f"http://127.0.0.1:{port}/update", b"DROP ALL", method="POST",
                         headers={"Content-Type": "application/sparql-update"})
        assert 400 <= status < 500
        status, _ = http(f"http://127.0.0.1:{port}/store?default", b"<http://x/a> <http://x/p> <http://x/b> .",
                         method="POST", headers={"Content-Type": "application/n-triples"})
        assert 400 <= status < 500
        assert int(_select(port, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[1].decode().split()[-1]) == expected
        children = oxigraph_children(process.pid)
        assert len(children) == 1
        child, argv = children[0]
        assert argv[1] == "serve-read-only" and argv[argv.index("--bind") + 1].startswith("127.0.0.1:")
        location = Path(argv[argv.index("--location") + 1])
        assert location.is_dir()
    except BaseException:
        _stop(process, signal.SIGTERM)
        raise
    assert _stop(process, signal.SIGTERM) == 0
    assert wait_gone(child), "the oxigraph server outlived thbkg serve"
    if cached:  # the cache's own store, served read-only and kept for the next command
        assert location == find_entry(cache_key(data_folders())).store_path
        assert location.is_dir()
    else:
        assert not location.exists() and not location.parent.exists(), "the temporary store was left behind"
    with pytest.raises(OSError):
        _select(port, "ASK {}")


def test_serve_a_persistent_store_and_stop_with_ctrl_c(tmp_path):
    from thbkg.graph.store.source import write_store

    store = tmp_path / "db"
    triples = write_store(store)["triples"]
    process, port, _ = _start("--store", str(store), log_dir=tmp_path)
    try:
        status, body = _select(port, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert status == 200 and int(body.decode().split()[-1]) == triples
    except BaseException:
        _stop(process, signal.SIGTERM)
        raise
    children = oxigraph_children(process.pid)
    assert _stop(process, signal.SIGINT) == 0
    assert children and all(wait_gone(pid) for pid, _ in children)
    assert (store / "thbkg-store.txt").is_file()  # a user's store is never removed


def test_serve_refuses_a_folder_that_is_not_a_store(tmp_path, runner):
    from thbkg.cli.main import cli

    result = runner.invoke(cli, ["serve", "--store", str(tmp_path), "--port", str(free_port())])
    assert result.exit_code == 2
    assert "is not a thbkg store" in result.output


def test_non_loopback_host_is_warned_about(tmp_path):
    messages = []
    with pytest.raises(Exception, match="not a thbkg store"):
        serve_graph(host="0.0.0.0", port=free_port(), store_dir=str(tmp_path),
                    echo=lambda m, err=False: messages.append(m))
    assert messages and messages[0].startswith("Warning: listening on 0.0.0.0, not loopback")


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True),
                                            ("localhost", True), ("0.0.0.0", False), ("192.168.1.5", False),
                                            ("example.org", False)])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_base_url_brackets_ipv6():
    assert base_url("::1", 7878) == "http://[::1]:7878"


def test_port_in_use_is_a_clear_error(oxigraph_server, runner):
    from thbkg.cli.main import cli

    port = int(oxigraph_server.base.rsplit(":", 1)[1])
    result = runner.invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: port {port} on 127.0.0.1 is in use (another server?); choose "
                                     "another with --port")
    assert os.path.exists(oxigraph_server.location)


def test_every_sparql_text_of_a_request_is_found():
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert sparql_texts("POST", "/query", form, b"query=ASK%20%7B%7D&Query=SELECT%201") == ["ASK {}", "SELECT 1"]
    assert sparql_texts("POST", "/update", {"Content-Type": "application/sparql-update; charset=utf-8"},
                        b"DROP ALL") == ["DROP ALL"]
    assert sparql_texts("GET", "/query?query=a&query=b", {}, b"") == ["a", "b"]
    assert sparql_texts("GET", "/", {}, b"") == []


def test_a_body_the_guard_cannot_read_is_refused():
    with pytest.raises(_Refusal) as info:
        sparql_texts("POST", "/query", {"Content-Type": "text/plain"}, b"SELECT * { SERVICE <http://x/> {} }")
    assert info.value.status == 415
    assert str(info.value) == ("thbkg serve reads SPARQL sent as application/sparql-query, "
                               "application/sparql-update or a form, not text/plain")
