"""Property-based: whatever an article file holds, the build publishes it or names it, and never crashes.

Each example is a whole build (load, analyse, site model, render, write) of one generated article
beside one good article, run through the command line as a user would.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import ROOT
from digestgen.cli import main

SETTINGS = settings(max_examples=int(os.environ.get("DIGESTGEN_HYPOTHESIS_EXAMPLES", 25)), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GOOD = "---\ntitle: 好文章\ndate: 2022-01-01\nregion: 湖南省\n---\n某县公安局破获一起盗窃案件，抓获嫌疑人3名。\n"
FIELDS = ["title", "subtitle", "date", "source", "url", "authors", "region", "themes", "tags", "slug", "summary",
          "draft", "imported_from"]

_template = None


def template() -> Path:
    """A project folder (config, templates, static) made once and copied for every example."""
    global _template
    if _template is None:
        _template = Path(tempfile.mkdtemp(prefix="digestgen-props-"))
        for name in ("templates", "static"):
            shutil.copytree(ROOT / name, _template / name)
        shutil.copy(ROOT / "digest.yaml", _template / "digest.yaml")
    return _template


def build_with(content: bytes | str) -> tuple[int, str, Path]:
    """Build ``articles/x.md`` (holding ``content``) beside a good article; exit status, stderr, site."""
    folder = Path(tempfile.mkdtemp(prefix="digestgen-prop-"))
    shutil.copytree(template(), folder, dirs_exist_ok=True)
    (folder / "articles").mkdir()
    (folder / "articles" / "good.md").write_text(GOOD, "utf-8")
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    (folder / "articles" / "x.md").write_bytes(data)
    err, old = io.StringIO(), os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["build", "--quiet", "--no-cache", "--jobs", "1"])
    finally:
        os.chdir(old)
    return code, err.getvalue(), folder


def check(content: bytes | str) -> None:
    """The property: exit 0 or 1, no internal error; the good article is published; the generated
    one is published (it has a page) or named with an error."""
    code, err, folder = build_with(content)
    try:
        assert code in (0, 1), err
        assert "internal error" not in err and "Traceback" not in err, err
        pages = [p.read_text("utf-8") for p in (folder / "site" / "articles").iterdir()]
        assert any("好文章" in p for p in pages)
        named = any(line.startswith("articles/x.md") and ": error: " in line for line in err.splitlines())
        assert named == (len(pages) == 1), (len(pages), err)
        assert code == (1 if named else 0), err
    finally:
        shutil.rmtree(folder, ignore_errors=True)


scalars = st.one_of(st.text(max_size=80), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(),
                    st.dates().map(str), st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                           max_size=3), max_leaves=8)


@SETTINGS
@given(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), values, max_size=6),
       st.text(max_size=200))
def test_any_front_matter_values(meta, body):
    try:
        front = yaml.safe_dump(meta, allow_unicode=True)
    except yaml.YAMLError:
        front = repr(meta)
    check(f"---\n{front}---\n\n{body}\n")


@SETTINGS
@given(st.one_of(st.text(max_size=40), st.datetimes().map(str), st.dates().map(lambda d: d.strftime("%Y年%m月%d日")),
                 st.from_regex(r"\A-?\d{1,6}[-/.]\d{1,3}[-/.]\d{1,3}( \d{1,2}:\d{1,2}(:\d{1,2})?)?\Z")))
def test_any_date(date):
    check(f"---\ntitle: 日期测试\ndate: {yaml.safe_dump(date).removesuffix(chr(10)).removesuffix('...').strip()}\n---\n"
          "某县公安局开展宣传活动。\n")


@SETTINGS
@given(st.one_of(st.text(max_size=120), st.from_regex(r"\A[a-z0-9-]{0,200}\Z"), st.just("good")),
       st.text(max_size=300))
def test_any_slug_and_title(slug, title):
    front = yaml.safe_dump({"slug": slug, "title": title}, allow_unicode=True)
    check(f"---\n{front}---\n\n某县公安局开展宣传活动。\n")


@SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=600) | st.binary(max_size=300))
def test_any_body(body):
    if isinstance(body, bytes):
        check(b"---\ntitle: bytes\n---\n" + body)
    else:
        check(f"---\ntitle: 正文测试\n---\n{body}")


FORBIDDEN_OR_NOT = st.sampled_from(["中", "a", "\n", "\t", "\r", "\x00", "\x07", "\x7f", "\x85", "\ufdd0", "\ufdef",
                                    "\ufffe", "\uffff", "\ud800", "\U0001fffe", "\U0010ffff", "\U00020000", "😀"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(FORBIDDEN_OR_NOT | st.characters(), max_size=12).map("".join))
def test_the_first_forbidden_character_is_found_wherever_it_is(text):
    """The loader's quick search (the Basic Multilingual Plane's class, the whole class only for
    a text beyond it) names the first character the whole class names, at the same line and column."""
    from digestgen.load.clean import FORBIDDEN, find_forbidden
    m = FORBIDDEN.search(text)
    expected = None if m is None else (text.count("\n", 0, m.start()) + 1,
                                       m.start() - text.rfind("\n", 0, m.start()), m.group())
    assert find_forbidden(text) == expected
