"""Key figures: the statistics police news is full of, as structured records.

破获电信诈骗案件123起 -> metric 破获电信诈骗案件, value 123, unit 起
同比下降40%           -> direction down, change 40% (attached to the count before it, if any)
挽回损失一千二百余万元  -> value 12000000, unit 元, approx
刑事警情下降15.3个百分点 -> metric 刑事警情, value 15.3, unit 个百分点, direction down
刑事案件同比大幅下降     -> metric 刑事案件, value None, direction down (a change told without a number)
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, replace

from digestgen.model import Figure

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMBER = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+?(?:点[零〇一二三四五六七八九]+)?)"
MULTIPLIER = r"(?:万亿|千万|百万|十万|万|亿)?"
APPROX_BEFORE = r"(?:近|约|超过|超|逾|达到|达|共计|累计|共)?"
APPROX_AFTER = r"(?:余|多)?"
COUNT_UNITS = ("个百分点", "万元", "亿元", "元", "起", "人次", "人", "名", "位", "个", "件", "次", "场次", "场", "家", "辆",
               "处", "支", "张", "条", "户", "所", "台", "套", "部", "只", "头", "千克", "公斤", "克", "吨", "天", "批",
               "项", "单", "笔", "辆次", "家次", "宗", "份", "块", "顶", "间", "亩", "平方公里", "平方米", "公里", "%",
               "％", "倍")
UNIT = "(?:" + "|".join(sorted(map(re.escape, COUNT_UNITS), key=len, reverse=True)) + ")"
FIGURE = re.compile(
    # The lookahead names every character a figure can start with (an APPROX_BEFORE word or a
    # number), so the scan rejects other positions at once; what matches is the same without it.
    r"(?=[近约超逾达共累\d零〇一二两三四五六七八九十百千])"
    rf"(?P<before>{APPROX_BEFORE})(?P<num>{NUMBER})(?:\s*[-~～至到]\s*(?P<num2>{NUMBER}))?(?P<mult>{MULTIPLIER})"
    rf"(?P<after>{APPROX_AFTER})[ \u00a0]?(?P<unit>{UNIT})")
CHANGE = re.compile(rf"(?:(?P<cmp>同比|环比|较去年同期|较上年)(?:分别)?(?:再|又)?(?P<dir1>上升|增长|增加|提高|提升|上涨|下降|减少|降低|下滑|回落|降|升|增|减)"
                    rf"|(?:分别)?(?P<dir2>上升|增长|增加|提高|提升|上涨|下降|减少|降低|下滑|回落))"
                    rf"(?:了|达|幅度为|幅度达)?(?P<fig>{NUMBER}{APPROX_AFTER}(?:%|％|个百分点|倍))")
BARE_CHANGE = re.compile(
    r"(?P<cmp>同比|环比|较去年同期|较上年|与去年同期相比)?(?:分别|均|都)?(?:再|又)?"
    r"(?P<how>有所|大幅度?|明显|显著|持续|稳步|大大|进一步|逐年|不断)?"
    r"(?P<dir>上升|增长|增加|提高|提升|上涨|下降|减少|降低|下滑|回落)了?(?:明显|显著)?(?=[,,;;。!?、)]|$)"
    r"|呈现?(?:明显|持续|逐年|大幅)?(?P<trend>下降|上升|增长|减少)(?:趋势|态势)")
"""A change told without a number (同比下降, 有所上升, 大幅下降, 呈下降趋势) at the end of a clause; a
verb with an object after it (提升防范意识) is no change. A bare verb (发案下降) says too little: a
comparison (同比), a degree (大幅, 有所) or a trend must come with it."""
DIRECTION = re.compile(r"上升|增长|增加|提高|提升|上涨|下降|减少|降低|下滑|回落")
"""Every BARE_CHANGE match holds one of these words (its ``dir`` or ``trend``): a sentence without
any cannot match it, and this search is many times faster than BARE_CHANGE's."""
CHANGE_UNITS = ("%", "％", "个百分点", "倍")
"""Every CHANGE match ends with one of these: a sentence without any has no CHANGE match."""
BARE_NEGATION = re.compile(r"(?:未|没有|没|不|无|并未)$")
AIM = re.compile(r"确保|力争|争取|推动|促进|努力|目标|要求|进一步推进")
"""力争发案进一步下降: an aim, not a change that happened."""
MEASURED = re.compile(r"(?:率|数|量|额|值|指数|比例|比重|度)$")
"""提高 and 提升 say a quality improved (防范意识明显提高) unless what rose is a rate, a number or an
amount (破案率大幅提升) or the sentence compares it with a period (同比提升)."""
UNIT_CHARS = re.compile(r"[0-9零〇一二两三四五六七八九十百千][^。]{0,6}?(?:[起人名位个件次场家辆处支张条户所台套部只头克吨天批项单笔宗倍元份块顶间亩里米%％]|百分点)")
MEASURE_WORDS = frozenset("个名位家所支辆张条户台套部只头批项宗处份块顶间")
SAME_UNIT = {"名": "人", "位": "人"}
PAGE_STATS = re.compile(r"本文有|本篇文章|预计浏览|阅读时间|读完约|阅读量|浏览量|浏览次数|点击量|点击数")
"""The page's own statistics (本文有340个文字, 预计浏览时间1分钟) are furniture, not figures."""
PLACE_END = re.compile(r"[县市区省州旗盟镇乡村]$")
GAP_FILLER = re.compile(r"[\s,,;;、]|同比|环比|分别|较去年同期|较上年")
UP = ("上升", "增长", "增加", "提高", "提升", "上涨", "升", "增")
CLAUSE_SPLIT = re.compile(r"[,,;;::、]")
SENTENCES = re.compile(r"[^。!?!?\n]+[。!?!?]?")
LEADING = re.compile(r"^(?:[\u4e00-\u9fff]{2,8}?(?:公安局|公安分局|派出所)|今年以来|去年以来|全年|今年|去年|一年来|目前|截至目前|其中|共|累计|先后|共计|已|成功|一举|"
                     r"全县|全市|全区|全省|该局|县公安局|市公安局|公安机关|警方|同时|此外|并|还|又|再|均|都|依托\S+?,)+")
