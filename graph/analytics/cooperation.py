"""Cooperation on the ground: who funds what where, liaison posts, national mechanisms in networks, evaluations.

Four views of the link records of a :class:`~thbkg.graph.network.projections.Network` (only the
records its filters kept, so ``--as-of 2015`` gives the view of 2015), each with its *basis*
(:func:`basis`: the filters, how many links it read, how many are undated, what they rest on):

:func:`funding_summary`
    **Who funds what, where.** A *programme* is the object of a ``funds`` or ``implements`` link or
    the subject of an ``operates_in`` link. Its amount is the sum, per currency, of the amounts of its
    ``funds`` links (link fields ``amount`` and ``currency``, the table columns of the same names);
    currencies are never converted or added together. The amount of a programme is counted in full
    in every region it works in and for every implementer: it is **not split** between the regions,
    countries or implementers (the sources do not say how it is shared), so the rows of one table do
    not add up to the total. A programme whose funding links give no amount is counted, and adds
    nothing to any sum; one whose funders give an amount for some shares only has a *partial* total.
    Several links of one funder to one programme that state the same amount in the same currency are
    one grant stated by several sources, counted once; different amounts of one funder (phases, or
    figures that overlap) are all added, and the programme is named so that the reader can check.
:func:`liaison_coverage`
    **Liaison officers in the priority regions.** For each country of a region: the liaison posts it
    *hosts* (links of the ``liaison`` family whose object, the host, is the country) and the posts
    that *cover* it from another host (the link field ``covers``, a tuple of country ids; the
    ontology's ``thb:covers``). A country with no post in force of either kind is a *gap*; the posts
    a country *sends* abroad (e.g. to Europol) are listed apart and cover nothing.
:func:`mechanism_networks`
    **National rapporteurs and coordinators in networks.** Actors of type ``national_mechanism``
    belong to the country that is their ``parent`` (the actor field ``parent``, actors.csv column of
    the same name); each of their links to a framework (an actor whose type is a framework type of
    the ontology: network, regional process, platform…) says in which network the country's mechanism
    takes part, and how (membership, a meeting, a secretariat…). Links of the funding family (a
    programme the mechanism implements) are left to :func:`funding_summary`.
:func:`evaluation_rounds`
    **Evaluation rounds by country.** Each ``evaluation`` link (evaluating body → country, link field
    ``round``) is one report or visit; the table is country × round with the report dates.

The states *in force*, *ended*… are those of :mod:`~thbkg.graph.analytics.coverage`
(:func:`~thbkg.graph.analytics.coverage.link_state`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation

from thbkg.graph.analytics.change import is_event
from thbkg.graph.analytics.coverage import IN_FORCE, _countries_of, in_force_link_ids, link_state
from thbkg.graph.analytics.evidence import link_evidence
from thbkg.graph.rdf.vocab import load_vocabulary

#: the link types of funding, by what they say (thb:subjectRole → thb:objectRole in the ontology):
#: funder → programme, implementer → programme, programme → country
FUNDS = "funds"
IMPLEMENTS = "implements"
OPERATES_IN = "operates_in"
#: the link type of one evaluation report or visit (evaluating body → country evaluated)
EVALUATION = "evaluation"
#: the link family of liaison posts (sending party → host)
LIAISON_FAMILY = "liaison"
#: the link family of membership (member → framework)
MEMBERSHIP_FAMILY = "membership"
#: the link family of funding (funds, implements, operates in): a programme is not a network a mechanism sits in
FUNDING_FAMILY = "funding"
#: the actor type of national rapporteurs, coordinators and equivalent mechanisms (parent: the state)
MECHANISM_TYPE = "national_mechanism"
#: the key of a programme's countries that are in no priority region, and of programmes without a country
OTHER_COUNTRIES = "other"
NO_COUNTRY = "none"
#: the key of the evaluations whose round is not given
NO_ROUND = "none"
#: a country's liaison state: a post in force hosted there, a post in force covering it from elsewhere, none
HOSTED = "hosted"
COVERED = "covered"
GAP = "gap"


# ----------------------------------------------------------------------------- shared pieces
def _record(net, actor_id) -> dict:
    """An actor's record, kept by the filters or (a region's country left without a link) from before them."""
    return net.actors.get(actor_id) or (getattr(net, "all_actors", None) or {}).get(actor_id) or {}


def _label(net, actor_id) -> str:
    return _record(net, actor_id).get("label") or actor_id


def _by_label(net, ids) -> list:
    """*ids* sorted by label (case ignored), then id."""
    return sorted(ids, key=lambda a: (_label(net, a).casefold(), a))


def _family(link):
    return link.get("family") or load_vocabulary().family_of(link.get("type"))


def decimal_amount(value):
    """An amount as an exact :class:`~decimal.Decimal` in one canonical form (no trailing zeros after the
    point, which stores write differently: ``3451763.70`` and ``3451763.7``), or None when there is none
    (or it is not a number).

    >>> decimal_amount("1500000.50"), decimal_amount(300000), decimal_amount("5000000.00")
    (Decimal('1500000.5'), Decimal('300000'), Decimal('5000000'))
    >>> decimal_amount(""), decimal_amount("n/a")
    (None, None)
    """
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize()


def add_amounts(*totals) -> dict:
    """The sum of amounts per currency (dicts currency -> Decimal), sorted by currency; currencies are
    never converted or added together.

    >>> add_amounts({"EUR": Decimal("10")}, {"EUR": Decimal("2.5"), "USD": Decimal("1")})
    {'EUR': Decimal('12.5'), 'USD': Decimal('1')}
    """
    summed: dict = defaultdict(Decimal)
    for total in totals:
        for currency, amount in total.items():
            summed[currency] += amount
    return dict(sorted(summed.items()))


def basis(net, links, in_force=None) -> dict:
    """What one view rests on: the filters, the links read, the undated, their state and their evidence.

    Parameters
    ----------
    net : Network
        The network (its ``filters``, ``undated_left_out`` and ``sources``).
    links : sequence of dict
        The link records the view read.
    in_force : set of str, optional
        The ids of the links in force (:func:`~thbkg.graph.analytics.coverage.in_force_link_ids`,
        computed when not given).

    Returns
    -------
    dict
        ``filters`` (:meth:`~thbkg.graph.network.filters.Filters.describe`, ``"none"`` without filters),
        ``links``, ``by_type`` (link type -> links), ``undated`` (links without a start date),
        ``not_in_force`` (links that are not ties in force: ended, signed…; events, which are over by
        nature, are not counted), ``documentary`` (links
        citing a document that was read), ``placeholder_only`` (links citing only general knowledge,
        memory or ungraded sources), ``time_filter`` (an ``--as-of`` or ``--between`` is in force) and
        ``undated_left_out`` (links of every kind without a start date that the time filter left out;
        None without a time filter).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> links = [{"id": "a", "type": "funds", "start": "2020", "status": None, "sources": ("s",)},
    ...          {"id": "b", "type": "funds", "start": None, "status": "ended", "sources": ()}]
    >>> net = SimpleNamespace(filters=None, links=links, sources={"s": {"id": "s", "kind": "official_page"}})
    >>> b = basis(net, links)
    >>> b["links"], b["undated"], b["not_in_force"], b["documentary"], b["filters"]
    (2, 1, 1, 1, 'none')
    """
    filters = getattr(net, "filters", None)
    timed = bool(filters is not None and (getattr(filters, "as_of", None) or getattr(filters, "between", None)))
    in_force = in_force_link_ids(net) if in_force is None else in_force
    evidence = [link_evidence(link, getattr(net, "sources", None) or {}) for link in links]
    return {"filters": filters.describe() if filters is not None else "none", "links": len(links),
            "by_type": dict(sorted(Counter(link.get("type") or "" for link in links).items())),
            "undated": sum(1 for link in links if not link.get("start")),
            "not_in_force": sum(1 for link in links if not is_event(link) and link_state(link, in_force) != IN_FORCE),
            "documentary": sum(1 for e in evidence if e["documentary"]),
            "placeholder_only": sum(1 for e in evidence if e["placeholder_only"]),
            "time_filter": timed,
            "undated_left_out": (getattr(net, "undated_left_out", 0) or 0) if timed else None}


def _post(link, in_force) -> dict:
    """One link as a row: its id, parties, role, dates, status and state."""
    return {"link": link["id"], "subject": link["subject"], "object": link["object"], "type": link.get("type"),
            "role": link.get("role"), "start": link.get("start"), "end": link.get("end"),
            "status": link.get("status"), "state": link_state(link, in_force)}


# ----------------------------------------------------------------------------- funding
def _region_of(net) -> dict:
    """Country id -> the sorted ids of the regions that include it."""
    regions: dict = defaultdict(set)
    for region_id, region in net.regions.items():
        for member in region.get("members", ()):
            regions[member].add(region_id)
    return {country: sorted(ids) for country, ids in regions.items()}


def _programme_links(net) -> tuple[dict, list]:
    """Programme id -> its funding links by kind, and every funding link read."""
    found: dict = defaultdict(lambda: {FUNDS: [], IMPLEMENTS: [], OPERATES_IN: []})
    read = []
    for link in net.links:
        kind = link.get("type")
        if kind in (FUNDS, IMPLEMENTS):
            found[link["object"]][kind].append(link)
        elif kind == OPERATES_IN:
            found[link["subject"]][kind].append(link)
        else:
            continue
        read.append(link)
    return found, read


def _funder_rows(net, links) -> list:
    """A programme's funds links as rows, by funder label. A funder's links to one programme that state
    the same amount in the same currency are one grant stated by several sources: only the first is
    ``counted``."""
    rows, seen = [], set()
    for link in sorted(links, key=lambda lk: (_label(net, lk["subject"]).casefold(), lk["subject"], lk["id"])):
        amount = decimal_amount(link.get("amount"))
        currency = (link.get("currency") or "") if amount is not None else None
        key = (link["subject"], currency, amount)
        rows.append({"id": link["subject"], "amount": amount, "currency": currency, "link": link["id"],
                     "counted": amount is not None and key not in seen})
        seen.add(key)
    return rows


def _programme(net, programme, links, region_of) -> dict:
    """One programme's entry of :func:`funding_summary`."""
    funders = _funder_rows(net, links[FUNDS])
    given = {f["id"] for f in funders if f["amount"] is not None}
    amounts_of: dict = defaultdict(set)
    for f in funders:
        if f["counted"]:
            amounts_of[(f["id"], f["currency"])].add(f["amount"])
    countries = _by_label(net, {link["object"] for link in links[OPERATES_IN]})
    return {"id": programme, "label": _label(net, programme), "type": _record(net, programme).get("type"),
            "funders": funders, "implementers": _by_label(net, {lk["subject"] for lk in links[IMPLEMENTS]}),
            "countries": countries, "regions": sorted({r for c in countries for r in region_of.get(c, ())}),
            "other_countries": [c for c in countries if not region_of.get(c)],
            "amounts": add_amounts(*({f["currency"]: f["amount"]} for f in funders if f["counted"])),
            "with_amount": bool(given),
            "shares_not_given": _by_label(net, {f["id"] for f in funders} - given),
            "partial": bool(given) and bool({f["id"] for f in funders} - given),
            "repeated": sum(1 for f in funders if f["amount"] is not None and not f["counted"]),
            "several_amounts": sorted({funder for (funder, _), found in amounts_of.items() if len(found) > 1}),
            "links": sorted(lk["id"] for kind in links.values() for lk in kind)}


