"""The named queries of issue 11: funding by region and by implementer, liaison coverage, national rapporteurs and
GRETA rounds, checked against the tables.

Every expected value is a hand count, never an answer of the code under test:

* on the bundled data, from ``data/*.csv`` read with the csv module, with the rules written out here;
* on ``tests/fixtures/issue11`` (a tiny data folder of test rows, not facts), rows listed by hand below.

The hand rules (``test_query_rules.py`` checks the first against the ontology):

* a link is *in force* when its status is ``active`` or empty;
* the *membership family* is ``membership``, ``observer`` and ``treaty_party``;
* an amount reads as its decimal without trailing zeros after the point (``1500000.50`` is ``1500000.5``).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from query_cells import cell, local, text
from rdflib import Literal, URIRef

from thbkg.graph.rdf.tables import bundled_data_dir
from thbkg.graph.store.catalogue import named_query
from thbkg.graph.store.query import run_query

NAMES = ("funding_by_region", "funding_by_implementer", "liaison_coverage", "national_rapporteurs", "greta_rounds")
MEMBERSHIP_FAMILY = ("membership", "observer", "treaty_party")


def _read(folder, name):
    with open(folder / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class Tables:
    """The tables of one data folder, and the lookups the hand counts need."""

    def __init__(self, folder):
        self.links = _read(folder, "links.csv")
        self.actors = {r["id"]: r for r in _read(folder, "actors.csv")}
        self.regions = [r["id"] for r in _read(folder, "regions.csv")]
        self.region_members = _read(folder, "region_members.csv")

    def of_type(self, link_type):
        return [r for r in self.links if r["type"] == link_type]

    def countries_of(self, region):
        return {r["actor"] for r in self.region_members
                if r["region"] == region and self.actors[r["actor"]]["type"] == "country"}


BUNDLED = Tables(bundled_data_dir())


def in_force(link) -> bool:
    return link["status"] in ("active", "")


def plain(amount: str) -> str:
    """``"1500000.50"`` -> ``"1500000.5"``; ``"300000"`` stays."""
    return format(Decimal(amount).normalize(), "f")


def flat(row) -> tuple[str, ...]:
    """A row as short strings: IRIs as their last segment, no value as ``""``."""
    return tuple(local(t) if isinstance(t, URIRef) else text(t) for t in row)


def rows(source, name, **params):
    query = named_query(name)
    result = run_query(source, query.text, params, declared=query.params)
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


# -- hand counts on the tables ---------------------------------------------------------------------------------

def objects_by_subject(tables, link_type) -> dict[str, set[str]]:
    out = defaultdict(set)
    for r in tables.of_type(link_type):
        out[r["subject"]].add(r["object"])
    return out


def subjects_by_object(tables, link_type) -> dict[str, set[str]]:
    out = defaultdict(set)
    for r in tables.of_type(link_type):
        out[r["object"]].add(r["subject"])
    return out


def funding_rows(tables, region) -> dict[str, set[str]]:
    """funds link id -> the countries of *region* its programme operates in (programmes operating there only)."""
    where = objects_by_subject(tables, "operates_in")
    countries = tables.countries_of(region)
    return {r["id"]: where[r["object"]] & countries for r in tables.of_type("funds")
            if where[r["object"]] & countries}


def implementer_money(tables) -> dict[str, dict]:
    """implementer -> its programmes, funders, programmes with an amount and totals per currency."""
    funds_of = defaultdict(list)
    for r in tables.of_type("funds"):
        funds_of[r["object"]].append(r)
    out = {}
    for implementer, programmes in objects_by_subject(tables, "implements").items():
        grants = [f for p in programmes for f in funds_of[p]]
        totals = Counter()
        for f in grants:
            if f["amount"]:
                totals[f["currency"]] += Decimal(f["amount"])
        out[implementer] = {
            "programmes": programmes, "funders": {f["subject"] for f in grants},
            "withAmount": len({f["object"] for f in grants if f["amount"]}),
            "amounts": {f"{c} {plain(str(t))}" for c, t in totals.items()}}
    return out


def liaison_expected(tables, region) -> set[tuple]:
    """(country, via, link) of every country of *region*; (country, None, None) for a country no post serves."""
    out = set()
    for country in tables.countries_of(region):
        posts = {(country, "host", r["id"]) for r in tables.of_type("liaison_officer") if r["object"] == country}
        posts |= {(country, "covers", r["id"]) for r in tables.of_type("liaison_officer")
                  if country in r["covers"].split(";") and r["object"] != country}
        out |= posts or {(country, None, None)}
    return out


def mechanism_ties(tables) -> set[tuple]:
    """(mechanism, link) of every national mechanism's membership-family link; (mechanism, None) without one."""
    out = set()
    for mechanism in (a for a, r in tables.actors.items() if r["type"] == "national_mechanism"):
        ties = {(mechanism, r["id"]) for r in tables.links
                if r["subject"] == mechanism and r["type"] in MEMBERSHIP_FAMILY}
        out |= ties or {(mechanism, None)}
    return out


