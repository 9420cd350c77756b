"""Map styles: palette codes keep their colour, codes new to the ontology get one derived, never an error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from thbkg.graph.outputs.maps import style
from thbkg.graph.rdf.vocab import ONTOLOGY_ENV

ROOT = Path(__file__).resolve().parents[4]
NEW_ACTOR_TYPES = """
thb:Forum a owl:Class ; rdfs:subClassOf thb:Framework ; rdfs:label "Forum"@en .
thb:Charity a owl:Class ; rdfs:subClassOf thb:Actor ; rdfs:label "Charity"@en .
atype:forum a skos:Concept ; skos:inScheme thb:ActorTypeScheme ; skos:notation "forum" ;
    skos:prefLabel "Forum"@en ; thb:rdfClass thb:Forum .
atype:charity a skos:Concept ; skos:inScheme thb:ActorTypeScheme ; skos:notation "charity" ;
    skos:prefLabel "Charity"@en ; thb:rdfClass thb:Charity .
"""


@pytest.fixture()
def new_actor_types(tmp_path, monkeypatch):
    copy = tmp_path / "thbkg.ttl"
    shutil.copyfile(ROOT / "ontology" / "thbkg.ttl", copy)
    with copy.open("a", encoding="utf-8") as fh:
        fh.write(NEW_ACTOR_TYPES)
    monkeypatch.setenv(ONTOLOGY_ENV, str(copy))


def test_palette_codes_keep_their_encoding(monkeypatch):
    monkeypatch.delenv(ONTOLOGY_ENV, raising=False)
    assert style.actor_style("country") == style.ActorStyle("Country", "#4C78A8", "dot")
    assert style.link_style("part_of") == style.LinkStyle("Part of", "#7F7F7F")  # ontology label "part of"
    assert style.legend({}, {"observer": 1})["link_types"][0]["label"] == "Observer"


def test_new_actor_types_are_drawn_by_their_kind(new_actor_types):
    forum, charity = style.actor_style("forum"), style.actor_style("charity")
    assert (forum.label, forum.shape) == ("Forum", style.FRAMEWORK_SHAPE)   # a thb:Framework
    assert (charity.label, charity.shape) == ("Charity", style.OTHER_SHAPE)
    assert {forum.color, charity.color} <= set(style.SPARE_COLORS)
    assert list(style.ACTOR_STYLES)[-2:] == ["charity", "forum"]  # after the palette, sorted
    codes = [e["code"] for e in style.legend({"forum": 1, "country": 3, "charity": 2}, {})["actor_types"]]
    assert codes == ["country", "charity", "forum"]


def test_a_code_the_ontology_lacks_is_grey_and_labelled_with_itself(monkeypatch):
    monkeypatch.delenv(ONTOLOGY_ENV, raising=False)
    assert style.actor_style("pirate_ship") is style.UNKNOWN_ACTOR
    entry = style.legend({"pirate_ship": 1}, {"friendship": 2})
    assert entry["actor_types"][0]["label"] == "pirate_ship" and entry["link_types"][0]["label"] == "friendship"
    assert entry["link_types"][0]["color"] == style.UNKNOWN_LINK.color


def test_the_derived_colour_is_the_same_in_every_process(new_actor_types):
    """Two processes with different hash seeds derive the same colours (sha256, not hash())."""
    import os
    import subprocess
    import sys

    code = ("from thbkg.graph.outputs.maps.style import actor_style, _shade; "
            "print(actor_style('forum').color, actor_style('charity').color, _shade('#FF7F0E', 'secondment'))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(outputs) == 1
    forum, charity, shade = outputs.pop().split()
    assert forum in style.SPARE_COLORS and charity in style.SPARE_COLORS
    assert shade != "#FF7F0E" and shade.startswith("#") and len(shade) == 7
