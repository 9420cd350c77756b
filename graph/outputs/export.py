"""Export the cooperation network for other tools: Gephi (GEXF, GraphML), Kumu, Cytoscape.js, CSV.

Two edge levels:

``pairs`` (default)
    the actor graph of the ties in force (:meth:`Network.cooperation_graph`; frameworks are not
    nodes unless ``--frameworks as-nodes``): one undirected edge per pair of actors, carrying its
    link types, link ids, link count, earliest start, latest end, sources, lowest confidence, the
    frameworks the pair shares, ``via`` (link, framework or both) and weight;
``links``
    one directed edge per link record (subject -> object), with all of its fields: every record,
    whatever its status (the ``status`` field says it), between every kept actor and framework.

Multi-valued fields (tuples) are joined with ``;``, their items sorted, so every attribute is a scalar
that GraphML and GEXF can hold and the same network gives the same bytes from every store; unknown
values are left out rather than written as empty strings. CSV rows and the line breaks inside cells
all end with ``\n``.

The GraphML and GEXF files validate against the official schemas (GraphML 1.0, GEXF 1.2draft; see
``tests/fixtures/xsd/``): node and edge attributes have distinct GraphML key ids, and the graph's title
is the GEXF ``<meta><description>`` (GEXF's ``<graph>`` has no name attribute).

Data text is made safe for each format (:mod:`thbkg.graph.outputs.text`): CSV cells that a spreadsheet
would run as formulas get a leading ``'`` (``--raw-csv`` keeps them), control characters become
JSON escapes in Kumu and Cytoscape files (the data reads back unchanged) and visible escapes such as
``\x1b`` in GraphML and GEXF, which cannot hold them at all.

In GEXF every edge carries ``start``/``end`` (the first and last day it covers, ISO dates, only where
known) and every node the span of its dated links, so Gephi's timeline works (graph ``mode="dynamic"``,
``timeformat="date"``). An element without a start is shown from the beginning of the timeline,
one without an end until its end: nothing is made up.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from xml.etree.ElementTree import SubElement

import networkx as nx

from thbkg.graph.errors import UsageError
from thbkg.graph.outputs.text import csv_text, escape_serialized_controls, terminal_safe

FORMATS = ("graphml", "gexf", "kumu", "cytoscape", "csv")
LEVELS = ("pairs", "links")
NODE_FIELDS = ("label", "type", "iso2", "iso3", "wikidata", "seat", "lat", "lon", "regions", "sources",
               "confidence", "iri")
PAIR_FIELDS = ("types", "links", "count", "start", "end", "sources", "confidence", "frameworks", "via",
               "shared_weight", "weight")
LINK_FIELDS = ("label", "type", "family", "role", "start", "end", "status", "instrument", "sources",
               "confidence", "date_confidence", "note", "iri")
#: what the exported graph is called (GraphML graph data, GEXF description, Cytoscape name)
TITLE = "thbkg cooperation network"
#: the one separator of multi-valued cells, as in the tables (data/README.md)
SEPARATOR = ";"


def _scalar(value):
    """A GraphML/GEXF-safe scalar: several values sorted and joined with ';', dates as ISO text,
    None kept as None.

    >>> _scalar(("b", "a")), _scalar(3), _scalar(None), _scalar(())
    ('a;b', 3, None, None)
    """
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return SEPARATOR.join(sorted(str(v) for v in value)) or None
    if isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _iso(day):
    return None if day is None else (day.isoformat() if hasattr(day, "isoformat") else str(day)[:10])


def _clean(record, fields):
    out = {}
    for name in fields:
        value = _scalar(record.get(name))
        if value is not None and value != "":
            out[name] = value
    return out


def node_rows(net, nodes=None):
    """One dict per actor (sorted by id; only *nodes* when given): ``id``, the scalar actor fields,
    ``start_day``/``end_day``.

    ``start_day`` is the earliest start of the actor's links when all of them are dated (else None);
    ``end_day`` is the latest end when all of them have ended on a known date (else None).
    """
    spans = {}
    for link in net.links:
        for actor in (link["subject"], link["object"]):
            spans.setdefault(actor, []).append(link)
    rows = []
    for actor_id in sorted(net.actors if nodes is None else set(nodes) & set(net.actors)):
        links = spans.get(actor_id, [])
        starts = [link.get("start_day") for link in links]
        ends = [link.get("end_day") for link in links]
        row = {"id": actor_id, **_clean(net.actors[actor_id], NODE_FIELDS)}
        row["start_day"] = _iso(min(starts)) if starts and None not in starts else None
        row["end_day"] = _iso(max(ends)) if ends and None not in ends else None
        rows.append(row)
    return rows


def edge_rows(net, level="pairs", graph=None):
    """One dict per edge: ``id``, ``source``, ``target``, ``directed``, the scalar fields, and
    ``start_day``/``end_day`` (ISO text or None). *graph*: the pairs level's actor graph, if built.

    Edge ids contain ``:``, which table ids cannot, so they never clash with actor ids.
    """
    if level not in LEVELS:
        raise UsageError(f"unknown edge level {level!r} (use {' or '.join(LEVELS)})")
    rows = []
    if level == "links":
        for link in net.links:
            if link["subject"] not in net.actors or link["object"] not in net.actors:
                continue
            rows.append({"id": f"link:{link['id']}", "source": link["subject"], "target": link["object"],
                         "directed": True, "link": link["id"], **_clean(link, LINK_FIELDS),
                         "start_day": _iso(link.get("start_day")), "end_day": _iso(link.get("end_day"))})
        return rows
    by_id = {link["id"]: link for link in net.links}
    graph = net.cooperation_graph() if graph is None else graph
    for u, v, data in graph.edges(data=True):
        u, v = sorted((u, v))
        links = [by_id[i] for i in data.get("links", ()) if i in by_id]
        starts = [link.get("start_day") for link in links]
        ends = [link.get("end_day") for link in links]
        rows.append({"id": f"pair:{u}:{v}", "source": u, "target": v, "directed": False,
                     **_clean(data, PAIR_FIELDS),
                     "start_day": _iso(min(starts)) if starts and None not in starts else None,
                     "end_day": _iso(max(ends)) if ends and None not in ends else None})
    return rows


def _xml_safe(attrs):
    """*attrs* with control characters in text values shown as escapes (XML 1.0 cannot hold most)."""
    return {k: terminal_safe(v, multiline=True) if isinstance(v, str) else v for k, v in attrs.items()}


def _level_graph(net, level):
    """The actor graph the pairs level exports (None for the links level)."""
    return net.cooperation_graph() if level == "pairs" else None


def _nx_graph(net, level, dynamic):
    graph = nx.MultiDiGraph() if level == "links" else nx.Graph()
    graph.graph["name"] = TITLE
    pairs = _level_graph(net, level)
    for row in node_rows(net, None if pairs is None else pairs.nodes):
        attrs = {k: v for k, v in row.items() if k not in ("id", "start_day", "end_day")}
        attrs.setdefault("label", row["id"])
        if dynamic:
            if row["start_day"]:
                attrs["start"] = row["start_day"]
            if row["end_day"]:
                attrs["end"] = row["end_day"]
        graph.add_node(row["id"], **_xml_safe(attrs))
    for row in edge_rows(net, level, pairs):
        attrs = {k: v for k, v in row.items()
                 if k not in ("id", "source", "target", "directed", "start_day", "end_day")}
        if dynamic:
            # GEXF reserves 'type' (directed/undirected), 'label', 'start' and 'end' on edges
            if "type" in attrs:
                attrs["link_type"] = attrs.pop("type")
            for key in ("start", "end"):
                if key in attrs:
                    attrs[f"{key}_text"] = attrs.pop(key)
            attrs["label"] = attrs.get("link_type") or attrs.get("types") or ""
            attrs["id"] = row["id"]
            if row["start_day"]:
                attrs["start"] = row["start_day"]
            if row["end_day"]:
                attrs["end"] = row["end_day"]
        attrs = _xml_safe(attrs)
        if level == "links":
            graph.add_edge(row["source"], row["target"], key=row["id"], **attrs)
        else:
            graph.add_edge(row["source"], row["target"], **attrs)
    return graph


def to_graphml(net, level="pairs"):
    """GraphML text (UTF-8 bytes); multi-valued attributes joined with ``;``.

    Key ids are networkx's ``d0``, ``d1``…: a node and an edge attribute of the same name (``sources``,
    ``confidence``) need two keys, and the GraphML schema wants every key id once. Readers use the
    ``attr.name``.
    """
    buffer = io.BytesIO()
    nx.write_graphml(_nx_graph(net, level, dynamic=False), buffer, encoding="utf-8", named_key_ids=False)
    return buffer.getvalue()


def _source_date():
    """``SOURCE_DATE_EPOCH`` as an ISO day (reproducible builds: no wall-clock date), else None."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date().isoformat()
    return None


