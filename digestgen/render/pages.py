"""Render stage: a :class:`Site` -> :class:`OutputFile` values (HTML pages, feeds, data, sitemap).

Jinja runs with autoescaping and StrictUndefined; only the sanitised article body is marked safe.
Links in pages come from ``url()``, which makes them relative to the page being rendered.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import posixpath
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape

import jinja2
from markupsafe import Markup
from markupsafe import escape as escape_html

from digestgen.bodies import figures_of, whole
from digestgen.config import Config
from digestgen.model import BEIJING, Entry, Figure, MovedFile, OutputFile, ReusedFile, StreamedFile
from digestgen.parallel import Background, background, parallel_map
from digestgen.paths import display_path
from digestgen.render import RenderError, charts
from digestgen.render.fragments import Fragments
from digestgen.render.jsontext import dumps_indent1_chunks
from digestgen.render.keys import Keyer
from digestgen.site.pages import Feed, Page, Site
from digestgen.render.searchindex import (FACETS_PATH, doc_of, doc_terms, docs_of, facets_file, index_paths, meta_files,
                                          meta_paths, patch_shard, search_files, shard_count, shard_of, shard_path,
                                          text_file, text_path)
from digestgen.state import SEARCH_ROW, Records
from digestgen.site.panels import THEME_CHIPS, figure_summary, figure_value
from digestgen.site.urls import HOME, _relative, relative

W = TypeVar("W")
FEED_NAMESPACE = uuid.UUID("6f1c7e52-4a51-4b4e-9a0c-5b0f3b1a9d20")
STYLESHEET = "static/style.css"


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)),
                             autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["cn_date"] = cn_date
    env.filters["iso_date"] = lambda d: iso_date(d) if d else ""
    env.filters["datetime_attr"] = datetime_attr
    env.filters["figure"] = figure_text
    env.globals.update(charts.GLOBALS)
    env.filters["split_lede"] = split_lede
    env.globals["figure_summary"] = figure_summary
    env.globals["figure_value"] = figure_value
    env.globals["figure_cell"] = figure_cell
    env.globals["theme_chips"] = THEME_CHIPS
    env.globals["each_once"] = Fragments(env)
    return env


CHANGE_WORDS = {"up": "上升", "down": "下降"}


def figure_text(f: Figure) -> str:
    """A key figure's value for people: 1200万元, 约300万元, 45%; a change told without a number
    reads as the change (上升, 下降)."""
    value, unit = f.record()["value"], f.unit
    if value is None:
        return CHANGE_WORDS.get(f.direction or "", "")
    if unit == "元" and value >= 100_000_000:
        value, unit = value / 100_000_000, "亿元"
    elif unit == "元" and value >= 10_000:
        value, unit = value / 10_000, "万元"
    number = f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return ("约" if f.approx else "") + number + unit


def figure_change(f: Figure) -> Markup:
    """The change a figure tells, as a table cell shows it: ``下降 45%``, ``上升``, or nothing."""
    text = "下降" if f.direction == "down" else "上升" if f.direction == "up" else ""
    if f.direction and f.change:
        return Markup(text + " ") + f.change  # escaped
    return Markup(text)


def figure_cell(f: Figure) -> Markup:
    """A key figure's cell in an article's figure table: its value (``1200万元``) and, when it
    also tells a change, the change (``45%,下降 12%``); a figure of a change alone, the change."""
    if f.value is None or not figure_value(f):
        return figure_change(f)
    value = escape_html(figure_text(f))
    return value + Markup(",") + figure_change(f) if f.direction else value


LEDE_CHARS = 50
"""A first paragraph shorter than this (a dateline such as 红网时刻 通讯员 … 报道) is not the whole lede."""


def split_lede(html: str) -> tuple[str, str]:
    """An article body's lede (its first paragraph, with the next when the first is only a dateline)
    and the rest, so panels can go between them."""
    if not html.lstrip().startswith("<p"):
        return "", html
    end = 0
    for _ in range(2):
        found = html.find("</p>", end)
        if found < 0 or (end and not html[end:].lstrip().startswith("<p")):
            break
        end = found + 4
        if len(re.sub(r"<[^>]+>|\s", "", html[:end])) >= LEDE_CHARS:
            break
    return html[:end], html[end:]


def cn_date(d: dt.datetime | None, with_time: bool = False) -> str:
    """``2022年2月21日`` (and the time when known, with its zone unless Beijing time), or 日期不详."""
    if d is None:
        return "日期不详"
    text = f"{d.year}年{d.month}月{d.day}日"
    if not with_time:
        return text
    offset = d.utcoffset()
    if offset is None or offset == BEIJING.utcoffset(None):
        return f"{text} {d:%H:%M}"
    minutes = int(offset.total_seconds()) // 60
    zone = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60}" + (f":{abs(minutes) % 60:02d}" if abs(minutes) % 60 else "")
    return f"{text} {d:%H:%M} (UTC{zone})"


def iso_date(d: dt.datetime) -> str:
    """``2022-02-21T12:09:02``, with the time zone when the front matter gave one (``+08:00``, ``+00:00``)."""
    return d.isoformat(timespec="seconds")


def datetime_attr(d: dt.datetime | None, has_time: bool = False) -> str:
    """A ``<time datetime>`` value: ``2020-01-24`` for a date alone, ``2022-02-21T12:09`` with a time,
    and its zone (``+00:00``) when the front matter gave one."""
    if d is None:
        return ""
    if not has_time:
        return d.strftime("%Y-%m-%d")
    if d.tzinfo is not None:
        return iso_date(d)
    return d.strftime("%Y-%m-%dT%H:%M:%S" if d.second else "%Y-%m-%dT%H:%M")


PARALLEL_PAGES = 2000
"""Below this many pages, starting worker processes costs more than it saves."""
CHUNK = 100


@dataclass
class Incremental:
    """What an incremental build knows of the last one, and what it records of this one.

    A file whose key (:mod:`digestgen.render.keys`) is the one ``last`` holds for its path, and
    whose file the last build left intact (``intact``: content hashes from the writer's
    manifest), is not made again: a :class:`ReusedFile` takes its place.
    """

    keyer: Keyer
    last: dict[str, tuple[str, str, str]]
    """``{path: (key, content hash, key base)}`` of the last build (:class:`digestgen.state.BuildState`)."""
    intact: dict[str, str]
    """``{path: content hash}`` of the last build's files still as it wrote them."""
    keys: dict[str, str] = field(default_factory=dict)
    """The key of every file of this build, filled in as they are made."""
    bases: dict[str, str] = field(default_factory=dict)
    """The key base of every article page of this build (see ``Keyer.page_base``)."""
    same_site: bool = False
    site_digest: str = ""
    terms_path: Path | None = None
    """The build state database, where each article's search terms are kept."""
    search_layout: str = ""
    """The search index's layout digest (see :func:`search_layout`), and its articles' digests as JSON."""
    search_docs: str = "[]"
    """Whether the site digest is the last build's: then every page but an article's own shows what it
    showed then, so its key is the last build's and need not be computed again."""
    rendered: int = 0
    """Pages rendered (the others were reused)."""
    reused: int = 0
    """Files not made again."""

    def unchanged(self, path: str, key: str) -> str | None:
        """Record ``key`` for ``path``; the content hash of the last build's file if it can be reused."""
        self.keys[path] = key
        old = self.last.get(path)
        if old is not None and old[0] == key and self.intact.get(path) == old[1]:
            self.reused += 1
            return old[1]
        return None


