"""The whole build in one function: load -> analyse -> site model -> render -> write."""
from __future__ import annotations

import gc
import hashlib
import json
import os
import resource
import stat
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from digestgen.analysis.analyse import CorpusPass, Warm, analyse
from digestgen.analysis.analyse import release as release_analysis
from digestgen.analysis.cache import AnalysisCache, code_salt
from digestgen import patch
from digestgen.bodies import close as close_bodies
from digestgen.config import Config, load_config
from digestgen.load import memo
from digestgen.load.articles import Loaded, load_articles
from digestgen.memory import give_back
from digestgen.model import Problem
from digestgen.paths import display_path
from digestgen.progress import Stage, counted, no_progress
from digestgen.render.keys import Keyer, build_keyer, template_reads
from digestgen.render.pages import Incremental, make_environment, render_site
from digestgen.site import urls
from digestgen.site.model import build_site, reuse_site
from digestgen.site.pages import Site
from digestgen.site.permalinks import alias_problems, published, vanished
from digestgen.state import SITE_ROW, BuildState, Records, new_mark
from digestgen.write import (check_output_dir, manifest_stamp, read_manifest, recover, refresh_manifest, reusable,
                             site_intact, write_site)


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
    peaks: tuple[int, ...] = ()
    """Peak memory of the build process (MiB) at the end of each stage of ``timings``."""
    drafts_left_out: int = 0
    """Articles marked ``draft: true`` that were not built (no ``--drafts``)."""
    drafts_built: int = 0
    """Drafts built (with ``--drafts``): marked on their pages, kept out of feeds, JSON and sitemap."""
    kept: bool = False
    """Nothing was written because of errors (``keep_site_on_errors``): the last site stays."""
    rendered: int | None = None
    """HTML pages rendered; the others showed what they showed in the last build and were reused."""
    reused: int = 0
    """Output files (pages, feeds, data) not made again because their key was unchanged."""

    @property
    def errors(self) -> int:
        return sum(p.level == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.level == "warning" for p in self.problems)

    def summary(self) -> str:
        drafts = ""
        if self.drafts_left_out:
            drafts = f" ({self.drafts_left_out} draft{'s' * (self.drafts_left_out > 1)} left out; --drafts builds them)"
        elif self.drafts_built:
            drafts = f" (including {self.drafts_built} draft{'s' * (self.drafts_built > 1)})"
        return (f"built {self.articles} articles{drafts}: {self.pages} pages, {self.files} files written; "
                f"{self.warnings} warnings, {self.errors} errors; {self.seconds:.1f} s")


@dataclass
class Memory:
    """What a long-running process (``serve``) keeps from one build to the next: the files parsed
    and the articles analysed, so that a rebuild reads neither back from the cache."""

    loaded: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)
    """Each article file's status when it was last read (``load_articles``)."""
    shared: dict = field(default_factory=dict)
    """The one copy of each value that recurs across the articles loaded (``load_articles``)."""
    analysed: dict = field(default_factory=dict)
    warm: Warm = field(default_factory=Warm)
    """The last corpus pass, so an edit re-weighs only the articles it can change."""
    site: Site | None = None
    """The last site model, with the analysed articles and the config it was made from."""
    items: list = field(default_factory=list)
    config: Config | None = None
    cards: dict = field(default_factory=dict)
    """Card digests of the last site's entries (see ``render.keys.Keyer``)."""


