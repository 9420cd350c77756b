"""Synthetic datasets in the table format of ``data/``, to measure how thbkg scales.

The tables are realistic in shape, never in content: every id starts with ``syn-`` and every source
says "synthetic". Shape: mostly countries and a few agencies and frameworks; link types that fit
the actor types (memberships point to frameworks, agreements to agencies, treaty_party to
treaties); a few hubs, because endpoints are drawn by preferential attachment (probability grows
with degree); start dates 1995–2026 at mixed precision, some links ended; sources shared with a
Zipf-like law; a mix of confidence; priority regions. The same seed writes the same bytes.

The shares below are generator parameters, not vocabularies: every code they name must exist in the
ontology (checked at each use, :func:`generator_parameters`), and a code of the ontology they do not
name gets :data:`DEFAULT_SHARE` (a link type also the endpoints of a link type of its family).

>>> import tempfile
>>> d = tempfile.mkdtemp()
>>> write_synthetic(d, actors=50, links=200, seed=1)["links"]
200
"""

from __future__ import annotations

import bisect
import csv
import io
import random

from thbkg.graph.errors import ThbkgError
from thbkg.graph.io import atomic_write, prepare_output_dir
from thbkg.graph.rdf.tables import COLUMNS
from thbkg.graph.rdf.vocab import load_vocabulary

#: share of each actor type (countries take the rest), minimum one of each
ACTOR_TYPE_SHARES = {
    "eu_agency": 0.012, "eu_body": 0.01, "eu_institution": 0.004, "international_organisation": 0.03,
    "regional_process": 0.012, "network": 0.008, "platform": 0.004, "treaty": 0.01,
    "programme": 0.02, "national_mechanism": 0.02, "ngo": 0.01, "national_agency": 0.005,
}
#: link type -> (share, subject actor types, object actor types)
LINK_TYPES = {
    "membership": (0.33, ("country", "international_organisation", "eu_agency"),
                   ("regional_process", "network", "platform")),
    "observer": (0.04, ("country", "international_organisation"), ("regional_process", "network")),
    "treaty_party": (0.18, ("country",), ("treaty",)),
    "operational_agreement": (0.05, ("country", "international_organisation"), ("eu_agency",)),
    "strategic_agreement": (0.05, ("country", "international_organisation"), ("eu_agency",)),
    "working_arrangement": (0.07, ("country", "international_organisation", "eu_agency"), ("eu_agency",)),
    "status_agreement": (0.03, ("country",), ("eu_agency",)),
    "cooperation_agreement": (0.06, ("country", "international_organisation"), ("eu_agency",)),
    "liaison_officer": (0.08, ("country", "eu_agency"), ("country", "eu_agency", "international_organisation")),
    "joint_action": (0.07, ("country", "eu_agency"), ("platform", "eu_agency")),
    "secretariat": (0.02, ("international_organisation", "eu_body"), ("regional_process", "network", "treaty")),
    "part_of": (0.02, ("eu_body", "eu_agency"), ("eu_institution", "international_organisation")),
    "legal_basis": (0.0, ("eu_agency", "eu_body"), ("eu_institution",)),  # rare in the real data: none here
    "bilateral_agreement": (0.02, ("country",), ("country",)),
    "funds": (0.03, ("eu_institution", "eu_body", "country"), ("programme",)),
    "implements": (0.03, ("international_organisation", "national_agency", "ngo"), ("programme",)),
    "operates_in": (0.04, ("programme",), ("country",)),
    "evaluation": (0.03, ("international_organisation",), ("country",)),
    "operational_partnership": (0.01, ("country",), ("country",)),
    "joint_investigation_team": (0.01, ("country",), ("country",)),
    "participation": (0.01, ("country", "national_mechanism"), ("network", "regional_process")),
}
STATUS_WEIGHTS = {"active": 0.83, "ended": 0.11, "under_negotiation": 0.04, "suspended": 0.02}
CONFIDENCE_WEIGHTS = {"high": 0.6, "medium": 0.3, "low": 0.1}
#: evidence grades of the synthetic sources (sources.csv column kind), drawn with their own generator so
#: that adding the column left every other draw, and so every other byte, unchanged
SOURCE_KIND_WEIGHTS = {"official_text": 0.2, "official_page": 0.45, "secondary": 0.2, "general_knowledge": 0.1,
                       "memory": 0.05}
