"""Hostile input: one bad file never stops the archive, and no input makes the build crash or hang.

The corpus in ``tests/hostile/`` holds one file per known attack beside good articles; the
FIFO and the unreadable file are made here, since git cannot store them.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, write

HOSTILE = Path(__file__).resolve().parent / "hostile"

BAD = {  # file -> the line its error is reported at (None: the file as a whole)
    "alias-bomb.md": 7,
    "alias-small.md": 5,
    "broken-link.md": None,
    "control-authors.md": 6,
    "control-front-matter-line5.md": 5,
    "control-title.md": 2,
    "deep-nesting.md": 3,
    "dup-slug-second.md": 6,
    "fifo.md": None,
    "linked-outside.md": None,
    "long-ascii-title.md": 2,
    "long-region.md": 5,
    "long-slug.md": 6,
    "long-tag.md": 6,
    "nonchar-body.md": 12,
    "year-one.md": 3,
}
GOOD = {"good-fraud.md": "社区反诈宣传进万家", "good-traffic.md": "交警集中整治交通违法",
        "good-mediation.md": "民警调解邻里纠纷", "good-region-a.md": "恒山县公安开展夜巡",
        "good-region-b.md": "姮山县公安开展夜巡", "good-remote-images.md": "图片测试:只引用站内文件",
        "dup-slug-first.md": "重复路径之一"}

# Runs the CLI in a child process with its address space capped (so a failure here cannot take the
# machine down) and prints the peak resident memory on the last line of stderr.
RUNNER = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
from digestgen.cli import main
code = main(sys.argv[1:])
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def hostile_project(tmp_path: Path) -> Path:
    for name in ("templates", "static"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "digest.yaml", tmp_path / "digest.yaml")
    shutil.copytree(HOSTILE / "articles", tmp_path / "articles", symlinks=True)
    shutil.copytree(HOSTILE / "outside", tmp_path / "outside")
    os.mkfifo(tmp_path / "articles" / "fifo.md")
    return tmp_path


def run(cwd: Path, *args: str, timeout: float = 120) -> tuple[int, str, str, int]:
    """Exit status, stdout, stderr (without the memory line) and peak memory in KiB."""
    done = subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    err, _, peak = done.stderr.rpartition("PEAK_KB ")
    return done.returncode, done.stdout, err, int(peak or 0)


def test_the_hostile_corpus_builds_every_good_article_and_names_every_bad_file(tmp_path):
    project = hostile_project(tmp_path)
    code, out, err, peak_kb = run(project, "build", "--no-cache")
    assert "Traceback" not in err and "internal error" not in err
    assert code == 1
    for name, line in BAD.items():
        where = f"articles/{name}:{line}: error: " if line else f"articles/{name}: error: "
        assert any(row.startswith(where) for row in err.splitlines()), (name, err)
    assert "dup-slug-first.md:6" in next(row for row in err.splitlines() if "dup-slug-second" in row)
    assert f"built {len(GOOD)} articles" in out
    records = json.loads((project / "site" / "data" / "articles.json").read_text("utf-8"))
    assert sorted(r["title"] for r in records) == sorted(GOOD.values())
    paths = [r["path"] for r in records]
    assert len(set(paths)) == len(paths)
    for path in paths:
        assert (project / "site" / path).is_file()
    home = (project / "site" / "index.html").read_text("utf-8")
    for path in paths:
        assert home.count(f'href="{path}"') == 1, path
    # Two unknown counties whose names read the same in pinyin have a page each.
    region_pages = {p.parent.name: p.read_text("utf-8") for p in (project / "site" / "regions").rglob("index.html")}
    assert any("恒山县" in t and "姮山县" not in t for t in region_pages.values())
    assert any("姮山县" in t and "恒山县" not in t for t in region_pages.values())
    assert peak_kb < 1 << 20, f"peak memory {peak_kb} KiB"


def test_no_page_or_feed_of_the_hostile_corpus_holds_a_control_character(tmp_path):
    project = hostile_project(tmp_path)
    run(project, "build", "--no-cache")
    texts = [p.read_text("utf-8") for p in (project / "site").rglob("*") if p.suffix in (".html", ".xml", ".json")]
    assert len(texts) > 20
    bad = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
    assert not [t[:80] for t in texts if bad.search(t)]


def test_an_unreadable_article_is_named_and_the_others_build(project, capsys, monkeypatch):
    from digestgen.cli import main
    write(project / "articles" / "good.md", "---\ntitle: 好文章\ndate: 2022-01-01\n---\n某县公安局破获一起盗窃案件。\n")
    locked = write(project / "articles" / "locked.md", "---\ntitle: 读不了\n---\n正文\n")
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads any file: fail the opening of this one instead
        import digestgen.load.articles as articles
        real_open = os.open

        def deny(path, *args, **kwargs):
            if Path(path).name == "locked.md":
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)
        monkeypatch.setattr(articles.os, "open", deny)
    try:
        assert main(["build"]) == 1
    finally:
        locked.chmod(0o644)
    err = capsys.readouterr().err
    assert err.startswith("articles/locked.md: error: cannot read the file: Permission denied")
    assert (project / "site" / "articles").is_dir() and len(list((project / "site" / "articles").iterdir())) == 1


def test_an_article_whose_file_name_is_not_utf8_is_named_and_the_others_build(project, capsys):
    from digestgen.cli import main
    write(project / "articles" / "good.md", "---\ntitle: 好文章\ndate: 2022-01-01\n---\n某县公安局破获一起盗窃案件。\n")
    with open(os.fsencode(project / "articles") + b"/\xb9\xab\xb0\xb2.md", "wb") as f:  # 公安.md in GBK
        f.write("---\ntitle: 公安\ndate: 2022-01-02\n---\n正文。\n".encode())
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("articles/\\xb9\\xab\\xb0\\xb2.md: error: the file's name is not UTF-8 text"), err
    assert [p.name for p in (project / "site" / "articles").iterdir()] == ["good.html"]
    assert main(["build"]) == 1  # said again while nothing changes


def test_a_duplicate_slug_names_both_files_and_the_first_keeps_it(project, capsys):
    from digestgen.cli import main
    write(project / "articles" / "a.md", "---\ntitle: 甲\nslug: same\nregion: 湖南省\n---\n某县公安局破获一起盗窃案件。\n")
    write(project / "articles" / "b.md", "---\ntitle: 乙\ndate: 2022-01-03\nslug: same\n---\n某县交警查处违法行为。\n")
    assert main(["build", "--quiet"]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert errors == [
        "articles/b.md:4: error: slug 'same' is already used by articles/a.md:3; give this article another slug "
        "(or remove 'slug:' to have one made from the file name)"]
    assert "甲" in (project / "site" / "articles" / "same.html").read_text("utf-8")


def test_the_hostile_raw_pages_import_one_by_one(tmp_path):
    project = hostile_project(tmp_path)
    shutil.copytree(HOSTILE / "raw", project / "raw")
    os.mkfifo(project / "raw" / "fifo.txt")
    code, out, err, peak_kb = run(project, "import", "raw", "raw/fifo.txt", "articles", "--out", "imported")
    assert "Traceback" not in err and "internal error" not in err
    assert code == 1
    assert peak_kb < 1 << 20, f"peak memory {peak_kb} KiB"
    failed = dict(re.findall(r"^failed\s+(\S+): (.*)$", err, re.M))
    assert {"raw/binary.txt", "raw/empty.txt", "raw/impossible-date.txt", "raw/fifo.txt",
            "raw/impossible-meta-date.html"} <= set(failed)
    assert not {"raw/good-page.txt", "raw/good-page.html", "raw/control-characters.txt"} & set(failed)
    assert "2022-13-45" in failed["raw/impossible-date.txt"] and "2022-02-30" in failed["raw/impossible-meta-date.html"]
    # The good pages are imported, or skipped as the same text as a page imported before them.
    imported = re.findall(r"^imported (\S+) -> (\S+)$", out, re.M)
    skipped = re.findall(r"^skipped\s+(\S+): the same article", out, re.M)
    assert {"raw/good-page.txt", "raw/good-page.html", "raw/control-characters.txt"} <= {s for s, _ in imported} | set(skipped)
    # Whatever the importer wrote builds without an error: the control characters were removed.
    code, out, err, _ = run(project, "build", "--articles", "imported", "--out", "site2", "--no-cache")
    assert code == 0, err
    assert "夜间巡逻守护平安" in "".join(p.read_text("utf-8") for p in (project / "site2" / "articles").iterdir())


def test_import_refuses_an_out_that_is_a_file(project, capsys):
    from digestgen.cli import main
    write(project / "raw" / "a.txt", "社区反诈宣传\n发布时间:2022-03-01\n\n某市公安局开展反诈宣传活动，发放资料500份。\n")
    write(project / "notafolder", "x")
    assert main(["import", "raw", "--out", "notafolder"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "notafolder is a file, not a folder" in err


@pytest.mark.parametrize("kind", ["folder", "symlink"])
def test_import_force_never_writes_into_a_folder_or_through_a_link(project, capsys, kind):
    from digestgen.cli import main
    write(project / "raw" / "a.txt", "社区反诈宣传\n发布时间:2022-03-01\n\n某市公安局开展反诈宣传活动，发放资料500份。\n")
    assert main(["import", "raw", "--out", "out", "--dry-run"]) == 0
    name = re.search(r"-> out/(\S+)", capsys.readouterr().out).group(1)
    (project / "out").mkdir()
    victim = write(project / "victim.txt", "do not touch\n")
    if kind == "folder":
        (project / "out" / name).mkdir()
    else:
        (project / "out" / name).symlink_to(victim)
    # The name is taken by something that is not this article: the page is imported beside it
    # (name-2), and the folder or link, and what a link points to, are left alone.
    assert main(["import", "raw", "--out", "out", "--force"]) == 0
    out = capsys.readouterr().out
    assert f"-> out/{name.removesuffix('.md')}-2.md" in out
    assert victim.read_text() == "do not touch\n"
    assert (project / "out" / name).is_dir() if kind == "folder" else (project / "out" / name).is_symlink()


def test_an_uncaught_exception_is_one_line_and_exit_2(project, capsys, monkeypatch):
    from digestgen.cli import main
    import digestgen.pipeline
    write(project / "articles" / "a.md", "---\ntitle: 甲\n---\n正文。\n")

    def broken(*args, **kwargs):
        raise RuntimeError("something unexpected\nsecond line")
    monkeypatch.setattr(digestgen.pipeline, "build_site", broken)
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "internal error (RuntimeError: something unexpected)" in err and "--debug" in err
    assert not (project / "site").exists()
    with pytest.raises(RuntimeError):
        main(["build", "--debug"])


# ---- the analysis cache holds data, never code ----

class Planted:
    """Unpickling this runs a command that makes a marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def cache_build(project: Path, capsys) -> str:
    from digestgen.cli import main
    assert main(["build", "--quiet"]) == 0
    return capsys.readouterr().err


