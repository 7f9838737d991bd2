"""Tag pages: a listing per tag with enough articles, and the index of tags."""
from __future__ import annotations

from collections import defaultdict

from digestgen.model import Entry
from digestgen.site.pages import Feed, Page
from digestgen.site.context import Section, TagIndex
from digestgen.site.gather import Archive
from digestgen.site.kind import PageKind, listing
from digestgen.site.panels import tag_weights

SECTION = Section("标签", "tags/index.html", "tags/")


def pages(archive: Archive) -> list[Page | Feed]:
    by_tag: dict[str, list[Entry]] = defaultdict(list)
    for e in archive.entries:
        for tag in e.item.tags:
            by_tag[tag].append(e)
    out: list[Page | Feed] = []
    for tag, folder in archive.tag_folders.items():
        out += listing(archive, folder, tag, by_tag[tag], kind="tag", section=SECTION)
    out.append(Page(SECTION.index, "tags.html", SECTION.label, TagIndex(tags=archive.tag_links, tag_weights=tag_weights(archive.tag_links))))
    return out


KIND = PageKind("tag", pages, SECTION)