def _group(net, key, programmes, label=None, amounts=None) -> dict:
    """One row of a funding table: the programmes of one region, funder or implementer and their money."""
    money = amounts if amounts is not None else add_amounts(*(p["amounts"] for p in programmes))
    return {"id": key, "label": label or _label(net, key), "type": _record(net, key).get("type") if label is None else None,
            "programmes": [p["id"] for p in programmes],
            "with_amount": sum(1 for p in programmes if p["with_amount"]),
            "without_amount": sum(1 for p in programmes if not p["with_amount"]),
            "amounts": money}


def _by_region(net, programmes) -> list:
    """Rows per priority region, then the countries outside them, then the programmes without a country."""
    rows = []
    for region_id, region in net.regions.items():
        inside = [p for p in programmes if region_id in p["regions"]]
        row = _group(net, region_id, inside, label=region.get("label") or region_id)
        members = set(region.get("members", ()))
        row["countries"] = _by_label(net, {c for p in inside for c in p["countries"] if c in members})
        rows.append(row)
    for key, chosen in ((OTHER_COUNTRIES, [p for p in programmes if p["other_countries"]]),
                        (NO_COUNTRY, [p for p in programmes if not p["countries"]])):
        row = _group(net, key, chosen, label=key)
        row["countries"] = _by_label(net, {c for p in chosen for c in p["other_countries"]})
        rows.append(row)
    return rows


