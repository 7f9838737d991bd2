"""Pieces of pages rendered once and reused: an article's item in every listing that shows it.

An article appears on many listings (its region, city, province, themes, tags, month, year, the
home page), and each would render its item again. Templates call the global ``each_once``
instead of looping themselves::

    {% macro entry_item(e, url) %}...{% endmacro %}
    {{ each_once(entry_item, entries, url) }}

A macro imported without context sees only its arguments and the environment's globals and
filters, so what it renders for an item depends on the item and on the answers ``url`` gives
it, nothing else. Two ways of reusing it follow, both giving byte for byte what the macro would
render on each page:

* When the macro's source shows that it uses ``url`` only as ``{{ url(...) }}`` (the link is
  written out and nothing else is done with it), the item is rendered once with a placeholder
  for each link, and every page fills in its own links, escaped as ``{{ }}`` escapes them.
* Otherwise each item's output is kept with the links it asked for (``target -> link``); another
  page gets that output when ``url`` answers the same for every one of those targets, and renders
  the item anew otherwise.

The kept pieces belong to one site: :meth:`Fragments.begin` forgets them when a page of another
site is rendered, so a long-running ``serve`` never shows a piece of an earlier build.
"""
from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from markupsafe import Markup, escape

Url = Callable[[str], str]
_SPECIAL = re.compile(r"[&<>\"']")


class Fragments:
    """The Jinja global ``each_once(macro, items, url)``: the macro's output per item, joined."""

    def __init__(self, env: jinja2.Environment | None = None) -> None:
        self.env = env
        self._kept: dict[tuple[int, int], tuple[object, object, tuple[str, ...], dict[tuple[str, ...], str]]] = {}
        self._filled: dict[tuple[int, int], tuple[object, object, list[str], bool]] = {}
        """Items rendered with placeholders: (macro, item, [text, target, text, target..., text], escaped)."""
        self._plain: dict[int, tuple[object, bool]] = {}
        """Per macro: whether it only writes its links out (placeholders can stand for them)."""
        self._site: Callable[[], object | None] = lambda: None

    def begin(self, site: object) -> None:
        """Pages of ``site`` are rendered next: pieces kept for another site are forgotten."""
        if self._site() is not site:
            self._kept.clear()
            self._filled.clear()
            try:
                self._site = weakref.ref(site)
            except TypeError:  # not weakly referable: compare by a strong reference
                self._site = lambda site=site: site  # type: ignore[misc]

    def __call__(self, macro: Callable[..., Any], items: Iterable[object], url: Url) -> Markup:
        if self._links_only(macro):
            return Markup("".join([self._fill(macro, item, url) for item in items]))
        return Markup("".join([self._render(macro, item, url) for item in items]))

    def _links_only(self, macro: Callable[..., Any]) -> bool:
        known = self._plain.get(id(macro))
        if known is not None and known[0] is macro:
            return known[1]
        answer = self.env is not None and links_only(self.env, macro)
        self._plain[id(macro)] = (macro, answer)
        return answer

    def _fill(self, macro: Callable[..., Any], item: object, url: Url) -> str:
        key = (id(macro), id(item))
        found = self._filled.get(key)
        if found is None or found[0] is not macro or found[1] is not item:
            asked: list[str] = []

            def placeholder(target: str) -> str:
                asked.append(target)
                return f"\x00{len(asked) - 1}\x00"

            html = macro(item, placeholder)
            pieces = str(html).split("\x00")
            if len(pieces) != 2 * len(asked) + 1 or any(pieces[i] != str(i // 2) for i in range(1, len(pieces), 2)):
                return self._render(macro, item, url)  # the item's own text holds NUL characters
            for i in range(1, len(pieces), 2):
                pieces[i] = asked[i // 2]
            found = self._filled[key] = (macro, item, pieces, isinstance(html, Markup))
        pieces, escaped = found[2], found[3]
        if len(pieces) == 1:
            return pieces[0]
        parts = pieces[:]
        for i in range(1, len(parts), 2):
            link = url(parts[i])
            if escaped and _SPECIAL.search(link):
                link = str(escape(link))
            parts[i] = link
        return "".join(parts)

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



_OPAQUE = (nodes.EvalContextModifier, nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.AssignBlock,
           nodes.Include, nodes.Import, nodes.FromImport)
"""Inside these, output could be captured, filtered or escaped otherwise, or ``url`` reached by
another template: a macro holding one is rendered item by item."""


def links_only(env: jinja2.Environment, macro: Callable[..., Any]) -> bool:
    """Whether ``macro`` (a Jinja macro of two parameters, the item and ``url``) uses ``url`` only
    as ``{{ url(...) }}``: called with one argument right inside an output tag, never filtered,
    compared, passed on or rebound, and with no block that could capture, filter or re-escape
    what it writes (``{% set %}...{% endset %}``, ``{% filter %}``, ``{% autoescape %}``...)."""
    name = getattr(macro, "name", None)
    arguments: tuple[str, ...] = tuple(getattr(macro, "arguments", ()))
    code = getattr(getattr(macro, "_func", None), "__code__", None)
    if not name or len(arguments) != 2 or code is None:
        return False
    try:
        tree = env.parse(Path(code.co_filename).read_text("utf-8"))
    except (OSError, jinja2.TemplateError):
        return False
    found = [m for m in tree.find_all(nodes.Macro) if m.name == name]
    if len(found) != 1 or [a.name for a in found[0].args] != list(arguments):
        return False
    link = arguments[1]
    stack: list[tuple[nodes.Node, nodes.Node | None, nodes.Node | None]] = [(found[0], None, None)]
    while stack:
        node, parent, grandparent = stack.pop()
        if isinstance(node, _OPAQUE) and node is not found[0]:
            return False
        if isinstance(node, nodes.Name) and node.name == link:
            if node.ctx != "load" and parent is not found[0]:
                return False  # rebound
            if node.ctx == "load" and not (isinstance(parent, nodes.Call) and parent.node is node
                                           and len(parent.args) == 1 and not parent.kwargs
                                           and parent.dyn_args is None and parent.dyn_kwargs is None
                                           and isinstance(grandparent, nodes.Output)):
                return False
        stack.extend((child, node, parent) for child in node.iter_child_nodes())
    return True
