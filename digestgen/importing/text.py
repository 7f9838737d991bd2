"""Raw news text (as copied from a browser) -> title, metadata and a clean Markdown body.

A page is split into header, article and footer by what each line *is*, not by which site it
came from: its length and sentence punctuation, whether it is a metadata line (来源, 作者,
发布时间, an e-paper masthead, a bare date), a credit (记者, 通讯员, 编辑), an image caption,
page chrome or a footer opener (the vocabularies in ``digestgen/data/import_*.txt``), or a line
that recurs on several pages imported together. The article is the run of paragraph lines; the
title is the best headline-shaped line of the header. What the page does not clearly state is left
out, never guessed: dates come only from publication positions (metadata lines, datelines, e-paper
mastheads), never from the body.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent.parent / "data"
SENTENCE_END = "。!?…;"
INNER_PUNCT = frozenset(",。;")
CJK = r"\u4e00-\u9fff"
NAME = r"[\u4e00-\u9fff·]{2,4}"
DATE = re.compile(r"(\d{4})(?:-|/|年|\.)(\d{1,2})(?:-|/|月|\.)(\d{1,2})日?(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
WEEKDAY = re.compile(r"^(?:星期|周|礼拜)[一二三四五六日天]$")
IMAGE = re.compile(r"^\S+\.(?:jpe?g|png|gif|webp|bmp)$", re.I)
CAPTION = re.compile(r"(?:\s\S{2,4}\s*摄|供图|摄影[::]?\s*\S{2,4}|[((]图[))]|[((]资料图[))])。?$|^(?:图为|▲|△)\S")
URL = re.compile(r"https?://[A-Za-z0-9_\-./?%&=#:~+]+")
URL_LINE = re.compile(r"(?:本文链接|原文链接|原文地址|文章链接|链接|地址|出处)[::]?\s*(https?://[A-Za-z0-9_\-./?%&=#:~+]+)"
                      r"|(?:转载|转发|引用)[^。]{0,12}?(https?://[A-Za-z0-9_\-./?%&=#:~+]+)\S{0,3}出处")
SIGNATURE = re.compile(r"\s*[□■]\s*(?:本报)?(?:记者|通讯员)?\s*((?:" + NAME + r"\s*){1,3})$")
SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                     "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
                     "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌"
                     "毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦"
                     "麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩"
                     "明佘池查麻苑迟邝")
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "皇甫", "令狐", "慕容", "东方", "夏侯", "端木", "尉迟", "公孙", "长孙", "宇文")
NUMBERED = re.compile(r"^(?:0?\d|[一二三四五六七八九十]{1,2})$")
# Roles in a credit: writers are authors; editors, reviewers and layout staff never are.
WRITER = ("首席记者", "特约记者", "见习记者", "全媒体记者", "全媒记者", "融媒体记者", "实习记者", "本报记者", "记者",
          "特约通讯员", "通讯员", "实习生", "作者", "撰稿", "撰文", "文字", "图/文", "文/图", "文/", "文丨")
EDITOR = ("实习编辑", "文字编辑", "责任编辑", "值班编辑", "值班责编", "本网编辑", "编辑", "责编", "编审", "审核", "复审",
          "终审", "审校", "校对", "校准", "排版", "监制", "总编", "主编", "图片", "摄影", "视频", "设计", "整理", "供稿")
ROLE = re.compile("|".join(re.escape(r) for r in sorted(WRITER + EDITOR, key=len, reverse=True)))
NOT_NAMES = {"记者", "通讯员", "本报", "报道", "编辑", "来源", "作者", "摄影", "图片", "文字", "供图", "整理", "实习生",
             "实习", "特约", "见习", "首席", "全媒体", "融媒体", "本网", "本台", "近日", "日前", "获悉", "从"}
KEYS = {
    "source": ("稿件来源", "信息来源", "文章来源", "新闻来源", "来源", "稿源", "供稿单位", "供稿", "当前报纸名称", "报纸名称"),
    "authors": ("作者", "撰稿", "文字", "通讯员", "记者"),
    "editor": ("本网编辑", "值班责编", "责任编辑", "实习编辑", "文字编辑", "编辑", "责编", "编审", "审核", "复审", "终审",
               "校对", "校准", "监制", "排版", "总编", "图片", "摄影"),
    "date": ("发布时间", "发布日期", "发表时间", "更新时间", "发文日期", "成文日期", "生成日期", "公开日期", "时间", "日期"),
    "publisher": ("发布机构", "发布单位", "机构名称", "发文机关"),
    "other": ("索引号", "信息索引号", "公开范围", "公开方式", "主题分类", "信息分类", "组配分类", "体裁分类", "所属主题", "文号",
              "发文字号", "关键词", "内容概述", "时效", "有效性", "字号", "浏览次数", "阅读次数", "点击数"),
}
ALL_KEYS = sorted((k for keys in KEYS.values() for k in keys), key=len, reverse=True)
KEY_OF = {k: kind for kind, keys in KEYS.items() for k in keys}
_KEY_ALT = "|".join(r"\s?".join(map(re.escape, k)) for k in ALL_KEYS)
# A key stands after a non-CJK character (or starts the line), or is glued to the previous value
# but followed by a colon: 时间:2021-09-30来源:中国长安网责任编辑:某某.
KEY_RE = re.compile(r"(?:(?<![" + CJK + r"])|(?=(?:" + _KEY_ALT + r")\s*[::]))(" + _KEY_ALT + r")"
                    r"(?:\s*[::丨|/]\s*|\s+(?=\S))")
OUTLET = r"(?:网|报|台|社|客户端|新闻|融媒|在线|发布|时刻)"
LEAD = re.compile(r"^(?P<src>[^\s,,。:：()()“”]{1,22}?" + OUTLET + r")(?P<place>[" + CJK + r"]{0,4})(?:讯|消息|电)"
                  r"(?=[\s((]|$)")
LEAD_DATED = re.compile(r"^(?P<src>[^\s,,。()()“”]{1,28}?" + OUTLET + r")(?P<place>[" + CJK + r"]{0,4})"
                        r"\d{1,2}月\d{1,2}日(?:讯|消息|电)")
# "This paper / station / site" (本报讯, 本台记者, 本网讯): no outlet is named.
SELF_OUTLET = re.compile(r"^本(?:报|台|网|刊|站|社)")
# A reporter's lead: 某某融媒体记者 张三 报道:… (the outlet, its reporter, then the text).
REPORTER_LEAD = re.compile(r"^(?P<src>[^\s,。:()“”]{1,22}?(?:融媒体中心|融媒体|" + OUTLET + r"))"
                           r"(?P<role>首席记者|特约记者|见习记者|实习记者|记者|通讯员)\s*"
                           r"(?P<names>(?:" + NAME + r"[\s、]*){1,3}?)\s*报道[::]")
PUBLISHER = re.compile(r"^[" + CJK + r"A-Za-z·()()]{2,16}?(?:网|在线|融媒|新闻|日报|晚报|法制报|法治报|报|客户端|发布|电视台|"
                       r"广播电视台|融媒体中心|频道|公安局|分局|派出所|大队|支队|总队|公安厅|政府|办公室|委员会|中心|政法委|检察院|法院)$")
SITE = re.compile(r"^[" + CJK + r"A-Za-z·]{2,10}(?:网|在线|融媒|新闻|日报|晚报|报|客户端|电视台|频道|门户|官网|论坛|社区)$")
COPYRIGHT_SOURCE = re.compile(r"凡注明\s*[“\"‘']?\s*来源\s*[为::]?\s*[“\"‘']?([^”\"’'」,,。\s()()]{2,20})[”\"’']")
ORGAN_SOURCE = re.compile(r"^(?:主办(?:单位)?[::]\s*(\S{2,20})|(\S{2,16}?)主管主办|机构名称[::]\s*(\S{2,20}))")
MASTHEAD = re.compile(r"^《?(?P<src>[" + CJK + r"]{2,12}?报)》?\s*[((]?(?P<date>\d{4}年\d{1,2}月\d{1,2}日)[))]?\s*"
                      r"(?:第?[A-Z]?\d{1,3}版.*)?$|^《?(?P<src2>[" + CJK + r"]{2,12}?报)》?\s*第?[A-Z]?\d{1,3}版\S*\s+"
                      r"(?P<date2>\d{4}年\d{1,2}月\d{1,2}日)$")
NAME_DATE = re.compile(r"^(?P<src>[" + CJK + r"A-Za-z·]{2,16})\s+(?P<date>\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)"
                       r"(?:\s+\S{1,4})?$")
# A forum's watermark glued to a paragraph: the site's names listed (XX论坛、XX在线、XX).
WATERMARK = re.compile(r"^(?:([" + CJK + r"]{2,4})(?:论坛|在线|社区|之家|之窗|网)、){2,}\1(?=[" + CJK + r"])")
# An e-paper masthead in one line: paper, date, weekday and/or edition (某某日报 2023年05月06日 星期六 第A09版).
PAPER_LINE = re.compile(r"^(?P<src>[" + CJK + r"·]{2,12}?报)\s*[((]?(?P<date>\d{4}年\d{1,2}月\d{1,2}日)[))]?"
                        r"\s*(?:星期[一二三四五六日天])?\s*(?:第?[A-Z]?\d{1,3}版.{0,12})?$")
# A time stamp leading a header line: 2024-03-05 18:20 发表于某某省.
DATE_FIRST = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)\s+\S{1,12}$")
APP_PREFIX = re.compile(r"^[" + CJK + r"]{2,10}客户端?——(?=\S)")
RESIDUE = re.compile(r"^[\s|│!\[\]()#*_\-—=<>/\\.,:;·•]*$")
GLUED_CREDIT = re.compile(r"^(?P<text>.*[。!?”\"」』)])\s*(?P<credit>[((][^()()]{2,60}[))])\s*(?P<rest>.*)$")
INLINE_SOURCE = re.compile(r"[((]\s*(?:稿件)?来源\s*[::][^()()]{2,30}[))]")
ORG_CREDIT = re.compile(r"^(?:图/文|文/图|文|撰文|作者)\s*[/丨|::]\s*([" + CJK + r"A-Za-z·、\s]{2,24})$")
TITLE_LABEL = re.compile(r"^(?:原标题|标题)\s*[::]\s*(.{4,80})$")


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


def read_vocabulary(name: str) -> list[str]:
    """The entries of a vocabulary file in ``digestgen/data/``: one a line, ``#`` comments ignored."""
    lines = (DATA / name).read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@cache
