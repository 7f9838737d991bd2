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
import time
from array import array
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from typing import NamedTuple, Protocol
from dataclasses import dataclass

from digestgen.config import Config
from digestgen.parallel import chunk_size, parallel_map, start_method
from digestgen.bodies import stored_text
from digestgen.analysis.markup import relative_refs, to_html, to_text
from digestgen.memory import give_back
from digestgen.model import Stored
from digestgen.model import Analysed, Article, Problem, Region, shared_figures, short_place_name
from digestgen.analysis.cache import AnalysisCache
from digestgen.analysis import figures, regions, summary, themes, tokens
from digestgen.analysis.item import Item
from digestgen.analysis.themes import TITLE_WEIGHT
from digestgen.analysis.regions import detector
from digestgen.analysis.summary import placeholder_title
from digestgen.analysis.tokens import CJK, Vocabulary, vocabulary
from digestgen.analysis import tagging

IDF_BLEND_ARTICLES = 200
"""With this many articles the archive's own IDF and jieba's weigh the same."""
GIVE_BACK_EVERY = 2000
"""Articles let go of between two hand-backs of their Markdown's memory (see ``analyse``'s ``let_go``)."""
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


_NO_WORDS: frozenset[str] = frozenset()


def _compact(value: tuple[dict, list[Problem]]) -> tuple[dict, list[Problem]]:
    """An entry as the corpus pass holds it for every article at once: its word counts compact, the
    words of its title and its programme names interned (each set of them held once when empty)."""
    fields, problems = value
    return {**fields, "counts": WordCounts(fields["counts"]), "title_words": _interned_set(fields["title_words"]),
            "programmes": _interned_set(fields["programmes"])}, problems


def _interned_set(words) -> frozenset[str]:
    return frozenset(map(sys.intern, words)) if words else _NO_WORDS


@dataclass(frozen=True, slots=True)
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


class PassSettings(NamedTuple):
    """Everything the corpus pass depends on besides the articles (what :class:`Warm` checks)."""

    salt: bytes
    settings: tuple
    """The analysis settings (themes, Markdown extensions)."""
    lean: bool
    keep_body: bool
    keep_figures: bool
    folder: str
    vocab: int
    """Which vocabulary (its ``id``)."""
    static_never: frozenset[str]
    tag_aliases: tuple
    tags_per_article: int


