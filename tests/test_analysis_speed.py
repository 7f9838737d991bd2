"""The faster paths of the per-article analysis give exactly what the slower ones gave.

Each fast path is compared with what it stands in for: the plain-body renderer with Python-Markdown
itself, on every shipped article, the labelled development pages imported as a user would, a
generated benchmark corpus, made-up edge cases and generated bodies; the prefilters and rewritten
regexes with the regexes they guard or replace.
"""
from __future__ import annotations

import re
import sys
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from conftest import ROOT
from digestgen.analysis import figures, regions, tagging, themes
from digestgen.analysis.analyse import ELEVEN_DIGITS, ID_NUMBER, MOBILE, _fragment, _fragments, personal_data
from digestgen.analysis.markup import _demote_h1, plain_markdown, render_markdown
from digestgen.analysis.summary import NOT_CJK
from digestgen.analysis.tokens import CJK
from digestgen.cli import main
from digestgen.config import load_config
from digestgen.extensions import DEFAULT_EXTENSIONS, Extensions, renderer
from digestgen.load.articles import load_articles
from digestgen.model import Region

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import write_corpus

DEVSET = ROOT.parent / "shared" / "devset" / "raw"
PROPERTIES = settings(max_examples=400, deadline=None)


def python_markdown(body: str, extensions: Extensions = DEFAULT_EXTENSIONS) -> str:
    return renderer(extensions).reset().convert(_demote_h1(body))


@pytest.fixture(scope="module")
def bodies(tmp_path_factory) -> dict[str, list[tuple[str, str]]]:
    """(file, body) of the shipped articles, the imported development pages and a 300-article corpus."""
    root = tmp_path_factory.mktemp("bodies")
    names = load_config(ROOT / "digest.yaml").theme_names
    found = {"shipped": [(a.source_file, a.body) for a in load_articles(ROOT / "articles", names).articles]}
    if DEVSET.is_dir():
        assert main(["import", str(DEVSET), "--out", str(root / "devset")]) == 0
        found["devset"] = [(a.source_file, a.body) for a in load_articles(root / "devset", names).articles]
    corpus = write_corpus(300, root / "corpus")
    found["corpus"] = [(a.source_file, a.body) for a in load_articles(corpus, names).articles]
    return found


def test_plain_bodies_render_as_python_markdown_renders_them(bodies):
    for kind, items in bodies.items():
        plain = 0
        for name, body in items:
            fast = plain_markdown(_demote_h1(body), DEFAULT_EXTENSIONS)
            if fast is not None:
                plain += 1
                assert fast == python_markdown(body), f"{kind} {name}"
            assert render_markdown(body) == python_markdown(body), f"{kind} {name}"
        # the fast path is taken for most real bodies, or it saves nothing
        assert plain >= 0.8 * len(items), f"{kind}: {plain} of {len(items)} bodies on the fast path"


PLAIN = [
    "", "\n\n", "段落。", "第一行\n第二行", "一段。\n\n\n\n二段。", "## 标题\n\n正文。", "# 一级标题\n\n正文。",
    "### 三级 标题\n\n正文", "## 标题\n\n## 标题\n\n## 标题", "## 2021年工作\n\n## 2021年工作\n\n## 工作",
    "## 第1\n\n## 第1\n\n## 第\n\n## 第1-1", "a > b,c>d", "## 甲>乙", "破获案件123起,同比下降40%。", "(一)工作成效", "发布于2021.11.2",
    "中文 English 混排 mixed", "网址 http://example.org/a?b=c 见", "他说:\"好\"'对'!?", "1-2月", "~约~", "@某某 $100 ^",
    "第1.2条", "段落\n\n", "///Footnotes Go Here///", "段落\n\n///Footnotes Go Here///\n\n段落", "TOC", "😀 表情", "\n\n## 标题\n\n", "## 标题-一\n\n正文", "## Ab Cd\n\n## ab-cd", "###### 六级",
]
"""Bodies the fast path renders itself."""
NOT_PLAIN = [
    "## 标题\n正文", "正文\n## 标题", "文字  \n下一行", "    代码", "\t代码", "文字\n---", "文字\n===", "- 项目", "+ 项目",
    "* 项目", "1. 列表", "12.列表", "> 引用", "a*b*", "a_b_", "[链接](x)", "![图](a.png)", "&amp;", "<b>x</b>", "`代码`",
    "\u3000首行缩进", "文字\u200b", "文字\u00a0文字", "## 标题 #", "####### 七", "#标题", "## ", "表格 | 一", "{: .x}",
    "脚注[^1]", "[TOC]", "反斜杠\\", " 前有空格", "后有空格 ", "文字\r\n下一行", "=", "-", "## 标题\n\n---", "2021.11.2 发布", "######  六级", "行\u2028分隔", "\x02占位\x03", "换页\x0c",
]
"""Bodies the fast path leaves to Python-Markdown."""


