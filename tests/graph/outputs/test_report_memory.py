"""The report's lean graphs give what the full ones gave: the brokerage roles on the directed ties without the
link records (:func:`thbkg.graph.outputs.report._directed_ties`) are those on ``Network.multigraph()``."""

from __future__ import annotations

import pytest

from thbkg.graph.analytics.brokers import brokerage_roles
from thbkg.graph.network.filters import Filters
from thbkg.graph.network.projections import load_network
from thbkg.graph.outputs import report
from thbkg.graph.rdf.vocab import load_vocabulary


def _multigraph_without_frameworks(net):
    """The graph the report used to count the roles on: every tie in force with its link record."""
    directed = net.multigraph()
    vocab = load_vocabulary()
    directed.remove_nodes_from([n for n in list(directed) if vocab.is_framework_type(report._type(net, n))])
    return directed


@pytest.mark.parametrize("filters", [Filters(), Filters(as_of="2015"), Filters(regions=("sahel",))])
def test_roles_on_the_directed_ties_are_those_of_the_multigraph(bundled_source, filters):
    net = load_network(bundled_source, filters)
    lean, full = report._directed_ties(net), _multigraph_without_frameworks(net)
    assert list(lean.nodes) == list(full.nodes)
    assert set(lean.edges) == {(u, v) for u, v, _key in full.edges(keys=True)}
    assert dict(lean.nodes(data="type")) == dict(full.nodes(data="type"))
    roles = brokerage_roles(lean)
    assert roles == brokerage_roles(full)
    assert any(counts["total"] for counts in roles.values())


def test_roles_on_the_mini_graph(mini_network):
    assert brokerage_roles(report._directed_ties(mini_network)) == brokerage_roles(
        _multigraph_without_frameworks(mini_network))
