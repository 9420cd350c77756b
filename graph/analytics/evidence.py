"""Evidence grades: what each link rests on, and how much of the graph rests on documents that were read.

Every source has a *kind* (sources.csv column ``kind``, a concept of ``thb:SourceKindScheme`` in the
ontology): an official text or register, an official page or press release, news or a secondary
document, general knowledge, or memory. The first three are documents that were read
(``thb:documentary true``); the last two are placeholders. The rules, read from the ontology through
:func:`~thbkg.graph.rdf.vocab.load_vocabulary`:

* a link *has a documentary source* when at least one of its sources is of a documentary kind;
* a link *rests only on placeholders* when it cites sources but none of them is documentary;
* a source without a kind (tables written before the column existed) is *ungraded*: it never counts
  as a document, and the summary says how many there are.

What a link rests on (``rests_on`` of :func:`link_evidence`) is one of :data:`RESTS_ON`:
``documents`` (at least one documentary source), ``placeholders`` (every source is of a kind that
is not documentary: general knowledge or memory), ``ungraded`` (no documentary source, and at least
one source without a kind, so its grade is unknown) or ``none`` (no source at all).

>>> sources = {"eurlex": {"id": "eurlex", "title": "OJ L", "kind": "official_text"},
...            "memory": {"id": "memory", "title": "from memory", "kind": "memory"}}
>>> link = {"id": "l1", "start": "2012", "date_confidence": "low", "sources": ("memory",), "note": None}
>>> evidence = link_evidence(link, sources)
>>> evidence["documentary"], evidence["placeholder_only"], evidence["date"]
(False, True, '2012, from memory (unverified)')
"""

from __future__ import annotations

from collections import Counter

from thbkg.graph.rdf.validate import either
from thbkg.graph.rdf.vocab import load_vocabulary

#: the source kind whose dates are recalled, not read (a date resting on it is shown as "from memory")
MEMORY_KIND = "memory"
#: what a link rests on, strongest first (see the module docstring)
RESTS_ON = ("documents", "placeholders", "ungraded", "none")


def documentary_kinds() -> tuple:
    """The source kinds that are documents read (``thb:documentary true``), strongest first.

    >>> documentary_kinds()
    ('official_text', 'official_page', 'secondary')
    """
    vocab = load_vocabulary()
    return tuple(k for k in vocab.source_kinds if vocab.is_documentary(k))


def placeholder_kinds() -> tuple:
    """The source kinds that are placeholders, not documents (``thb:documentary false``), strongest first.

    >>> placeholder_kinds()
    ('general_knowledge', 'memory')
    """
    vocab = load_vocabulary()
    return tuple(k for k in vocab.source_kinds if not vocab.is_documentary(k))


def documentary_rule() -> str:
    """The rule behind every "documentary source" figure, in words, with the kinds read from the ontology.

    >>> documentary_rule()
    'a link has a documentary source when one of its sources has kind official_text, official_page or secondary (sources.csv column kind)'
    """
    return (f"a link has a documentary source when one of its sources has kind {either(documentary_kinds())} "
            "(sources.csv column kind)")


def source_grade(source_id: str, sources: dict) -> dict:
    """The evidence grade of one source: id, title, url, kind, its label and whether it is a document.

    >>> source_grade("x", {"x": {"id": "x", "title": "T", "kind": "secondary"}})["label"]
    'news or secondary'
    >>> source_grade("gone", {})["label"]
    'ungraded'
    """
    vocab = load_vocabulary()
    record = sources.get(source_id) or {}
    kind = record.get("kind")
    return {"id": source_id, "title": record.get("title") or source_id, "url": record.get("url"), "kind": kind,
            "label": vocab.source_kind_labels.get(kind, "ungraded") if kind else "ungraded",
            "documentary": vocab.is_documentary(kind)}


def _strength(grade: dict) -> tuple:
    rank = load_vocabulary().source_kind_rank.get(grade["kind"] or "") or 0
    return (-rank, grade["id"])