def to_gexf(net, level="pairs"):
    """GEXF 1.2 bytes with ``start``/``end`` dates on nodes and edges (dynamic mode)."""
    from networkx.readwrite.gexf import GEXFWriter

    graph = _nx_graph(net, level, dynamic=True)
    graph.graph["mode"] = "dynamic"
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(graph)
    del writer.graph_element.attrib["name"]  # not in the GEXF 1.2 schema: the title is the description
    meta = writer.xml.find("meta")
    SubElement(meta, "description").text = TITLE
    if _source_date():
        meta.set("lastmodifieddate", _source_date())
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def to_kumu(net, level="pairs"):
    """A Kumu JSON blueprint ``{"elements": [...], "connections": [...]}`` (dict).

    Elements use the actor id as ``id`` (connections refer to ids, since labels need not be unique),
    with ``label``, ``type``, ``description`` and ``tags`` (the actor's regions and the years of its
    dated links, for Kumu's tagged-timeline control) plus custom fields. Connections carry ``from``,
    ``to``, ``type``, ``direction`` (``undirected`` for pairs, ``directed`` for link records), ``tags``
    (link types and start years) and the other fields.
    """
    years = {}
    for link in net.links:
        if link.get("start"):
            for actor in (link["subject"], link["object"]):
                years.setdefault(actor, set()).add(str(link["start"])[:4])
    pairs = _level_graph(net, level)
    elements = [_kumu_element(row, net.actors[row["id"]], years.get(row["id"], ()))
                for row in node_rows(net, None if pairs is None else pairs.nodes)]
    connections = [_kumu_connection(row) for row in edge_rows(net, level, pairs)]
    return {"elements": elements, "connections": connections}


