"""`thbkg build`, `thbkg validate`, `thbkg stats` through click's CliRunner."""

from __future__ import annotations

import json

import pytest

from thbkg.cli.main import cli

# one defect per folder under tests/fixtures/bad/ -> the exact line `thbkg validate` must print
BAD_CASES = {
    "unknown_actor": "unknown_actor/links.csv:2: column 'object': unknown actor 'europl' "
                     "(did you mean 'europol'? otherwise add it to actors.csv)",
    "unknown_source": "unknown_source/links.csv:5: column 'sources': unknown source 'frontex-wb' "
                      "(did you mean 'frontex-wa'? otherwise add it to sources.csv)",
    "unknown_instrument": "unknown_instrument/links.csv:2: column 'instrument': unknown instrument "
                          "'eu-europol-regulation' (add it to instruments.csv or fix the id)",
    "duplicate_id": "duplicate_id/actors.csv:9: column 'id': duplicate id 'ml' (first defined on line 8); "
                    "ids must be unique: rename or remove one",
    "start_after_end": "start_after_end/links.csv:4: column 'end': '2008-06' is before start '2009'; "
                       "swap them or fix the dates",
    "link_without_source": "link_without_source/links.csv:6: column 'sources': is empty; give at least one "
                           "source id (separate several with ';')",
    "unknown_link_type": "unknown_link_type/links.csv:3: column 'type': unknown link type "
                         "'operational_agrement' (did you mean 'operational_agreement'? allowed: "
                         "bilateral_agreement, cooperation_agreement, evaluation, funds, implements, "
                         "joint_action, joint_investigation_team, legal_basis, liaison_officer, membership, "
                         "observer, operates_in, operational_agreement, operational_partnership, part_of, "
                         "participation, secretariat, status_agreement, strategic_agreement, treaty_party, "
                         "working_arrangement)",
    "unknown_confidence": "unknown_confidence/links.csv:7: column 'confidence': unknown confidence 'hihg' "
                          "(did you mean 'high'? allowed: high, medium, low)",
    "unknown_actor_type": "unknown_actor_type/actors.csv:4: column 'type': unknown actor type 'netwrk' "
                          "(did you mean 'network'? allowed: country, eu_agency, eu_body, eu_institution, "
                          "international_organisation, national_agency, national_mechanism, network, ngo, "
                          "platform, programme, regional_process, treaty)",
    "unknown_status": "unknown_status/links.csv:5: column 'status': unknown status 'in_force' "
                      "(use one of: active, ended, initialled, signed, suspended, under_negotiation)",
    "missing_column": "missing_column/links.csv:1: column 'confidence': missing column; links.csv needs the "
                      "columns id,subject,object,type,sources,confidence (in any order) and may add "
                      "role,start,end,status,instrument,date_confidence,note,amount,currency,covers,round",
    "utf8_bom": "utf8_bom/actors.csv:1: the file starts with a UTF-8 byte order mark (BOM); "
                "save it as UTF-8 without BOM",
    "wrong_encoding": "wrong_encoding/sources.csv:7: byte 0xe9 at character 38 is not UTF-8 "
                      "(the file has another encoding); save the file as UTF-8",
    "empty_file": "empty_file/regions.csv: the file is empty (it needs at least the header row: "
                  "id,label,definition,sources,confidence)",
    "bad_date": "bad_date/links.csv:3: column 'end': '2019-13-40' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)",
    "bad_iso_code": "bad_iso_code/actors.csv:7: column 'iso2': 'NGA' is not an ISO 3166-1 alpha-2 country "
                    "code (two capital letters, e.g. AL; Kosovo: XK)",
    "bad_latitude": "bad_latitude/actors.csv:5: column 'lat': 141.3275 is out of range (WGS84 decimal degrees "
                    "between -90 and 90)",
    "bad_wikidata_qid": "bad_wikidata_qid/actors.csv:3: column 'wikidata': '21786841' is not a Wikidata id "
                        "(use the QID only, e.g. Q207203)",
    # found by SHACL (ontology/shapes.ttl), located back in the table
    "country_without_iso2": "country_without_iso2/actors.csv:6: column 'iso2': Every country must have exactly "
                            "one two-letter ISO 3166-1 code in capitals, e.g. AL (thb:iso2).",
}