def date_basis(link: dict, grades: list[dict]) -> str:
    """How sure the link's start date is, in words: ``2012, from memory (unverified)``.

    A date counts as from memory when the link cites a source of the memory kind and its date
    confidence is not the surest level of the ontology (``high``; the research keeps recalled dates
    at low confidence).

    >>> date_basis({"start": None}, [])
    'start date unknown'
    >>> date_basis({"start": "2019-10-07", "date_confidence": "high"}, [])
    '2019-10-07 (date confidence high)'
    """
    start = link.get("start")
    if not start:
        return "start date unknown"
    confidence = link.get("date_confidence")
    surest = load_vocabulary().confidence_order[0]  # the highest thb:rank of the confidence scheme
    if confidence != surest and any(g["kind"] == MEMORY_KIND for g in grades):
        return f"{start}, from memory (unverified)"
    return f"{start} (date confidence {confidence})" if confidence else f"{start} (date confidence not given)"


def link_evidence(link: dict, sources: dict) -> dict:
    """What one link rests on.

    Parameters
    ----------
    link : dict
        A link record of :class:`~thbkg.graph.network.projections.Network` (``sources``, ``start``,
        ``date_confidence``, ``note``).
    sources : dict
        Source id -> source record (``Network.sources``), with its ``kind``.

    Returns
    -------
    dict
        ``grades`` (one :func:`source_grade` per source, strongest first), ``best`` (the strongest
        kind, or None), ``documentary`` (at least one document read), ``placeholder_only`` (sources
        cited, none a document), ``rests_on`` (one of :data:`RESTS_ON`), ``date``
        (:func:`date_basis`) and ``note`` (the link's note).

    Examples
    --------
    >>> sources = {"page": {"id": "page", "title": "Agency page", "kind": "official_page"},
    ...            "gk": {"id": "gk", "title": "general knowledge", "kind": "general_knowledge"},
    ...            "old": {"id": "old", "title": "a source without a kind"}}
    >>> [link_evidence({"sources": cited}, sources)["rests_on"]
    ...  for cited in (("gk", "page"), ("gk",), ("gk", "old"), ())]
    ['documents', 'placeholders', 'ungraded', 'none']
    >>> [g["label"] for g in link_evidence({"sources": ("gk", "page")}, sources)["grades"]]
    ['official page or press release', 'general knowledge (no document)']
    """
    grades = sorted((source_grade(s, sources) for s in link.get("sources") or ()), key=_strength)
    documentary = any(g["documentary"] for g in grades)
    if documentary:
        rests_on = "documents"
    elif any(not g["kind"] for g in grades):
        rests_on = "ungraded"
    else:
        rests_on = "placeholders" if grades else "none"
    return {"grades": grades, "best": grades[0]["kind"] if grades else None, "documentary": documentary,
            "placeholder_only": bool(grades) and not documentary, "rests_on": rests_on,
            "date": date_basis(link, grades), "note": link.get("note")}


def strongest_grade(evidence: dict) -> str:
    """The grade a link is counted under in "links by strongest evidence grade": its strongest source kind,
    ``ungraded`` when it has no documentary source and one without a kind (its grade is then unknown), or
    ``none`` without a source. Each link is counted once, so the counts add up to the number of links.

    >>> strongest_grade(link_evidence({"sources": ("m",)}, {"m": {"id": "m", "kind": "memory"}}))
    'memory'
    >>> strongest_grade(link_evidence({"sources": ("m", "x")}, {"m": {"id": "m", "kind": "memory"}}))
    'ungraded'
    """
    if evidence["rests_on"] in ("ungraded", "none"):
        return evidence["rests_on"]
    return evidence["best"]


