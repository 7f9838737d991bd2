"""Raw news text (as copied from a browser) -> title, metadata and a clean Markdown body.

The rules here are ours: news and government sites wrap an article in breadcrumbs, share
widgets, image file names, "read next" links, copyright and ICP footers, slogans, recommended
news and sometimes injected spam. What is not the article is dropped; what the page does not
state is left out, never guessed.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

SENTENCE_END = "。!?!?…;;"
NAME = r"[\u4e00-\u9fff·]{2,4}"
FURNITURE = re.compile(
    r"^(?:当前位置|您现在所在的位置|您的位置|你的位置|所在位置|位置[::]|首页\s*[>›]|分享到|[—\-]+\s*分享\s*[—\-]+|"
    r"时刻新闻$|扫一扫|手机扫码|【字体|字号[::]|发布机构[::]?$|阅读提要$|打印本页|【打印|【关闭|关闭窗口|"
    r"浏览次数|阅读次数|点击数|收藏本页|字体[::]?\s*[大中小]|[|│\s]+$|\d+$)")
FOOTER = re.compile(
    r"^(?:[((]?\s*稿件来源|来源[::]|作者[::]|编辑[::]|责任编辑|责编|本网编辑|值班责编|审核[::]|校对[::]|"
    r"本文为|本文链接|原文链接|原文地址|转载请|阅读下一篇|下一篇|上一篇|返回.{0,12}首页|新闻推荐|相关新闻|相关阅读|"
    r"推荐阅读|热点新闻|扫一扫|版权声明|版权所有|网站标识码|.*ICP备|.*公网安备|主\s*办[::]|承\s*办[::]|"
    r"联系电话|联系我们|E-?mail|网站地图|-\s*国家部委网站|【打印|【关闭)", re.I)
SLOGAN = re.compile(r"^([\u4e00-\u9fff]{2,12}?(?:客户端|新闻网|新闻|日报|晚报|报|网|电视台|发布))[,,]")
BYLINE = re.compile(r"^[((]\s*([\u4e00-\u9fff]{2,12}?)(?:全媒体|全媒|首席|特约|见习)?(?:记者|通讯员)\s*"
                    r"((?:[\u4e00-\u9fff·]{2,4}\s*)+)[))]$")
SIGNATURE = re.compile(r"\s*□\s*(" + NAME + r")\s*$")
IMAGE = re.compile(r"^\S+\.(?:jpe?g|png|gif|webp|bmp)$", re.I)
DATE = re.compile(r"(\d{4})(?:-|/|年)(\d{1,2})(?:-|/|月)(\d{1,2})日?(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
URL_LINE = re.compile(r"(?:本文链接|原文链接|原文地址|文章链接|链接)[::]\s*(https?://\S+)")
KEYS = ("稿件来源", "信息来源", "来源", "作者", "通讯员", "记者", "本网编辑", "值班责编", "责任编辑", "编辑", "责编",
        "发布时间", "发布日期", "时间", "日期", "发布机构")
KEY_RE = re.compile(r"(" + "|".join(KEYS) + r")\s*[::]\s*")
DATELINE = re.compile(r"(?:通讯员|记者)\s")
NUMBERED = re.compile(r"^(?:0?\d|[一二三四五六七八九十]{1,2})$")


@dataclass
class Extracted:
    """What was recovered from one raw page."""

    title: str | None = None
    subtitle: str | None = None
    date: str | None = None
    """ISO: ``2022-02-21`` or ``2022-02-21 12:09:02``."""
    source: str | None = None
    authors: list[str] = field(default_factory=list)
    url: str | None = None
    body: str = ""
    """Markdown: paragraphs and ``##`` headings."""


def normalise(line: str) -> str:
    line = line.replace("\u00a0", " ").replace("\u3000", " ").replace("\ufeff", "")
    line = re.sub(r"^[\s•·●▪■◆\-*]+(?=\S)", "", line) if re.match(r"^\s*[•·●▪■◆]", line) else line
    return re.sub(r"[ \t]+", " ", line).strip()


def extract_text(text: str) -> Extracted:
    """Split a copied page into header, body and footer, and read the fields from each."""
    lines = [normalise(line) for line in text.splitlines()]
    spam = _spam(lines)
    useful = [i for i, line in enumerate(lines) if line and not _is_spam(line, spam)]
    out = Extracted()

    pos = 0
    while pos < len(useful) and _is_chrome(lines[useful[pos]]):
        pos += 1
    if pos < len(useful) and _title_like(lines[useful[pos]]):
        out.title = _clean_title(lines[useful[pos]])
        pos += 1
        if (pos + 1 < len(useful) and _title_like(lines[useful[pos]]) and not _is_chrome(lines[useful[pos]])
                and not _is_meta(lines[useful[pos]])):
            out.subtitle = _clean_title(lines[useful[pos]])
            pos += 1
    header_start = pos
    while pos < len(useful) and not _body_like(lines[useful[pos]]):
        pos += 1
    header = [lines[i] for i in useful[header_start:pos]]
    end = pos
    while end < len(useful) and not _footer(lines[useful[end]]):
        end += 1
    body_lines = [lines[i] for i in useful[pos:end]]
    footer = [lines[i] for i in useful[end:]]

    _read_meta(header + footer, out)
    body_lines = _strip_images(body_lines)
    if body_lines:
        sig = SIGNATURE.search(body_lines[-1])
        if sig:
            out.authors.append(sig.group(1))
            body_lines[-1] = body_lines[-1][: sig.start()].rstrip()
    if body_lines and DATELINE.search(body_lines[0]) and not body_lines[0].endswith(tuple(SENTENCE_END)):
        out.authors.extend(_dateline_names(body_lines[0]))
    if not out.source:
        out.source = next((m.group(1).removesuffix("客户端") for m in map(SLOGAN.match, footer) if m), None)
    out.authors = list(dict.fromkeys(a for a in out.authors if a))
    out.body = to_markdown(body_lines)
    return out