def render_site(site: Site, config: Config, env: jinja2.Environment | None = None, jobs: int = 1,
                incremental: Incremental | None = None) -> Iterator[OutputFile | ReusedFile | StreamedFile | MovedFile]:
    """Every page, feed and data file of the site, one at a time (pages over ``jobs`` processes).

    The files are yielded as they are made, so the writer can store each before the next exists
    and the whole site is never held in memory at once. With ``incremental``, a file that shows
    what it showed in the last build is not made: a :class:`ReusedFile` stands for it.
    """
    env = env or make_environment(config.templates_dir)
    spills = _Spills(config)
    try:
        search = _search_files(site, config, incremental, jobs, spills)
        started = next(search)  # the search index may be built in the background meanwhile
        listings = _listings_in_background(site, config, incremental, jobs, spills)
        yield from started
        yield from _render_pages(site, config, env, jobs, incremental, spills)
        if listings is not None:
            yield from listings
        else:
            for feed in site.feeds:
                yield _keyed(incremental, feed.path, lambda feed=feed: render_feed(feed, config).content, "feed", feed)
            published = published_entries(site.entries)
            yield _keyed(incremental, "data/articles.json", lambda: articles_json(published), "articles.json",
                         published, streamed=True)
        yield from next(search)
        for path, source in site.assets:  # images and files the articles link, copied beside their pages
            yield OutputFile(path, source.read_bytes())
        if config.base_url:
            yield OutputFile("sitemap.xml", sitemap(site, config.base_url))
            yield OutputFile("robots.txt",
                             f"User-agent: *\nAllow: /\nSitemap: {config.base_url}sitemap.xml\n".encode())
    finally:  # done, or stopped by a failure (the writer closes this generator while it holds its lock)
        spills.close()


