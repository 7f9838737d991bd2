"""``digestgen themes``: why an article got its themes, or precision and recall over a labelled set."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digestgen.analysis import themes
from digestgen.analysis.explain import explain_themes
from digestgen.commands.common import (EXIT_FATAL, EXIT_OK, EXIT_PROBLEMS, add_config_option, config_or_none,
                                       read_labels, report)
from digestgen.config import Config
from digestgen.load.articles import read_article


def add_parser(commands) -> None:
    t = commands.add_parser("themes", help="explain an article's themes, or measure theme assignment",
                            description="With FILEs, show which keywords gave each article its themes. With "
                                        "--evaluate LABELS, print precision and recall against labelled items "
                                        "(a YAML list of {title, text, themes}).")
    t.add_argument("files", nargs="*", type=Path, metavar="FILE", help="articles to explain")
    t.add_argument("--explain", action="store_true", help="(the default with FILEs)")
    t.add_argument("--evaluate", type=Path, metavar="LABELS", help="a YAML file of labelled items")
    add_config_option(t)
    t.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = config_or_none(args.config)
    if config is None:
        return EXIT_FATAL
    if args.evaluate:
        return _evaluate(args.evaluate, config)
    if not args.files:
        print("themes: error: give the articles to explain (build.py themes articles/x.md) or "
              "--evaluate LABELS", file=sys.stderr)
        return EXIT_FATAL
    status = EXIT_OK
    for path in args.files:
        problems: list = []
        article = read_article(path.resolve(), path.resolve().parent, path.as_posix(), config.theme_names, problems)
        report(problems)
        if article is None:
            status = EXIT_PROBLEMS
            continue
        print(path.as_posix())
        for line in explain_themes(article, config):
            print(line)
    return status


def _evaluate(labels: Path, config: Config) -> int:
    items = read_labels(labels, "labelled items", ("title", "text", "themes"))
    if items is None:
        return EXIT_FATAL
    scores = themes.evaluate([(i["title"], i["text"], set(i["themes"])) for i in items], config)
    print(f"{scores.items} labelled items: precision {scores.precision:.2f}, recall {scores.recall:.2f}")
    for theme in config.themes:
        p, r, n = scores.per_theme[theme.id]
        print(f"  {theme.id:<20} {theme.name:<8} precision {p:.2f}  recall {r:.2f}  ({n} labelled)")
    return EXIT_OK
