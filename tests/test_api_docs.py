"""docs/api.md and the README's Python API section: every example runs, on the bundled data."""

from __future__ import annotations

import doctest
import re
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API_DOC = ROOT / "docs" / "api.md"
README = ROOT / "README.md"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.fixture()
def private_tmp(tmp_path, monkeypatch):
    """The temporary folders the examples make (tempfile.mkdtemp) land under pytest's tmp_path."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv("THBKG_NO_BUNDLED", raising=False)
    return tmp_path


def test_every_example_of_the_api_page_runs(private_tmp):
    result = doctest.testfile(str(API_DOC), module_relative=False, optionflags=FLAGS, encoding="utf-8",
                              raise_on_error=False)
    assert result.failed == 0, f"{result.failed} example(s) of docs/api.md failed (the report is above)"
    # the page loads, filters, builds a store, ranks, brokers, paths, coverage, evidence and a query
    assert result.attempted >= 80
    assert any(private_tmp.iterdir()), "the examples' own tables and store are made in a temporary folder"


def _example_lines(text: str) -> list[str]:
    """The lines doctest runs: those starting with >>> or ... (after spaces)."""
    return [line.strip() for line in text.splitlines() if line.lstrip().startswith((">>>", "... "))]


def test_only_the_endpoint_call_is_skipped():
    skipped = [line for line in API_DOC.read_text(encoding="utf-8").splitlines() if "+SKIP" in line]
    assert skipped == [">>> remote_network = load_network(remote)  # doctest: +SKIP"]


def test_the_examples_do_not_need_pandas():
    examples = _example_lines(API_DOC.read_text(encoding="utf-8"))
    assert examples, "docs/api.md has no example"
    assert not [line for line in examples if "pandas" in line or re.search(r"\bpd\.", line)]
    assert "pandas.DataFrame(rows)" in API_DOC.read_text(encoding="utf-8")


def test_the_api_page_covers_every_way_to_load_the_graph():
    text = API_DOC.read_text(encoding="utf-8")
    for needle in ("GraphSource()", "data_dirs=[", "include_bundled=False", "GraphSource(store=",
                   'endpoint="http', "Filters(", "cooperation_graph()", 'frameworks="as-nodes"', "multigraph()",
                   "rank_actors(", "group_brokers(", "shortest_paths(", "coverage_rows(", "evidence_summary(",
                   "named_query(", "run_query("):
        assert needle in _joined_examples(text), f"no example uses {needle}"


def _joined_examples(text: str) -> str:
    return "\n".join(_example_lines(text))


def _readme_python_section() -> tuple[str, str]:
    """The README's "## Python API" section and its python code block."""
    readme = README.read_text(encoding="utf-8")
    match = re.search(r"^## Python API\n(.*?)(?=^## )", readme, flags=re.DOTALL | re.MULTILINE)
    assert match, "README.md has no '## Python API' section"
    section = match.group(1)
    code = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert code, "the README's Python API section has no python block"
    return section, code.group(1)


def test_the_readme_quick_start_runs_and_links_the_api_page(monkeypatch):
    monkeypatch.delenv("THBKG_NO_BUNDLED", raising=False)
    section, code = _readme_python_section()
    assert "(docs/api.md)" in section
    assert 10 <= len(section.strip().splitlines()) <= 20
    assert len(code.strip().splitlines()) == 5
    names: dict = {}
    exec(compile(code, "README.md", "exec"), names)  # noqa: S102 - the README's own example
    rows, params = names["rows"], names["params"]
    assert params["top"] == 15 and len(rows) >= 15
    assert all(type(value) in (str, int, float) for row in rows for value in row.values() if value is not None)
