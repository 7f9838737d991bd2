"""Pieces of pages rendered once and reused: an article's item in every listing that shows it.

An article appears on many listings (its region, city, province, themes, tags, month, year, the
home page), and each would render its item again. Templates call the global ``each_once``
instead of looping themselves::

    {% macro entry_item(e, url) %}...{% endmacro %}
    {{ each_once(entry_item, entries, url) }}

A macro imported without context sees only its arguments and the environment's globals and
filters, so what it renders for an item depends on the item and on the answers ``url`` gives
it, nothing else. Each item's output is kept with the links it asked for (``target -> link``);
another page gets that output when ``url`` answers the same for every one of those targets
(pages in folders of the same depth link to ``articles/...`` alike), and renders the item anew
otherwise. The output is therefore byte for byte what the macro would have rendered there.

The kept pieces belong to one site: :meth:`Fragments.begin` forgets them when a page of another
site is rendered, so a long-running ``serve`` never shows a piece of an earlier build.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any

from markupsafe import Markup

Url = Callable[[str], str]


class Fragments:
    """The Jinja global ``each_once(macro, items, url)``: the macro's output per item, joined."""

    def __init__(self) -> None:
        self._kept: dict[tuple[int, int], tuple[object, object, tuple[str, ...], dict[tuple[str, ...], str]]] = {}
        self._site: Callable[[], object | None] = lambda: None

    def begin(self, site: object) -> None:
        """Pages of ``site`` are rendered next: pieces kept for another site are forgotten."""
        if self._site() is not site:
            self._kept.clear()
            try:
                self._site = weakref.ref(site)
            except TypeError:  # not weakly referable: compare by a strong reference
                self._site = lambda site=site: site  # type: ignore[misc]

    def __call__(self, macro: Callable[..., Any], items: Iterable[object], url: Url) -> Markup:
        return Markup("".join([self._render(macro, item, url) for item in items]))

    def _render(self, macro: Callable[..., Any], item: object, url: Url) -> str:
        key = (id(macro), id(item))
        found = self._kept.get(key)
        if found is not None and not (found[0] is macro and found[1] is item):
            found = None  # an id reused by another value (cannot happen while kept, but cheap to check)
        if found is not None:
            html = found[3].get(tuple([url(t) for t in found[2]]))
            if html is not None:
                return html
        asked: list[tuple[str, str]] = []

        def recording(target: str) -> str:
            link = url(target)
            asked.append((target, link))
            return link

        html = str(macro(item, recording))
        targets = tuple(t for t, _ in asked)
        answers = tuple(link for _, link in asked)
        if found is None:
            self._kept[key] = (macro, item, targets, {answers: html})
        elif found[2] == targets:
            found[3][answers] = html
        # else: the item asked for other targets than before (a macro whose links depend on
        # links): its output is used here and not kept.
        return html