@pytest.mark.parametrize("body", PLAIN)
def test_plain_cases_take_the_fast_path_and_equal_python_markdown(body):
    fast = plain_markdown(_demote_h1(body), DEFAULT_EXTENSIONS)
    assert fast is not None
    assert fast == python_markdown(body)


@pytest.mark.parametrize("body", NOT_PLAIN)
def test_anything_else_is_left_to_python_markdown(body):
    assert plain_markdown(_demote_h1(body), DEFAULT_EXTENSIONS) is None
    assert render_markdown(body) == python_markdown(body)


@pytest.mark.parametrize("extensions", [(), (("toc", ()),), (("tables", ()), ("footnotes", ())),
                                        (("attr_list", ()), ("toc", ()), ("tables", ()))])
def test_the_fast_path_follows_the_configured_extensions(extensions):
    body = "## 标题2021\n\n正文一。\n\n## 标题\n\n正文二。"
    fast = plain_markdown(_demote_h1(body), extensions)
    assert fast is not None and fast == python_markdown(body, extensions)
    assert ('id="' in fast) == any(name == "toc" for name, _ in extensions)


@pytest.mark.parametrize("extensions", [(("toc", (("permalink", True),)),), (("admonition", ()),),
                                        (("markdown.extensions.toc", ()),)])
def test_other_extensions_or_options_are_left_to_python_markdown(extensions):
    assert plain_markdown("## 标题\n\n正文", extensions) is None
    assert render_markdown("## 标题\n\n正文", extensions) == python_markdown("## 标题\n\n正文", extensions)


LINE_PIECES = st.sampled_from(["警", "数据", "工作", "a", "Z", "1", "23", " ", "  ", ",", ".", "%", "(", ")", ">", ":",
                               "-", "+", "=", "!", "?", "/", "'", '"', "#", "## ", "*", "_", "[", "]", "<", "&", "`",
                               "{", "}", "|", "\\", "\t", "\u3000", "\u00a0", "、", "。", "1. ", "- ", "> "])
LINES = st.lists(st.lists(LINE_PIECES, max_size=8).map("".join), max_size=10).map("\n".join)


@PROPERTIES
@given(LINES)
def test_generated_bodies_render_as_python_markdown_renders_them(body):
    fast = plain_markdown(_demote_h1(body), DEFAULT_EXTENSIONS)
    assert fast is None or fast == python_markdown(body)


# ---- tags: two-character fragments of longer names ----

@pytest.mark.parametrize(("words", "text"), [
    (["牛家", "家勇"], "牛家勇说,牛家勇来了。"), (["哈哈"], "哈哈哈哈"), (["啊啊"], "啊啊啊,啊啊啊"), (["末尾"], "在末尾"),
    (["民警"], "民警说。民警甲"), (["民警"], "民警,民警,民警"), (["不在"], "文本里没有"), (["民警"], "民警甲民警甲民警"),
    (["案件"], "案件a案件b"), (["警察"], "警察局的警察局"), (["警局"], "警局局警局局警局"),
])
def test_fragments_agree_with_the_one_word_check(words, text):
    assert _fragments(words, text) == [w for w in words if _fragment(w, text)]


def test_fragments_agree_on_real_texts(bodies):
    for _kind, items in bodies.items():
        for _name, body in items:
            text = re.sub(r"[#\s]+", "\n", body)
            words = list(dict.fromkeys(text[i:i + 2] for i in range(0, len(text) - 1, 3)))
            assert _fragments(words, text) == [w for w in words if _fragment(w, text)]


@PROPERTIES
@given(st.text(alphabet="民警甲乙,", max_size=30), st.lists(st.text(alphabet="民警甲乙", min_size=2, max_size=2),
                                                           unique=True, max_size=6))
def test_fragments_agree_on_generated_texts(text, words):
    assert _fragments(words, text) == [w for w in words if _fragment(w, text)]


# ---- themes: scores from the hits alone ----

def reference_theme_scores(title: str, text: str, config_themes) -> dict[str, float]:
    """Theme scores as they were computed before: every keyword visited for every article."""
    matcher, keywords, _ = themes._keyword_matcher(config_themes)
    body_hits = Counter(i for i, _, _ in matcher.find_matches_as_indexes(text))
    title_hits = Counter(i for i, _, _ in matcher.find_matches_as_indexes(title))
    scores: dict[str, float] = {}
    for i, word in enumerate(keywords):
        score = min(body_hits[i], themes.MAX_PER_KEYWORD) + themes.TITLE_WEIGHT * title_hits[i]
        if score:
            for theme in config_themes:
                if word in theme.keywords:
                    scores[theme.id] = scores.get(theme.id, 0.0) + score
    return {t.id: scores[t.id] for t in config_themes if t.id in scores}