def _by_party(net, programmes, party) -> list:
    """Rows per funder (*party* ``funders``: its own amounts) or implementer (full programme amounts)."""
    grouped: dict = defaultdict(list)
    own: dict = defaultdict(list)
    for p in programmes:
        if party == "funders":
            for funder in p["funders"]:
                if p not in grouped[funder["id"]]:
                    grouped[funder["id"]].append(p)
                if funder["counted"]:
                    own[funder["id"]].append({funder["currency"]: funder["amount"]})
        else:
            for implementer in p["implementers"]:
                grouped[implementer].append(p)
    rows = []
    for key, chosen in grouped.items():
        row = _group(net, key, chosen, amounts=add_amounts(*own[key]) if party == "funders" else None)
        if party == "funders":  # "with amount": the funder's own share is given
            given = {p["id"] for p in chosen if any(f["id"] == key and f["amount"] is not None for f in p["funders"])}
            row["with_amount"], row["without_amount"] = len(given), len(chosen) - len(given)
        row["regions"] = sorted({r for p in chosen for r in p["regions"]})
        rows.append(row)
    return sorted(rows, key=lambda r: (-len(r["programmes"]), r["label"].casefold(), r["id"]))


def funding_summary(net) -> dict:
    """Who funds what, where: programmes, their funders, implementers and countries, and money per currency.

    Parameters
    ----------
    net : Network
        Anything with ``actors``, ``links`` (``funds`` links may carry ``amount``, text or a number,
        and ``currency``), ``regions`` and ``sources`` as described in docs/design.md (and
        ``filters``; see :func:`basis`).

    Returns
    -------
    dict
        ``programmes`` (one dict per programme, by label: ``id``, ``label``, ``type``, ``funders``
        (one per funds link: ``id``, ``amount`` (Decimal or None), ``currency``, ``link``, ``counted``),
        ``implementers``, ``countries``, ``regions``, ``other_countries`` (in no region), ``amounts``
        (currency -> Decimal), ``with_amount``, ``shares_not_given`` (funders none of whose links gives
        an amount), ``partial`` (some funders give an amount, others not), ``repeated`` (links whose
        amount repeats one of the same funder, counted once), ``several_amounts`` (funders stating
        several different amounts in one currency: phases, or figures that overlap), ``links``);
        ``by_region`` (one row per region of the network, then ``other`` for the countries in no
        region and ``none`` for the programmes without a country: ``id``, ``label``, ``programmes``,
        ``with_amount``, ``without_amount``, ``amounts`` (the full amounts of its programmes, not
        split), ``countries``); ``by_funder`` (``amounts``: the funder's own shares; ``with_amount``:
        programmes where its share is given; ``regions``) and ``by_implementer`` (``amounts``: the
        full amounts of the programmes it implements, not split), both with the most programmes first;
        ``totals`` (currency -> the sum of every amount counted), ``currencies``, ``programmes_total``,
        ``without_amount`` (programmes with no amount), ``partial`` (programmes), ``shares_not_given``
        (funder–programme pairs without an amount), ``repeated`` (links counted once),
        ``several_amounts`` (ids of the programmes where a funder states several different amounts)
        and ``basis`` (:func:`basis` of the funding links).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> def link(i, s, o, t, amount=None, currency=None):
    ...     return {"id": i, "subject": s, "object": o, "type": t, "amount": amount, "currency": currency,
    ...             "start": "2019", "status": None, "sources": ()}
    >>> net = SimpleNamespace(
    ...     actors={"eu": {"label": "EU"}, "nl": {"label": "Netherlands"}, "iom": {"label": "IOM"},
    ...             "p1": {"label": "Better Migration Management", "type": "programme"},
    ...             "p2": {"label": "Sahel project", "type": "programme"}, "ne": {"label": "Niger"},
    ...             "ml": {"label": "Mali"}, "et": {"label": "Ethiopia"}},
    ...     links=[link("f1", "eu", "p1", "funds", "40000000", "EUR"), link("f2", "nl", "p2", "funds"),
    ...            link("f3", "eu", "p1", "funds", "40000000.00", "EUR"),
    ...            link("i1", "iom", "p1", "implements"), link("i2", "iom", "p2", "implements"),
    ...            link("o1", "p1", "et", "operates_in"), link("o2", "p1", "ne", "operates_in"),
    ...            link("o3", "p2", "ne", "operates_in"), link("o4", "p2", "ml", "operates_in")],
    ...     regions={"horn": {"label": "Horn of Africa", "members": ("et",)},
    ...              "sahel": {"label": "Sahel", "members": ("ml", "ne")}},
    ...     sources={}, filters=None)
    >>> money = funding_summary(net)
    >>> [(r["id"], len(r["programmes"]), r["without_amount"], r["amounts"]) for r in money["by_region"]]
    [('horn', 1, 0, {'EUR': Decimal('40000000')}), ('sahel', 2, 1, {'EUR': Decimal('40000000')}), ('other', 0, 0, {}), ('none', 0, 0, {})]
    >>> money["totals"], money["without_amount"], money["repeated"], money["by_implementer"][0]["amounts"]
    ({'EUR': Decimal('40000000')}, 1, 1, {'EUR': Decimal('40000000')})
    """
    found, read = _programme_links(net)
    region_of = _region_of(net)
    programmes = [_programme(net, p, links, region_of) for p, links in found.items()]
    programmes.sort(key=lambda p: (p["label"].casefold(), p["id"]))
    totals = add_amounts(*(p["amounts"] for p in programmes))
    return {"programmes": programmes, "by_region": _by_region(net, programmes),
            "by_funder": _by_party(net, programmes, "funders"),
            "by_implementer": _by_party(net, programmes, "implementers"),
            "totals": totals, "currencies": sorted(totals), "programmes_total": len(programmes),
            "without_amount": sum(1 for p in programmes if not p["with_amount"]),
            "partial": sum(1 for p in programmes if p["partial"]),
            "shares_not_given": sum(len(p["shares_not_given"]) for p in programmes),
            "repeated": sum(p["repeated"] for p in programmes),
            "several_amounts": [p["id"] for p in programmes if p["several_amounts"]],
            "basis": basis(net, read)}


