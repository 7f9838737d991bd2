"""The site model, its URLs and pagination, tested directly on small made-up archives."""
from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import replace
from pathlib import Path

import pytest

from digestgen.config import load_config
from digestgen.gazetteer import gazetteer
from digestgen.model import Analysed, Article, Region
from digestgen.site.pages import Feed, Page
from digestgen.site.context import ArticlePage, Listing, Section
from digestgen.site.gather import Archive
from digestgen.site.kind import PageKind, listing
from digestgen.site.kinds import KINDS
from digestgen.site.model import build_site
from digestgen.site.paginate import pager_window, paginate
from digestgen.site.urls import article_path, feed_path, listing_path, relative, slugify, unique

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(ROOT / "digest.yaml")


def item(name: str, date: str | None, region: tuple[str, ...] = (), tags=(), themes=(), authors=()) -> Analysed:
    article = Article(source_file=f"{name}.md", display_path=f"articles/{name}.md", body="正文。", body_line=3,
                      title=name, date=dt.datetime.fromisoformat(date) if date else None, authors=tuple(authors),
                      slug=name)
    unit = gazetteer().resolve(tuple(region)) if region else None
    path = tuple((u.code, u.short) for u in gazetteer().path(unit.code)) if unit else ()
    return Analysed(article=article, title=name, html="<p>正文。</p>", text="正文。", tags=tuple(tags),
                    themes=tuple(themes), summary="正文。", reading_minutes=1,
                    region=Region(*region, code=unit.code if unit else None), region_detected=False,
                    region_path=path)


def by_path(site) -> dict[str, Page]:
    return {p.path: p for p in site.pages}


# -- URLs ------------------------------------------------------------------------------------

def test_paths_of_articles_listings_and_feeds():
    assert article_path("x") == "articles/x.html"
    assert listing_path("") == "index.html"
    assert listing_path("tags/fanzha") == "tags/fanzha/index.html"
    assert listing_path("tags/fanzha", 3) == "tags/fanzha/page-3.html"
    assert feed_path("") == "feed.xml" and feed_path("themes/anti-fraud") == "themes/anti-fraud/feed.xml"


@pytest.mark.parametrize("page, target", [
    ("index.html", "articles/a.html"),
    ("articles/a.html", "index.html"),
    ("regions/hunan/hengyang/index.html", "regions/hunan/index.html"),
    ("regions/hunan/index.html", "regions/hunan/hengyang/hengnan/index.html"),
    ("tags/x/page-2.html", "tags/y/index.html"),
    ("archive/2022/02/index.html", "static/style.css"),
])
def test_relative_links_resolve_to_their_target(page, target):
    link = relative(page, target)
    assert not link.startswith("/")
    assert posixpath.normpath(posixpath.join(posixpath.dirname(page), link)) == target


def test_slugs_are_pinyin_words_and_unique():
    assert slugify(["衡南", "公安", "APP", "推广"]) == "hengnan-gongan-app-tuiguang"
    assert slugify(["一", "二", "三"], max_words=2) == "yi-er"
    taken: set[str] = set()
    assert [unique("a", taken) for _ in range(3)] == ["a", "a-2", "a-3"]


# -- pagination ------------------------------------------------------------------------------

def test_an_empty_listing_still_has_one_page():
    (only,) = paginate([], 10, lambda n: f"p{n}.html")
    assert list(only.items) == [] and only.pager.total == 1
    assert only.pager.newer is None and only.pager.older is None


def test_pages_hold_page_size_items_and_link_to_their_neighbours():
    parts = paginate(list(range(25)), 10, lambda n: f"p{n}.html")
    assert [list(p.items) for p in parts] == [list(range(10)), list(range(10, 20)), list(range(20, 25))]
    middle = parts[1].pager
    assert (middle.number, middle.total, middle.newer, middle.older) == (2, 3, "p1.html", "p3.html")
    assert middle.pages == ((1, "p1.html"), (2, "p2.html"), (3, "p3.html"))


def test_the_pager_window_shows_the_ends_and_a_gap():
    assert pager_window(1, 10) == [1, 2, 3, 0, 10]
    assert pager_window(6, 10) == [1, 0, 4, 5, 6, 7, 8, 9, 10]
    assert pager_window(5, 12) == [1, 2, 3, 4, 5, 6, 7, 0, 12]
    assert pager_window(4, 7) == [1, 2, 3, 4, 5, 6, 7]  # a gap of one page shows that page instead


# -- the site model --------------------------------------------------------------------------

HENGNAN = ("湖南省", "衡阳市", "衡南县")
DAOXIAN = ("湖南省", "永州市", "道县")


def test_articles_are_newest_first_with_undated_last():
    site = build_site([item("b", None), item("c", "2022-01-05"), item("a", "2023-03-01")], CONFIG)
    assert [e.slug for e in site.entries] == ["a", "c", "b"]
    pages = by_path(site)
    article = pages["articles/c.html"].context
    assert isinstance(article, ArticlePage)
    assert article.newer.slug == "a" and article.older.slug == "b"
    assert "archive/undated/index.html" in pages and "archive/2022/01/index.html" in pages


