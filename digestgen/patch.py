"""A rebuild after an edit of one article, made from the last build's snapshot rather than by the
whole pipeline.

Most rebuilds follow an edit of one article's text: a sentence added, a figure corrected. The
pipeline would load, analyse, lay out and key the whole archive again to find that only the
article's own page and its search entries changed (the site digest, :mod:`digestgen.render.keys`).
A build with the cache therefore leaves a *snapshot* beside the build state: each file's status,
each article's analysis key, picked tags, entry (slug, path, links), card digest and related
articles, and the corpus pass's word counts (:class:`digestgen.analysis.analyse.CorpusPass`).

The next build, when exactly one article file changed and nothing else did (config, templates,
static files, digestgen itself, options), does only what that edit can move:

1. load the file and analyse it; re-weigh the tags of the articles whose words' counts moved
   (:func:`digestgen.analysis.analyse.reweigh`): any other article's tags, a fold, or the
   archive's place and programme names changing ends the attempt;
2. make the article's entry and check its card digest is the last build's: its title, date,
   region, themes, tags, summary and figures are as listings show them;
3. make its page from its neighbours' and related articles' entries (each made again from the
   snapshot and the analysis cache) and check the page's key base (everything the page shows but
   its own body) is the last build's, so the page is exactly the one the whole pipeline would lay out;
4. render that page, patch the search index, and write the site with every other file reused.

Any check that fails, a file not as the last build left it, or anything the snapshot does not
hold, and the whole pipeline runs instead (it writes a new snapshot). Either way the site is the
same, byte for byte. The snapshot is data in SQLite, never code; a snapshot that cannot be read
is ignored.
"""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from pathlib import Path

from digestgen.analysis.analyse import CorpusPass, Reweighed, analysis_settings, result_of, reweigh
from digestgen.analysis.cache import AnalysisCache, code_salt
from digestgen.analysis.tokens import vocabulary
from digestgen.config import Config
from digestgen.load.articles import load_one
from digestgen.model import Entry, Link, OutputFile, ReusedFile
from digestgen.render.keys import Keyer, TemplateReads, build_keyer
from digestgen.render.pages import Incremental, patch_search, render_page
from digestgen.site.kinds.article import page as article_page
from digestgen.site.model import sections_of
from digestgen.site.pages import Site
from digestgen.site.related import RelatedList
from digestgen.state import SEARCH_ROW, SITE_ROW, BuildState, new_mark
from digestgen.write import Looking, NotAsLeft, static_paths, write_site

VERSION = 1
RACY_NS = 2_000_000_000
"""A file changed this shortly before a build's scan is recorded without its status: a second
write within the file system's clock tick could leave its status as it was, so the next build
takes it as changed."""


class CannotPatch(Exception):
    """The edit cannot be made from the snapshot: the whole pipeline builds instead."""


@dataclass(frozen=True)
class Patched:
    """What a rebuild from the snapshot did, for the build's report."""

    report: dict
    """The last build's report (the articles, pages and problems are the same)."""
    files: int
    rendered: int
    reused: int


