"""Load stage: ``articles/**/*.md`` -> :class:`Article` values, plus a :class:`Problem` per mistake.

Front matter is split off by python-frontmatter and parsed with line numbers, then every field
is checked, so one run reports every mistake of every file. A file with an error is left out;
the others still build.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter

from digestgen.model import Article, Problem, Region
from digestgen.paths import display_path
from digestgen.yamlsource import Located, YamlError, parse

FIELDS = ("title", "subtitle", "date", "source", "url", "authors", "region", "themes", "tags",
          "slug", "summary", "draft", "imported_from")
LIST_SPLIT = re.compile(r"\s*[,,、;;]\s*")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S",
                "%Y/%m/%d", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y.%m.%d")
ISO_DATETIME = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
                          r"\s*(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?$")
CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$")
_HANDLER = frontmatter.YAMLHandler()


@dataclass
class Loaded:
    """What the load stage hands on: the good articles and every problem found."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: int = 0
    """Files left out because of an error."""
    drafts: int = 0
    """Drafts left out (without ``--drafts``)."""


def load_articles(articles_dir: Path, theme_names: dict[str, str], *, drafts: bool = False,
                  display_root: Path | None = None) -> Loaded:
    """Read every ``*.md`` under ``articles_dir`` (sorted, so runs are reproducible).

    ``theme_names`` maps each theme id to its Chinese name; either may be used in front matter.
    """
    result = Loaded()
    base = display_root or articles_dir.parent
    for path in sorted(articles_dir.rglob("*.md")):
        if any(part.startswith(".") for part in path.relative_to(articles_dir).parts):
            continue
        shown = display_path(path, base)
        problems: list[Problem] = []
        article = read_article(path, articles_dir, shown, theme_names, problems)
        result.problems.extend(problems)
        if article is None:
            result.failed += 1
        elif article.draft and not drafts:
            result.drafts += 1
        else:
            result.articles.append(article)
    return result


def read_article(path: Path, articles_dir: Path, shown: str, theme_names: dict[str, str],
                 problems: list[Problem]) -> Article | None:
    """Parse one file; append its problems; return ``None`` when it has an error."""

    def report(line: int | None, message: str, level: str = "error") -> None:
        problems.append(Problem(shown, line, level, message))  # type: ignore[arg-type]

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report(None, f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8")
        return None
    except OSError as exc:
        report(None, f"cannot read the file: {exc.strerror}")
        return None
    text = text.replace("\r\n", "\n")
    meta: dict = {}
    doc = Located({}, {})
    body, body_offset = text, 0
    if _HANDLER.detect(text):
        try:
            fm, body = _HANDLER.split(text)
        except ValueError:
            report(1, "front matter starts with '---' but never ends; close it with a line of three dashes")
            return None
        fm_offset = text.index(fm) if fm else 0
        first_line = text[:fm_offset].count("\n")
        body_offset = len(text) - len(body)
        try:
            doc = parse(fm)
        except YamlError as exc:
            line = exc.line + first_line if exc.line else 1
            report(line, f"{exc.message}; check the front matter's YAML syntax (quote values containing ':')")
            return None
        doc = Located(doc.data, {k: v + first_line for k, v in doc.lines.items()})
        if doc.data is None:
            doc = Located({}, {})
        if not isinstance(doc.data, dict):
            report(first_line + 2, "front matter must be a mapping of fields (title: ..., date: ...)")
            return None
        meta = doc.data
    stripped = body.lstrip("\n")
    body_line = text[: body_offset + len(body) - len(stripped)].count("\n") + 1
    errors_before = sum(p.level == "error" for p in problems)
    values = _check_fields(meta, doc, theme_names, report)
    if sum(p.level == "error" for p in problems) > errors_before:
        return None
    return Article(
        source_file=path.relative_to(articles_dir).as_posix(),
        display_path=shown,
        body=stripped.rstrip() + "\n" if stripped.strip() else "",
        body_line=body_line,
        field_lines=tuple((str(k[0]), v) for k, v in doc.lines.items() if len(k) == 1),
        **values,
    )


def _check_fields(meta: dict, doc: Located, theme_names: dict[str, str], report) -> dict:
    values: dict = {}
    for key in meta:
        if key not in FIELDS:
            hint = difflib.get_close_matches(str(key), FIELDS, n=1)
            tip = f"did you mean '{hint[0]}'?" if hint else f"known fields: {', '.join(FIELDS)}"
            report(doc.line(key), f"unknown field '{key}'; {tip}")
    for key in FIELDS:
        raw = meta.get(key)
        if raw is None or raw == "" or raw == []:
            continue
        line = doc.line(key)
        checker = _CHECKS.get(key)
        if key == "themes":
            values[key] = _themes(raw, line, theme_names, report)
        elif checker is None:
            if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
                values[key] = str(raw).strip()
            else:
                report(line, f"'{key}' must be text, got {_kind(raw)}")
        else:
            checked = checker(key, raw, line, report)
            if checked is not None:
                values.update(checked if isinstance(checked, dict) else {key: checked})
    return values


def _date(key, raw, line, report):
    text = str(raw).strip()
    m = ISO_DATETIME.match(text)
    if m:  # RFC 3339 / ISO 8601 with a time, as Hugo and most feeds write it; its time zone is kept
        try:
            when = dt.datetime.fromisoformat(f"{m['day']}T{m['time']}{_offset(m['zone'])}")
        except ValueError:
            pass
        else:
            return {"date": when.replace(microsecond=0), "has_time": True}
    for fmt in DATE_FORMATS:
        try:
            return {"date": dt.datetime.strptime(text, fmt), "has_time": "%H" in fmt}
        except ValueError:
            pass
    m = CN_DATE.match(text)
    if m:
        y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
        try:
            return {"date": dt.datetime(y, mo, d, h, mi, s), "has_time": m.group(4) is not None}
        except ValueError:
            pass
    report(line, f"date {text!r} is not a date; write it as 2022-02-21 or 2022-02-21 12:09")
    return None


def _offset(zone: str | None) -> str:
    """``Z`` -> ``+00:00``, ``+0800`` -> ``+08:00``; none stays none (the time is then Beijing time)."""
    if not zone:
        return ""
    if zone.upper() == "Z":
        return "+00:00"
    return zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"


def _url(key, raw, line, report):
    text = str(raw).strip()
    if not re.match(r"^https?://\S+$", text):
        report(line, f"url {text!r} is not a web address; write the full address starting with http:// or https://")
        return None
    return text


def _names(key, raw, line, report):
    if isinstance(raw, str):
        items = LIST_SPLIT.split(raw.strip())
    elif isinstance(raw, list) and all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in raw):
        items = [str(x) for x in raw]
    else:
        report(line, f"'{key}' must be a list ([a, b]) or a comma-separated text, got {_kind(raw)}")
        return None
    return tuple(dict.fromkeys(x.strip() for x in items if str(x).strip()))