def analyse(articles: list[Article], config: Config, vocab: Vocabulary | None = None,
            cache: AnalysisCache | None = None, jobs: int = 1,
            tag_reasons: dict[str, Counter] | None = None,
            progress: Callable[[int], None] | None = None, lean: bool = False,
            keep_body: bool = True, warm: Warm | None = None,
            keep_figures: bool = False, let_go: bool = False,
            corpus: CorpusPass | None = None) -> tuple[list[Analysed], list[Problem]]:
    """Analyse the whole corpus at once (tag weights depend on every article).

    The per-article work (Markdown, tokens, region) is cached by content hash and, for the
    articles not in the cache, spread over ``jobs`` processes; the corpus-wide part (document
    frequencies, tags, themes) runs after, in order, so the result never depends on either.

    ``lean`` (a build, with a cache in a database): the results keep their body HTML and text in
    the cache, not in memory (``Analysed.stored``, read with :mod:`digestgen.bodies`), and, unless
    ``keep_body``, an article's Markdown is dropped once analysed, except where its HTML links
    files beside it (the site model then reports missing ones by line). The key figures are kept
    with the body too (only ``counted`` stays in the record) unless ``keep_figures`` (a template
    shows them on other pages than the article's own).

    ``warm`` (``serve``) keeps the corpus pass from one call to the next: when only a few articles
    changed, only the articles whose tags those changes can move are weighed again, and every
    other result is the very object the last call returned (see :class:`Warm`).

    ``corpus`` (a build that keeps a snapshot for the next one's edit, see :mod:`digestgen.patch`)
    receives what the corpus pass found (see :class:`CorpusPass`).

    ``let_go`` (the caller hands ``articles`` over, and will not analyse them again): in a lean
    build that keeps no Markdown, each article of the list is replaced by one without its body as
    soon as it is analysed (or found in the cache), so the archive's bodies, the bulk of the
    loaded articles, are never all held beside the results. Articles that link files beside them
    keep theirs.
    """
    lean = lean and cache is not None and cache.folder is not None
    vocab = vocab or vocabulary()
    cache = cache or AnalysisCache(None, "")
    settings = analysis_settings(config)
    if warm is not None and tag_reasons is None:
        pass_settings = PassSettings(cache.salt, settings, lean, keep_body, keep_figures, str(cache.folder), id(vocab),
                                     frozenset(_static_never(config)), config.tag_aliases, config.tags_per_article)
        keys = warm.keys_of(articles, cache, settings, pass_settings)
        done = warm.update(articles, keys, config, vocab, cache, pass_settings)
        if done is not None:
            if progress is not None:
                progress(len(articles))
            return done
    else:
        warm = None
        keys = cache.keys(settings, articles)
    # A cache entry holds every field but the article (the key is made from it) and the problems.
    found: list[tuple[dict, list[Problem]] | None] = cache.get_many(keys, bodies=not lean, then=_compact,
                                                                    figures=keep_figures)
    todo = [i for i, f in enumerate(found) if f is None]
    advance = progress or (lambda n: None)  # ``progress(n)``: n more articles analysed (a progress bar)
    advance(len(articles) - len(todo))
    # Where workers are forked, they all are before the first result comes back, so a body let go
    # of here is never one a worker has yet to read (a spawned worker could start later).
    let_go = let_go and lean and not keep_body and warm is None and (jobs <= 1 or start_method() == "fork")
    if let_go:
        for i, f in enumerate(found):
            if f is not None:
                _let_go(articles, i, f)
        give_back()
    fresh = [articles[i] for i in todo]
    for k, (i, result) in enumerate(zip(todo, _fresh(fresh, [keys[i] for i in todo], config, cache, jobs, lean,
                                                     keep_figures), strict=True)):
        found[i] = result
        if let_go:
            _let_go(articles, i, result)
            fresh[k] = articles[i]  # the workers' list held the article with its body too
            if k % GIVE_BACK_EVERY == GIVE_BACK_EVERY - 1:
                give_back()  # the results come in memory of another kind, which could not reuse it
        advance(1)
    del fresh
    cache.save(set(keys))
    stored = [f for f in found if f is not None]
    prepared = [_Prepared(article=a, **fields) for (fields, _), a in zip(stored, articles, strict=True)]
    found_problems = [ps for _, ps in stored]
    problems = [p for ps in found_problems for p in ps]
    del found, stored
    places = _place_words([p.region for p in prepared])
    for p in prepared:
        p.counts.drop(places)
    candidates = [p.counts.keys() for p in prepared]
    df: Counter = Counter()
    for words in candidates:
        df.update(words)
    # Never tags: the editor's stop list, theme names (themes have pages of their own), names of papers,
    # sites and apps, quantity phrases, words common in any text, and words on most articles of this archive.
    named = set().union(*(p.programmes for p in prepared)) if prepared else set()
    never = _static_never(config) | {w for w, k in df.items() if _never(w, k, len(prepared), named, vocab)}
    for p in prepared:
        p.counts.drop(never)
    why: dict[tuple[str, str], str] | None = {} if tag_reasons is not None else None  # asked for by ``evaluate``
    picked = [_tags(p, df, len(prepared), vocab, config.tags_per_article, why) for p in prepared]
    fold = tagging.fold_fragments([tuple(t) for t in picked], _texts_of(prepared, keys, cache, lean))
    if corpus is not None:
        corpus.fill(keys, prepared, df, never, picked, fold)
    cut_tag = _tag_cutter(vocab)
    shared: dict = {}  # regions recur across articles too
    results = []
    if warm is None:  # each article's words and counts are let go of as its result is made
        del candidates
    for p, tags, key in zip(prepared if warm is not None else _drained(prepared), picked, keys, strict=True):
        if tag_reasons is not None and why is not None:
            aliases = dict(config.tag_aliases)
            for t in dict.fromkeys(fold.get(t, t) for t in tags):
                tag_reasons[aliases.get(t, t)][why.get((p.article.source_file, t), f"part of {t} folded in")] += 1
        results.append(_result(p, tags, fold, key, config, vocab, cache, lean, keep_body, cut_tag, keep_figures,
                               shared))
    if warm is not None:
        warm.remember(pass_settings, keys, prepared, candidates, found_problems, results, df, never, picked, fold)
    return results, problems


