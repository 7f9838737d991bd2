"""Front matter already parsed: a file whose bytes were loaded before is not parsed again.

Parsing YAML with line numbers is most of what loading costs; an archive of 10,000 articles in
which one file changed needs one parse, not 10,000. A record is kept per file content (and the
path and theme names it was read with, which its fields and messages depend on) in the build
state (:class:`digestgen.state.Records`): the article's fields and problems as JSON data, and
where its body starts, so the body is cut from the bytes just read rather than stored twice.

Records are data, never code, and are checked field by field when read; a record of the wrong
shape is ignored and the file parsed again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from digestgen import checked
from digestgen.checked import Invalid
from digestgen.checked import array as _list
from digestgen.checked import boolean as _bool
from digestgen.checked import integer as _int
from digestgen.checked import names as _names
from digestgen.checked import opt_name as _opt_name
from digestgen.checked import name as _name
from digestgen.checked import opt_text as _opt
from digestgen.checked import text as _str
from digestgen.checked import texts as _strings
from digestgen.model import Article, Problem, Region

TABLE = "loaded"
VERSION = 1
def key(salt: str, source_file: str, shown: str, theme_names: dict[str, str], data: bytes) -> str:
    h = hashlib.blake2b(salt.encode(), digest_size=20)
    h.update(json.dumps([source_file, shown, sorted(theme_names.items())], ensure_ascii=False).encode())
    h.update(b"\x00")
    h.update(data)
    return h.hexdigest()


def body_of(text: str, start: int) -> str:
    """The body as the loader keeps it, from where it starts in the file's text."""
    rest = text[start:]
    return rest.rstrip() + "\n" if rest.strip() else ""


def encode(article: Article | None, body_start: int, problems: list[Problem]) -> str:
    record: dict = {"problems": [[p.path, p.line, p.level, p.message] for p in problems], "article": None}
    if article is not None:
        a = article
        record["article"] = {
            "source_file": a.source_file, "display_path": a.display_path, "body_start": body_start,
            "body_line": a.body_line, "title": a.title, "subtitle": a.subtitle,
            "date": a.date.isoformat() if a.date else None, "has_time": a.has_time, "source": a.source,
            "url": a.url, "authors": list(a.authors),
            "region": [a.region.province, a.region.city, a.region.county, a.region.code],
            "themes": list(a.themes), "tags": list(a.tags), "slug": a.slug, "aliases": list(a.aliases),
            "summary": a.summary, "draft": a.draft, "imported_from": a.imported_from,
            "field_lines": [list(pair) for pair in a.field_lines]}
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def decode(raw: str, text: str) -> tuple[Article | None, list[Problem]]:
    """The article and problems a record holds, its body cut from ``text``; raise Invalid."""
    try:
        record = json.loads(raw)
    except ValueError as exc:
        raise Invalid("not JSON") from exc
    if not isinstance(record, dict) or record.keys() != {"problems", "article"}:
        raise Invalid("not a record")
    problems = checked.problems(record["problems"])
    a = record["article"]
    if a is None:
        return None, problems
    if not isinstance(a, dict) or a.keys() != FIELDS:
        raise Invalid("article fields differ")
    start = _int(a["body_start"])
    if not 0 <= start <= len(text):
        raise Invalid("body outside the text")
    date = None
    if a["date"] is not None:
        try:
            date = dt.datetime.fromisoformat(_str(a["date"]))
        except ValueError as exc:
            raise Invalid("date expected") from exc
    region = _list(a["region"])
    if len(region) != 4:
        raise Invalid("region expected")
    lines = []
    for pair in _list(a["field_lines"]):
        if not isinstance(pair, list) or len(pair) != 2:
            raise Invalid("field line expected")
        lines.append((_name(pair[0]), _int(pair[1])))
    return Article(
        source_file=_str(a["source_file"]), display_path=_str(a["display_path"]), body=body_of(text, start),
        body_line=_int(a["body_line"]), title=_opt(a["title"]), subtitle=_opt(a["subtitle"]), date=date,
        has_time=_bool(a["has_time"]), source=_opt_name(a["source"]), url=_opt(a["url"]),
        authors=_names(a["authors"]), region=Region(*(_opt_name(x) for x in region)), themes=_names(a["themes"]),
        tags=_names(a["tags"]),
        slug=_opt(a["slug"]), aliases=_strings(a["aliases"]), summary=_opt(a["summary"]), draft=_bool(a["draft"]),
        imported_from=_opt(a["imported_from"]), field_lines=tuple(lines)), problems


FIELDS = {"source_file", "display_path", "body_start", "body_line", "title", "subtitle", "date", "has_time", "source",
          "url", "authors", "region", "themes", "tags", "slug", "aliases", "summary", "draft", "imported_from",
          "field_lines"}
