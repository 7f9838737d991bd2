"""Shared fixtures: a throwaway project folder, and the shipped articles built once per session."""
from __future__ import annotations

import shutil
import textwrap
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