class Snapshot:
    """The snapshot tables of the build state database (see the module's description)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # as the build state's (digestgen.state)
                with db:
                    db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
                    found = db.execute("SELECT value FROM meta WHERE name = 'version:patch'").fetchone()
                    if found is None or found[0] != str(VERSION):  # tables of another layout: made anew
                        for table in ("patch_meta", "patch_words", "patch_articles", "patch_files"):
                            db.execute(f"DROP TABLE IF EXISTS {table}")
                        db.execute("INSERT OR REPLACE INTO meta VALUES ('version:patch', ?)", (str(VERSION),))
                    db.execute("CREATE TABLE IF NOT EXISTS patch_meta (site TEXT NOT NULL, name TEXT NOT NULL, "
                               "value TEXT NOT NULL, PRIMARY KEY (site, name)) WITHOUT ROWID")
                    db.execute("CREATE TABLE IF NOT EXISTS patch_words (site TEXT NOT NULL, word TEXT NOT NULL, "
                               "df INTEGER NOT NULL, never INTEGER NOT NULL, holders BLOB NOT NULL, "
                               "PRIMARY KEY (site, word)) WITHOUT ROWID")
                    db.execute("CREATE TABLE IF NOT EXISTS patch_articles (site TEXT NOT NULL, file TEXT NOT NULL, "
                               "position INTEGER NOT NULL, entry INTEGER NOT NULL, data TEXT NOT NULL, "
                               "PRIMARY KEY (site, file)) WITHOUT ROWID")
                    db.execute("CREATE INDEX IF NOT EXISTS patch_entries ON patch_articles (site, entry)")
                    db.execute("CREATE TABLE IF NOT EXISTS patch_files (site TEXT NOT NULL, path TEXT NOT NULL, "
                               "status TEXT NOT NULL, PRIMARY KEY (site, path)) WITHOUT ROWID")
            except sqlite3.Error:
                db.close()
                raise
            self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # Written by a whole build.

    def begin(self, site: str, files: Iterable[tuple[str, str]]) -> None:
        """Drop the last snapshot of ``site`` and keep the status of each file of this build's
        (at its start, before anything is read, so the build need not hold them)."""
        db = self._connect()
        with db:  # the last snapshot is gone, whatever happens next
            db.execute("DELETE FROM patch_meta WHERE site = ?", (site,))
        with db:
            db.execute("DELETE FROM patch_files WHERE site = ?", (site,))
            db.executemany("INSERT INTO patch_files VALUES (?, ?, ?)", ((site, *row) for row in files))

    def save_words(self, site: str, corpus: CorpusPass) -> str:
        """Keep the corpus pass's word counts (right after the analysis, so they are not held
        through the rest of the build); the last snapshot of ``site`` is dropped meanwhile.
        Return the token :meth:`save` is to be given."""
        token = os.urandom(8).hex()
        db = self._connect()
        with db:
            db.execute("DELETE FROM patch_meta WHERE site = ?", (site,))
            db.execute("DELETE FROM patch_words WHERE site = ?", (site,))
            empty = b""
            db.executemany("INSERT INTO patch_words VALUES (?, ?, ?, ?, ?)",
                           ((site, w, k, w in corpus.never, corpus.holders[w].tobytes() if w in corpus.holders
                             else empty) for w, k in corpus.df.items()))
            db.execute("INSERT INTO patch_meta VALUES (?, 'words', ?)", (site, token))
        return token

    def save(self, site: str, meta: dict, rows: Iterable[tuple[str, int, int, str]]) -> None:
        """Keep the snapshot of ``site``: ``meta`` and a row per article (file, position, entry, data),
        each stored as it is made."""
        db = self._connect()
        with db:
            db.execute("DELETE FROM patch_articles WHERE site = ?", (site,))
            db.executemany("INSERT INTO patch_articles VALUES (?, ?, ?, ?, ?)", ((site, *row) for row in rows))
            db.execute("INSERT OR REPLACE INTO patch_meta VALUES (?, 'meta', ?)",
                       (site, json.dumps(meta, ensure_ascii=False)))

    # Read, and updated, by a rebuild from it.

    def meta(self, site: str) -> dict | None:
        rows = dict(self._connect().execute("SELECT name, value FROM patch_meta WHERE site = ?", (site,)))
        try:
            meta = json.loads(rows["meta"])
        except (KeyError, ValueError, TypeError):
            return None
        if not isinstance(meta, dict) or meta.get("version") != VERSION or meta.get("token") != rows.get("words"):
            return None
        return meta

    def files(self, site: str) -> dict[str, str]:
        """Each file's status when the snapshot was made (empty: to be taken as changed)."""
        return dict(self._connect().execute("SELECT path, status FROM patch_files WHERE site = ?", (site,)))

    def article(self, site: str, file: str) -> tuple[int, int, dict]:
        row = self._connect().execute("SELECT position, entry, data FROM patch_articles WHERE site = ? AND file = ?",
                                      (site, file)).fetchone()
        if row is None:
            raise CannotPatch(f"{file} is not an article of the last build")
        return row[0], row[1], _data(row[2])

    def entries(self, site: str, numbers: Set[int]) -> dict[int, tuple[str, int, dict]]:
        """``entry -> (file, position, data)`` for these entries."""
        wanted = sorted(numbers)
        found = {}
        db = self._connect()
        for at in range(0, len(wanted), 500):
            batch = wanted[at:at + 500]
            for file, position, entry, data in db.execute(
                    f"SELECT file, position, entry, data FROM patch_articles INDEXED BY patch_entries "
                    f"WHERE site = ? AND entry IN "
                    f"({','.join('?' * len(batch))})", (site, *batch)):
                found[entry] = (file, position, _data(data))
        if len(found) != len(wanted):
            raise CannotPatch("the snapshot lacks an entry")
        return found

    def keys(self, site: str, positions: Set[int]) -> dict[int, str]:
        db = self._connect()
        if len(positions) > 500:
            rows = db.execute("SELECT position, data FROM patch_articles WHERE site = ?", (site,))
        else:
            rows = db.execute(f"SELECT position, data FROM patch_articles WHERE site = ? AND position IN "
                              f"({','.join('?' * len(positions))})", (site, *sorted(positions)))
        return {position: _data(data)["key"] for position, data in rows if position in positions}

    def words(self, site: str, words: Set[str]) -> dict[str, tuple[int, bool, Sequence[int]]]:
        return _words(self._connect(), site, words)

    def update(self, db: sqlite3.Connection, site: str, planned: dict, meta: dict, file: str, data: dict,
               changed: Reweighed, position: int, statuses: dict[str, str]) -> None:
        """Record a rebuild from the snapshot ``planned`` (its meta), in the transaction of ``db``:
        the files' statuses now (``statuses``: those that differ), the edited one's analysis key,
        its words, and ``meta``. Raise :class:`CannotPatch` if the snapshot is no longer ``planned``."""
        now = dict(db.execute("SELECT name, value FROM patch_meta WHERE site = ?", (site,)))
        if now.get("words") != planned["token"] or json.loads(now.get("meta", "{}")).get("mark") != planned["mark"]:
            raise CannotPatch("the snapshot changed since")
        db.executemany("UPDATE patch_files SET status = ? WHERE site = ? AND path = ?",
                       ((status, site, path) for path, status in statuses.items()))
        db.execute("UPDATE patch_articles SET data = ? WHERE site = ? AND file = ?",
                   (json.dumps(data, ensure_ascii=False), site, file))
        touched = changed.df.keys() | changed.gained | changed.lost
        known = _words(db, site, touched)
        for word in touched:
            df, never, holders = known.get(word, (0, False, array("I")))
            holders = array("I", holders)
            if word in changed.lost and position in holders:
                holders.remove(position)
            if word in changed.gained and position not in holders:
                holders.append(position)
            df = changed.df.get(word, df)
            never = changed.never.get(word, never)
            if df <= 0:
                db.execute("DELETE FROM patch_words WHERE site = ? AND word = ?", (site, word))
            else:
                db.execute("INSERT OR REPLACE INTO patch_words VALUES (?, ?, ?, ?, ?)",
                           (site, word, df, never, holders.tobytes()))
        db.execute("INSERT OR REPLACE INTO patch_meta VALUES (?, 'meta', ?)",
                   (site, json.dumps(meta, ensure_ascii=False)))