def _keyed(incremental: Incremental | None, path: str, make, *parts: object,
           streamed: bool = False) -> OutputFile | ReusedFile | StreamedFile:
    """The file at ``path`` made by ``make``, or reused when its key (from ``parts``) is unchanged.
    With ``streamed``, ``make`` gives the bytes in pieces, written as they come.

    Only for files that show what listings show (feeds, ``articles.json``): when the site digest is
    the last build's, their key is too, and is not computed again."""
    made = StreamedFile(path, make) if streamed else None
    if incremental is None:
        return made or OutputFile(path, make())
    digest = _listing_file_keyed(incremental, path, *parts)
    if digest is not None:
        return ReusedFile(path, digest, (lambda: b"".join(make())) if streamed else make)
    return made or OutputFile(path, make())


def _listing_file_keyed(incremental: Incremental, path: str, *parts: object) -> str | None:
    """Record the key of a file that shows what listings show (from ``parts``, or the last build's
    when the site digest is unchanged); the content hash of the last build's file if it can be reused."""
    known = incremental.last.get(path) if incremental.same_site else None
    return incremental.unchanged(path, known[0] if known is not None else incremental.keyer.key(*parts))


BACKGROUND_SEARCH = 2000
"""From this many articles (and with more than one job), the search index is built in a worker
process while the pages are keyed, rendered and written."""


def _search_files(site: Site, config: Config, incremental: Incremental | None,
                  jobs: int, spills: _Spills) -> Iterator[Iterator[OutputFile | ReusedFile | MovedFile]]:
    """The search index, made whole or, after an edit, from the last build's.

    When the articles are the last build's, in the same order, the index is the last one with
    the articles whose digest changed taken out and put back: only the shards holding their old
    or new terms are made again (each article's terms are kept in the build state), and their
    text files. Otherwise it is made whole, in the background if it is large.

    Yields once when started and then an iterator of its files; the caller takes the second when
    it wants them."""
    tags = [(t.name, t.path, t.count) for t in site.tags]
    made: list[OutputFile] = []

    def make() -> list[OutputFile]:
        if not made:
            made.extend(search_files(docs_of(site.entries), config.theme_names, tags))
        return made

    fulls: list[str] = []
    if incremental is not None:
        fulls = [incremental.keyer.full(e) for e in site.entries]
        patched = _patched_search(site, config, incremental, tags, fulls, make)
        if patched is not None:
            yield iter(())
            yield iter(patched)
            return
    terms_path = incremental.terms_path if incremental is not None else None
    if jobs > 1 and len(site.entries) >= BACKGROUND_SEARCH:
        # Built in a worker, which leaves the files in a folder of its own rather than sending them
        # back (the articles' texts: tens of megabytes); the writer moves them into place.
        spill = spills.folder("search")
        # A fresh interpreter, sent the small records it reads: a forked one would hold a copy of
        # this process (the site model) beside the postings, the largest process of the build.
        waiting = spills.watch(background(_search_task, (docs_of(site.entries), config.theme_names, tags, terms_path,
                                                         fulls, spill), 0, fresh=True))
        yield iter(())  # started
        made_files = waiting()
        if incremental is not None:
            _search_recorded(incremental, site, fulls, [path for path, _ in made_files])
        yield _spilled(spill, made_files)
        return
    yield iter(())
    if incremental is not None:
        _search_recorded(incremental, site, fulls, index_paths(len(site.entries)))
    yield search_files(docs_of(site.entries), config.theme_names, tags, _recorder(terms_path, fulls))