def evidence_summary(network, top: int = 10) -> dict:
    """How much of the network's links rest on documents that were read.

    Returns
    -------
    dict
        ``links`` (count), ``with_source`` and ``with_document`` (counts of links with at least one
        source, and with at least one documentary source), ``share_with_source`` and
        ``share_with_document`` (0..1), ``placeholder_only`` (ids of the links that cite only
        placeholders or ungraded sources, sorted), ``by_kind`` (kind -> links citing a source of that
        kind; ``None`` for ungraded), ``ungraded_sources`` (ids of cited sources without a kind),
        ``cited_most`` with ``documents`` and ``placeholders`` (each a list of dicts ``id``, ``title``,
        ``kind``, ``label``, ``links``, most cited first, at most *top*). Also:
        ``rests_on`` (each of :data:`RESTS_ON` -> number of links), ``on_placeholders`` (ids of the
        links whose every source is general knowledge or memory), ``on_ungraded`` (ids of the links
        with no documentary source and one without a kind), ``without_source`` (ids),
        ``by_strongest`` (grade -> links, each link counted once under :func:`strongest_grade`; the
        counts add up to ``links``; every kind of the ontology is listed, with 0 if unused),
        ``sources_by_kind`` (kind -> source records of that kind, cited or not; ``ungraded`` for
        those without a kind), ``documentary_kinds``, ``placeholder_kinds`` and ``rule`` (:func:`documentary_rule`).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(
    ...     links=[{"id": "a", "sources": ("doc",)}, {"id": "b", "sources": ("mem",)},
    ...            {"id": "c", "sources": ("doc", "mem")}],
    ...     sources={"doc": {"id": "doc", "title": "Treaty", "kind": "official_text"},
    ...              "mem": {"id": "mem", "title": "Memory", "kind": "memory"}})
    >>> summary = evidence_summary(net)
    >>> summary["with_document"], summary["placeholder_only"]
    (2, ['b'])
    >>> [s["id"] for s in summary["cited_most"]["placeholders"]]
    ['mem']
    >>> summary["rests_on"], summary["by_strongest"]["official_text"], summary["by_strongest"]["memory"]
    ({'documents': 2, 'placeholders': 1, 'ungraded': 0, 'none': 0}, 2, 1)
    """
    with_source = with_document = 0
    placeholder_only: list[str] = []
    by_kind: Counter = Counter()
    cited: Counter = Counter()
    rests_on: dict[str, list[str]] = {basis: [] for basis in RESTS_ON}
    vocab = load_vocabulary()
    by_strongest: Counter = Counter({kind: 0 for kind in (*vocab.source_kinds, "ungraded", "none")})
    for link in network.links:
        evidence = link_evidence(link, network.sources)
        with_source += bool(evidence["grades"])
        with_document += evidence["documentary"]
        if evidence["placeholder_only"]:
            placeholder_only.append(link["id"])
        rests_on[evidence["rests_on"]].append(link["id"])
        by_strongest[strongest_grade(evidence)] += 1
        by_kind.update({g["kind"] for g in evidence["grades"]})
        cited.update(g["id"] for g in evidence["grades"])
    total = len(network.links)
    sources_by_kind = Counter(record.get("kind") or "ungraded" for record in network.sources.values())
    grades = {s: source_grade(s, network.sources) for s in cited}
    ranked = sorted(cited, key=lambda s: (-cited[s], s))
    return {
        "links": total, "with_source": with_source, "with_document": with_document,
        "share_with_source": with_source / total if total else 0.0,
        "share_with_document": with_document / total if total else 0.0,
        "placeholder_only": sorted(placeholder_only),
        "by_kind": dict(sorted(by_kind.items(), key=lambda item: _strength({"kind": item[0], "id": ""}))),
        "ungraded_sources": sorted(s for s in cited if not grades[s]["kind"]),
        "cited_most": {
            "documents": [{**grades[s], "links": cited[s]} for s in ranked if grades[s]["documentary"]][:top],
            "placeholders": [{**grades[s], "links": cited[s]} for s in ranked if not grades[s]["documentary"]][:top],
        },
        "rests_on": {basis: len(ids) for basis, ids in rests_on.items()},
        "on_placeholders": sorted(rests_on["placeholders"]), "on_ungraded": sorted(rests_on["ungraded"]),
        "without_source": sorted(rests_on["none"]),
        "by_strongest": dict(by_strongest),
        "sources_by_kind": {kind: sources_by_kind[kind] for kind in (*vocab.source_kinds, *sorted(sources_by_kind))
                            if kind in vocab.source_kind_rank or kind in sources_by_kind},
        "documentary_kinds": list(documentary_kinds()), "placeholder_kinds": list(placeholder_kinds()),
        "rule": documentary_rule(),
    }
