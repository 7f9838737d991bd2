"""What the ``themes`` and ``regions`` commands print: the analysis of one article, explained."""
from __future__ import annotations

from digestgen.analysis import themes
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
