"""Render stage: a :class:`Site` -> :class:`OutputFile` values (HTML pages, feeds, data, sitemap).

Jinja runs with autoescaping and StrictUndefined; only the sanitised article body is marked safe.
Links in pages come from ``url()``, which makes them relative to the page being rendered.
"""
from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import jinja2
from feedgen.feed import FeedGenerator
from markupsafe import Markup
from markupsafe import escape as escape_html

from digestgen.config import Config
from digestgen.model import BEIJING, Entry, Figure, OutputFile, ReusedFile
from digestgen.parallel import background, parallel_map
from digestgen.paths import display_path
from digestgen.render import charts
from digestgen.render.fragments import Fragments
from digestgen.render.jsontext import dumps_indent1
from digestgen.render.keys import Keyer
from digestgen.site.pages import Feed, Page, Site
from digestgen.render.searchindex import search_files
from digestgen.site.panels import THEME_CHIPS, figure_summary, figure_value
from digestgen.site.urls import HOME, _relative, relative

FEED_NAMESPACE = uuid.UUID("6f1c7e52-4a51-4b4e-9a0c-5b0f3b1a9d20")
STYLESHEET = "static/style.css"


class RenderError(Exception):
    """A template failed; the message names the template and the page."""


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
    last: dict[str, tuple[str, str]]
    """``{path: (key, content hash)}`` of the last build (:class:`digestgen.state.BuildState`)."""
    intact: dict[str, str]
    """``{path: content hash}`` of the last build's files still as it wrote them."""
    keys: dict[str, str] = field(default_factory=dict)
    """The key of every file of this build, filled in as they are made."""
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
                incremental: Incremental | None = None) -> Iterator[OutputFile | ReusedFile]:
    """Every page, feed and data file of the site, one at a time (pages over ``jobs`` processes).

    The files are yielded as they are made, so the writer can store each before the next exists
    and the whole site is never held in memory at once. With ``incremental``, a file that shows
    what it showed in the last build is not made: a :class:`ReusedFile` stands for it.
    """
    env = env or make_environment(config.templates_dir)
    search = _search_files(site, config, incremental, jobs)
    started = next(search)  # the search index may be built in the background meanwhile
    yield from started
    yield from _render_pages(site, config, env, jobs, incremental)
    for feed in site.feeds:
        yield _keyed(incremental, feed.path, lambda feed=feed: render_feed(feed, config).content, "feed", feed)
    published = published_entries(site.entries)
    yield _keyed(incremental, "data/articles.json", lambda: articles_json(published), "articles.json", published)
    yield from next(search)
    for path, source in site.assets:  # images and files the articles link, copied beside their pages
        yield OutputFile(path, source.read_bytes())
    if config.base_url:
        yield OutputFile("sitemap.xml", sitemap(site, config.base_url))
        yield OutputFile("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {config.base_url}sitemap.xml\n".encode())


def _keyed(incremental: Incremental | None, path: str, make, *parts: object) -> OutputFile | ReusedFile:
    """The file at ``path`` made by ``make``, or reused when its key (from ``parts``) is unchanged."""
    if incremental is None:
        return OutputFile(path, make())
    digest = incremental.unchanged(path, incremental.keyer.key(*parts))
    return ReusedFile(path, digest, make) if digest is not None else OutputFile(path, make())


BACKGROUND_SEARCH = 2000
"""From this many articles (and with more than one job), the search index is built in a worker
process while the pages are keyed, rendered and written."""


def _search_files(site: Site, config: Config, incremental: Incremental | None,
                  jobs: int = 1) -> Iterator[Iterator[OutputFile | ReusedFile]]:
    """The search index: its files all share one key, made from every field of every article.

    Yields once when started (the index is then being built in the background if it is large and
    must be built) and then an iterator of its files; the caller takes the second when it wants them."""
    tags = [(t.name, t.path, t.count) for t in site.tags]
    made: list[OutputFile] = []

    def make() -> list[OutputFile]:
        if not made:
            made.extend(search_files(site.entries, config.theme_names, tags))
        return made

    key = None
    if incremental is not None:
        keyer = incremental.keyer
        key = keyer.key("search", tuple(keyer.full(e) for e in site.entries), config.theme_names, tags)
        last = [path for path, (old, _) in incremental.last.items() if old == key and path.startswith("search/")]
        if last and all(incremental.intact.get(p) == incremental.last[p][1] for p in last):
            for path in last:
                incremental.unchanged(path, key)
            yield iter(())
            yield iter([ReusedFile(path, incremental.last[path][1], functools.partial(_search_bytes, make, path))
                        for path in sorted(last, key=_search_order)])
            return
    waiting = None
    if jobs > 1 and len(site.entries) >= BACKGROUND_SEARCH:
        waiting = background(_search_task, (site.entries, config.theme_names, tags), 0)
    yield iter(())  # started
    files = waiting() if waiting is not None else make()
    if incremental is not None and key is not None:
        for f in files:
            incremental.keys[f.path] = key
    yield iter(files)


def _search_task(shared: tuple, _: int) -> list[OutputFile]:
    entries, theme_names, tags = shared
    return search_files(entries, theme_names, tags)


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


def _render_pages(site: Site, config: Config, env: jinja2.Environment, jobs: int,
                  incremental: Incremental | None = None) -> Iterator[OutputFile | ReusedFile]:
    reused: dict[int, str] = {}
    if incremental is not None:
        for n, page in enumerate(site.pages):
            digest = incremental.unchanged(page.path, incremental.keyer.page_key(page))
            if digest is not None:
                reused[n] = digest
        incremental.rendered = len(site.pages) - len(reused)
    todo = [n for n in range(len(site.pages)) if n not in reused]
    if jobs <= 1 or len(todo) < PARALLEL_PAGES:
        made: Iterator[OutputFile] = _render_serial([site.pages[n] for n in todo], site, config, env)
    else:
        # The site reaches each worker once; only page numbers go out and bytes come back.
        chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
        made = (f for part in parallel_map(_render_chunk, (site, config, env), chunks, jobs) for f in part)
    for n, page in enumerate(site.pages):
        if n in reused:
            yield ReusedFile(page.path, reused[n], functools.partial(_page_bytes, page, site, config, env))
        else:
            yield next(made)


def _render_chunk(shared: tuple[Site, Config, jinja2.Environment], numbers: list[int]) -> list[OutputFile]:
    site, config, env = shared
    env.auto_reload = False  # this process's copy, for this render only: see _render_serial
    return [render_page(site.pages[n], site, config, env) for n in numbers]


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
    try:
        template = env.get_template(page.template)
        html = template.render(page=page, site=site, url=url, home=HOME, stylesheet=STYLESHEET,
                               site_title=config.title, site_description=config.description,
                               language=config.language,
                               sections=site.sections, **page.context.variables())
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
        "key_figures": [f.record() for f in e.item.key_figures],
    }


def articles_json(entries: tuple[Entry, ...]) -> bytes:
    records = [article_record(e) for e in entries]
    return (dumps_indent1(records) + "\n").encode("utf-8")  # json.dumps(..., ensure_ascii=False, indent=1)


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
