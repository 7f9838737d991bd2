"""The analysis measured on the labelled real pages of ../shared/devset, imported as a user would,
and the `evaluate` and `tags --review` commands."""
import pytest

from digestgen.evaluate import evaluate
from digestgen.cli import main
from digestgen.config import load_config

from conftest import ROOT, write

DEVSET = ROOT.parent / "shared" / "devset"
needs_devset = pytest.mark.skipif(not (DEVSET / "expected").is_dir(), reason="../shared/devset is not there")


@pytest.fixture(scope="module")
def report():
    return evaluate(DEVSET, load_config(ROOT / "digest.yaml"))


@needs_devset
def test_every_labelled_page_is_imported_and_scored(report):
    assert report.labelled == 40 and not report.not_imported


@needs_devset
def test_regions_never_cross_a_province_and_are_exact_on_most_pages(report):
    assert report.region["wrong-province"] == 0, report.region_misses
    # The issue asks for 90%: 37 of 40 are exact, the rest stop short or abstain.
    assert report.region_exact >= 0.90, report.region_misses


@needs_devset
def test_themes_reach_the_targets(report):
    assert report.theme_f1 >= 0.85 and report.theme_recall >= 0.80, report.theme_misses
    assert report.primary_accuracy >= 0.80, report.theme_misses
    assert report.no_theme == []


@needs_devset
def test_key_figures_reach_the_targets(report):
    assert report.figure_recall >= 0.85 and report.figure_precision >= 0.90, report.figure_misses


@needs_devset
def test_no_tag_comes_from_the_page_furniture(report):
    assert report.furniture_tags == []


@needs_devset
def test_the_command_prints_the_figures_and_a_line_per_miss(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["evaluate", str(DEVSET), "--only", "d001", "d002", "d003"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "3 labelled pages"
    assert out[1].startswith("region: exact ") and "wrong province 0" in out[1]
    assert out[2].startswith("themes: precision ") and "primary right " in out[2]
    assert out[3].startswith("key figures: recall ")
    # a miss is named with its page (d001's only figure is in a paragraph the page's import loses)
    misses = [line for line in out if line.startswith("  d0")]
    assert all(line.split(":")[0].strip() in ("d001", "d002", "d003") for line in misses)


def test_a_folder_that_is_not_a_labels_folder_is_an_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["evaluate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{tmp_path}: error: a labels folder holds raw/") and "Traceback" not in err


def test_a_broken_label_is_reported_with_its_line(tmp_path, capsys, monkeypatch):
    (tmp_path / "raw").mkdir()
    (tmp_path / "expected").mkdir()
    (tmp_path / "raw" / "x.txt").write_text("民警开展宣传。", encoding="utf-8")
    (tmp_path / "expected" / "x.yaml").write_text("id: x\nthemes: [a\n", encoding="utf-8")
    monkeypatch.chdir(ROOT)
    assert main(["evaluate", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"{tmp_path / 'expected' / 'x.yaml'}:3: error: not valid YAML")


def test_tags_review_lists_each_tag_with_its_count_and_why(project, capsys):
    text = "民警开展“一村一辅警”工作,辅警走村入户。电信网络诈骗案件下降,辅警协助劝阻电信网络诈骗。"
    write(project / "articles" / "a.md", f"---\ntitle: 辅警守护乡村\n---\n{text}\n")
    write(project / "articles" / "b.md", f"---\ntitle: 打击电信网络诈骗\n---\n{text}\n")
    assert main(["tags", "--review"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert " tags on 2 articles (tag, articles, why picked)" in out[0]
    rows = {line.split("\t")[0].strip(): line.split("\t")[1:] for line in out[1:]}
    assert rows["电信网络诈骗"] == ["2", "police-work dictionary; in the title"]
    assert rows["辅警"] == ["1", "in the title"]
    # on the other article 辅警 is left out for the longer 一村一辅警, which holds it
    assert rows["一村一辅警"][0] == "1"
    assert next(iter(rows)) == "电信网络诈骗"  # most used first


def test_furniture_media_names_generic_words_and_the_editor_stop_list_are_never_tags(project):
    from digestgen.analysis.analyse import analyse
    from digestgen.load.articles import load_articles
    config_text = (project / "digest.yaml").read_text("utf-8") + "\ntag_stopwords: [辅警]\n"
    (project / "digest.yaml").write_text(config_text, encoding="utf-8")
    body = ("东北网 > 要闻 > 正文\n来源:某某日报 编辑:王某\n"
            "新闻网记者从现场获悉,民警和辅警开展电信网络诈骗防范宣传。现场资料显示,电信网络诈骗高发,大爷大爷都来听讲。辅警讲解案例。\n"
            "全部评论 网友评论 扫一扫 分享到朋友圈\n")
    write(project / "articles" / "a.md", f"---\ntitle: 反诈宣传进社区\n---\n{body}")
    config = load_config(project / "digest.yaml")
    loaded = load_articles(project / "articles", {t.id: t.name for t in config.themes})
    [a], _ = analyse(loaded.articles, config)
    assert "电信网络诈骗" in a.tags
    for never in ("东北网", "要闻", "正文", "日报", "新闻网", "现场", "资料", "大爷", "评论", "扫一扫", "辅警", "反诈"):
        assert never not in a.tags, (never, a.tags)


def test_a_shorter_tag_folds_into_the_longer_one_its_articles_speak_of():
    from digestgen.analysis.tagging import fold_fragments
    fold = fold_fragments([("反诈中心",), ("反诈",), ("反诈",)],
                          ["国家反诈中心", "反诈中心民警宣讲", "反诈宣传,反诈提醒"])
    assert fold == {}  # the third article speaks of 反诈 alone
    fold = fold_fragments([("反诈中心",), ("反诈",)], ["国家反诈中心", "反诈中心民警宣讲反诈知识"])
    assert fold == {"反诈": "反诈中心"}