def build(config_path: Path, *, articles_dir: Path | None = None, output_dir: Path | None = None,
          drafts: bool = False, use_cache: bool = True, jobs: int | None = None,
          keep_site_on_errors: bool = False, progress: Stage = no_progress,
          memory: Memory | None = None, once: bool = False) -> BuildReport:
    """Build the site; raise ConfigError, BuildError, RenderError or WriteError when nothing can be written.

    ``drafts`` builds the articles marked ``draft: true`` too: each is marked as a draft on its
    pages and kept out of feeds, ``data/articles.json`` and the sitemap. Without it they are
    left out and counted (``BuildReport.drafts_left_out``).

    With the cache on, a build whose inputs (articles, config, templates, static files, digestgen
    itself) are byte for byte those of the last build leaves the site as it is, and articles
    analysed before are not analysed again.

    With ``keep_site_on_errors`` (``serve``), a build in which an article has an error writes
    nothing, so the last good site stays in place; its report then has ``kept=True``.
    ``progress`` is told how far the long stages are (see :mod:`digestgen.progress`). ``memory``
    (with the cache on) keeps parsed and analysed articles in this process for the next build.
    ``once`` (the ``build`` command) says this process builds once: what only the analysis needs
    (its dictionaries) is let go once the articles are analysed, for the later stages.
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
    collecting = gc.isenabled()
    gc.disable()  # see _Clock
    try:
        return _run(config, config_path, drafts, use_cache, jobs, keep_site_on_errors, progress, memory, started,
                    clock, once)
    finally:
        gc.unfreeze()  # what the stages froze is collected as usual again
        if collecting:
            gc.enable()


def _run(config: Config, config_path: Path, drafts: bool, use_cache: bool, jobs: int | None,
         keep_site_on_errors: bool, progress: Stage, memory: Memory | None, started: float,
         clock: _Clock, once: bool = False) -> BuildReport:
    recover(config.output_dir)
    stamp = manifest_stamp(config.output_dir)
    last = read_manifest(config.output_dir)
    scanned_ns = time.time_ns()
    found, scan = clock("fingerprint", _fingerprint(config, config_path, drafts, scanned_ns, _racy_of(last)))
    fingerprint, frame = found.recorded, found.frame
    if use_cache and last.get("fingerprint") == found.compared and "report" in last \
            and site_intact(config.output_dir, last, jobs or os.cpu_count() or 1):
        if found.recorded != found.compared:  # files the last build counted by content count by status again
            refresh_manifest(config.output_dir, stamp, {**last, "fingerprint": found.recorded, "racy": found.racy})
        return _unchanged(last["report"], config.output_dir, started, clock)
    if use_cache and memory is None and "report" in last:
        env = make_environment(config.templates_dir)
        patched = patch.rebuild(config, config_path, drafts, env, template_reads(env), _state_path(config), frame,
                                scan, scanned_ns, last, {"fingerprint": fingerprint, "racy": found.racy}, stamp, clock,
                                jobs or os.cpu_count() or 1)
        if patched is not None:
            clock("render and write", None)
            return replace(_unchanged(patched.report, config.output_dir, started, clock), files=patched.files,
                           rendered=patched.rendered, reused=patched.reused, peaks=tuple(clock.peaks))
    snap = None
    if use_cache and memory is None:  # a snapshot for the next build's edit (see :mod:`digestgen.patch`)
        snap = _snapshot_begin(_state_path(config), config, frame, scan, scanned_ns)
    del scan  # not held through the build
    # Without the cache, the analysis still keeps bodies on disk for the build, in a folder of its own.
    scratch = None if use_cache else tempfile.TemporaryDirectory(prefix="digestgen-build-")
    try:
        return _build(config, config_path, drafts, use_cache, jobs, keep_site_on_errors, progress, started, clock,
                      last, found, Path(scratch.name) / "state.sqlite" if scratch else _state_path(config),
                      memory if use_cache else None, stamp, once, snap)
    finally:
        close_bodies()
        if scratch is not None:
            scratch.cleanup()


def _build(config: Config, config_path: Path, drafts: bool, use_cache: bool, jobs: int | None,
           keep_site_on_errors: bool, progress: Stage, started: float, clock: _Clock, last: dict,
           fingerprint: Fingerprint, database: Path, memory: Memory | None,
           stamp: tuple[int, int, int] | None = None, once: bool = False,
           snap: str | None = None) -> BuildReport:
    cache = AnalysisCache(database, code_salt(), memory.analysed if memory else None)
    jobs = jobs or os.cpu_count() or 1
    env = make_environment(config.templates_dir)
    def load() -> Loaded:
        parsed = Records(_state_path(config) if use_cache else None, memo.TABLE, memo.VERSION)
        try:
            return load_articles(config.articles_dir, config.theme_names, drafts=drafts, display_root=Path.cwd(),
                                 records=parsed, salt=code_salt(), memory=memory.loaded if memory else None,
                                 statuses=memory.statuses if memory else None, jobs=jobs,
                                 shared=memory.shared if memory else None)
        finally:
            parsed.close()

    loaded = clock("load", load())
    reads = template_reads(env)
    # A snapshot for the next build's edit (see :mod:`digestgen.patch`), where it can use one.
    corpus = CorpusPass() if snap is not None and reads.bodies_private and reads.site_count_only else None
    with progress("analyse", len(loaded.articles), "articles") as advance:
        # A build that analyses once lets go of each article's Markdown as it is analysed (see
        # ``analyse``); should the analysis fail, the articles are loaded again for the retry.
        analysed, notes = clock("analyse", _analyse_guarded(loaded, config, cache, jobs, advance,
                                                            keep_body=reads.markdown,
                                                            warm=memory.warm if memory else None,
                                                            keep_figures=reads.figures_elsewhere,
                                                            reload=load if once and memory is None else None,
                                                            corpus=corpus))
    token = _snapshot_words(database, config, corpus)
    loaded.articles = []  # the analysed articles stand for them now (without their bodies, which are on disk)
    if once and memory is None:  # nothing is analysed again in this process
        release_analysis()
        give_back()
    if cache.lost:  # the bodies of what was just analysed are kept there, and could not be
        raise BuildError(f"could not read or write the build state {display_path(database)} (another build may "
                         "be holding it); nothing was changed; build again")
    if keep_site_on_errors and any(p.level == "error" for p in loaded.problems + notes):
        return BuildReport(articles=len(analysed), pages=0, files=0, problems=tuple(loaded.problems + notes),
                           seconds=time.perf_counter() - started, output_dir=config.output_dir,
                           timings=tuple(clock.laps), kept=True)
    site = clock("site model", _site_model(analysed, config, reads.bodies_private, database if use_cache else None,
                                           memory))
    incremental = _incremental(config, config_path, drafts, env, site, last, memory) if use_cache else None
    if once:  # what the site model let go of, before the render and search workers fork from this process
        give_back()
    files = render_site(site, config, env=env, jobs=jobs, incremental=incremental)  # made as the writer stores them
    drafts_built = sum(e.item.article.draft for e in site.entries)
    gone = vanished(_dict(last.get("permalinks")), site.entries, {p.path for p in loaded.problems if p.level == "error"})
    before = loaded.problems + notes + list(site.problems) + alias_problems(site.entries)
    problems = tuple(before + gone + _feed_address_notes(config, config_path, site.feeds))
    record = {"fingerprint": fingerprint.recorded if use_cache else None, "racy": fingerprint.racy,
              "report": {"articles": len(site.entries), "pages": len(site.pages), "drafts": loaded.drafts,
                         "drafts_built": drafts_built,
                         "problems": [[p.path, p.line, p.level, p.message] for p in problems],
                         # addresses gone since the build before: a build of the same articles has none
                         "once": list(range(len(before), len(before) + len(gone)))},
              "permalinks": published(site.entries)}
    mark = new_mark()
    if incremental is not None:
        record["state"] = mark  # the save of the build state that describes this site
    total = len(site.pages) + len(site.feeds)
    digests: dict[str, str] = {}
    with progress("render and write", total, "pages") as advance:
        written = clock("render and write", write_site(counted(files, advance, total), config.static_dir,
                                                       config.output_dir, record, digests,
                                                       (stamp, last, incremental.intact) if incremental else None))
    if incremental is not None:
        saved = BuildState(_state_path(config)).save(config.output_dir.resolve(), incremental.keys, digests,
                                                     incremental.bases, incremental.site_digest,
                                                     (incremental.search_layout, incremental.search_docs),
                                                     incremental.last, mark)
        if saved is not None and token is not None and corpus is not None and snap is not None:
            _snapshot(database, config, snap, saved, token, corpus, analysed, site, incremental.keyer)

    if cache.rejected:  # said once, not repeated by the next unchanged build: the entries were replaced
        problems += (Problem(str(cache.folder), None, "note", f"{cache.rejected} entries of the analysis cache "
                             "were not valid; they were recomputed and replaced"),)
    return BuildReport(articles=len(site.entries), pages=len(site.pages), files=written,
                       problems=problems, seconds=time.perf_counter() - started,
                       output_dir=config.output_dir, timings=tuple(clock.laps), peaks=tuple(clock.peaks),
                       drafts_left_out=loaded.drafts, drafts_built=drafts_built,
                       rendered=incremental.rendered if incremental else len(site.pages),
                       reused=incremental.reused if incremental else 0)


def _snapshot_begin(database: Path, config: Config, frame: str, scan: list[tuple[str, str]],
                    scanned_ns: int) -> str | None:
    """Start this build's snapshot with the articles' statuses; the frame to finish it with, or None."""
    snapshot = patch.Snapshot(database)
    try:
        snapshot.begin(str(config.output_dir.resolve()), patch.statuses(scan, scanned_ns))
        return frame
    except Exception:  # (a file name that is not UTF-8, say) an aid only: the next edit is built whole
        return None
    finally:
        snapshot.close()


def _snapshot_words(database: Path, config: Config, corpus: CorpusPass | None) -> str | None:
    """Keep the corpus pass's words for the snapshot (see :mod:`digestgen.patch`), and let go of them;
    the token to finish the snapshot with, or None if there is to be none."""
    if corpus is None or not corpus.filled:
        return None
    snapshot = patch.Snapshot(database)
    try:
        return snapshot.save_words(str(config.output_dir.resolve()), corpus)
    except Exception:  # an aid only: the next edit is built whole
        return None
    finally:
        snapshot.close()
        corpus.df, corpus.never, corpus.holders = Counter(), set(), {}


def _snapshot(database: Path, config: Config, frame: str, mark: str, token: str, corpus: CorpusPass,
              analysed: list, site: Site, keyer: Keyer) -> None:
    meta, rows = patch.snapshot_of(frame, mark, token, corpus, analysed, site, keyer)
    snapshot = patch.Snapshot(database)
    try:
        snapshot.save(str(config.output_dir.resolve()), meta, rows)
    except Exception:  # an aid only: the next edit is built whole
        pass
    finally:
        snapshot.close()


def _site_model(analysed: list, config: Config, bodies_private: bool, database: Path | None,
                memory: Memory | None) -> Site:
    """The site model; in a long-running process, the last one with the entries of articles edited
    in their bodies alone replaced (when only their own pages read bodies, as ``bodies_private``
    says of the templates, so nothing else changes)."""
    site = None
    if memory is not None and memory.site is not None and memory.config == config and bodies_private:
        site = reuse_site(memory.site, memory.items, analysed, config)
    if site is None:
        site = _with_pinyin(database, lambda: build_site(analysed, config))
    if memory is not None:
        memory.site, memory.items, memory.config = site, analysed, config
    return site


def _incremental(config: Config, config_path: Path, drafts: bool, env, site, manifest: dict,
                 memory: Memory | None = None) -> Incremental:
    """What the last build into this output folder was made from, to skip what did not change.

    Every key is salted with digestgen's code, the config file and the build options, so a change
    to any of them makes every file anew.
    """
    keyer = build_keyer(env, code_salt(), config_path.read_bytes(), drafts, config.articles_dir, len(site.entries),
                        site.sections, memory.cards if memory is not None else None)
    out = config.output_dir.resolve()
    last = BuildState(_state_path(config)).load(out)
    templates = env.list_templates() if env.loader else []
    site_digest = keyer.site_digest(site.entries, [t for t in templates if not t.startswith(".")])
    if memory is not None:
        keyer.keep_cards_of(site.entries)
    return Incremental(keyer, last, reusable(out, manifest), same_site=last.get(SITE_ROW, ("",))[0] == site_digest,
                       site_digest=site_digest, terms_path=_state_path(config))


def _feed_address_notes(config: Config, config_path: Path, feeds) -> list[Problem]:
    """Feed readers fetch a feed alone, so its links must be absolute: say so when they cannot be."""
    if config.base_url or not feeds:
        return []
    text = config_path.read_text("utf-8", errors="replace")
    line = next((n for n, row in enumerate(text.splitlines(), 1) if row.startswith("base_url:")), None)
    return [Problem(display_path(config_path), line, "note",
                    f"base_url is empty, so the {len(feeds)} Atom feeds link to articles relative to the feed "
                    "file, which many feed readers cannot follow; set base_url to the published address "
                    "(e.g. https://example.org/digest/) before publishing")]


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _analyse_guarded(loaded: Loaded, config: Config, cache: AnalysisCache, jobs: int, advance=None,
                     keep_body: bool = True, warm: Warm | None = None, keep_figures: bool = False,
                     reload: Callable[[], Loaded] | None = None, corpus: CorpusPass | None = None):
    """Analyse every article; if that fails, find the articles it fails on, leave them out with an
    error each, and analyse the others, so one article never stops the build. The results keep
    their bodies on disk (see :mod:`digestgen.bodies`).

    With ``reload`` (which loads the articles again), the articles' Markdown is let go of as they
    are analysed (``analyse(..., let_go=True)``), and loaded again if the analysis fails."""
    try:
        return analyse(loaded.articles, config, cache=cache, jobs=jobs, progress=advance, lean=True,
                       keep_body=keep_body, warm=warm, keep_figures=keep_figures, let_go=reload is not None,
                       corpus=corpus)
    except Exception:
        if warm is not None:
            warm.settings = None  # it may have been left halfway
        if corpus is not None:
            corpus.filled = False  # no snapshot of a pass that failed
    if reload is not None:  # the articles as loaded, bodies and all (their problems are reported already)
        loaded.articles = reload().articles
    kept = []
    for article in loaded.articles:
        try:
            analyse([article], config, jobs=1)
            kept.append(article)
        except Exception as exc:
            detail = str(exc).splitlines()[0][:120] if str(exc) else ""
            loaded.problems.append(Problem(article.display_path, None, "error",
                                           f"could not be analysed ({type(exc).__name__}{': ' + detail if detail else ''}); "
                                           "it was left out; please report this with the file"))
            loaded.failed += 1
    loaded.articles = kept
    return analyse(kept, config, cache=cache, jobs=jobs, lean=True, keep_body=keep_body, keep_figures=keep_figures)


class Fingerprint(NamedTuple):
    """What :func:`_fingerprint` finds."""

    recorded: str
    """The hash this build records in the manifest."""
    compared: str
    """The hash to compare with the last build's: made as it made its own (the same files by content)."""
    frame: str
    """The hash of everything but the articles."""
    racy: list[str]
    """The article files changed shortly before the scan, counted by content, as the manifest names them."""


