"""The whole build in one function: load -> analyse -> site model -> render -> write."""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

from digestgen.analysis.analyse import analyse
from digestgen.analysis.cache import AnalysisCache, code_salt
from digestgen.config import Config, load_config
from digestgen.load.articles import load_articles
from digestgen.model import Problem
from digestgen.progress import Stage, counted, no_progress
from digestgen.render.pages import render_site
from digestgen.site.model import build_site
from digestgen.write import check_output_dir, read_manifest, write_site


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
    kept: bool = False
    """Nothing was written because of errors (``keep_site_on_errors``): the last site stays."""

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
          drafts: bool = False, use_cache: bool = True, jobs: int | None = None,
          keep_site_on_errors: bool = False, progress: Stage = no_progress) -> BuildReport:
    """Build the site; raise ConfigError, BuildError, RenderError or WriteError when nothing can be written.

    With the cache on, a build whose inputs (articles, config, templates, static files, digestgen
    itself) are byte for byte those of the last build leaves the site as it is, and articles
    analysed before are not analysed again.

    With ``keep_site_on_errors`` (``serve``), a build in which an article has an error writes
    nothing, so the last good site stays in place; its report then has ``kept=True``.
    ``progress`` is told how far the long stages are (see :mod:`digestgen.progress`).
    """
    started = time.perf_counter()
    config = _with_overrides(load_config(config_path), articles_dir, output_dir)
    check_output_dir(config.output_dir, config.root,
                     [config.articles_dir, config.templates_dir, config.static_dir, config_path])
    if not config.articles_dir.is_dir():
        raise BuildError(f"articles folder {config.articles_dir} not found; create it or pass --articles DIR")
    if not config.templates_dir.is_dir():
        raise BuildError(f"templates folder {config.templates_dir} not found; set 'templates' in the config")

    clock = _Clock()
    fingerprint = clock("fingerprint", _fingerprint(config, config_path, drafts))
    if use_cache:
        last = read_manifest(config.output_dir)
        if last.get("fingerprint") == fingerprint and "report" in last:
            return _unchanged(last["report"], config.output_dir, started, clock)
    cache = AnalysisCache(_cache_dir(config) if use_cache else None, code_salt())
    jobs = jobs or os.cpu_count() or 1
    loaded = clock("load", load_articles(config.articles_dir, {t.id: t.name for t in config.themes},
                                         drafts=drafts, display_root=Path.cwd()))
    with progress("analyse", len(loaded.articles), "articles") as advance:
        analysed, notes = clock("analyse", analyse(loaded.articles, config, cache=cache, jobs=jobs,
                                                   progress=advance))
    if keep_site_on_errors and any(p.level == "error" for p in loaded.problems + notes):
        return BuildReport(articles=len(analysed), pages=0, files=0, problems=tuple(loaded.problems + notes),
                           seconds=time.perf_counter() - started, output_dir=config.output_dir,
                           timings=tuple(clock.laps), kept=True)
    site = clock("site model", build_site(analysed, config))
    files = render_site(site, config, jobs=jobs)  # made one by one as the writer stores them
    problems = tuple(loaded.problems + notes)
    record = {"fingerprint": fingerprint if use_cache else None,
              "report": {"articles": len(site.entries), "pages": len(site.pages),
                         "problems": [[p.path, p.line, p.level, p.message] for p in problems]}}
    total = len(site.pages) + len(site.feeds)
    with progress("render and write", total, "pages") as advance:
        written = clock("render and write", write_site(counted(files, advance, total), config.static_dir,
                                                       config.output_dir, record))

    return BuildReport(articles=len(site.entries), pages=len(site.pages), files=written,
                       problems=problems, seconds=time.perf_counter() - started,
                       output_dir=config.output_dir, timings=tuple(clock.laps))


def _fingerprint(config: Config, config_path: Path, drafts: bool) -> str:
    """A hash of everything a build reads: if it is unchanged, so is the site."""
    h = hashlib.blake2b(code_salt().encode(), digest_size=20)
    h.update(f"drafts={drafts}|{config.articles_dir}|{config.output_dir}".encode())
    h.update(config_path.read_bytes())
    for folder in (config.templates_dir, config.static_dir, config.articles_dir):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                h.update(str(path.relative_to(folder)).encode() + b"\x00")
                h.update(path.read_bytes())
    return h.hexdigest()


def _unchanged(report: dict, out: Path, started: float, clock: _Clock) -> BuildReport:
    problems = tuple(Problem(path, line, level, message) for path, line, level, message in report["problems"])
    return BuildReport(articles=report["articles"], pages=report["pages"], files=0, problems=problems,
                       seconds=time.perf_counter() - started, output_dir=out, timings=tuple(clock.laps))


def _cache_dir(config: Config) -> Path:
    return Path(os.environ.get("DIGESTGEN_CACHE") or config.root / ".digestgen-cache") / "analysis"


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
    return replace(config,
                   articles_dir=articles_dir.resolve() if articles_dir is not None else config.articles_dir,
                   output_dir=output_dir.resolve() if output_dir is not None else config.output_dir)