class _Spills:
    """The folders workers leave files in, beside the output folder (on the same disk, so the
    writer moves the files into the site rather than copying them), and the workers writing them.

    They are made while the writer holds its lock (the files are made as it takes them), named as
    its staging folders are, so the next build removes any a killed build left. :meth:`close`
    stops the workers still running and removes the folders: at the end of the render, or when a
    failure stops it."""

    def __init__(self, config: Config) -> None:
        self.out = config.output_dir.resolve()
        self.folders: list[Path] = []
        self.workers: list[Background] = []

    def folder(self, what: str) -> Path:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        made = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.staging-{what}-", dir=self.out.parent))
        self.folders.append(made)
        return made

    def watch(self, worker: Background[W]) -> Background[W]:
        self.workers.append(worker)
        return worker

    def close(self) -> None:
        for worker in self.workers:
            worker.cancel()  # after it is done, or stopping it: nothing is written after this
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)
        self.workers, self.folders = [], []


def _spilled_file(spill: Path, path: str, chunks: Iterable[bytes]) -> tuple[str, str]:
    """Write a file into ``spill`` (at ``path`` under it); return its path and hash (as the writer
    makes it)."""
    target = spill / path
    try:
        out = open(target, "wb")  # noqa: SIM115  (closed by the ``with`` below)
    except FileNotFoundError:  # the first file of its folder (a look for the folder before each file costs more)
        target.parent.mkdir(parents=True, exist_ok=True)
        out = open(target, "wb")  # noqa: SIM115
    h = hashlib.blake2b(digest_size=16)
    with out:
        for chunk in chunks:
            h.update(chunk)
            out.write(chunk)
    return path, h.hexdigest()


def _listings_in_background(site: Site, config: Config, incremental: Incremental | None,
                            jobs: int, spills: _Spills) -> Iterator[MovedFile] | None:
    """The feeds and ``data/articles.json``, made in a worker while the pages render, when every one
    of them is made anyway (the last build left nothing to reuse) and the archive is large; None
    otherwise. Their keys, kept for the next build, are worked out here meanwhile."""
    if jobs <= 1 or len(site.entries) < BACKGROUND_SEARCH or (incremental is not None and incremental.last):
        return None
    spill = spills.folder("listings")
    published = published_entries(site.entries)
    waiting = spills.watch(background(_listings_task, (site.feeds, published, config, spill), 0))
    return _listings_made(waiting, spill, site.feeds, published, incremental)


def _listings_made(waiting: Callable[[], list[tuple[str, str]]], spill: Path, feeds: tuple[Feed, ...],
                   published: tuple[Entry, ...], incremental: Incremental | None) -> Iterator[MovedFile]:
    if incremental is not None:
        for feed in feeds:
            _listing_file_keyed(incremental, feed.path, "feed", feed)
        _listing_file_keyed(incremental, "data/articles.json", "articles.json", published)
    yield from _spilled(spill, waiting())


def _listings_task(shared: tuple, _: int) -> list[tuple[str, str]]:
    """In a worker: the feeds and ``data/articles.json`` written into the folder ``spill``."""
    feeds, published, config, spill = shared
    made = [_spilled_file(spill, feed.path, [render_feed(feed, config).content]) for feed in feeds]
    made.append(_spilled_file(spill, "data/articles.json", articles_json(published)))
    return made


def _spilled(folder: Path, made: list[tuple[str, str]]) -> Iterator[MovedFile]:
    """The files a worker left in ``folder`` (path, hash), one at a time."""
    for path, digest in made:
        yield MovedFile(path, folder / path, digest)


def _search_recorded(incremental: Incremental, site: Site, fulls: list[str], paths: list[str]) -> None:
    """Note the index's layout (which articles, in which order, with which digests) for the next build."""
    incremental.search_layout = search_layout(site, incremental.keyer.salt)
    incremental.search_docs = json.dumps(fulls)
    for path in paths:
        incremental.keys[path] = incremental.search_layout


