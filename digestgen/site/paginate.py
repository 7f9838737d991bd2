"""Cutting a listing into pages: pure functions of a count, a page size and the page paths."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pager:
    """Where one page of a listing sits among the others."""

    number: int
    """1-based number of this page."""
    total: int
    newer: str | None
    """Path of the page before this one (newer articles), if any."""
    older: str | None
    pages: tuple[tuple[int, str] | None, ...]
    """Numbered links to show, ``None`` where numbers are left out."""


@dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    """One page of a listing: its items and its pager."""

    items: Sequence[T]
    pager: Pager


def paginate(items: Sequence[T], page_size: int, path_of) -> list[Slice[T]]:
    """``items`` cut into pages of ``page_size``; ``path_of(n)`` is the path of page ``n``.

    An empty listing still has one (empty) page, so every listing has a first page.
    """
    total = max(1, math.ceil(len(items) / page_size))
    paths = [path_of(k) for k in range(1, total + 1)]
    out = []
    for n in range(1, total + 1):
        pager = Pager(number=n, total=total,
                      newer=paths[n - 2] if n > 1 else None,
                      older=paths[n] if n < total else None,
                      pages=tuple((k, paths[k - 1]) if k else None for k in pager_window(n, total)))
        out.append(Slice(items[(n - 1) * page_size:n * page_size], pager))
    return out


def pager_window(n: int, total: int, around: int = 2) -> list[int]:
    """Page numbers to show: the first, the last and a few around ``n``; 0 marks a gap."""
    keep = sorted({1, total, *range(max(1, n - around), min(total, n + around) + 1)})
    out: list[int] = []
    for k in keep:
        if out and k - out[-1] > 1:
            out.append(0 if k - out[-1] > 2 else k - 1)
        out.append(k)
    return out
