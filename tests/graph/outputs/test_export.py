"""Exports read back by their tools' readers (networkx for GraphML/GEXF), validated against the official
GraphML and GEXF schemas (tests/fixtures/xsd, with lxml), or checked against the published structure
(Kumu blueprints, Cytoscape.js elements JSON); the same bytes from every store."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from thbkg.graph.errors import UsageError
from thbkg.graph.outputs.export import FORMATS, export_network

GEXF_NS = "{http://www.gexf.net/1.2draft}"


FRAMEWORK_TYPES = {"regional_process", "network", "platform", "programme", "treaty"}  # docs/design.md


def _pairs(net):
    """The actor pairs of the default actor graph, by the rule of docs/design.md: ties in force (status
    active) between two actors, plus every pair of actors that share a framework."""
    frameworks = {a for a, rec in net.actors.items() if rec["type"] in FRAMEWORK_TYPES}
    ties = [lk for lk in net.links if lk["status"] == "active"]
    pairs = {frozenset((lk["subject"], lk["object"])) for lk in ties
             if not {lk["subject"], lk["object"]} & frameworks}
    members: dict = {}
    for lk in ties:
        for framework, member in ((lk["object"], lk["subject"]), (lk["subject"], lk["object"])):
            if framework in frameworks and member not in frameworks:
                members.setdefault(framework, set()).add(member)
    pairs |= {frozenset((a, b)) for group in members.values() for a in group for b in group if a < b}
    return pairs


def _nodes(net, level):
    return len(net.actors) - (sum(rec["type"] in FRAMEWORK_TYPES for rec in net.actors.values())
                              if level == "pairs" else 0)


@pytest.mark.parametrize("level", ["pairs", "links"])
def test_graphml_reads_back_with_counts_and_attributes(report_network, level):
    g = nx.read_graphml(io.BytesIO(export_network(report_network, "graphml", level)))
    assert g.number_of_nodes() == _nodes(report_network, level)
    expected_edges = len(report_network.links) if level == "links" else len(_pairs(report_network))
    assert g.number_of_edges() == expected_edges
    assert g.nodes["xx"]["label"] == "<img src=x onerror=alert(1)>"
    assert g.nodes["al"]["regions"] == "western_balkans"
    if level == "pairs":
        data = g.edges["al", "frontex"]
        assert data["types"] == "status_agreement;working_arrangement"
        assert data["links"] == "l03;l04" and data["count"] == 2
        assert data["start"] == "2009" and "end" not in data  # one link is open-ended
    else:
        data = g.get_edge_data("ml", "frontex")["link:l17"]
        assert (data["type"], data["start"], data["end"], data["status"]) == \
            ("working_arrangement", "2012-05", "2020", "ended")


@pytest.mark.parametrize("level", ["pairs", "links"])
def test_gexf_reads_back_and_is_dynamic(report_network, level):
    data = export_network(report_network, "gexf", level)
    g = nx.read_gexf(io.BytesIO(data))
    assert g.number_of_nodes() == _nodes(report_network, level)
    expected_edges = len(report_network.links) if level == "links" else len(_pairs(report_network))
    assert g.number_of_edges() == expected_edges
    root = ET.fromstring(data)
    graph = root.find(f"{GEXF_NS}graph")
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    edges = {e.get("id"): e for e in root.iter(f"{GEXF_NS}edge")}
    if level == "links":
        l17 = edges["link:l17"]
        assert (l17.get("start"), l17.get("end")) == ("2012-05-01", "2020-12-31")
        assert edges["link:l08"].get("start") is None  # undated: no invented start
    else:
        pair = edges["pair:al:frontex"]                   # l03 2009 and l04 2018-10-12, both open
        assert (pair.get("start"), pair.get("end")) == ("2009-01-01", None)
        assert "pair:frontex:ml" not in edges             # l17 ended in 2020: not a tie in force
    # node spans: Mali's links are all dated from 2006; Niger has an undated link -> no start
    nodes = {n.get("id"): n for n in root.iter(f"{GEXF_NS}node")}
    assert nodes["ml"].get("start") is None  # l18 is undated
    assert nodes["al"].get("start") == "2007-02-01"
    assert nodes["ne"].get("start") is None


def test_gexf_is_reproducible_with_source_date_epoch(report_network, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    data = export_network(report_network, "gexf")
    assert b'lastmodifieddate="1970-01-01"' in data
    assert data == export_network(report_network, "gexf")


# --- Kumu blueprint: https://docs.kumu.io/guides/import/blueprints (elements/connections) -----------
def _check_kumu(doc):
    assert set(doc) == {"elements", "connections"}
    ids = []
    for element in doc["elements"]:
        assert isinstance(element["label"], str) and element["label"]
        for key in ("type", "description"):
            assert key not in element or isinstance(element[key], str)
        assert "tags" not in element or all(isinstance(t, str) for t in element["tags"])
        ids.append(element["id"])
    element_ids = set(ids)
    for connection in doc["connections"]:
        assert connection["from"] in element_ids and connection["to"] in element_ids
        assert connection.get("direction", "directed") in ("directed", "undirected", "mutual")
        assert all(isinstance(t, str) for t in connection.get("tags", []))
        ids.append(connection["id"])
    assert len(ids) == len(set(ids)), "Kumu ids must be unique across elements and connections"


@pytest.mark.parametrize("level", ["pairs", "links"])
def test_kumu_blueprint_structure(report_network, level):
    doc = json.loads(export_network(report_network, "kumu", level))
    _check_kumu(doc)
    assert len(doc["elements"]) == _nodes(report_network, level)
    labels = {e["id"]: e["label"] for e in doc["elements"]}
    assert labels["xx"] == "<img src=x onerror=alert(1)>"  # JSON keeps the text; Kumu escapes it
    if level == "pairs":
        assert len(doc["connections"]) == len(_pairs(report_network))
        assert {c["direction"] for c in doc["connections"]} == {"undirected"}
    else:
        assert len(doc["connections"]) == len(report_network.links)
        l13 = next(c for c in doc["connections"] if c["id"] == "link:l13")
        assert (l13["from"], l13["to"], l13["direction"]) == ("xx", "europol", "directed")
        assert "2010" in l13["tags"]
    # the tagged-timeline control reads years from tags: Albania has dated links from 2007 on
    albania = next(e for e in doc["elements"] if e["id"] == "al")
    assert {"2007", "2009", "2013", "2018", "western_balkans"} <= set(albania["tags"])


# --- Cytoscape.js: https://js.cytoscape.org/#notation/elements-json -----------------------------------
def _check_cytoscape(doc):
    nodes, edges = doc["elements"]["nodes"], doc["elements"]["edges"]
    ids = [n["data"]["id"] for n in nodes]
    node_ids = set(ids)
    for edge in edges:
        data = edge["data"]
        assert isinstance(data["id"], str)
        assert data["source"] in node_ids and data["target"] in node_ids
        ids.append(data["id"])
    assert len(ids) == len(set(ids)), "Cytoscape ids must be unique across nodes and edges"
    for element in nodes + edges:
        assert set(element) == {"data"}
        assert all(v is not None for v in element["data"].values())


@pytest.mark.parametrize("level", ["pairs", "links"])
def test_cytoscape_json_structure(report_network, level):
    doc = json.loads(export_network(report_network, "cytoscape", level))
    _check_cytoscape(doc)
    assert len(doc["elements"]["nodes"]) == _nodes(report_network, level)
    n_edges = len(report_network.links) if level == "links" else len(_pairs(report_network))
    assert len(doc["elements"]["edges"]) == n_edges


@pytest.mark.parametrize("level", ["pairs", "links"])
def test_csv_edge_list(report_network, level):
    rows = list(csv.DictReader(io.StringIO(export_network(report_network, "csv", level).decode())))
    if level == "links":
        assert [r["id"] for r in rows] == [f"link:{lk['id']}" for lk in report_network.links]
        by_id = {r["id"]: r for r in rows}
        assert by_id["link:l13"]["source_label"] == "<img src=x onerror=alert(1)>"
        assert by_id["link:l08"]["start"] == ""  # undated stays empty
    else:
        assert {frozenset((r["source"], r["target"])) for r in rows} == _pairs(report_network)
        frameworks = {a for a, rec in report_network.actors.items() if rec["type"] in FRAMEWORK_TYPES}
        direct = [lk for lk in report_network.links if lk["status"] == "active"
                  and not {lk["subject"], lk["object"]} & frameworks]
        assert sum(int(r["count"] or 0) for r in rows) == len(direct)


def test_unknown_format_or_level_is_a_usage_error(report_network):
    with pytest.raises(UsageError, match="unknown export format"):
        export_network(report_network, "pajek")
    with pytest.raises(UsageError, match="unknown edge level"):
        export_network(report_network, "csv", level="triples")


def test_every_format_is_deterministic(report_network, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    for fmt in FORMATS:
        assert export_network(report_network, fmt) == export_network(report_network, fmt)



# --- the official schemas (tests/fixtures/xsd/PROVENANCE.md) -----------------------------------------
XSD_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "xsd"
SCHEMA_OF = {"gexf": "gexf.xsd", "graphml": "graphml.xsd"}


def _schema(fmt):
    """The lxml schema of *fmt*; a missing lxml or XSD file fails the test (never skips it)."""
    from lxml import etree

    path = XSD_DIR / SCHEMA_OF[fmt]
    assert path.is_file(), f"{path} is missing: see tests/fixtures/xsd/PROVENANCE.md"
    return etree.XMLSchema(etree.parse(str(path)))


def _schema_errors(fmt, data: bytes) -> list:
    from lxml import etree

    schema = _schema(fmt)
    valid = schema.validate(etree.fromstring(data))
    errors = [f"{e.line}: {e.message}" for e in schema.error_log]
    assert valid == (not errors)
    return errors


def test_vendored_schemas_are_the_recorded_files():
    """The XSDs are JGraphT's copies as PROVENANCE.md records them (sha256), unmodified here."""
    provenance = (XSD_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    recorded = {name: digest for digest, name in re.findall(r"`([0-9a-f]{64})`\s+`(\w+\.xsd)`", provenance)}
    assert set(recorded) == {"gexf.xsd", "viz.xsd", "graphml.xsd", "xlink.xsd"}
    for name, digest in recorded.items():
        assert hashlib.sha256((XSD_DIR / name).read_bytes()).hexdigest() == digest, name
    assert (XSD_DIR / "LICENSE-jgrapht.txt").is_file()


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_the_schemas_reject_what_the_issue_reported(report_network, fmt):
    """The validation can fail: the two defects of issue 9 (a name on GEXF's <graph>, GraphML node and
    edge keys sharing an id) are errors for the schemas."""
    data = export_network(report_network, fmt, "pairs")
    assert _schema_errors(fmt, data) == []
    if fmt == "gexf":
        broken = data.replace(b'<graph defaultedgetype="undirected"', b'<graph name="x" defaultedgetype="undirected"')
        assert any("'name' is not allowed" in e for e in _schema_errors(fmt, broken))
    else:
        key_ids = re.findall(rb'<key id="(d\d+)" for="node"', data)
        first_edge_key = re.search(rb'<key id="(d\d+)" for="edge"', data).group(1)
        broken = data.replace(b'id="' + first_edge_key + b'"', b'id="' + key_ids[0] + b'"', 1)
        assert any("Duplicate key-sequence" in e for e in _schema_errors(fmt, broken))


@pytest.mark.parametrize("level", ["pairs", "links"])
@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_hostile_text_stays_valid_xml(report_network, fmt, level):
    """Labels with markup and control characters (the report fixture) still give schema-valid files."""
    assert _schema_errors(fmt, export_network(report_network, fmt, level)) == []


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory):
    from thbkg.graph.rdf.synth import write_synthetic

    folder = tmp_path_factory.mktemp("synthetic") / "data"
    write_synthetic(folder, actors=120, links=600, seed=7)
    return folder