def _patterns(name: str) -> re.Pattern:
    return re.compile("^(?:" + "|".join(f"(?:{entry})" for entry in read_vocabulary(name)) + ")", re.I)


@cache
def _spam_re() -> re.Pattern:
    words = "|".join(re.escape(w) for w in read_vocabulary("import_spam.txt"))
    return re.compile(r"[^,。!?;,;、::\s]*(?:" + words + r")[^,。!?;,;、\s::]*[::]?", re.I)


# Full-width forms (，：（）！？； and full-width letters and digits, U+FF01-FF5E) read as their
# ASCII twins, as the rules and vocabularies are written; ideographic and no-break spaces as spaces.
FOLD: dict[int, int | None] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
FOLD.update({0x3000: 0x20, 0xA0: 0x20, 0xFEFF: None})


def normalise(line: str) -> str:
    """One line as the rules read it: full-width punctuation folded to ASCII, spaces collapsed, a
    leading bullet removed."""
    line = line.translate(FOLD)
    line = re.sub(r"^[\s•·●▪■◆\-*]+(?=\S)", "", line) if re.match(r"^\s*[•·●▪■◆]", line) else line
    return re.sub(r"[ \t]+", " ", line).strip()


def squeeze(line: str) -> str:
    """The line without spaces and without the brackets around it: what the vocabularies match."""
    return re.sub(r"\s+", "", line).strip("()[]【】〔〕")


