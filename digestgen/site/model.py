"""Site model stage: :class:`Analysed` articles -> a :class:`Site` (every page, feed and link).

Nothing is rendered or written here; this is where the archives are gathered, slugs assigned
and pagination cut, so every page is known before the first one is rendered.
"""
from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Sequence

from digestgen.config import Config
from digestgen.model import Analysed, Entry, Feed, Link, Page, Site, short_place_name
from digestgen.analysis.figures import ACTIONS, action_of
from digestgen.analysis.gazetteer import gazetteer
from digestgen.analysis.tokens import vocabulary
from digestgen.site.urls import article_path, feed_path, listing_path, slugify, unique

FEED_SIZE = 20
RELATED = 5
RELATED_WINDOW = 12
UNDATED = "日期不详"


def build_site(items: Sequence[Analysed], config: Config, cut: Callable[[str], list[str]] | None = None) -> Site:
    """Gather archives, assign paths and lay out every page."""
    cut = cut or vocabulary().cut
    items = sorted(items, key=_order)
    slugs = _article_slugs(items, cut)
    region_paths, order = _region_folders(items)
    tag_counts: dict[str, int] = defaultdict(int)
    for it in items:
        for tag in it.tags:
            tag_counts[tag] += 1
    tag_folders = _tag_folders(tag_counts, config.tag_page_min_articles, cut)
    theme_names = {t.id: t.name for t in config.themes}

    entries = []
    for it in items:
        region = it.region
        crumbs = tuple(Link(name, listing_path(region_paths[region.names[: i + 1]]))
                       for i, name in enumerate(region.names))
        entries.append(Entry(
            item=it,
            slug=slugs[id(it)],
            path=article_path(slugs[id(it)]),
            region_links=crumbs,
            theme_links=tuple(Link(theme_names[t], listing_path(f"themes/{t}")) for t in it.themes),
            tag_links=tuple(Link(t, listing_path(tag_folders[t])) if t in tag_folders else None for t in it.tags),
        ))

    pages: list[Page] = []
    feeds: list[Feed] = []
    actions = _actions(entries)

    def listing(folder: str, title: str, chosen: list[Entry], template: str = "listing.html",
                feed: bool = False, **data) -> None:
        feed_file = feed_path(folder) if feed else None
        if feed_file:
            feeds.append(Feed(feed_file, f"{title} - {config.title}", listing_path(folder),
                              tuple(chosen[:FEED_SIZE])))
        total = max(1, math.ceil(len(chosen) / config.page_size))
        paths = [listing_path(folder, k) for k in range(1, total + 1)]
        for n in range(1, total + 1):
            pager = {"number": n, "total": total,
                     "newer": paths[n - 2] if n > 1 else None,
                     "older": paths[n] if n < total else None,
                     "pages": [(k, paths[k - 1]) if k else None for k in pager_window(n, total)]}
            page_title = title if n == 1 else f"{title}(第 {n} 页)"
            pages.append(Page(listing_path(folder, n), template, page_title,
                              dict(data, heading=title, entries=chosen[(n - 1) * config.page_size:][:config.page_size],
                                   count=len(chosen), pager=pager, feed=feed_file, first_page=n == 1)))

    # Regions: one listing per node of the province > city > county tree.
    by_region: dict[tuple[str, ...], list[Entry]] = defaultdict(list)
    for e in entries:
        names = e.item.region.names
        for depth in range(1, len(names) + 1):
            by_region[names[:depth]].append(e)
    region_links = {key: Link(key[-1], listing_path(region_paths[key]), len(v)) for key, v in by_region.items()}
    below: dict[tuple[str, ...], list[Link]] = defaultdict(list)
    for key in sorted(by_region, key=order.get):
        below[key[:-1]].append(region_links[key])

    def children(key: tuple[str, ...]) -> list[Link]:
        return below.get(key, [])

    provinces = children(())
    for key in sorted(by_region, key=order.get):
        crumbs = [region_links[key[:i]] for i in range(1, len(key))]
        listing(region_paths[key], key[-1], by_region[key], feed=True, kind="region",
                breadcrumbs=crumbs, children=children(key), figures=figure_groups(by_region[key], actions))
    pages.append(Page("regions/index.html", "regions.html", "地区",
                      {"tree": [(p, [(c, children((p.name, c.name))) for c in children((p.name,))])
                                for p in provinces]}))

    theme_links = []
    for theme in config.themes:
        chosen = [e for e in entries if theme.id in e.item.themes]
        theme_links.append(Link(theme.name, listing_path(f"themes/{theme.id}"), len(chosen)))
        listing(f"themes/{theme.id}", theme.name, chosen, feed=True, kind="theme", theme=theme,
                figures=figure_groups(chosen, actions))
    pages.append(Page("themes/index.html", "themes.html", "主题", {"themes": theme_links}))

    tag_links = sorted((Link(t, listing_path(f), tag_counts[t]) for t, f in tag_folders.items()),
                       key=lambda link: (-link.count, link.name))
    by_tag: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        for tag in e.item.tags:
            by_tag[tag].append(e)
    for tag, folder in tag_folders.items():
        listing(folder, tag, by_tag[tag], kind="tag")
    pages.append(Page("tags/index.html", "tags.html", "标签", {"tags": tag_links}))

    _date_archive(entries, listing, pages)
    _article_pages(entries, pages)
    listing("", config.title, entries, template="home.html", feed=True, kind="home",
            regions=provinces, themes=[t for t in theme_links if t.count], tags=tag_links,
            counts={"articles": len(entries), "regions": len(by_region), "tags": len(tag_links)})
    pages.append(Page("404.html", "404.html", "页面不存在", {}))
    pages.append(Page("search.html", "search.html", "搜索", {}))
    return Site(tuple(entries), tuple(pages), tuple(feeds), tuple(tag_links))