def _words(db: sqlite3.Connection, site: str, words: Set[str]) -> dict[str, tuple[int, bool, Sequence[int]]]:
    """``word -> (articles holding it, never a tag, the articles holding it as a candidate)``."""
    found: dict[str, tuple[int, bool, Sequence[int]]] = {}
    wanted = sorted(words)
    for at in range(0, len(wanted), 500):
        batch = wanted[at:at + 500]
        for word, df, never, holders in db.execute(
                f"SELECT word, df, never, holders FROM patch_words WHERE site = ? AND word IN "
                f"({','.join('?' * len(batch))})", (site, *batch)):
            if type(df) is not int or type(holders) is not bytes or len(holders) % 4:
                raise CannotPatch("a word of the snapshot is not as written")
            ids = array("I")
            ids.frombytes(holders)
            found[word] = (df, bool(never), ids)
    return found


def _data(text: object) -> dict:
    try:
        data = json.loads(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CannotPatch("an article of the snapshot is not as written") from None
    if not isinstance(data, dict) or not isinstance(data.get("key"), str):
        raise CannotPatch("an article of the snapshot is not as written")
    return data


class _LastPass:
    """The last build's corpus pass, from the snapshot (see ``analysis.analyse.LastPass``)."""

    def __init__(self, snapshot: Snapshot, site: str, meta: dict) -> None:
        self.snapshot, self.site = snapshot, site
        self.n = meta["articles"]
        self.places, self.named = Counter(meta["places"]), Counter(meta["named"])
        self.fold = meta["fold"]
        self._picked = [tuple(t) for t in meta["picked"]]

    def words(self, words: Set[str]) -> dict[str, tuple[int, bool, Sequence[int]]]:
        return self.snapshot.words(self.site, words)

    def keys(self, articles: Set[int]) -> dict[int, str]:
        return self.snapshot.keys(self.site, articles)

    def picked(self) -> list[tuple[str, ...]]:
        return self._picked


# The snapshot a whole build leaves.

def statuses(scan: Iterable[tuple[str, str]], started_ns: int) -> Iterator[tuple[str, str]]:
    """Each file's status as the snapshot keeps it: empty for a file changed too shortly before the
    scan to tell a later write by its status (see :data:`RACY_NS`)."""
    recent = started_ns - RACY_NS
    for path, status in scan:
        parts = status.split(":")
        racy = len(parts) != 4 or max(int(parts[1]), int(parts[2])) > recent
        yield path, "" if racy else status


def snapshot_of(frame: str, mark: str, token: str, corpus: CorpusPass, items: list, site: Site,
                keyer: Keyer) -> tuple[dict, Iterator[tuple[str, int, int, str]]]:
    """The snapshot of a whole build (its rows made as they are stored): ``items`` are its analysed
    articles in the corpus pass's order."""
    position_of = {id(item): position for position, item in enumerate(items)}

    def rows() -> Iterator[tuple[str, int, int, str]]:
        n = 0
        for page in site.pages:  # the article pages come in the order of the entries
            e = getattr(page.context, "entry", None)
            related = getattr(page.context, "related", None)
            if not isinstance(e, Entry) or not isinstance(related, RelatedList):
                continue
            while site.entries[n] is not e:
                n += 1
            position = position_of.get(id(e.item))
            if position is None:  # an item the site model replaced (one that links files beside it)
                continue
            data = {"key": corpus.keys[position], "card": keyer.card(e), "slug": e.slug, "path": e.path,
                    "regions": [_link(x) for x in e.region_links], "themes": [_link(x) for x in e.theme_links],
                    "tags": [None if x is None else _link(x) for x in e.tag_links], "related": list(related.picks)}
            yield e.item.article.source_file, position, n, json.dumps(data, ensure_ascii=False)

    meta = {"version": VERSION, "token": token, "mark": mark, "frame": frame,
            "entries": len(site.entries), "articles": len(items), "places": dict(corpus.places),
            "named": dict(corpus.named), "fold": corpus.fold, "picked": corpus.picked}
    return meta, rows()


def _link(link: Link) -> list:
    return [link.name, link.path, link.count]


def _links(data: object) -> tuple[Link, ...]:
    if not isinstance(data, list):
        raise CannotPatch("a link of the snapshot is not as written")
    return tuple(_one_link(x) for x in data)


def _one_link(x: object) -> Link:
    if not (isinstance(x, list) and len(x) == 3 and isinstance(x[0], str) and isinstance(x[1], str)
            and type(x[2]) is int):
        raise CannotPatch("a link of the snapshot is not as written")
    return Link(x[0], x[1], x[2])


# A rebuild from it.

def rebuild(config: Config, config_path: Path, drafts: bool, env, reads: TemplateReads, database: Path,
            frame: str, scan: list[tuple[str, str]], started_ns: int, manifest: dict, fingerprint: dict,
            stamp, clock: Callable, jobs: int = 1) -> Patched | None:
    """The site after an edit of one article, made from the snapshot; None when it cannot be
    (nothing was written then: the whole pipeline builds)."""
    site = str(config.output_dir.resolve())
    snapshot = Snapshot(database)
    try:
        try:
            plan = _plan(snapshot, site, config, config_path, drafts, env, reads, database, frame, scan, manifest,
                         jobs)
        except Exception:  # anything the snapshot cannot settle (or a mistake in it): the whole build, as always
            return None
        if plan is None:
            return None
        clock("edit", None)
        try:
            return _write(plan, snapshot, site, config, scan, started_ns, manifest, fingerprint, stamp)
        except CannotPatch:  # a reused file changed meanwhile: nothing was written
            return None
    finally:
        snapshot.close()


@dataclass
class _Plan:
    meta: dict
    file: str
    position: int
    data: dict
    changed: Reweighed
    incremental: Incremental
    files: list
    fulls: list[str]
    layout: str
    rendered: int
    statuses: dict[str, str]
    """The files' statuses the snapshot held."""
    reused: int
    report: dict


def _plan(snapshot: Snapshot, site: str, config: Config, config_path: Path, drafts: bool, env,
          reads: TemplateReads, database: Path, frame: str, scan: list[tuple[str, str]],
          manifest: dict, jobs: int) -> _Plan | None:
    if not (reads.bodies_private and reads.site_count_only):
        return None  # a page other than the article's own may show its body
    meta = snapshot.meta(site)
    if meta is None or meta["frame"] != frame:
        return None
    files = snapshot.files(site)
    now = dict(scan)
    if now.keys() != files.keys():
        return None  # a file added or removed
    edited = [path for path, status in now.items() if status != files[path]]
    if len(edited) != 1:
        return None
    root = str(config.articles_dir) + "/"
    if not edited[0].startswith(root):
        return None
    file = edited[0][len(root):]
    position, number, data = snapshot.article(site, file)
    if not (isinstance(data.get("related"), list) and all(type(n) is int for n in data["related"])):
        return None
    if not isinstance(data.get("path"), str):
        return None
    last = BuildState(database).load_some(config.output_dir.resolve(), [SITE_ROW, SEARCH_ROW, data["path"]])
    if last.get(SITE_ROW, ("", ""))[1] != meta["mark"] or manifest.get("state") != meta["mark"] \
            or SEARCH_ROW not in last:
        return None  # the site, the build state and the snapshot are not those of one build
    listed = manifest.get("files")
    report = manifest.get("report")
    if not isinstance(listed, dict) or not isinstance(report, dict) or not isinstance(manifest.get("fingerprint"), str):
        return None  # (a build without the cache wrote the site last)
    # The site's files are looked over in the background while the edit is analysed and rendered.
    looking = Looking(config.output_dir.resolve(), manifest, jobs)
    try:
        return _planned(snapshot, site, config, config_path, drafts, env, reads, database, meta, files, file, position,
                        number, data, last, listed, report, looking)
    finally:
        looking.cancel()  # when it was not waited for (the plan stopped early)


def _planned(snapshot: Snapshot, site: str, config: Config, config_path: Path, drafts: bool, env,
             reads: TemplateReads, database: Path, meta: dict, files: dict[str, str], file: str, position: int,
             number: int, data: dict, last: dict, listed: dict, report: dict, looking: Looking) -> _Plan | None:
    # The search index's files, as the build state has them: keyed by its layout, with the hashes
    # the manifest of the same build lists.
    layout = last[SEARCH_ROW][0]
    last.update((path, (layout, found, "")) for path, found in listed.items() if path.startswith("search/"))

    article, problems = load_one(config.articles_dir, file, config.theme_names, Path.cwd())
    if article is None or problems or (article.draft and not drafts):
        return None
    if any(p[0] == article.display_path for p in report.get("problems", [])):
        return None  # what the report says of it may change
    # The last build's report but for the addresses gone since the build before it (the articles'
    # addresses are those of the last build).
    once = set(report.get("once", []))
    report = {**report, "problems": [p for n, p in enumerate(report["problems"]) if n not in once], "once": []}
    cache = AnalysisCache(database, code_salt())
    key = cache.keys(analysis_settings(config), [article])[0]
    vocab = vocabulary()
    last_pass = _LastPass(snapshot, site, meta)
    changed = reweigh(position, article, key, data["key"], last_pass, config, vocab, cache,
                      keep_body=reads.markdown, keep_figures=reads.figures_elsewhere)
    if changed is None or changed.problems:
        return None

    # The entry, its neighbours and related articles, as the site model made them.
    count = meta["entries"]
    around = {n for n in (number - 1, number + 1) if 0 <= n < count} | set(data["related"])
    rows = snapshot.entries(site, around)
    entries = {number: _entry(changed.result, data)}
    sections = sections_of()
    keyer = build_keyer(env, code_salt(), config_path.read_bytes(), drafts, config.articles_dir, count, sections)
    if keyer.card(entries[number]) != data["card"]:
        return None  # listings would show the article otherwise
    picked = last_pass.picked()
    for n, (other_file, other_position, other) in rows.items():
        other_article, _ = load_one(config.articles_dir, other_file, config.theme_names, Path.cwd())
        if other_article is None:
            return None
        item = result_of(other_article, other["key"], picked[other_position], last_pass.fold, config, vocab, cache,
                         keep_body=reads.markdown, keep_figures=reads.figures_elsewhere)
        if item is None:
            return None
        entries[n] = _entry(item, other)
    known = _Some(entries, count)
    page = article_page(known, number, count, RelatedList(known, number, data["related"], config.theme_names))
    base = keyer.page_base(page)
    if last.get(page.path, ("", "", ""))[2] != base:
        return None  # the page would not be the one the site model lays out

    intact = looking()
    if any(intact.get(path) != found for path, found in listed.items()):
        return None  # a file of the site changed since: the whole build makes it again
    # What the edit changes: the page, the article's search entries.
    incremental = Incremental(keyer, last, intact, same_site=True, site_digest=last[SITE_ROW][0],
                              terms_path=database)
    full_key = keyer.page_key_from(base, entries[number])
    reused = incremental.unchanged(page.path, full_key)
    incremental.bases[page.path] = base
    shell = Site(entries=(entries[number],) * count, pages=(page,), feeds=(), tags=(), sections=sections)
    made: list[OutputFile] = [] if reused is not None else [render_page(page, shell, config, env)]
    try:
        fulls = json.loads(last[SEARCH_ROW][2])
    except ValueError:
        return None
    if not isinstance(fulls, list) or len(fulls) != count:
        return None
    fulls[number] = keyer.full(entries[number])
    search = patch_search(count, entries.__getitem__, layout, config, incremental, fulls, _stale_index, None)
    if search is None:
        return None
    # Every other file is kept as the last build left it (``write_site(..., keep_rest=True)``).
    made += [f for f in search if not isinstance(f, ReusedFile)]
    data = {**data, "key": key}
    return _Plan(meta, file, position, data, changed, incremental, made, fulls, layout,
                 rendered=0 if reused is not None else 1, statuses=files,
                 reused=len(listed) - len(made) - len(static_paths(config.static_dir)), report=report)


def _write(plan: _Plan, snapshot: Snapshot, site: str, config: Config, scan: list[tuple[str, str]],
           started_ns: int, manifest: dict, fingerprint: dict, stamp) -> Patched:
    incremental, last = plan.incremental, plan.incremental.last
    mark = new_mark()
    record = {**fingerprint, "report": plan.report, "permalinks": manifest.get("permalinks", {}),
              "state": mark}
    digests: dict[str, str] = {}
    try:
        written = write_site(plan.files, config.static_dir, config.output_dir, record, digests,
                             (stamp, manifest, incremental.intact), keep_rest=True)
    except NotAsLeft:
        raise CannotPatch("a file of the last build changed during the rebuild") from None
    rows = {}
    for path, key in incremental.keys.items():
        row = (key, digests.get(path, ""), incremental.bases.get(path, ""))
        if row != last.get(path):
            rows[path] = row
    rows[SEARCH_ROW] = (plan.layout, "", json.dumps(plan.fulls))
    changed = plan.changed
    meta = {**plan.meta, "mark": mark, "places": _moved(plan.meta["places"], changed.places),
            "named": _moved(plan.meta["named"], changed.named)}
    now = {path: status for path, status in statuses((row for row in scan if plan.statuses.get(row[0]) != row[1]),
                                                     started_ns) if plan.statuses.get(path) != status}

    def snapshot_too(db: sqlite3.Connection) -> None:
        """In the same transaction as the build state: the snapshot, if it is still the one planned
        from (a whole build started since has dropped it, or will replace it)."""
        with contextlib.suppress(Exception):  # an aid only: without it, the next edit is built whole
            db.execute("SAVEPOINT snapshot")
            try:
                snapshot.update(db, site, plan.meta, meta, plan.file, plan.data, changed, plan.position, now)
            except Exception:
                db.execute("ROLLBACK TO snapshot")
                raise
            finally:
                db.execute("RELEASE snapshot")

    BuildState(Path(snapshot.path)).update(config.output_dir.resolve(), rows, last[SITE_ROW][0], plan.meta["mark"],
                                           mark, also=snapshot_too)
    return Patched(plan.report, written, plan.rendered, plan.reused)


class _Some(Sequence[Entry]):
    """The archive's list of entries with only those around the edited article made."""

    def __init__(self, made: dict[int, Entry], count: int) -> None:
        self.made, self.size = made, count

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, n):
        if n not in self.made:
            raise CannotPatch(f"entry {n} was not made")
        return self.made[n]


def _moved(counts: dict[str, int], delta: Counter) -> dict[str, int]:
    """Articles per word after an edit moved them by ``delta``."""
    moved = Counter(counts)
    moved.update(delta)
    return {w: k for w, k in moved.items() if k > 0}


def _entry(item, data: dict) -> Entry:
    tags = data["tags"]
    if not isinstance(tags, list) or not isinstance(data["slug"], str) or not isinstance(data["path"], str):
        raise CannotPatch("an entry of the snapshot is not as written")
    return Entry(item=item, slug=data["slug"], path=data["path"], region_links=_links(data["regions"]),
                 theme_links=_links(data["themes"]), tag_links=tuple(None if t is None else _one_link(t) for t in tags))


def _stale_index() -> list[OutputFile]:
    raise CannotPatch("a file of the last build changed during the rebuild; build again")


