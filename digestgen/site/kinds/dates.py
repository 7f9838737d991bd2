"""Date archive: a listing per year and per month, one for undated articles, and the index."""
from __future__ import annotations

from collections import defaultdict

from digestgen.model import Entry, Link
from digestgen.site.pages import Feed, Page
from digestgen.site.context import DateIndex, Section
from digestgen.site.gather import Archive
from digestgen.site.kind import PageKind, listing
from digestgen.site.urls import listing_path

SECTION = Section("归档", "archive/index.html", "archive/")
UNDATED = "日期不详"


def pages(archive: Archive) -> list[Page | Feed]:
    years: dict[int, list[Entry]] = defaultdict(list)
    months: dict[tuple[int, int], list[Entry]] = defaultdict(list)
    undated = []
    for e in archive.entries:
        d = e.item.article.date
        if d is None:
            undated.append(e)
        else:
            years[d.year].append(e)
            months[(d.year, d.month)].append(e)
    month_links = {k: Link(f"{k[0]}年{k[1]}月", listing_path(f"archive/{k[0]}/{k[1]:02d}"), len(v))
                   for k, v in months.items()}
    out: list[Page | Feed] = []
    year_rows = []
    for year in sorted(years, reverse=True):
        ms = [month_links[k] for k in sorted(months, reverse=True) if k[0] == year]
        year_link = Link(f"{year}年", listing_path(f"archive/{year}"), len(years[year]))
        year_rows.append((year_link, ms))
        out += listing(archive, f"archive/{year}", year_link.name, years[year], kind="year", section=SECTION,
                       children=ms)
    for (year, month), chosen in months.items():
        out += listing(archive, f"archive/{year}/{month:02d}", month_links[(year, month)].name, chosen,
                       kind="month", section=SECTION, breadcrumbs=[Link(f"{year}年", listing_path(f"archive/{year}"))])
    undated_link = None
    if undated:
        undated_link = Link(UNDATED, listing_path("archive/undated"), len(undated))
        out += listing(archive, "archive/undated", UNDATED, undated, kind="undated", section=SECTION)
    out.append(Page(SECTION.index, "archive.html", "日期归档", DateIndex(years=year_rows, undated=undated_link)))
    return out


KIND = PageKind("dates", pages, SECTION)
