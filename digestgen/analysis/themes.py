"""Themes: keyword evidence against the config's vocabulary, and how to measure and explain it."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick_rs

from digestgen.config import Config, Theme

TITLE_WEIGHT = 3


def theme_scores(title: str, text: str, themes: tuple[Theme, ...]) -> dict[str, float]:
    """Keyword evidence per theme id: each occurrence counts 1 in the body, 3 in the title.

    Matches are leftmost-longest over every theme's keywords at once, so an occurrence inside a
    longer keyword (诈骗 in 电信网络诈骗) is not counted again, and one keyword counts at most 5
    times in the body, so a single repeated word cannot carry a theme alone.
    """
    matcher, _, owners = _keyword_matcher(themes)
    body_hits: Counter = Counter(i for i, _, _ in matcher.find_matches_as_indexes(text))
    title_hits: Counter = Counter(i for i, _, _ in matcher.find_matches_as_indexes(title))
    scores: dict[str, float] = {}
    for i in sorted(body_hits.keys() | title_hits.keys()):  # in keyword order, as the sums always were
        score = min(body_hits[i], MAX_PER_KEYWORD) + TITLE_WEIGHT * title_hits[i]
        for theme_id in owners[i]:  # an excluded phrase (党委书记) matches and counts for nothing
            scores[theme_id] = scores.get(theme_id, 0.0) + score
    return {t.id: scores[t.id] for t in themes if t.id in scores}


MAX_PER_KEYWORD = 5


@lru_cache(maxsize=8)
def _keyword_matcher(themes: tuple[Theme, ...]):
    """The automaton over every keyword and excluded phrase, the sorted keywords, and for each the
    ids of the themes it is a keyword of (none for an excluded phrase), in the themes' order."""
    keywords = sorted({k for t in themes for k in t.keywords + t.excluded})
    owners = [tuple(t.id for t in themes if word in t.keywords) for word in keywords]
    return (ahocorasick_rs.AhoCorasick(keywords, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest),
            keywords, owners)


def assign_themes(title: str, text: str, config: Config) -> tuple[str, ...]:
    """Theme ids whose keyword evidence reaches the config's threshold, strongest first."""
    return pick_themes(theme_scores(title, text, config.themes), config, len(text))


def threshold(config: Config, length: int) -> float:
    """The evidence a theme needs: ``theme_min_score`` for a full article (1,000 characters or
    more), down to half of it for a short item, which has room for fewer keywords."""
    return config.theme_min_score * min(1.0, max(0.5, length / 1000))


MEANS_THEMES = ("publicity", "community-policing")
FALLBACK_MIN_SCORE = 1
"""An article with real content whose evidence reaches no threshold still gets its strongest theme,
when that theme has at least this much evidence."""
REAL_CONTENT_CHARS = 1


def pick_themes(scores: dict[str, float], config: Config, length: int = 1000) -> tuple[str, ...]:
    """The themes whose evidence reaches the threshold, strongest first, at most ``themes_per_article``;
    with none, the strongest one when the article has real content and some evidence for it."""
    order = {t.id: i for i, t in enumerate(config.themes)}
    ranked = sorted(((s, t) for t, s in scores.items()), key=lambda st: (-st[0], order[st[1]]))
    # Publicity and community work are usually the means and the setting of another theme (禁毒宣传,
    # 社区反诈): they lead only when no other theme has half their evidence.
    if ranked and ranked[0][1] in MEANS_THEMES:
        lead = next((st for st in ranked if st[1] not in MEANS_THEMES), None)
        if lead and lead[0] >= 0.5 * ranked[0][0]:
            ranked.remove(lead)
            ranked.insert(0, lead)
    kept = [t for s, t in ranked if s >= threshold(config, length)]
    if not kept and ranked and length >= REAL_CONTENT_CHARS and ranked[0][0] >= FALLBACK_MIN_SCORE:
        kept = [ranked[0][1]]
    return tuple(kept[: config.themes_per_article])


@dataclass(frozen=True)
class Scores:
    """Precision and recall of theme assignment over a labelled set."""

    precision: float
    recall: float
    per_theme: dict[str, tuple[float, float, int]]
    """Theme id -> (precision, recall, labelled items)."""
    items: int


def evaluate(items: list[tuple[str, str, set[str]]], config: Config) -> Scores:
    """Compare assigned themes with labels: items are (title, text, themes a reader gave)."""
    found = correct = wanted = 0
    per: dict[str, Counter] = {t.id: Counter() for t in config.themes}
    for title, text, truth in items:
        got = set(assign_themes(title, text, config))
        found, correct, wanted = found + len(got), correct + len(got & truth), wanted + len(truth)
        for tid in per:
            per[tid]["found"] += tid in got
            per[tid]["correct"] += tid in got and tid in truth
            per[tid]["wanted"] += tid in truth
    per_theme = {tid: (c["correct"] / c["found"] if c["found"] else 1.0,
                       c["correct"] / c["wanted"] if c["wanted"] else 1.0, c["wanted"]) for tid, c in per.items()}
    return Scores(correct / found if found else 1.0, correct / wanted if wanted else 1.0, per_theme, len(items))


def explain(title: str, text: str, config: Config) -> list[str]:
    """Lines saying which keywords gave each theme its score, and which themes were kept."""
    matcher, keywords, _ = _keyword_matcher(config.themes)
    body = Counter(keywords[i] for i, _, _ in matcher.find_matches_as_indexes(text))
    head = Counter(keywords[i] for i, _, _ in matcher.find_matches_as_indexes(title))
    scores = theme_scores(title, text, config.themes)
    kept = pick_themes(scores, config, len(text))
    needed = threshold(config, len(text))
    lines = []
    for theme in sorted(config.themes, key=lambda t: -scores.get(t.id, 0)):
        if not scores.get(theme.id):
            continue
        hits = ", ".join(f"{k}×{body[k]}" + (f" (title ×{head[k]})" if head[k] else "")
                         for k in theme.keywords if body[k] or head[k])
        ignored = [k for k in theme.excluded if body[k] or head[k]]
        if ignored:
            hits += "; not counted inside " + ", ".join(f"{k}×{body[k] + head[k]}" for k in ignored)
        mark = ("kept" if scores[theme.id] >= needed else "kept as the strongest theme of an article "
                "nothing else reaches the threshold for") if theme.id in kept else f"below {needed:g}" \
            if scores[theme.id] < needed else f"over the limit of {config.themes_per_article}"
        lines.append(f"  {theme.id} ({theme.name}): {scores[theme.id]:g}, {mark}: {hits}")
    return lines or ["  no theme keyword found"]


@dataclass(frozen=True)
class ThemesPart:
    """The article's themes (a field of ``Analysed``): the front matter's, then those found."""

    themes: tuple[str, ...]


def analyse(item) -> tuple[ThemesPart, list]:
    article = item.article
    found = assign_themes(article.title or "", item.text, item.config)
    return ThemesPart(tuple(dict.fromkeys(article.themes + found))), []
