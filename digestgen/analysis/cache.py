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
from collections import Counter
from dataclasses import fields
from functools import lru_cache
from collections.abc import Callable
from pathlib import Path
from typing import Any

from digestgen import checked
from digestgen.bodies import TABLE
from digestgen.checked import Invalid
from digestgen.checked import array as _list
from digestgen.checked import boolean as _bool
from digestgen.checked import integer as _int
from digestgen.checked import text as _str
from digestgen.model import Region
from digestgen.state import Records

PACKAGE = Path(__file__).resolve().parent.parent
FORMAT = b"digestgen-cache-6"
SCHEMA = 6
"""Version of the entry layout; an entry of another version is recomputed."""
READ_BATCH = 2000
"""Entries read from the database at a time (at 100,000 articles, every row read at once took
hundreds of megabytes beside the decoded entries)."""


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
        self.records = Records(path, TABLE, SCHEMA, BIG)
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

    def get_many(self, keys: list[str], bodies: bool = True, then: Callable | None = None,
                 figures: bool = False) -> list:
        """The value stored under each key, or None (a miss; a refused entry is also counted as rejected).
        Without ``bodies``, the entries' ``html`` and ``text`` are left empty and, unless ``figures``
        (or entries are kept in memory, which keeps them whole), so are their key figures
        (``FiguresPart.key_figures``; the counted ones are there): those columns are not read.
        ``then`` is applied to each value found as it is read (so the decoded entries never all
        exist at once)."""
        warm = self.memory if self.memory is not None and not bodies else None
        figures = figures or warm is not None
        out: list = []
        rows: dict[str, tuple] = {}
        for n, key in enumerate(keys):
            if n % READ_BATCH == 0:  # the stored rows are read a batch at a time, not all at once
                batch = keys[n:n + READ_BATCH]
                rows = self.records.get_many(sorted({k for k in batch if warm is None or k not in warm}),
                                             columns=None if bodies else 2 if figures else 1)
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
                    found = dict(zip(("value",) + BIG, row, strict=False))  # the columns read (a prefix), by name
                    value = decode_entry(json.loads(found["value"]), found.get("html", ""), found.get("text", ""),
                                         found.get("figures"))
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
            meta, html, text, figures = encode_entry(value)
            data = _json(meta)
        except (Invalid, ValueError, TypeError):
            return  # a value this schema cannot hold is simply not cached
        self._new.append((key, data, figures, html, text))  # in the order of BIG
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
        # All key figures are in a column of their own (read with the body), the counted ones here too.
        "FiguresPart": (FiguresPart, {"key_figures": None,
                                      "counted": (lambda fs: [checked.figure_out(f) for f in fs], checked.figures),
                                      "figures_digest": (_str, _str)}),
        "SummaryPart": (SummaryPart, {"summary": (_str, _str), "reading_minutes": (_int, _int)}),
    }


def _parts_out(parts) -> tuple[list, list]:
    """The parts as JSON data, and the key figures (kept in a column of their own)."""
    codecs = _part_codecs()
    out, kept = [], []
    for part in parts:
        name = type(part).__name__
        if name not in codecs:
            raise Invalid(f"no schema for {name}")
        _, codec = codecs[name]
        if {f.name for f in fields(part)} != codec.keys():
            raise Invalid(f"no schema for every field of {name}")
        out.append({"part": name, **{k: c[0](getattr(part, k)) for k, c in codec.items() if c is not None}})
        kept += [checked.figure_out(f) for k, c in codec.items() if c is None for f in getattr(part, k)]
    return out, kept


def _parts_in(v, figures: tuple) -> tuple:
    """The parts from their JSON data, with ``figures`` (read from their column, or none) as the
    key figures."""
    codecs = _part_codecs()
    out = []
    for item in _list(v):
        if not isinstance(item, dict) or item.get("part") not in codecs:
            raise Invalid("analysis part expected")
        cls, codec = codecs[item["part"]]
        if item.keys() != {"part", *(k for k, c in codec.items() if c is not None)}:
            raise Invalid(f"fields of {item['part']} differ")
        out.append(cls(**{k: figures if c is None else c[1](item[k]) for k, c in codec.items()}))
    return tuple(out)


def _apart(value):
    raise Invalid("the parts are coded with their key figures apart (encode_entry, decode_entry)")


# field name -> (to JSON, from JSON with checks); a field not listed here is not cached.
CODEC: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "title": (_str, _str), "html": (_str, _str), "text": (_str, _str),
    "counts": (dict, _counts_in),
    "title_words": (sorted, lambda v: frozenset(_str(x) for x in _list(v))),
    "parts": (_apart, _apart),
    "programmes": (sorted, lambda v: frozenset(_str(x) for x in _list(v))),
    "local_refs": (_bool, _bool),
}


BIG = ("figures", "html", "text")
"""Columns of their own, read only with the body, never parsed with the entry: every key figure
(as JSON), and the body's HTML and text. Only its own page and ``articles.json`` show them
(unless a template shows key figures on listings: then they are read with the entry)."""


def encode_entry(value) -> tuple[dict, str, str, str]:
    """(the fields of a prepared article but the article, its problems) -> (JSON-ready data, html,
    text, key figures as JSON)."""
    prepared, problems = value
    out: dict[str, Any] = {}
    figures: list = []
    for name, field_value in prepared.items():
        if name not in CODEC:
            raise Invalid(f"no schema for field {name}")
        if name == "parts":
            out[name], figures = _parts_out(field_value)
        elif name not in BIG:
            out[name] = CODEC[name][0](field_value)
    out["problems"] = [[p.path, p.line, p.level, p.message] for p in problems]
    return out, _str(prepared["html"]), _str(prepared["text"]), _json(figures)


def decode_entry(value, html: str, text: str, figures: str | None):
    """The fields and problems of an entry; without ``figures`` (the column was not read), the key
    figures are left out (the counted ones are in the entry)."""
    if not isinstance(value, dict):
        raise Invalid("mapping expected")
    names = [n for n in CODEC if n not in BIG]  # every field of a prepared article but the article itself
    if set(value) != {*names, "problems"}:
        raise Invalid("fields differ")
    kwargs = {name: CODEC[name][1](value[name]) for name in names if name != "parts"}
    kwargs["parts"] = _parts_in(value["parts"], () if figures is None else checked.figures_data(figures))
    kwargs["html"], kwargs["text"] = _str(html), _str(text)
    problems = checked.problems(value["problems"])
    return kwargs, problems


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
