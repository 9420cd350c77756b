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


# ---------------------------------------------------------------------- evidence grades
# hand rule (codebook, data/README.md): a source is documentary iff its kind in sources.csv is one of these
DOCUMENTS = ("official_text", "official_page", "secondary")
PLACEHOLDERS = ("general_knowledge", "memory")


def _evidence_by_hand(folder):
    kinds = {row["id"]: row.get("kind") or "" for row in _rows(folder, "sources")}
    links = _rows(folder, "links")
    cited = {link["id"]: [s.strip() for s in link["sources"].split(";") if s.strip()] for link in links}
    documented = [i for i, c in cited.items() if any(kinds[s] in DOCUMENTS for s in c)]
    on_placeholders = sorted(i for i, c in cited.items() if c and all(kinds[s] in PLACEHOLDERS for s in c))
    ungraded = sorted(i for i, c in cited.items() if i not in documented and any(not kinds[s] for s in c))
    return kinds, links, documented, on_placeholders, ungraded


@pytest.fixture(scope="module")
def bundled_stats(bundled_source):
    return compute_stats(bundled_source)


def test_bundled_documentary_share_matches_the_csv(bundled_stats):
    from pathlib import Path

    data = Path(__file__).resolve().parents[3] / "data"
    kinds, links, documented, on_placeholders, _ = _evidence_by_hand(data)
    stats = bundled_stats
    assert stats["links_with_source"] == len(links)  # every bundled link cites a source...
    assert stats["share_links_with_source"] == 1.0
    assert stats["links_with_document"] == len(documented) == 1528  # ...but not every one a document read
    assert stats["share_links_with_document"] == pytest.approx(len(documented) / len(links), abs=1e-4)
    evidence = stats["evidence"]
    assert [link["id"] for link in evidence["on_placeholders"]] == on_placeholders and len(on_placeholders) == 24
    by_id = {link["id"]: link for link in links}
    for listed in evidence["on_placeholders"]:
        row = by_id[listed["id"]]
        assert (listed["subject"], listed["object"], listed["type"]) == (row["subject"], row["object"], row["type"])
        assert listed["kinds"] == sorted({kinds[s] for s in row["sources"].split(";")})
    assert evidence["ungraded_sources"] == [] and evidence["on_ungraded"] == [] and evidence["without_source"] == []
    assert evidence["sources_by_grade"] == {k: Counter(kinds.values())[k] for k in DOCUMENTS + PLACEHOLDERS}
    assert sum(evidence["links_by_strongest_grade"].values()) == len(links)
    assert evidence["documentary_kinds"] == list(DOCUMENTS)


def test_bundled_stats_in_every_format(bundled_stats):
    import io
    import json
    from pathlib import Path

    _, links, documented, on_placeholders, _ = _evidence_by_hand(Path(__file__).resolve().parents[3] / "data")
    stats = bundled_stats
    n_document, n_links, n_placeholder = len(documented), len(links), len(on_placeholders)
    share = f"{100 * n_document / n_links:.1f}%"
    table = format_stats(stats, "table")
    assert table.startswith(f"Evidence: {n_document} of {n_links} links ({share}) have a documentary source; "
                            f"{n_placeholder} rest only on general knowledge or memory.")
    lines = [line.split() for line in table.splitlines()]
    assert ["share", "of", "links", "with", "a", "source", "100.0%"] in lines
    assert ["share", "of", "links", "with", "a", "documentary", "source", share] in lines
    # the table lists the first 20 links resting on placeholders, then says how many more
    assert f"... and {n_placeholder - 20} more" in table
    rows = list(csv.DictReader(io.StringIO(format_stats(stats, "csv"))))
    listed = [r["key"] for r in rows if r["section"] == "links resting only on general knowledge or memory"]
    assert listed == [link["id"] for link in stats["evidence"]["on_placeholders"]]
    by_key = {(r["section"], r["key"]): r["value"] for r in rows}
    assert by_key[("sources", "links with a documentary source")] == str(n_document)
    assert by_key[("sources", "links resting only on general knowledge or memory")] == str(n_placeholder)
    assert by_key[("sources", "sources without a kind (ungraded)")] == "0"
    documents = [r["key"] for r in rows if r["section"] == "sources cited most: documents"]
    placeholders = [r["key"] for r in rows if r["section"].startswith("sources cited most: not documents")]
    assert placeholders == ["research-from-memory", "research-general-knowledge"]  # 80 and 28 links (csv count)
    assert not set(documents) & set(placeholders) and len(documents) == 10
    assert json.loads(format_stats(stats, "json"))["evidence"]["rests_on"]["placeholders"] == n_placeholder
    md = format_stats(stats, "md")
    assert md.startswith(f"Evidence: {n_document} of {n_links} links") and "## Sources cited most: documents" in md
    assert f"| ... and {n_placeholder - 20} more |" in md


def test_stats_tell_placeholders_from_ungraded_sources(good_copy):
    # give the good fixture's sources a kind column: two documents, two placeholders, the rest left ungraded
    chosen = {"europol-external": "official_page", "frontex-wa": "general_knowledge",
              "emnbelgium-ge": "memory", "ilmetropolitano-ge-europol": "secondary"}
    rows = _rows(good_copy, "sources")
    with open(good_copy / "sources.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [*rows[0], "kind"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, "kind": chosen.get(row["id"], "")} for row in rows)
    kinds, _, documented, on_placeholders, ungraded = _evidence_by_hand(good_copy)
    stats = compute_stats(GraphSource([str(good_copy)], include_bundled=False))
    evidence = stats["evidence"]
    assert stats["links_with_document"] == len(documented)
    assert [link["id"] for link in evidence["on_placeholders"]] == on_placeholders
    assert evidence["on_ungraded"] == ungraded
    assert evidence["ungraded_sources"] == sorted(s for s, kind in kinds.items() if not kind)
    assert evidence["rests_on"] == {"documents": len(documented), "placeholders": len(on_placeholders),
                                    "ungraded": len(ungraded), "none": 0}
    # by hand: frontex-wa (general knowledge) carries the three Frontex links, emnbelgium-ge (memory) the EMN one
    assert on_placeholders == ["emn-ge-obs", "frontex-al-wa", "frontex-ng-wa", "frontex-xk-wa"]
    assert ungraded == ["europol-al-op"] and documented == ["europol-ge-op"]
    text = format_stats(stats, "table")
    assert "; 1 have no documentary source and a source without a kind (ungraded)." in text.splitlines()[0]
