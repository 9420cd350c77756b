"""The actor graph's shared-framework ties, built actor by actor, with one read-only attribute dict per set of
shared frameworks (:mod:`thbkg.graph.network.affiliations`).

Expected values are worked out by hand, or by brute force over every pair of actors with NetworkX's own
Newman projection (:func:`networkx.algorithms.bipartite.collaboration_weighted_projected_graph`).
"""

from __future__ import annotations

import copy
import itertools
import pickle
import random
from types import SimpleNamespace

import networkx as nx
import pytest

from thbkg.graph.network.affiliations import SharedEdgeData, shared_framework_graph
from thbkg.graph.network.filters import Filters
from thbkg.graph.network.projections import _pair_attributes, link_weight


def _link(number, subject, obj, link_type="membership"):
    return {"id": f"l{number:03d}", "subject": subject, "object": obj, "type": link_type, "status": "active",
            "confidence": "high", "sources": (), "start": None, "end": None}


def _network(actors, links):
    return SimpleNamespace(actors=actors, links=links, filters=Filters())


@pytest.fixture
def small():
    """Platform p (a, b, c), treaty q (a, c, d) and one agreement a – b."""
    actors = {a: {"type": "country"} for a in "abcd"} | {"p": {"type": "platform"}, "q": {"type": "treaty"}}
    links = [_link(1, "a", "p"), _link(2, "b", "p"), _link(3, "c", "p"), _link(4, "a", "q", "treaty_party"),
             _link(5, "c", "q", "treaty_party"), _link(6, "d", "q", "treaty_party"),
             _link(7, "a", "b", "working_arrangement")]
    return shared_framework_graph(_network(actors, links), _pair_attributes, link_weight)


def test_pairs_by_hand(small):
    # every framework has 3 members: 1/(3-1) = 0.5 per pair; a and c share both
    assert list(small.edges()) == [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("c", "d")]
    assert {(u, v): (d["frameworks"], d["shared_weight"], d["weight"], d["via"]) for u, v, d in small.edges(data=True)} == {
        ("a", "b"): (("p",), 0.5, 1.5, "link+framework"),
        ("a", "c"): (("p", "q"), 1.0, 1.0, "framework"),
        ("a", "d"): (("q",), 0.5, 0.5, "framework"),
        ("b", "c"): (("p",), 0.5, 0.5, "framework"),
        ("c", "d"): (("q",), 0.5, 0.5, "framework"),
    }
    assert small["a"]["b"]["links"] == ("l007",) and small["a"]["c"]["links"] == ()


def test_pairs_sharing_the_same_frameworks_share_one_read_only_dict(small):
    assert small["a"]["d"] is small["c"]["d"]                  # both share only q
    assert small["b"]["c"] is not small["a"]["d"]
    assert isinstance(small["a"]["d"], SharedEdgeData) and isinstance(small["a"]["d"], dict)
    assert type(small["a"]["b"]) is dict                        # a direct tie has its own dict
    for change in (lambda d: d.__setitem__("weight", 2.0), lambda d: d.update(weight=2.0),
                   lambda d: d.pop("weight"), lambda d: d.setdefault("x", 1), lambda d: d.clear(),
                   lambda d: d.__delitem__("weight")):
        with pytest.raises(TypeError, match="shared by several edges"):
            change(small["a"]["d"])
    assert small["c"]["d"]["weight"] == 0.5
    with pytest.raises(TypeError):
        small.add_edge("a", "d", weight=3.0)                    # NetworkX updates the edge's dict in place


def test_copies_are_plain_dicts_of_their_own(small):
    for other in (small.copy(), nx.Graph(small), nx.Graph(small.edges(data=True))):
        assert list(other.edges(data=True)) == list(small.edges(data=True))
        other["a"]["d"]["weight"] = 9.0                         # changes the copy only
        assert type(other["a"]["d"]) is dict and other["c"]["d"]["weight"] == 0.5
    assert small["a"]["d"]["weight"] == 0.5


def test_deep_copies_keep_the_shared_dicts_read_only(small):
    for other in (copy.deepcopy(small), pickle.loads(pickle.dumps(small))):
        assert list(other.edges(data=True)) == list(small.edges(data=True))
        assert other["a"]["d"] is other["c"]["d"] and other["a"]["d"] is not small["a"]["d"]
        with pytest.raises(TypeError):
            other["a"]["d"]["weight"] = 9.0
        other["a"]["b"]["weight"] = 9.0                         # a direct tie's own dict
    assert small["a"]["b"]["weight"] == 1.5


def test_random_projection_against_brute_force():
    rng = random.Random(7)
    actors = {f"a{i:02d}": {"type": "country"} for i in range(40)}
    frameworks = {f"f{i}": {"type": "platform"} for i in range(8)}
    links, number = [], 0
    for framework in frameworks:
        for member in rng.sample(sorted(actors), rng.randint(1, 15)):
            number += 1
            links.append(_link(number, member, framework) if rng.random() < 0.5
                         else _link(number, framework, member, "secretariat"))
    for a, b in rng.sample(list(itertools.combinations(sorted(actors), 2)), 30):
        number += 1
        links.append(_link(number, a, b, "working_arrangement"))
    G = shared_framework_graph(_network(actors | frameworks, links), _pair_attributes, link_weight)

    two_mode = nx.Graph()
    two_mode.add_nodes_from(actors, bipartite=0)
    two_mode.add_nodes_from(frameworks, bipartite=1)
    two_mode.add_edges_from((l["subject"], l["object"]) for l in links
                            if (l["subject"] in frameworks) != (l["object"] in frameworks))
    newman = nx.algorithms.bipartite.collaboration_weighted_projected_graph(two_mode, sorted(actors))
    direct = {tuple(sorted((l["subject"], l["object"]))) for l in links
              if l["subject"] in actors and l["object"] in actors}
    expected = sorted({tuple(sorted(e)) for e in newman.edges()} | direct)
    assert sorted(G.edges()) == expected and list(G.edges()) == expected   # inserted in sorted order
    for a, b in expected:
        shared = tuple(sorted(set(two_mode[a]) & set(two_mode[b])))
        data = G[a][b]
        assert data["frameworks"] == shared
        assert data["shared_weight"] == pytest.approx(newman[a][b]["weight"] if shared else 0.0, abs=1e-12)
        assert data["direct_weight"] == (sum(1 for l in links if {l["subject"], l["object"]} == {a, b})
                                         if (a, b) in direct else 0.0)
    # one dict per distinct set of shared frameworks among the framework-only pairs
    framework_only = [(a, b) for a, b in expected if (a, b) not in direct]
    assert len({id(G[a][b]) for a, b in framework_only}) == len({G[a][b]["frameworks"] for a, b in framework_only})
