import hashlib
import re
import subprocess
import sys

import pytest

from digestgen.cli import main

from conftest import ROOT, write


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def good_article(project, name="good.md", title="衡南公安推进反诈宣传"):
    return write(project / "articles" / name,
                 f"---\ntitle: {title}\ndate: 2022-02-21\nregion: 湖南省/衡阳市/衡南县\n---\n反诈中心开展反诈宣传。\n")


def set_base_url(project, url="https://example.org/digest/"):
    config = project / "digest.yaml"
    config.write_text(config.read_text("utf-8").replace('base_url: ""', f'base_url: "{url}"'), "utf-8")


def test_a_clean_build_prints_one_summary_line(project, capsys):
    good_article(project)
    set_base_url(project)
    assert main([]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert re.fullmatch(r"built 1 articles: \d+ pages, \d+ files written; 0 warnings, 0 errors; \d+\.\d s\n", out)


def test_quiet_keeps_only_the_problems(project, capsys):
    good_article(project)
    set_base_url(project)
    write(project / "articles" / "untitled.md", "---\ndate: 2022-03-01\n---\n县公安局开展禁毒宣传。\n")
    assert main(["build", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("articles/untitled.md:1: warning: no title; the pages show '县公安局开展禁毒宣传' "
                   "(its first sentence); add 'title:' to the front matter\n"
                   "articles/untitled.md:1: note: no region found in the text; add 'region:' to the front matter\n")
    assert main(["build", "--quiet", "--strict"]) == 1


def test_a_broken_article_is_reported_and_the_others_still_build(project, capsys):
    good_article(project)
    set_base_url(project)
    write(project / "articles" / "broken.md", "---\ntitle: 坏文章\ndate: 2月30日\n---\n正文\n")
    assert main(["build"]) == 1
    out, err = capsys.readouterr()
    assert err == ("articles/broken.md:3: error: date '2月30日' is not a date; write it as 2022-02-21 "
                   "or 2022-02-21 12:09\n")
    assert "built 1 articles" in out and "1 errors" in out
    assert len(list((project / "site" / "articles").glob("*.html"))) == 1


def test_a_failing_build_leaves_the_previous_site_untouched(project, capsys):
    good_article(project)
    assert main(["build", "--quiet"]) == 0
    before = snapshot(project / "site")
    good_article(project, "second.md", "第二篇")
    (project / "templates" / "article.html").write_text("{% extends 'base.html' %}{% block main %}{{ nope }}"
                                                          "{% endblock %}", "utf-8")
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert "article.html" in err and "'nope' is undefined" in err
    assert err.endswith("build stopped; the site was not changed\n")
    assert snapshot(project / "site") == before
    assert sorted(p.name for p in project.iterdir()) == [".digestgen-cache", "articles", "digest.yaml", "site", "static",
                                                         "templates"]


def test_a_config_error_stops_the_build_before_anything_is_written(project, capsys):
    good_article(project)
    (project / "digest.yaml").write_text("title: 测试\npage_size: 0\nthemes: []\n", "utf-8")
    assert main(["build"]) == 2
    assert capsys.readouterr().err == (
        "digest.yaml:2: error: 'page_size' must be greater than 0, got 0\n"
        "digest.yaml:3: error: 'themes' must list at least one theme\n"
        "build stopped: fix the config file; the site was not changed\n")
    assert not (project / "site").exists()


@pytest.mark.parametrize("out", [".", "articles", "templates", "static", "articles/site", ".."])
def test_the_output_folder_may_not_overlap_the_project(project, capsys, out):
    good_article(project)
    before = snapshot(project)
    assert main(["build", "--out", out]) == 2
    assert "refusing to write the site to" in capsys.readouterr().err
    assert snapshot(project) == before


def test_a_folder_digestgen_did_not_make_is_never_replaced(project, capsys):
    good_article(project)
    write(project / "mine" / "notes.txt", "my notes")
    assert main(["build", "--out", "mine"]) == 2
    assert "already holds files that digestgen did not write" in capsys.readouterr().err
    assert (project / "mine" / "notes.txt").read_text() == "my notes"


def test_drafts_build_only_when_asked(project):
    good_article(project)
    write(project / "articles" / "draft.md", "---\ntitle: 草稿\ndraft: true\n---\n正文\n")
    assert main(["build", "--quiet"]) == 0
    assert len(list((project / "site/articles").glob("*.html"))) == 1
    assert main(["build", "--quiet", "--drafts"]) == 0
    assert len(list((project / "site/articles").glob("*.html"))) == 2


def test_other_folders_can_be_given_on_the_command_line(project, tmp_path):
    write(tmp_path / "elsewhere" / "x.md", "---\ntitle: 别处的文章\n---\n正文\n")
    assert main(["build", "--quiet", "--articles", str(tmp_path / "elsewhere"), "--out", str(tmp_path / "out")]) == 0
    assert "别处的文章" in (tmp_path / "out" / "index.html").read_text("utf-8")


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"]])
def test_every_command_has_help(args):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0
    assert "usage:" in result.stdout and "build" in result.stdout


def test_build_py_builds_the_shipped_articles(tmp_path):
    result = subprocess.run([sys.executable, "build.py", "--out", str(tmp_path / "site")], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built 5 articles: ")
    assert (tmp_path / "site" / "index.html").is_file()


def test_regions_explain_prints_the_decision_and_the_evidence(project, capsys):
    write(project / "articles" / "a.md", "---\ntitle: 衡南公安推进县域警务\n---\n衡阳报道\n\n衡南县公安局民警深入村组。\n")
    write(project / "articles" / "b.md", "---\ntitle: 道县\nregion: 湖南省/永州市/道县\n---\n正文\n")
    assert main(["regions"]) == 0
    assert capsys.readouterr().out == ("articles/a.md: 湖南省/衡阳市/衡南县 (detected, 1.00)\n"
                                       "articles/b.md: 湖南省/永州市/道县 (front matter)\n")
    assert main(["regions", "--explain", "articles/a.md"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("articles/a.md\n  front matter: (none)\n  region: 湖南省/衡阳市/衡南县 (detected, "
                          "confidence 1.00)\n  decision:\n    湖南省: 22 of 22 (100%)\n")
    assert "    title  衡南 police ×1 15 -> 湖南省/衡阳市/衡南县\n" in out
    assert "articles/b.md" not in out


def test_feeds_without_base_url_are_pointed_out(project, capsys):
    good_article(project)
    assert main([]) == 0
    err = capsys.readouterr().err
    assert re.fullmatch(r"digest\.yaml:\d+: note: base_url is empty, so the \d+ Atom feeds link to articles relative "
                        r"to the feed file, .* set base_url to the published address .*\n", err)
