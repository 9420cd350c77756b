"""Names as people type them: the one place where a name becomes an id.

Everywhere an actor, a region, a link type, an actor type or a framework is named (``thbkg path Frontex
Serbia``, ``whatif --remove``, ``--exclude``, ``--region``, ``--type``, ``--actor-type``, ``thbkg query
--param`` and the Python :class:`~thbkg.graph.network.filters.Filters`), the name is looked up in a
:class:`NameIndex`. What each kind of record answers to:

* an **actor** (or a **framework**, an actor of a framework type): its id; its label; the names derived
  from the label (:func:`thbkg.graph.rdf.build.actor_names`: "Frontex (European Border and Coast Guard
  Agency)" also goes by "Frontex" and by "European Border and Coast Guard Agency"); each alias (actors.csv
  ``aliases``, built as ``skos:altLabel``); its ISO 3166 alpha-2 and alpha-3 codes; its Wikidata QID; and
  its IRI, pasted whole (``https://w3id.org/thbkg/id/actor/rs``, with or without ``<…>``) or as a
  prefixed name (``thba:rs``, ``thbid:actor/rs``). A Wikidata IRI (``wd:Q403``) stands for its QID.
* a **region**: its id, its label and its IRI (``thbr:sahel``).
* a **link type** or an **actor type**: its code, its label in the ontology (``skos:prefLabel``, read
  by :func:`~thbkg.graph.rdf.vocab.load_vocabulary`) and its IRI.

Matching ignores case and accents, and reads ``-``, ``_``, dashes and spaces alike (:func:`name_key`).
An id given exactly as it is always means that record. A name that no record has is refused with
the closest names (did you mean…?); a name that several records share is refused with the list of
them and their ids, so the user can give the id.

>>> index = actor_index([{"id": "frontex", "label": "Frontex (European Border and Coast Guard Agency)"},
...                      {"id": "rs", "label": "Serbia", "iso2": "RS", "iso3": "SRB", "wikidata": "Q403"}])
>>> [index.resolve(name) for name in ("Frontex", "european border and coast guard agency", "SRB", "wd:Q403",
...                                   "thba:rs")]
['frontex', 'frontex', 'rs', 'rs', 'rs']
>>> index.resolve("Frontx")
Traceback (most recent call last):
...
thbkg.graph.errors.UsageError: unknown actor 'Frontx' (did you mean Frontex (frontex)?)
"""

from __future__ import annotations

import dataclasses
import difflib
import unicodedata
from dataclasses import dataclass

from thbkg.graph.errors import UsageError
from thbkg.graph.network.filters import Filters
from thbkg.graph.rdf.build import actor_names
from thbkg.graph.rdf.namespaces import PREFIXES, THBID, WD
from thbkg.graph.rdf.tables import split_multi
from thbkg.graph.rdf.vocab import load_vocabulary

#: kind of record -> the path of its data IRIs under ``thbid:``
KIND_PATHS = {"actor": "actor/", "framework": "actor/", "region": "region/", "link type": "link-type/",
              "actor type": "actor-type/"}
#: how many close names an unknown name is answered with
SUGGESTIONS = 3


def name_key(text: str) -> str:
    """The form names are compared in: case folded, accents dropped, ``-``, ``_``, dashes and runs of
    spaces read as one space.

    Case folding comes first (so ``İ`` folds to ``i`` plus a dot that is then dropped), then the
    compatibility decomposition (NFKD), whose combining marks are dropped.

    >>> name_key("  Côte_d'Ivoire ")
    "cote d'ivoire"
    >>> name_key("horn-of-Africa") == name_key("Horn of Africa") == name_key("HORN_OF_AFRICA")
    True
    >>> name_key("EU–Horn of Africa")  # an en dash
    'eu horn of africa'
    """
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    chars = (" " if char == "_" or char.isspace() or unicodedata.category(char) == "Pd" else char
             for char in decomposed if not unicodedata.combining(char))
    return " ".join("".join(chars).split())


def initials(name: str) -> str | None:
    """The initials of a name of three or more capitalised words, as people abbreviate it; else None.

    Lower-case words (``and``, ``of``, ``for``) are skipped, as in most acronyms. The site's search
    finds an actor by them; they are a way of typing a name, not a fact about the actor.

    >>> initials("European Border and Coast Guard Agency"), initials("Europol"), initials("Eastern Partnership")
    ('EBCGA', None, None)
    """
    capitals = [word[0] for word in str(name).replace("-", " ").split() if word[:1].isupper()]
    return "".join(capitals) if len(capitals) >= 3 else None