def _fingerprint(config: Config, config_path: Path, drafts: bool, scanned_ns: int, racy_before: list[str]
                 ) -> tuple[Fingerprint, list[tuple[str, str]]]:
    """A hash of everything a build reads: if it is unchanged, so is the site. With it, the hash of
    everything but the articles (the *frame*), and each article file with its status (the scan).

    Templates, static files and the config count by their bytes. Articles, the bulk, count by
    their file status: size, modification and change times and inode. Any write to a file changes
    its change time (which no tool can set back), and a file replaced is a new inode, so an
    article whose status is unchanged was not written to; but a second write within the file
    system's clock tick, at the same size, can leave the status as the first write left it. So an
    article changed shortly before the scan (``scanned_ns``, see :data:`digestgen.patch.RACY_NS`)
    counts by its bytes instead, and the manifest names it, for the next build to count it so too
    (``racy_before``: the last build's), as git does with such files."""
    h = hashlib.blake2b(code_salt().encode(), digest_size=20)
    h.update(f"drafts={drafts}|{config.articles_dir}|{config.output_dir}".encode())
    h.update(config_path.read_bytes())
    for folder in (config.templates_dir, config.static_dir):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                h.update(str(path.relative_to(folder)).encode() + b"\x00")
                h.update(_read_or_error(path))
    frame = h.hexdigest()
    root = str(config.articles_dir)
    scan, racy = _statuses(root, scanned_ns - patch.RACY_NS)
    contents: dict[str, str] = {}

    def articles(by_content: set[str]) -> str:
        whole = h.copy()
        for name, info in scan:
            if name in by_content:
                if name not in contents:
                    contents[name] = _content(name)
                info = contents[name]
            whole.update(f"{name}\x00{info}\x00".encode("utf-8", "surrogateescape"))
        return whole.hexdigest()

    named = set(racy_before)
    before = {name for name, _ in scan if _racy_name(name) in named} if named else set()
    recorded = articles(set(racy))
    compared = recorded if before == set(racy) else articles(before)
    return Fingerprint(recorded, compared, frame, sorted(_racy_name(name) for name in racy)), scan