def shared_lines(texts: list[str], at_least: int = 3) -> frozenset[str]:
    """Lines that recur on ``at_least`` of the pages imported together: a site's chrome, not an article."""
    counts: Counter = Counter()
    for text in texts:
        counts.update({normalise(line) for line in text.splitlines() if normalise(line)})
    return frozenset(line for line, n in counts.items()
                     if n >= at_least and not _date_only(line) and not _article_sentence(line))


def _article_sentence(line: str) -> bool:
    """A line that reads as a paragraph of an article: several pages sharing it are reposts of one
    story, not one site's chrome (which the chrome and footer vocabularies catch when it is long)."""
    return len(line) >= 30 and line[-1] in "。!?\"”"


def extract_text(text: str, shared: frozenset[str] = frozenset()) -> Extracted:
    """Split a copied page into header, body and footer, and read the fields from each."""
    lines = _prepare([normalise(line) for line in text.splitlines()])
    kinds = _kinds(lines, shared)
    out = Extracted()

    start = next((i for i, k in enumerate(kinds) if k == "para"), len(lines))
    end = next((i for i in range(start + 1, len(lines)) if kinds[i] == "footer"), len(lines))
    header = list(range(start))
    footer = list(range(end, len(lines)))
    body = [lines[i] for i in range(start, end) if kinds[i] in ("para", "short") and not _is_caption(lines[i])]
    body = _strip_images(body)
    while body and (RESIDUE.match(body[-1]) or _credit_line(body[-1])):
        body.pop()

    reprinted_from = _read_title(lines, kinds, header, out)
    _read_meta([lines[i] for i in header], out, in_header=True)
    _read_meta([lines[i] for i in footer], out, in_header=False)
    if body:
        sig = SIGNATURE.search(body[-1])
        if sig:
            out.authors.extend(sig.group(1).split())
            body[-1] = body[-1][: sig.start()].rstrip()
            if not body[-1]:
                body.pop()
    if len(body) > 1 and (names := signature_names(body[-1])):
        out.authors.extend(names)  # a bare signature after the last paragraph
        body.pop()
    if body:
        _read_lead(body[0], out)
    if out.title is None:
        out.title = next((m.group(1).strip() for i in header + footer if (m := TITLE_LABEL.match(lines[i]))), None)
    for i in header:  # a lead alone on its line: 本报讯, XX网讯
        if (lead := LEAD.fullmatch(lines[i])) and not SELF_OUTLET.match(lead.group("src")):
            out.source = out.source or lead.group("src")
    out.source = out.source or reprinted_from
    if out.date is None:
        out.date = _header_date_fallback(lines, kinds, header, out.title)
    if not out.source:
        out.source = _fallback_source([lines[i] for i in footer + header])
    out.authors = list(dict.fromkeys(a for a in out.authors if a))
    out.body = to_markdown(body)
    return out


