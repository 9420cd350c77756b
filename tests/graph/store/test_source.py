"""GraphSource: the same answers from every store (embedded, memory, persistent, endpoint)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from thbkg.graph.errors import ThbkgError, UsageError
from thbkg.graph.rdf.namespaces import THBID
from thbkg.graph.store.binder import bind
from thbkg.graph.store.source import GraphSource, write_store

LINKS_OF = """
SELECT ?link ?type ?other WHERE {
  ?link thb:party ?actor ; thb:party ?other ; thb:linkType ?type .
  FILTER(?other != ?actor)
} ORDER BY ?link ?other
"""
ALL_LINKS = "SELECT ?link ?s ?o ?start WHERE { ?link thb:subject ?s ; thb:object ?o . " \
            "OPTIONAL { ?link thb:startDay ?start } } ORDER BY ?link"


@pytest.fixture(scope="module")
def store_dir(good_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "db"
    info = write_store(path, [good_dir], include_bundled=False)
    assert info["triples"] > 0
    return path


@pytest.fixture(scope="module")
def sources(good_dir, store_dir):
    return {kind: GraphSource([str(good_dir)], store=store, include_bundled=False)
            for kind, store in (("embedded", None), ("memory", "memory"), ("persistent", str(store_dir)))}


def test_kinds(sources):
    assert {k: s.kind for k, s in sources.items()} == {"embedded": "embedded", "memory": "memory",
                                                       "persistent": "persistent"}
    assert type(sources["embedded"].graph().store).__name__ == "OxigraphStore"
    assert type(sources["memory"].graph().store).__name__ == "Memory"


def test_same_rows_from_every_store(sources, good_dir):
    results = {kind: src.select(ALL_LINKS) for kind, src in sources.items()}
    assert results["embedded"] == results["memory"] == results["persistent"]
    import csv
    with open(good_dir / "links.csv", encoding="utf-8", newline="") as fh:
        assert [str(r["link"]) for r in results["embedded"]] == sorted(
            str(THBID["link/" + row["id"]]) for row in csv.DictReader(fh))
    # unbound OPTIONAL values come back as None
    assert any(r["start"] is None for r in results["embedded"])


def test_bindings_restrict_the_rows(sources):
    for src in sources.values():
        rows = src.select(LINKS_OF, bindings={"actor": THBID["actor/ge"]})
        assert {str(r["other"]) for r in rows} == {str(THBID["actor/europol"]), str(THBID["actor/emn"])}


@pytest.mark.parametrize("attack", ['x"} ; DROP ALL #', "Albania\"@en } UNION { ?a ?b ?c", "'}; CLEAR DEFAULT"])
def test_bound_values_are_data_not_query_text(sources, attack):
    query = "SELECT ?actor WHERE { ?actor rdfs:label ?name }"
    for src in sources.values():
        assert src.select(query, bindings={"name": attack}) == []
        assert src.select(query, bindings={"name": Literal("Albania", lang="en")}) == [
            {"actor": THBID["actor/al"]}]
    assert len(sources["embedded"].select(ALL_LINKS)) == 6  # nothing was dropped


def test_bad_iri_binding_is_refused(sources):
    for src in sources.values():
        with pytest.raises(UsageError, match="cannot be used as an IRI"):
            src.select("SELECT * { ?a ?b ?c }", {"a": URIRef("http://x> } ; DROP ALL #")})


def test_bindings_target_the_where_group_of_construct():
    text = bind('CONSTRUCT { ?a ?p "{" } WHERE { ?a ?p ?o }', {"a": URIRef("http://x.org/a")})
    assert text == 'CONSTRUCT { ?a ?p "{" } WHERE { VALUES (?a) { (<http://x.org/a>) } ?a ?p ?o }'


def test_ask_and_construct(sources):
    for src in sources.values():
        assert src.ask("ASK { ?a a thb:Country }")
        assert not src.ask("ASK { ?a a thb:Country }", bindings={"a": THBID["actor/europol"]})
        g = src.construct("CONSTRUCT { ?a rdfs:label ?l } WHERE { ?a a thb:Country ; rdfs:label ?l }")
        assert len(g) == 5


def test_syntax_error_is_a_usage_error_with_position(sources):
    for src in sources.values():
        with pytest.raises(UsageError) as info:
            src.select("SELECT ?x WHERE {\n  ?x ?y \n}")
        assert "syntax error" in str(info.value)
        assert "\n" not in str(info.value)


def test_graph_is_cached(sources):
    src = sources["embedded"]
    assert src.graph() is src.graph()


def test_missing_store_dir(tmp_path):
    with pytest.raises(ThbkgError, match=r"no store at .*thbkg build --store"):
        GraphSource(store=str(tmp_path / "nothing")).graph()


def test_folder_that_is_not_a_store(tmp_path):
    (tmp_path / "some.txt").write_text("x")
    with pytest.raises(ThbkgError, match="is not a thbkg store"):
        GraphSource(store=str(tmp_path)).graph()
    with pytest.raises(UsageError, match="is not a thbkg store"):
        write_store(tmp_path, [])


def test_corrupt_store(store_dir, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(store_dir, broken)
    for f in broken.iterdir():
        if f.name != "thbkg-store.txt":
            f.unlink() if f.is_file() else shutil.rmtree(f)
    (broken / "CURRENT").write_text("garbage\n")
    with pytest.raises(ThbkgError, match="cannot open the store"):
        GraphSource(store=str(broken)).graph()


def test_store_and_endpoint_are_exclusive():
    with pytest.raises(UsageError):
        GraphSource(store="memory", endpoint="http://127.0.0.1:1/query")


def test_unreachable_endpoint_is_one_line():
    port = _free_port()
    with pytest.raises(ThbkgError) as info:
        GraphSource(endpoint=f"http://127.0.0.1:{port}/query").select("SELECT * { ?s ?p ?o } LIMIT 1")
    assert "cannot reach the SPARQL endpoint" in str(info.value)
    assert "\n" not in str(info.value)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _oxigraph_binary():
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    return found if Path(found).exists() else None


@pytest.mark.server
def test_endpoint_gives_the_same_rows(sources, store_dir, tmp_path):
    binary = _oxigraph_binary()
    assert binary is not None, "the oxigraph server binary (PyPI 'oxigraph') is not installed"
    served = tmp_path / "served"
    shutil.copytree(store_dir, served)
    port = _free_port()
    proc = subprocess.Popen([binary, "serve-read-only", "--location", str(served), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/query"
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        remote = GraphSource(endpoint=url)
        assert remote.kind == "endpoint"
        assert remote.select(ALL_LINKS) == sources["embedded"].select(ALL_LINKS)
        assert remote.select(LINKS_OF, bindings={"actor": THBID["actor/ge"]}) == \
            sources["embedded"].select(LINKS_OF, bindings={"actor": THBID["actor/ge"]})
        assert remote.ask("ASK { ?a a thb:Country }")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_select_text_and_ask_agree_with_select(sources):
    for kind, src in sources.items():
        variables, rows = src.select_text(ALL_LINKS)
        assert variables == ["link", "s", "o", "start"]
        assert rows == [tuple(None if r[v] is None else str(r[v]) for v in variables) for r in src.select(ALL_LINKS)]
        assert src.ask("ASK { ?l thb:subject ?s }") is True, kind
        assert src.ask("ASK { ?l thb:subject ?s }", {"s": THBID["actor/nobody"]}) is False, kind


def test_direct_select_gives_the_oxrdflib_terms(sources):
    """select() on Oxigraph stores skips oxrdflib's Graph.query but gives the same terms (types too)."""
    from thbkg.graph.store.source import _INIT_NS

    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    for kind in ("embedded", "persistent"):
        src = sources[kind]
        assert src.oxigraph_store() is not None
        former = [tuple(row) for row in src.graph().query(query, initNs=_INIT_NS)]
        direct = [tuple(row[v] for v in ("s", "p", "o")) for row in src.select(query)]
        assert [[(type(t), t) for t in row] for row in direct] == [[(type(t), t) for t in row] for row in former]
        assert any(getattr(row[2], "language", None) for row in direct)  # language-tagged labels included
    assert sources["memory"].oxigraph_store() is None


