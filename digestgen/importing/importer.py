"""``build.py import``: raw pages (copied text or saved HTML) -> clean articles in ``articles/``.

Each file is decoded, its article extracted (``text.py`` for copied text, ``html.py`` for saved
HTML) and written as Markdown with front matter holding only what the page states; region and
themes are inferred at build time. Pages imported together are first compared line by line: a line
that recurs on three or more of them is the site's chrome. The same article (same url or same
text) imported twice is skipped as a duplicate of the file it names, and ``--force`` rewrites it
in that file; a different article never replaces a file: when its name is taken, in this run or
an earlier one, it imports as ``name-2``.
"""
from __future__ import annotations

import codecs
import contextlib
import dataclasses
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from digestgen.analysis.summary import placeholder_title
from digestgen.config import Config
from digestgen.load.articles import load_articles
from digestgen.load.clean import strip_forbidden
from digestgen.analysis.markup import to_html, to_text
from digestgen.paths import display_path
from digestgen.progress import Stage, no_progress, tracked
from digestgen.importing.html import charset_of, extract_html
from digestgen.importing.text import Extracted, extract_text, shared_lines
from digestgen.analysis.tokens import vocabulary
from digestgen.site.urls import slugify, unique

SUFFIXES = (".txt", ".html", ".htm", ".md")
REPORTED_FIELDS = ("title", "date", "source", "authors", "url")


class ImportFailure(Exception):
    """This file cannot be imported; the message says why."""


@dataclass
class Outcome:
    source: str
    status: str
    """imported, duplicate or failed. A different article whose file name is taken imports as
    ``name-2``, so no file is skipped for its name alone; the summary keeps its ``0 existing``
    count so that its format stays the same."""
    target: str | None = None
    message: str = ""
    missing: tuple[str, ...] = ()


@dataclass
class ImportReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, *statuses: str) -> int:
        return sum(o.status in statuses for o in self.outcomes)

    def summary(self) -> str:
        return (f"imported {self.count('imported')}, skipped {self.count('duplicate', 'exists')} "
                f"({self.count('duplicate')} duplicates, {self.count('exists')} existing), "
                f"failed {self.count('failed')}")


def collect(paths: list[Path]) -> list[Path]:
    """The files to import: each file given, and every raw file under each folder given, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            files.append(path)
    return files


def decode(raw: bytes, is_html: bool) -> str:
    """Text of a raw file: UTF-8 (with or without BOM), or the page's declared charset, or GB18030."""
    if not raw.strip():
        raise ImportFailure("the file is empty")
    if b"\x00" in raw:
        raise ImportFailure("not a text file (it holds binary data)")
    candidates = ["utf-8-sig"]
    declared = charset_of(raw) if is_html else None
    if declared and declared.replace("-", "") in ("gbk", "gb2312", "gb18030"):
        candidates.insert(0, "gb18030")
    elif declared:
        with contextlib.suppress(LookupError):  # an unknown charset name: try the others
            candidates.append(codecs.lookup(declared).name)
    candidates.append("gb18030")
    for encoding in dict.fromkeys(candidates):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if printable / len(text) > 0.95:
            return text.replace("\r\n", "\n").replace("\r", "\n")
    raise ImportFailure("could not decode it as UTF-8 or GB18030; save it as UTF-8 and import it again")


