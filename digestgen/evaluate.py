"""``build.py evaluate LABELS_DIR``: measure the analysis against a folder of labelled raw pages.

The folder holds ``raw/NAME.txt`` (or ``.html``) pages and ``expected/NAME.yaml`` labels (region,
themes, key figures, furniture). The pages are imported with the importer, exactly as a user
would import them, into a temporary folder, analysed as a build would analyse them, and compared
with the labels: region at each level, themes, key figures, and tags against the page furniture.
"""
from __future__ import annotations

import contextlib
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from digestgen.config import Config
from digestgen.model import Analysed, Region

LEVELS = ("province", "city", "county")
FIGURE_LABEL_CAP = 8
"""Labels list at most this many figures; on a page labelled with that many, an unmatched figure
found may be one the label had no room for, so it is not counted against precision."""
MULTIPLIER_UNITS = {"万": 10_000, "亿": 100_000_000}


class LabelError(Exception):
    """The labels folder cannot be read; the message says what to do."""


@dataclass
class Item:
    name: str
    label: dict
    analysed: Analysed | None


@dataclass
class Report:
    items: list[Item]
    region: Counter = field(default_factory=Counter)
    """exact, short, deeper, none, wrong-province, wrong-city, wrong-county."""
    region_misses: list[str] = field(default_factory=list)
    themes_found: int = 0
    themes_right: int = 0
    themes_wanted: int = 0
    primary_right: int = 0
    primary_wanted: int = 0
    no_theme: list[str] = field(default_factory=list)
    theme_misses: list[str] = field(default_factory=list)
    figures_wanted: int = 0
    figures_recalled: int = 0
    figures_found: int = 0
    figures_right: int = 0
    figure_misses: list[str] = field(default_factory=list)
    furniture_tags: list[str] = field(default_factory=list)
    tag_counts: Counter = field(default_factory=Counter)
    not_imported: list[str] = field(default_factory=list)

    @property
    def labelled(self) -> int:
        return len(self.items)

    def ratio(self, a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def region_exact(self) -> float:
        return self.ratio(self.region["exact"], self.labelled)

    @property
    def theme_precision(self) -> float:
        return self.ratio(self.themes_right, self.themes_found)

    @property
    def theme_recall(self) -> float:
        return self.ratio(self.themes_right, self.themes_wanted)

    @property
    def theme_f1(self) -> float:
        p, r = self.theme_precision, self.theme_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def primary_accuracy(self) -> float:
        return self.ratio(self.primary_right, self.primary_wanted)

    @property
    def figure_recall(self) -> float:
        return self.ratio(self.figures_recalled, self.figures_wanted)

    @property
    def figure_precision(self) -> float:
        return self.ratio(self.figures_right, self.figures_found)

    def lines(self, misses: bool = True, top_tags: int = 20) -> list[str]:
        r = self.region
        out = [f"{self.labelled} labelled pages",
               f"region: exact {r['exact']}/{self.labelled} ({self.region_exact:.0%}), short {r['short']}, "
               f"deeper {r['deeper']}, none {r['none']}, wrong province {r['wrong-province']}, "
               f"wrong city {r['wrong-city']}, wrong county {r['wrong-county']}",
               f"themes: precision {self.theme_precision:.2f}, recall {self.theme_recall:.2f}, "
               f"F1 {self.theme_f1:.2f}, primary right {self.primary_right}/{self.primary_wanted} "
               f"({self.primary_accuracy:.0%}), without a theme {len(self.no_theme)}",
               f"key figures: recall {self.figures_recalled}/{self.figures_wanted} ({self.figure_recall:.0%}), "
               f"precision {self.figures_right}/{self.figures_found} ({self.figure_precision:.0%})",
               f"tags in the page furniture: {len(self.furniture_tags)}",
               "most frequent tags: " + ", ".join(f"{t} {n}" for t, n in self.tag_counts.most_common(top_tags))]
        if self.not_imported:
            out.append("not imported: " + ", ".join(self.not_imported))
        if misses:
            for title, rows in (("region", self.region_misses), ("themes", self.theme_misses),
                                ("key figures", self.figure_misses), ("furniture tags", self.furniture_tags)):
                if rows:
                    out.append(f"{title} misses:")
                    out += [f"  {row}" for row in rows]
        return out


def read_labels(folder: Path, only: set[str] | None = None) -> dict[str, dict]:
    """``expected/*.yaml`` by page name (d001), optionally only the names in ``only``."""
    expected = folder / "expected"
    labels = {}
    if (folder / "expected.yaml").is_file() and not expected.is_dir():  # the seeds' layout: one file
        every = _yaml(folder / "expected.yaml")
        if not isinstance(every, dict):
            raise LabelError(f"{folder / 'expected.yaml'}:1: error: expected.yaml maps each page's file name to "
                             "its label")
        for name, label in every.items():
            if only and Path(name).stem not in only:
                continue
            labels[Path(name).stem] = _checked(folder / "expected.yaml", {**(label or {}), "raw": name})
    elif (folder / "raw").is_dir() and expected.is_dir():
        for path in sorted(expected.glob("*.yaml")):
            if not only or path.stem in only:
                labels[path.stem] = _checked(path, _yaml(path))
    else:
        raise LabelError(f"{folder}: error: a labels folder holds raw/ (the pages) and expected/ (one YAML "
                         "label per page), or the pages beside one expected.yaml")
    if not labels:
        raise LabelError(f"{folder}: error: no labels found")
    return labels


def _yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise LabelError(f"{path}:{(line or 0) + 1}: error: not valid YAML; fix the label") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelError(f"{path}: error: cannot read it ({exc})") from None


def _checked(path: Path, label) -> dict:
    """``label`` if its fields have the shapes the scoring reads, else a :class:`LabelError`."""
    def bad(what: str) -> LabelError:
        return LabelError(f"{path}: error: {what}; see the labels folder's README for the format")
    if not isinstance(label, dict):
        raise bad("a label is a mapping of fields (region, themes, key_figures)")
    region = label.get("region")
    if region is not None and (not isinstance(region, dict)
                               or not all(isinstance(region.get(k), str | None) for k in ("province", "city", "county"))):
        raise bad("region must be a mapping {province, city, county} of names or null")
    if not isinstance(label.get("themes") or [], list):
        raise bad("themes must be a list of theme ids")
    figures = label.get("key_figures") or []
    if not isinstance(figures, list) or not all(isinstance(f, dict) and {"value", "unit"} <= f.keys() for f in figures):
        raise bad("key_figures must be a list of mappings, each with value and unit (and direction)")
    return label


def analyse_pages(folder: Path, labels: dict[str, dict], config: Config) -> dict[str, Analysed]:
    """Import the labelled pages into a temporary folder and analyse them as a build does."""
    from digestgen.analysis.analyse import analyse
    from digestgen.importing.importer import import_files
    from digestgen.load.articles import load_articles

    raws = []
    for name, label in labels.items():
        raw = folder / label.get("raw", f"raw/{name}.txt")
        if raw.is_file():
            raws.append(raw)
    with tempfile.TemporaryDirectory(prefix="digestgen-evaluate-") as tmp:
        out = Path(tmp) / "articles"
        import_files(raws, out, config)
        loaded = load_articles(out, config.theme_names, drafts=True)
        analysed, _ = analyse(loaded.articles, config)
    by_raw = {Path(a.article.imported_from or "").stem: a for a in analysed}
    return {name: by_raw[name] for name in labels if name in by_raw}


def evaluate(folder: Path, config: Config, only: set[str] | None = None) -> Report:
    labels = read_labels(folder, only)
    analysed = analyse_pages(folder, labels, config)
    report = Report([Item(name, label, analysed.get(name)) for name, label in labels.items()])
    for item in report.items:
        if item.analysed is None:
            report.not_imported.append(item.name)
            continue
        _score_region(report, item, item.analysed)
        _score_themes(report, item, item.analysed)
        _score_figures(report, item, item.analysed)
        report.tag_counts.update(item.analysed.tags)
    for item in report.items:
        if item.analysed is None:
            continue
        furniture = [str(f) for f in item.label.get("furniture") or []]
        body = _labelled_body(folder, item)
        for f in furniture:
            body = body.replace(f, " ")
        for tag in item.analysed.tags:
            hits = [f for f in furniture if tag in f]
            if hits and tag not in body:
                report.furniture_tags.append(f"{item.name}: tag {tag} is in the furniture string '{hits[0]}' "
                                             "and not in the article's own text")
    return report


def _labelled_body(folder: Path, item: Item) -> str:
    """The article's own text as labelled (body_start to body_end of the raw page), or ''."""
    raw_path = folder / item.label.get("raw", f"raw/{item.name}.txt")
    try:
        raw = raw_path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    start, end = item.label.get("body_start") or "", item.label.get("body_end") or ""
    a = raw.find(start) if start else -1
    b = raw.find(end, max(a, 0)) if end else -1
    return raw[a:b + len(end)] if a >= 0 and b >= 0 else ""


def _score_region(report: Report, item: Item, analysed: Analysed) -> None:
    want = item.label.get("region") or {}
    want_names = tuple(want.get(level) for level in LEVELS)
    got: Region = analysed.region
    got_names = (got.province, got.city, got.county)
    wanted_levels = [i for i, n in enumerate(want_names) if n]
    got_levels = [i for i, n in enumerate(got_names) if n]
    if got_names == want_names:
        report.region["exact"] += 1
        return
    if not got_levels:
        verdict = "none"
    else:
        wrong = next((i for i in range(3) if got_names[i] and want_names[i] and got_names[i] != want_names[i]), None)
        if wrong is None and got.province and want_names[0] and got.province == want_names[0] \
                and any(got_names[i] and not want_names[i] for i in range(3)):
            # More precise than the label somewhere (a county where the label stops at the city)
            verdict = "deeper" if all(not want_names[i] or got_names[i] == want_names[i] for i in range(3)) \
                else "wrong-" + LEVELS[next(i for i in range(3) if got_names[i] != want_names[i])]
        elif wrong is None:
            verdict = "short"
        else:
            verdict = "wrong-" + LEVELS[wrong]
        if wrong is None and max(got_levels) < max(wanted_levels, default=-1) and verdict != "deeper":
            verdict = "short"
    report.region[verdict] += 1
    report.region_misses.append(f"{item.name}: {verdict}: found {'/'.join(got.names) or '(none)'}, labelled "
                                f"{'/'.join(n for n in want_names if n)}")


def _score_themes(report: Report, item: Item, analysed: Analysed) -> None:
    want = list(item.label.get("themes") or [])
    got = list(analysed.themes)
    report.themes_found += len(got)
    report.themes_wanted += len(want)
    report.themes_right += len(set(got) & set(want))
    if want:
        report.primary_wanted += 1
        report.primary_right += bool(got) and got[0] == want[0]
    if not got:
        report.no_theme.append(item.name)
    missing, extra = [t for t in want if t not in got], [t for t in got if t not in want]
    if missing or extra or (want and got and got[0] != want[0]):
        report.theme_misses.append(f"{item.name}: found {', '.join(got) or '(none)'}; labelled {', '.join(want)}"
                                   + (f"; missed {', '.join(missing)}" if missing else "")
                                   + (f"; extra {', '.join(extra)}" if extra else ""))


def figure_key(value, unit: str | None, direction: str | None) -> tuple:
    """(value, unit, direction) with 万/亿 folded into the value: 2.5 万起 == 25000 起."""
    unit = (unit or "").replace("％", "%")
    value = float(value)
    if (len(unit) > 1 and unit[0] in MULTIPLIER_UNITS and unit != "万元") or unit in ("万元", "亿元"):
        value, unit = value * MULTIPLIER_UNITS[unit[0]], unit[1:]
    return round(value, 4), unit, direction or None


def found_keys(analysed: Analysed) -> list[tuple[tuple, str]]:
    """Every figure a page shows, as (key, text): a count, and a change as a figure of its own.

    A change told without a number (同比下降, 大幅上升) has no key: labels list figures with a value.
    """
    out = []
    for f in analysed.key_figures:
        if f.value is None:
            continue
        if f.change is None:  # a count or a share (a direction told without a size is not scored)
            out.append((figure_key(f.value, f.unit, None), f.text))
            continue
        if f.unit not in ("%", "个百分点") or f.direction is None:
            out.append((figure_key(f.value, f.unit, None), f.text))
        number = f.change.rstrip("%％个百分点倍")
        with contextlib.suppress(ValueError):
            out.append((figure_key(float(number), f.change[len(number):], f.direction), f.text))
    return out


def _score_figures(report: Report, item: Item, analysed: Analysed) -> None:
    wanted = [(figure_key(f["value"], f.get("unit"), f.get("direction")), f.get("text", ""))
              for f in item.label.get("key_figures") or []]
    found = found_keys(analysed)
    remaining = [k for k, _ in found]
    report.figures_wanted += len(wanted)
    for key, text in wanted:
        if key in remaining:
            remaining.remove(key)
            report.figures_recalled += 1
        else:
            report.figure_misses.append(f"{item.name}: missed {key[0]:g} {key[1]}"
                                        + (f" {key[2]}" if key[2] else "") + f" ('{text}')")
    capped = len(wanted) >= FIGURE_LABEL_CAP
    matched = len(found) - len(remaining)
    report.figures_right += matched
    report.figures_found += matched if capped else len(found)
    if not capped:
        unmatched = list(remaining)
        for key, text in found:  # each extra figure with its own sentence, even when two share a key
            if key in unmatched:
                unmatched.remove(key)
                report.figure_misses.append(f"{item.name}: extra {key[0]:g} {key[1]}"
                                            + (f" {key[2]}" if key[2] else "") + f" ('{text[:40]}')")
