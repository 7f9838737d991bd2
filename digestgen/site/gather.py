"""What every page kind draws on, worked out once: the articles in order, with their paths,
and the region, theme and tag groupings they fall into."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from digestgen.bodies import whole
from digestgen.config import Config
from digestgen.gazetteer import gazetteer
from digestgen.model import BEIJING, Analysed, Entry, Figure, Link, Problem, short_place_name
from digestgen.site.assets import Asset, localise
from digestgen.site.urls import article_path, file_slug, listing_path, slugify, unique

RegionKey = tuple[str, ...]
"""A node of the province > city > county tree, by its names (``('湖南省', '衡阳市')``)."""


@dataclass(frozen=True)
class Archive:
    """The articles as the site presents them, and the groups page kinds list."""

    config: Config
    entries: tuple[Entry, ...]
    """Every article, newest first, undated last."""
    by_region: dict[RegionKey, list[Entry]]
    """Articles under each region node, at every level."""
    region_folders: dict[RegionKey, str]
    region_links: dict[RegionKey, Link]
    region_order: dict[RegionKey, tuple]
    """Sort key of each node: division code, so siblings appear in official order."""
    region_below: dict[RegionKey, list[Link]]
    """The nodes directly below each node (``()`` for the provinces), in division-code order."""
    tag_counts: dict[str, int]
    tag_folders: dict[str, str]
    """Folder of each tag that has a page (``tag_page_min_articles`` or more articles)."""
    tag_links: tuple[Link, ...]
    """Tags that have a page, most used first."""
    actions: dict[str, list[tuple[str, Figure]]]
    """Each article's counted key figures (by slug) with what they count (破获, 挽回...)."""
    assets: tuple[Asset, ...] = ()
    """Files the articles link by relative path, to copy beside their pages."""
    problems: tuple[Problem, ...] = ()

    def region_children(self, key: RegionKey) -> list[Link]:
        return self.region_below.get(key, [])

    def theme_link(self, theme_id: str, count: int = 0) -> Link:
        return Link(self.config.theme_names[theme_id], listing_path(f"themes/{theme_id}"), count)


def gather(items: Sequence[Analysed], config: Config, cut: Callable[[str], list[str]]) -> Archive:
    items = sorted(items, key=_order)
    slugs = _article_slugs(items, cut)
    region_folders, order = _region_folders(items)
    tag_counts: dict[str, int] = defaultdict(int)
    for it in items:
        for tag in it.tags:
            tag_counts[tag] += 1
    tag_folders = _tag_folders(tag_counts, config.tag_page_min_articles, cut)

    entries = []
    assets: list[Asset] = []
    problems: list[Problem] = []
    # One link object per region, theme and tag, which every entry that shows it shares (a large
    # archive has a million of them, each the same few hundred values).
    crumbs_of: dict[RegionKey, tuple[Link, ...]] = {}
    theme_link: dict[str, Link] = {}
    tag_link: dict[str, Link | None] = {}
    for it in items:
        slug = slugs[id(it)]
        if it.stored is None or it.stored.local_refs:  # an article kept on disk links nothing beside it
            it, found, missing = localised(it, slug, config)
            assets += found
            problems += missing
        names = it.region.names
        crumbs = crumbs_of.get(names)
        if crumbs is None:
            crumbs = crumbs_of[names] = tuple(Link(name, listing_path(region_folders[names[: i + 1]]))
                                              for i, name in enumerate(names))
        for t in it.themes:
            if t not in theme_link:
                theme_link[t] = Link(config.theme_names[t], listing_path(f"themes/{t}"))
        for t in it.tags:
            if t not in tag_link:
                tag_link[t] = Link(t, listing_path(tag_folders[t])) if t in tag_folders else None
        entries.append(Entry(
            item=it,
            slug=slug,
            path=article_path(slug),
            region_links=crumbs,
            theme_links=tuple(theme_link[t] for t in it.themes),
            tag_links=tuple(tag_link[t] for t in it.tags),
        ))

    by_region: dict[RegionKey, list[Entry]] = defaultdict(list)
    for e in entries:
        names = e.item.region.names
        for depth in range(1, len(names) + 1):
            by_region[names[:depth]].append(e)
    region_links = {key: Link(key[-1], listing_path(region_folders[key]), len(v)) for key, v in by_region.items()}
    below: dict[RegionKey, list[Link]] = defaultdict(list)
    for key in sorted(by_region, key=order.__getitem__):
        below[key[:-1]].append(region_links[key])
    tag_links = tuple(sorted((Link(t, listing_path(f), tag_counts[t]) for t, f in tag_folders.items()),
                             key=lambda link: (-link.count, link.name)))
    return Archive(config=config, entries=tuple(entries), by_region=dict(by_region), region_folders=region_folders,
                   region_links=region_links, region_order=order, region_below=dict(below), tag_counts=dict(tag_counts),
                   tag_folders=tag_folders, tag_links=tag_links, actions=_actions(entries),
                   assets=tuple(assets), problems=tuple(problems))


