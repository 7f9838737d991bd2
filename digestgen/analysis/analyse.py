"""Analyse stage: :class:`Article` values -> :class:`Analysed` ones (body HTML, tags, themes, summary).

Tags are TF-IDF over the archive itself; while the archive is small its document frequencies
say little, so they are blended with jieba's general-corpus IDF, which dominates until the
archive has a few hundred articles.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import sys
from array import array
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass

from digestgen.config import Config
from digestgen.parallel import parallel_map
from digestgen.analysis.markup import relative_refs, to_html, to_text
from digestgen.model import Stored
from digestgen.model import Analysed, Article, Problem, Region, short_place_name
from digestgen.analysis.cache import AnalysisCache
from digestgen.analysis import figures, regions, summary, themes
from digestgen.analysis.item import Item
from digestgen.analysis.themes import TITLE_WEIGHT
from digestgen.analysis.regions import detector
from digestgen.analysis.summary import placeholder_title
from digestgen.analysis.tokens import CJK, Vocabulary, vocabulary
from digestgen.analysis import tagging

IDF_BLEND_ARTICLES = 200
"""With this many articles the archive's own IDF and jieba's weigh the same."""
PARALLEL_MIN = 200
"""Below this many articles to analyse, starting worker processes costs more than it saves."""


ANALYSERS = (regions.analyse, themes.analyse, figures.analyse, summary.analyse)
"""The per-article analysers, in order; each fills some fields of ``Analysed`` (see ``item.py``).
Tags are not among them: they are weighed against the whole archive, after these have run."""


class WordCounts:
    """An article's candidate tag words and how often each occurs, kept small for the pass over the
    whole archive: the words interned (one string for every article that has it), the counts in
    an array. About a tenth of a Counter's memory."""

    __slots__ = ("counts", "words")

    def __init__(self, counter: Mapping[str, int]) -> None:
        self.words = tuple(map(sys.intern, counter))
        self.counts = array("I", counter.values())

    def keys(self) -> tuple[str, ...]:
        return self.words

    def items(self) -> Iterator[tuple[str, int]]:
        return zip(self.words, self.counts, strict=True)

    def drop(self, unwanted: Set[str]) -> None:
        """Leave out the words in ``unwanted``."""
        if any(w in unwanted for w in self.words):
            kept = [(w, c) for w, c in zip(self.words, self.counts, strict=True) if w not in unwanted]
            self.words = tuple(w for w, _ in kept)
            self.counts = array("I", (c for _, c in kept))


def _compact(value: tuple[dict, list[Problem]]) -> tuple[dict, list[Problem]]:
    fields, problems = value
    return {**fields, "counts": WordCounts(fields["counts"])}, problems


@dataclass(frozen=True)
class _Prepared:
    article: Article
    title: str
    html: str
    text: str
    counts: WordCounts
    title_words: frozenset[str]
    parts: tuple
    """What each of ANALYSERS returned, in order."""
    programmes: frozenset[str] = frozenset()
    """Quoted programme names found (exempt from the everyday-word rule)."""
    local_refs: bool = False
    """Whether the HTML links anything by a relative path."""

    @property
    def region(self) -> Region:
        return next(part.region for part in self.parts if isinstance(part, regions.RegionPart))


def _detached(p: _Prepared) -> dict:
    """A prepared article's fields without the article itself, as the cache keeps them."""
    return {f.name: getattr(p, f.name) for f in dataclasses.fields(p) if f.name != "article"}


