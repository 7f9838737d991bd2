"""What the site model hands the renderer: every page with its context, every feed, the site."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digestgen.model import Entry, Link, Problem
from digestgen.site.context import Context, Section


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML page to render: a template name, its output path and what it shows."""

    path: str
    template: str
    title: str
    context: Context
    """What the page shows: the dataclass of its kind (``digestgen.site.context``)."""
    feed: str | None = None
    """The Atom feed of this page, linked from its head."""


@dataclass(frozen=True, slots=True)
class Feed:
    """An Atom feed of the newest entries of one listing."""

    path: str
    title: str
    page_path: str
    """The HTML page the feed belongs to."""
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Site:
    """Everything the renderer needs, gathered before anything is written."""

    entries: tuple[Entry, ...]
    """All articles, newest first, undated last."""
    pages: tuple[Page, ...]
    feeds: tuple[Feed, ...]
    tags: tuple[Link, ...]
    """Tags that have a page, most used first."""
    sections: tuple[Section, ...] = ()
    """The parts of the site in the main navigation, from the page-kind registry."""
    assets: tuple[tuple[str, Path], ...] = ()
    """Files the articles link by relative path: (path in the site, file to copy)."""
    problems: tuple[Problem, ...] = ()
    """What the site model found wrong (a missing image, say)."""
