"""``digestgen serve``: a reader's open page follows the edits, shows a broken article's error,
and the server refuses a port that is taken. The server runs as the real command, in its own process."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import write

ARTICLE = """
    ---
    title: 衡南县公安局开展夏季治安巡查
    date: 2024-06-01 09:30
    region: 湖南省/衡阳市/衡南县
    slug: summer-patrol
    ---

    6月1日,衡南县公安局组织民警在城区开展夏季治安巡查。
    """


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(project: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "digestgen", "serve", *args], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"serve exited with {proc.returncode}:\n{out}\n{err}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    pytest.fail(f"serve did not answer at {url} within {seconds} s")


def stop(proc: subprocess.Popen) -> tuple[int, str, str]:
    """Ctrl-C, as a person at the terminal would press it; the exit status and the output."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"serve did not stop within 30 s of Ctrl-C:\n{out}\n{err}")
    return proc.returncode, out, err


@pytest.mark.browser
def test_the_open_page_follows_edits_shows_a_broken_article_and_recovers(project, page):
    article = write(project / "articles" / "patrol.md", ARTICLE)
    port = free_port()
    proc = start_serve(project, "--port", str(port), "--base", "/digest/")
    try:
        url = f"http://127.0.0.1:{port}/digest/articles/summer-patrol.html"
        wait_until_up(url, proc)
        page.set_default_timeout(20_000)  # every wait below is bounded by this
        page.goto(url)
        assert "夏季治安巡查" in page.locator("h1").inner_text()
        body = page.locator("main")
        assert "组织民警在城区开展夏季治安巡查" in body.inner_text()

        # An edit reloads the page by itself: a marker set on the old page is gone, the new text is there.
        page.evaluate("window.notReloaded = true")
        article.write_text(article.read_text("utf-8").replace("夏季治安巡查。", "夏季治安巡查,共检查场所32处。"),
                           encoding="utf-8")
        page.get_by_text("共检查场所32处").wait_for()
        assert page.evaluate("window.notReloaded === undefined")
        assert page.locator("#digestgen-overlay").count() == 0

        # A broken date: the error with its file and line over the page, which still shows the last good text.
        article.write_text(article.read_text("utf-8").replace("date: 2024-06-01 09:30", "date: 2024-06-31"),
                           encoding="utf-8")
        overlay = page.locator("#digestgen-overlay")
        overlay.wait_for()
        assert re.search(r"articles/patrol\.md:3: error: date '2024-06-31' is not a date", overlay.inner_text())
        assert "共检查场所32处" in body.inner_text()
        # the last good site is still served: a fresh load shows the page and the overlay again
        page.reload()
        assert "共检查场所32处" in body.inner_text()
        overlay.wait_for()

        # Fixed: the overlay goes and the page shows the fixed article.
        article.write_text(article.read_text("utf-8").replace("date: 2024-06-31", "date: 2024-06-30")
                           .replace("共检查场所32处", "共检查场所40处"), encoding="utf-8")
        page.get_by_text("共检查场所40处").wait_for()
        assert overlay.count() == 0
        assert "2024年6月30日" in page.locator("article, main").first.inner_text()
    finally:
        code, out, err = stop(proc)
    assert code == 0, err
    assert "Traceback" not in err and "Traceback" not in out
    assert "articles/patrol.md:3: error: date '2024-06-31' is not a date" in out
    assert out.rstrip().endswith("stopped")
    # the reload script is only in served pages, never in the written site
    written = (project / "site" / "articles" / "summer-patrol.html").read_text("utf-8")
    assert "共检查场所40处" in written and "digestgen-reload" not in written


