"""build.py import on pages it was not written against: the labelled development set, the
never-guess rules, duplicates without data loss, and chrome shared by pages of one site.

The pages here are made up for the tests (the real labelled pages are read from ../shared/devset
and never copied into the project)."""
from pathlib import Path

import pytest
import yaml

from digestgen.cli import main

from conftest import ROOT

DEVSET = ROOT.parent / "shared" / "devset"
SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def articles(folder: Path) -> dict[str, tuple[dict, str]]:
    """Imported articles by the raw file they came from: (front matter, body)."""
    out = {}
    for path in folder.glob("*.md"):
        _, front, body = path.read_text("utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        out[meta["imported_from"]] = (meta, body.strip())
    return out


def write_pages(folder: Path, pages: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def evaluation(capsys, folder: Path) -> dict[str, str]:
    assert main(["import", "--evaluate", str(folder)]) == 0
    out = capsys.readouterr().out
    rows = {}
    for line in out.splitlines():
        if line.startswith("  "):
            key, rest = line.split(None, 1)
            rows[key] = rest
    rows["misses"] = "\n".join(line for line in out.splitlines() if line.startswith("miss: "))
    return rows


# ---- the evaluation command ----

def test_evaluate_prints_per_field_accuracy_and_the_seeds_stay_at_100_percent(project, capsys):
    rows = evaluation(capsys, SEEDS)
    for name in ("title", "subtitle", "date", "source", "authors", "url"):
        assert rows[name] == "5 / 5 right", name
    assert rows["invented"].startswith("0 fields")
    assert rows["body"].startswith("5 / 5 ")
    assert rows["furniture"].startswith("0 of 22 ")
    assert rows["misses"] == ""
    assert list((project / "articles").iterdir()) == [], "the evaluation imports into a temporary folder"


def test_evaluate_names_each_miss_and_each_invented_field(project, capsys, tmp_path):
    labels = tmp_path / "labels"
    write_pages(labels / "raw", {"a.txt": "某某县开展禁毒宣传\n发布时间:2023-06-26\n近日,某某县公安局在广场开展禁毒宣传活动,"
                                          "发放资料500余份。\n"})
    write_pages(labels / "expected", {"a.yaml": "raw: raw/a.txt\ntitle: 某某县开展禁毒宣传活动\ndate: null\nsource: null\n"
                                                "authors: []\nurl: null\nbody_start: 近日\nbody_end: 500余份。\n"
                                                "furniture: [发布时间]\n"})
    rows = evaluation(capsys, labels)
    assert rows["title"] == "0 / 1 right"
    assert rows["date"] == "0 / 1 right  (1 invented)"
    assert rows["invented"].startswith("1 fields")
    assert "miss: a: title wrong: got '某某县开展禁毒宣传', want '某某县开展禁毒宣传活动'" in rows["misses"]
    assert "miss: a: date invented: got '2023-06-26', want null" in rows["misses"]


def test_evaluate_on_a_folder_that_is_not_labelled_fails_clearly(project, capsys, tmp_path):
    assert main(["import", "--evaluate", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == (f"{tmp_path}: error: not a labels folder; it needs raw/ and "
                                                "expected/*.yaml, or the pages beside an expected.yaml")


NO_DEVSET = pytest.mark.skipif(not (DEVSET / "expected").is_dir(),
                               reason="the labelled development set is not beside the project")


@NO_DEVSET
def test_the_development_set_is_imported_without_invention_or_furniture(project, capsys):
    rows = evaluation(capsys, DEVSET)
    n = len(list((DEVSET / "expected").glob("*.yaml")))
    right = sum(int(rows[f].split("/")[0]) for f in ("title", "subtitle", "date", "source", "authors", "url"))
    assert right / (6 * n) >= 0.95, rows["misses"]
    assert rows["invented"].startswith("0 fields"), rows["misses"]
    assert rows["furniture"].startswith("0 of "), rows["misses"]
    assert int(rows["body"].split("/")[0]) == n, rows["misses"]


@NO_DEVSET
def test_every_development_set_body_starts_and_ends_where_the_article_does(project, capsys):
    rows = evaluation(capsys, DEVSET)
    n = len(list((DEVSET / "expected").glob("*.yaml")))
    assert rows["body"].startswith(f"{n} / {n} "), rows["misses"]


# ---- never guess ----

def test_a_year_or_an_event_date_in_the_body_is_no_publication_date(project, capsys, tmp_path):
    raw = write_pages(tmp_path / "raw", {
        "year.txt": "某某县公安局召开年度工作会议\n2019年以来,全县公安机关共破获刑事案件300余起,抓获犯罪嫌疑人120名。\n"
                    "会议要求,各单位要持续深化打击整治。\n",
        "event.txt": "某某派出所成功调解一起邻里纠纷\n2023年9月19日晚,某某派出所接到群众报警,称邻居因噪音问题发生争吵。\n"
                     "民警赶到现场后耐心调解,双方握手言和。\n"})
    assert main(["import", str(raw)]) == 0
    out = capsys.readouterr().out
    got = articles(project / "articles")
    assert "date" not in got["year.txt"][0] and "date" not in got["event.txt"][0]
    assert got["event.txt"][1].startswith("2023年9月19日晚,某某派出所接到群众报警")
    assert out.count("not stated in the page, left out: date") == 2


def test_a_head_count_that_looks_like_a_year_never_becomes_a_date(project, capsys, tmp_path):
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>国庆安保工作部署会召开_平安某某网</title></head><body>"
            "<div class='nav'>首页 | 警务动态</div><div class='article'><h1>国庆安保工作部署会召开</h1>"
            "<p>为确保节日期间社会大局稳定,某某市公安局召开国庆安保工作部署会,全市共投入2000名警力开展巡逻防控。</p>"
            "<p>会议要求,各单位要严格落实安保责任,确保群众过一个平安祥和的节日。</p></div></body></html>")
    raw = write_pages(tmp_path / "raw", {"page.html": page, "page.txt": "国庆安保工作部署会召开\n"
                                         "为确保节日期间社会大局稳定,全市共投入2000名警力开展巡逻防控。\n"})
    assert main(["import", str(raw)]) == 0
    got = articles(project / "articles")
    for name in ("page.html", "page.txt"):
        meta, body = got[name]
        assert "date" not in meta, name
        assert meta["title"] == "国庆安保工作部署会召开", name
        assert "2000名警力" in body
    assert not list((project / "articles").glob("2000-*")), "no file is named after an invented date"


def test_a_site_name_as_the_only_headline_candidate_is_no_title(project, capsys, tmp_path):
    raw = write_pages(tmp_path / "raw", {
        "site.txt": "平安某某网\n首页 > 警务动态 > 正文\n近日,某某县公安局组织民警走进社区,开展反诈宣传活动,发放宣传资料300余份。\n"
                    "活动中,民警结合真实案例讲解常见诈骗手法。\n",
        "site.html": "<html><head><meta charset='utf-8'><title>平安某某网</title><meta property='og:title' content='平安某某网'>"
                     "</head><body><h1>平安某某网</h1><p>近日,某某县公安局组织民警走进校园,开展交通安全宣传活动,"
                     "受教育师生1000余人。</p><p>民警提醒学生上下学途中注意交通安全,遵守交通规则。</p></body></html>"})
    assert main(["import", str(raw)]) == 0
    out = capsys.readouterr().out
    got = articles(project / "articles")
    for name in ("site.txt", "site.html"):
        assert "title" not in got[name][0], name
        assert "平安某某网" not in got[name][1]
    assert out.count("not stated in the page, left out: title") == 2


def test_an_untitled_articles_placeholder_is_its_lead_sentence_not_a_byline(project, capsys, tmp_path):
    raw = write_pages(tmp_path / "raw", {"a.txt": "某某网讯(记者 王某某 通讯员 李某)近日,某某县公安局开展夏夜治安巡查"
                                                  "宣防集中统一行动。\n行动中,民警对重点场所开展安全检查。\n"})
    assert main(["import", str(raw)]) == 0
    meta, body = articles(project / "articles")["a.txt"]
    assert meta["source"] == "某某网" and meta["authors"] == ["王某某", "李某"]
    assert body.startswith("某某网讯(记者 王某某 通讯员 李某)近日"), "the lead stays in the body"
    assert main(["build"]) == 0
    capsys.readouterr()
    [page] = [p for p in (project / "site").rglob("*.html") if "夏夜治安巡查" in p.read_text("utf-8")
              and "<h1" in p.read_text("utf-8") and p.parent.name != "site"][:1]
    html = page.read_text("utf-8")
    h1 = html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "近日,某某县公安局开展夏夜治安巡查宣防集中统一行动" in h1
    assert "记者" not in h1 and "某某网讯" not in h1


# ---- layouts: leads, bylines, credit ladders, e-paper and follow-line dates ----

def imported(capsys, tmp_path: Path, pages: dict[str, str]) -> dict[str, tuple[dict, str]]:
    raw = write_pages(tmp_path / "raw", pages)
    assert main(["import", str(raw), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    return articles(tmp_path / "out")


def test_a_lead_alone_on_its_line_and_its_credit_below_start_the_body(capsys, tmp_path):
    got = imported(capsys, tmp_path, {
        "paper.txt": "本报讯\n(记者 王某某)9月9日,某某区公安分局破获一起非法吸收公众存款案件,刑事拘留犯罪嫌疑人3名。\n"
                     "据了解,4月24日,经侦大队在日常工作中发现线索,随即成立专案组展开调查。\n"
                     "目前,案件正在进一步侦办中。\n",
        "site.txt": "某某网讯\n近日,某某县公安局组织民警走进社区开展防范电信诈骗宣传,发放资料300余份。\n"
                    "民警提醒群众,不轻信陌生来电。\n",
        "credit.txt": "某某日报讯(记者 李某某)\n近日,某某市交警支队开展夜查行动,查处酒驾违法行为15起。\n"
                      "交警提醒,饮酒后切勿驾车。\n",
        "dated.txt": "新华社北京9月1日电\n(记者 周某)公安部近日部署开展夏季治安打击整治行动,持续推进平安建设。\n",
        "between.txt": "本报讯\n记者 吴某 通讯员 郑某某\n近日,某某县公安局开展校园周边交通秩序整治,查处违法行为30余起。\n",
        "bracketed.txt": "本报讯\n(记者 冯某)\n近日,某某区公安分局开展防范养老诈骗宣传,走访社区老人200余人。\n"})
    meta, body = got["paper.txt"]
    assert body.startswith("本报讯(记者 王某某)9月9日,某某区公安分局破获"), body
    assert meta["authors"] == ["王某某"]
    assert "source" not in meta and "date" not in meta, "本报讯 names no paper; 9月9日 is the event"
    meta, body = got["site.txt"]
    assert body.startswith("某某网讯 近日,某某县公安局组织民警") and meta["source"] == "某某网"
    meta, body = got["credit.txt"]
    assert body.startswith("某某日报讯(记者 李某某)近日,某某市交警支队")
    assert meta["source"] == "某某日报" and meta["authors"] == ["李某某"]
    meta, body = got["dated.txt"]
    assert body.startswith("新华社北京9月1日电(记者 周某)公安部近日部署") and meta["authors"] == ["周某"]
    assert meta["source"] == "新华社" and "date" not in meta, "a dateline without a year is no date"
    meta, body = got["between.txt"]
    assert body.startswith("近日,某某县公安局") and meta["authors"] == ["吴某", "郑某某"], "a bare credit stays out"
    meta, body = got["bracketed.txt"]
    assert body.startswith("本报讯(记者 冯某)近日,某某区公安分局") and meta["authors"] == ["冯某"]


def test_a_byline_of_correspondents_and_an_outlets_reporter_is_a_credit_not_the_first_paragraph(capsys, tmp_path):
    got = imported(capsys, tmp_path, {"a.txt": (
        "当前位置: 首页 >> 警务资讯 >> 媒体报道 >> 正文\n"
        "【某某新闻网】某某区公安分局:守住群众“钱袋子”\n发布日期:2025-01-06 16:09   阅读:\n\n"
        "张某某 李某 某某新闻网-客户端记者 王某\n\n"
        "年末岁尾,是群众置办年货的旺季,也是违法犯罪分子紧盯群众钱包的关键时期,民警走上街头开展防范非法集资宣传。\n\n"
        "据统计,此次活动共发放宣传册200余份,接受群众咨询60余人次。\n")})
    meta, body = got["a.txt"]
    assert meta["title"] == "某某区公安分局:守住群众“钱袋子”"
    assert meta["source"] == "某某新闻网", "the outlet bracketed before the headline"
    assert meta["authors"] == ["张某某", "李某", "王某"]
    assert str(meta["date"]) == "2025-01-06 16:09"
    assert body.startswith("年末岁尾,是群众置办年货的旺季") and "记者" not in body

    got = imported(capsys, tmp_path / "two", {"b.txt": (
        "某某县开展夏季治安巡查\n\n某某日报记者 赵某 通讯员 钱某某、孙某\n\n"
        "近日,某某县公安局组织警力对辖区重点场所开展夏季治安巡查,检查场所40余处。\n"),
        "stated.txt": "【某某新闻网】某某区开展反诈宣传进校园\n来源:某某日报\n"
                      "近日,某某区公安分局民警走进校园,为师生讲解常见电信网络诈骗手法。\n"})
    assert got["stated.txt"][0]["source"] == "某某日报", "a stated 来源 comes before the reprint's bracket"
    assert got["stated.txt"][0]["title"] == "某某区开展反诈宣传进校园"
    meta, body = got["b.txt"]
    assert meta["source"] == "某某日报" and meta["authors"] == ["赵某", "钱某某", "孙某"]
    assert body.startswith("近日,某某县公安局组织警力")


def test_a_contribution_credit_gives_the_unit_as_source_and_its_writer_but_editors_are_not_authors(capsys, tmp_path):
    para = "3月19日,某某市公安局召开座谈会,邀请10名社会各界代表围绕队伍建设、执法公信力等方面提出建议。\n"
    got = imported(capsys, tmp_path, {
        "ladder.txt": "\n" + para + "会议要求,要坚持问题导向,打造一支纪律严明的队伍。\n"
                      "供稿:某某融媒体中心 赵某某\n文字编辑:钱某\n编辑:孙某\n编审:赵某某 李某\n总编:周某\n",
        "person.txt": para + "供稿:吴某某\n责任编辑:郑某\n",
        "unit.txt": para.replace("3月19日", "3月20日") + "供稿:某某派出所\n"})
    meta, body = got["ladder.txt"]
    assert meta["source"] == "某某融媒体中心" and meta["authors"] == ["赵某某"]
    assert body.endswith("打造一支纪律严明的队伍。") and "供稿" not in body
    assert got["person.txt"][0]["authors"] == ["吴某某"] and "source" not in got["person.txt"][0]
    assert got["unit.txt"][0]["source"] == "某某派出所" and "authors" not in got["unit.txt"][0]


def test_a_reporters_lead_names_the_outlet_and_the_reporter(capsys, tmp_path):
    got = imported(capsys, tmp_path, {"a.txt": (
        "某某县公安局部署教育整顿工作\n\n"
        "某某融媒体记者 刘某 报道:8月10日,某某县公安局召开视频工作会议,总结上半年全县公安工作。\n\n"
        "会议强调,全县公安机关要全力以赴做好维护安全稳定工作。\n")})
    meta, body = got["a.txt"]
    assert meta["source"] == "某某融媒体" and meta["authors"] == ["刘某"]
    assert body.startswith("某某融媒体记者 刘某 报道:8月10日") and "date" not in meta

    got = imported(capsys, tmp_path / "self", {
        "station.txt": "本台记者 张某 报道:近日,某某县公安局开展夏季治安巡查,检查重点场所30余处。\n",
        "site.txt": "本网讯(记者 李某)近日,某某区交警大队开展电动自行车专项整治,查处违法行为80起。\n"})
    for name, author in (("station.txt", "张某"), ("site.txt", "李某")):
        meta, _ = got[name]
        assert meta["authors"] == [author] and "source" not in meta, "本台, 本网 name no outlet"


def test_an_e_paper_date_masthead_above_the_headline_is_the_date_but_a_top_bars_today_is_not(capsys, tmp_path):
    story = ("某某派出所升级改造视频监控\n\n"
             "某某日报讯 (张某某)近年来,辖区流动人口逐年递增,派出所对视频监控进行升级改造,摄像头从230个增加到410个。\n")
    got = imported(capsys, tmp_path, {
        "epaper.txt": "2015年04月24日 星期五\n" + story,
        "today.txt": "欢迎访问某某县公安局网站 今天是:\n2024年1月1日 星期一\n" + story.replace("230", "120")
                     .replace("某某派出所", "某某县派出所"),
        "topbar.txt": "2024年1月1日 星期一\n首页 > 警务动态 > 正文\n" + story.replace("230", "150")
                      .replace("某某派出所", "某某区派出所")})
    meta, _ = got["epaper.txt"]
    assert str(meta["date"]) == "2015-04-24"
    assert meta["title"] == "某某派出所升级改造视频监控" and meta["source"] == "某某日报" and meta["authors"] == ["张某某"]
    assert "date" not in got["today.txt"][0] and "date" not in got["topbar.txt"][0]


def test_a_follow_line_ending_with_the_accounts_posting_date_gives_the_date(capsys, tmp_path):
    story = ("查看原文\n\n{title}\n\n{follow}\n\n"
             "        2月13日14时许,某某警方视频监控中心发出预警,发现有疑似在逃人员出现在花市。\n\n"
             "        半小时后,民警在花市码头区域将其抓获。\n")
    got = imported(capsys, tmp_path, {
        "dated.txt": story.format(title="俩在逃人员在花市现身 半小时被警方抓获", follow="点击👉关注我 某某警方 2021-02-04"),
        "original.txt": story.format(title="在逃人员花市现身被抓", follow="原创 某某警方 2021-02-05 18:30")
        .replace("13日", "15日"),
        "bare.txt": story.format(title="花市里的在逃人员落网", follow="点击上方蓝字关注我们").replace("13日", "14日")})
    meta, body = got["dated.txt"]
    assert meta["title"] == "俩在逃人员在花市现身 半小时被警方抓获"
    assert str(meta["date"]) == "2021-02-04" and "source" not in meta
    assert body.startswith("2月13日14时许") and "关注" not in body
    assert str(got["original.txt"][0]["date"]) == "2021-02-05 18:30"
    assert "date" not in got["bare.txt"][0]


def test_a_page_with_full_width_punctuation_reads_like_its_ascii_twin(capsys, tmp_path):
    page = ("某某县公安局开展禁毒宣传活动\n来源:某某日报  发布时间:2023-06-26 10:00\n"
            "本报讯(记者 王某某 通讯员 李某)近日,某某县公安局在广场开展禁毒宣传活动,发放资料500余份。\n"
            "活动中,民警向群众讲解毒品危害!\n(编辑:赵某)\n")
    full_width = page.translate({ord(c): ord(c) + 0xFEE0 for c in "(),:!"}).replace("某某县", "某某区")
    assert "(" not in full_width and "," not in full_width  # as a browser copies a Chinese page
    got = imported(capsys, tmp_path, {"ascii.txt": page, "full.txt": full_width})
    (meta, body), (full_meta, full_body) = got["ascii.txt"], got["full.txt"]
    assert {k: v for k, v in full_meta.items() if k not in ("title", "imported_from")} == \
        {k: v for k, v in meta.items() if k not in ("title", "imported_from")}
    assert full_meta["authors"] == ["王某某", "李某"] and full_meta["source"] == "某某日报"
    assert full_body == body.replace("某某县", "某某区")
    assert "编辑" not in full_body

    html = ("<html><head><meta charset='utf-8'><title>某某县开展反诈宣传_平安某某网</title>"
            "<meta name='ContentSource' content='某某日报'></head><body><div class='nav'>首页 > 警务动态</div>"
            "<h1>某某县开展反诈宣传</h1><p>来源:某某日报 发布时间:2023-06-26 10:00</p>"
            "<p>本报讯(记者 王某某)近日,某某县公安局走进社区开展反诈宣传,发放资料500余份,现场解答群众咨询60余人次。</p>"
            "<p>民警提醒群众,不轻信陌生来电,不点击不明链接!</p></body></html>")
    fw_html = html.translate({ord(c): ord(c) + 0xFEE0 for c in "(),:!"}).replace("某某县", "某某区")
    got = imported(capsys, tmp_path / "html", {"ascii.html": html, "full.html": fw_html})
    (meta, body), (full_meta, full_body) = got["ascii.html"], got["full.html"]
    assert full_meta["authors"] == meta["authors"] == ["王某某"]
    assert str(full_meta["date"]) == str(meta["date"]) == "2023-06-26 10:00"
    assert full_meta["source"] == meta["source"] == "某某日报"
    assert full_body == body.replace("某某县", "某某区")


# ---- duplicates without data loss ----

def test_two_different_articles_with_the_same_title_both_import(project, capsys, tmp_path):
    raw = write_pages(tmp_path / "raw", {
        "a.txt": "警方发布夏季安全提醒\n近日,某某县公安局破获一起冒充客服诈骗案,为群众挽回损失5万元。\n",
        "b.txt": "警方发布夏季安全提醒\n近日,某某区公安分局开展防溺水宣传,走访沿河村庄12个。\n"})
    assert main(["import", str(raw)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "imported 2, skipped 0 (0 duplicates, 0 existing), failed 0"
    names = sorted(p.name for p in (project / "articles").glob("*.md"))
    assert names == ["jingfang-fabu-xiaji-anquan-tixing-2.md", "jingfang-fabu-xiaji-anquan-tixing.md"]
    bodies = {meta["imported_from"]: body for meta, body in articles(project / "articles").values()}
    assert "冒充客服" in bodies["a.txt"] and "防溺水" in bodies["b.txt"]


def test_a_different_article_with_the_same_title_in_a_later_run_imports_as_dash_2(project, capsys, tmp_path):
    first = write_pages(tmp_path / "first", {"a.txt": "警方发布夏季安全提醒\n近日,某某县公安局破获一起冒充客服诈骗案,"
                                                      "为群众挽回损失5万元。\n本文链接:http://example.org/news/1.html\n"})
    later = write_pages(tmp_path / "later", {"b.txt": "警方发布夏季安全提醒\n近日,某某区公安分局开展防溺水宣传,"
                                                      "走访沿河村庄12个。\n"})
    edited = write_pages(tmp_path / "edited", {"c.txt": "警方发布夏季安全提醒\n近日,某某县公安局破获一起冒充客服诈骗案,"
                                                        "为群众挽回损失5万余元。\n本文链接:http://example.org/news/1.html\n"})
    folder = project / "articles"
    assert main(["import", str(first)]) == 0
    assert main(["import", str(later)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == ["imported later/b.txt -> articles/jingfang-fabu-xiaji-anquan-tixing-2.md",
                        "    not stated in the page, left out: date, source, authors, url",
                        "imported 1, skipped 0 (0 duplicates, 0 existing), failed 0"]
    files = {p.name: p.read_bytes() for p in folder.glob("*.md")}
    assert sorted(files) == ["jingfang-fabu-xiaji-anquan-tixing-2.md", "jingfang-fabu-xiaji-anquan-tixing.md"]

    # The same article again (same text, or same url with edited text) is skipped, naming its file.
    assert main(["import", str(later)]) == 0
    assert main(["import", str(edited)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("skipped  later/b.txt: the same article (same text) is already imported as "
                      "(articles/jingfang-fabu-xiaji-anquan-tixing-2.md)")
    assert out[2] == ("skipped  edited/c.txt: the same article (same url) is already imported as "
                      "(articles/jingfang-fabu-xiaji-anquan-tixing.md)")
    assert {p.name: p.read_bytes() for p in folder.glob("*.md")} == files

    # --force replaces only the same article, in its own file.
    assert main(["import", str(edited), "--force"]) == 0
    assert main(["import", str(later), "--force"]) == 0
    assert capsys.readouterr().out.count("imported 1, skipped 0") == 2
    now = {p.name: p.read_bytes() for p in folder.glob("*.md")}
    assert sorted(now) == sorted(files)
    assert now["jingfang-fabu-xiaji-anquan-tixing-2.md"] == files["jingfang-fabu-xiaji-anquan-tixing-2.md"]
    assert "5万余元" in now["jingfang-fabu-xiaji-anquan-tixing.md"].decode("utf-8")


def test_a_skipped_duplicate_names_the_file_it_duplicates(project, capsys, tmp_path):
    text = "某某县开展禁毒宣传\n近日,某某县公安局在广场开展禁毒宣传活动,发放资料500余份。\n"
    raw = write_pages(tmp_path / "raw", {"a.txt": text, "b.txt": "平安某某网\n" + text})
    assert main(["import", str(raw)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "imported 1, skipped 1 (1 duplicates, 0 existing), failed 0"
    assert out[0] == "imported raw/a.txt -> articles/moumou-xian-kaizhan-jindu-xuanchuan.md"
    assert out[2] == ("skipped  raw/b.txt: the same article (same text) is already imported as "
                      "(articles/moumou-xian-kaizhan-jindu-xuanchuan.md)")


# ---- pages of one site ----

def test_lines_shared_by_three_pages_of_one_site_are_dropped(project, capsys, tmp_path):
    chrome_top, chrome_end = "某某警方在线 · 警务资讯频道", "平安某某 与您同行"
    stories = {"a.txt": ("某某县公安局开展夜间巡逻", "近日,某某县公安局组织警力开展夜间巡逻,检查重点场所20处。"),
               "b.txt": ("某某区交警整治电动车违法", "近日,某某区交警大队开展电动自行车违法专项整治,查处违法行为80起。"),
               "c.txt": ("某某派出所走访独居老人", "近日,某某派出所民警走访辖区独居老人,送去防骗宣传资料。")}
    pages = {name: f"{chrome_top}\n{title}\n{para}\n{chrome_end}\n" for name, (title, para) in stories.items()}
    alone = write_pages(tmp_path / "alone", {"a.txt": pages["a.txt"]})
    assert main(["import", str(alone), "--out", str(tmp_path / "out-alone")]) == 0
    assert chrome_end in articles(tmp_path / "out-alone")["a.txt"][1], "one page alone cannot show its chrome"

    batch = write_pages(tmp_path / "batch", pages)
    assert main(["import", str(batch)]) == 0
    got = articles(project / "articles")
    for name, (title, para) in stories.items():
        meta, body = got[name]
        assert meta["title"] == title
        assert body == para


def test_import_without_a_path_or_evaluate_says_what_to_give(project, capsys):
    assert main(["import"]) == 2
    assert capsys.readouterr().err.strip() == "import: error: give a raw file or folder to import (or --evaluate LABELS_DIR)"


def test_three_reports_under_one_headline_keep_it_as_their_title(project, tmp_path):
    """A headline that pages imported together share (a campaign's title) is not the site's chrome."""
    title = "某某县公安局开展夏季治安打击整治行动"
    pages = {f"p{i}.txt": f"{title}\n发布时间:2024-07-0{i}\n\n近日,某某县公安局组织民警在第{i}片区开展夏季治安巡查,"
                          f"检查重点场所{i}0处,整改隐患{i}处。\n" for i in (1, 2, 3)}
    assert main(["import", str(write_pages(tmp_path / "raw", pages))]) == 0
    got = articles(project / "articles")
    assert sorted(meta["title"] for meta, _ in got.values()) == [title] * 3
    assert sorted(str(meta["date"]) for meta, _ in got.values()) == ["2024-07-01", "2024-07-02", "2024-07-03"]
