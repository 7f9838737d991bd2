"""Page design, measured in headless Chromium: what a reader sees first, at desktop and phone
width, in light and dark; accessibility by axe-core; print; related articles and theme chips.

The site is the shipped articles plus the labelled real pages of ../shared/devset imported into
a temporary folder (only the shipped articles when that folder is absent).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import html

from digestgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT.parent / "shared" / "devset" / "raw"
HENGNAN = "articles/2022-02-21-2021-nian-hengnan-gongan-yi-han.html"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("archive")
    articles = root / "articles"
    shutil.copytree(ROOT / "articles", articles)
    if DEVSET.is_dir():
        assert main(["import", str(DEVSET), "--out", str(articles)]) == 0
    assert main(["build", "--config", str(ROOT / "digest.yaml"), "--articles", str(articles),
                 "--out", str(root / "site"), "--quiet"]) in (0, 1)
    return root / "site"


def records(site: Path) -> list[dict]:
    return json.loads((site / "data/articles.json").read_text("utf-8"))


def page_kinds(site: Path) -> dict[str, str]:
    """One page of every kind the site has."""
    recs = records(site)
    busiest = max(recs, key=lambda r: len(r["key_figures"]))
    doc = html.fromstring((site / busiest["path"]).read_bytes())
    crumbs = [a.get("href") for a in doc.xpath("//nav[@class='breadcrumbs']//a")][1:]

    def resolve(href: str) -> str:
        return (site / busiest["path"]).parent.joinpath(href).resolve().relative_to(site.resolve()).as_posix()

    year = next(p for p in sorted(site.glob("archive/2*/index.html")))
    month = next(p for p in sorted(site.glob("archive/2*/[01]*/index.html")))
    tag = next(p for p in sorted(site.glob("tags/*/index.html")))
    kinds = {"home": "index.html", "article": busiest["path"], "theme": "themes/community-policing/index.html",
             "tag": tag.relative_to(site).as_posix(), "year": year.relative_to(site).as_posix(),
             "month": month.relative_to(site).as_posix(), "regions": "regions/index.html",
             "themes": "themes/index.html", "tags": "tags/index.html", "archive": "archive/index.html",
             "search": "search.html", "404": "404.html"}
    for name, href in zip(("province", "city", "county"), crumbs, strict=False):
        kinds[name] = resolve(href)
    return kinds


def open_page(browser, site: Path, path: str, viewport=DESKTOP, scheme="light"):
    context = browser.new_context(viewport=viewport, color_scheme=scheme, is_mobile=viewport is PHONE)
    pg = context.new_page()
    pg.goto((site / path).as_uri())
    return context, pg


@pytest.mark.browser
def test_the_lede_of_an_article_is_visible_without_scrolling(browser, archive):
    for path in (HENGNAN, page_kinds(archive)["article"]):
        context, pg = open_page(browser, archive, path)
        lede = pg.locator("div.body > p").first.bounding_box()
        assert lede["y"] + 30 <= DESKTOP["height"], path  # at least its first line
        # and the key figures come after it, not before
        figures = pg.locator("section.figures")
        if figures.count():
            assert figures.bounding_box()["y"] > lede["y"]
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["province", "city", "county", "theme"])
def test_the_first_article_of_a_region_or_theme_is_on_the_first_screen(browser, archive, kind):
    path = page_kinds(archive)[kind]
    for viewport in (DESKTOP, PHONE):
        context, pg = open_page(browser, archive, path, viewport)
        title = pg.locator("ol.entries h3").first.bounding_box()
        assert title["y"] + title["height"] <= viewport["height"], (path, viewport)
        context.close()


@pytest.mark.browser
def test_no_serious_or_critical_accessibility_violations_on_any_page_kind(browser, archive):
    from axe_playwright_python.sync_playwright import Axe  # a test dependency: never skipped

    axe = Axe()
    found = []
    for kind, path in page_kinds(archive).items():
        for scheme in ("light", "dark"):
            context, pg = open_page(browser, archive, path, scheme=scheme)
            # open every collapsed panel, so the tables and lists inside are checked too
            pg.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            result = axe.run(pg)
            for v in result.response["violations"]:
                if v["impact"] in ("serious", "critical"):
                    found.append((kind, scheme, v["id"], [n["target"] for n in v["nodes"]][:3]))
            context.close()
    assert found == []


@pytest.mark.browser
def test_dates_and_footer_links_never_wrap_and_the_footer_stays_at_the_bottom(browser, archive):
    kinds = page_kinds(archive)
    context, pg = open_page(browser, archive, kinds["county"], PHONE)
    for selector in ("ol.entries time", ".site-footer a"):
        for box in pg.locator(selector).evaluate_all("els => els.map(e => e.getClientRects().length)"):
            assert box == 1, selector
    footer = pg.locator(".site-footer").bounding_box()
    assert abs(footer["y"] + footer["height"] - PHONE["height"]) < 1  # a short page: footer at the bottom
    context.close()


@pytest.mark.browser
def test_an_article_prints_without_header_search_or_sidebar_and_with_the_original_url(browser, archive):
    context, pg = open_page(browser, archive, HENGNAN)
    pg.emulate_media(media="print")
    for selector in (".site-header", ".site-search", ".sidebar", ".site-footer", ".prev-next"):
        assert not pg.locator(selector).first.is_visible(), selector
    after = pg.evaluate("getComputedStyle(document.querySelector('.facts .source a'), '::after').content")
    assert "https://hn.rednet.cn/content/2022/02/21/10890175.html" in after
    assert pg.locator("div.body").is_visible()
    context.close()


def test_related_articles_are_at_most_five_never_the_neighbours_and_say_why(archive):
    for r in records(archive):
        doc = html.fromstring((archive / r["path"]).read_bytes())
        related = doc.xpath("//section[@class='related']//li")
        assert len(related) <= 5
        neighbours = set(doc.xpath("//nav[@class='prev-next']/a/@href"))
        links = [li.xpath(".//a/@href")[0] for li in related]
        assert not neighbours & set(links), r["path"]
        for li in related:
            reason = li.xpath(".//span[@class='reason']")[0].text_content()
            assert any(word in reason for word in ("同地区", "同主题", "共同标签")), reason


def test_an_article_shows_at_most_three_theme_chips_and_the_rest_under_more(archive):
    doc = html.fromstring((archive / HENGNAN).read_bytes())
    chips = doc.xpath("//header//div[@class='theme-row']/ul[@class='themes']//a/text()")
    more = doc.xpath("//details[@class='more-themes']//a/text()")
    record = next(r for r in records(archive) if r["path"] == HENGNAN)
    assert len(record["themes"]) == 7
    assert len(chips) == 3 and len(more) == 4 and chips[0] == "反诈"


def test_article_figures_show_values_and_neutral_changes_after_the_lede(archive):
    doc = html.fromstring((archive / HENGNAN).read_bytes())
    summary = [" ".join(li.text_content().split()) for li in doc.xpath("//ul[@class='figure-summary']/li")]
    assert summary[:3] == ["可防性案件 下降 13.1%", "亡人交通事故起数 下降 13.9%", "死亡人数 下降 15.8%"]
    assert "采取刑事强制措施人数 上升 81.7%" in summary
    cells = doc.xpath("//details[@class='figure-table']//td[@class='num']/text()")
    record = next(r for r in records(archive) if r["path"] == HENGNAN)
    assert "—" not in cells and len(cells) == len(record["key_figures"]) > 20
    assert not doc.xpath("//*[contains(@class,'up') or contains(@class,'down')]")
    # after the lede: the dateline paragraph (红网时刻 通讯员 … 衡阳报道) and the first real paragraph
    body = doc.xpath("//div[@class='body']/*")
    assert [e.tag for e in body[:2]] == ["p", "p"] and body[2].get("class") == "figures"
    assert body[0].text_content().endswith("衡阳报道") and body[1].text_content().startswith("2021年,衡南公安坚持")


def test_a_theme_page_lists_only_figures_from_sentences_about_that_theme(archive):
    doc = html.fromstring((archive / "themes/community-policing/index.html").read_bytes())
    items = " ".join(doc.xpath("//section[@class='figures']//li//text()"))
    assert "破获电诈案件" not in items
    fraud = html.fromstring((archive / "themes/anti-fraud/index.html").read_bytes())
    assert "破获电诈案件" in " ".join(fraud.xpath("//section[@class='figures']//li//text()"))


def test_home_side_lists_are_capped_and_ordered_by_count(archive):
    doc = html.fromstring((archive / "index.html").read_bytes())
    regions = doc.xpath("//section[h2[@id='regions-heading']]//li")
    counts = [int(li.xpath(".//span[@class='count']")[0].text) for li in regions]
    assert 0 < len(regions) <= 10 and counts == sorted(counts, reverse=True)
    assert doc.xpath("//section[h2[@id='regions-heading']]//p[@class='more']/a/text()") == ["全部地区"]