def _analysis_rows(project: Path) -> list[tuple[str, str]]:
    import sqlite3
    db = sqlite3.connect(project / ".digestgen-cache" / "state.sqlite")
    try:
        return db.execute("SELECT key, value FROM analysis").fetchall()
    finally:
        db.close()


def _set_analysis_value(project: Path, key: str, value: bytes | str) -> None:
    import sqlite3
    db = sqlite3.connect(project / ".digestgen-cache" / "state.sqlite")
    with db:
        db.execute("UPDATE analysis SET value = ? WHERE key = ?", (value, key))
    db.close()


def test_a_planted_pickle_in_the_cache_is_not_run_and_is_recomputed(project, capsys):
    import pickle
    write(project / "articles" / "a.md", "---\ntitle: 甲\ndate: 2022-01-02\n---\n某县公安局破获一起盗窃案件，抓获嫌疑人3名。\n")
    cache_build(project, capsys)
    rows = _analysis_rows(project)
    assert len(rows) == 1
    marker = project / "marker"
    _set_analysis_value(project, rows[0][0], pickle.dumps(Planted(marker)))
    (project / "articles" / "a.md").write_text((project / "articles" / "a.md").read_text("utf-8") + "\n", "utf-8")
    before = {p: p.read_bytes() for p in (project / "site").rglob("*.html")}
    err = cache_build(project, capsys)
    assert not marker.exists()
    assert "1 entries of the analysis cache were not valid; they were recomputed and replaced" in err
    assert json.loads(_analysis_rows(project)[0][1])["title"] == "甲"
    assert {p: p.read_bytes() for p in (project / "site").rglob("*.html")} == before


