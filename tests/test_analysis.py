import pytest

from digestgen.analysis.analyse import analyse
from digestgen.analysis.summary import placeholder_title, summarise
from digestgen.analysis.themes import theme_scores
from digestgen.config import load_config
from digestgen.load.articles import load_articles
from digestgen.analysis.tokens import read_word_list, vocabulary, DATA

from conftest import ROOT

CONFIG = load_config(ROOT / "digest.yaml")
STOPWORDS = {row[0] for row in read_word_list(DATA / "stopwords.txt")}


@pytest.fixture(scope="module")
def shipped():
    loaded = load_articles(ROOT / "articles", CONFIG.theme_names, display_root=ROOT)
    analysed, problems = analyse(loaded.articles, CONFIG)
    return {a.article.source_file: a for a in analysed}, problems


@pytest.mark.parametrize("term", ["反电诈中心", "枫桥式派出所", "雪亮工程", "屋场恳谈", "扫黑除恶", "一村一辅警",
                                  "天网工程", "电信网络诈骗", "乡村和事佬"])
def test_police_work_terms_stay_whole_words(term):
    assert term in vocabulary().cut(f"衡南县推进{term}建设,成效明显。")


def test_no_tag_of_a_shipped_article_is_a_stop_word_a_number_or_a_place(shipped):
    items, _ = shipped
    for a in items.values():
        assert a.tags, a.article.source_file
        for tag in a.tags:
            assert tag not in STOPWORDS, (a.article.source_file, tag)
            assert not any(ch.isdigit() for ch in tag), tag
            assert tag not in {"衡南", "衡阳", "湖南", "襄阳", "道县", "象州", "湖南省", "衡阳市", "衡南县"}, tag


def test_shipped_articles_are_tagged_with_their_programmes(shipped):
    items, _ = shipped
    assert {"反诈中心", "屋场恳谈"} <= set(items["2022-02-21-2021-nian-hengnan-gongan-yi-han.md"].tags)
    assert {"四下降", "两提升"} <= set(items["sixiajiang-liangtisheng.md"].tags)
    # 农村警务 names a theme: the article is under that theme, and the word is not repeated as a tag
    dao = items["2022-06-21-dao-xian-da-hao-zuhequan-cu.md"]
    assert "rural-policing" in dao.themes and "农村警务" not in dao.tags
    assert "合成作战" in items["xiangyang-gongan-dangjian-yinling-goujian-pingan.md"].tags


def test_tags_are_the_same_on_every_run(shipped):
    items, _ = shipped
    loaded = load_articles(ROOT / "articles", CONFIG.theme_names, display_root=ROOT)
    again, _ = analyse(list(reversed(loaded.articles)), CONFIG)
    assert {a.article.source_file: a.tags for a in again} == {k: v.tags for k, v in items.items()}


def test_front_matter_tags_and_themes_come_first(project):
    from conftest import write
    write(project / "articles" / "a.md", """
        ---
        title: 禁毒宣传进校园
        tags: [校园禁毒]
        themes: [publicity]
        ---
        县公安局禁毒大队民警走进校园,开展禁毒宣传,讲解毒品危害。吸毒害人害己,禁毒人人有责。
        """)
    loaded = load_articles(project / "articles", CONFIG.theme_names)
    [a], _ = analyse(loaded.articles, CONFIG)
    assert a.tags[0] == "校园禁毒"
    assert a.themes[:2] == ("publicity", "drug-control")


def test_theme_keywords_in_the_title_weigh_three_times():
    scores = theme_scores("禁毒", "毒品", CONFIG.themes)
    assert scores["drug-control"] == 4


def test_a_longer_keyword_is_not_counted_again_as_its_parts():
    # 电信网络诈骗 contains 诈骗: one mention, one point
    assert theme_scores("", "电信网络诈骗", CONFIG.themes)["anti-fraud"] == 1


def test_an_imported_untitled_article_gets_its_first_sentence_and_a_note(shipped):
    items, problems = shipped
    untitled = items["jinnianyilai-xiangonganju-yi-tisheng-qunzhonganquangan-he.md"]
    assert untitled.title == "今年以来,县公安局以提升群众安全感和满意度为根本,以创建“…"
    assert [str(p) for p in problems] == [
        "articles/jinnianyilai-xiangonganju-yi-tisheng-qunzhonganquangan-he.md:1: note: no title; the pages show "
        "'今年以来,县公安局以提升群众安全感和满意度为根本,以创建“…' (its first sentence); add 'title:' to the front matter"]


def test_summaries_end_at_a_sentence_boundary():
    text = "第一句话说明情况。" * 5 + "第二段。"
    assert summarise(text, 30) == "第一句话说明情况。第一句话说明情况。第一句话说明情况。"
    assert summarise("短文。") == "短文。"
    assert placeholder_title("衡南县公安局建成反电诈中心。其他内容。") == "衡南县公安局建成反电诈中心"


