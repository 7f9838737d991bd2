"""The whole build in one function: load -> analyse -> site model -> render -> write."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from .analyse import analyse
from .config import Config, load_config
from .load import load_articles
from .model import Problem
from .render import render_site
from .sitemodel import build_site
from .write import check_output_dir, write_site


class BuildError(Exception):
    """The build cannot go on (the articles folder is missing, say); nothing was written."""


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the summary line and the exit code."""

    articles: int
    pages: int
    files: int
    problems: tuple[Problem, ...]
    seconds: float
    output_dir: Path
    timings: tuple[tuple[str, float], ...] = ()
    """Seconds per stage, in pipeline order."""

    @property
    def errors(self) -> int:
        return sum(p.level == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.level == "warning" for p in self.problems)

    def summary(self) -> str:
        return (f"built {self.articles} articles: {self.pages} pages, {self.files} files written; "
                f"{self.warnings} warnings, {self.errors} errors; {self.seconds:.1f} s")


def build(config_path: Path, *, articles_dir: Path | None = None, output_dir: Path | None = None,
          drafts: bool = False) -> BuildReport:
    """Build the site; raise ConfigError, BuildError, RenderError or WriteError when nothing can be written."""
    started = time.perf_counter()
    config = _with_overrides(load_config(config_path), articles_dir, output_dir)
    check_output_dir(config.output_dir, config.root,
                     [config.articles_dir, config.templates_dir, config.static_dir, config_path])
    if not config.articles_dir.is_dir():
        raise BuildError(f"articles folder {config.articles_dir} not found; create it or pass --articles DIR")
    if not config.templates_dir.is_dir():
        raise BuildError(f"templates folder {config.templates_dir} not found; set 'templates' in the config")

    clock = _Clock()
    loaded = clock("load", load_articles(config.articles_dir, {t.id: t.name for t in config.themes},
                                         drafts=drafts, display_root=Path.cwd()))
    analysed, notes = clock("analyse", analyse(loaded.articles, config))
    site = clock("site model", build_site(analysed, config))
    files = clock("render", render_site(site, config))
    written = clock("write", write_site(files, config.static_dir, config.output_dir))

    return BuildReport(articles=len(site.entries), pages=len(site.pages), files=written,
                       problems=tuple(loaded.problems + notes), seconds=time.perf_counter() - started,
                       output_dir=config.output_dir, timings=tuple(clock.laps))


class _Clock:
    """Times each stage: ``clock(name, value)`` records the time since the previous lap."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def __call__(self, name: str, value):
        now = time.perf_counter()
        self.laps.append((name, now - self.last))
        self.last = now
        return value


def _with_overrides(config: Config, articles_dir: Path | None, output_dir: Path | None) -> Config:
    changes = {}
    if articles_dir is not None:
        changes["articles_dir"] = articles_dir.resolve()
    if output_dir is not None:
        changes["output_dir"] = output_dir.resolve()
    return replace(config, **changes)
