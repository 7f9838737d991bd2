"""Permalinks kept: an article's address changes only when its file or ``slug:`` does, and then
``aliases:`` keeps the old address working. The build compares its article addresses with the
previous build's (kept in the output folder's manifest) and warns about each one that is gone."""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from digestgen.model import Entry, Problem
from digestgen.site.urls import article_path


def published(entries: Sequence[Entry]) -> dict[str, str]:
    """Address -> article file (as shown in messages) of every published (non-draft) article."""
    return {e.path: e.item.article.display_path for e in entries if not e.item.article.draft}


def alias_problems(entries: Sequence[Entry]) -> list[Problem]:
    """An alias that is some article's current address, or claimed by two articles, makes no redirect."""
    live = {e.slug: e for e in entries}
    owner: dict[str, Entry] = {}
    problems = []
    for e in entries:
        a = e.item.article
        for alias in a.aliases:
            if alias in live:
                other = live[alias].item.article.display_path
                what = "this article's own slug" if live[alias] is e else f"the address of {other}"
                problems.append(Problem(a.display_path, a.line_of("aliases"), "warning",
                                        f"alias '{alias}' is {what}, so no redirect is made; remove it from aliases"))
            elif alias in owner:
                problems.append(Problem(a.display_path, a.line_of("aliases"), "warning",
                                        f"alias '{alias}' is also an alias of {owner[alias].item.article.display_path}; "
                                        "the redirect goes there; remove it from one of them"))
            else:
                owner[alias] = e
    return problems


def vanished(previous: Mapping[str, str], entries: Sequence[Entry], failed: Collection[str] = ()) -> list[Problem]:
    """A warning for each article address of the previous build that this build no longer has,
    neither as a page nor as a redirect (an ``aliases:`` entry). Files in ``failed`` were left
    out for an error, already reported, and get no second message."""
    now = {e.path for e in entries}
    redirects = {article_path(alias) for e in entries for alias in e.item.article.aliases}
    by_file = {e.item.article.display_path: e for e in entries}
    problems = []
    for path, source in sorted(previous.items()):
        if path in now or path in redirects or source in failed:
            continue
        old = path.removeprefix("articles/").removesuffix(".html")
        moved = by_file.get(source)
        if moved is not None:
            a = moved.item.article
            problems.append(Problem(source, a.line_of("slug") if a.slug else 1, "warning",
                                    f"its address changed from {path} to {moved.path}, and links to the old one "
                                    f"will break; add 'aliases: [{old}]' to its front matter"))
        else:
            problems.append(Problem(source, None, "warning",
                                    f"the page {path} of the previous build is gone (the file was renamed or "
                                    f"removed); add 'aliases: [{old}]' to the article that replaces it, or ignore "
                                    "this if it was removed on purpose"))
    return problems
