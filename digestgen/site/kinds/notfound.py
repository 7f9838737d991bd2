"""The page a host shows for a missing address (``404.html``)."""
from __future__ import annotations

from digestgen.site.pages import Feed, Page
from digestgen.site.context import Empty
from digestgen.site.gather import Archive
from digestgen.site.kind import PageKind


def pages(archive: Archive) -> list[Page | Feed]:
    return [Page("404.html", "404.html", "页面不存在", Empty())]


KIND = PageKind("notfound", pages)