def _racy_name(path: str) -> str:
    """How the manifest names a file counted by content: a hash of its path's bytes (any file name
    can be written so, one that is not UTF-8 too)."""
    return hashlib.blake2b(os.fsencode(path), digest_size=12).hexdigest()


def _content(path: str) -> str:
    """A file's content as the fingerprint counts it: a hash of all its bytes (an image an article
    links may be any size), never waiting on a pipe."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        return f"unreadable: {exc.errno}"
    with os.fdopen(fd, "rb") as f:
        try:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return "not a file"
            h = hashlib.blake2b(digest_size=20)
            while chunk := f.read(1 << 20):
                h.update(chunk)
            return "content:" + h.hexdigest()
        except OSError as exc:
            return f"unreadable: {exc.errno}"


def _racy_of(manifest: dict) -> list[str]:
    """The files the last build counted by content, as the manifest names them (see :func:`_racy_name`)."""
    racy = manifest.get("racy")
    return [name for name in racy if isinstance(name, str)] if isinstance(racy, list) else []


def _statuses(root: str, recent_ns: int) -> tuple[list[tuple[str, str]], list[str]]:
    """Every file under ``root`` with its status (size, times, inode), in name order; and those
    changed after ``recent_ns``, in name order."""
    found = []
    racy = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            found.append((folder, f"unreadable: {exc.errno}"))
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                st = entry.stat()  # follows a link: the article it points to
                found.append((entry.path, f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"))
                if (st.st_mtime_ns > recent_ns or st.st_ctime_ns > recent_ns) and stat.S_ISREG(st.st_mode):
                    racy.append(entry.path)  # (what is not a file is refused, whatever it holds)
            except OSError as exc:
                found.append((entry.path, f"unreadable: {exc.errno}"))
    return sorted(found), sorted(racy)


def _read_or_error(path: Path) -> bytes:
    """A file's bytes, or its read error: an unreadable article is reported by the loader, not here."""
    try:
        return path.read_bytes()
    except OSError as exc:
        return f"unreadable: {exc.errno}".encode()


