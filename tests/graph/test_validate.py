"""graph/validate.py: table checks, then SHACL results located back in the CSV tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from thbkg.graph.build import dataset_to_graph
from thbkg.graph.errors import Problem
from thbkg.graph.namespaces import THB, THBID
from thbkg.graph.tables import load_dataset
from thbkg.graph.validate import record_index, shacl_problems, validate


def test_good_fixture_is_valid(good_dir):
    report = validate([good_dir], include_bundled=False)
    assert report.problems == []
    assert report.conforms is True
    assert report.summary() == "OK: 8 actors, 6 links, 7 sources; SHACL conforms"


def test_table_problems_stop_before_shacl(fixtures_dir):
    report = validate([fixtures_dir / "bad" / "bad_date"], include_bundled=False)
    assert report.conforms is None and report.dataset is None
    assert [p.column for p in report.problems] == ["end"]


def test_shacl_results_point_at_the_csv_row(good_dir):
    ds = load_dataset([good_dir], include_bundled=False)
    graph = dataset_to_graph(ds)
    # break the graph behind the tables' back: a link loses its sources, an interval gets a sub-node
    link = THBID["link/frontex-ng-wa"]
    graph.remove((link, None, THBID["source/frontex-wa"]))
    conforms, problems, _warnings = shacl_problems(graph, ds)
    assert not conforms
    line = next(rec.line for rec in ds.links if rec["id"] == "frontex-ng-wa")
    assert Problem(ds.links[0].file, line, "sources",
                   "Every link must cite at least one source (prov:wasDerivedFrom).") in problems


def test_sub_nodes_map_to_their_record(good_dir):
    from thbkg.graph.validate import _locate

    ds = load_dataset([good_dir], include_bundled=False)
    index = record_index(ds)
    rec = _locate(THBID["link/europol-al-op/interval"], index)
    assert rec["id"] == "europol-al-op"
    assert _locate(THBID["actor/al/seat/geometry"], index)["id"] == "al"
    assert _locate(THB.Country, index) is None


def test_bundled_data_is_valid():
    from thbkg.graph.tables import bundled_data_dir

    if not (Path(bundled_data_dir()) / "links.csv").is_file():
        pytest.skip("the bundled tables are not written yet")
    report = validate()
    assert [str(p) for p in report.problems] == []
