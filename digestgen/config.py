"""Site settings and the theme vocabulary: ``digest.yaml`` -> :class:`Config`, validated on load.

Every problem in the file is collected (with its line) before the load fails, so the user
fixes them all in one go.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digestgen.extensions import DEFAULT_EXTENSIONS, check_extensions
from digestgen.model import Problem
from digestgen.paths import display_path
from digestgen.yamlsource import Located, YamlError, parse

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Theme:
    """One entry of the theme vocabulary."""

    id: str
    """ASCII id, used in front matter and URLs (``anti-fraud``)."""
    name: str
    """Chinese name shown to readers (``反诈``)."""
    keywords: tuple[str, ...]
    """Words whose presence in an article signals the theme."""
    excluded: tuple[str, ...] = ()
    """Longer phrases in which a keyword says nothing (党委 inside 党委书记, a job title)."""


@dataclass(frozen=True)
class Config:
    """Validated site settings. Paths are absolute, resolved against the config file's folder."""

    root: Path
    title: str
    description: str
    base_url: str | None
    """Absolute URL of the published site, ending in ``/``; only feeds and the sitemap use it."""
    language: str
    articles_dir: Path
    output_dir: Path
    templates_dir: Path
    static_dir: Path
    page_size: int
    tags_per_article: int
    tag_page_min_articles: int
    themes_per_article: int
    theme_min_score: float
    themes: tuple[Theme, ...]
    tag_aliases: tuple[tuple[str, str], ...] = ()
    """(alias, canonical tag) pairs: near-duplicate tags are shown under one name."""
    tag_stopwords: tuple[str, ...] = ()
    """Words never used as tags, on top of the shipped stop list (an editor grows it from ``tags --review``)."""
    markdown_extensions: tuple[tuple[str, tuple], ...] = DEFAULT_EXTENSIONS
    """Python-Markdown extensions for article bodies: (name, sorted config items) pairs."""

    @property
    def theme_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    @property
    def theme_names(self) -> dict[str, str]:
        """Theme id -> the name readers see (``anti-fraud`` -> ``反诈``)."""
        return {t.id: t.name for t in self.themes}


class ConfigError(Exception):
    """The config file is unusable; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


# key -> (type, default); None as default means required
_SETTINGS: dict[str, tuple[Any, Any]] = {
    "title": (str, None),
    "description": (str, ""),
    "base_url": (str, ""),
    "language": (str, "zh-CN"),
    "articles": (str, "articles"),
    "output": (str, "site"),
    "templates": (str, "templates"),
    "static": (str, "static"),
    "page_size": (int, 20),
    "tags_per_article": (int, 8),
    "tag_page_min_articles": (int, 1),
    "themes_per_article": (int, 6),
    "theme_min_score": (float, 3.0),
    "themes": (list, None),
    "tag_aliases": (dict, {}),
    "tag_stopwords": (list, []),
    "markdown_extensions": (list, []),
}


def load_config(path: Path) -> Config:
    """Read and validate the config file; raise :class:`ConfigError` listing every problem."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError([Problem(shown, None, "error",
                                   "config file not found; create it or pass --config FILE")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(shown, None, "error", f"cannot read the config file: {exc}")]) from None
    try:
        doc = parse(text)
    except YamlError as exc:
        raise ConfigError([Problem(shown, exc.line, "error", exc.message)]) from None
    return _validate(doc, path.resolve().parent, shown)


def _validate(doc: Located, root: Path, shown: str) -> Config:
    problems: list[Problem] = []

    def err(message: str, *where: str | int) -> None:
        problems.append(Problem(shown, doc.line(*where, default=1), "error", message))

    data = doc.data
    if not isinstance(data, dict):
        raise ConfigError([Problem(shown, 1, "error", "the config must be a mapping of settings (key: value)")])
    for key in data:
        if key not in _SETTINGS:
            hint = difflib.get_close_matches(str(key), list(_SETTINGS), n=1)
            tip = f"; did you mean '{hint[0]}'?" if hint else f"; known settings: {', '.join(_SETTINGS)}"
            err(f"unknown setting '{key}'{tip}", key)
    values: dict[str, Any] = {}  # each checked against its kind below
    for key, (kind, default) in _SETTINGS.items():
        if key not in data or data[key] is None:
            if default is None:
                err(f"missing required setting '{key}'")
            values[key] = default
            continue
        value: Any = data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            err(f"'{key}' must be {_KIND_NAMES[kind]}, got {value!r}", key)
            value = default
        elif kind in (int, float) and value <= 0:
            err(f"'{key}' must be greater than 0, got {value}", key)
            value = default
        values[key] = value

    base_url = str(values["base_url"] or "").strip()
    if base_url:
        if not re.match(r"^https?://[^/\s]+", base_url):
            err(f"'base_url' must be an absolute http(s) URL such as https://example.org/digest/, got {base_url!r}",
                "base_url")
        elif not base_url.endswith("/"):
            base_url += "/"
    themes = _themes(values["themes"] or [], doc, err)
    aliases: dict[str, str] = {}
    for canonical, names in (values["tag_aliases"] or {}).items():
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            err(f"tag_aliases: '{canonical}' must list its other names, e.g. {canonical}: [别名一, 别名二]",
                "tag_aliases", canonical)
            continue
        for name in names:
            if name in aliases and aliases[name] != str(canonical):
                err(f"tag_aliases: '{name}' is an alias of both '{aliases[name]}' and '{canonical}'",
                    "tag_aliases", canonical)
            aliases[name.strip()] = str(canonical)
    extensions = _markdown_extensions(data.get("markdown_extensions"), err)

    stop = values["tag_stopwords"] or []
    if not all(isinstance(w, str) and w.strip() for w in stop):
        err("tag_stopwords must be a list of words, e.g. [现场, 活动]", "tag_stopwords")
        stop = []

    if problems:
        raise ConfigError(problems)
    return Config(
        root=root,
        title=str(values["title"]),
        description=str(values["description"]),
        base_url=base_url or None,
        language=str(values["language"]),
        articles_dir=(root / str(values["articles"])).resolve(),
        output_dir=(root / str(values["output"])).resolve(),
        templates_dir=(root / str(values["templates"])).resolve(),
        static_dir=(root / str(values["static"])).resolve(),
        page_size=int(values["page_size"]),
        tags_per_article=int(values["tags_per_article"]),
        tag_page_min_articles=int(values["tag_page_min_articles"]),
        themes_per_article=int(values["themes_per_article"]),
        theme_min_score=float(values["theme_min_score"]),
        themes=themes,
        tag_aliases=tuple(sorted(aliases.items())),
        tag_stopwords=tuple(dict.fromkeys(w.strip() for w in stop)),
        markdown_extensions=extensions,
    )


