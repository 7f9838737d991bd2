"""Content-hash caches: per-article analysis results, and the fingerprint of a whole build.

A cache entry's key is a hash of the article (every front-matter field and the body) and of the
*salt*: digestgen's own code and data files (dictionary, stop words, gazetteer). Change any of
them and every key changes, so a stale entry is never found. An entry that cannot be read is
ignored and recomputed, never trusted.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
FORMAT = b"digestgen-cache-1"


@lru_cache(maxsize=1)
def code_salt() -> str:
    """A hash of digestgen's source and data files: the invalidation rule for every cache."""
    h = hashlib.blake2b(FORMAT, digest_size=16)
    for path in sorted(list(PACKAGE.rglob("*.py")) + list((PACKAGE / "data").glob("*"))):
        h.update(path.relative_to(PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


class AnalysisCache:
    """Pickled per-article results under ``folder`` (one file per key, so an edit writes one file)."""

    def __init__(self, folder: Path | None, salt: str):
        self.folder = folder
        self.salt = salt.encode()
        self.hits = self.misses = 0

    def key(self, *parts: object) -> str:
        h = hashlib.blake2b(self.salt, digest_size=20)
        for part in parts:
            h.update(repr(part).encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()

    def get(self, key: str):
        if self.folder is None:
            return None
        path = self.folder / key[:2] / key
        try:
            with path.open("rb") as f:
                stored_key, value = pickle.load(f)
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:  # corrupt, truncated or from another version: recompute
            self.misses += 1
            return None
        if stored_key != key:
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value) -> None:
        if self.folder is None:
            return
        folder = self.folder / key[:2]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                pickle.dump((key, value), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, folder / key)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower
