"""Charts: every bar and tile of the built pages is checked against data/articles.json, and every
link in a chart leads to a page that exists, from disk and under a sub-path."""
from __future__ import annotations

import json
import posixpath
from collections import Counter
from pathlib import Path

import pytest
from lxml import html

from digestgen.site.charts import PROVINCE_GRID, timeline
from digestgen.render.charts import shade

SVG = "{http://www.w3.org/2000/svg}"


def parse(path: Path):
    return html.fromstring(path.read_bytes())


def records(site: Path) -> list[dict]:
    return json.loads((site / "data/articles.json").read_text("utf-8"))


def target(site: Path, page: str, href: str) -> Path:
    return site / posixpath.normpath(posixpath.join(posixpath.dirname(page), href))


def chart(doc, kind: str):
    found = doc.xpath(f"//figure[contains(@class,'chart-{kind}')]")
    assert len(found) == 1, kind
    return found[0]


def marks(figure) -> list:
    """The bars, columns or tiles of a chart: every SVG element that carries data-count."""
    return figure.xpath(".//svg//*[@data-count]")


@pytest.mark.parametrize("page", ["index.html", "regions/index.html"])
def test_the_tile_map_has_one_tile_per_province_with_its_article_count_and_a_link(shipped_site, page):
    doc = parse(shipped_site / page)
    figure = chart(doc, "map")
    svg = figure.find(".//svg")
    assert svg.find("title").text == "各省文章分布"
    counts = Counter(r["region"]["province"] for r in records(shipped_site) if r["region"]["province"])
    tiles = marks(figure)
    assert len(tiles) == 34 == len(PROVINCE_GRID)
    for tile in tiles:
        name, count = tile.get("data-name"), int(tile.get("data-count"))
        assert count == counts.get(name, 0), name
        if count:
            assert tile.tag == "a"
            page_html = parse(target(shipped_site, page, tile.get("href")))
            assert page_html.xpath("//h1")[0].text == name
            assert f"共 {count} 篇文章" in page_html.xpath("//p[@class='stats']")[0].text_content()
        else:
            assert tile.tag == "g" and tile.get("href") is None
    assert {t.get("data-name") for t in tiles if t.tag == "a"} == set(counts) == {"湖南省", "湖北省", "广西壮族自治区"}
    # the text alternative: the same numbers in a table, with the same links
    rows = [(tr.xpath("th")[0].text_content(), int(tr.xpath("td")[0].text)) for tr in figure.xpath(".//table/tbody/tr")]
    assert sorted(rows) == sorted(counts.items())


def test_the_home_timeline_counts_every_dated_article_by_period(shipped_site):
    figure = chart(parse(shipped_site / "index.html"), "timeline")
    bars = {g.get("data-label"): int(g.get("data-count")) for g in marks(figure)}
    dated = [r["date"][:7] for r in records(shipped_site) if r["date"]]
    expected = Counter(f"{int(d[:4])}年{int(d[5:7])}月" for d in dated)
    assert {k: v for k, v in bars.items() if v} == expected == {"2022年2月": 1, "2022年6月": 1}
    assert list(bars) == ["2022年2月", "2022年3月", "2022年4月", "2022年5月", "2022年6月"]
    assert figure.find(".//svg").get("role") == "img" and figure.find(".//svg/title").text


def test_the_theme_bars_of_a_region_count_its_articles_and_link_to_the_theme_pages(shipped_site):
    page = "regions/hunan/index.html"
    figure = chart(parse(shipped_site / page), "bars")
    in_region = [r for r in records(shipped_site) if r["region"]["province"] == "湖南省"]
    themes = Counter(t for r in in_region for t in r["themes"])
    bars = marks(figure)
    assert [int(b.get("data-count")) for b in bars] == sorted((n for n in themes.values()), reverse=True)[:len(bars)]
    for bar in bars:
        theme_page = target(shipped_site, page, bar.get("href"))
        theme_id = theme_page.parent.name
        assert int(bar.get("data-count")) == themes[theme_id]
        assert parse(theme_page).xpath("//h1")[0].text == bar.get("data-label")


def test_a_province_page_maps_its_cities(shipped_site):
    page = "regions/hunan/index.html"
    figure = chart(parse(shipped_site / page), "map")
    tiles = {t.get("data-name"): t for t in marks(figure)}
    assert len(tiles) == 14  # Hunan's 13 cities and 1 autonomous prefecture
    linked = {name: int(t.get("data-count")) for name, t in tiles.items() if t.tag == "a"}
    assert linked == {"衡阳市": 2, "永州市": 1}
    for name, tile in tiles.items():
        if tile.tag == "a":
            assert parse(target(shipped_site, page, tile.get("href"))).xpath("//h1")[0].text == name


def test_shades_grow_with_the_count():
    assert [shade(n, 100) for n in (0, 1, 3, 10, 30, 100)] == [0, 1, 2, 3, 4, 5]
    assert shade(1, 1) == 5


def test_a_long_span_is_counted_per_year_and_empty_years_are_kept(shipped_site):
    class E:  # the timeline reads only the article's date
        def __init__(self, year):
            import datetime as dt
            self.item = type("I", (), {"article": type("A", (), {"date": dt.datetime(year, 5, 1)})()})()
    unit, bars = timeline([E(2018), E(2018), E(2021)])
    assert unit == "年" and [(b.label, b.count) for b in bars] == [("2018年", 2), ("2019年", 0), ("2020年", 0), ("2021年", 1)]


@pytest.mark.browser
def test_a_map_tile_opens_its_province_from_disk_and_under_a_sub_path(page, shipped_site, served):
    for start in ((shipped_site / "index.html").as_uri(), served):
        page.goto(start)
        page.locator("figure.chart-map svg a[data-name='湖北省']").click()
        assert page.locator("h1").inner_text() == "湖北省"
        assert page.url.endswith("regions/hubei/index.html")
        page.goto(start.replace("index.html", "") + "regions/index.html")
        page.locator("figure.chart-map svg a[data-name='湖南省']").click()
        assert page.locator("h1").inner_text() == "湖南省"
        assert page.url.endswith("regions/hunan/index.html")


def test_the_place_bars_of_a_theme_count_its_articles_per_province_and_link_to_them(shipped_site):
    page = "themes/anti-fraud/index.html"
    figure = parse(shipped_site / page).xpath("//figure[@id='place-bars']")[0]
    in_theme = [r for r in records(shipped_site) if "anti-fraud" in r["themes"] and r["region"]["province"]]
    counts = Counter(r["region"]["province"] for r in in_theme)
    bars = marks(figure)
    assert {b.get("data-label"): int(b.get("data-count")) for b in bars} == dict(counts)
    for bar in bars:
        assert parse(target(shipped_site, page, bar.get("href"))).xpath("//h1")[0].text == bar.get("data-label")


def test_the_themes_index_charts_every_used_theme_by_count(shipped_site):
    figure = parse(shipped_site / "themes/index.html").xpath("//figure[@id='theme-bars']")[0]
    themes = Counter(t for r in records(shipped_site) for t in r["themes"])
    bars = marks(figure)
    assert sorted(int(b.get("data-count")) for b in bars) == sorted(themes.values())
    for bar in bars:
        assert int(bar.get("data-count")) == themes[target(shipped_site, "themes/index.html", bar.get("href")).parent.name]
