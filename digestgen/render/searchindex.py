"""The search index: sharded script files the search page loads on demand (also from ``file://``).


Terms are Chinese character bigrams and lower-cased runs of ASCII letters and digits, so a query
matches however jieba would have cut it. Each term's postings sit in one of the shard files,
chosen by a hash of the term; a query loads only its terms' shards. Titles and tags get
postings of their own (they rank higher) and also single characters, so one-character queries
still find titles. Article text for snippets and phrase checks is split in buckets loaded only
for the results shown.
"""
from __future__ import annotations

import datetime as dt
import json
import operator
import re
from array import array
from itertools import chain, repeat
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from digestgen.bodies import stored_text
from digestgen.model import Entry, OutputFile, Stored

MAX_SHARDS = 1024
ARTICLES_PER_SHARD = 10
META_BUCKET = 25
TEXT_BUCKET = 1
CJK = "\u3400-\u9fff\uf900-\ufaff"
CJK_PAIR = re.compile(f"(?=([{CJK}]{{2}}))")
"""Every two Chinese characters side by side (the matches overlap)."""
CJK_CHAR = re.compile(f"[{CJK}]")
LONE_CJK = re.compile(f"(?<![{CJK}])[{CJK}](?![{CJK}])")
"""A Chinese character between others that are not."""
ASCII_RUN = re.compile(r"[a-z0-9]+")


def terms(text: str, unigrams: bool = False) -> set[str]:
    """Index terms of a text: CJK bigrams (none across a non-Chinese character), lone Chinese
    characters (every character, if asked) and ASCII words."""
    found = set(CJK_PAIR.findall(text))
    found.update((CJK_CHAR if unigrams else LONE_CJK).findall(text))
    found.update(ASCII_RUN.findall(text.lower()))
    return found


def shard_count(articles: int) -> int:
    """Enough shards that one holds the postings of about ten articles' worth of terms."""
    n = 8
    while n < MAX_SHARDS and n * ARTICLES_PER_SHARD < articles:
        n *= 2
    return n


def shard_of(term: str, shards: int) -> int:
    """FNV-1a over UTF-16 code units; ``search.js`` computes the same."""
    h = 0x811C9DC5
    data = term.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h ^= data[i] | (data[i + 1] << 8)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h % shards


def _encode(ids: Sequence[int]) -> str:
    """Ascending doc ids as base-36 gaps: compact and cheap to decode."""
    gaps = map(operator.sub, ids, chain((-1,), ids))
    if not ids or ids[-1] < len(_SMALL) - 1:  # every gap is a small one
        return ",".join(map(_SMALL.__getitem__, gaps))
    return ",".join(_SMALL[g] if g < len(_SMALL) else _b36(g) for g in gaps)


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while True:
        n, r = divmod(n, 36)
        s = digits[r] + s
        if not n:
            return s


_SMALL = [_b36(n) for n in range(36 ** 3)]


def _script(call: str, *args: object) -> bytes:
    body = ",".join(json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in args)
    return f"DigestSearch.{call}({body});\n".encode()


@dataclass(frozen=True, slots=True)
class Doc:
    """What the index reads of an article: small, so that the index can be made in a process of
    its own that holds nothing else of the build (its text is read from the build state)."""

    path: str
    title: str
    tags: tuple[str, ...]
    places: tuple[str, ...]
    """The region's names, top down."""
    province: str | None
    source: str
    date: dt.datetime | None
    themes: tuple[str, ...]
    text: str
    """The body as plain text, unless it is kept in the build state (``stored``)."""
    stored: Stored | None

    def body(self) -> str:
        return stored_text(self.stored, self.text)


def doc_of(e: Entry) -> Doc:
    it = e.item
    return Doc(e.path, it.title, it.tags, it.region.names, it.region.province, it.article.source or "",
               it.article.date, it.themes, it.text, it.stored)


def docs_of(entries: Sequence[Entry]) -> list[Doc]:
    return [doc_of(e) for e in entries]


FACETS_PATH = "search/facets.js"


def shard_path(n: int) -> str:
    return f"search/s{n}.js"


def meta_path(bucket: int) -> str:
    return f"search/m{bucket}.js"


