"""Related articles with the reason each is related: shared tags, theme and region.

The previous and next articles are linked on every article page already, so they are never
offered again as related. Candidates are the articles nearest in time in each of the article's
tag, theme and region lists (``window`` either side), so the work grows with the archive, not
with its square.
"""
from __future__ import annotations

import heapq
from array import array
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from digestgen.model import Entry

LIMIT = 5
WINDOW = 12
WEIGHTS = {"tag": 3, "theme": 2, "region": 1}


@dataclass(frozen=True)
class Related:
    """A related article and why: ``reasons`` such as ("同地区 衡南县", "同主题 反诈", "共同标签 屋场恳谈")."""

    entry: Entry
    reasons: tuple[str, ...]


class RelatedList(Sequence[Related]):
    """An article's related articles, made as they are shown: the site model keeps only where they
    stand in the archive's list of entries (a few integers an article, where the :class:`Related`
    values with their reasons took kilobytes)."""

    __slots__ = ("_entries", "_names", "_of", "_picks")

    def __init__(self, entries: Sequence[Entry], of: int, picks: Sequence[int],
                 theme_names: dict[str, str] | None) -> None:
        self._entries, self._of, self._picks, self._names = entries, of, picks, theme_names

    def __len__(self) -> int:
        return len(self._picks)

    @property
    def picks(self) -> tuple[int, ...]:
        """Where the related articles stand in the list of entries, best first."""
        return tuple(self._picks)

    @overload
    def __getitem__(self, i: int) -> Related: ...

    @overload
    def __getitem__(self, i: slice) -> list[Related]: ...

    def __getitem__(self, i: int | slice) -> Related | list[Related]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self._picks)))]
        other = self._entries[self._picks[i]]
        return Related(other, reasons(self._entries[self._of], other, self._names))

    def __repr__(self) -> str:
        return repr(list(self))

    def __eq__(self, other: object) -> bool:  # as the list of its values would compare
        return list(self) == (list(other) if isinstance(other, RelatedList) else other)

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Sequence[Related]) -> list[Related]:
        return list(self) + list(other)

    def __radd__(self, other: Sequence[Related]) -> list[Related]:
        return list(other) + list(self)


def _keys(e: Entry) -> list[tuple]:
    region = e.item.region.names
    return ([("tag", t) for t in e.item.tags] + [("theme", t) for t in e.item.themes]
            + [("region", region[:d]) for d in range(1, len(region) + 1)])


def reasons(a: Entry, b: Entry, theme_names: dict[str, str] | None = None) -> tuple[str, ...]:
    """Why ``b`` is related to ``a``: the most precise region they share, shared themes, shared tags."""
    out = []
    ra, rb = a.item.region.names, b.item.region.names
    common = 0
    while common < min(len(ra), len(rb)) and ra[common] == rb[common]:
        common += 1
    if common:
        out.append(f"同地区 {ra[common - 1]}")
    names = theme_names or {}
    themes = [t for t in a.item.themes if t in b.item.themes]
    if themes:
        out.append("同主题 " + "、".join(names.get(t, t) for t in themes[:2]))
    tags = [t for t in a.item.tags if t in b.item.tags]
    if tags:
        out.append("共同标签 " + "、".join(tags[:3]))
    return tuple(out)


def related_with_reasons(entries: Sequence[Entry], limit: int = LIMIT, window: int = WINDOW,
                         theme_names: dict[str, str] | None = None) -> list[RelatedList]:
    """For each entry (newest first, as the site lists them), at most ``limit`` related articles,
    best first: shared tags count 3 each, themes 2, region levels 1; ties go to the newer article.
    The entries just before and after it (its previous/next links) are left out."""
    lists: dict[tuple, list[int]] = defaultdict(list)
    for i, e in enumerate(entries):
        for key in _keys(e):
            lists[key].append(i)
    span = len(entries) + 1
    out = []
    for i, e in enumerate(entries):
        # Each candidate once per point it earns, counted in C; then best first as one integer each
        # (score descending, then position ascending: the newer article first). An article's place in
        # a list is found by bisection (the lists are in order): no table of places is kept.
        pool: list[int] = []
        for key in _keys(e):
            ids = lists[key]
            n = bisect_right(ids, i) - 1
            pool += ids[max(0, n - window): n + window + 1] * WEIGHTS[key[0]]
        scores = Counter(pool)
        for j in (i - 1, i, i + 1):  # itself, and its previous and next links
            scores.pop(j, None)
        best = heapq.nsmallest(limit, [j - s * span for j, s in scores.items()])
        out.append(RelatedList(entries, i, array("I", (k % span for k in best)), theme_names))
    return out