def search_layout(site: Site, salt: str) -> str:
    """Which articles the index holds, in which order, and the salt of config, options and code."""
    from digestgen.render.keys import digest
    return digest(("search", salt, shard_count(len(site.entries)), tuple(e.path for e in site.entries)))


def _patched_search(site: Site, config: Config, incremental: Incremental, tags: list, fulls: list[str],
                    make: Callable[[], list[OutputFile]]) -> list[OutputFile | ReusedFile] | None:
    """The index made from the last build's (see :func:`_search_files`), or None when it cannot be."""
    return patch_search(len(site.entries), site.entries.__getitem__, search_layout(site, incremental.keyer.salt),
                        config, incremental, fulls, make, lambda: (docs_of(site.entries), tags))


def patch_search(articles: int, entry_at: Callable[[int], Entry], layout: str, config: Config,
                 incremental: Incremental, fulls: list[str], make: Callable[[], list[OutputFile]],
                 whole: Callable[[], tuple[list, list]] | None) -> list[OutputFile | ReusedFile] | None:
    """The index of ``articles`` articles (``entry_at(i)`` is the i-th, read only for those whose
    digest in ``fulls`` changed) made from the last build's, or None when it cannot be: the layout
    is not the last one, or a file is not as the last build left it. ``make`` makes the whole index
    (should a reused file be found changed when it is written); ``whole`` gives every article's
    search record and the tags, for the files that list every article when the site digest is not
    the last build's (without it, the index cannot be patched then)."""
    last = incremental.last.get(SEARCH_ROW)
    count = shard_count(articles)
    shards = [shard_path(n) for n in range(count)]
    texts = [text_path(i) for i in range(articles)]
    if last is None or last[0] != layout:
        return None
    try:
        old_fulls = json.loads(last[2])
    except ValueError:
        return None
    if not isinstance(old_fulls, list) or len(old_fulls) != len(fulls) \
            or any(incremental.intact.get(p) != incremental.last.get(p, ("", "", ""))[1] for p in shards + texts):
        return None
    changed = [i for i, (a, b) in enumerate(zip(old_fulls, fulls, strict=True)) if a != b]
    if len(changed) > 200:
        return None  # many changes: making the index whole is as quick
    records = Records(incremental.terms_path, TERMS_TABLE, TERMS_VERSION, ("body",))
    try:
        known = records.get_many([old_fulls[i] for i in changed])
        changes = []
        new_rows: list[tuple[str, ...]] = []
        for i in changed:
            row = known.get(old_fulls[i])
            if row is None or not all(isinstance(x, str) for x in row):
                return None
            head, body = doc_terms(doc_of(entry_at(i)))
            changes.append((i, set(row[0].split()), set(row[1].split()), head, body))
            new_rows.append((fulls[i], " ".join(head), " ".join(body)))
        records.put_many(new_rows)
    finally:
        records.close()
    touched = sorted({shard_of(t, count) for _, oh, ob, nh, nb in changes for t in (oh ^ nh) | (ob ^ nb)})
    out: list[OutputFile | ReusedFile] = []
    for n, path in enumerate(shards):
        if n in touched:
            try:
                old = (config.output_dir / path).read_bytes()
            except OSError:
                return None
            if hashlib.blake2b(old, digest_size=16).hexdigest() != incremental.last[path][1]:
                return None  # not the shard the state describes (changed since): make the index whole
            shard = patch_shard(n, old, changes, count)
            if shard is None:
                return None
            out.append(shard)
        else:
            out.append(ReusedFile(path, incremental.last[path][1], functools.partial(_search_bytes, make, path)))
    # Titles, dates, regions, tags and themes: what listings show, the same when the site digest is.
    listed = meta_paths(articles) + [FACETS_PATH]
    as_last = incremental.same_site and all(p in incremental.last for p in listed)
    if as_last:
        out += [ReusedFile(p, incremental.last[p][1], functools.partial(_search_bytes, make, p)) for p in listed[:-1]]
    elif whole is None:
        return None
    else:
        docs, tags = whole()
        out += meta_files(docs)
    edited = set(changed)
    for i, path in enumerate(texts):
        if i in edited:
            out.append(text_file(doc_of(entry_at(i)), i))
        else:
            out.append(ReusedFile(path, incremental.last[path][1], functools.partial(_search_bytes, make, path)))
    if as_last:
        out.append(ReusedFile(listed[-1], incremental.last[listed[-1]][1],
                              functools.partial(_search_bytes, make, listed[-1])))
    else:
        out.append(facets_file(docs, config.theme_names, tags))
    incremental.search_layout, incremental.search_docs = layout, json.dumps(fulls)
    for f in out:
        incremental.keys[f.path] = layout
    incremental.reused += len(out) - len(touched) - len(edited)
    return out


