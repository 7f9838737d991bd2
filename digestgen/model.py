"""The shared vocabulary of the pipeline: frozen dataclasses handed from stage to stage.

The records a build holds one of per article (or per key figure) have ``__slots__``: no
dictionary per object, about half the memory.

load -> Article, analyse -> Analysed, site model -> Entry (and Site, Page in digestgen.site.pages),
render -> OutputFile,
and Problem for everything that goes wrong along the way.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Level = Literal["error", "warning", "note"]
BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")
"""The time zone of a front-matter date that names none."""
PLACE_SUFFIX = re.compile(r"(特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区|自治州|自治县|地区|新区|省|市|州|盟|县|区|旗)$")


def short_place_name(name: str) -> str:
    """A region name without its administrative suffix (衡南县 -> 衡南); 道县 stays whole."""
    short = PLACE_SUFFIX.sub("", name)
    return short if len(short) >= 2 else name


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the user's input, printed compiler-style."""

    path: str
    """The file, as the user would type it (e.g. ``articles/x.md``)."""
    line: int | None
    """1-based line in that file, when known."""
    level: Level
    message: str
    """What is wrong, and how to fix it."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"


@dataclass(frozen=True, slots=True)
class Region:
    """A place in the province > city > county hierarchy; any level may be missing."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    code: str | None = None
    """Gazetteer code of the most precise level, when the region is in the gazetteer."""
    names: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """The known levels, top down (``('湖南省', '衡阳市')``); worked out once (the site model asks
    for it hundreds of thousands of times)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(n for n in (self.province, self.city, self.county) if n))

    def __bool__(self) -> bool:
        return bool(self.names)


@dataclass(frozen=True, slots=True)
class Article:
    """One article as written in ``articles/``: typed front matter plus the Markdown body."""

    source_file: str
    """Path relative to the articles folder, with forward slashes."""
    display_path: str
    """Path used in messages (``articles/x.md``)."""
    body: str
    """Markdown body, front matter removed."""
    body_line: int
    """Line of the file on which the body starts."""
    title: str | None = None
    subtitle: str | None = None
    date: dt.datetime | None = None
    has_time: bool = False
    """Whether the front matter gave a time of day, not just a date."""
    source: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    region: Region = field(default_factory=Region)
    themes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    slug: str | None = None
    aliases: tuple[str, ...] = ()
    """Former slugs: each gets a page that redirects to this article."""
    summary: str | None = None
    draft: bool = False
    imported_from: str | None = None
    field_lines: tuple[tuple[str, int], ...] = ()
    """Front-matter field -> line in the file, for messages about a field's value."""

    def line_of(self, field_name: str) -> int:
        return dict(self.field_lines).get(field_name, 1)


@dataclass(frozen=True, slots=True)
class Figure:
    """One key figure of an article (破获电信诈骗案件123起, 同比下降40%)."""

    text: str
    """The sentence it came from."""
    metric: str
    """What is counted (破获电信诈骗案件)."""
    value: float | None
    """The number, multipliers applied (30多万元 -> 300000); None for a change told without a
    number (同比下降, 大幅上升), which then has a direction and an empty unit."""
    unit: str
    direction: str | None = None
    """up or down, when the sentence says the figure rose or fell."""
    change: str | None = None
    """The size of the change with its unit (40%, 15.3个百分点)."""
    approx: bool = False
    """余, 多, 约, 近: the value is approximate."""
    action: str | None = None
    """The police action counted (破获, 抓获, 挽回...), for grouping figures across articles."""
    action_rank: int = 0
    """Where the action stands in the analysis' list of actions (破获 first), for ordering groups."""

    def shared(self, text: str | None = None) -> Figure:
        """This figure with the strings that recur across an archive's figures (what is counted, the
        unit, the direction, the change, the action) the interpreter's one copy of each: most of a
        figure's memory, for the few hundred thousand figures of a large archive. ``text``, when
        given, is the one copy of its sentence to hold (see :func:`shared_figures`)."""
        return Figure(self.text if text is None else text, sys.intern(self.metric), self.value, sys.intern(self.unit), _interned(self.direction),
                      _interned(self.change), self.approx, _interned(self.action), self.action_rank)

    def record(self) -> dict:
        """The ``key_figures`` record of ``articles.json``."""
        value = int(self.value) if self.value is not None and float(self.value).is_integer() else self.value
        return {"text": self.text, "metric": self.metric, "value": value, "unit": self.unit,
                "direction": self.direction, "change": self.change, "approx": self.approx}


