import datetime as dt
import posixpath
import json
from pathlib import Path

import feedparser
import pytest
import yaml

from digestgen.cli import main

from conftest import ROOT, write
from sitecheck import broken_links, external_resources, pages, parse

SEED_LABELS = yaml.safe_load((ROOT / "tests" / "fixtures" / "seeds" / "expected.yaml").read_text("utf-8"))

HENGNAN = "articles/2022-02-21-2021-nian-hengnan-gongan-yi-han.html"


@pytest.mark.parametrize("path", [
    "index.html", "404.html", HENGNAN,
    "regions/index.html", "regions/hunan/index.html", "regions/hunan/hengyang/index.html",
    "regions/hunan/hengyang/hengnan/index.html", "regions/guangxi/laibin/xiangzhou/index.html",
    "themes/index.html", "themes/anti-fraud/index.html", "themes/publicity/index.html",
    "tags/index.html", "tags/fanzhazhongxin/index.html",
    "archive/index.html", "archive/2022/index.html", "archive/2022/02/index.html", "archive/2022/06/index.html",
    "archive/undated/index.html",
    "feed.xml", "regions/hunan/feed.xml", "regions/hunan/hengyang/hengnan/feed.xml", "themes/anti-fraud/feed.xml",
    "data/articles.json", "static/style.css",
])
def test_every_page_kind_is_built_for_the_shipped_articles(shipped_site, path):
    assert (shipped_site / path).is_file()


def test_every_link_in_every_page_resolves_to_a_file_of_the_site(shipped_site):
    assert len(pages(shipped_site)) > 50
    assert broken_links(shipped_site) == []


def test_no_page_loads_anything_from_the_network(shipped_site):
    assert external_resources(shipped_site) == []


def test_every_page_is_chinese_with_one_heading_and_a_skip_link(shipped_site):
    for page in pages(shipped_site):
        doc = parse(page)
        assert doc.get("lang") == "zh-CN", page
        assert len(doc.findall(".//h1")) == 1, page
        assert doc.xpath("//a[@class='skip-link']/@href") == ["#main"], page
        assert doc.xpath("//meta[@name='viewport']"), page


def test_the_article_page_shows_everything_the_front_matter_says(shipped_site):
    doc = parse(shipped_site / HENGNAN)
    assert doc.findtext(".//h1") == "2021年,衡南公安以“含新量”提升县域警务“含金量”"
    facts = " ".join(doc.xpath("//dl[@class='facts']")[0].text_content().split())
    assert "2022年2月21日" in facts and "程建铭、宋美君" in facts
    assert doc.xpath("//dl[@class='facts']//a[text()='红网']/@href") == [
        "https://hn.rednet.cn/content/2022/02/21/10890175.html"]
    assert [a.text for a in doc.xpath("//nav[@class='breadcrumbs']//a")] == ["首页", "湖南省", "衡阳市", "衡南县"]
    assert [h.text_content() for h in doc.xpath("//div[@class='body']/h2")] == [
        "坚持“党建+立体化+社会化” 最大限度整合力量", "坚持“屋场恳谈+警务+宣传” 最优途径防控风险",
        "坚持“县域警务+信息化+标准化” 最大力度强基固本"]
    assert "反诈中心" in doc.xpath("//ul[@class='tags']//a/text()")
    assert "反诈" in doc.xpath("//ul[@class='themes']//a/text()")
    assert doc.xpath("//section[@class='related']//li")


def test_an_undated_article_sorts_last_and_says_date_unknown(shipped_site):
    doc = parse(shipped_site / "index.html")
    dates = [t.text for t in doc.xpath("//section[@class='latest']//p[@class='meta']/*[1]")]
    assert dates == ["2022年6月21日", "2022年2月21日", "日期不详", "日期不详", "日期不详"]
    # <time> only where there is a date to put in its datetime
    assert doc.xpath("//section[@class='latest']//time/@datetime") == ["2022-06-21T11:45", "2022-02-21T12:09:02"]


def test_region_pages_list_their_sub_regions_and_all_their_articles(shipped_site):
    doc = parse(shipped_site / "regions/hunan/index.html")
    assert doc.xpath("//ul[contains(@class,'chips')]//a/text()") == ["衡阳市", "永州市"]
    assert len(doc.xpath("//ol[@class='entries']/li")) == 3
    city = parse(shipped_site / "regions/hunan/hengyang/index.html")
    assert city.xpath("//ul[contains(@class,'chips')]//a/text()") == ["衡南县"]
    assert len(city.xpath("//ol[@class='entries']/li")) == 2


