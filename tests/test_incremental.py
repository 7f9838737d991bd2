"""Incremental builds: after any kind of change the site equals a cold build of the same input,
byte for byte, and only the pages that show what changed are rendered."""
import hashlib
import html
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

import digestgen.render.pages
from digestgen.pipeline import build
from digestgen.render.keys import template_reads
from digestgen.render.pages import make_environment
from digestgen.state import BuildState

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import write_corpus


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".digestgen-site"}


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A project of 80 generated articles with its own config, templates and static files."""
    root = tmp_path_factory.mktemp("project")
    write_corpus(80, root)
    shutil.copy(ROOT / "digest.yaml", root / "digest.yaml")
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "static", root / "static")
    return root


@pytest.fixture
def project(source, tmp_path, monkeypatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(source, root)
    monkeypatch.setenv("DIGESTGEN_CACHE", str(tmp_path / "cache"))
    return root


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The path of every page rendered, in order."""
    paths: list[str] = []
    real = digestgen.render.pages.render_page

    def counting(page, *args, **kwargs):
        paths.append(page.path)
        return real(page, *args, **kwargs)

    monkeypatch.setattr(digestgen.render.pages, "render_page", counting)
    return paths


def run(project: Path, out: Path, **options):
    report = build(project / "digest.yaml", output_dir=out, jobs=1, **options)
    assert report.errors == 0, report.problems
    return report


def cold(project: Path, out: Path) -> dict[str, str]:
    run(project, out, use_cache=False)
    return snapshot(out)


def append_paragraph(p: Path) -> None:
    p.write_text(p.read_text("utf-8") + "\n办案民警提醒,如遇可疑情况请及时报警。\n", "utf-8")


def retitle(p: Path) -> None:
    p.write_text(re.sub(r"^title: '(.*)'$", r"title: '新标题\1'", p.read_text("utf-8"), count=1, flags=re.M), "utf-8")


def redate(p: Path) -> None:  # the newest date of all: the article moves to the top of every listing
    p.write_text(re.sub(r"^date: .*$", "date: 2025-06-30", p.read_text("utf-8"), count=1, flags=re.M), "utf-8")


def add_article(p: Path) -> None:
    shutil.copy(p, p.with_name("a99999.md"))
    retitle(p.with_name("a99999.md"))


def delete_article(p: Path) -> None:
    p.unlink()


def add_figure(p: Path) -> None:  # a key figure the theme pages do not group (a change told with a number)
    p.write_text(p.read_text("utf-8") + "\n今年以来,全县共接报警情1234起,同比上升12%。\n", "utf-8")


def add_counted_figure(p: Path) -> None:  # one they group (抓获, no change)
    p.write_text(p.read_text("utf-8") + "\n专项行动中,共抓获犯罪嫌疑人36名。\n", "utf-8")


