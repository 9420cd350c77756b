"""Data text with unusual characters survives every output format unchanged."""

from __future__ import annotations

import csv
import shutil

import pyoxigraph
import pytest

from thbkg.graph.rdf.build import build_graph, serialize_graph
from thbkg.graph.store.source import GraphSource

# the table reader refuses U+2028/U+0085 and control characters; these are the awkward ones it keeps
AWKWARD = "line\nbreak, tab\tand \"quotes\" <b>not html</b> \\ backslash, \U0001d518nicode \u2713"


@pytest.fixture()
def awkward_dir(tmp_path, fixtures_dir):
    folder = tmp_path / "data"
    shutil.copytree(fixtures_dir / "good", folder)
    path = folder / "links.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["note"] = AWKWARD
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder, rows[0]["id"]


@pytest.mark.parametrize("fmt", ["nt", "turtle", "trig"])
def test_note_with_line_separators_round_trips(awkward_dir, fmt):
    folder, link_id = awkward_dir
    data = serialize_graph(build_graph((folder,), include_bundled=False), fmt)
    rdf_format = {"nt": pyoxigraph.RdfFormat.N_TRIPLES, "turtle": pyoxigraph.RdfFormat.TURTLE,
                  "trig": pyoxigraph.RdfFormat.TRIG}[fmt]
    comments = [q.object.value for q in pyoxigraph.parse(data, format=rdf_format)
                if q.predicate.value.endswith("rdf-schema#comment") and q.subject.value.endswith(f"/link/{link_id}")]
    assert comments == [AWKWARD]


def test_note_reaches_the_default_store_unchanged(awkward_dir):
    folder, link_id = awkward_dir
    source = GraphSource(data_dirs=(folder,), include_bundled=False)
    rows = source.select("SELECT ?c WHERE { ?l dct:identifier ?id ; rdfs:comment ?c }",
                         {"id": __import__("rdflib").Literal(link_id)})
    assert [str(r["c"]) for r in rows] == [AWKWARD]