NOT_A_FIGURE = re.compile(r"^(?:第|前|近|每|这|那|各|单|仅)$")


ACTIONS = ("破获", "侦破", "抓获", "刑拘", "逮捕", "打掉", "捣毁", "查获", "缴获", "查处", "挽回", "追缴", "追回", "劝阻",
           "止付", "冻结", "化解", "调解", "排查", "整改", "救助", "处置", "办结", "受理", "走访", "开展", "召开", "新建")


def action_of(metric: str) -> str | None:
    """The police action a figure counts (破获, 抓获, 挽回...), for grouping on region and theme pages."""
    return next((a for a in ACTIONS if a in metric), None)


ARABIC = re.compile(r"\d+(?:\.\d+)?")


def cn_number(text: str) -> float | None:
    """Arabic or Chinese numerals -> a number (一千二百 -> 1200, 十五 -> 15, 3.96 -> 3.96); None if
    they are none, or too large for a number (400 nines)."""
    try:
        value = _cn_number(text)
    except OverflowError:
        return None
    return value if value is None or math.isfinite(value) else None


def _cn_number(text: str) -> float | None:
    if ARABIC.fullmatch(text):
        return float(text)
    whole, _, decimals = text.partition("点")
    section, digit = 0, None
    for ch in whole:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            section += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        else:
            return None
    total: float = section + (digit or 0)
    if decimals:
        if any(ch not in CN_DIGITS for ch in decimals):
            return None
        total += float("0." + "".join(str(CN_DIGITS[ch]) for ch in decimals))
    return float(total)


MULTIPLIERS = {"": 1, "万": 10_000, "十万": 100_000, "百万": 1_000_000, "千万": 10_000_000, "亿": 100_000_000,
               "万亿": 1_000_000_000_000}


