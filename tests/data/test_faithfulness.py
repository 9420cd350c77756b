"""Faithfulness: research facts appear in the BUILT graph with their source.

The oracle is the verbatim research copy in tests/fixtures/research/ (not data/): every high-confidence row of the
Europol, Frontex and Eurojust lists and of memberships.csv, the EMN observer dates and the facts about Directive (EU)
2024/1712 are looked up with SPARQL in the bundled graph (``bundled_source.select``), using the terms of
docs/design.md. A fact counts as present when a link record joins the two parties with the expected link type, keeps
the research confidence, and derives from a source whose ``schema:url`` is the research URL.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

RESEARCH = Path(__file__).resolve().parents[1] / "fixtures" / "research"
THBID = "https://w3id.org/thbkg/id/"
URL_RE = re.compile(r"https?://[^\s;)'\",]+")

LINKS_QUERY = """
SELECT ?linkId ?subjectId ?objectId ?type ?confidence ?status ?start ?end ?url ?sourceNote WHERE {
  ?link thb:linkType ?type ; dct:identifier ?linkId ;
        thb:subject ?subject ; thb:object ?object ;
        thb:confidence ?confidence ; thb:status ?status ;
        prov:wasDerivedFrom ?source .
  ?subject dct:identifier ?subjectId .
  ?object dct:identifier ?objectId .
  OPTIONAL { ?link thb:startDate ?start }
  OPTIONAL { ?link thb:endDate ?end }
  OPTIONAL { ?source schema:url ?url }
  OPTIONAL { ?source rdfs:comment ?sourceNote }
}
"""


def tail(term):
    return str(term).rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def graph_links(bundled_source):
    """link id -> record built from the graph (one SPARQL query), plus an index by unordered party pair."""
    links = {}
    for row in bundled_source.select(LINKS_QUERY):
        rec = links.setdefault(str(row["linkId"]), {
            "subject": str(row["subjectId"]), "object": str(row["objectId"]), "type": tail(row["type"]),
            "confidence": tail(row["confidence"]), "status": tail(row["status"]),
            "start": str(row["start"]) if row["start"] is not None else "",
            "end": str(row["end"]) if row["end"] is not None else "", "urls": set(), "notes": set()})
        if row["url"] is not None:
            rec["urls"].add(str(row["url"]))
        if row["sourceNote"] is not None:
            rec["notes"].add(str(row["sourceNote"]))
    pairs = defaultdict(list)
    for rec in links.values():
        pairs[frozenset((rec["subject"], rec["object"]))].append(rec)
    assert len(links) > 500, "the bundled graph holds too few links"
    return pairs


def read_research(name):
    with open(RESEARCH / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def is_high(text):
    return text.strip().startswith("high")


def cited(url, records):
    """True if the research *url* is a schema:url of a source of one of *records* (truncated '...' URLs: prefix)."""
    urls = set().union(*(r["urls"] for r in records))
    notes = " ".join(set().union(*(r["notes"] for r in records)))
    if "..." in url:
        head = url.split("...")[0]
        return (("/.../" not in url) and any(u.startswith(head) for u in urls)) or url in notes
    return bool({url, url + "/", url.rstrip("/")} & urls)


def check_fact(pairs, a, b, link_type, research_source, *, status=None, what=""):
    records = pairs.get(frozenset((a, b)), [])
    assert records, f"{what}: no link between {a} and {b} in the graph"
    typed = [r for r in records if (link_type is None or r["type"] == link_type) and
             (status is None or r["status"] == status)]
    assert typed, f"{what}: no {link_type or ''} {status or ''} link between {a} and {b}"
    assert any(r["confidence"] == "high" for r in typed), f"{what}: confidence high lost"
    for url in URL_RE.findall(research_source):
        assert cited(url, records), f"{what}: source {url} is not a schema:url of the link's sources"
    return typed


# ----------------------------------------------------------------------------------------------- agencies
AGENCY_ORGS = {"INTERPOL": "interpol", "UNODC": "unodc", "World Customs Organization": "wco",
               "CIS Border Troop Commanders Council": "cis-btcc", "MARRI Regional Centre (Western Balkans)": "marri"}


def agency_type(agreement_type):
    t = agreement_type.lower()
    if "council list" in t:
        return "listing", None  # Decision 2009/935/JHA: an instrument plus actor notes, never a link
    if "negotiate" in t:
        return None, "under_negotiation"
    table = [("operational", "operational_agreement"), ("strategic", "strategic_agreement"),
             ("working arrangement", "working_arrangement"), ("liaison bureau", "liaison_officer"),
             ("first liaison officer", "liaison_officer"), ("frontex liaison officer", "liaison_officer"),
             ("covered by flo", "liaison_officer"), ("eu status agreement", "status_agreement"),
             ("cooperation agreement", "cooperation_agreement"), ("eu–armenia", "cooperation_agreement")]
    for prefix, code in table:
        if t.startswith(prefix):
            return code, None
    raise AssertionError(f"unmapped agreement type {agreement_type!r}")


def high_agency_rows():
    for fname, agency in (("europol_agreements.csv", "europol"), ("frontex_arrangements.csv", "frontex"),
                          ("eurojust_agreements.csv", "eurojust")):
        for row in read_research(fname):
            if not is_high(row["confidence"]):
                continue
            partners = ([p.lower() for p in row["partner_iso2"].split(";")] if row["partner_iso2"]
                        else [AGENCY_ORGS[row["partner"]]])
            for partner in partners:
                yield pytest.param(row, partner, agency, id=f"{agency}-{partner}-{row['agreement_type'][:20]}")


@pytest.mark.parametrize("row,partner,agency", list(high_agency_rows()))
def test_high_agency_fact_in_graph_with_source(bundled_source, graph_links, row, partner, agency):
    link_type, status = agency_type(row["agreement_type"])
    what = f"{agency}/{row['partner']}"
    if link_type == "listing":
        check_listing_in_graph(bundled_source, graph_links, row, partner, agency)
        return
    typed = check_fact(graph_links, partner, agency, link_type, row["source"], status=status, what=what)
    if "under negotiation" in row["agreement_type"]:
        assert any(r["status"] == "under_negotiation" and r["type"] == "working_arrangement"
                   for r in graph_links[frozenset((partner, agency))]), f"{what}: negotiation not recorded"
    if row.get("liaison_prosecutor_at_eurojust") == "yes":
        lp = [r for r in graph_links[frozenset((partner, agency))] if r["type"] == "liaison_officer"]
        assert lp and any(r["confidence"] == "high" for r in lp), f"{what}: liaison prosecutor missing"
    dates = re.findall(r"\d{4}-\d{2}-\d{2}", row.get("year_or_dates", ""))
    if link_type == "status_agreement" and dates:
        assert dates[0] in {r["start"] for r in typed}, f"{what}: signature date {dates[0]} not the start of a link"


LISTING_QUERY = """
SELECT ?instrument ?sourceUrl ?actorNote WHERE {
  ?instrument a thb:Instrument ; dct:identifier ?identifier ; prov:wasDerivedFrom ?source .
  OPTIONAL { ?source schema:url ?sourceUrl }
  ?actor dct:identifier ?actorId .
  OPTIONAL { ?actor rdfs:comment ?actorNote }
}
"""


def check_listing_in_graph(bundled_source, graph_links, row, partner, agency):
    """The Council listing is in the graph as the instrument (with the research URLs) and in the actor's comment;
    no link between the partner and the agency derives from the listing's sources."""
    from rdflib import Literal

    rows = bundled_source.select(LISTING_QUERY, bindings={"identifier": Literal("2009/935/JHA"),
                                                          "actorId": Literal(partner)})
    assert rows, "Decision 2009/935/JHA or the actor is missing from the graph"
    urls = {str(r["sourceUrl"]) for r in rows if r["sourceUrl"] is not None}
    for url in URL_RE.findall(row["source"]):
        assert url in urls, f"{partner}: listing source {url} is not a source of the Decision"
    notes = {str(r["actorNote"]) for r in rows if r["actorNote"] is not None}
    assert any("2009/935/JHA" in n and "not an agreement" in n for n in notes), f"{partner}: listing not in note"
    for record in graph_links.get(frozenset((partner, agency)), []):
        assert not record["urls"] & urls, f"{partner}-{agency}: a link derives from the Council listing"