def _unchanged(report: dict, out: Path, started: float, clock: _Clock) -> BuildReport:
    problems = tuple(Problem(path, line, level, message) for path, line, level, message in report["problems"])
    return BuildReport(articles=report["articles"], pages=report["pages"], files=0, problems=problems,
                       seconds=time.perf_counter() - started, output_dir=out, timings=tuple(clock.laps),
                       drafts_left_out=report.get("drafts", 0), drafts_built=report.get("drafts_built", 0))


PINYIN_TABLE, PINYIN_VERSION = "pinyin", 1


def _with_pinyin(database: Path | None, make):
    """``make()`` with the words' slug forms known from earlier builds (``site.urls.PINYIN``), keeping
    those it learned. Keyed by pypinyin's version too, since its readings may change with it."""
    from importlib.metadata import version
    records = Records(database, PINYIN_TABLE, PINYIN_VERSION)
    try:
        try:
            reading = version("pypinyin")
        except Exception:  # not installed as a distribution: keep nothing
            return make()
        prefix = reading + "\x00"
        if not urls.PINYIN:
            known = records.get_many([prefix + "*"])
            if known and type(known[prefix + "*"][0]) is str:
                try:
                    table = json.loads(known[prefix + "*"][0])
                except ValueError:
                    table = None
                if isinstance(table, dict) and all(type(k) is str and type(v) is str for k, v in table.items()):
                    urls.PINYIN.update(table)
        before = len(urls.PINYIN)
        result = make()
        if len(urls.PINYIN) != before:
            records.put_many([(prefix + "*", json.dumps(urls.PINYIN, ensure_ascii=False))])
        return result
    finally:
        records.close()


