#!/usr/bin/env python3
"""Time the per-article analysis (what runs for every article not in the cache), serially.

    python benchmarks/analysis_speed.py /tmp/corpus/articles            # every article
    python benchmarks/analysis_speed.py /tmp/corpus/articles -n 1000    # the first 1,000
    python benchmarks/analysis_speed.py DIR --profile                   # where the time goes
    python benchmarks/analysis_speed.py DIR --dump results.pickle       # the results, to compare two versions

Prints the milliseconds per article of each pass and their median (3 passes by default), wall
clock and the process's CPU time (steadier on a machine doing other work too). The
dictionary, the gazetteer and the renderer are loaded before the first pass, so only the
per-article work is timed, as in a build's worker processes.
"""
from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digestgen.analysis.analyse import _detached, _prepare  # noqa: E402
from digestgen.analysis.regions import detector  # noqa: E402
from digestgen.analysis.tokens import vocabulary  # noqa: E402
from digestgen.config import load_config  # noqa: E402
from digestgen.load.articles import load_articles  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("articles", type=Path, help="a folder of articles (*.md)")
    parser.add_argument("-n", type=int, default=0, help="only the first N articles (default: all)")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--config", type=Path, default=ROOT / "digest.yaml")
    parser.add_argument("--profile", action="store_true", help="profile one pass instead of timing")
    parser.add_argument("--dump", type=Path, help="write every article's analysis to this pickle file")
    args = parser.parse_args()

    config = load_config(args.config)
    articles = load_articles(args.articles, config.theme_names).articles
    if args.n:
        articles = articles[: args.n]
    vocab = vocabulary()
    vocab.cut("预热"), vocab.pos, detector()  # loaded once, before any timing
    _prepare(articles[0], config)

    if args.dump:
        results = [(_detached(p), problems) for p, problems in (_prepare(a, config) for a in articles)]
        args.dump.write_bytes(pickle.dumps(results))
        print(f"wrote {len(results)} results to {args.dump}")
        return
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [_prepare(a, config) for a in articles])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    wall, cpu = [], []
    for i in range(args.passes):
        started, started_cpu = time.perf_counter(), time.process_time()
        for article in articles:
            _prepare(article, config)
        wall.append((time.perf_counter() - started) * 1000 / len(articles))
        cpu.append((time.process_time() - started_cpu) * 1000 / len(articles))
        print(f"pass {i + 1}: {wall[-1]:.2f} ms per article ({cpu[-1]:.2f} ms CPU)")
    print(f"{len(articles)} articles: median {statistics.median(wall):.2f} ms per article "
          f"({statistics.median(cpu):.2f} ms CPU) over {args.passes} passes")


if __name__ == "__main__":
    main()