def extract(text: str) -> list[Figure]:
    """Every key figure in a text, in order, each with the action it counts."""
    figures: list[Figure] = []
    for sentence in SENTENCES.findall(text):
        if (UNIT_CHARS.search(sentence) or (DIRECTION.search(sentence) and BARE_CHANGE.search(sentence))) \
                and not PAGE_STATS.search(sentence):
            # most sentences hold no figure
            figures += _from_sentence(sentence.strip())
    out = []
    seen: set[tuple] = set()
    for f in figures:
        # The same figure told twice (a caption repeated in the body; 累计抓获126人 in the lead and
        # 126名 again at the end) is one figure; small numbers repeat by chance, so they are kept.
        if f.value is None or f.value < 10:
            key: tuple = (f.metric, f.value, f.unit, f.direction)
        else:
            key = (f.value, SAME_UNIT.get(f.unit, f.unit), f.direction)
        in_sentence = (f.text, f.value, SAME_UNIT.get(f.unit, f.unit), f.direction)  # one count, read twice
        if key in seen or in_sentence in seen:
            continue
        seen.update((key, in_sentence))
        action = action_of(f.metric)
        out.append(replace(f, action=action, action_rank=ACTIONS.index(action) if action else len(ACTIONS)))
    return out


RESPECTIVELY = re.compile(rf"(?P<cmp>同比|环比)?分别(?P<dir>上升|增长|增加|提高|提升|下降|减少|降低|下滑)"
                          rf"(?P<figs>{NUMBER}(?:%|％|个百分点)(?:\s*[、和及与]\s*{NUMBER}(?:%|％|个百分点))+)")


LISTED_SIZE = re.compile(rf"({NUMBER})(%|％|个百分点)")
LIST_SPLIT = re.compile(r"[,,、]")
SINCE = re.compile(r"^.*?(?:以来|期间)")


def _respectively(sentence: str) -> tuple[list[Figure], tuple[int, int] | None]:
    """同比分别下降13.1%、13.9%、15.8%: one change per item listed before it, when the counts agree."""
    m = RESPECTIVELY.search(sentence) if "分别" in sentence else None
    if not m:
        return [], None
    sizes = [(number, unit.replace("％", "%"))
             for number, unit in LISTED_SIZE.findall(m.group("figs"))]
    items = [LEADING.sub("", x).strip() for x in LIST_SPLIT.split(sentence[: m.start()]) if x.strip()]
    items = [SINCE.sub("", x) or x for x in items][-len(sizes):]
    direction = "up" if m.group("dir") in UP else "down"
    if len(items) != len(sizes) or any(len(x) < 2 for x in items):
        items = [items[-1] if items else "分别"] * len(sizes)
    figures = []
    for metric, (number, unit) in zip(items, sizes, strict=True):
        value = cn_number(number)
        if value is None:  # no number it can read (too large for one)
            continue
        figures.append(Figure(sentence, _label(metric), value, unit, direction, number + unit, False))
    return figures, m.span()