def _tag_cutter(vocab: Vocabulary) -> Callable[[str], tuple[str, ...]]:
    """A tag's words, each tag cut once (tags recur across articles)."""
    return functools.lru_cache(maxsize=None)(lambda tag: tuple(vocab.cut(tag)))


def _archive_names(prepared: Sequence[_Prepared]) -> tuple[Counter, Counter]:
    """Articles per place word and per quoted programme name: the archive-wide sets tags are weighed against."""
    return (Counter(w for p in prepared for w in _place_words([p.region])),
            Counter(w for p in prepared for w in p.programmes))


def _flips(counts: Counter, delta: Counter) -> bool:
    """Whether moving ``counts`` by ``delta`` takes a word into or out of the set of those counted."""
    return any((counts[w] > 0) != (counts[w] + d > 0) for w, d in delta.items() if d)


def analysis_settings(config: Config) -> tuple:
    """The settings an article's analysis entry is keyed by, besides the article."""
    return (config.themes, config.theme_min_score, config.themes_per_article, config.markdown_extensions)


def _drained(items: list) -> Iterator:
    """The items of ``items`` in order, each let go of by the list as it is handed out."""
    items.reverse()
    while items:
        yield items.pop()


def _let_go(articles: list[Article], i: int, found: tuple[dict, list[Problem]]) -> None:
    """Replace ``articles[i]`` by the article without its body, unless its HTML links files beside it."""
    articles[i] = _without_body(articles[i], found[0]["local_refs"])


def _without_body(article: Article, local_refs: bool) -> Article:
    """The article without its Markdown, unless its HTML links files beside it (the site model
    reports missing ones by line) or it has none to drop (then the very same article)."""
    return dataclasses.replace(article, body="") if article.body and not local_refs else article


def release() -> None:
    """Let go of the dictionaries the analysis loaded (jieba's, the part-of-speech and IDF tables, the
    region detector): a build that will not analyse again frees a hundred megabytes or more for the
    stages after it. They are loaded again if anything asks for them."""
    vocabulary.cache_clear()
    tokens._jieba_idf.cache_clear()
    regions.detector.cache_clear()


def _fresh(articles: list[Article], keys: list[str], config: Config, cache: AnalysisCache, jobs: int,
           lean: bool, keep_figures: bool = False) -> Iterator[tuple[dict, list[Problem]]]:
    """Analyse articles the cache does not have, storing each result as it comes."""
    # As the cache's entries are read back: in a lean build that keeps nothing in memory between
    # builds and shows key figures on their article's page only, without them (they are in the cache).
    apart = lean and not keep_figures and cache.memory is None
    for key, (result, found_problems) in zip(keys, _prepare_many(articles, config, jobs), strict=True):
        fields = _detached(result)
        cache.put(key, (fields, found_problems))
        if lean:  # kept in the cache from here on
            fields = {**fields, "html": "", "text": ""}
        fields["parts"] = tuple(_shared(part, apart) for part in fields["parts"])
        yield _compact((fields, found_problems))


def _shared(part, apart: bool = False):
    """A part with its key figures' recurring strings shared (see ``Figure.shared``); with ``apart``,
    with only the counted ones (the others are kept with the body)."""
    if isinstance(part, figures.FiguresPart):
        if apart:
            return figures.FiguresPart((), shared_figures(part.counted), part.figures_digest)
        found = shared_figures(part.key_figures)
        return figures.FiguresPart(found, figures.counted(found), part.figures_digest)
    return part


def _static_never(config: Config) -> set[str]:
    """Words that are never tags whatever the archive: the editor's stop list and the theme names."""
    return set(config.tag_stopwords) | {t.name for t in config.themes}


def _never(word: str, articles: int, n: int, named: Set[str], vocab: Vocabulary) -> bool:
    """Whether a word found on ``articles`` of the ``n`` articles is never a tag: a name of a paper,
    site or app, a quantity phrase, a word common in any text, or one on most articles of the archive."""
    return (n >= tagging.GENERIC_DF_MIN_ARTICLES and articles > tagging.GENERIC_DF * n) \
        or tagging.is_media_name(word) or tagging.is_quantity(word, vocab.domain, word in named) \
        or (word not in named and tagging.is_generic(word, vocab.idf, vocab.domain))


def _texts_of(prepared: list[_Prepared], keys: list[str], cache: AnalysisCache, lean: bool) -> Sequence[str]:
    if lean:
        database = str(cache.folder)
        return _Texts([Stored(database, k, False) for k in keys])
    return [p.text for p in prepared]


def _result(p: _Prepared, picked: tuple[str, ...], fold: Mapping[str, str], key: str, config: Config,
            vocab: Vocabulary, cache: AnalysisCache, lean: bool, keep_body: bool, cut_tag,
            keep_figures: bool = False, shared: dict | None = None) -> Analysed:
    """An article's result, once its tags are picked and folded. Values that recur across articles
    (a region and its path) are the one copy kept in ``shared``; a title as the front matter gives
    it is the article's own string."""
    aliases = dict(config.tag_aliases)
    tags = tuple(dict.fromkeys(fold.get(t, t) for t in picked))
    final_tags = tuple(dict.fromkeys(aliases.get(t, t) for t in p.article.tags + tags))
    analysed = {f.name: getattr(part, f.name) for part in p.parts for f in dataclasses.fields(part)}
    if shared is not None:
        for name in ("region", "region_path"):
            analysed[name] = shared.setdefault(analysed[name], analysed[name])
    article, kept = p.article, None
    if lean:
        kept = Stored(sys.intern(str(cache.folder)), key, p.local_refs)  # the one copy of its path
        if not keep_figures:
            analysed["key_figures"] = ()  # kept with the body (see ``bodies.figures_of``)
        if not keep_body:
            article = _without_body(article, p.local_refs)
    return Analysed(
        article=article,
        title=article.title if p.title == article.title else p.title,
        html=p.html,
        text=p.text,
        tags=final_tags,
        title_words=tuple(map(sys.intern, vocab.cut(p.title))),  # words recur across titles: one copy each
        tag_words=tuple(map(cut_tag, final_tags)),
        stored=kept,
        **analysed,
    )


WARM_MAX_CHANGED = 64
"""More changed articles than this and :class:`Warm` lets the whole corpus pass run again."""


class Warm:
    """The last corpus pass of a long-running process (``serve``), to redo only what an edit moves.

    A tag's weight on an article depends on the article's own word counts and, through document
    frequencies, on every other article. After a few articles changed (the same number of articles,
    the same place names and quoted programme names across the archive), the document frequency of
    a few words moved; only the articles holding one of those words as a candidate are weighed
    again, and only if some article's picked tags changed, or a changed article holds a tag another
    tag contains, are the near-duplicate folds worked out again. Anything else (an article added or
    removed, a word crossing the archive-generic line on unchanged articles, other settings) runs the
    whole pass. Either way the result is the one the whole pass gives.
    """

    def __init__(self) -> None:
        self.settings: PassSettings | None = None
        """What the last pass depended on besides the articles (see ``analyse``)."""
        self.marked = 0.0
        """The day every key was last marked used in the cache."""
        self._keys_by_article: dict[int, tuple[Article, str]] = {}
        self.keys: list[str] = []
        self.prepared: list[_Prepared] = []
        """Each article's prepared form, its counts without place words and never-tags."""
        self.candidates: list[tuple[str, ...]] = []
        """Each article's candidate words without place words (what document frequencies count)."""
        self.problems: list[list[Problem]] = []
        self.results: list[Analysed] = []
        self.df: Counter = Counter()
        self.never: set[str] = set()
        self.places: Counter = Counter()
        self.named: Counter = Counter()
        self.picked: list[tuple[str, ...]] = []
        self.fold: dict[str, str] = {}
        self.holders: dict[str, list[int]] = {}
        """Each word still a candidate after the never-tags are dropped -> the articles holding it."""

    def keys_of(self, articles: list[Article], cache: AnalysisCache, settings: object,
                pass_settings: PassSettings) -> list[str]:
        """The analysis keys of ``articles``, made only for articles not seen by the last call."""
        if self.settings != pass_settings:
            self._keys_by_article = {}
        known = self._keys_by_article
        todo = [a for a in articles if id(a) not in known or known[id(a)][0] is not a]
        made = dict(zip(map(id, todo), cache.keys(settings, todo), strict=True))
        keys = [made[id(a)] if id(a) in made else known[id(a)][1] for a in articles]
        self._keys_by_article = {id(a): (a, k) for a, k in zip(articles, keys, strict=True)}
        return keys

    def remember(self, pass_settings: PassSettings, keys, prepared, candidates, problems, results, df, never, picked,
                 fold) -> None:
        """Keep what a whole pass found, for the next call."""
        self.marked = time.time() // 86400  # the whole pass marked every key
        self.settings = pass_settings
        self.keys, self.prepared, self.candidates = list(keys), prepared, [tuple(c) for c in candidates]
        self.problems, self.results, self.df, self.never = problems, list(results), df, never
        self.places, self.named = _archive_names(prepared)
        self.picked, self.fold = [tuple(t) for t in picked], fold
        holders: dict[str, list[int]] = {}
        for i, p in enumerate(prepared):
            for w in p.counts.words:
                holders.setdefault(w, []).append(i)
        self.holders = holders

    def update(self, articles: list[Article], keys: list[str], config: Config, vocab: Vocabulary,
               cache: AnalysisCache, pass_settings: PassSettings) -> tuple[list[Analysed], list[Problem]] | None:
        """The results for ``articles`` worked out from the last call's, or None: run the whole pass."""
        n = len(articles)
        if self.settings != pass_settings or len(self.keys) != n:
            return None
        changed = [i for i in range(n) if keys[i] != self.keys[i]]
        if len(changed) > WARM_MAX_CHANGED:
            return None
        lean, keep_body, keep_figures = pass_settings.lean, pass_settings.keep_body, pass_settings.keep_figures
        static = pass_settings.static_never
        if changed:
            found = cache.get_many([keys[i] for i in changed], bodies=not lean, then=_compact, figures=keep_figures)
            todo = [j for j, f in enumerate(found) if f is None]
            for j, result in zip(todo, _fresh([articles[changed[j]] for j in todo], [keys[changed[j]] for j in todo],
                                              config, cache, 1, lean, keep_figures), strict=True):
                found[j] = result
        else:
            found = []
        # The entries a build reads are marked used in the cache, which keeps them from being removed
        # as stale: the changed ones were just read; every other one is marked again once a day.
        today = time.time() // 86400
        daily = today != self.marked
        if daily:
            cache.records.get_many(list(keys), columns=0)
            self.marked = today
        cache.save(set(keys) if daily else None)
        new = {i: _Prepared(article=articles[i], **entry[0]) for i, entry in zip(changed, found, strict=True)
               if entry is not None}
        # The archive-wide sets every article is weighed against must be the same.
        place_delta: Counter = Counter()
        named_delta: Counter = Counter()
        for i in changed:
            place_delta.subtract(_place_words([self.prepared[i].region]))
            place_delta.update(_place_words([new[i].region]))
            named_delta.subtract(self.prepared[i].programmes)
            named_delta.update(new[i].programmes)
        if _flips(self.places, place_delta) or _flips(self.named, named_delta):
            return None
        places = frozenset(w for w, k in self.places.items() if k > 0)
        named = {w for w, k in self.named.items() if k > 0}
        df_delta: Counter = Counter()
        candidates: dict[int, tuple[str, ...]] = {}
        for i in changed:
            new[i].counts.drop(places)
            candidates[i] = tuple(new[i].counts.keys())
            df_delta.subtract(self.candidates[i])
            df_delta.update(candidates[i])
        moved = {w: d for w, d in df_delta.items() if d}
        never_now: dict[str, bool] = {}
        weighed = set(changed)
        changed_set = set(changed)
        for w, d in moved.items():
            before = w in self.never
            count = self.df[w] + d
            now = w in static or (count > 0 and _never(w, count, n, named, vocab))
            never_now[w] = now
            if before != now:
                old_holders = self.df[w] - sum(w in self.candidates[i] for i in changed)
                if old_holders > 0:  # it is a candidate on unchanged articles too: their counts change
                    return None
            elif not now:
                weighed.update(self.holders.get(w, ()))
        never = set(self.never)
        for w, now in never_now.items():
            if now:
                never.add(w)
            else:
                never.discard(w)
        df = self.df.copy()
        df.update(moved)
        for w in [w for w in moved if df[w] <= 0]:
            del df[w]
        for i in changed:
            new[i].counts.drop(never)
        prepared = list(self.prepared)
        for i in changed:
            prepared[i] = new[i]
        limit = config.tags_per_article
        picked = list(self.picked)
        for i in sorted(weighed):
            picked[i] = _tags(prepared[i], df, n, vocab, limit)
        moved_picks = [i for i in weighed if picked[i] != self.picked[i]]
        fold = self.fold
        if moved_picks or _may_fold(changed, picked, self.picked):
            fold = tagging.fold_fragments(picked, _texts_of(prepared, keys, cache, lean))
        refold = {t for t in fold.keys() | self.fold.keys() if fold.get(t) != self.fold.get(t)}
        redo = set(moved_picks) | changed_set
        if refold:
            redo.update(i for i, tags in enumerate(picked) if refold.intersection(tags))
        cut_tag = _tag_cutter(vocab)
        shared: dict = {}
        results = list(self.results)
        for i in sorted(redo):
            results[i] = _result(prepared[i], picked[i], fold, keys[i], config, vocab, cache, lean, keep_body,
                                 cut_tag, keep_figures, shared)
            if i not in changed_set and results[i] == self.results[i]:
                results[i] = self.results[i]  # the same object, so later stages see it is unchanged
        problems = list(self.problems)
        for j, i in enumerate(changed):
            problems[i] = found[j][1]
        # What the next call starts from.
        if cache.memory is not None:  # the changed articles' earlier entries are not wanted again
            for key in {self.keys[i] for i in changed} - set(keys):
                cache.memory.pop(key, None)
        for i in changed:
            old_words = set(self.prepared[i].counts.keys())
            for w in old_words - set(new[i].counts.keys()):
                self.holders[w].remove(i)
                if not self.holders[w]:
                    del self.holders[w]
            for w in set(new[i].counts.keys()) - old_words:
                self.holders.setdefault(w, []).append(i)
            self.candidates[i] = candidates[i]
        self.places.update(place_delta)
        self.named.update(named_delta)
        self.keys, self.prepared, self.problems, self.results = list(keys), prepared, problems, results
        self.df, self.never, self.picked, self.fold = df, never, picked, fold
        return list(results), [p for ps in problems for p in ps]


def _may_fold(changed: list[int], picked: list[tuple[str, ...]], before: list[tuple[str, ...]]) -> bool:
    """Whether a changed article's text can change the folds: it holds a tag that another tag contains."""
    mine = {t for i in changed for t in picked[i] + before[i]}
    if not mine:
        return False
    names = {t for tags in picked for t in tags}
    return any(len(other) > len(t) and t in other for t in mine for other in names)


@dataclass
class CorpusPass:
    """What a whole corpus pass found (``analyse(..., corpus=)``), for a snapshot from which a later
    build re-weighs only what an edit of one article can move (:func:`reweigh`). Articles are
    numbered in the order they were analysed."""

    filled: bool = False
    keys: list[str] = dataclasses.field(default_factory=list)
    df: Counter = dataclasses.field(default_factory=Counter)
    """Articles holding each candidate word (place names left out)."""
    never: set[str] = dataclasses.field(default_factory=set)
    places: Counter = dataclasses.field(default_factory=Counter)
    """Articles naming each place word."""
    named: Counter = dataclasses.field(default_factory=Counter)
    """Articles quoting each programme name."""
    picked: list[tuple[str, ...]] = dataclasses.field(default_factory=list)
    fold: dict[str, str] = dataclasses.field(default_factory=dict)
    holders: dict[str, array] = dataclasses.field(default_factory=dict)
    """Each word still a candidate once the never-tags are dropped -> the articles holding it."""

    def fill(self, keys: list[str], prepared: list[_Prepared], df: Counter, never: set[str],
             picked: list[tuple[str, ...]], fold: dict[str, str]) -> None:
        self.filled, self.keys, self.df, self.never = True, list(keys), df, never
        self.places, self.named = _archive_names(prepared)
        self.picked, self.fold = [tuple(t) for t in picked], dict(fold)
        holders: dict[str, array] = {}
        for i, p in enumerate(prepared):
            for w in p.counts.words:
                found = holders.get(w)
                if found is None:
                    found = holders[w] = array("I")
                found.append(i)
        self.holders = holders


class LastPass(Protocol):
    """The last build's corpus pass as a snapshot holds it (see :class:`CorpusPass`), read as asked."""

    n: int
    places: Counter
    named: Counter
    fold: dict[str, str]

    def words(self, words: Set[str]) -> dict[str, tuple[int, bool, Sequence[int]]]:
        """``word -> (articles holding it, whether it is never a tag, the articles holding it as a
        candidate)`` for those of ``words`` the archive has."""

    def keys(self, articles: Set[int]) -> dict[int, str]:
        """The analysis keys of these articles."""

    def picked(self) -> list[tuple[str, ...]]:
        """Every article's picked tags (before folding)."""


@dataclass
class Reweighed:
    """An edited article's result, with what its edit changed in the corpus pass."""

    result: Analysed
    problems: list[Problem]
    df: dict[str, int]
    """The new count of each word whose count moved (0: no article holds it any more)."""
    never: dict[str, bool]
    """Whether each word whose count moved is never a tag now."""
    gained: set[str]
    """Words the article now holds as candidates and did not."""
    lost: set[str]
    places: Counter
    """How the articles naming each place word moved."""
    named: Counter
    """How the articles quoting each programme name moved."""


REWEIGH_MAX = 3000
"""More articles than this to weigh again after an edit, and the whole build runs instead."""


def reweigh(i: int, article: Article, key: str, old_key: str, last: LastPass, config: Config, vocab: Vocabulary,
            cache: AnalysisCache, keep_body: bool, keep_figures: bool) -> Reweighed | None:
    """Article ``i``'s result after an edit, when the edit leaves every other article's tags, the
    folds and the archive-wide word sets as they were (what :class:`Warm` finds, for one article,
    from the last build's snapshot rather than from memory); None otherwise, or when the last
    build's entry for the article is gone: then the whole build runs. A lean build's result."""
    found = cache.get_many([key], bodies=False, then=_compact, figures=keep_figures)[0]
    if found is None:
        found = next(_fresh([article], [key], config, cache, 1, True, keep_figures))
        cache.save()
    old = cache.get_many([old_key], bodies=False, then=_compact)[0]
    if old is None:
        return None
    new_p, old_p = _Prepared(article=article, **found[0]), _Prepared(article=article, **old[0])
    if new_p.local_refs or old_p.local_refs:
        return None  # the site model rewrites its links and copies the files it links, each build
    place_delta, named_delta = Counter(_place_words([new_p.region])), Counter(new_p.programmes)
    place_delta.subtract(_place_words([old_p.region]))
    named_delta.subtract(old_p.programmes)
    if _flips(last.places, place_delta) or _flips(last.named, named_delta):
        return None
    places = frozenset(w for w, k in last.places.items() if k > 0)
    named = {w for w, k in last.named.items() if k > 0}
    for p in (new_p, old_p):
        p.counts.drop(places)
    new_words, old_words = set(new_p.counts.keys()), set(old_p.counts.keys())
    moved = new_words ^ old_words
    known = last.words(new_words | old_words)
    static, n = _static_never(config), last.n
    df = {w: known[w][0] if w in known else 0 for w in new_words | old_words}
    never = {w for w in df if w in known and known[w][1]}
    weighed: set[int] = set()
    now_never: dict[str, bool] = {}
    for w in moved:
        count = df[w] + (1 if w in new_words else -1)
        now = w in static or (count > 0 and _never(w, count, n, named, vocab))
        now_never[w] = now
        if (w in never) != now:
            if df[w] - (w in old_words) > 0:  # a candidate on other articles too: their counts change
                return None
        elif not now and w in known:
            weighed.update(known[w][2])
        df[w] = count
        (never.add if now else never.discard)(w)
    weighed.discard(i)
    if len(weighed) > REWEIGH_MAX:
        return None
    new_p.counts.drop(never)
    old_p.counts.drop({w for w in old_words if w in known and known[w][1]})
    limit = config.tags_per_article
    every = last.picked()
    picked = _tags(new_p, Counter(df), n, vocab, limit)
    if picked != every[i]:
        return None
    if weighed and not _same_tags(sorted(weighed), every, last, df, never, places, n, vocab, limit, cache):
        return None
    database = str(cache.folder)
    texts = _LastTexts(last, len(every), database)
    old_text, new_text = stored_text(Stored(database, old_key, False), ""), stored_text(Stored(database, key, False), "")
    if not tagging.same_fold(last.fold, every, i, old_text, new_text, texts):
        return None
    cut_tag = _tag_cutter(vocab)
    result = _result(new_p, picked, last.fold, key, config, vocab, cache, True, keep_body, cut_tag, keep_figures, {})
    return Reweighed(result, list(found[1]), {w: df[w] for w in moved}, now_never,
                     set(new_p.counts.keys()) - set(old_p.counts.keys()),
                     set(old_p.counts.keys()) - set(new_p.counts.keys()), place_delta, named_delta)


