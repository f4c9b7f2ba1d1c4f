"""Which picture or clip each scene shows: a pure function of the scenes' words and the
candidates, so it is fast, testable and the same on every run.

A scene whose picture the person chose in the storyboard (`asset`, a library item's id) shows
that item, whatever the mode, and no other scene is given it. Order for the others (mode
`auto`): the best-matching item of the person's library that this video
has not used yet; else a stock hit not used yet (when a stock source is configured); else a
library item already used, if it matches; else the procedural picture. Mode `library` and
`stock` use only that source before procedural; `procedural` draws every scene.

Matching: a scene's words are its search terms (weight 3 for a whole term found as a tag, 2 a
word) and the key words of its narration (weight 1); an item's words are its tags and the
words of its original file name (a name word counts half). Scores are summed, ties go to the
item listed first (the newest upload).
"""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache

MODES = ("auto", "library", "stock", "procedural")

STOPWORDS = frozenset(
    """a an and are as at be been but by for from had has have he her his i in into is it its
    of on or our she so than that the their them then there these they this to was we were
    what when where which who will with you your not no one all out up down over just very
    can could would should about after before again more most some such only own same too
    him me my us do did does doing other another each every""".split()
)
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


@lru_cache(maxsize=20_000)
def words(text: str) -> tuple[str, ...]:
    """Lower-case words with a plural `s` dropped, without stopwords (tags repeat a lot
    across a library, hence the cache)."""
    found = []
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        found.append(word)
    return tuple(found)


@dataclass(frozen=True)
class Candidate:
    """Something a scene could show: a library item, or a stock hit (`key` unique per video)."""

    key: str
    kind: str  # image | video
    tags: tuple[str, ...] = ()
    name: str = ""
    source: str = "upload"  # upload | pexels | pixabay
    data: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Choice:
    scene: int
    source: str  # library | stock | procedural
    reason: str
    candidate: Candidate | None = None
    score: float = 0.0
    terms: tuple[str, ...] = ()
    chosen: bool = False  # the person's choice (the scene's `asset`), not a match


def scene_terms(search_terms, narration: str = "", limit: int = 6) -> tuple[list, list]:
    """(phrases, weighted words) for a scene: its search terms, then narration key words."""
    phrases = [" ".join(words(t)) for t in search_terms if words(t)]
    weighted: dict[str, float] = {}
    for phrase in phrases:
        for word in phrase.split():
            weighted[word] = max(weighted.get(word, 0), 2.0)
    narration_words = [w for w in words(narration) if len(w) > 3]
    counts: dict[str, int] = defaultdict(int)
    for word in narration_words:
        counts[word] += 1
    ranked = sorted(counts, key=lambda w: (-counts[w], narration_words.index(w)))
    for word in ranked[:limit]:
        weighted.setdefault(word, 1.0)
    return phrases, list(weighted.items())


def _scene_words(scene: dict) -> tuple[list, list, tuple[str, ...]]:
    """scene_terms, and the queries: what a reason quotes and stock is searched for (the
    terms, then three narration words)."""
    phrases, weighted = scene_terms(scene.get("search_terms") or [], scene.get("narration", ""))
    return phrases, weighted, tuple(phrases) + tuple(w for w, weight in weighted if weight < 2)[:3]


def scene_queries(scene: dict) -> tuple[str, ...]:
    return _scene_words(scene)[2]


class _Index:
    """Word → candidates, built once per video, so a scene touches only items sharing a word."""

    def __init__(self, candidates: list[Candidate]):
        self.candidates = candidates
        self.by_word: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.by_phrase: dict[str, list[int]] = defaultdict(list)
        for index, item in enumerate(candidates):
            weights: dict[str, float] = {}
            for tag in item.tags:
                tag_words = words(tag)
                if tag_words:
                    self.by_phrase[" ".join(tag_words)].append(index)
                for word in tag_words:
                    weights[word] = 1.0
            for word in words(re.sub(r"\.\w{2,4}$", "", item.name)):
                weights.setdefault(word, 0.5)
            for word, weight in weights.items():
                self.by_word[word].append((index, weight))

    def scores(self, phrases, weighted) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        for phrase in phrases:
            for index in self.by_phrase.get(phrase, ()):
                scores[index] += 3.0
        for word, weight in weighted:
            for index, item_weight in self.by_word.get(word, ()):
                scores[index] += weight * item_weight
        return scores