def _from_sentence(sentence: str) -> list[Figure]:
    listed, span = _respectively(sentence)
    if span:
        rest = _from_sentence(sentence[: span[0]] + sentence[span[1]:])
        return [replace(f, text=sentence) for f in rest] + listed
    found: list[Figure] = []
    last_end = -1  # where the last count (not a change) ended
    changes = {m.start("fig"): m for m in CHANGE.finditer(sentence)} \
        if any(u in sentence for u in CHANGE_UNITS) else {}
    bare_changes = BARE_CHANGE.finditer(sentence) if DIRECTION.search(sentence) else ()
    matches = sorted([*FIGURE.finditer(sentence), *bare_changes], key=lambda m: m.start())
    for m in matches:
        if m.re is BARE_CHANGE:
            direction = _bare_direction(sentence, m)
            gap = sentence[last_end:m.start()] if last_end >= 0 else None
            if direction and found and found[-1].direction is None and gap is not None \
                    and not GAP_FILLER.sub("", gap):
                found[-1] = replace(found[-1], direction=direction)  # 破获案件123起,同比上升
            elif direction and (bare := _bare_change(sentence, m, direction)):
                found.append(bare)
            continue
        if _is_date_or_code(sentence, m):
            continue
        if sentence[: m.start()].count("“") > sentence[: m.start()].count("”"):
            continue  # inside quotes: a name such as “六个+” or “23456措施”
        value = cn_number(m.group("num"))
        if value is None or (m.group("num") in ("一", "两") and not m.group("mult")) or (
                m.group("num") in ("百", "千") and not m.group("before") and not m.group("after")):
            continue  # 一个, 两名, 千家万户, 百余次: words more often than figures
        unit = m.group("unit").replace("％", "%")
        mult = m.group("mult") or ""
        if unit in ("万元", "亿元"):
            mult, unit = mult + unit[0], "元"
        value = round(value * MULTIPLIERS.get(mult, 1), 6)
        if not math.isfinite(value):
            continue
        approx = bool(m.group("after") or m.group("before") in ("近", "约", "超过", "超", "逾") or m.group("num2"))
        change = changes.get(m.start("num"))
        if change is not None:
            # 同比下降40%: the change of the count just before it (in the same or the next clause)
            direction = "up" if (change.group("dir1") or change.group("dir2")) in UP else "down"
            size = change.group("fig").replace("％", "%")
            gap = sentence[last_end:change.start()] if last_end >= 0 else None
            if found and found[-1].direction is None and gap is not None and not GAP_FILLER.sub("", gap):
                last = found[-1]
                found[-1] = Figure(last.text, last.metric, last.value, last.unit, direction, size, last.approx)
                continue
            metric = _metric(sentence, change.start()) or _subject_before(sentence, change.start()) \
                or _label(CLAUSE_SPLIT.split(sentence[:m.start()])[-1].strip()) or None
            if metric:
                found.append(Figure(sentence, metric, value, unit, direction, size, approx))
            continue
        if sentence[max(0, m.start() - 1):m.start()] == "第":
            continue  # 第347条: an article or item number
        metric = _metric(sentence, m.start())
        if unit in MEASURE_WORDS and NOUN_START.match(sentence[m.end():m.end() + 1]):
            # 打掉2个犯罪团伙, 协调1000辆出租车: the count of what follows; but 道县13个乡镇 (a place's
            # parts as the subject) describes, it does not count
            if (metric and PLACE_END.search(metric)) or (not m.group("num")[0].isdigit() and value < 10):
                continue  # 三项业务, 五个乡村: a description in words
            noun = _counted_noun(CLAUSE_SPLIT.split(sentence[m.end():])[0].rstrip("。!?")[:12])
            metric = _label((metric or "") + noun) if len(noun.strip("“”\"")) >= 2 else None
        if metric and (unit not in ("%", "倍", "个百分点") or not changes_near(sentence, m)):
            if any(f.value == value and f.unit == unit and f.metric == metric for f in found):
                continue
            found.append(Figure(sentence, metric, value, unit, None, None, approx))
            last_end = m.end()
    return found


NOUN_START = re.compile(r"[\u4e00-\u9fff“]")


def _bare_direction(sentence: str, m: re.Match) -> str | None:
    """up or down for a change told without a number (BARE_CHANGE), or None when it is negated
    (未下降, 没有明显上升) or says nothing about a quantity."""
    if not (m.group("cmp") or m.group("how") or m.group("trend")):
        return None
    if BARE_NEGATION.search(sentence[max(0, m.start() - 2):m.start()]):
        return None
    if AIM.search(CLAUSE_SPLIT.split(sentence[:m.start()])[-1]):
        return None
    return "up" if (m.group("dir") or m.group("trend")) in UP else "down"


def _bare_change(sentence: str, m: re.Match, direction: str) -> Figure | None:
    """A change told without a number and not after a count, as a figure of its own with no value
    (刑事案件同比下降 -> metric 刑事案件, value None, direction down)."""
    metric = _metric(sentence, m.start()) or _subject_before(sentence, m.start())
    if not metric or (m.group("dir") in ("提高", "提升") and not m.group("cmp") and not MEASURED.search(metric)):
        return None
    return Figure(sentence, metric, None, "", direction, None, False)


RANKED = re.compile(r"(?:排名?|位列|位居)?在.*$|(?:排名|位列|位居).*$")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _subject_before(sentence: str, end: int) -> str | None:
    """The nearest clause before ``end`` that names something (盗窃警情在…的基础上,今年同比再降46.40%)."""
    for clause in reversed(CLAUSE_SPLIT.split(sentence[:end])[:-1]):
        clause = RANKED.sub("", LEADING.sub("", clause).strip())
        if len(clause) >= 2 and HAN.search(clause):
            return clause[-24:]
    return None


