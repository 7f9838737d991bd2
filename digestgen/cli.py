"""Command line: ``digestgen build`` (also ``python build.py``). Errors become messages here and nowhere deeper."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from digestgen.analysis import figures, themes
from digestgen.config import Config, ConfigError, load_config
from digestgen.importing.importer import ImportFailure, import_files
from digestgen.load.articles import load_articles, read_article
from digestgen.analysis.markup import to_html, to_text
from digestgen.analysis.regions import explain, place
from digestgen.pipeline import BuildError, build
from digestgen.render.pages import RenderError
from digestgen.write import WriteError

EXIT_OK, EXIT_PROBLEMS, EXIT_FATAL = 0, 1, 2


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digestgen",
        description="Build a browsable, searchable police-work news digest from Markdown articles.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    b = commands.add_parser("build", help="build the site (the default command)",
                            description="Build articles/ into a static site (site/ by default).")
    b.add_argument("--config", type=Path, default=Path("digest.yaml"),
                   help="the site's config file (default: digest.yaml)")
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
    b.set_defaults(run=run_build)

    i = commands.add_parser("import", help="turn raw pages (copied text or saved HTML) into articles",
                            description="Import raw news pages: files or folders of .txt, .html, .htm and .md "
                                        "(searched recursively). Each becomes a clean article with front matter.")
    i.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a raw file, or a folder of them")
    i.add_argument("--out", type=Path, metavar="DIR", help="where to write the articles (default: the "
                                                            "config's articles folder)")
    i.add_argument("--force", action="store_true", help="replace an article file that already exists")
    i.add_argument("--dry-run", action="store_true", help="report what would be imported; write nothing")
    i.add_argument("--config", type=Path, default=Path("digest.yaml"), help="the site's config file")
    i.set_defaults(run=run_import)

    t = commands.add_parser("themes", help="explain an article's themes, or measure theme assignment",
                            description="With FILEs, show which keywords gave each article its themes. With "
                                        "--evaluate LABELS, print precision and recall against labelled items "
                                        "(a YAML list of {title, text, themes}).")
    t.add_argument("files", nargs="*", type=Path, metavar="FILE", help="articles to explain")
    t.add_argument("--explain", action="store_true", help="(the default with FILEs)")
    t.add_argument("--evaluate", type=Path, metavar="LABELS", help="a YAML file of labelled items")
    t.add_argument("--config", type=Path, default=Path("digest.yaml"), help="the site's config file")
    t.set_defaults(run=run_themes)

    f = commands.add_parser("figures", help="measure key-figure extraction",
                            description="Print precision and recall of key-figure extraction against labelled "
                                        "sentences (a YAML list of {text, figures}).")
    f.add_argument("--evaluate", type=Path, metavar="LABELS", required=True, help="a YAML file of labelled sentences")
    f.set_defaults(run=run_figures)

    r = commands.add_parser("regions", help="show how each article's region was found",
                            description="Print the region of each article and, with --explain, the "
                                        "evidence and the decision at each level.")
    r.add_argument("files", nargs="*", type=Path, metavar="FILE", help="articles to explain (default: all)")
    r.add_argument("--explain", action="store_true", help="print the evidence and the decision")
    r.add_argument("--config", type=Path, default=Path("digest.yaml"), help="the site's config file")
    r.add_argument("--articles", type=Path, metavar="DIR", help="the articles folder, if not the config's")
    r.set_defaults(run=run_regions)
    return parser


def run_build(args: argparse.Namespace) -> int:
    try:
        report = build(args.config, articles_dir=args.articles, output_dir=args.out, drafts=args.drafts,
                       use_cache=not args.no_cache, jobs=args.jobs)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("build stopped: fix the config file; the site was not changed", file=sys.stderr)
        return EXIT_FATAL
    except WriteError as exc:
        print(f"error: {exc}; build stopped, the site was not changed", file=sys.stderr)
        return EXIT_FATAL
    except (BuildError, RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("build stopped; the site was not changed", file=sys.stderr)
        return EXIT_FATAL
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if not args.quiet:
        print(report.summary())
    if args.timings:
        print("stages: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.timings))
    if report.errors or (args.strict and report.warnings):
        return EXIT_PROBLEMS
    return EXIT_OK


def _config(path: Path) -> Config | None:
    """The config, or None after printing its problems."""
    try:
        return load_config(path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return None


def run_import(args: argparse.Namespace) -> int:
    config = _config(args.config)
    if config is None:
        return EXIT_FATAL
    missing = [p for p in args.paths if not p.exists()]
    for p in missing:
        print(f"{p}: error: no such file or folder", file=sys.stderr)
    try:
        report = import_files([p for p in args.paths if p.exists()], args.out or config.articles_dir, config,
                              force=args.force, dry_run=args.dry_run)
    except ImportFailure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FATAL
    verb = "would import" if args.dry_run else "imported"
    for o in report.outcomes:
        if o.status == "imported":
            print(f"{verb} {o.source} -> {o.target}")
            if o.missing:
                print(f"    not stated in the page, left out: {', '.join(o.missing)}")
        elif o.status == "failed":
            print(f"failed   {o.source}: {o.message}", file=sys.stderr)
        else:
            print(f"skipped  {o.source}: {o.message} ({o.target})")
    print(("dry run: " if args.dry_run else "") + report.summary())
    return EXIT_PROBLEMS if report.count("failed") or missing else EXIT_OK


def run_themes(args: argparse.Namespace) -> int:
    config = _config(args.config)
    if config is None:
        return EXIT_FATAL
    if args.evaluate:
        items = yaml.safe_load(args.evaluate.read_text("utf-8"))
        scores = themes.evaluate([(i["title"], i["text"], set(i["themes"])) for i in items], config)
        print(f"{scores.items} labelled items: precision {scores.precision:.2f}, recall {scores.recall:.2f}")
        for theme in config.themes:
            p, r, n = scores.per_theme[theme.id]
            print(f"  {theme.id:<20} {theme.name:<8} precision {p:.2f}  recall {r:.2f}  ({n} labelled)")
        return EXIT_OK
    status = EXIT_OK
    names = {t.id: t.name for t in config.themes}
    for path in args.files:
        problems: list = []
        article = read_article(path.resolve(), path.resolve().parent, path.as_posix(), names, problems)
        for problem in problems:
            print(problem, file=sys.stderr)
        if article is None:
            status = EXIT_PROBLEMS
            continue
        text = to_text(to_html(article.body))
        print(path.as_posix())
        if article.themes:
            print(f"  front matter: {', '.join(article.themes)}")
        for line in themes.explain(article.title or "", text, config):
            print(line)
    return status


def run_figures(args: argparse.Namespace) -> int:
    items = yaml.safe_load(args.evaluate.read_text("utf-8"))
    precision, recall = figures.evaluate(items)
    labelled = sum(len(i["figures"]) for i in items)
    found = sum(len(figures.extract(i["text"])) for i in items)
    print(f"{len(items)} sentences, {labelled} figures labelled, {found} found: "
          f"precision {precision:.2f}, recall {recall:.2f}")
    return EXIT_OK


def run_regions(args: argparse.Namespace) -> int:
    config = _config(args.config)
    if config is None:
        return EXIT_FATAL
    folder = (args.articles or config.articles_dir).resolve()
    loaded = load_articles(folder, {t.id: t.name for t in config.themes}, drafts=True, display_root=Path.cwd())
    for problem in loaded.problems:
        print(problem, file=sys.stderr)
    wanted = {f.resolve() for f in args.files}
    missing = [f for f in args.files if not f.resolve().is_file()]
    for f in missing:
        print(f"{f}: error: no such file", file=sys.stderr)
    for article in loaded.articles:
        if wanted and (folder / article.source_file).resolve() not in wanted:
            continue
        text = to_text(to_html(article.body))
        region, placement, warning = place(article.region, article.title or "", text, article.source or "")
        if args.explain:
            print(explain(article.display_path, article.region, region, placement, warning))
        else:
            how = "front matter" if placement is None else f"detected, {placement.confidence:.2f}"
            print(f"{article.display_path}: {'/'.join(region.names) or '(none)'} ({how})")
    return EXIT_FATAL if missing else (EXIT_PROBLEMS if loaded.failed else EXIT_OK)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    parser = make_parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
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