TERMS_TABLE, TERMS_VERSION = "search_terms", 1
"""Each article's search terms in the build state, by the digest of the article."""


def _search_task(shared: tuple, _: int) -> list[tuple[str, str]]:
    """In a worker: make the search index into the folder ``spill``; return the files' paths and hashes."""
    docs, theme_names, tags, terms_path, fulls, spill = shared
    records = _Terms(terms_path, fulls)
    made = [_spilled_file(spill, f.path, [f.content])
            for f in search_files(docs, theme_names, tags, records.record if terms_path else None)]
    records.save()
    return made


def _recorder(terms_path: Path | None, fulls: list[str]):
    if terms_path is None:
        return None
    terms = _Terms(terms_path, fulls)

    def record(doc: int, head: set[str], body: set[str]) -> None:
        terms.record(doc, head, body)
        if doc == len(fulls) - 1:
            terms.save()
    return record


class _Terms:
    """Each article's search terms, kept in the build state for the next build's patching."""

    def __init__(self, path: Path | None, fulls: list[str]) -> None:
        self.path, self.fulls = path, fulls
        self.rows: list[tuple[str, ...]] = []

    def record(self, doc: int, head: set[str], body: set[str]) -> None:
        self.rows.append((self.fulls[doc], " ".join(head), " ".join(body)))  # read back as sets: any order
        if len(self.rows) >= TERMS_BATCH:  # stored as they come, never the whole archive's at once
            self._put(self.rows)
            self.rows = []

    def save(self) -> None:
        self._put(self.rows, used=set(self.fulls))
        self.rows = []

    def _put(self, rows: list[tuple[str, ...]], used: set[str] | None = None) -> None:
        if self.path is None:
            return
        records = Records(self.path, TERMS_TABLE, TERMS_VERSION, ("body",))
        try:
            records.put_many(rows, used=used)
        finally:
            records.close()


TERMS_BATCH = 500


def _search_bytes(make: Callable[[], list[OutputFile]], path: str) -> bytes:
    return next(f.content for f in make() if f.path == path)


def _page_bytes(page: Page, site: Site, config: Config, env: jinja2.Environment) -> bytes:
    return render_page(page, site, config, env).content


def _search_order(path: str) -> tuple[str, int]:
    """Search files in the order :func:`search_files` makes them (s0, s1, ..., m0, ..., t0, ..., facets)."""
    name = path.rsplit("/", 1)[-1].removesuffix(".js")
    order = "smtf"
    digits = name[1:]
    return (str(order.index(name[0])) if name[0] in order else name, int(digits) if digits.isdigit() else 0)


FORGET_EVERY = 10_000
"""Pages keyed between two times the keyer lets go of the values it reduced (kept so that a value
shown on many pages is reduced once): mostly the pages of one listing show the same ones, and at
100,000 articles keeping them for all 219,539 pages took eighty megabytes."""


