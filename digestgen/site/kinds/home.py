"""The home page: the newest articles, paged, with the ways into the archive beside them."""
from __future__ import annotations

from digestgen.site.pages import Feed, Page
from digestgen.site.context import Home
from digestgen.site.gather import Archive
from digestgen.site import charts
from digestgen.site.kind import PageKind, listing
from digestgen.site.panels import by_count, tag_weights


def pages(archive: Archive) -> list[Page | Feed]:
    themes = [archive.theme_link(t.id, n) for t in archive.config.themes
              if (n := sum(1 for e in archive.entries if t.id in e.item.themes))]
    provinces = archive.region_children(())
    return listing(archive, "", archive.config.title, archive.entries, kind="home", section=None,
                   template="home.html", feed=True, context=Home,
                   regions=by_count(provinces), themes=by_count(themes, 15), tags=by_count(archive.tag_links, 40),
                   tag_weights=tag_weights(archive.tag_links[:40]),
                   counts={"articles": len(archive.entries), "regions": len(archive.by_region),
                           "tags": len(archive.tag_links)},
                   timeline=charts.timeline(archive.entries), tiles=charts.province_tiles(provinces))


KIND = PageKind("home", pages)
