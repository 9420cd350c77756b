"""The package installs as one namespace, thbkg.*, with every sub-package and data file."""

from __future__ import annotations

import configparser
import importlib
import importlib.resources
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = {"graph": "thbkg.graph", "cli": "thbkg.cli", "ontology": "thbkg.ontology", "data": "thbkg.data"}


def _setup_cfg():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    return cfg


def test_every_python_folder_is_a_listed_package():
    listed = set(_setup_cfg()["options"]["packages"].split())
    found = set()
    for folder, package in TOP_LEVEL.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([package, *rel.parts]) if rel.parts else package)
    assert found == listed, "add new sub-packages to 'packages' in setup.cfg (and only real ones)"


def test_every_listed_package_imports_from_the_installed_namespace():
    for package in _setup_cfg()["options"]["packages"].split():
        module = importlib.import_module(package)
        assert module.__name__ == package


def test_non_python_files_under_graph_are_package_data():
    """Each data file under graph/ matches a package_data pattern of the package folder that holds it."""
    patterns = {pkg: value.replace(",", " ").split() for pkg, value in _setup_cfg()["options.package_data"].items()}
    for path in (ROOT / "graph").rglob("*"):
        if path.is_dir() or path.suffix in {".py", ".pyc"} or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(ROOT / "graph")
        # the innermost folder with an __init__.py owns the file
        owner = next(parent for parent in path.parents if (parent / "__init__.py").is_file())
        package = ".".join(["thbkg.graph", *owner.relative_to(ROOT / "graph").parts])
        inside = path.relative_to(owner)
        assert any(inside.match(p) for p in patterns.get(package, ())), \
            f"graph/{rel} would be missing from the wheel (add it to package_data of {package})"


def test_bundled_files_are_reachable_through_importlib_resources():
    assert (importlib.resources.files("thbkg.ontology") / "thbkg.ttl").is_file()
    assert (importlib.resources.files("thbkg.ontology") / "shapes.ttl").is_file()
    for table in ("actors.csv", "links.csv", "sources.csv"):
        assert (importlib.resources.files("thbkg.data") / table).is_file()
    assert list((importlib.resources.files("thbkg.graph.store") / "queries").iterdir())


def test_help_does_not_import_heavy_libraries():
    code = ("import sys; from thbkg.cli.main import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('rdflib', 'networkx', 'pyvis', 'pyoxigraph', 'pyshacl', 'scipy') if m in sys.modules]\n"
            "print('HEAVY', heavy, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stderr, out.stderr