def _best(index: _Index, phrases, weighted, used: set[str], *, reuse: bool):
    best = None
    for position, score in index.scores(phrases, weighted).items():
        candidate = index.candidates[position]
        if (candidate.key in used) != reuse:
            continue
        if best is None or score > best[1] or (score == best[1] and position < best[0]):
            best = (position, score)
    return (index.candidates[best[0]], best[1]) if best else (None, 0.0)


def choose_visuals(
    scenes: list[dict],
    library: list[Candidate],
    *,
    mode: str = "auto",
    stock: Callable[[str], list[Candidate]] | None = None,
) -> list[Choice]:
    """One Choice per scene. `scenes` are dicts with `search_terms`, `narration` and
    optionally `asset` (the id of the library item chosen for it); `stock(query)` returns
    stock candidates for a query (None: no stock source)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    use_library = mode in ("auto", "library")
    use_stock = mode in ("auto", "stock") and stock is not None
    index = _Index(library if use_library else [])
    by_key = {candidate.key: candidate for candidate in library}
    pinned = {
        number: by_key.get(f"media:{scene['asset']}")
        for number, scene in enumerate(scenes)
        if scene.get("asset")
    }
    used: set[str] = {item.key for item in pinned.values() if item is not None}
    choices = []
    for number, scene in enumerate(scenes):
        phrases, weighted, terms = _scene_words(scene)
        if pinned.get(number) is not None:
            choices.append(Choice(number, "library", "Chosen in the storyboard.",
                                  pinned[number], 0.0, terms, chosen=True))  # fmt: skip
            continue
        choice = _choose_one(number, index, phrases, weighted, terms, used, mode, use_stock, stock)
        if number in pinned:
            choice = replace(choice, reason="The chosen item is no longer in the library. "
                             + choice.reason)  # fmt: skip
        if choice.candidate is not None:
            used.add(choice.candidate.key)
        choices.append(choice)
    return choices


def scene_candidates(
    number: int, scene: dict, library: list[Candidate], limit: int = 12
) -> list[Choice]:
    """The library items matching one scene's words, best first (what "Choose another" in the
    storyboard offers), each with what it matched."""
    phrases, weighted, _queries = _scene_words(scene)
    index = _Index(library)
    ranked = sorted(index.scores(phrases, weighted).items(), key=lambda pair: (-pair[1], pair[0]))
    return [
        Choice(
            number,
            "library",
            f"Matches {_matched(library[position], phrases, weighted)}.",
            library[position],
            score,
        )  # fmt: skip
        for position, score in ranked[:limit]
    ]


def _choose_one(number, index, phrases, weighted, terms, used, mode, use_stock, stock) -> Choice:
    if mode == "procedural":
        return Choice(number, "procedural", "Drawn: procedural visuals were asked for.")
    if not terms:
        return Choice(number, "procedural", "Drawn: the scene has no words to search for.")
    item, score = _best(index, phrases, weighted, used, reuse=False)
    if item is not None:
        matched = _matched(item, phrases, weighted)
        return Choice(number, "library", f"Your library: matches {matched}.", item, score, terms)
    if use_stock:
        for query in terms:
            for hit in stock(query):
                if hit.key not in used:
                    return Choice(
                        number, "stock", f"Stock ({hit.source}): found for “{query}”.",
                        hit, 0.0, terms,
                    )  # fmt: skip
    item, score = _best(index, phrases, weighted, used, reuse=True)
    if item is not None:
        matched = _matched(item, phrases, weighted)
        return Choice(
            number, "library", f"Your library, used again (nothing else matches): {matched}.",
            item, score, terms,
        )  # fmt: skip
    where = {"library": "your library", "stock": "stock"}.get(mode, "your library or stock")
    return Choice(
        number, "procedural", f"Drawn: nothing in {where} matches {', '.join(terms)}.",
        terms=terms,
    )  # fmt: skip


def _matched(item: Candidate, phrases, weighted) -> str:
    item_words = {w for tag in item.tags for w in words(tag)} | set(words(item.name))
    hits = [w for w, _ in weighted if w in item_words]
    return ", ".join(f"“{w}”" for w in hits[:4]) or "its tags"
