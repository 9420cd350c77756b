"""Long lists stay bounded on every page: a region's coverage matrix keeps at most MATRIX_COLUMNS columns."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from thbkg.cli.main import cli
from thbkg.graph.outputs.site.model import MATRIX_COLUMNS
from thbkg.graph.outputs.site.writer import write_site
from thbkg.graph.store.source import GraphSource


@pytest.fixture(scope="module")
def wide_site(tmp_path_factory):
    """1,500 synthetic actors: each region's countries are tied to far more than 24 agencies and frameworks."""
    data = tmp_path_factory.mktemp("wide") / "data"
    result = CliRunner().invoke(cli, ["synth", "--actors", "1500", "--links", "6000", "--seed", "2", "-o", str(data)])
    assert result.exit_code == 0, result.output
    folder = tmp_path_factory.mktemp("wide-site") / "site"
    write_site(GraphSource(data_dirs=(data,), include_bundled=False), folder, with_report=False)
    return folder


def test_region_matrices_keep_at_most_the_column_limit_and_say_how_many_are_left_out(wide_site):
    pages = sorted((wide_site / "id" / "region").glob("*.html"))
    assert pages
    hidden = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        head = re.search(r'<table class="matrix">.*?<thead><tr>(.*?)</tr></thead>', text, re.DOTALL)
        assert head, page.name
        columns = head.group(1).count('<th scope="col">') - 1  # less the "Country" column
        assert 0 < columns <= MATRIX_COLUMNS
        note = re.search(r"(\d+) more agenc", text)
        hidden += int(note.group(1)) if note else 0
    assert hidden > 0  # the limit was reached somewhere, so the test means something


def test_no_page_of_the_wide_site_is_over_one_megabyte(wide_site):
    sizes = {p.relative_to(wide_site).as_posix(): p.stat().st_size for p in wide_site.rglob("*.html")
             if not p.relative_to(wide_site).as_posix().startswith("data/")}
    assert max(sizes.values()) < 1_000_000, max(sizes.items(), key=lambda kv: kv[1])
