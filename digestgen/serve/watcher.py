"""Watching the site's sources (articles, templates, static files, the config) with watchfiles.

watchfiles uses the operating system's notifications (inotify, FSEvents, ReadDirectoryChangesW)
and gathers the changes of one save (an editor's temporary file, rename and write) into one batch.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import watchfiles


class SourceFilter(watchfiles.DefaultFilter):
    """watchfiles' default filter (editor swap files, ``.git``, ``__pycache__``...) plus dot-files,
    which the build skips too."""

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return super().__call__(change, path) and not Path(path).name.startswith(".")


def watched_paths(folders: list[Path], config_path: Path) -> list[Path]:
    """The folders that exist, and the config file."""
    return [f for f in folders if f.is_dir()] + [config_path]


def changes(paths: list[Path], stop: threading.Event) -> Iterator[list[Path]]:
    """Each batch of changed files under ``paths``, until ``stop`` is set."""
    for batch in watchfiles.watch(*paths, watch_filter=SourceFilter(), stop_event=stop, step=50,
                                  raise_interrupt=True, ignore_permission_denied=True):
        yield sorted({Path(p) for _, p in batch})
