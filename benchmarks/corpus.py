#!/usr/bin/env python3
"""Write N realistic articles for benchmarks: the shipped articles' sentences recombined.

    python benchmarks/corpus.py 10000 /tmp/corpus      # -> /tmp/corpus/articles/*.md

Each article has 1,000-3,000 Chinese characters, a date between 2015 and 2024, a county from
the gazetteer (so regions spread over every province), two or three tags and a title made from
its first sentence. The same N always gives the same files.
"""
from __future__ import annotations

import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digestgen.gazetteer import gazetteer  # noqa: E402

TAGS = ["反诈", "电信网络诈骗", "枫桥式派出所", "雪亮工程", "屋场恳谈", "扫黑除恶", "一村一辅警", "禁毒宣传", "交通安全",
        "智慧警务", "矛盾纠纷化解", "便民服务", "疫情防控", "警务宣传", "社区警务", "农村警务"]


def sentences() -> list[str]:
    found = []
    for path in sorted((ROOT / "articles").glob("*.md")):
        body = path.read_text("utf-8").split("---\n", 2)[2]
        for para in body.split("\n\n"):
            if para.startswith("#"):
                continue
            found += [s for s in re.findall(r"[^。!?]+[。!?]", para) if len(s) >= 12]
    return found


def write_corpus(n: int, folder: Path, seed: int = 20221) -> Path:
    rng = random.Random(seed)
    pool = sentences()
    counties = sorted(u.code for u in gazetteer().units.values() if u.level == 3)
    out = folder / "articles"
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        target = rng.randint(1000, 3000)
        paras, length = [], 0
        while length < target:
            para = "".join(rng.choice(pool) for _ in range(rng.randint(2, 5)))
            paras.append(para)
            length += len(para)
            if rng.random() < 0.15:
                paras.append("## " + rng.choice(pool)[:14].rstrip(",、。"))
        region = gazetteer().region(rng.choice(counties))
        title = re.sub(r"[。!?]$", "", paras[0][:28])
        date = f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        tags = ", ".join(rng.sample(TAGS, rng.randint(2, 3)))
        text = (f"---\ntitle: '{title}{i}'\ndate: {date}\nsource: 测试来源\nregion: {'/'.join(region.names)}\n"
                f"tags: [{tags}]\n---\n\n" + "\n\n".join(paras) + "\n")
        (out / f"a{i:05d}.md").write_text(text, "utf-8")
    return out


if __name__ == "__main__":
    count, folder = int(sys.argv[1]), Path(sys.argv[2])
    print(write_corpus(count, folder))