def greta_expected(tables) -> dict[tuple, dict]:
    """(country, round) -> report dates, visits, link ids and sources of GRETA's evaluation links."""
    out = defaultdict(lambda: {"reportDate": set(), "visit": set(), "links": set(), "sources": set()})
    for r in tables.of_type("evaluation"):
        if r["subject"] != "greta":
            continue
        group = out[(r["object"], r["round"])]
        group["links"].add(r["id"])
        group["sources"] |= {s for s in r["sources"].split(";") if s}
        if r["role"] == "evaluation report":
            group["reportDate"].add(r["start"])
        elif r["role"] == "evaluation visit":
            group["visit"].add(r["start"] + (f"/{r['end']}" if r["end"] else ""))
    return dict(out)


# -- the bundled data ------------------------------------------------------------------------------------------

def test_the_bundled_data_has_what_the_queries_answer():
    """Otherwise the checks below could pass on empty answers."""
    assert any(r["amount"] for r in BUNDLED.of_type("funds"))
    assert any(r["covers"] for r in BUNDLED.of_type("liaison_officer"))
    assert any(r["type"] == "national_mechanism" for r in BUNDLED.actors.values())
    assert {"evaluation report", "evaluation visit"} <= {r["role"] for r in BUNDLED.of_type("evaluation")}


def test_funding_by_region_matches_the_tables(bundled_source):
    by_id = {r["id"]: r for r in BUNDLED.links}
    implementers = subjects_by_object(BUNDLED, "implements")
    expected = {(region, link): countries for region in BUNDLED.regions
                for link, countries in funding_rows(BUNDLED, region).items()}
    got = rows(bundled_source, "funding_by_region")
    assert expected and len(got) == len(expected)
    assert {(local(r["priorityRegion"]), local(r["link"])) for r in got} == set(expected)
    for r in got:
        link = by_id[local(r["link"])]
        assert (local(r["funder"]), local(r["programme"])) == (link["subject"], link["object"])
        assert cell(r["countries"]) == expected[(local(r["priorityRegion"]), link["id"])]
        assert cell(r["implementers"]) == implementers[link["object"]]
        assert text(r["amount"]) == (plain(link["amount"]) if link["amount"] else "")
        assert text(r["currency"]) == link["currency"]
        assert (text(r["start"]), text(r["end"]), text(r["status"])) == (link["start"], link["end"], link["status"])
        assert r["inForce"].toPython() is in_force(link)


def test_funding_by_region_of_the_sahel(bundled_source):
    """The (funder, programme) pairs of the programmes working in a Sahel country, by the region's name."""
    by_id = {r["id"]: r for r in BUNDLED.links}
    expected = {(by_id[link]["subject"], by_id[link]["object"]) for link in funding_rows(BUNDLED, "sahel")}
    got = rows(bundled_source, "funding_by_region", region="sahel")
    assert expected and {(local(r["funder"]), local(r["programme"])) for r in got} == expected
    assert {local(r["priorityRegion"]) for r in got} == {"sahel"}