def _themes(raw, line, theme_names: dict[str, str], report):
    items = _names("themes", raw, line, report)
    if items is None:
        return None
    by_name = {name: tid for tid, name in theme_names.items()}
    ids = []
    for item in items:
        tid = item if item in theme_names else by_name.get(item)
        if tid is None:
            report(line, f"theme '{item}' is not in the vocabulary; expected one of: {', '.join(theme_names)} "
                         "(or add it to the themes in digest.yaml)")
        else:
            ids.append(tid)
    return tuple(dict.fromkeys(ids))


def _region(key, raw, line, report):
    if isinstance(raw, str):
        parts = [p.strip() for p in re.split(r"\s*[/>]\s*", raw.strip())]
        if len(parts) > 3 or any(not p for p in parts):
            report(line, f"region {raw!r} must be 'province/city/county' with at most three non-empty parts, "
                         "e.g. 湖南省/衡阳市/衡南县")
            return None
        parts += [None] * (3 - len(parts))
    elif isinstance(raw, dict):
        extra = set(map(str, raw)) - {"province", "city", "county"}
        if extra:
            report(line, f"region has unknown level(s) {', '.join(sorted(extra))}; use province, city and county")
            return None
        parts = [raw.get(k) for k in ("province", "city", "county")]
        if not all(p is None or isinstance(p, str) for p in parts):
            report(line, "region levels must be text (province: 湖南省, city: 衡阳市, county: 衡南县)")
            return None
        parts = [p.strip() or None if p else None for p in parts]
        if parts[0] is None and any(parts):
            report(line, "region names a city or county but no province; add 'province'")
            return None
        if parts[1] is None and parts[2] is not None:  # a municipal district or province-run county
            parts = [parts[0], parts[2], None]
    else:
        report(line, f"region must be 'province/city/county' or a mapping, got {_kind(raw)}")
        return None
    return Region(*parts)


def _draft(key, raw, line, report):
    if not isinstance(raw, bool):
        report(line, f"draft must be true or false, got {raw!r}")
        return None
    return raw


def _slug(key, raw, line, report):
    text = str(raw).strip()
    if not SLUG_RE.match(text):
        report(line, f"slug {text!r} must be lower-case ASCII letters and digits joined by '-', e.g. hengnan-2021")
        return None
    return text


_CHECKS = {"date": _date, "url": _url, "authors": _names, "tags": _names, "region": _region,
           "draft": _draft, "slug": _slug}


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false"}.get(type(value), repr(value))