def extract_meta(text: str) -> Extracted:
    """Only the fields, read from every metadata-looking line of a whole page's text."""
    out = Extracted()
    lines = [normalise(line) for line in text.splitlines()]
    _read_meta([line for line in lines if _is_meta(line) or BYLINE.match(line)], out)
    out.authors = list(dict.fromkeys(out.authors))
    return out


def to_markdown(lines: list[str]) -> str:
    """Paragraph lines -> Markdown, short lines between paragraphs becoming ``##`` headings."""
    blocks: list[str] = []
    pending: list[str] = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if i > 0 and nxt is not None and (NUMBERED.match(line) or _heading_like(line)):
            if not NUMBERED.match(line):
                pending.append(line)
            continue
        if pending:
            blocks.append("## " + " ".join(pending))
            pending = []
        blocks.append(_escape(line))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _spam(lines: list[str]) -> set[str]:
    counts = Counter(_spam_key(line) for line in lines if line and len(line) <= 30)
    return {key for key, n in counts.items() if n >= 3 and key}


def _spam_key(line: str) -> str:
    return line.strip("_ -|").strip()


def _is_spam(line: str, spam: set[str]) -> bool:
    key = _spam_key(line)
    return key in spam or (len(line) <= 40 and any(s in line for s in spam))


def _is_chrome(line: str) -> bool:
    return bool(FURNITURE.match(line)) or _is_meta(line)


def _is_meta(line: str) -> bool:
    return bool(KEY_RE.match(line.lstrip("(( "))) or bool(DATE.fullmatch(line)) or bool(URL_LINE.search(line))


def _title_like(line: str) -> bool:
    return 4 <= len(line) <= 64 and not line.endswith(tuple("。!?!?;;")) and not _is_chrome(line) \
        and not DATELINE.search(line)


def _clean_title(line: str) -> str:
    return re.sub(r"\s+", " ", line).strip()


def _body_like(line: str) -> bool:
    if _is_chrome(line) or IMAGE.match(line):
        return False
    return len(line) >= 20 or line.endswith(tuple(SENTENCE_END + "——")) or bool(DATELINE.search(line))


def _footer(line: str) -> bool:
    return bool(FOOTER.match(line) or BYLINE.match(line) or SLOGAN.match(line) and len(line) > 20)


def _heading_like(line: str) -> bool:
    return (len(line) <= 30 and not line.endswith(tuple(SENTENCE_END + ",,、::——"))
            and not IMAGE.match(line))


def _strip_images(lines: list[str]) -> list[str]:
    out, skip = [], False
    for line in lines:
        if IMAGE.match(line):
            skip = True  # the next short line is its caption
            continue
        if skip and len(line) <= 40:
            skip = False
            continue
        skip = False
        out.append(line)
    return out


def _read_meta(lines: list[str], out: Extracted) -> None:
    for line in lines:
        if out.url is None and (m := URL_LINE.search(line)):
            out.url = m.group(1).rstrip("。,,")
        if (b := BYLINE.match(line)):
            out.source = out.source or b.group(1)
            out.authors.extend(b.group(2).split())
            continue
        for key, value in _key_values(line):
            if key in ("稿件来源", "信息来源", "来源") and value and not out.source:
                out.source = value.split()[0]
            elif key in ("作者", "通讯员", "记者"):
                out.authors.extend(n for n in re.split(r"[\s、,,]+", value) if re.fullmatch(NAME, n))
        if out.date is None and (d := DATE.search(line)) and (KEY_RE.search(line) or DATE.fullmatch(line)
                                                              or DATE.match(line)):
            out.date = _iso(d)


def _key_values(line: str) -> list[tuple[str, str]]:
    parts = KEY_RE.split(line.strip("()() "))
    pairs = []
    for i in range(1, len(parts) - 1, 2):
        value = DATE.sub("", parts[i + 1]).strip()
        value = re.split(r"\s{2,}", value)[0].strip()
        pairs.append((parts[i], value))
    return pairs


def _dateline_names(line: str) -> list[str]:
    names = []
    for chunk in re.split(r"(?:通讯员|记者)", line)[1:]:
        for token in chunk.split():
            if re.fullmatch(NAME, token) and not token.endswith(("报道", "讯")):
                names.append(token)
            else:
                break
    return names


def _iso(m: re.Match) -> str:
    y, mo, d, h, mi, s = m.groups()
    text = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    if h:
        text += f" {int(h):02d}:{mi}" + (f":{s}" if s else "")
    return text


def _escape(line: str) -> str:
    # A paragraph that Markdown would read as a list, quote or heading.
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", re.sub(r"^([#>*+-])", r"\\\1", line))