def localised(it: Analysed, slug: str, config: Config) -> tuple[Analysed, list[Asset], list[Problem]]:
    """An article that links files beside it, with its body read in and those links rewritten to
    where the files will be copied; the files found, and a warning for each one missing."""
    it = whole(it)
    body, found, missing = localise(it, slug, config.articles_dir)
    if body != it.html:
        it = replace(it, html=body)
    return it, found, missing


def _actions(entries: list[Entry]) -> dict[str, list[tuple[str, Figure]]]:
    return {e.slug: [(f.action, f) for f in e.item.counted if f.action] for e in entries}


def analysed_words(items: Sequence[Analysed]) -> Callable[[str], list[str]]:
    """Titles and tags cut into words as the analysis cut them (for slugs)."""
    words: dict[str, list[str]] = {}
    for it in items:
        words[it.title] = list(it.title_words)
        words.update((tag, list(w)) for tag, w in zip(it.tags, it.tag_words, strict=False))
    return lambda text: words.get(text, [text])


def _order(it: Analysed):
    d = it.article.date
    # Newest first; undated articles last, then by file name so the order never depends on the disk.
    # A date without a time zone is Beijing time, as in the feeds; one with a zone (RFC 3339) keeps it.
    return (d is None, -(d if d.tzinfo else d.replace(tzinfo=BEIJING)).timestamp() if d else 0,
            it.article.source_file)


def _article_slugs(items: Sequence[Analysed], cut) -> dict[int, str]:
    """Each article's slug: its ``slug:``, else its file name, so editing a title never moves a page."""
    taken: set[str] = {it.article.slug for it in items if it.article.slug}
    slugs = {}
    for it in items:
        a = it.article
        slugs[id(it)] = a.slug if a.slug else unique(file_slug(a.source_file, cut), taken)
    return slugs


def _region_folders(items: Sequence[Analysed]) -> tuple[dict[RegionKey, str], dict[RegionKey, tuple]]:
    """Folder of every region node (``regions/hunan/hengyang/hengnan``) and its sort key.

    Nodes are ordered by division code; slugs are the pinyin of the short name, and a sibling
    with the same pinyin gets the code appended, so a folder never changes with the archive.
    """
    codes: dict[RegionKey, str | None] = {}
    shorts: dict[str, str] = {}
    for it in items:
        names = it.region.names
        chain = it.region_path
        shorts.update(chain)
        for depth in range(1, len(names) + 1):
            codes[names[:depth]] = chain[depth - 1][0] if len(chain) == len(names) else None
    folders: dict[RegionKey, str] = {}
    order = {key: (code or "999999", key) for key, code in codes.items()}

    def base_of(key: RegionKey) -> str:
        code = codes[key]
        return slugify([shorts[code] if code else short_place_name(key[-1])]) or "region"

    g = gazetteer()
    official: dict[str | None, dict[str, int]] = {}

    def official_bases(parent: str | None) -> dict[str, int]:
        """How many units of the gazetteer under ``parent`` read as each folder name."""
        if parent not in official:
            counts: dict[str, int] = defaultdict(int)
            for unit in g.children(parent):
                counts[slugify([unit.short]) or "region"] += 1
            official[parent] = counts
        return official[parent]

    # A unit of the gazetteer has the same folder whatever the archive holds: its code is appended
    # only when another unit under the same parent reads the same in pinyin. A name the gazetteer
    # does not know never takes such a folder: it gets its full name's pinyin appended.
    taken: set[str] = set()
    for key in sorted(codes, key=order.__getitem__):
        base, code = base_of(key), codes[key]
        parent_known = len(key) == 1 or codes.get(key[:-1]) is not None
        siblings = official_bases(codes.get(key[:-1])) if parent_known else {}
        if code and siblings.get(base, 0) > 1:
            base = f"{base}-{code}"
        elif not code and siblings.get(base, 0):
            base = f"{base}-{slugify([key[-1]])}"
        # Names that read the same in pinyin (恒南县, 衡南县) still get folders of their own.
        folders[key] = unique(f"{folders.get(key[:-1], 'regions')}/{base}", taken)
    return folders, order


def _tag_folders(counts: dict[str, int], minimum: int, cut) -> dict[str, str]:
    taken: set[str] = set()
    folders = {}
    for tag in sorted(t for t, n in counts.items() if n >= minimum):
        folders[tag] = f"tags/{unique(slugify(cut(tag), 12) or 'tag', taken)}"
    return folders
