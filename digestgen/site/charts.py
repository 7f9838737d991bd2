"""What the charts show: counts per period, per theme and per place, computed from the site model.

Nothing here draws; :mod:`digestgen.render.charts` turns these values into inline SVG. Each
function takes the entries of one page (or the whole archive) and returns plain tuples, so the
counts can be checked against ``data/articles.json`` independently of any drawing.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import chain
from dataclasses import dataclass

from digestgen.gazetteer import gazetteer
from digestgen.model import Entry, Link

MONTHS_SHOWN = 24
"""Up to this many months of coverage, the timeline counts per month; beyond, per year."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a chart: its label, its count and the page it links to (None: no link)."""

    label: str
    count: int
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Tile:
    """One square of a tile map: a place at (col, row), its article count and its page."""

    label: str
    """The short name shown on the tile (湖南)."""
    name: str
    """The full name (湖南省), for the tooltip and the table."""
    col: int
    row: int
    count: int
    path: str | None


# China's 34 province-level divisions on an 8 x 8 grid, each near its real position:
# code prefix -> (col, row).
PROVINCE_GRID: dict[str, tuple[int, int]] = {
    "23": (7, 0),                                                             # 黑龙江
    "65": (0, 1), "15": (4, 1), "11": (5, 1), "22": (7, 1),                    # 新疆 内蒙古 北京 吉林
    "64": (3, 2), "14": (4, 2), "13": (5, 2), "12": (6, 2), "21": (7, 2),      # 宁夏 山西 河北 天津 辽宁
    "54": (0, 3), "63": (1, 3), "62": (2, 3), "61": (3, 3), "41": (4, 3), "37": (5, 3),  # 西藏 青海 甘肃 陕西 河南 山东
    "51": (2, 4), "50": (3, 4), "42": (4, 4), "34": (5, 4), "32": (6, 4), "31": (7, 4),  # 四川 重庆 湖北 安徽 江苏 上海
    "53": (2, 5), "52": (3, 5), "43": (4, 5), "36": (5, 5), "33": (6, 5),      # 云南 贵州 湖南 江西 浙江
    "45": (3, 6), "44": (4, 6), "35": (5, 6), "71": (6, 6),                    # 广西 广东 福建 台湾
    "46": (3, 7), "82": (4, 7), "81": (5, 7),                                  # 海南 澳门 香港
}
CITY_COLUMNS = 6


def timeline(entries: Sequence[Entry]) -> tuple[str, list[Bar]]:
    """Articles per month (short spans) or per year, oldest first, empty periods included.

    Returns the unit ("月" or "年") and the bars; undated articles are not counted.
    """
    dates = [e.item.article.date for e in entries if e.item.article.date]
    if not dates:
        return "年", []
    # By the calendar day each article states (dates with and without a time zone mix here).
    first = min((d.year, d.month) for d in dates)
    last = max((d.year, d.month) for d in dates)
    months = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    if months <= MONTHS_SHOWN:
        counts = Counter((d.year, d.month) for d in dates)
        bars = []
        year, month = first
        for _ in range(months):
            bars.append(Bar(f"{year}年{month}月", counts[(year, month)]))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return "月", bars
    per_year = Counter(d.year for d in dates)
    return "年", [Bar(f"{y}年", per_year[y]) for y in range(first[0], last[0] + 1)]


def theme_bars(entries: Sequence[Entry], limit: int = 8) -> list[Bar]:
    """The themes of these articles, most frequent first, each linking to its theme page."""
    counts = Counter(chain.from_iterable(e.theme_links for e in entries))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].name))
    return [Bar(link.name, n, link.path) for link, n in ranked[:limit]]


def province_tiles(provinces: Sequence[Link]) -> list[Tile]:
    """All 34 province-level divisions, with the count and page of those that have articles.

    ``provinces`` are the province listings (full official names); a province name the
    gazetteer does not know has no tile (it is still in the table beside the map).
    """
    g = gazetteer()
    by_name = {link.name: link for link in provinces}
    tiles = []
    for unit in g.children(None):
        where = PROVINCE_GRID.get(unit.code[:2])
        if where is None:
            continue
        link = by_name.get(unit.name)
        tiles.append(Tile(unit.short, unit.name, where[0], where[1], link.count if link else 0,
                          link.path if link else None))
    return sorted(tiles, key=lambda t: (t.row, t.col))


def city_tiles(province: str, cities: Sequence[Link], minimum: int = 2) -> list[Tile]:
    """A province's prefecture-level units as a grid in division-code order, shaded by count.

    Only when at least ``minimum`` of them have articles (one city is no map); [] otherwise.
    Province-run county-level units and municipal districts have no city level and no tile.
    """
    if sum(1 for c in cities if c.count) < minimum:
        return []
    g = gazetteer()
    unit = next((u for u in g.children(None) if u.name == province), None)
    if unit is None:
        return []
    by_name = {link.name: link for link in cities}
    units = [u for u in g.children(unit.code) if u.level == 2]
    if not units:
        return []
    tiles = []
    for i, u in enumerate(units):
        link = by_name.get(u.name)
        tiles.append(Tile(u.short, u.name, i % CITY_COLUMNS, i // CITY_COLUMNS,
                          link.count if link else 0, link.path if link else None))
    return tiles


def place_bars(entries: Sequence[Entry], limit: int = 8) -> list[Bar]:
    """The provinces of these articles, most articles first, each linking to its region page."""
    counts: Counter[tuple[str, str]] = Counter()
    for e in entries:
        if e.region_links:
            counts[(e.region_links[0].name, e.region_links[0].path)] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][1]))
    return [Bar(name, n, path) for (name, path), n in ranked[:limit]]