def pasted_iri(text: str) -> str | None:
    """The IRI that *text* writes, when it is one: ``<…>``, ``http(s)://…`` or a thbkg prefixed name.

    >>> pasted_iri("thba:rs"), pasted_iri("<https://w3id.org/thbkg/id/region/sahel>")
    ('https://w3id.org/thbkg/id/actor/rs', 'https://w3id.org/thbkg/id/region/sahel')
    >>> pasted_iri("Serbia") is None and pasted_iri("nowhere:x") is None
    True
    """
    text = str(text).strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1].strip()
    if "://" in text:
        return text
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and local and not local.startswith("//"):
        return str(PREFIXES[prefix]) + local
    return None


def _plural(kind: str) -> str:
    return kind + "s"


class NameIndex:
    """The names of the records of one kind (actors, regions…), and their lookup.

    Parameters
    ----------
    kind : str
        What the records are, in messages: ``actor``, ``framework``, ``region``, ``link type`` or
        ``actor type`` (also picks the data IRIs a pasted IRI is read against, :data:`KIND_PATHS`).
    entries : iterable of (id, label, names, iri)
        One per record: its id, its label (None: the id), the other names it goes by, and its IRI
        (None: ``thbid:{path}{id}``). A record added twice keeps every name, the last label and IRI.

    An index is also the sorted collection of its ids (``len``, ``in``, iteration).

    >>> regions = NameIndex("region", [("sahel", "Sahel", (), None), ("horn-of-africa", "Horn of Africa", (), None)])
    >>> regions.resolve("SAHEL"), regions.resolve("horn of africa"), "sahel" in regions, len(regions)
    ('sahel', 'horn-of-africa', True, 2)
    """

    def __init__(self, kind: str, entries=()):
        self.kind = kind
        self._labels: dict[str, str] = {}
        self._names: dict[str, list[str]] = {}
        self._iris: dict[str, str] = {}  # IRI -> id
        self._iri_of: dict[str, str] = {}  # id -> IRI
        self._keys: dict[str, dict[str, str]] | None = None  # built on the first lookup by name
        self._labels_by_key: dict[str, tuple] | None = None  # likewise
        for entry in entries:
            self.add(*entry)

    @classmethod
    def of_ids(cls, kind: str, ids) -> NameIndex:
        """An index of bare ids (no label or other name).

        >>> NameIndex.of_ids("actor", ["b", "a"]).ids
        ('a', 'b')
        """
        return cls(kind, ((str(i), None, (), None) for i in ids))

    def add(self, record_id: str, label: str | None = None, names=(), iri: str | None = None) -> None:
        """Add one record: its id, label, other names and IRI (see the class doc)."""
        self._labels[record_id] = label or self._labels.get(record_id) or record_id
        self._names.setdefault(record_id, []).extend(str(n) for n in names if n)
        iri = iri or str(THBID) + KIND_PATHS.get(self.kind, "") + record_id
        self._iris[iri] = record_id
        self._iri_of[record_id] = iri
        self._keys = self._labels_by_key = None

    # ------------------------------------------------------------------ the collection of ids
    @property
    def ids(self) -> tuple:
        """The ids, sorted."""
        return tuple(sorted(self._labels))

    def __len__(self) -> int:
        return len(self._labels)

    def __iter__(self):
        return iter(self.ids)

    def __contains__(self, record_id) -> bool:
        return record_id in self._labels

    def label(self, record_id: str) -> str:
        """The label of a record (its id when it has none)."""
        return self._labels.get(record_id, record_id)

    def iri(self, record_id: str) -> str:
        """The IRI of a record."""
        return self._iri_of.get(record_id) or str(THBID) + KIND_PATHS.get(self.kind, "") + record_id

    def describe(self, record_id: str) -> str:
        """``id (label)``, or the id alone when the label is the id.

        >>> actor_index([{"id": "rs", "label": "Serbia"}]).describe("rs")
        'rs (Serbia)'
        """
        label = self.label(record_id)
        return record_id if label == record_id else f"{record_id} ({label})"

    # ------------------------------------------------------------------ lookup
    def _key_map(self) -> dict[str, dict[str, str]]:
        """name key -> {id: the name as written}; a name other than the bare id is preferred."""
        if self._keys is None:
            keys: dict[str, dict[str, str]] = {}
            for record_id in sorted(self._names):
                for name in [record_id, self._labels[record_id], *self._names[record_id]]:
                    key = name_key(name)
                    if key:
                        shown = keys.setdefault(key, {})
                        if shown.get(record_id, record_id) == record_id:
                            shown[record_id] = name
            self._keys = keys
        return self._keys

    def find(self, name: str) -> tuple:
        """The ids of the records *name* refers to, sorted: none, one, or several (ambiguous).

        >>> index = actor_index([{"id": "fr", "label": "France", "iso3": "FRA"},
        ...                      {"id": "fra", "label": "European Union Agency for Fundamental Rights (FRA)"}])
        >>> index.find("fra"), index.find("FRA"), index.find("France"), index.find("Atlantis")
        (('fra',), ('fr', 'fra'), ('fr',), ())

        A record's full label wins over the same words in brackets in another label:

        >>> actor_index([{"id": "rs", "label": "Serbia"},
        ...              {"id": "astra-rs", "label": "ASTRA – Anti Trafficking Action (Serbia)"}]).find("serbia")
        ('rs',)
        """
        text = str(name).strip()
        if text in self._labels:
            return (text,)  # an id as it is
        iri = pasted_iri(text)
        if iri is not None:
            if iri in self._iris:
                return (self._iris[iri],)
            base = str(THBID) + KIND_PATHS.get(self.kind, "")
            if iri.startswith(base) and iri[len(base):] in self._labels:
                return (iri[len(base):],)
            if not iri.startswith(str(WD)):
                return ()
            text = iri[len(str(WD)):]  # a Wikidata IRI: its QID
        key = name_key(text)
        by_label = self._label_keys().get(key, ())
        if len(by_label) == 1:
            return by_label  # one record is called exactly this: other records only mention it in brackets
        return tuple(sorted(self._key_map().get(key, {})))

    def _label_keys(self) -> dict[str, tuple]:
        """name key of a full label -> the ids whose label it is."""
        if self._labels_by_key is None:
            found: dict[str, list[str]] = {}
            for record_id, label in self._labels.items():
                found.setdefault(name_key(label), []).append(record_id)
            self._labels_by_key = {key: tuple(sorted(ids)) for key, ids in found.items()}
        return self._labels_by_key

    def resolve(self, name: str) -> str:
        """The id of the one record *name* refers to.

        Raises
        ------
        UsageError
            When no record has the name (:meth:`unknown_message`) or several do
            (:meth:`ambiguous_message`).
        """
        found = self.find(name)
        if len(found) == 1:
            return found[0]
        if found:
            raise UsageError(self.ambiguous_message(name, found))
        raise UsageError(self.unknown_message(name))

    def suggestions(self, name: str, n: int = SUGGESTIONS) -> list[str]:
        """Up to *n* records whose names are closest to *name*, as ``Name (id)`` (or ``id``).

        >>> actor_index([{"id": "europol", "label": "Europol (EU Agency)"}]).suggestions("europl")
        ['Europol (europol)']
        """
        keys = self._key_map()
        shown: list[str] = []
        seen: set[str] = set()
        for close in difflib.get_close_matches(name_key(name), list(keys), n=n * 4):
            for record_id, written in sorted(keys[close].items()):
                if record_id not in seen and len(shown) < n:
                    seen.add(record_id)
                    shown.append(record_id if written == record_id else f"{written} ({record_id})")
        return shown

    def unknown_message(self, name: str) -> str:
        """The refusal of a name no record has, with the closest names.

        >>> NameIndex.of_ids("actor", ["europol", "frontex"]).unknown_message("europl")
        "unknown actor 'europl' (did you mean europol?)"
        """
        close = self.suggestions(name)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        return f"unknown {self.kind} {name!r}{hint}"

    def ambiguous_message(self, name: str, found) -> str:
        """The refusal of a name several records share, listing them with their ids.

        >>> index = actor_index([{"id": "a", "label": "Alpha", "aliases": "X"}, {"id": "b", "label": "Beta",
        ...                                                                  "aliases": "X"}])
        >>> index.ambiguous_message("X", index.find("X"))
        "'X' matches 2 actors: a (Alpha), b (Beta); give the id"
        """
        listed = ", ".join(self.describe(record_id) for record_id in found)
        return f"{name!r} matches {len(found)} {_plural(self.kind)}: {listed}; give the id"

    def resolve_all(self, names) -> tuple[tuple, list[str], list[str]]:
        """``(ids, unknown, ambiguous)`` for several names: the ids of those that name one record (in
        the order given, once each), the names no record has, and one message per ambiguous name."""
        ids: dict[str, None] = {}
        unknown: list[str] = []
        ambiguous: list[str] = []
        for name in names:
            found = self.find(name)
            if len(found) == 1:
                ids[found[0]] = None
            elif found:
                ambiguous.append(self.ambiguous_message(name, found))
            else:
                unknown.append(name)
        return tuple(ids), unknown, ambiguous


