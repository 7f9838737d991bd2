"""Load stage: ``articles/**/*.md`` -> :class:`Article` values, plus a :class:`Problem` per mistake.

Front matter is split off by python-frontmatter and parsed with line numbers, then every field
is checked, so one run reports every mistake of every file. A file with an error is left out;
the others still build.
"""
from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import frontmatter

from digestgen.load import memo
from digestgen.load.clean import describe, find_forbidden
from digestgen.model import Article, Problem, Region
from digestgen.parallel import chunk_size, parallel_map
from digestgen.paths import display_path
from digestgen.state import Records
from digestgen.yamlsource import Located, YamlError, parse

FIELDS = ("title", "subtitle", "date", "source", "url", "authors", "region", "themes", "tags",
          "slug", "aliases", "summary", "draft", "imported_from")
LIST_SPLIT = re.compile(r"\s*[,,、;;]\s*")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S",
                "%Y/%m/%d", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y.%m.%d")
ISO_DATETIME = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
                          r"\s*(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?$")
CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$")
_HANDLER = frontmatter.YAMLHandler()

# Limits on what one file may ask for (the README lists them).
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TEXT = 200
"""Characters in a title, subtitle, source or summary line."""
MAX_SUMMARY = 1000
MAX_NAME = 40
"""Characters in one author, tag or region level."""
MAX_NAMES = 50
"""Authors or tags in one article."""
MAX_SLUG = 80
FIRST_YEAR, LAST_YEAR = 1900, 2100


