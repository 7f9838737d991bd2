"""Search in headless Chromium: from file:// and from a web server under a sub-path."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from digestgen.render.searchindex import shard_count, shard_of, terms

pytestmark = pytest.mark.browser

HENGNAN = "2021年,衡南公安以“含新量”提升县域警务“含金量”"
SIHENG = "“四下降”、“两提升”"
XIANGYANG = "襄阳公安党建引领构建平安大格局(襄阳市公安局党委)"
DAOXIAN = "道县:打好“组合拳” 促农村警务提质增效"
XIANGZHOU = "今年以来,县公安局以提升群众安全感和满意度为根本,以创建“…"

# query -> articles that must be found (and, where the set is exact, nothing else)
QUERIES = [
    ("反诈", {HENGNAN, XIANGYANG}),
    ("电信网络诈骗", {HENGNAN, XIANGYANG}),
    ("反电诈中心", {HENGNAN}),
    ("枫桥式派出所", {SIHENG}),
    ("屋场恳谈", {HENGNAN}),
    ("禁毒", {HENGNAN, SIHENG}),
    ("派出所 社区", {HENGNAN, XIANGYANG}),
    ("农村警务 片区", {DAOXIAN}),
    ("雪亮工程", {HENGNAN, SIHENG}),
    ("一村一辅警", {SIHENG}),
    ("合成作战", {XIANGYANG, XIANGZHOU}),
    ("1942", {HENGNAN}),
    ("APP", {HENGNAN}),
    ("app推广", {HENGNAN}),
    ("衡南县", {HENGNAN}),
    ("道县", {DAOXIAN}),
    ("象州", {XIANGZHOU}),
    ("湖北日报", {XIANGYANG}),
    ("广西", {XIANGZHOU}),
    ("天网", {XIANGZHOU}),
    ("疫情防控", {SIHENG}),
]


def run(page, base: str, query: str) -> tuple[str, list[str]]:
    page.goto(base + "search.html?q=" + quote(query))
    page.wait_for_selector("html[data-search-done]")
    return page.locator("#search-status").inner_text(), page.locator("#search-results h3").all_inner_texts()


def found_exactly(page, base):
    for query, expected in QUERIES:
        status, titles = run(page, base, query)
        assert set(titles) == expected, (query, titles)
        if expected:
            assert status == f"找到 {len(expected)} 篇文章", query
        else:
            assert status == f"没有找到与“{query}”相关的文章。"


def test_queries_find_their_articles_from_disk(page, shipped_site):
    assert len(QUERIES) >= 15
    found_exactly(page, (shipped_site / "search.html").as_uri()[: -len("search.html")])


def test_queries_find_their_articles_on_a_host_under_a_sub_path(page, served):
    found_exactly(page, served)


def test_nonsense_gives_no_results_and_suggests_tags(page, shipped_site):
    status, titles = run(page, shipped_site.as_uri() + "/", "量子纠缠xyz")
    assert titles == [] and status == "没有找到与“量子纠缠xyz”相关的文章。"
    assert page.locator("#search-suggest").is_visible()
    suggestions = page.locator("#search-suggest a")
    assert suggestions.count() >= 1
    suggestions.first.click()
    assert page.locator("h1").inner_text().startswith("#")


def test_results_highlight_the_query_and_link_to_the_article(page, shipped_site):
    run(page, shipped_site.as_uri() + "/", "屋场恳谈")
    marks = page.locator("#search-results mark").all_inner_texts()
    assert marks and set(marks) == {"屋场恳谈"}
    page.locator("#search-results h3 a").first.click()
    assert page.locator("h1").inner_text() == HENGNAN


def test_title_matches_rank_first(page, shipped_site):
    _, titles = run(page, shipped_site.as_uri() + "/", "襄阳")
    assert titles[0] == XIANGYANG


def test_filters_narrow_the_results_and_stay_in_the_url(page, shipped_site):
    run(page, shipped_site.as_uri() + "/", "派出所")
    page.select_option("select[name=region]", label="湖北省")
    page.wait_for_function("document.documentElement.getAttribute('data-search-done') > '1'")
    assert page.locator("#search-results h3").all_inner_texts() == [XIANGYANG]
    assert "region=" in page.url and "q=%E6%B4%BE%E5%87%BA%E6%89%80" in page.url


def test_a_reader_searches_from_any_page_with_the_keyboard_only(page, shipped_site):
    page.goto((shipped_site / "regions/hunan/index.html").as_uri())
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # site title
    for _ in range(4):
        page.keyboard.press("Tab")  # the four navigation links
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("屋场恳谈")
    page.keyboard.press("Enter")
    page.wait_for_selector("html[data-search-done]")
    assert page.locator("#search-results h3").all_inner_texts() == [HENGNAN]
    assert page.evaluate("document.activeElement.id") == "search-q"


def test_the_index_terms_cover_words_however_jieba_cuts_them():
    assert {"电信", "信网", "网络", "络诈", "诈骗"} <= terms("电信网络诈骗")
    assert {"app", "1942"} <= terms("推广APP共1942个")
    assert {"禁", "毒", "禁毒"} <= terms("禁毒", unigrams=True)


def test_the_index_terms_are_exactly_the_bigrams_lone_characters_and_ascii_words():
    # No bigram across a character that is not Chinese; a character alone between others counts
    # itself; ASCII words lower-cased; the CJK extension A and compatibility blocks are Chinese too.
    assert terms("反诈。宣传A警\u3400\u3401,警") == {"反诈", "宣传", "警\u3400", "\u3400\u3401", "警", "a"}
    assert terms("一、APP2号;\uf900") == {"一", "app2", "号", "\uf900"}
    assert terms("禁毒 宣传", unigrams=True) == {"禁毒", "宣传", "禁", "毒", "宣", "传"}
    assert terms("") == set() and terms("。,!") == set()


def test_shards_grow_with_the_archive_and_the_hash_is_pinned():
    assert shard_count(5) == 8 and shard_count(10_000) == 1024
    # static/search.js computes the same FNV-1a; changing either side breaks every built index
    assert (shard_of("反诈", 1024), shard_of("禁毒", 1024), shard_of("app", 8)) == (240, 378, 4)
