"""Size and early refusals (issue 8, item 7): names given on the command line are refused before
the network is read, metrics too costly for the graph are refused before they start, and a large
map gets a warning that names --top.

Every command runs through the real CLI on a persistent Oxigraph store holding the fictional mini
graph (tests/fixtures/analytics/mini.ttl: actors ca, cb, cc, cd, ce, ag1, ag2, io1, proc1, tr1;
regions east and south). "No load" is observed with a spy on
:func:`thbkg.graph.network.projections.fetch_records`, the step that reads every actor and link record.
The 20,000-actor memory figures are measured by benchmarks/bench_memory.py, not here.
"""

from __future__ import annotations

import os

import pytest

from thbkg.cli.main import cli


@pytest.fixture()
def record_loads(monkeypatch):
    """Calls of fetch_records (the full read of the records) made during a test."""
    from thbkg.graph.network import projections

    calls = []
    real = projections.fetch_records

    def spy(source):
        calls.append(source)
        return real(source)

    monkeypatch.setattr(projections, "fetch_records", spy)
    return calls


@pytest.fixture()
def run(runner, mini_store):
    def invoke(*args):
        result = runner.invoke(cli, [*args, "--store", str(mini_store)])
        assert "Traceback" not in (result.output or "") and "Internal error" not in (result.output or "")
        return result
    return invoke


def error_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


