"""Key figures: each number form, directions and changes, and sentences from the seeds."""
import pytest

from digestgen.figures import cn_number, extract

# sentence -> expected (metric, value, unit, direction, change, approx) records, in order
TABLE = [
    ("破获电信诈骗案件123起。", [("破获电信诈骗案件", 123, "起", None, None, False)]),
    ("今年以来,共抓获犯罪嫌疑人56名。", [("抓获犯罪嫌疑人", 56, "名", None, None, False)]),
    ("刑拘电诈犯罪嫌疑人246人,破案率大幅提升。", [("刑拘电诈犯罪嫌疑人", 246, "人", None, None, False)]),
    ("追缴非法所得30多万元。", [("追缴非法所得", 300000, "元", None, None, True)]),
    ("挽回损失一千二百余万元。", [("挽回损失", 12000000, "元", None, None, True)]),
    ("挽回经济损失323.08万元。", [("挽回经济损失", 3230800, "元", None, None, False)]),
    ("涉案金额达2.3亿元。", [("涉案金额", 230000000, "元", None, None, False)]),
    ("涉案流水金额达3000余万元。", [("涉案流水金额", 30000000, "元", None, None, True)]),
    ("劝阻金额1000余万元。", [("劝阻金额", 10000000, "元", None, None, True)]),
    ("化解各类纠纷1200余起。", [("化解各类纠纷", 1200, "起", None, None, True)]),
    ("成功化解各类纠纷1200余起,占受理纠纷的45%。", [("化解各类纠纷", 1200, "起", None, None, True)]),
    ("召开恳谈会650余场次。", [("召开恳谈会", 650, "场次", None, None, True)]),
    ("处理预警线索14000余次。", [("处理预警线索", 14000, "次", None, None, True)]),
    ("推广注册27万余人次。", [("推广注册", 270000, "人次", None, None, True)]),
    ("共救助18人。", [("救助", 18, "人", None, None, False)]),
    ("查获银行卡86张、手机卡43张。", [("查获银行卡", 86, "张", None, None, False), ("手机卡", 43, "张", None, None, False)]),
    ("缴获毒品二十五千克。", [("缴获毒品", 25, "千克", None, None, False)]),
    ("打掉犯罪团伙十五个。", [("打掉犯罪团伙", 15, "个", None, None, False)]),
    ("出动警力一百零五人次。", [("出动警力", 105, "人次", None, None, False)]),
    ("受理经济案件37起,立经济案件28起。", [("受理经济案件", 37, "起", None, None, False),
                                       ("立经济案件", 28, "起", None, None, False)]),
    ("破获案件约50起。", [("破获案件", 50, "起", None, None, True)]),
    ("抓获嫌疑人近百名。", [("抓获嫌疑人", 100, "名", None, None, True)]),
    ("办理案件20至30起。", [("办理案件", 20, "起", None, None, True)]),
    ("排查隐患超过200处。", [("排查隐患", 200, "处", None, None, True)]),
    ("电诈案件立案34起,同比下降40%。", [("电诈案件立案", 34, "起", "down", "40%", False)]),
    ("破获电信诈骗案件123起,同比下降40%,追缴非法所得30多万元。",
     [("破获电信诈骗案件", 123, "起", "down", "40%", False), ("追缴非法所得", 300000, "元", None, None, True)]),
    ("刑事警情下降15.3个百分点。", [("刑事警情", 15.3, "个百分点", "down", "15.3个百分点", False)]),
    ("群众满意度提升3.2个百分点。", [("群众满意度", 3.2, "个百分点", "up", "3.2个百分点", False)]),
    ("盗抢案件同比下降70%。", [("盗抢案件", 70, "%", "down", "70%", False)]),
    ("电信网络诈骗警情同比下降79.85%,损失同比下降66%。",
     [("电信网络诈骗警情", 79.85, "%", "down", "79.85%", False), ("损失", 66, "%", "down", "66%", False)]),
    ("破案数同比上升25%。", [("破案数", 25, "%", "up", "25%", False)]),
    ("抓获人数达到120人。", [("抓获人数", 120, "人", None, None, False)]),
    ("可防性案件、亡人交通事故起数、死亡人数同比分别下降13.1%、13.9%、15.8%。",
     [("可防性案件", 13.1, "%", "down", "13.1%", False), ("亡人交通事故起数", 13.9, "%", "down", "13.9%", False),
      ("死亡人数", 15.8, "%", "down", "15.8%", False)]),
    ("移送起诉人数,行政拘留人数同比分别上升52.6%、34.8%。",
     [("移送起诉人数", 52.6, "%", "up", "52.6%", False), ("行政拘留人数", 34.8, "%", "up", "34.8%", False)]),
    ("诈骗案件发案数环比下降32%。", [("诈骗案件发案数", 32, "%", "down", "32%", False)]),
    ("2021年11月以来,刑事发案数同比下降45%。", [("刑事发案数", 45, "%", "down", "45%", False)]),
    ("实有民警448人。", [("实有民警", 448, "人", None, None, False)]),
    ("组建义务巡逻队24支,成为基层治理的风景线。", [("组建义务巡逻队", 24, "支", None, None, False)]),
    ("新建“雪亮工程”1942个。", [("新建“雪亮工程”", 1942, "个", None, None, False)]),
    # no figures: dates, names in quotes, counts that describe what follows, words
    ("2022年2月21日,衡南县召开会议。", []),
    ("做实“六个+”,取得了“五高三降”的成效。", []),
    ("道县13个乡镇积极参与。", []),
    ("几名警务队员又一次来到村民家。", []),
    ("一名民警走访了两户村民。", []),
    ("实行“一网通办、一窗即办、一事联办”。", []),
]


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
