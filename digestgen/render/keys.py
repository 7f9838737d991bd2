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
import os
from collections.abc import Mapping, Sequence
from pathlib import PurePath

import jinja2
from jinja2 import meta, nodes

from digestgen.model import Analysed, Article, Entry

BODY_FIELDS = {"html", "text", "body", "stored", "title_words", "tag_words", "field_lines", "body_line",
               "key_figures"}
"""Fields of an article that only its own page shows (or no page at all)."""

_ALLOWED_BODY_READS = {("entry", "item", "html"), ("entry", "item", "text"), ("entry", "item", "article", "body"),
                       ("entry", "item", "key_figures")}


def digest(value: object) -> str:
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=16).hexdigest()


_PLAIN = (str, int, float, bool, type(None))
_PLAIN_TYPES = frozenset(_PLAIN)


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _plain(value: object) -> object:
    """``value`` with every dataclass in it made a tuple of its type's name and its fields: its
    ``repr`` then says what the dataclasses' would, made by C code rather than by each class's
    generated ``__repr__`` (a tenth of the time for an article's fields)."""
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return value
    if kind is tuple:
        return tuple([_plain(v) for v in value])  # type: ignore[attr-defined]
    if kind is list:
        return [_plain(v) for v in value]  # type: ignore[attr-defined]
    names = _FIELD_NAMES.get(kind, ())
    if names == ():
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind)) \
            if dataclasses.is_dataclass(kind) else None
    if names is None:
        return value  # a date, a mapping, a list of plain values: its repr is its own
    return (kind.__name__,) + tuple([_plain(getattr(value, n)) for n in names])


def build_keyer(env: jinja2.Environment, code: str, config_text: bytes, drafts: bool, articles_dir: object,
                articles: int, sections: tuple, cards: dict | None = None) -> Keyer:
    """The keyer of one build of ``articles`` articles: every key salted with digestgen's ``code``,
    the config file's bytes and the build options, so a change to any of them makes every file
    anew; the site-wide values every page shows are the number of articles and the ``sections``
    of the navigation (or, if a template reads more of ``site``, a value of this build alone, so
    every page is rendered)."""
    keyer = Keyer(env, digest((code, config_text, drafts, str(articles_dir))), (), cards)
    keyer.site_values = (articles, keyer.compact(sections))
    if not keyer.site_count_only:
        keyer.site_values += (os.urandom(8).hex(),)
    return keyer


