"""Region pages: a listing per node of the province > city > county tree, and the tree itself."""
from __future__ import annotations

from digestgen.site.pages import Feed, Page
from digestgen.site.context import RegionIndex, Section
from digestgen.site import charts
from digestgen.site.panels import theme_figure_groups
from digestgen.site.gather import Archive
from digestgen.site.kind import PageKind, listing

SECTION = Section("地区", "regions/index.html", "regions/")


def pages(archive: Archive) -> list[Page | Feed]:
    out: list[Page | Feed] = []
    for key in sorted(archive.by_region, key=archive.region_order.__getitem__):
        chosen = archive.by_region[key]
        crumbs = [archive.region_links[key[:i]] for i in range(1, len(key))]
        below = archive.region_children(key)
        out += listing(archive, archive.region_folders[key], key[-1], chosen, kind="region", section=SECTION,
                       feed=True, breadcrumbs=crumbs, children=below,
                       figures=theme_figure_groups(chosen, archive.actions),
                       timeline=charts.timeline(chosen), theme_bars=charts.theme_bars(chosen),
                       tiles=charts.city_tiles(key[0], below) if len(key) == 1 else [])
    tree = [(p, [(c, archive.region_children((p.name, c.name))) for c in archive.region_children((p.name,))])
            for p in archive.region_children(())]
    tiles = charts.province_tiles(archive.region_children(()))
    out.append(Page(SECTION.index, "regions.html", SECTION.label, RegionIndex(tree=tree, tiles=tiles)))
    return out


KIND = PageKind("region", pages, SECTION)
