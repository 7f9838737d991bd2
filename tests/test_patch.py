"""A rebuild after an edit of one article made from the last build's snapshot (digestgen.patch):
taken when the edit shows on the article's own page alone, declined otherwise, and either way
the site equals a cold build of the same articles, byte for byte."""
import contextlib
import os
import re
import sqlite3
import shutil
from pathlib import Path

import pytest

import digestgen.patch
from digestgen.pipeline import build

from test_incremental import CHANGES, append_paragraph, cold, snapshot, source  # noqa: F401  (a fixture)


@pytest.fixture
def project(source, tmp_path, monkeypatch) -> Path:  # noqa: F811
    root = tmp_path / "project"
    shutil.copytree(source, root)
    monkeypatch.setenv("DIGESTGEN_CACHE", str(tmp_path / "cache"))
    # The articles were written an instant ago: a build would not trust their statuses (a second
    # write within the clock's tick could leave one as it was), and take every file as changed.
    monkeypatch.setattr(digestgen.patch, "RACY_NS", 0)
    return root


def run(project: Path, out: Path, **options):
    report = build(project / "digest.yaml", output_dir=out, jobs=1, **options)
    assert report.errors == 0, report.problems
    return report


def patched(report) -> bool:
    """Whether the build was made from the snapshot (its stages say so)."""
    stages = [name for name, _ in report.timings]
    return "edit" in stages and "analyse" not in stages


def test_a_body_edit_is_built_from_the_snapshot_and_equals_a_cold_build(project, tmp_path):
    out = tmp_path / "site"
    first = run(project, out)
    article = project / "articles" / "a00030.md"
    append_paragraph(article)
    again = run(project, out)
    assert patched(again), again.timings
    assert again.rendered == 1 and again.files >= 1
    assert (again.articles, again.pages, again.problems) == (first.articles, first.pages, first.problems)
    page = next(p for p in snapshot(out) if p.endswith(".html") and "如遇可疑情况请及时报警" in (out / p).read_text("utf-8"))
    assert page.startswith("articles/")
    assert snapshot(out) == cold(project, tmp_path / "cold")
    assert run(project, out).files == 0  # nothing changed since: the site stays as it is


def test_edits_one_after_another_each_equal_a_cold_build(project, tmp_path):
    """Each rebuild from the snapshot updates it (the file's status, its analysis key, the words'
    counts), so the next edit, of the same article or another, starts from what is now on disk."""
    out = tmp_path / "site"
    run(project, out)
    lines = ["\n专项行动中,民警走访群众征求意见建议。\n", "\n民警提醒广大群众提高防范意识,谨防电信网络诈骗。\n",
             "\n社区民警深入辖区开展安全隐患排查。\n"]
    for n, (name, line) in enumerate([("a00030.md", lines[0]), ("a00030.md", lines[1]), ("a00044.md", lines[2])]):
        article = project / "articles" / name
        article.write_text(article.read_text("utf-8") + line, "utf-8")
        report = run(project, out)
        assert snapshot(out) == cold(project, tmp_path / f"cold{n}"), (name, line)
        assert report.rendered is not None and report.rendered >= 1


def test_an_edit_that_takes_another_article_s_sentence_equals_a_cold_build(project, tmp_path):
    """Words the article did not have move their counts: the articles holding them are weighed again."""
    out = tmp_path / "site"
    run(project, out)
    donor = (project / "articles" / "a00012.md").read_text("utf-8").split("---\n", 2)[2]
    sentence = next(s for s in re.findall(r"[^。]+。", donor) if len(s) > 20)
    article = project / "articles" / "a00030.md"
    article.write_text(article.read_text("utf-8") + "\n" + sentence + "\n", "utf-8")
    run(project, out)
    assert snapshot(out) == cold(project, tmp_path / "cold")


