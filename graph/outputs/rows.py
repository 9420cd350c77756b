"""Results as rows: lists of plain dicts, one per thing counted, for pandas and for code of your own.

Most analytic functions already return rows (:func:`~thbkg.graph.outputs.analytic.rank_actors`,
:func:`~thbkg.graph.analytics.brokers.group_brokers`); the adapters here cover the results that come as
nested structures:

* :func:`coverage_rows`: :func:`~thbkg.graph.analytics.coverage.region_coverage` (dicts keyed by
  ``(country, target)`` tuples) as one row per region × country × target, with the tie's state;
* :func:`evidence_rows`: :func:`~thbkg.graph.analytics.evidence.link_evidence` of every link, one row per link;
* :func:`query_rows`: a :class:`~thbkg.graph.store.query.QueryResult` (rdflib terms) as plain Python values.

Every value is a ``str``, ``int``, ``float``, ``bool``, ``None`` or a list of ``str``, so
``pandas.DataFrame(rows)`` works (pandas is not needed for anything else) and ``json.dumps(rows)`` too.
The rows are in a fixed order, so the same data gives the same rows.
"""

from __future__ import annotations

from thbkg.graph.analytics.coverage import IN_FORCE, NONE, STATE_LABELS, region_coverage
from thbkg.graph.analytics.evidence import link_evidence

#: the link family whose state :func:`coverage_rows` gives apart (the one ``region_agreement_gaps`` counts)
AGREEMENT_FAMILY = "agreement"
#: the keys of each row of :func:`coverage_rows`, in order
COVERAGE_COLUMNS = ("region", "region_label", "country", "country_label", "target", "target_label", "target_kind",
                    "state", "state_label", "white_spot", "agreement_state", "in_force_types", "not_in_force",
                    "links")
#: the keys of each row of :func:`evidence_rows`, in order
EVIDENCE_COLUMNS = ("link", "label", "subject", "object", "type", "status", "confidence", "rests_on",
                    "documentary", "best_kind", "date", "sources", "kinds", "note")


def coverage_rows(network, agencies=None, regions=None) -> list[dict]:
    """The coverage of the priority regions, one plain dict per region × country × target.

    A *target* is an EU agency or a framework checked for the region, as
    :func:`~thbkg.graph.analytics.coverage.region_coverage` chooses them (its docstring gives the rule
    and the meaning of each state). Every pair is listed, with no tie too (state ``none``).

    Parameters
    ----------
    network : thbkg.graph.network.projections.Network
        The loaded, filtered network (a time filter decides what was in force then).
    agencies : sequence of str, optional
        Agency ids to check (default: those of :func:`~thbkg.graph.analytics.coverage.region_coverage`).
    regions : sequence of str, optional
        Region ids (default: every region, sorted).

    Returns
    -------
    list of dict
        Keys :data:`COVERAGE_COLUMNS`: ``region``, ``region_label``, ``country``, ``country_label``,
        ``target``, ``target_label``, ``target_kind`` (``"agency"`` or ``"framework"``), ``state`` (the
        tie's state: ``in_force``, ``signed``, ``negotiating``, ``suspended``, ``ended``,
        ``not_in_force`` or ``none``), ``state_label`` (the state in words), ``white_spot`` (True when no
        tie is in force), ``agreement_state`` (the state of the tie's links of the ``agreement`` family
        only, what the named query ``region_agreement_gaps`` counts; ``none`` without such a link),
        ``in_force_types`` (link types in force, sorted), ``not_in_force`` (the other links, as
        ``"type (status)"``, sorted) and ``links`` (link ids, sorted). Rows are ordered by region, country,
        then target (agencies first, in the order of the coverage table).

    Examples
    --------
    Albania has an agreement in force with Europol; Serbia's is under negotiation:

    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(
    ...     actors={"al": {"label": "Albania", "type": "country"}, "rs": {"label": "Serbia", "type": "country"},
    ...             "europol": {"label": "Europol", "type": "eu_agency"}},
    ...     links=[{"id": "l1", "subject": "al", "object": "europol", "type": "operational_agreement",
    ...             "family": "agreement", "status": "active"},
    ...            {"id": "l2", "subject": "rs", "object": "europol", "type": "operational_agreement",
    ...             "family": "agreement", "status": "under_negotiation"}],
    ...     regions={"wb": {"id": "wb", "label": "Western Balkans", "members": ("al", "rs")}})
    >>> rows = coverage_rows(net)
    >>> [(r["country"], r["target"], r["state"], r["white_spot"]) for r in rows]
    [('al', 'europol', 'in_force', False), ('rs', 'europol', 'negotiating', True)]
    >>> rows[1]["state_label"], rows[1]["not_in_force"], rows[1]["links"]
    ('under negotiation', ['operational_agreement (under_negotiation)'], ['l2'])
    """
    rows = []
    for region in region_coverage(network, agencies=agencies, regions=regions):
        agencies_checked = list(region["agencies"])
        targets = agencies_checked + [f for f in region["frameworks"] if f not in agencies_checked]
        for country in region["countries"]:
            for target in targets:
                tie = region["ties"].get((country, target)) or {}
                state = tie.get("state", NONE)
                rows.append({
                    "region": region["id"], "region_label": region["label"],
                    "country": country, "country_label": _label(network, country),
                    "target": target, "target_label": _label(network, target),
                    "target_kind": "agency" if target in agencies_checked else "framework",
                    "state": state, "state_label": STATE_LABELS.get(state, state),
                    "white_spot": state != IN_FORCE,
                    "agreement_state": (tie.get("family_states") or {}).get(AGREEMENT_FAMILY, NONE),
                    "in_force_types": list(tie.get("in_force_types", ())),
                    "not_in_force": [f"{link_type} ({status or 'no status'})"
                                     for status, link_type in tie.get("not_in_force", ())],
                    "links": list(tie.get("links", ())),
                })
    return rows


