"""Command line: ``digestgen build`` (also ``python build.py``). Errors become messages here and nowhere deeper.

Each command is a module of ``digestgen/commands/``; to add one, write the module and list it here.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import sys

from digestgen.commands.common import EXIT_FATAL
from digestgen.commands import build, evaluate, figures, import_, new, regions, serve, tags, themes

COMMANDS = (build, import_, new, regions, themes, figures, tags, evaluate, serve)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digestgen",
        description="Build a browsable, searchable police-work news digest from Markdown articles.")
    parser.add_argument("--version", action="version", version=f"digestgen {version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def version() -> str:
    """The installed digestgen's version (from its package metadata)."""
    try:
        return importlib.metadata.version("digestgen")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed; pip install -e .)"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = make_parser()
    debug = "--debug" in argv  # allowed anywhere, with any command
    argv = [a for a in argv if a != "--debug"]
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["build", *argv]
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except OSError as exc:  # a file or folder outside the write stage; say which
        if debug:
            raise
        print(f"error: {exc.filename or 'a file'}: {exc.strerror or exc}; nothing was changed "
              "(run again with --debug to see where)", file=sys.stderr)
        return EXIT_FATAL
    except Exception as exc:  # a bug: one clear line, never a traceback, unless asked for
        if debug:
            raise
        return _internal_error(exc)
    except KeyboardInterrupt:
        print("interrupted; the site was not changed", file=sys.stderr)
        return 130


def _internal_error(exc: BaseException) -> int:
    """Report an exception nothing else handled: what it was, that the site is as before, and --debug."""
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    print(f"error: internal error ({type(exc).__name__}{': ' + detail if detail else ''}); nothing was changed; "
          "run again with --debug to see the traceback, and please report it", file=sys.stderr)
    return EXIT_FATAL


if __name__ == "__main__":
    sys.exit(main())
