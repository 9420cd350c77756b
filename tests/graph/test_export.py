"""Exports read back by their tools' readers (networkx for GraphML/GEXF) or checked against the
published structure (Kumu blueprints, Cytoscape.js elements JSON)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from thbkg.graph.errors import UsageError
from thbkg.graph.outputs.export import FORMATS, export_network

GEXF_NS = "{http://www.gexf.net/1.2draft}"


def _pairs(net):
    return {frozenset((lk["subject"], lk["object"])) for lk in net.links}


@pytest.mark.parametrize("level", ["pairs", "links"])
def test_graphml_reads_back_with_counts_and_attributes(report_network, level):
    g = nx.read_graphml(io.BytesIO(export_network(report_network, "graphml", level)))
    assert g.number_of_nodes() == len(report_network.actors)
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
    assert g.number_of_nodes() == len(report_network.actors)
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
        pair = edges["pair:frontex:ml"]
        assert (pair.get("start"), pair.get("end")) == ("2012-05-01", "2020-12-31")
        assert edges["pair:al:frontex"].get("end") is None  # still active
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
    assert len(doc["elements"]) == len(report_network.actors)
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
    assert len(doc["elements"]["nodes"]) == len(report_network.actors)
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
        assert sum(int(r["count"]) for r in rows) == len(report_network.links)


def test_unknown_format_or_level_is_a_usage_error(report_network):
    with pytest.raises(UsageError, match="unknown export format"):
        export_network(report_network, "pajek")
    with pytest.raises(UsageError, match="unknown edge level"):
        export_network(report_network, "csv", level="triples")


def test_every_format_is_deterministic(report_network, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    for fmt in FORMATS:
        assert export_network(report_network, fmt) == export_network(report_network, fmt)
