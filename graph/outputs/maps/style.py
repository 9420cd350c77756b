"""Visual encoding of the map: colour and shape per actor type, colour per link type, legend data.

The codes and their labels come from the ontology (:func:`~thbkg.graph.rdf.vocab.load_vocabulary`);
this module holds only a *palette*: a colour (and, for actor types, a shape) for the codes it
knows. The palettes are colour-blind-aware (Tableau 10 and 20 for actor types, a family-grouped
palette for link types) and every actor type also gets a distinct shape or colour, so the encoding
does not rely on colour alone.

A code the palette does not know, such as a link type just added to the ontology, is drawn
anyway: a link type takes a lighter shade of its family's colour, an actor type a spare colour and
the shape of its kind (framework or not); a code the ontology does not know either is grey.
"""

from __future__ import annotations

import colorsys
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from thbkg.graph.rdf.vocab import load_vocabulary

__all__ = [
    "ACTOR_PALETTE", "ACTOR_STYLES", "EU_OUTLINE_COLOR", "FAMILY_COLORS", "LINK_PALETTE", "LINK_STYLES",
    "REGION_COLORS", "TIE_COUNTRY_COLOR", "UNKNOWN_ACTOR", "UNKNOWN_LINK",
    "ActorStyle", "LinkStyle", "actor_style", "dashed_statuses", "legend", "link_style", "status_labels",
]


@dataclass(frozen=True)
class ActorStyle:
    """How one actor type is drawn: vis-network shape, fill colour and a human label."""

    label: str
    color: str
    shape: str


@dataclass(frozen=True)
class LinkStyle:
    """How one link type is drawn: edge colour and a human label."""

    label: str
    color: str


# Style palettes (not vocabularies: the codes are those of the ontology; a code missing here is
# still drawn, see the module docstring). Order matters: it is the legend order and the group
# order of the circular layout; codes missing here follow, sorted.
ACTOR_PALETTE: dict[str, tuple[str, str]] = {
    "country": ("#4C78A8", "dot"),
    "eu_agency": ("#F58518", "diamond"),
    "eu_institution": ("#B279A2", "star"),
    "eu_body": ("#E45756", "square"),
    "international_organisation": ("#54A24B", "triangle"),
    "ngo": ("#FF9DA6", "dot"),
    "regional_process": ("#D4A017", "hexagon"),
    "network": ("#72B7B2", "triangleDown"),
    "platform": ("#9D755D", "square"),
    "treaty": ("#79706E", "diamond"),
    # issue 11: programmes (a framework: dashed border), national mechanisms (light blue, the country's
    # hue) and national agencies (an agency: a diamond); each colour at least ΔE 9 from the others
    # under simulated deuteranopia and protanopia
    "programme": ("#F1CE63", "square"),
    "national_mechanism": ("#A0CBE8", "triangle"),
    "national_agency": ("#6A3D9A", "diamond"),
}
# Grouped by family (agreement: blues, liaison: orange, operational: dark teal and near black,
# membership: greens, funding: plum to orchid, event: reds, institutional: purple and greys). The
# colours added for issue 11 stay at least ΔE 9 (CIE L*a*b*) from every other colour under simulated
# deuteranopia and protanopia (Machado, Oliveira & Fernandes 2009), more than the older ones among
# themselves.
LINK_PALETTE: dict[str, str] = {
    "operational_agreement": "#1F4E9C",
    "strategic_agreement": "#5B8FD6",
    "working_arrangement": "#17A2B8",
    "status_agreement": "#7FC8D9",
    "cooperation_agreement": "#3B3B8F",
    "bilateral_agreement": "#1030E0",
    "liaison_officer": "#FF7F0E",
    "operational_partnership": "#22574C",
    "joint_investigation_team": "#1A1A1A",
    "membership": "#2CA02C",
    "observer": "#8FD17F",
    "treaty_party": "#8C564B",
    "funds": "#75155D",
    "implements": "#B83A8C",
    "operates_in": "#DF6FB5",
    "joint_action": "#D62728",
    "evaluation": "#EE8E8E",
    "participation": "#831107",
    "secretariat": "#9467BD",
    "part_of": "#7F7F7F",
    "legal_basis": "#BCBD22",
}
#: the base colour of each link family, from which a link type missing from LINK_PALETTE is shaded
FAMILY_COLORS: dict[str, str] = {
    "agreement": "#1F4E9C", "liaison": "#FF7F0E", "membership": "#2CA02C", "event": "#D62728",
    "institutional": "#9467BD", "funding": "#75155D", "operational": "#22574C",
}
#: colours for actor types (or families) missing from the palettes, chosen by a stable hash of the code
SPARE_COLORS = ("#FF9DA6", "#EECA3B", "#B6992D", "#499894", "#86BCB6", "#D37295", "#A0CBE8", "#FFBE7D")
#: fills of the priority regions on the geo basemap, in the order of the data's region ids (Okabe-Ito,
#: distinct under colour-vision deficiencies; drawn pale, under the network), then repeated
REGION_COLORS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#CC79A7", "#D55E00", "#0072B2")
#: the basemap fill of a country that holds ties but lies in no priority region, and its outline of EU members
TIE_COUNTRY_COLOR, EU_OUTLINE_COLOR = "#AAB3C0", "#1A3A94"
#: the shape of an actor type missing from ACTOR_PALETTE, by kind
FRAMEWORK_SHAPE, OTHER_SHAPE = "hexagon", "dot"

