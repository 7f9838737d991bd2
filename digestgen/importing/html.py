"""Saved HTML pages -> the same :class:`Extracted` as copied text.

trafilatura finds the main content (it is made for exactly this: navigation, sidebars and footers
out, paragraphs and headings in); the plain-text rules then drop what it kept of credits, captions
and chrome. The fields come from the page's own metadata (``<meta>``, Open Graph, JSON-LD,
``<time datetime>``) and its visible metadata line (来源, 作者, 发布时间), with the never-guess rules
of copied text: a date only from those publication positions (never trafilatura's guess, which may
read a year in the body), and a title only if it is headline-shaped and not the site's name.
"""
from __future__ import annotations

import json
import re

import lxml.html

from digestgen.importing.text import (DATE, FOLD, PUBLISHER, SITE, Extracted, _credit_line, _headline_shaped, _iso, _kind, _prepare,
                                      _read_credit, _read_lead, _read_meta, _strip_images, KEY_OF, KEY_RE, normalise,
                                      to_markdown)

META_SOURCE = ("ContentSource", "source", "article:publisher_name")
META_DATE = ("PubDate", "publishdate", "article:published_time", "pubdate", "publish_date", "datePublished",
             "og:article:published_time", "dc.date", "DC.date.issued")
META_TITLE = ("ArticleTitle", "og:title", "twitter:title")
META_AUTHOR = ("author", "Author", "article:author")
META_SITE = ("og:site_name", "SiteName", "sitename", "application-name")
TITLE_SUFFIX = re.compile(r"^(.+)(?:_|\||\s[-—–]\s|\s*--\s*)(.+)$")


def charset_of(raw: bytes) -> str | None:
    """The encoding a page declares in its <meta>, if any."""
    m = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", raw[:4096], re.I)
    return m.group(1).decode("ascii").lower() if m else None


def extract_html(html: str) -> Extracted:
    doc = lxml.html.fromstring(html)
    meta: dict[str, str] = {}
    for el in doc.iter("meta"):
        key = el.get("name") or el.get("property") or el.get("itemprop")
        if key and el.get("content"):
            meta.setdefault(key, el.get("content").translate(FOLD).strip())
    ld = _json_ld(doc)
    site = _first(meta, META_SITE) or _ld_name(ld.get("publisher"))
    visible = _visible_meta(_page_lines(doc))

    import trafilatura  # imported when a saved HTML page is first read: it takes a tenth of a second
    main = trafilatura.extract(html, output_format="markdown", include_images=False, include_tables=True,
                               include_links=False, with_metadata=False, favor_precision=True) or ""
    out = Extracted()
    out.title = _title(meta, ld, doc, site)
    out.date = (visible.date or _date(_first(meta, META_DATE)) or _date(ld.get("datePublished"))
                or _date(next(iter(doc.xpath("//time/@datetime")), None)))
    out.source = visible.source or _first(meta, META_SOURCE) or _ld_name(ld.get("publisher")) or site
    out.authors = visible.authors or _names(_first(meta, META_AUTHOR) or _ld_name(ld.get("author")))
    canonical = doc.xpath("//link[@rel='canonical']/@href") or [meta.get("og:url", "")]
    out.url = visible.url or (canonical[0].strip() if canonical and canonical[0].startswith("http") else None)
    lead = Extracted()
    out.body = _body(main, out.title, lead)
    out.source = out.source or lead.source
    out.authors = out.authors or lead.authors
    return out


def _title(meta: dict, ld: dict, doc, site: str | None) -> str | None:
    """The page's own headline: its metadata title, its one <h1>, or its <title> minus the site's
    name; a candidate that is only a site, channel or unit name is no headline."""
    h1 = [normalise(h.text_content()) for h in doc.iter("h1")]
    page_title = normalise(doc.findtext(".//title") or "")
    for candidate in (_first(meta, META_TITLE), ld.get("headline"), h1[0] if len(h1) == 1 else None, page_title):
        if isinstance(candidate, str) and candidate.strip():
            title = _strip_site(normalise(candidate), site)
            if title != site and _headline_shaped(title):
                return title
    return None