def evidence_rows(network) -> list[dict]:
    """What each link rests on, one plain dict per link (in the order of ``network.links``).

    Parameters
    ----------
    network : thbkg.graph.network.projections.Network
        Its ``links`` and ``sources`` (each source with its ``kind``, the evidence grade).

    Returns
    -------
    list of dict
        Keys :data:`EVIDENCE_COLUMNS`: ``link`` (id), ``label``, ``subject``, ``object``, ``type``,
        ``status``, ``confidence``; then, from :func:`~thbkg.graph.analytics.evidence.link_evidence`:
        ``rests_on`` (``documents``, ``placeholders``, ``ungraded`` or ``none``), ``documentary`` (True
        when at least one source is a document that was read), ``best_kind`` (the strongest source kind,
        or None), ``date`` (the start date and what it rests on, e.g. ``"2012, from memory
        (unverified)"``), ``sources`` and ``kinds`` (source ids and their kinds, strongest first; an
        ungraded source has the kind ``""``) and ``note`` (the sentence that supports the link).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(
    ...     links=[{"id": "l1", "subject": "rs", "object": "frontex", "type": "working_arrangement",
    ...             "status": "active", "confidence": "high", "start": "2009", "date_confidence": "low",
    ...             "sources": ("memo", "page"), "note": None}],
    ...     sources={"page": {"id": "page", "title": "Frontex page", "kind": "official_page"},
    ...              "memo": {"id": "memo", "title": "from memory", "kind": "memory"}})
    >>> row = evidence_rows(net)[0]
    >>> row["rests_on"], row["documentary"], row["sources"], row["kinds"]
    ('documents', True, ['page', 'memo'], ['official_page', 'memory'])
    >>> row["date"]
    '2009, from memory (unverified)'
    """
    rows = []
    for link in network.links:
        evidence = link_evidence(link, network.sources)
        rows.append({
            "link": link["id"], "label": link.get("label"), "subject": link.get("subject"),
            "object": link.get("object"), "type": link.get("type"), "status": link.get("status"),
            "confidence": link.get("confidence"), "rests_on": evidence["rests_on"],
            "documentary": evidence["documentary"], "best_kind": evidence["best"], "date": evidence["date"],
            "sources": [grade["id"] for grade in evidence["grades"]],
            "kinds": [grade["kind"] or "" for grade in evidence["grades"]], "note": evidence["note"],
        })
    return rows


def query_rows(result) -> list[dict]:
    """The rows of a SELECT answer as plain dicts ``{variable: value}``.

    IRIs become their full text (``"https://w3id.org/thbkg/id/actor/rs"``, which ``thbkg query`` takes back
    as ``<…>``); numbers and booleans (``xsd:integer``, ``xsd:decimal``, ``xsd:double``, ``xsd:boolean``…)
    become ``int``, ``float`` or ``bool``; every other literal (text, dates, partial dates) its lexical
    text, as in the tables; an unbound variable ``None``.

    Parameters
    ----------
    result : thbkg.graph.store.query.QueryResult
        The answer of :func:`~thbkg.graph.store.query.run_query` (an ASK gives one row ``{"boolean": …}``;
        a CONSTRUCT its triples as ``subject``, ``predicate``, ``object`` rows).

    Returns
    -------
    list of dict

    Examples
    --------
    >>> from rdflib import Literal, URIRef
    >>> from rdflib.namespace import XSD
    >>> from thbkg.graph.store.query import QueryResult
    >>> answer = QueryResult("SELECT", variables=["actor", "links", "since", "share"],
    ...                      rows=[(URIRef("https://w3id.org/thbkg/id/actor/rs"), Literal(3),
    ...                             Literal("2009", datatype=XSD.gYear), None)])
    >>> query_rows(answer)
    [{'actor': 'https://w3id.org/thbkg/id/actor/rs', 'links': 3, 'since': '2009', 'share': None}]
    """
    variables, rows = result.table()
    names = [str(v) for v in variables]
    return [dict(zip(names, (_plain_value(term) for term in row), strict=True)) for row in rows]


def _plain_value(term):
    """One rdflib term as a plain Python value (see :func:`query_rows`)."""
    from decimal import Decimal

    from rdflib import Literal

    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython() if term.datatype is not None else None
        if isinstance(value, bool | int | float):
            return value
        if isinstance(value, Decimal):
            return float(value)
        return str(term)
    return str(term)


def _label(network, actor_id: str):
    """The label of an actor of *network*, or its id."""
    return ((getattr(network, "actors", None) or {}).get(actor_id) or {}).get("label") or actor_id
