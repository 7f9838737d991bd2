"""Markdown body -> sanitised HTML and plain text."""
from __future__ import annotations

import html
import re

import nh3
from markdown.extensions.toc import slugify as toc_slugify, unique as toc_unique

from digestgen.extensions import DEFAULT_EXTENSIONS, Extensions, renderer

ALLOWED_TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "ins",
                "sub", "sup", "mark", "small", "blockquote", "q", "cite", "code", "pre", "kbd", "ul", "ol", "li",
                "dl", "dt", "dd", "a", "img", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr",
                "th", "td", "caption", "abbr", "div", "span", "details", "summary"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"},
                      "th": {"align", "colspan", "rowspan"}, "td": {"align", "colspan", "rowspan"},
                      "ol": {"start"},
                      # what Python-Markdown's extensions write: attr_list classes, toc and footnote ids
                      "*": {"class", "id"}}


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


def render_markdown(body: str, extensions: Extensions = DEFAULT_EXTENSIONS) -> str:
    """The body as Python-Markdown renders it with ``extensions`` (not yet sanitised)."""
    source = _demote_h1(body)
    plain = plain_markdown(source, extensions)
    return plain if plain is not None else renderer(extensions).reset().convert(source)


PLAIN_EXTENSIONS = frozenset({"tables", "footnotes", "attr_list", "toc"})
"""The extensions :func:`plain_markdown` knows to leave plain paragraphs and headings as they are."""
_WORD = r"[^\x00-\x20\x7f#&*<\[\\\]_`{|}]+"
PLAIN_LINE = re.compile(rf"(?![-+=>]|\d+\.){_WORD}(?: +{_WORD})*")
"""A line Python-Markdown leaves as it is but for ``>``, which it writes ``&gt;``: no character
that starts inline markup, an escape, an entity or HTML (# & * < [ \\ ] _ ` { | }), no space at
either end (a line break, indented code), no control character, and no start that could open a
list, a rule, a quote or a setext underline (- + = > or a number and a full stop)."""
PLAIN_HEADING = re.compile(rf"(#{{2,6}}) ({PLAIN_LINE.pattern})")


def plain_markdown(source: str, extensions: Extensions) -> str | None:
    """What Python-Markdown makes of a body of plain paragraphs and ``##`` headings, without
    running it; None for anything else, which Python-Markdown then renders.

    Most article bodies are nothing but paragraphs of text, and Python-Markdown spends most of its
    time looking for markup they do not have. This only answers where its output is certain to be
    Python-Markdown's (``tests/test_analysis_speed.py`` compares the two on every shipped article,
    the imported development pages, generated corpora and made-up edge cases): every line is a
    :data:`PLAIN_LINE` with printable characters only, a heading stands alone between blank lines
    (its ``toc`` id made by toc's own functions, as toc makes it from text with no markup), and the
    extensions are among :data:`PLAIN_EXTENSIONS` with no options.
    """
    if any(options or name not in PLAIN_EXTENSIONS for name, options in extensions):
        return None
    ids = any(name == "toc" for name, _ in extensions)
    blocks: list[str] = []
    lines: list[str] = []
    used_ids: set[str] = set()
    heading = False  # the last line was a heading: a blank line must follow it
    for line in source.split("\n"):
        if not line:
            if lines:
                blocks.append("<p>" + "\n".join(lines).replace(">", "&gt;") + "</p>")
                lines = []
            heading = False
            continue
        if heading or not line.isprintable():
            return None
        if line[0] == "#":
            m = PLAIN_HEADING.fullmatch(line)
            if m is None or lines:
                return None
            level, text, heading = len(m.group(1)), m.group(2), True
            if ids:  # the id toc gives it, made as toc makes it
                blocks.append(f'<h{level} id="{toc_unique(toc_slugify(text, "-"), used_ids)}">'
                              f'{text.replace(">", "&gt;")}</h{level}>')
            else:
                blocks.append(f'<h{level}>{text.replace(">", "&gt;")}</h{level}>')
        elif PLAIN_LINE.fullmatch(line):
            lines.append(line)
        else:
            return None
    if lines:
        blocks.append("<p>" + "\n".join(lines).replace(">", "&gt;") + "</p>")
    return "\n".join(blocks)


def remote_images_as_links(raw_html: str) -> str:
    """An image from another host (any address that is not a file of the site, however it is
    spelled) becomes a link to it (its alt text, or 图片), since the site never loads anything from
    the network, and an image with no address (``![]()``) is dropped:
    the sanitiser never sees an ``<img>`` it would leave without a ``src``."""
    def link(m: re.Match) -> str:
        tag = m.group(0)
        src = re.search(r'\ssrc\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s>]+))', tag)
        url = next((g for g in src.groups() if g is not None), "") if src else ""
        if not url.strip():
            return ""  # ![]() names no image: nothing to show
        if in_site(url):
            return tag
        alt = re.search(r'\salt\s*=\s*(?:"([^"]*)"|\'([^\']*)\')', tag)
        text = next((g for g in alt.groups() if g is not None), "") if alt else ""
        return f'<a href="{url}" class="remote-image">{text or "图片"}(外部图片)</a>'
    return re.sub(r"<img\b[^>]*>", link, raw_html, flags=re.I)


def to_html(body: str, extensions: Extensions = DEFAULT_EXTENSIONS) -> str:
    """Render Markdown and keep only safe, local markup (``# Title`` lines become ``<h2>``)."""
    raw = remote_images_as_links(render_markdown(body, extensions))
    return nh3.clean(raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=_keep_attribute,
                     link_rel="noopener noreferrer", url_schemes={"http", "https", "mailto"})


_REF = re.compile(r'<(?:img|a)\b[^>]*?\s(?:src|href)="([^"]*)"', re.I)
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|/|#)")


def relative_refs(html_body: str) -> bool:
    """Whether the HTML links anything by a relative path (an image or file beside the article)."""
    return any(ref and not _ABSOLUTE.match(ref) for ref in _REF.findall(html_body))


def to_text(html_body: str) -> str:
    """Plain text of rendered HTML: one line per block, entities decoded."""
    blocks = re.sub(r"</(p|h\d|li|blockquote|pre|tr|figcaption|dd|dt)>|<br\s*/?>", "\n", html_body)
    text = html.unescape(nh3.clean(blocks, tags=set()))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _demote_h1(body: str) -> str:
    # The article title is the page's only <h1>; body headings start at <h2>.
    return re.sub(r"^#(?=\s)", "##", body, flags=re.M) if re.search(r"^#\s", body, re.M) else body
