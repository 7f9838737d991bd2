"""Progress bars: on a terminal a bar per stage, cleared before the summary line; never in a
pipe (CI logs) or with --quiet. The build runs as the real command; the terminal is a pseudo-terminal."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

from conftest import write



def articles(project, n: int = 5) -> None:
    for i in range(n):
        write(project / "articles" / f"a{i}.md",
              f"---\ntitle: 衡南县公安局第{i}次巡查\ndate: 2024-06-0{i + 1}\nregion: 湖南省/衡阳市/衡南县\n---\n"
              f"民警在城区开展第{i}次治安巡查。\n")


def environment() -> dict:
    # Bars show at once instead of after two seconds, so a small build shows them.
    return {**os.environ, "DIGESTGEN_PROGRESS_DELAY": "0"}


def run_on_terminal(project, *args: str, seconds: float = 120) -> tuple[int, str]:
    """Run ``digestgen`` with stdout and stderr on a pseudo-terminal; its exit status and all it wrote."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))  # 30 rows, 100 columns
    proc = subprocess.Popen([sys.executable, "-m", "digestgen", *args], cwd=project, env=environment(),
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=follower)
    os.close(follower)
    chunks, deadline = [], time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # the program ended and closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
            raise AssertionError(f"digestgen {' '.join(args)} did not finish within {seconds} s")
    finally:
        os.close(leader)
    return proc.wait(timeout=30), b"".join(chunks).decode("utf-8", "replace")


def last_line(output: str) -> str:
    """What a person sees last: the last line, after any carriage-return overwrites."""
    return output.rstrip().splitlines()[-1].split("\r")[-1].strip()


def test_a_build_on_a_terminal_shows_a_bar_per_stage_and_ends_with_the_summary(project):
    articles(project)
    code, output = run_on_terminal(project, "build", "--no-cache")
    assert code == 0, output
    assert re.search(r"\ranalyse: +\d+%\|.*\| \d/5 \[", output), output
    assert re.search(r"\rrender and write: +\d+%\|", output), output
    assert last_line(output).startswith("built 5 articles: ")


def test_a_build_into_a_pipe_prints_no_progress(project):
    articles(project)
    result = subprocess.run([sys.executable, "-m", "digestgen", "build", "--no-cache"], cwd=project,
                            env=environment(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout + result.stderr
    assert "analyse" not in result.stderr and "%|" not in result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("built 5 articles: ")


def test_quiet_shows_no_progress_even_on_a_terminal(project):
    articles(project)
    code, output = run_on_terminal(project, "build", "--no-cache", "--quiet")
    assert code == 0, output
    assert "analyse" not in output and "\r" not in output.replace("\r\n", "\n")


def test_an_import_on_a_terminal_shows_a_bar(project):
    raw = project / "raw"
    for i in range(3):
        write(raw / f"r{i}.txt", f"衡南县公安局开展第{i}次治安巡查\n2024-06-0{i + 1} 09:30 来源:衡阳日报\n\n"
                                 f"6月{i + 1}日,衡南县公安局组织民警在城区开展治安巡查,检查场所{i + 10}处。\n")
    code, output = run_on_terminal(project, "import", "raw")
    assert code == 0, output
    assert re.search(r"\rimport: +\d+%\|.*\| \d/3 \[", output), output
    assert last_line(output).startswith("imported 3")
