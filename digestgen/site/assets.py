"""Page assets: images and files an article links by a relative path (``![](photo.png)``).

A reference is looked up beside the article's file, then in a folder named after it
(``articles/x.md`` -> ``articles/x/photo.png``). Found files are copied into a folder named
after the page (``articles/<slug>/photo.png``) and the link is rewritten to point there, so it
works from ``file://`` and under any sub-path. A reference to nothing is a warning naming the
article's file and line.
"""
from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from digestgen.model import Analysed, Problem

_ATTR = re.compile(r'<(img|a)\b([^>]*?)\s(src|href)="([^"]*)"', re.I)
PAGE_TYPES = {".html", ".htm", ".md"}


@dataclass(frozen=True)
class Asset:
    path: str
    """Where it goes in the site (``articles/<slug>/photo.png``)."""
    source: Path
    """The file it is copied from."""


def localise(item: Analysed, slug: str, articles_dir: Path) -> tuple[str, list[Asset], list[Problem]]:
    """The article's HTML with its relative references pointing into ``articles/<slug>/``, the
    files to copy there, and a warning for each reference to a file that does not exist."""
    a = item.article
    here = (articles_dir / a.source_file).parent
    stem = a.source_file.rsplit("/", 1)[-1].removesuffix(".md")
    assets: dict[str, Asset] = {}
    problems: list[Problem] = []

    def rewrite(m: re.Match) -> str:
        tag, before, attr, value = m.groups()
        ref = html.unescape(value)
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc or not parts.path or ref.startswith(("/", "#")):
            return m.group(0)
        name = unquote(parts.path)
        if tag.lower() == "a" and (posixpath.splitext(name)[1].lower() in PAGE_TYPES or not posixpath.splitext(name)[1]):
            return m.group(0)  # a link to a page or a folder, not a file to copy
        found = next((p for p in (here / name, here / stem / name) if _inside(p, articles_dir) and p.is_file()), None)
        if found is None:
            what = "image" if tag.lower() == "img" else "file"
            problems.append(Problem(a.display_path, _line_of(a.body, a.body_line, parts.path), "warning",
                                    f"{what} '{name}' not found beside the article or in {stem}/; put the file "
                                    "there or fix the path"))
            return m.group(0)
        inner = posixpath.normpath(name)
        if inner.startswith("../"):
            inner = posixpath.basename(inner)
        site_path = f"articles/{slug}/{inner}"
        assets.setdefault(site_path, Asset(site_path, found))
        new = f"{slug}/{inner}"  # article pages are articles/<slug>.html, so this is relative to the page
        return f'<{tag}{before} {attr}="{html.escape(new, quote=True)}"'

    out = _ATTR.sub(rewrite, item.html)
    return out, sorted(assets.values(), key=lambda x: x.path), problems


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _line_of(body: str, body_line: int, ref: str) -> int:
    for n, line in enumerate(body.splitlines()):
        if ref in line or unquote(ref) in line:
            return body_line + n
    return body_line
