import contextlib
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from digestgen.config import load_config
from digestgen.load.articles import load_articles
from digestgen.model import Region

from conftest import ROOT, write

BROKEN = Path(__file__).parent / "broken"
THEMES = {t.id: t.name for t in load_config(ROOT / "digest.yaml").themes}


def load(project: Path, drafts: bool = False):
    return load_articles(project / "articles", THEMES, drafts=drafts, display_root=project)


@pytest.mark.parametrize("case", sorted(p.name for p in BROKEN.iterdir()))
def test_each_broken_article_gets_its_exact_message_and_is_left_out(project, case):
    (project / "articles" / "article.md").write_bytes((BROKEN / case / "article.md").read_bytes())
    write(project / "articles" / "good.md", "---\ntitle: 好文章\n---\n\n正文。\n")
    loaded = load(project)
    assert [str(p) for p in loaded.problems] == (BROKEN / case / "expected.txt").read_text("utf-8").splitlines()
    assert [a.source_file for a in loaded.articles] == ["good.md"]
    assert loaded.failed == 1


def test_every_mistake_in_one_file_is_reported_at_once(project):
    write(project / "articles" / "x.md", """
        ---
        title: 测试
        date: 昨天
        url: www.example.org
        colour: red
        ---
        正文。
        """)
    assert [str(p) for p in load(project).problems] == [
        "articles/x.md:5: error: unknown field 'colour'; known fields: title, subtitle, date, source, url, "
        "authors, region, themes, tags, slug, aliases, summary, draft, imported_from",
        "articles/x.md:3: error: date '昨天' is not a date; write it as 2022-02-21 or 2022-02-21 12:09",
        "articles/x.md:4: error: url 'www.example.org' is not a web address; write the full address starting "
        "with http:// or https://",
    ]


def test_a_file_that_is_not_utf8_is_reported(project):
    (project / "articles" / "gbk.md").write_bytes("---\ntitle: 衡南公安\n---\n正文\n".encode("gb18030"))
    assert [str(p) for p in load(project).problems] == [
        "articles/gbk.md: error: not valid UTF-8 (byte 11); save the file as UTF-8"]


@pytest.mark.parametrize("raw, expected, has_time", [
    ("2022-02-21", dt.datetime(2022, 2, 21), False),
    ("'2022-02-21'", dt.datetime(2022, 2, 21), False),
    ("2022-02-21 12:09", dt.datetime(2022, 2, 21, 12, 9), True),
    ("'2022-02-21 12:09:02'", dt.datetime(2022, 2, 21, 12, 9, 2), True),
    ("2022/6/21", dt.datetime(2022, 6, 21), False),
    ("2022年2月21日", dt.datetime(2022, 2, 21), False),
    ("2022年6月21日 11:45", dt.datetime(2022, 6, 21, 11, 45), True),
])
def test_dates_are_read_in_the_forms_news_sites_use(project, raw, expected, has_time):
    write(project / "articles" / "a.md", f"---\ntitle: t\ndate: {raw}\n---\nx\n")
    [article] = load(project).articles
    assert (article.date, article.has_time) == (expected, has_time)


def test_regions_lists_and_themes_accept_their_short_forms(project):
    write(project / "articles" / "a.md", """
        ---
        title: 衡南公安
        region: 湖南省 / 衡阳市 / 衡南县
        authors: 程建铭, 宋美君
        tags: 反诈、雪亮工程
        themes: 反诈, community-policing
        ---
        正文
        """)
    write(project / "articles" / "b.md", """
        ---
        title: 襄阳公安
        region: {province: 湖北省, city: 襄阳市}
        authors: [江卉, 许旷]
        ---
        正文
        """)
    a, b = load(project).articles
    assert a.region == Region("湖南省", "衡阳市", "衡南县")
    assert a.authors == ("程建铭", "宋美君")
    assert a.tags == ("反诈", "雪亮工程")
    assert a.themes == ("anti-fraud", "community-policing")
    assert a.body_line == 8
    assert b.region == Region("湖北省", "襄阳市", None)
    assert b.authors == ("江卉", "许旷")


def test_a_municipal_district_needs_no_city(project):
    write(project / "articles" / "a.md", "---\ntitle: t\nregion: {province: 北京市, county: 朝阳区}\n---\nx\n")
    [article] = load(project).articles
    assert article.region.names == ("北京市", "朝阳区")


def test_drafts_are_left_out_unless_asked_for(project):
    write(project / "articles" / "draft.md", "---\ntitle: 草稿\ndraft: true\n---\nx\n")
    write(project / "articles" / "done.md", "---\ntitle: 定稿\n---\nx\n")
    assert [a.title for a in load(project).articles] == ["定稿"]
    assert load(project).drafts == 1
    assert [a.title for a in load(project, drafts=True).articles] == ["定稿", "草稿"]


def test_a_file_without_front_matter_is_all_body(project):
    write(project / "articles" / "plain.md", "衡南县公安局建成反电诈中心。\n")
    [article] = load(project).articles
    assert article.title is None
    assert article.body == "衡南县公安局建成反电诈中心。\n"
    assert article.body_line == 1


