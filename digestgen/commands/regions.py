"""``digestgen regions``: where each article was placed, and with ``--explain`` why."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digestgen.analysis.explain import explain_region, locate
from digestgen.commands.common import (EXIT_FATAL, EXIT_OK, EXIT_PROBLEMS, add_articles_option, add_config_option,
                                       config_or_none, load_all, report)
from digestgen.load.articles import read_article
from digestgen.model import Problem
from digestgen.paths import display_path


def add_parser(commands) -> None:
    r = commands.add_parser("regions", help="show how each article's region was found",
                            description="Print the region of each article and, with --explain, the "
                                        "evidence and the decision at each level.")
    r.add_argument("files", nargs="*", type=Path, metavar="FILE", help="articles to explain (default: all)")
    r.add_argument("--explain", action="store_true", help="print the evidence and the decision")
    add_config_option(r)
    add_articles_option(r)
    r.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = config_or_none(args.config)
    if config is None:
        return EXIT_FATAL
    folder = (args.articles or config.articles_dir).resolve()
    loaded = load_all(args, config)
    wanted = {f.resolve() for f in args.files}
    missing = [f for f in args.files if not f.resolve().is_file()]
    for f in missing:
        print(f"{f}: error: no such file", file=sys.stderr)
    chosen = [a for a in loaded.articles if not wanted or (folder / a.source_file).resolve() in wanted]
    failed = loaded.failed
    outside = [f for f in args.files if f.resolve().is_file() and folder not in f.resolve().parents]
    for f in outside:  # a file outside the articles folder is read on its own
        problems: list[Problem] = []
        article = read_article(f.resolve(), f.resolve().parent, display_path(f), config.theme_names, problems)
        report(problems)
        if article is None:
            failed += 1
        else:
            chosen.append(article)
    for article in chosen:
        if args.explain:
            print(explain_region(article))
        else:
            region, placement, _ = locate(article)
            if not region:
                print(f"{article.display_path}: (none: the text names no place clearly enough; add 'region:')")
                continue
            how = "front matter" if placement is None else f"detected, {placement.confidence:.2f}"
            print(f"{article.display_path}: {'/'.join(region.names)} ({how})")
    return EXIT_FATAL if missing else (EXIT_PROBLEMS if failed else EXIT_OK)
