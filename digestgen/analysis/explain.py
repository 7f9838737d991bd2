"""What the ``themes``, ``regions`` and ``tags`` commands print: the analysis, explained."""
from __future__ import annotations

from collections import Counter, defaultdict

from digestgen.analysis import themes
from digestgen.analysis.analyse import analyse
from digestgen.analysis.markup import to_html, to_text
from digestgen.analysis.regions import Placement, explain, place
from digestgen.config import Config
from digestgen.model import Article, Region


def article_text(article: Article) -> str:
    """The article's body as the analysis reads it: Markdown rendered, sanitised, as plain text."""
    return to_text(to_html(article.body))


def locate(article: Article) -> tuple[Region, Placement | None, str | None]:
    """The article's region, how it was placed (``None`` when the front matter gave it all) and
    any warning, exactly as the build decides them."""
    return place(article.region, article.title or "", article_text(article), article.source or "")


def explain_region(article: Article) -> str:
    """The evidence for the article's region and the decision at each level."""
    region, placement, warning = locate(article)
    return explain(article.display_path, article.region, region, placement, warning)


def explain_themes(article: Article, config: Config) -> list[str]:
    """Which keywords gave each theme its score, and which themes were kept."""
    lines = []
    if article.themes:
        lines.append(f"  front matter: {', '.join(article.themes)}")
    return lines + themes.explain(article.title or "", article_text(article), config)


def review_tags(articles: list[Article], config: Config) -> list[str]:
    """``tags --review``: every tag with its article count and why it was picked, most used first."""
    reasons: dict[str, Counter] = defaultdict(Counter)
    analysed, _ = analyse(articles, config, tag_reasons=reasons)
    counts = Counter(t for a in analysed for t in a.tags)
    if not counts:
        return ["no tags (no articles, or none with tag-worthy words)"]
    lines = [f"{len(counts)} tags on {len(analysed)} articles (tag, articles, why picked). Stop a tag with "
             "tag_stopwords: [...] in the config; fold near-duplicates with tag_aliases."]
    for tag, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        why = "; ".join(f"{r}" + (f" ×{k}" if k > 1 else "") for r, k in reasons[tag].most_common())
        lines.append(f"  {tag}\t{n}\t{why or 'front matter'}")
    return lines