CHANGES = {"body": append_paragraph, "title": retitle, "date": redate, "new": add_article, "deleted": delete_article,
           "figure": add_figure, "counted figure": add_counted_figure}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_an_incremental_build_after_an_article_change_equals_a_cold_build(project, tmp_path, change, rendered):
    out = tmp_path / "site"
    first = run(project, out)
    assert first.rendered == len(rendered) > 300
    CHANGES[change](project / "articles" / "a00030.md")
    rendered.clear()
    again = run(project, out)
    assert snapshot(out) == cold(project, tmp_path / "cold")
    assert again.rendered is not None and 0 < again.rendered <= again.pages
    if change in ("body", "title", "date"):  # a new or deleted article changes the count every page shows
        assert again.rendered < first.rendered / 2, again.rendered


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_rebuild_in_a_long_running_process_equals_a_cold_build(project, tmp_path, change):
    """``serve`` keeps parsed and analysed articles in memory between builds: the site is the same."""
    from digestgen.pipeline import Memory
    memory, out = Memory(), tmp_path / "site"
    run(project, out, memory=memory)
    assert len(memory.loaded) == len(memory.analysed) == 80
    CHANGES[change](project / "articles" / "a00030.md")
    run(project, out, memory=memory)
    assert len(memory.analysed) == len(list((project / "articles").glob("*.md")))  # only this build's articles
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_rebuild_after_a_body_edit_does_not_load_pypinyin(project, tmp_path):
    """The slug forms of region, tag and file names are kept in the build state, so a rebuild that
    names nothing new does not load pypinyin (half a second)."""
    import os
    import subprocess
    out = tmp_path / "site"
    script = ("import sys; from pathlib import Path; from digestgen.pipeline import build; "
              f"r = build(Path({str(project / 'digest.yaml')!r}), output_dir=Path({str(out)!r}), jobs=1); "
              "print(r.errors, 'pypinyin' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert first.stdout.split() == ["0", "True"]
    append_paragraph(project / "articles" / "a00030.md")
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert again.stdout.split() == ["0", "False"]
    assert snapshot(out) == cold(project, tmp_path / "cold")


@pytest.mark.parametrize("batch", [500, 7])
def test_after_a_body_edit_the_search_index_is_patched_shard_by_shard(project, tmp_path, monkeypatch, batch):
    """Each article's terms are stored as they come, in batches (``batch`` articles at a time):
    the patch needs every article's, so a batch left unsaved would make the index whole again."""
    import digestgen.render.searchindex as index
    monkeypatch.setattr(digestgen.render.pages, "TERMS_BATCH", batch)
    out = tmp_path / "site"
    run(project, out)
    made = {"whole": 0, "patched": []}
    whole, patch = index.search_files, index.patch_shard
    monkeypatch.setattr(digestgen.render.pages, "search_files",
                        lambda *a, **k: made.__setitem__("whole", made["whole"] + 1) or whole(*a, **k))
    monkeypatch.setattr(digestgen.render.pages, "patch_shard",
                        lambda n, *a: made["patched"].append(n) or patch(n, *a))  # type: ignore[func-returns-value]
    before = snapshot(out)
    append_paragraph(project / "articles" / "a00030.md")
    run(project, out)
    after = snapshot(out)
    shards = [p for p in after if re.fullmatch(r"search/s\d+\.js", p)]
    assert made["whole"] == 0 and 0 < len(made["patched"]) < len(shards)
    changed = {p for p in after if p.startswith("search/") and after[p] != before.get(p)}
    texts = list(changed - {f"search/s{n}.js" for n in made["patched"]})
    assert len(texts) == 1 and re.fullmatch(r"search/t\d+\.js", texts[0])  # the edited article's text
    monkeypatch.undo()
    assert after == cold(project, tmp_path / "cold")


def test_after_a_body_edit_only_the_pages_showing_that_article_are_rendered(project, tmp_path, rendered):
    out = tmp_path / "site"
    run(project, out)
    article = project / "articles" / "a00030.md"
    before = snapshot(out)
    append_paragraph(article)
    rendered.clear()
    report = run(project, out)
    own = next(p for p in snapshot(out) if p.endswith(".html") and "如遇可疑情况请及时报警" in (out / p).read_text("utf-8"))
    assert own in rendered
    slug = Path(own).name
    showing = {p for p in before if p.endswith(".html") and slug in (out / p).read_text("utf-8")}
    assert set(rendered) <= showing | {own}, set(rendered) - showing
    assert report.rendered == len(rendered) and report.rendered <= len(showing) + 1
    assert report.reused > len(before) / 2
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_body_edit_that_listings_do_not_show_renders_that_article_s_page_alone(project, tmp_path, rendered,
                                                                                     monkeypatch):
    """A paragraph with no figure, no new tag and no change of summary: listings show the article as
    before, so only its own page is rendered, and no other page's key is even computed."""
    from digestgen.render.keys import Keyer
    out = tmp_path / "site"
    run(project, out)
    bases: list[str] = []
    real = Keyer.page_base
    monkeypatch.setattr(Keyer, "page_base", lambda self, page: bases.append(page.path) or real(self, page))
    append_paragraph(project / "articles" / "a00030.md")
    rendered.clear()
    report = run(project, out)
    own = next(p for p in snapshot(out) if p.endswith(".html") and "如遇可疑情况请及时报警" in (out / p).read_text("utf-8"))
    assert rendered == [own] and report.rendered == 1
    assert bases == []  # every key from the last build: the site digest is unchanged
    monkeypatch.undo()
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_an_unchanged_page_is_not_rendered_and_its_file_is_reused(project, tmp_path, rendered):
    out = tmp_path / "site"
    run(project, out)
    (out / ".digestgen-site").write_text(  # the fast path for an unchanged input is off: keys decide
        (out / ".digestgen-site").read_text("utf-8").replace('"fingerprint": "', '"fingerprint": "x'), "utf-8")
    inode = (out / "index.html").stat().st_ino
    rendered.clear()
    report = run(project, out)
    assert rendered == [] and report.rendered == 0
    assert (out / "index.html").stat().st_ino == inode  # the very file, linked into the new site


def test_a_page_whose_file_was_changed_by_hand_is_rendered_again(project, tmp_path, rendered):
    out = tmp_path / "site"
    run(project, out)
    (out / "index.html").write_text("tampered", "utf-8")
    append_paragraph(project / "articles" / "a00030.md")
    expected = cold(project, tmp_path / "cold")
    rendered.clear()
    run(project, out)
    assert snapshot(out) == expected
    assert "index.html" in rendered


def test_a_template_edit_renders_the_pages_that_use_it(project, tmp_path, rendered):
    out = tmp_path / "site"
    first = run(project, out)
    template = project / "templates" / "article.html"
    template.write_text(template.read_text("utf-8").replace("<h1>", '<h1 class="headline">', 1), "utf-8")
    rendered.clear()
    again = run(project, out)
    articles = {p for p in snapshot(out) if p.startswith("articles/") and p.endswith(".html")}
    assert set(rendered) == articles and again.rendered == len(articles) < first.rendered
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_base_template_edit_renders_every_page(project, tmp_path, rendered):
    out = tmp_path / "site"
    first = run(project, out)
    template = project / "templates" / "base.html"
    template.write_text(template.read_text("utf-8").replace("</footer>", "<!-- x --></footer>", 1), "utf-8")
    rendered.clear()
    assert run(project, out).rendered == first.rendered
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_config_edit_rebuilds_everything(project, tmp_path, rendered):
    out = tmp_path / "site"
    first = run(project, out)
    config = project / "digest.yaml"
    config.write_text(config.read_text("utf-8").replace("title: 警务新闻文摘", "title: 警务新闻摘编", 1), "utf-8")
    rendered.clear()
    again = run(project, out)
    assert again.rendered == first.rendered and again.reused == 0
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_template_reading_an_article_body_in_a_listing_keys_listings_by_the_body(tmp_path):
    (tmp_path / "listing.html").write_text("{% for e in entries %}{{ e.item.html }}{% endfor %}", "utf-8")
    (tmp_path / "base.html").write_text("{{ site.entries|length }}{% if not site.entries %}-{% endif %}", "utf-8")
    reads = template_reads(make_environment(tmp_path))
    assert (reads.bodies_private, reads.site_count_only, reads.figures_elsewhere) == (False, True, False)
    # Key figures are kept with the body too: a listing that shows them is keyed by them, and kept in the records.
    (tmp_path / "listing.html").write_text("{% for e in entries %}{{ e.item.key_figures|length }}{% endfor %}", "utf-8")
    reads = template_reads(make_environment(tmp_path))
    assert (reads.bodies_private, reads.site_count_only, reads.figures_elsewhere) == (False, True, True)
    (tmp_path / "listing.html").write_text("{{ site.tags[0].name }}{{ entry.item.html }}", "utf-8")
    reads = template_reads(make_environment(tmp_path))
    assert (reads.bodies_private, reads.site_count_only, reads.figures_elsewhere) == (True, False, False)
    reads = template_reads(make_environment(ROOT / "templates"))
    assert (reads.bodies_private, reads.site_count_only, reads.markdown, reads.figures_elsewhere) == \
        (True, True, False, False)


def test_an_unreadable_state_renders_everything(project, tmp_path, rendered):
    out = tmp_path / "site"
    first = run(project, out)
    state = tmp_path / "cache" / "state.sqlite"
    assert BuildState(state).load(out.resolve())
    state.write_bytes(b"this is not a database" * 100)
    append_paragraph(project / "articles" / "a00030.md")
    rendered.clear()
    assert run(project, out).rendered == first.rendered
    assert snapshot(out) == cold(project, tmp_path / "cold")
    assert BuildState(state).load(out.resolve())  # replaced by a whole one


def test_a_search_index_built_in_the_background_is_the_same(project, tmp_path, monkeypatch):
    monkeypatch.setattr(digestgen.render.pages, "BACKGROUND_SEARCH", 10)
    out = tmp_path / "site"
    build(project / "digest.yaml", output_dir=out, jobs=2)
    # The worker's files were moved into the site from beside it: nothing of them is left there.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert snapshot(out) == cold(project, tmp_path / "cold")
    append_paragraph(project / "articles" / "a00030.md")
    build(project / "digest.yaml", output_dir=out, jobs=2)
    assert snapshot(out) == cold(project, tmp_path / "cold")


@pytest.mark.parametrize("first", [True, False], ids=["first build", "later build"])
def test_a_build_stopped_by_a_failure_leaves_nothing_beside_the_site(project, tmp_path, monkeypatch, first):
    """Workers write pages, feeds, data and the search index into folders beside the output folder;
    a build that fails midway stops them and removes those folders before it lets go of the lock."""
    from digestgen.render.pages import RenderError
    monkeypatch.setattr(digestgen.render.pages, "BACKGROUND_SEARCH", 10)
    monkeypatch.setattr(digestgen.render.pages, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(digestgen.render.pages, "CHUNK", 3)
    out = tmp_path / "site"
    if not first:
        build(project / "digest.yaml", output_dir=out, jobs=2)
    before = snapshot(out) if not first else None
    template = project / "templates" / "listing.html"
    template.write_text(template.read_text("utf-8").replace("{% block main %}", "{% block main %}{{ no_such }}", 1),
                        "utf-8")
    with pytest.raises(RenderError, match=r"listing\.html"):
        build(project / "digest.yaml", output_dir=out, jobs=2)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert (snapshot(out) == before) if not first else not out.exists()


def test_a_broken_template_after_a_build_is_reported_with_its_line(project, tmp_path):
    from digestgen.render.pages import RenderError
    out = tmp_path / "site"
    run(project, out)
    before = snapshot(out)
    template = project / "templates" / "article.html"
    template.write_text(template.read_text("utf-8").replace("<h1>", "{% if %}<h1>", 1), "utf-8")
    with pytest.raises(RenderError, match=r"article\.html:\d+: template error"):
        run(project, out)
    assert snapshot(out) == before  # the last site stays whole


def test_a_body_edit_in_a_long_running_process_keeps_the_site_model_but_the_article_s_own_page(project, tmp_path):
    """``serve`` after a sentence added to one article: the corpus pass and the site model are the
    last build's, but for that article's entry and own page, and the site equals a cold build."""
    from digestgen.pipeline import Memory
    memory, out = Memory(), tmp_path / "site"
    run(project, out, memory=memory)
    assert memory.site is not None
    pages, items = memory.site.pages, memory.items
    append_paragraph(project / "articles" / "a00030.md")
    again = run(project, out, memory=memory)
    assert sum(a is not b for a, b in zip(items, memory.items, strict=True)) == 1
    moved = [b.path for a, b in zip(pages, memory.site.pages, strict=True) if a is not b]
    assert len(moved) == 1 and moved[0].startswith("articles/")
    assert again.rendered == 1
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_long_running_process_sees_an_image_added_beside_an_article(project, tmp_path):
    """The image an article links is looked for on every build: once added, a rebuild in the same
    process copies it and rewrites the link as a cold build does; once removed, it is reported."""
    from digestgen.pipeline import Memory
    memory, out = Memory(), tmp_path / "site"
    article = project / "articles" / "a00030.md"
    article.write_text(article.read_text("utf-8") + "\n![现场](photo.png)\n", "utf-8")
    first = run_with_warnings(project, out, memory=memory)
    assert any("photo.png" in p.message for p in first.problems)
    (project / "articles" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    again = run_with_warnings(project, out, memory=memory)
    assert not any("photo.png" in p.message for p in again.problems)
    assert snapshot(out) == cold(project, tmp_path / "cold")
    # Another article's body edited: the site model is still the last one but for the two articles.
    pages, items = memory.site.pages, memory.items
    other = project / "articles" / "a00031.md"
    other.write_text(other.read_text("utf-8") + "\n当天天气晴朗。\n", "utf-8")  # no tag moves
    run_with_warnings(project, out, memory=memory)
    assert sum(a is not b for a, b in zip(items, memory.items, strict=True)) == 1
    assert sum(a is not b for a, b in zip(pages, memory.site.pages, strict=True)) == 2
    assert snapshot(out) == cold(project, tmp_path / "cold2")
    (project / "articles" / "photo.png").unlink()
    last = run_with_warnings(project, out, memory=memory)
    assert any("photo.png" in p.message for p in last.problems)


def run_with_warnings(project: Path, out: Path, **options):
    report = build(project / "digest.yaml", output_dir=out, jobs=1, **options)
    assert report.errors == 0, report.problems
    return report


def test_a_long_running_process_frees_what_each_build_left(project, tmp_path, monkeypatch):
    """``serve`` keeps its memory out of the garbage collector's passes between builds, but what a
    build no longer needs (its template environment, in cycles) is collected first."""
    import gc
    import weakref

    import digestgen.pipeline
    from digestgen.pipeline import Memory
    from digestgen.serve import _settle
    made: list = []
    real = digestgen.pipeline.make_environment

    def recording(*args, **kwargs):
        env = real(*args, **kwargs)
        made.append(weakref.ref(env))
        return env

    monkeypatch.setattr(digestgen.pipeline, "make_environment", recording)
    memory, out = Memory(), tmp_path / "site"
    try:
        for n in range(4):
            article = project / "articles" / "a00030.md"
            article.write_text(article.read_text("utf-8") + f"\n第{n}次补充。\n", "utf-8")
            run(project, out, memory=memory)
            _settle()
        assert len(made) == 4 and sum(r() is not None for r in made) <= 1
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("articles", [0, 1, 25, 26, 81])
def test_the_search_index_names_its_files_before_making_them(articles):
    """The index's files are recorded by name before they are made (they stream to the writer)."""
    from digestgen.render.searchindex import Doc, index_paths, search_files
    docs = [Doc(f"articles/a{i}.html", f"标题{i}", ("反诈",), ("湖南省",), "湖南省", "县公安局", None, (),
                f"正文{i}:反诈宣传进社区。", None) for i in range(articles)]
    assert [f.path for f in search_files(docs, {"anti-fraud": "反诈"}, [])] == index_paths(articles)


def test_a_template_showing_key_figures_on_listings_gets_them(project, tmp_path):
    """Key figures are kept with the body unless a template shows them beyond the article's own
    page: then the records keep them, and listings show what a build without the cache shows."""
    macros = project / "templates" / "_macros.html"
    macros.write_text(macros.read_text("utf-8").replace(
        '<a href="{{ url(e.path) }}">{{ e.item.title }}</a>',
        '<a href="{{ url(e.path) }}">{{ e.item.title }}</a><span class="n">{{ e.item.key_figures|length }}</span>', 1),
        "utf-8")
    out = tmp_path / "site"
    run(project, out)
    home = (out / "index.html").read_text("utf-8")
    assert any(n != "0" for n in re.findall(r'<span class="n">(\d+)</span>', home))
    assert snapshot(out) == cold(project, tmp_path / "cold")
    add_figure(project / "articles" / "a00030.md")
    run(project, out)
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_an_unreadable_key_figures_entry_is_dropped_and_the_next_build_is_whole(project, tmp_path):
    import sqlite3

    from digestgen.bodies import BodyMissing
    out = tmp_path / "site"
    run(project, out)
    with sqlite3.connect(tmp_path / "cache" / "state.sqlite") as db:
        db.execute("UPDATE analysis SET figures = 'not a list' WHERE key = (SELECT min(key) FROM analysis)")
    shutil.rmtree(out)
    with pytest.raises(BodyMissing, match="the entry was removed; build again"):
        run(project, out)
    run(project, out)
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_number_too_large_for_a_float_is_no_key_figure(project, tmp_path):
    article = project / "articles" / "a00030.md"
    article.write_text(article.read_text("utf-8") + "\n抓获犯罪嫌疑人" + "9" * 400 + "人。\n", "utf-8")
    out = tmp_path / "site"
    run(project, out)
    records = json.loads((out / "data" / "articles.json").read_text("utf-8"))
    assert all(f["value"] is None or f["value"] < 1e300 for r in records for f in r["key_figures"])
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_template_showing_an_article_s_markdown_gets_it(project, tmp_path):
    """The build command lets go of each article's Markdown once it is analysed, unless a template
    shows it (``entry.item.article.body``): then every article page has its own."""
    template = project / "templates" / "article.html"
    template.write_text(template.read_text("utf-8").replace(
        "{% block main %}", '{% block main %}<pre class="source">{{ entry.item.article.body }}</pre>', 1), "utf-8")
    assert template_reads(make_environment(project / "templates")).markdown
    out = tmp_path / "site"
    build(project / "digest.yaml", output_dir=out, jobs=2, once=True)
    shown = [re.search(r'<pre class="source">(.*?)</pre>', p.read_text("utf-8"), re.S)
             for p in sorted((out / "articles").glob("*.html"))]
    sources = {a.read_text("utf-8").split("---\n", 2)[2].strip().splitlines()[0] for a in (project / "articles").glob("*.md")}
    assert len(shown) == len(sources) == 80
    assert {html.unescape(m.group(1)).strip().splitlines()[0] for m in shown if m} == sources