def _render_pages(site: Site, config: Config, env: jinja2.Environment, jobs: int,
                  incremental: Incremental | None, spills: _Spills) -> Iterator[OutputFile | ReusedFile | MovedFile]:
    """Every page, rendered or (with ``incremental``) reused when its key is the last build's.

    When the last build left nothing to reuse (the first build into a folder), every page is
    rendered whatever its key: the keys, kept for the next build, are then worked out here while
    the workers render, rather than before they start."""
    reused: dict[int, str] = {}
    keyed_while_rendering = incremental is not None and not incremental.last
    if incremental is not None and not keyed_while_rendering:
        for n, page in enumerate(site.pages):
            digest = _page_keyed(incremental, page)
            if digest is not None:
                reused[n] = digest
            if n % FORGET_EVERY == FORGET_EVERY - 1:
                incremental.keyer.forget()
        incremental.keyer.forget()  # the pages are keyed: what it kept to key them is not held while they render
    todo = [n for n in range(len(site.pages)) if n not in reused]
    if incremental is not None:
        incremental.rendered = len(todo)
    mapped = None
    if jobs <= 1 or len(todo) < PARALLEL_PAGES:
        made: Iterator[OutputFile | MovedFile] = _render_serial([site.pages[n] for n in todo], site, config, env)
    else:
        # The site reaches each worker once; only page numbers go out. Each worker writes the pages
        # it renders into a folder beside the output folder, so the files are made on every core
        # and no page's bytes cross processes: the writer moves them into place.
        chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
        mapped = parallel_map(_render_chunk, (site, config, env, spills.folder("pages")), chunks, jobs)
        made = (f for part in mapped for f in part)
    try:
        for n, page in enumerate(site.pages):
            if n in reused:
                yield ReusedFile(page.path, reused[n], functools.partial(_page_bytes, page, site, config, env))
                continue
            if keyed_while_rendering:
                _page_keyed(incremental, page)  # type: ignore[arg-type]
                if n % FORGET_EVERY == FORGET_EVERY - 1:
                    incremental.keyer.forget()  # type: ignore[union-attr]
            yield next(made)
    finally:
        if mapped is not None:
            mapped.close()  # stopped early: the workers finish what they started, start nothing more
    if keyed_while_rendering:
        incremental.keyer.forget()  # type: ignore[union-attr]


def _page_keyed(incremental: Incremental, page: Page) -> str | None:
    """Record the page's key; the content hash of the last build's file if it can be reused."""
    keyer, last = incremental.keyer, incremental.last
    known = last.get(page.path) if incremental.same_site else None
    own = keyer.own_entry(page)
    if known is not None and own is None:
        key = known[0]
    else:
        base = known[2] if known is not None and known[2] else keyer.page_base(page)
        key = keyer.page_key_from(base, own)
        if own is not None:
            incremental.bases[page.path] = base
    return incremental.unchanged(page.path, key)


def _render_chunk(shared: tuple[Site, Config, jinja2.Environment, Path], numbers: list[int]) -> list[MovedFile]:
    """In a worker: the pages numbered ``numbers`` rendered and written into the folder ``spill``,
    each as a file named by its number (no folders to make)."""
    site, config, env, spill = shared
    env.auto_reload = False  # this process's copy, for this render only: see _render_serial
    made = []
    for n in numbers:
        page = render_page(site.pages[n], site, config, env)
        name, digest = _spilled_file(spill, str(n), [page.content])
        made.append(MovedFile(page.path, spill / name, digest))
    return made


def _render_serial(pages: list[Page], site: Site, config: Config, env: jinja2.Environment) -> Iterator[OutputFile]:
    """The pages rendered in this process. While they are, Jinja does not look at each template
    file's modification time on every use (three times a page: the template, the one it extends,
    the macros it imports), which cost as much as a tenth of the rendering: a template is read
    once per render."""
    reload, env.auto_reload = env.auto_reload, False
    try:
        for page in pages:
            yield render_page(page, site, config, env)
    finally:
        env.auto_reload = reload


def render_page(page: Page, site: Site, config: Config, env: jinja2.Environment) -> OutputFile:
    start = posixpath.dirname(page.path)

    def url(target: str) -> str:  # relative(page.path, target), its folder found once per page
        return _relative(start, target)

    fragments = env.globals.get("each_once")
    if isinstance(fragments, Fragments):
        fragments.begin(site)
    variables = page.context.variables()
    own = variables.get("entry")
    if isinstance(own, Entry) and own.item.stored is not None:  # its body and figures, read for its own page only
        variables["entry"] = replace(own, item=whole(own.item))
    try:
        template = env.get_template(page.template)
        html = template.render(page=page, site=site, url=url, home=HOME, stylesheet=STYLESHEET,
                               site_title=config.title, site_description=config.description,
                               language=config.language,
                               sections=site.sections, **variables)
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None)
        filename = getattr(exc, "filename", None)
        shown = display_path(Path(filename)) if filename else page.template  # templates/x.html, as typed
        where = f"{shown}:{line}" if line else page.template
        raise RenderError(f"{where}: template error while rendering {page.path}: {exc}") from exc
    return OutputFile(page.path, html.encode("utf-8"))