#: the actor type whose actors borrow real ISO 3166-1 codes (validation requires them)
COUNTRY_TYPE = "country"
#: statuses whose links get an end date
WITH_END_DATE = ("ended",)
#: status -> extra share of its links left without a start date (on top of UNDATED_SHARE)
EXTRA_UNDATED = {"under_negotiation": 0.5}
UNDATED_SHARE = 0.1
#: link type -> the role written in its links
ROLES = {"observer": "observer"}
#: the share given to a code of the ontology that the parameters above do not name
DEFAULT_SHARE = 0.01
#: how actors beyond the ~250 ISO countries are shared among the other types
EXTRA_ACTOR_WEIGHTS = {
    "international_organisation": 0.45, "eu_body": 0.2, "regional_process": 0.08, "network": 0.08,
    "treaty": 0.06, "platform": 0.05, "eu_agency": 0.05, "eu_institution": 0.03,
}
REGIONS = 6
#: probability of drawing an endpoint by degree (preferential attachment) rather than uniformly
ATTACHMENT = 0.75
SYNTHETIC_NOTE = "synthetic data (thbkg synth), not a fact"


def _check_codes(name: str, codes, known) -> None:
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise ThbkgError(f"synth: {name} names {', '.join(unknown)}, not in the ontology; "
                         "fix the parameters in thbkg.graph.rdf.synth")


def _completed(weights: dict, codes) -> dict:
    """*weights* plus DEFAULT_SHARE for the *codes* they lack (appended sorted: the draws of the
    named codes stay the same)."""
    return {**weights, **{code: DEFAULT_SHARE for code in sorted(set(codes) - set(weights))}}


def _link_parameters(vocab) -> dict:
    """LINK_TYPES completed: a link type it lacks borrows the endpoints of one of its family."""
    table = dict(LINK_TYPES)
    for code in sorted(set(vocab.link_types) - set(LINK_TYPES)):
        siblings = sorted(t for t in LINK_TYPES if vocab.family_of(t) == vocab.family_of(code))
        _, subjects, objects = LINK_TYPES[siblings[0]] if siblings else (0, vocab.actor_types, vocab.actor_types)
        table[code] = (DEFAULT_SHARE, subjects, objects)
    return table


def generator_parameters(vocab=None) -> dict:
    """The shares of the generator, checked against the ontology and completed for its new codes.

    Raises
    ------
    ThbkgError
        If a parameter names a code the ontology does not have.

    >>> params = generator_parameters()
    >>> named = {code: params["statuses"][code] for code in STATUS_WEIGHTS}
    >>> named == STATUS_WEIGHTS and params["link_types"]["membership"] == LINK_TYPES["membership"]
    True
    """
    vocab = vocab or load_vocabulary()
    actor_types = set(vocab.actor_types)
    _check_codes("ACTOR_TYPE_SHARES", ACTOR_TYPE_SHARES, actor_types)
    _check_codes("EXTRA_ACTOR_WEIGHTS", EXTRA_ACTOR_WEIGHTS, actor_types)
    _check_codes("COUNTRY_TYPE", [COUNTRY_TYPE], actor_types)
    _check_codes("LINK_TYPES", LINK_TYPES, vocab.link_types)
    _check_codes("LINK_TYPES endpoints", {t for _, s, o in LINK_TYPES.values() for t in s + o}, actor_types)
    _check_codes("ROLES", ROLES, vocab.link_types)
    _check_codes("STATUS_WEIGHTS", set(STATUS_WEIGHTS) | set(WITH_END_DATE) | set(EXTRA_UNDATED), vocab.statuses)
    _check_codes("CONFIDENCE_WEIGHTS", CONFIDENCE_WEIGHTS, vocab.confidence_rank)
    _check_codes("SOURCE_KIND_WEIGHTS", SOURCE_KIND_WEIGHTS, vocab.source_kinds)
    others = actor_types - {COUNTRY_TYPE}  # countries take the rest, up to the real ISO codes
    return {"actor_types": _completed(ACTOR_TYPE_SHARES, others),
            "extra_actors": _completed(EXTRA_ACTOR_WEIGHTS, others),
            "link_types": _link_parameters(vocab),
            "statuses": _completed(STATUS_WEIGHTS, vocab.statuses),
            "confidence": _completed(CONFIDENCE_WEIGHTS, vocab.confidence_rank),
            "instrument_types": vocab.instrument_actor_types}