# ----------------------------------------------------------------------------- liaison officers
def _liaison_links(net) -> list:
    return [link for link in net.links if _family(link) == LIAISON_FAMILY]


def _covers(link) -> tuple:
    """The countries a liaison post covers besides its host (link field ``covers``: ids, or one text
    separated by ``;``).

    >>> _covers({"object": "rs", "covers": ("rs", "ba", "me")}), _covers({"object": "sn", "covers": "gm;sl"})
    (('ba', 'me'), ('gm', 'sl'))
    """
    value = link.get("covers") or ()
    items = value.split(";") if isinstance(value, str) else value
    return tuple(sorted({c.strip() for c in items if c and c.strip()} - {link["object"]}))


def _country_posts(net, country, links, in_force) -> dict:
    """One country's liaison posts: hosted, covering it from elsewhere, and sent abroad; and its state."""
    hosted = [_post(lk, in_force) for lk in links if lk["object"] == country]
    covering = [_post(lk, in_force) for lk in links if country in _covers(lk)]
    sent = [_post(lk, in_force) for lk in links if lk["subject"] == country]
    if any(p["state"] == IN_FORCE for p in hosted):
        state = HOSTED
    elif any(p["state"] == IN_FORCE for p in covering):
        state = COVERED
    else:
        state = GAP
    return {"id": country, "label": _label(net, country), "state": state, "hosted": hosted,
            "covered_by": covering, "sends": sent}


