"""Command line: ``digestgen build`` (also ``python build.py``). Errors become messages here and nowhere deeper.

Each command is a module of ``digestgen/commands/``; to add one, write the module and list it here.
"""
from __future__ import annotations

import argparse
import sys

from digestgen.commands import build, figures, import_, regions, serve, themes

COMMANDS = (build, import_, regions, themes, figures, serve)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digestgen",
        description="Build a browsable, searchable police-work news digest from Markdown articles.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = make_parser()
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["build", *argv]
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
