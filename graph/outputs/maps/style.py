"""Visual encoding of the map: colour and shape per actor type, colour per link type, legend data.

The palettes are colour-blind-aware (Tableau 10 for actor types, a family-grouped palette for
link types) and every actor type also gets a distinct shape or colour, so the encoding does not
rely on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ActorStyle", "LinkStyle", "ACTOR_STYLES", "LINK_STYLES", "UNKNOWN_ACTOR", "UNKNOWN_LINK",
    "DASHED_STATUSES", "STATUS_LABELS", "actor_style", "link_style", "legend",
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


# Order matters: it is the legend order and the group order of the circular layout.
ACTOR_STYLES: dict[str, ActorStyle] = {
    "country": ActorStyle("Country", "#4C78A8", "dot"),
    "eu_agency": ActorStyle("EU agency", "#F58518", "diamond"),
    "eu_institution": ActorStyle("EU institution", "#B279A2", "star"),
    "eu_body": ActorStyle("EU body", "#E45756", "square"),
    "international_organisation": ActorStyle("International organisation", "#54A24B", "triangle"),
    "regional_process": ActorStyle("Regional process", "#D4A017", "hexagon"),
    "network": ActorStyle("Network", "#72B7B2", "triangleDown"),
    "platform": ActorStyle("Platform", "#9D755D", "square"),
    "treaty": ActorStyle("Treaty", "#79706E", "diamond"),
}
UNKNOWN_ACTOR = ActorStyle("Other", "#BAB0AC", "dot")

# Grouped by family (agreement: blues, liaison: orange, membership: greens, ...).
LINK_STYLES: dict[str, LinkStyle] = {
    "operational_agreement": LinkStyle("Operational agreement", "#1F4E9C"),
    "strategic_agreement": LinkStyle("Strategic agreement", "#5B8FD6"),
    "working_arrangement": LinkStyle("Working arrangement", "#17A2B8"),
    "status_agreement": LinkStyle("Status agreement", "#7FC8D9"),
    "cooperation_agreement": LinkStyle("Cooperation agreement", "#3B3B8F"),
    "liaison_officer": LinkStyle("Liaison officer", "#FF7F0E"),
    "membership": LinkStyle("Membership", "#2CA02C"),
    "observer": LinkStyle("Observer", "#8FD17F"),
    "treaty_party": LinkStyle("Treaty party", "#8C564B"),
    "joint_action": LinkStyle("Joint action", "#D62728"),
    "secretariat": LinkStyle("Secretariat", "#9467BD"),
    "part_of": LinkStyle("Part of", "#7F7F7F"),
    "legal_basis": LinkStyle("Legal basis", "#BCBD22"),
}
UNKNOWN_LINK = LinkStyle("Other link", "#B0B0B0")

# Links in these states are drawn dashed (no longer, or not currently, in force).
DASHED_STATUSES = frozenset({"ended", "suspended"})
STATUS_LABELS = {"active": "active", "suspended": "suspended", "ended": "ended",
                 "under_negotiation": "under negotiation"}


def actor_style(actor_type: str | None) -> ActorStyle:
    """Style of an actor type; unknown codes get a neutral grey dot.

    >>> actor_style("country").shape
    'dot'
    >>> actor_style("no-such-type") is UNKNOWN_ACTOR
    True
    """
    return ACTOR_STYLES.get(actor_type or "", UNKNOWN_ACTOR)


def link_style(link_type: str | None) -> LinkStyle:
    """Style of a link type; unknown codes get a neutral grey.

    >>> link_style("membership").label
    'Membership'
    >>> link_style(None) is UNKNOWN_LINK
    True
    """
    return LINK_STYLES.get(link_type or "", UNKNOWN_LINK)


def _ordered(codes, known):
    order = {code: i for i, code in enumerate(known)}
    return sorted(set(codes), key=lambda c: (order.get(c, len(order)), c))


def legend(actor_type_counts: dict[str, int], link_type_counts: dict[str, int]) -> dict:
    """Legend entries for the types present on the map, in a fixed order.

    Parameters
    ----------
    actor_type_counts, link_type_counts : dict
        Type code -> number of actors (links) of that type on the map.

    Returns
    -------
    dict
        ``{"actor_types": [{"code", "label", "color", "shape", "count"}],
        "link_types": [{"code", "label", "color", "count"}]}``.

    Examples
    --------
    >>> lg = legend({"eu_agency": 2, "country": 5}, {"membership": 3})
    >>> [e["code"] for e in lg["actor_types"]]
    ['country', 'eu_agency']
    >>> lg["link_types"][0]["color"]
    '#2CA02C'
    """
    actors = []
    for code in _ordered(actor_type_counts, ACTOR_STYLES):
        style = actor_style(code)
        label = style.label if code in ACTOR_STYLES else (code or UNKNOWN_ACTOR.label)
        actors.append({"code": code, "label": label, "color": style.color, "shape": style.shape,
                       "count": actor_type_counts[code]})
    links = []
    for code in _ordered(link_type_counts, LINK_STYLES):
        style = link_style(code)
        label = style.label if code in LINK_STYLES else (code or UNKNOWN_LINK.label)
        links.append({"code": code, "label": label, "color": style.color, "count": link_type_counts[code]})
    return {"actor_types": actors, "link_types": links}
