"""Reading and checking the CSV tables (graph/rdf/tables.py)."""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import pytest

from thbkg.graph.errors import DataError
from thbkg.graph.rdf.dates import period_of as parse_date
from thbkg.graph.rdf.tables import COLUMNS, load_dataset, split_multi


@pytest.mark.parametrize("text, first, last", [
    ("2013", dt.date(2013, 1, 1), dt.date(2013, 12, 31)),
    ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ("2023-02", dt.date(2023, 2, 1), dt.date(2023, 2, 28)),
    ("2017-04-04", dt.date(2017, 4, 4), dt.date(2017, 4, 4)),
])
def test_parse_date_gives_first_and_last_day(text, first, last):
    assert parse_date(text) == (first, last)


@pytest.mark.parametrize("text", ["2019-13-40", "2023-02-29", "13", "2019/01/01", "2019-1", "20190101", " 2019"])
def test_parse_date_rejects(text):
    assert parse_date(text) is None


def test_split_multi():
    assert split_multi(" a ;b;; ") == ["a", "b"]


def test_good_fixture_loads_with_lines(good_dir):
    ds = load_dataset([good_dir], include_bundled=False)
    with open(good_dir / "actors.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in ds.actors] == [r["id"] for r in rows]
    first = ds.actors[0]
    assert first.line == 2 and first.file.endswith("actors.csv")
    assert set(first) == set(COLUMNS["actors"])


def test_line_numbers_count_physical_lines(good_copy):
    # a quoted note spanning two lines shifts the following rows by one line
    path = good_copy / "actors.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].rstrip("\n")[:-1] + ',"first line\nsecond line"\n'
    path.write_text("".join(lines), encoding="utf-8")
    ds = load_dataset([good_copy], include_bundled=False)
    assert ds.actors[0]["note"] == "first line\nsecond line"
    assert [a.line for a in ds.actors[:3]] == [2, 4, 5]


def test_tables_missing_from_an_extra_folder_are_fine(good_dir, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "sources.csv").write_text(
        "id,title,publisher,url,issued,accessed,note\nextra-src,An extra source,,,2020,,\n", encoding="utf-8")
    ds = load_dataset([good_dir, extra], include_bundled=False)
    assert "extra-src" in ds.ids("sources")
    assert len(ds.actors) == 8


def test_identical_rows_in_two_folders_are_one_record(good_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(good_dir, copy)
    ds = load_dataset([good_dir, copy], include_bundled=False)
    assert len(ds.actors) == 8 and len(ds.links) == 6


def test_all_problems_are_collected(good_copy):
    text = (good_copy / "links.csv").read_text(encoding="utf-8")
    text = text.replace("2017-04-04", "2017-04-31").replace(",2021-03-11,", ",2021-3-11,")
    (good_copy / "links.csv").write_text(text, encoding="utf-8")
    actors = (good_copy / "actors.csv").read_text(encoding="utf-8").replace("19.8187", "east")
    (good_copy / "actors.csv").write_text(actors, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset([good_copy], include_bundled=False)
    found = [(p.file.rsplit("/", 1)[-1], p.line, p.column) for p in info.value.problems]
    assert found == [("actors.csv", 5, "lon"), ("links.csv", 3, "start"), ("links.csv", 7, "start")]


def test_unknown_column_suggests_the_right_name(good_copy):
    path = good_copy / "regions.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("definition", "defintion"), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset([good_copy], include_bundled=False)
    messages = [str(p) for p in info.value.problems]
    assert any("column 'defintion': unknown column (did you mean 'definition'?)" in m for m in messages)


def test_iso3_must_match_iso2(good_copy):
    path = good_copy / "actors.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("AL,ALB", "AL,AUT"), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset([good_copy], include_bundled=False)
    assert [p.message for p in info.value.problems] == [
        "'AUT' does not match iso2 'AL' (the alpha-3 code of AL is ALB)"]


def test_no_bundled_environment_variable(monkeypatch, good_dir):
    from thbkg.graph.rdf.tables import data_folders

    monkeypatch.setenv("THBKG_NO_BUNDLED", "1")
    assert [str(f) for f in data_folders([good_dir])] == [str(good_dir)]
    monkeypatch.delenv("THBKG_NO_BUNDLED")
    assert len(data_folders([good_dir])) == 2


def test_find_cycles_agrees_with_networkx():
    import random

    import networkx as nx

    from thbkg.graph.rdf.tables import find_cycles

    rng = random.Random(8)
    for _ in range(300):
        nodes = [f"n{i:02d}" for i in range(rng.randrange(2, 12))]
        pairs = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(rng.randrange(0, 25))]
        edges = {}
        for a, b in pairs:
            if a != b:
                edges.setdefault(a, []).append(b)
        graph = nx.DiGraph([(a, b) for a, targets in edges.items() for b in targets])
        groups = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
        cycles = find_cycles(edges)
        assert sorted(c[0] for c in cycles) == sorted(min(g) for g in groups)
        for cycle in cycles:
            assert len(set(cycle)) == len(cycle)
            assert all(graph.has_edge(a, b) for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True))
            start = cycle[0]
            shortest = min(nx.shortest_path_length(graph, start, p) + 1 for p in graph.predecessors(start)
                           if nx.has_path(graph, start, p))
            assert len(cycle) == shortest


def test_find_cycles_on_a_long_chain_needs_no_recursion():
    from thbkg.graph.rdf.tables import find_cycles

    chain = {f"a{i:05d}": [f"a{i + 1:05d}"] for i in range(20_000)}
    assert find_cycles(chain) == []
    chain["a20000"] = ["a00000"]
    (cycle,) = find_cycles(chain)
    assert len(cycle) == 20_001 and cycle[:2] == ["a00000", "a00001"]


@pytest.mark.parametrize("text, expected", [
    ("https://example.org", True),
    ("http://example.org/a?b=1#c", True),
    ("https://[::1]/x", True),
    ("https://[::1/x", False),
    ("http:///etc/passwd", False),
    ("data:text/html,<b>x</b>", False),
    ("javascript:alert(1)", False),
    ("file:///etc/passwd", False),
    ("ftp://example.org/", False),
    ("https://example.org/a b", False),
])
def test_is_web_address(text, expected):
    from thbkg.graph.rdf.tables import is_web_address

    assert is_web_address(text) is expected


def test_field_size_limit_is_restored(good_copy):
    replace = (good_copy / "links.csv").read_text(encoding="utf-8").replace("signed in Tbilisi", "x" * 200_000)
    (good_copy / "links.csv").write_text(replace, encoding="utf-8")
    before = csv.field_size_limit()
    with pytest.raises(DataError):
        load_dataset([good_copy], include_bundled=False)
    assert csv.field_size_limit() == before
