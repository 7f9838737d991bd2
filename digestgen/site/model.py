"""Site model stage: :class:`Analysed` articles -> a :class:`Site` (every page, feed and link).

Nothing is rendered or written here. The archive is gathered once (order, slugs, paths,
groupings), then each page kind of the registry lays out its pages, so every page is known
before the first one is rendered.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

from digestgen.config import Config
from digestgen.model import Analysed, Entry, Problem
from digestgen.site.context import ArticlePage, Section
from digestgen.site.pages import Feed, Page, Site
from digestgen.site.gather import analysed_words, gather, localised
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
    return Site(archive.entries, tuple(pages), tuple(feeds), archive.tag_links, sections_of(kinds),
                assets=tuple((a.path, a.source) for a in archive.assets), problems=archive.problems)


def sections_of(kinds: Sequence[PageKind] = KINDS) -> tuple[Section, ...]:
    """The parts of the site in the main navigation, in the order of the page kinds."""
    return tuple(k.section for k in kinds if k.section)


UNSEEN_FIELDS = frozenset({"html", "text", "body", "stored", "field_lines", "body_line", "key_figures",
                           "figures_digest"})
"""Fields of an article the site model does not read but to rewrite the links of an article that
links files beside it (which :func:`reuse_site` does again)."""

REUSE_MAX_CHANGED = 64


def reuse_site(last: Site, before: Sequence[Analysed], items: Sequence[Analysed], config: Config) -> Site | None:
    """The site of ``items``, made from ``last`` (the site of ``before``) when the two differ only in
    what the site model does not read, or None: build it anew.

    The articles must be the same in number and order, and each changed one must differ only in
    its body (an edit of a sentence, say) and keep its body in the build state. The changed
    articles' entries are replaced in the list of entries and on their own pages; listings
    elsewhere keep the last entries, which show the same (only an article's own page reads its
    body: callers check that the templates agree). Articles that link files beside them (an
    image) have those files looked for again, as gathering does, since they may have been added
    or removed.
    """
    if len(before) != len(items):
        return None
    changed = [(old, new) for old, new in zip(before, items, strict=True) if old is not new]
    if len(changed) > REUSE_MAX_CHANGED or not all(_body_only(old, new) for old, new in changed):
        return None
    linking = [it for it in items if it.stored is None or it.stored.local_refs]
    if not changed and not linking:
        return last
    if any(it.stored is None for it in linking):
        return None
    redo = {new.article.source_file: new for _, new in changed}
    redo.update((it.article.source_file, it) for it in linking)
    entries: list[Entry] = []
    moved: dict[int, Entry] = {}
    assets: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    for e in last.entries:
        new_item = redo.get(e.item.article.source_file)
        if new_item is None:
            entries.append(e)
            continue
        if new_item.stored is not None and new_item.stored.local_refs:
            new_item, found, missing = localised(new_item, e.slug, config)
            assets += [(a.path, a.source) for a in found]
            problems += missing
        replaced = dataclasses.replace(e, item=new_item)
        moved[id(e)] = replaced
        entries.append(replaced)
    if len(moved) != len(redo):  # an entry not found as it was analysed: build anew
        return None
    pages = tuple(_own_page_with(p, moved) for p in last.pages)
    return dataclasses.replace(last, entries=tuple(entries), pages=pages, assets=tuple(assets),
                               problems=tuple(problems))


def _own_page_with(page: Page, moved: dict[int, Entry]) -> Page:
    context = page.context
    if not isinstance(context, ArticlePage) or id(context.entry) not in moved:
        return page
    return dataclasses.replace(page, context=dataclasses.replace(context, entry=moved[id(context.entry)]))


def _body_only(old: Analysed, new: Analysed) -> bool:
    """Whether two results of one article differ only in fields the site model does not read."""
    if old.stored is None or new.stored is None:
        return False
    return _seen(old) == _seen(new) and _seen(old.article) == _seen(new.article)


def _seen(value) -> tuple:
    return tuple(getattr(value, f.name) for f in dataclasses.fields(value)
                 if f.name not in UNSEEN_FIELDS and f.name != "article")