def meta_paths(articles: int) -> list[str]:
    """The titles-and-dates files for this many articles, one per :data:`META_BUCKET` of them."""
    return [meta_path(n) for n in range((articles + META_BUCKET - 1) // META_BUCKET)]


def text_path(doc: int) -> str:
    """The file holding article ``doc``'s text."""
    return f"search/t{doc // TEXT_BUCKET}.js"


def index_paths(articles: int) -> list[str]:
    """The paths of the files :func:`search_files` makes for this many articles, in its order."""
    return ([shard_path(n) for n in range(shard_count(articles))] + meta_paths(articles)
            + [text_path(i) for i in range(0, articles, TEXT_BUCKET)] + [FACETS_PATH])


def head_of(d: Doc) -> str:
    """What an article's title postings are made from: title, tags, region and source."""
    return " ".join((d.title, " ".join(d.tags), *d.places, d.source))


def doc_terms(d: Doc) -> tuple[set[str], set[str]]:
    """An article's terms: those of its title postings, and those of its text."""
    return terms(head_of(d), unigrams=True), terms(d.body())


def search_files(docs: Sequence[Doc], theme_names: dict[str, str], tags: list[tuple[str, str, int]],
                 record: Callable[[int, set[str], set[str]], None] | None = None) -> Iterator[OutputFile]:
    """Every file of the search index, one at a time. ``tags`` are (name, page path, count) for
    suggestions. ``record(doc, head terms, body terms)``, if given, is told each article's terms.

    The texts are read once for the terms and again for the text files, which are made as they
    are taken, so the archive's texts are never all held at once."""
    # Postings as arrays of machine integers (two or four bytes a posting, not a list's eight): an
    # archive's texts hold tens of millions of them, all in memory until the shards are written.
    postings = partial(array, "H" if len(docs) <= 0xFFFF else "I")
    heads: defaultdict[str, array] = defaultdict(postings)
    bodies: defaultdict[str, array] = defaultdict(postings)
    for doc_id, d in enumerate(docs):
        head, body = doc_terms(d)
        if record is not None:
            record(doc_id, head, body)
        _post(heads, head, doc_id)
        _post(bodies, body, doc_id)
    count = shard_count(len(docs))
    in_shard: defaultdict[int, list[str]] = defaultdict(list)
    for term in heads.keys() | bodies.keys():
        in_shard[shard_of(term, count)].append(term)
    for n in range(count):  # each shard's postings let go of as it is written
        table = {term: [_encode(heads.pop(term, ())), _encode(bodies.pop(term, ()))]
                 for term in sorted(in_shard.pop(n, ()))}  # not set order, which varies by process
        yield OutputFile(shard_path(n), _script("shard", n, table))
    yield from meta_files(docs)
    for i, d in enumerate(docs):
        yield text_file(d, i)
    yield facets_file(docs, theme_names, tags)


def _post(lists: defaultdict[str, array], found: set[str], doc_id: int) -> None:
    """Add ``doc_id`` to the list of each term of ``found`` (a loop run by the interpreter's C
    code: an archive's texts hold tens of millions of terms)."""
    deque(map(array.append, map(lists.__getitem__, found), repeat(doc_id)), maxlen=0)


def meta_files(docs: Sequence[Doc]) -> list[OutputFile]:
    """Titles, dates, regions and tags, in buckets of :data:`META_BUCKET` articles."""
    files = []
    for start in range(0, len(docs), META_BUCKET):
        chunk = docs[start:start + META_BUCKET]
        rows = [[d.path, d.title, d.date.strftime("%Y-%m-%d") if d.date else "",
                 " / ".join(d.places), list(d.tags[:6])] for d in chunk]
        files.append(OutputFile(meta_path(start // META_BUCKET), _script("meta", start // META_BUCKET, rows)))
    return files


def text_file(d: Doc, doc: int) -> OutputFile:
    """One article's text, for snippets and phrase checks (``TEXT_BUCKET`` is 1)."""
    text = " ".join((d.title, d.source, *d.places)) + "\n" + d.body()
    return OutputFile(text_path(doc), _script("text", doc // TEXT_BUCKET, [text]))


def facets_file(docs: Sequence[Doc], theme_names: dict[str, str], tags: list[tuple[str, str, int]]
                ) -> OutputFile:
    """Filters (years, provinces, themes of each article) and tag suggestions."""
    years: list[int] = sorted({d.date.year for d in docs if d.date}, reverse=True)
    provinces: list[str] = sorted({d.province for d in docs if d.province})
    theme_ids = list(theme_names)
    year_at = {y: i for i, y in enumerate(years)}
    province_at = {p: i for i, p in enumerate(provinces)}
    theme_bit = {t: 1 << i for i, t in enumerate(theme_ids)}
    rows = []
    for d in docs:
        bits = sum(theme_bit[t] for t in d.themes if t in theme_bit)
        rows.append([year_at[d.date.year] if d.date else -1, province_at[d.province] if d.province else -1, bits])
    facets = {"count": len(docs), "shards": shard_count(len(docs)), "metaBucket": META_BUCKET,
              "textBucket": TEXT_BUCKET, "years": years, "provinces": provinces,
              "themes": [[t, theme_names[t]] for t in theme_ids], "docs": rows, "tags": [list(t) for t in tags]}
    return OutputFile(FACETS_PATH, _script("facets", facets))


def patch_shard(n: int, old: bytes, changes: list[tuple[int, set[str], set[str], set[str], set[str]]],
                count: int) -> OutputFile | None:
    """Shard ``n`` as :func:`search_files` would make it, from the last build's shard file and the
    articles whose terms changed: ``(doc, old head terms, old body terms, new head, new body)``.
    None if the old file is not a shard this version wrote (the caller then makes the index anew)."""
    prefix = f"DigestSearch.shard({n},".encode()
    if not old.startswith(prefix) or not old.endswith(b");\n"):
        return None
    try:
        table = json.loads(old[len(prefix):-3])
    except ValueError:
        return None
    if not isinstance(table, dict):
        return None
    lists: dict[str, tuple[list[int], list[int]]] = {}
    for doc, old_head, old_body, new_head, new_body in changes:
        for slot, before, after in ((0, old_head, new_head), (1, old_body, new_body)):
            for term in before ^ after:
                if shard_of(term, count) != n:
                    continue
                if term not in lists:
                    pair = table.get(term, ["", ""])
                    if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(x, str) for x in pair):
                        return None
                    lists[term] = (_decode(pair[0]), _decode(pair[1]))
                ids = lists[term][slot]
                if term in after:
                    ids.append(doc)
                    ids.sort()
                elif doc in ids:
                    ids.remove(doc)
    for term, (head_ids, body_ids) in lists.items():
        if head_ids or body_ids:
            table[term] = [_encode(head_ids), _encode(body_ids)]
        else:
            table.pop(term, None)
    return OutputFile(shard_path(n), _script("shard", n, dict(sorted(table.items()))))


def _decode(encoded: str) -> list[int]:
    """The doc ids :func:`_encode` wrote."""
    ids, at = [], -1
    for gap in encoded.split(",") if encoded else []:
        at += int(gap, 36)
        ids.append(at)
    return ids