def test_funding_by_implementer_matches_the_tables(bundled_source):
    expected = implementer_money(BUNDLED)
    got = {local(r["implementer"]): r for r in rows(bundled_source, "funding_by_implementer")}
    assert set(got) == set(expected)
    for implementer, want in expected.items():
        row = got[implementer]
        assert int(row["programmes"]) == len(want["programmes"]), implementer
        assert cell(row["programmeIds"]) == want["programmes"], implementer
        assert cell(row["funders"]) == want["funders"], implementer
        assert int(row["withAmount"]) == want["withAmount"], implementer
        assert cell(row["amounts"]) == want["amounts"], implementer
    assert any(want["amounts"] for want in expected.values())
    assert any(not want["amounts"] for want in expected.values())  # counted, adding nothing


@pytest.mark.parametrize("region", BUNDLED.regions)
def test_liaison_coverage_matches_the_tables(bundled_source, region):
    by_id = {r["id"]: r for r in BUNDLED.links}
    got = rows(bundled_source, "liaison_coverage", region=region)
    assert {(local(r["country"]), text(r["via"]) or None, local(r["link"])) for r in got} == \
        liaison_expected(BUNDLED, region)
    assert len(got) == len(liaison_expected(BUNDLED, region))
    for r in got:
        if r["link"] is None:
            assert all(r[k] is None for k in ("sender", "host", "role", "start", "status", "inForce"))
            continue
        link = by_id[local(r["link"])]
        assert (local(r["sender"]), local(r["host"])) == (link["subject"], link["object"])
        assert (text(r["role"]), text(r["start"]), text(r["status"])) == (link["role"], link["start"], link["status"])
        assert r["inForce"].toPython() is in_force(link)


def test_liaison_coverage_of_every_region_by_default(bundled_source):
    got = Counter(local(r["priorityRegion"]) for r in rows(bundled_source, "liaison_coverage"))
    assert got == {region: len(liaison_expected(BUNDLED, region)) for region in BUNDLED.regions}


def test_national_rapporteurs_match_the_tables(bundled_source):
    by_id = {r["id"]: r for r in BUNDLED.links}
    got = rows(bundled_source, "national_rapporteurs")
    assert {(local(r["mechanism"]), local(r["link"])) for r in got} == mechanism_ties(BUNDLED)
    assert len(got) == len(mechanism_ties(BUNDLED))
    for r in got:
        assert local(r["state"]) == BUNDLED.actors[local(r["mechanism"])]["parent"]
        if r["link"] is not None:
            link = by_id[local(r["link"])]
            assert (local(r["network"]), text(r["linkType"]), text(r["role"])) == \
                (link["object"], link["type"], link["role"])
            assert (text(r["status"]), text(r["confidence"])) == (link["status"], link["confidence"])
            assert r["inForce"].toPython() is in_force(link)
    members = defaultdict(set)  # network -> the mechanisms in it
    for mechanism, link in mechanism_ties(BUNDLED):
        if link is not None:
            members[by_id[link]["object"]].add(mechanism)
    got_members = defaultdict(set)
    for r in got:
        if r["network"] is not None:
            got_members[local(r["network"])].add(local(r["mechanism"]))
    assert members and got_members == members


def test_greta_rounds_match_the_tables(bundled_source):
    expected = greta_expected(BUNDLED)
    got = {(local(r["state"]), text(r["round"])): r for r in rows(bundled_source, "greta_rounds")}
    assert expected and set(got) == set(expected)
    for key, want in expected.items():
        assert {k: cell(got[key][k]) for k in want} == want, key
    reports = Counter(r["object"] for r in BUNDLED.of_type("evaluation")
                      if r["subject"] == "greta" and r["role"] == "evaluation report")
    assert Counter(country for (country, _), r in got.items() for _ in cell(r["reportDate"])) == reports


def test_greta_rounds_of_one_country(bundled_source):
    expected = {key for key in greta_expected(BUNDLED) if key[0] == "al"}
    got = rows(bundled_source, "greta_rounds", country="al")
    assert expected and {(local(r["state"]), text(r["round"])) for r in got} == expected


# -- a tiny data folder, counted by hand ------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["embedded", "memory"])
def tiny(request, fixtures_dir):
    """tests/fixtures/issue11 on Oxigraph (direct path) and on rdflib's memory store."""
    from thbkg.graph.store.source import GraphSource

    return GraphSource([str(fixtures_dir / "issue11")], store=None if request.param == "embedded" else "memory",
                       include_bundled=False)