def _strip_site(title: str, site: str | None) -> str:
    """``标题_永州市公安局`` -> ``标题``: trailing parts after a separator that name the site go."""
    while (m := TITLE_SUFFIX.match(title)) and (m.group(2).strip() == site or SITE.match(m.group(2).strip())
                                                or PUBLISHER.match(m.group(2).strip())):
        title = m.group(1).strip()
    return title


def _json_ld(doc) -> dict:
    for script in doc.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []:
            if isinstance(item, dict) and str(item.get("@type", "")).endswith(("Article", "NewsArticle", "BlogPosting")):
                return item
    return {}


def _ld_name(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _page_lines(doc) -> list[str]:
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for block in doc.iter("p", "div", "li", "h1", "h2", "h3", "h4", "br", "tr", "section", "article"):
        block.tail = (block.tail or "") + "\n"
    return [normalise(line) for line in doc.text_content().splitlines()]


def _visible_meta(lines: list[str]) -> Extracted:
    """Fields from the page's visible metadata lines only: lines that start with a key (来源:, 发布时间:)
    or are a credit; never a bare date or a date in a sidebar's list of other articles."""
    out = Extracted()
    meta_lines = [line for line in lines if line and ((KEY_RE.match(line.strip("()[]【】 ")) and len(line) <= 120)
                                                      or _credit_line(line))]
    _read_meta(meta_lines, out, in_header=False)
    for line in meta_lines:  # a date beside its key: 发布时间:2023-05-16 09:30
        m = KEY_RE.match(line.strip("()[]【】 "))
        if out.date is None and m and KEY_OF.get(re.sub(r"\s+", "", m.group(1))) == "date" \
                and (d := DATE.match(line.strip("()[]【】 ")[m.end():])):
            out.date = _iso(d)
        for key in KEY_RE.finditer(line):
            if out.date is None and KEY_OF.get(re.sub(r"\s+", "", key.group(1))) == "date" \
                    and (d := DATE.match(line[key.end():])):
                out.date = _iso(d)
    out.authors = list(dict.fromkeys(out.authors))
    return out


def _body(markdown: str, title: str | None, lead: Extracted) -> str:
    lines = []
    for raw in markdown.splitlines():
        line = normalise(raw)
        if not line or (title and line.lstrip("# ") == title):
            continue
        lines.append(line)
    headings = {line.lstrip("#").strip() for line in lines if line.startswith("#")}
    lines = _prepare([line.lstrip("#").strip() if line.startswith("#") else line for line in lines])
    kept: list[str] = []
    for line in lines:
        kind = _kind(line, frozenset())
        if kind == "footer" and kept:
            if _credit_line(line):
                _read_credit(line.strip()[1:-1] if line.strip()[0] in "(【[" else line, lead)
            break
        if kind in ("para", "short") or (kind not in ("chrome", "caption", "footer", "meta")):
            kept.append(line)
    kept = _strip_images(kept)
    if kept:
        _read_lead(kept[0], lead)
    text = to_markdown(kept)
    for heading in headings:
        text = text.replace(f"\n{heading}\n", f"\n## {heading}\n")
    return text


def _first(meta: dict, keys) -> str | None:
    return next((meta[k] for k in keys if meta.get(k)), None)


def _date(value) -> str | None:
    """A full date (with time if given) from a metadata value; a bare year or month is no date."""
    if not isinstance(value, str):
        return None
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?", value)
    if not m:
        return None
    y, mo, d, h, mi, s = m.groups()
    return f"{y}-{mo}-{d}" + (f" {h}:{mi}" + (f":{s}" if s else "") if h else "")


def _names(value: str | None) -> list[str]:
    return [n for n in re.split(r"[\s、,,]+", value or "") if re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", n)]
