"""What the commands share: exit statuses, the config, labelled YAML files, printing problems."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml

from digestgen.config import Config, ConfigError, load_config
from digestgen.load.articles import Loaded, load_articles
from digestgen.model import Problem
from digestgen.paths import display_path

EXIT_OK, EXIT_PROBLEMS, EXIT_FATAL = 0, 1, 2


def report(problems: Iterable[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=Path("digest.yaml"),
                        help="the site's config file (default: digest.yaml)")


def add_articles_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--articles", type=Path, metavar="DIR", help="the articles folder, if not the config's")


def load_all(args: argparse.Namespace, config: Config) -> Loaded:
    """Every article of ``--articles`` (or the config's folder), drafts included, its problems printed."""
    folder = (args.articles or config.articles_dir).resolve()
    loaded = load_articles(folder, config.theme_names, drafts=True, display_root=Path.cwd())
    report(loaded.problems)
    return loaded


def config_or_none(path: Path) -> Config | None:
    """The config, or None after printing its problems."""
    try:
        return load_config(path)
    except ConfigError as exc:
        report(exc.problems)
        return None


def read_labels(path: Path, what: str, keys: tuple[str, ...]) -> list | None:
    """A labelled YAML list (``themes --evaluate``, ``figures --evaluate``), or None after
    printing why it cannot be used."""
    shown = display_path(path)
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        report([Problem(shown, None, "error", f"cannot read it: {exc.strerror or exc}")])
        return None
    except UnicodeDecodeError:
        report([Problem(shown, None, "error", "not UTF-8 text; save it as UTF-8")])
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        report([Problem(shown, line, "error", f"not valid YAML: {getattr(exc, 'problem', exc)}")])
        return None
    if not isinstance(data, list):
        report([Problem(shown, 1, "error", f"expected a YAML list of {what}")])
        return None
    for n, item in enumerate(data, 1):
        missing = [k for k in keys if not isinstance(item, dict) or k not in item]
        if missing:
            report([Problem(shown, None, "error", f"item {n} has no {', '.join(missing)}; each of {what} "
                                                  f"needs {', '.join(keys)}")])
            return None
    return data