@pytest.mark.parametrize("field,value", [("counts", {"盗窃": "many"}), ("parts", "湖南"), ("parts", [{"x": 1}]),
                                         ("title", None), ("problems", [[1, 2, 3, 4]])])
def test_a_cache_entry_with_a_wrong_typed_value_is_recomputed(project, capsys, field, value):
    write(project / "articles" / "a.md", "---\ntitle: 甲\ndate: 2022-01-02\n---\n某县公安局破获一起盗窃案件，抓获嫌疑人3名。\n")
    cache_build(project, capsys)
    before = {p: p.read_bytes() for p in (project / "site").rglob("*.html")}
    (key, raw), = _analysis_rows(project)
    data = json.loads(raw)
    data[field] = value
    _set_analysis_value(project, key, json.dumps(data, ensure_ascii=False))
    shutil.rmtree(project / "site")
    err = cache_build(project, capsys)
    assert "1 entries of the analysis cache were not valid" in err
    assert {p: p.read_bytes() for p in (project / "site").rglob("*.html")} == before


# ---- no page loads anything from outside the site ----

class _Urls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for t, attr in (("img", "src"), ("script", "src"), ("link", "href"), ("source", "src"), ("iframe", "src")):
            if tag == t and a.get(attr) is not None:
                self.urls.append((tag, a[attr]))
        for url in re.findall(r"url\(([^)]*)\)", a.get("style") or ""):
            self.urls.append(("style", url))

    def handle_data(self, data):
        for url in re.findall(r"url\(([^)]*)\)", data):
            self.urls.append(("css", url))


