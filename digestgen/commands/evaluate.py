"""``digestgen evaluate LABELS_DIR``: region, themes, key figures and tags measured on labelled pages."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digestgen.evaluate import LabelError, evaluate
from digestgen.commands.common import EXIT_FATAL, EXIT_OK, add_config_option, config_or_none


def add_parser(commands) -> None:
    e = commands.add_parser("evaluate", help="measure region, themes, key figures and tags on labelled pages",
                            description="Import the raw pages of a labelled folder (raw/ + expected/*.yaml) into "
                                        "a temporary folder, analyse them, and compare with the labels.")
    e.add_argument("labels", type=Path, metavar="LABELS_DIR", help="the labelled folder")
    e.add_argument("--only", nargs="+", metavar="NAME", help="only these pages (d001 d002 ...)")
    e.add_argument("--brief", action="store_true", help="only the figures, not a line per miss")
    add_config_option(e)
    e.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = config_or_none(args.config)
    if config is None:
        return EXIT_FATAL
    try:
        result = evaluate(args.labels, config, set(args.only) if args.only else None)
    except LabelError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FATAL
    print("\n".join(result.lines(misses=not args.brief)))
    return EXIT_OK
