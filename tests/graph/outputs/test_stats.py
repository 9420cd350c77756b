"""graph/outputs/stats.py: the SPARQL counts against counts made independently from the CSV files."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from thbkg.graph.outputs.stats import compute_stats, format_stats
from thbkg.graph.store.source import GraphSource


def _rows(folder, table):
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("store", [None, "memory"])
def test_stats_match_the_csv(good_dir, store):
    stats = compute_stats(GraphSource([str(good_dir)], store=store, include_bundled=False))
    actors, links, sources = (_rows(good_dir, t) for t in ("actors", "links", "sources"))
    assert stats["actors"]["total"] == len(actors)
    assert stats["actors"]["by_type"] == dict(Counter(a["type"] for a in actors))
    assert stats["links"]["total"] == len(links)
    assert stats["links"]["by_type"] == dict(Counter(link["type"] for link in links))
    assert stats["links"]["by_status"] == dict(Counter(link["status"] or "unknown" for link in links))
    assert stats["links"]["by_confidence"] == dict(Counter(link["confidence"] for link in links))
    assert stats["sources"] == len(sources)
    with_source = sum(1 for link in links if link["sources"].strip())
    assert stats["links_with_source"] == with_source
    assert stats["share_links_with_source"] == pytest.approx(with_source / len(links))


def test_stats_of_a_mixed_dataset(good_copy):
    # add links with other statuses and confidences, so the counts are not all one value
    with open(good_copy / "links.csv", "a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["frontex-ge-wa", "ge", "frontex", "working_arrangement", "", "", "", "", "",
                         "frontex-wa", "medium", "", ""])
        writer.writerow(["europol-ng-x", "ng", "europol", "strategic_agreement", "", "", "", "ended", "",
                         "europol-external", "low", "", ""])
    stats = compute_stats(GraphSource([str(good_copy)], include_bundled=False))
    links = _rows(good_copy, "links")
    assert stats["links"]["by_status"] == dict(Counter(link["status"] or "unknown" for link in links))
    assert stats["links"]["by_confidence"] == dict(Counter(link["confidence"] for link in links))
    assert stats["links"]["by_status"]["unknown"] == 1


def test_format_table_lists_every_count(good_dir):
    stats = compute_stats(GraphSource([str(good_dir)], include_bundled=False))
    text = format_stats(stats, "table")
    for code, n in stats["actors"]["by_type"].items():
        assert any(line.split() == [code, str(n)] for line in text.splitlines())
    assert "100.0%" in text