def test_corpus_has_a_case_per_folder(fixtures_dir):
    folders = {p.name for p in (fixtures_dir / "bad").iterdir() if p.is_dir()}
    assert folders == set(BAD_CASES) | {"conflict_across_folders"}
    assert len(folders) >= 15


def _undocumented(folder) -> int:
    """Links of *folder* with no documentary source, by hand from the CSV files: a source is documentary
    iff its kind in sources.csv is official_text, official_page or secondary (no kind column: none is)."""
    import csv

    with open(folder / "sources.csv", encoding="utf-8", newline="") as fh:
        kinds = {row["id"]: row.get("kind") or "" for row in csv.DictReader(fh)}
    with open(folder / "links.csv", encoding="utf-8", newline="") as fh:
        links = list(csv.DictReader(fh))
    documents = {"official_text", "official_page", "secondary"}
    return sum(1 for link in links if link["sources"].strip()
               and not any(kinds.get(s.strip()) in documents for s in link["sources"].split(";")))


def _undocumented_warning(n: int) -> str:
    return (f"warning: {n} links have no documentary source (their sources are only general knowledge or memory, "
            "or have no kind); 'thbkg validate --strict' lists them and fails on them")


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_rejected_with_its_exact_message(case, runner, fixtures_dir, monkeypatch, no_bundled):
    monkeypatch.chdir(fixtures_dir / "bad")
    result = runner.invoke(cli, ["validate", "--data", case])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    if case == "country_without_iso2":  # the tables are read, so the evidence check runs: its sources have no kind
        assert lines[0] == _undocumented_warning(_undocumented(fixtures_dir / "bad" / case))
        lines = lines[1:]
    assert lines == [BAD_CASES[case], "1 problem found."]
    assert "Traceback" not in result.output


def test_conflicting_id_across_two_data_folders(runner, fixtures_dir, monkeypatch, no_bundled):
    monkeypatch.chdir(fixtures_dir / "bad")
    result = runner.invoke(cli, ["validate", "--data", "../good", "--data", "conflict_across_folders"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "conflict_across_folders/actors.csv:2: column 'id': id 'al' conflicts with ../good/actors.csv:5 "
        "(same id, different content); ids must be unique across data folders: rename it or make the rows "
        "identical")


# country_without_iso2 is a SHACL-only defect: build checks the tables, validate runs SHACL
@pytest.mark.parametrize("case", sorted(set(BAD_CASES) - {"country_without_iso2"}))
def test_build_refuses_bad_input_without_traceback(case, runner, fixtures_dir, monkeypatch, tmp_path):
    monkeypatch.chdir(fixtures_dir / "bad")
    result = runner.invoke(cli, ["build", "--no-bundled", "--data", case, "-o", str(tmp_path / "out.ttl")])
    assert result.exit_code == 1
    assert BAD_CASES[case] in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.ttl").exists()


def test_every_problem_is_listed(runner, good_copy, no_bundled, monkeypatch):
    links = good_copy / "links.csv"
    text = links.read_text(encoding="utf-8")
    text = text.replace(",al,europol,", ",al,europl,").replace("frontex-ng-wa,ng,frontex,working_arrangement,,,",
                                                              "frontex-ng-wa,ng,frontex,working_arrangement,,2020,2019")
    links.write_text(text, encoding="utf-8")
    (good_copy / "sources.csv").write_bytes(b"\xef\xbb\xbf" + (good_copy / "sources.csv").read_bytes())
    monkeypatch.chdir(good_copy)
    result = runner.invoke(cli, ["validate", "--data", "."])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "3 problems found."
    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in lines[:-1]] == [
        "links.csv:2", "links.csv:5", "sources.csv:1"]


