"""Region detection: where an article is about, from its title, lead, body and publisher.

One pass of an Aho-Corasick automaton (ahocorasick-rs) over the text finds every mention of a division (official,
short, former and alias names). Each mention is weighed by its form (police-unit names weigh most)
and by where it stands (publisher, title, lead, body), then the evidence is summed up the
hierarchy. The detector descends province -> city -> county only while one place clearly
dominates its siblings and accounts for most of its parent's evidence: a wrong region is worse
than none.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick_rs

from digestgen.gazetteer import Gazetteer, Unit, gazetteer, town_short, townships
from digestgen.analysis.tokens import _jieba_idf
from digestgen.model import Region, short_place_name

POLICE_AFTER = re.compile(r"(?:公安局|公安分局|公安处|公安|分局|警方|派出所|交警|特警|刑警|巡警|民警|辅警|警务|警察)")
BUREAU_AFTER = re.compile(r"(?:[市县区州]?公安(?:分)?局|分局|警方)")
BRANCH_AFTER = re.compile(r"公安局[\u4e00-\u9fff]{1,6}?分局")
"""北京市公安局朝阳分局: the city's name is part of a district bureau's name."""
PASSING_BEFORE = re.compile(r"(?:赴|前往|来自|远赴|途经|飞往|逃往|逃至|潜逃至|押解回)$")
PASSING_AFTER = re.compile(r"^(?:籍|时间|人民政府驻|方面)")
MEDIA_AFTER = re.compile(r"^(?:市|省|县|区|州)?(?:日报|晚报|晨报|都市报|手机报|新闻网|新闻|网讯|电视台|广播电视台|广播|融媒体|融媒|长安网|在线|网|发布|头条|观察)")
"""A place inside a newspaper's or site's name (张家口日报, 黄南新闻网讯) hosts the story; it is not where it is."""
ADMIN_SUFFIX_CHARS = "省市州盟县区旗"
# Short names that are also everyday words or parts of words: counted only with a police unit after them.
COMMON_SHORTS = frozenset([
    "平安", "大庆", "城关", "新华", "长安", "永安", "南山", "中山", "和平", "东方", "朝阳", "光明",
    "胜利", "团结", "红旗", "建设", "开发", "铁路", "新城", "高新", "江南", "江北", "河东", "河西",
    "城中", "城东", "城西", "城南", "城北", "桥东", "桥西", "市中", "永定", "安定", "清河", "通道",
    "宁安", "吉利", "合作", "龙江", "向阳", "前进", "东风", "长城", "江城", "城厢", "新市", "新兴",
    "兴安", "东安", "南安", "安宁", "永和", "和顺", "太平", "宝安", "白云", "青山", "黄山", "金山",
    "金平", "新区", "矿区", "郊区", "城区", "上城", "下城", "新津", "普安", "安居", "长宁", "宁海",
    "新乡", "福安", "崇义", "大通", "大方", "大安", "大同", "东山", "西山", "南岸", "北湖", "南湖",
    "西湖", "东湖", "沙坪", "河口", "江口", "山阳", "平山", "平原", "平江", "石门", "清水", "双桥",
    "万全", "天元", "振兴", "兴隆", "文明", "元宝", "金川", "富民", "阳光", "通州", "南关", "北关",
    "正安", "安全", "华安", "新安", "安化", "扶余", "岳阳楼", "公安",
])
SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚"
                     "卢姜崔钟谭陆汪范金石廖贾夏韦付白邹孟熊秦邱尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱严覃武戴莫孔汤")
FORM_WEIGHT = {"police": 5.0, "full": 2.0, "short": 1.0}
COMMON_WORD_IDF = 10.0
"""A town's short name that is a common word (联合, 胜利, 东风: jieba's IDF below this) is not a place."""
STATION_AFTER = re.compile(r"(?:中心|边境)?(?:派出所|警务室|警务站|警务工作站|司法所)")
"""A town's short name counts only as its police station's name (笏石派出所)."""
PLACE_WEIGHT = {"source": 4.0, "title": 3.0, "lead": 2.0, "body": 1.0}
NEVER_SHORT = frozenset({"公安"})
"""Short names that are always something else (公安县's short name is the word for police)."""
MIN_EVIDENCE = 2.0
DOMINANCE = 0.6
"""A place is chosen only when it has this share of its siblings' evidence..."""
PARENT_SHARE = 0.5
"""...and this share of its parent's (so a county named in passing does not narrow a city article)."""
SPECIFIC_MIN = 4.0
"""...unless the place has this much specific evidence: its own police (盐湖交警, 金塔县公安局), its name in
the title, or its full name in the lead."""
SPECIFIC_SHARE = 0.25
"""...and still this share of its parent's."""
LOW_CONFIDENCE = 0.6


@dataclass(frozen=True, eq=False)
class Mention:
    """One place name found in the article."""

    text: str
    where: str
    """source, title, lead or body."""
    offset: int
    codes: tuple[str, ...]
    """The divisions it may mean (several for 鼓楼区)."""
    form: str
    """police (衡南县公安局), full (衡南县) or short (衡南)."""
    weight: float
    default: str | None = None
    """What an ambiguous short name means when nothing around it tells (西安 -> 西安市)."""
    short: bool = False
    """Written in its short form (衡南, 衡南公安), which is an everyday word more often than a full name is."""


@dataclass(frozen=True)
class Placement:
    """The detector's decision, with its evidence."""

    region: Region
    confidence: float
    mentions: tuple[Mention, ...]
    reasons: tuple[str, ...]
    """One line per level: what was chosen or why the descent stopped."""


class Detector:
    def __init__(self, g: Gazetteer):
        self.g = g
        forms: dict[str, dict[str, str]] = {}
        for unit in g.units.values():
            for name in (unit.name,) + unit.former:
                forms.setdefault(name, {})[unit.code] = "full"
            if unit.short != unit.name and len(unit.short) >= 2:
                for short in (unit.short,) + tuple(short_place_name(n) for n in unit.former):
                    if len(short) >= 2 and short not in NEVER_SHORT:
                        forms.setdefault(short, {}).setdefault(unit.code, "short")
        for unit in g.units.values():
            if unit.level == 2 and unit.name.endswith("自治州") and len(unit.short) >= 2:
                forms.setdefault(unit.short + "州", {})[unit.code] = "full"  # 恩施州, 湘西州
        for name, code in g.aliases.items():
            forms.setdefault(name, {})[code] = "full"
        # Townships place an article in their county (曹路镇 -> 浦东新区; 笏石派出所 -> 秀屿区); a county's
        # own names come first where they clash.
        towns: dict[str, dict[str, str]] = {}
        common = _jieba_idf()[0]
        for town, county in townships():
            if county in g.units:
                towns.setdefault(town, {})[county] = "town"
                short = town_short(town)
                if short != town and short not in NEVER_SHORT and common.get(short, 99.0) >= COMMON_WORD_IDF:
                    towns.setdefault(short, {}).setdefault(county, "townshort")
        for name, codes in towns.items():
            if name not in forms:
                forms[name] = codes
        self.patterns = sorted(forms)
        self.meanings = [self._prefer_higher(forms[name]) for name in self.patterns]
        self.automaton = ahocorasick_rs.AhoCorasick(self.patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def _prefer_higher(self, codes: dict[str, str]) -> tuple[tuple[str, ...], str, str | None]:
        """The codes a name means, its form, and the code it means by default (or None)."""
        # A bare name shared by a city and a county of that city (衡阳市, 衡阳县) means the city;
        # a short name shared by one city and counties elsewhere (西安) means the city too.
        town = {f for f in codes.values() if f in ("town", "townshort")}
        if town:
            return tuple(sorted(codes)), "town" if "town" in town else "townshort", None
        chosen = [c for c in codes if not any(a.code in codes for a in self.g.path(c)[:-1])]
        full = [c for c in chosen if codes[c] == "full"]
        if full:
            return tuple(sorted(full)), "full", None
        top = min(self.g.units[c].level for c in chosen)
        highest = [c for c in chosen if self.g.units[c].level == top]
        default = highest[0] if len(highest) == 1 and top < 3 else None
        return tuple(sorted(chosen)), "short", default

    def mentions(self, text: str, where: str) -> list[Mention]:
        out = []
        # leftmost-longest matches, so 衡南县 is one mention, not 衡南 + 南县
        for index, start, end in self.automaton.find_matches_as_indexes(text):
            name = self.patterns[index]
            codes, form, default = self.meanings[index]
            weight = self._weigh(text, start, end, name, form)
            if weight and form in ("town", "townshort"):
                out.append(Mention(name, where, start, codes, "town", weight * PLACE_WEIGHT[where], None))
            elif weight:
                police = weight == FORM_WEIGHT["police"]
                if police and all(self.g.units[c].level == 1 for c in codes):
                    # 湖南交警总队, 甘肃省公安厅: a province's police take part in local work; they
                    # name the province, no more strongly than its name does.
                    weight, police = FORM_WEIGHT["full"], False
                out.append(Mention(name, where, start, codes, "police" if police else form,
                                   weight * PLACE_WEIGHT[where], default, short=form == "short"))
        return out

    def _weigh(self, text: str, start: int, end: int, name: str, form: str) -> float | None:
        before, after = text[max(0, start - 4):start], text[end:end + 6]
        if form == "townshort":
            return FORM_WEIGHT["police"] if STATION_AFTER.match(after) else None
        if form == "town":
            if PASSING_BEFORE.search(before) or PASSING_AFTER.match(after):
                return None
            return FORM_WEIGHT["police"] if STATION_AFTER.match(after) else FORM_WEIGHT["full"]
        if form == "full" and len(name) == 2 and before and "\u4e00" <= before[-1] <= "\u9fff" \
                and before[-1] not in ADMIN_SUFFIX_CHARS:
            return None  # 和县 inside 政府和县公安局: not a match at all
        if form == "short" and name in COMMON_SHORTS:
            # an everyday word (平安, 大庆, 城关) is a place only as a bureau's name
            return FORM_WEIGHT["police"] if BUREAU_AFTER.match(after) else 0.0
        if POLICE_AFTER.match(after):
            branch = BRANCH_AFTER.match(text, end, end + 12)
            return FORM_WEIGHT["full"] if branch else FORM_WEIGHT["police"]
        if form == "short" and before and before[-1] in SURNAMES:
            return 0.0  # a person's name (李衡阳)
        weight = FORM_WEIGHT[form]
        if MEDIA_AFTER.match(after):
            return weight * 0.25
        if PASSING_BEFORE.search(before) or PASSING_AFTER.match(after):
            weight *= 0.3  # a suspect from 广东, a trip to 北京
        return weight

    def detect(self, title: str, body: str, source: str = "", within: Unit | None = None) -> Placement:
        lead, _, rest = body.partition("\n")
        mentions = (self.mentions(source, "source") + self.mentions(title, "title")
                    + self.mentions(lead, "lead") + self.mentions(rest, "body"))
        support, mentions = self._support(mentions)
        specific: defaultdict[str, float] = defaultdict(float)
        for m in mentions:
            if m.form == "police" or m.where == "title" or (m.where == "lead" and not m.short):
                for code in {c for c in m.codes if support[c] > 0}:
                    for unit in self.g.path(code):
                        specific[unit.code] += m.weight
        reasons: list[str] = []
        chosen: Unit | None = within
        shares = []
        level_names = {1: "province", 2: "city", 3: "county"}
        while True:
            candidates = self.g.children(chosen.code if chosen else None)
            totals = sorted(((support[u.code], u.code, u) for u in candidates if support[u.code] > 0), reverse=True)
            if not totals:
                reasons.append(f"{self._label(chosen)}: no place below it is named" if chosen else "no place is named")
                break
            top, _, unit = totals[0]
            siblings = sum(t for t, _, _ in totals)
            parent_total = support[chosen.code] if chosen else siblings
            share = top / siblings
            if top < MIN_EVIDENCE:
                reasons.append(f"{unit.name}: evidence {top:g} is too weak (needs {MIN_EVIDENCE:g})")
                break
            if share < DOMINANCE:
                rival = totals[1][2].name
                reasons.append(f"{unit.name} ({top:g}) does not dominate {rival} ({totals[1][0]:g})")
                break
            if chosen and top < PARENT_SHARE * parent_total and (
                    specific[unit.code] < SPECIFIC_MIN or top < SPECIFIC_SHARE * parent_total):
                reasons.append(f"{unit.name} ({top:g}) is a minor part of {chosen.name} ({parent_total:g}) with no "
                               f"specific evidence; stopping at {level_names.get(chosen.level, 'province')}")
                break
            reasons.append(f"{unit.name}: {top:g} of {siblings:g} ({share:.0%})")
            shares.append(share)
            chosen = unit
        if chosen is None or chosen is within:
            return Placement(Region(), 0.0, tuple(mentions), tuple(reasons))
        strength = min(1.0, support[self.g.path(chosen.code)[0].code] / (3 * MIN_EVIDENCE))
        confidence = round(min(shares, default=1.0) * strength, 2)
        return Placement(self.g.region(chosen.code), confidence, tuple(mentions), tuple(reasons))

    def _support(self, mentions: list[Mention]) -> tuple[defaultdict[str, float], list[Mention]]:
        """Evidence per unit (each unit counts its own mentions and everything below it), and the
        mentions that counted (an ambiguous name nothing else resolves does not).

        Short county names (资源, 新建, 高要) are everyday words far more often than places: they
        count only where a city or province above them is named too.
        """
        support: defaultdict[str, float] = defaultdict(float)
        counted: list[Mention] = []

        def add(code: str, m: Mention, share: float = 1.0) -> None:
            for unit in self.g.path(code):
                support[unit.code] += m.weight * share

        def backing(code: str) -> tuple[float, ...]:
            # the nearest ancestor first: 南京市 backs 南京's 鼓楼区 over 江苏省 backing both
            return tuple(support[a.code] for a in reversed(self.g.path(code)[:-1]))

        # Provinces named in full somewhere (拉萨市, 湖南省公安厅): a county's short name from another
        # province (古城 in 八廓古城公安局) then needs its own province's backing to count.
        named = {self.g.path(m.codes[0])[0].code for m in mentions
                 if not m.short and m.form != "town" and len(m.codes) == 1}
        weak: list[Mention] = []
        strong: list[Mention] = []
        towns: list[Mention] = []
        for m in mentions:
            if m.form == "town":
                # A township names its county outright only when the name is unique and no other
                # province is named in full; otherwise the places around it must back it.
                alone = len(m.codes) == 1 and named <= {self.g.path(m.codes[0])[0].code}
                (strong if alone else towns).append(m)
                continue
            is_weak = m.short and all(self.g.units[c].level == 3 for c in m.codes)
            if is_weak and m.form == "police" and len(m.codes) == 1 \
                    and named <= {self.g.path(m.codes[0])[0].code}:
                is_weak = False  # 伊通公安局 with no other province in sight
            (weak if is_weak else strong).append(m)
        for m in strong:
            if len(m.codes) == 1:
                add(m.codes[0], m)
                counted.append(m)
        for m in strong:
            if len(m.codes) > 1:
                # Resolve 鼓楼区 by the places around it; if nothing tells, it says nothing.
                backs = {c: backing(c) for c in m.codes}
                best = max(backs.values())
                winners = [c for c, b in backs.items() if b == best and any(b)]
                meant = winners[0] if len(winners) == 1 else m.default
                if meant:
                    add(meant, m)
                    counted.append(m)
        for m in weak:
            backs = {c: backing(c) for c in m.codes if max(backing(c), default=0) >= MIN_EVIDENCE}
            if backs:
                add(max(backs, key=lambda c: (backs[c], c)), m)
                counted.append(m)
        for m in towns:
            # the county itself or its city must be named: a province alone does not pick among
            # the many 金山街道
            backs = {c: backing(c)[:2] for c in m.codes if max(backing(c)[:2], default=0) >= MIN_EVIDENCE}
            ranked = sorted(backs.values(), reverse=True)
            if ranked and (len(ranked) == 1 or ranked[0] > ranked[1]):
                add(max(backs, key=lambda c: backs[c]), m)
                counted.append(m)
        return support, counted

    @staticmethod
    def _label(unit: Unit | None) -> str:
        return unit.name if unit else "China"


@lru_cache(maxsize=1)
def detector() -> Detector:
    return Detector(gazetteer())


def needs_detection(region: Region) -> bool:
    """Whether :func:`place` runs the detector for an article whose front matter gives ``region``:
    when it gives none, or a division above a county that has divisions under it."""
    if not region:
        return True
    g = gazetteer()
    given = g.resolve(region.names)
    return given is not None and given.level != 3 and bool(g.children(given.code))


def place(region: Region, title: str, body: str, source: str = "") -> tuple[Region, Placement | None, str | None]:
    """The article's region: the front matter's, canonicalised, with detection filling what is missing.

    Returns the region, the detector's placement (None when the front matter was complete) and a
    warning when front-matter names are not in the gazetteer.
    """
    g = gazetteer()
    given: Unit | None = None
    if region:
        given = g.resolve(region.names)
        if given is None:
            return region, None, (f"region '{'/'.join(region.names)}' is not in the gazetteer of divisions; "
                                  "check the spelling (full names such as 湖南省/衡阳市/衡南县 are safest)")
        if given.level == 3 or not g.children(given.code):
            return g.region(given.code), None, None
    placement = detector().detect(title, body, source, within=given)
    if placement.region:
        return placement.region, placement, None
    if given:  # the front matter's region stands; nothing was added to it
        return g.region(given.code), None, None
    return Region(), placement, None


def explain(display_path: str, given: Region, region: Region, placement: Placement | None,
            warning: str | None) -> str:
    """A readable account of how an article's region was decided (``build.py regions --explain``)."""
    g = gazetteer()
    lines = [display_path, f"  front matter: {'/'.join(given.names) or '(none)'}"]
    if warning:
        lines.append(f"  warning: {warning}")
    if placement is None:
        lines.append(f"  region: {'/'.join(region.names) or '(none)'} (from the front matter)")
        return "\n".join(lines)
    found = "/".join(region.names) or "(none: left empty)"
    lines.append(f"  region: {found} (detected, confidence {placement.confidence:.2f})")
    lines.append("  decision:")
    lines += [f"    {reason}" for reason in placement.reasons]
    lines.append("  evidence (where, name, form, times, weight -> places):")
    grouped: dict[tuple, list[Mention]] = {}
    for m in placement.mentions:
        grouped.setdefault((m.where, m.text, m.form, m.codes), []).append(m)
    for (where, text, form, codes), ms in sorted(grouped.items(), key=lambda kv: -sum(m.weight for m in kv[1])):
        places = ", ".join("/".join(u.name for u in g.path(c)) for c in codes)
        lines.append(f"    {where:6} {text} {form} ×{len(ms)} {sum(m.weight for m in ms):g} -> {places}")
    return "\n".join(lines)


@dataclass(frozen=True)
class RegionPart:
    """What region detection gives an article (fields of ``Analysed``)."""

    region: Region
    region_detected: bool
    region_path: tuple[tuple[str, str], ...]
    """(gazetteer code, short name) of each level, top down; empty when not in the gazetteer."""


def analyse(item) -> tuple[RegionPart, list]:
    """The article's region (front matter first, detection filling the rest), with notes and warnings."""
    from digestgen.model import Problem
    article, problems = item.article, []
    region, placement, warning = place(article.region, article.title or "", item.text, article.source or "")
    if warning:
        problems.append(Problem(article.display_path, article.line_of("region"), "warning", warning))
    elif placement is not None and not region:
        problems.append(Problem(article.display_path, 1, "note",
                                "no region found in the text; add 'region:' to the front matter"))
    elif placement is not None and placement.confidence < LOW_CONFIDENCE:
        problems.append(Problem(article.display_path, 1, "note",
                                f"region {'/'.join(region.names)} found with low confidence "
                                f"({placement.confidence:.2f}); confirm it with 'region:' (details: "
                                f"build.py regions --explain {article.display_path})"))
    path: tuple[tuple[str, str], ...] = ()
    if region.code:
        chain = gazetteer().path(region.code)
        path = tuple((u.code, u.short) for u in chain) if len(chain) == len(region.names) else ()
    return RegionPart(region, region.names != article.region.names, path), problems
