"""Names as people type them (graph/network/names.py and the name functions of projections.py).

Expected ids are read by hand from data/actors.csv, data/regions.csv and the ontology's labels (the row
quoted next to each case), or counted from the CSV tables with the csv module; never from the matcher.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from thbkg.graph.errors import UsageError
from thbkg.graph.network.filters import Filters
from thbkg.graph.network.names import (
    KnownNames,
    NameIndex,
    actor_index,
    framework_index,
    name_key,
    resolve_filters,
)
from thbkg.graph.network.projections import (
    Network,
    apply_filters,
    check_names,
    fetch_records,
    known_names,
    load_network,
    name_resolver,
    names_in_tables,
    resolve_actor,
)

DATA = Path(__file__).resolve().parents[3] / "data"


def rows(table: str) -> list[dict]:
    with open(DATA / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------------- the key names are compared in
@pytest.mark.parametrize("a, b", [
    ("Côte d'Ivoire", "cote d'ivoire"),       # accents and case
    ("horn-of-africa", "Horn of Africa"),     # '-' and spaces
    ("treaty_party", "Treaty party"),         # '_' and spaces
    ("EU–Horn", "eu-horn"),                   # an en dash is a dash
    ("  Western   Balkans ", "western balkans"),
])
def test_name_key_ignores_case_accents_and_separators(a, b):
    assert name_key(a) == name_key(b)


def test_name_key_keeps_other_differences():
    assert name_key("Niger") != name_key("Nigeria") and name_key("EU body") != name_key("EU bod")


# ---------------------------------------------------------------------- actors of the bundled tables
# (name, id) read from data/actors.csv by hand
BUNDLED_NAMES = [
    ("frontex", "frontex"),                                   # the id
    ("Frontex", "frontex"),                                   # label "Frontex (European Border and Coast Guard Agency)"
    ("european border and coast guard agency", "frontex"),    # the bracketed part of that label
    ("Frontex (European Border and Coast Guard Agency)", "frontex"),
    ("Europol", "europol"),
    ("Serbia", "rs"), ("SERBIA", "rs"), ("RS", "rs"), ("SRB", "rs"), ("srb", "rs"),  # label, iso2, iso3
    ("Q21786841", "frontex"), ("wd:Q207203", "europol"),     # the wikidata column
    ("http://www.wikidata.org/entity/Q207203", "europol"),
    ("Palermo Protocol", "palermo-protocol"),                 # its aliases cell
    ("CETS 197", "cets197"), ("cets-197", "cets197"),         # cets197's alias "CETS 197"
    ("Cote d'Ivoire", "ci"), ("CÔTE D'IVOIRE", "ci"), ("CIV", "ci"),  # label "Côte d'Ivoire"
    ("EU-Horn of Africa Migration Route Initiative", "khartoum-process"),  # the label has an en dash
    ("thba:rs", "rs"), ("thbid:actor/rs", "rs"), ("https://w3id.org/thbkg/id/actor/rs", "rs"),
    ("<https://w3id.org/thbkg/id/actor/rs>", "rs"),
]


@pytest.fixture(scope="module")
def table_actors():
    return names_in_tables((), True, actors=True).actors


@pytest.mark.parametrize("name, expected", BUNDLED_NAMES)
def test_actor_names_from_the_tables(table_actors, name, expected):
    assert table_actors.resolve(name) == expected


def test_every_actor_answers_to_each_of_its_names(table_actors):
    """Each cell that names an actor in actors.csv finds that actor (and maybe another: see FRA)."""
    for rec in rows("actors"):
        names = [rec["id"], rec["label"], rec["iso2"], rec["iso3"], rec["wikidata"]]
        names += [alias.strip() for alias in rec.get("aliases", "").split(";")]
        for name in filter(None, names):
            assert rec["id"] in table_actors.find(name), (rec["id"], name)
        assert table_actors.find(rec["id"]) == (rec["id"],)  # an id as it is names one actor


def test_unknown_actor_gets_the_closest_names():
    with pytest.raises(UsageError) as info:
        names_in_tables((), True, actors=True).actors.resolve("Frontx")
    assert str(info.value) == "unknown actor 'Frontx' (did you mean Frontex (frontex)?)"


def test_a_name_two_actors_share_is_refused_with_both(table_actors):
    # data/actors.csv: fr,France,...,FR,FRA and fra,European Union Agency for Fundamental Rights (FRA)
    assert table_actors.resolve("fra") == "fra"  # the id as it is
    with pytest.raises(UsageError) as info:
        table_actors.resolve("FRA")
    assert str(info.value) == ("'FRA' matches 2 actors: fr (France), fra (European Union Agency for Fundamental "
                               "Rights (FRA)); give the id")


@pytest.fixture(scope="module", params=["embedded", "memory"])
def built_source(request):
    """The bundled graph in a store that is built, so names are read with network_actor_names.rq."""
    from thbkg.graph.store.source import GraphSource

    source = GraphSource(store="memory" if request.param == "memory" else None)
    source.graph()
    return source


def test_the_store_knows_the_names_the_tables_know(built_source, table_actors):
    stored = known_names(built_source, actors=True).actors
    assert stored.ids == table_actors.ids == tuple(sorted(r["id"] for r in rows("actors")))
    for name, expected in BUNDLED_NAMES:
        assert stored.resolve(name) == expected, name
    assert stored.find("FRA") == ("fr", "fra")


def test_known_names_of_a_store_read_regions_by_label(built_source):
    regions = known_names(built_source, regions=True).regions
    assert regions.ids == tuple(sorted(r["id"] for r in rows("regions")))
    assert regions.resolve("Horn of Africa") == "horn-of-africa" and regions.resolve("thbr:sahel") == "sahel"


# ---------------------------------------------------------------------- a toy network
def toy_network() -> Network:
    """Two fictional actors sharing the alias "Twin", a third with ISO codes, and one framework."""
    actors = {
        "a": {"id": "a", "label": "Alpha Agency (AA)", "type": "eu_agency", "aliases": ("Twin",)},
        "b": {"id": "b", "label": "Beta Bureau", "type": "eu_body", "aliases": ("Twin",)},
        "c": {"id": "c", "label": "Gamma Land", "type": "country", "iso2": "GL", "iso3": "GML",
              "wikidata": "Q1"},
        "p": {"id": "p", "label": "Process P", "type": "regional_process"},
    }
    links = [{"id": "l1", "subject": "a", "object": "c", "type": "working_arrangement", "family": "agreement",
              "status": "active", "start": None, "end": None, "start_day": None, "end_day": None,
              "sources": (), "confidence": "high"},
             {"id": "l2", "subject": "c", "object": "p", "type": "membership", "family": "membership",
              "status": "active", "start": None, "end": None, "start_day": None, "end_day": None,
              "sources": (), "confidence": "high"}]
    regions = {"north": {"id": "north", "label": "The North", "members": ("c",)}}
    return Network(actors=actors, links=links, regions=regions)


def test_resolve_actor_reads_every_kind_of_name():
    net = toy_network()
    assert [resolve_actor(net, n) for n in ("a", "AA", "alpha agency", "GML", "gl", "Q1", "wd:Q1", "thba:c")] == [
        "a", "a", "a", "c", "c", "c", "c", "c"]


def test_resolve_actor_ambiguous_message():
    with pytest.raises(UsageError) as info:
        resolve_actor(toy_network(), "twin")
    assert str(info.value) == "'twin' matches 2 actors: a (Alpha Agency (AA)), b (Beta Bureau); give the id"


def test_resolve_actor_unknown_message():
    with pytest.raises(UsageError) as info:
        resolve_actor(toy_network(), "Gama Land")
    assert str(info.value) == "unknown actor 'Gama Land' (did you mean Gamma Land (c)?)"


def test_resolve_actor_tells_a_filtered_out_actor_from_an_unknown_one():
    net = apply_filters(toy_network(), Filters(types="membership"))
    with pytest.raises(UsageError) as info:
        resolve_actor(net, "Alpha Agency")
    assert str(info.value) == ("actor 'Alpha Agency' has no link left under the filters (type=membership); "
                               "loosen the filters")


def test_frameworks_are_actors_of_a_framework_type():
    index = framework_index(toy_network().actors.values())
    assert index.ids == ("p",) and index.resolve("process p") == "p"
    with pytest.raises(UsageError, match=r"^unknown framework 'Gamma Land'"):
        index.resolve("Gamma Land")


def test_apply_filters_makes_names_ids():
    net = apply_filters(toy_network(), Filters(regions="the north", types="Working arrangement",
                                               actor_types=("EU agency", "country"), exclude="Beta Bureau"))
    assert net.filters == Filters(regions=("north",), types=("working_arrangement",),
                                  actor_types=("eu_agency", "country"), exclude=("b",))
    assert [link["id"] for link in net.links] == ["l1"]


def test_ambiguous_and_unknown_filter_names_are_listed():
    names = KnownNames.of_network(toy_network())
    _, problems = resolve_filters(Filters(exclude=("Twin", "nobody"), regions="south"), names)
    assert problems == ["unknown actor(s) in --exclude: nobody",
                        "--exclude: 'Twin' matches 2 actors: a (Alpha Agency (AA)), b (Beta Bureau); give the id",
                        "unknown region(s): south (known: north)"]


def test_name_index_of_ids_behaves_like_a_sorted_collection():
    index = NameIndex.of_ids("actor", ["b", "a"])
    assert list(index) == ["a", "b"] and len(index) == 2 and "a" in index and "c" not in index


def test_actor_index_reads_aliases_as_a_cell_or_a_list():
    assert actor_index([{"id": "x", "label": "X", "aliases": "One; Two"}]).find("two") == ("x",)
    assert actor_index([{"id": "x", "label": "X", "aliases": ("One", "Two")}]).find("two") == ("x",)


# ---------------------------------------------------------------------- load_network on the bundled data
def sahel_link_count() -> int:
    members = {r["actor"] for r in rows("region_members") if r["region"] == "sahel"}
    return sum(1 for r in rows("links") if r["subject"] in members or r["object"] in members)


@pytest.mark.parametrize("regions", ["sahel", "Sahel", "SAHEL", ("sahel",), "thbr:sahel"])
def test_filters_regions_by_id_or_label(bundled_source, regions):
    net = load_network(bundled_source, Filters(regions=regions))
    assert net.filters.regions == ("sahel",) and net.filters.describe() == "region=sahel"
    assert len(net.links) == sahel_link_count()


def test_apply_filters_on_fetched_records_takes_a_label(bundled_source):
    net = apply_filters(fetch_records(bundled_source), Filters(regions="Sahel"))
    assert net.filters.regions == ("sahel",) and len(net.links) == sahel_link_count()


def test_check_names_returns_ids(bundled_source):
    filters, ids = check_names(bundled_source, Filters(exclude="Europol", regions="Western Balkans"),
                               ("Frontex", "SRB", "Palermo Protocol"))
    assert ids == ("frontex", "rs", "palermo-protocol")
    assert (filters.exclude, filters.regions) == (("europol",), ("western-balkans",))


def test_check_names_refuses_an_ambiguous_actor_before_loading(bundled_source):
    with pytest.raises(UsageError) as info:
        check_names(bundled_source, Filters(), ("FRA",))
    assert str(info.value).startswith("'FRA' matches 2 actors: fr (France), fra ")


# ---------------------------------------------------------------------- query parameters
def _partners(source, agency, resolve_name=None):
    from thbkg.graph.store.catalogue import named_query
    from thbkg.graph.store.query import run_query

    query = named_query("agency_partners")
    return run_query(source, query.text, {"agency": agency}, declared=query.params, resolve_name=resolve_name).rows


def test_query_parameters_take_names(bundled_source):
    resolve = name_resolver(bundled_source)
    by_id = _partners(bundled_source, "frontex")
    assert by_id and _partners(bundled_source, "Frontex", resolve) == by_id
    assert _partners(bundled_source, "thba:frontex", resolve) == by_id
    assert _partners(bundled_source, "Q21786841", resolve) == by_id


def test_query_parameter_names_are_refused_with_the_parameter_named(bundled_source):
    resolve = name_resolver(bundled_source)
    with pytest.raises(UsageError) as info:
        _partners(bundled_source, "Frontx", resolve)
    assert str(info.value) == "--param agency: unknown actor 'Frontx' (did you mean Frontex (frontex)?)"
    with pytest.raises(UsageError) as info:
        _partners(bundled_source, 'x"} ; DROP ALL #', resolve)  # a name is looked up, never pasted
    assert str(info.value).startswith("--param agency: unknown actor 'x\"} ; DROP ALL #'")


def test_region_parameter_takes_a_label(bundled_source):
    from thbkg.graph.store.catalogue import named_query
    from thbkg.graph.store.query import run_query

    query = named_query("region_agreement_gaps")
    param = next(p.name for p in query.params if p.type == "region")
    by_id = run_query(bundled_source, query.text, {param: "sahel"}, declared=query.params).rows
    by_label = run_query(bundled_source, query.text, {param: "Sahel"}, declared=query.params,
                         resolve_name=name_resolver(bundled_source)).rows
    assert by_id and by_label == by_id
