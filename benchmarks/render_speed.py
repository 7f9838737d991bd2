#!/usr/bin/env python3
"""Seconds the render stage takes on N articles: every page, feed and data file made, none written.

    python benchmarks/render_speed.py 2000                 # medians of 3 runs, one worker per core
    python benchmarks/render_speed.py 10000 -j 1 --runs 1
    python benchmarks/render_speed.py 2000 -j 1 --profile  # cProfile of one run, top functions

The articles come from benchmarks/corpus.py (written to a folder under the system's temporary
folder, once per N) and are analysed once (the analysis is cached there too), so the runs time
only what the build's "render and write" stage spends on making files: the site model is built
before the clock starts and the files are consumed without being written. Each run is a fresh
process, as a build is, so nothing one run computed (caches, template compilation) helps the next.
Wall seconds and CPU seconds (this process and its workers) are both printed: on a machine
shared with other work, CPU seconds vary far less.
"""
from __future__ import annotations

import argparse
import dataclasses
import cProfile
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import write_corpus  # noqa: E402

from digestgen.analysis.analyse import analyse  # noqa: E402
from digestgen.analysis.cache import AnalysisCache  # noqa: E402
from digestgen.config import load_config  # noqa: E402
from digestgen.load.articles import load_articles  # noqa: E402
from digestgen.model import MovedFile, StreamedFile  # noqa: E402
from digestgen.render.pages import make_environment, render_site  # noqa: E402
from digestgen.site.model import build_site  # noqa: E402


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def render_seconds(site, config, jobs: int) -> tuple[float, float, int, int]:
    """Wall and CPU seconds to make every file of ``site``, with the files and bytes made."""
    env = make_environment(config.templates_dir)
    start, cpu = time.perf_counter(), cpu_seconds()
    files = size = 0
    for f in render_site(site, config, env=env, jobs=jobs):
        files += 1
        if isinstance(f, MovedFile):  # written by a worker beside the output folder, to be moved in
            size += f.source.stat().st_size
        elif isinstance(f, StreamedFile):  # made piece by piece (data/articles.json)
            size += sum(len(chunk) for chunk in f.chunks())
        else:
            size += len(f.content)
    return time.perf_counter() - start, cpu_seconds() - cpu, files, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", type=int, help="how many articles the corpus has")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="profile one run (in this process) instead")
    parser.add_argument("--folder", type=Path, default=None,
                        help="where the corpus lives (default: a folder per N under the temporary folder)")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)  # one run, in this process
    args = parser.parse_args()

    folder = args.folder or Path(tempfile.gettempdir()) / f"digestgen-render-{args.articles}"
    if not (folder / "articles").is_dir():
        write_corpus(args.articles, folder)
    # Workers leave the files they make beside the output folder: one of this corpus's own.
    config = dataclasses.replace(load_config(ROOT / "digest.yaml"), output_dir=folder / "site")
    loaded = load_articles(folder / "articles", config.theme_names)
    analysed, _ = analyse(loaded.articles, config, cache=AnalysisCache(folder / "cache", "render-speed"),
                          jobs=os.cpu_count() or 1)
    if not args.once and not args.profile:
        times, cpus = [], []
        for _ in range(args.runs):
            out = subprocess.run([sys.executable, __file__, str(args.articles), "-j", str(args.jobs), "--folder",
                                  str(folder), "--once"], check=True, capture_output=True, text=True).stdout
            print(out.rstrip())
            times.append(float(out.split()[-3]))
            cpus.append(float(out.split()[-1]))
        print(f"render stage: {statistics.median(times):.2f} s, {statistics.median(cpus):.2f} s of CPU "
              f"(medians of {len(times)})")
        return
    site = build_site(analysed, config)
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        seconds, _, files, size = render_seconds(site, config, 1)
        profile.disable()
        print(f"render (profiled, one process): {seconds:.2f} s, {files} files")
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    seconds, cpu, files, size = render_seconds(site, config, args.jobs)
    print(f"{len(site.entries)} articles: {len(site.pages)} pages, {len(site.feeds)} feeds, {files} files, "
          f"{size / 2**20:.1f} MiB; jobs {args.jobs}; seconds {seconds:.2f} cpu {cpu:.2f}")


if __name__ == "__main__":
    main()
