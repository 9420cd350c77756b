"""``thbkg init``: start a data folder of your own, with the six tables and one example row each.

Each table gets its header (every column, in the order of :data:`~thbkg.graph.rdf.tables.COLUMNS`) and one
example row commented out with ``#``: the reader skips it (see :func:`~thbkg.graph.rdf.tables.comment_lines`),
so a new folder validates as it is, with no rows. Without its ``#`` each example row is valid next to the
bundled tables: the examples cite each other (``example-source``, ``example-ngo``, ``example-declaration``,
``example-region``) and, as a user's own rows usually do, two bundled actors (``iom``, ``al``).

Nothing is ever overwritten: a table that is already there is kept, and a folder holding anything but thbkg
tables is refused.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "mydata"
>>> written, kept = init_tables(folder)
>>> [p.name for p in written], kept
(['sources.csv', 'instruments.csv', 'actors.csv', 'regions.csv', 'region_members.csv', 'links.csv'], [])
>>> print((folder / "regions.csv").read_text(encoding="utf-8"), end="")
id,label,definition,sources,confidence
#example-region,Example region,"Example row: which countries ...",example-source,high
>>> from thbkg.graph.rdf.tables import load_dataset
>>> len(load_dataset([folder], include_bundled=False).actors)
0
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from thbkg.graph.errors import UsageError
from thbkg.graph.io import TMP_PREFIX, atomic_write, check_output
from thbkg.graph.rdf.tables import COLUMNS, COMMENT, TABLES

#: what the example rows say about themselves, in their note (or definition) cell
_EXAMPLE = "Example row"

#: table name -> its example row (column -> value); the first column's value gets the comment mark.
#: Columns left out are empty. Dates stay empty: empty means unknown, and an example states no fact.
EXAMPLES = {
    "sources": {
        "id": "example-source",
        "title": "Example: the web page or document that states the facts (replace this row)",
        "publisher": "Example NGO",
        "url": "https://example.org/about-us",
        "kind": "official_page",
        "note": f"{_EXAMPLE}: remove the leading {COMMENT} to use it, or copy it and replace every value.",
    },
    "instruments": {
        "id": "example-declaration",
        "label": "Example joint declaration (replace this row)",
        "type": "declaration",
        "url": "https://example.org/declaration",
        "sources": "example-source",
        "confidence": "high",
        "note": f"{_EXAMPLE}: a strategy, directive, decision, declaration... that a link may rest on.",
    },
    "actors": {
        "id": "example-ngo",
        "label": "Example NGO",
        "aliases": "ExNGO;Example Anti-Trafficking Network",
        "type": "ngo",
        "sources": "example-source",
        "confidence": "high",
        "note": f"{_EXAMPLE}: an NGO; seat, lat and lon need a source for the coordinates.",
    },
    "regions": {
        "id": "example-region",
        "label": "Example region",
        "definition": f"{_EXAMPLE}: which countries the region includes, by which definition "
                      "(e.g. a programme's list of partner countries).",
        "sources": "example-source",
        "confidence": "high",
    },
    "region_members": {
        "region": "example-region",
        "actor": "al",
        "sources": "example-source",
        "confidence": "high",
        "note": f"{_EXAMPLE}: 'al' (Albania) is an actor of the bundled tables.",
    },
    "links": {
        "id": "example-ngo-iom-cooperation",
        "subject": "example-ngo",
        "object": "iom",
        "type": "cooperation_agreement",
        "role": "memorandum of understanding",
        "status": "active",
        "instrument": "example-declaration",
        "sources": "example-source",
        "confidence": "high",
        "note": f"{_EXAMPLE}: 'iom' is an actor of the bundled tables; start, end and date_confidence stay "
                "empty until a source gives the dates.",
    },
}


def table_text(name: str) -> str:
    """The text ``thbkg init`` writes for table *name*: its header and its example row, commented out.

    >>> print(table_text("region_members"), end="")
    region,actor,sources,confidence,note
    #example-region,al,example-source,high,Example row: 'al' (Albania) is an actor of the bundled tables.
    """
    columns = COLUMNS[name]
    row = [EXAMPLES[name].get(column, "") for column in columns]
    row[0] = COMMENT + row[0]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerow(row)
    return buf.getvalue()


def table_files() -> tuple:
    """The file names of the six tables, in the order they are read.

    >>> table_files()[:2]
    ('sources.csv', 'instruments.csv')
    """
    return tuple(f"{name}.csv" for name in TABLES)


def init_tables(folder) -> tuple:
    """Write the tables that are not yet in *folder*, each with its header and one commented example row.

    Parameters
    ----------
    folder : str or Path
        A new folder (created with its parents), an empty one, or one that holds only thbkg tables
        (for example from an earlier ``thbkg init``).

    Returns
    -------
    (list of Path, list of Path)
        The tables written and the tables kept because they were already there (never overwritten).

    Raises
    ------
    UsageError
        When *folder* is a file, a symbolic link, or a folder that holds files other than the six tables.
    """
    if Path(folder).is_symlink():
        raise UsageError(f"{folder} is a symbolic link; thbkg init does not write through links: give the folder "
                         f"itself, e.g. thbkg init {os.path.realpath(folder)}")
    folder = check_output(folder, folder=True)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder; give a new folder for the tables, "
                         f"e.g. thbkg init {folder.parent / 'mydata'}")
    names = table_files()
    if folder.is_dir():
        foreign = sorted(p.name for p in folder.iterdir() if p.name not in names and not p.name.startswith(TMP_PREFIX))
        if foreign:
            shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
            raise UsageError(f"{folder} holds files that are not thbkg tables ({shown}); give a new or empty "
                             f"folder, e.g. thbkg init {folder / 'mydata'}")
    folder.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    for name in TABLES:
        path = folder / f"{name}.csv"
        if os.path.lexists(path):  # a table (or a link where one would be) is the user's: keep it
            kept.append(path)
            continue
        atomic_write(path, table_text(name))
        written.append(path)
    return written, kept