def figure_groups(entries: list[Entry], actions: dict[str, list[tuple[str, dict]]], per_group: int = 5
                  ) -> list[tuple[str, list[tuple[dict, Entry]]]]:
    """Key figures of these articles grouped by action (all 破获 figures, all 挽回...), newest first.

    ``actions`` holds each entry's counted figures with their action, found once per build.
    """
    groups: dict[str, list[tuple[dict, Entry]]] = {}
    for e in entries:
        for action, f in actions[e.slug]:
            group = groups.setdefault(action, [])
            if len(group) < per_group:
                group.append((f, e))
    return sorted(groups.items(), key=lambda kv: ACTIONS.index(kv[0]))


def _actions(entries: list[Entry]) -> dict[str, list[tuple[str, dict]]]:
    out = {}
    for e in entries:
        pairs = ((action_of(f["metric"]), f) for f in e.item.key_figures if f["direction"] is None)
        out[e.slug] = [(a, f) for a, f in pairs if a]
    return out


def pager_window(n: int, total: int, around: int = 2) -> list[int]:
    """Page numbers to show: the first, the last and a few around ``n``; 0 marks a gap."""
    keep = sorted({1, total, *range(max(1, n - around), min(total, n + around) + 1)})
    out: list[int] = []
    for k in keep:
        if out and k - out[-1] > 1:
            out.append(0) if k - out[-1] > 2 else out.append(k - 1)
        out.append(k)
    return out


def _date_archive(entries: list[Entry], listing, pages: list[Page]) -> None:
    years: dict[int, list[Entry]] = defaultdict(list)
    months: dict[tuple[int, int], list[Entry]] = defaultdict(list)
    undated = []
    for e in entries:
        d = e.item.article.date
        if d is None:
            undated.append(e)
        else:
            years[d.year].append(e)
            months[(d.year, d.month)].append(e)
    month_links = {k: Link(f"{k[0]}年{k[1]}月", listing_path(f"archive/{k[0]}/{k[1]:02d}"), len(v))
                   for k, v in months.items()}
    year_rows = []
    for year in sorted(years, reverse=True):
        ms = [month_links[k] for k in sorted(months, reverse=True) if k[0] == year]
        year_link = Link(f"{year}年", listing_path(f"archive/{year}"), len(years[year]))
        year_rows.append((year_link, ms))
        listing(f"archive/{year}", year_link.name, years[year], kind="year", children=ms, breadcrumbs=[])
    for (year, month), chosen in months.items():
        listing(f"archive/{year}/{month:02d}", month_links[(year, month)].name, chosen, kind="month",
                breadcrumbs=[Link(f"{year}年", listing_path(f"archive/{year}"))], children=[])
    undated_link = None
    if undated:
        undated_link = Link(UNDATED, listing_path("archive/undated"), len(undated))
        listing("archive/undated", UNDATED, undated, kind="undated", children=[], breadcrumbs=[])
    pages.append(Page("archive/index.html", "archive.html", "日期归档", {"years": year_rows, "undated": undated_link}))


def _article_pages(entries: list[Entry], pages: list[Page]) -> None:
    rel = related_all(entries)
    for i, e in enumerate(entries):
        newer = entries[i - 1] if i > 0 else None
        older = entries[i + 1] if i + 1 < len(entries) else None
        pages.append(Page(e.path, "article.html", e.item.title,
                          {"entry": e, "newer": newer, "older": older, "related": rel[i]}))


