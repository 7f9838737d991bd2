"""Helpers that read a built site the way a browser would: parse pages, follow links."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def parse(page: Path):
    return lxml.html.fromstring(page.read_bytes())


def broken_links(site: Path) -> list[str]:
    """Every internal href/src in every page that does not resolve to a file in the site."""
    broken = []
    for page in pages(site):
        doc = parse(page)
        for _el, _attr, link, _ in doc.iterlinks():
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue
            if not parts.path:
                if parts.fragment and not doc.get_element_by_id(parts.fragment, None) is not None:
                    broken.append(f"{page.relative_to(site)}: #{parts.fragment}")
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file() or site.resolve() not in target.parents:
                broken.append(f"{page.relative_to(site)}: {link}")
    return broken


def external_resources(site: Path) -> list[str]:
    """Anything a page would load from the network (scripts, styles, images, fonts, frames)."""
    found = []
    for page in pages(site):
        doc = parse(page)
        for el in doc.iter("script", "img", "link", "iframe", "source", "video", "audio"):
            for attr in ("src", "href"):
                value = el.get(attr, "")
                if el.tag == "link" and el.get("rel") not in ("stylesheet", "icon", "preload"):
                    continue
                if urlsplit(value).scheme or value.startswith("//"):
                    found.append(f"{page.relative_to(site)}: <{el.tag} {attr}={value}>")
    for css in site.rglob("*.css"):
        if "url(http" in css.read_text("utf-8") or "@import" in css.read_text("utf-8"):
            found.append(str(css.relative_to(site)))
    return found