def test_no_output_page_loads_a_url_outside_the_site(tmp_path):
    from digestgen.analysis.markup import in_site
    project = hostile_project(tmp_path)
    run(project, "build", "--no-cache")
    site = project / "site"
    checked = 0
    for page in site.rglob("*.html"):
        parser = _Urls()
        parser.feed(page.read_text("utf-8"))
        depth = len(page.relative_to(site).parts) - 1
        for tag, url in parser.urls:
            assert in_site(url.strip("'\""), depth), (page, tag, url)
            checked += 1
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(([^)]*)\)", css.read_text("utf-8")):
            depth = len(css.relative_to(site).parts) - 1
            assert in_site(url.strip("'\""), depth) or url.strip("'\"").startswith("data:"), (css, url)
    assert checked > 50
    article = next(p for p in (site / "articles").iterdir() if "图片测试" in p.read_text("utf-8"))
    assert "127.0.0.1:9" not in article.read_text("utf-8")


@pytest.mark.parametrize("url,depth,inside", [
    ("../static/logo.png", 1, True), ("img/a.png", 1, True), ("a.png?x=1#y", 0, True), ("./a.png", 0, True),
    ("\\\\host/x.png", 1, False), ("/\\host/x.png", 1, False), (" //host/x.png", 1, False),
    ("/\t/host/x.png", 1, False), ("\n//host/x.png", 1, False), ("/static/x.png", 1, False),
    ("../../x.png", 1, False), ("../x.png", 0, False), ("%2e%2e/%2E%2e/x.png", 1, False),
    ("a/../../../x.png", 1, False), ("http://host/x.png", 1, False), ("HTTPS://host/x.png", 1, False),
    ("data:image/png;base64,AAAA", 1, False), ("javascript:alert(1)", 1, False), ("", 1, False)])
def test_an_image_url_is_in_the_site_only_as_a_relative_path_that_stays_inside(url, depth, inside):
    from digestgen.analysis.markup import in_site
    assert in_site(url, depth) is inside


