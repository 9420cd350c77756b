"""The report's evidence, frameworks and time rules (issue 10, items 2, 3 and 4), on the hand-built network
of tests/fixtures/plugin_report.py. Expected values are derived by hand from its LINKS and SOURCES tables.
"""

from __future__ import annotations

import re

import pytest

from thbkg.graph.network.filters import Filters
from thbkg.graph.network.projections import apply_filters
from thbkg.graph.outputs.report import build_report, render_html, render_markdown

#: a grade for each source of the fixture (it has none): s4 and s6 are placeholders
KINDS = {"s1": "official_text", "s2": "official_page", "s3": "secondary", "s4": "general_knowledge",
         "s5": "secondary", "s6": "memory"}


def _build(net, **kwargs):
    options = {"generated": "2026-01-01", "top": 5, "seed": 7, "snapshot_dates": ("2010", "2015", "today")}
    return build_report(net, **{**options, **kwargs})


@pytest.fixture()
def graded(report_network):
    for sid, kind in KINDS.items():
        report_network.sources[sid]["kind"] = kind
    return report_network


# ---------------------------------------------------------------------- evidence (item 2)
def test_documentary_share_is_stated_apart_from_any_source(graded):
    evidence = _build(graded)["quality"]["evidence"]
    # by hand: l08 cites s4 only, l13 s4 and s6, l18 s6: the three rest on placeholders; the 15 others
    # cite s1, s2, s3 or s5
    assert evidence["with_source"] == 18 and evidence["with_document"] == 15
    assert evidence["placeholder_only"] == ["l08", "l13", "l18"]
    page, text = render_html(_build(graded)), render_markdown(_build(graded))
    assert ("<strong>18</strong> of 18 links (100.0%) cite a source; <strong>15</strong> (83.3%) cite a document "
            "that was read") in page
    assert "18 of 18 links (100.0%) cite a source; 15 (83.3%) cite a document that was read" in text
    assert "#### Links resting only on placeholders (3)" in text


def test_sources_cited_most_lists_documents_and_placeholders_apart(graded):
    report = _build(graded)
    cited = report["quality"]["evidence"]["cited_most"]
    # s1: l01 l02 l07 l12; s2: l03 l04 l05 l17; s5: l09 l10 l11 l16; s3: l06 l14 l15; s4: l08 l13; s6: l13 l18
    assert [(s["id"], s["links"]) for s in cited["documents"]] == [("s1", 4), ("s2", 4), ("s5", 4), ("s3", 3)]
    assert [(s["id"], s["links"]) for s in cited["placeholders"]] == [("s4", 2), ("s6", 2)]
    page = render_html(report)
    documents, placeholders = page.split("<h4>Placeholders cited most (no document read)</h4>", 1)
    assert "Synthetic low-confidence note" not in documents.split("<h3>Sources cited most</h3>", 1)[1]
    assert "Synthetic low-confidence note" in placeholders


def test_each_listed_link_shows_its_date_basis_grades_and_note(graded):
    """l13 (hostile actor – Europol, 2010–2016, date confidence low, sources s4 and s6) ended between the
    2015 snapshot and today; it cites a memory source, so its year is from memory."""
    graded.links[[lk["id"] for lk in graded.links].index("l13")]["note"] = "Year recalled."
    report = _build(graded)
    assert "l13" in report["change"]["snapshots"][2]["ended"]
    assert report["links"]["l13"]["date"] == "2010, from memory (unverified)"
    text = render_markdown(report)
    assert ("| l13 | &lt;img src=x onerror=alert(1)&gt; – Europol: operational\\_agreement | 2016 | 2010, from memory "
            "(unverified); sources: Synthetic low-confidence note (general knowledge (no document)), "
            "&lt;img src=x onerror=alert(1)&gt; &amp; co (memory (unverified)); note: Year recalled. |") in text
    page = render_html(report)
    ended = page.split("tie(s) ended after 2015, up to today</summary>", 1)[1].split("</details></td>", 1)[0]
    assert "2010, from memory (unverified) &middot; general knowledge (no document) +1" in ended
    assert "<p>Note: Year recalled.</p>" in ended


