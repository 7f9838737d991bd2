"""Key figures: each number form, directions and changes, and sentences from the seeds."""
import json
from pathlib import Path

import pytest
import yaml

from digestgen.cli import main
from digestgen.analysis.figures import cn_number, evaluate, extract
from digestgen.render.pages import figure_text

from conftest import write
from sitecheck import parse

LABELLED = yaml.safe_load((Path(__file__).parent / "fixtures" / "figures_labelled.yaml").read_text("utf-8"))
TABLE = [(item["text"], [tuple(f[k] for k in ("metric", "value", "unit", "direction", "change", "approx"))
                         for f in item["figures"]]) for item in LABELLED]


@pytest.mark.parametrize("sentence, expected", TABLE, ids=[t[0][:16] for t in TABLE])
def test_each_number_form_becomes_a_record(sentence, expected):
    got = [(f.metric, f.value, f.unit, f.direction, f.change, f.approx) for f in extract(sentence)]
    assert got == [tuple(e) for e in expected]


def test_the_table_has_at_least_forty_sentences():
    assert len(TABLE) >= 40


@pytest.mark.parametrize("text, value", [("一千二百", 1200), ("十五", 15), ("一百零五", 105), ("两", 2), ("三十", 30),
                                         ("二十五", 25), ("3.96", 3.96), ("十", 10), ("九千九百九十九", 9999),
                                         ("三点五", 3.5)])
def test_chinese_numerals(text, value):
    assert cn_number(text) == value


def test_records_have_the_open_data_shape():
    [figure] = extract("追缴非法所得30多万元。")
    assert figure.record() == {"text": "追缴非法所得30多万元。", "metric": "追缴非法所得", "value": 300000, "unit": "元",
                               "direction": None, "change": None, "approx": True}


def test_figures_from_the_shipped_articles(tmp_path):
    from conftest import ROOT
    text = (ROOT / "articles" / "2022-02-21-2021-nian-hengnan-gongan-yi-han.md").read_text("utf-8")
    got = {(f.metric, f.value, f.unit, f.direction, f.change) for f in extract(text)}
    assert {("破获电诈案件", 215, "起", None, None), ("刑拘电诈犯罪嫌疑人", 246, "人", None, None),
            ("电诈案件立案", 34, "起", "down", "40%"), ("实有民警", 448, "人", None, None),
            ("可防性案件", 13.1, "%", "down", "13.1%")} <= got
    text = (ROOT / "articles" / "2022-06-21-dao-xian-da-hao-zuhequan-cu.md").read_text("utf-8")
    got = {(f.metric, f.value, f.unit) for f in extract(text)}
    assert ("追缴非法所得", 300000, "元") in got


def test_precision_and_recall_over_the_table_are_printed_by_a_command(capsys, monkeypatch):
    from conftest import ROOT
    precision, recall = evaluate(LABELLED)
    assert precision == recall == 1.0
    monkeypatch.chdir(ROOT)
    assert main(["figures", "--evaluate", "tests/fixtures/figures_labelled.yaml"]) == 0
    assert capsys.readouterr().out == ("45 sentences, 48 figures labelled, 48 found: precision 1.00, recall 1.00\n")


@pytest.mark.parametrize("sentence, expected", [
    # counts without a verb before them, and of what follows
    ("465 名涉案人员投案自首。", [(465, "名", None)]),
    ("打掉2个犯罪团伙,抓获犯罪嫌疑人18名。", [(2, "个", None), (18, "名", None)]),
    ("协调1000辆出租车播放标语。", [(1000, "辆", None)]),
    ("发放宣传折页300余份、环保布袋100余个。", [(300, "份", None), (100, "个", None)]),
    # paired percentages, 同比再降, shares
    ("破获案件4.6万起、抓获嫌疑人5642名,同比分别上升11.08%、1.21%。",
     [(46000, "起", None), (5642, "名", None), (11.08, "%", "up"), (1.21, "%", "up")]),
    ("今年同比再降47.38%。", [(47.38, "%", "down")]),
    ("违停竟占到近11%。", [(11, "%", None)]),
    # a head count is a count, not a year
    ("出动2000 名警力开展清查。", [(2000, "名", None)]),
])
def test_real_phrasing_becomes_figures(sentence, expected):
    got = [(f.value, f.unit, f.direction) for f in extract(sentence)]
    assert got == [(float(v), u, d) for v, u, d in expected]