def _cache_dir(config: Config) -> Path:
    return Path(os.environ.get("DIGESTGEN_CACHE") or config.root / ".digestgen-cache")


def _state_path(config: Config) -> Path:
    return _cache_dir(config) / "state.sqlite"


class _Clock:
    """Ends each stage: ``clock(name, value)`` records the time since the previous lap and the peak
    memory, and lets the garbage collector pass once over what the stage made (see below)."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []
        self.peaks: list[int] = []
        """The process's peak memory (MiB) at the end of each stage."""

    def __call__(self, name: str, value):
        now = time.perf_counter()
        self.laps.append((name, now - self.last))
        self.peaks.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
        # During a build the garbage collector does not run on its own: its full passes would scan
        # the millions of objects the stages keep again and again (seconds a build). At the end of
        # each stage, one pass over what the stage made collects its garbage; what it keeps is
        # then frozen (never scanned again, and the pages worker processes share with this one
        # are not written to by a pass).
        gc.collect(0)
        gc.freeze()
        self.last = now
        return value


def _with_overrides(config: Config, articles_dir: Path | None, output_dir: Path | None) -> Config:
    return replace(config,
                   articles_dir=articles_dir.resolve() if articles_dir is not None else config.articles_dir,
                   output_dir=output_dir.resolve() if output_dir is not None else config.output_dir)
