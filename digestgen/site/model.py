"""Site model stage: :class:`Analysed` articles -> a :class:`Site` (every page, feed and link).

Nothing is rendered or written here. The archive is gathered once (order, slugs, paths,
groupings), then each page kind of the registry lays out its pages, so every page is known
before the first one is rendered.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from digestgen.config import Config
from digestgen.model import Analysed
from digestgen.site.pages import Feed, Page, Site
from digestgen.site.gather import analysed_words, gather
from digestgen.site.kind import PageKind
from digestgen.site.kinds import KINDS


def build_site(items: Sequence[Analysed], config: Config, cut: Callable[[str], list[str]] | None = None,
               kinds: Sequence[PageKind] = KINDS) -> Site:
    """Gather the archive, then lay out the pages and feeds of every page kind."""
    archive = gather(items, config, cut or analysed_words(items))
    pages: list[Page] = []
    feeds: list[Feed] = []
    for kind in kinds:
        for made in kind.pages(archive):
            if isinstance(made, Feed):
                feeds.append(made)
            else:
                pages.append(made)
    sections = tuple(k.section for k in kinds if k.section)
    return Site(archive.entries, tuple(pages), tuple(feeds), archive.tag_links, sections,
                assets=tuple((a.path, a.source) for a in archive.assets), problems=archive.problems)
