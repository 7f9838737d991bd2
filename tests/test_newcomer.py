"""What a newcomer trips on: stable addresses, aliases, drafts, images, the ``new`` command,
Python-Markdown's extensions, and the small command-line faults."""
from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import struct
import threading
import zlib
from pathlib import Path

import feedparser
import pytest

from digestgen.cli import main

from conftest import ROOT, write
from sitecheck import broken_links, parse

BASE_URL = "https://example.org/digest/"


def png(width: int, height: int) -> bytes:
    """A small red PNG image."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def set_base_url(project: Path, url: str = BASE_URL) -> None:
    config = project / "digest.yaml"
    config.write_text(config.read_text("utf-8").replace('base_url: ""', f'base_url: "{url}"'), "utf-8")


def make_newcomer_project(root: Path) -> Path:
    """A project with a dated article with an image (in a folder named after it) and an alias,
    an undated article with a footnote and a table, and a draft."""
    for name in ("templates", "static"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "digest.yaml", root / "digest.yaml")
    set_base_url(root)
    articles = root / "articles"
    write(articles / "2022-03-01-hengnan-fanzha.md", """
        ---
        title: 衡南公安开展反诈宣传
        date: 2022-03-01
        region: 湖南省/衡阳市/衡南县
        aliases: [hengnan-old-address]
        ---

        衡南县公安局民警走进社区开展反诈宣传。

        ![宣传现场](photo.png)

        民警还发放了[宣传册](leaflet.pdf)。
        """)
    (articles / "2022-03-01-hengnan-fanzha").mkdir()
    (articles / "2022-03-01-hengnan-fanzha" / "photo.png").write_bytes(png(40, 30))
    (articles / "leaflet.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    write(articles / "undated.md", """
        ---
        title: 道县公安局推进农村警务
        region: 湖南省/永州市/道县
        ---

        道县公安局在乡镇推行一村一辅警[^1]。

        | 乡镇 | 辅警 |
        | --- | --- |
        | 祥霖铺镇 | 12 |

        要点
        {: .lead }

        [^1]: 每个行政村配备一名辅警。
        """)
    write(articles / "draft.md", """
        ---
        title: 尚未发布的草稿
        date: 2022-04-01
        region: 湖南省/衡阳市/衡南县
        draft: true
        ---

        衡南县公安局草稿正文。
        """)
    return root


@pytest.fixture(scope="module")
def newcomer_site(tmp_path_factory) -> Path:
    """The newcomer project built with --drafts."""
    root = make_newcomer_project(tmp_path_factory.mktemp("newcomer"))
    assert main(["build", "--config", str(root / "digest.yaml"), "--drafts", "--quiet"]) == 0
    return root / "site"


# ---- permalinks ----

def test_editing_the_title_leaves_the_address_unchanged(project, capsys):
    article = write(project / "articles" / "2022-01-24-yanchajiujia.md",
                    "---\ntitle: 严查酒驾醉驾\ndate: 2022-01-24\n---\n交警大队严查酒驾醉驾。\n")
    assert main(["build", "--quiet"]) == 0
    page = project / "site/articles/2022-01-24-yanchajiujia.html"
    assert page.is_file()
    article.write_text(article.read_text("utf-8").replace("严查酒驾醉驾\n", "屯昌严查酒驾醉驾\n", 1), "utf-8")
    assert main(["build", "--quiet"]) == 0
    assert parse(page).findtext(".//h1") == "屯昌严查酒驾醉驾"
    assert sorted(p.name for p in (project / "site/articles").glob("*.html")) == ["2022-01-24-yanchajiujia.html"]
    assert "warning" not in capsys.readouterr().err


def test_a_renamed_file_without_an_alias_is_a_warning(project, capsys):
    write(project / "articles" / "old-name.md", "---\ntitle: 衡南公安\ndate: 2022-01-24\n---\n正文。\n")
    assert main(["build", "--quiet"]) == 0
    capsys.readouterr()
    (project / "articles" / "old-name.md").rename(project / "articles" / "new-name.md")
    assert main(["build", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert ("articles/old-name.md: warning: the page articles/old-name.html of the previous build is gone (the file "
            "was renamed or removed); add 'aliases: [old-name]' to the article that replaces it, or ignore this if "
            "it was removed on purpose\n") in err
    assert main(["build", "--quiet", "--strict"]) == 1  # the report is repeated while nothing changes


def test_an_article_left_out_for_an_error_gets_no_second_message(project, capsys):
    article = write(project / "articles" / "a.md", "---\ntitle: 甲\ndate: 2022-01-24\n---\n正文。\n")
    assert main(["build", "--quiet"]) == 0
    capsys.readouterr()
    article.write_text("---\ntitle: 甲\ndate: 2月30日\n---\n正文。\n", "utf-8")
    assert main(["build", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "articles/a.md:3: error: date" in err and "articles/a.html" not in err


def test_a_new_slug_names_the_alias_to_add_and_the_alias_silences_it(project, capsys):
    article = write(project / "articles" / "a.md", "---\ntitle: 衡南公安\ndate: 2022-01-24\n---\n正文。\n")
    assert main(["build", "--quiet"]) == 0
    capsys.readouterr()
    article.write_text("---\ntitle: 衡南公安\ndate: 2022-01-24\nslug: hengnan\n---\n正文。\n", "utf-8")
    assert main(["build", "--quiet"]) == 0
    assert ("articles/a.md:4: warning: its address changed from articles/a.html to articles/hengnan.html, and "
            "links to the old one will break; add 'aliases: [a]' to its front matter\n") in capsys.readouterr().err
    article.write_text("---\ntitle: 衡南公安\ndate: 2022-01-24\nslug: hengnan\naliases: [a]\n---\n正文。\n", "utf-8")
    assert main(["build", "--quiet", "--strict"]) == 0
    redirect = parse(project / "site/articles/a.html")
    assert redirect.xpath("//meta[@http-equiv='refresh']/@content") == ["0; url=hengnan.html"]
    assert broken_links(project / "site") == []


def test_an_alias_that_is_a_live_address_makes_no_redirect(project, capsys):
    write(project / "articles" / "a.md", "---\ntitle: 甲\naliases: [b]\n---\n正文。\n")
    write(project / "articles" / "b.md", "---\ntitle: 乙\n---\n正文。\n")
    assert main(["build", "--quiet"]) == 0
    assert ("articles/a.md:3: warning: alias 'b' is the address of articles/b.md, so no redirect is made; "
            "remove it from aliases") in capsys.readouterr().err
    assert parse(project / "site/articles/b.html").findtext(".//h1") == "乙"


@pytest.mark.browser
def test_an_alias_redirects_from_disk(page, newcomer_site):
    page.goto((newcomer_site / "articles/hengnan-old-address.html").as_uri())
    page.wait_for_url("**/articles/2022-03-01-hengnan-fanzha.html")
    assert page.locator("h1").inner_text() == "衡南公安开展反诈宣传"


@pytest.fixture(scope="module")
def newcomer_served(newcomer_site):
    root = newcomer_site.parent
    (root / "digest").exists() or (root / "digest").symlink_to(newcomer_site, target_is_directory=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/digest/"
    server.shutdown()


@pytest.mark.browser
def test_an_alias_redirects_on_a_host_under_a_sub_path(page, newcomer_served):
    page.goto(newcomer_served + "articles/hengnan-old-address.html")
    page.wait_for_url(newcomer_served + "articles/2022-03-01-hengnan-fanzha.html")
    assert page.locator("h1").inner_text() == "衡南公安开展反诈宣传"


# ---- drafts ----

def test_drafts_left_out_are_counted(project, capsys):
    write(project / "articles" / "a.md", "---\ntitle: 甲\ndate: 2022-01-24\n---\n正文。\n")
    write(project / "articles" / "b.md", "---\ntitle: 乙\ndate: 2022-01-25\ndraft: true\n---\n正文。\n")
    assert main(["build"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("built 1 articles (1 draft left out; --drafts builds them): ")
    assert not (project / "site/articles/b.html").exists()


def test_a_draft_is_marked_and_kept_out_of_feeds_json_and_sitemap(newcomer_site):
    doc = parse(newcomer_site / "articles/draft.html")
    assert "草稿" in doc.xpath("//p[@class='draft-note']")[0].text_content()
    assert "草稿" in parse(newcomer_site / "index.html").xpath("//span[@class='draft-label']/text()")
    assert not parse(newcomer_site / "articles/2022-03-01-hengnan-fanzha.html").xpath("//p[@class='draft-note']")
    records = json.loads((newcomer_site / "data/articles.json").read_text("utf-8"))
    assert sorted(r["slug"] for r in records) == ["2022-03-01-hengnan-fanzha", "undated"]
    sitemap = (newcomer_site / "sitemap.xml").read_text("utf-8")
    assert "articles/2022-03-01-hengnan-fanzha.html" in sitemap
    assert "draft.html" not in sitemap and "hengnan-old-address" not in sitemap
    for feed_file in newcomer_site.rglob("feed.xml"):
        feed = feedparser.parse(feed_file.read_bytes())
        assert not feed.bozo, feed_file
        assert all("draft" not in e.link for e in feed.entries), feed_file


def test_feeds_have_one_title_and_each_entry_its_own_date(newcomer_site):
    feed = feedparser.parse((newcomer_site / "feed.xml").read_bytes())
    assert feed.feed.title == "警务新闻文摘"
    assert [(e.link, e.updated[:10]) for e in feed.entries] == [
        (BASE_URL + "articles/2022-03-01-hengnan-fanzha.html", "2022-03-01")]
    county = feedparser.parse((newcomer_site / "regions/hunan/hengyang/hengnan/feed.xml").read_bytes())
    assert county.feed.title == "衡南县 - 警务新闻文摘"


# ---- page assets ----

def test_a_local_image_and_file_are_copied_beside_the_page(newcomer_site):
    page = newcomer_site / "articles/2022-03-01-hengnan-fanzha.html"
    doc = parse(page)
    assert doc.xpath("//div[@class='body']//img/@src") == ["2022-03-01-hengnan-fanzha/photo.png"]
    assert doc.xpath("//div[@class='body']//a[text()='宣传册']/@href") == ["2022-03-01-hengnan-fanzha/leaflet.pdf"]
    assert (newcomer_site / "articles/2022-03-01-hengnan-fanzha/photo.png").read_bytes() == png(40, 30)
    assert (newcomer_site / "articles/2022-03-01-hengnan-fanzha/leaflet.pdf").is_file()
    assert broken_links(newcomer_site) == []


@pytest.mark.browser
@pytest.mark.parametrize("where", ["disk", "host"])
def test_a_local_image_shows_in_the_browser(page, newcomer_site, newcomer_served, where):
    start = (newcomer_site / "index.html").as_uri() if where == "disk" else newcomer_served
    page.goto(start + ("" if where == "disk" else "index.html"))
    page.get_by_role("link", name="衡南公安开展反诈宣传").first.click()
    img = page.locator("div.body img")
    img.wait_for()
    page.wait_for_function("document.querySelector('div.body img').complete")
    assert img.evaluate("el => [el.naturalWidth, el.naturalHeight]") == [40, 30]


def test_a_missing_image_is_a_warning_with_its_line(project, capsys):
    write(project / "articles" / "a.md", "---\ntitle: 甲\ndate: 2022-01-24\n---\n\n正文。\n\n![现场](missing.png)\n")
    assert main(["build", "--quiet"]) == 0
    assert ("articles/a.md:8: warning: image 'missing.png' not found beside the article or in a/; put the file there "
            "or fix the path\n") in capsys.readouterr().err


def test_a_remote_image_becomes_a_link_to_the_original(project):
    write(project / "articles" / "a.md", "---\ntitle: 甲\n---\n\n![现场照片](https://example.org/p.jpg)\n\n![]()\n")
    assert main(["build", "--quiet"]) == 0
    doc = parse(project / "site/articles/a.html")
    assert doc.xpath("//div[@class='body']//img") == []
    assert doc.xpath("//div[@class='body']//a[@class='remote-image']/@href") == ["https://example.org/p.jpg"]
    assert doc.xpath("//div[@class='body']//a[@class='remote-image']/text()") == ["现场照片(外部图片)"]


# ---- Python-Markdown ----

def test_footnotes_tables_and_attr_list_classes_survive_sanitising(newcomer_site):
    doc = parse(newcomer_site / "articles/undated.html")
    body = doc.xpath("//div[@class='body']")[0]
    assert body.xpath(".//table//td/text()") == ["祥霖铺镇", "12"]
    ref = body.xpath(".//sup/a/@href")
    assert len(ref) == 1 and body.xpath(f".//li[@id='{ref[0][1:]}']")[0].text_content().strip().startswith(
        "每个行政村配备一名辅警")
    assert body.xpath(".//p[@class='lead']/text()") == ["要点"]


def test_markdown_extensions_come_from_the_config(project):
    config = project / "digest.yaml"
    config.write_text(config.read_text("utf-8") + "markdown_extensions:\n  - admonition\n  - tables\n", "utf-8")
    write(project / "articles" / "a.md", "---\ntitle: 甲\n---\n\n!!! note \"提示\"\n    注意防骗。\n\n[^1]\n")
    assert main(["build", "--quiet"]) == 0
    body = parse(project / "site/articles/a.html").xpath("//div[@class='body']")[0]
    assert body.xpath(".//div[contains(@class,'admonition')]/p[@class='admonition-title']/text()") == ["提示"]
    assert body.xpath(".//sup") == []  # footnotes is not listed, so [^1] stays text


def test_an_unknown_markdown_extension_is_a_config_error(project, capsys):
    config = project / "digest.yaml"
    text = config.read_text("utf-8")
    config.write_text(text + "markdown_extensions:\n  - tables\n  - nosuchext\n", "utf-8")
    assert main(["build"]) == 2
    line = text.count("\n") + 3
    assert re.match(rf"digest\.yaml:{line}: error: markdown_extensions: Python-Markdown cannot load 'nosuchext' ",
                    capsys.readouterr().err)


# ---- the new command and --version ----

def test_new_writes_an_article_that_builds_cleanly_and_never_overwrites(project, capsys):
    set_base_url(project)
    assert main(["new", "衡南公安: 开展反诈宣传", "--region", "湖南/衡阳/衡南", "--date", "2022年3月1日"]) == 0
    path = project / "articles/2022-03-01-hengnan-gongan-kaizhan-fanzha-xuanchuan.md"
    assert capsys.readouterr().out == f"created {path.relative_to(project).as_posix()}\n"
    text = path.read_text("utf-8")
    assert text.startswith('---\ntitle: "衡南公安: 开展反诈宣传"\ndate: 2022-03-01\nregion: 湖南省/衡阳市/衡南县\n')
    assert main(["build", "--strict"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "1 articles: " in out and "; 0 warnings, 0 errors;" in out
    doc = parse(project / "site/articles/2022-03-01-hengnan-gongan-kaizhan-fanzha-xuanchuan.html")
    assert doc.findtext(".//h1") == "衡南公安: 开展反诈宣传"
    path.write_text(text + "\n我写的正文。\n", "utf-8")
    assert main(["new", "衡南公安: 开展反诈宣传", "--date", "2022-03-01"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert path.read_text("utf-8").endswith("我写的正文。\n")


def test_new_refuses_a_bad_date_or_an_unknown_region(project, capsys):
    assert main(["new", "标题", "--date", "2月30日"]) == 2
    assert main(["new", "标题", "--region", "火星省"]) == 2
    err = capsys.readouterr().err
    assert "--date '2月30日' is not a date" in err and "--region '火星省' is not a region" in err
    assert list((project / "articles").iterdir()) == []


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert re.fullmatch(r"digestgen \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


# ---- small command-line faults ----

def test_regions_explain_reads_a_file_outside_the_articles_folder(project, tmp_path_factory, capsys):
    outside = write(tmp_path_factory.mktemp("elsewhere") / "x.md",
                    "---\ntitle: 衡南县公安局开展反诈宣传\n---\n衡南县公安局民警走进社区。\n")
    assert main(["regions", "--explain", str(outside)]) == 0
    out = capsys.readouterr().out
    assert "region: 湖南省/衡阳市/衡南县 (detected" in out


# ---- search page ----

def test_the_search_page_has_the_same_header_and_one_no_javascript_message(shipped_site):
    def header(path):
        doc = parse(shipped_site / path)
        h = doc.xpath("//header[@class='site-header']")[0]
        return [(a.text, a.get("href").split("/")[-1]) for a in h.xpath(".//a")], h.xpath(".//form/@class")
    assert header("search.html") == header("404.html")
    doc = parse(shipped_site / "search.html")
    assert doc.xpath("//p[@id='search-status']")[0].text_content().strip() == ""
    assert "搜索需要启用 JavaScript" in doc.xpath("//noscript")[0].text_content()


@pytest.mark.browser
def test_search_results_show_dates_as_every_other_page_does(page, shipped_site):
    page.goto((shipped_site / "search.html").as_uri() + "?q=屋场恳谈")
    page.wait_for_selector("html[data-search-done]")
    assert page.locator("#search-results time").first.inner_text() == "2022年2月21日"


@pytest.mark.parametrize("which", ["shipped", "newcomer"])
def test_every_feed_parses_with_one_title(request, which):
    site = request.getfixturevalue("shipped_site" if which == "shipped" else "newcomer_site")
    feeds = sorted(site.rglob("feed.xml"))
    assert len(feeds) > 3
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.feed.title.count("警务新闻文摘") == 1, (path, feed.feed.title)
        assert len(re.findall(r"<title>", path.read_text("utf-8").split("<entry>")[0])) == 1