# ----------------------------------------------------------------------------------------------- memberships
FRAMEWORKS = {"EMN": "emn", "Khartoum Process": "khartoum-process", "Rabat Process": "rabat-process",
              "Prague Process": "prague-process", "Budapest Process": "budapest-process",
              "CoE Convention on Action against THB (CETS 197)": "cets197",
              "UN Palermo Trafficking Protocol (2000)": "palermo-protocol", "OSCE": "osce", "IOM": "iom"}


def high_membership_rows():
    for row in read_research("memberships.csv"):
        if is_high(row["confidence"]):
            yield pytest.param(row, id=f"{FRAMEWORKS[row['framework']]}-{row['iso2']}-{row['role'][:16]}")


@pytest.mark.parametrize("row", list(high_membership_rows()))
def test_high_membership_fact_in_graph_with_source(graph_links, row):
    framework, country = FRAMEWORKS[row["framework"]], row["iso2"].lower()
    role = row["role"]
    if role.startswith("not "):  # a high-confidence non-tie: the graph must not contain the tie
        records = graph_links.get(frozenset((country, framework)), [])
        assert not records, f"{framework}/{country}: research says '{role}'"
        return
    link_type = ("treaty_party" if framework in ("cets197", "palermo-protocol")
                 else "observer" if role.startswith("observer") else "membership")
    typed = check_fact(graph_links, country, framework, link_type, row["source"], what=f"{framework}/{country}")
    when = row["year_or_date"]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", when):
        assert when in {r["start"] for r in typed}, f"{framework}/{country}: date {when} not in the graph"