def _link(base_url: str | None, from_path: str, target: str) -> str:
    """Absolute when the site's address is known, else relative to the feed file."""
    return base_url + target if base_url else relative(from_path, target)


def render_feed(feed: Feed, config: Config) -> OutputFile:
    """An Atom feed; ids are stable URNs so they survive a move of the site."""
    from feedgen.feed import FeedGenerator  # imported on first use (with lxml): most rebuilds make no feed
    fg = FeedGenerator()
    fg.id(f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, feed.path)}")
    fg.title(feed.title)
    fg.language(config.language)
    fg.link(href=_link(config.base_url, feed.path, feed.page_path), rel="alternate", type="text/html")
    if config.base_url:
        fg.link(href=config.base_url + feed.path, rel="self", type="application/atom+xml")
    if config.description:
        fg.subtitle(config.description)
    fg.generator("digestgen")
    fg.author(name=config.title)  # Atom wants an author for entries that name none
    dates = [_aware(e.item.article.date) for e in feed.entries if e.item.article.date]
    newest = max(dates) if dates else dt.datetime(1970, 1, 1, tzinfo=_CST)
    fg.updated(newest)
    for e in reversed(feed.entries):  # feedgen prepends each new entry
        a = e.item.article
        fe = fg.add_entry()
        fe.id(f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, e.path)}")
        fe.title(e.item.title)
        fe.link(href=_link(config.base_url, feed.path, e.path), rel="alternate", type="text/html")
        if a.date:  # feeds list dated articles only (digestgen.site.kind.feed_entries)
            fe.updated(_aware(a.date))
            fe.published(_aware(a.date))
        for name in a.authors:
            fe.author(name=name)
        fe.summary(e.item.summary)
        if e.theme_links:  # all at once: feedgen redoes its whole list on every call
            fe.category([{"term": theme.name} for theme in e.theme_links])
    return OutputFile(feed.path, fg.atom_str(pretty=True))


_CST = BEIJING


def _aware(d: dt.datetime) -> dt.datetime:
    # Dates in front matter are Beijing time unless they say otherwise.
    return d if d.tzinfo else d.replace(tzinfo=_CST)


def published_entries(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
    """The articles the open data and the sitemap list: drafts are built only to be looked at."""
    return tuple(e for e in entries if not e.item.article.draft)


def article_record(e: Entry) -> dict:
    """One record of ``data/articles.json`` (schema in the README)."""
    a = e.item.article
    if a.date is None:
        date = None
    elif a.has_time:
        date = iso_date(a.date)
    else:
        date = a.date.strftime("%Y-%m-%d")
    return {
        "slug": e.slug,
        "title": e.item.title,
        "subtitle": a.subtitle,
        "date": date,
        "source": a.source,
        "url": a.url,
        "authors": list(a.authors),
        "region": {"province": e.item.region.province, "city": e.item.region.city, "county": e.item.region.county},
        "themes": list(e.item.themes),
        "tags": list(e.item.tags),
        "summary": e.item.summary,
        "path": e.path,
        "source_file": a.source_file,
        "key_figures": [f.record() for f in figures_of(e.item)],
    }


def articles_json(entries: tuple[Entry, ...]) -> Iterator[bytes]:
    """``json.dumps(records, ensure_ascii=False, indent=1)`` and a newline, one record at a time."""
    return dumps_indent1_chunks(article_record(e) for e in entries)


def sitemap(site: Site, base_url: str) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    drafts = {e.path for e in site.entries if e.item.article.draft}
    for page in site.pages:
        if page.path == "404.html" or page.template == "redirect.html" or page.path in drafts:
            continue
        lines.append(f"  <url><loc>{escape(base_url + page.path)}</loc></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")