def liaison_coverage(net, regions=None) -> dict:
    """Liaison posts hosted in, or covering, each country of each priority region; the countries without one.

    Parameters
    ----------
    net : Network
        Anything with ``actors``, ``links`` (liaison links may carry ``covers``), ``regions`` and
        ``sources`` as described in docs/design.md (and ``filters``: see
        :func:`~thbkg.graph.analytics.coverage.in_force_link_ids`).
    regions : sequence of str, optional
        Region ids (default: every region of the network, sorted).

    Returns
    -------
    dict
        ``regions``: one dict per region: ``id``, ``label``, ``countries`` (one dict per country, by
        label: ``id``, ``label``, ``state`` (``hosted``, ``covered`` or ``gap``), ``hosted``,
        ``covered_by`` and ``sends``, lists of posts: ``link``, ``subject`` (who sends it), ``object``
        (the host), ``role``, ``start``, ``end``, ``status``, ``state``), ``hosted``, ``covered``
        (numbers of countries) and ``gaps`` (country ids); ``basis`` (:func:`basis` of every liaison link).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> def post(i, s, o, covers=(), status="active"):
    ...     return {"id": i, "subject": s, "object": o, "type": "liaison_officer", "covers": covers,
    ...             "status": status, "start": None, "sources": ()}
    >>> net = SimpleNamespace(
    ...     actors={c: {"label": c.upper(), "type": "country"} for c in ("rs", "ba", "me", "al", "xk", "es")},
    ...     links=[post("p1", "frontex", "rs", ("rs", "ba")), post("p2", "al", "europol"),
    ...            post("p3", "es", "me", status="ended")],
    ...     regions={"wb": {"label": "Western Balkans", "members": ("al", "ba", "me", "rs", "xk")}},
    ...     sources={}, filters=None)
    >>> wb = liaison_coverage(net)["regions"][0]
    >>> [(c["id"], c["state"]) for c in wb["countries"]]
    [('al', 'gap'), ('ba', 'covered'), ('me', 'gap'), ('rs', 'hosted'), ('xk', 'gap')]
    >>> wb["gaps"], [p["link"] for p in wb["countries"][0]["sends"]]
    (['al', 'me', 'xk'], ['p2'])
    """
    links = _liaison_links(net)
    in_force = in_force_link_ids(net)
    out = []
    for region in (sorted(net.regions) if regions is None else list(regions)):
        countries = [_country_posts(net, c, links, in_force)
                     for c in _by_label(net, _countries_of(net, region))]
        states = Counter(c["state"] for c in countries)
        out.append({"id": region, "label": net.regions[region].get("label") or region, "countries": countries,
                    "hosted": states[HOSTED], "covered": states[COVERED],
                    "gaps": [c["id"] for c in countries if c["state"] == GAP]})
    return {"regions": out, "basis": basis(net, links, in_force)}


