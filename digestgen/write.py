"""Write stage: :class:`OutputFile` values + the static folder -> the output folder, all or nothing.

The site is written into a staging folder beside the output folder and swapped into place only
once every file is there, so a crash never leaves a half-written site. Only a folder this tool
made (it carries a marker file) is ever replaced.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from digestgen.model import OutputFile

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


def read_manifest(out: Path) -> dict:
    """What the last build recorded in the output folder (empty when unknown or unreadable)."""
    try:
        data = json.loads((out / MARKER).read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_site(files: Iterable[OutputFile], static_dir: Path | None, out: Path, record: dict | None = None) -> int:
    """Write the whole site to ``out`` atomically; return the number of files written anew.

    A file whose bytes are the same as in the previous build is hard-linked from it instead of
    written, so its modification time shows it did not change. ``record`` is kept in the manifest.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(out).get("files", {}) if out.is_dir() else {}
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        written, digests = 0, {}
        for f in itertools.chain(files, _static_files(static_dir)):
            target = staging / _safe(f.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.blake2b(f.content, digest_size=16).hexdigest()
            digests[f.path] = digest
            if previous.get(f.path) == digest and _link(out / f.path, target):
                continue
            target.write_bytes(f.content)
            written += 1
        manifest = {"generator": "digestgen", "note": "written by digestgen and replaced on every build",
                    "files": digests, **(record or {})}
        (staging / MARKER).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a published site must be readable
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, out)
    return written


def _static_files(static_dir: Path | None) -> list[OutputFile]:
    if not static_dir or not static_dir.is_dir():
        return []
    return [OutputFile(f"static/{p.relative_to(static_dir).as_posix()}", p.read_bytes())
            for p in sorted(static_dir.rglob("*")) if p.is_file()]


def _link(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
        return True
    except OSError:
        return False


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