@pytest.mark.parametrize("change", sorted(set(CHANGES) - {"body"}))
def test_an_edit_that_shows_beyond_the_article_s_page_is_built_whole(project, tmp_path, change):
    """A new title, date, figure, article or a deleted one shows in listings: the snapshot cannot
    make that, and the whole pipeline does."""
    out = tmp_path / "site"
    run(project, out)
    CHANGES[change](project / "articles" / "a00030.md")
    report = run(project, out)
    assert not patched(report), report.timings
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_programme_name_new_to_the_archive_is_built_whole(project, tmp_path):
    """A quoted programme name exempts a word from the everyday-word rule on every article."""
    out = tmp_path / "site"
    run(project, out)
    article = project / "articles" / "a00030.md"
    article.write_text(article.read_text("utf-8") + "\n全县推行“九九红帆工程”,群众满意度明显提升。\n", "utf-8")
    report = run(project, out)
    assert snapshot(out) == cold(project, tmp_path / "cold")
    assert not patched(report)


def test_a_page_changed_by_hand_is_made_again_by_the_whole_build(project, tmp_path):
    out = tmp_path / "site"
    run(project, out)
    (out / "index.html").write_text("tampered", "utf-8")
    append_paragraph(project / "articles" / "a00030.md")
    report = run(project, out)
    assert not patched(report)
    assert snapshot(out) == cold(project, tmp_path / "cold")


@pytest.mark.parametrize("by_hand", [False, True], ids=["edit", "edit and a page changed by hand"])
def test_an_edit_while_the_site_is_looked_over_in_the_background(project, tmp_path, monkeypatch, by_hand):
    """A large site's files are looked over in worker processes while the edit is analysed (here
    from 10 files): the edit is still made from the snapshot, and a page changed by hand still makes
    the build whole."""
    import digestgen.parallel as parallel
    import digestgen.write as write
    monkeypatch.setattr(write, "BACKGROUND_CHECK", 10)
    out = tmp_path / "site"
    run(project, out)
    spans = []
    started = parallel.background
    monkeypatch.setattr(parallel, "background", lambda task, shared, item, **kw: spans.append(item) or
                        started(task, shared, item, **kw))
    if by_hand:
        (out / "index.html").write_text("tampered", "utf-8")
    append_paragraph(project / "articles" / "a00030.md")
    report = build(project / "digest.yaml", output_dir=out, jobs=2)
    assert report.errors == 0, report.problems
    assert len(spans) == 2 and spans[0][0] == 0 and spans[0][1] == spans[1][0]  # the files, in two halves
    assert patched(report) is not by_hand
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_snapshot_that_cannot_be_read_is_ignored(project, tmp_path):
    out = tmp_path / "site"
    run(project, out)
    with sqlite3.connect(tmp_path / "cache" / "state.sqlite") as db:
        db.execute("UPDATE patch_articles SET data = 'not json'")
        db.execute("UPDATE patch_words SET holders = x'01'")
    article = project / "articles" / "a00030.md"
    original = article.read_text("utf-8")
    append_paragraph(article)
    report = run(project, out)
    assert not patched(report)
    assert snapshot(out) == cold(project, tmp_path / "cold")
    article.write_text(original, "utf-8")  # the whole build wrote a new snapshot: the edit back is made from it
    assert patched(run(project, out))
    assert snapshot(out) == cold(project, tmp_path / "cold2")


def test_an_edit_after_a_config_change_or_without_the_cache_is_built_whole(project, tmp_path):
    out = tmp_path / "site"
    run(project, out)
    config = project / "digest.yaml"
    config.write_text(config.read_text("utf-8").replace("title:", "title: 新", 1), "utf-8")
    append_paragraph(project / "articles" / "a00030.md")
    assert not patched(run(project, out))
    append_paragraph(project / "articles" / "a00030.md")
    assert not patched(run(project, out, use_cache=False))
    assert snapshot(out) == cold(project, tmp_path / "cold")
    article = project / "articles" / "a00030.md"  # the site was last written without the cache
    article.write_text(article.read_text("utf-8").replace("办案民警提醒", "民警提醒"), "utf-8")
    assert not patched(run(project, out))
    assert snapshot(out) == cold(project, tmp_path / "cold2")


