"""Article bodies kept on disk during a build, read when a page needs them.

The analysis stores each article's body HTML and plain text with its result, in the build
state's database (:mod:`digestgen.analysis.cache`); an :class:`~digestgen.model.Analysed` made
for the build carries only where they are (:class:`~digestgen.model.Stored`), so what the build
holds in memory per article is a small record. Its own page, the search index and the few
articles that link files beside them read them with :func:`whole`, :func:`stored_text` and
:func:`figures_of`.
Each process opens the database once, read-only.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import replace
from pathlib import Path

from digestgen import checked
from digestgen.model import Analysed, Figure, Stored

TABLE = "analysis"
"""The table the analysis cache keeps its entries in: ``key, value, html, text``."""

_connections: dict[tuple[int, str], sqlite3.Connection] = {}


class BodyMissing(Exception):
    """The database no longer holds an article's body (it was removed during the build)."""


def _read(database: str, key: str, columns: str = "html, text, figures") -> tuple[str, ...]:
    at = (os.getpid(), database)  # never a connection made before a fork
    db = _connections.get(at)
    if db is None:
        db = _connections[at] = sqlite3.connect(Path(database).as_uri() + "?mode=ro", uri=True, timeout=30,
                                                check_same_thread=False)
    row = db.execute(f"SELECT {columns} FROM {TABLE} WHERE key = ?", (key,)).fetchone()
    if row is None or not all(type(x) is str for x in row):
        raise BodyMissing(f"the build state {database} no longer holds an article's body; build again")
    return tuple(row)


def figures_of(item: Analysed) -> tuple[Figure, ...]:
    """An article's key figures, read from the build state if they are kept there."""
    if item.stored is None or item.key_figures:  # in the record (no build state, or a template shows them)
        return item.key_figures
    return _figures(item.stored, _read(item.stored.database, item.stored.key, "figures")[0])


def whole(item: Analysed) -> Analysed:
    """The article with its body HTML, text and key figures in the record (read once, together)."""
    if item.stored is None:
        return item
    html, text, figures = _read(item.stored.database, item.stored.key)
    return replace(item, html=html, text=text, key_figures=_figures(item.stored, figures), stored=None)


def _figures(stored: Stored, data: str) -> tuple[Figure, ...]:
    try:
        return checked.figures_data(data)
    except checked.Invalid:
        removed = _forget(stored)  # the next build analyses the article again
        raise BodyMissing(f"the build state {stored.database} held an article's key figures in a form this version "
                          "cannot read; " + ("the entry was removed; build again" if removed else
                                             "delete that file and build again")) from None


def _forget(stored: Stored) -> bool:
    """Remove an article's entry from the build state (it is then analysed again); whether it was."""
    try:
        with contextlib.closing(sqlite3.connect(stored.database, timeout=30)) as db, db:
            db.execute(f"DELETE FROM {TABLE} WHERE key = ?", (stored.key,))
    except sqlite3.Error:
        return False
    return True


def stored_text(stored: Stored | None, text: str) -> str:
    """``text``, or the plain text kept in the build state at ``stored``."""
    return text if stored is None else _read(stored.database, stored.key, "text")[0]


def close() -> None:
    """Close this process's connections (at the end of a build)."""
    for at in [at for at in _connections if at[0] == os.getpid()]:
        _connections.pop(at).close()