def import_files(paths: list[Path], out_dir: Path, config: Config, *, force: bool = False,
                 dry_run: bool = False, progress: Stage = no_progress) -> ImportReport:
    """Import every raw file under ``paths`` into ``out_dir``; ``progress`` is told how far it is.

    Each file is imported on its own: one that cannot be read or understood is a ``failed``
    outcome and the others go on. Raises :class:`ImportFailure` when ``out_dir`` cannot be a folder.
    """
    report = ImportReport()
    check_out_dir(out_dir)
    out_dir = out_dir.resolve()
    existing = load_articles(out_dir, config.theme_names, drafts=True).articles \
        if out_dir.is_dir() else []
    by_url = {a.url: a.source_file for a in existing if a.url}
    by_body = {_fingerprint(a.body): a.source_file for a in existing if a.body.strip()}
    taken = {p.stem for p in out_dir.glob("*.md")} if out_dir.is_dir() else set()
    planned: set[str] = set()
    files = collect(paths)
    shared = batch_chrome(files)
    for path in tracked(files, progress, "import", "files"):
        shown = display_path(path)
        try:
            check_regular_file(path)
            extracted = clean_extracted(extract(path, shared))
            check_date(extracted)
            article = strip_forbidden(render_article(extracted, path.name, config))
            check_loadable(article, config)
        except Exception as exc:  # whatever one page does, the others are still imported
            report.outcomes.append(Outcome(shown, "failed", message=failure_message(exc)))
            continue
        name = article_name(extracted)
        twin = by_url.get(extracted.url) if extracted.url else None
        twin = twin or by_body.get(_fingerprint(extracted.body))
        if twin and (not force or twin.removesuffix(".md") in planned):
            report.outcomes.append(Outcome(shown, "duplicate", display_path(out_dir / twin),
                                           f"the same article (same {'url' if extracted.url and by_url.get(extracted.url) else 'text'}) "
                                           "is already imported as"))
            continue
        if twin:
            name = twin.removesuffix(".md")  # --force rewrites the same article in its own file
        elif name in planned or name in taken:
            name = unique(name, planned | taken)  # another article with the same title: name-2
        target = out_dir / f"{name}.md"
        refused = unwritable_target(target)
        if refused:
            report.outcomes.append(Outcome(shown, "failed", _shown(target), refused))
            continue
        if not dry_run:
            try:
                write_article(target, article)
            except OSError as exc:
                report.outcomes.append(Outcome(shown, "failed", _shown(target),
                                               f"cannot write {_shown(target)}: {exc.strerror or exc}"))
                continue
        planned.add(name)
        if extracted.url:
            by_url[extracted.url] = f"{name}.md"
        by_body[_fingerprint(extracted.body)] = f"{name}.md"
        missing = tuple(f for f in REPORTED_FIELDS if not _has(extracted, article, f))
        report.outcomes.append(Outcome(shown, "imported", display_path(target), missing=missing))
    return report


def batch_chrome(files: list[Path]) -> frozenset[str]:
    """Lines of copied text that recur on three or more of the pages imported together."""
    texts = []
    for path in files:
        try:
            check_regular_file(path)  # never open a pipe here: reading one blocks
            raw = path.read_bytes()
            if not _is_html(path, raw):
                texts.append(decode(raw, False))
        except (OSError, ImportFailure):
            continue  # reported when the file itself is imported
    return shared_lines(texts)


def _is_html(path: Path, raw: bytes) -> bool:
    return path.suffix.lower() in (".html", ".htm") or raw.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))


def check_out_dir(out_dir: Path) -> None:
    """Raise :class:`ImportFailure` unless ``out_dir`` is a folder or can be made one."""
    for place in (out_dir, *out_dir.parents):
        if place.is_dir():
            return
        if os.path.lexists(place):
            what = "a broken link" if place.is_symlink() else "a file"
            raise ImportFailure(f"cannot write articles to {out_dir}: {place} is {what}, not a folder; "
                                "give --out a folder")


MAX_RAW_BYTES = 20 * 1024 * 1024


