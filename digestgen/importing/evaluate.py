"""``build.py import --evaluate LABELS_DIR``: import labelled raw pages and score what came out.

A labels folder is either the development-set layout (``raw/`` with the pages, ``expected/*.yaml``
with one label each, its ``raw:`` naming the page) or the seeds layout (the pages beside one
``expected.yaml`` that maps each file name to its label). The pages are imported together into a
temporary folder, exactly as ``build.py import`` would, and each article is compared with its label:
exact title, subtitle, date, source and url (the label's ``_alt`` lists are accepted too), the set
of authors, the body's first and last characters, and the labelled furniture strings, none of which
may be left in the article's title, subtitle or body. A field the label says the page does not state (null) but the article
has is *invented*, the worst kind of miss.
"""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from digestgen.config import Config
from digestgen.importing.importer import import_files

FIELDS = ("title", "subtitle", "date", "source", "authors", "url")


class LabelsError(Exception):
    """The labels folder cannot be read; the message says why."""


@dataclass
class Item:
    name: str
    raw: Path
    label: dict


@dataclass
class Scores:
    items: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    invented: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    bounds: int = 0
    furniture_labelled: int = 0
    furniture_left: int = 0
    misses: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        n = self.items
        out = [f"{n} labelled pages imported"]
        for f in FIELDS:
            out.append(f"  {f:<10} {self.right[f]:>3} / {n} right" + (f"  ({self.invented[f]} invented)"
                                                                    if self.invented[f] else ""))
        out.append(f"  {'invented':<10} {sum(self.invented.values()):>3} fields present in the article "
                   "but not stated in the page")
        out.append(f"  {'body':<10} {self.bounds:>3} / {n} start and end where the article does")
        out.append(f"  {'furniture':<10} {self.furniture_left:>3} of {self.furniture_labelled} labelled furniture "
                   "strings left in the articles")
        return out

    @property
    def field_accuracy(self) -> float:
        return sum(self.right.values()) / (len(FIELDS) * self.items) if self.items else 1.0


def load_labels(folder: Path) -> list[Item]:
    """The labelled pages of ``folder`` (devset or seeds layout)."""
    items: list[Item] = []
    if (folder / "expected").is_dir() and (folder / "raw").is_dir():
        for path in sorted((folder / "expected").glob("*.yaml")):
            label = _read_yaml(path)
            if not isinstance(label, dict):
                raise LabelsError(f"{path}:1: error: a label is a mapping of fields (title: …, date: …); "
                                  "see the labels folder's README")
            raw = folder / (label.get("raw") or f"raw/{path.stem}.txt")
            if not raw.is_file():
                raise LabelsError(f"{path}: error: its page {raw} does not exist")
            items.append(Item(path.stem, raw, label))
    elif (folder / "expected.yaml").is_file():
        labels = _read_yaml(folder / "expected.yaml")
        if not isinstance(labels, dict) or not all(isinstance(v, dict | None) for v in labels.values()):
            raise LabelsError(f"{folder / 'expected.yaml'}:1: error: expected.yaml maps each page's file name "
                              "to its label (a mapping of fields)")
        for name, label in sorted(labels.items()):
            raw = folder / name
            if not raw.is_file():
                raise LabelsError(f"{folder / 'expected.yaml'}: error: its page {raw} does not exist")
            items.append(Item(name, raw, label or {}))
    else:
        raise LabelsError(f"{folder}: error: not a labels folder; it needs raw/ and expected/*.yaml, "
                          "or the pages beside an expected.yaml")
    if not items:
        raise LabelsError(f"{folder}: error: no labelled pages in it")
    return items