def _kumu_element(row, actor, years):
    """One Kumu element: the actor's id, label, type, description, tags (regions, then years) and fields."""
    description = ", ".join(str(x) for x in (actor.get("type"), actor.get("seat"), actor.get("iso3")) if x)
    element = {"id": row["id"], "label": row.get("label") or row["id"],
               "type": (actor.get("type") or "").replace("_", " ") or None,
               "description": description or None,
               "tags": sorted(set(actor.get("regions") or ())) + sorted(years)}
    for key in ("iso2", "iso3", "wikidata", "seat", "lat", "lon", "confidence", "iri", "sources"):
        if key in row:
            element[key] = row[key]
    return {k: v for k, v in element.items() if v is not None}


def _kumu_connection(row):
    """One Kumu connection: ``from``/``to``, type, direction, tags (link types, start year) and fields."""
    kind = row.get("type") or row.get("types")
    tags = list(str(kind).split(SEPARATOR)) if kind else []
    if row.get("start"):
        tags.append(str(row["start"])[:4])
    connection = {"id": row["id"], "from": row["source"], "to": row["target"],
                  "type": str(kind).replace("_", " ").replace(SEPARATOR, ", ") if kind else None,
                  "direction": "directed" if row["directed"] else "undirected", "tags": tags}
    skipped = ("id", "source", "target", "directed", "type", "types", "start_day", "end_day")
    connection.update((key, value) for key, value in row.items() if key not in skipped and value is not None)
    if kind and not row["directed"]:
        connection["link types"] = row.get("types")
    return {k: v for k, v in connection.items() if v is not None}