def test_two_edited_articles_are_built_whole(project, tmp_path):
    out = tmp_path / "site"
    run(project, out)
    append_paragraph(project / "articles" / "a00030.md")
    append_paragraph(project / "articles" / "a00031.md")
    assert not patched(run(project, out))
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_file_written_during_the_scan_s_clock_tick_is_taken_as_changed(project, tmp_path, monkeypatch):
    """Without the racy window (the default two seconds), files written just before a build are
    recorded without their status: the next build takes them as changed, so never misses a write."""
    monkeypatch.setattr(digestgen.patch, "RACY_NS", 10**15)
    out = tmp_path / "site"
    run(project, out)
    append_paragraph(project / "articles" / "a00030.md")
    assert not patched(run(project, out))  # every file taken as changed: the whole build
    assert snapshot(out) == cold(project, tmp_path / "cold")


def _coarse_clock(monkeypatch) -> None:
    """Each file keeps the status it was first seen with, as a coarse clock can leave it, and every
    file counts as written an instant before the scan."""
    import digestgen.pipeline as pipeline
    monkeypatch.setattr(digestgen.patch, "RACY_NS", 60_000_000_000)
    first_seen: dict[str, str] = {}
    scan = pipeline._statuses

    def coarse(root: str, recent: int) -> tuple[list[tuple[str, str]], list[str]]:
        found, racy = scan(root, recent)
        return [(path, first_seen.setdefault(path, status)) for path, status in found], racy
    monkeypatch.setattr(pipeline, "_statuses", coarse)


def test_a_second_write_within_the_clock_s_tick_is_built(project, tmp_path, monkeypatch):
    """A file system whose clock ticks coarsely can leave a file written twice within one tick, at
    the same size, with the status the first write gave it (simulated here: each file keeps the
    status it was first seen with). A file a build saw changed that recently counts by its bytes,
    for that build and the next: the second write is built, and a build after it with nothing
    changed leaves the site as it is."""
    _coarse_clock(monkeypatch)
    out = tmp_path / "site"
    run(project, out)
    article = project / "articles" / "a00030.md"
    text = article.read_text("utf-8")
    assert "公安" in text
    article.write_text(text.replace("公安", "警方", 1), "utf-8")  # as many bytes
    assert run(project, out).files > 0
    assert snapshot(out) == cold(project, tmp_path / "cold")
    assert [stage for stage, _ in run(project, out).timings] == ["fingerprint"]  # taken as unchanged
    article.write_text(text, "utf-8")  # and back, still with the first status
    assert run(project, out).files > 0
    assert snapshot(out) == cold(project, tmp_path / "cold2")