@pytest.mark.parametrize("level", ["pairs", "links"])
@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
@pytest.mark.parametrize("data", ["bundled", "synthetic"])
def test_thbkg_export_is_valid_against_the_official_schema(runner, synthetic_dir, data, fmt, level, monkeypatch):
    from thbkg.cli.main import cli

    args = ["export", "--format", fmt, "--edges", level, "-o", "-"]
    if data == "synthetic":
        monkeypatch.setenv("THBKG_NO_BUNDLED", "1")
        args += ["--data", str(synthetic_dir)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    output = result.stdout_bytes
    assert output.count(b"<node ") > 100 if data == "synthetic" else output.count(b"<node ") > 130
    assert _schema_errors(fmt, output) == []
    # the official GEXF viz schema rejects viz: elements (a known flaw): thbkg writes none
    assert b"viz:" not in output and b"1.2draft/viz" not in output


# --- CSV: one line ending, one separator, items sorted --------------------------------------------------
def _network_with(note, sources):
    from thbkg.graph.network.projections import Network

    return Network(actors={"a": {"id": "a", "label": "A\r\nline two", "type": "country", "sources": ("s2", "s1")},
                           "b": {"id": "b", "label": "B", "type": "eu_agency"}},
                   links=[{"id": "l1", "subject": "a", "object": "b", "type": "working_arrangement",
                           "family": "agreement", "start": "2009", "end": None, "start_day": None, "end_day": None,
                           "status": "active", "sources": sources, "confidence": "high", "note": note}])


@pytest.mark.parametrize("level", ["pairs", "links"])
def test_csv_has_one_line_ending(level):
    data = export_network(_network_with("first\r\nsecond\rthird", ("s1",)), "csv", level)
    assert b"\r" not in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[1][rows[0].index("source_label")] == "A\nline two"
    if level == "links":
        assert rows[1][rows[0].index("note")] == "first\nsecond\nthird"


@pytest.mark.parametrize("fmt", ["csv", "graphml", "gexf", "kumu", "cytoscape"])
def test_multi_valued_cells_are_sorted_with_one_separator(fmt):
    data = export_network(_network_with("", ("zeta", "alpha", "mu")), fmt, "links").decode("utf-8")
    assert "alpha;mu;zeta" in data and "zeta;alpha" not in data  # the link's sources, given as zeta, alpha, mu
    if fmt != "csv":  # the CSV edge list has no actor fields; the others carry the actor's sources (s2, s1)
        assert "s1;s2" in data and "s2;s1" not in data


# --- the same bytes from every store, in processes with different hash seeds ----------------------------
_STORE_SCRIPT = r"""
import sys
from pathlib import Path
from thbkg.graph.network.projections import load_network
from thbkg.graph.outputs.export import FORMATS, LEVELS, export_network
from thbkg.graph.outputs.results import format_result
from thbkg.graph.store.catalogue import list_named_queries
from thbkg.graph.store.query import run_query
from thbkg.graph.store.source import GraphSource

kind, out = sys.argv[1], Path(sys.argv[2])
if kind == "persistent":
    from thbkg.graph.store.builder import run_build
    run_build(store_dir=str(out / "store"))
    source = GraphSource(store=str(out / "store"))
else:
    source = GraphSource(store="memory" if kind == "memory" else None)
net = load_network(source)
for fmt in FORMATS:
    for level in LEVELS:
        (out / f"export-{level}.{fmt}").write_bytes(export_network(net, fmt, level))
for named in list_named_queries():
    result = run_query(source, named.text, {}, declared=named.params)
    (out / f"query-{named.name}.csv").write_text(format_result(result, "csv"), encoding="utf-8", newline="")
"""


def test_exports_and_named_queries_are_byte_identical_on_every_store(tmp_path):
    """Embedded Oxigraph, rdflib's memory store and a persistent store give the same bytes: SPARQL leaves
    the order of GROUP_CONCAT undefined (Oxigraph and rdflib did differ), the queries sort it."""
    outputs = {}
    for seed, kind in enumerate(("embedded", "memory", "persistent"), start=1):
        out = tmp_path / kind
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": str(seed), "SOURCE_DATE_EPOCH": "0", "THBKG_NO_PROGRESS": "1"}
        done = subprocess.run([sys.executable, "-c", _STORE_SCRIPT, kind, str(out)], env=env,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs[kind] = {p.name: p.read_bytes() for p in out.glob("*-*.*") if p.is_file()}  # not the store's lock
    assert len(outputs["embedded"]) >= 10 + 20
    assert outputs["memory"] == outputs["embedded"]
    assert outputs["persistent"] == outputs["embedded"]
    sources = outputs["embedded"]["query-agency_partners.csv"].decode("utf-8")
    cells = [row["sources"] for row in csv.DictReader(io.StringIO(sources)) if ";" in row["sources"]]
    assert cells and all(cell.split(";") == sorted(cell.split(";")) for cell in cells)