def test_emn_observer_dates_in_graph(graph_links):
    expected = {r["iso2"].lower(): (r["year_or_date"].split() or [""])[0] for r in read_research("memberships.csv")
                if r["framework"] == "EMN" and r["role"].startswith("observer")}
    assert len(expected) == 9
    got = {}
    for records in graph_links.values():
        for r in records:
            if r["object"] == "emn" and r["type"] == "observer":
                got[r["subject"]] = r["start"]
    assert got == expected


DIRECTIVE_QUERY = """
SELECT ?instrument ?issued ?url ?sourceUrl WHERE {
  ?instrument a thb:Instrument ; dct:identifier ?identifier ; dct:issued ?issued ; schema:url ?url ;
              prov:wasDerivedFrom ?source .
  OPTIONAL { ?source schema:url ?sourceUrl }
  FILTER(CONTAINS(STR(?identifier), ?celex))
}
"""


def test_directive_2024_1712_in_graph_with_celex_date_and_source(bundled_source):
    facts = (RESEARCH / "facts.md").read_text(encoding="utf-8")
    line = next(ln for ln in facts.splitlines() if "Directive (EU) 2024/1712 of the European Parliament" in ln)
    assert "CELEX 32024L1712" in line and "13 June 2024" in line
    eurlex = next(u for u in URL_RE.findall(line) if "eur-lex" in u)
    from rdflib import Literal

    rows = bundled_source.select(DIRECTIVE_QUERY, bindings={"celex": Literal("32024L1712")})
    assert rows, "Directive (EU) 2024/1712 (CELEX 32024L1712) is not in the graph"
    assert {str(r["issued"]) for r in rows} == {"2024-06-13"}
    assert {str(r["url"]) for r in rows} == {eurlex}
    assert eurlex in {str(r["sourceUrl"]) for r in rows if r["sourceUrl"] is not None}
