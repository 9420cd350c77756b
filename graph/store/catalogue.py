"""The library of named queries: ``graph/store/queries/NAME.rq`` files and their header comments.

A query's header declares what it answers and its parameters::

    # title: Partners of an agency
    # question: Who cooperates with this agency, how, since when, on what source?
    # param: agency actor europol The agency (actor id, prefixed name or <IRI>)
    # example: thbkg query -n agency_partners --param agency=frontex

The parameter types are those :func:`thbkg.graph.store.query.to_term` knows (:data:`PARAM_TYPES`). A
value of the types in :data:`NAME_TYPES` may also be a name as people type it (``Frontex``, ``Sahel``,
``SRB``, ``Q403``), which :func:`~thbkg.graph.store.query.run_query` makes the record's IRI when it is given
a name resolver (``thbkg query`` gives it one: :func:`thbkg.graph.network.projections.name_resolver`).

>>> named_query("agency_partners").params[0].type
'actor'
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from thbkg.graph.errors import UsageError
from thbkg.graph.store.binder import VAR_NAME

QUERIES_DIR = Path(__file__).parent / "queries"

#: parameter types whose value is a table id under a data IRI (``thbid:{base}{id}``)
ID_TYPES = {
    "actor": "actor/", "region": "region/", "link_type": "link-type/", "actor_type": "actor-type/",
    "status": "status/", "confidence": "confidence/", "source": "source/", "instrument": "instrument/",
    "link": "link/",
}
#: parameter types whose value may be a name (label, alias, ISO code, Wikidata QID…) besides an id
NAME_TYPES = ("actor", "region", "link_type", "actor_type")
#: every type a ``# param:`` line may declare
PARAM_TYPES = tuple(ID_TYPES) + ("iri", "string", "integer", "date")


@dataclass(frozen=True)
class Param:
    """One declared parameter of a query (``# param: name type default description``).

    ``default`` is None when the parameter is required (written ``-`` in the header).
    """

    name: str
    type: str
    default: str | None
    description: str = ""


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library in ``graph/store/queries/``, with its header."""

    name: str
    text: str
    title: str = ""
    question: str = ""
    params: tuple[Param, ...] = ()
    examples: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """One line: the title, or else the question."""
        return self.title or self.question


def _param(value: str, where: str, number: int) -> Param:
    """The :class:`Param` of a ``# param:`` line's *value*."""
    parts = value.split(None, 3)
    if len(parts) < 3 or parts[1] not in PARAM_TYPES or not VAR_NAME.match(parts[0]):
        raise UsageError(f"{where}:{number}: bad '# param:' line {value!r}; write "
                         f"'# param: name type default description' with type one of "
                         f"{', '.join(PARAM_TYPES)} and default '-' when required")
    default = None if parts[2] == "-" else parts[2]
    return Param(parts[0], parts[1], default, parts[3] if len(parts) > 3 else "")


def _header_lines(text: str):
    """``(line number, key, value)`` of the ``# key: value`` lines before the first line of SPARQL."""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            return
        key, sep, value = stripped.lstrip("#").strip().partition(":")
        if sep:
            yield number, key.strip().lower(), value.strip()


def parse_header(text: str, where: str = "query"):
    """Read the ``# key: value`` lines at the top of a query.

    Returns ``(title, question, params, examples)``; *where* names the text in error messages.

    Raises
    ------
    UsageError
        For a ``# param:`` line that does not read ``name type default description``.

    >>> t, q, ps, ex = parse_header("# title: T\\n# param: agency actor europol The agency\\nSELECT * {}")
    >>> t, ps[0]
    ('T', Param(name='agency', type='actor', default='europol', description='The agency'))
    """
    title = question = ""
    params: list[Param] = []
    examples: list[str] = []
    for number, key, value in _header_lines(text):
        if key == "title":
            title = value
        elif key == "question":
            question = (question + " " + value).strip()
        elif key == "example":
            examples.append(value)
        elif key == "param":
            params.append(_param(value, where, number))
    return title, question, tuple(params), tuple(examples)


def list_named_queries() -> list[NamedQuery]:
    """All named queries, sorted by name.

    >>> len(list_named_queries()) >= 15
    True
    """
    return [named_query(path.stem) for path in sorted(QUERIES_DIR.glob("*.rq"))]


def named_query(name: str) -> NamedQuery:
    """The named query *name* (file ``graph/store/queries/NAME.rq``).

    Raises
    ------
    UsageError
        If there is no such query (with the closest names as hints).
    """
    path = QUERIES_DIR / f"{name}.rq"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name or "") or not path.is_file():
        names = sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))
        close = difflib.get_close_matches(name or "", names, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"no named query {name!r}.{hint} 'thbkg queries' lists them all.")
    text = path.read_text(encoding="utf-8")
    title, question, params, examples = parse_header(text, where=f"graph/store/queries/{name}.rq")
    return NamedQuery(name, text, title, question, params, examples)


def sorted_cells(text: str) -> tuple[str, ...]:
    r"""The variables a query's header declares with ``# sorted: a b``: their ``;``-separated cells are
    sorted after the query runs.

    SPARQL leaves the order inside ``GROUP_CONCAT`` undefined (Oxigraph and rdflib differ), and sorting
    inside the query needs a sub-select over the whole graph, which costs seconds at scale. Sorting the
    few cells in Python gives the same bytes on every store for a fraction of that.

    >>> sorted_cells("# sorted: sources parties\nSELECT * {}")
    ('sources', 'parties')
    """
    names: list[str] = []
    for line in text.splitlines():
        if line.startswith("# sorted:"):
            names.extend(line.split(":", 1)[1].split())
        elif line.strip() and not line.startswith("#"):
            break
    return tuple(names)

