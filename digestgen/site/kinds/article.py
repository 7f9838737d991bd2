"""Article pages: one per article, with its neighbours in time and related articles."""
from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence

from digestgen.model import Entry
from digestgen.site.pages import Feed, Page
from digestgen.site.context import ArticlePage
from digestgen.site.gather import Archive
from digestgen.site.kind import PageKind

RELATED = 5
RELATED_WINDOW = 12


def pages(archive: Archive) -> list[Page | Feed]:
    entries = archive.entries
    rel = related_all(entries)
    out: list[Page | Feed] = []
    for i, e in enumerate(entries):
        newer = entries[i - 1] if i > 0 else None
        older = entries[i + 1] if i + 1 < len(entries) else None
        out.append(Page(e.path, "article.html", e.item.title,
                        ArticlePage(entry=e, newer=newer, older=older, related=rel[i])))
    return out


def related_all(entries: Sequence[Entry], limit: int = RELATED, window: int = RELATED_WINDOW) -> list[list[Entry]]:
    """For each entry, the articles sharing most tags (3 each), themes (2) and region levels (1).

    Candidates are the entries nearest in time in each of its tag, theme and region lists
    (``window`` either side), so the work grows with the archive, not with its square.
    """
    lists: dict[tuple, list[int]] = defaultdict(list)
    for i, e in enumerate(entries):  # entries are newest first, so every list is in time order
        for key in _related_keys(e):
            lists[key].append(i)
    where: dict[tuple, dict[int, int]] = {k: {doc: n for n, doc in enumerate(v)} for k, v in lists.items()}
    out = []
    for i, e in enumerate(entries):
        scores: dict[int, int] = defaultdict(int)
        for key in _related_keys(e):
            ids, n = lists[key], where[key][i]
            weight = {"tag": 3, "theme": 2, "region": 1}[key[0]]
            for j in ids[max(0, n - window): n + window + 1]:
                if j != i:
                    scores[j] += weight
        best = heapq.nsmallest(limit, scores.items(), key=lambda kv: (-kv[1], kv[0]))
        out.append([entries[j] for j, _ in best])
    return out


def _related_keys(e: Entry) -> list[tuple]:
    region = e.item.region.names
    return ([("tag", t) for t in e.item.tags] + [("theme", t) for t in e.item.themes]
            + [("region", region[:d]) for d in range(1, len(region) + 1)])


KIND = PageKind("article", pages)
