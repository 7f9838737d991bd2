"""Writing the site under faults: kills between the swap steps, leftovers, full or read-only disks,
two builds at once, and output files changed by hand."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, write
from digestgen.cli import main

ARTICLE = "---\ntitle: {title}\ndate: 2022-01-0{day}\nregion: 湖南省/衡阳市\n---\n某县公安局破获一起盗窃案件，抓获嫌疑人{day}名。\n"


def articles(project: Path, *titles: str) -> None:
    for day, title in enumerate(titles, 1):
        write(project / "articles" / f"a{day}.md", ARTICLE.format(title=title, day=day))


def complete(site: Path) -> dict:
    """The manifest of ``site``, after checking every file it lists is there with the bytes it recorded."""
    manifest = json.loads((site / ".digestgen-site").read_text("utf-8"))
    assert len(manifest["files"]) > 10
    for path, digest in manifest["files"].items():
        assert hashlib.blake2b((site / path).read_bytes(), digest_size=16).hexdigest() == digest, path
    return manifest


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith(".site."))


KILLER = """
import os, signal, sys
import digestgen.write as w
step = sys.argv[1]
if step == "exchange":  # kill right after the atomic exchange, before the old site is removed
    real = w._exchange
    def _exchange(a, b):
        done = real(a, b)
        os.kill(os.getpid(), signal.SIGKILL)
    w._exchange = _exchange
elif step == "in-place":  # an edit updates the site in place: kill after the first file is moved in
    w.IN_PLACE_SHARE = 1.0  # whatever share of this small site the edit changes
    moves = {"n": 0}
    real_replace = os.replace
    def replace(a, b):
        real_replace(a, b)
        if "staging-" in str(a) and not str(a).endswith("journal.tmp"):
            moves["n"] += 1
            if moves["n"] == 1:
                os.kill(os.getpid(), signal.SIGKILL)
    w.os.replace = replace
else:  # a file system without exchange: kill between the two renames of the fallback
    w._exchange = lambda a, b: False
    real = w._retire
    def _retire(out):
        real(out)
        os.kill(os.getpid(), signal.SIGKILL)
    w._retire = _retire
