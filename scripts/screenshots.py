"""Screenshots of the main page kinds, at desktop and phone width, light and dark.

    python scripts/screenshots.py SITE_DIR OUT_DIR

SITE_DIR is a built site; the pages are chosen from its data/articles.json: the province and
the county with most articles (most key figures among equals), the theme 社区警务 (community-policing), the article with most key
figures, and the tags index. Needs Playwright and Chromium (the test extras).
"""
from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from pathlib import Path

from playwright.sync_api import sync_playwright

SIZES = {"desktop": (1280, 900), "phone": (375, 812)}


def pages(site: Path) -> dict[str, str]:
    records = json.loads((site / "data/articles.json").read_text("utf-8"))
    html = {p.relative_to(site).as_posix() for p in site.glob("regions/**/index.html")}

    def region_page(depth: int) -> str:
        # the place with most articles; among equals, the one whose articles hold most key figures
        levels = ("province", "city", "county")[:depth]
        counts = Counter(tuple(r["region"][k] for k in levels) for r in records if r["region"][levels[-1]])
        figures = Counter()
        for r in records:
            figures[tuple(r["region"][k] for k in levels)] += len(r["key_figures"])
        best = max(counts, key=lambda place: (counts[place], figures[place]))
        # the region page whose breadcrumb ends in that place: find it through an article's page
        article = next(r for r in records if tuple(r["region"][k] for k in ("province", "city", "county")[:depth]) == best)
        text = (site / article["path"]).read_text("utf-8")
        crumbs = text.split('<nav class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
        href = crumbs.split('href="')[depth + 1].split('"', 1)[0]
        path = (Path(article["path"]).parent / href).as_posix()
        parts = []
        for part in path.split("/"):
            parts.pop() if part == ".." else parts.append(part)
        found = "/".join(parts)
        assert found in html, found
        return found

    article = max(records, key=lambda r: len(r["key_figures"]))["path"]
    return {"home": "index.html", "province": region_page(1), "county": region_page(3),
            "theme": "themes/community-policing/index.html", "article": article, "tags": "tags/index.html"}


def main(site: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for name, path in pages(site).items():
            for size, (w, h) in SIZES.items():
                for scheme in ("light", "dark"):
                    ctx = browser.new_context(viewport={"width": w, "height": h}, color_scheme=scheme,
                                              device_scale_factor=1, is_mobile=size == "phone")
                    page = ctx.new_page()
                    page.goto((site / path).as_uri())
                    page.screenshot(path=str(out / f"{name}-{size}-{scheme}.png"))
                    ctx.close()
            print(f"{name}: {path}")
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]))
