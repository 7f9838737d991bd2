"""Theme pages: a listing per theme of the config (empty ones too), and the list of themes."""
from __future__ import annotations

from digestgen.site.pages import Feed, Page
from digestgen.site.context import Section, ThemeIndex
from digestgen.site import charts
from digestgen.site.panels import theme_figure_groups
from digestgen.site.gather import Archive
from digestgen.site.kind import PageKind, listing

SECTION = Section("主题", "themes/index.html", "themes/")


def pages(archive: Archive) -> list[Page | Feed]:
    out: list[Page | Feed] = []
    links = []
    for theme in archive.config.themes:
        chosen = [e for e in archive.entries if theme.id in e.item.themes]
        links.append(archive.theme_link(theme.id, len(chosen)))
        out += listing(archive, f"themes/{theme.id}", theme.name, chosen, kind="theme", section=SECTION,
                       feed=True, theme=theme, figures=theme_figure_groups(chosen, archive.actions, theme),
                       timeline=charts.timeline(chosen), place_bars=charts.place_bars(chosen))
    out.append(Page(SECTION.index, "themes.html", SECTION.label, ThemeIndex(themes=links)))
    return out


KIND = PageKind("theme", pages, SECTION)
