"""How files are named in messages: relative to a folder the user knows, with forward slashes."""
from __future__ import annotations

from pathlib import Path


def display_path(path: Path, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the current folder), or as given when outside it."""
    try:
        if base is None:
            return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()
