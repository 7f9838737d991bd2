"""The build state: what each output file of the last build was made from, kept between builds.

One SQLite database in the cache folder (``state.sqlite``) holds, per output folder, each file's
key (:mod:`digestgen.render.keys`: a hash of exactly what the file shows) and the hash of its
bytes. SQLite's journal makes a crash mid-update leave the previous state whole. It holds data
only, never code; a database that cannot be read is treated as empty (everything is rendered)
and replaced.
"""
from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

SCHEMA = 1


class BuildState:
    """Keys and content hashes of the files of the last build into each output folder."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS outputs (site TEXT NOT NULL, path TEXT NOT NULL, "
                    "key TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (site, path)) WITHOUT ROWID")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        version = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        if version is None or version[0] != str(SCHEMA):
            with db:
                db.execute("DELETE FROM outputs")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
        return db

    def load(self, site: Path) -> dict[str, tuple[str, str]]:
        """``{path: (key, digest)}`` of the last build into ``site`` (empty when unknown)."""
        if self.path is None:
            return {}
        try:
            db = self._connect()
            try:
                rows = db.execute("SELECT path, key, digest FROM outputs WHERE site = ?", (str(site),)).fetchall()
            finally:
                db.close()
        except (sqlite3.Error, OSError):
            self._discard()
            return {}
        return {path: (key, digest) for path, key, digest in rows
                if isinstance(path, str) and isinstance(key, str) and isinstance(digest, str)}

    def save(self, site: Path, keys: dict[str, str], digests: dict[str, str]) -> None:
        """Record the files just written into ``site``: their keys and content hashes."""
        if self.path is None:
            return
        rows = [(str(site), path, key, digests[path]) for path, key in keys.items() if path in digests]
        try:
            db = self._connect()
            try:
                with db:
                    db.execute("DELETE FROM outputs WHERE site = ?", (str(site),))
                    db.executemany("INSERT INTO outputs VALUES (?, ?, ?, ?)", rows)
            finally:
                db.close()
        except (sqlite3.Error, OSError):
            self._discard()  # the next build renders everything; the site itself is whole

    def _discard(self) -> None:
        assert self.path is not None
        for suffix in ("", "-journal", "-wal"):
            with contextlib.suppress(OSError):  # a folder we may not change: the state is only an aid
                Path(str(self.path) + suffix).unlink(missing_ok=True)
