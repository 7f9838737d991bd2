"""Charts as inline SVG, drawn at build time: column charts over time, bar charts, tile maps.

Templates call these as Jinja globals (``timeline_chart``, ``bar_chart``, ``tile_map``) with
the values of :mod:`digestgen.site.charts` and the page's ``url`` function, so every link in a
chart is relative to the page it is drawn on and works from ``file://`` and under any sub-path.

Each chart is a ``<figure>`` holding an ``<svg>`` with a ``<title>`` and a ``<desc>``, then a
collapsed ``<details>`` table with the same numbers (the text alternative). Colours come from
the page's CSS (classes ``bar``, ``tile s0``...``s5``), so the charts follow dark mode. Every
bar and tile carries ``data-count`` (and a link where it stands for a place or a theme), which
is what the tests read back.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from digestgen.site.charts import Bar, Tile

Url = Callable[[str], str]
WIDTH = 320


def _table(caption: str, head: tuple[str, str], rows: Sequence[tuple[str, int, str | None]], url: Url) -> str:
    body = "".join(
        f'<tr><th scope="row">{_name(name, path, url)}</th><td class="num">{count}</td></tr>'
        for name, count, path in rows)
    return (f'<details class="chart-data"><summary>数据表</summary><table><caption class="visually-hidden">'
            f'{escape(caption)}</caption><thead><tr><th scope="col">{escape(head[0])}</th>'
            f'<th scope="col">{escape(head[1])}</th></tr></thead><tbody>{body}</tbody></table></details>')


def _name(name: str, path: str | None, url: Url) -> str:
    return f'<a href="{escape(url(path))}">{escape(name)}</a>' if path else str(escape(name))


def _figure(chart_id: str, title: str, svg: str, table: str, kind: str) -> Markup:
    return Markup(f'<figure class="chart chart-{kind}" id="{chart_id}">'
                  f'<figcaption id="{chart_id}-caption">{escape(title)}</figcaption>{svg}{table}</figure>')


def timeline_chart(unit: str, bars: Sequence[Bar], chart_id: str, url: Url, title: str = "文章数量") -> Markup:
    """Columns per month or year, oldest on the left; the count is written above each column."""
    if not bars:
        return Markup("")
    height, top, bottom = 130, 16, 22
    slot = WIDTH / len(bars)
    peak = max(b.count for b in bars) or 1
    every = max(1, math.ceil(len(bars) / 8))  # label at most ~8 periods so the text never overlaps
    parts = []
    for i, b in enumerate(bars):
        h = (height - top - bottom) * b.count / peak
        x, y = i * slot + slot * 0.15, height - bottom - h
        if unit == "年":
            label = b.label.removesuffix("年")
        else:  # 2021年11月, 12月, 2022年1月, 2月...
            label = b.label if i == 0 or b.label.endswith("年1月") else b.label.split("年", 1)[1]
        parts.append(f'<g class="col" data-label="{escape(b.label)}" data-count="{b.count}">'
                     f'<title>{escape(b.label)}:{b.count} 篇</title>'
                     f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}"/>')
        if b.count and len(bars) <= 16:
            parts.append(f'<text class="value" x="{x + slot * 0.35:.1f}" y="{y - 3:.1f}" text-anchor="middle">{b.count}</text>')
        if i % every == 0 or (i == len(bars) - 1 and len(bars) <= 16):
            parts.append(f'<text class="axis" x="{x + slot * 0.35:.1f}" y="{height - 6}" text-anchor="middle">'
                         f'{escape(label)}</text>')
        parts.append("</g>")
    first, last = bars[0].label, bars[-1].label
    desc = f"{first}至{last}每{unit}的文章数,最多 {peak} 篇。"
    svg = (f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
           f'<title id="{chart_id}-title">{escape(title)}(每{unit})</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
           f'<line class="baseline" x1="0" x2="{WIDTH}" y1="{height - bottom}" y2="{height - bottom}"/>'
           f'{"".join(parts)}</svg>')
    table = _table(f"{title}(每{unit})", ("时间", "文章"), [(b.label, b.count, None) for b in bars], url)
    return _figure(chart_id, f"{title}(每{unit})", svg, table, "timeline")


def bar_chart(bars: Sequence, chart_id: str, url: Url, title: str, head: str = "名称") -> Markup:
    """Horizontal bars, largest first, each a link to its page when it has one.

    ``bars`` are :class:`Bar` values, or site :class:`~digestgen.model.Link` values (name, path, count).
    """
    bars = [b if isinstance(b, Bar) else Bar(b.name, b.count, b.path) for b in bars]
    if not bars:
        return Markup("")
    row, label_w = 24, 84
    height = row * len(bars) + 4
    peak = max(b.count for b in bars) or 1
    parts = []
    for i, b in enumerate(bars):
        y = i * row + 2
        w = max(2.0, (WIDTH - label_w - 34) * b.count / peak)
        shown = b.label if len(b.label) <= 7 else b.label[:6] + "…"  # the table has the full name
        inner = (f'<text class="label" x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(shown)}</text>'
                 f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" rx="2"/>'
                 f'<text class="value" x="{label_w + w + 4:.1f}" y="{y + 16}">{b.count}</text>')
        attrs = f'data-label="{escape(b.label)}" data-count="{b.count}"'
        if b.path:
            parts.append(f'<a href="{escape(url(b.path))}" {attrs} aria-label="{escape(b.label)}:{b.count} 篇">{inner}</a>')
        else:
            parts.append(f'<g {attrs}><title>{escape(b.label)}:{b.count} 篇</title>{inner}</g>')
    svg = (f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" aria-labelledby="{chart_id}-title">'
           f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(parts)}</svg>')
    table = _table(title, (head, "文章"), [(b.label, b.count, b.path) for b in bars], url)
    return _figure(chart_id, title, svg, table, "bars")


def shade(count: int, peak: int) -> int:
    """The colour step of a tile: 0 for none, 1-5 on a log scale up to the busiest place."""
    if count <= 0:
        return 0
    if peak <= 1:
        return 5
    return 1 + min(4, int(4 * math.log(count) / math.log(peak) + 0.5))


def tile_map(tiles: Sequence[Tile], chart_id: str, url: Url, title: str) -> Markup:
    """One square per place at its grid position, shaded by article count; places with articles link
    to their page. Places without articles are drawn, unlinked, so the map keeps its shape."""
    if not tiles or not any(t.count for t in tiles):
        return Markup("")
    cell, gap = 38, 3
    cols = max(t.col for t in tiles) + 1
    rows = max(t.row for t in tiles) + 1
    width, height = cols * (cell + gap), rows * (cell + gap)
    peak = max(t.count for t in tiles)
    parts = []
    for t in tiles:
        x, y = t.col * (cell + gap), t.row * (cell + gap)
        size = 11 if len(t.label) <= 3 else 9
        label = t.label if len(t.label) <= 4 else t.label[:4]
        inner = (f'<rect class="tile s{shade(t.count, peak)}" x="{x}" y="{y}" width="{cell}" height="{cell}" rx="3"/>'
                 f'<text class="name" x="{x + cell / 2}" y="{y + 16}" text-anchor="middle" font-size="{size}">{escape(label)}</text>')
        if t.count:
            inner += f'<text class="num" x="{x + cell / 2}" y="{y + 31}" text-anchor="middle">{t.count}</text>'
        attrs = f'data-name="{escape(t.name)}" data-count="{t.count}"'
        if t.path and t.count:
            parts.append(f'<a href="{escape(url(t.path))}" class="s{shade(t.count, peak)}" {attrs} '
                         f'aria-label="{escape(t.name)}:{t.count} 篇">{inner}</a>')
        else:
            parts.append(f'<g {attrs} aria-hidden="true">{inner}</g>')
    with_articles = [t for t in tiles if t.count]
    desc = f"{len(with_articles)} 个地方有文章,最多的是{max(with_articles, key=lambda t: t.count).name}({peak} 篇)。"
    svg = (f'<svg class="chart-svg tile-svg" viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">'
           f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
           f'{"".join(parts)}</svg>')
    rows_ = [(t.name, t.count, t.path) for t in sorted(with_articles, key=lambda t: (-t.count, t.row, t.col))]
    table = _table(title, ("地区", "文章"), rows_, url)
    return _figure(chart_id, title, svg, table, "map")


GLOBALS = {"timeline_chart": timeline_chart, "bar_chart": bar_chart, "tile_map": tile_map}
