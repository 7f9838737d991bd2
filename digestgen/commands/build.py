"""``digestgen build`` (the default): articles/ -> site/."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digestgen.bodies import BodyMissing
from digestgen.commands.common import EXIT_FATAL, EXIT_OK, EXIT_PROBLEMS, add_config_option, report
from digestgen.config import ConfigError
from digestgen.pipeline import BuildError, build
from digestgen.progress import terminal_progress
from digestgen.progress import wanted as progress_wanted
from digestgen.render import RenderError
from digestgen.write import WriteError


def add_parser(commands) -> None:
    b = commands.add_parser("build", help="build the site (the default command)",
                            description="Build articles/ into a static site (site/ by default).")
    add_config_option(b)
    b.add_argument("--articles", type=Path, metavar="DIR", help="read articles from DIR instead of the config's")
    b.add_argument("--out", type=Path, metavar="DIR", help="write the site to DIR instead of the config's")
    b.add_argument("--drafts", action="store_true", help="include articles marked 'draft: true'")
    b.add_argument("--strict", action="store_true", help="exit with an error status on warnings too")
    b.add_argument("-q", "--quiet", action="store_true", help="print only problems, no summary line")
    b.add_argument("--timings", action="store_true", help="print the seconds each stage took")
    b.add_argument("--no-cache", action="store_true",
                   help="analyse every article afresh and rebuild even if nothing changed "
                        "(the cache lives in .digestgen-cache/ beside the config)")
    b.add_argument("-j", "--jobs", type=int, metavar="N", help="worker processes (default: one per core)")
    b.add_argument("--debug", action="store_true",
                   help="on an internal error, show the Python traceback instead of one line")
    b.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        result = build(args.config, articles_dir=args.articles, output_dir=args.out, drafts=args.drafts,
                       use_cache=not args.no_cache, jobs=args.jobs,
                       progress=terminal_progress(progress_wanted(args.quiet)), once=True)
    except ConfigError as exc:
        report(exc.problems)
        print("build stopped: fix the config file; the site was not changed", file=sys.stderr)
        return EXIT_FATAL
    except WriteError as exc:
        print(f"error: {exc}; build stopped, the site was not changed", file=sys.stderr)
        return EXIT_FATAL
    except (BuildError, RenderError, BodyMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("build stopped; the site was not changed", file=sys.stderr)
        return EXIT_FATAL
    report(result.problems)
    if not args.quiet:
        print(result.summary())
    if args.timings:
        print("stages: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.timings))
        if result.peaks:
            print("peak memory after each stage (MiB): " + ", ".join(
                f"{name} {peak}" for (name, _), peak in zip(result.timings, result.peaks, strict=False)))
        if result.rendered is not None:
            print(f"pages rendered: {result.rendered} of {result.pages}; files reused unrendered: {result.reused}")
    if result.errors or (args.strict and result.warnings):
        return EXIT_PROBLEMS
    return EXIT_OK
