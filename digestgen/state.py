"""The build state: what each output file of the last build was made from, kept between builds,
and records of work done before (front matter parsed, articles analysed) that an unchanged file
need not have done again.

One SQLite database in the cache folder (``state.sqlite``) holds, per output folder, each file's
key (:mod:`digestgen.render.keys`: a hash of exactly what the file shows) and the hash of its
bytes. SQLite's journal makes a crash mid-update leave the previous state whole. It holds data
only, never code; a database that cannot be read is treated as empty (everything is rendered)
and replaced.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

SCHEMA = 2
SITE_ROW = "\x00site"
"""The row holding the digest of what every page but the articles' own shows (see ``Keyer.site_digest``)
as its key, and a mark of the save that wrote it as its digest."""
SEARCH_ROW = "\x00search"
"""The row holding the search index's layout digest as its key and its articles' digests as its base."""


def new_mark() -> str:
    """A mark for one save of the build state (see :data:`SITE_ROW`); the manifest of the site that
    save describes carries it too (``state``)."""
    return os.urandom(8).hex()


def _checked(rows) -> Iterator[tuple[str, tuple[str, str, str]]]:
    """``(path, (key, digest, base))`` of the rows read that hold text where they should."""
    for path, key, digest, base in rows:
        if isinstance(path, str) and isinstance(key, str) and isinstance(digest, str) and isinstance(base, str):
            yield path, (key, digest, base)


class BuildState:
    """Keys and content hashes of the files of the last build into each output folder."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        # In the write-ahead log (as Records keeps it), a commit is not flushed to disk by itself
        # (an edit's rebuild commits a few times): a crash then loses at most the last commits,
        # and never leaves the database corrupt.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        version = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        if version is None or version[0] != str(SCHEMA):
            with db:
                db.execute("DROP TABLE IF EXISTS outputs")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
        db.execute("CREATE TABLE IF NOT EXISTS outputs (site TEXT NOT NULL, path TEXT NOT NULL, "
                   "key TEXT NOT NULL, digest TEXT NOT NULL, base TEXT NOT NULL, PRIMARY KEY (site, path)) WITHOUT ROWID")
        return db

    def load(self, site: Path) -> dict[str, tuple[str, str, str]]:
        """``{path: (key, digest, base)}`` of the last build into ``site`` (empty when unknown); ``base``
        is the part of an article page's key that does not depend on its own body, and the row
        :data:`SITE_ROW` holds the site digest as its key."""
        if self.path is None:
            return {}
        try:
            db = self._connect()
            try:
                rows = db.execute("SELECT path, key, digest, base FROM outputs WHERE site = ?", (str(site),)).fetchall()
            finally:
                db.close()
        except (sqlite3.Error, OSError):
            self._discard()
            return {}
        return dict(_checked(rows))

    def load_some(self, site: Path, paths: list[str]) -> dict[str, tuple[str, str, str]]:
        """The rows of :meth:`load` for ``paths`` only."""
        if self.path is None:
            return {}
        found: dict[str, tuple[str, str, str]] = {}
        try:
            db = self._connect()
            try:
                for at in range(0, len(paths), 500):
                    batch = paths[at:at + 500]
                    found.update(_checked(db.execute(
                        f"SELECT path, key, digest, base FROM outputs WHERE site = ? AND path IN "
                        f"({','.join('?' * len(batch))})", (str(site), *batch))))
            finally:
                db.close()
        except (sqlite3.Error, OSError):
            return {}
        return found

    def update(self, site: Path, rows: dict[str, tuple[str, str, str]], site_digest: str, last_mark: str,
               mark: str, also: Callable[[sqlite3.Connection], None] | None = None) -> str | None:
        """Record the files a few of which a build changed (``rows``: theirs), if the state is still
        the save marked ``last_mark`` (no other build saved since); return ``mark``, or None.
        ``also(db)`` writes more in the same transaction (what it raises undoes everything)."""
        if self.path is None:
            return None
        name = str(site)
        try:
            db = self._connect()
            try:
                with db:
                    db.execute("BEGIN IMMEDIATE")
                    found = db.execute("SELECT digest FROM outputs WHERE site = ? AND path = ?",
                                       (name, SITE_ROW)).fetchone()
                    if found is None or found[0] != last_mark:
                        return None
                    db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?)",
                                   ((name, path, *row) for path, row in
                                    {**rows, SITE_ROW: (site_digest, mark, "")}.items()))
                    if also is not None:
                        also(db)
            finally:
                db.close()
        except sqlite3.OperationalError:  # held by another build too long: the next build renders what it must
            return None
        except (sqlite3.Error, OSError):
            self._discard()
            return None
        return mark

    def save(self, site: Path, keys: dict[str, str], digests: dict[str, str], bases: dict[str, str] | None = None,
             site_digest: str = "", search: tuple[str, str] = ("", ""),
             last: dict[str, tuple[str, str, str]] | None = None, mark: str | None = None) -> str | None:
        """Record the files just written into ``site``: their keys, content hashes and key bases.
        Return the mark of this save (see :data:`SITE_ROW`; ``mark``, or a new one), or None if it
        could not be made.

        ``last`` is what :meth:`load` gave this build: if the state still holds it (no other build
        saved since), only the rows that changed are written.
        """
        if self.path is None:
            return None
        bases = bases or {}
        # The site row's digest column marks this save, so the next one can tell its rows are still there.
        mark = mark or new_mark()
        extra = {SITE_ROW: (site_digest, mark, "")}
        if search[0]:
            extra[SEARCH_ROW] = (search[0], "", search[1])

        def rows() -> Iterator[tuple[str, tuple[str, str, str]]]:
            """Each file's row, made as it is stored (at 100,000 articles, all of them at once took
            a hundred megabytes)."""
            for path, key in keys.items():
                found = digests.get(path)
                if found is not None:
                    yield path, (key, found, bases.get(path, ""))
            yield from extra.items()

        name = str(site)
        try:
            db = self._connect()
            try:
                with db:
                    db.execute("BEGIN IMMEDIATE")  # no other build saves between the check and the writes
                    found = db.execute("SELECT digest FROM outputs WHERE site = ? AND path = ?",
                                       (name, SITE_ROW)).fetchone()
                    known = last.get(SITE_ROW) if last else None
                    if last and known is not None and known[1] and found is not None and found[0] == known[1]:
                        gone = [(name, path) for path in last
                                if path not in extra and (path not in keys or path not in digests)]
                        db.executemany("DELETE FROM outputs WHERE site = ? AND path = ?", gone)
                        db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?)",
                                       ((name, path, *row) for path, row in rows() if last.get(path) != row))
                    else:
                        db.execute("DELETE FROM outputs WHERE site = ?", (name,))
                        db.executemany("INSERT INTO outputs VALUES (?, ?, ?, ?, ?)",
                                       ((name, path, *row) for path, row in rows()))
            finally:
                db.close()
        except (sqlite3.Error, OSError):
            self._discard()  # the next build renders everything; the site itself is whole
            return None
        return mark

    def _discard(self) -> None:
        assert self.path is not None
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):  # a folder we may not change: the state is only an aid
                Path(str(self.path) + suffix).unlink(missing_ok=True)


