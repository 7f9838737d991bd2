"""One way to spread work over processes, for analysis and rendering alike.

``parallel_map(task, shared, items, jobs)`` calls ``task(shared, item)`` for every item, in
worker processes, and yields the results in the order of ``items``. ``shared`` (the site, the
config, a template environment...) reaches each worker once, through the pool's initializer,
not with every item; items and results are the only things that cross processes after that.
"""
from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
import pickle
import subprocess
import sys
import threading
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_state: dict[str, Any] = {}
"""In a worker process: the ``shared`` value its pool was started with."""


def start_method() -> str:
    """``fork`` where the platform has it and it is safe (Linux), so workers inherit what is
    loaded (the dictionary, the gazetteer); ``spawn`` elsewhere (macOS, Windows)."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


AHEAD = 3
"""Chunks in flight per worker: enough to keep every worker busy, few enough that results the
caller has not taken yet (rendered pages, analysed articles) never pile up in memory."""


def chunk_size(count: int, jobs: int, least: int, most: int) -> int:
    """Items per chunk for ``count`` items over ``jobs`` workers: about eight chunks a worker, so
    that they finish together, at least ``least`` (each chunk costs a round trip), and at most
    ``most``: a chunk's results are all held, in the worker and then in the caller, until the
    last of them is made (at 100,000 articles, eight chunks a worker held 6,250 results each)."""
    return max(least, min(most, count // (jobs * 8)))


def parallel_map(task: Callable[[Any, T], R], shared: Any, items: Iterable[T], jobs: int,
                 chunksize: int = 1) -> Generator[R, None, None]:
    """``task(shared, item)`` for each item over ``jobs`` processes, results in order.

    At most ``jobs * AHEAD`` chunks of ``chunksize`` items are handed out ahead of the caller."""
    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start,
                             initargs=(task, shared)) as pool:
        pending = iter(items)
        window: deque = deque()
        try:
            while True:
                chunk = list(itertools.islice(pending, chunksize))
                if chunk:
                    window.append(pool.submit(_call_chunk, chunk))
                if window and (not chunk or len(window) >= jobs * AHEAD):
                    yield from window.popleft().result()
                elif not chunk:
                    return
        except BaseException:  # stopped early (closed, or a failure): chunks not started never start
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _start(task: Callable, shared: Any) -> None:
    _state["task"], _state["shared"] = task, shared
    # What the worker inherited is kept as it is (not scanned, not written to by the garbage
    # collector, so the pages stay shared with the parent); what it makes is collected as usual,
    # even if the parent had paused collection for its own work.
    gc.freeze()
    gc.enable()


def _call_chunk(chunk: list) -> list:
    return [_state["task"](_state["shared"], item) for item in chunk]


def background(task: Callable[[Any, T], R], shared: Any, item: T, fresh: bool = False) -> Background[R]:
    """Start ``task(shared, item)`` in one worker process now; calling the result waits for the
    task's value (or raises its exception), and ``cancel()`` stops it. ``shared`` reaches the worker
    as in :func:`parallel_map` (inherited, not pickled, where processes fork), so the caller goes
    on with other work on the other core meanwhile.

    ``fresh``: the worker is a new interpreter (``python -m digestgen.worker``) even where processes
    fork, sent ``task``, ``shared`` and ``item`` pickled: it holds only those and what it makes, not
    a copy of this process's memory; for a task that needs little of a large build process (the
    search index needs a small record per article)."""
    return _Fresh(task, shared, item) if fresh else _Forked(task, shared, item)


class Background(ABC, Generic[R]):
    """A task running in a worker process of its own (see :func:`background`)."""

    def __call__(self) -> R:
        """The task's value, once it is done (its exception, if it raised one)."""
        done, value = self._outcome()
        if not done:
            raise value
        return value

    @abstractmethod
    def _outcome(self) -> tuple[bool, Any]:
        """(True, the task's value) or (False, its exception), once it is done."""

    @abstractmethod
    def cancel(self) -> None:
        """Stop the task (its process is ended) and wait until it is gone: it writes nothing more."""


class _Forked(Background[R]):
    """A worker process started as :func:`parallel_map`'s are (forked where processes fork)."""

    def __init__(self, task: Callable[[Any, Any], R], shared: Any, item: Any) -> None:
        context = multiprocessing.get_context(start_method())
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_run_alone, args=(task, shared, item, send),  # type: ignore[attr-defined]
                                        daemon=True)
        self._process.start()
        send.close()  # this process's copy: the worker's is the only one left, so its end is seen

    def _outcome(self) -> tuple[bool, Any]:
        try:
            return self._receive.recv()
        except EOFError:
            raise RuntimeError(f"a worker process ended without finishing its work (exit code "
                               f"{self._process.exitcode})") from None
        finally:
            self._receive.close()
            self._process.join()

    def cancel(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


class _Fresh(Background[R]):
    """A ``python -m digestgen.worker`` process running one task: the task is written to its input
    by a thread (the caller goes on meanwhile), the result read from its output."""

    def __init__(self, task: Callable[[Any, Any], R], shared: Any, item: Any) -> None:
        data = pickle.dumps((task, shared, item), protocol=pickle.HIGHEST_PROTOCOL)
        # It imports digestgen and the task's modules from where this process did.
        path = os.pathsep.join(p for p in sys.path if p)
        env = dict(os.environ, PYTHONPATH=path)
        self._process = subprocess.Popen([sys.executable, "-m", "digestgen.worker"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self._writer = threading.Thread(target=self._send, args=(data,), daemon=True)
        self._writer.start()

    def _send(self, data: bytes) -> None:
        stream, self._process.stdin = self._process.stdin, None  # written here alone, then closed
        if stream is None:
            return
        with contextlib.suppress(OSError):  # the worker ended early: its exit code and message say why
            stream.write(data)
        with contextlib.suppress(OSError):
            stream.close()

    def _outcome(self) -> tuple[bool, Any]:
        self._writer.join()
        out, err = self._process.communicate()
        if self._process.returncode == 0 and out:
            try:
                return pickle.loads(out)
            except Exception:  # reported below as the worker's failure
                pass
        said = err.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"a worker process ended without finishing its work (exit code "
                           f"{self._process.returncode})" + (f": {said[-1]}" if said else ""))

    def cancel(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
        self._writer.join()
        self._process.communicate()


def _run_alone(task: Callable, shared: Any, item: Any, send) -> None:
    _start(task, shared)
    try:
        result = (True, task(shared, item))
    except BaseException as exc:  # sent back, raised again by the caller
        result = (False, exc)
    send.send(result)
    send.close()