# ----------------------------------------------------------------------------- national mechanisms
def _country_of_mechanism(net, mechanism):
    """The country a national mechanism belongs to: its ``parent`` (None when not given)."""
    return _record(net, mechanism).get("parent") or None


def mechanism_networks(net) -> dict:
    """Which countries have a national rapporteur or coordinator in which network, and how.

    Parameters
    ----------
    net : Network
        Anything with ``actors`` (a mechanism's record gives its country as ``parent``), ``links`` and
        ``sources`` as described in docs/design.md (and ``filters``).

    Returns
    -------
    dict
        ``networks``: the frameworks a mechanism is linked to, those with the most countries first:
        ``id``, ``label``, ``type``, ``members`` (countries whose mechanism's membership, observer or
        treaty-party link to it is in force), ``countries`` (countries with any link to it);
        ``countries``: one dict per country with a mechanism, by label (``id`` None for mechanisms
        without a parent): ``id``, ``label``, ``mechanisms`` (ids) and ``ties`` (network id -> list of
        links: ``mechanism``, ``link``, ``type``, ``role``, ``start``, ``end``, ``status``, ``state``,
        ``membership`` (a link of the membership family)); ``without_network`` (mechanism ids with no
        link to a framework), ``without_country`` (mechanism ids without a parent), ``mechanisms``
        (their number) and ``basis`` (:func:`basis` of the links read).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(
    ...     actors={"be-myria": {"label": "Myria", "type": "national_mechanism", "parent": "be"},
    ...             "nl-nr": {"label": "Dutch Rapporteur", "type": "national_mechanism", "parent": "nl"},
    ...             "nrem": {"label": "EU Network of National Rapporteurs", "type": "network"},
    ...             "be": {"label": "Belgium", "type": "country"}, "nl": {"label": "Netherlands", "type": "country"}},
    ...     links=[{"id": "l1", "subject": "be-myria", "object": "nrem", "type": "membership", "status": "active",
    ...             "start": None, "sources": ()}],
    ...     sources={}, filters=None)
    >>> found = mechanism_networks(net)
    >>> [(n["id"], n["members"]) for n in found["networks"]], found["without_network"]
    ([('nrem', 1)], ['nl-nr'])
    >>> [(c["id"], sorted(c["ties"])) for c in found["countries"]]
    [('be', ['nrem']), ('nl', [])]
    """
    vocab = load_vocabulary()
    mechanisms = sorted(a for a, record in net.actors.items() if record.get("type") == MECHANISM_TYPE)
    chosen = set(mechanisms)
    in_force = in_force_link_ids(net)
    ties: dict = defaultdict(lambda: defaultdict(list))  # mechanism -> network -> rows
    read = []
    for link in net.links:
        if _family(link) == FUNDING_FAMILY:  # a programme it implements: see funding_summary
            continue
        for mechanism, other in ((link["subject"], link["object"]), (link["object"], link["subject"])):
            if mechanism in chosen and vocab.is_framework_type(_record(net, other).get("type")):
                row = {**_post(link, in_force), "mechanism": mechanism,
                       "membership": _family(link) == MEMBERSHIP_FAMILY}
                ties[mechanism][other].append(row)
                read.append(link)
                break
    return {"networks": _mechanism_network_rows(net, mechanisms, ties),
            "countries": _mechanism_country_rows(net, mechanisms, ties),
            "without_network": [m for m in mechanisms if not ties[m]],
            "without_country": [m for m in mechanisms if not _country_of_mechanism(net, m)],
            "mechanisms": len(mechanisms), "basis": basis(net, read, in_force)}


