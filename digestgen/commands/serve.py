"""``digestgen serve``: build, serve on 127.0.0.1, rebuild on every save and reload the open page."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digestgen.commands.common import EXIT_FATAL, EXIT_OK, add_config_option, report
from digestgen.config import ConfigError
from digestgen.serve import Preview, ServeError, serve


def add_parser(commands) -> None:
    s = commands.add_parser(
        "serve", help="preview the site: serve it, rebuild on every save and reload the open page",
        description="Build the site, serve it on this computer, watch articles, templates, static files and "
                    "the config, rebuild after every save and reload the page open in the browser.")
    add_config_option(s)
    s.add_argument("--articles", type=Path, metavar="DIR", help="read articles from DIR instead of the config's")
    s.add_argument("--out", type=Path, metavar="DIR", help="write the site to DIR instead of the config's")
    s.add_argument("--drafts", action=argparse.BooleanOptionalAction, default=True,
                   help="include articles marked 'draft: true' (the default here; --no-drafts hides them)")
    s.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    s.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS",
                   help="address to listen on (default: 127.0.0.1, this computer only; "
                        "0.0.0.0 lets other computers on the network see the preview)")
    s.add_argument("--base", default="/", metavar="PATH",
                   help="serve the site under this path, as it will be published (e.g. /digest/)")
    s.add_argument("-j", "--jobs", type=int, metavar="N", help="worker processes (default: one per core)")
    s.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        print(f"error: --port {args.port} is not a port; use a number from 1024 to 65535", file=sys.stderr)
        return EXIT_FATAL
    preview = Preview(args.config, articles_dir=args.articles, output_dir=args.out, drafts=args.drafts,
                      jobs=args.jobs)
    try:
        serve(preview, host=args.bind, port=args.port, base=args.base, say=_say)
    except ConfigError as exc:
        report(exc.problems)
        print("serve stopped: fix the config file", file=sys.stderr)
        return EXIT_FATAL
    except ServeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FATAL
    return EXIT_OK


def _say(line: str) -> None:
    print(line, flush=True)