WAIT = 30.0
"""Seconds to wait for another build that holds the database."""
KEEP_DAYS = 7
"""Records no build has used for this many days may be removed."""
LAYOUT = 2
"""The layout of every records table (key, value, large texts, the day last used)."""


def _today() -> int:
    return int(time.time() // 86400)


class Records:
    """``key -> (JSON text, large texts...)`` in one table of a state database.

    A build reads the records of the keys it needs in one query and writes the new ones in one
    transaction. Records are data: their readers check every value. A table of another version,
    or a database that cannot be read, is treated as empty and replaced. So that the table does
    not grow with every edit, once it holds more than twice the records the last build used, the
    ones no build has read or written for :data:`KEEP_DAYS` days are removed (a record is marked
    with the day it was last used, so builds of other sites sharing the cache keep theirs).
    """

    def __init__(self, path: Path | None, table: str, version: int, extra: tuple[str, ...] = ()) -> None:
        self.path, self.table, self.version, self.extra = path, table, version, extra
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=WAIT)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
                name = f"version:{self.table}:{LAYOUT}"
                found = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
                columns = "".join(f", {c} TEXT NOT NULL" for c in self.extra)
                with db:
                    if found is None or found[0] != str(self.version):
                        db.execute(f"DROP TABLE IF EXISTS {self.table}")
                        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, str(self.version)))
                    db.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (key TEXT PRIMARY KEY, "
                               f"value TEXT NOT NULL{columns}, used INTEGER NOT NULL)")
            except sqlite3.OperationalError:  # busy, locked or unopenable: go without, delete nothing
                self.path = None
                return None
            except (sqlite3.Error, OSError):
                self._discard()
                return None
            self._db = db
        return self._db

    def get_many(self, keys: list[str], columns: int | None = None) -> dict[str, tuple]:
        """The records found for ``keys`` (others are simply missing); with ``columns``, only the
        first ``columns`` of (value, large texts...)."""
        db = self._connect()
        if db is None or not keys:
            return {}
        found: dict[str, tuple[str, ...]] = {}
        names = ("value",) + self.extra
        selected = ", ".join(("key",) + names[:columns])
        try:
            for at in range(0, len(keys), 500):
                batch = keys[at:at + 500]
                marks = ",".join("?" * len(batch))
                for row in db.execute(f"SELECT {selected} FROM {self.table} WHERE key IN ({marks})", batch):
                    found[row[0]] = tuple(row[1:])  # as stored: the reader checks every value
            today = _today()
            with db:  # marked as used today (a row at most once a day)
                for at in range(0, len(keys), 500):
                    batch = keys[at:at + 500]
                    db.execute(f"UPDATE {self.table} SET used = ? WHERE used < ? AND key IN "
                               f"({','.join('?' * len(batch))})", [today, today, *batch])
        except sqlite3.OperationalError:  # another build holds it too long: go without, delete nothing
            self._give_up()
            return {}
        except sqlite3.Error:
            self._discard()
            return {}
        return found

    def put_many(self, rows: list[tuple[str, ...]], used: set[str] | None = None) -> None:
        """Store ``(key, value, large texts...)`` rows; with ``used`` (every key this build needed),
        remove the records it did not use once they outnumber the used ones."""
        db = self._connect()
        if db is None:
            return
        marks = ",".join("?" * (3 + len(self.extra)))
        today = _today()
        try:
            with db:
                db.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES ({marks})",
                               (tuple(row) + (today,) for row in rows))
                if used is not None:
                    (count,) = db.execute(f"SELECT count(*) FROM {self.table}").fetchone()
                    if count > 2 * len(used) + 100:
                        db.execute(f"DELETE FROM {self.table} WHERE used < ?", (today - KEEP_DAYS,))
        except sqlite3.OperationalError:
            self._give_up()
        except sqlite3.Error:
            self._discard()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _give_up(self) -> None:
        """Go on without records for the rest of this build, leaving the database as it is."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        self.path = None

    def _discard(self) -> None:
        """Remove a database that cannot be read (the next build makes a new one) and go on without."""
        path = self.path
        self._give_up()
        if path is not None:
            for suffix in ("", "-journal", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    Path(str(path) + suffix).unlink(missing_ok=True)
