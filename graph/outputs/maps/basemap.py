"""The basemap of the geo layout: Natural Earth country shapes drawn under the network, offline.

The shapes are Natural Earth's 1:110m Admin 0 countries (public domain) as TopoJSON, from the npm
package ``world-atlas`` 2.0.2, vendored unchanged in ``vendor/countries-110m.json`` with
``vendor/topojson-client.min.js`` (ISC) to decode them in the browser; both licences and their
provenance (package, version, file, sha256) are in ``vendor/LICENSE-*.txt``. Only geo maps carry
them (about 115 kB).

The page projects every ring with the geo layout's own Web-Mercator projection
(:attr:`thbkg.graph.outputs.maps.layout.Layout.projection`) and draws it on vis-network's
``beforeDrawing`` hook, so a capital sits in its country at every zoom. This module says what to
draw: which shape is which country on the map (by ISO 3166-1 numeric code, the ids of world-atlas),
the countries that hold ties, shaded by their priority region (the data's regions), and the EU
member states, outlined (as :func:`thbkg.graph.analytics.groups.resolve_group` reads them from the
data: membership links to ``eu``, else the documented EMN proxy).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from thbkg.graph.errors import UsageError
from thbkg.graph.outputs.maps.style import EU_OUTLINE_COLOR, REGION_COLORS, TIE_COUNTRY_COLOR

__all__ = [
    "DECODER_FILE",
    "NAMED_FEATURES",
    "OMITTED_FEATURES",
    "SHAPES_CREDIT",
    "TOPOLOGY_FILE",
    "basemap_payload",
    "feature_key",
    "topology",
]

#: The vendored TopoJSON topology (object ``countries``) and its decoder.
TOPOLOGY_FILE = "countries-110m.json"
DECODER_FILE = "topojson-client.min.js"
#: The one line the legend says about the shapes.
SHAPES_CREDIT = "Country shapes: Natural Earth 1:110m (public domain), via world-atlas 2.0.2."
#: Shapes of world-atlas that have no ISO 3166-1 numeric id, by the (user-assigned) alpha-2 code the
#: data gives them -> the shape's ``properties.name`` (N. Cyprus and Somaliland are no actor).
NAMED_FEATURES = {"XK": "Kosovo"}
#: Shapes left out: Antarctica (ISO 3166-1 numeric 010) would fill more of a Web-Mercator map than
#: every other country together.
OMITTED_FEATURES = ("010",)


def _vendor_text(name: str) -> str:
    return (resources.files("thbkg.graph.outputs.maps") / "vendor" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def topology() -> dict:
    """The vendored TopoJSON topology of the world's countries (read once).

    Examples
    --------
    >>> topo = topology()
    >>> topo["type"], len(topo["objects"]["countries"]["geometries"])
    ('Topology', 177)
    """
    return json.loads(_vendor_text(TOPOLOGY_FILE))


def decoder_js() -> str:
    """The vendored topojson-client script (defines ``window.topojson``)."""
    return _vendor_text(DECODER_FILE)


def feature_key(iso2) -> str | None:
    """The key of a country's shape: its ISO 3166-1 numeric code (the shape's ``id``), or
    ``name:`` and the shape's name for the shapes without one; ``None`` for no known country.

    Examples
    --------
    >>> feature_key("NL"), feature_key("xk"), feature_key(""), feature_key("ZZ")
    ('528', 'name:Kosovo', None, None)
    """
    import pycountry

    code = str(iso2 or "").strip().upper()
    if not code:
        return None
    if code in NAMED_FEATURES:
        return "name:" + NAMED_FEATURES[code]
    country = pycountry.countries.get(alpha_2=code)
    return country.numeric if country is not None else None


def _shape_keys() -> frozenset:
    """The keys (:func:`feature_key`) of the shapes in the topology."""
    return frozenset(g.get("id") or "name:" + g["properties"]["name"] for g in topology()["objects"]["countries"]["geometries"])


def _region_colours(network) -> dict:
    """Region id -> fill colour, in the order of the data's region ids (stable across views)."""
    regions = sorted(getattr(network, "regions", None) or {})
    return {r: REGION_COLORS[i % len(REGION_COLORS)] for i, r in enumerate(regions)}


def _eu_members(network):
    """``(shape keys, definition)`` of the EU member states the data records (those with a shape), or
    ``([], reason)``."""
    from thbkg.graph.analytics.groups import EU_ACTOR, EU_MEMBER_STATES, EU_PROXY_FRAMEWORK, resolve_group

    try:
        group = resolve_group(network, EU_MEMBER_STATES)
    except UsageError:
        filters = getattr(getattr(network, "filters", None), "describe", lambda: "none")()
        return [], (f"not outlined, since the links kept (filters: {filters}) record no EU membership "
                    f"(no membership link to {EU_ACTOR}, no member of {EU_PROXY_FRAMEWORK})")
    everyone = getattr(network, "all_actors", None) or getattr(network, "actors", None) or {}
    shapes = _shape_keys()
    keys = sorted({k for a in group.members if (k := feature_key((everyone.get(a) or {}).get("iso2"))) in shapes})
    return keys, group.definition


def basemap_payload(network, graph, ids, projection) -> dict:
    """What the page needs to draw the basemap of a geo map.

    Parameters
    ----------
    network : thbkg.graph.network.projections.Network
        For the regions and the EU member states.
    graph : networkx.Graph
        The graph drawn; a node with an ISO 3166 alpha-2 code (``iso2``) is a country, and it holds
        ties when it has an edge.
    ids : dict
        node -> node id on the page.
    projection : dict
        ``{"cx", "cy", "scale"}`` of the geo layout (:attr:`~thbkg.graph.outputs.maps.layout.Layout.projection`).

    Returns
    -------
    dict
        ``projection``; ``omit`` (shape keys not drawn); ``countries``: shape key -> ``{"node", "region"}``
        (index into ``regions``, or -1) for the countries that hold ties; ``regions``: ``[{"id", "label",
        "color", "countries"}]`` of the regions shaded; ``eu``: shape keys of the EU member states and
        ``euNote`` how the data tells them; ``tieColor``, ``euColor``; ``missing``: labels of the countries
        with ties too small for a 1:110m shape; ``credit``.
    """
    colours, shapes = _region_colours(network), _shape_keys()
    labels = {r: str((rec or {}).get("label") or r) for r, rec in (getattr(network, "regions", None) or {}).items()}
    picked, missing = {}, []
    for node in sorted(graph, key=str):
        key = feature_key(graph.nodes[node].get("iso2"))
        if key is None or graph.degree(node) == 0:
            continue
        if key in shapes:
            region = next((r for r in sorted(graph.nodes[node].get("regions") or ()) if r in colours), None)
            picked[key] = (ids[node], region)
        else:
            missing.append(str(graph.nodes[node].get("label") or node))
    shaded = [r for r in colours if any(region == r for _, region in picked.values())]
    index = {r: i for i, r in enumerate(shaded)}
    regions = [{"id": r, "label": labels.get(r, r), "color": colours[r],
                "countries": sum(1 for _, region in picked.values() if region == r)} for r in shaded]
    eu, eu_note = _eu_members(network)
    return {"projection": {k: round(float(v), 9) for k, v in projection.items()},
            "omit": list(OMITTED_FEATURES), "regions": regions,
            "countries": {k: {"node": n, "region": index.get(r, -1)} for k, (n, r) in sorted(picked.items())},
            "eu": eu, "euNote": eu_note, "tieColor": TIE_COUNTRY_COLOR, "euColor": EU_OUTLINE_COLOR,
            "missing": missing, "credit": SHAPES_CREDIT}