def analyse(articles: list[Article], config: Config, vocab: Vocabulary | None = None,
            cache: AnalysisCache | None = None, jobs: int = 1,
            tag_reasons: dict[str, Counter] | None = None,
            progress: Callable[[int], None] | None = None, lean: bool = False,
            keep_body: bool = True) -> tuple[list[Analysed], list[Problem]]:
    """Analyse the whole corpus at once (tag weights depend on every article).

    The per-article work (Markdown, tokens, region) is cached by content hash and, for the
    articles not in the cache, spread over ``jobs`` processes; the corpus-wide part (document
    frequencies, tags, themes) runs after, in order, so the result never depends on either.

    ``lean`` (a build, with a cache in a database): the results keep their body HTML and text in
    the cache, not in memory (``Analysed.stored``, read with :mod:`digestgen.bodies`), and, unless
    ``keep_body``, an article's Markdown is dropped once analysed, except where its HTML links
    files beside it (the site model then reports missing ones by line).
    """
    lean = lean and cache is not None and cache.folder is not None
    vocab = vocab or vocabulary()
    cache = cache or AnalysisCache(None, "")
    keys = cache.keys((config.themes, config.theme_min_score, config.themes_per_article, config.markdown_extensions),
                      articles)
    # A cache entry holds every field but the article (the key is made from it) and the problems.
    found: list[tuple[dict, list[Problem]] | None] = cache.get_many(keys, bodies=not lean, then=_compact)
    todo = [i for i, f in enumerate(found) if f is None]
    advance = progress or (lambda n: None)  # ``progress(n)``: n more articles analysed (a progress bar)
    advance(len(articles) - len(todo))
    for i, (result, found_problems) in zip(todo, _prepare_many([articles[i] for i in todo], config, jobs),
                                           strict=True):
        fields = _detached(result)
        cache.put(keys[i], (fields, found_problems))
        if lean:  # kept in the cache from here on
            fields = {**fields, "html": "", "text": ""}
        found[i] = _compact((fields, found_problems))
        advance(1)
    cache.save(set(keys))
    stored = [f for f in found if f is not None]
    prepared = [_Prepared(article=a, **fields) for (fields, _), a in zip(stored, articles, strict=True)]
    problems = [p for _, ps in stored for p in ps]
    del found, stored
    places = _place_words([p.region for p in prepared])
    for p in prepared:
        p.counts.drop(places)
    aliases = dict(config.tag_aliases)
    df: Counter = Counter()
    for p in prepared:
        df.update(p.counts.keys())
    # Never tags: the editor's stop list, theme names (themes have pages of their own), names of papers,
    # sites and apps, quantity phrases, words common in any text, and words on most articles of this archive.
    never = set(config.tag_stopwords) | {t.name for t in config.themes} \
        | tagging.archive_generic(df, len(prepared))
    named = set().union(*(p.programmes for p in prepared)) if prepared else set()
    for word in list(df):
        if word in never or tagging.is_media_name(word) or tagging.is_quantity(word, vocab.domain, word in named) \
                or (word not in named and tagging.is_generic(word, vocab.idf, vocab.domain)):
            never.add(word)
    for p in prepared:
        p.counts.drop(never)
    why: dict[tuple[str, str], str] = {}
    picked = [_tags(p, df, len(prepared), vocab, config.tags_per_article, why) for p in prepared]
    texts: Sequence[str] = [p.text for p in prepared]
    if lean:
        database = str(cache.folder)
        texts = _Texts([Stored(database, k, False) for k in keys])
    fold = tagging.fold_fragments([tuple(t) for t in picked], texts)
    results = []
    cut_tag = functools.lru_cache(maxsize=None)(lambda tag: tuple(vocab.cut(tag)))  # tags recur across articles
    for p, tags, key in zip(prepared, picked, keys, strict=True):
        tags = tuple(dict.fromkeys(fold.get(t, t) for t in tags))
        if tag_reasons is not None:
            for t in tags:
                tag_reasons[aliases.get(t, t)][why.get((p.article.source_file, t), f"part of {t} folded in")] += 1
        final_tags = tuple(dict.fromkeys(aliases.get(t, t) for t in p.article.tags + tags))
        analysed = {f.name: getattr(part, f.name) for part in p.parts for f in dataclasses.fields(part)}
        article, kept = p.article, None
        if lean:
            kept = Stored(str(cache.folder), key, p.local_refs)
            if not keep_body and not p.local_refs:
                article = dataclasses.replace(article, body="")
        results.append(Analysed(
            article=article,
            title=p.title,
            html=p.html,
            text=p.text,
            tags=final_tags,
            title_words=tuple(vocab.cut(p.title)),
            tag_words=tuple(map(cut_tag, final_tags)),
            stored=kept,
            **analysed,
        ))
    return results, problems


class _Texts(Sequence[str]):
    """Articles' plain texts read from the cache when asked for, each once."""

    def __init__(self, stored: list[Stored]) -> None:
        self.stored = stored
        self.read: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.stored)

    def __getitem__(self, i):
        if i not in self.read:
            from digestgen.bodies import _read
            self.read[i] = _read(self.stored[i].database, self.stored[i].key)[1]
        return self.read[i]


def _prepare_many(articles: list[Article], config: Config, jobs: int
                  ) -> Iterator[tuple[_Prepared, list[Problem]]]:
    """Markup, tokens and region of each article, over ``jobs`` processes when there are many.

    The workers get the articles with the config, once (inherited where processes fork), and
    are sent only positions in the list; they send back each result without its article, which
    the parent has: a third less to pickle, send and unpickle per article."""
    if jobs <= 1 or len(articles) < PARALLEL_MIN:
        return (_prepare(a, config) for a in articles)  # one at a time, as the caller stores them
    vocabulary()  # loaded once here; forked workers inherit it
    if any(regions.needs_detection(a.region) for a in articles):
        detector()  # the same, but only when some article's region is to be detected (it takes a while)
    results = parallel_map(_prepare_one, (config, articles), range(len(articles)), jobs,
                           chunksize=max(8, len(articles) // (jobs * 8)))
    return ((_Prepared(article=a, **fields), problems)
            for a, (fields, problems) in zip(articles, results, strict=True))


def _prepare_one(shared: tuple[Config, list[Article]], i: int) -> tuple[dict, list[Problem]]:
    config, articles = shared
    prepared, problems = _prepare(articles[i], config)
    return _detached(prepared), problems


def _prepare(article: Article, config: Config) -> tuple[_Prepared, list[Problem]]:
    vocab = vocabulary()
    problems: list[Problem] = []
    body_html = to_html(article.body, config.markdown_extensions)
    text = to_text(body_html)
    title = article.title
    if not title:
        title = placeholder_title(text) or article.source_file.rsplit("/", 1)[-1].removesuffix(".md")
        # An imported page that had no headline was reported by the importer; here it is only a note.
        problems.append(Problem(article.display_path, 1, "note" if article.imported_from else "warning",
                                f"no title; the pages show '{title}' (its first sentence); add 'title:' to the "
                                "front matter"))
    item = Item(article, text, config)
    parts = []
    for analyser in ANALYSERS:
        part, found = analyser(item)
        parts.append(part)
        problems += found
    problems += personal_data(article)
    excluded = set(article.authors)
    verdicts = vocab.verdicts

    def candidates(words: list[str]) -> Counter:
        # Most words are no candidates: keeping the others is cheaper than deleting them.
        return Counter({w: n for w, n in Counter(words).items()
                        if (verdicts[w] if w in verdicts else vocab.may_be_tag(w)) and w not in excluded})

    tag_title, tag_text = tagging.tag_title(article.title or ""), tagging.tag_text(text)
    title_words = frozenset(candidates(vocab.cut(tag_title)))
    counts = candidates(vocab.cut(tag_text))
    for word in _fragments([w for w in counts if len(w) == 2 and w not in vocab.domain], text):
        del counts[word]
    # Quoted programme names (“一村一辅警”, “四下降”) count whole, however jieba cuts them.
    named = programmes(tag_title, tag_text)
    for name, n in named.items():
        if name not in excluded and name not in vocab.stopwords:
            counts[name] += n
    for word in title_words:
        counts[word] += TITLE_WEIGHT
    return _Prepared(article, title, body_html, text, counts, title_words, tuple(parts),  # type: ignore[arg-type]
                     programmes=frozenset(named), local_refs=relative_refs(body_html)), problems


QUOTED = re.compile(r"[“\"]([\u4e00-\u9fff0-9+]{2,10})[”\"]")
PROGRAMME_MARK = re.compile(r"[一二三四五六七八九十两百千万0-9+]|(?:工程|行动|计划|机制|模式|战法|品牌|专项|工作法|警务|体系|平台|中心|网)$")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def _fragment(word: str, text: str) -> bool:
    """Whether a two-character word is always followed by the same character, as 牛家 in 牛家勇:
    then it is a piece of a longer name or term, not a tag of its own."""
    if len(word) != 2:
        return False
    following: set[str] = set()
    at = text.find(word)
    while at >= 0 and len(following) < 2:
        following.add(text[at + 2:at + 3])
        at = text.find(word, at + 1)
    return len(following) == 1 and bool(CJK.match(next(iter(following))))


def _fragments(words: list[str], text: str) -> list[str]:
    """The two-character words of ``words`` for which :func:`_fragment` holds, in their order:
    the same answers, with less work for the many words that are not fragments."""
    found = []
    for word in words:
        at = text.find(word)
        if at < 0:
            continue
        after = text[at + 2:at + 3]
        if not after or not CJK.match(after):
            continue  # whatever follows the other occurrences, this is no fragment
        at = text.find(word, at + 1)
        while at >= 0 and text[at + 2:at + 3] == after:
            at = text.find(word, at + 1)
        if at < 0:  # every occurrence is followed by the same CJK character
            found.append(word)
    return found


def programmes(title: str, text: str) -> Counter:
    """Programme and campaign names in quotes: with a number (“一村一辅警”, “四下降”, “六个+”) or a
    programme word at the end (“雪亮工程”, “云剑行动”); quoted metaphors (“金钥匙”), a count (“一辆车”)
    and a programme word alone (“专项”) are not."""
    found: Counter = Counter()
    in_title = set(QUOTED.findall(title))
    for source, weight in ((title, TITLE_WEIGHT), (text, 1)):
        for name in QUOTED.findall(source):
            mark = PROGRAMME_MARK.search(name)
            if mark and not name.isdigit() and not NOT_PROGRAMME.match(name) \
                    and (mark.start() > 1 or mark.group(0)[0] in NUMERALS):
                found[name] += weight
            elif name in in_title and source is text and len(name) >= 3:
                found[name] += weight + (TITLE_WEIGHT if found[name] == 0 else 0)  # “红袖标” in title and body
    return found


NUMERALS = "一二三四五六七八九十两百千万0123456789"
NOT_PROGRAMME = re.compile(r"^(?:[一两二三四五六七八九十几0-9]+(?:个|名|位|辆|次|件|起|人|天|年|月)[\u4e00-\u9fff]{0,2}|实际行动|"
                           r"[\u4e00-\u9fff]?(?:专项|行动|工程|计划|机制|模式|平台|中心|体系|网))$")


ELEVEN_DIGITS = re.compile(r"\d{11}")
"""Both an ID-card number and a mobile number hold eleven digits in a row."""


def personal_data(article: Article) -> list[Problem]:
    """Warnings for ID-card and mobile numbers in the body, with their lines (``--strict`` fails on them)."""
    problems: list[Problem] = []
    if not ELEVEN_DIGITS.search(article.body):
        return problems
    for offset, line in enumerate(article.body.splitlines()):
        for pattern, what in ((ID_NUMBER, "an ID-card number"), (MOBILE, "a mobile phone number")):
            for m in pattern.finditer(line):
                masked = m.group(0)[:3] + "*" * (len(m.group(0)) - 5) + m.group(0)[-2:]
                problems.append(Problem(article.display_path, article.body_line + offset, "warning",
                                        f"the body contains what looks like {what} ({masked}); remove or mask it "
                                        "before publishing"))
    return problems


def _tags(p: _Prepared, df: Counter, n: int, vocab: Vocabulary, limit: int,
          why: dict[tuple[str, str], str] | None = None) -> tuple[str, ...]:
    blend = n / (n + IDF_BLEND_ARTICLES)
    scored = []
    for word, count in p.counts.items():
        # A word seen once is a passing mention unless it is a known police-work term or in the title.
        if count < 2 and word not in vocab.domain and word not in p.title_words and not PROGRAMME_MARK.search(word):
            continue
        corpus_idf = math.log((n + 1) / (df[word] + 1)) + 1
        general_idf = vocab.idf.get(word, vocab.median_idf)
        idf = blend * corpus_idf * (vocab.median_idf / 2) + (1 - blend) * general_idf
        scored.append(((1 + math.log(count)) * idf, word))
    scored.sort(key=lambda s: (-s[0], s[1]))
    chosen: list[str] = []
    for _score, word in scored:
        # Keep the longer term when a shorter one is part of it (反电诈中心 over 反电诈).
        if any(word in c or c in word for c in chosen):
            continue
        chosen.append(word)
        if why is not None:
            why[(p.article.source_file, word)] = _reason(p, word, vocab)
        if len(chosen) == limit:
            break
    return tuple(chosen)


def _reason(p: _Prepared, word: str, vocab: Vocabulary) -> str:
    if word in p.title_words:
        return "in the title"
    if word in vocab.domain:
        return "police-work dictionary"
    if word in p.programmes:
        return "quoted programme name"
    return "frequent in the article, rare elsewhere"


def _place_words(regions: list[Region]) -> frozenset[str]:
    """Every region name in the archive, full and short (衡南县, 衡南): places are never tags."""
    words = set()
    for region in regions:
        for name in region.names:
            words.add(name)
            words.add(short_place_name(name))
    return frozenset(words)
