"""The input every per-article analyser receives, and the contract it keeps.

An analyser is a module with one entry function ``analyse(item: Item) -> (part, problems)``: the
part is a frozen dataclass whose fields are fields of :class:`digestgen.model.Analysed` (a region,
the themes, the key figures...), and the problems are :class:`Problem` values about the article.
``analyse.ANALYSERS`` lists them once; a new analysis is one module and one line there (and its
fields in ``Analysed``).
"""
from __future__ import annotations

from dataclasses import dataclass

from digestgen.config import Config
from digestgen.model import Article


@dataclass(frozen=True)
class Item:
    article: Article
    text: str
    """The body as plain text."""
    config: Config