def to_markdown(lines: list[str]) -> str:
    """Paragraph lines -> Markdown. One or two short lines between paragraphs are a ``##`` heading
    (a number line such as ``01`` before one is dropped); a longer run of short lines is verse-like
    text cut into fragments, kept as one paragraph; a quoted line is speech, never a heading."""
    blocks: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if NUMBERED.match(line) and 0 < i < len(lines) - 1:
            i += 1
            continue
        run = i
        while run < len(lines) and _heading_like(lines[run]) and not NUMBERED.match(lines[run]):
            run += 1
        if run > i:
            if len(blocks) > 0 and run < len(lines) and run - i <= 2:
                blocks.append("## " + " ".join(lines[i:run]))
            elif run - i > 2:
                blocks.append(_escape(" ".join(lines[i:run])))
            else:
                blocks += [_escape(part) for part in lines[i:run]]
            i = run
            continue
        blocks.append(_escape(line))
        i += 1
    return "\n\n".join(blocks) + "\n" if blocks else ""


# ---- preparing and classifying lines ----

def _prepare(lines: list[str]) -> list[str]:
    """Undo what copying glued together: spam runs cut out, a trailing credit or source note and what
    follows it put on lines of their own, table residue and app prefixes removed."""
    out: list[str] = []
    spam = _spam_re()
    for line in lines:
        if not line:
            continue
        if spam.search(line):
            line = spam.sub("", line).strip()
            if not re.search(r"[" + CJK + r"A-Za-z0-9]", line):
                continue
        line = WATERMARK.sub("", APP_PREFIX.sub("", line))
        if re.match(r"^[-*]\s+\S", line) and KEY_RE.match(line[2:].strip()):
            line = line[2:].strip()  # a metadata table copied as a list
        line = re.sub(r"\s*[|│]+\s*$", "", line) if re.search(r"[" + CJK + r"]", line) else line
        m = INLINE_SOURCE.search(line)
        if m and m.start() > 0:
            out += [part for part in (line[: m.start()].strip(), m.group(0), line[m.end():].strip()) if part]
            continue
        m = GLUED_CREDIT.match(line)
        if m and _credit_text(m.group("credit")[1:-1]):
            out += [part for part in (m.group("text").strip(), m.group("credit"), m.group("rest").strip()) if part]
            continue
        if line:
            out.append(line)
    return _join_lone_leads(out)


