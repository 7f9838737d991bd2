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
    assert main(["build"]) == 0
    capsys.readouterr()
    [page] = [p for p in (project / "site").rglob("*.html") if "夏夜治安巡查" in p.read_text("utf-8")
              and "<h1" in p.read_text("utf-8") and p.parent.name != "site"][:1]
    html = page.read_text("utf-8")
    h1 = html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "近日,某某县公安局开展夏夜治安巡查宣防集中统一行动" in h1
    assert "记者" not in h1 and "某某网讯" not in h1


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
