"""What each kind of page shows: one frozen dataclass per kind, the variables of its template.

The renderer passes a context's fields to the template as variables, next to the few that
every page has (``page``, ``site``, ``url``, ``sections``...). A template that names a
variable its context does not have fails the build (Jinja's ``StrictUndefined``), and a type
checker sees every place that makes a context.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from digestgen.config import Theme
from digestgen.model import Entry, Figure, Link
from digestgen.site.charts import Bar, Tile
from digestgen.site.paginate import Pager
from digestgen.site.related import Related


@dataclass(frozen=True, slots=True)
class Section:
    """A part of the site with an index page, linked from the main navigation."""

    label: str
    """Its name in the navigation and breadcrumbs (``地区``)."""
    index: str
    """Path of its index page (``regions/index.html``)."""
    prefix: str
    """Pages whose path starts with this belong to it (``regions/``)."""


@dataclass(frozen=True, slots=True)
class Context:
    """Base of every page context."""

    def variables(self) -> dict[str, Any]:
        """The fields as template variables (shallow: the values themselves, not copies)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Empty(Context):
    """A page whose template needs nothing beyond what every page has (404, search)."""


FigureGroups = Sequence[tuple[str, Sequence[tuple[Figure, Entry]]]]


@dataclass(frozen=True, slots=True)
class Listing(Context):
    """One page of a list of articles: a region, theme, tag, year, month or the home page."""

    kind: str
    section: Section | None
    """The section the listing belongs to, for its breadcrumb and feed link text."""
    heading: str
    entries: Sequence[Entry]
    """The articles on this page."""
    count: int
    """The articles in the whole listing."""
    pager: Pager
    feed: str | None
    first_page: bool
    breadcrumbs: Sequence[Link] = ()
    """Links between the section and this listing (province and city above a county)."""
    children: Sequence[Link] = ()
    """Listings below this one (a province's cities, a year's months)."""
    figures: FigureGroups = ()
    """Key figures of these articles, grouped by what is counted."""
    theme: Theme | None = None
    timeline: tuple[str, Sequence[Bar]] = ("", ())
    """Articles per month or year: (``月`` or ``年``, bars)."""
    theme_bars: Sequence[Bar] = ()
    """The themes of these articles (region pages)."""
    place_bars: Sequence[Bar] = ()
    """The provinces of these articles (theme pages)."""
    tiles: Sequence[Tile] = ()
    """A tile map: a province's cities on its page, every province on the home page."""


@dataclass(frozen=True, slots=True)
class Home(Listing):
    """The home page: the newest articles, and the ways into the archive."""

    regions: Sequence[Link] = ()
    themes: Sequence[Link] = ()
    """Themes that have articles."""
    tags: Sequence[Link] = ()
    tag_weights: Mapping[str, int] = field(default_factory=dict)
    """A size step 1-5 per tag of ``tags``."""
    counts: Mapping[str, int] = field(default_factory=dict)
    """Articles, regions and tags in the archive."""


@dataclass(frozen=True, slots=True)
class ArticlePage(Context):
    """One article, its neighbours in time and the articles related to it."""

    entry: Entry
    newer: Entry | None
    older: Entry | None
    related: Sequence[Related]
    """At most five, never ``newer`` or ``older``, each with why it is related."""


@dataclass(frozen=True, slots=True)
class RegionIndex(Context):
    """Every province, with its cities and their counties."""

    tree: Sequence[tuple[Link, Sequence[tuple[Link, Sequence[Link]]]]]
    tiles: Sequence[Tile] = ()
    """Every province-level division on a tile map."""


@dataclass(frozen=True, slots=True)
class ThemeIndex(Context):
    themes: Sequence[Link]


@dataclass(frozen=True, slots=True)
class TagIndex(Context):
    tags: Sequence[Link]
    """Tags that have a page, most used first."""
    tag_weights: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DateIndex(Context):
    """Years newest first, each with its months, and the undated articles."""

    years: Sequence[tuple[Link, Sequence[Link]]]
    undated: Link | None


@dataclass(frozen=True, slots=True)
class Redirect(Context):
    """A former address of an article (an ``aliases:`` entry), sending the reader on to it."""

    target: Entry
