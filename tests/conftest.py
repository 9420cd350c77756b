"""Shared fixtures. Area-specific fixtures live in tests/fixtures/plugin_*.py and are loaded here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
pytest_plugins = sorted(p.stem for p in FIXTURES.glob("plugin_*.py"))


def pytest_configure(config):
    """Every test run gets its own store cache (never the user's), and progress stays off so command
    output can be compared; the tests of the cache and of progress set these themselves."""
    import os
    import tempfile

    os.environ["THBKG_CACHE"] = tempfile.mkdtemp(prefix="thbkg-test-cache-")
    os.environ["THBKG_QUIET"] = "1"


def pytest_unconfigure(config):
    import os
    import shutil

    shutil.rmtree(os.environ.get("THBKG_CACHE", ""), ignore_errors=True)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def bundled_source():
    """The bundled graph in the default store (embedded Oxigraph), built once per session."""
    from thbkg.graph.store.source import GraphSource

    return GraphSource()


@pytest.fixture()
def runner():
    from click.testing import CliRunner

    return CliRunner()
