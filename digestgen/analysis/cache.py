"""Content-hash caches: per-article analysis results, and the fingerprint of a whole build.

A cache entry's key is a hash of the article (every front-matter field and the body) and of the
*salt*: digestgen's own code and data files (dictionary, stop words, gazetteer). Change any of
them and every key changes, so a stale entry is never found.

An entry is data, never code: one JSON file holding the schema version, its key and the values,
each checked for its type when read. An entry that cannot be read, is of another schema, or holds
a value of the wrong shape is ignored, counted and recomputed, never trusted, so a file planted in
the cache folder can at worst cost the time of analysing one article again.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import fields
from functools import lru_cache
from collections.abc import Callable
from pathlib import Path
from typing import Any

from digestgen import checked
from digestgen.bodies import TABLE
from digestgen.checked import Invalid, number
from digestgen.checked import array as _list
from digestgen.checked import boolean as _bool
from digestgen.checked import integer as _int
from digestgen.checked import opt_text as _opt_str
from digestgen.checked import text as _str
from digestgen.model import Figure, Region
from digestgen.state import Records

PACKAGE = Path(__file__).resolve().parent.parent
FORMAT = b"digestgen-cache-4"
SCHEMA = 4
"""Version of the entry layout; an entry of another version is recomputed."""


@lru_cache(maxsize=1)
def code_salt() -> str:
    """A hash of digestgen's source and data files: the invalidation rule for every cache."""
    h = hashlib.blake2b(FORMAT, digest_size=16)
    for path in sorted(list(PACKAGE.rglob("*.py")) + list((PACKAGE / "data").glob("*"))):
        h.update(path.relative_to(PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


class AnalysisCache:
    """Per-article analysis results in the build state's SQLite database (``path``): one row per
    key, the body's HTML and text in columns of their own, the rest as JSON data."""

    def __init__(self, path: Path | None, salt: str, memory: dict | None = None):
        self.folder = path
        self.memory = memory
        """Entries decoded by earlier builds of this process (``serve``), without their bodies;
        kept to the keys of the last build."""
        """Where the cache lives, for messages."""
        self.salt = salt.encode()
        self.records = Records(path, TABLE, SCHEMA, ("html", "text"))
        self.hits = self.misses = 0
        self.rejected = 0
        """Entries found but refused (unreadable, another schema, wrong shape); they are recomputed."""
        self._new: list[tuple[str, ...]] = []

    def key(self, *parts: object) -> str:
        h = hashlib.blake2b(self.salt, digest_size=20)
        for part in parts:
            h.update(repr(part).encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()

    def keys(self, settings: object, items: list) -> list[str]:
        """``key(settings, item)`` for each item, the settings hashed once."""
        start = hashlib.blake2b(self.salt, digest_size=20)
        start.update(repr(settings).encode("utf-8"))
        start.update(b"\x00")
        out = []
        for item in items:
            h = start.copy()
            h.update(repr(item).encode("utf-8"))
            h.update(b"\x00")
            out.append(h.hexdigest())
        return out

    def get_many(self, keys: list[str], bodies: bool = True, then: Callable | None = None) -> list:
        """The value stored under each key, or None (a miss; a refused entry is also counted as rejected).
        Without ``bodies``, the entries' ``html`` and ``text`` are left empty, not read. ``then`` is
        applied to each value found as it is read (so the decoded entries never all exist at once)."""
        warm = self.memory if self.memory is not None and not bodies else None
        wanted = sorted({k for k in keys if warm is None or k not in warm})
        rows = self.records.get_many(wanted, columns=None if bodies else 1)
        out: list = []
        for key in keys:
            if warm is not None and key in warm:
                self.hits += 1
                if then is not None:  # it makes what the caller keeps, leaving the entry as it is
                    out.append(then(warm[key]))
                else:
                    fields, problems = warm[key]
                    out.append(({**fields, "counts": Counter(fields["counts"])}, problems))  # the caller may change counts
                continue
            row = rows.get(key)
            value = None
            if row is not None:
                try:
                    if not all(type(v) is str for v in row) or sum(map(len, row)) > MAX_ENTRY_BYTES:
                        raise Invalid("not text, or too large")
                    value = decode_entry(json.loads(row[0]), *(row[1:] if bodies else ("", "")))
                except (Invalid, ValueError, RecursionError):
                    self.rejected += 1
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
                if warm is not None:
                    warm[key] = ({**value[0], "counts": Counter(value[0]["counts"])}, value[1])
                if then is not None:
                    value = then(value)
            out.append(value)
        return out

    def get(self, key: str):
        return self.get_many([key])[0]

    def put(self, key: str, value) -> None:
        """Keep ``value`` under ``key``; stored by :meth:`save`."""
        try:
            meta, html, text = encode_entry(value)
            data = json.dumps(meta, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (Invalid, ValueError, TypeError):
            return  # a value this schema cannot hold is simply not cached
        self._new.append((key, data, html, text))
        if self.memory is not None:
            fields, problems = value
            self.memory[key] = ({**fields, "html": "", "text": "", "counts": Counter(fields["counts"])}, problems)
        if len(self._new) >= 200:  # stored as they come, not held until the end of the analysis
            self.records.put_many(self._new)
            self._new = []

    @property
    def lost(self) -> bool:
        """Whether the database stopped answering during this build (locked by another build for
        longer than the wait, or unwritable): entries put since may not be there."""
        return self.folder is not None and self.records.path is None

    def save(self, used: set[str] | None = None) -> None:
        """Store the entries put since the last save (``used``: every key this build needed; the
        entries kept in memory are kept to those)."""
        self.records.put_many(self._new, used)
        if self.memory is not None and used is not None:
            for key in self.memory.keys() - used:
                del self.memory[key]
        self._new = []
        self.records.close()


MAX_ENTRY_BYTES = 64 * 1024 * 1024


# ---- the entry: (analysis of one article without the article, its problems) ----

def _region_in(v):
    if not isinstance(v, list) or len(v) != 4:
        raise Invalid("region expected")
    return Region(*(checked.opt_name(x) for x in v))


def _region_out(r):
    return [r.province, r.city, r.county, r.code]


def _counts_in(v):
    from collections import Counter
    if type(v) is not dict or not all(type(x) is int for x in v.values()):  # JSON keys are always text
        raise Invalid("word counts expected")
    return Counter(v)


def _opt_num(v):
    return None if v is None else number(v)


def _figure_out(f) -> list:
    return [getattr(f, name) for name in FIGURE_FIELDS]


def _figure_in(v):
    if type(v) is not list or len(v) != len(FIGURE_FIELDS):
        raise Invalid("key figure expected")
    text, metric, value, unit, direction, change, approx, action, rank = v
    if type(text) is not str or type(metric) is not str or type(unit) is not str or type(approx) is not bool \
            or type(rank) is not int or not (direction is None or type(direction) is str) \
            or not (change is None or type(change) is str) or not (action is None or type(action) is str) \
            or not (value is None or type(value) is int or (type(value) is float and math.isfinite(value))):
        raise Invalid("key figure expected")
    return Figure(text, metric, value, unit, direction, change, approx, action, rank).shared()


FIGURE_FIELDS = {"text": _str, "metric": _str, "value": _opt_num, "unit": _str, "direction": _opt_str,
                 "change": _opt_str, "approx": _bool, "action": _opt_str, "action_rank": _int}


def _pairs_in(v):
    out = []
    for pair in _list(v):
        if not isinstance(pair, list) or len(pair) != 2:
            raise Invalid("pair expected")
        out.append((checked.name(pair[0]), checked.name(pair[1])))
    return tuple(out)


_strings_in = checked.names


@lru_cache(maxsize=1)
def _part_codecs() -> dict:
    """Part class name -> (class, {field: (to JSON, from JSON with checks)}): the only things an entry
    can make, each from checked values."""
    from digestgen.analysis.figures import FiguresPart
    from digestgen.analysis.regions import RegionPart
    from digestgen.analysis.summary import SummaryPart
    from digestgen.analysis.themes import ThemesPart
    return {
        "RegionPart": (RegionPart, {"region": (_region_out, _region_in), "region_detected": (_bool, _bool),
                                    "region_path": (lambda p: [list(x) for x in p], _pairs_in)}),
        "ThemesPart": (ThemesPart, {"themes": (list, _strings_in)}),
        "FiguresPart": (FiguresPart, {"key_figures": (lambda fs: [_figure_out(f) for f in fs],
                                                      lambda v: tuple(_figure_in(x) for x in _list(v)))}),
        "SummaryPart": (SummaryPart, {"summary": (_str, _str), "reading_minutes": (_int, _int)}),
    }


def _parts_out(parts) -> list:
    codecs = _part_codecs()
    out = []
    for part in parts:
        name = type(part).__name__
        if name not in codecs:
            raise Invalid(f"no schema for {name}")
        _, codec = codecs[name]
        if {f.name for f in fields(part)} != codec.keys():
            raise Invalid(f"no schema for every field of {name}")
        out.append({"part": name, **{k: enc(getattr(part, k)) for k, (enc, _) in codec.items()}})
    return out


def _parts_in(v) -> tuple:
    codecs = _part_codecs()
    out = []
    for item in _list(v):
        if not isinstance(item, dict) or item.get("part") not in codecs:
            raise Invalid("analysis part expected")
        cls, codec = codecs[item["part"]]
        if item.keys() != {"part", *codec}:
            raise Invalid(f"fields of {item['part']} differ")
        out.append(cls(**{k: dec(item[k]) for k, (_, dec) in codec.items()}))
    return tuple(out)


# field name -> (to JSON, from JSON with checks); a field not listed here is not cached.
CODEC: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "title": (_str, _str), "html": (_str, _str), "text": (_str, _str),
    "counts": (dict, _counts_in),
    "title_words": (sorted, lambda v: frozenset(_str(x) for x in _list(v))),
    "parts": (_parts_out, _parts_in),
    "programmes": (sorted, lambda v: frozenset(_str(x) for x in _list(v))),
    "local_refs": (_bool, _bool),
}


BIG = ("html", "text")
"""Fields kept in columns of their own: read only with the entry, never parsed as JSON."""


def encode_entry(value) -> tuple[dict, str, str]:
    """(the fields of a prepared article but the article, its problems) -> (JSON-ready data, html, text)."""
    prepared, problems = value
    out = {}
    for name, field_value in prepared.items():
        if name not in CODEC:
            raise Invalid(f"no schema for field {name}")
        if name not in BIG:
            out[name] = CODEC[name][0](field_value)
    out["problems"] = [[p.path, p.line, p.level, p.message] for p in problems]
    return out, _str(prepared["html"]), _str(prepared["text"])


def decode_entry(value, html: str, text: str):
    if not isinstance(value, dict):
        raise Invalid("mapping expected")
    names = [n for n in CODEC if n not in BIG]  # every field of a prepared article but the article itself
    if set(value) != {*names, "problems"}:
        raise Invalid("fields differ")
    kwargs = {name: CODEC[name][1](value[name]) for name in names}
    kwargs["html"], kwargs["text"] = _str(html), _str(text)
    problems = checked.problems(value["problems"])
    return kwargs, problems


def _no_schema(name):
    raise Invalid(f"no schema for field {name}")
