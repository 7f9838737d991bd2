"""Site model stage: :class:`Analysed` articles -> a :class:`Site` (every page, feed and link).

Nothing is rendered or written here. The archive is gathered once (order, slugs, paths,
groupings), then each page kind of the registry lays out its pages, so every page is known
before the first one is rendered.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from digestgen.config import Config
from digestgen.model import Analysed, Entry
from digestgen.site.context import ArticlePage
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


UNSEEN_FIELDS = frozenset({"html", "text", "body", "stored", "field_lines", "body_line"})
"""Fields of an article the site model does not read, unless the article links files beside it."""

REUSE_MAX_CHANGED = 64


def reuse_site(last: Site, before: Sequence[Analysed], items: Sequence[Analysed]) -> Site | None:
    """The site of ``items``, made from ``last`` (the site of ``before``) when the two differ only in
    what the site model does not read, or None: build it anew.

    The articles must be the same in number and order, none may link files beside it (those are
    looked for anew on every build), and each changed one must differ only in its body (an edit of
    a sentence, say) and keep its body in the build state. The changed articles' entries are replaced in the list of entries and on their own pages;
    listings elsewhere keep the last entries, which show the same (only an article's own page reads
    its body: callers check that the templates agree).
    """
    if len(before) != len(items):
        return None
    # An article that links files beside it has them looked for and its links rewritten by the
    # gathering, which may find otherwise now (an image added or removed): build anew.
    if any(it.stored is None or it.stored.local_refs for it in items):
        return None
    changed = [(old, new) for old, new in zip(before, items, strict=True) if old is not new]
    if len(changed) > REUSE_MAX_CHANGED or not all(_body_only(old, new) for old, new in changed):
        return None
    if not changed:
        return last
    swap = {id(old): new for old, new in changed}
    entries: list[Entry] = []
    moved: dict[int, Entry] = {}
    for e in last.entries:
        new_item = swap.get(id(e.item))
        if new_item is None:
            entries.append(e)
            continue
        replaced = dataclasses.replace(e, item=new_item)
        moved[id(e)] = replaced
        entries.append(replaced)
    if len(moved) != len(changed):  # an entry not found as it was analysed: build anew
        return None
    pages = tuple(_own_page_with(p, moved) for p in last.pages)
    return dataclasses.replace(last, entries=tuple(entries), pages=pages)


def _own_page_with(page: Page, moved: dict[int, Entry]) -> Page:
    context = page.context
    if not isinstance(context, ArticlePage) or id(context.entry) not in moved:
        return page
    return dataclasses.replace(page, context=dataclasses.replace(context, entry=moved[id(context.entry)]))


def _body_only(old: Analysed, new: Analysed) -> bool:
    """Whether two results of one article differ only in fields the site model does not read."""
    if old.stored is None or new.stored is None or old.stored.local_refs or new.stored.local_refs:
        return False
    return _seen(old) == _seen(new) and _seen(old.article) == _seen(new.article)


def _seen(value) -> tuple:
    return tuple(getattr(value, f.name) for f in dataclasses.fields(value)
                 if f.name not in UNSEEN_FIELDS and f.name != "article")
