"""``thbkg site``: writing a site, crawling it, and refusing bad output folders without touching them.

Most sites here are built from the small good fixture (``--no-bundled --data tests/fixtures/good``,
about 2 s); one module site is written once and copied where a test changes it. The site's content
is tested in tests/graph/outputs/site/test_site_pages.py, the crawler's rules in test_check.py.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from thbkg.cli.main import cli
from thbkg.graph.rdf.tables import bundled_data_dir

GOOD = Path(__file__).resolve().parents[1] / "fixtures" / "good"
BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad" / "unknown_actor"
SMALL = ["--no-bundled", "--data", str(GOOD)]
MARKER = ".thbkg-output"


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def snapshot(folder: Path) -> dict:
    """Every file and folder under *folder* (relative path -> sha256, or "dir")."""
    return {p.relative_to(folder).as_posix(): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))}


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".thbkg-tmp-"))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """``thbkg site -o DIR`` on the good fixture: the result and the folder."""
    folder = tmp_path_factory.mktemp("written") / "site"
    return invoke("site", *SMALL, "-o", folder), folder


@pytest.fixture()
def site_copy(written, tmp_path) -> Path:
    """A copy of the module's site that a test may change."""
    folder = tmp_path / "site"
    shutil.copytree(written[1], folder)
    return folder


# ---------------------------------------------------------------------- writing and checking
def test_site_writes_index_and_says_so_on_stderr(written):
    result, folder = written
    assert result.exit_code == 0, result.output
    assert (folder / "index.html").is_file() and (folder / MARKER).is_file()
    assert (folder / "id" / "actor" / "frontex.html").is_file()
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Wrote ") and line.endswith(f"open {folder / 'index.html'}")
    assert result.stdout == ""


def test_check_passes_on_the_written_site(written):
    result = invoke("site", "--check", written[1])
    assert result.exit_code == 0, result.output
    assert "every internal link resolves" in result.stderr


def test_check_names_the_page_with_a_broken_link(site_copy):
    page = site_copy / "id" / "actor" / "al.html"
    html = page.read_text(encoding="utf-8")
    assert html.count("</main>") == 1
    page.write_text(html.replace("</main>", '<a href="../link/no-such-link.html">x</a></main>'), encoding="utf-8")
    result = invoke("site", "--check", site_copy)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    expected = "id/actor/al.html: broken link to ../link/no-such-link.html"
    assert [line for line in lines if "al.html" in line] == [expected]
    assert lines[-1] == f"Error: 1 problem in the site at {site_copy}"


# ---------------------------------------------------------------------- bad output folders
def test_output_that_is_a_file_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "site"
    target.write_bytes(b"my notes\n")
    result = invoke("site", *SMALL, "-o", target)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {target} is a file; give a folder for the site (e.g. {tmp_path / 'site'}/)"
    assert target.read_bytes() == b"my notes\n" and sorted(os.listdir(tmp_path)) == ["site"]


def test_output_in_a_folder_that_cannot_be_written_is_refused(tmp_path):
    """As a user: a parent folder of mode 0o500. As root, who may write anywhere the mode says no,
    /proc/self: the kernel refuses new entries there even to root, and os.access says so."""
    if os.geteuid() == 0:
        parent = Path("/proc/self")
    else:
        parent = tmp_path / "locked"
        parent.mkdir()
        parent.chmod(0o500)
    try:
        before = sorted(os.listdir(parent))
        result = invoke("site", *SMALL, "-o", parent / "site")
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == (f"Error: cannot write into {parent} "
                                         "(check its permissions or choose another folder)")
        assert sorted(os.listdir(parent)) == before
    finally:
        if parent != Path("/proc/self"):
            parent.chmod(0o700)


@pytest.mark.parametrize("inside", ["", "site"])
def test_output_at_or_inside_the_data_folder_is_refused(tmp_path, inside):
    data = tmp_path / "tables"
    shutil.copytree(GOOD, data)
    before = snapshot(data)
    target = data / inside if inside else data
    result = invoke("site", "--no-bundled", "--data", data, "-o", target)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (f"Error: refusing to write {target}: it is an input folder of this run "
                                     f"({os.path.realpath(data)}); choose another output path")
    assert snapshot(data) == before and leftovers(tmp_path) == []


def test_output_inside_the_bundled_data_folder_is_refused():
    """The bundled tables are an input too, though no --data names them (they are known once read: a
    site written there by mistake is removed below, so the package's data stays as it was)."""
    bundled = bundled_data_dir()
    if not os.access(bundled, os.W_OK):
        pytest.skip("the bundled tables are installed read-only here")
    before = set(os.listdir(bundled))
    target = bundled / "thbkg-test-site"
    assert not target.exists()
    try:
        result = invoke("site", "--region", "sahel", "-o", target)
        assert result.exit_code == 2, result.output
        assert "it is an input folder of this run" in result.stderr
        assert set(os.listdir(bundled)) == before
    finally:  # never leave a site (or a temporary folder) in the package's data
        for name in set(os.listdir(bundled)) - before:
            if name == target.name or name.startswith(".thbkg-tmp-"):
                shutil.rmtree(bundled / name, ignore_errors=True)


def test_output_with_foreign_files_is_refused_and_left_alone(tmp_path):
    folder = tmp_path / "mine"
    (folder / "notes").mkdir(parents=True)
    (folder / "index.html").write_text("<p>my page</p>", encoding="utf-8")
    (folder / "notes" / "a.txt").write_text("keep", encoding="utf-8")
    before = snapshot(folder)
    result = invoke("site", *SMALL, "-o", folder)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: {folder} holds files thbkg did not write, not a site; give a new or "
                                     "empty folder for the site (a site replaces its whole folder)")
    assert snapshot(folder) == before and leftovers(tmp_path) == []


