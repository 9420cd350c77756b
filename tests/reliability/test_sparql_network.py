"""Reliability: SPARQL stays local, stores are never lost, and every network failure is a message.

The cases of issue 8 about ``build --store``, ``query``, ``push`` and ``serve``: each asserts the exact
message, the exit status, and that nothing was lost (stores, sibling folders) or let out (requests
to other servers). Misbehaving servers are small fakes on 127.0.0.1
(tests/fixtures/reliability/network_fakes.py); ``serve`` and ``push`` also run against the real
``oxigraph`` binary. Waits are liveness guards (a test fails instead of hanging), never timings.
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from plugin_oxserver import free_port, http
from reliability.mounts import mounted_tmpfs
from reliability.network_fakes import (
    HTML_PAGE,
    NO_CONTENT_TYPE,
    NOT_HTTP,
    REDIRECT,
    RawServer,
    count_answer,
    http_answer,
)
from reliability.serve_process import CLI, oxigraph_children, process_group, running, start_serve, stop, wait_gone

from thbkg.cli.main import cli
from thbkg.graph.store.server import find_oxigraph

THBKG = [str(Path(sys.executable).parent / "thbkg")]
CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TMP_NAME = re.compile(r"\.thbkg-tmp-(\d+)-[0-9a-f]+-")


def run(runner, *args, **kwargs):
    result = runner.invoke(cli, list(args), catch_exceptions=False, **kwargs)
    assert "Traceback" not in result.output and "Internal error" not in result.output, result.output
    return result


def store_triples(path) -> int:
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(path))
    try:
        return len(store)
    finally:
        del store


def good_triples(good_dir) -> int:
    """Distinct N-Triples lines of the good fixture with the ontology: what a store of it holds."""
    from thbkg.graph.store.source import built_ntriples

    return len({line for line in built_ntriples([good_dir], include_bundled=False).splitlines() if line.strip()})


@pytest.fixture()
def fake():
    servers = []

    def make(respond):
        server = RawServer(respond)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


# == build --store: nothing lost ==================================================================

def test_build_store_keeps_the_users_old_and_tmp_folders(runner, tmp_path, good_dir, no_bundled):
    for name in ("gdb.old", "gdb.tmp"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "notes.txt").write_text(f"mine: {name}\n", encoding="utf-8")
    for _ in range(2):  # the second build replaces the first store
        result = run(runner, "build", "--data", str(good_dir), "--store", str(tmp_path / "gdb"))
        assert result.exit_code == 0, result.output
    for name in ("gdb.old", "gdb.tmp"):
        assert (tmp_path / name / "notes.txt").read_text(encoding="utf-8") == f"mine: {name}\n"
    assert store_triples(tmp_path / "gdb") == good_triples(good_dir)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gdb.thbkg-lock", "gdb", "gdb.old", "gdb.tmp"]


def test_build_store_refuses_a_symlink(runner, tmp_path, good_dir, no_bundled):
    real = tmp_path / "real"
    real.mkdir()
    (real / "keep.txt").write_text("x", encoding="utf-8")
    (tmp_path / "gdb").symlink_to(real)
    result = run(runner, "build", "--data", str(good_dir), "--store", str(tmp_path / "gdb"))
    assert result.exit_code == 2
    assert result.output.strip() == (f"Error: {tmp_path / 'gdb'} is a symbolic link; thbkg does not write "
                                     "through links (give another path, or add --follow-symlinks)")
    assert (tmp_path / "gdb").is_symlink() and [p.name for p in real.iterdir()] == ["keep.txt"]


def test_build_store_into_a_folder_that_is_not_a_store(runner, tmp_path, good_dir, no_bundled):
    mine = tmp_path / "gdb"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"precious")
    result = run(runner, "build", "--data", str(good_dir), "--store", str(mine))
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {mine} exists and is not a thbkg store; give an empty or new folder"
    assert [p.name for p in mine.iterdir()] == ["thesis.docx"]


def test_build_store_on_a_read_only_file_system(tmp_path, good_dir):
    with mounted_tmpfs(tmp_path / "ro", "ro,size=1m") as ro:
        proc = subprocess.run(THBKG + ["build", "--no-bundled", "--data", str(good_dir), "--store", "ro/gdb"],
                              cwd=tmp_path, capture_output=True, text=True)
        names = [p.name for p in ro.iterdir()]
    assert proc.returncode == 1
    assert proc.stderr == ("Error: ro/.gdb.thbkg-lock: Read-only file system (the file system is read-only; "
                           "choose another path)\n")
    assert names == []


def test_build_store_on_a_full_disk_keeps_the_old_store(tmp_path, good_dir):
    with mounted_tmpfs(tmp_path / "small", "size=1m") as small:
        first = subprocess.run(THBKG + ["build", "--no-bundled", "--data", str(good_dir), "--store", "small/gdb"],
                               cwd=tmp_path, capture_output=True, text=True)
        assert first.returncode == 0, first.stderr
        proc = subprocess.run(THBKG + ["build", "--store", "small/gdb"],  # the bundled tables: too big
                              cwd=tmp_path, capture_output=True, text=True)
        kept = store_triples(small / "gdb")
        names = sorted(p.name for p in small.iterdir())
    assert proc.returncode == 1
    assert proc.stderr == ("Error: small/gdb: No space left on device (the disk is full; free some space or "
                           "choose another path)\n")
    assert kept == good_triples(good_dir) and names == [".gdb.thbkg-lock", "gdb"]


def _build(tmp_path, *args, **kwargs):
    return subprocess.Popen(THBKG + ["build", *args], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def test_two_concurrent_builds_of_the_same_store_both_succeed(tmp_path, good_dir):
    env = {**os.environ, "THBKG_NO_BUNDLED": "1"}
    builds = [_build(tmp_path, "--data", str(good_dir), "--store", "gdb", env=env) for _ in range(2)]
    outcomes = [(b.wait(timeout=300), b.stderr.read()) for b in builds]
    for code, err in outcomes:
        assert code == 0, err
        assert "IO error" not in err and "Internal error" not in err
        assert f"store gdb ({good_triples(good_dir)} triples with the ontology)" in err
    assert store_triples(tmp_path / "gdb") == good_triples(good_dir)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gdb.thbkg-lock", "gdb"]


def test_a_second_writer_waits_for_the_lock(tmp_path, good_dir):
    """The lock is held here while a real build starts: it waits, says so, and finishes once released."""
    lock = os.open(tmp_path / ".gdb.thbkg-lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    err_file = tmp_path / "build.err"
    with open(err_file, "w") as err:
        build = subprocess.Popen(THBKG + ["build", "--no-bundled", "--data", str(good_dir), "--store", "gdb"],
                                 cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 120
        while "Waiting" not in err_file.read_text() and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert err_file.read_text().splitlines()[0] == "Waiting for another thbkg process writing the store gdb…"
        assert not (tmp_path / "gdb").exists()  # nothing written while the other writer holds the lock
    finally:
        os.close(lock)
    assert build.wait(timeout=120) == 0, err_file.read_text()
    assert store_triples(tmp_path / "gdb") == good_triples(good_dir)


def test_a_busy_store_is_a_message(tmp_path, good_dir):
    from thbkg.graph.errors import ThbkgError
    from thbkg.graph.store.source import write_store

    lock = os.open(tmp_path / ".gdb.thbkg-lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        with pytest.raises(ThbkgError) as info:
            write_store(tmp_path / "gdb", [good_dir], include_bundled=False, lock_wait=0.3)
    finally:
        os.close(lock)
    assert str(info.value) == (f"the store {tmp_path / 'gdb'} is busy: another thbkg process is writing it "
                               f"(lock {tmp_path / '.gdb.thbkg-lock'}); try again when it has finished")
    assert not (tmp_path / "gdb").exists()


@pytest.mark.slow
def test_a_killed_build_leaves_the_old_store_and_only_sweepable_temporaries(tmp_path, good_dir):
    subprocess.run(THBKG + ["synth", "--actors", "1000", "--links", "10000", "-o", "syn"], cwd=tmp_path,
                   check=True, capture_output=True)
    old = subprocess.run(THBKG + ["build", "--no-bundled", "--data", str(good_dir), "--store", "gdb"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert old.returncode == 0, old.stderr
    before = store_triples(tmp_path / "gdb")
    build = _build(tmp_path, "--no-bundled", "--data", "syn", "--store", "gdb")
    deadline = time.monotonic() + 300
    temporaries = []
    while not temporaries and build.poll() is None and time.monotonic() < deadline:
        temporaries = [p for p in tmp_path.iterdir() if p.name.startswith(f".thbkg-tmp-{build.pid}-")]
        time.sleep(0.01)
    assert temporaries, "the build finished before its temporary store was seen"
    build.kill()  # SIGKILL, midway through loading the new store
    build.wait()
    assert store_triples(tmp_path / "gdb") == before  # the old store is intact
    left = [p.name for p in tmp_path.iterdir() if p.name not in ("gdb", "syn", ".gdb.thbkg-lock")]
    assert left and all(TMP_NAME.match(name) and TMP_NAME.match(name).group(1) == str(build.pid) for name in left)
    again = subprocess.run(THBKG + ["build", "--no-bundled", "--data", str(good_dir), "--store", "gdb"],
                           cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gdb.thbkg-lock", "gdb", "syn"]  # swept


# == query: SERVICE stays out, Ctrl-C, huge answers, messages =====================================

def test_query_refuses_service_and_sends_nothing(runner, good_dir, no_bundled, fake):
    target = fake(lambda *request: count_answer(1))
    for store in ([], ["--store", "memory"]):
        result = run(runner, "query", "--data", str(good_dir), *store,
                     f"SELECT * WHERE {{ SERVICE <{target.url}/sparql> {{ ?s ?p ?o }} }}")
        assert result.exit_code == 2
        assert result.output.strip() == (f"Error: SERVICE <{target.url}/sparql> would send a request to another "
                                         "server; thbkg queries stay local (add --allow-service to allow it)")
    time.sleep(0.5)  # a request would have arrived by now
    assert target.requests == []


def test_run_query_refuses_service_too(good_dir, fake):
    from thbkg.graph.errors import UsageError
    from thbkg.graph.store.query import run_query
    from thbkg.graph.store.source import GraphSource

    target = fake(lambda *request: count_answer(1))
    hidden = f'SELECT * WHERE {{ ?s ?p "x" . # comment }}\n \\u0053ERVICE <{target.url}/q> {{ ?s ?p ?o }} }}'
    with pytest.raises(UsageError, match=r"^SERVICE <http://127\.0\.0\.1:\d+/q> would send a request"):
        run_query(GraphSource([good_dir], include_bundled=False), hidden)
    assert target.requests == []


def test_allow_service_goes_out_with_a_time_limit(runner, good_dir, no_bundled, fake, monkeypatch):
    hung = fake(lambda *request: None)  # takes the request, never answers
    query = f"SELECT * WHERE {{ SERVICE <{hung.url}/sparql> {{ ?s ?p ?o }} }}"
    result = run(runner, "query", "--data", str(good_dir), "--allow-service", "--timeout", "1", query)
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: query stopped after 1 s (--timeout); narrow it down (filters, "
                                     "LIMIT) or allow more time")
    assert hung.wait_for_requests(1)[0][0] == "POST"  # the call was let through
    # without --timeout, the SERVICE time limit applies (30 s by default; 1 s here)
    monkeypatch.setattr("thbkg.graph.store.query.SERVICE_TIMEOUT", 1.0)
    result = run(runner, "query", "--data", str(good_dir), "--allow-service", query)
    assert result.exit_code == 1 and "query stopped after 1 s" in result.output


def test_ctrl_c_stops_a_query_without_timeout(tmp_path, good_dir):
    query = subprocess.Popen(THBKG + ["query", "--data", str(good_dir), ENDLESS], env={**os.environ, "THBKG_NO_BUNDLED": "1"},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    # the worker thread exists once the query is being prepared; give it a moment to be inside Oxigraph
    while _threads(query.pid) < 2 and query.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    assert query.poll() is None, query.stderr.read()
    query.send_signal(signal.SIGINT)
    try:
        code = query.wait(timeout=60)  # liveness guard
    except subprocess.TimeoutExpired:
        query.kill()
        raise AssertionError("Ctrl-C did not stop the query") from None
    assert code == 130
    assert query.stderr.read() == "Interrupted.\n"
    assert query.stdout.read() == ""


def _threads(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return int(re.search(r"^Threads:\s+(\d+)", text, re.MULTILINE).group(1))


def test_a_huge_answer_is_capped_with_a_note(runner, good_dir, no_bundled, tmp_path):
    out = tmp_path / "rows.csv"
    result = run(runner, "query", "--data", str(good_dir), CROSS, "--format", "csv", "-o", str(out))
    assert result.exit_code == 0
    assert result.output.strip() == ("Note: the answer has more than 100000 rows; only the first 100000 are "
                                     "written. Add LIMIT/OFFSET to the query, or raise --max-rows (0 writes all).")
    assert out.read_bytes().count(b"\r\n") == 1 + 100_000  # header + the capped rows
    result = run(runner, "query", "--data", str(good_dir), CROSS, "--max-rows", "7", "--format", "tsv")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 1 + 7
    assert "only the first 7 are written" in result.stderr


def test_a_small_answer_has_no_note(runner, good_dir, no_bundled):
    result = run(runner, "query", "--data", str(good_dir), "SELECT ?s WHERE { ?s a thb:Country }",
                 "--max-rows", "5", "--format", "csv")
    assert result.exit_code == 0 and "Note:" not in result.output


@pytest.mark.parametrize("query, message", [
    ("SELEC * WHERE {}",
     ("SPARQL syntax error at line 1, column 1: unknown keyword 'SELEC': did you mean SELECT? "
     "The line reads: SELEC * WHERE {}")),
    ("SELECT ?s\nWHERE { ?s ?p ?o }\nORDR BY ?s",
     ("SPARQL syntax error at line 3, column 1: unknown keyword 'ORDR': did you mean ORDER? "
     "The line reads: ORDR BY ?s")),
    ("SELECT * WHERE { ?s ?p ?o FILTR(?o > 1) }",
     ("SPARQL syntax error at line 1, column 27: unknown keyword 'FILTR': did you mean FILTER? "
     "The line reads: SELECT * WHERE { ?s ?p ?o FILTR(?o > 1) }")),
])
def test_a_misspelt_keyword_is_named(runner, good_dir, no_bundled, query, message):
    result = run(runner, "query", "--data", str(good_dir), query)
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {message}"


# == query --endpoint: bad servers ================================================================

@pytest.mark.parametrize("answer, message", [
    (NO_CONTENT_TYPE, ("the SPARQL endpoint {url} answered without a Content-Type, so its answer cannot be read "
                      "as SPARQL results (is {url} a SPARQL query endpoint?)")),
    (HTML_PAGE, ("the SPARQL endpoint {url} answered text/html that thbkg cannot read as SPARQL results "
                "(No plugin registered for (text/html, <class 'rdflib.query.ResultParser'>)); "
                "is {url} a SPARQL query endpoint?")),
    (NOT_HTTP, ("the SPARQL endpoint {url} did not answer in HTTP (BadStatusLine: garbage); "
               "is it a SPARQL query endpoint?")),
    (http_answer("500 Internal Server Error", b"boom", {"Content-Type": "text/plain"}),
     "the SPARQL endpoint {url} answered HTTP 500 Internal Server Error: boom"),
])
def test_a_garbage_endpoint_is_a_message(runner, fake, answer, message):
    server = fake(lambda *request: answer)
    url = server.url + "/query"
    result = run(runner, "query", "--endpoint", url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: " + message.format(url=url)


def test_a_hung_endpoint_times_out_with_a_message(runner, fake, monkeypatch):
    hung = fake(lambda *request: None)
    monkeypatch.setenv("THBKG_HTTP_TIMEOUT", "1")
    url = hung.url + "/query"
    result = run(runner, "stats", "--endpoint", url)
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: the SPARQL endpoint {url} did not answer within 1 s (is the server "
                                     "running and reachable? THBKG_HTTP_TIMEOUT=S waits longer)")
    assert len(hung.requests) == 1


# == push: no silent redirect, garbage, checked afterwards =======================================

def test_push_refuses_a_redirect_and_sends_nothing_else(runner, fake, good_dir, no_bundled):
    server = fake(lambda method, path, body: REDIRECT)
    result = run(runner, "push", "--data", str(good_dir), "--endpoint", server.url, "--retries", "0")
    assert result.exit_code == 1
    store = f"{server.url}/store?default"
    assert result.output.strip() == (
        f"Error: {store} answered HTTP 302 Found, a redirect to {server.url}/elsewhere; nothing was stored. "
        "thbkg does not follow redirects when uploading (urllib would resend the POST as a GET, without the "
        "data); if that address is right, give it as --endpoint")
    time.sleep(0.3)
    assert server.requests == [("POST", "/store?default")]  # no GET /elsewhere


def test_push_to_a_server_that_answers_garbage(runner, fake, good_dir, no_bundled):
    server = fake(lambda *request: NOT_HTTP)
    result = run(runner, "push", "--data", str(good_dir), "--endpoint", server.url)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {server.url}/store?default did not answer in HTTP (BadStatusLine: garbage); is it a SPARQL "
        "Graph Store endpoint? Nothing is known to be stored")


def test_push_fails_when_the_server_stored_nothing(runner, fake, good_dir, no_bundled):
    """The server says 204 to the upload, but its query endpoint counts 0 triples afterwards."""
    def respond(method, path, body):
        return http_answer("204 No Content") if path.startswith("/store") else count_answer(0)

    server = fake(respond)
    result = run(runner, "push", "--data", str(good_dir), "--endpoint", server.url)
    assert result.exit_code == 1
    sent = good_triples(good_dir)
    assert result.output.strip() == (
        f"Error: {server.url}/store?default answered HTTP 204, but the upload did not arrive as sent: sent "
        f"{sent} triples, and the default graph holds 0 according to {server.url}/query, and 50 of 50 sampled "
        f"triples are missing; expected at least {sent} triples")


def test_push_checks_the_real_server(runner, oxigraph_endpoint, good_dir, no_bundled):
    result = run(runner, "push", "--data", str(good_dir), "--endpoint", oxigraph_endpoint.base, "--replace")
    assert result.exit_code == 0, result.output
    sent = good_triples(good_dir)
    assert re.fullmatch(
        rf"Sent {sent} triples to {oxigraph_endpoint.base}/store\?default \(replaced the default graph; HTTP "
        rf"20\d, \d+\.\d s, 1 attempt\)\. Checked through {oxigraph_endpoint.base}/query: the default graph "
        rf"holds {sent} triples\.", result.output.strip()), result.output
    assert oxigraph_endpoint.count() == sent


def test_push_to_a_hung_server_times_out(runner, fake, good_dir, no_bundled):
    hung = fake(lambda *request: None)
    result = run(runner, "push", "--data", str(good_dir), "--endpoint", hung.url, "--timeout", "1",
                 "--retries", "0")
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: upload to {hung.url}/store?default failed after 1 attempt: "
                                     "no answer within 1 s")


# == serve: SERVICE refused, limits, clean-up on every signal =====================================

def _serve(tmp_path, *args):
    find_oxigraph()  # a missing binary fails the test, with the install hint
    port = free_port()
    env = {"TMPDIR": str(tmp_path), "THBKG_NO_BUNDLED": "1"}
    process, _ = start_serve("--no-cache", "--data", str(Path(__file__).parents[1] / "fixtures" / "good"), *args,
                             port=port, log_dir=tmp_path, env=env)
    return process, port


def _ask(port, query):
    return http(f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": query}),
                headers={"Accept": "text/csv"}, timeout=120)


@pytest.mark.server
@pytest.mark.slow
def test_serve_refuses_service_and_limits_time_and_size(tmp_path, fake):
    target = fake(lambda *request: count_answer(1))
    process, port = _serve(tmp_path, "--timeout", "2", "--max-result-mb", "1")
    try:
        status, body = _ask(port, f"SELECT * WHERE {{ SERVICE <{target.url}/sparql> {{ ?s ?p ?o }} }}")
        assert (status, body.decode()) == (400, (f"SERVICE <{target.url}/sparql> would make this server send a "
                                                "request to another server; thbkg serve refuses SERVICE (start "
                                                "it with --allow-service to allow it)\n"))
        form = urllib.parse.urlencode({"query": f"ASK {{ SERVICE <{target.url}/x> {{ }} }}"}).encode()
        status, _ = http(f"http://127.0.0.1:{port}/query", form, method="POST",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 400
        status, body = _ask(port, ENDLESS)
        assert (status, body.decode()) == (504, ("the query took more than 2 s, the limit of this server (thbkg "
                                                "serve --timeout); narrow it down (filters, LIMIT)\n"))
        status, body = _ask(port, CROSS)
        assert (status, body.decode()) == (413, ("the answer is larger than 1 MB, the limit of this server (thbkg "
                                                "serve --max-result-mb); narrow the query down (filters, LIMIT)\n"))
        status, body = _ask(port, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # still serving
        assert status == 200 and int(body.split()[-1]) == good_triples(Path(__file__).parents[1] / "fixtures/good")
    finally:
        assert stop(process, signal.SIGTERM) == 0
    assert target.requests == []
    assert "Limits: 2 s per query, 1 MB per answer." in (tmp_path / "serve.log").read_text()


@pytest.mark.server
@pytest.mark.slow
def test_serve_allow_service_lets_the_call_out(tmp_path, fake):
    """The refusal is what keeps the server in: with --allow-service, Oxigraph does call out."""
    target = fake(lambda *request: count_answer(1))
    process, port = _serve(tmp_path, "--allow-service")
    try:
        _ask(port, f"SELECT * WHERE {{ SERVICE <{target.url}/sparql> {{ ?s ?p ?o }} }}")
        assert target.wait_for_requests(1)[0][0] in ("GET", "POST")
    finally:
        assert stop(process, signal.SIGTERM) == 0
    assert "Limits: 30 s per query, 64 MB per answer." in (tmp_path / "serve.log").read_text()


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_serve_stops_cleanly_on_a_signal(tmp_path, sig):
    process, _ = _serve(tmp_path)
    children = oxigraph_children(process.pid)
    assert len(children) == 1
    child, argv = children[0]
    store = Path(argv[argv.index("--location") + 1])
    assert store.is_dir()
    assert process_group(child) == child != process_group(process.pid)  # its own process group
    assert stop(process, sig) == 0
    assert wait_gone(child), "the oxigraph server outlived thbkg serve"
    assert not store.exists()
    assert list((tmp_path / f"thbkg-serve-{os.getuid()}").iterdir()) == []
    assert "Server stopped." in (tmp_path / "serve.log").read_text()


@pytest.mark.server
@pytest.mark.slow
def test_serve_killed_leaves_no_server_and_the_next_run_sweeps_its_store(tmp_path):
    process, _ = _serve(tmp_path)
    [(child, argv)] = oxigraph_children(process.pid)
    store = Path(argv[argv.index("--location") + 1])
    process.kill()  # SIGKILL: no handler runs
    process.wait()
    assert wait_gone(child), "the oxigraph server was orphaned"
    assert store.is_dir()  # nobody could remove it yet…
    assert TMP_NAME.match(store.parent.name).group(1) == str(process.pid)
    again, _ = _serve(tmp_path)  # …the next serve does
    try:
        assert not store.parent.exists()
    finally:
        assert stop(again, signal.SIGTERM) == 0
    assert not running(child)


@pytest.mark.server
@pytest.mark.slow
def test_serve_stopped_while_building_cleans_up(tmp_path):
    subprocess.run(THBKG + ["synth", "--actors", "1000", "--links", "10000", "-o", "syn"], cwd=tmp_path,
                   check=True, capture_output=True)
    log = tmp_path / "serve.log"
    with open(log, "w") as err:
        serve = subprocess.Popen(CLI + ["serve", "--no-cache", "--no-bundled", "--data", "syn", "--port",
                                        str(free_port())],
                                 cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=err,
                                 env={**os.environ, "TMPDIR": str(tmp_path)})
    deadline = time.monotonic() + 120
    while "Building the graph store" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert serve.poll() is None, log.read_text()
    assert stop(serve, signal.SIGTERM) == 130
    assert log.read_text().splitlines()[-1] == "Interrupted."
    assert list((tmp_path / f"thbkg-serve-{os.getuid()}").iterdir()) == []
    assert oxigraph_children(serve.pid) == []
