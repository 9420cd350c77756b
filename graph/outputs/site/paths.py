"""Where each page of the site lives, and how one page links to another.

Entity pages follow the path of their IRI under ``https://w3id.org/thbkg/id/``: the actor
``…/id/actor/frontex`` is ``id/actor/frontex.html``, with ``frontex.ttl`` and ``frontex.jsonld`` beside
it, so that a host serving the site at the w3id target dereferences the IRIs (docs/site.md). The
continuation pages of a long list sit in a folder named after the entity (``id/actor/frontex/links-2.html``),
which no id can collide with, since ids never hold a ``/``.

>>> entity_path("actor", "frontex")
'id/actor/frontex.html'
>>> relative("id/actor/frontex.html", "id/source/geonames.html")
'../source/geonames.html'
>>> relative("index.html", "id/actor/frontex.html"), root_of("id/actor/frontex.html")
('id/actor/frontex.html', '../../')
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote

#: The IRI base the entity paths follow (thbkg's data namespace).
ID_BASE = "https://w3id.org/thbkg/id/"
#: The kinds of record that get a page of their own, each under ``id/<kind>/``.
ENTITY_KINDS = ("actor", "link", "source", "region")
#: Rows per page of a long list; a page of this many rows stays well under 1 MB.
PAGE_ROWS = 200


def entity_path(kind: str, record_id: str, suffix: str = ".html") -> str:
    """The site path of the page (or ``.ttl``/``.jsonld`` file) of one record."""
    return f"id/{kind}/{quote(record_id, safe='')}{suffix}"


def continuation_path(kind: str, record_id: str, name: str, page: int) -> str:
    """Page *page* (2, 3, …) of the list *name* of one record; page 1 is the record's own page."""
    if page <= 1:
        return entity_path(kind, record_id)
    return f"id/{kind}/{quote(record_id, safe='')}/{name}-{page}.html"


def list_path(name: str, page: int) -> str:
    """Page *page* of a top-level list (``actors.html``, ``actors-2.html`` …)."""
    return f"{name}.html" if page <= 1 else f"{name}-{page}.html"


def root_of(path: str) -> str:
    """The relative prefix from the page *path* back to the site's root (``""`` at the top)."""
    return "../" * path.count("/")


def relative(from_path: str, to_path: str) -> str:
    """The relative URL from the page *from_path* to the file *to_path* (both site paths)."""
    return posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")


def pages_of(total: int, rows: int = PAGE_ROWS) -> int:
    """How many pages a list of *total* rows takes (at least one).

    >>> pages_of(0), pages_of(200), pages_of(201)
    (1, 1, 2)
    """
    return max(1, -(-total // rows))