# ---------------------------------------------------------------------- indexes of each kind
def _aliases(value) -> list[str]:
    """Aliases as a list: a ``;``-separated cell (actors.csv) or a sequence (records from a store)."""
    if not value:
        return []
    return split_multi(value) if isinstance(value, str) else [str(v) for v in value if v]


def actor_index(records, kind: str = "actor") -> NameIndex:
    """The names of actors, from records with ``id`` and ``label``, and any of ``aliases``, ``iso2``,
    ``iso3``, ``wikidata`` and ``iri`` (rows of actors.csv and the actor records of a
    :class:`~thbkg.graph.network.projections.Network` both qualify).

    >>> index = actor_index([{"id": "palermo-protocol", "label": "UN Protocol (Palermo Protocol, 2000)",
    ...                       "aliases": "Palermo Protocol"}])
    >>> index.resolve("palermo protocol"), index.resolve("UN Protocol")
    ('palermo-protocol', 'palermo-protocol')
    """
    index = NameIndex(kind)
    for rec in records:
        record_id = rec["id"]
        label = rec.get("label") or record_id
        names = [*sorted(actor_names(label)), *_aliases(rec.get("aliases"))]
        names += [rec[key] for key in ("iso2", "iso3", "wikidata") if rec.get(key)]
        index.add(record_id, label, names, rec.get("iri"))
    return index


