"""``digestgen new "标题"``: a new article file with its front matter filled in, ready to edit."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from digestgen.gazetteer import gazetteer
from digestgen.analysis.tokens import vocabulary
from digestgen.commands.common import EXIT_FATAL, EXIT_OK, EXIT_PROBLEMS, add_config_option, config_or_none
from digestgen.load.articles import FIRST_YEAR, LAST_YEAR, parse_date
from digestgen.paths import display_path
from digestgen.site.urls import slugify


def add_parser(commands) -> None:
    n = commands.add_parser("new", help="write a new article file with its front matter filled in",
                            description="Write articles/<date>-<pinyin of the title>.md with front matter "
                                        "(title, date, region) and an empty body to fill in. An existing "
                                        "file is never replaced.")
    n.add_argument("title", help="the article's title (quote it if it has spaces)")
    n.add_argument("--date", help="its date: 2022-02-21, 2022-02-21 12:09 or 2022年2月21日 (default: today)")
    n.add_argument("--region", metavar="省/市/县", help="its region, e.g. 湖南省/衡阳市/衡南县 (default: found in "
                                                        "the text at build time)")
    n.add_argument("--draft", action="store_true", help="mark it 'draft: true' (built only with --drafts)")
    add_config_option(n)
    n.add_argument("--articles", type=Path, metavar="DIR", help="write it to DIR instead of the config's "
                                                                "articles folder")
    n.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = config_or_none(args.config)
    if config is None:
        return EXIT_FATAL
    title = " ".join(args.title.split())
    if not title:
        return _fail("the title is empty; write it in quotes: build.py new \"标题\"")
    date = _date(args.date) if args.date else dt.date.today().isoformat()
    if date is None:
        return _fail(f"--date {args.date!r} is not a date the build accepts; write it as 2022-02-21 or "
                     f"2022-02-21 12:09 (years {FIRST_YEAR}-{LAST_YEAR})")
    region = None
    if args.region:
        region = _region(args.region)
        if region is None:
            return _fail(f"--region {args.region!r} is not a region the gazetteer knows; write it as "
                         "省/市/县, e.g. 湖南省/衡阳市/衡南县 (or leave it out and let the build find it)")
    folder = args.articles or config.articles_dir
    name = f"{date[:10]}-{slugify(vocabulary().cut(title), 6) or 'article'}.md"
    path = folder / name
    if path.exists():
        print(f"{display_path(path)}: error: already exists, and is never replaced; edit it, or choose "
              "another title or --date", file=sys.stderr)
        return EXIT_PROBLEMS
    lines = ["---", f"title: {_quoted(title)}", f"date: {date}"]
    if region:
        lines.append(f"region: {region}")
    lines += ["source:            # 发布单位,如 衡阳市公安局", "url:               # 原文地址 (https://...)",
              "authors: []", "themes: []        # " + ", ".join(config.theme_ids[:4]) + " ...(见 digest.yaml)",
              "tags: []"]
    if args.draft:
        lines.append("draft: true")
    lines += ["---", "", "在这里写正文。第一段是摘要。", "", "## 小标题", "", "正文。", ""]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as f:  # "x": never replace a file made meanwhile
            f.write("\n".join(lines))
    except FileExistsError:
        print(f"{display_path(path)}: error: already exists, and is never replaced", file=sys.stderr)
        return EXIT_PROBLEMS
    except OSError as exc:
        return _fail(f"cannot write {display_path(path)}: {exc.strerror or exc}")
    print(f"created {display_path(path)}")
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_FATAL


def _date(text: str) -> str | None:
    """The date as front matter writes it, or None: exactly what the build accepts (forms, time
    zones and years), read by the loader's own parser."""
    value = parse_date(text.strip())
    if value is None or not FIRST_YEAR <= value["date"].year <= LAST_YEAR:
        return None
    when = value["date"]
    if not value["has_time"]:
        return when.strftime("%Y-%m-%d")
    if when.tzinfo is not None:
        return when.isoformat(timespec="seconds")
    return when.strftime("%Y-%m-%d %H:%M:%S" if when.second else "%Y-%m-%d %H:%M")


def _region(text: str) -> str | None:
    """The region in the gazetteer's official names, or None when it does not know it."""
    names = tuple(p.strip() for p in text.replace(">", "/").split("/") if p.strip())
    if not names or len(names) > 3:
        return None
    g = gazetteer()
    unit = g.resolve(names)
    return "/".join(g.region(unit.code).names) if unit else None


def _quoted(text: str) -> str:
    import json
    # A title with ': ' or a leading quote would break YAML; JSON strings are valid YAML.
    return json.dumps(text, ensure_ascii=False) if any(c in text for c in ":#'\"[]{}&*!|>%@`") else text