class Keyer:
    """Makes the keys of one build's output files.

    Everything a page shows is reduced once per build: an article to its digest, any other value
    to nested tuples kept (with the value itself, so its ``id`` stays its own) for the next page
    that shows it.
    """

    def __init__(self, env: jinja2.Environment, salt: str, site_values: tuple,
                 cards: dict[tuple[bool, str], dict[int, tuple[Entry, str]]] | None = None) -> None:
        self.env = env
        self.salt = salt
        self._templates: dict[str, str] = {}
        self._memo: dict[int, tuple[object, object]] = {}
        self._full: dict[int, tuple[Entry, str]] = {}
        self._holders: set[type] = {Entry}
        """Dataclasses found holding articles (whose repr would hold whole bodies)."""
        self._fields: dict[type, tuple[str, ...]] = {}
        reads = template_reads(env)
        self.bodies_private, self.site_count_only = reads.bodies_private, reads.site_count_only
        self.site_values = site_values
        self._cards: dict[int, tuple[Entry, str]] = {}
        if cards is not None:  # digests kept by a long-running process, per way of making them
            self._cards = cards.setdefault((self.bodies_private, "card"), {})
            self._full = cards.setdefault((self.bodies_private, "full"), {})
            for stale in [k for k in cards if k[0] != self.bodies_private]:
                del cards[stale]

    def keep_cards_of(self, entries) -> None:
        """Forget the digests of every entry but ``entries`` (the ones the next build may reuse)."""
        for memo in (self._cards, self._full):
            kept = {id(e): memo[id(e)] for e in entries if id(e) in memo}
            memo.clear()
            memo.update(kept)

    def forget(self) -> None:
        """Let go of the values reduced so far (kept so that a value shown on many pages is reduced
        once): the keys made after this are the same, made again."""
        self._memo.clear()

    def page_key(self, page) -> str:
        """The key of one page (a :class:`digestgen.site.pages.Page`): an article's own page
        also has the digest of its whole article, body included."""
        return self.page_key_from(self.page_base(page), self.own_entry(page))

    def page_base(self, page) -> str:
        """What a page's key is made of but its own article's body: everything for any other page."""
        return digest((self.salt, self.template(page.template), self.site_values, self._shallow(page)))

    def page_key_from(self, base: str, own: Entry | None) -> str:
        return digest((base, self.full(own) if own is not None else None))

    @staticmethod
    def own_entry(page) -> Entry | None:
        """The article whose own page this is, if it is one."""
        own = getattr(page.context, "entry", None)
        return own if isinstance(own, Entry) else None

    def site_digest(self, entries, templates: list[str]) -> str:
        """A digest of what the site model is made from, bodies aside: the salt, the site-wide values,
        every template, and every article as listings see it, in order. When it is the last build's,
        every page shows what it showed then, except an article's own page whose body changed."""
        return digest((self.salt, self.site_values, tuple(self.template(t) for t in sorted(templates)),
                       tuple(self.entry(e) for e in entries)))

    def _shallow(self, value: object) -> object:
        """A page or its context as :meth:`compact` makes it, without keeping it (nothing else shows it)."""
        if not dataclasses.is_dataclass(value) or isinstance(value, type):
            return self.compact(value)
        return (type(value).__name__,) + tuple(
            self._shallow(getattr(value, n)) if n == "context" else self.compact(getattr(value, n))
            for n in self._names(type(value)))

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
            try:
                source = self.env.loader.get_source(self.env, current)[0] if self.env.loader else ""
                tree = _parsed(self.env, source)
            except jinja2.TemplateError:  # rendering reports it with its file and line
                self._templates[name] = "broken"
                return "broken"
            seen[current] = source
            for ref in meta.find_referenced_templates(tree):
                if ref is None:
                    dynamic = True
                else:
                    todo.append(ref)
        if dynamic and self.env.loader:  # a template named at render time: any template may be used
            seen = {n: self.env.loader.get_source(self.env, n)[0] for n in self.env.list_templates()}
        result = digest(tuple(sorted(seen.items())))
        self._templates[name] = result
        return result

    def entry(self, e: Entry) -> str:
        """An article's digest as listings see it: its card, or every field when a template reads
        bodies outside the article's own page."""
        return self.card(e) if self.bodies_private else self.full(e)

    def card(self, e: Entry) -> str:
        """A digest of what listings show of an article: every field but the body's.

        Made from the fields' ``repr`` (tuples, strings, dates and small dataclasses, never sets,
        so the same in every process), which costs a few microseconds an article."""
        known = self._cards.get(id(e))
        if known is not None and known[0] is e:
            return known[1]
        item, a = e.item, e.item.article
        shown = (tuple(_plain(getattr(e, n)) for n in self._names(Entry) if n != "item"),
                 tuple(_plain(getattr(item, n)) for n in self._names(type(item)) if n != "article"),
                 tuple(_plain(getattr(a, n)) for n in self._names(type(a))))
        result = digest(shown)
        self._cards[id(e)] = (e, result)
        return result

    def full(self, e: Entry) -> str:
        """A digest of every field of an article, its body included."""
        known = self._full.get(id(e))
        if known is not None and known[0] is e:
            return known[1]
        a, item = e.item.article, e.item
        h = hashlib.blake2b(self.card(e).encode(), digest_size=16)
        if item.stored is not None:  # its body, HTML and text are those its analysis key stands for
            h.update(item.stored.key.encode())
        # With ``stored``, the key figures are those of its analysis key too (and empty here).
        for text in (item.html, item.text, a.body, repr((item.title_words, item.tag_words, a.field_lines, a.body_line,
                                                         item.key_figures))):
            h.update(text.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
        result = h.hexdigest()
        self._full[id(e)] = (e, result)
        return result

    def compact(self, value: object) -> object:
        """``value`` as nested tuples of plain values; articles become digests."""
        kind = type(value)
        if kind in _PLAIN_TYPES:
            return value
        if kind is Entry:
            return self.entry(value)  # type: ignore[arg-type]
        known = self._memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        result: object
        if kind is tuple or kind is list:  # not kept: lists are rarely shown on more than one page
            return tuple([self.compact(v) for v in value])  # type: ignore[attr-defined]
        if isinstance(value, Sequence) and not isinstance(value, (str, range, tuple, list)):
            # A sequence that makes its items as they are read (an article's related articles):
            # neither it nor its items are kept, which would keep the items made.
            return tuple([self._shallow(v) for v in value])
        if kind not in self._holders and hasattr(kind, "__dataclass_fields__"):
            text = repr(value)  # a link, a bar, a pager: its repr says all, and fast
            if "Entry(" in text:
                self._holders.add(kind)  # holds articles: reduce them to digests, field by field
                return self.compact(value)
            result = digest(text)  # kept for the build: a tenth of the text's memory
        elif isinstance(value, _PLAIN):
            return value
        elif isinstance(value, Entry):
            return self.entry(value)
        elif isinstance(value, (dt.datetime, dt.date)):
            result = value.isoformat()
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):  # one that holds articles
            result = (kind.__name__,) + tuple(self.compact(getattr(value, n)) for n in self._names(kind))
        elif isinstance(value, Mapping):
            result = ("{",) + tuple((self.compact(k), self.compact(v)) for k, v in value.items())
        elif isinstance(value, (tuple, list, range)):
            result = tuple(self.compact(v) for v in value)
        elif isinstance(value, PurePath):
            result = str(value)
        else:
            raise TypeError(f"cannot key a value of type {type(value).__name__}")
        self._memo[id(value)] = (value, result)
        return result

    def _names(self, kind: type) -> tuple[str, ...]:
        names = self._fields.get(kind)
        if names is None:
            private = BODY_FIELDS if self.bodies_private and kind in (Article, Analysed) else ()
            names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.name not in private)
        return names