UNKNOWN_ACTOR = ActorStyle("Other", "#BAB0AC", "dot")
UNKNOWN_LINK = LinkStyle("Other link", "#B0B0B0")


def _display(label: str) -> str:
    """An ontology label as the legend shows it: first letter upper case ("part of" -> "Part of")."""
    return label[:1].upper() + label[1:]


def _pick(code: str, colors=SPARE_COLORS) -> str:
    """A colour chosen by a stable hash of *code* (the same in every process)."""
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return colors[digest[0] % len(colors)]


def _shade(color: str, code: str) -> str:
    """A lighter shade of *color*, by how much depending on *code* (so siblings differ)."""
    red, green, blue = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    step = hashlib.sha256(code.encode("utf-8")).digest()[0] / 255
    lightness = min(0.85, lightness + 0.15 + 0.25 * step)
    return "#" + "".join(f"{round(c * 255):02X}" for c in colorsys.hls_to_rgb(hue, lightness, saturation))


def actor_style(actor_type: str | None) -> ActorStyle:
    """Style of an actor type: palette colour and shape, ontology label; derived when not in the palette.

    >>> actor_style("country")
    ActorStyle(label='Country', color='#4C78A8', shape='dot')
    >>> actor_style("no-such-type") is UNKNOWN_ACTOR
    True
    """
    vocab = load_vocabulary()
    code = actor_type or ""
    if code not in vocab.actor_class:
        return UNKNOWN_ACTOR
    label = _display(vocab.actor_type_labels[code])
    if code in ACTOR_PALETTE:
        return ActorStyle(label, *ACTOR_PALETTE[code])
    shape = FRAMEWORK_SHAPE if vocab.is_framework_type(code) else OTHER_SHAPE
    return ActorStyle(label, _pick(code), shape)


def link_style(link_type: str | None) -> LinkStyle:
    """Style of a link type: palette colour, ontology label; a shade of its family's colour when not in the palette.

    >>> link_style("membership")
    LinkStyle(label='Membership', color='#2CA02C')
    >>> link_style(None) is UNKNOWN_LINK
    True
    """
    vocab = load_vocabulary()
    code = link_type or ""
    if code not in vocab.link_family:
        return UNKNOWN_LINK
    label = _display(vocab.link_type_labels[code])
    if code in LINK_PALETTE:
        return LinkStyle(label, LINK_PALETTE[code])
    family = vocab.family_of(code)
    return LinkStyle(label, _shade(FAMILY_COLORS.get(family) or _pick(family), code))