from digestgen.cli import main
main(["build", "--quiet", "--no-cache"])
"""


def killed_build(project: Path, step: str) -> int:
    return subprocess.run([sys.executable, "-c", KILLER, step], cwd=project, capture_output=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT))).returncode


def test_a_kill_right_after_the_swap_leaves_the_new_site_complete(project, capsys):
    articles(project, "第一篇")
    assert main(["build", "--quiet"]) == 0
    articles(project, "第一篇", "第二篇")
    assert killed_build(project, "exchange") == -9
    manifest = complete(project / "site")
    assert "第二篇" in "".join(p.read_text("utf-8") for p in (project / "site" / "articles").iterdir())
    assert len(leftovers(project)) == 1  # the previous site, not yet removed
    assert main(["build", "--quiet"]) == 0
    assert leftovers(project) == []
    assert complete(project / "site")["files"] == manifest["files"]


def test_a_kill_between_the_fallback_renames_is_repaired_by_the_next_build(project, capsys):
    articles(project, "第一篇")
    assert main(["build", "--quiet"]) == 0
    before = complete(project / "site")
    articles(project, "第一篇", "第二篇")
    assert killed_build(project, "fallback") == -9
    assert not (project / "site").exists()  # the documented window of the fallback
    from digestgen.write import output_lock, remove_leftovers
    with output_lock(project / "site"):
        remove_leftovers(project / "site")
    assert complete(project / "site")["files"] == before["files"]  # the last complete site is back
    assert leftovers(project) == []
    assert main(["build", "--quiet"]) == 0
    assert "第二篇" in "".join(p.read_text("utf-8") for p in (project / "site" / "articles").iterdir())


def test_the_leftovers_of_killed_builds_are_removed_at_the_start(project):
    articles(project, "第一篇")
    for name in (".site.staging-abc123", ".site.old-def456"):
        write(project / name / "articles" / "x.html", "half written")
    write(project / ".other.staging-keep" / "x", "not ours")
    assert main(["build", "--quiet"]) == 0
    assert leftovers(project) == []
    assert (project / ".other.staging-keep" / "x").exists()
    complete(project / "site")


def test_a_kill_while_an_edit_is_moved_into_the_site_is_finished_by_the_next_build(project, tmp_path):
    titles = [f"第{n}篇" for n in range(1, 9)]
    articles(project, *titles)
    assert main(["build", "--quiet"]) == 0
    before = complete(project / "site")
    edited = project / "articles" / "a3.md"
    edited.write_text(edited.read_text("utf-8") + "\n民警随后走访了受害群众。\n", "utf-8")
    assert killed_build(project, "in-place") == -9
    staged = [p for p in project.iterdir() if p.name.startswith(".site.staging-")]
    assert len(staged) == 1 and (staged[0] / ".digestgen-journal").is_file()  # the update was under way
    new = json.loads((staged[0] / ".digestgen-site").read_text("utf-8"))["files"]
    for path, digest in before["files"].items():  # every page whole: its old version or its new one
        now = hashlib.blake2b((project / "site" / path).read_bytes(), digest_size=16).hexdigest()
        assert now in (digest, new.get(path)), path
    assert main(["build", "--quiet"]) == 0
    assert leftovers(project) == []
    after = complete(project / "site")
    assert "民警随后走访了受害群众" in (project / "site" / "articles").joinpath(
        next(p for p in after["files"] if p.startswith("articles/") and before["files"].get(p) != after["files"][p])
        .removeprefix("articles/")).read_text("utf-8")
    assert main(["build", "--quiet", "--no-cache", "--out", str(tmp_path / "cold")]) == 0
    assert complete(tmp_path / "cold")["files"] == after["files"]


@pytest.mark.parametrize("code,words", [(errno.ENOSPC, "is full; free some space"),
                                        (errno.EROFS, "read-only file system"),
                                        (errno.EPERM, "no permission to change")])
def test_an_os_error_while_writing_is_one_line_exit_2_and_the_site_is_untouched(project, capsys, monkeypatch,
                                                                                code, words):
    articles(project, "第一篇")
    assert main(["build", "--quiet"]) == 0
    before = complete(project / "site")
    articles(project, "第一篇", "第二篇")
    capsys.readouterr()
    calls = {"n": 0}
    real = Path.write_bytes

    def failing(self, data):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(code, os.strerror(code), str(self))
        return real(self, data)
    monkeypatch.setattr(Path, "write_bytes", failing)
    assert main(["build", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and err.startswith("error: ") and "Traceback" not in err
    assert "the site was not changed" in err
    monkeypatch.undo()
    assert complete(project / "site")["files"] == before["files"]
    assert leftovers(project) == []


def test_a_full_disk_on_a_real_small_file_system(tmp_path, capsys):
    """A 64 KiB tmpfs (when this machine lets the tests mount one): ENOSPC for real."""
    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        code = main(["build", "--config", str(ROOT / "digest.yaml"), "--out", str(small / "site"), "--quiet",
                     "--no-cache"])
        err = capsys.readouterr().err
        assert code == 2
        assert err.count("\n") == 1 and "is full" in err
        assert list(small.iterdir()) == []  # the staging folder was removed
    finally:
        subprocess.run(["umount", str(small)], check=True)


def test_two_builds_at_once_end_with_one_complete_site(project):
    articles(project, "第一篇", "第二篇", "第三篇")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    runs = [subprocess.Popen([sys.executable, "-m", "digestgen", "build", "--quiet", "--no-cache"], cwd=project,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    results = [(r.wait(timeout=120), r.stderr.read()) for r in runs]
    for code, err in results:
        assert code == 0 and "Traceback" not in err, err
    complete(project / "site")
    assert leftovers(project) == []


def test_the_lock_makes_a_second_writer_wait(project):
    """Holding the lock in this process, a build waits (and says so) until it is released."""
    import time
    from digestgen.write import output_lock
    articles(project, "第一篇")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    import threading
    with output_lock(project / "site"):
        run = subprocess.Popen([sys.executable, "-m", "digestgen", "build", "--quiet"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(run.stderr.readline()), daemon=True)
        reader.start()
        reader.join(timeout=90)
        assert first and "waiting for another build" in first[0]
        time.sleep(0.5)
        assert run.poll() is None and not (project / "site").exists()
    assert run.wait(timeout=60) == 0
    complete(project / "site")


@pytest.mark.parametrize("inputs", ["unchanged", "no-cache"])
def test_an_output_file_changed_by_hand_is_repaired_by_the_next_build(project, capsys, inputs):
    articles(project, "第一篇", "第二篇")
    assert main(["build", "--quiet"]) == 0
    page = next((project / "site" / "articles").iterdir())
    good = page.read_bytes()
    with page.open("r+b") as f:
        f.truncate(100)
    assert main(["build", "--quiet"] + (["--no-cache"] if inputs == "no-cache" else [])) == 0
    assert page.read_bytes() == good
    complete(project / "site")


def test_a_read_only_output_folder_for_real(project, capsys):
    """The site on a tmpfs remounted read-only (when this machine lets the tests mount one)."""
    articles(project, "第一篇")
    out = project / "published"
    out.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(out)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        assert main(["build", "--quiet", "--out", str(out / "site")]) == 0
        before = complete(out / "site")
        subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        articles(project, "第一篇", "第二篇")
        capsys.readouterr()
        assert main(["build", "--quiet", "--out", str(out / "site")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "read-only file system" in err
        assert complete(out / "site")["files"] == before["files"]
    finally:
        subprocess.run(["umount", str(out)], check=True)


def test_an_immutable_site_folder_for_real(project, capsys):
    """``chattr +i site`` (when this machine allows it): the swap is refused, exit 2, one line."""
    articles(project, "第一篇")
    assert main(["build", "--quiet"]) == 0
    before = complete(project / "site")
    if subprocess.run(["chattr", "+i", str(project / "site")], capture_output=True).returncode:
        pytest.skip("cannot set the immutable flag here")
    try:
        articles(project, "第一篇", "第二篇")
        capsys.readouterr()
        assert main(["build", "--quiet"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "no permission to change" in err and "lsattr" in err
    finally:
        subprocess.run(["chattr", "-i", str(project / "site")], check=True)
    assert complete(project / "site")["files"] == before["files"]
    assert leftovers(project) == []


def test_the_manifest_written_a_part_at_a_time_is_the_json_of_the_whole(tmp_path, monkeypatch):
    """A manifest of hundreds of thousands of files is written in parts, never held as one text;
    what reaches the disk is what ``json.dumps`` gives for the whole, at every size around a part."""
    import digestgen.write as w

    monkeypatch.setattr(w, "MANIFEST_PART", 7)
    for size in (0, 6, 7, 8, 14, 15, 23):
        manifest = {"generator": "digestgen", "files": {f"地区/{i}.html": f"{i:032x}" for i in range(size)},
                    "stats": {f"地区/{i}.html": [i, 10**18 + i] for i in range(size)},
                    "report": {"problems": [["articles/x.md", 3, "warning", "“引号”"]]}}
        w._write_json(tmp_path / "m.json", manifest)
        assert (tmp_path / "m.json").read_text("utf-8") == json.dumps(manifest, ensure_ascii=False), size