def test_crlf_and_bom_are_accepted(project):
    (project / "articles" / "win.md").write_bytes("\ufeff---\r\ntitle: 测试\r\ndate: 2022-02-21\r\n---\r\n正文\r\n"
                                                  .encode("utf-8"))
    [article] = load(project).articles
    assert (article.title, article.date, article.body) == ("测试", dt.datetime(2022, 2, 21), "正文\n")


def test_the_shipped_articles_load_without_problems():
    loaded = load_articles(ROOT / "articles", THEMES, display_root=ROOT)
    assert loaded.problems == []
    assert len(loaded.articles) == 5


def test_files_parsed_over_several_processes_load_as_in_one(project, monkeypatch):
    """Many files to parse are parsed over the cores: the articles, their order, every problem and
    the records kept for the next build are those of a parse in one process."""
    import digestgen.load.articles as articles_module
    from digestgen.load import memo
    from digestgen.state import Records

    for n, case in enumerate(sorted(p.name for p in BROKEN.iterdir())):
        (project / "articles" / f"b{n:02d}.md").write_bytes((BROKEN / case / "article.md").read_bytes())
    for n, shipped in enumerate(sorted((ROOT / "articles").glob("*.md"))):
        (project / "articles" / "sub").mkdir(exist_ok=True)
        (project / "articles" / "sub" / f"s{n}.md").write_bytes(shipped.read_bytes())
    (project / "articles" / "gbk.md").write_bytes("---\ntitle: 衡南公安\n---\n正文\n".encode("gb18030"))
    (project / "articles" / "dup.md").write_bytes((ROOT / "articles" / sorted(
        p.name for p in (ROOT / "articles").glob("*.md"))[0]).read_bytes())

    def loaded_with(jobs: int, name: str):
        records = Records(project / f"{name}.sqlite", memo.TABLE, memo.VERSION)
        try:
            loaded = load_articles(project / "articles", THEMES, display_root=project, records=records,
                                   salt="s", jobs=jobs)
        finally:
            records.close()
        with contextlib.closing(sqlite3.connect(project / f"{name}.sqlite")) as db:
            rows = sorted(db.execute(f"SELECT key, value FROM {memo.TABLE}").fetchall())
        return loaded, rows

    one, one_rows = loaded_with(1, "one")
    monkeypatch.setattr(articles_module, "PARALLEL_PARSE", 2)
    two, two_rows = loaded_with(2, "two")
    assert len(one.articles) >= 5 and one.failed >= 10
    assert two.articles == one.articles
    assert [str(p) for p in two.problems] == [str(p) for p in one.problems]
    assert (two.failed, two.drafts) == (one.failed, one.drafts)
    assert two_rows == one_rows and len(one_rows) >= 15
    # Then most files are known from the records and a few, edited, are parsed again among them.
    for edited in sorted((project / "articles" / "sub").glob("*.md"))[::2]:
        edited.write_text(edited.read_text("utf-8") + "\n补充一段。\n", "utf-8")
    monkeypatch.setattr(articles_module, "PARALLEL_PARSE", 10_000)
    one_again, one_rows = loaded_with(1, "one")
    monkeypatch.setattr(articles_module, "PARALLEL_PARSE", 2)
    two_again, two_rows = loaded_with(2, "two")
    assert two_again.articles == one_again.articles != one.articles
    assert [str(p) for p in two_again.problems] == [str(p) for p in one_again.problems]
    assert two_rows == one_rows


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="counts the process's memory mappings (Linux)")
def test_reading_many_articles_does_not_take_a_memory_mapping_each(tmp_path):
    """Each file was read into a buffer of the size limit (5 MB), which the C library serves with a
    memory mapping of its own, kept (shrunk) with the bytes: a process may have 65,530 mappings, and
    a build of 100,000 articles failed with "Cannot allocate memory"."""
    from digestgen.load.articles import _read

    def mappings() -> int:
        return len(Path("/proc/self/maps").read_text().splitlines())

    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(1500):
        (folder / f"a{n}.md").write_text(f"---\ntitle: 第{n}篇\n---\n\n民警走访群众。\n" * 3, "utf-8")
    before = mappings()
    kept = [_read(folder / f"a{n}.md", folder) for n in range(1500)]
    assert mappings() - before < 100
    assert kept[7] == (folder / "a7.md").read_bytes()


def test_an_article_that_grows_while_it_is_read_is_read_whole(tmp_path, monkeypatch):
    import os
    import digestgen.load.articles as articles_module

    path = tmp_path / "a.md"
    path.write_text("---\ntitle: 长文\n---\n\n" + "民警走访群众。" * 500, "utf-8")
    real = os.fstat

    def smaller(fd):  # the size the file had a moment before it was written to
        info = real(fd)
        return os.stat_result((info.st_mode, info.st_ino, info.st_dev, info.st_nlink, info.st_uid, info.st_gid,
                               100, info.st_atime, info.st_mtime, info.st_ctime))

    monkeypatch.setattr(articles_module.os, "fstat", smaller)
    assert articles_module._read(path, tmp_path) == path.read_bytes()
