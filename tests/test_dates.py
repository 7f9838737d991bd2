"""RFC 3339 / ISO 8601 dates in front matter (what Hugo and most feeds write): read, ordered, and
published with their time zone in data/articles.json, the feeds and the article page."""
from __future__ import annotations

import datetime as dt
import json

import feedparser
import pytest

from digestgen.cli import main
from digestgen.load.articles import load_articles

from conftest import write

HOURS = dt.timedelta(hours=1)


@pytest.mark.parametrize("raw, expected, offset", [
    ("2025-11-28T07:20:13+08:00", dt.datetime(2025, 11, 28, 7, 20, 13), 8 * HOURS),
    ("2025-11-28T07:20:13Z", dt.datetime(2025, 11, 28, 7, 20, 13), 0 * HOURS),
    ("2025-11-28T07:20:13z", dt.datetime(2025, 11, 28, 7, 20, 13), 0 * HOURS),
    ("2025-11-28T07:20:13.250-05:30", dt.datetime(2025, 11, 28, 7, 20, 13), -5.5 * HOURS),
    ("'2025-11-28 07:20:13+0800'", dt.datetime(2025, 11, 28, 7, 20, 13), 8 * HOURS),
    ("2025-11-28T07:20", dt.datetime(2025, 11, 28, 7, 20), None),
    ("2025-11-28T07:20:13", dt.datetime(2025, 11, 28, 7, 20, 13), None),
])
def test_rfc3339_and_iso8601_dates_are_read_with_their_time_zone(project, raw, expected, offset):
    write(project / "articles" / "a.md", f"---\ntitle: t\ndate: {raw}\n---\nx\n")
    loaded = load_articles(project / "articles", {}, display_root=project)
    assert loaded.problems == []
    [article] = loaded.articles
    assert article.has_time
    assert article.date.replace(tzinfo=None) == expected  # the clock time as written
    assert article.date.utcoffset() == offset  # and its zone (none: Beijing time, as before)


@pytest.mark.parametrize("raw", ["2025-11-28T25:20", "2025-11-31T07:20:13+08:00", "2025-11-28T07:20:13+24:00",
                                 "2025-11-28T07:20:13 CST", "2025-11-28T07:20+8"])
def test_impossible_or_unclear_date_times_are_errors(project, raw):
    write(project / "articles" / "a.md", f"---\ntitle: t\ndate: '{raw}'\n---\nx\n")
    loaded = load_articles(project / "articles", {}, display_root=project)
    assert loaded.articles == []
    assert [str(p) for p in loaded.problems] == [
        f"articles/a.md:3: error: date '{raw}' is not a date; write it as 2022-02-21 or 2022-02-21 12:09"]


def test_the_time_zone_is_kept_in_articles_json_the_feed_and_the_page(project):
    # Hugo's form, in three zones; the UTC one is the latest instant though its clock time is the earliest.
    write(project / "articles" / "beijing.md", "---\ntitle: 北京时间的通报\ndate: 2025-11-28T07:20:13+08:00\n"
                                               "slug: beijing\n---\n禁毒宣传。\n")
    write(project / "articles" / "utc.md", "---\ntitle: 世界时的通报\ndate: 2025-11-28T01:00:00Z\n"
                                           "slug: utc\n---\n反诈宣传。\n")
    write(project / "articles" / "plain.md", "---\ntitle: 未注明时区的通报\ndate: 2025-11-28 08:00\n"
                                             "slug: plain\n---\n交通安全。\n")
    assert main(["build", "--quiet"]) == 0
    site = project / "site"

    records = {r["slug"]: r for r in json.loads((site / "data/articles.json").read_text("utf-8"))}
    assert records["beijing"]["date"] == "2025-11-28T07:20:13+08:00"
    assert records["utc"]["date"] == "2025-11-28T01:00:00+00:00"
    assert records["plain"]["date"] == "2025-11-28T08:00:00"  # as written: no zone was given
    # newest first by the instant: 01:00Z is 09:00 in Beijing, after 08:00 and 07:20 Beijing time
    assert [r["slug"] for r in json.loads((site / "data/articles.json").read_text("utf-8"))] == \
        ["utc", "plain", "beijing"]

    feed = feedparser.parse((site / "feed.xml").read_bytes())
    published = {e.title: e.published for e in feed.entries}
    assert published["北京时间的通报"] == "2025-11-28T07:20:13+08:00"
    assert published["世界时的通报"] == "2025-11-28T01:00:00+00:00"
    assert published["未注明时区的通报"] == "2025-11-28T08:00:00+08:00"
    assert feed.feed.updated == "2025-11-28T01:00:00+00:00"

    page = (site / "articles/utc.html").read_text("utf-8")
    assert 'datetime="2025-11-28T01:00:00+00:00"' in page
    assert "2025年11月28日 01:00 (UTC+0)" in page
    assert "2025年11月28日 07:20<" in (site / "articles/beijing.html").read_text("utf-8")