@pytest.mark.parametrize("sentence", [
    "2023年5月6日,民警开展宣传。",                    # a date
    "咨询电话0731-12345678,欢迎来电。",              # a phone number
    "结合《刑法》第347-357条讲解法律知识。",           # an article number
    "让反诈知识走进千家万户。",                        # an idiom
    "本文有340个文字,预计浏览时间1分钟。",             # the page's own statistics
    "三项业务下放到五个乡村。",                        # a description in words
])
def test_what_is_not_a_figure(sentence):
    assert extract(sentence) == []


def test_a_figure_told_twice_is_one_figure():
    text = "累计抓获违法犯罪人员126人。\n案件告破后,累计抓获违法犯罪人员126名。"
    assert [(f.value, f.unit) for f in extract(text)] == [(126, "人")]


def test_each_figure_carries_the_action_it_counts():
    [f] = extract("共破获电信网络诈骗案件12起。")
    assert f.action == "破获"


@pytest.mark.parametrize("sentence, expected", [
    # a change told without a number is a figure of its own: no value, a direction
    ("今年以来,全县刑事案件同比下降,电诈警情有所上升。", [("刑事案件", None, "down"), ("电诈警情", None, "up")]),
    ("全县交通事故大幅下降。", [("交通事故", None, "down")]),
    ("全市盗窃警情呈下降趋势。", [("盗窃警情", None, "down")]),
    ("破案率大幅提升。", [("破案率", None, "up")]),
    ("其中第二季度群众安全感排在全区第5位,同比大幅上升。", [("第二季度群众安全感", None, "up")]),
    # after a count, it is that count's direction
    ("共破获盗窃案件57起,同比上升。", [("破获盗窃案件", 57, "up")]),
])
def test_a_change_without_a_number_stays_a_change(sentence, expected):
    got = [(f.metric, f.value, f.direction) for f in extract(sentence)]
    assert got == expected
    assert all(f.change is None for f in extract(sentence))


@pytest.mark.parametrize("sentence", [
    "民警持续提高群众防范意识。",          # a verb with its object: no change
    "群众防范意识明显提高。",              # a quality improved, nothing counted
    "盗窃案件没有明显下降。",              # negated
    "力争全年刑事案件同比下降。",          # an aim, not a change that happened
    "今年发案下降,破案上升。",             # a bare verb: no comparison, degree or trend
    "核心数据持续下降的原因是什么?",       # not at a clause end
])
def test_what_is_not_a_change_without_a_number(sentence):
    assert extract(sentence) == []


def test_a_change_without_a_number_in_the_open_data_and_on_the_article_page(project):
    write(project / "articles" / "a.md", """
        ---
        title: 某县公安局通报治安形势
        date: 2024-03-01
        region: 湖南省/衡阳市/衡南县
        ---
        今年以来,全县共破获盗窃案件57起,刑事案件同比大幅下降。
        """)
    assert main(["build", "--quiet"]) == 0
    records = json.loads((project / "site/data/articles.json").read_text("utf-8"))
    figures = {f["metric"]: f for f in records[0]["key_figures"]}
    assert figures["刑事案件"]["value"] is None and figures["刑事案件"]["direction"] == "down"
    assert figures["刑事案件"]["change"] is None
    article = project / "site" / records[0]["path"]
    page = parse(article)
    rows = [[" ".join(td.text_content().split()) for td in tr.findall("td")]
            for tr in page.xpath("//section[@class='figures']//tbody/tr")]
    summary = [" ".join(li.text_content().split()) for li in page.xpath("//ul[@class='figure-summary']/li")]
    assert summary == ["破获盗窃案件 57起"]  # the summary after the lede: figures with a value
    assert rows == [["破获盗窃案件", "57起"], ["刑事案件", "下降"]]  # the full table: the change too
    assert "None" not in article.read_text("utf-8")
    region = (project / "site/regions/hunan/hengyang/hengnan/index.html").read_text("utf-8")
    assert "None" not in region and "57起" in region


def test_the_figure_filter_shows_a_change_without_a_number_as_the_change():
    [f] = extract("电诈警情同比下降。")
    assert figure_text(f) == "下降"


def test_a_number_too_large_for_a_float_is_none():
    """400 nines would be infinity, which JSON cannot hold: no number, so no figure."""
    assert cn_number("9" * 400) is None
    assert not [f for f in extract("抓获犯罪嫌疑人" + "9" * 400 + "人。") if f.value == float("inf")]


def test_a_listed_change_too_large_for_a_float_is_no_figure():
    """诈骗、盗窃案件同比分别下降…%、5%: the listed change that is too large is left out, not made 0."""
    found = extract("诈骗案件、盗窃案件同比分别下降" + "9" * 400 + "%、5%。")
    assert [f.change for f in found] == ["5%"]
