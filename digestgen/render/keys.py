"""Keys of output files: a short hash of exactly what a file shows, made without rendering it.

A page's key is made from the templates it is rendered with (its own and every template it
extends, includes or imports), a salt for the config, the build options and digestgen's own
code, the few site-wide values every page shows (the number of articles, the sections of the
navigation), and a compact form of the page's context: every value it holds, with each article
it lists reduced to a digest of its fields. A page whose key is the one of the last build shows
the same thing, so it need not be rendered again (see :mod:`digestgen.state`).

An article's *card* digest leaves out its body (the HTML, the plain text, the Markdown source
and the analysers' word lists), which only the article's own page shows; listings, feeds,
neighbours and related links use the card digest, so an edit of one article's body re-renders
its own page and nothing else unless its summary, tags or other shown fields changed. That holds
only while no template reads a body outside the article's own page: the templates are checked,
and if one does, every article is keyed by all of its fields.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping
from pathlib import PurePath

import jinja2
from jinja2 import meta, nodes

from digestgen.model import Analysed, Article, Entry

BODY_FIELDS = {"html", "text", "body", "title_words", "tag_words", "field_lines", "body_line"}
"""Fields of an article that only its own page shows (or no page at all)."""

_ALLOWED_BODY_READS = {("entry", "item", "html"), ("entry", "item", "text"), ("entry", "item", "article", "body")}


def digest(value: object) -> str:
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=16).hexdigest()


class Keyer:
    """Makes the keys of one build's output files; article digests are computed once per build."""

    def __init__(self, env: jinja2.Environment, salt: str, site_values: tuple) -> None:
        self.env = env
        self.salt = salt
        self._templates: dict[str, str] = {}
        self._cards: dict[int, str] = {}
        self._full: dict[int, str] = {}
        self.bodies_private, self.site_count_only = check_templates(env)
        self.site_values = site_values

    def page_key(self, page) -> str:
        """The key of one page (a :class:`digestgen.site.pages.Page`)."""
        own = getattr(page.context, "entry", None)
        return digest((self.salt, self.template(page.template), self.site_values,
                       self.compact(page, own)))

    def key(self, *parts: object) -> str:
        """The key of a file made without a template (feed, data, search shard) from ``parts``."""
        return digest((self.salt, self.compact(parts)))

    def template(self, name: str) -> str:
        """A digest of the sources of a template and of every template it uses, transitively."""
        known = self._templates.get(name)
        if known is not None:
            return known
        seen: dict[str, str] = {}
        todo = [name]
        dynamic = False
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            source = self.env.loader.get_source(self.env, current)[0] if self.env.loader else ""
            seen[current] = source
            for ref in meta.find_referenced_templates(self.env.parse(source)):
                if ref is None:
                    dynamic = True
                else:
                    todo.append(ref)
        if dynamic:  # a template named at render time: any template may be used
            seen = {n: self.env.loader.get_source(self.env, n)[0] for n in self.env.list_templates()} \
                if self.env.loader else seen
        result = digest(tuple(sorted(seen.items())))
        self._templates[name] = result
        return result

    def entry(self, e: Entry, whole: bool = False) -> str:
        """An article's digest: its card (what listings show), or with ``whole`` every field."""
        whole = whole or not self.bodies_private
        memo = self._full if whole else self._cards
        known = memo.get(id(e))
        if known is None:
            known = memo[id(e)] = digest(self.compact(e, None, whole, top=True))
        return known

    def compact(self, value: object, own: object = None, whole: bool = False, top: bool = False) -> object:
        """``value`` as nested tuples of plain values; articles become digests (``own``, the
        article of an article page, with its body)."""
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        if isinstance(value, Entry) and not top:
            return self.entry(value, value is own)
        if isinstance(value, (dt.datetime, dt.date)):
            return value.isoformat()
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            private = () if whole or not isinstance(value, (Article, Analysed)) else BODY_FIELDS
            return (type(value).__name__,) + tuple(
                self.compact(getattr(value, f.name), own, whole)
                for f in dataclasses.fields(value) if f.name not in private)
        if isinstance(value, Mapping):
            return ("{",) + tuple((self.compact(k, own, whole), self.compact(v, own, whole)) for k, v in value.items())
        if isinstance(value, (tuple, list, range)):
            return tuple(self.compact(v, own, whole) for v in value)
        if isinstance(value, PurePath):
            return str(value)
        raise TypeError(f"cannot key a value of type {type(value).__name__}")


def check_templates(env: jinja2.Environment) -> tuple[bool, bool]:
    """Whether articles' bodies are read only on their own page (``entry.item.html``), and whether
    ``site`` is read only for the number of articles (``site.entries|length``, ``not site.entries``)."""
    bodies_private = site_count_only = True
    for name in env.list_templates() if env.loader else []:
        if name.startswith("."):
            continue
        try:
            tree = env.parse(env.loader.get_source(env, name)[0])  # type: ignore[union-attr]
        except jinja2.TemplateError:
            return False, False  # the render reports it
        stack: list[tuple[nodes.Node, nodes.Node | None]] = [(tree, None)]
        while stack:
            node, parent = stack.pop()
            if isinstance(node, nodes.Getattr) and node.attr in BODY_FIELDS and _chain(node) not in _ALLOWED_BODY_READS:
                bodies_private = False
            if isinstance(node, nodes.Name) and node.name == "entry" and node.ctx in ("store", "param"):
                bodies_private = False  # ``entry`` bound to another article than the page's own
            if isinstance(node, nodes.Name) and node.name == "site" and node.ctx == "load" \
                    and not (isinstance(parent, nodes.Getattr) and parent.attr == "entries"):
                site_count_only = False
            if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name == "site" \
                    and not ((isinstance(parent, nodes.Filter) and parent.name == "length")
                             or isinstance(parent, (nodes.Not, nodes.If))):
                site_count_only = False
            stack.extend((child, node) for child in node.iter_child_nodes())
    return bodies_private, site_count_only


def _chain(node: nodes.Node) -> tuple[str, ...]:
    parts: list[str] = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if isinstance(node, nodes.Name):
        parts.append(node.name)
        return tuple(reversed(parts))
    return ()
