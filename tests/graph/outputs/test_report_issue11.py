"""The report's funding, liaison, mechanism and evaluation sections, and the map's colours for the issue 11 kinds.

On the hand-built network of tests/fixtures/cooperation/records.py (synthetic; one programme has a hostile
label). The expected values are counted by hand from its LINKS table; see tests/graph/analytics/test_cooperation.py.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from cooperation.records import HOSTILE, make_network

from thbkg.graph.network.filters import Filters
from thbkg.graph.network.projections import apply_filters
from thbkg.graph.outputs.maps import style
from thbkg.graph.outputs.maps.render import build_map
from thbkg.graph.outputs.report import SECTIONS, build_report, render_html, render_json, render_markdown

NEW_SECTIONS = ("Funding", "Liaison officers", "National rapporteurs and coordinators", "Evaluation rounds")
NBSP = "\u00a0"


def _build(net):
    return build_report(net, generated="2026-01-01", top=5, seed=7, snapshot_dates=("2010", "today"))


@pytest.fixture()
def report():
    return _build(make_network())


def _section(text, title, heading):
    """The text of one section, from its heading to the next one."""
    start = text.index(heading.format(title))
    following = [text.find(heading.format(t), start + 1) for t in SECTIONS]
    return text[start:min([i for i in following if i > start] or [len(text)])]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


# ---------------------------------------------------------------------- sections in every format
def test_the_new_sections_are_in_the_html_markdown_and_json(report):
    assert all(title in SECTIONS for title in NEW_SECTIONS)
    page, text = render_html(report), render_markdown(report)
    assert [h for h in re.findall(r"<h2>(.*?)</h2>", page) if h in NEW_SECTIONS] == list(NEW_SECTIONS)
    assert [h for h in re.findall(r"^## (.*)$", text, flags=re.MULTILINE) if h in NEW_SECTIONS] == list(NEW_SECTIONS)
    for title in NEW_SECTIONS:
        assert f'<a href="#{title.lower().replace(" ", "-")}">{title}</a>' in page  # in the table of contents
    data = json.loads(render_json(report))
    for key in ("funding", "liaison", "mechanisms", "evaluations"):
        assert "basis" in data[key], key


def test_every_new_section_states_its_basis(report):
    page, text = render_html(report), render_markdown(report)
    for title in NEW_SECTIONS:
        html_part, md_part = _section(page, title, "<h2>{}</h2>"), _section(text, title, "## {}")
        for part in (html_part, md_part):
            assert "Basis:" in part and "filters: none" in part, title
            assert "without a start date" in part and "cite a document that was read" in part, title


def test_funding_says_amounts_are_not_split_and_counts_the_programmes_without_one(report):
    page = _section(render_html(report), "Funding", "<h2>{}</h2>")
    text = _section(render_markdown(report), "Funding", "## {}")
    for part in (page, text):
        # p4 has no amount; p2's Germany share is not given; f5 repeats f4; EU states two amounts for p1
        assert "4 programme(s), 1 without any amount (counted, they add nothing to the sums)" in part
        assert "is not split" in part and "so the rows do not add up to the total" in part
        assert "1 link(s) repeating the amount of the same funder" in part
        assert f"EUR{NBSP}21,000,000; USD{NBSP}300,000" in part  # all programmes: 16M + 5M EUR, 300,000 USD
    # Western Balkans: p4 and p1, one without an amount, p1 in full
    assert f"| Western Balkans | 2 | 1 | 1 | EUR{NBSP}16,000,000 | Albania, Serbia |" in text
    assert "| no country given | 1 | 1 | 0 |" in text  # p3


def test_funding_amounts_are_exact_decimal_text_in_json(report):
    funding = json.loads(render_json(report))["funding"]
    assert funding["totals"] == {"EUR": "21000000", "USD": "300000"}
    # p1: 10,000,000 + 4,000,000 + "2000000.00" (f3): one canonical text, whichever store wrote the decimal
    assert {p["id"]: p["amounts"] for p in funding["programmes"]}["p1"] == {"EUR": "16000000"}
    assert [f["amount"] for f in {p["id"]: p for p in funding["programmes"]}["p1"]["funders"]] == [
        "10000000", "4000000", "2000000"]


def test_liaison_gaps_and_posts_are_named(report):
    page = _section(render_html(report), "Liaison officers", "<h2>{}</h2>")
    text = _section(render_markdown(report), "Liaison officers", "## {}")
    assert "<strong>2 gap(s)</strong>" in page and '<td class="lo-gap">gap: no post</td>' in page
    assert "1 of 4 countries host a post, 1 covered from another country; 2 gap(s): Albania, Kosovo." in text
    assert "| Bosnia and Herzegovina | covered from another country | — | Frontex, post in Serbia | — |" in text
    assert "| Albania | gap: no post | — | — | to Europol |" in text  # lo3: its own post, covering nothing
    assert "| Mali | gap: no post | Spain (2010 to 2015; ended) | — | — |" in text  # lo4 is over


def test_mechanisms_table_names_the_country_network_and_how(report):
    text = _section(render_markdown(report), "National rapporteurs and coordinators", "## {}")
    assert "| country | mechanism(s) | Network of Coordinators | Network of Rapporteurs |" in text
    assert ("| Albania | National Coordinator (Albania) | membership / participation in a meeting (2019-05) | — |"
            in text)
    assert "| Serbia | National Coordinator (Serbia) | membership (2012 to 2018; ended) | — |" in text
    assert "| country not given | A rapporteur without a country | — | membership (since 2014) |" in text
    assert "Mechanisms with no link to a network (1): National Agency (Niger)." in text


def test_evaluation_rounds_table_has_a_column_per_round_and_the_dates(report):
    text = _section(render_markdown(report), "Evaluation rounds", "## {}")
    assert "| country | round 1 | round 2 | round not given |" in text
    assert ("| Albania | 2011-12 (evaluation report) | 2015-10 (evaluation visit) / 2016-03 (evaluation report) | — |"
            in text)
    assert "| Kosovo | — | — | date not given |" in text
    assert "| **countries** | 2 | 1 | 1 |" in text


def test_a_time_filter_is_stated_in_each_basis():
    report = _build(apply_filters(make_network(), Filters(as_of="2016")))
    text = render_markdown(report)
    for title in NEW_SECTIONS:
        part = _section(text, title, "## {}")
        assert "filters: as-of=2016" in part and "left out by the time filter" in part, title


# ---------------------------------------------------------------------- escaping
def test_a_hostile_programme_label_is_text_in_every_new_section(report):
    page = render_html(report)
    assert HOSTILE not in page
    funding = _section(page, "Funding", "<h2>{}</h2>")
    assert "&lt;img src=x onerror=alert(1)&gt;" in funding  # p3, listed with its funder and amount
    parser = _Tags()
    parser.feed(page)
    assert "img" not in parser.tags and any(HOSTILE in chunk for chunk in parser.text)
    text = render_markdown(report)
    assert HOSTILE not in text and "&lt;img src=x onerror=alert(1)&gt;" in _section(text, "Funding", "## {}")
    assert json.loads(render_json(report))["actors"]["p3"]["label"] == HOSTILE  # JSON keeps the data as it is


# ---------------------------------------------------------------------- the map's colours and legend
LINK_TYPES = ("funds", "implements", "operates_in", "evaluation", "liaison_officer", "operational_partnership",
              "joint_investigation_team", "bilateral_agreement", "participation")
ACTOR_TYPES = ("programme", "national_mechanism", "national_agency")


def test_the_new_kinds_have_palette_colours_of_their_own():
    assert set(LINK_TYPES) <= set(style.LINK_PALETTE) and set(ACTOR_TYPES) <= set(style.ACTOR_PALETTE)
    colours = list(style.LINK_PALETTE.values())
    assert len(set(colours)) == len(colours)  # every link type its own colour
    encodings = list(style.ACTOR_PALETTE.values())
    assert len(set(encodings)) == len(encodings)  # every actor type its own colour and shape
    assert len({colour for colour, _ in encodings}) == len(encodings)
    assert {"funding", "operational", "event"} <= set(style.FAMILY_COLORS)
    # the colours kept from before issue 11
    assert style.LINK_PALETTE["liaison_officer"] == "#FF7F0E" and style.FAMILY_COLORS["event"] == "#D62728"


def test_the_map_legend_shows_the_new_kinds(report):
    payload = build_map(make_network()).payload
    links = {e["code"]: e for e in payload["legend"]["link_types"]}
    for code in ("funds", "implements", "operates_in", "evaluation", "liaison_officer", "participation"):
        assert links[code]["color"] == style.LINK_PALETTE[code], code
    actors = {e["code"]: e for e in payload["legend"]["actor_types"]}
    assert (actors["programme"]["color"], actors["programme"]["shape"]) == style.ACTOR_PALETTE["programme"]
    assert actors["programme"]["framework"] and not actors["national_mechanism"]["framework"]
    # the counts: 4 programmes, 4 mechanisms; f1-f8, 9 liaison and evaluation links… as drawn
    assert (actors["programme"]["count"], actors["national_mechanism"]["count"]) == (4, 4)
    assert (links["funds"]["count"], links["evaluation"]["count"], links["liaison_officer"]["count"]) == (8, 5, 4)