class _LastTexts(Sequence[str]):
    """Every article's plain text as the last build kept it, read when first asked for: the keys
    of all articles are read only if the fold's rule reads another article's text."""

    def __init__(self, last: LastPass, n: int, database: str) -> None:
        self.last, self.n, self.database = last, n, database
        self.keys: dict[int, str] | None = None
        self.read: dict[int, str] = {}

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, j):
        if not isinstance(j, int) or not 0 <= j < self.n:
            raise IndexError(j)
        if j not in self.read:
            if self.keys is None:
                self.keys = self.last.keys(set(range(self.n)))
            self.read[j] = stored_text(Stored(self.database, self.keys[j], False), "")
        return self.read[j]


def _same_tags(weighed: list[int], every: list[tuple[str, ...]], last: LastPass, df: dict[str, int], never: set[str],
               places: frozenset[str], n: int, vocab: Vocabulary, limit: int, cache: AnalysisCache) -> bool:
    """Whether the articles ``weighed`` pick the tags they picked, with the new counts ``df``."""
    keys = last.keys(set(weighed))
    if len(keys) != len(weighed):
        return False
    found = cache.get_many([keys[j] for j in weighed], bodies=False, then=_compact)
    if any(f is None for f in found):
        return False
    prepared = []
    words: set[str] = set()
    for j, f in zip(weighed, found, strict=True):
        p = _Prepared(article=None, **f[0])  # type: ignore[arg-type]  # weighed by its counts alone
        p.counts.drop(places)
        words.update(p.counts.keys())
        prepared.append((j, p))
    known = last.words(words - df.keys())
    counts = Counter({w: k[0] for w, k in known.items()})
    counts.update(df)
    dropped = never | {w for w, k in known.items() if k[1]}
    for j, p in prepared:
        p.counts.drop(dropped)
        if _tags(p, counts, n, vocab, limit) != every[j]:
            return False
    return True


def result_of(article: Article, key: str, picked: tuple[str, ...], fold: dict[str, str], config: Config,
              vocab: Vocabulary, cache: AnalysisCache, keep_body: bool, keep_figures: bool) -> Analysed | None:
    """An article's result as the last lean build made it, from its analysis entry and the tags the
    corpus pass picked for it; None if the entry is gone."""
    found = cache.get_many([key], bodies=False, then=_compact, figures=keep_figures)[0]
    if found is None:
        return None
    cut_tag = _tag_cutter(vocab)
    return _result(_Prepared(article=article, **found[0]), picked, fold, key, config, vocab, cache, True, keep_body,
                   cut_tag, keep_figures, {})


class _Texts(Sequence[str]):
    """Articles' plain texts read from the cache when asked for, each once."""

    def __init__(self, stored: list[Stored]) -> None:
        self.stored = stored
        self.read: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.stored)

    def __getitem__(self, i):
        if i not in self.read:
            self.read[i] = stored_text(self.stored[i], "")
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
                           chunksize=chunk_size(len(articles), jobs, 8, 128))
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