def _join_lone_leads(lines: list[str]) -> list[str]:
    """A lead printed alone on its line (``本报讯``, ``某某网讯``, ``新华社北京9月1日电``, with or
    without its credit) belongs to the paragraph under it: ``本报讯`` + ``(记者 某某)近日,…`` is one
    lead paragraph, as the paper printed it, and so is ``本报讯`` + ``(记者 某某)`` + ``近日,…``."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        parts = _lead_parts(lines, i)
        text = parts[0]
        for part in parts[1:]:
            text += ("" if part.startswith("(") or text.endswith(")") else " ") + part
        out.append(text)
        i += len(parts)
    return out


def _lead_parts(lines: list[str], i: int) -> list[str]:
    """``lines[i]`` and, when it is a lone lead, the credit line and the paragraph it leads."""
    if not _lone_lead(lines[i]):
        return [lines[i]]
    parts = [lines[i]]
    j = i + 1
    if j < len(lines) and _credit_line(lines[j]) and re.fullmatch(r"[(][^()]{2,38}[)]", lines[j]):
        parts.append(lines[j])  # the bracketed credit on a line of its own
        j += 1
    if j < len(lines) and not _credit_line(lines[j]) and (
            _paragraph_like(lines[j]) or (len(parts) == 1 and re.match(r"^[(][^()]{2,40}[)]\s*\S", lines[j]))):
        return [*parts, lines[j]]
    return [lines[i]]


def _lone_lead(line: str) -> bool:
    """The line is only a lead, or a lead and its bracketed credit: ``本报讯``, ``某某网讯(记者 某某)``."""
    m = LEAD.match(line) or LEAD_DATED.match(line)
    if not m:
        return False
    rest = line[m.end():].strip()
    return not rest or (bool(re.fullmatch(r"[(][^()]{2,40}[)]", rest)) and _credit_text(rest[1:-1]))


def _kinds(lines: list[str], shared: frozenset[str]) -> list[str]:
    """What each line is. A line the pages imported together share is their site's chrome, except
    a headline standing directly above a metadata line, where a headline sits and chrome does not
    (three reports under one campaign title keep it)."""
    kinds = [_kind(line, shared) for line in lines]
    for i, kind in enumerate(kinds):
        if kind == "chrome" and lines[i] in shared and _headline_shaped(lines[i]):
            below = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
            if below is not None and kinds[below] == "meta":
                kinds[i] = _kind(lines[i], frozenset())
    return kinds


def _kind(line: str, shared: frozenset[str]) -> str:
    """chrome, meta, caption, footer, para (article paragraph) or short (heading or header line)."""
    flat = re.sub(r"\s+", "", line)
    if line in shared and not _is_meta(line):
        return "chrome"
    bare = re.sub(r"^[^\w“‘(【\[《]+", "", flat)  # emoji and arrows before a prompt
    if RESIDUE.match(line) or IMAGE.match(line) or (len(flat) <= 40 and _patterns("import_chrome.txt").match(bare)):
        return "chrome"
    if _patterns("import_footer.txt").match(squeeze(line)) or _credit_line(line) or TITLE_LABEL.match(line):
        return "footer"
    if _is_meta(line):
        return "meta"
    if _is_caption(line):
        return "caption"
    if _paragraph_like(line):
        return "para"
    return "short"


def _paragraph_like(line: str) -> bool:
    flat = re.sub(r"\s+", "", line)
    inner = sum(ch in INNER_PUNCT for ch in flat)
    if flat.endswith(tuple(SENTENCE_END)) or flat.endswith(("——", "。”", "!”", "?”", "。」")):
        return len(flat) >= 20 or (len(flat) >= 8 and inner >= 1)
    return (len(flat) >= 40 and inner >= 1) or (len(flat) >= 20 and inner >= 2) or bool(_lead_dateline(line))


def _is_meta(line: str) -> bool:
    stripped = line.strip("()[]【】 ")
    if (lead := DATE.match(stripped)) and KEY_RE.match(stripped[lead.end():].strip()):
        return True
    return bool(KEY_RE.match(stripped) and _key_values(stripped)) or _date_only(line) or bool(URL_LINE.search(line)) \
        or bool(MASTHEAD.match(line)) or bool(NAME_DATE.match(line)) or bool(WEEKDAY.match(line)) \
        or bool(PAPER_LINE.match(line)) or bool(DATE_FIRST.match(line)) \
        or bool(re.match(r"^[" + CJK + r"]{2,8}[::]\s*$", line))


def _date_only(line: str) -> bool:
    return bool(DATE.fullmatch(line.strip()) or DMY.match(line.strip()))


def _is_caption(line: str) -> bool:
    return len(line) <= 80 and bool(CAPTION.search(line))


def _credit_text(text: str) -> bool:
    """Text in a credit's brackets: writer or editor roles, a source note, or only names."""
    text = text.strip()
    if ROLE.search(text) and len(text) <= 60 and not text.endswith(tuple(SENTENCE_END)):
        return True
    if re.match(r"^(?:稿件)?来源\s*[::]", text):
        return True
    tokens = re.split(r"[\s、,,]+", text)
    if len(tokens) == 1:
        return _person_name(tokens[0])
    return 2 <= len(tokens) <= 5 and all(re.fullmatch(r"[" + CJK + r"]{2,4}", t) for t in tokens)


def _person_name(token: str) -> bool:
    """A bare token that reads as a Chinese personal name: a common surname and one or two more characters."""
    if token.startswith(COMPOUND_SURNAMES):
        return 3 <= len(token) <= 4
    return 2 <= len(token) <= 3 and token[0] in SURNAMES and bool(re.fullmatch(r"[" + CJK + r"]+", token))


def signature_names(line: str) -> list[str]:
    """A line after the last paragraph that is only one to three personal names: the writers' signature."""
    tokens = line.split()
    if len(line) <= 14 and 1 <= len(tokens) <= 3 and all(_person_name(t) for t in tokens):
        return tokens
    return []


def _credit_line(line: str) -> bool:
    """A line that is only a credit: ``(记者 … 通讯员 …)``, ``记者 张三``, ``(王庆 黄一博)``."""
    s = line.strip()
    if re.fullmatch(r"[((\[【].+[))\]】]", s):
        return _credit_text(s[1:-1])
    if re.match(r"^[□■]\s*(?:本报)?(?:记者|通讯员)", s) or ORG_CREDIT.match(s):
        return True
    return bool(re.fullmatch(r"(?:" + "|".join(WRITER[:10]) + r")\s*(?:" + NAME + r"\s*){1,4}", s)) or _byline(s)


def _byline(line: str) -> bool:
    """A byline of names and writer roles, nothing else: ``张三 李四 某某网记者 王五`` (correspondents
    first, then an outlet's reporter). Every word is a personal name or ends with a writer role, and
    at least one name follows a role."""
    tokens = re.split(r"[\s、,]+", line.strip())
    if len(line) > 60 or not 3 <= len(tokens) <= 8:
        return False
    roles = [i for i, t in enumerate(tokens) if t.endswith(WRITER[:11]) and not _person_name(t)]
    names = [i for i, t in enumerate(tokens) if _person_name(t)]
    return bool(roles) and len(roles) + len(names) == len(tokens) and any(i > roles[0] for i in names)


