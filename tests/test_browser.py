"""A reader in headless Chromium (Debian's, driven by Playwright), opening the site from disk
and from a web server under a sub-path."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def walk_home_to_tag_and_back(page, start: str) -> list[str]:
    """Home -> 湖南省 -> 衡阳市 -> 衡南县 -> the article -> one of its tags -> home, by clicking."""
    page.goto(start)
    titles = [page.title()]
    page.get_by_role("complementary").get_by_role("link", name="湖南省", exact=True).click()
    titles.append(page.locator("h1").inner_text())
    page.locator("main ul.chips").get_by_role("link", name="衡阳市").click()
    titles.append(page.locator("h1").inner_text())
    page.locator("main ul.chips").get_by_role("link", name="衡南县").click()
    titles.append(page.locator("h1").inner_text())
    page.locator("ol.entries h3 a").first.click()
    titles.append(page.locator("h1").inner_text())
    page.locator("ul.tags a", has_text="屋场恳谈").click()
    titles.append(page.locator("h1").inner_text())
    assert page.locator("ol.entries h3 a").first.inner_text().startswith("2021年,衡南公安")
    page.get_by_role("link", name="警务新闻文摘").first.click()
    titles.append(page.title())
    return titles


EXPECTED_WALK = ["警务新闻文摘", "湖南省", "衡阳市", "衡南县", "2021年,衡南公安以“含新量”提升县域警务“含金量”",
                 "#屋场恳谈", "警务新闻文摘"]


def test_a_reader_browses_from_disk_home_to_a_county_an_article_a_tag_and_home(page, shipped_site):
    assert walk_home_to_tag_and_back(page, (shipped_site / "index.html").as_uri()) == EXPECTED_WALK
    assert page.url == (shipped_site / "index.html").as_uri()


def test_the_same_walk_works_on_a_host_under_a_sub_path(page, served):
    assert walk_home_to_tag_and_back(page, served) == EXPECTED_WALK
    assert page.url.startswith(served)


def test_the_skip_link_and_keyboard_reach_the_content(page, shipped_site):
    page.goto((shipped_site / "index.html").as_uri())
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_pages_fit_a_phone_screen(browser, shipped_site):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    pg = context.new_page()
    for path in ("index.html", "articles/2022-02-21-2021-nian-hengnan-gongan-yi-han.html", "regions/index.html"):
        pg.goto((shipped_site / path).as_uri())
        overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path
    context.close()


def test_dark_mode_follows_the_system_setting(browser, shipped_site):
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        pg = context.new_page()
        pg.goto((shipped_site / "index.html").as_uri())
        colours[scheme] = pg.evaluate("getComputedStyle(document.body).backgroundColor")
        context.close()
    assert colours == {"light": "rgb(251, 251, 249)", "dark": "rgb(21, 24, 28)"}