def _mechanism_country_rows(net, mechanisms, ties) -> list:
    by_country: dict = defaultdict(list)
    for mechanism in mechanisms:
        by_country[_country_of_mechanism(net, mechanism)].append(mechanism)
    rows = []
    for country, members in by_country.items():
        merged: dict = defaultdict(list)
        for mechanism in members:
            for network, found in ties[mechanism].items():
                merged[network].extend(found)
        rows.append({"id": country, "label": _label(net, country) if country else None,
                     "mechanisms": _by_label(net, members),
                     "ties": {n: sorted(found, key=lambda r: (r["start"] or "", r["link"]))
                              for n, found in sorted(merged.items())}})
    return sorted(rows, key=lambda r: (r["id"] is None, (r["label"] or "").casefold(), r["id"] or ""))


def _mechanism_network_rows(net, mechanisms, ties) -> list:
    countries: dict = defaultdict(set)
    members: dict = defaultdict(set)
    for mechanism in mechanisms:
        country = _country_of_mechanism(net, mechanism) or mechanism
        for network, found in ties[mechanism].items():
            countries[network].add(country)
            if any(r["membership"] and r["state"] == IN_FORCE for r in found):
                members[network].add(country)
    rows = [{"id": n, "label": _label(net, n), "type": _record(net, n).get("type"), "members": len(members[n]),
             "countries": len(countries[n])} for n in countries]
    return sorted(rows, key=lambda r: (-r["members"], -r["countries"], r["label"].casefold(), r["id"]))


# ----------------------------------------------------------------------------- evaluations
def _round_key(value) -> str:
    """A round as the key of a table column: its number as text, ``none`` when not given.

    >>> _round_key(3), _round_key("2"), _round_key(None), _round_key("x")
    ('3', '2', 'none', 'none')
    """
    text = str(value).strip() if value is not None else ""
    return str(int(text)) if text.isdigit() and int(text) > 0 else NO_ROUND


def _evaluator(net, evaluator, links, in_force) -> dict:
    """One evaluating body's table: country × round."""
    by_country: dict = defaultdict(lambda: defaultdict(list))
    for link in links:
        by_country[link["object"]][_round_key(link.get("round"))].append(_post(link, in_force))
    keys = {key for rounds in by_country.values() for key in rounds}
    numbered = sorted((k for k in keys if k != NO_ROUND), key=int)
    rounds = numbered + ([NO_ROUND] if NO_ROUND in keys else [])
    countries = []
    for country in _by_label(net, by_country):
        cells = {key: sorted(found, key=lambda r: (r["start"] or "", r["link"]))
                 for key, found in sorted(by_country[country].items())}
        latest = max((int(k) for k in cells if k != NO_ROUND), default=None)
        countries.append({"id": country, "label": _label(net, country),
                          "type": _record(net, country).get("type"), "by_round": cells, "latest_round": latest})
    return {"id": evaluator, "label": _label(net, evaluator), "rounds": rounds, "countries": countries,
            "per_round": {key: sum(1 for c in countries if key in c["by_round"]) for key in rounds},
            "reports": len(links), "undated": sum(1 for link in links if not link.get("start"))}