CHANGE_VERB_END = re.compile(r"(?:上升|增长|增加|提高|提升|上涨|下降|减少|降低|下滑|回落|降|升|增|减)(?:了|达|幅度为|幅度达)?$")


def changes_near(sentence: str, m: re.Match) -> bool:
    """Whether a percentage is a change (同比下降40%) rather than a share (占到近11%)."""
    return bool(CHANGE_VERB_END.search(sentence[max(0, m.start() - 6):m.start()]))


CHANGE_TAIL = re.compile(r"(?:同比|环比)?(?:分别)?(?:上升|增长|增加|提高|提升|下降|减少|降低|下滑)?(?:了|达|为|至)?$")


def _metric(sentence: str, end: int) -> str | None:
    clause = CLAUSE_SPLIT.split(sentence[:end])[-1].strip()
    clause = LEADING.sub("", clause).strip()
    if clause.count("“") < clause.count("”"):
        clause = clause.lstrip("”")
    clause = CHANGE_TAIL.sub("", clause)
    if len(clause) < 2 or NOT_A_FIGURE.match(clause) or not HAN.search(clause):
        return None
    return _label(clause)


LABEL_CHARS = 24
COUNTED_END = re.compile(r"\d|升级|增加|增长|提升|提高|达到|共|为|被|将|已|后|时|的")


def _label(text: str) -> str:
    """What a figure counts, as shown beside it: the end of its clause, at most ``LABEL_CHARS``
    characters; a longer clause is cut after a punctuation mark or a space where there is one,
    and marked with … where its start is left out, never cut mid-word without a sign."""
    if len(text) <= LABEL_CHARS:
        return text
    tail = text[-LABEL_CHARS:]
    cut = max(tail.rfind(c, 0, LABEL_CHARS // 2) for c in " ,、;:“”()")
    return "…" + (tail[cut + 1:] if cut >= 0 else tail).lstrip()


def _counted_noun(after: str) -> str:
    """The thing a count names, from the words after its unit (打掉2个**犯罪团伙**, 为25户**群众**共80亩地):
    up to the next number or the verb or linking word that ends it."""
    end = COUNTED_END.search(after)
    return (after[: end.start()] if end else after).strip()


CODE_CHAR = re.compile(r"[A-Za-z0-9.]")


def _is_date_or_code(sentence: str, m: re.Match) -> bool:
    after = sentence[m.end("num"): m.end("num") + 1]
    if after in ("年", "月", "日", "号", "时", "岁"):
        return True
    before = sentence[max(0, m.start() - 1): m.start()]
    return bool(CODE_CHAR.match(before))


def evaluate(items: list[dict]) -> tuple[float, float]:
    """Precision and recall of extraction over labelled sentences ({text, figures: [...]}).

    A found figure counts as right when its metric, value, unit, direction, change and approx
    all equal a labelled one.
    """
    fields = ("metric", "value", "unit", "direction", "change", "approx")
    found = correct = wanted = 0
    for item in items:
        truth = [tuple(f[k] for k in fields) for f in item["figures"]]
        got = [tuple(f.record()[k] for k in fields) for f in extract(item["text"])]
        found, wanted = found + len(got), wanted + len(truth)
        remaining = list(truth)
        for g in got:
            if g in remaining:
                remaining.remove(g)
                correct += 1
    return (correct / found if found else 1.0), (correct / wanted if wanted else 1.0)


@dataclass(frozen=True)
class FiguresPart:
    """The article's key figures, those of them that count a police action, and a digest of them
    all (fields of ``Analysed``)."""

    key_figures: tuple[Figure, ...]
    counted: tuple[Figure, ...]
    figures_digest: str


def analyse(item) -> tuple[FiguresPart, list]:
    found = tuple(extract(item.text))
    return FiguresPart(found, counted(found), digest_of(found)), []


def digest_of(found: tuple[Figure, ...]) -> str:
    """What listings and ``articles.json`` are keyed by when the figures are kept with the body."""
    return hashlib.blake2b(repr(found).encode("utf-8"), digest_size=8).hexdigest()


def counted(found: tuple[Figure, ...]) -> tuple[Figure, ...]:
    """The figures that count a police action (破获, 抓获...) without telling a change: what the
    theme pages group across articles."""
    return tuple(f for f in found if f.action and f.direction is None)