def check_regular_file(path: Path) -> None:
    """Refuse a pipe, device or folder (reading one could block forever) and very large files."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise ImportFailure("not a regular file (a folder, pipe or device)")
    if info.st_size > MAX_RAW_BYTES:
        raise ImportFailure(f"{info.st_size / 2**20:.0f} MB is too large for a news page "
                            f"(at most {MAX_RAW_BYTES // 2**20} MB)")


def clean_extracted(x: Extracted) -> Extracted:
    """``x`` without control characters and non-characters (raw pages carry them; pages and feeds cannot)."""
    changes: dict[str, object] = {}
    for f in dataclasses.fields(x):
        value = getattr(x, f.name)
        if isinstance(value, str):
            changes[f.name] = strip_forbidden(value)
        elif isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
            changes[f.name] = type(value)(strip_forbidden(v) for v in value)
    return dataclasses.replace(x, **changes)  # type: ignore[arg-type]


def check_date(x: Extracted) -> None:
    """Refuse a page whose stated date is impossible (2022-02-30): a wrong date is worse than none."""
    if x.date:
        try:
            _day(x.date)
        except ValueError:
            raise ImportFailure(f"the page's date {x.date!r} is not a real date; correct it in the page and "
                                "import it again") from None


def check_loadable(article: str, config: Config) -> None:
    """Refuse an article the build would refuse (a title over the length limit, say), with its message."""
    from digestgen.load.articles import read_article
    with tempfile.TemporaryDirectory(prefix="digestgen-import-") as folder:
        path = Path(folder) / "article.md"
        path.write_text(article, encoding="utf-8")
        problems: list = []
        if read_article(path, path.parent, "article.md", config.theme_names, problems) is None:
            first = next(p for p in problems if p.level == "error")
            raise ImportFailure(f"the article made from it would not build: {first.message}")


def failure_message(exc: Exception) -> str:
    """What went wrong with one file, in one line."""
    if isinstance(exc, ImportFailure):
        return str(exc)
    if isinstance(exc, OSError):
        return f"cannot read it: {exc.strerror or exc}"
    if isinstance(exc, ValueError) and ("out of range" in str(exc) or "must be in" in str(exc)):
        return f"it states an impossible date or time ({exc}); correct it in the page and import it again"
    return f"could not be imported ({type(exc).__name__}: {str(exc)[:200]}); please report this"


def unwritable_target(target: Path) -> str | None:
    """Why ``target`` must not be written, or None: never through a link, never over a folder."""
    if target.is_symlink():
        return (f"{_shown(target)} is a symbolic link; an import never writes through one, "
                "remove the link to import this page")
    if target.exists() and not target.is_file():
        return f"{_shown(target)} is a folder or special file, not an article; rename it to import this page"
    return None


def _shown(target: Path) -> str:
    """``target`` for a message, without following it if it is a link."""
    return f"{display_path(target.parent)}/{target.name}"


def write_article(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file, so a link or half-written file is never left."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".import-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def extract(path: Path, shared: frozenset[str] = frozenset()) -> Extracted:
    raw = path.read_bytes()
    is_html = _is_html(path, raw)
    text = decode(raw, is_html)
    extracted = extract_html(text) if is_html else extract_text(text, shared)
    if not extracted.body.strip():
        raise ImportFailure("no article text found in it")
    return extracted


def render_article(x: Extracted, original_name: str, config: Config) -> str:
    """The article file: front matter with only what the page states, then the body. Region and
    themes are inferred at build time, so a better detector reaches articles imported earlier; a
    ``region:`` or ``themes:`` line is for a person who overrides."""
    fields: list[tuple[str, object]] = [
        ("title", x.title), ("subtitle", x.subtitle), ("date", x.date), ("source", x.source),
        ("authors", x.authors), ("url", x.url), ("imported_from", original_name)]
    lines = ["---"]
    for key, value in fields:
        if value:
            lines.append(f"{key}: {value if key == 'date' else _yaml(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n\n" + x.body


def article_name(x: Extracted) -> str:
    """File name without ``.md``: the date, then the title's first words in pinyin."""
    title = x.title or placeholder_title(to_text(to_html(x.body)))
    words = slugify(vocabulary().cut(title), 6) or "article"
    return f"{x.date[:10]}-{words}" if x.date else words


def _fingerprint(body: str) -> str:
    return "".join(body.split())


def _yaml(value: object) -> str:
    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _has(x: Extracted, article: str, name: str) -> bool:
    return bool(getattr(x, name))


def _day(date: str):
    import datetime as dt
    return dt.date.fromisoformat(date[:10])
