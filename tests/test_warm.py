"""``serve`` keeps the corpus pass between builds (``analysis.analyse.Warm``): after each kind of
edit, the analysis it gives equals a whole analysis of the same articles, and articles the edit
cannot move are the very objects of the last build."""
import dataclasses
import random
import sys

import pytest

from digestgen.analysis.analyse import Warm, analyse
from digestgen.config import load_config
from digestgen.load.articles import load_articles

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("warm")
    write_corpus(150, root)
    config = load_config(ROOT / "digest.yaml")
    loaded = load_articles(root / "articles", config.theme_names)
    assert not loaded.problems or all(p.level != "error" for p in loaded.problems)
    return config, loaded.articles


def edited(article, extra: str):
    return dataclasses.replace(article, body=article.body + "\n\n" + extra + "\n")


EDITS = [
    # (which articles, what is appended): everyday words, a rare word repeated (a new tag), two
    # articles at once, a quoted programme name (new across the archive), a place named in the text.
    ([7], "办案民警提醒,如遇可疑情况请及时报警。"),
    ([7], "反诈宣传车开进村里,反诈宣传车播放防骗知识,反诈宣传车很受欢迎。"),
    ([3, 90], "民警深入社区开展走访,调解邻里纠纷,社区群众纷纷点赞。"),
    ([40], "该局开展“百日攻坚清源行动”,“百日攻坚清源行动”成效明显。"),
    ([41], "衡南县公安局补充说明:此案仍在侦办中。"),
    ([7, 3], ""),  # back to what they were
]


def test_a_warm_analysis_after_each_edit_equals_a_whole_analysis(corpus):
    config, articles = corpus
    warm = Warm()
    current = list(articles)
    first, _ = analyse(current, config, warm=warm)
    assert first == analyse(current, config)[0]
    reused_somewhere = False
    for which, extra in EDITS:
        before = warm.results
        for i in which:
            current[i] = edited(articles[i], extra) if extra else articles[i]
        got, got_problems = analyse(current, config, warm=warm)
        whole, whole_problems = analyse(current, config)
        assert got == whole, (which, extra)
        assert got_problems == whole_problems
        same = sum(a is b for a, b in zip(got, before, strict=True))
        reused_somewhere |= same >= len(current) - 20
    assert reused_somewhere  # the warm path was taken, not only the whole pass


def test_random_edits_keep_the_warm_analysis_equal_to_a_whole_one(corpus):
    config, articles = corpus
    rng = random.Random(5)
    sentences = [s for a in articles[:30] for s in a.body.split("。") if 8 < len(s) < 60]
    warm = Warm()
    current = list(articles)
    analyse(current, config, warm=warm)
    for _ in range(8):
        for i in rng.sample(range(len(current)), rng.choice([1, 1, 2, 3])):
            current[i] = edited(current[i], "。".join(rng.sample(sentences, 3)) + "。")
        assert analyse(current, config, warm=warm) == analyse(current, config)


def test_an_article_added_or_removed_runs_the_whole_pass_and_stays_equal(corpus):
    config, articles = corpus
    warm = Warm()
    analyse(list(articles), config, warm=warm)
    fewer = articles[:-1]
    assert analyse(fewer, config, warm=warm) == analyse(fewer, config)
    assert analyse(list(articles), config, warm=warm) == analyse(list(articles), config)