def evaluation_rounds(net) -> dict:
    """Evaluation rounds by country (country × round, with the report dates), per evaluating body.

    Parameters
    ----------
    net : Network
        Anything with ``actors``, ``links`` (``evaluation`` links may carry ``round``, a number or its
        text) and ``sources`` as described in docs/design.md (and ``filters``).

    Returns
    -------
    dict
        ``evaluators``: one dict per evaluating body (the subject of the links), by label: ``id``,
        ``label``, ``rounds`` (round keys, numbers as text in order, then ``none`` when a report gives no
        round), ``countries`` (one dict per country evaluated, by label: ``id``, ``label``, ``type``,
        ``by_round`` (round key -> reports: ``link``, ``start`` (the date of the report or visit),
        ``end``, ``role``, ``status``, ``state``) and ``latest_round``), ``per_round`` (round key ->
        countries), ``reports`` and ``undated``; ``basis`` (:func:`basis` of every evaluation link).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> def report(i, country, rnd, start):
    ...     return {"id": i, "subject": "greta", "object": country, "type": "evaluation", "round": rnd,
    ...             "start": start, "status": "ended", "sources": ()}
    >>> net = SimpleNamespace(
    ...     actors={"greta": {"label": "GRETA"}, "al": {"label": "Albania"}, "rs": {"label": "Serbia"}},
    ...     links=[report("e1", "al", 1, "2011-11"), report("e2", "al", 2, "2016-06"),
    ...            report("e3", "rs", "1", "2013-06"), report("e4", "rs", None, None)],
    ...     sources={}, filters=None)
    >>> greta = evaluation_rounds(net)["evaluators"][0]
    >>> greta["rounds"], greta["per_round"]
    (['1', '2', 'none'], {'1': 2, '2': 1, 'none': 1})
    >>> [(c["id"], {k: [r["start"] for r in v] for k, v in c["by_round"].items()}) for c in greta["countries"]]
    [('al', {'1': ['2011-11'], '2': ['2016-06']}), ('rs', {'1': ['2013-06'], 'none': [None]})]
    """
    links = [link for link in net.links if link.get("type") == EVALUATION]
    in_force = in_force_link_ids(net)
    by_evaluator: dict = defaultdict(list)
    for link in links:
        by_evaluator[link["subject"]].append(link)
    evaluators = [_evaluator(net, e, found, in_force) for e, found in by_evaluator.items()]
    evaluators.sort(key=lambda e: (e["label"].casefold(), e["id"]))
    return {"evaluators": evaluators, "basis": basis(net, links, in_force)}


def cooperation_summary(net) -> dict:
    """The four views at once, as the report shows them: ``funding`` (:func:`funding_summary`),
    ``liaison`` (:func:`liaison_coverage`), ``mechanisms`` (:func:`mechanism_networks`) and
    ``evaluations`` (:func:`evaluation_rounds`).

    >>> from types import SimpleNamespace
    >>> empty = SimpleNamespace(actors={}, links=[], regions={}, sources={}, filters=None)
    >>> sorted(cooperation_summary(empty))
    ['evaluations', 'funding', 'liaison', 'mechanisms']
    """
    return {"funding": funding_summary(net), "liaison": liaison_coverage(net),
            "mechanisms": mechanism_networks(net), "evaluations": evaluation_rounds(net)}


__all__ = ["COVERED", "EVALUATION", "FUNDING_FAMILY", "FUNDS", "GAP", "HOSTED", "IMPLEMENTS", "LIAISON_FAMILY",
           "MECHANISM_TYPE", "NO_COUNTRY", "NO_ROUND", "OPERATES_IN", "OTHER_COUNTRIES", "add_amounts", "basis",
           "cooperation_summary", "decimal_amount", "evaluation_rounds", "funding_summary", "liaison_coverage",
           "mechanism_networks"]
