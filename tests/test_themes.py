"""Theme assignment measured against readers' labels: the five seeds and a labelled set."""
from pathlib import Path

import yaml

from digestgen.cli import main
from digestgen.config import load_config
from digestgen.load.articles import load_articles
from digestgen.analysis.markup import to_html, to_text
from digestgen.analysis.themes import evaluate

from conftest import ROOT

CONFIG = load_config(ROOT / "digest.yaml")
FIXTURES = Path(__file__).parent / "fixtures"


def seed_items():
    """The shipped articles' text (not their front matter) with the themes in expected.yaml."""
    expected = yaml.safe_load((FIXTURES / "seeds" / "expected.yaml").read_text("utf-8"))
    by_source = {a.imported_from: a for a in load_articles(ROOT / "articles", {t.id: t.name for t in CONFIG.themes},
                                                           display_root=ROOT).articles}
    return [(by_source[name].title or "", to_text(to_html(by_source[name].body)), set(record["themes"]))
            for name, record in expected.items()]


def test_themes_of_the_seeds_agree_with_a_careful_reader():
    scores = evaluate(seed_items(), CONFIG)
    assert scores.items == 5
    assert scores.precision >= 0.8 and scores.recall >= 0.8, scores


def test_themes_of_the_labelled_set():
    items = yaml.safe_load((FIXTURES / "themes_labelled.yaml").read_text("utf-8"))
    assert len(items) >= 30
    for theme in CONFIG.themes:
        assert sum(theme.id in i["themes"] for i in items) >= 3, theme.id
    scores = evaluate([(i["title"], i["text"], set(i["themes"])) for i in items], CONFIG)
    assert scores.precision >= 0.9 and scores.recall >= 0.85, scores


def test_the_evaluate_command_prints_the_figures(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["themes", "--evaluate", "tests/fixtures/themes_labelled.yaml"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("39 labelled items: precision 0.")
    assert out[1].split()[:2] == ["anti-fraud", "反诈"] and len(out) == 16


def test_explain_says_which_keywords_gave_each_theme(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["themes", "articles/2022-06-21-dao-xian-da-hao-zuhequan-cu.md"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "articles/2022-06-21-dao-xian-da-hao-zuhequan-cu.md"
    assert not any(line.startswith("  front matter:") for line in out)  # imported: themes found at build time
    assert out[1].startswith("  rural-policing (农村警务): 26, kept: 农村警务×1 (title ×1), ")
    assert any(line.startswith("  economic-crime (经济犯罪): 3, below 4: ") for line in out)


def test_a_keyword_inside_a_job_title_is_not_evidence(project, capsys):
    from conftest import write
    write(project / "articles" / "a.md", """
        ---
        title: 县公安局开展禁毒宣传
        ---
        县公安局党委书记、局长带队走进校园开展禁毒宣传,讲解毒品危害,发放禁毒宣传资料。党委副书记、政委参加。
        """)
    assert main(["themes", "articles/a.md"]) == 0
    out = capsys.readouterr().out
    assert "  drug-control (禁毒): " in out and "party-building" not in out
    from digestgen.analysis.themes import assign_themes
    assert "party-building" not in assign_themes("县公安局开展禁毒宣传",
                                                 "县公安局党委书记、局长带队开展禁毒宣传。党委副书记、政委参加。", CONFIG)


def test_an_article_with_content_gets_its_strongest_theme_and_explain_says_why(project, capsys):
    from conftest import write
    write(project / "articles" / "b.md", """
        ---
        title: 民警走进校园
        ---
        民警走进学校,向师生讲解防范电信诈骗的知识,提醒大家提高警惕。
        """)
    assert main(["themes", "articles/b.md"]) == 0
    out = capsys.readouterr().out
    assert "anti-fraud (反诈): 1, kept as the strongest theme" in out
