"""The N-Triples written as text (graph/rdf/ntriples.py) are the bytes rdflib writes, on every input.

Every expected value comes from the rdflib path: :func:`dataset_to_graph` (rdflib terms in a Graph)
serialised by rdflib's N-Triples writer, or :func:`serialize_graph` of that Graph. Never from the writer.
"""

from __future__ import annotations

import csv
import shutil
from itertools import cycle

import pytest
from rdflib import Literal, URIRef
from rdflib.plugins.serializers.nt import _nt_row

from thbkg.graph.errors import DataError
from thbkg.graph.rdf import build
from thbkg.graph.rdf.build import (
    FORMATS,
    build_graph,
    dataset_lines,
    dataset_ntriples,
    dataset_ntriples_bytes,
    dataset_to_graph,
    serialize_graph,
    serialize_lines,
    sorted_ntriples,
)
from thbkg.graph.rdf.ntriples import NTriplesWriter, quote_literal
from thbkg.graph.rdf.synth import write_synthetic
from thbkg.graph.rdf.tables import load_dataset
from thbkg.graph.store.builder import run_build

#: texts the writer must escape as rdflib does (or leave alone as rdflib does); the tables let all of these in
HOSTILE = [
    'a "quoted" word and a lone " quote',
    "back\\slash, \\n (not a newline), \\\" and \\u0041 (not escapes)",
    "two\nlines",
    "carriage\rreturn and crlf\r\nend",
    "tab\tinside",
    "emoji 😀 🇪🇺 👩‍👩‍👧 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "RTL \u200f mark, \u202e override \u2066isolate\u2069, Arabic النص",
    "<script>alert('x')</script> & <b>bold</b> <http://example.org/not-an-iri>",
    "zero width \u200b space \u200d joiner, BOM \ufeff, e\u0301 vs é",
    "ends with a backslash \\",
    '"""triple quotes""" and \'single\'',
    "^^<http://www.w3.org/2001/XMLSchema#int> @en . > .",
]
#: characters the tables refuse, put straight into the rows to test the writer beyond them
CONTROLS = "".join(map(chr, range(0xA0))) + "\u2028\u2029\ufffe\uffff\U0010ffff"
#: web addresses the tables accept, with the characters an IRI may hold
URLS = ["https://example.org/ü/😀?q='a'&b=(c)*~%20;x=1#frag", "http://xn--bcher-kva.example/a,b:c@d!$"]
#: free-text columns of each table, which any text may fill
FREE_TEXT = {
    "sources": ("title", "publisher", "note"),
    "instruments": ("label", "identifier", "note"),
    "actors": ("label", "seat", "note"),
    "regions": ("label", "definition"),
    "region_members": ("note",),
    "links": ("role", "note"),
}


def rdflib_lines(graph) -> list:
    """The graph's N-Triples lines as rdflib's serializer writes them, in plain sorted order."""
    data = graph.serialize(format="nt", encoding="utf-8")
    lines = [line + b"\n" for line in data.split(b"\n") if line]
    assert len(lines) == len(set(lines)) == len(graph)
    return sorted(lines)


def assert_same_as_rdflib(ds, formats=("nt", "turtle", "trig")):
    graph = dataset_to_graph(ds)
    expected = rdflib_lines(graph)
    assert dataset_lines(ds) == expected
    assert dataset_ntriples_bytes(ds) == b"".join(expected)
    assert dataset_ntriples(ds) == sorted_ntriples(graph)
    lines = dataset_lines(ds)
    for fmt in formats:
        assert serialize_lines(lines, fmt) == serialize_graph(graph, fmt), fmt
    return len(expected)