def framework_index(records) -> NameIndex:
    """The names of the frameworks among actor *records*: those of a framework type
    (:meth:`~thbkg.graph.rdf.vocab.Vocabulary.is_framework_type`: treaties, regional processes, networks,
    platforms), read as :func:`actor_index` reads them.

    >>> framework_index([{"id": "emn", "label": "European Migration Network (EMN)", "type": "network"},
    ...                  {"id": "rs", "label": "Serbia", "type": "country"}]).ids
    ('emn',)
    """
    vocab = load_vocabulary()
    return actor_index([rec for rec in records if vocab.is_framework_type(rec.get("type"))], kind="framework")


def region_index(records) -> NameIndex:
    """The names of regions, from records with ``id`` and ``label`` (and ``iri``)."""
    return NameIndex("region", ((rec["id"], rec.get("label"), (), rec.get("iri")) for rec in records))


def link_type_index(codes=()) -> NameIndex:
    """The link types of the ontology, and any other *codes* (found in the data), by code and label.

    >>> link_type_index().resolve("Operational Agreement")
    'operational_agreement'
    """
    labels = load_vocabulary().link_type_labels
    return NameIndex("link type", ((code, None, (labels.get(code),), None)
                                   for code in sorted(set(labels) | set(codes))))


def actor_type_index(codes=()) -> NameIndex:
    """The actor types of the ontology, and any other *codes* (found in the data), by code and label.

    >>> actor_type_index().resolve("EU agency")
    'eu_agency'
    """
    labels = load_vocabulary().actor_type_labels
    return NameIndex("actor type", ((code, None, (labels.get(code),), None)
                                    for code in sorted(set(labels) | set(codes))))


