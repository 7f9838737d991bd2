"""The home page: the newest articles, paged, with the ways into the archive beside them."""
from __future__ import annotations

from digestgen.site.pages import Feed, Page
from digestgen.site.context import Home
from digestgen.site.gather import Archive
from digestgen.site.kind import PageKind, listing


def pages(archive: Archive) -> list[Page | Feed]:
    themes = [archive.theme_link(t.id, n) for t in archive.config.themes
              if (n := sum(1 for e in archive.entries if t.id in e.item.themes))]
    return listing(archive, "", archive.config.title, archive.entries, kind="home", section=None,
                   template="home.html", feed=True, context=Home,
                   regions=archive.region_children(()), themes=themes, tags=archive.tag_links,
                   counts={"articles": len(archive.entries), "regions": len(archive.by_region),
                           "tags": len(archive.tag_links)})


KIND = PageKind("home", pages)
