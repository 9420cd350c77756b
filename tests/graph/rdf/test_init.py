"""``thbkg init``'s writer (graph/rdf/init.py): six tables, each with its header and one commented example row."""

from __future__ import annotations

import os

import pytest

from thbkg.graph.errors import UsageError
from thbkg.graph.rdf.init import init_tables
from thbkg.graph.rdf.tables import load_dataset
from thbkg.graph.rdf.validate import validate

# the headers of docs/design.md, "Tables", written out by hand
HEADERS = {
    "sources.csv": "id,title,publisher,url,issued,accessed,kind,note",
    "instruments.csv": "id,label,type,identifier,date,url,sources,confidence,note",
    "actors.csv": "id,label,aliases,type,iso2,iso3,wikidata,eu_authority,seat,lat,lon,parent,sources,confidence,note",
    "regions.csv": "id,label,definition,sources,confidence",
    "region_members.csv": "region,actor,sources,confidence,note",
    "links.csv": "id,subject,object,type,role,start,end,status,instrument,sources,confidence,date_confidence,note,"
                 "amount,currency,covers,round",
}


def uncomment(folder):
    """Remove the leading '#' of every example row, as a user would."""
    for name in HEADERS:
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace("\n#", "\n"), encoding="utf-8")


def test_init_writes_six_tables_with_header_and_one_commented_row(tmp_path):
    folder = tmp_path / "new" / "mydata"
    written, kept = init_tables(folder)
    assert [p.name for p in written] == list(HEADERS) and kept == []
    assert sorted(p.name for p in folder.iterdir()) == sorted(HEADERS)  # no marker or other file
    for name, header in HEADERS.items():
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        assert lines[0] == header
        assert len(lines) == 2 and lines[1].startswith("#example-"), name


def test_a_new_folder_holds_no_rows(tmp_path):
    init_tables(tmp_path / "d")
    ds = load_dataset([tmp_path / "d"], include_bundled=False)
    assert [len(ds.table(name)) for name in ("sources", "instruments", "actors", "regions", "region_members",
                                             "links")] == [0, 0, 0, 0, 0, 0]


def test_the_example_rows_are_examples_that_cite_each_other(tmp_path):
    init_tables(tmp_path / "d")
    uncomment(tmp_path / "d")
    ds = load_dataset([tmp_path / "d"], include_bundled=True)
    mine = {name: [r for r in ds.table(name) if r.file.startswith(str(tmp_path))]
            for name in ("sources", "instruments", "actors", "regions", "region_members", "links")}
    assert all(len(rows) == 1 for rows in mine.values())
    (ngo,) = mine["actors"]
    assert (ngo["id"], ngo["type"], ngo["aliases"]) == ("example-ngo", "ngo", "ExNGO;Example Anti-Trafficking Network")
    (source,) = mine["sources"]
    assert (source["id"], source["kind"], source["url"]) == ("example-source", "official_page",
                                                             "https://example.org/about-us")
    (link,) = mine["links"]
    assert (link["subject"], link["object"], link["instrument"], link["sources"]) == (
        "example-ngo", "iom", "example-declaration", "example-source")
    assert (link["start"], link["end"], link["date_confidence"]) == ("", "", "")  # an example states no date
    (member,) = mine["region_members"]
    assert (member["region"], member["actor"]) == ("example-region", "al")


def test_the_example_rows_without_their_hash_validate_next_to_the_bundled_tables(tmp_path):
    init_tables(tmp_path / "d")
    uncomment(tmp_path / "d")
    report = validate([tmp_path / "d"], include_bundled=True)
    assert report.problems == [] and report.conforms is True


def test_an_existing_table_is_kept_byte_for_byte(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "actors.csv").write_bytes(b"id,label,type\nmine,Mine,ngo\n")
    written, kept = init_tables(folder)
    assert [p.name for p in kept] == ["actors.csv"] and len(written) == 5
    assert (folder / "actors.csv").read_bytes() == b"id,label,type\nmine,Mine,ngo\n"
    written, kept = init_tables(folder)  # a second run writes nothing
    assert written == [] and len(kept) == 6


def test_a_folder_with_other_files_is_refused(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError) as info:
        init_tables(folder)
    assert str(info.value) == (f"{folder} holds files that are not thbkg tables (notes.txt); give a new or empty "
                               f"folder, e.g. thbkg init {folder / 'mydata'}")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_a_file_is_refused(tmp_path):
    target = tmp_path / "actors.csv"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(UsageError) as info:
        init_tables(target)
    assert str(info.value) == (f"{target} is a file, not a folder; give a new folder for the tables, "
                               f"e.g. thbkg init {tmp_path / 'mydata'}")


def test_a_symbolic_link_is_refused(tmp_path):
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "link")
    with pytest.raises(UsageError) as info:
        init_tables(tmp_path / "link")
    assert str(info.value) == (f"{tmp_path / 'link'} is a symbolic link; thbkg init does not write through links: "
                               f"give the folder itself, e.g. thbkg init {os.path.realpath(tmp_path / 'real')}")
    assert list((tmp_path / "real").iterdir()) == []