# ---------------------------------------------------------------------- frameworks (item 3)
def test_frameworks_section_members_growth_and_chairs(report_network):
    """Rabat Process: Mali, Niger and Morocco members since 2006, IOM observer since 2006 (l09-l11, l16);
    the convention: Albania (2007-02) and Serbia (2009) parties (l14, l15). No chair or secretariat."""
    report_network.links.append({**report_network.links[0], "id": "l19", "subject": "iom", "object": "rabat",
                                 "type": "secretariat", "family": "institutional", "role": "Secretariat",
                                 "start": None, "start_day": None, "end": None, "end_day": None})
    report = _build(report_network)
    frameworks = {f["id"]: f for f in report["frameworks"]}
    assert sorted(frameworks) == ["rabat", "trafficking_convention"]
    rabat = frameworks["rabat"]
    assert rabat["members"] == 4 and rabat["by_type"] == {"membership": 3, "observer": 1}
    assert rabat["growth"]["periods"] == [{"first": 2005, "last": 2009, "joined": 4, "left": 0}]
    assert [(g["kind"], g["actor"], g["role"]) for g in rabat["governance"]] == [("secretariat", "iom", "Secretariat")]
    convention = frameworks["trafficking_convention"]
    assert convention["members"] == 2 and convention["growth"]["undated"] == 0
    page, text = render_html(report), render_markdown(report)
    assert re.search(r"<h2>Frameworks</h2>", page) and "\n## Frameworks\n" in text
    assert "| Rabat Process | Regional process | 4 | membership 3, observer 1 | — | 2005–2009: 4 joined | IOM: " \
           "Secretariat (dates not given; in force) |" in text
    assert "<div>2005–2009: 4 joined</div>" in page


def test_frameworks_are_not_nodes_of_the_report_graph(report_network):
    report = _build(report_network)
    ranked = {row["id"] for metric in report["metrics"].values() for row in metric["rows"]}
    assert not ranked & {"rabat", "trafficking_convention"}
    assert report["summary"]["frameworks"] == 2


# ---------------------------------------------------------------------- time (item 4)
def _with_event(net):
    """A week of joint action (Germany under Europol's lead, 2019): an event, not a tie."""
    net.links.append({**net.links[0], "id": "l20", "subject": "de", "object": "europol", "type": "joint_action",
                      "family": "event", "role": "participant", "start": "2019-06-10", "end": "2019-06-17",
                      "start_day": None, "end_day": None, "status": "ended", "sources": ("s1",)})
    return net


def test_events_are_activity_never_ties_added_or_ended(report_network):
    report = _build(_with_event(report_network), snapshot_dates=("2015", "2020", "today"))
    rows = report["change"]["snapshots"]
    assert all("l20" not in row.get(kind, ()) for row in rows for kind in ("added", "ended"))
    assert rows[1]["events_between"] == ["l20"]
    assert report["change"]["events"] == 1
    text = render_markdown(report)
    assert "### 1 event link(s) that took place after 2015, up to 2020" in text
    sahel = next(r for r in report["coverage"] if r["id"] == "sahel")
    assert all("l20" not in tie["links"] for tie in sahel["ties"].values())


def test_markdown_lists_what_was_added_and_ended(report_network):
    report = _build(report_network)
    text = render_markdown(report)
    added = report["change"]["snapshots"][1]["added"]  # 2010 -> 2015: l01 (2013), l02 (2014-03), l17 (2012-05)
    assert added == ["l01", "l02", "l17"]
    section = text.split("### 3 tie(s) added after 2010, up to 2015", 1)[1].split("###", 1)[0]
    assert "| l01 | Albania – Europol: operational\\_agreement | 2013 |" in section
    assert "| l02 |" in section and "| l17 |" in section
    # 2015 -> today: l13 ended 2016, l17 ended 2020
    assert "### 2 tie(s) ended after 2015, up to today" in text


def test_a_time_filtered_report_says_how_many_undated_links_it_left_out(report_network):
    """As of 2015, l08 (Niger–Frontex, active, no start date) is left out; l07 and l18 are undated too but
    not in force, so the filter would not have kept them anyway."""
    net = apply_filters(report_network, Filters(as_of="2015"))
    assert net.undated_left_out == 1
    report = _build(net, filters_text="as-of=2015")
    assert report["params"]["undated_left_out"] == 1
    assert ("<strong>Time filter:</strong> 1 link(s) without a start date left out (--include-undated keeps them)"
            in render_html(report))
    assert "Time filter: 1 link(s) without a start date left out (--include-undated keeps them)" in \
        render_markdown(report)
    # under the time filter, the links kept were in force in 2015: Mali – Frontex (l17, 2012-05 to 2020,
    # ended since) is a tie in force then
    sahel = next(r for r in report["coverage"] if r["id"] == "sahel")
    assert sahel["ties"][("ml", "frontex")]["state"] == "in_force"


def test_without_a_time_filter_the_header_has_no_time_line(report_network):
    report = _build(report_network)
    assert report["params"]["undated_left_out"] is None
    assert "Time filter" not in render_html(report) and "Time filter" not in render_markdown(report)
