"""A link type added to (a copy of) the ontology flows through thbkg without a code change (issue 9, item 2).

A copy of ontology/thbkg.ttl gets one more link type, ``secondment`` of the ``liaison`` family,
written here as Turtle text; ``THBKG_ONTOLOGY`` points the process at it, and a data folder (the
tables of tests/fixtures/good) gets one link of that type, Mali -> Europol, the only tie of Mali.
Then validation, the projections, the analytics, the report, the map legend and the export all
know it. A last pair of tests checks that every code has a map style and that no module under
graph/ keeps its own list of codes.
"""

from __future__ import annotations

import ast
import csv
import io
import shutil
from pathlib import Path

import networkx as nx
import pytest

from thbkg.cli.main import cli
from thbkg.graph.rdf.vocab import ONTOLOGY_ENV, load_vocabulary

ROOT = Path(__file__).resolve().parents[3]
NEW_TYPE = """
ltype:secondment a skos:Concept ;
    skos:inScheme thb:LinkTypeScheme ; skos:topConceptOf thb:LinkTypeScheme ;
    skos:notation "secondment" ;
    skos:prefLabel "secondment"@en ;
    skos:definition "A staff member of the subject seconded to the object for a fixed term."@en ;
    thb:family "liaison" ; thb:subjectRole "sending party" ; thb:objectRole "host" .

thb:LinkTypeScheme skos:hasTopConcept ltype:secondment .
"""
LINK = ["ml-europol-secondment", "ml", "europol", "secondment", "", "2020", "", "active", "",
        "eeas-sahel", "high", "high", "a fictional link of the new type"]


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """The copied ontology with the new type, the data folder, and the environment pointing at both."""
    root = tmp_path_factory.mktemp("vocab-flow")
    ontology = root / "thbkg.ttl"
    shutil.copyfile(ROOT / "ontology" / "thbkg.ttl", ontology)
    with ontology.open("a", encoding="utf-8") as fh:
        fh.write(NEW_TYPE)
    data = root / "data"
    shutil.copytree(ROOT / "tests" / "fixtures" / "good", data)
    with (data / "links.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(LINK)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ONTOLOGY_ENV, str(ontology))
        patch.setenv("THBKG_NO_BUNDLED", "1")
        yield {"data": data, "ontology": ontology, "root": root}


@pytest.fixture(scope="module")
def network(flow):
    from thbkg.graph.network.projections import load_network
    from thbkg.graph.store.source import GraphSource

    return load_network(GraphSource(data_dirs=(str(flow["data"]),)))


def invoke(*args):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in (result.output or "")
    return result


def test_validate_accepts_the_new_type(flow):
    result = invoke("validate", "--no-bundled", "--data", str(flow["data"]))
    assert result.exit_code == 0, result.output
    assert "SHACL conforms" in result.output


def test_without_the_new_ontology_the_same_tables_are_refused(flow, monkeypatch):
    """The control: the link is accepted because of the ontology, not because anything goes."""
    monkeypatch.delenv(ONTOLOGY_ENV)
    result = invoke("validate", "--no-bundled", "--data", str(flow["data"]))
    assert result.exit_code == 1
    assert "links.csv:8: column 'type': unknown link type 'secondment'" in result.output


def test_the_projection_gives_it_its_family(network):
    link = next(l for l in network.links if l["id"] == "ml-europol-secondment")
    assert (link["type"], link["family"]) == ("secondment", "liaison")


def test_the_analytics_see_the_edge(flow, network):
    graph = network.cooperation_graph()
    assert graph.has_edge("ml", "europol") and graph["ml"]["europol"]["types"] == ("secondment",)
    assert graph.degree("ml") == 1  # its only tie: without the new type Mali would be isolated
    result = invoke("centrality", "--data", str(flow["data"]), "--metric", "degree", "--format", "csv", "--top", "0")
    assert result.exit_code == 0, result.output
    rows = {row["actor"]: row for row in csv.DictReader(io.StringIO(result.output))}
    assert float(rows["ml"]["degree"]) > 0
    result = invoke("path", "ml", "frontex", "--data", str(flow["data"]))
    assert result.exit_code == 0, result.output
    assert "secondment [ml-europol-secondment]" in result.output
    result = invoke("centrality", "--data", str(flow["data"]), "--type", "secondment", "--format", "csv")
    assert result.exit_code == 0, result.output  # a --type the ontology now knows


def test_the_report_mentions_it(flow):
    result = invoke("report", "--data", str(flow["data"]), "--format", "md", "-o", "-",
                    "--generated", "2026-01-01")
    assert result.exit_code == 0, result.output
    assert "secondment" in result.output


def test_the_map_legend_lists_it(flow, network):
    from thbkg.graph.outputs.maps.style import UNKNOWN_LINK, legend, link_style

    entry = legend({}, {"secondment": 1, "liaison_officer": 2})["link_types"]
    assert [e["code"] for e in entry] == ["liaison_officer", "secondment"]
    assert entry[1]["label"] == "Secondment"  # the ontology's label, capitalised as the others
    assert entry[1]["color"] not in (UNKNOWN_LINK.color, link_style("liaison_officer").color)
    out = flow["root"] / "map.html"
    result = invoke("map", "--data", str(flow["data"]), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Secondment" in out.read_text(encoding="utf-8")


def test_the_graphml_export_carries_it(flow):
    out = flow["root"] / "links.graphml"
    result = invoke("export", "--data", str(flow["data"]), "--format", "graphml", "--edges", "links", "-o", str(out))
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(out)  # read back by networkx, not by thbkg
    found = [data for _, _, data in graph.edges(data=True) if "secondment" in str(data.values())]
    assert len(found) == 1 and "liaison" in str(found[0].values())


# ---------------------------------------------------------------------- styles and copies
def test_every_code_has_a_style(flow):
    from thbkg.graph.outputs.maps.style import (
        ACTOR_PALETTE,
        ACTOR_STYLES,
        FAMILY_COLORS,
        LINK_PALETTE,
        LINK_STYLES,
        UNKNOWN_ACTOR,
        UNKNOWN_LINK,
        actor_style,
        link_style,
    )

    vocab = load_vocabulary()
    assert "secondment" in vocab.link_types  # the new ontology is the one in force here
    for code in vocab.actor_types:
        assert actor_style(code) != UNKNOWN_ACTOR and actor_style(code).label, code
    for code in vocab.link_types:
        assert link_style(code) != UNKNOWN_LINK and link_style(code).label, code
    assert list(LINK_STYLES)[-1] == "secondment" and len(ACTOR_STYLES) == len(vocab.actor_types)
    # the palettes name no code the ontology lacks (they would be dead entries)
    assert set(ACTOR_PALETTE) <= set(vocab.actor_types)
    assert set(LINK_PALETTE) <= set(vocab.link_types) and set(FAMILY_COLORS) <= set(vocab.families)


#: (module under graph/, assigned name) whose literal is allowed to name codes: generator parameters
#: and style palettes, checked against the ontology by the tests of synth and above
ALLOWED = {("rdf/synth.py", name) for name in ("ACTOR_TYPE_SHARES", "LINK_TYPES", "STATUS_WEIGHTS",
                                               "CONFIDENCE_WEIGHTS", "EXTRA_ACTOR_WEIGHTS", "WITH_END_DATE",
                                               "EXTRA_UNDATED", "ROLES")} | \
          {("outputs/maps/style.py", name) for name in ("ACTOR_PALETTE", "LINK_PALETTE", "FAMILY_COLORS")} | \
          {("analytics/coverage.py", "STATUS_STATES")}  # how statuses not in force are shown (a display order)


def _allowed_nodes(path: str, tree) -> set:
    allowed = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and (path, t.id) in ALLOWED for t in targets):
                allowed |= {id(n) for n in ast.walk(node.value)}
    return allowed


def _strings(nodes) -> list:
    return [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _copies(path: str, source: str, codes: set, semantic: set) -> list:
    """Literal collections of codes, and comparisons with a status or confidence code, in *source*."""
    tree = ast.parse(source)
    allowed = _allowed_nodes(path, tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in allowed:
            continue
        items = None
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = node.elts
        elif isinstance(node, ast.Dict):
            items = [k for k in node.keys if k is not None]
        if items and len(_strings(items)) == len(items) >= 2 and set(_strings(items)) <= codes | {""} \
                and len(set(_strings(items)) - {""}) >= 2:
            found.append(f"{path}:{node.lineno}: {_strings(items)}")
        if isinstance(node, ast.Compare):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, (ast.Eq, ast.NotEq)):
                    named = _strings([node.left, right])
                elif isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
                    named = _strings(right.elts)
                else:
                    continue
                if set(named) & semantic:
                    found.append(f"{path}:{node.lineno}: compares with {sorted(set(named) & semantic)}")
    return found


def test_no_module_keeps_its_own_list_of_codes(monkeypatch):
    """Codes are named one at a time (an anchor such as "country"); lists of them, and the meaning of a
    status or a confidence level, come from the ontology (thb:inForce, thb:rank)."""
    import thbkg.graph

    monkeypatch.delenv(ONTOLOGY_ENV, raising=False)
    vocab = load_vocabulary()
    codes = set(vocab.actor_types) | set(vocab.link_types) | set(vocab.statuses) | set(vocab.confidence_rank) \
        | set(vocab.families)
    assert {"treaty_party", "under_negotiation", "medium", "joint_action"} <= codes  # the scan looks for these
    package = Path(thbkg.graph.__file__).parent
    modules = sorted(package.rglob("*.py"))
    assert len(modules) > 30
    found = []
    for module in modules:
        path = module.relative_to(package).as_posix()
        found += _copies(path, module.read_text(encoding="utf-8"), codes,
                         set(vocab.statuses) | set(vocab.confidence_rank))
    assert found == []


def test_the_scan_finds_a_copy():
    """The scan above can fail: it finds the kinds of copy the issue names."""
    codes = {"high", "medium", "low", "active", "ended", "membership", "observer"}
    source = ('CONFIDENCE_RANK = {"high": 3, "medium": 2, "low": 1}\n'
              'def f(link):\n    return link["status"] == "ended" or link["status"] in ("active",)\n'
              'FAMILY = "membership"\nEXAMPLE = ("membership", "a word")\n')
    found = _copies("x.py", source, codes, {"high", "medium", "low", "active", "ended"})
    assert found == ["x.py:1: ['high', 'medium', 'low']", "x.py:3: compares with ['ended']",
                     "x.py:3: compares with ['active']"]