def test_the_site_is_served_under_the_base_path_with_the_script_only_in_pages(project):
    write(project / "articles" / "patrol.md", ARTICLE)
    port = free_port()
    proc = start_serve(project, "--port", str(port), "--base", "digest")
    try:
        root = f"http://127.0.0.1:{port}"
        wait_until_up(f"{root}/digest/", proc)
        with urllib.request.urlopen(f"{root}/", timeout=5) as r:  # redirected to the base
            assert r.url == f"{root}/digest/"
            assert b'id="digestgen-reload"' in r.read()
            assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        with urllib.request.urlopen(f"{root}/digest/static/style.css", timeout=5) as r:
            assert b"digestgen-reload" not in r.read()
        for missing in ("/digest/nothing-here.html", "/articles/summer-patrol.html", "/digest/.digestgen-site"):
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(root + missing, timeout=5)
            assert caught.value.code == 404, missing
    finally:
        code, out, err = stop(proc)
    assert code == 0, err
    assert f"at http://127.0.0.1:{port}/digest/" in out


def test_a_port_in_use_is_refused_with_a_clear_message(project):
    write(project / "articles" / "patrol.md", ARTICLE)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "digestgen", "serve", "--port", str(port)], cwd=project,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"error: port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "site").exists()  # refused before building anything


def test_a_broken_template_is_reported_and_the_last_good_site_stays_served(project):
    write(project / "articles" / "patrol.md", ARTICLE)
    port = free_port()
    proc = start_serve(project, "--port", str(port))
    try:
        root = f"http://127.0.0.1:{port}"
        wait_until_up(f"{root}/", proc)
        with urllib.request.urlopen(f"{root}/__digestgen__/wait?since=-1", timeout=5) as r:
            now = json.load(r)
        assert now["errors"] == []
        template = project / "templates" / "article.html"
        lines = template.read_text("utf-8").splitlines(keepends=True)
        at = next(i for i, line in enumerate(lines) if "#}" in line) + 1  # after the template's header comment
        lines.insert(at, "{% if %}\n")
        template.write_text("".join(lines), encoding="utf-8")
        deadline = time.monotonic() + 60
        while not now["errors"] and time.monotonic() < deadline:  # each build, until the broken one
            with urllib.request.urlopen(f"{root}/__digestgen__/wait?since={now['generation']}", timeout=30) as r:
                now = json.load(r)
        assert len(now["errors"]) == 1
        assert now["errors"][0].startswith(f"templates/article.html:{at + 1}: template error"), now["errors"]
        page = next((project / "site" / "articles").glob("*.html")).name
        with urllib.request.urlopen(f"{root}/articles/{page}", timeout=5) as r:
            assert "组织民警在城区开展夏季治安巡查" in r.read().decode("utf-8")
    finally:
        code, out, err = stop(proc)
    assert code == 0, err
    assert f"templates/article.html:{at + 1}: template error" in out and "still serving the last good site" in out


def test_a_config_saved_by_renaming_a_new_file_over_it_is_noticed_every_time(project):
    write(project / "articles" / "patrol.md", ARTICLE)
    port = free_port()
    proc = start_serve(project, "--port", str(port))
    config = project / "digest.yaml"
    original = config.read_text("utf-8")
    assert "title: 警务新闻文摘\n" in original
    try:
        root = f"http://127.0.0.1:{port}"
        wait_until_up(f"{root}/", proc)
        with urllib.request.urlopen(f"{root}/__digestgen__/wait?since=-1", timeout=5) as r:
            generation = json.load(r)["generation"]
        for title in ("衡阳警务周报", "衡南警务月报"):  # twice: the first rename must not end the watch
            fresh = project / "digest.yaml.new"
            fresh.write_text(original.replace("title: 警务新闻文摘\n", f"title: {title}\n"), "utf-8")
            os.replace(fresh, config)  # how many editors save
            with urllib.request.urlopen(f"{root}/__digestgen__/wait?since={generation}", timeout=30) as r:
                now = json.load(r)
            assert now["generation"] == generation + 1 and now["errors"] == []
            generation = now["generation"]
            with urllib.request.urlopen(f"{root}/", timeout=5) as r:
                assert f"<title>{title}</title>" in r.read().decode("utf-8")
    finally:
        code, out, err = stop(proc)
    assert code == 0, err
    assert out.count("built 1 articles") == 3 and "Traceback" not in err
