"""Progress bars for the long stages of a build or an import, on a terminal only (tqdm).

The pipeline never prints: it is handed a *stage* function, ``stage(name, total, unit)``, a
context manager that gives an ``advance(n)`` callback. :func:`no_progress` does nothing (the
library default, ``--quiet``, output to a pipe or a file); :func:`terminal_progress` draws a bar
per stage on standard error once the command has run a couple of seconds, and clears each bar
when its stage ends, so the summary line printed afterwards stays the last line.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import TypeVar

from tqdm import tqdm

Advance = Callable[[int], None]
Stage = Callable[[str, int, str], AbstractContextManager[Advance]]
T = TypeVar("T")

DELAY_SECONDS = 2.0
"""Bars appear only once a command has run this long (``DIGESTGEN_PROGRESS_DELAY`` changes it)."""


@contextlib.contextmanager
def no_progress(name: str, total: int, unit: str = "") -> Iterator[Advance]:
    yield _ignore


def _ignore(n: int) -> None:
    pass


def wanted(quiet: bool = False) -> bool:
    """Bars are for a person at a terminal: never with ``--quiet``, in a pipe, a file or a CI log."""
    return not quiet and _isatty(sys.stdout) and _isatty(sys.stderr)


def terminal_progress(enabled: bool) -> Stage:
    """A stage function drawing bars on standard error when ``enabled``, else :func:`no_progress`."""
    if not enabled:
        return no_progress
    started = time.monotonic()
    try:
        delay_setting = float(os.environ.get("DIGESTGEN_PROGRESS_DELAY", DELAY_SECONDS))
    except ValueError:
        delay_setting = DELAY_SECONDS

    @contextlib.contextmanager
    def stage(name: str, total: int, unit: str = "") -> Iterator[Advance]:
        delay = max(0.0, delay_setting - (time.monotonic() - started))
        with tqdm(total=total, desc=name, unit=f" {unit}" if unit else "it", delay=delay, leave=False,
                  file=sys.stderr, dynamic_ncols=True, mininterval=0.2) as bar:
            yield bar.update

    return stage


def counted(items: Iterable[T], advance: Advance, total: int) -> Iterator[T]:
    """``items``, advancing the bar by one after each, up to ``total``; closing this closes ``items``."""
    done = 0
    try:
        for item in items:
            yield item
            if done < total:
                done += 1
                advance(1)
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


def tracked(items: list[T], progress: Stage, name: str, unit: str = "") -> Iterator[T]:
    """``items`` with a bar of their own, named ``name``, open while they are gone through."""
    with progress(name, len(items), unit) as advance:
        for item in items:
            yield item
            advance(1)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
