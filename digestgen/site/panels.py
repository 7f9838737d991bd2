"""Secondary panels of the pages: capped side lists, tag weights, theme chips and key figures.

Small pure functions over the site model, called where the pages are laid out
(:mod:`digestgen.site.model`), so the templates only display what they are given.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence

from digestgen.config import Theme
from digestgen.model import Entry, Figure, Link

SIDEBAR_CAP = 10
"""Home page side lists show this many, most articles first, then a 全部… link."""
THEME_CHIPS = 3
"""An article shows its strongest themes as chips; the rest go under 更多主题."""
FIGURE_SUMMARY = 6
"""Key figures shown after an article's lede; the full table is collapsed below them."""
PERCENT_UNITS = ("%", "％", "个百分点")


def by_count(links: Sequence[Link], cap: int = SIDEBAR_CAP) -> list[Link]:
    """The ``cap`` links with most articles, most first (ties in their given order)."""
    return sorted(links, key=lambda link: -link.count)[:cap]


def tag_weights(tags: Sequence[Link]) -> dict[str, int]:
    """A size step 1-5 per tag, on a log scale from the rarest to the most used.

    With a log scale the few very common tags stand out and the long tail of tags used once or
    twice stays small, rather than all of them looking alike.
    """
    if not tags:
        return {}
    low, high = min(t.count for t in tags), max(t.count for t in tags)
    if high == low:
        return {t.name: 1 for t in tags}
    span = math.log(high) - math.log(low)
    return {t.name: 1 + round(4 * (math.log(t.count) - math.log(low)) / span) for t in tags}


def figure_value(f: Figure) -> bool:
    """Whether a figure's value is a count of its own (448人), not just the size of a change (下降45%)."""
    return not (f.change and f.unit in PERCENT_UNITS)


def figure_summary(figures: Sequence[Figure], limit: int = FIGURE_SUMMARY) -> list[Figure]:
    """The first ``limit`` figures worth a glance: each with a count or a change, one per metric."""
    seen: set[str] = set()
    out: list[Figure] = []
    for f in figures:
        if f.metric in seen or not (f.value or f.change):
            continue
        seen.add(f.metric)
        out.append(f)
        if len(out) == limit:
            break
    return out


FIGURE_SCAN = 400
"""Figures of a listing come from its newest this many articles: enough to fill the groups, and
the cost of a theme page no longer grows with the archive."""


def theme_figure_groups(entries: Sequence[Entry], actions: dict[str, list[tuple[str, Figure]]],
                        theme: Theme | None = None, per_group: int = 5, scan: int = FIGURE_SCAN
                        ) -> list[tuple[str, list[tuple[Figure, Entry]]]]:
    """Counted figures (no changes) of these articles grouped by action (破获, 抓获, 挽回...), newest
    first; with a ``theme``, only figures whose sentence names one of the theme's keywords, so a
    community-policing page does not list anti-fraud arrests from the same article. Only the
    newest ``scan`` articles are read.

    ``actions`` (slug -> [(action, figure)], the counted figures of each article) is found once
    per build by the site model.
    """
    groups: dict[str, list[tuple[Figure, Entry]]] = {}
    about = re.compile("|".join(map(re.escape, theme.keywords))) if theme and theme.keywords else None
    for e in entries[:scan]:
        for action, f in actions[e.slug]:
            if about and not about.search(f.text):
                continue
            group = groups.setdefault(action, [])
            if len(group) < per_group:
                group.append((f, e))
    return sorted(groups.items(), key=lambda kv: min(f.action_rank for f, _ in kv[1]))
