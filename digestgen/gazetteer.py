"""China's administrative divisions (``data/gazetteer.tsv`` plus ``data/gazetteer_patches.tsv``).

Used by the analysis stage to place articles and by the site model to name, order and slug
region pages. Codes are the 6-digit division codes; levels are 1 province, 2 prefecture, 3 county.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from digestgen.model import Region, short_place_name

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Unit:
    """One division."""

    code: str
    level: int
    name: str
    """Official name (衡南县, 恩施土家族苗族自治州)."""
    short: str
    """Short name (衡南, 恩施); 道县 stays 道县."""
    parent: str | None
    """Code of the unit above; a province for municipal districts and province-administered counties."""
    former: tuple[str, ...] = ()
    """Earlier names of the same unit (襄樊市 for 襄阳市)."""


@dataclass(frozen=True, eq=False)
class Gazetteer:
    units: dict[str, Unit]
    aliases: dict[str, str]
    """Name -> code for merged, renamed and functional areas (雄安新区 -> 保定市)."""
    names: dict[str, list[str]]
    """Every official, short, former and alias name -> the codes it may mean."""
    children_of: dict[str | None, list[str]]
    paths: dict[str, tuple[Unit, ...]]

    def path(self, code: str) -> tuple[Unit, ...]:
        """The unit and its ancestors, top down."""
        return self.paths[code]

    def region(self, code: str) -> Region:
        """The :class:`Region` of a unit (municipal districts have no city level)."""
        levels = {u.level: u.name for u in self.path(code)}
        return Region(levels.get(1), levels.get(2), levels.get(3), code)

    def children(self, code: str | None) -> list[Unit]:
        return [self.units[c] for c in self.children_of.get(code, [])]

    def resolve(self, names: tuple[str, ...]) -> Unit | None:
        """The unit a top-down path of names points to; names may be official, short or former."""
        parent: Unit | None = None
        for name in names:
            found = [self.units[c] for c in self.names.get(name, [])
                     if self._under(self.units[c], parent)]
            direct = [u for u in found if parent is None or u.parent == parent.code]
            if len(direct) == 1:
                found = direct
            if len(found) != 1:
                return None
            parent = found[0]
        return parent

    def _under(self, unit: Unit, parent: Unit | None) -> bool:
        if parent is None:
            return unit.level == 1
        return parent.code in {u.code for u in self.path(unit.code)[:-1]}


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Load the shipped gazetteer with its patches applied (once per process)."""
    units: dict[str, Unit] = {}
    for line in (DATA / "gazetteer.tsv").read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, level, name, short, parent, former = (line.split("\t") + [""] * 6)[:6]
        units[code] = Unit(code, int(level), name, short or name, parent or None,
                           tuple(filter(None, former.split(","))))
    aliases = {}
    for line in (DATA / "gazetteer_patches.tsv").read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        kind, a, b = line.split("\t")[:3]
        if kind == "alias":
            aliases[a] = b
        elif kind == "short":
            u = units[a]
            units[a] = Unit(u.code, u.level, u.name, b, u.parent, u.former)
    names: dict[str, list[str]] = {}
    children: dict[str | None, list[str]] = {}
    for u in units.values():
        former_shorts = tuple(short_place_name(n) for n in u.former)
        for n in dict.fromkeys((u.name, u.short) + u.former + former_shorts):
            names.setdefault(n, []).append(u.code)
        children.setdefault(u.parent, []).append(u.code)
    for n, code in aliases.items():
        if code not in names.setdefault(n, []):
            names[n].append(code)
    paths: dict[str, tuple[Unit, ...]] = {}
    for code in units:
        chain: list[Unit] = []
        unit: Unit | None = units[code]
        while unit is not None:
            chain.append(unit)
            unit = units.get(unit.parent) if unit.parent else None
        paths[code] = tuple(chain[::-1])
    return Gazetteer(units, aliases, names, children, paths)


TOWN_SUFFIX = ("街道办事处", "街道", "地区办事处", "镇", "乡")


@lru_cache(maxsize=1)
def townships() -> tuple[tuple[str, str], ...]:
    """(name, county code) of every township, town and sub-district (``data/townships.tsv``)."""
    rows = []
    for line in (DATA / "townships.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            _, name, county = line.split("\t")[:3]
            rows.append((name, county))
    return tuple(rows)


def town_short(name: str) -> str:
    """曹路镇 -> 曹路, 金山街道 -> 金山; a one-character remainder keeps the full name."""
    for suffix in TOWN_SUFFIX:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name