@dataclass
class Loaded:
    """What the load stage hands on: the good articles and every problem found."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: int = 0
    """Files left out because of an error."""
    drafts: int = 0
    """Drafts left out (without ``--drafts``)."""


def load_articles(articles_dir: Path, theme_names: dict[str, str], *, drafts: bool = False,
                  display_root: Path | None = None, records: Records | None = None, salt: str = "",
                  memory: dict | None = None, statuses: dict | None = None, jobs: int = 1,
                  shared: dict | None = None) -> Loaded:
    """Read every ``*.md`` under ``articles_dir`` (sorted, so runs are reproducible).

    ``theme_names`` maps each theme id to its Chinese name; either may be used in front matter.
    With ``records`` (the build state's table of parsed files, see :mod:`digestgen.load.memo`), a
    file whose bytes were parsed before, with the same ``salt`` (digestgen's code), is not parsed again.
    ``memory`` (``serve``) keeps the files parsed by earlier builds of this process, so they are not
    even decoded again; with ``statuses`` too, a file whose status (size, times, inode) is the one
    it had then is not even read again (any write changes a file's change time).
    ``jobs``: processes to parse files over, when there are many.
    ``shared`` (``serve``, with ``memory``) holds the one copy of each value that recurs across
    articles (see :func:`_sharing`) from one build to the next, so an article kept in ``memory``
    is the very object the last build had.
    """
    result = Loaded()
    base = display_root or articles_dir.parent
    files = []
    shown_root = str(base).rstrip("/") + "/"
    prefix = str(articles_dir / "x")[:-1]  # what a file's name starts with: the folder and a slash
    for rel in sorted(_markdown_files(str(articles_dir)), key=lambda r: r.split("/")):
        if rel.startswith(".") or "/." in rel:
            continue
        name = prefix + rel
        if not _utf8(rel):  # its slug and messages could not be written
            shown = os.fsencode(_shown(name, base, shown_root)).decode("utf-8", "backslashreplace")
            result.problems.append(Problem(shown, None, "error", "the file's name is not UTF-8 text (saved from "
                                           "another encoding, such as GBK?); rename it"))
            result.failed += 1
            continue
        files.append((name, _shown(name, base, shown_root), rel))
    raw: dict[str, bytes] = {}
    keys: dict[str, str] = {}
    warm = memory if memory is not None else {}
    unread: set[str] = set()
    seen: dict[str, tuple] = {}
    recent = time.time_ns() - RACY_NS
    if statuses is not None and statuses.get("") != (salt, theme_names):  # parsed with other settings
        statuses.clear()
    if records is not None:
        for path, shown, rel in files:
            status = _status(path, recent) if statuses is not None else None
            if status is not None:
                last = statuses.get(rel) if statuses is not None else None
                if last is not None and last[0] == status and last[1] == shown and last[2] in warm:
                    keys[rel] = last[2]
                    unread.add(rel)
                    seen[rel] = last
                    continue
            try:
                content = _read(Path(path), articles_dir)
            except (OSError, _Refused):
                continue  # read again below, which reports why
            raw[rel] = content
            keys[rel] = memo.key(salt, rel, shown, theme_names, content)
            if status is not None:
                seen[rel] = (status, shown, keys[rel])
    if statuses is not None:
        statuses.clear()
        statuses.update(seen)
        statuses[""] = (salt, dict(theme_names))
    known = records.get_many(sorted(set(keys.values()) - warm.keys())) if records is not None else {}
    new: list[tuple[str, ...]] = []
    # First what is known (from this process or the build state), then the files to parse, parsed
    # over ``jobs`` processes when there are many, then everything in path order.
    plan: list[tuple[Article | None, list[Problem]] | None] = []
    todo: list[tuple[str, str, bytes | None] | None] = []
    for path, shown, rel in files:
        problems: list[Problem] = []
        article = None
        found = known.get(keys.get(rel, ""))
        data = raw.pop(rel, None)
        if rel in keys and keys[rel] in warm and (data is not None or rel in unread):
            article, problems = warm[keys[rel]][0], list(warm[keys[rel]][1])
            found = ("",)
        elif found is not None and data is not None:
            try:
                if type(found[0]) is not str:
                    raise memo.Invalid("not text")
                article, problems = memo.decode(found[0], _text(data))
            except (memo.Invalid, UnicodeDecodeError):
                found = None
        if found is None or (data is None and rel not in unread):
            plan.append(None)
            todo.append((path, shown, data))
        else:
            plan.append((article, problems))
    parsed = _parse_many(todo, articles_dir, theme_names, jobs, records is not None)
    done = 0
    recurring = shared if shared is not None else {}
    for (_, _, rel), planned in zip(files, plan, strict=True):
        if planned is None:
            article, problems, encoded = next(parsed)
            todo[done] = None  # its bytes are not wanted any more (forked workers have their own copy)
            done += 1
            if rel in keys and encoded is not None:
                new.append((keys[rel], encoded))
        else:
            article, problems = planned
        if article is not None:
            article = _sharing(article, recurring)
        if memory is not None and rel in keys:
            memory[keys[rel]] = (article, tuple(problems))
        result.problems.extend(problems)
        if article is None:
            result.failed += 1
        elif article.draft and not drafts:
            result.drafts += 1
        else:
            result.articles.append(article)
    result.failed += _drop_duplicate_slugs(result)
    if records is not None:
        records.put_many(new, used=set(keys.values()))
    if memory is not None:
        for key in memory.keys() - set(keys.values()):
            del memory[key]
    return result


def _utf8(name: str) -> bool:
    """Whether a file name (as the system gave it) is UTF-8 text."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(name: str, base: Path, shown_root: str) -> str:
    """A file's name as messages show it: relative to ``base`` (``shown_root`` is it with a slash)."""
    if name.startswith(shown_root):
        return name[len(shown_root):]
    # outside the folder it is shown from: as it is when absolute
    return name if os.path.isabs(name) and base.is_absolute() else display_path(Path(name), base)


def load_one(articles_dir: Path, rel: str, theme_names: dict[str, str],
             display_root: Path | None = None) -> tuple[Article | None, list[Problem]]:
    """The article at ``rel`` under ``articles_dir`` as :func:`load_articles` reads it (unless its
    slug is another's, which only the whole archive tells), with its problems."""
    base = display_root or articles_dir.parent
    name = str(articles_dir / "x")[:-1] + rel
    shown = _shown(name, base, str(base).rstrip("/") + "/")
    article, problems, _ = _parse_one(([(name, shown, None)], articles_dir, theme_names, False), 0)
    if article is not None:
        article = _sharing(article, {})
    return article, problems


def _sharing(article: Article, recurring: dict) -> Article:
    """The article holding the one copy in ``recurring`` of what recurs across an archive: its
    region, and the lines of its front matter's fields (most articles lay them out alike)."""
    region = recurring.setdefault(article.region, article.region)
    lines = recurring.setdefault(article.field_lines, article.field_lines)
    if region is article.region and lines is article.field_lines:
        return article
    return replace(article, region=region, field_lines=lines)


PARALLEL_PARSE = 400
"""From this many files to parse (and with more than one job), they are parsed over the cores."""


def _parse_many(todo: list[tuple[str, str, bytes | None] | None], articles_dir: Path, theme_names: dict[str, str],
                jobs: int, recorded: bool = True) -> Iterator[tuple[Article | None, list[Problem], str | None]]:
    """Each file of ``todo`` parsed (see :func:`_parse_one`), in order, over ``jobs`` processes
    when there are many. The workers inherit the list (where processes fork) and get positions.
    ``recorded``: the build state keeps what was parsed (each result comes with its record)."""
    shared = (todo, articles_dir, theme_names, recorded)
    if jobs <= 1 or len(todo) < PARALLEL_PARSE:
        return (_parse_one(shared, i) for i in range(len(todo)))
    return parallel_map(_parse_one, shared, range(len(todo)), jobs, chunksize=chunk_size(len(todo), jobs, 16, 256))


def _parse_one(shared: tuple[list[tuple[str, str, bytes | None] | None], Path, dict[str, str], bool], i: int
               ) -> tuple[Article | None, list[Problem], str | None]:
    """One file parsed: the article (None if it has an error), its problems, and its record for the
    build state (None when it is not kept, or cannot be: a file that could not be read)."""
    todo, articles_dir, theme_names, recorded = shared
    path, shown, data = todo[i]  # type: ignore[misc]  # let go of only once parsed
    problems: list[Problem] = []
    where: dict[str, int] = {}
    try:
        article = read_article(Path(path), articles_dir, shown, theme_names, problems, data, where)
    except Exception as exc:  # a bug, but one file must never stop the build
        problems.append(Problem(shown, None, "error", f"could not be read ({type(exc).__name__}: "
                                f"{_short(str(exc))}); it was left out; please report this"))
        return None, problems, None
    if recorded and (article is None or "body_start" in where):
        return article, problems, memo.encode(article, where.get("body_start", 0), problems)
    return article, problems, None


def _text(data: bytes) -> str:
    """A file's text as the loader reads it: UTF-8 (a byte-order mark dropped), newlines as ``\\n``."""
    return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


def _drop_duplicate_slugs(result: Loaded) -> int:
    """Leave out every article whose ``slug:`` an earlier file (in path order) already has."""
    first: dict[str, Article] = {}
    kept, dropped = [], 0
    for article in result.articles:
        owner = first.setdefault(article.slug, article) if article.slug else article
        if owner is article:
            kept.append(article)
            continue
        line = dict(article.field_lines).get("slug")
        where = f"{owner.display_path}:{dict(owner.field_lines).get('slug')}"
        result.problems.append(Problem(article.display_path, line, "error",
                                       f"slug '{article.slug}' is already used by {where}; give this article "
                                       "another slug (or remove 'slug:' to have one made from the file name)"))
        dropped += 1
    result.articles = kept
    return dropped


def read_article(path: Path, articles_dir: Path, shown: str, theme_names: dict[str, str],
                 problems: list[Problem], data: bytes | None = None, where: dict[str, int] | None = None
                 ) -> Article | None:
    """Parse one file; append its problems; return ``None`` when it has an error.

    ``data``: the file's bytes, when already read. ``where`` receives ``body_start``, the offset
    in the file's text at which the body starts (see :func:`digestgen.load.memo.body_of`).
    """

    def report(line: int | None, message: str, level: str = "error") -> None:
        problems.append(Problem(shown, line, level, message))  # type: ignore[arg-type]

    try:
        text = (data if data is not None else _read(path, articles_dir)).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report(None, f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8")
        return None
    except _Refused as exc:
        report(None, str(exc))
        return None
    except FileNotFoundError:
        report(None, "cannot read the file: it is a broken link, or it was removed during the build")
        return None
    except OSError as exc:
        report(None, f"cannot read the file: {exc.strerror or exc}; check its permissions")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = find_forbidden(text)
    if bad:
        line, column, char = bad
        report(line, f"invisible character {describe(char)} (a control character or non-character) at column "
                     f"{column}; delete it (pages and feeds cannot carry it)")
        return None
    meta: dict = {}
    doc = Located({}, {})
    body, body_offset = text, 0
    if _HANDLER.detect(text):
        try:
            fm, body = _HANDLER.split(text)
        except ValueError:
            report(1, "front matter starts with '---' but never ends; close it with a line of three dashes")
            return None
        fm_offset = text.index(fm) if fm else 0
        first_line = text[:fm_offset].count("\n")
        body_offset = len(text) - len(body)
        try:
            doc = parse(fm)
        except YamlError as exc:
            line = exc.line + first_line if exc.line else 1
            report(line, f"{exc.message}; check the front matter's YAML syntax (quote values containing ':')"
                         if exc.syntax else exc.message)
            return None
        doc = Located(doc.data, {k: v + first_line for k, v in doc.lines.items()})
        if doc.data is None:
            doc = Located({}, {})
        if not isinstance(doc.data, dict):
            report(first_line + 2, "front matter must be a mapping of fields (title: ..., date: ...)")
            return None
        meta = doc.data
    elif _looks_like_front_matter(text):
        line = next(n for n, row in enumerate(text.split("\n"), 1) if row.strip())
        report(line, "front matter without its opening '---': these 'field: value' lines would show as text; "
                     "add a line of three dashes above them and one below the last field")
        return None
    if _escaped_characters(doc, report):
        return None
    stripped = body.lstrip("\n")
    body_line = text[: body_offset + len(body) - len(stripped)].count("\n") + 1
    errors_before = sum(p.level == "error" for p in problems)
    values = _check_fields(meta, doc, theme_names, report)
    if sum(p.level == "error" for p in problems) > errors_before:
        return None
    if where is not None:
        where["body_start"] = body_offset + len(body) - len(stripped)
    return Article(
        source_file=path.relative_to(articles_dir).as_posix(),
        display_path=shown,
        body=stripped.rstrip() + "\n" if stripped.strip() else "",
        body_line=body_line,
        field_lines=tuple((str(k[0]), v) for k, v in doc.lines.items() if len(k) == 1),
        **values,
    )


def _escaped_characters(doc: Located, report) -> bool:
    """Report a forbidden character written as a YAML escape ("\\e", "\\x07"); True if there is one."""
    stack: list[tuple[tuple, object]] = [((), doc.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((path + (k,), v) for k, v in value.items())
            stack.extend((path, k) for k in value)
        elif isinstance(value, list):
            stack.extend((path + (i,), v) for i, v in enumerate(value))
        elif isinstance(value, str):
            bad = find_forbidden(value)
            if bad:
                field = f"'{path[0]}' holds" if path else "the front matter holds"
                report(doc.line(*path, default=1), f"{field} the invisible character {describe(bad[2])} (written as an "
                                                   "escape); remove it")
                return True
    return False


def _markdown_files(root: str) -> list[str]:
    """Every ``*.md`` under ``root`` (relative, with ``/``), as ``Path.rglob('*.md')`` finds them:
    folders linked from elsewhere are not entered, unreadable folders are passed over."""
    found: list[str] = []
    stack = [""]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(f"{root}/{folder}" if folder else root))
        except OSError:
            continue
        for entry in entries:
            rel = f"{folder}/{entry.name}" if folder else entry.name
            if entry.name.endswith(".md"):
                found.append(rel)
            try:
                if entry.is_dir() and not entry.is_symlink():
                    stack.append(rel)
            except OSError:
                continue
    return found


RACY_NS = 2_000_000_000
"""A file changed this recently (nanoseconds) is read whatever its status: a second write within
the file system's clock tick could leave its status as it was."""


def _status(path: str, recent: int) -> tuple[int, int, int, int] | None:
    """A regular file's status (size, times, inode), or None: a link, a file changed after
    ``recent`` (nanoseconds), anything else: always read."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or max(info.st_mtime_ns, info.st_ctime_ns) > recent:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


class _Refused(Exception):
    """The path is not something the loader will read; the message says why."""


def _read(path: Path, articles_dir: Path) -> bytes:
    """The bytes of an article file: a regular file, not too large, inside the articles folder."""
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(articles_dir.resolve()):
            raise _Refused(f"is a symbolic link to {target}, outside the articles folder; copy the file in "
                           "instead of linking to it")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the build
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Refused("is not a regular file (a folder, pipe or device); rename or remove it")
        if info.st_size > MAX_FILE_BYTES:
            raise _Refused(f"is {info.st_size / 2**20:.1f} MB; an article may be at most "
                           f"{MAX_FILE_BYTES // 2**20} MB (split it, or remove what is not the article)")
        with os.fdopen(fd, "rb") as f:
            fd = -1
            # Read as much as the file holds, not as much as it may hold: a buffer of the limit's
            # size would be a memory mapping of its own per file kept, and a process may have only
            # 65,530 of them (a build of 100,000 articles failed with "Cannot allocate memory").
            data = f.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew since: read on, up to the limit
                data += f.read(MAX_FILE_BYTES + 1 - len(data))
            return data
    finally:
        if fd >= 0:
            os.close(fd)


def _looks_like_front_matter(text: str) -> bool:
    """Whether the file starts with front-matter fields (``title: ...``) but no ``---`` line."""
    rows = [row for row in text.split("\n")[:40] if row.strip()][:3]
    keys = [m.group(1) if (m := re.match(r"^([a-z_]+)\s*:(\s|$)", row)) else None for row in rows]
    return bool(keys) and keys[0] in FIELDS and sum(k in FIELDS for k in keys) >= min(2, len(keys))


def _check_fields(meta: dict, doc: Located, theme_names: dict[str, str], report) -> dict:
    values: dict = {}
    for key in meta:
        if key not in FIELDS:
            hint = difflib.get_close_matches(str(key), FIELDS, n=1)
            tip = f"did you mean '{hint[0]}'?" if hint else f"known fields: {', '.join(FIELDS)}"
            report(doc.line(key), f"unknown field '{key}'; {tip}")
    for key in FIELDS:
        raw = meta.get(key)
        if raw is None or raw == "" or raw == []:
            continue
        line = doc.line(key)
        checker = _CHECKS.get(key)
        if key == "themes":
            values[key] = _themes(raw, line, theme_names, report)
        elif checker is None:
            if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
                limit = MAX_SUMMARY if key == "summary" else MAX_TEXT
                text = str(raw).strip()
                if len(text) > limit and key != "url":
                    report(line, f"'{key}' is {len(text)} characters long; at most {limit} are allowed")
                else:
                    values[key] = text
            else:
                report(line, f"'{key}' must be text, got {_kind(raw)}")
        else:
            checked = checker(key, raw, line, report)
            if checked is not None:
                values.update(checked if isinstance(checked, dict) else {key: checked})
    return values


def _date(key, raw, line, report):
    if not isinstance(raw, (str, int, dt.date)) or isinstance(raw, bool):
        report(line, f"date must be text such as 2022-02-21, got {_kind(raw)}")
        return None
    text = str(raw).strip()
    value = parse_date(text)
    if value is None:
        report(line, f"date {_short(text)!r} is not a date; write it as 2022-02-21 or 2022-02-21 12:09")
        return None
    if not FIRST_YEAR <= value["date"].year <= LAST_YEAR:
        report(line, f"date {text!r} is outside {FIRST_YEAR}-{LAST_YEAR}; check the year")
        return None
    return value


def parse_date(text: str) -> dict | None:
    """``{"date": datetime, "has_time": bool}`` for every form front matter may use, or None."""
    if len(text) > 40:
        return None
    m = ISO_DATETIME.match(text)
    if m:  # RFC 3339 / ISO 8601 with a time, as Hugo and most feeds write it; its time zone is kept
        try:
            when = dt.datetime.fromisoformat(f"{m['day']}T{m['time']}{_offset(m['zone'])}")
        except ValueError:
            pass
        else:
            return {"date": when.replace(microsecond=0), "has_time": True}
    for fmt in DATE_FORMATS:
        try:
            return {"date": dt.datetime.strptime(text, fmt), "has_time": "%H" in fmt}
        except ValueError:
            pass
    m = CN_DATE.match(text)
    if m:
        y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
        try:
            return {"date": dt.datetime(y, mo, d, h, mi, s), "has_time": m.group(4) is not None}
        except ValueError:
            pass
    return None


def _offset(zone: str | None) -> str:
    """``Z`` -> ``+00:00``, ``+0800`` -> ``+08:00``; none stays none (the time is then Beijing time)."""
    if not zone:
        return ""
    if zone.upper() == "Z":
        return "+00:00"
    return zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"


def _url(key, raw, line, report):
    text = str(raw).strip()
    if not re.match(r"^https?://\S+$", text) or len(text) > 2000:
        report(line, f"url {_short(text)!r} is not a web address; write the full address starting with http:// or https://")
        return None
    return text


def _names(key, raw, line, report):
    if isinstance(raw, str):
        items = LIST_SPLIT.split(raw.strip())
    elif isinstance(raw, list) and all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in raw):
        items = [str(x) for x in raw]
    else:
        what = "a list holding " + _kind(next(x for x in raw if not isinstance(x, (str, int)) or isinstance(x, bool))) \
            if isinstance(raw, list) else _kind(raw)
        report(line, f"'{key}' must be a list ([a, b]) or a comma-separated text, got {what}")
        return None
    names = tuple(dict.fromkeys(x.strip() for x in items if str(x).strip()))
    too_long = next((n for n in names if len(n) > MAX_NAME), None)
    if too_long is not None:
        report(line, f"'{key}' holds {_short(too_long)!r}, {len(too_long)} characters long; "
                     f"each may be at most {MAX_NAME}")
        return None
    if len(names) > MAX_NAMES:
        report(line, f"'{key}' lists {len(names)} values; at most {MAX_NAMES} are allowed")
        return None
    return names


def _themes(raw, line, theme_names: dict[str, str], report):
    items = _names("themes", raw, line, report)
    if items is None:
        return None
    by_name = {name: tid for tid, name in theme_names.items()}
    ids = []
    for item in items:
        tid = item if item in theme_names else by_name.get(item)
        if tid is None:
            hint = _closest_theme(item, theme_names)
            if hint:
                report(line, f"theme '{item}' is not in the vocabulary; did you mean '{hint}'?")
                continue
            report(line, f"theme '{item}' is not in the vocabulary; expected one of: {', '.join(theme_names)} "
                         "(or add it to the themes in digest.yaml)")
        else:
            ids.append(tid)
    return tuple(dict.fromkeys(ids))


def _closest_theme(item: str, theme_names: dict[str, str]) -> str | None:
    """The theme id a mistyped one most likely meant (antifraud, Anti_Fraud -> anti-fraud)."""
    squashed = {re.sub(r"[^a-z0-9]", "", tid): tid for tid in theme_names}
    key = re.sub(r"[^a-z0-9]", "", item.lower())
    if key in squashed:
        return squashed[key]
    close = difflib.get_close_matches(item.lower(), list(theme_names), n=1, cutoff=0.75)
    return close[0] if close else None


def _region(key, raw, line, report):
    if isinstance(raw, str):
        parts = [p.strip() for p in re.split(r"\s*[/>]\s*", raw.strip())]
        if len(parts) > 3 or any(not p for p in parts):
            report(line, f"region {_short(raw)!r} must be 'province/city/county' with at most three non-empty parts, "
                         "e.g. 湖南省/衡阳市/衡南县")
            return None
        parts += [None] * (3 - len(parts))
    elif isinstance(raw, dict):
        extra = set(map(str, raw)) - {"province", "city", "county"}
        if extra:
            report(line, f"region has unknown level(s) {', '.join(sorted(extra))}; use province, city and county")
            return None
        parts = [raw.get(k) for k in ("province", "city", "county")]
        if not all(p is None or isinstance(p, str) for p in parts):
            report(line, "region levels must be text (province: 湖南省, city: 衡阳市, county: 衡南县)")
            return None
        parts = [p.strip() or None if p else None for p in parts]
        if parts[0] is None and any(parts):
            report(line, "region names a city or county but no province; add 'province'")
            return None
        if parts[1] is None and parts[2] is not None:  # a municipal district or province-run county
            parts = [parts[0], parts[2], None]
    else:
        report(line, f"region must be 'province/city/county' or a mapping, got {_kind(raw)}")
        return None
    too_long = next((p for p in parts if p and len(p) > MAX_NAME), None)
    if too_long is not None:
        report(line, f"region level {_short(too_long)!r} is {len(too_long)} characters long; "
                     f"a place name may be at most {MAX_NAME}")
        return None
    return Region(*parts)


def _draft(key, raw, line, report):
    if not isinstance(raw, bool):
        report(line, f"draft must be true or false, got {_kind(raw)}")
        return None
    return raw


def _slug(key, raw, line, report):
    text = str(raw).strip()
    if len(text) > MAX_SLUG:
        report(line, f"slug is {len(text)} characters long; at most {MAX_SLUG} are allowed (it names a file)")
        return None
    if not SLUG_RE.match(text):
        report(line, f"slug {text!r} must be lower-case ASCII letters and digits joined by '-', e.g. hengnan-2021")
        return None
    return text


def _aliases(key, raw, line, report):
    items = _names(key, raw, line, report)
    if items is None:
        return None
    bad = [x for x in items if not SLUG_RE.match(x.removesuffix(".html"))]
    if bad:
        report(line, f"aliases: {bad[0]!r} is not a slug; list the page's former slugs (the file name of its old "
                     "address without .html), e.g. aliases: [2022-02-21-old-title]")
        return None
    return tuple(x.removesuffix(".html") for x in items)


_CHECKS = {"date": _date, "url": _url, "authors": _names, "tags": _names, "region": _region,
           "draft": _draft, "slug": _slug, "aliases": _aliases}


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false"}.get(type(value), _short(repr(value)))


def _short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"

