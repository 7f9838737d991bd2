"""Article pages: one per article, with its neighbours in time and related articles."""
from __future__ import annotations

from collections.abc import Sequence

from digestgen.model import Entry
from digestgen.site.pages import Feed, Page
from digestgen.site.context import ArticlePage
from digestgen.site.gather import Archive
from digestgen.site.kind import PageKind
from digestgen.site.related import Related, related_with_reasons


def pages(archive: Archive) -> list[Page | Feed]:
    entries = archive.entries
    rel = related_with_reasons(entries, theme_names=archive.config.theme_names)
    return [page(entries, i, len(entries), rel[i]) for i in range(len(entries))]


def page(entries: Sequence[Entry], i: int, count: int, related: Sequence[Related]) -> Page:
    """The page of article ``i`` of the ``count`` entries (``entries[i]``, and its neighbours
    ``entries[i - 1]`` and ``entries[i + 1]`` where it has them, are read)."""
    e = entries[i]
    newer = entries[i - 1] if i > 0 else None
    older = entries[i + 1] if i + 1 < count else None
    return Page(e.path, "article.html", e.item.title, ArticlePage(entry=e, newer=newer, older=older, related=related))


KIND = PageKind("article", pages)
