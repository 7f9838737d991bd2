"""Handing memory a stage let go of back to the system."""
from __future__ import annotations

import ctypes


def give_back() -> None:
    """Hand the memory freed so far (the analysis' dictionaries, the Markdown of analysed articles)
    back to the system, where the C library can (glibc's ``malloc_trim``); it would otherwise stay
    with this process, and with every worker process forked from it, to the end of the build."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, musl), or Windows: nothing to do
        return
    trim(0)