def test_feeds_are_valid_atom_with_an_entry_per_dated_article(shipped_site):
    records = {r["path"]: r for r in json.loads((shipped_site / "data/articles.json").read_text("utf-8"))}
    dated = {p for p, r in records.items() if r["date"]}
    hunan = {p for p in dated if records[p]["region"]["province"] == "湖南省"}
    for path, expected in [("feed.xml", dated), ("regions/hunan/feed.xml", hunan), ("themes/anti-fraud/feed.xml", None)]:
        feed = feedparser.parse((shipped_site / path).read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.version == "atom10"
        assert feed.feed.title and feed.feed.id and feed.feed.updated
        assert feed.feed.title.count("警务新闻文摘") == 1, feed.feed.title
        links = [entry.link for entry in feed.entries]
        if expected is not None:
            assert {posixpath.normpath(posixpath.join(posixpath.dirname(path), link)) for link in links} == expected
        for entry in feed.entries:
            assert entry.title and entry.id.startswith("urn:uuid:") and entry.updated and entry.link
            target = (shipped_site / Path(path).parent / entry.link).resolve()
            assert target.is_file()
            # every entry's updated is its own article's date (Beijing time), never borrowed
            own = records[target.relative_to(shipped_site.resolve()).as_posix()]["date"]
            when = dt.datetime(*entry.updated_parsed[:6], tzinfo=dt.UTC).astimezone(
                dt.timezone(dt.timedelta(hours=8)))
            assert when.strftime("%Y-%m-%dT%H:%M:%S").startswith(own[:16]), (entry.link, own)


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8").split("---\n")[1])


def test_articles_json_matches_the_front_matter(shipped_site):
    records = json.loads((shipped_site / "data/articles.json").read_text("utf-8"))
    assert len(records) == 5
    by_file = {r["source_file"]: r for r in records}
    for path in (ROOT / "articles").glob("*.md"):
        meta, record = front_matter(path), by_file[path.name]
        assert set(record) == {"slug", "title", "subtitle", "date", "source", "url", "authors", "region", "themes",
                               "tags", "summary", "path", "source_file", "key_figures"}
        if "title" in meta:
            assert record["title"] == meta["title"]
        assert record["subtitle"] == meta.get("subtitle")
        if "date" in meta:
            given = dt.datetime.fromisoformat(str(meta["date"]))
            assert record["date"] == (given.isoformat() if ":" in str(meta["date"]) else given.date().isoformat())
        else:
            assert record["date"] is None
        assert record["source"] == meta.get("source") and record["url"] == meta.get("url")
        assert record["authors"] == meta.get("authors", [])
        # No region line (imported articles): the region found at build time, from the seed's label.
        want = SEED_LABELS[meta["imported_from"]]["region"] if "region" not in meta else \
            dict(zip(("province", "city", "county"), meta["region"].split("/") + [None] * 3, strict=False))
        assert record["region"] == want
        assert (shipped_site / record["path"]).is_file()
        assert record["summary"] and record["tags"] and record["themes"]


def test_without_base_url_there_is_no_sitemap(shipped_site):
    assert not (shipped_site / "sitemap.xml").exists()
    assert not (shipped_site / "robots.txt").exists()


def test_with_base_url_feeds_and_sitemap_use_absolute_links(project):
    config = (project / "digest.yaml").read_text("utf-8").replace('base_url: ""', "base_url: https://example.org/digest")
    (project / "digest.yaml").write_text(config, "utf-8")
    write(project / "articles" / "a.md", "---\ntitle: 衡南公安\ndate: 2022-02-21\nregion: 湖南省/衡阳市\n---\n禁毒宣传。\n")
    assert main(["build", "--quiet"]) == 0
    sitemap = (project / "site/sitemap.xml").read_text("utf-8")
    assert "<loc>https://example.org/digest/index.html</loc>" in sitemap
    assert "<loc>https://example.org/digest/regions/hunan/hengyang/index.html</loc>" in sitemap
    assert "Sitemap: https://example.org/digest/sitemap.xml" in (project / "site/robots.txt").read_text("utf-8")
    feed = feedparser.parse((project / "site/regions/hunan/feed.xml").read_bytes())
    assert feed.entries[0].link == "https://example.org/digest/articles/a.html"
    assert any(link.rel == "self" and link.href == "https://example.org/digest/regions/hunan/feed.xml"
               for link in feed.feed.links)


def test_long_lists_are_paginated(project):
    config = (project / "digest.yaml").read_text("utf-8").replace("page_size: 20", "page_size: 2")
    (project / "digest.yaml").write_text(config, "utf-8")
    for day in range(1, 6):
        write(project / "articles" / f"a{day}.md",
              f"---\ntitle: 禁毒宣传第{day}期\ndate: 2022-03-0{day}\nregion: 湖南省\ntags: [禁毒宣传]\n---\n禁毒。\n")
    assert main(["build", "--quiet"]) == 0
    site = project / "site"
    for folder in ("", "regions/hunan/", "tags/jindu-xuanchuan/", "archive/2022/", "archive/2022/03/"):
        assert (site / f"{folder}page-3.html").is_file(), folder
        assert not (site / f"{folder}page-4.html").exists(), folder
    second = parse(site / "page-2.html")
    assert [a.text for a in second.xpath("//ol[@class='entries']//h3/a")] == ["禁毒宣传第3期", "禁毒宣传第2期"]
    assert second.xpath("//a[@rel='prev']/@href") == ["index.html"]
    assert second.xpath("//a[@rel='next']/@href") == ["page-3.html"]
    assert broken_links(site) == []


def test_key_figures_show_on_the_article_and_the_region_page(shipped_site):
    doc = parse(shipped_site / HENGNAN)
    rows = [[" ".join(td.text_content().split()) for td in tr.findall("td")]
            for tr in doc.xpath("//section[@class='figures']//tbody/tr")]
    assert ["实有民警", "448人"] in rows
    assert ["可防性案件", "下降 13.1%"] in rows
    assert ["新建“雪亮工程”", "1942个"] in rows
    assert ["电诈案件立案", "34起,下降 40%"] in rows
    region = parse(shipped_site / "regions/hunan/hengyang/index.html")
    groups = region.xpath("//section[@class='figures']//h3/text()")
    assert "破获" in groups
    items = [" ".join(li.text_content().split()) for li in region.xpath("//section[@class='figures']//li")]
    assert any(i.startswith("破获电诈案件 215起") for i in items)
    records = json.loads((shipped_site / "data/articles.json").read_text("utf-8"))
    hengnan = next(r for r in records if r["path"] == HENGNAN)
    assert {"text": "9-12月电诈案件立案数环比分别下降32%、11.5%、30.4%和62.5%,今年1月1日以来,电诈案件立案34起,同比下降40%。",
            "metric": "电诈案件立案", "value": 34, "unit": "起", "direction": "down", "change": "40%",
            "approx": False} in hengnan["key_figures"]
