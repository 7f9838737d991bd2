"""build.py import: the five real seed pages, a saved HTML page, encodings and the safety rules."""
import shutil
from pathlib import Path

import pytest
import yaml

from digestgen.analysis.markup import to_html, to_text
from digestgen.analysis.regions import place
from digestgen.cli import main
from digestgen.model import Region

from conftest import ROOT, write

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
HTML = Path(__file__).parent / "fixtures" / "import" / "qiyang-antifraud.html"
EXPECTED = yaml.safe_load((SEEDS / "expected.yaml").read_text("utf-8"))


def split(path: Path) -> tuple[dict, str]:
    _, fm, body = path.read_text("utf-8").split("---\n", 2)
    return yaml.safe_load(fm), body.strip()


def imported(project: Path) -> dict[str, Path]:
    """Imported article files by the raw file they came from."""
    return {split(p)[0]["imported_from"]: p for p in (project / "articles").glob("*.md")}


@pytest.fixture
def seeds_imported(project, capsys):
    assert main(["import", str(SEEDS)]) == 0
    capsys.readouterr()
    return imported(project)


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_every_field_a_careful_reader_finds_is_recovered(seeds_imported, seed):
    meta, body = split(seeds_imported[seed])
    want = EXPECTED[seed]
    for key in ("title", "subtitle", "source", "url"):
        assert meta.get(key) == want.get(key), key
    assert meta.get("authors", []) == want["authors"]
    assert (str(meta["date"])[:10] if "date" in meta else None) == (str(want["date"]) if want["date"] else None)
    assert "region" not in meta and "themes" not in meta, "region and themes are inferred at build time"
    region = want["region"]
    found, _, _ = place(Region(), meta.get("title") or "", to_text(to_html(body)), meta.get("source") or "")
    assert "/".join(found.names) == "/".join(v for v in (region["province"], region["city"], region["county"]) if v)
    for key in ("title", "subtitle", "date", "source", "url"):
        if not want.get(key):
            assert key not in meta, f"{key} is not in the page, so it must be left out"


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_the_body_is_the_article_and_nothing_else(seeds_imported, seed):
    _, body = split(seeds_imported[seed])
    want = EXPECTED[seed]
    assert body.startswith(want["body_start"])
    assert body.endswith(want["body_end"])
    for furniture in want["furniture"]:
        assert furniture not in body


def test_section_headings_become_markdown_headings(seeds_imported):
    _, body = split(seeds_imported["000_c8bd5857c6e71643.txt"])
    assert [line for line in body.splitlines() if line.startswith("#")] == [
        "## 坚持“党建+立体化+社会化” 最大限度整合力量", "## 坚持“屋场恳谈+警务+宣传” 最优途径防控风险",
        "## 坚持“县域警务+信息化+标准化” 最大力度强基固本"]
    _, body = split(seeds_imported["003_f247ac4fbf1459fe.txt"])
    assert [line for line in body.splitlines() if line.startswith("#")] == [
        "## 整合各方力量 健全乡村治理体系", "## 共建共治共享 打造社会治理新格局", "## 联动联防联破 提高打防工作成效"]
    assert "警力驻守街面,给群众满满的安全感。" not in body  # an image caption, not a paragraph


def test_the_shipped_articles_are_the_importers_output(seeds_imported):
    shipped = {p.name: p.read_bytes() for p in (ROOT / "articles").glob("*.md")}
    assert {p.name: p.read_bytes() for p in seeds_imported.values()} == shipped


def test_the_imported_seeds_build_without_warnings(seeds_imported, capsys):
    assert main(["build", "--strict"]) == 0
    out, err = capsys.readouterr()
    assert "0 warnings, 0 errors" in out
    assert "warning" not in err and "error" not in err


