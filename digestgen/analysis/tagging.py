"""What may be a tag, beyond the tokeniser's word lists: page furniture, media names, generic words,
theme names, and near-duplicates across the archive; and ``build.py tags --review``.

Imported pages may still carry a site's furniture (credits, share widgets, breadcrumbs, e-paper
reader chrome). Tags are taken only from lines that read as article text, and a word that names a
newspaper, site or app, that is common in any Chinese text, or that is on most articles of the
archive is never a tag.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

FURNITURE_LINE = re.compile(
    r"来源[::丨|/]|稿源|编辑[::丨|/]|责编|审核[::丨|/]|校对[::丨|/]|监制|作者[::]|版权|Copyright|ICP|"
    r"浏览次数|浏览量|预计浏览|阅读数|阅读量|阅读次数|点击量|点击数|点击次数|全部评论|网友评论|发表评论|分享到|"
    r"扫一扫|朋友圈|二维码|客户端|当前位置|您的位置|现在的位置|首页|索引号|发布机构|公开范围|公开方式|生成日期|"
    r"字号|打印本页|关闭窗口|上一篇|下一篇|相关推荐|相关阅读|随便看看|免责声明|"
    r">\s*\S+\s*[>›»]|›\s*\S+\s*[>›»]|»\s*\S+\s*[>›»]|\|\s*\|")
"""A line with one of these reads as page furniture (credits, widgets, breadcrumbs, metadata).
Every alternative starts with a character of its own (a breadcrumb's first mark is spelled out
three times, not as one class), so the regex engine scans for those characters at C speed."""
MEDIA_NAME = re.compile(r"(?:新闻网|日报|晚报|晨报|早报|都市报|电子报|手机报|报社|电视台|广播|客户端|频道|网站|在线|公众号|"
                        r"融媒体|融媒|资讯|头条|阅读机)$|^(?:微信|微博|抖音|快手|头条|网易|腾讯|新浪|搜狐|百度)")
"""Names of papers, sites and apps (东北网 is caught by SITE_NAME below)."""
SITE_NAME = re.compile(r"^[\u4e00-\u9fff]{1,3}网$")
NOT_SITES = frozenset({"天网", "法网", "互联网", "电网", "上网", "物联网", "局域网", "联网", "全网", "净网", "防护网", "关系网"})
GENERIC_IDF = 7.0
"""A word whose general-corpus IDF (jieba's) is below this is common in any Chinese text (现场, 行动,
资料, 模式): not a tag unless it is in the police-work dictionary."""
POLICE_MORPHEME = re.compile(
    r"警|案|犯|罪|毒|诈|骗|赌|盗|抢|劫|黑|恶|刑|侦|缉|逃|嫌疑|拘|押|执法|治安|安全|安保|防|禁|查|巡|"
    r"交通|驾|车|头盔|事故|消防|救|纠纷|调解|矛盾|信访|社区|网格|村|乡|镇|志愿|义工|辅|队|所|室|站|中心|"
    r"工程|行动|机制|战法|专项|平台|系统|法|律|证|户|籍|出入境|护照|反|打击|整治|宣传|普法|校园|学校|"
    r"群防|联防|维稳|监控|探头|无人机|大数据|智慧|信息|网络|网安|疫|核酸|党|廉|练兵|队伍|恳谈|服务|窗口|"
    r"便民|救助|走访|走失|寻亲|失踪|涉|非法|违法|违规|违停|超载|酒驾|醉驾|传销|集资|洗钱|走私|枪|爆|危险")
"""Police-work words are built from a few morphemes (警, 案, 诈, 毒, 治安, 巡...). A word with none of them
(大爷, 下水道, 布袋, 契机) is an everyday noun: a tag only if the police-work dictionary lists it."""
NUMERALS = "零〇一二两三四五六七八九十百千万亿几数半0123456789"
CLASSIFIERS = "个只条张辆件名位次场家部台套项批份块间起人天年月日周趟遍把根支所户处座栋层种类样回届期笔单宗头匹颗粒"
QUANTITY_START = re.compile(rf"^(?:[{NUMERALS}]+|[第每各某该本此这那哪][{NUMERALS}]*)[{CLASSIFIERS}]")
"""A numeral or a determiner and a classifier (一辆车, 两张床, 三年行动计划, 这起案件, 每个人): a phrase that
counts or points at something, not the name of a subject. Quoted programme names (“五支力量”) and
police-work dictionary terms (两所一队, 百日行动) are exempt."""
PURE_QUANTITY = re.compile(rf"^(?=.*[{NUMERALS}])[{NUMERALS}{CLASSIFIERS}余多+\-.%]+$")
"""Nothing but numerals, classifiers and signs (百份, 七位数, 一二三四五, 2+1, 六个+): never a tag."""
GENERIC_DF = 0.5
GENERIC_DF_MIN_ARTICLES = 10
"""Once the archive has this many articles, a word on more than GENERIC_DF of them is generic there."""


def tag_text(text: str) -> str:
    """The lines of a body that read as article text (furniture lines dropped)."""
    return "\n".join(line for line in text.split("\n") if not FURNITURE_LINE.search(line))


def tag_title(title: str) -> str:
    """A title, or nothing when what the page gave as title is furniture (索引号… 发布机构…)."""
    return "" if FURNITURE_LINE.search(title) else title


def is_media_name(word: str) -> bool:
    return bool(MEDIA_NAME.search(word)) or (bool(SITE_NAME.match(word)) and word not in NOT_SITES)


def is_generic(word: str, idf: dict[str, float], domain: frozenset[str]) -> bool:
    """Common in any Chinese text (jieba's IDF), or an everyday noun, and not a police-work term."""
    if word in domain:
        return False
    return idf.get(word, 99.0) < GENERIC_IDF or not POLICE_MORPHEME.search(word)


def is_quantity(word: str, domain: frozenset[str], quoted: bool = False) -> bool:
    """A quantity phrase rather than a subject: nothing but numerals and classifiers, or (unless it is
    a quoted programme name or a police-work term) a numeral-classifier phrase."""
    if word in domain:
        return False
    return bool(PURE_QUANTITY.match(word)) or (not quoted and bool(QUANTITY_START.match(word)))


def fold_fragments(tags: list[tuple[str, ...]], texts: Sequence[str]) -> dict[str, str]:
    """Near-duplicates: a shorter tag contained in a longer one (专项 in 专项斗争, 反诈 in 反诈中心) folds
    into it when, on every article tagged with the shorter one, at least half its occurrences are
    inside the longer one. Returns shorter -> longer."""
    carriers: dict[str, set[int]] = defaultdict(set)
    for i, ts in enumerate(tags):
        for t in ts:
            carriers[t].add(i)
    names = sorted(carriers, key=lambda t: (-len(t), t))
    fold: dict[str, str] = {}
    for short in names:
        for long in names:
            if len(long) > len(short) and short in long and long not in fold \
                    and all(2 * texts[i].count(long) >= texts[i].count(short) > 0 for i in carriers[short]):
                fold[short] = long
                break
    return fold


def same_fold(fold: dict[str, str], tags: Sequence[tuple[str, ...]], edited: int, old_text: str, new_text: str,
              texts: Sequence[str]) -> bool:
    """Whether :func:`fold_fragments` gives ``fold`` again when article ``edited``'s text, ``old_text``
    when it gave it, is now ``new_text``, every article keeping its ``tags``.

    Only the edited article's shorter tags can fold otherwise, and the others' texts are read only
    where the edited text alone cannot settle it: a longer tag the short one did not fold into
    while the old text met the rule on the edited article failed on another one, which it still
    does. Deciding the tags longest first, as :func:`fold_fragments` does, each decision is the
    last one as long as every longer tag's was."""
    def rule(text: str, short: str, long: str) -> bool:
        return 2 * text.count(long) >= text.count(short) > 0

    mine = set(tags[edited])
    if not mine:
        return True
    names = sorted({t for ts in tags for t in ts}, key=lambda t: (-len(t), t))
    carriers: dict[str, list[int]] = {t: [] for t in mine}
    for i, ts in enumerate(tags):
        for t in ts:
            if t in carriers and i != edited:
                carriers[t].append(i)
    for short in sorted(mine, key=lambda t: (-len(t), t)):
        before = fold.get(short)
        decided = None
        for long in names:
            if not (len(long) > len(short) and short in long and long not in fold):
                continue
            if not rule(new_text, short, long):
                continue
            if long == before:  # the other articles met the rule with it, and still do
                decided = long
                break
            if rule(old_text, short, long):
                continue  # the edited article met it before, so another article did not, nor does now
            if all(rule(texts[i], short, long) for i in carriers[short]):
                decided = long
                break
        if decided != before:
            return False
    return True