def related_all(entries: list[Entry], limit: int = RELATED, window: int = RELATED_WINDOW) -> list[list[Entry]]:
    """For each entry, the articles sharing most tags (3 each), themes (2) and region levels (1).

    Candidates are the entries nearest in time in each of its tag, theme and region lists
    (``window`` either side), so the work grows with the archive, not with its square.
    """
    lists: dict[tuple, list[int]] = defaultdict(list)
    for i, e in enumerate(entries):  # entries are newest first, so every list is in time order
        for key in _related_keys(e):
            lists[key].append(i)
    where: dict[tuple, dict[int, int]] = {k: {doc: n for n, doc in enumerate(v)} for k, v in lists.items()}
    out = []
    for i, e in enumerate(entries):
        scores: dict[int, int] = defaultdict(int)
        for key in _related_keys(e):
            ids, n = lists[key], where[key][i]
            weight = {"tag": 3, "theme": 2, "region": 1}[key[0]]
            for j in ids[max(0, n - window): n + window + 1]:
                if j != i:
                    scores[j] += weight
        best = heapq.nsmallest(limit, scores.items(), key=lambda kv: (-kv[1], kv[0]))
        out.append([entries[j] for j, _ in best])
    return out


def _related_keys(e: Entry) -> list[tuple]:
    region = e.item.region.names
    return ([("tag", t) for t in e.item.tags] + [("theme", t) for t in e.item.themes]
            + [("region", region[:d]) for d in range(1, len(region) + 1)])


def _order(it: Analysed):
    d = it.article.date
    # Newest first; undated articles last, then by file name so the order never depends on the disk.
    return (d is None, -(d.timestamp()) if d else 0, it.article.source_file)


def _article_slugs(items: Sequence[Analysed], cut) -> dict[int, str]:
    taken: set[str] = set()
    slugs = {}
    given = {it.article.slug for it in items if it.article.slug}
    taken |= given
    for it in items:
        a = it.article
        if a.slug:
            slugs[id(it)] = a.slug
            continue
        base = slugify(cut(it.title), 6) or slugify([a.source_file.rsplit("/", 1)[-1].removesuffix(".md")])
        if a.date:
            base = f"{a.date:%Y-%m-%d}-{base}" if base else f"{a.date:%Y-%m-%d}"
        slugs[id(it)] = unique(base or "article", taken)
    return slugs


def _region_folders(items: Sequence[Analysed]) -> tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], tuple]]:
    """Folder of every region node (``regions/hunan/hengyang/hengnan``) and its sort key.

    Nodes are ordered by division code; slugs are the pinyin of the short name, and a sibling
    with the same pinyin gets the code appended, so a folder never changes with the archive.
    """
    g = gazetteer()
    codes: dict[tuple[str, ...], str | None] = {}
    for it in items:
        names = it.region.names
        chain = g.path(it.region.code) if it.region.code else []
        for depth in range(1, len(names) + 1):
            codes[names[:depth]] = chain[depth - 1].code if len(chain) == len(names) else None
    folders: dict[tuple[str, ...], str] = {}
    order = {key: (code or "999999", key) for key, code in codes.items()}

    def base_of(key: tuple[str, ...]) -> str:
        code = codes[key]
        return slugify([g.units[code].short if code else short_place_name(key[-1])]) or "region"

    # Siblings whose pinyin clashes (rare) get their code, or their full name, appended.
    bases = {key: base_of(key) for key in codes}
    clashes = defaultdict(int)
    for key, base in bases.items():
        clashes[(key[:-1], base)] += 1
    taken: set[str] = set()
    for key in sorted(codes, key=order.get):
        base, code = bases[key], codes[key]
        if clashes[(key[:-1], base)] > 1:
            base = f"{base}-{code}" if code else f"{base}-{slugify([key[-1]])}"
        # Names that read the same in pinyin (恒南县, 衡南县) still get folders of their own.
        folders[key] = unique(f"{folders.get(key[:-1], 'regions')}/{base}", taken)
    return folders, order


def _tag_folders(counts: dict[str, int], minimum: int, cut) -> dict[str, str]:
    taken: set[str] = set()
    folders = {}
    for tag in sorted(t for t, n in counts.items() if n >= minimum):
        folders[tag] = f"tags/{unique(slugify(cut(tag), 12) or 'tag', taken)}"
    return folders
