"""The summary and reading time of an article, and the stand-in title of one that has none."""
from __future__ import annotations

import re
from dataclasses import dataclass

from digestgen.analysis.item import Item
from digestgen.model import Problem

CHARS_PER_MINUTE = 400
SUMMARY_CHARS = 120
SENTENCE_END = re.compile(r"(?<=[。!?!?;;])")
SENTENCE_END_CHARS = re.compile(r"[。!?!?;;]")
NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")
"""Everything but what ``tokens.CJK`` matches: the CJK characters are what is left without it."""


@dataclass(frozen=True)
class SummaryPart:
    """The article's summary and reading time (fields of ``Analysed``)."""

    summary: str
    reading_minutes: int


def analyse(item: Item) -> tuple[SummaryPart, list[Problem]]:
    text = item.text
    return SummaryPart(item.article.summary or summarise(text),
                       max(1, round(len(NOT_CJK.sub("", text)) / CHARS_PER_MINUTE))), []


DATELINE = re.compile(r"(记者|通讯员|报道|讯)")


def summarise(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The lead of the text, cut at a sentence end within ``limit`` characters where possible.

    A dateline first line (``红网时刻 通讯员 程建铭 记者 宋美君 衡阳报道``) is not part of the lead,
    nor a credit prefix on the lead (``本报讯(通讯员 顾鑫)``).
    """
    lines = text.split("\n")
    if len(lines) > 1 and DATELINE.search(lines[0]) and not SENTENCE_END_CHARS.search(lines[0]):
        lines = lines[1:]
    lines[0] = without_lead_credit(lines[0])
    lead = " ".join(lines)
    if len(lead) <= limit:
        return lead
    sentences = [s for s in SENTENCE_END.split(lead) if s]
    out = ""
    for s in sentences:
        if len(out) + len(s) > limit:
            break
        out += s
    return out.strip() or lead[: limit - 1].rstrip(",、;: ") + "…"


# A line of credits or a time stamp is no lead sentence; a lead's credit prefix is not part of it.
CREDIT_LINE = re.compile(r"^[□■\s]*(?:\S{0,12}\s)?(?:记者|通讯员)\s|^[\d\s:/年月日.-]+$")
LEAD_PREFIX = re.compile(r"^(?:[^\s,,。()()]{1,24}?(?:讯|消息|电))?\s*[((][^()()]{0,60}[))]\s*"
                         r"|^[^\s,,。()()]{1,24}?讯\s*(?:[\u4e00-\u9fff·]{2,4}报道[::])?\s*"
                         r"|^[^\s,,。()()]{0,16}(?:记者|通讯员)\s*[\u4e00-\u9fff·]{2,4}(?:\s+[\u4e00-\u9fff·]{2,4})*\s*报道[::]\s*")


def without_lead_credit(line: str) -> str:
    """The lead sentence without a prefix of credits (``本报讯(通讯员 某某)``, ``某某网讯``,
    ``某某融媒体记者 某某 报道:``): who wrote it is not what it says."""
    prefix = LEAD_PREFIX.match(line)
    if prefix and prefix.end() < len(line) and \
            re.search(r"记者|通讯员|讯|报道|[\u4e00-\u9fff]{2,4}\s[\u4e00-\u9fff]{2,4}", prefix.group(0)):
        return line[prefix.end():]
    return line


def placeholder_title(text: str, limit: int = 30) -> str:
    """A stand-in title from the lead sentence, for articles that have none: not a line of credits
    (``□记者 某某``) or a time stamp, and without a lead's ``XX讯(记者 …)`` prefix."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    line = without_lead_credit(next((line for line in lines if not CREDIT_LINE.match(line)), ""))
    first = SENTENCE_END.split(line)[0].rstrip("。!?;")
    return first if len(first) <= limit else first[: limit - 1] + "…"