def evaluate(folder: Path, config: Config) -> Scores:
    """Import every labelled page of ``folder`` into a temporary folder and score the articles."""
    items = load_labels(folder)
    scores = Scores(items=len(items))
    with tempfile.TemporaryDirectory(prefix="digestgen-evaluate-") as tmp:
        staged = Path(tmp) / "raw"
        staged.mkdir()
        for item in items:  # one folder, so the pages are imported together, as a user would
            (staged / item.raw.name).write_bytes(item.raw.read_bytes())
        out = Path(tmp) / "articles"
        report = import_files([staged], out, config)
        articles = {}
        for path in out.glob("*.md"):
            meta, body = _split(path.read_text("utf-8"))
            articles[meta.get("imported_from")] = (meta, body)
        failures = {Path(o.source).name: o for o in report.outcomes if o.status != "imported"}
        for item in items:
            if item.raw.name not in articles:
                outcome = failures.get(item.raw.name)
                scores.misses.append(f"{item.name}: not imported ({outcome.status + ': ' + outcome.message if outcome else 'no article'})")
                scores.furniture_labelled += len(item.label.get("furniture") or [])
                continue
            _score(item, *articles[item.raw.name], scores)
    return scores


def _score(item: Item, meta: dict, body: str, scores: Scores) -> None:
    label = item.label
    got = {f: meta.get(f) for f in FIELDS}
    got["date"] = str(got["date"])[:10] if got["date"] else None
    got["authors"] = list(got["authors"] or [])
    for f in FIELDS:
        want = label.get(f)
        if f == "authors":
            author_sets = [set(want or [])] + [set(a) for a in label.get("authors_alt") or []]
            ok = set(got[f] or []) in author_sets
            invented = not want and bool(got[f]) and not ok
        else:
            accepted = [_norm(want)] + [_norm(a) for a in label.get(f"{f}_alt") or []]
            ok = _norm(got[f]) in accepted
            invented = want is None and got[f] is not None and not ok
        if ok:
            scores.right[f] += 1
        else:
            scores.invented[f] += invented
            what = "invented" if invented else "wrong" if got[f] else "missing"
            scores.misses.append(f"{item.name}: {f} {what}: got {_show(got[f])}, want {_show(want)}")
    text = _plain(body)
    start, end = label.get("body_start"), label.get("body_end")
    flat_text = re.sub(r"\s+", " ", text)
    starts = not start or flat_text.startswith(re.sub(r"\s+", " ", _plain(start)))
    ends = not end or flat_text.endswith(re.sub(r"\s+", " ", _plain(end)))
    if starts and ends:
        scores.bounds += 1
    else:
        if not starts:
            scores.misses.append(f"{item.name}: body starts {_show(text[:30])}…, want {_show(start)}")
        if not ends:
            scores.misses.append(f"{item.name}: body ends …{_show(text[-30:])}, want {_show(end)}")
    shown = "\n".join(str(meta.get(k) or "") for k in ("title", "subtitle")) + "\n" + text
    flat = re.sub(r"\s+", "", shown)
    for furniture in label.get("furniture") or []:
        scores.furniture_labelled += 1
        if furniture in shown or (len(furniture) >= 4 and re.sub(r"\s+", "", furniture) in flat):
            scores.furniture_left += 1
            scores.misses.append(f"{item.name}: furniture left: {_show(furniture)}")


def _split(text: str) -> tuple[dict, str]:
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front) or {}, body.strip()


def _plain(markdown: str) -> str:
    """The body as a reader sees it: no heading marks or Markdown escapes, one line per paragraph."""
    lines = [re.sub(r"^#+\s+", "", line) for line in markdown.strip().splitlines() if line.strip()]
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!>|])", r"\1", "\n".join(lines))


def _norm(value: object) -> str | None:
    if value is None or value == "":
        return None
    return re.sub(r"\s+", " ", str(value)).strip()


def _show(value: object) -> str:
    return "null" if value in (None, "", []) else repr(value) if not isinstance(value, list) else "[" + ", ".join(value) + "]"


def _read_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LabelsError(f"{path}: error: cannot read it as YAML ({exc})") from None
