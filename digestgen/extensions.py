"""Python-Markdown's extensions: the defaults, one renderer per set, and the check the config runs.

Shared by the config (which checks ``markdown_extensions`` when it loads) and the analysis (which
renders bodies with them), so neither reaches into the other.
"""
from __future__ import annotations

from functools import lru_cache

import markdown

Extensions = tuple[tuple[str, tuple], ...]
"""(extension name, sorted config items) pairs."""

DEFAULT_EXTENSIONS: Extensions = (("tables", ()), ("footnotes", ()), ("attr_list", ()), ("toc", ()))
"""``markdown_extensions`` when digest.yaml does not say."""


@lru_cache(maxsize=8)
def renderer(extensions: Extensions) -> markdown.Markdown:
    """One Python-Markdown instance per extension set, reset between articles."""
    return markdown.Markdown(extensions=[name for name, _ in extensions],
                             extension_configs={name: dict(cfg) for name, cfg in extensions if cfg},
                             output_format="html")


def check_extensions(extensions: Extensions) -> str | None:
    """Why Python-Markdown cannot use these extensions, or None when it can."""
    try:
        renderer(extensions).reset().convert("# x")
    except Exception as exc:  # an unknown extension or a bad option: ImportError, KeyError, TypeError...
        return f"{type(exc).__name__}: {exc}"
    return None