def _flat_rows(source, name, **params):
    query = named_query(name)
    return [flat(row) for row in run_query(source, query.text, params, declared=query.params).rows]


# prog-a (funded by eu twice, once with 1500000.50 EUR, and by de without amount; implemented by iom, twice, and
# giz) works in ml, ne (Sahel) and al (Western Balkans); prog-b (de, 300000 USD; giz) in rs (Western Balkans)
FUNDING_BY_REGION = [
    ("sahel", "Sahel", "eu", "European Union", "prog-a", "Programme A", "giz;iom", "ml;ne", "1500000.5", "EUR",
     "2019", "", "active", "true", "eu-prog-a-funds"),
    ("sahel", "Sahel", "eu", "European Union", "prog-a", "Programme A", "giz;iom", "ml;ne", "250000", "EUR",
     "2022-03", "", "", "true", "eu-prog-a-funds-2"),
    ("sahel", "Sahel", "de", "Germany", "prog-a", "Programme A", "giz;iom", "ml;ne", "", "",
     "2016", "2018", "ended", "false", "de-prog-a-funds"),
    ("western-balkans", "Western Balkans", "eu", "European Union", "prog-a", "Programme A", "giz;iom", "al",
     "1500000.5", "EUR", "2019", "", "active", "true", "eu-prog-a-funds"),
    ("western-balkans", "Western Balkans", "eu", "European Union", "prog-a", "Programme A", "giz;iom", "al",
     "250000", "EUR", "2022-03", "", "", "true", "eu-prog-a-funds-2"),
    ("western-balkans", "Western Balkans", "de", "Germany", "prog-a", "Programme A", "giz;iom", "al", "", "",
     "2016", "2018", "ended", "false", "de-prog-a-funds"),
    ("western-balkans", "Western Balkans", "de", "Germany", "prog-b", "Programme B", "giz", "rs", "300000", "USD",
     "2020-01-15", "", "active", "true", "de-prog-b-funds"),
]
# giz: prog-a and prog-b, both with an amount; iom: prog-a only, counted once although it has two implements links
FUNDING_BY_IMPLEMENTER = [
    ("giz", "GIZ", "2", "2", "prog-a;prog-b", "de;eu", "EUR 1750000.5;USD 300000"),
    ("iom", "International Organization for Migration", "1", "1", "prog-a", "de;eu", "EUR 1750000.5"),
]
# frontex's post in ne covers ne (counted once, as host) and ml; es's post in ml ended; frontex's post in rs
# (suspended) covers me; no post serves al
LIAISON_COVERAGE = [
    ("sahel", "Sahel", "ml", "Mali", "host", "es", "Spain", "ml", "Mali", "Interior attaché", "2015", "2020", "ended",
     "false", "es-ml-liaison-officer"),
    ("sahel", "Sahel", "ml", "Mali", "covers", "frontex", "Frontex", "ne", "Niger", "Frontex Liaison Officer", "2022",
     "", "active", "true", "frontex-ne-liaison-officer"),
    ("sahel", "Sahel", "ne", "Niger", "host", "frontex", "Frontex", "ne", "Niger", "Frontex Liaison Officer", "2022",
     "", "active", "true", "frontex-ne-liaison-officer"),
    ("western-balkans", "Western Balkans", "al", "Albania") + ("",) * 11,
    ("western-balkans", "Western Balkans", "me", "Montenegro", "covers", "frontex", "Frontex", "rs", "Serbia",
     "Frontex Liaison Officer", "2017", "", "suspended", "false", "frontex-rs-liaison-officer"),
    ("western-balkans", "Western Balkans", "rs", "Serbia", "host", "frontex", "Frontex", "rs", "Serbia",
     "Frontex Liaison Officer", "2017", "", "suspended", "false", "frontex-rs-liaison-officer"),
]
# al-mech only took part in a meeting (participation: the event family, not a network tie)
NATIONAL_RAPPORTEURS = [
    ("al", "Albania", "al-mech", "National Coordinator (Albania)") + ("",) * 10,
    ("de", "Germany", "de-mech", "National Rapporteur (Germany)", "eu-nrem", "EU Network of National Rapporteurs",
     "membership", "national rapporteur", "2012", "", "active", "true", "high", "de-mech-eu-nrem"),
    ("ml", "Mali", "ml-mech", "National Committee (Mali)", "eu-nrem", "EU Network of National Rapporteurs",
     "observer", "observer", "2019-05", "", "", "true", "low", "ml-mech-eu-nrem"),
]
# osce's evaluation of rs is not GRETA's
GRETA_ROUNDS = [
    ("al", "Albania", "1", "2011-12-02", "", "greta-al-evaluation-r1", "src-greta"),
    ("al", "Albania", "2", "2016-03", "2015-03-02/2015-03-06", "greta-al-evaluation-r2;greta-al-evaluation-r2-visit",
     "src-greta;src-visit"),
    ("rs", "Serbia", "1", "2013-06", "", "greta-rs-evaluation-r1", "src-greta;src-visit"),
]


