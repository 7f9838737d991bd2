"""Markdown body -> sanitised HTML and plain text."""
from __future__ import annotations

import html
import re

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

ALLOWED_TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "ins",
                "sub", "sup", "mark", "small", "blockquote", "q", "cite", "code", "pre", "kbd", "ul", "ol", "li",
                "dl", "dt", "dd", "a", "img", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr",
                "th", "td", "caption", "abbr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"},
                      "th": {"align", "colspan", "rowspan"}, "td": {"align", "colspan", "rowspan"},
                      "ol": {"start"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}}
# Raw HTML passes the parser and is then cleaned by nh3, so authors may write <figure> and the like.
_OPTIONS = Options.CMARK_OPT_UNSAFE


def _keep_attribute(tag: str, attr: str, value: str) -> str | None:
    # The site never loads anything from the network: an image must be a file of the site.
    if tag == "img" and attr == "src" and not in_site(value):
        return None
    return value


_EDGE = "".join(map(chr, range(0x21)))
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def in_site(url: str, depth: int = 1) -> bool:
    """Whether ``url``, read as a browser reads it, is a relative path to a file of the site.

    Browsers strip leading and trailing spaces and control characters, drop tabs and newlines
    anywhere and read ``\\`` as ``/``, so `` //host``, ``\\host`` and ``/<tab>/host`` all name another
    host. After that normalisation the URL must have no scheme, must not start with ``/``, and
    its ``..`` segments (``%2e%2e`` included) must not climb above the site root from a page
    ``depth`` folders down (article pages are in ``articles/``).
    """
    url = url.strip(_EDGE)
    url = re.sub(r"[\t\n\r]", "", url).replace("\\", "/")
    if not url or _SCHEME.match(url) or url.startswith("/"):
        return False
    path = re.split(r"[?#]", url, maxsplit=1)[0]
    level = depth
    for segment in path.split("/")[:-1]:
        segment = re.sub("%2e", ".", segment, flags=re.I)
        if segment == "..":
            level -= 1
            if level < 0:
                return False
        elif segment not in (".", ""):
            level += 1
    return True


def to_html(body: str) -> str:
    """Render Markdown and keep only safe, local markup (``# Title`` lines become ``<h2>``)."""
    raw = cmarkgfm.github_flavored_markdown_to_html(_demote_h1(body), options=_OPTIONS)
    return nh3.clean(raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=_keep_attribute,
                     link_rel="noopener noreferrer", url_schemes={"http", "https", "mailto"})


def to_text(html_body: str) -> str:
    """Plain text of rendered HTML: one line per block, entities decoded."""
    blocks = re.sub(r"</(p|h\d|li|blockquote|pre|tr|figcaption|dd|dt)>|<br\s*/?>", "\n", html_body)
    text = html.unescape(nh3.clean(blocks, tags=set()))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _demote_h1(body: str) -> str:
    # The article title is the page's only <h1>; body headings start at <h2>.
    return re.sub(r"^#(?=\s)", "##", body, flags=re.M) if re.search(r"^#\s", body, re.M) else body