@dataclass(frozen=True)
class KnownNames:
    """The names a command line may refer to, one :class:`NameIndex` per kind.

    Built from a loaded network (:meth:`of_network`) or, before loading it, from the tables or a few
    small queries on the store (:func:`thbkg.graph.network.projections.known_names`). ``None`` means
    "not looked up"; a sequence of ids is taken as an index of bare ids. ``link_types`` and
    ``actor_types`` hold the codes found in the data; the ontology's codes are always known too.
    """

    actors: NameIndex | None = None
    regions: NameIndex | None = None
    link_types: NameIndex | None = None
    actor_types: NameIndex | None = None

    def __post_init__(self):
        builders = {"actors": lambda ids: NameIndex.of_ids("actor", ids),
                    "regions": lambda ids: NameIndex.of_ids("region", ids),
                    "link_types": link_type_index, "actor_types": actor_type_index}
        for name, build in builders.items():
            value = getattr(self, name)
            if value is not None and not isinstance(value, NameIndex):
                object.__setattr__(self, name, build(value))

    @classmethod
    def of_network(cls, network, *, actors: bool = True) -> KnownNames:
        """The names of a loaded network: every actor of the data (``all_actors``, else ``actors``; not
        looked up without *actors*), its regions, and the link and actor types it holds."""
        everyone = getattr(network, "all_actors", None) or network.actors
        return cls(actors=actor_index(everyone.values()) if actors else None, regions=region_index(network.regions.values()),
                   link_types=link_type_index({l["type"] for l in network.links if l.get("type")}),
                   actor_types=actor_type_index({a["type"] for a in everyone.values() if a.get("type")}))


def resolve_filters(filters: Filters, names: KnownNames) -> tuple[Filters, list[str]]:
    """*filters* with every name made an id, and one message per kind of unknown or ambiguous name.

    Only the kinds *names* holds are read for actors (``exclude`` is left as it is when ``names.actors``
    is None or empty: an empty store is reported by the loader); regions are always checked; link
    and actor types are checked against the ontology and the codes *names* holds.

    >>> names = KnownNames(regions=region_index([{"id": "sahel", "label": "Sahel"}]))
    >>> resolve_filters(Filters(regions="Sahel", types=("Operational agreement",)), names)[0].describe()
    'type=operational_agreement; region=sahel'
    >>> resolve_filters(Filters(exclude=("x",), regions=("atlantis",)), KnownNames(actors=("a",), regions=("sahel",)))[1]
    ['unknown actor(s) in --exclude: x', 'unknown region(s): atlantis (known: sahel)']
    """
    problems: list[str] = []
    exclude = filters.exclude
    if names.actors and filters.exclude:
        exclude, unknown, ambiguous = names.actors.resolve_all(filters.exclude)
        if unknown:
            problems.append(f"unknown actor(s) in --exclude: {', '.join(sorted(set(unknown)))}")
        problems += [f"--exclude: {message}" for message in ambiguous]
    regions = filters.regions
    if filters.regions:
        index = names.regions or NameIndex("region")
        regions, unknown, ambiguous = index.resolve_all(filters.regions)
        if unknown:
            problems.append(f"unknown region(s): {', '.join(sorted(set(unknown)))} "
                            f"(known: {', '.join(index.ids) or 'none'})")
        problems += ambiguous
    types, actor_types = filters.types, filters.actor_types
    for field, index, what in (("types", names.link_types or link_type_index(), "link type"),
                               ("actor_types", names.actor_types or actor_type_index(), "actor type")):
        given = getattr(filters, field)
        if not given:
            continue
        resolved, unknown, ambiguous = index.resolve_all(given)
        if unknown:
            problems.append(f"unknown {what}(s): {', '.join(sorted(set(unknown)))} (known: {', '.join(index.ids)})")
        problems += ambiguous
        if field == "types":
            types = resolved
        else:
            actor_types = resolved
    if filters.min_confidence and filters.min_confidence not in load_vocabulary().confidence_rank:
        problems.append(unknown_confidence_message(filters.min_confidence))
    if problems:
        return filters, problems
    return dataclasses.replace(filters, exclude=exclude, regions=regions, types=types,
                               actor_types=actor_types), problems


def unknown_confidence_message(level: str) -> str:
    """The refusal of a confidence level the ontology does not define, with the closest one.

    >>> unknown_confidence_message("hihg")
    "unknown confidence 'hihg' (did you mean high?)"
    >>> unknown_confidence_message("sure")
    "unknown confidence 'sure' (use high, medium or low)"
    """
    levels = load_vocabulary().confidence_order
    close = difflib.get_close_matches(level, levels, n=1)
    if close:
        return f"unknown confidence {level!r} (did you mean {close[0]}?)"
    return f"unknown confidence {level!r} (use {', '.join(levels[:-1])} or {levels[-1]})"