def test_a_folder_of_another_thbkg_output_is_not_replaced_by_a_site(tmp_path):
    """A report folder carries thbkg's output marker but is not a site: writing a site there would delete it."""
    folder = tmp_path / "out"
    result = invoke("report", "--no-map", "-o", f"{folder}/")
    assert result.exit_code == 0, result.stderr
    before = snapshot(folder)
    assert "report.html" in {p.name for p in folder.iterdir()}
    result = invoke("site", *SMALL, "-o", folder)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: {folder} holds another thbkg output, not a site; give a new or "
                                     "empty folder for the site (a site replaces its whole folder)")
    assert snapshot(folder) == before


def test_both_output_and_check_is_a_usage_error(written, tmp_path):
    result = invoke("site", "-o", tmp_path / "new", "--check", written[1])
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: give either -o DIR (write a site) or --check DIR (crawl one), not both"
    assert not (tmp_path / "new").exists()


def test_neither_output_nor_check_is_a_usage_error():
    result = invoke("site")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: say where to write the site with -o DIR/ (or crawl one with --check DIR/)"


def test_check_of_a_missing_folder_is_a_usage_error(tmp_path):
    result = invoke("site", "--check", tmp_path / "nowhere")
    assert result.exit_code == 2 and "does not exist" in result.stderr


# ---------------------------------------------------------------------- replacing a site
def test_second_run_replaces_the_site_whole(site_copy):
    (site_copy / "planted.txt").write_text("left by hand", encoding="utf-8")
    (site_copy / "id" / "actor" / "planted.html").write_text("<p>old</p>", encoding="utf-8")
    result = invoke("site", *SMALL, "-o", site_copy)
    assert result.exit_code == 0, result.output
    assert not (site_copy / "planted.txt").exists() and not (site_copy / "id" / "actor" / "planted.html").exists()
    assert (site_copy / MARKER).is_file() and (site_copy / "index.html").is_file()
    assert leftovers(site_copy.parent) == []


def test_run_that_fails_at_load_leaves_the_old_site(site_copy):
    before = snapshot(site_copy)
    result = invoke("site", "--no-bundled", "--data", BAD, "-o", site_copy)
    assert result.exit_code == 1
    assert "unknown actor 'europl'" in result.stderr and result.stderr.strip().endswith("found.")
    assert snapshot(site_copy) == before and leftovers(site_copy.parent) == []


def test_run_that_fails_while_writing_leaves_the_old_site(site_copy, tmp_path):
    """A link id of 300 characters is valid in the tables, but no file system takes its page's name:
    the run fails after the first pages are written into the temporary folder."""
    data = tmp_path / "tables"
    shutil.copytree(GOOD, data)
    with open(data / "links.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    long_row = {**rows[0], "id": "x" * 300}
    with open(data / "links.csv", "a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(rows[0])).writerow(long_row)
    before = snapshot(site_copy)
    result = invoke("site", "--no-bundled", "--data", data, "-o", site_copy)
    assert result.exit_code == 1, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "File name too long" in line
    assert snapshot(site_copy) == before and leftovers(site_copy.parent) == []


# ---------------------------------------------------------------------- other graphs, help
def test_no_bundled_site_holds_only_the_synthetic_actors(tmp_path):
    tables = tmp_path / "synth"
    assert invoke("synth", "--actors", "30", "--links", "60", "--seed", "1", "-o", tables).exit_code == 0
    with open(tables / "actors.csv", encoding="utf-8", newline="") as fh:
        actors = {row["id"] for row in csv.DictReader(fh)}
    assert len(actors) == 30 and all(a.startswith("syn-") for a in actors)
    folder = tmp_path / "site"
    result = invoke("site", "--no-bundled", "--data", tables, "-o", folder)
    assert result.exit_code == 0, result.output
    assert {p.stem for p in (folder / "id" / "actor").glob("*.html")} == actors


def test_help_shows_the_examples():
    result = invoke("site", "--help")
    assert result.exit_code == 0
    examples = result.output.split("Examples:", 1)[1]
    for line in ("thbkg site -o site/", "thbkg site --check site/",
                 "thbkg site -o sahel-site/ --region sahel --data my-tables/"):
        assert line in examples


def test_a_filtered_site_links_only_to_pages_it_has(tmp_path):
    """Under --region sahel, Europol has no Sahel tie and no page: the coverage table and the query answers
    name it as text, the crawler finds no broken link, and the pages say which filters they follow."""
    folder = tmp_path / "sahel"
    result = invoke("site", "--region", "sahel", "-o", folder)
    assert result.exit_code == 0, result.stderr
    assert not (folder / "id" / "actor" / "europol.html").exists()
    assert (folder / "id" / "actor" / "ml.html").exists()
    region = (folder / "id" / "region" / "sahel.html").read_text(encoding="utf-8")
    assert 'title="Europol (European Union Agency for Law Enforcement Cooperation)">Europol</span>' in region
    assert "region=sahel" in (folder / "index.html").read_text(encoding="utf-8")
    assert "of the whole graph" in (folder / "queries.html").read_text(encoding="utf-8")
    check = invoke("site", "--check", folder)
    assert check.exit_code == 0, check.stderr
