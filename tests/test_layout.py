"""The layout shows the architecture: imports point one way and never in a cycle.

Layers, highest first: cli → outputs → analytics → network → store → rdf → base (graph/errors.py,
graph/io.py, graph/progress.py, graph/__init__.py). A module may import its own layer or a lower one;
imports inside functions count too, since they are dependencies all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("base", "rdf", "store", "network", "analytics", "outputs", "cli")
SUB_PACKAGES = ("rdf", "store", "network", "analytics", "outputs")


def module_name(path: Path) -> str:
    top, *rest = path.relative_to(ROOT).with_suffix("").parts
    parts = ["thbkg", top, *rest]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[1] == "cli":
        return "cli"
    if len(parts) > 2 and parts[2] in SUB_PACKAGES:
        return parts[2]
    return "base"


def source_modules() -> dict:
    found = {}
    for folder in ("graph", "cli"):
        for path in (ROOT / folder).rglob("*.py"):
            if "vendor" not in path.parts:
                found[module_name(path)] = path
    return found


def imported_modules(path: Path, known: set) -> set:
    """The thbkg modules *path* imports, at any depth of its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            if name.startswith("thbkg."):
                # the longest known module the name refers to (a module, or a name inside one)
                while name not in known and "." in name:
                    name = name.rsplit(".", 1)[0]
                if name in known:
                    out.add(name)
    return out


@pytest.fixture(scope="module")
def import_graph() -> nx.DiGraph:
    modules = source_modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        for target in imported_modules(path, set(modules)):
            if target != name and not name.startswith(target + "."):  # a package's own __init__
                graph.add_edge(name, target)
    return graph


def test_the_layers_cover_every_module(import_graph):
    assert len(import_graph) > 40
    assert {layer_of(m) for m in import_graph} == set(LAYERS)


def test_imports_point_down_the_layers(import_graph):
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = sorted(f"{a} ({layer_of(a)}) imports {b} ({layer_of(b)})" for a, b in import_graph.edges
                    if rank[layer_of(b)] > rank[layer_of(a)])
    assert upward == []


def test_no_import_cycles(import_graph):
    cycles = sorted(" -> ".join(c) for c in nx.simple_cycles(import_graph))
    assert cycles == []


def test_every_sub_package_says_what_it_owns_and_may_import():
    for package in SUB_PACKAGES:
        doc = ast.get_docstring(ast.parse((ROOT / "graph" / package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "May import" in doc, f"graph/{package}/__init__.py needs a docstring with 'May import'"


def test_the_checker_sees_a_violation(tmp_path):
    """The rule can fail: an rdf module importing the outputs layer is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from thbkg.graph.outputs.text import csv_cell\n", encoding="utf-8")
    assert imported_modules(bad, {"thbkg.graph.outputs.text"}) == {"thbkg.graph.outputs.text"}
    assert layer_of("thbkg.graph.outputs.text") == "outputs" and layer_of("thbkg.graph.rdf.bad") == "rdf"