def shared_figures(found: Iterable[Figure]) -> tuple[Figure, ...]:
    """An article's figures with their recurring strings shared (``Figure.shared``), and those told
    in one sentence holding one copy of it (a sentence often tells several)."""
    sentences: dict[str, str] = {}
    return tuple(f.shared(sentences.setdefault(f.text, f.text)) for f in found)


def _interned(text: str | None) -> str | None:
    return None if text is None else sys.intern(text)


@dataclass(frozen=True, slots=True)
class Stored:
    """Where a build keeps an article's body HTML and text (see :mod:`digestgen.bodies`)."""

    database: str
    key: str
    """The article's analysis key: its body HTML and text are a function of it."""
    local_refs: bool
    """Whether the HTML may link files by a relative path (which the site model copies)."""


@dataclass(frozen=True, slots=True)
class Analysed:
    """An article after analysis: what the build found in it."""

    article: Article
    title: str
    """The title to show: the front matter's, or a placeholder from the first sentence."""
    html: str
    """The body rendered from Markdown and sanitised."""
    text: str
    """The body as plain text."""
    tags: tuple[str, ...]
    """Front-matter tags first, then the extracted ones, best first."""
    themes: tuple[str, ...]
    """Theme ids, front matter first, then those the keywords found."""
    summary: str
    reading_minutes: int
    region: Region
    """The front matter's region in the gazetteer's names, with detection filling what it left out."""
    region_detected: bool
    """Whether any level of ``region`` came from the text rather than the front matter."""
    key_figures: tuple[Figure, ...] = ()
    """Statistics found in the body, in order. In a build they are kept with the body (``stored``)
    and empty here: read them with :func:`digestgen.bodies.figures_of`."""
    counted: tuple[Figure, ...] = ()
    """Those of the key figures that count a police action (破获, 抓获...) without telling a change:
    what the theme pages group across articles. Always here."""
    figures_digest: str = ""
    """A digest of ``key_figures``, always here: listings and ``articles.json`` are keyed by it."""
    region_path: tuple[tuple[str, str], ...] = ()
    """(gazetteer code, short name) of each level of ``region``, top down; empty when the region is
    not in the gazetteer."""
    title_words: tuple[str, ...] = ()
    """The title cut into words (for slugs)."""
    tag_words: tuple[tuple[str, ...], ...] = ()
    """Each tag cut into words, in the order of ``tags`` (for slugs)."""
    stored: Stored | None = None
    """In a build, where ``html``, ``text`` and ``key_figures`` are kept instead of in this record
    (they are then empty here); read them with :func:`digestgen.bodies.whole`, ``stored_text`` and
    ``figures_of``."""


@dataclass(frozen=True, slots=True)
class Link:
    """A named target inside the site (path relative to the site root)."""

    name: str
    path: str
    count: int = 0


@dataclass(frozen=True, slots=True)
class Entry:
    """An article as the site model presents it: its analysis plus its place in the site."""

    item: Analysed
    slug: str
    path: str
    region_links: tuple[Link, ...]
    """Breadcrumb from province down to the article's most precise region."""
    theme_links: tuple[Link, ...]
    tag_links: tuple[Link | None, ...]
    """One per tag; ``None`` where the tag has no page of its own."""


@dataclass(frozen=True)
class OutputFile:
    """A file of the finished site: its path under the output folder and its bytes."""

    path: str
    content: bytes


@dataclass(frozen=True)
class StreamedFile:
    """A file of the finished site too large to hold whole (``data/articles.json``): ``chunks``
    makes its bytes piece by piece, and the writer stores each piece as it comes."""

    path: str
    chunks: Callable[[], Iterable[bytes]]


@dataclass(frozen=True)
class MovedFile:
    """A file of the finished site that a worker process has written whole, beside the output
    folder (on the same disk): the writer moves it into place rather than copying its bytes."""

    path: str
    source: Path
    digest: str
    """The hash of its bytes, as the writer computes it for any file."""


@dataclass(frozen=True)
class ReusedFile:
    """A file of the finished site that shows what it showed in the last build (same key).

    The writer takes the file the last build wrote; ``make`` renders it only if that file is
    no longer there as the last build left it.
    """

    path: str
    digest: str
    """The hash of the bytes of the last build's file, as its manifest recorded it."""
    make: Callable[[], bytes]
