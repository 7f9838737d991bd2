"""Saved HTML pages -> the same :class:`Extracted` as copied text.

trafilatura finds the main content (it is made for exactly this: navigation, sidebars and footers
out, paragraphs and headings in). The page's metadata lines (来源, 作者, 发布时间) are read with the
plain-text rules from the whole page's text, and its <meta>/<link rel=canonical> fill the rest.
"""
from __future__ import annotations

import re

import lxml.html
import trafilatura

from digestgen.importing.text import Extracted, extract_meta, normalise, to_markdown

META_SOURCE = ("ContentSource", "source", "og:site_name")
META_DATE = ("PubDate", "publishdate", "article:published_time", "pubdate")
META_TITLE = ("ArticleTitle", "og:title")
META_AUTHOR = ("author", "Author", "article:author")


def charset_of(raw: bytes) -> str | None:
    """The encoding a page declares in its <meta>, if any."""
    m = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", raw[:4096], re.I)
    return m.group(1).decode("ascii").lower() if m else None


def extract_html(html: str) -> Extracted:
    doc = lxml.html.fromstring(html)
    meta = {}
    for el in doc.iter("meta"):
        key = el.get("name") or el.get("property")
        if key and el.get("content"):
            meta.setdefault(key, el.get("content").strip())
    page = extract_meta(_page_text(doc))  # 来源, 作者, 发布时间 lines anywhere on the page

    main = trafilatura.extract(html, output_format="markdown", include_images=False, include_tables=True,
                               include_links=False, with_metadata=False, favor_precision=True) or ""
    found = trafilatura.bare_extraction(html, with_metadata=True)
    out = Extracted()
    out.title = _first(meta, META_TITLE) or (found.title if found else None)
    out.date = page.date or _date(_first(meta, META_DATE)) or (found.date if found else None)
    out.source = page.source or _first(meta, META_SOURCE)
    out.authors = page.authors or _names(_first(meta, META_AUTHOR))
    canonical = doc.xpath("//link[@rel='canonical']/@href")
    out.url = page.url or (canonical[0].strip() if canonical and canonical[0].startswith("http") else None) \
        or (found.url if found and found.url and found.url.startswith("http") else None)
    out.body = _body(main, out.title)
    return out


def _page_text(doc) -> str:
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for block in doc.iter("p", "div", "li", "h1", "h2", "h3", "h4", "br", "tr", "section", "article"):
        block.tail = (block.tail or "") + "\n"
    return doc.text_content()


def _body(markdown: str, title: str | None) -> str:
    lines = []
    for raw in markdown.splitlines():
        line = normalise(raw)
        if not line or (title and line.lstrip("# ") == title):
            continue
        lines.append(line)
    # trafilatura marks headings with #; the plain-text rules find the rest.
    out = []
    for line in lines:
        out.append(line.lstrip("#").strip() if line.startswith("#") else line)
    text = to_markdown(out)
    for heading in (line.lstrip("#").strip() for line in lines if line.startswith("#")):
        text = text.replace(f"\n{heading}\n", f"\n## {heading}\n")
    return text


def _first(meta: dict, keys) -> str | None:
    return next((meta[k] for k in keys if meta.get(k)), None)


def _date(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?", value)
    if not m:
        return None
    y, mo, d, h, mi, s = m.groups()
    return f"{y}-{mo}-{d}" + (f" {h}:{mi}" + (f":{s}" if s else "") if h else "")


def _names(value: str | None) -> list[str]:
    return [n for n in re.split(r"[\s、,,]+", value or "") if n]
