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
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from digestgen.analysis.analyse import placeholder_title
from digestgen.config import Config
from digestgen.load.articles import load_articles
from digestgen.analysis.markup import to_html, to_text
from digestgen.paths import display_path
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
                 dry_run: bool = False) -> ImportReport:
    """Import every raw file under ``paths`` into ``out_dir``."""
    report = ImportReport()
    out_dir = out_dir.resolve()
    existing = load_articles(out_dir, config.theme_names, drafts=True).articles \
        if out_dir.is_dir() else []
    by_url = {a.url: a.source_file for a in existing if a.url}
    by_body = {_fingerprint(a.body): a.source_file for a in existing if a.body.strip()}
    taken = {p.stem for p in out_dir.glob("*.md")} if out_dir.is_dir() else set()
    planned: set[str] = set()
    files = collect(paths)
    shared = batch_chrome(files)
    for path in files:
        shown = display_path(path)
        try:
            extracted = extract(path, shared)
        except ImportFailure as exc:
            report.outcomes.append(Outcome(shown, "failed", message=str(exc)))
            continue
        except OSError as exc:
            report.outcomes.append(Outcome(shown, "failed", message=f"cannot read it: {exc.strerror}"))
            continue
        article = render_article(extracted, path.name, config)
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
        planned.add(name)
        target = out_dir / f"{name}.md"
        if not dry_run:
            out_dir.mkdir(parents=True, exist_ok=True)
            target.write_text(article, encoding="utf-8")
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
            raw = path.read_bytes()
            if not _is_html(path, raw):
                texts.append(decode(raw, False))
        except (OSError, ImportFailure):
            continue  # reported when the file itself is imported
    return shared_lines(texts)


def _is_html(path: Path, raw: bytes) -> bool:
    return path.suffix.lower() in (".html", ".htm") or raw.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))


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