# -- write_store: unique temporaries, atomic swap, nothing else touched ----------------------------

def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_write_store_replaces_a_store_and_leaves_only_its_lock(tmp_path, good_dir):
    target = tmp_path / "db"
    write_store(target, [good_dir], include_bundled=False)
    (target / "extra-file-from-the-old-store").write_text("x")
    info = write_store(target, [good_dir], include_bundled=False)
    assert not (target / "extra-file-from-the-old-store").exists()  # the whole folder was swapped
    assert info["triples"] == len(GraphSource(store=str(target)).select("SELECT * WHERE { ?s ?p ?o }"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".db.thbkg-lock", "db"]


def test_write_store_without_an_atomic_exchange(tmp_path, good_dir, monkeypatch):
    """Where renameat2 is missing (other systems, some file systems), two renames do the swap."""
    monkeypatch.setattr("thbkg.graph.io.exchange_folders", lambda first, second: False)
    target = tmp_path / "db"
    first = write_store(target, [good_dir], include_bundled=False)["triples"]
    assert write_store(target, [good_dir], include_bundled=False)["triples"] == first
    assert sorted(p.name for p in tmp_path.iterdir()) == [".db.thbkg-lock", "db"]


def test_a_store_set_aside_by_a_killed_swap_is_put_back(tmp_path, good_dir):
    from thbkg.graph.store.source import _restore_interrupted_swap

    target = tmp_path / "db"
    triples = write_store(target, [good_dir], include_bundled=False)["triples"]
    aside = tmp_path / f".thbkg-tmp-{_dead_pid()}-0123abcd-db.swap-old"
    target.rename(aside)  # killed between the two renames: the store is aside, the target is missing
    _restore_interrupted_swap(target)
    assert not aside.exists()
    assert len(GraphSource(store=str(target)).select("SELECT * WHERE { ?s ?p ?o }")) == triples


def test_stale_temporaries_are_swept_and_others_kept(tmp_path, good_dir):
    dead = tmp_path / f".thbkg-tmp-{_dead_pid()}-0123abcd-db"
    dead.mkdir()
    (dead / "CURRENT").write_text("half a store")
    alive = tmp_path / f".thbkg-tmp-{os.getpid()}-0123abcd-db"  # a run still going (this one)
    alive.mkdir()
    write_store(tmp_path / "db", [good_dir], include_bundled=False)
    assert not dead.exists() and alive.is_dir()


def test_write_store_refuses_a_file(tmp_path):
    target = tmp_path / "db"
    target.write_text("not a folder")
    with pytest.raises(UsageError) as info:
        write_store(target, [])
    assert str(info.value) == f"{target} is a file; give a folder for the store (e.g. {tmp_path / 'graph-db'})"
    assert target.read_text() == "not a folder"


# -- endpoints: timeouts and answers that are not SPARQL results -----------------------------------

def test_http_timeout_comes_from_the_environment(monkeypatch):
    from thbkg.graph.store.source import http_timeout

    monkeypatch.delenv("THBKG_HTTP_TIMEOUT", raising=False)
    assert http_timeout() == 30.0
    monkeypatch.setenv("THBKG_HTTP_TIMEOUT", "2.5")
    assert http_timeout() == 2.5
    monkeypatch.setenv("THBKG_HTTP_TIMEOUT", "soon")
    with pytest.raises(UsageError, match=r"^THBKG_HTTP_TIMEOUT='soon': give a number of seconds greater than 0$"):
        http_timeout()


def test_an_endpoint_answer_larger_than_the_limit_is_refused():
    from reliability.network_fakes import RawServer, http_answer

    from thbkg.graph.store.source import endpoint_request

    body = b"x" * 5000
    with RawServer(lambda *request: http_answer("200 OK", body, {"Content-Type": "text/csv"})) as server:
        with pytest.raises(ThbkgError) as info:
            endpoint_request(server.url + "/query", {"query": "ASK {}"}, accept="text/csv", max_bytes=4096)
        assert str(info.value) == (f"the SPARQL endpoint {server.url}/query sent more than 0 MB; narrow the "
                                   "query down (filters, LIMIT)")
        media, got = endpoint_request(server.url + "/query", {"query": "ASK {}"}, accept="text/csv")
        assert (media, got) == ("text/csv", body)


def test_a_hung_endpoint_gives_up_after_the_timeout():
    from reliability.network_fakes import RawServer

    with RawServer(lambda *request: None) as server:
        source = GraphSource(endpoint=server.url + "/query", http_timeout=0.5)
        with pytest.raises(ThbkgError) as info:
            source.select("SELECT * WHERE { ?s ?p ?o }")
    assert str(info.value) == (f"the SPARQL endpoint {server.url}/query did not answer within 0.5 s (is the "
                               "server running and reachable? THBKG_HTTP_TIMEOUT=S waits longer)")


def test_long_queries_are_posted_as_a_form():
    from reliability.network_fakes import RawServer, count_answer

    from thbkg.graph.store.source import endpoint_request

    with RawServer(lambda *request: count_answer(3)) as server:
        endpoint_request(server.url + "/query", {"query": "ASK {}"}, accept="application/sparql-results+json")
        endpoint_request(server.url + "/query", {"query": "# " + "x" * 3000 + "\nASK {}"},
                         accept="application/sparql-results+json")
        assert [method for method, _ in server.requests] == ["GET", "POST"]
