"""Key figures of a group of articles (a region's, a theme's), grouped by what they count."""
from __future__ import annotations

from collections.abc import Sequence

from digestgen.analysis.figures import ACTIONS
from digestgen.model import Entry


def figure_groups(entries: Sequence[Entry], actions: dict[str, list[tuple[str, dict]]], per_group: int = 5
                  ) -> list[tuple[str, list[tuple[dict, Entry]]]]:
    """Key figures of these articles grouped by action (all 破获 figures, all 挽回...), newest first.

    ``actions`` holds each entry's counted figures with their action, found once per build.
    """
    groups: dict[str, list[tuple[dict, Entry]]] = {}
    for e in entries:
        for action, f in actions[e.slug]:
            group = groups.setdefault(action, [])
            if len(group) < per_group:
                group.append((f, e))
    return sorted(groups.items(), key=lambda kv: ACTIONS.index(kv[0]))
