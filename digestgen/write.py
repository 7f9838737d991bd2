"""Write stage: :class:`OutputFile` values + the static folder -> the output folder, all or nothing.

The site is written into a staging folder beside the output folder and swapped into place only
once every file is there, so a crash never leaves a half-written site. Only a folder this tool
made (it carries a marker file) is ever replaced.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from .model import OutputFile

MARKER = ".digestgen-site"


class WriteError(Exception):
    """The output folder cannot be used; the message says why and what to do."""


def check_output_dir(out: Path, project_root: Path, sources: Iterable[Path]) -> None:
    """Refuse an output folder that is or holds the project, or is, holds or sits in a source folder."""
    out = out.resolve()
    overlaps = [project_root.resolve()] if out == project_root.resolve() or out in project_root.resolve().parents \
        else []
    for place in sources:
        place = place.resolve()
        if out == place or out in place.parents or place in out.parents:
            overlaps.append(place)
    if overlaps:
        raise WriteError(f"refusing to write the site to {out}: it would overlap {overlaps[0]}; "
                         "set 'output' in digest.yaml or --out to a folder of its own, such as site/")
    if out.exists() and not out.is_dir():
        raise WriteError(f"{out} exists and is not a folder; choose another output folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise WriteError(f"{out} already holds files that digestgen did not write; empty it or choose "
                         "another output folder (digestgen only replaces folders it made)")


def write_site(files: Iterable[OutputFile], static_dir: Path | None, out: Path) -> int:
    """Write the whole site to ``out`` atomically; return the number of files written."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        count = 0
        for f in files:
            target = staging / _safe(f.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.content)
            count += 1
        if static_dir and static_dir.is_dir():
            shutil.copytree(static_dir, staging / "static", dirs_exist_ok=True)
            count += sum(len(names) for _, _, names in os.walk(staging / "static"))
        (staging / MARKER).write_text("This folder is written by digestgen and replaced on every build.\n",
                                      encoding="utf-8")
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a published site must be readable
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, out)
    return count


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _safe(path: str) -> PurePosixPath:
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts:
        raise WriteError(f"internal error: output path {path!r} leaves the output folder")
    return p
