"""Ids given as query parameters are checked with one ASK; the known ids are listed only for a message."""

from __future__ import annotations

import pytest

from thbkg.graph.errors import UsageError
from thbkg.graph.store.catalogue import named_query
from thbkg.graph.store.query import run_query
from thbkg.graph.store.source import GraphSource


class CountingSource(GraphSource):
    """The bundled graph, remembering the text of every query run on its store."""

    def __init__(self):
        super().__init__(use_cache=False)
        self.texts: list[str] = []

    def oxigraph_query(self, text):
        self.texts.append(text)
        return super().oxigraph_query(text)


@pytest.fixture(scope="module")
def source():
    return CountingSource()


def test_a_known_id_costs_one_ask_and_no_listing(source):
    query = named_query("agency_partners")
    source.texts.clear()
    result = run_query(source, query.text, {"agency": "frontex"}, declared=query.params)
    assert result.rows
    checks = [t for t in source.texts if t.lstrip().upper().startswith("ASK")]
    assert len(checks) == 1 and "https://w3id.org/thbkg/id/actor/frontex" in checks[0]
    assert not any("SELECT DISTINCT ?x" in t for t in source.texts)
    assert len(source.texts) == 2  # the ASK, then the query itself


def test_an_unknown_id_is_refused_with_the_closest_ids(source):
    query = named_query("agency_partners")
    with pytest.raises(UsageError) as info:
        run_query(source, query.text, {"agency": "frontx"}, declared=query.params)
    assert str(info.value) == "--param agency: there is no actor 'frontx' in the graph (did you mean frontex?)"


def test_an_unknown_region_is_refused(source):
    query = named_query("region_agreement_gaps")
    with pytest.raises(UsageError) as info:
        run_query(source, query.text, {"region": "sahell"}, declared=query.params)
    assert str(info.value).startswith("--param region: there is no region 'sahell' in the graph (did you mean sahel")
