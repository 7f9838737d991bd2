"""Shared fixtures: a throwaway project folder, and the shipped articles built once per session."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import textwrap
import threading
from pathlib import Path

import pytest

from digestgen.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the project's config, templates and static files in a temporary folder, with
    an empty ``articles/``; the current directory is that folder."""
    for name in ("templates", "static"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "digest.yaml", tmp_path / "digest.yaml")
    (tmp_path / "articles").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    """Write dedented text (a leading newline is dropped) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory) -> Path:
    """The shipped ``articles/`` built with the shipped config into a temporary folder."""
    out = tmp_path_factory.mktemp("shipped") / "site"
    code = main(["build", "--config", str(ROOT / "digest.yaml"), "--out", str(out), "--quiet"])
    assert code == 0
    return out


# ---- a real browser: Debian's Chromium driven by Playwright ----
CHROMIUM = os.environ.get("DIGESTGEN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("DIGESTGEN_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="module")
def served(shipped_site):
    """The site served by http.server under the sub-path /digest/."""
    root = shipped_site.parent
    (root / "digest").exists() or (root / "digest").symlink_to(shipped_site, target_is_directory=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.log_message = lambda *a: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/digest/"
    server.shutdown()
