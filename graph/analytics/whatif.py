"""What changes when actors leave the cooperation graph.

:func:`what_if` compares the cooperation graph before and after removing some actors:

* **components**: number of connected components and the size of the largest one;
* **cut off**: for every priority region, the member actors (still present) that lose their
  connection to an *anchor* actor they could reach before - by default the EU agencies
  (``anchor_types=("eu_agency",)``). Anchors that were themselves removed are listed
  separately (losing them is the direct effect, not a cut-off);
* **average distance**: mean hop distance between the actors of the largest component, before
  and after (exact up to ``EXACT_DISTANCE_LIMIT`` nodes, otherwise estimated from a seeded
  sample of BFS sources, which is reported);
* **top actors**: the ranking on one metric (default betweenness) before and after, for the
  union of both top-N lists, with the change in rank.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

import networkx as nx

from thbkg.graph.analytics.centrality import compute_centrality, largest_component, ranked
from thbkg.graph.analytics.engines import check_engine, metric_engine
from thbkg.graph.errors import UsageError
from thbkg.graph.network.projections import Network, resolve_actor
from thbkg.graph.progress import progress
from thbkg.graph.rdf.vocab import load_vocabulary

#: Above this many nodes in the largest component, the average distance is sampled.
EXACT_DISTANCE_LIMIT = 3000
DISTANCE_SAMPLE = 500


def average_distance(G, seed: int | None = 42, sample: int | None = None) -> tuple[float | None, int | None]:
    """Mean hop distance between the nodes of the largest component of *G*.

    Returns ``(value, sources)``: *sources* is ``None`` when exact, else the number of BFS
    sources sampled (with *seed*). ``value`` is ``None`` for a component of fewer than 2 nodes.

    >>> average_distance(nx.path_graph(4))
    (1.6666666666666667, None)
    """
    component = largest_component(G)
    if len(component) < 2:
        return None, None
    H = G.subgraph(sorted(component))
    n = H.number_of_nodes()
    if sample is None and n > EXACT_DISTANCE_LIMIT:
        sample = DISTANCE_SAMPLE
    if sample is None or sample >= n:
        return float(nx.average_shortest_path_length(H)), None
    sources = random.Random(seed).sample(sorted(H.nodes), sample)
    total = 0
    for node in sources:
        total += sum(nx.single_source_shortest_path_length(H, node).values())
    return total / (sample * (n - 1)), sample


@dataclass
class WhatIf:
    """Result of :func:`what_if` (``asdict``-able for JSON)."""

    removed: list
    metric: str
    top: int
    components_before: int
    components_after: int
    largest_before: int
    largest_after: int
    average_distance_before: float | None
    average_distance_after: float | None
    distance_sample: int | None
    anchor_types: list
    anchors_removed: list
    cut_off: list = field(default_factory=list)        # rows: region, actor, label, lost (anchor ids), left (anchor ids)
    left_largest_component: list = field(default_factory=list)  # actors no longer in the largest component
    rank_shifts: list = field(default_factory=list)    # rows: actor, label, rank_before, rank_after, change, value_before, value_after
    parameters: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def _reachable_anchors(G, anchors: set) -> dict:
    """Node -> anchors in the same connected component (anchors themselves included)."""
    result = {}
    for component in nx.connected_components(G):
        present = frozenset(component & anchors)
        for node in component:
            result[node] = present
    return result


def check_anchor_types(anchor_types) -> None:
    """Refuse anchor types that are not actor types of the ontology (a typo would find no anchor).

    >>> check_anchor_types(["eu_agncy"])
    Traceback (most recent call last):
    ...
    thbkg.graph.errors.UsageError: unknown actor type 'eu_agncy' in --anchor-type (did you mean eu_agency?)
    """
    import difflib

    known = load_vocabulary().actor_types
    for code in anchor_types:
        if code not in known:
            close = difflib.get_close_matches(code, known, n=1)
            hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(known)}"
            raise UsageError(f"unknown actor type {code!r} in --anchor-type ({hint})")


def what_if(network: Network, remove, *, metric: str = "betweenness", top: int = 10, k: int | None = None,
            seed: int | None = 42, anchor_types=("eu_agency",), backend: str | None = None,
            engine: str = "auto") -> WhatIf:
    """Compare the cooperation graph before and after removing the actors *remove* (ids or labels).

    *engine* (``auto``, ``networkx``, ``igraph``) computes the ranking metric; ``auto`` decides on
    the graph before the removal, and the same engine ranks both graphs. ``parameters["engine"]``
    says which one ran.

    Raises
    ------
    UsageError
        No actor given, an unknown actor or anchor type, or every actor removed.
    """
    if not remove:
        raise UsageError("name at least one actor to remove (--remove ACTOR)")
    check_anchor_types(anchor_types)
    check_engine(engine, backend)
    removed = sorted({resolve_actor(network, name) for name in remove})
    with progress(4, "what if") as bar:
        bar.set_item("cooperation graph")
        return _compare(network, removed, metric=metric, top=top, k=k, seed=seed, anchor_types=anchor_types,
                        backend=backend, engine=engine, bar=bar)


def _without(network: Network, removed: list) -> Network:
    """*network* without the *removed* actors and their links: removing a framework (which is not a
    node of the default actor graph) removes the ties its members had through it."""
    from dataclasses import replace

    gone = set(removed)
    return replace(network, actors={a: rec for a, rec in network.actors.items() if a not in gone},
                   links=[link for link in network.links if not {link["subject"], link["object"]} & gone])


def _compare(network: Network, removed: list, *, metric, top, k, seed, anchor_types, backend, engine,
             bar) -> WhatIf:
    """:func:`what_if` once the removed actors are known; *bar* says which step is running."""
    before = network.cooperation_graph()
    after = _without(network, removed).cooperation_graph()
    if after.number_of_nodes() == 0:
        raise UsageError("removing these actors leaves an empty graph")

    anchors = set(network.actors_of_type(*anchor_types))
    reach_before = _reachable_anchors(before, anchors)
    reach_after = _reachable_anchors(after, anchors)
    removed_set = set(removed)
    cut_off = []
    for region_id, region in sorted(network.regions.items()):
        for actor in region["members"]:
            if actor not in after:
                continue
            lost = sorted((reach_before[actor] - removed_set) - reach_after[actor] - {actor})
            if lost:
                cut_off.append({"region": region_id, "region_label": region["label"], "actor": actor,
                                "label": network.label(actor), "lost": lost,
                                "left": sorted(reach_after[actor] - {actor})})

    bar.update(1, "components and distances")
    largest_before = largest_component(before)
    largest_after = largest_component(after)
    left_largest = sorted(n for n in largest_before if n in after and n not in largest_after)

    distance_before, sample_before = average_distance(before, seed=seed)
    distance_after, sample_after = average_distance(after, seed=seed)

    # one engine for both graphs, so that no rank shift comes from a change of engine
    engine = metric_engine(metric, before.number_of_nodes(), engine, backend)
    bar.update(1, f"{metric} before")
    scores_before = compute_centrality(before, (metric,), k=k, seed=seed, backend=backend, engine=engine)[metric]
    bar.update(1, f"{metric} after")
    scores_after = compute_centrality(after, (metric,), k=k, seed=seed, backend=backend, engine=engine)[metric]
    bar.update(1, "")
    rank_before = {node: rank for rank, node, _ in ranked(scores_before, metric)}
    rank_after = {node: rank for rank, node, _ in ranked(scores_after, metric)}
    shown = {n for _, n, _ in ranked(scores_before, metric, top)} | {n for _, n, _ in ranked(scores_after, metric, top)}
    shifts = []
    for node in sorted(shown, key=lambda n: (rank_before.get(n, float("inf")), rank_after.get(n, float("inf")), n)):
        rb, ra = rank_before.get(node), rank_after.get(node)
        shifts.append({"actor": node, "label": network.label(node), "rank_before": rb, "rank_after": ra,
                       "change": (rb - ra) if (rb is not None and ra is not None) else None,
                       "value_before": scores_before.get(node), "value_after": scores_after.get(node)})

    return WhatIf(
        removed=removed, metric=metric, top=top,
        components_before=nx.number_connected_components(before),
        components_after=nx.number_connected_components(after),
        largest_before=len(largest_before), largest_after=len(largest_after),
        average_distance_before=distance_before, average_distance_after=distance_after,
        distance_sample=sample_before or sample_after,
        anchor_types=list(anchor_types), anchors_removed=sorted(anchors & removed_set),
        cut_off=cut_off, left_largest_component=left_largest, rank_shifts=shifts,
        parameters={"metric": metric, "top": top, "k": k, "seed": seed, "backend": backend, "engine": engine,
                    "anchor_types": list(anchor_types), "filters": network.filters.describe()},
    )
