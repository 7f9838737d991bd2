"""Caches and parallel work never change the output; an edit rewrites only what depends on it."""
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digestgen.cli import main

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import write_corpus


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".digestgen-site"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """240 generated articles (about 1,400 pages)."""
    return write_corpus(240, tmp_path_factory.mktemp("corpus"))


def build(corpus: Path, out: Path, *args: str, cache: Path | None = None) -> int:
    if cache is not None:
        os.environ["DIGESTGEN_CACHE"] = str(cache)
    try:
        return main(["build", "--config", str(ROOT / "digest.yaml"), "--articles", str(corpus), "--out", str(out),
                     "--quiet", *args])
    finally:
        os.environ.pop("DIGESTGEN_CACHE", None)


def test_cold_cached_and_parallel_builds_are_byte_identical(corpus, tmp_path, monkeypatch):
    import digestgen.analysis.analyse
    import digestgen.render.pages
    monkeypatch.setattr(digestgen.analysis.analyse, "PARALLEL_MIN", 50)
    monkeypatch.setattr(digestgen.render.pages, "PARALLEL_PAGES", 100)
    monkeypatch.setattr(digestgen.render.pages, "BACKGROUND_SEARCH", 100)  # the index made in a worker too
    assert build(corpus, tmp_path / "serial", "--jobs", "1", "--no-cache") == 0
    assert build(corpus, tmp_path / "parallel", "--jobs", "2", cache=tmp_path / "cache") == 0
    # The files the workers made (pages, feeds, data, search index) were all moved into the site.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert build(corpus, tmp_path / "cached", "--jobs", "2", cache=tmp_path / "cache") == 0  # all from the cache
    serial = snapshot(tmp_path / "serial")
    assert len(serial) > 1000
    assert snapshot(tmp_path / "parallel") == serial
    assert snapshot(tmp_path / "cached") == serial


def test_an_edit_rewrites_only_the_pages_that_depend_on_it(corpus, tmp_path, capsys):
    out, cache = tmp_path / "site", tmp_path / "cache"
    assert build(corpus, out, cache=cache) == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    edited = corpus / "a00120.md"
    original = edited.read_text("utf-8")
    try:
        edited.write_text(original.replace("\n---\n", "\n---\n\n补充一段说明。\n", 1), "utf-8")
        assert build(corpus, out, "--timings", cache=cache) == 0
    finally:
        edited.write_text(original, "utf-8")
    changed = sorted(str(p.relative_to(out)) for p, t in before.items() if p.stat().st_mtime_ns != t)
    page = next(p for p in before if "补充一段说明" in p.read_text("utf-8"))
    assert str(page.relative_to(out)) in changed
    assert 0 < len(changed) < len(before) / 10, changed
    print(f"{len(changed)} of {len(before)} pages rewritten: {changed}")


def test_an_unchanged_build_writes_nothing(corpus, tmp_path, capsys):
    out, cache = tmp_path / "site", tmp_path / "cache"
    assert build(corpus, out, cache=cache) == 0
    before = snapshot(out)
    capsys.readouterr()
    assert build(corpus, out, "--timings", cache=cache) == 0
    assert capsys.readouterr().out.startswith("stages: fingerprint")
    assert snapshot(out) == before


def test_a_corrupt_cache_is_ignored(corpus, tmp_path):
    import sqlite3
    cache = tmp_path / "cache"
    assert build(corpus, tmp_path / "first", cache=cache) == 0
    db = sqlite3.connect(cache / "state.sqlite")
    keys = [k for (k,) in db.execute("SELECT key FROM analysis ORDER BY key")]
    assert len(keys) == 240
    with db:
        for k in keys[::3]:
            db.execute("UPDATE analysis SET value = 'not a pickle' WHERE key = ?", (k,))
        for k in keys[1::3]:
            db.execute("UPDATE analysis SET value = substr(value, 1, 40) WHERE key = ?", (k,))
        db.execute("UPDATE loaded SET value = '{\"article\": 1}'")
    db.close()
    assert build(corpus, tmp_path / "second", "--no-cache") == 0
    assert build(corpus, tmp_path / "third", cache=cache) == 0
    assert snapshot(tmp_path / "third") == snapshot(tmp_path / "second") == snapshot(tmp_path / "first")


def test_a_rebuild_after_an_edit_equals_a_cold_build_of_the_edited_articles(corpus, tmp_path, monkeypatch):
    import digestgen.render.pages as pages
    monkeypatch.setattr(pages, "FORGET_EVERY", 50)  # the keyer lets go of what it reduced, as large builds do
    out, cache = tmp_path / "site", tmp_path / "cache"
    assert build(corpus, out, cache=cache) == 0
    edited = corpus / "a00007.md"
    original = edited.read_text("utf-8")
    try:
        edited.write_text(original.replace("tags: [", "tags: [新标签, ", 1) + "\n破获电诈案件99起。\n", "utf-8")
        assert build(corpus, out, cache=cache) == 0  # pages not affected are kept, not rendered
        assert build(corpus, tmp_path / "cold", "--no-cache") == 0
    finally:
        edited.write_text(original, "utf-8")
    assert snapshot(out) == snapshot(tmp_path / "cold")


def test_builds_in_separate_processes_are_byte_identical(tmp_path):
    import subprocess
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"site-{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed, DIGESTGEN_CACHE=str(tmp_path / f"cache-{seed}"))
        subprocess.run([sys.executable, str(ROOT / "build.py"), "--config", str(ROOT / "digest.yaml"), "--out", str(out),
                        "--quiet"], check=True, env=env, cwd=ROOT)
        outputs.append(snapshot(out))
    assert outputs[0] == outputs[1]