def test_the_report_names_what_each_page_did_not_state(project, capsys):
    assert main(["import", str(SEEDS / "002_060cbd5ddee0e6b3.txt")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"imported {SEEDS / '002_060cbd5ddee0e6b3.txt'} -> "
        "articles/jinnianyilai-xiangonganju-yi-tisheng-qunzhonganquangan-he.md",
        "    not stated in the page, left out: title, date, url",
        "imported 1, skipped 0 (0 duplicates, 0 existing), failed 0"]


def test_gb18030_and_crlf_files_import_the_same_as_utf8(project, tmp_path_factory, capsys):
    tmp_path = tmp_path_factory.mktemp("raw")
    raw = (SEEDS / "000_c8bd5857c6e71643.txt").read_text("utf-8")
    (tmp_path / "gbk").mkdir()
    (tmp_path / "gbk" / "000_c8bd5857c6e71643.txt").write_bytes(raw.encode("gb18030"))
    (tmp_path / "crlf").mkdir()
    (tmp_path / "crlf" / "000_c8bd5857c6e71643.txt").write_bytes(("\ufeff" + raw.replace("\n", "\r\n")).encode())
    outputs = []
    for folder in ("gbk", "crlf"):
        assert main(["import", str(tmp_path / folder), "--out", str(tmp_path / f"out-{folder}")]) == 0
        [article] = (tmp_path / f"out-{folder}").glob("*.md")
        outputs.append(article.read_bytes())
    assert outputs[0] == outputs[1] == (ROOT / "articles" / "2022-02-21-2021-nian-hengnan-gongan-yi-han.md").read_bytes()


def test_a_saved_html_page_keeps_only_its_article(project, capsys):
    assert main(["import", str(HTML)]) == 0
    meta, body = split(imported(project)["qiyang-antifraud.html"])
    assert meta == {
        "title": "祁阳警方“断卡”行动打掉一个电诈帮信团伙", "date": "2023-05-16 09:30", "source": "永州市公安局",
        "authors": ["唐志勇", "陈思"], "url": "https://gaj.yzcity.gov.cn/gaj/0201/202305/5f3a2b.shtml",
        "imported_from": "qiyang-antifraud.html"}
    assert body.startswith("近日,祁阳市公安局在“断卡”行动中成功打掉")
    assert body.endswith("否则将承担法律责任。")
    assert "## 深挖线索 锁定团伙" in body.splitlines()
    for furniture in ("当前位置", "热点新闻", "户籍业务办理指南", "分享到", "上一篇", "打印本页", "网站标识码", "ICP备",
                      "机构设置", "浏览次数", "zhuabu.jpg"):
        assert furniture not in body


def test_a_gbk_html_page_is_decoded_by_its_declared_charset(project, tmp_path_factory, capsys):
    tmp_path = tmp_path_factory.mktemp("raw")
    html = HTML.read_text("utf-8").replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" '
                                                                      'content="text/html; charset=gb2312">')
    (tmp_path / "page.htm").write_bytes(html.encode("gb18030"))
    assert main(["import", str(tmp_path / "page.htm")]) == 0
    meta, body = split(imported(project)["page.htm"])
    assert meta["title"] == "祁阳警方“断卡”行动打掉一个电诈帮信团伙"
    assert "专案组民警通过大数据分析" in body


def test_empty_and_binary_files_fail_clearly_and_write_nothing(project, capsys):
    raw = project / "raw"
    raw.mkdir()
    (raw / "empty.txt").write_bytes(b"")
    (raw / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (raw / "latin.txt").write_bytes(bytes(range(128, 256)) * 4)
    assert main(["import", "raw"]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "failed   raw/empty.txt: the file is empty",
        "failed   raw/latin.txt: could not decode it as UTF-8 or GB18030; save it as UTF-8 and import it again",
        "failed   raw/photo.html: not a text file (it holds binary data)"]
    assert out.splitlines()[-1] == "imported 0, skipped 0 (0 duplicates, 0 existing), failed 3"
    assert list((project / "articles").iterdir()) == []


def test_importing_again_skips_duplicates_and_force_rewrites_identically(seeds_imported, capsys):
    before = {p.name: p.read_bytes() for p in seeds_imported.values()}
    assert main(["import", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "imported 0, skipped 5 (5 duplicates, 0 existing), failed 0"
    assert main(["import", str(SEEDS), "--force"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "imported 5, skipped 0 (0 duplicates, 0 existing), failed 0"
    assert {p.name: p.read_bytes() for p in (seeds_imported["000_c8bd5857c6e71643.txt"].parent).glob("*.md")} == before


def test_an_existing_file_of_another_article_is_never_overwritten_even_with_force(project, capsys):
    target = write(project / "articles" / "2022-02-21-2021-nian-hengnan-gongan-yi-han.md", "---\ntitle: 我写的\n---\n我的正文\n")
    for args in ([], ["--force"]):
        assert main(["import", str(SEEDS / "000_c8bd5857c6e71643.txt"), *args]) == 0
        assert target.read_text("utf-8") == "---\ntitle: 我写的\n---\n我的正文\n"
    out = capsys.readouterr().out.splitlines()
    targets = [line.split(" -> ")[1] for line in out if line.startswith("imported ") and " -> " in line]
    assert targets == ["articles/2022-02-21-2021-nian-hengnan-gongan-yi-han-2.md"] * 2, out
    assert sorted(p.name for p in (project / "articles").iterdir()) == [
        "2022-02-21-2021-nian-hengnan-gongan-yi-han-2.md", "2022-02-21-2021-nian-hengnan-gongan-yi-han.md"]


def test_dry_run_reports_and_writes_nothing(project, capsys):
    assert main(["import", str(SEEDS), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.count("would import ") == 5
    assert out.splitlines()[-1] == "dry run: imported 5, skipped 0 (0 duplicates, 0 existing), failed 0"
    assert list((project / "articles").iterdir()) == []


def test_the_same_article_twice_in_one_batch_is_a_duplicate(project, capsys):
    (project / "raw").mkdir()
    shutil.copy(SEEDS / "000_c8bd5857c6e71643.txt", project / "raw" / "a.txt")
    shutil.copy(SEEDS / "000_c8bd5857c6e71643.txt", project / "raw" / "b.txt")
    assert main(["import", "raw"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "imported 1, skipped 1 (1 duplicates, 0 existing), failed 0"
