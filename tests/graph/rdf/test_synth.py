"""thbkg synth: valid, deterministic, realistic in shape, clearly synthetic."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from thbkg.graph.rdf.synth import LINK_TYPES, synthetic_tables, write_synthetic


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    write_synthetic(out, actors=250, links=3000, seed=7)
    return out


def _rows(folder, name):
    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_tables_pass_validation(folder, runner):
    from thbkg.cli.main import cli

    result = runner.invoke(cli, ["validate", "--no-bundled", "--data", str(folder)])
    assert result.exit_code == 0, result.output
    assert "250 actors, 3000 links" in result.output and "SHACL conforms" in result.output


def test_same_seed_same_bytes_other_seed_other_data(tmp_path, folder):
    write_synthetic(tmp_path / "again", actors=250, links=3000, seed=7)
    write_synthetic(tmp_path / "other", actors=250, links=3000, seed=8)
    for name in ("actors", "links", "sources", "region_members"):
        assert (tmp_path / "again" / f"{name}.csv").read_bytes() == (folder / f"{name}.csv").read_bytes()
    assert (tmp_path / "other" / "links.csv").read_bytes() != (folder / "links.csv").read_bytes()


def test_clearly_synthetic(folder):
    assert all(r["id"].startswith("syn-") for r in _rows(folder, "actors") + _rows(folder, "links"))
    assert all("synthetic" in r["title"].lower() for r in _rows(folder, "sources"))


def test_realistic_shape(folder):
    actors = {r["id"]: r for r in _rows(folder, "actors")}
    types = Counter(r["type"] for r in actors.values())
    assert types["country"] > 0.8 * len(actors)             # many countries
    assert 1 <= types["eu_agency"] <= 0.05 * len(actors)      # few agencies and frameworks
    links = _rows(folder, "links")
    for link in links:                                       # link types fit the actor types
        _, subject_types, object_types = LINK_TYPES[link["type"]]
        assert actors[link["subject"]]["type"] in subject_types
        assert actors[link["object"]]["type"] in object_types
    degree = Counter(x for link in links for x in (link["subject"], link["object"]))
    top = sorted(degree.values(), reverse=True)
    assert top[0] > 10 * (sum(top) / len(top))              # hubs: a skewed degree distribution
    years = [int(link["start"][:4]) for link in links if link["start"]]
    assert min(years) >= 1995 and max(years) <= 2026 and len(years) > 0.8 * len(links)
    assert Counter(link["status"] for link in links)["ended"] > 0
    assert all(link["end"] for link in links if link["status"] == "ended")
    assert set(Counter(link["confidence"] for link in links)) == {"high", "medium", "low"}
    cited = Counter(s for link in links for s in link["sources"].split(";"))
    counts = sorted(cited.values(), reverse=True)
    assert counts[0] > 20 * counts[len(counts) // 2]        # sources shared Zipf-like
    assert _rows(folder, "region_members")


def test_big_datasets_keep_countries_to_real_iso_codes():
    tables = synthetic_tables(actors=2000, links=10, seed=1)
    countries = [r for r in tables["actors"] if r["type"] == "country"]
    assert len(countries) <= 249 and len({r["iso2"] for r in countries}) == len(countries)
    assert len(tables["actors"]) == 2000