def test_a_dateline_is_not_part_of_the_summary(shipped):
    items, _ = shipped
    assert items["2022-02-21-2021-nian-hengnan-gongan-yi-han.md"].summary.startswith("2021年,衡南公安坚持以创新破局")


def test_the_fast_tokeniser_agrees_with_jieba_on_the_shipped_articles():
    from digestgen.analysis.markup import to_html, to_text
    v = vocabulary()
    if v.fast is None:
        pytest.skip("rjieba is not installed; jieba itself is in use")
    for path in sorted((ROOT / "articles").glob("*.md")):
        text = to_text(to_html(path.read_text("utf-8").split("---\n", 2)[2]))
        assert v.fast.cut(text, False) == v.tokenizer.lcut(text, HMM=False), path.name


def test_quoted_programme_names_are_whole_tags_and_metaphors_are_not():
    from digestgen.analysis.analyse import programmes
    found = programmes("“四下降”、“两提升”", "推行“一村一辅警”,用好屋场恳谈这把“金钥匙”,“雪亮工程”建设,创造了“衡南速度”。")
    assert set(found) == {"四下降", "两提升", "一村一辅警", "雪亮工程"}


def test_near_duplicate_tags_are_merged_under_the_canonical_name(project):
    from conftest import write
    write(project / "articles" / "a.md", "---\ntitle: 反电诈宣传\ntags: [反电诈, 反诈]\n---\n开展反电诈宣传。反电诈宣传进社区。\n")
    loaded = load_articles(project / "articles", CONFIG.theme_names)
    [a], _ = analyse(loaded.articles, CONFIG)
    assert a.tags[0] == "反诈" and "反电诈" not in a.tags


def test_id_card_and_mobile_numbers_are_reported_with_their_line(project, capsys):
    from conftest import write
    from digestgen.cli import main
    write(project / "articles" / "a.md", "---\ntitle: 刑拘一名嫌疑人\n---\n民警提醒。\n\n嫌疑人张某(身份证号430422199001011234,"
                                         "电话13812345678)已被刑拘。\n")
    assert main(["build", "--quiet"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert ("articles/a.md:6: warning: the body contains what looks like an ID-card number (430*************34); "
            "remove or mask it before publishing") in err
    assert ("articles/a.md:6: warning: the body contains what looks like a mobile phone number (138******78); "
            "remove or mask it before publishing") in err
    assert main(["build", "--quiet", "--strict"]) == 1


def test_a_piece_of_a_name_is_not_a_tag():
    from digestgen.analysis.analyse import _fragment
    text = "牛家勇是社区民警。牛家勇说,社区治理要靠民警。"
    assert _fragment("牛家", text)
    assert not _fragment("社区", text)  # followed by different characters
    assert not _fragment("民警", text)  # at the end of a sentence


QUANTITY_ARTICLE = """---
title: 一辆车堵住消防通道 民警“2+1”巡逻化解纠纷
---
一辆车堵住小区消防通道,民警赶到后联系车主挪车。一辆车刚挪走,又有两辆车发生剐蹭,两辆车的车主争执不下。
民警现场调解,双方握手言和。派出所推行“2+1”巡逻模式和“五支力量”联防,两所一队联动,三个代表走访群众。
“五支力量”每天巡逻,两所一队守护平安。
"""


def test_a_quantity_phrase_is_never_a_tag(project):
    from conftest import write
    write(project / "articles" / "a.md", QUANTITY_ARTICLE)
    loaded = load_articles(project / "articles", CONFIG.theme_names)
    [a], _ = analyse(loaded.articles, CONFIG)
    # numeral-classifier phrases from jieba's dictionary, and a quoted name made only of numbers
    for never in ("一辆车", "两辆车", "三个代表", "2+1"):
        assert never not in a.tags, (never, a.tags)
    # a quoted programme name and a police-work term that start with a count stay tags
    assert "五支力量" in a.tags and "两所一队" in a.tags, a.tags


@pytest.mark.parametrize("word, quoted, expected", [
    ("一辆车", False, True), ("三年行动计划", False, True), ("这起案件", False, True), ("百份", False, True),
    ("一二三四五", True, True), ("2+1", True, True),
    ("五支力量", True, False), ("三轮车", False, False), ("一村一辅警", False, False), ("第一书记", False, False),
    ("场所", False, False),
])
def test_quantity_phrases(word, quoted, expected):
    from digestgen.analysis.tagging import is_quantity
    assert is_quantity(word, frozenset(), quoted) is expected


@pytest.mark.parametrize("lead", ["本报讯(通讯员 顾某)", "某某网讯(通讯员 张某 李某)", "某某融媒体记者 刘某 报道:"])
def test_a_summary_starts_with_what_the_article_says_not_with_its_credits(lead):
    text = f"{lead}近日,某县公安局开展反诈宣传进社区活动,发放资料500份。\n民警现场讲解常见诈骗手法。"
    assert summarise(text).startswith("近日,某县公安局开展反诈宣传进社区活动")