def test_every_region_level_has_a_listing_that_counts_the_levels_below():
    site = build_site([item("a", "2023-01-01", HENGNAN), item("b", "2023-01-02", DAOXIAN),
                       item("c", "2023-01-03", HENGNAN[:2])], CONFIG)
    pages = by_path(site)
    province = pages["regions/hunan/index.html"].context
    assert isinstance(province, Listing) and province.count == 3
    assert [(c.name, c.count) for c in province.children] == [("衡阳市", 2), ("永州市", 1)]  # by division code
    county = pages["regions/hunan/hengyang/hengnan/index.html"].context
    assert [b.name for b in county.breadcrumbs] == ["湖南省", "衡阳市"] and county.count == 1
    assert "regions/hunan/hengyang/hengnan/feed.xml" in {f.path for f in site.feeds}


def test_a_long_listing_is_paged_and_every_page_knows_its_feed():
    config = replace(CONFIG, page_size=2)
    site = build_site([item(f"x{i}", f"2023-01-{i + 1:02d}", themes=["anti-fraud"]) for i in range(5)], config)
    pages = by_path(site)
    assert {"themes/anti-fraud/index.html", "themes/anti-fraud/page-2.html", "themes/anti-fraud/page-3.html"} <= set(pages)
    assert "themes/anti-fraud/page-4.html" not in pages
    third = pages["themes/anti-fraud/page-3.html"]
    assert [e.slug for e in third.context.entries] == ["x0"] and third.feed == "themes/anti-fraud/feed.xml"
    assert third.title.endswith("(第 3 页)")


def test_tags_get_a_page_only_with_enough_articles():
    config = replace(CONFIG, tag_page_min_articles=2)
    site = build_site([item("a", "2023-01-01", tags=["反诈", "枫桥"]), item("b", "2023-01-02", tags=["反诈"])], config)
    assert [(t.name, t.count) for t in site.tags] == [("反诈", 2)]
    entry = next(e for e in site.entries if e.slug == "a")
    assert entry.tag_links[1] is None  # 枫桥 has no page of its own


def test_navigation_comes_from_the_page_kinds():
    site = build_site([item("a", "2023-01-01")], CONFIG)
    assert [s.label for s in site.sections] == ["地区", "主题", "标签", "归档"]
    assert all(any(p.path == s.index for p in site.pages) for s in site.sections)


def test_a_place_of_the_gazetteer_keeps_its_folder_whatever_else_the_archive_holds():
    """A misspelt province beside the real one must not move the real one's pages."""
    alone = by_path(build_site([item("a", "2023-01-01", HENGNAN)], CONFIG))
    typo = replace(item("b", "2023-01-02"), region=Region("湖南", "不存在市"))
    both = by_path(build_site([item("a", "2023-01-01", HENGNAN), typo], CONFIG))
    assert "regions/hunan/hengyang/hengnan/index.html" in alone and "regions/hunan/hengyang/hengnan/index.html" in both
    assert any(p.startswith("regions/hunan-") for p in both)  # the unknown name gets a folder of its own


def test_a_new_page_kind_is_one_unit():
    """The README's example: an authors section, added without touching the site model."""
    section = Section("作者", "authors/index.html", "authors/")

    def pages(archive: Archive) -> list[Page | Feed]:
        names = sorted({n for e in archive.entries for n in e.item.article.authors})
        out: list[Page | Feed] = []
        for i, name in enumerate(names):
            chosen = [e for e in archive.entries if name in e.item.article.authors]
            out += listing(archive, f"authors/{i}", name, chosen, kind="author", section=section)
        return out

    site = build_site([item("a", "2023-01-01", authors=["王庆"]), item("b", "2023-01-02", authors=["王庆", "黄一博"])],
                      CONFIG, kinds=(*KINDS, PageKind("author", pages, section)))
    pages_ = by_path(site)
    assert pages_["authors/0/index.html"].context.count == 2
    assert section in site.sections


def test_related_articles_follow_the_scoring_rule_on_a_random_archive():
    """Shared tags count 3, themes 2, region levels 1, among the ``window`` articles nearest in each
    list; never the article itself or its neighbours; best first, ties to the newer article."""
    import random
    from types import SimpleNamespace

    from digestgen.site.related import WEIGHTS, WINDOW, related_with_reasons

    rng = random.Random(7)
    tags, themes = [f"标签{i}" for i in range(30)], [f"t{i}" for i in range(6)]
    places = [("湖南省", "衡阳市", "衡南县"), ("湖南省", "衡阳市"), ("湖南省", "长沙市", "浏阳市"), ("广东省",)]
    entries = [SimpleNamespace(item=SimpleNamespace(tags=tuple(rng.sample(tags, rng.randint(0, 5))),
                                                    themes=tuple(rng.sample(themes, rng.randint(0, 2))),
                                                    region=SimpleNamespace(names=rng.choice(places))))
               for _ in range(400)]

    def keys(e):
        names = e.item.region.names
        return ([("tag", t) for t in e.item.tags] + [("theme", t) for t in e.item.themes]
                + [("region", names[:d]) for d in range(1, len(names) + 1)])

    lists: dict = {}
    for i, e in enumerate(entries):
        for k in keys(e):
            lists.setdefault(k, []).append(i)
    got = related_with_reasons(entries)  # type: ignore[arg-type]
    position = {id(e): i for i, e in enumerate(entries)}
    for i, e in enumerate(entries):
        scores: dict[int, int] = {}
        for k in keys(e):
            at = lists[k].index(i)
            for j in lists[k][max(0, at - WINDOW): at + WINDOW + 1]:
                if abs(j - i) > 1:
                    scores[j] = scores.get(j, 0) + WEIGHTS[k[0]]
        expected = sorted(scores, key=lambda j: (-scores[j], j))[:5]
        assert [position[id(r.entry)] for r in got[i]] == expected, i