def _heading_like(line: str) -> bool:
    quoted = line.startswith(("“", "\"", "「")) and line.endswith(("”", "\"", "」"))
    return (len(line) <= 30 and not line.endswith(tuple(SENTENCE_END + ",、:—")) and not quoted
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


# ---- title ----

def _read_title(lines: list[str], kinds: list[str], header: list[int], out: Extracted) -> str | None:
    """The headline: the headline-shaped line nearest above the header's first metadata line (date,
    来源), or above the article when there is none; never a site, column, app or edition name, nor a
    headline under a "recommended" label (another article). Two such lines in a row are the headline
    and its subtitle. Returns the outlet bracketed before the headline (【某某网】标题), if any: a
    reprint marked with where it came from, the source when the page states none."""
    candidates = [i for i in header if kinds[i] in ("short", "para") and _headline_shaped(lines[i])
                  and not _after_pick(lines, header, i)]
    strong = [i for i in candidates if not _kicker_shaped(lines[i])]
    if not strong:
        return None
    metas = [i for i in header if kinds[i] in ("meta", "footer") and any(c < i for c in strong)]
    anchor = metas[0] if metas else len(lines)
    above = [c for c in strong if c < anchor]
    first = above[-1]
    if len(above) > 1 and above[-2] == first - 1 and lines[above[-2]] != lines[first]:
        first = above[-2]  # a headline and its subtitle, both above the metadata line or the article
    out.title = _clean_title(lines[first])
    nxt = first + 1
    if nxt in strong and nxt < len(lines) and lines[nxt] != lines[first] and len(lines[nxt]) >= 8:
        out.subtitle = _clean_title(lines[nxt])
        nxt += 1
    # A publisher printed on its own line under the headline (a unit or a site name).
    if nxt in header and (SITE.match(lines[nxt]) or PUBLISHER.match(lines[nxt])):
        out.source = out.source or lines[nxt]
    return _bracketed_outlet(lines[first])


def _after_pick(lines: list[str], header: list[int], i: int) -> bool:
    """The line follows a "recommended / today's pick / hot" label: another article's headline."""
    before = [j for j in header if j < i]
    return bool(before) and bool(re.search(r"推荐|精选|热点|热门|头条|今日|必读|排行", lines[before[-1]])) \
        and len(re.sub(r"\s+", "", lines[before[-1]])) <= 8


def _headline_shaped(line: str) -> bool:
    flat = re.sub(r"\s+", "", line)
    if not 4 <= len(flat) <= 64 or flat.endswith(tuple("。!?;:,")) or URL.search(line):
        return False
    if SITE.match(flat) or PUBLISHER.match(flat) or DATE.search(line) or _lead_dateline(line):
        return False
    if re.search(r"\d{5,}|@|www\.|\.com|\.cn|电话|邮箱|热线|QQ|ICP", flat, re.I):
        return False
    return not re.search(r"[>›»]|\s/\s|\|", line)


def _kicker_shaped(line: str) -> bool:
    """A column or channel label: a few characters with no punctuation, no digits."""
    return bool(re.fullmatch(r"[" + CJK + r"]{2,7}", line))


def _clean_title(line: str) -> str:
    """The headline without an outlet's name bracketed before it (【某某新闻网】标题)."""
    line = re.sub(r"\s+", " ", line).strip()
    if _bracketed_outlet(line):
        line = line[line.index("】" if line.startswith("【") else "]") + 1:].strip()
    return line


def _bracketed_outlet(line: str) -> str | None:
    """The outlet named in brackets before a headline (【某某新闻网】标题): the paper or site it was reprinted from."""
    m = re.match(r"^[【\[]([^】\]]{2,12})[】\]]\s*(?=\S{4})", line.strip())
    return m.group(1) if m and (SITE.match(m.group(1)) or PUBLISHER.match(m.group(1))) else None


# ---- fields ----

def _read_meta(lines: list[str], out: Extracted, in_header: bool) -> None:
    """Title-free fields from metadata lines: keys, credits, mastheads, dates (a bare date or a
    ``name date`` line only in the header)."""
    publisher = None
    for n, line in enumerate(lines):
        if out.url is None and (m := URL_LINE.search(line)):
            found = (m.group(1) or m.group(2)).rstrip("。,")
            out.url = None if IMAGE.match(found.rsplit("/", 1)[-1]) else found
        if (intro := re.match(r"^作者简介\s*[::]\s*(" + NAME + r")[,,]", line)):
            out.authors.append(intro.group(1))
            continue
        stripped = line.strip("()[]【】 ")
        if in_header and (lead := DATE.match(stripped)) and KEY_RE.match(stripped[lead.end():].strip()):
            out.date = out.date or _iso(lead)
            stripped = line = stripped[lead.end():].strip()
        if (org := ORG_CREDIT.match(stripped)):
            names = _names(org.group(1))
            out.authors.extend(names or ([org.group(1).strip()] if PUBLISHER.match(org.group(1).strip()) else []))
            continue
        if _credit_line(line) and not KEY_RE.match(stripped):
            _read_credit(line.strip()[1:-1] if line.strip()[0] in "(【[" else line, out)
            continue
        if (mh := MASTHEAD.match(line)):
            out.source = out.source or mh.group("src") or mh.group("src2")
            if out.date is None and (d := DATE.search(mh.group("date") or mh.group("date2"))):
                out.date = _iso(d)
            continue
        if (paper := PAPER_LINE.match(line)):
            out.source = out.source or paper.group("src")
            out.date = out.date or _iso(DATE.search(paper.group("date")))
            continue
        if in_header and (first := DATE_FIRST.match(line)) and not _date_only(line) and not _today(lines, n):
            out.date = out.date or _iso(DATE.search(first.group(1)))
            continue
        if in_header and (nd := NAME_DATE.match(line)) and not _today(lines, n):
            if SITE.match(nd.group("src")) or PUBLISHER.match(nd.group("src")):
                out.source = out.source or nd.group("src")
            out.date = out.date or _iso(DATE.search(nd.group("date")))
            continue
        if KEY_RE.match(stripped):
            for key, value in _key_values(stripped):
                kind = KEY_OF.get(re.sub(r"\s+", "", key))
                if kind == "source" and key.startswith("供稿") and (names := _contributors(value)):
                    out.authors.extend(names)  # 供稿:某某中心 张三: the unit, then the person who wrote it
                    if _person_name(value.split()[0]):
                        value = ""  # 供稿:张三 names a person, not a source
                if kind == "source" and value and not out.source:
                    out.source = re.split(r"\s{2,}|\s\|\s|\s", value)[0].strip()
                elif kind == "authors":
                    _read_credit(f"{key}:{value}", out)
                elif kind == "date" and out.date is None and (d := DATE.search(value)):
                    out.date = _iso(d)
                elif kind == "publisher" and value and not publisher:
                    publisher = value.split()[0]
            if in_header and out.date is None and (d := DATE.search(stripped)):
                out.date = _iso(d)  # a time stamp at the end of a 来源/作者 line
            continue
        if in_header and out.date is None and _date_only(line) and not _today(lines, n):
            d = DATE.fullmatch(line.strip())
            out.date = _iso(d) if d else _iso_dmy(DMY.match(line.strip()))
    if not out.source and publisher:
        out.source = publisher  # 发布机构 of a 信息公开 table, when no 来源 is stated


def _header_date_fallback(lines: list[str], kinds: list[str], header: list[int], title: str | None) -> str | None:
    """A publication date printed where no metadata line states one: an e-paper's date masthead
    with its weekday directly above the headline (``2015年04月24日 星期五``), or a follow prompt or
    WeChat 原创 line ending with the account's posting date (``点击关注我 某某 2021-02-04``,
    ``原创 某某 2021-02-04 18:30``). Never a date the page prints as today (after 今天, or a weekday
    date anywhere but directly above the headline)."""
    titled = [i for i in header if title and _clean_title(lines[i]) == title]
    if titled and (i := titled[0] - 1) >= 0 and i in header and not (i > 0 and "今天" in lines[i - 1]) \
            and (m := re.fullmatch(DATE.pattern + r"\s*星期[一二三四五六日天]", lines[i])):
        return _iso(m)
    for i in header:
        follow = (kinds[i] == "chrome" and "关注" in lines[i]) or lines[i].startswith("原创 ")
        if follow and not re.search(r"今天|星期", lines[i]) \
                and (m := re.search(r"\s(\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)$", lines[i])):
            return _iso(DATE.search(m.group(1)))
    return None


def _today(lines: list[str], n: int) -> bool:
    """A date printed as 'today' by the page (a weekday beside it, or 今天是 before it), not a publication date."""
    before = lines[n - 1] if n > 0 else ""
    after = lines[n + 1] if n + 1 < len(lines) else ""
    if re.search(r"版|报", lines[n]):
        return False  # an e-paper's masthead: date, weekday and edition
    return bool(WEEKDAY.match(after) or re.search(r"星期[一二三四五六日天]", lines[n]) or before.endswith(("今天是", "今天是:")))


def _key_values(line: str) -> list[tuple[str, str]]:
    parts = KEY_RE.split(line)
    pairs = []
    for i in range(1, len(parts) - 1, 2):
        key = re.sub(r"\s+", "", parts[i])
        value = parts[i + 1].strip()
        value = re.split(r"\s{2,}|\s?\|\s?|【", value)[0].strip().strip("【】[]()")
        if KEY_OF.get(key) != "date":
            value = DATE.sub("", value).strip()
        pairs.append((key, value))
    return pairs


def _contributors(value: str) -> list[str]:
    """The people in a contribution credit (``某某中心 张三``, ``张三 李四``): the personal names after
    the unit, or all of them when no unit is named; none when anything else follows."""
    tokens = value.split()
    if tokens and not _person_name(tokens[0]):
        tokens = tokens[1:]
    return tokens if tokens and all(_person_name(t) for t in tokens) else []


def _read_credit(text: str, out: Extracted) -> None:
    """Authors from a credit: names after writer roles (or names alone); a leading publisher is a source."""
    text = text.strip().strip("()")
    parts = ROLE.split(text)
    roles = ROLE.findall(text)
    head = parts[0].strip(" :丨|/")
    if not roles:
        names = _names(head)
        out.authors.extend(names)
        return
    if head and not _names(head) and (SITE.match(head) or re.fullmatch(r"[" + CJK + r"A-Za-z·]{2,20}", head)):
        out.source = out.source or head
    elif head:
        out.authors.extend(_names(head))
    for role, value in zip(roles, parts[1:], strict=True):
        if role in WRITER:
            out.authors.extend(_names(value.strip(" :丨|/")))


def _names(text: str) -> list[str]:
    names = []
    for token in re.split(r"[\s、,,/]+", text.strip()):
        token = token.strip("():")
        if not token:
            continue
        if re.fullmatch(NAME, token) and token not in NOT_NAMES and not re.search(
                r"(?:报道|讯|局|所|队|报|网|台|社|新闻|中心|在线|融媒|客户端|发布)$", token):
            names.append(token)
        else:
            break
    return names


def _lead_dateline(line: str) -> re.Match | None:
    """``红网时刻 通讯员 张三 记者 李四 衡阳报道``: a lead line of credits, not a sentence."""
    if line.endswith(tuple(SENTENCE_END)) or len(line) > 60:
        return None
    return re.search(r"(?:通讯员|记者)\s", line)


def _read_lead(first: str, out: Extracted) -> None:
    """Source and authors from the lead of the first paragraph: ``XX网讯(记者 …)``, ``本报讯(通讯员 …)``,
    ``XX网讯 张三报道:``, ``新海南客户端、南海网8月11日消息(记者 …)``, or a dateline of credits."""
    if _lead_dateline(first):
        for chunk in re.split(r"(?:通讯员|记者)", first)[1:]:
            out.authors.extend(n for n in _names(chunk) if not n.endswith("报道"))
        return
    m = LEAD.match(first) or LEAD_DATED.match(first)
    if not m and (r := REPORTER_LEAD.match(first)):
        if not SELF_OUTLET.match(r.group("src")):
            out.source = out.source or r.group("src")
        out.authors.extend(_names(r.group("names")))
        return
    if not m:
        return
    src = m.group("src")
    if not SELF_OUTLET.match(src) and not out.source:
        out.source = src
    rest = first[m.end():].lstrip()
    if (p := re.match(r"[((]([^()()]{2,60})[))]", rest)):
        if _credit_text(p.group(1)) or _names(p.group(1)):
            _read_credit(p.group(1), out)
    elif (r := re.match(r"(" + NAME + r")报道[::]", rest)):
        out.authors.append(r.group(1))
    elif (c := re.match(r"((?:(?:" + "|".join(WRITER[:11]) + r")\s+(?:" + NAME + r"(?=[\s、]|报道)[\s、]*){1,4})+)", rest)):
        _read_credit(c.group(1), out)


def _fallback_source(lines: list[str]) -> str | None:
    """A publisher named only in the footer: a copyright notice's 凡注明“来源:X”, 主办, 机构名称, or a slogan."""
    for line in lines:
        if (m := COPYRIGHT_SOURCE.search(line)):
            return m.group(1)
    for line in lines:
        if (m := ORGAN_SOURCE.match(re.sub(r"\s+", "", line))):
            return next(g for g in m.groups() if g)
    for line in lines:
        if (m := re.match(r"^([" + CJK + r"]{2,12}?(?:客户端|新闻网|新闻|日报|晚报|报|网|电视台|发布))[,,]", line)) \
                and len(line) > 20:
            return m.group(1).removesuffix("客户端")
    return None


def _iso(m: re.Match | None) -> str | None:
    """``2022-02-21`` or ``2022-02-21 12:09[:02]`` from a DATE match; None without one."""
    if m is None:
        return None
    y, mo, d, h, mi, s = m.groups()
    return _iso_parts(y, mo, d, h, mi, s)


def _iso_dmy(m: re.Match | None) -> str | None:
    """The same from a day.month.year match."""
    if m is None:
        return None
    d, mo, y, h, mi, s = m.groups()
    return _iso_parts(y, mo, d, h, mi, s)


def _iso_parts(y: str, mo: str, d: str, h: str | None, mi: str | None, s: str | None) -> str:
    text = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    if h:
        text += f" {int(h):02d}:{mi}" + (f":{s}" if s else "")
    return text


def _escape(line: str) -> str:
    # A paragraph that Markdown would read as a list, quote or heading.
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", re.sub(r"^([#>*+-])", r"\\\1", line))