@pytest.mark.parametrize("name, expected", [
    ("funding_by_region", FUNDING_BY_REGION),
    ("funding_by_implementer", FUNDING_BY_IMPLEMENTER),
    ("liaison_coverage", LIAISON_COVERAGE),
    ("national_rapporteurs", NATIONAL_RAPPORTEURS),
    ("greta_rounds", GRETA_ROUNDS),
])
def test_tiny_folder_gives_the_hand_counted_rows(tiny, name, expected):
    assert _flat_rows(tiny, name) == expected


@pytest.mark.parametrize("name, params, keep", [
    ("funding_by_region", {"region": "sahel"}, lambda row: row[0] == "sahel"),
    ("liaison_coverage", {"region": "western-balkans"}, lambda row: row[0] == "western-balkans"),
    ("greta_rounds", {"country": "rs"}, lambda row: row[0] == "rs"),
])
def test_tiny_folder_with_a_parameter(tiny, name, params, keep):
    expected = {"funding_by_region": FUNDING_BY_REGION, "liaison_coverage": LIAISON_COVERAGE,
                "greta_rounds": GRETA_ROUNDS}[name]
    assert _flat_rows(tiny, name, **params) == [row for row in expected if keep(row)]


def test_an_amount_is_a_decimal(tiny):
    from rdflib.namespace import XSD  # here: pytest's collection trips over the namespace at module level

    amounts = [r["amount"] for r in rows(tiny, "funding_by_region") if r["amount"] is not None]
    assert amounts and all(isinstance(a, Literal) and a.datatype == XSD.decimal for a in amounts)
    assert {a.toPython() for a in amounts} == {Decimal("1500000.50"), Decimal(250000), Decimal(300000)}


# -- the command line ---------------------------------------------------------------------------------------------

def test_the_queries_are_listed_and_run_by_name(runner):
    from thbkg.cli.main import cli

    listed = runner.invoke(cli, ["queries"])
    assert listed.exit_code == 0
    assert set(NAMES) <= {line.split()[0] for line in listed.output.splitlines()}
    for name in NAMES:
        result = runner.invoke(cli, ["query", "-n", name, "--format", "csv"])
        assert result.exit_code == 0, (name, result.output)
        assert len(result.output.splitlines()) > 1, name


def test_names_are_read_as_names_on_the_command_line(runner):
    """A region by its label and a country by its ISO code, as people type them."""
    from thbkg.cli.main import cli

    by_name = runner.invoke(cli, ["query", "-n", "funding_by_region", "--param", "region=Sahel", "--format", "csv"])
    by_id = runner.invoke(cli, ["query", "-n", "funding_by_region", "--param", "region=sahel", "--format", "csv"])
    assert by_name.exit_code == 0 and by_name.output == by_id.output
    alb = runner.invoke(cli, ["query", "-n", "greta_rounds", "--param", "country=ALB", "--format", "csv"])
    assert alb.exit_code == 0
    assert {line.split(",")[0] for line in alb.output.splitlines()[1:]} == {"thba:al"}
