"""The search page; its index files are made by the renderer (``digestgen.render.searchindex``)."""
from __future__ import annotations

from digestgen.site.pages import Feed, Page
from digestgen.site.context import Empty
from digestgen.site.gather import Archive
from digestgen.site.kind import PageKind


def pages(archive: Archive) -> list[Page | Feed]:
    return [Page("search.html", "search.html", "搜索", Empty())]


KIND = PageKind("search", pages)