class _Styles(Mapping):
    """Code -> style for every code of one vocabulary, palette codes first: read at each use, so a
    code added to the ontology (or ``THBKG_ONTOLOGY``) is there without a restart."""

    def __init__(self, codes, palette, style):
        self._codes, self._palette, self._style = codes, palette, style

    def _order(self) -> list:
        known = set(self._codes(load_vocabulary()))
        return [c for c in self._palette if c in known] + sorted(known - set(self._palette))

    def __getitem__(self, code):
        if code not in set(self._codes(load_vocabulary())):
            raise KeyError(code)
        return self._style(code)

    def __iter__(self):
        return iter(self._order())

    def __len__(self):
        return len(self._order())

    def __contains__(self, code):
        return code in set(self._codes(load_vocabulary()))


#: actor-type code -> ActorStyle for every actor type of the ontology, in legend order
ACTOR_STYLES: Mapping = _Styles(lambda vocab: vocab.actor_types, ACTOR_PALETTE, actor_style)
#: link-type code -> LinkStyle for every link type of the ontology, in legend order
LINK_STYLES: Mapping = _Styles(lambda vocab: vocab.link_types, LINK_PALETTE, link_style)


def dashed_statuses() -> frozenset:
    """The statuses not in force (``thb:inForce false``): a pair whose links all have one of them is
    no tie in force, and the map draws it dashed.

    >>> sorted(dashed_statuses())
    ['ended', 'initialled', 'signed', 'suspended', 'under_negotiation']
    """
    vocab = load_vocabulary()
    return frozenset(vocab.statuses) - vocab.in_force_statuses


def status_labels() -> dict:
    """Status code -> English label of the ontology.

    >>> status_labels()["under_negotiation"]
    'under negotiation'
    """
    return dict(load_vocabulary().status_labels)


def __getattr__(name):
    # the former constants, now read from the ontology when asked for
    if name == "DASHED_STATUSES":
        return dashed_statuses()
    if name == "STATUS_LABELS":
        return status_labels()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _ordered(codes, known):
    order = {code: i for i, code in enumerate(known)}
    return sorted(set(codes), key=lambda c: (order.get(c, len(order)), c))


def legend(actor_type_counts: dict[str, int], link_type_counts: dict[str, int]) -> dict:
    """Legend entries for the types present on the map, in a fixed order, labelled as in the ontology.

    Parameters
    ----------
    actor_type_counts, link_type_counts : dict
        Type code -> number of actors (links) of that type on the map.

    Returns
    -------
    dict
        ``{"actor_types": [{"code", "label", "color", "shape", "count", "framework"}],
        "link_types": [{"code", "label", "color", "count"}]}``. A code the ontology does not know
        is labelled with the code itself; ``framework`` says whether the actor type is a framework
        type of the ontology (treaties, regional processes, networks, platforms: affiliations).

    Examples
    --------
    >>> lg = legend({"eu_agency": 2, "country": 5}, {"membership": 3})
    >>> [e["code"] for e in lg["actor_types"]]
    ['country', 'eu_agency']
    >>> lg["link_types"][0]["color"], lg["link_types"][0]["label"]
    ('#2CA02C', 'Membership')
    >>> legend({"treaty": 1}, {})["actor_types"][0]["framework"]
    True
    """
    actors = []
    for code in _ordered(actor_type_counts, ACTOR_STYLES):
        style = actor_style(code)
        label = style.label if code in ACTOR_STYLES else (code or UNKNOWN_ACTOR.label)
        actors.append({"code": code, "label": label, "color": style.color, "shape": style.shape,
                       "count": actor_type_counts[code], "framework": load_vocabulary().is_framework_type(code)})
    links = []
    for code in _ordered(link_type_counts, LINK_STYLES):
        edge = link_style(code)
        label = edge.label if code in LINK_STYLES else (code or UNKNOWN_LINK.label)
        links.append({"code": code, "label": label, "color": edge.color, "count": link_type_counts[code]})
    return {"actor_types": actors, "link_types": links}