def to_cytoscape(net, level="pairs"):
    """Cytoscape.js elements JSON ``{"elements": {"nodes": [{"data": …}], "edges": [{"data": …}]}}``
    (dict), also readable by Cytoscape desktop (File > Import > Network from file, ``.cyjs``)."""
    pairs = _level_graph(net, level)
    nodes = []
    for row in node_rows(net, None if pairs is None else pairs.nodes):
        data = {k: v for k, v in row.items() if v is not None}
        data["name"] = row.get("label") or row["id"]
        nodes.append({"data": data})
    edges = []
    for row in edge_rows(net, level, pairs):
        data = {k: v for k, v in row.items() if v is not None}
        data["interaction"] = row.get("type") or row.get("types") or ""
        edges.append({"data": data})
    return {"data": {"name": TITLE}, "elements": {"nodes": nodes, "edges": edges}}


def _one_line_ending(value):
    r"""*value* with each line break inside it written ``\n`` (a cell typed on Windows holds ``\r\n``).

    >>> _one_line_ending("a\r\nb\rc"), _one_line_ending(2)
    ('a\nb\nc', 2)
    """
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def to_csv(net, level="pairs"):
    """A CSV edge list with labels next to ids (text), through :func:`~thbkg.graph.outputs.text.csv_text`:
    every line, and every line break inside a cell, ends with ``\n``."""
    fields = LINK_FIELDS if level == "links" else PAIR_FIELDS
    header = ["id", "source", "source_label", "target", "target_label", *fields, "start_day", "end_day"]
    rows = []
    for row in edge_rows(net, level):
        row = dict(row)
        row["source_label"] = net.actors[row["source"]].get("label") or row["source"]
        row["target_label"] = net.actors[row["target"]].get("label") or row["target"]
        rows.append([_one_line_ending(row.get(h)) for h in header])
    return csv_text(header, rows, lineterminator="\n")


def export_network(net, fmt, level="pairs"):
    """Serialise *net* in *fmt* (one of :data:`FORMATS`) and return bytes.

    Examples
    --------
    >>> from thbkg.graph.network.projections import Network
    >>> net = Network(actors={"a": {"id": "a", "label": "A", "type": "country"},
    ...                       "b": {"id": "b", "label": "B", "type": "eu_agency"}},
    ...               links=[{"id": "l1", "subject": "a", "object": "b", "type": "working_arrangement",
    ...                       "family": "agreement", "start": "2009", "end": None, "start_day": None,
    ...                       "end_day": None, "status": "active", "sources": ("s",), "confidence": "high"}])
    >>> print(export_network(net, "csv").decode().splitlines()[1])
    pair:a:b,a,A,b,B,working_arrangement,l1,1,2009,,s,high,,link,0.0,1.0,,
    >>> json.loads(export_network(net, "kumu"))["connections"][0]["from"]
    'a'
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r} (use one of {', '.join(FORMATS)})")
    if level not in LEVELS:
        raise UsageError(f"unknown edge level {level!r} (use {' or '.join(LEVELS)})")
    if fmt == "graphml":
        return to_graphml(net, level)
    if fmt == "gexf":
        return to_gexf(net, level)
    if fmt == "csv":
        return to_csv(net, level).encode("utf-8")
    data = to_kumu(net, level) if fmt == "kumu" else to_cytoscape(net, level)
    text = escape_serialized_controls(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False))
    return (text + "\n").encode("utf-8")