def _worker_memory(shared, item) -> int:
    """In a worker: its resident memory, MiB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) // 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_fresh_worker_holds_only_what_it_is_sent():
    """A fresh worker (``background(..., fresh=True)``) is a new interpreter: a forked one holds a
    copy of the build process, which at 100,000 articles made the search worker the largest process."""
    from digestgen.parallel import background
    ballast = b"x" * (300 * 1024 * 1024)  # what the build process holds (its site model, say)
    forked = background(_worker_memory, None, 0)()
    fresh = background(_worker_memory, None, 0, fresh=True)()
    assert len(ballast) and forked > 300
    assert fresh < 200


def _fail(shared, item):
    raise ValueError(f"no such thing as {item}")


def test_a_fresh_worker_s_failure_is_raised_in_the_caller_and_it_can_be_stopped():
    from digestgen.parallel import background
    with pytest.raises(ValueError, match="no such thing as 7"):
        background(_fail, None, 7, fresh=True)()
    started = time.monotonic()
    background(_sleep, None, 60, fresh=True).cancel()  # ends the worker rather than waiting for it
    assert time.monotonic() - started < 30


def _sleep(shared, seconds):
    time.sleep(seconds)


def test_the_search_index_is_made_in_a_fresh_worker_and_a_script_without_a_main_guard_builds(corpus, tmp_path):
    """The build's search worker runs only its task: a script that builds at its top level (no
    ``if __name__ == "__main__":``) is not run again in it (a ``multiprocessing`` spawn would, and
    that second build would wait for the first's lock for ever)."""
    script = tmp_path / "build_it.py"
    script.write_text(
        "from pathlib import Path\n"
        "import digestgen.render.pages as pages\n"
        "import digestgen.parallel as parallel\n"
        "from digestgen.pipeline import build\n"
        "pages.BACKGROUND_SEARCH = 10\n"
        "made = []\n"
        "real = pages.background\n"
        "pages.background = lambda task, shared, item, fresh=False: made.append((task.__name__, fresh)) "
        "or real(task, shared, item, fresh)\n"
        f"report = build(Path({str(ROOT / 'digest.yaml')!r}), articles_dir=Path({str(corpus)!r}), "
        f"output_dir=Path({str(tmp_path / 'out')!r}), jobs=2, use_cache=False)\n"
        "print(report.articles, dict(made)['_search_task'])\n", "utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["240", "True"]  # built, and its search worker was a fresh one


def test_what_recurs_across_articles_is_held_once(corpus, tmp_path):
    """At 100,000 articles every copy of a value that recurs is memory: articles of one county share
    one region, articles laid out alike one list of front-matter lines, figures told in one sentence
    one copy of it, and an article page keeps only where its related articles stand."""
    from digestgen.analysis.analyse import analyse
    from digestgen.analysis.cache import AnalysisCache
    from digestgen.config import load_config
    from digestgen.load.articles import load_articles
    from digestgen.site.model import build_site
    from digestgen.site.context import ArticlePage

    config = load_config(ROOT / "digest.yaml")
    cache = AnalysisCache(tmp_path / "state.sqlite", "test")
    analyse(load_articles(corpus, config.theme_names).articles, config, cache=cache, lean=True, keep_body=False)
    # Read back from the cache, as every build after the first does.
    analysed, _ = analyse(load_articles(corpus, config.theme_names).articles, config, cache=cache, lean=True,
                          keep_body=False)
    assert cache.hits >= len(analysed)
    by_county: dict = {}
    for a in analysed:
        by_county.setdefault(a.region, []).append(a)
    alike = [group for group in by_county.values() if len(group) > 1]
    assert alike, "the corpus has counties with several articles"
    for group in alike:
        assert all(a.region is group[0].region and a.region_path is group[0].region_path for a in group)
        assert all(a.article.region is group[0].article.region for a in group)
    assert len({id(a.article.field_lines) for a in analysed}) < len(analysed) / 10
    told_together = [(f, g) for a in analysed for f in a.counted for g in a.counted if f is not g and f.text == g.text]
    assert told_together, "some sentence tells several counted figures"
    assert all(f.text is g.text for f, g in told_together)

    site = build_site(analysed, config)
    pages = [p for p in site.pages if isinstance(p.context, ArticlePage) and len(p.context.related)]
    assert pages
    for page in pages[:50]:
        related = page.context.related
        assert not isinstance(related, (list, tuple))  # positions, made into values as they are read
        assert all(r.entry in site.entries and r.entry is not page.context.entry for r in related)
        assert all(r.reasons for r in related)
        assert related == list(related) and related + [] == list(related)  # compares and adds as a list


def test_a_long_running_process_loads_unchanged_articles_as_the_very_objects_it_had(corpus, tmp_path):
    """``serve`` keeps the articles it loaded: the next build finds each unchanged one to be the
    same object (what its analysis keeps by identity), values shared across articles included."""
    from digestgen.config import load_config
    from digestgen.load.articles import load_articles
    from digestgen.state import Records

    config = load_config(ROOT / "digest.yaml")
    memory: dict = {}
    statuses: dict = {}
    shared: dict = {}

    def load():
        records = Records(tmp_path / "state.sqlite", "loaded", 1)
        try:
            return load_articles(corpus, config.theme_names, records=records, memory=memory, statuses=statuses,
                                 shared=shared).articles
        finally:
            records.close()

    first, second = load(), load()
    assert len(first) == len(second) > 100
    assert all(a is b for a, b in zip(first, second, strict=True))
    assert len({id(a.region) for a in second}) == len({a.region for a in second})