def test_articles_counted_by_content_count_by_status_again_once_older(project, tmp_path, monkeypatch):
    """Articles copied an instant before a build count by their bytes; once they are older, the
    next unchanged build records them by status again, so later builds do not read them."""
    import digestgen.pipeline as pipeline
    from digestgen.write import read_manifest
    monkeypatch.setattr(digestgen.patch, "RACY_NS", 60_000_000_000)  # every file here is that recent
    out = tmp_path / "site"
    run(project, out)
    articles = sorted(p.name for p in (project / "articles").iterdir())
    assert len(read_manifest(out)["racy"]) == len(articles)
    monkeypatch.setattr(digestgen.patch, "RACY_NS", 0)  # now older than the window
    reads: list[str] = []
    content = pipeline._content
    monkeypatch.setattr(pipeline, "_content", lambda path: reads.append(path) or content(path))
    assert [stage for stage, _ in run(project, out).timings] == ["fingerprint"]  # unchanged
    assert len(reads) == len(articles) and read_manifest(out)["racy"] == []
    reads.clear()
    assert [stage for stage, _ in run(project, out).timings] == ["fingerprint"]
    assert reads == []
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_second_write_of_a_large_linked_file_within_the_clock_s_tick_is_built(project, tmp_path, monkeypatch):
    """A file an article links (copied into the site whatever its size) counts by all its bytes."""
    _coarse_clock(monkeypatch)
    article = project / "articles" / "a00030.md"
    article.write_text(article.read_text("utf-8") + "\n![现场](photo.png)\n", "utf-8")
    data = bytearray(b"\x89PNG" + bytes(6 * 1024 * 1024))
    (project / "articles" / "photo.png").write_bytes(data)
    out = tmp_path / "site"
    run(project, out)
    data[5 * 1024 * 1024 + 100] = 1
    (project / "articles" / "photo.png").write_bytes(data)  # as many bytes: the same status
    assert run(project, out).files > 0
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_file_just_written_whose_name_is_not_utf8_builds(project, tmp_path, monkeypatch):
    """The manifest names the files counted by content by a hash of their name's bytes: a name that
    is not UTF-8 (an image unzipped from a GBK archive) is written as well as any."""
    monkeypatch.setattr(digestgen.patch, "RACY_NS", 60_000_000_000)
    with open(os.fsencode(project / "articles") + b"/\xb9\xab\xb0\xb2.png", "wb") as f:  # 公安.png in GBK
        f.write(b"x")
    out = tmp_path / "site"
    run(project, out)
    assert snapshot(out) == cold(project, tmp_path / "cold")
    assert [stage for stage, _ in run(project, out).timings] == ["fingerprint"]  # nothing changed since


def _children() -> list[int]:
    """This process's child processes (a finished one not waited for included)."""
    me, found = os.getpid(), []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as f:
            if int(f.read().rsplit(")", 1)[1].split()[1]) == me:
                found.append(int(pid))
    return found


def test_an_edit_stopped_while_the_site_is_looked_over_leaves_no_process(project, tmp_path, monkeypatch):
    import digestgen.parallel as parallel
    import digestgen.write as write
    monkeypatch.setattr(write, "BACKGROUND_CHECK", 10)
    out = tmp_path / "site"
    run(project, out)
    append_paragraph(project / "articles" / "a00030.md")
    real = parallel._Forked._outcome

    def stopped(self):  # Ctrl-C once the first worker has answered
        real(self)
        raise KeyboardInterrupt
    monkeypatch.setattr(parallel._Forked, "_outcome", stopped)
    with pytest.raises(KeyboardInterrupt):
        build(project / "digest.yaml", output_dir=out, jobs=2)
    assert _children() == []