SPELLINGS = ["\\\\127.0.0.1:{port}/a.png", "/\\127.0.0.1:{port}/b.png", " //127.0.0.1:{port}/c.png",
             "/&#9;/127.0.0.1:{port}/d.png"]


@pytest.mark.browser
def test_chromium_fetches_nothing_outside_the_site_though_it_would_fetch_every_spelling(tmp_path, page):
    import functools
    import http.server
    import threading
    project = hostile_project(tmp_path)
    run(project, "build", "--no-cache")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(project))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    base = f"http://127.0.0.1:{port}/site/"
    requests: list[str] = []

    def record(route):
        requests.append(route.request.url)
        if route.request.url.startswith(base) or route.request.url == f"http://127.0.0.1:{port}/control.html":
            route.continue_()
        else:
            route.abort()
    page.route("**/*", record)
    try:
        # The control: unfiltered, Chromium requests all four spellings from another host.
        other = port + 1
        imgs = "".join(f'<img src="{s.format(port=other)}">' for s in SPELLINGS)
        (project / "control.html").write_text(f"<!doctype html><body>{imgs}</body>", "utf-8")
        page.goto(f"http://127.0.0.1:{port}/control.html")
        page.wait_for_load_state("networkidle")
        outside = [u for u in requests if u.startswith(f"http://127.0.0.1:{other}/")]
        assert len(outside) == 4, requests
        # The site: every page, the article with those spellings first; nothing outside /site/ is asked for.
        requests.clear()
        pages = sorted((project / "site").rglob("*.html"), key=lambda p: "图片测试" not in p.read_text("utf-8"))
        for p in pages[:25]:
            page.goto(base + p.relative_to(project / "site").as_posix())
            page.wait_for_load_state("networkidle")
        assert requests and all(u.startswith(base) for u in requests), [u for u in requests if not u.startswith(base)]
    finally:
        server.shutdown()


def test_an_article_the_analysis_fails_on_is_left_out_and_named(project, capsys, monkeypatch):
    """A bug in the analysis that only one article triggers costs that article, not the build."""
    from digestgen.cli import main
    import digestgen.analysis.analyse as analyse
    write(project / "articles" / "good.md", "---\ntitle: 好文章\ndate: 2022-01-01\nregion: 湖南省\n---\n某县公安局破获一起盗窃案件。\n")
    write(project / "articles" / "trigger.md", "---\ntitle: 触发\ndate: 2022-01-02\nregion: 湖南省\n---\n某县交警查处违法。\n")
    real = analyse._prepare

    def fragile(article, config):
        if article.title == "触发":
            raise ZeroDivisionError("division by zero")
        return real(article, config)
    monkeypatch.setattr(analyse, "_prepare", fragile)
    assert main(["build", "--quiet"]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if ": note: base_url" not in line]
    assert err == ["articles/trigger.md: error: could not be analysed (ZeroDivisionError: division by zero); "
                   "it was left out; please report this with the file"]
    assert [p.name for p in (project / "site" / "articles").iterdir()] != []
    shown = "".join(p.read_text("utf-8") for p in (project / "site" / "articles").iterdir())
    # The build let go of each article's Markdown as it was analysed; the retry loaded them again.
    assert "好文章" in shown and "某县公安局破获一起盗窃案件。" in shown


@pytest.mark.browser
@pytest.mark.parametrize("query", ["amp", "lt", "quot"])
def test_search_highlighting_never_breaks_an_entity_in_a_title(project, page, query):
    from digestgen.cli import main
    title = 'R&D <lt> "quot" amp 警务测试'
    write(project / "articles" / "a.md", f"---\ntitle: '{title}'\ndate: 2022-01-01\nregion: 湖南省\n---\n"
                                         "某县公安局 amp lt quot 破获一起盗窃案件 R&D <lt>。\n")
    assert main(["build", "--quiet"]) == 0
    page.goto((project / "site" / "search.html").as_uri() + "?q=" + query)
    page.wait_for_selector("html[data-search-done]")
    assert page.locator("#search-results h3").all_inner_texts() == [title]
    assert set(page.locator("#search-results h3 mark").all_inner_texts()) == {query}
    assert "&amp;" not in page.locator("#search-results").inner_text()