def test_theme_scores_are_what_visiting_every_keyword_gave(bodies):
    config = load_config(ROOT / "digest.yaml")
    excluded = next(e for t in config.themes for e in t.excluded)
    for _kind, items in bodies.items():
        for name, body in items:
            title = name + excluded
            got = themes.theme_scores(title, body, config.themes)
            assert got == reference_theme_scores(title, body, config.themes)
            assert list(got) == list(reference_theme_scores(title, body, config.themes))


# ---- key figures, furniture, reading time, personal data: prefilters and rewritten regexes ----

FIGURE_TEXT = st.text(alphabet="同比环较去年上期分别均都再又有所大幅度明显著持续稳步进一逐不升增加长提高涨下降减少低滑回落呈现趋势态"
                               "了达为约近超过逾共计累0123456789.%％个百分点倍起人名万元亿余多,。;、)案件破获 ", max_size=40)


@PROPERTIES
@given(FIGURE_TEXT)
def test_figure_prefilters_never_hide_a_match(sentence):
    if figures.BARE_CHANGE.search(sentence):
        assert figures.DIRECTION.search(sentence)
    if figures.CHANGE.search(sentence):
        assert any(u in sentence for u in figures.CHANGE_UNITS)
    if figures.RESPECTIVELY.search(sentence):
        assert "分别" in sentence
    without_lookahead = re.compile(figures.FIGURE.pattern.split(")", 1)[1])
    assert [m.span() for m in figures.FIGURE.finditer(sentence)] == \
        [m.span() for m in without_lookahead.finditer(sentence)]


def test_the_figure_lookahead_is_what_it_says():
    assert figures.FIGURE.pattern.startswith("(?=[近约超逾达共累\\d零〇一二两三四五六七八九十百千])(?P<before>")


def test_a_sentence_through_every_prefiltered_regex_gives_the_figures_it_gave_before():
    found = figures.extract("今年以来,破获电信诈骗案件123起,同比上升40%;刑事警情同比大幅下降,两抢案件同比分别下降13.1%、13.9%。")
    assert [(f.metric, f.value, f.unit, f.direction, f.change, f.action) for f in found] == [
        ("破获电信诈骗案件", 123.0, "起", "up", "40%", "破获"),
        ("刑事警情", None, "", "down", None, None),
        ("同比上升40%;刑事警情同比大幅下降", 13.1, "%", "down", "13.1%", None),
        ("两抢案件", 13.9, "%", "down", "13.9%", None),
    ]


FURNITURE_BEFORE = re.compile(tagging.FURNITURE_LINE.pattern.replace(
    r">\s*\S+\s*[>›»]|›\s*\S+\s*[>›»]|»\s*\S+\s*[>›»]", r"[>›»]\s*\S+\s*[>›»]"))


@PROPERTIES
@given(st.text(alphabet="首页>›»| \n新闻来源:编辑a", max_size=30))
def test_furniture_lines_are_found_as_before(line):
    assert "[>›»]" in FURNITURE_BEFORE.pattern
    got, before = tagging.FURNITURE_LINE.search(line), FURNITURE_BEFORE.search(line)
    assert (got and got.span()) == (before and before.span())


@PROPERTIES
@given(st.text(alphabet="警察a1,。\u4e00\u9fff\u3400\U00020000 ", max_size=30))
def test_reading_time_counts_the_same_characters(text):
    assert len(NOT_CJK.sub("", text)) == len(CJK.findall(text))


@PROPERTIES
@given(st.text(alphabet="0123456789Xx13 a", max_size=40))
def test_personal_data_numbers_always_hold_eleven_digits(text):
    if ID_NUMBER.search(text) or MOBILE.search(text):
        assert ELEVEN_DIGITS.search(text)


def test_personal_data_is_still_found(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: 测试\ndate: 2022-01-01\n---\n联系电话13912345678。\n", "utf-8")
    names = load_config(ROOT / "digest.yaml").theme_names
    article = load_articles(tmp_path, names).articles[0]
    assert [p.message.split("(")[1][:11] for p in personal_data(article)] == ["139******78"]



# ---- across processes: the region detector is loaded for the workers only when one is needed ----

@pytest.mark.parametrize("region", [Region(), Region("湖南省"), Region("湖南省", "衡阳市"), Region("湖南省", "衡阳市", "衡南县"),
                                    Region("不存在省"), Region("北京市", "朝阳区")])
def test_needs_detection_says_when_place_runs_the_detector(region, monkeypatch):
    calls = []
    real = regions.detector

    def counted():
        calls.append(1)
        return real()

    monkeypatch.setattr(regions, "detector", counted)
    regions.place(region, "衡南县公安局破获一起案件", "衡南县公安局民警走访群众。", "")
    assert regions.needs_detection(region) == bool(calls)
