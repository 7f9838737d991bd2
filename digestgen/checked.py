"""Checks for values read back from the build state: each returns the value if it has the type
asked for and raises :class:`Invalid` if not. Shared by every reader of stored records
(parsed front matter, the analysis cache), which never trust what they read."""
from __future__ import annotations

import json
import math
import sys

from digestgen.model import Figure, Problem, shared_figures

LEVELS = ("error", "warning", "note")


class Invalid(Exception):
    """A stored value that does not have the shape this version writes."""


def text(v) -> str:
    if type(v) is not str:
        raise Invalid("text expected")
    return v


def opt_text(v) -> str | None:
    return None if v is None else text(v)


def name(v) -> str:
    """Text that recurs across records (a source, a place, a field's name): the interpreter's one
    copy of it, not one per record."""
    return sys.intern(text(v))


def opt_name(v) -> str | None:
    return None if v is None else name(v)


def names(v) -> tuple[str, ...]:
    return tuple(name(x) for x in array(v))


def integer(v) -> int:
    if type(v) is not int:
        raise Invalid("integer expected")
    return v


def number(v) -> int | float:
    if type(v) not in (int, float) or not math.isfinite(v):
        raise Invalid("number expected")
    return v


def boolean(v) -> bool:
    if type(v) is not bool:
        raise Invalid("true/false expected")
    return v


def array(v) -> list:
    if type(v) is not list:
        raise Invalid("list expected")
    return v


def texts(v) -> tuple[str, ...]:
    return tuple(text(x) for x in array(v))


def problems(v) -> list[Problem]:
    """``[[path, line, level, message], ...]`` as :class:`Problem` values."""
    out = []
    for p in array(v):
        if type(p) is not list or len(p) != 4 or p[2] not in LEVELS:
            raise Invalid("problem expected")
        out.append(Problem(text(p[0]), None if p[1] is None else integer(p[1]), p[2], text(p[3])))
    return out


FIGURE_FIELDS = ("text", "metric", "value", "unit", "direction", "change", "approx", "action", "action_rank")


def figure_out(f: Figure) -> list:
    return [getattr(f, name) for name in FIGURE_FIELDS]


def figure(v) -> Figure:
    """A key figure from :func:`figure_out`'s list, every value checked."""
    if type(v) is not list or len(v) != len(FIGURE_FIELDS):
        raise Invalid("key figure expected")
    text, metric, value, unit, direction, change, approx, action, rank = v
    if type(text) is not str or type(metric) is not str or type(unit) is not str or type(approx) is not bool \
            or type(rank) is not int or not (direction is None or type(direction) is str) \
            or not (change is None or type(change) is str) or not (action is None or type(action) is str) \
            or not (value is None or type(value) is int or (type(value) is float and math.isfinite(value))):
        raise Invalid("key figure expected")
    return Figure(text, metric, value, unit, direction, change, approx, action, rank)


def figures(v) -> tuple[Figure, ...]:
    """An article's key figures, their recurring strings shared (``model.shared_figures``)."""
    return shared_figures(figure(x) for x in array(v))


def figures_data(data) -> tuple[Figure, ...]:
    """Key figures from their JSON text (the build state's ``figures`` column)."""
    try:
        return figures(json.loads(text(data)))
    except (ValueError, RecursionError) as exc:
        raise Invalid("key figures expected") from exc
