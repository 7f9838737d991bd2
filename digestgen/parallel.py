"""One way to spread work over processes, for analysis and rendering alike.

``parallel_map(task, shared, items, jobs)`` calls ``task(shared, item)`` for every item, in
worker processes, and yields the results in the order of ``items``. ``shared`` (the site, the
config, a template environment...) reaches each worker once, through the pool's initializer,
not with every item; items and results are the only things that cross processes after that.
"""
from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_state: dict[str, Any] = {}
"""In a worker process: the ``shared`` value its pool was started with."""


def start_method() -> str:
    """``fork`` where the platform has it and it is safe (Linux), so workers inherit what is
    loaded (the dictionary, the gazetteer); ``spawn`` elsewhere (macOS, Windows)."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


def parallel_map(task: Callable[[Any, T], R], shared: Any, items: Iterable[T], jobs: int,
                 chunksize: int = 1) -> Iterator[R]:
    """``task(shared, item)`` for each item over ``jobs`` processes, results in order."""
    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start,
                             initargs=(task, shared)) as pool:
        yield from pool.map(_call, items, chunksize=chunksize)


def _start(task: Callable, shared: Any) -> None:
    _state["task"], _state["shared"] = task, shared


def _call(item: Any) -> Any:
    return _state["task"](_state["shared"], item)


def background(task: Callable[[Any, T], R], shared: Any, item: T) -> Callable[[], R]:
    """Start ``task(shared, item)`` in one worker process now; return a function that waits for
    its result. ``shared`` reaches the worker as in :func:`parallel_map` (inherited, not pickled,
    where processes fork), so the caller goes on with other work on the other core meanwhile."""
    context = multiprocessing.get_context(start_method())
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_start, initargs=(task, shared))
    future = pool.submit(_call, item)

    def result() -> R:
        try:
            return future.result()
        finally:
            pool.shutdown()

    return result
