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


# -- columns in any order, optional columns left out ---------------------------------------------

def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows({column: row.get(column, "") for column in header} for row in rows)


def test_columns_may_come_in_any_order(good_copy):
    # every table of the fixture written back with its columns reversed: the same records, the same lines
    before = {path.stem: _rows(path) for path in good_copy.glob("*.csv")}
    for name, rows in before.items():
        _write(good_copy / f"{name}.csv", list(reversed(list(rows[0]))), rows)
    ds = load_dataset([good_copy], include_bundled=False)
    for name, rows in before.items():
        records = ds.table(name)
        assert [{k: r[k] for k in rows[0]} for r in records] == rows
        assert [r.line for r in records] == list(range(2, len(rows) + 2))


def test_a_table_with_only_the_required_columns_loads(tmp_path):
    # the required columns of docs/design.md and data/README.md, in another order; every other column is empty
    (tmp_path / "sources.csv").write_text("title,id\nExample page,example-source\n", encoding="utf-8")
    (tmp_path / "actors.csv").write_text("type,label,id\nngo,Example NGO,example-ngo\n", encoding="utf-8")
    ds = load_dataset([tmp_path], include_bundled=False)
    (actor,) = ds.actors
    assert (actor["id"], actor["label"], actor["type"]) == ("example-ngo", "Example NGO", "ngo")
    assert {k: v for k, v in actor.items() if v} == {"id": "example-ngo", "label": "Example NGO", "type": "ngo"}
    assert set(actor) == {"id", "label", "aliases", "type", "iso2", "iso3", "wikidata", "eu_authority", "seat",
                          "lat", "lon", "parent", "sources", "confidence", "note"}
    (source,) = ds.sources
    assert source["kind"] == "" and source["url"] == ""


@pytest.mark.parametrize("table, header, column, message", [
    ("actors", "id,label,aliases", "type",
     ("missing column; actors.csv needs the columns id,label,type (in any order) and may add "
     "aliases,iso2,iso3,wikidata,eu_authority,seat,lat,lon,parent,sources,confidence,note")),
    ("links", "id,subject,object,type,sources", "confidence",
     ("missing column; links.csv needs the columns id,subject,object,type,sources,confidence (in any order) and "
     "may add role,start,end,status,instrument,date_confidence,note,amount,currency,covers,round")),
    ("sources", "title,kind", "id",
     ("missing column; sources.csv needs the columns id,title (in any order) and may add "
     "publisher,url,issued,accessed,kind,note")),
    ("region_members", "region,actor,sources", "confidence",
     ("missing column; region_members.csv needs the columns region,actor,sources,confidence (in any order) and "
     "may add note")),
])
def test_missing_required_column_names_required_and_optional_columns(tmp_path, table, header, column, message):
    (tmp_path / f"{table}.csv").write_text(header + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset([tmp_path], include_bundled=False)
    assert [str(p) for p in info.value.problems] == [f"{tmp_path / table}.csv:1: column '{column}': {message}"]


def test_unknown_source_kind_is_reported(tmp_path):
    (tmp_path / "sources.csv").write_text("id,title,kind\ns1,A page,oficial_page\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset([tmp_path], include_bundled=False)
    assert [p.message for p in info.value.problems] == [
        ("unknown source kind 'oficial_page' (did you mean 'official_page'? allowed: official_text, official_page, "
        "secondary, general_knowledge, memory)")]


def test_aliases_are_split_on_semicolons(tmp_path):
    (tmp_path / "actors.csv").write_text("id,label,type,aliases\nexample-ngo,Example NGO,ngo,ExNGO; Ex-NGO\n",
                                         encoding="utf-8")
    (actor,) = load_dataset([tmp_path], include_bundled=False).actors
    assert split_multi(actor["aliases"]) == ["ExNGO", "Ex-NGO"]


# -- comment rows ---------------------------------------------------------------------------------

def test_rows_starting_with_hash_are_comments(good_copy):
    path = good_copy / "regions.csv"
    header, row = path.read_text(encoding="utf-8").splitlines()
    path.write_text(f"{header}\n#example-region,Example,\"a, b\",eeas-sahel,high\n  # a note, free text\n"
                    f"{row}\n# the end\n", encoding="utf-8")
    ds = load_dataset([good_copy], include_bundled=False)
    assert [(r["id"], r.line) for r in ds.regions] == [("sahel", 4)]


def test_a_comment_row_may_have_any_number_of_cells_and_bad_values(good_copy):
    # a comment is not checked at all: not its cell count, not its ids
    path = good_copy / "links.csv"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("#x,y\n#BAD ID,nobody,nowhere,no_type,,2019-13-40,,,,,,,\n")
    ds = load_dataset([good_copy], include_bundled=False)
    assert len(ds.links) == 6


def test_a_quoted_first_cell_starting_with_hash_is_data(tmp_path):
    (tmp_path / "sources.csv").write_text('title,id\n"#MeToo: a campaign page",s1\n', encoding="utf-8")
    (source,) = load_dataset([tmp_path], include_bundled=False).sources
    assert source["title"] == "#MeToo: a campaign page"


def test_a_problem_below_a_comment_row_keeps_its_physical_line(tmp_path):
    (tmp_path / "sources.csv").write_text("id,title,issued\n#example-source,Example,2020\ns1,A page,2019-13\n",
                                          encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset([tmp_path], include_bundled=False)
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path / 'sources.csv'}:3: column 'issued': '2019-13' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"]


def test_a_comment_above_the_header_is_refused(tmp_path):
    (tmp_path / "regions.csv").write_text("# my regions\nid,label\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset([tmp_path], include_bundled=False)
    assert [str(p) for p in info.value.problems] == [
        (f"{tmp_path / 'regions.csv'}:1: the first line starts with '#', but it must be the header row (the column "
        "names, at least id,label); move comment rows below the header")]


@pytest.mark.parametrize("text", ["٢٠١٣", "２０１３", "2013-٠٦", "२०१३-01-02"])
def test_dates_are_written_in_ascii_digits_only(text):
    from thbkg.graph.rdf.dates import period_of

    assert period_of(text) is None  # other scripts' digits would become ill-typed xsd:gYear literals
