"""``thbkg serve`` end to end: a real Oxigraph server process, HTTP queries, refused updates, clean stop."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import time
import threading
import urllib.parse
from pathlib import Path

import pytest
from plugin_oxserver import free_port, http, require_oxigraph_binary

from thbkg.graph.server import base_url, is_loopback, serve_graph

pytestmark = [pytest.mark.server, pytest.mark.slow]

CLI = [sys.executable, "-c", "from thbkg.cli.main import cli; cli()"]


def _start(*args, log_dir):
    """Start ``thbkg serve`` and wait for its two URL lines; stderr goes to a file (a pipe could fill)."""
    require_oxigraph_binary()
    port = free_port()
    log = open(log_dir / "serve.log", "w")
    process = subprocess.Popen(CLI + ["serve", "--port", str(port), *args], stdout=subprocess.PIPE,
                               stderr=log, text=True)
    log.close()
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in process.stdout],
                     daemon=True).start()
    got = []
    deadline = time.monotonic() + 90
    while not any(line.startswith("Query page:") for line in got):
        try:
            got.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
        except queue.Empty:
            _stop(process, signal.SIGTERM)
            raise AssertionError(f"serve did not start: {got} {(log_dir / 'serve.log').read_text()}") from None
    return process, port, got


def _server_children(port):
    """(pid, argv) of running 'oxigraph serve-read-only' processes bound to *port*."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [w.decode(errors="replace") for w in argv if w]
        if "serve-read-only" in words and f"127.0.0.1:{port}" in words:
            found.append((int(entry.name), words))
    return found


def _select(port, query):
    return http(f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": query}),
                headers={"Accept": "text/csv"})


def _stop(process, sig):
    """Send *sig* and wait; SIGKILL only as a last resort (it would orphan the oxigraph child)."""
    process.send_signal(sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    return process.returncode


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc to find the server process")
def test_serve_answers_refuses_updates_and_stops_cleanly(tmp_path):
    from thbkg.graph.source import built_ntriples

    process, port, lines = _start(log_dir=tmp_path)
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
        children = _server_children(port)
        assert len(children) == 1
        child, argv = children[0]
        location = Path(argv[argv.index("--location") + 1])
        assert location.is_dir()
    except BaseException:
        _stop(process, signal.SIGTERM)
        raise
    assert _stop(process, signal.SIGTERM) == 0
    assert not Path(f"/proc/{child}").exists(), "the oxigraph server outlived thbkg serve"
    assert not location.exists(), "the temporary store was left behind"
    with pytest.raises(OSError):
        _select(port, "ASK {}")


def test_serve_a_persistent_store_and_stop_with_ctrl_c(tmp_path):
    from thbkg.graph.source import write_store

    store = tmp_path / "db"
    triples = write_store(store)["triples"]
    process, port, _ = _start("--store", str(store), log_dir=tmp_path)
    try:
        status, body = _select(port, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert status == 200 and int(body.decode().split()[-1]) == triples
    except BaseException:
        _stop(process, signal.SIGTERM)
        raise
    assert _stop(process, signal.SIGINT) == 0
    assert _server_children(port) == []
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
    started = time.monotonic()
    result = runner.invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.output and "--port" in result.output
    assert time.monotonic() - started < 60
    assert os.path.exists(oxigraph_server.location)
