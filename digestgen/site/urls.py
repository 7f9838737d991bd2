"""Where each thing lives in the site, and page-relative links between them.

Every path is relative to the site root and ends in a file name (``.../index.html``), so links
work from ``file://`` as well as from any host and sub-path.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from functools import lru_cache


HOME = "index.html"


def article_path(slug: str) -> str:
    return f"articles/{slug}.html"


def listing_path(folder: str, page: int = 1) -> str:
    """Page ``page`` of a paginated listing kept in ``folder`` ('' for the home page)."""
    name = "index.html" if page == 1 else f"page-{page}.html"
    return f"{folder}/{name}" if folder else name


def feed_path(folder: str) -> str:
    return f"{folder}/feed.xml" if folder else "feed.xml"


def relative(from_page: str, target: str) -> str:
    """The link from one site file to another (``../tags/x/index.html``)."""
    return _relative(posixpath.dirname(from_page), target)


@lru_cache(maxsize=65536)
def _relative(start: str, target: str) -> str:
    # Site paths are clean (no '.', '..' or '//'), so this is posixpath.relpath without the work.
    if not start:
        return target
    base, parts = start.split("/"), target.split("/")
    common = 0
    while common < len(base) and common < len(parts) - 1 and base[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:])


PINYIN: dict[str, str] = {}
"""Each word's slug form as :func:`slugify` made it (pypinyin's reading, ASCII only). A build fills it
from the build state before the site model and keeps what it learned, so a rebuild need not load
pypinyin at all (see :mod:`digestgen.pipeline`); the words' slugs are the same either way."""

MAX_SLUG_CHARS = 100
"""A generated slug is cut to this length, so a file name never exceeds the file system's limit."""


def slugify(words: Iterable[str], max_words: int = 8) -> str:
    """ASCII slug from words: pinyin per Chinese word, ASCII kept, joined by ``-``; at most
    :data:`MAX_SLUG_CHARS` characters (cut at a ``-`` where there is one)."""
    parts = []
    for word in words:
        ascii_word = PINYIN.get(word)
        if ascii_word is None:
            from pypinyin import lazy_pinyin  # imported on first use: a build with nothing new to name skips it
            ascii_word = re.sub(r"[^a-z0-9]+", "", "".join(lazy_pinyin(word, errors=lambda s: s)).lower())
            PINYIN[word] = ascii_word
        if ascii_word:
            parts.append(ascii_word)
        if len(parts) == max_words:
            break
    slug = "-".join(parts)
    if len(slug) > MAX_SLUG_CHARS:
        cut = slug[:MAX_SLUG_CHARS + 1].rpartition("-")[0]
        slug = cut or slug[:MAX_SLUG_CHARS]
    return slug


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def file_slug(source_file: str, cut: Callable[[str], list[str]]) -> str:
    """The slug an article file gives its page: its name without ``.md`` when that is already a
    slug (``2022-02-21-hengnan.md``), else the pinyin of its words; never the title, which is
    edited more often than the file is renamed."""
    stem = source_file.rsplit("/", 1)[-1].removesuffix(".md")
    if SLUG.match(stem.lower()):
        return stem.lower()
    return slugify(cut(stem), 12) or "article"


def unique(slug: str, taken: set[str]) -> str:
    """``slug``, or ``slug-2``, ``slug-3``... whichever is free; marks it taken."""
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate
