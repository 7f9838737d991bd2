#!/usr/bin/env python3
"""What the charts, panels and related articles cost in a build, measured inside one process.

    python benchmarks/charts_cost.py ARTICLES_DIR [CACHE_DIR]

Loads and analyses the articles (from CACHE_DIR when an earlier run filled it), then times the site model and the rendering of every page on one core, with the
chart, panel and related-article functions wrapped in timers so their share can be read off.
"""
from __future__ import annotations

import functools
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digestgen.analysis.analyse import analyse  # noqa: E402
from digestgen.analysis.cache import AnalysisCache  # noqa: E402
from digestgen.config import load_config  # noqa: E402
from digestgen.load.articles import load_articles  # noqa: E402
from digestgen.render import charts as render_charts  # noqa: E402
from digestgen.render import pages  # noqa: E402
from digestgen.site import charts as site_charts, model  # noqa: E402
from digestgen.site.kinds import article, home, region, tag, theme  # noqa: E402

spent: dict[str, float] = defaultdict(float)
calls: dict[str, int] = defaultdict(int)


def timed(name, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start
            calls[name] += 1
    return wrapper


def main(articles: Path, cache_dir: Path | None) -> None:
    config = load_config(ROOT / "digest.yaml")
    loaded = load_articles(articles, config.theme_names)
    # The analysis is cached under a key of its own, so measuring again after a change to the site
    # model, the charts or the templates does not analyse every article again. Delete CACHE_DIR
    # after changing the analysis.
    cache = AnalysisCache(cache_dir, "charts-cost")
    analysed, _ = analyse(loaded.articles, config, cache=cache, jobs=os.cpu_count() or 1)

    for name in ("timeline", "theme_bars", "place_bars", "province_tiles", "city_tiles"):
        setattr(site_charts, name, timed(f"data: {name}", getattr(site_charts, name)))
    for kind in (region, theme, home, tag):
        for name in ("theme_figure_groups", "by_count", "tag_weights"):
            if hasattr(kind, name):
                setattr(kind, name, timed(f"panels: {name}", getattr(kind, name)))
    article.related_with_reasons = timed("related with reasons", article.related_with_reasons)
    for name in list(render_charts.GLOBALS):
        render_charts.GLOBALS[name] = timed(f"svg: {name}", render_charts.GLOBALS[name])

    start = time.perf_counter()
    site = model.build_site(analysed, config)
    site_seconds = time.perf_counter() - start
    env = pages.make_environment(config.templates_dir)
    start = time.perf_counter()
    for page in site.pages:
        pages.render_page(page, site, config, env)
    render_seconds = time.perf_counter() - start

    print(f"{len(site.entries)} articles, {len(site.pages)} pages")
    print(f"site model {site_seconds:.2f} s, rendering every page on one core {render_seconds:.2f} s")
    for name in sorted(spent):
        print(f"  {name:32} {calls[name]:6} calls {spent[name] * 1000:9.1f} ms  {spent[name] / calls[name] * 1e6:8.0f} µs/call")
    charts_total = sum(v for k, v in spent.items() if k.startswith(("data:", "svg:")))
    print(f"charts in all: {charts_total:.2f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
