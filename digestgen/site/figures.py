"""Key figures of a group of articles (a region's, a theme's), grouped by what they count."""
from __future__ import annotations

from collections.abc import Sequence

from digestgen.model import Entry, Figure


def figure_groups(entries: Sequence[Entry], actions: dict[str, list[tuple[str, Figure]]], per_group: int = 5
                  ) -> list[tuple[str, list[tuple[Figure, Entry]]]]:
    """Key figures of these articles grouped by action (all 破获 figures, all 挽回...), newest first.

    ``actions`` holds each entry's counted figures with their action, found once per build.
    """
    groups: dict[str, list[tuple[Figure, Entry]]] = {}
    for e in entries:
        for action, f in actions[e.slug]:
            group = groups.setdefault(action, [])
            if len(group) < per_group:
                group.append((f, e))
    return sorted(groups.items(), key=lambda kv: min(f.action_rank for f, _ in kv[1]))
