"""``digestgen tags --review``: every tag of the archive with its article count and why it was picked."""
from __future__ import annotations

import argparse

from digestgen.analysis.explain import review_tags
from digestgen.commands.common import EXIT_FATAL, EXIT_OK, EXIT_PROBLEMS, add_articles_option, add_config_option, config_or_none, load_all


def add_parser(commands) -> None:
    g = commands.add_parser("tags", help="review the tags of the archive",
                            description="With --review, list every tag with its article count and why it "
                                        "was picked, so the stop list and aliases in the config can grow.")
    g.add_argument("--review", action="store_true", help="list every tag (the default)")
    add_config_option(g)
    add_articles_option(g)
    g.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = config_or_none(args.config)
    if config is None:
        return EXIT_FATAL
    loaded = load_all(args, config)
    print("\n".join(review_tags(loaded.articles, config)))
    return EXIT_PROBLEMS if loaded.failed else EXIT_OK
