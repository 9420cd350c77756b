"""The store cache: built once per set of tables, reused, invalidated by one byte, safe when killed or raced.

Each test gets its own cache folder (THBKG_CACHE) and a trace file (THBKG_CACHE_TRACE) in which the
cache writes one line per event ("build KEY PID" or "hit KEY PID"): the counter the tests read.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from thbkg.graph.store import cache
from thbkg.graph.store.source import GraphSource

GOOD = Path(__file__).resolve().parents[2] / "fixtures" / "good"
COUNT_ACTORS = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a thb:actorType ?t }"


@pytest.fixture()
def tables(tmp_path) -> Path:
    """A copy of the small valid fixture tables, free to change."""
    folder = tmp_path / "tables"
    shutil.copytree(GOOD, folder)
    return folder


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("THBKG_CACHE", str(folder))
    monkeypatch.setenv("THBKG_CACHE_TRACE", str(tmp_path / "trace.txt"))
    monkeypatch.delenv("THBKG_NO_CACHE", raising=False)
    return folder


def events(tmp_path) -> list[str]:
    trace = tmp_path / "trace.txt"
    return [line.split()[0] for line in trace.read_text().splitlines()] if trace.exists() else []


def actor_count(tables) -> int:
    source = GraphSource(data_dirs=(str(tables),), include_bundled=False)
    return int(source.select(COUNT_ACTORS)[0]["n"])


def hand_count_actors(tables) -> int:
    """Actors in actors.csv, counted from the file (rows that are not comments)."""
    import csv

    with open(tables / "actors.csv", encoding="utf-8", newline="") as f:
        return sum(1 for row in csv.DictReader(f) if row["id"] and not row["id"].startswith("#"))


def test_second_source_reuses_the_store(tables, cache_dir, tmp_path):
    first = GraphSource(data_dirs=(str(tables),), include_bundled=False)
    assert int(first.select(COUNT_ACTORS)[0]["n"]) == hand_count_actors(tables)
    assert first.cache_entry.built
    second = GraphSource(data_dirs=(str(tables),), include_bundled=False)
    assert int(second.select(COUNT_ACTORS)[0]["n"]) == hand_count_actors(tables)
    assert not second.cache_entry.built
    assert events(tmp_path) == ["build", "hit"]


def test_one_byte_in_a_table_gives_a_new_entry(tables, cache_dir, tmp_path):
    before = cache.cache_key([tables])
    path = tables / "sources.csv"
    path.write_bytes(path.read_bytes() + b"\n")  # a blank line: the same data, other bytes
    assert cache.cache_key([tables]) != before
    actor_count(tables)
    path.write_bytes(path.read_bytes()[:-1])
    assert cache.cache_key([tables]) == before


def test_folder_order_is_part_of_the_key(tables, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    assert cache.cache_key([tables, other]) != cache.cache_key([other, tables])


def test_the_ontology_and_the_version_are_part_of_the_key(tables, tmp_path, monkeypatch):
    import thbkg.graph
    from thbkg.graph.rdf.vocab import ontology_file

    before = cache.cache_key([tables])
    copy = tmp_path / "thbkg.ttl"
    copy.write_bytes(Path(str(ontology_file())).read_bytes() + b"\n# one more line\n")
    monkeypatch.setenv("THBKG_ONTOLOGY", str(copy))
    assert cache.cache_key([tables]) != before
    monkeypatch.delenv("THBKG_ONTOLOGY")
    assert cache.cache_key([tables]) == before
    monkeypatch.setattr(thbkg.graph, "__version__", thbkg.graph.__version__ + ".post1")
    assert cache.cache_key([tables]) != before


def test_a_table_that_is_not_a_file_is_never_hashed(tables):
    (tables / "links.csv").unlink()
    os.mkfifo(tables / "links.csv")  # opening it would block; it must not be opened
    assert cache.cache_key([tables]) is None


def test_no_cache_never_writes_the_cache(tables, cache_dir, runner):
    from thbkg.cli.main import cli

    result = runner.invoke(cli, ["query", "--no-cache", "--data", str(tables), COUNT_ACTORS, "--format", "csv"],
                           env={"THBKG_NO_BUNDLED": "1"})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == str(hand_count_actors(tables))
    assert not cache_dir.exists()
    source = GraphSource(data_dirs=(str(tables),), include_bundled=False, use_cache=False)
    source.select(COUNT_ACTORS)
    assert not cache_dir.exists() and source.cache_entry is None


def test_the_environment_switch_turns_the_cache_off(tables, cache_dir, monkeypatch):
    monkeypatch.setenv("THBKG_NO_CACHE", "1")
    assert actor_count(tables) == hand_count_actors(tables)
    assert not cache_dir.exists()


def test_cache_folders_are_private(tables, cache_dir):
    actor_count(tables)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    (entry,) = cache.entries()
    assert stat.S_IMODE(entry.path.stat().st_mode) == 0o700
    assert (cache_dir / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_pruning_keeps_the_most_recently_used(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setenv("THBKG_CACHE_KEEP", "2")
    folders = []
    for n in range(3):
        folder = tmp_path / f"t{n}"
        shutil.copytree(GOOD, folder)
        (folder / "sources.csv").write_bytes((folder / "sources.csv").read_bytes() + b"\n" * n)
        folders.append(folder)
        actor_count(folder)
    kept = {entry.key for entry in cache.entries()}
    assert kept == {cache.cache_key([folders[1]]), cache.cache_key([folders[2]])}


KILLER = textwrap.dedent("""
    import os, signal, sys
    import pyoxigraph
    from thbkg.graph.store import cache
    from thbkg.graph.store.source import GraphSource

    where = sys.argv[2]
    if where == "load":   # killed while the store is being written
        real = pyoxigraph.Store.bulk_load
        def bulk_load(self, *args, **kwargs):
            real(self, *args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        pyoxigraph.Store.bulk_load = bulk_load
    else:                 # killed with the store complete, just before it is renamed into place
        cache.os.rename = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
    GraphSource(data_dirs=(sys.argv[1],), include_bundled=False).select("ASK {}")
""")


@pytest.mark.parametrize("where", ["load", "rename"])
def test_a_build_killed_midway_leaves_no_trusted_entry(tables, cache_dir, tmp_path, where):
    done = subprocess.run([sys.executable, "-c", KILLER, str(tables), where], env=os.environ.copy(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    key = cache.cache_key([tables])
    assert cache.find_entry(key) is None
    assert cache.entries() == []
    leftovers = [p.name for p in cache_dir.iterdir() if p.is_dir()]
    assert leftovers and all(name.startswith(".thbkg-tmp-") for name in leftovers)
    assert actor_count(tables) == hand_count_actors(tables)  # the next command builds it properly
    assert events(tmp_path) == ["build"]
    assert [p.name for p in cache_dir.iterdir() if p.is_dir()] == [key]  # the leftover was swept


def test_two_commands_on_new_tables_build_once(tables, cache_dir, tmp_path):
    env = {**os.environ, "THBKG_NO_BUNDLED": "1"}
    command = [shutil.which("thbkg") or "thbkg", "query", "--data", str(tables), "--format", "csv",
               "SELECT ?a WHERE { ?a thb:actorType ?t } ORDER BY ?a"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    expected = subprocess.run(command + ["--no-cache"], env=env, capture_output=True, text=True, timeout=300)
    assert expected.returncode == 0
    assert len(expected.stdout.splitlines()) == hand_count_actors(tables) + 1
    assert outputs[0][0] == outputs[1][0] == expected.stdout
    assert sorted(events(tmp_path)) == ["build", "hit"]


def test_answers_are_kept_with_the_store_and_read_back(tables, cache_dir):
    from thbkg.graph.store.query import run_query

    first = run_query(GraphSource(data_dirs=(str(tables),), include_bundled=False), COUNT_ACTORS)
    (entry,) = cache.entries()
    kept = sorted(p.name for p in entry.path.glob("answer-*.json"))
    assert len(kept) == 1
    again = run_query(GraphSource(data_dirs=(str(tables),), include_bundled=False), COUNT_ACTORS)
    assert again.rows == first.rows and int(again.rows[0][0]) == hand_count_actors(tables)
    # what is read back is what was kept: change the kept answer and the next run shows the change
    data = json.loads((entry.path / kept[0]).read_text())
    data["rows"][0][0][1] = "999"
    (entry.path / kept[0]).write_text(json.dumps(data))
    third = run_query(GraphSource(data_dirs=(str(tables),), include_bundled=False), COUNT_ACTORS)
    assert str(third.rows[0][0]) == "999"


def test_volatile_queries_are_always_run(tables, cache_dir):
    from thbkg.graph.store.query import run_query

    run_query(GraphSource(data_dirs=(str(tables),), include_bundled=False), "SELECT (NOW() AS ?t) WHERE {}")
    (entry,) = cache.entries()
    assert list(entry.path.glob("answer-*.json")) == []


def test_max_rows_applies_to_a_kept_answer(tables, cache_dir):
    from thbkg.graph.store.query import run_query

    text = "SELECT ?a WHERE { ?a thb:actorType ?t } ORDER BY ?a"
    full = run_query(GraphSource(data_dirs=(str(tables),), include_bundled=False), text)
    cut = run_query(GraphSource(data_dirs=(str(tables),), include_bundled=False), text, max_rows=2)
    assert cut.truncated and cut.rows == full.rows[:2]


def test_an_unwritable_cache_is_one_line_with_the_fix(tables, tmp_path, monkeypatch, runner):
    from thbkg.cli.main import cli

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("THBKG_CACHE", str(blocker / "cache"))
    result = runner.invoke(cli, ["query", "--data", str(tables), COUNT_ACTORS], env={"THBKG_NO_BUNDLED": "1"})
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    (line,) = result.output.splitlines()
    assert line.startswith("Error: cannot write the store cache") and "--no-cache" in line


def test_cache_info_and_clear(tables, cache_dir, runner):
    from thbkg.cli.main import cli

    actor_count(tables)
    info = runner.invoke(cli, ["cache", "info", "--format", "json"])
    assert info.exit_code == 0, info.output
    data = json.loads(info.output)
    assert data["root"] == str(cache_dir)
    (row,) = data["entries"]
    assert row["folders"] == [str(tables.resolve())] and row["key"] == cache.cache_key([tables])
    text = runner.invoke(cli, ["cache", "info"])
    assert str(tables.resolve()) in text.output and row["key"][:12] in text.output
    cleared = runner.invoke(cli, ["cache", "clear"])
    assert cleared.exit_code == 0 and cleared.output.startswith("Removed 1 entry")
    assert cache.entries() == []
    assert (cache_dir / "CACHEDIR.TAG").exists()  # only entries go


def test_a_damaged_entry_is_not_trusted(tables, cache_dir, tmp_path):
    actor_count(tables)
    (entry,) = cache.entries()
    (entry.path / "entry.json").write_text("{ not json")
    assert cache.find_entry(entry.key) is None
    assert actor_count(tables) == hand_count_actors(tables)
    assert events(tmp_path) == ["build", "build"]
    assert cache.find_entry(entry.key) is not None


def test_bulk_reads_are_kept_too(tables, cache_dir):
    query = "SELECT ?a ?label WHERE { ?a thb:actorType ?t ; rdfs:label ?label } ORDER BY ?a"
    first = GraphSource(data_dirs=(str(tables),), include_bundled=False)
    names, rows = first.select_text(query)
    terms = first.select(query)
    assert len(rows) == len(terms) == hand_count_actors(tables)
    second = GraphSource(data_dirs=(str(tables),), include_bundled=False)
    assert second.select_text(query) == (names, rows)
    assert second.select(query) == terms
    (entry,) = cache.entries()
    for kept in entry.path.glob("answer-*.json"):  # what the third source reads is what was kept
        data = json.loads(kept.read_text())
        if isinstance(data, list):
            data[1][0][1] = "changed"
            kept.write_text(json.dumps(data))
    third = GraphSource(data_dirs=(str(tables),), include_bundled=False)
    assert third.select_text(query)[1][0][1] == "changed"
