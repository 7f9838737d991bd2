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


def feed_entries(chosen: Sequence[Entry]) -> list[Entry]:
    """The newest articles a feed lists: dated ones only (an entry's ``updated`` is its own date,
    never borrowed), and never a draft."""
    return [e for e in chosen if e.item.article.date and not e.item.article.draft][:FEED_SIZE]


def listing(archive: Archive, folder: str, title: str, chosen: Sequence[Entry], *, kind: str,
            section: Section | None, template: str = "listing.html", feed: bool = False,
            context: type[Listing] = Listing, **fields) -> list[Page | Feed]:
    """The pages of one list of articles under ``folder``, and its feed when ``feed`` is set.

    ``fields`` are the rest of the context (breadcrumbs, children, figures...); they go on
    every page of the listing.
    """
    config = archive.config
    fed = feed_entries(chosen) if feed else []
    # The home page's feed is always written (every page links to it); another listing's only
    # when it has dated articles.
    feed_file = feed_path(folder) if feed and (fed or not folder) else None
    out: list[Page | Feed] = []
    if feed_file:
        feed_title = title if title == config.title else f"{title} - {config.title}"
        out.append(Feed(feed_file, feed_title, listing_path(folder), tuple(fed)))
    for part in paginate(chosen, config.page_size, lambda n: listing_path(folder, n)):
        n = part.pager.number
        page_title = title if n == 1 else f"{title}(第 {n} 页)"
        ctx = context(kind=kind, section=section, heading=title, entries=part.items, count=len(chosen),
                      pager=part.pager, feed=feed_file, first_page=n == 1, **fields)
        out.append(Page(listing_path(folder, n), template, page_title, ctx, feed=feed_file))
    return out