# ---------------------------------------------------------------------- unknown ids, before loading
@pytest.mark.parametrize("args, message", [
    (("path", "cd", "atlantis"), "unknown actor 'atlantis'"),
    (("path", "ag3", "cd"), "unknown actor 'ag3' (did you mean ag2, ag1?)"),
    (("whatif", "--remove", "nobody"), "unknown actor 'nobody'"),
    (("whatif", "--remove", "ag1,agx2"), "unknown actor 'agx2' (did you mean ag2?)"),
    (("centrality", "--exclude", "nobody"), "unknown actor(s) in --exclude: nobody"),
    (("whatif", "--remove", "ag1", "--exclude", "nobody"), "unknown actor(s) in --exclude: nobody"),
    (("centrality", "--region", "atlantis"), "unknown region(s): atlantis (known: east, south)"),
    (("path", "ca", "cd", "--region", "atlantis"), "unknown region(s): atlantis (known: east, south)"),
    (("map", "-o", "-", "--region", "atlantis"), "unknown region(s): atlantis (known: east, south)"),
    (("report", "-o", "-", "--exclude", "nobody"), "unknown actor(s) in --exclude: nobody"),
    (("export", "--format", "csv", "--region", "atlantis"), "unknown region(s): atlantis (known: east, south)"),
])
def test_unknown_names_are_refused_before_the_records_are_read(run, record_loads, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert error_lines(result) == [f"Error: {message}"]
    assert record_loads == []


def test_labels_and_known_ids_pass_the_early_check(run, record_loads):
    # "country d" is Country D's label in another case; Agency Two is ag2's label
    result = run("path", "country d", "ca", "--format", "json")
    assert result.exit_code == 0, result.output
    assert run("whatif", "--remove", "Agency Two", "--format", "json").exit_code == 0
    assert run("centrality", "--region", "east", "--exclude", "ag1").exit_code == 0
    assert len(record_loads) == 3


def test_an_actor_filtered_out_is_still_told_apart_from_an_unknown_one(run, record_loads):
    # ca exists, so the early check lets it through; under --region east it has no link left
    result = run("path", "ca", "cd", "--region", "east")
    assert result.exit_code == 2
    assert error_lines(result) == [("Error: actor 'ca' has no link left under the filters (region=east); "
                                   "loosen the filters")]
    assert len(record_loads) == 1


def test_a_bad_date_is_refused_before_the_store_is_even_queried(runner, tmp_path, record_loads):
    missing = tmp_path / "no-store"  # not a store at all: a query would fail with another message
    result = runner.invoke(cli, ["centrality", "--as-of", "2015-31-12", "--store", str(missing)])
    assert result.exit_code == 2
    assert error_lines(result) == [("Error: --as-of '2015-31-12' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD "
                                   "or 'today')")]
    assert record_loads == []


# ---------------------------------------------------------------------- the same from tables (--data)
@pytest.fixture(scope="module")
def synth_tables(tmp_path_factory):
    """Ten synthetic actors in tables (thbkg synth), read with --data and without the bundled tables."""
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("scale") / "synth"
    result = CliRunner().invoke(cli, ["synth", "--actors", "10", "--links", "20", "--seed", "3", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def read_column(path, column) -> list[str]:
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return [row[column] for row in csv.DictReader(handle)]


@pytest.fixture()
def record_store_builds(monkeypatch):
    """Calls of built_ntriples (the tables turned into the store's triples) during a test."""
    from thbkg.graph.store import source

    calls = []
    real = source.built_ntriples

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(source, "built_ntriples", spy)
    return calls


@pytest.mark.parametrize("args, message", [
    (("path", "nobody", "syn-a000001"), "unknown actor 'nobody'"),
    (("whatif", "--remove", "nobody"), "unknown actor 'nobody'"),
    (("centrality", "--exclude", "nobody"), "unknown actor(s) in --exclude: nobody"),
])
def test_with_tables_unknown_names_are_refused_before_the_store_is_built(runner, synth_tables, monkeypatch,
                                                                        record_loads, record_store_builds,
                                                                        args, message):
    monkeypatch.setenv("THBKG_NO_BUNDLED", "1")
    result = runner.invoke(cli, [*args, "--data", str(synth_tables)])
    assert result.exit_code == 2
    assert error_lines(result) == [f"Error: {message}"]
    assert record_store_builds == [] and record_loads == []


def test_with_tables_an_unknown_region_lists_the_regions_of_regions_csv(runner, synth_tables, monkeypatch,
                                                                       record_store_builds):
    monkeypatch.setenv("THBKG_NO_BUNDLED", "1")
    known = ", ".join(sorted(read_column(synth_tables / "regions.csv", "id")))
    result = runner.invoke(cli, ["map", "-o", "-", "--region", "atlantis", "--data", str(synth_tables)])
    assert result.exit_code == 2
    assert error_lines(result) == [f"Error: unknown region(s): atlantis (known: {known})"]
    assert record_store_builds == []


def test_with_tables_a_label_passes_the_early_check(runner, synth_tables, monkeypatch, record_loads):
    monkeypatch.setenv("THBKG_NO_BUNDLED", "1")
    label = read_column(synth_tables / "actors.csv", "label")[1]  # any actor's label, in upper case
    result = runner.invoke(cli, ["whatif", "--remove", label.upper(), "--format", "json",
                                 "--data", str(synth_tables)])
    assert result.exit_code == 0, result.output
    assert len(record_loads) == 1


# ---------------------------------------------------------------------- metrics too large for the graph
def too_large(metrics: str, n: int, limit: int) -> str:
    return (f"Error: {metrics} on {n} actors: it needs a breadth-first search from every actor, and thbkg "
            f"computes it only up to {limit} actors; narrow the graph with --region, --type, --actor-type, "
            "--as-of or --min-confidence, or give --no-size-limit to compute it anyway (hours at this size)")


@pytest.fixture()
def small_limit(monkeypatch):
    """Lower the exact-closeness limit to 5 actors, so the 10-actor mini graph is 'too large'."""
    from thbkg.graph.analytics import centrality

    monkeypatch.setattr(centrality, "EXACT_CLOSENESS_LIMIT", 5)
    return 5


def test_closeness_too_large_is_refused_before_loading(run, record_loads, small_limit):
    result = run("centrality", "--metric", "closeness", "--metric", "harmonic")
    assert result.exit_code == 2
    assert error_lines(result) == [too_large("closeness and harmonic", 10, small_limit)]
    assert record_loads == []
    result = run("whatif", "--remove", "ag1", "--metric", "closeness")
    assert error_lines(result) == [too_large("closeness", 10, small_limit)] and record_loads == []


def test_with_filters_the_size_is_checked_after_loading_and_before_computing(run, record_loads, small_limit,
                                                                             monkeypatch):
    from thbkg.graph.analytics import centrality

    computed = []
    monkeypatch.setattr(centrality, "compute_centrality", lambda *a, **k: computed.append(a))
    result = run("centrality", "--metric", "closeness", "--exclude", "ag1")  # 9 actors left
    assert result.exit_code == 2
    assert error_lines(result) == [too_large("closeness", 9, small_limit)]
    assert len(record_loads) == 1 and computed == []


def test_within_the_limit_or_with_no_size_limit_closeness_runs(run, small_limit):
    # --type treaty_party keeps tr1 and its three parties: 4 actors, within the limit of 5
    assert run("centrality", "--metric", "closeness", "--type", "treaty_party").exit_code == 0
    result = run("centrality", "--metric", "closeness", "--no-size-limit", "--format", "csv")
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 1 + 8  # the mini graph's 8 actors (proc1, tr1 are frameworks)


# ---------------------------------------------------------------------- map size warning
def test_a_map_over_the_size_limit_warns_and_names_top(run, tmp_path, monkeypatch):
    from thbkg.graph.outputs.maps import render

    monkeypatch.setattr(render, "MAP_WARN_BYTES", 1000)
    out = tmp_path / "map.html"
    result = run("map", "-o", str(out))
    assert result.exit_code == 0
    size_mb = f"{os.path.getsize(out) / 1e6:.1f}"
    # 10 actors: the suggestion is a quarter of them, 2
    assert (f"Warning: the map is {size_mb} MB (10 actors): browsers take many seconds to draw it and to "
            "answer each click; keep the most central actors with --top N, e.g. --top 2") in result.output.splitlines()


def test_a_map_under_the_limit_does_not_warn(run, tmp_path):
    result = run("map", "-o", str(tmp_path / "map.html"))
    assert result.exit_code == 0
    assert "Warning" not in result.output


def test_write_map_takes_the_threshold_as_a_parameter(mini_network, tmp_path):
    from thbkg.graph.outputs.maps import write_map

    info = write_map(mini_network, tmp_path / "m.html", top=8, warn_bytes=1)
    assert info.warnings == [(f"the map is {info.bytes / 1e6:.1f} MB (8 actors): browsers take many seconds to "
                             "draw it and to answer each click; keep the most central actors with a smaller "
                             "--top, e.g. --top 2")]
