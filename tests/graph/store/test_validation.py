"""``thbkg validate`` through the store cache: the same report as without it, checked once per set of tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thbkg.graph.rdf.validate import validate
from thbkg.graph.store import cache
from thbkg.graph.store.validation import validate_tables

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("THBKG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("THBKG_CACHE_TRACE", str(tmp_path / "trace.txt"))
    monkeypatch.delenv("THBKG_NO_CACHE", raising=False)
    return tmp_path / "cache"


def events(cache_dir) -> list[str]:
    trace = cache_dir.parent / "trace.txt"
    return [line.split()[0] for line in trace.read_text().splitlines()] if trace.exists() else []


@pytest.mark.parametrize("folder", ["good", "hostile", "bad/country_without_iso2"])
@pytest.mark.parametrize("strict", [False, True])
def test_the_cached_report_is_the_plain_report(folder, strict, cache_dir):
    tables = [str(FIXTURES / folder)]
    plain = validate(tables, include_bundled=False, strict=strict)
    first = validate_tables(tables, include_bundled=False, strict=strict)
    again = validate_tables(tables, include_bundled=False, strict=strict)
    assert first.to_dict() == plain.to_dict() == again.to_dict()
    assert again.summary() == plain.summary()
    assert again.undocumented_warning() == plain.undocumented_warning()
    assert again.dataset is None  # read back: the tables were not read again


def test_a_shacl_violation_is_found_through_the_cache(cache_dir):
    report = validate_tables([str(FIXTURES / "bad/country_without_iso2")], include_bundled=False)
    (problem,) = report.problems
    assert problem.file.endswith("country_without_iso2/actors.csv") and problem.line == 6
    assert problem.column == "iso2" and "ISO 3166-1" in problem.message


def test_an_unchanged_valid_dataset_is_not_checked_again(cache_dir):
    tables = [str(FIXTURES / "good")]
    validate_tables(tables, include_bundled=False)
    (entry,) = cache.entries()
    (kept,) = entry.path.glob("validation-*.json")
    data = json.loads(kept.read_text())
    data["counts"]["actors"] = 999  # what the next run prints is what was kept
    kept.write_text(json.dumps(data))
    assert validate_tables(tables, include_bundled=False).summary().startswith("OK: 999 actors")
    assert events(cache_dir) == ["build"]


def test_the_validated_store_serves_the_next_command(cache_dir):
    from thbkg.graph.store.source import GraphSource

    tables = [str(FIXTURES / "good")]
    validate_tables(tables, include_bundled=False)
    source = GraphSource(data_dirs=tuple(tables), include_bundled=False)
    assert source.ask("ASK { ?a thb:actorType ?t }")
    assert events(cache_dir) == ["build", "hit"]


def test_unreadable_tables_leave_no_entry(cache_dir):
    tables = [str(FIXTURES / "bad/start_after_end")]
    cached = validate_tables(tables, include_bundled=False)
    assert cached.to_dict() == validate(tables, include_bundled=False).to_dict()
    assert not cached.ok and cache.entries() == []


def test_without_the_cache_nothing_is_written(cache_dir):
    report = validate_tables([str(FIXTURES / "good")], include_bundled=False, use_cache=False)
    assert report.ok and not cache_dir.exists()


def test_each_engine_and_setting_has_its_own_report(cache_dir):
    tables = [str(FIXTURES / "bad/country_without_iso2")]
    loose = validate_tables(tables, include_bundled=False)
    strict = validate_tables(tables, include_bundled=False, strict=True)
    reference = validate_tables(tables, include_bundled=False, engine="pyshacl")
    assert len(strict.problems) > len(loose.problems)  # the fixture's links rest on placeholders
    assert reference.to_dict() == loose.to_dict()
    (entry,) = cache.entries()
    assert len(list(entry.path.glob("validation-*.json"))) == 3
