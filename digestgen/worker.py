"""A fresh worker process, for ``parallel.background(..., fresh=True)``.

``python -m digestgen.worker`` reads one pickled ``(task, shared, item)`` from its standard input
(written by the build process that started it, never read from disk), calls
``task(shared, item)``, and writes the pickled ``(True, value)``, or ``(False, exception)``, to
its standard output. It runs nothing else: unlike a ``multiprocessing`` spawn, it does not run
the starting program's main module again.
"""
from __future__ import annotations

import pickle
import sys


def main() -> None:
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # the task's prints, if any, must not mix with the result
    task, shared, item = pickle.load(sys.stdin.buffer)
    try:
        result = (True, task(shared, item))
    except BaseException as exc:  # sent back, raised again by the caller
        result = (False, exc)
    try:
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an exception (or value) that cannot be pickled: say what it was
        data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    out.write(data)
    out.flush()


if __name__ == "__main__":
    main()