def test_an_article_that_links_a_file_beside_it_is_built_whole(project, tmp_path):
    """The site model rewrites such an article's links and copies the files it links on every build."""
    out = tmp_path / "site"
    article = project / "articles" / "a00030.md"
    (project / "articles" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    linking = article.read_text("utf-8") + "\n![现场](photo.png)\n"
    article.write_text(linking, "utf-8")
    run(project, out)
    append_paragraph(article)
    run(project, out)
    article.write_text(linking, "utf-8")  # back as it was: nothing but its own page changes
    report = run(project, out)
    assert not patched(report)
    assert snapshot(out) == cold(project, tmp_path / "cold")
    assert any(p.endswith("photo.png") for p in snapshot(out))


def test_the_archive_s_programme_names_are_counted_again_after_each_edit(project, tmp_path):
    """A quoted name exempts a word from the everyday-word rule while any article quotes it: after
    the first of two articles quoting it stops, the snapshot must know one still does, and after
    the second, that none does (then the word is an everyday one again, and the whole build runs)."""
    word = "热心肠"
    quoted, plain = f"\n民警化身“{word}”,打开群众心结。\n", f"\n民警化身{word},打开群众心结。{word}。\n"
    articles = project / "articles"
    for name in ("a00030.md", "a00044.md"):
        text = re.sub(r"^title: '(.*)'$", rf"title: '\1“{word}”'", (articles / name).read_text("utf-8"), count=1,
                      flags=re.M)
        (articles / name).write_text(text + quoted, "utf-8")
    append_paragraph(articles / "a00050.md")
    (articles / "a00050.md").write_text((articles / "a00050.md").read_text("utf-8")
                                        + f"\n{word}服务队走进社区。{word}志愿者上门。{word}热线开通。\n", "utf-8")
    out = tmp_path / "site"
    run(project, out)
    for n, name in enumerate(("a00030.md", "a00044.md")):
        (articles / name).write_text((articles / name).read_text("utf-8").replace(quoted, plain), "utf-8")
        run(project, out)
        assert snapshot(out) == cold(project, tmp_path / f"cold{n}"), name


def test_a_site_last_written_by_a_build_with_another_cache_is_built_whole(project, tmp_path, monkeypatch):
    """The site, the build state and the snapshot must be those of one build: here the site was
    written by a build whose state is elsewhere, so this cache's snapshot describes an older site."""
    out = tmp_path / "site"
    article = project / "articles" / "a00030.md"
    original = article.read_text("utf-8")
    run(project, out)
    article.write_text(original.replace("source: 测试来源\n", "source: 测试来源\nsummary: 一段新的摘要文字。\n"), "utf-8")
    monkeypatch.setenv("DIGESTGEN_CACHE", str(tmp_path / "other-cache"))
    run(project, out)
    monkeypatch.setenv("DIGESTGEN_CACHE", str(tmp_path / "cache"))
    article.write_text(original + "\n办案民警提醒,如遇可疑情况请及时报警。\n", "utf-8")
    assert not patched(run(project, out))
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_file_name_that_is_not_utf8_leaves_the_build_as_it_was(project, tmp_path):
    """The snapshot cannot hold such a name: there is none, and the build goes on."""
    import os
    folder = os.fsencode(project / "articles" / "notes")
    os.makedirs(folder)
    with open(folder + b"/readme\xff.txt", "wb") as f:
        f.write(b"hello")
    out = tmp_path / "site"
    run(project, out)
    append_paragraph(project / "articles" / "a00030.md")
    assert not patched(run(project, out))
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_the_site_s_files_looked_over_in_several_processes_are_found_as_in_one(project, tmp_path, monkeypatch):
    """A large site's files are checked over the cores: the same files are found changed."""
    import digestgen.write as write
    out = tmp_path / "site"
    run(project, out)
    manifest = write.read_manifest(out)
    (out / "index.html").write_text("tampered", "utf-8")
    (out / "search" / "facets.js").unlink()
    monkeypatch.setattr(write, "BACKGROUND_CHECK", 10)
    serial, parallel = write.reusable(out, manifest), write.reusable(out, manifest, jobs=2)
    assert serial == parallel and len(serial) == len(manifest["files"]) - 2
    assert "index.html" not in parallel and "search/facets.js" not in parallel
    assert not write.site_intact(out, manifest, jobs=2)


def test_snapshot_tables_of_another_layout_are_made_anew(project, tmp_path):
    out = tmp_path / "site"
    run(project, out)
    with sqlite3.connect(tmp_path / "cache" / "state.sqlite") as db:
        db.execute("UPDATE meta SET value = '0' WHERE name = 'version:patch'")
        db.execute("ALTER TABLE patch_files ADD COLUMN extra TEXT")  # as another version might have it
    article = project / "articles" / "a00030.md"
    original = article.read_text("utf-8")
    append_paragraph(article)
    assert not patched(run(project, out))
    article.write_text(original, "utf-8")
    assert patched(run(project, out))
    assert snapshot(out) == cold(project, tmp_path / "cold")


def test_a_build_that_writes_the_site_while_an_edit_is_planned_wins(project, tmp_path, monkeypatch):
    """Another build (a second terminal, or ``serve``) writes the site between the edit's plan and
    its write: the edit writes nothing, and the whole build makes the site from what is on disk."""
    out = tmp_path / "site"
    run(project, out)
    articles = project / "articles"
    append_paragraph(articles / "a00030.md")
    real = digestgen.patch._write

    def racing(*args, **kwargs):
        neighbour = articles / "a00031.md"
        neighbour.write_text(re.sub(r"^title: '(.*)'$", r"title: '新标题\1'", neighbour.read_text("utf-8"),
                                    count=1, flags=re.M), "utf-8")
        monkeypatch.setattr(digestgen.patch, "_write", real)
        run(project, out)
        return real(*args, **kwargs)

    monkeypatch.setattr(digestgen.patch, "_write", racing)
    report = run(project, out)
    assert not patched(report)
    assert snapshot(out) == cold(project, tmp_path / "cold")
    append_paragraph(articles / "a00030.md")
    run(project, out)
    assert snapshot(out) == cold(project, tmp_path / "cold2")


def test_an_edit_does_not_repeat_that_an_address_changed_in_the_build_before(project, tmp_path):
    """The warning belongs to the build that moved the address; the next one, made whole or from
    the snapshot, has nothing to say of it."""
    out = tmp_path / "site"
    run(project, out)
    article = project / "articles" / "a00050.md"
    article.write_text(article.read_text("utf-8").replace("---\n", "---\nslug: renamed-page\n", 1), "utf-8")
    moved = run(project, out)
    assert any("address changed" in p.message for p in moved.problems)
    edited = project / "articles" / "a00030.md"
    original = edited.read_text("utf-8")
    append_paragraph(edited)
    run(project, out)
    edited.write_text(original, "utf-8")
    report = run(project, out)
    assert patched(report)
    assert not any("address changed" in p.message for p in report.problems)


def _words(cache: Path, out: Path) -> dict:
    with sqlite3.connect(cache / "state.sqlite") as db:
        return {w: (df, never, bytes(h)) for w, df, never, h in
                db.execute("SELECT word, df, never, holders FROM patch_words WHERE site = ?", (str(out.resolve()),))}


def test_a_whole_build_that_starts_while_an_edit_is_written_keeps_its_own_snapshot(project, tmp_path, monkeypatch):
    """An edit records what it changed in the snapshot in one transaction with the build state, and
    only if the snapshot is still the one it planned from: a whole build that has stored its own
    word counts meanwhile keeps them."""
    import digestgen.pipeline as pipeline
    out = tmp_path / "site"
    run(project, out)
    articles = project / "articles"
    append_paragraph(articles / "a00030.md")
    real_write, real_words = digestgen.patch._write, pipeline._snapshot_words
    held: dict = {}

    def planned(*args, **kwargs):  # the edit has planned; a whole build starts now
        held["args"] = (args, kwargs)
        append_paragraph(articles / "a00044.md")  # two files edited since the snapshot: built whole
        monkeypatch.setattr(digestgen.patch, "_write", real_write)
        run(project, out)
        return held["result"]

    def words(*args, **kwargs):  # the whole build has stored its words; the edit writes now
        token = real_words(*args, **kwargs)
        if "args" in held and "result" not in held:
            held["result"] = real_write(*held["args"][0], **held["args"][1])
        return token

    monkeypatch.setattr(digestgen.patch, "_write", planned)
    monkeypatch.setattr(pipeline, "_snapshot_words", words)
    run(project, out)
    monkeypatch.undo()
    monkeypatch.setattr(digestgen.patch, "RACY_NS", 0)
    assert snapshot(out) == cold(project, tmp_path / "cold")
    monkeypatch.setenv("DIGESTGEN_CACHE", str(tmp_path / "fresh-cache"))
    run(project, tmp_path / "fresh-site")
    assert _words(tmp_path / "cache", out) == _words(tmp_path / "fresh-cache", tmp_path / "fresh-site")
