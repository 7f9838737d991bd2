"""A page kind: how one kind of page (region listing, article, tag index...) is made.

Every kind is a module of ``digestgen/site/kinds/`` with a ``KIND``, listed once in that
package's ``KINDS``. The site model runs each kind's ``pages`` over the gathered
:class:`~digestgen.site.gather.Archive`; navigation comes from the kinds' sections.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from digestgen.model import Entry
from digestgen.site.pages import Feed, Page
from digestgen.site.context import Listing, Section
from digestgen.site.gather import Archive
from digestgen.site.paginate import paginate
from digestgen.site.urls import feed_path, listing_path

FEED_SIZE = 20


@dataclass(frozen=True)
class PageKind:
    name: str
    pages: Callable[[Archive], Iterable[Page | Feed]]
    """Every page (and feed) of this kind."""
    section: Section | None = None
    """Set when the kind has an index page in the main navigation."""


def listing(archive: Archive, folder: str, title: str, chosen: Sequence[Entry], *, kind: str,
            section: Section | None, template: str = "listing.html", feed: bool = False,
            context: type[Listing] = Listing, **fields) -> list[Page | Feed]:
    """The pages of one list of articles under ``folder``, and its feed when ``feed`` is set.

    ``fields`` are the rest of the context (breadcrumbs, children, figures...); they go on
    every page of the listing.
    """
    config = archive.config
    feed_file = feed_path(folder) if feed else None
    out: list[Page | Feed] = []
    if feed_file:
        out.append(Feed(feed_file, f"{title} - {config.title}", listing_path(folder), tuple(chosen[:FEED_SIZE])))
    for part in paginate(chosen, config.page_size, lambda n: listing_path(folder, n)):
        n = part.pager.number
        page_title = title if n == 1 else f"{title}(第 {n} 页)"
        ctx = context(kind=kind, section=section, heading=title, entries=part.items, count=len(chosen),
                      pager=part.pager, feed=feed_file, first_page=n == 1, **fields)
        out.append(Page(listing_path(folder, n), template, page_title, ctx, feed=feed_file))
    return out
