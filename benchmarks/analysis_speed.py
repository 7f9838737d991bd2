#!/usr/bin/env python3
"""Time the per-article analysis (what runs for every article not in the cache), serially.

    python benchmarks/analysis_speed.py /tmp/corpus/articles            # every article
    python benchmarks/analysis_speed.py /tmp/corpus/articles -n 1000    # the first 1,000
    python benchmarks/analysis_speed.py DIR --profile                   # where the time goes
    python benchmarks/analysis_speed.py DIR --dump results.pickle       # every result, to compare later
    python benchmarks/analysis_speed.py DIR -n 1000 --against /tmp/old  # before (a checkout of an older
                                                                        # commit) and after, and whether
                                                                        # their results are the same

Prints the milliseconds per article of each pass and their median (3 passes by default), wall
clock and the process's CPU time (steadier on a machine doing other work too). The
dictionary, the gazetteer and the renderer are loaded before the first pass, so only the
per-article work is timed, as in a build's worker processes. With ``--against``, the two
versions run in turn, three times each, in processes of their own, and their medians are
compared; then both dump their results and the dumps are compared article by article (the
order of a word count's keys aside, which follows string hashing and means nothing).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pickle
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("articles", type=Path, help="a folder of articles (*.md)")
    parser.add_argument("-n", type=int, default=0, help="only the first N articles (default: all)")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--config", type=Path, default=ROOT / "digest.yaml")
    parser.add_argument("--profile", action="store_true", help="profile one pass instead of timing")
    parser.add_argument("--dump", type=Path, help="write every article's analysis to this pickle file")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose digestgen to time "
                        "(default: this one)")
    parser.add_argument("--against", type=Path, help="another checkout (an older commit) to compare with")
    args = parser.parse_args()
    if args.against:
        compare(args)
        return
    sys.path.insert(0, str(args.code.resolve()))
    from digestgen.analysis.analyse import _detached, _prepare
    from digestgen.analysis.regions import detector
    from digestgen.analysis.tokens import vocabulary
    from digestgen.config import load_config
    from digestgen.load.articles import load_articles

    config = load_config(args.config)
    articles = load_articles(args.articles, config.theme_names).articles
    if args.n:
        articles = articles[: args.n]
    vocab = vocabulary()
    vocab.cut("预热"), vocab.not_nouns, detector()  # loaded once, before any timing
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


MEDIAN = re.compile(r"median ([\d.]+) ms per article \(([\d.]+) ms CPU\)")


def compare(args: argparse.Namespace) -> None:
    """Time ``--against`` and this checkout in turn, then compare what each one found."""
    def run(code: Path, *extra: str) -> str:
        command = [sys.executable, __file__, str(args.articles), "-n", str(args.n), "--passes", str(args.passes),
                   "--config", str(args.config), "--code", str(code), *extra]
        return subprocess.run(command, check=True, capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": "0"}).stdout

    found: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    for _ in range(3):
        for name, code in (("before", args.against), ("after", args.code)):
            m = MEDIAN.search(run(code))
            assert m, f"no median in the output of {code}"
            found[name].append((float(m.group(1)), float(m.group(2))))
    medians = {}
    for name, runs in found.items():
        medians[name] = (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        print(f"{name:6} ({args.against if name == 'before' else args.code}): {medians[name][0]:.2f} ms per "
              f"article ({medians[name][1]:.2f} ms CPU), median of 3 runs")
    print(f"after / before: {medians['after'][0] / medians['before'][0]:.2f} wall, "
          f"{medians['after'][1] / medians['before'][1]:.2f} CPU")
    with tempfile.TemporaryDirectory() as tmp:
        dumps = [Path(tmp) / "before.pickle", Path(tmp) / "after.pickle"]
        run(args.against, "--dump", str(dumps[0]))
        run(args.code, "--dump", str(dumps[1]))
        before, after = (pickle.loads(d.read_bytes()) for d in dumps)
    differing = [i for i, (b, a) in enumerate(zip(before, after, strict=True)) if not same(b, a)]
    print(f"results: {len(before) - len(differing)} of {len(before)} articles the same"
          + (f"; first that differs: article {differing[0] + 1}" if differing else ""))


def same(before: tuple[dict, list], after: tuple[dict, list]) -> bool:
    (b, b_problems), (a, a_problems) = before, after
    return b_problems == a_problems and b.keys() == a.keys() and all(
        dict(b[k]) == dict(a[k]) if k == "counts" else b[k] == a[k] for k in b)


if __name__ == "__main__":
    main()
