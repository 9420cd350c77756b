"""The filters shared by every analytic command (centrality, report, whatif, path, export, map)."""

from __future__ import annotations

from dataclasses import dataclass, field

from thbkg.graph.errors import UsageError

#: how frameworks enter the actor graph (see Filters.frameworks)
FRAMEWORK_VIEWS = ("shared", "as-nodes")


@dataclass(frozen=True)
class Filters:
    """Which link records enter a projection.

    Actors, regions, link types and actor types may be given by any name people use for them (an id
    or code, a label, an alias, an ISO code, a Wikidata QID, a pasted IRI; case and accents ignored:
    see :mod:`thbkg.graph.network.names`). :func:`~thbkg.graph.network.projections.load_network` and
    :func:`~thbkg.graph.network.projections.apply_filters` make them ids, refusing unknown and ambiguous
    names, and the network they return holds the filters with ids (``network.filters``). A string
    where a list is expected is one item: ``Filters(regions="Sahel")`` is ``Filters(regions=("Sahel",))``.

    Attributes
    ----------
    as_of : str or None
        ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``today`` (read by :mod:`thbkg.graph.rdf.dates`);
        keep links in force on that date (the last day of a month or year).
    between : tuple of (int, int) or None
        Keep links active at some time in the years ``Y1..Y2`` inclusive.
    types : tuple of str
        Link types to keep (empty: all): codes (``operational_agreement``) or labels
        (``"operational agreement"``).
    regions : tuple of str
        Regions, by id or label (``sahel``, ``"Horn of Africa"``); keep links with at least one party
        in one of these regions.
    actor_types : tuple of str
        Actor types, by code or label (``eu_agency``, ``"EU agency"``); keep actors of these types only.
    min_confidence : str or None
        A confidence code of the ontology (e.g. ``medium``); drop links whose ``thb:rank`` is lower.
    exclude : tuple of str
        Actors to leave out, by id or any other name (``europol``, ``"Europol"``, ``SRB``, ``Q207203``).
    include_undated : bool
        With ``as_of`` or ``between``, also keep links whose start date is unknown (by default
        they are left out, since nothing says they were in force then).
    frameworks : str
        How frameworks enter the actor graph (:meth:`Network.cooperation_graph`): ``"shared"`` (the
        default) ties the actors that share a framework; ``"as-nodes"`` keeps frameworks as nodes.
        Not a filter of links: it chooses the projection, and is stated with the filters.
    """

    as_of: str | None = None
    between: tuple[int, int] | None = None
    types: tuple[str, ...] = field(default_factory=tuple)
    regions: tuple[str, ...] = field(default_factory=tuple)
    actor_types: tuple[str, ...] = field(default_factory=tuple)
    min_confidence: str | None = None
    exclude: tuple[str, ...] = field(default_factory=tuple)
    include_undated: bool = False
    frameworks: str = "shared"

    def __post_init__(self):
        # a string where a list is expected is one item: Filters(regions="sahel") means ("sahel",)
        for name in ("types", "regions", "actor_types", "exclude"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value or ()))
        if self.frameworks not in FRAMEWORK_VIEWS:
            raise UsageError(f"frameworks must be one of {', '.join(FRAMEWORK_VIEWS)}, not {self.frameworks!r}")

    def describe(self) -> str:
        """One line listing the filters in force, for report headers.

        >>> Filters(types=("membership",), min_confidence="high").describe()
        'type=membership; min-confidence=high'
        >>> Filters().describe()
        'none'
        >>> Filters(regions="sahel").regions
        ('sahel',)
        """
        parts = []
        if self.as_of:
            parts.append(f"as-of={self.as_of}")
        if self.between:
            parts.append(f"between={self.between[0]}-{self.between[1]}")
        for name, values in (("type", self.types), ("region", self.regions),
                             ("actor-type", self.actor_types), ("exclude", self.exclude)):
            if values:
                parts.append(f"{name}={','.join(values)}")
        if self.min_confidence:
            parts.append(f"min-confidence={self.min_confidence}")
        if self.include_undated and (self.as_of or self.between):
            parts.append("include-undated")
        if self.frameworks != "shared":
            parts.append(f"frameworks={self.frameworks}")
        return "; ".join(parts) or "none"
