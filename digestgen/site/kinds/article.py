"""Article pages: one per article, with its neighbours in time and related articles."""
from __future__ import annotations

from digestgen.site.pages import Feed, Page
from digestgen.site.context import ArticlePage
from digestgen.site.gather import Archive
from digestgen.site.kind import PageKind
from digestgen.site.related import related_with_reasons

def pages(archive: Archive) -> list[Page | Feed]:
    entries = archive.entries
    rel = related_with_reasons(entries, theme_names=archive.config.theme_names)
    out: list[Page | Feed] = []
    for i, e in enumerate(entries):
        newer = entries[i - 1] if i > 0 else None
        older = entries[i + 1] if i + 1 < len(entries) else None
        out.append(Page(e.path, "article.html", e.item.title,
                        ArticlePage(entry=e, newer=newer, older=older, related=rel[i])))
    return out


KIND = PageKind("article", pages)
