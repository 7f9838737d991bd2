"""``digestgen import``: raw pages (copied text or saved HTML) -> articles/*.md."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digestgen.commands.common import EXIT_FATAL, EXIT_OK, EXIT_PROBLEMS, add_config_option, config_or_none
from digestgen.config import Config
from digestgen.importing import evaluate as import_evaluation
from digestgen.importing.importer import ImportFailure, import_files
from digestgen.progress import terminal_progress, wanted


def add_parser(commands) -> None:
    i = commands.add_parser("import", help="turn raw pages (copied text or saved HTML) into articles",
                            description="Import raw news pages: files or folders of .txt, .html, .htm and .md "
                                        "(searched recursively). Each becomes a clean article with front matter.")
    i.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="a raw file, or a folder of them")
    i.add_argument("--out", type=Path, metavar="DIR", help="where to write the articles (default: the "
                                                            "config's articles folder)")
    i.add_argument("--force", action="store_true", help="rewrite an article already imported (same url or same text) in its file")
    i.add_argument("--dry-run", action="store_true", help="report what would be imported; write nothing")
    add_config_option(i)
    i.add_argument("--evaluate", type=Path, metavar="LABELS_DIR",
                   help="import the labelled pages of LABELS_DIR (raw/ + expected/*.yaml) into a temporary "
                        "folder and print how many fields, bodies and furniture strings came out right")
    i.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = config_or_none(args.config)
    if config is None:
        return EXIT_FATAL
    if args.evaluate:
        return _evaluate(args.evaluate, config)
    if not args.paths:
        print("import: error: give a raw file or folder to import (or --evaluate LABELS_DIR)", file=sys.stderr)
        return EXIT_FATAL
    missing = [p for p in args.paths if not p.exists()]
    for p in missing:
        print(f"{p}: error: no such file or folder", file=sys.stderr)
    try:
        result = import_files([p for p in args.paths if p.exists()], args.out or config.articles_dir, config,
                              force=args.force, dry_run=args.dry_run, progress=terminal_progress(wanted()))
    except ImportFailure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FATAL
    verb = "would import" if args.dry_run else "imported"
    for o in result.outcomes:
        if o.status == "imported":
            print(f"{verb} {o.source} -> {o.target}")
            if o.missing:
                print(f"    not stated in the page, left out: {', '.join(o.missing)}")
        elif o.status == "failed":
            print(f"failed   {o.source}: {o.message}", file=sys.stderr)
        else:
            print(f"skipped  {o.source}: {o.message} ({o.target})")
    print(("dry run: " if args.dry_run else "") + result.summary())
    return EXIT_PROBLEMS if result.count("failed") or missing else EXIT_OK


def _evaluate(folder: Path, config: Config) -> int:
    try:
        scores = import_evaluation.evaluate(folder, config)
    except import_evaluation.LabelsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FATAL
    for line in scores.lines():
        print(line)
    for miss in scores.misses:
        print(f"miss: {miss}")
    return EXIT_OK