# --- the escaper, term by term ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [*HOSTILE, CONTROLS, "", "plain"])
def test_literal_lines_are_rdflibs(text):
    s, p = "https://w3id.org/thbkg/id/actor/x", "http://www.w3.org/2000/01/rdf-schema#label"
    out = NTriplesWriter()
    out.text(s, p, text)
    out.text(s, p, text, "en")
    out.typed(s, p, text, "http://www.opengis.net/ont/geosparql#wktLiteral")
    expected = [_nt_row((URIRef(s), URIRef(p), literal)).encode("utf-8")
                for literal in (Literal(text), Literal(text, lang="en"),
                                Literal(text, datatype=URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")))]
    assert out.lines == expected


def test_every_code_point_is_escaped_as_rdflib_does():
    every = "".join(chr(c) for c in range(0x30000) if not 0xD800 <= c <= 0xDFFF)
    assert quote_literal(every).encode("utf-8") == _nt_row((URIRef("x:s"), URIRef("x:p"), Literal(every))).encode(
        "utf-8")[len("<x:s> <x:p> "):-len(" .\n")]


@pytest.mark.parametrize("value, datatype", [("2013", "gYear"), ("2013-07", "gYearMonth"), ("2013-07-01", "date"),
                                             ("3", "positiveInteger"), ("3451763.7", "decimal"),
                                             ("15000000", "decimal")])
def test_typed_literals_the_mapping_writes_are_already_canonical(value, datatype):
    """rdflib rewrites a typed literal's text to its canonical form; the mapping writes canonical texts."""
    datatype = URIRef(f"http://www.w3.org/2001/XMLSchema#{datatype}")
    out = NTriplesWriter()
    out.typed("x:s", "x:p", value, str(datatype))
    assert out.lines == [_nt_row((URIRef("x:s"), URIRef("x:p"), Literal(value, datatype=datatype))).encode()]


@pytest.mark.parametrize("url", URLS)
def test_iri_lines_are_rdflibs(url):
    out = NTriplesWriter()
    out.ref("https://w3id.org/thbkg/id/source/s", "https://schema.org/url", url)
    assert out.lines == [_nt_row((URIRef("https://w3id.org/thbkg/id/source/s"), URIRef("https://schema.org/url"),
                                  URIRef(url))).encode("utf-8")]


# --- whole tables -------------------------------------------------------------------------------------------


def test_bundled_tables():
    assert assert_same_as_rdflib(load_dataset(include_bundled=True)) > 10_000


def _loadable_fixture_folders(fixtures_dir):
    """Every fixture folder of tables that loads: alone, or with the bundled tables it refers to."""
    found = []
    for folder in sorted({path.parent for path in fixtures_dir.rglob("*.csv")}):
        for bundled in (False, True):
            try:
                found.append((folder, bundled, load_dataset([folder], include_bundled=bundled)))
                break
            except DataError:
                continue
    return found


def test_every_fixture_folder_that_loads(fixtures_dir):
    found = _loadable_fixture_folders(fixtures_dir)
    names = {str(folder.relative_to(fixtures_dir)) for folder, _, _ in found}
    assert {"good", "hostile", "issue11", "report_data"} <= names
    for folder, _, ds in found:
        assert assert_same_as_rdflib(ds) > 0, folder


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_synthetic_tables(seed, tmp_path):
    write_synthetic(tmp_path, actors=300, links=1200, seed=seed)
    assert assert_same_as_rdflib(load_dataset([tmp_path], include_bundled=False)) > 10_000


def _rewrite(path, change):
    """Rewrite the CSV file *path* with *change(header, rows)* applied."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
        header = list(rows[0]) if rows else []
    header, rows = change(header, rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def hostile_folder(tmp_path, good_dir):
    """The good fixture's tables with every free-text cell, alias and web address hostile."""
    folder = tmp_path / "hostile-text"
    shutil.copytree(good_dir, folder)
    texts = cycle(HOSTILE)
    urls = cycle(URLS)
    for table, columns in FREE_TEXT.items():
        def change(header, rows, columns=columns, table=table):
            for number, row in enumerate(rows):
                for column in columns:
                    if column in row and (row[column] or column != "seat"):  # a seat only where there is one
                        row[column] = f"{next(texts)} #{number}"  # labels stay distinct
                if row.get("url"):
                    row["url"] = next(urls)
                if table == "actors":
                    row["aliases"] = f"{next(texts)}; {next(texts)}".replace("\r", "")
            return header + (["aliases"] if table == "actors" and "aliases" not in header else []), rows
        _rewrite(folder / f"{table}.csv", change)
    return folder


def test_hostile_text_in_every_free_text_cell(tmp_path, good_dir):
    ds = load_dataset([hostile_folder(tmp_path, good_dir)], include_bundled=False)
    labels = [rec["label"] for rec in ds.actors]
    assert any("\n" in label for label in labels) and any('"' in label for label in labels)
    assert assert_same_as_rdflib(ds) > 300


def test_characters_the_tables_refuse(good_dir):
    """Controls, C1, line separators, noncharacters: the tables refuse them; the writer still matches rdflib."""
    ds = load_dataset([good_dir], include_bundled=False)
    for table, columns in FREE_TEXT.items():
        for rec in ds.table(table):
            for column in columns:
                if rec.get(column):
                    rec[column] = f"{CONTROLS} {rec[column]}"
    assert assert_same_as_rdflib(ds, formats=("nt",)) > 300


def test_the_writer_makes_no_rdflib_term(good_dir, monkeypatch):
    ds = load_dataset([good_dir], include_bundled=False)
    expected = dataset_lines(ds)

    def refuse(*args, **kwargs):
        raise AssertionError("an rdflib term was made")

    monkeypatch.setattr(build, "URIRef", refuse)
    monkeypatch.setattr(build, "Literal", refuse)
    assert dataset_lines(ds) == expected


# --- thbkg build -o and --store -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("with_ontology", [False, True])
def test_run_build_writes_the_graphs_bytes(fmt, with_ontology, tmp_path, good_dir):
    folder = hostile_folder(tmp_path, good_dir)
    out = tmp_path / f"out.{fmt}"
    summary = run_build([folder], include_bundled=False, output=out, fmt=fmt, with_ontology=with_ontology,
                        store_dir=tmp_path / "store" if fmt == "nt" else None)
    graph = build_graph([folder], include_bundled=False, with_ontology=with_ontology)
    assert out.read_bytes() == serialize_graph(graph, fmt)
    assert summary["triples"] == len(graph)


def test_serialize_lines_refuses_jsonld():
    with pytest.raises(ValueError, match="jsonld"):
        serialize_lines([], "jsonld")
