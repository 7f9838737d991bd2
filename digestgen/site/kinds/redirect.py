"""Redirect pages: one at each former address of an article (its ``aliases:``), so links and
bookmarks to a renamed page still arrive. They work from ``file://`` and on any host: a
``<meta http-equiv="refresh">`` with a relative address, and a link for the reader."""
from __future__ import annotations

from digestgen.site.pages import Feed, Page
from digestgen.site.context import Redirect
from digestgen.site.gather import Archive
from digestgen.site.kind import PageKind
from digestgen.site.urls import article_path

TEMPLATE = "redirect.html"


def pages(archive: Archive) -> list[Page | Feed]:
    live = {e.slug for e in archive.entries}
    done: set[str] = set()
    out: list[Page | Feed] = []
    for e in archive.entries:
        for alias in e.item.article.aliases:
            if alias in live or alias in done:  # reported by the pipeline (permalinks.alias_problems)
                continue
            done.add(alias)
            out.append(Page(article_path(alias), TEMPLATE, e.item.title, Redirect(target=e)))
    return out


KIND = PageKind("redirect", pages)