_KIND_NAMES = {str: "text", int: "a whole number", float: "a number", list: "a list", dict: "a mapping"}


def _themes(items: list, doc: Located, err) -> tuple[Theme, ...]:
    themes: list[Theme] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = ("themes", i)
        if not isinstance(item, dict):
            err("each theme must be a mapping with id, name and keywords", *where)
            continue
        extra = set(item) - {"id", "name", "keywords", "except"}
        for key in sorted(map(str, extra)):
            err(f"unknown theme field '{key}'; a theme has id, name and keywords", *where, key)
        tid, name, keywords = item.get("id"), item.get("name"), item.get("keywords")
        if not isinstance(tid, str) or not ID_RE.match(tid):
            err(f"theme id must be lower-case ASCII words joined by '-' (e.g. anti-fraud), got {tid!r}",
                *where, "id")
            continue
        if tid in seen:
            err(f"theme id '{tid}' is used twice; ids must be unique", *where, "id")
        seen.add(tid)
        if not isinstance(name, str) or not name.strip():
            err(f"theme '{tid}' needs a name (its Chinese name, e.g. 反诈)", *where)
            name = tid
        if (not isinstance(keywords, list) or not keywords
                or not all(isinstance(k, str) and k.strip() for k in keywords)):
            err(f"theme '{tid}' needs 'keywords': a non-empty list of words", *where)
            keywords = []
        excluded = item.get("except") or []
        if not isinstance(excluded, list) or not all(isinstance(k, str) and k.strip() for k in excluded):
            err(f"theme '{tid}': 'except' must be a list of phrases in which its keywords say nothing "
                "(e.g. [党委书记])", *where, "except")
            excluded = []
        themes.append(Theme(tid, name.strip(), tuple(dict.fromkeys(k.strip() for k in keywords)),
                            tuple(dict.fromkeys(k.strip() for k in excluded))))
    if not items:
        err("'themes' must list at least one theme", "themes")
    return tuple(themes)



def _markdown_extensions(items: Any, err) -> tuple[tuple[str, tuple], ...]:
    """``markdown_extensions`` as MkDocs spells it: names, or one-key mappings of a name to its
    options (``- toc: {permalink: false}``); checked by loading them into Python-Markdown."""
    if items is None:
        return DEFAULT_EXTENSIONS
    if not isinstance(items, list):
        return DEFAULT_EXTENSIONS  # the type error was reported with the other settings
    out: list[tuple[str, tuple]] = []
    for i, item in enumerate(items):
        where = ("markdown_extensions", i)
        options: Any
        if isinstance(item, str) and item.strip():
            name, options = item.strip(), {}
        elif isinstance(item, dict) and len(item) == 1 and isinstance(next(iter(item)), str):
            name, options = next(iter(item.items()))
            options = options if options is not None else {}
            if not isinstance(options, dict):
                err(f"markdown_extensions: the options of '{name}' must be a mapping (option: value)", *where)
                continue
        else:
            err("markdown_extensions: each item must be an extension name (tables) or one name with its "
                "options ({toc: {permalink: false}})", *where)
            continue
        config = tuple(sorted((str(k), tuple(v) if isinstance(v, list) else v) for k, v in options.items()))
        why = check_extensions(((name, config),))
        if why:
            err(f"markdown_extensions: Python-Markdown cannot load '{name}' ({why}); use a built-in extension "
                "such as tables, footnotes, attr_list, toc, admonition, or install the package that provides it",
                *where)
            continue
        out.append((name, config))
    return tuple(out)