@dataclasses.dataclass(frozen=True)
class TemplateReads:
    """What the templates read of the site, found from their source (see :func:`template_reads`)."""

    bodies_private: bool
    """Articles' bodies are read only on their own page (``entry.item.html``): listings can be keyed
    by cards."""
    site_count_only: bool
    """``site`` is read only for the number of articles (``site.entries|length``, ``not site.entries``)."""
    markdown: bool
    """A template shows an article's Markdown source (``...article.body``): the records keep it."""
    figures_elsewhere: bool
    """A template shows key figures other than those of the page's own article
    (``entry.item.key_figures`` on an article page): the records keep them."""


UNPARSED = TemplateReads(bodies_private=False, site_count_only=False, markdown=True, figures_elsewhere=True)
"""What is assumed when a template cannot be parsed (rendering reports it): that it reads everything."""


def template_reads(env: jinja2.Environment) -> TemplateReads:
    """What the environment's templates read, from one walk over each parsed template."""
    trees = _template_trees(env)
    if trees is None:
        return UNPARSED
    bodies_private = site_count_only = True
    markdown = rebound = figures_read = figures_beyond_own = False
    for tree in trees:
        stack: list[tuple[nodes.Node, nodes.Node | None]] = [(tree, None)]
        while stack:
            node, parent = stack.pop()
            if isinstance(node, nodes.Getattr):
                chain = _chain(node)
                if node.attr in BODY_FIELDS and chain not in _ALLOWED_BODY_READS:
                    bodies_private = False
                if node.attr == "body" and isinstance(node.node, nodes.Getattr) and node.node.attr == "article":
                    markdown = True
                if node.attr == "key_figures":
                    figures_read = True
                    figures_beyond_own = figures_beyond_own or chain != ("entry", "item", "key_figures")
                if isinstance(node.node, nodes.Name) and node.node.name == "site" \
                        and not ((isinstance(parent, nodes.Filter) and parent.name == "length")
                                 or isinstance(parent, (nodes.Not, nodes.If))):
                    site_count_only = False
            elif isinstance(node, nodes.Name):
                if node.name == "entry" and node.ctx in ("store", "param"):
                    bodies_private = False  # ``entry`` bound to another article than the page's own
                    rebound = True
                if node.name == "site" and node.ctx == "load" \
                        and not (isinstance(parent, nodes.Getattr) and parent.attr == "entries"):
                    site_count_only = False
            stack.extend((child, node) for child in node.iter_child_nodes())
    return TemplateReads(bodies_private, site_count_only, markdown,
                         figures_beyond_own or (figures_read and rebound))


def _template_trees(env: jinja2.Environment) -> list[nodes.Template] | None:
    """Every template of the environment parsed (hidden files aside), or None if one cannot be."""
    trees = []
    for name in env.list_templates() if env.loader else []:
        if name.startswith("."):
            continue
        try:
            trees.append(_parsed(env, env.loader.get_source(env, name)[0]))  # type: ignore[union-attr]
        except jinja2.TemplateError:
            return None
    return trees


_TREES: dict[tuple[int, str], nodes.Template] = {}


def _parsed(env: jinja2.Environment, source: str) -> nodes.Template:
    """A template source parsed, once per process (``serve`` checks the same templates on every
    build); the trees are only read."""
    key = (id(env.lexer), source)  # environments with the same settings share a lexer
    tree = _TREES.get(key)
    if tree is None:
        if len(_TREES) > 1000:
            _TREES.clear()
        tree = _TREES[key] = env.parse(source)
    return tree


def _chain(node: nodes.Node) -> tuple[str, ...]:
    parts: list[str] = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if isinstance(node, nodes.Name):
        parts.append(node.name)
        return tuple(reversed(parts))
    return ()