def _iso_codes() -> list:
    """Real ISO 3166-1 (alpha-2, alpha-3) pairs, sorted: synthetic countries borrow them."""
    import pycountry

    return sorted((c.alpha_2, c.alpha_3) for c in pycountry.countries)


def _weighted(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _zipf_sampler(rng, n: int, exponent: float = 1.1):
    """Draw indexes 0..n-1 with probability proportional to 1 / (rank ** exponent)."""
    cumulative, total = [], 0.0
    for rank in range(1, n + 1):
        total += 1.0 / rank ** exponent
        cumulative.append(total)
    return lambda: min(n - 1, bisect.bisect_left(cumulative, rng.random() * total))


def _date(rng, year: int) -> str:
    """A date at mixed precision: YYYY (half), YYYY-MM (a quarter) or YYYY-MM-DD."""
    kind = rng.random()
    if kind < 0.5:
        return f"{year:04d}"
    month = rng.randint(1, 12)
    if kind < 0.75:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{rng.randint(1, 28):02d}"


class _Draws:
    """The random draws of one dataset. Every draw is made in a fixed order: the same seed, the same bytes."""

    def __init__(self, seed: int, n_sources: int):
        self.params = generator_parameters()
        self.rng = random.Random(seed)
        self.sources = [
            {"id": f"syn-s{i:06d}", "title": f"Synthetic source {i} (synthetic data, not a real document)",
             "publisher": "thbkg synth", "url": "", "issued": _date(self.rng, self.rng.randint(1995, 2026)),
             "accessed": "", "note": SYNTHETIC_NOTE} for i in range(n_sources)]
        kinds_rng = random.Random(f"{seed}-kinds")
        kinds, weights = zip(*sorted(SOURCE_KIND_WEIGHTS.items()), strict=True)
        for source in self.sources:
            source["kind"] = kinds_rng.choices(kinds, weights)[0]
        self._source_index = _zipf_sampler(self.rng, n_sources)

    def cite(self, k_max: int = 3) -> str:
        """Ids of 1 to *k_max* sources, drawn with the Zipf-like law, as a table cell."""
        return ";".join(sorted({self.sources[self._source_index()]["id"]
                                for _ in range(self.rng.randint(1, k_max))}))

    def weighted(self, parameter: str) -> str:
        """A code drawn with the weights of the generator parameter *parameter*."""
        return _weighted(self.rng, self.params[parameter])


def synthetic_tables(*, actors: int = 1000, links: int = 5000, seed: int = 42) -> dict:
    """The synthetic tables as ``{table name: list of row dicts}`` (columns as in docs/design.md)."""
    if actors < 10:
        raise ValueError("give at least 10 actors (one of each type plus countries)")
    draws = _Draws(seed, n_sources=max(20, links // 8))
    iso = _iso_codes()
    types = [t for t, count in sorted(_actor_counts(draws.params, actors, len(iso)).items()) for _ in range(count)]
    draws.rng.shuffle(types)
    actor_rows, by_type = _actor_rows(draws, types, iso)
    regions = [{"id": f"syn-r{r:02d}", "label": f"Synthetic region {r}",
                "definition": "A synthetic priority region", "sources": draws.cite(1), "confidence": "high"}
               for r in range(REGIONS)]
    region_members = _region_members(draws, regions, [actor_rows[i]["id"] for i in by_type.get(COUNTRY_TYPE, [])])
    instruments = [{"id": f"syn-i{k:03d}", "label": f"Synthetic instrument {k}",
                    "type": draws.rng.choice(("strategy", "directive", "regulation", "decision", "declaration")),
                    "identifier": "", "date": _date(draws.rng, draws.rng.randint(1995, 2026)), "url": "",
                    "sources": draws.cite(1), "confidence": "high", "note": SYNTHETIC_NOTE} for k in range(5)]
    link_rows = _link_rows(draws, links, [row["id"] for row in actor_rows], by_type,
                           [row["id"] for row in instruments])
    return {"sources": draws.sources, "instruments": instruments, "actors": actor_rows, "regions": regions,
            "region_members": region_members, "links": link_rows}


def _actor_counts(params: dict, actors: int, n_iso: int) -> dict[str, int]:
    """How many actors of each type: a few of each non-country type, countries for the rest.

    There are only ~250 ISO country codes (validation requires one per country), so larger
    datasets grow the other types.
    """
    counts = {t: max(1, round(actors * share)) for t, share in params["actor_types"].items()}
    # a tiny dataset cannot have one of each type and still a country: the rarest types go first
    for rare in sorted(counts, key=lambda t: (params["actor_types"][t], t)):
        if sum(counts.values()) < actors:
            break
        counts[rare] -= 1
    counts[COUNTRY_TYPE] = actors - sum(counts.values())
    excess = max(0, counts[COUNTRY_TYPE] - n_iso)
    counts[COUNTRY_TYPE] -= excess
    for actor_type, weight in params["extra_actors"].items():
        counts[actor_type] += int(excess * weight)
    counts["international_organisation"] += actors - sum(counts.values())
    return counts


def _actor_rows(draws: _Draws, types: list[str], iso: list) -> tuple[list[dict], dict[str, list[int]]]:
    """The actor rows (the i-th of type ``types[i]``) and the indexes of the actors of each type."""
    rng = draws.rng
    actor_rows: list[dict] = []
    by_type: dict[str, list[int]] = {}
    for i, actor_type in enumerate(types):
        by_type.setdefault(actor_type, []).append(i)
        iso2, iso3 = iso[len(by_type[actor_type]) - 1] if actor_type == COUNTRY_TYPE else ("", "")
        seat, lat, lon = f"Synthetic seat {i}", f"{rng.uniform(-40, 65):.4f}", f"{rng.uniform(-30, 60):.4f}"
        if actor_type in draws.params["instrument_types"]:
            seat = lat = lon = ""  # an instrument (treaty) has no seat; drawn anyway, so the rest stays the same
        actor_rows.append({
            "id": f"syn-a{i:06d}", "label": f"Synthetic {actor_type.replace('_', ' ')} {i}", "type": actor_type,
            "iso2": iso2, "iso3": iso3, "wikidata": "", "eu_authority": "", "seat": seat,
            "lat": lat, "lon": lon, "parent": "",
            "sources": draws.cite(1), "confidence": draws.weighted("confidence"),
            "note": SYNTHETIC_NOTE + ("; ISO codes reused only so that validation passes" if iso2 else "")})
    _give_states(actor_rows, by_type)
    return actor_rows, by_type


#: actor types whose records must name a state as parent (the shapes ask for it)
STATE_OWNED_TYPES = ("national_mechanism",)


def _give_states(actor_rows: list[dict], by_type: dict[str, list[int]]) -> None:
    """Each national mechanism belongs to a country, taken in turn (no draw: the rest stays the same)."""
    countries = by_type.get(COUNTRY_TYPE, [])
    owned = [i for t in STATE_OWNED_TYPES for i in by_type.get(t, [])]
    for k, i in enumerate(sorted(owned)):
        if countries:
            actor_rows[i]["parent"] = actor_rows[countries[k % len(countries)]]["id"]


def _region_members(draws: _Draws, regions: list[dict], countries: list[str]) -> list[dict]:
    """About 45 % of the *countries* (ids), each in one of the *regions*, sorted by region and actor."""
    members = []
    for country in countries:
        if draws.rng.random() < 0.45:
            members.append({"region": regions[draws.rng.randrange(REGIONS)]["id"], "actor": country,
                            "sources": draws.cite(1), "confidence": draws.weighted("confidence"), "note": ""})
    members.sort(key=lambda r: (r["region"], r["actor"]))
    return members


class _Endpoints:
    """Draws the two ends of links by preferential attachment within the allowed actor types."""

    def __init__(self, rng: random.Random, by_type: dict[str, list[int]]):
        self.rng = rng
        self.by_type = by_type
        # actor indexes, once per link end: drawing from it favours hubs
        self.urns: dict[str, list[int]] = {t: [] for t in by_type}

    def draw(self, allowed) -> tuple[int, str]:
        """An actor (index, type) of one of the *allowed* types."""
        actor_type = self.rng.choice([t for t in allowed if t in self.by_type])
        urn = self.urns[actor_type]
        if urn and self.rng.random() < ATTACHMENT:
            return urn[self.rng.randrange(len(urn))], actor_type
        return self.rng.choice(self.by_type[actor_type]), actor_type

    def pair(self, subject_types, object_types, link_type: str, seen: set) -> tuple[int, int] | None:
        """A new (subject, object) for a link of *link_type* (None: only loops were drawn, or a tiny
        dataset has no actor of the types the link joins)."""
        if not (set(subject_types) & set(self.by_type) and set(object_types) & set(self.by_type)):
            return None
        for _ in range(20):  # a few tries for a new (subject, object, type); hubs make repeats likely
            (s, s_type), (o, o_type) = self.draw(subject_types), self.draw(object_types)
            if s != o and (s, o, link_type) not in seen:
                break
        if s == o:
            return None
        seen.add((s, o, link_type))
        self.urns[s_type].append(s)
        self.urns[o_type].append(o)
        return s, o


def _link_dates(rng: random.Random, status: str) -> tuple[str, str]:
    """Start and end of a link of *status* (either may be empty)."""
    # later years are likelier: cooperation grew over time
    start_year = int(1995 + (2026 - 1995) * rng.random() ** 0.6)
    start = "" if rng.random() < UNDATED_SHARE or status in EXTRA_UNDATED \
        and rng.random() < EXTRA_UNDATED[status] else _date(rng, start_year)
    end = ""
    if status in WITH_END_DATE:
        end_year = rng.randint(start_year, 2026)
        end = _date(rng, end_year)
        if start and end[:4] == start[:4]:
            end = end[:4]  # same year: keep the year only, so the end is never before the start
    return start, end


def _link_rows(draws: _Draws, links: int, actor_ids: list[str], by_type: dict[str, list[int]],
               instrument_ids: list[str]) -> list[dict]:
    """Up to *links* link rows (a draw that finds only loops is skipped)."""
    rng = draws.rng
    endpoints = _Endpoints(rng, by_type)
    link_types = draws.params["link_types"]
    link_names = list(link_types)
    link_weights = [link_types[t][0] for t in link_names]
    seen: set = set()
    link_rows = []
    for k in range(links):
        link_type = rng.choices(link_names, weights=link_weights)[0]
        _, subject_types, object_types = link_types[link_type]
        pair = endpoints.pair(subject_types, object_types, link_type, seen)
        if pair is None:
            continue
        status = draws.weighted("statuses")
        start, end = _link_dates(rng, status)
        link_rows.append({
            "id": f"syn-l{k:07d}", "subject": actor_ids[pair[0]], "object": actor_ids[pair[1]],
            "type": link_type, "role": ROLES.get(link_type, ""),
            "start": start, "end": end, "status": status,
            "instrument": instrument_ids[rng.randrange(len(instrument_ids))] if rng.random() < 0.05 else "",
            "sources": draws.cite(), "confidence": draws.weighted("confidence"),
            "date_confidence": draws.weighted("confidence") if (start or end) else "",
            "note": ""})
    return link_rows


def _csv(name: str, rows: list) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS[name]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_synthetic(folder, *, actors: int = 1000, links: int = 5000, seed: int = 42) -> dict:
    """Write the synthetic tables into *folder* (atomically, one file per table).

    Returns
    -------
    dict
        Rows written per table, e.g. ``{"actors": 1000, "links": 5000, ...}``.
    """
    from thbkg.graph.progress import progress

    folder = prepare_output_dir(folder, produces=[f"{name}.csv" for name in COLUMNS])
    with progress(1 + len(COLUMNS), "synth") as bar:
        bar.set_item("drawing the rows")
        tables = synthetic_tables(actors=actors, links=links, seed=seed)
        for name, rows in tables.items():
            bar.update(1, f"writing {name}.csv")
            atomic_write(folder / f"{name}.csv", _csv(name, rows))
        bar.update(1)
    return {name: len(rows) for name, rows in tables.items()}
