"""Watching the site's sources (articles, templates, static files, the config) with watchfiles.

watchfiles uses the operating system's notifications (inotify, FSEvents, ReadDirectoryChangesW)
and gathers the changes of one save (an editor's temporary file, rename and write) into one batch.
The source folders are watched recursively; the config through its folder, not recursively, since
an editor that saves by writing a new file and renaming it over the old one would end a watch on
the file itself (and the folder may hold the site and a virtual environment, not worth watching).
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import watchfiles

GATHER_SECONDS = 0.02
"""Changes arriving this soon after one another (from both watchers) make one batch."""
STEP_MS = 30
"""watchfiles yields the changes it has once none came for this long (an editor's save is a few
writes and renames within a millisecond or two)."""
HALF_SAVED_SECONDS = 0.5
"""How long a batch waits when a changed file is empty, in case it is being saved in place."""


class SourceFilter(watchfiles.DefaultFilter):
    """watchfiles' default filter (editor swap files, ``.git``, ``__pycache__``...) plus dot-files,
    which the build skips too."""

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return super().__call__(change, path) and not Path(path).name.startswith(".")


def watched_paths(folders: list[Path], config_path: Path) -> list[Path]:
    """The folders that exist, and the config file."""
    return [f for f in folders if f.is_dir()] + [config_path]


def changes(folders: list[Path], config_path: Path, stop: threading.Event) -> Iterator[list[Path]]:
    """Each batch of changed files under ``folders`` or of the config, until ``stop`` is set.

    The watchers start at this call, not at the first ``next()``: called before the first build,
    nothing saved while that build runs (or just after) is missed.
    """
    found: queue.Queue[set[Path] | BaseException] = queue.Queue()
    config = config_path.resolve()
    watchers = [((f for f in folders if f.is_dir()), True, lambda p: True),
                ([config.parent], False, lambda p: p == config)]
    for paths, recursive, keep in watchers:
        threading.Thread(target=_pump, args=(list(paths), recursive, keep, stop, found), daemon=True,
                         name="watch").start()
    return _batches(found, stop)


def _batches(found: queue.Queue, stop: threading.Event) -> Iterator[list[Path]]:
    while not stop.is_set():
        try:
            first = found.get(timeout=0.2)
        except queue.Empty:
            continue
        batch: set[Path] = set()
        item: set[Path] | BaseException = first
        waited_for_saves = False
        while True:
            if isinstance(item, BaseException):
                raise item
            batch |= item
            try:
                item = found.get(timeout=GATHER_SECONDS)
            except queue.Empty:
                if waited_for_saves or not any(_emptied(p) for p in batch):
                    break
                # An editor saving in place empties the file, then writes it: wait for the write
                # rather than build (and show) a half-saved file.
                waited_for_saves = True
                try:
                    item = found.get(timeout=HALF_SAVED_SECONDS)
                except queue.Empty:
                    break
        yield sorted(batch)


def _emptied(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _pump(paths: list[Path], recursive: bool, keep: Callable[[Path], bool], stop: threading.Event,
          found: queue.Queue) -> None:
    try:
        for batch in watchfiles.watch(*paths, watch_filter=SourceFilter(), stop_event=stop, step=STEP_MS,
                                      recursive=recursive, raise_interrupt=False, ignore_permission_denied=True):
            hits = {p for p in (Path(name).resolve() for _, name in batch) if keep(p)}
            if hits:
                found.put(hits)
    except BaseException as exc:  # handed to the main thread, which reports it
        found.put(exc)