def test_validate_ok_line(runner, good_dir, no_bundled):
    result = runner.invoke(cli, ["validate", "--data", str(good_dir)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "OK: 8 actors, 6 links, 7 sources; SHACL conforms"


def test_usage_error_exits_2(runner):
    result = runner.invoke(cli, ["validate", "--data", "/no/such/folder"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_build_formats_and_summary(runner, good_dir, no_bundled, tmp_path):
    import pyoxigraph

    for fmt, ox_format in (("turtle", pyoxigraph.RdfFormat.TURTLE), ("nt", pyoxigraph.RdfFormat.N_TRIPLES),
                           ("jsonld", pyoxigraph.RdfFormat.JSON_LD), ("trig", pyoxigraph.RdfFormat.TRIG)):
        out = tmp_path / f"g.{fmt}"
        result = runner.invoke(cli, ["build", "--data", str(good_dir), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith("Built ") and "(8 actors, 6 links)" in result.stderr
        triples = int(result.stderr.split()[1])
        # an independent parser (Oxigraph) reads what rdflib wrote, with the same number of triples
        assert len(list(pyoxigraph.parse(path=str(out), format=ox_format))) == triples


def test_build_to_stdout_by_default(runner, good_dir, no_bundled):
    result = runner.invoke(cli, ["build", "--data", str(good_dir), "--format", "nt"])
    assert result.exit_code == 0
    assert result.stdout.count("\n") == int(result.stderr.split()[1])


def test_failed_build_leaves_existing_output_untouched(runner, fixtures_dir, tmp_path, no_bundled):
    out = tmp_path / "graph.ttl"
    out.write_bytes(b"previous content\n")
    result = runner.invoke(cli, ["build", "--data", str(fixtures_dir / "bad" / "bad_date"), "-o", str(out)])
    assert result.exit_code == 1
    assert out.read_bytes() == b"previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]  # no temporary file left behind


def test_build_store_then_stats_from_it(runner, good_dir, tmp_path, no_bundled):
    store = tmp_path / "db"
    result = runner.invoke(cli, ["build", "--data", str(good_dir), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # with --store and no -o, no RDF goes to the terminal
    from_store = runner.invoke(cli, ["stats", "--store", str(store), "--format", "json"])
    on_the_fly = runner.invoke(cli, ["stats", "--data", str(good_dir), "--format", "json"])
    assert from_store.exit_code == 0 and on_the_fly.exit_code == 0
    assert json.loads(from_store.stdout) == json.loads(on_the_fly.stdout)
    # building again replaces the store atomically and leaves no temporary folder
    again = runner.invoke(cli, ["build", "--data", str(good_dir), "--store", str(store)])
    assert again.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".db.thbkg-lock", "db"]


def test_failed_store_build_keeps_the_old_store(runner, good_dir, fixtures_dir, tmp_path, no_bundled):
    store = tmp_path / "db"
    assert runner.invoke(cli, ["build", "--data", str(good_dir), "--store", str(store)]).exit_code == 0
    before = sorted(p.name for p in store.iterdir())
    bad = runner.invoke(cli, ["build", "--data", str(fixtures_dir / "bad" / "bad_date"), "--store", str(store)])
    assert bad.exit_code == 1
    assert sorted(p.name for p in store.iterdir()) == before
    assert runner.invoke(cli, ["stats", "--store", str(store)]).exit_code == 0


def test_stats_formats(runner, good_dir, no_bundled):
    table = runner.invoke(cli, ["stats", "--data", str(good_dir)])
    csv_out = runner.invoke(cli, ["stats", "--data", str(good_dir), "--format", "csv"])
    assert table.exit_code == 0 and csv_out.exit_code == 0
    assert "Actors by type" in table.stdout
    assert csv_out.stdout.splitlines()[0] == "section,key,value"
    assert "actors by type,country,5" in csv_out.stdout.splitlines()


def test_stats_with_missing_store_is_one_clear_line(runner, tmp_path):
    result = runner.invoke(cli, ["stats", "--store", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no store at ")
    assert len(result.stderr.splitlines()) == 1


def test_help_texts_have_examples(runner):
    for command in ("build", "validate", "stats"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "Examples:" in result.output and f"thbkg {command}" in result.output


# ---------------------------------------------------------------------- validate/stats formats for CI
FORMAT_CASES = {
    "bad_date": {"file": "bad_date/links.csv", "line": 3, "column": "end",
                 "message": "'2019-13-40' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"},
    "empty_file": {"file": "empty_file/regions.csv", "line": None, "column": None,
                   "message": "the file is empty (it needs at least the header row: "
                              "id,label,definition,sources,confidence)"},
    "country_without_iso2": {"file": "country_without_iso2/actors.csv", "line": 6, "column": "iso2",
                             "message": "Every country must have exactly one two-letter ISO 3166-1 code in "
                                        "capitals, e.g. AL (thb:iso2)."},
}


@pytest.mark.parametrize("case", sorted(FORMAT_CASES))
def test_validate_json_and_csv_list_the_problem(case, runner, fixtures_dir, monkeypatch, no_bundled):
    import csv
    import io

    monkeypatch.chdir(fixtures_dir / "bad")
    expected = FORMAT_CASES[case]
    as_json = runner.invoke(cli, ["validate", "--data", case, "--format", "json"])
    assert as_json.exit_code == 1, as_json.output
    payload = json.loads(as_json.stdout)
    assert payload["valid"] is False and payload["problems"] == [expected]
    assert payload["summary"]["problems"] == 1 and payload["summary"]["text"] == "1 problem found."
    assert as_json.stderr.strip() == "1 problem found."

    as_csv = runner.invoke(cli, ["validate", "--data", case, "--format", "csv"])
    assert as_csv.exit_code == 1, as_csv.output
    assert as_csv.stdout.splitlines()[0] == "file,line,column,message"
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows == [{k: "" if v is None else str(v) for k, v in expected.items()}]
    # the same problem, word for word, as the text format's line
    text = runner.invoke(cli, ["validate", "--data", case])
    problems = [line for line in text.stderr.splitlines() if not line.startswith("warning: ")]
    assert text.exit_code == 1 and problems[0].endswith(expected["message"])


def test_validate_json_and_csv_when_valid(runner, good_dir, no_bundled, tmp_path):
    out = tmp_path / "validation.json"
    result = runner.invoke(cli, ["validate", "--data", str(good_dir), "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["valid"] is True and payload["problems"] == []
    summary = payload["summary"]
    assert (summary["actors"], summary["links"], summary["sources"]) == (8, 6, 7)
    assert summary["shacl_conforms"] is True and summary["triples"] > 0
    as_csv = runner.invoke(cli, ["validate", "--data", str(good_dir), "--format", "csv"])
    assert as_csv.exit_code == 0 and as_csv.stdout == "file,line,column,message\n"


def test_validate_unknown_format_is_a_usage_error(runner, good_dir, no_bundled):
    result = runner.invoke(cli, ["validate", "--data", str(good_dir), "--format", "xml"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_stats_markdown_matches_json(runner, good_dir, no_bundled):
    md = runner.invoke(cli, ["stats", "--data", str(good_dir), "--format", "md"])
    data = json.loads(runner.invoke(cli, ["stats", "--data", str(good_dir), "--format", "json"]).stdout)
    assert md.exit_code == 0, md.output
    sections, current = {}, None
    for line in md.stdout.splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:], {})
        elif line.startswith("| ") and not line.startswith("| key |"):
            key, value = (cell.strip() for cell in line.strip("|").split(" | "))
            current[key.replace("\\_", "_")] = value
    # the good fixture's sources have no kind: every link is ungraded, no source is a document
    assert list(sections) == ["Actors", "Actors by type", "Links", "Links by type", "Links by status",
                              "Links by confidence", "Sources", "Links by strongest evidence grade",
                              "Links citing each evidence grade", "Sources by evidence grade",
                              "Sources cited most: not documents (placeholders, ungraded)",
                              "Links with no documentary source and an ungraded one", "Ungraded sources (no kind)"]
    assert md.stdout.startswith("Evidence: 0 of 6 links (0.0%) have a documentary source; ")
    assert sections["Sources"]["links with a documentary source"] == str(data["links_with_document"]) == "0"
    assert sections["Actors by type"]["country"] == "5"  # the good fixture has five countries
    assert sections["Actors"]["total"] == str(data["actors"]["total"])
    assert {k: int(v) for k, v in sections["Links by type"].items()} == data["links"]["by_type"]
    assert sections["Sources"]["total"] == str(data["sources"])


# ---------------------------------------------------------------------- validate --strict: links without a document
def _placeholder_rows(folder):
    """(line, id, [(source, kind)]) of each link of links.csv whose sources are all general_knowledge or memory,
    by hand from the CSV files (the line is the reader's, so a quoted line break would count)."""
    import csv

    with open(folder / "sources.csv", encoding="utf-8", newline="") as fh:
        kinds = {row["id"]: row.get("kind") or "" for row in csv.DictReader(fh)}
    found = []
    with open(folder / "links.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            cited = [s.strip() for s in row["sources"].split(";") if s.strip()]
            if cited and all(kinds[s] in ("general_knowledge", "memory") for s in cited):
                found.append((reader.line_num, row["id"], [(s, kinds[s]) for s in cited]))
    return found


def _bundled_links_path() -> str:
    """How messages name the bundled links.csv: relative to the current folder when inside it (the repository's
    data/ with an editable install, the virtual environment's copy with a regular one, as in CI)."""
    import os

    from thbkg.graph.rdf.tables import bundled_data_dir

    path = bundled_data_dir() / "links.csv"
    return os.path.relpath(path) if path.resolve().is_relative_to(os.getcwd()) else str(path)


@pytest.fixture(scope="module")
def bundled_placeholders():
    from pathlib import Path

    return _placeholder_rows(Path(__file__).resolve().parents[2] / "data")


def test_plain_validate_passes_the_bundled_data_with_one_warning(runner, bundled_placeholders):
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: ")
    assert result.stderr.splitlines() == [_undocumented_warning(len(bundled_placeholders))]
    # issue 11: at most 40 links may still rest only on placeholders (131 before its research)
    assert 0 < len(bundled_placeholders) <= 40


def test_strict_validate_fails_on_each_bundled_placeholder_link(runner, bundled_placeholders):
    # honest by design: the bundled tables still cite research placeholders, so --strict fails on them
    result = runner.invoke(cli, ["validate", "--strict"])
    assert result.exit_code == 1
    n = len(bundled_placeholders)
    where = _bundled_links_path()
    expected = [f"{where}:{line}: column 'sources': link '{link}' rests only on general knowledge or memory "
                f"({', '.join(f'{s}: {k}' for s, k in cited)}); cite a document read "
                "(sources.csv kind official_text, official_page or secondary)"
                for line, link, cited in bundled_placeholders]
    assert result.stderr.splitlines() == expected + [
        f"{n} problems found ({n} of them links without a documentary source, a problem with --strict)."]
    assert "Traceback" not in result.output


def test_strict_validate_json_lists_them_as_problems(runner, bundled_placeholders):
    strict = runner.invoke(cli, ["validate", "--strict", "--format", "json"])
    assert strict.exit_code == 1
    payload = json.loads(strict.stdout)
    assert payload["valid"] is False and payload["summary"]["strict"] is True
    assert [(p["file"], p["line"], p["column"]) for p in payload["problems"]] == [
        (_bundled_links_path(), line, "sources") for line, _, _ in bundled_placeholders]
    plain = json.loads(runner.invoke(cli, ["validate", "--format", "json"]).stdout)
    assert plain["valid"] is True and plain["problems"] == []
    assert [p["line"] for p in plain["warnings"]] == [line for line, _, _ in bundled_placeholders]
    assert plain["summary"]["links_without_documentary_source"] == len(bundled_placeholders)


def test_strict_passes_when_every_link_has_a_document(runner, good_copy, no_bundled):
    import csv

    with open(good_copy / "sources.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with open(good_copy / "sources.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [*rows[0], "kind"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, "kind": "official_page"} for row in rows)
    result = runner.invoke(cli, ["validate", "--strict", "--data", str(good_copy)])
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and result.stdout.startswith("OK: 8 actors, 6 links, 7 sources")


def test_strict_names_sources_without_a_kind(runner, good_dir, no_bundled):
    import csv
    import io

    # the good fixture's sources.csv has no kind column: no source is known to be a document read
    result = runner.invoke(cli, ["validate", "--strict", "--data", str(good_dir), "--format", "csv"])
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == _undocumented(good_dir) == 6
    first = rows[0]
    assert (first["line"], first["column"]) == ("2", "sources")
    assert first["message"] == ("link 'europol-al-op' has no documentary source and topchannel-al-europol has no "
                                "kind; give every source its kind in sources.csv (official_text, official_page, "
                                "secondary, general_knowledge or memory), and cite a document read if none is")
