"""Matching a voice's phoneme timeline back to the words as written.

Phonemizers do not keep words apart the way the text does: espeak runs "of the" together
into one group, and reads "1995" as several words. So when the number of phoneme groups
equals the number of written words each word takes its group; otherwise each word gets a
share of the spoken phonemes in proportion to how many phonemes it has on its own, with each
cut moved to a nearby group boundary when there is one.
"""

import unicodedata
from collections.abc import Callable

_SILENT = {" ", "^", "$", "_"}


def is_spoken(phoneme: str) -> bool:
    """False for word breaks, sentence markers and punctuation (pauses, not sounds)."""
    if phoneme in _SILENT or not phoneme.strip():
        return False
    return not all(unicodedata.category(ch).startswith("P") for ch in phoneme)


def phoneme_count(sentences: list[list[str]]) -> int:
    """Spoken phonemes in a phonemizer's output (a list of phoneme lists)."""
    return sum(1 for sentence in sentences for phoneme in sentence if is_spoken(phoneme))


def align_words(
    words: list[str],
    timeline: list[tuple[str, float, float]],
    count_phonemes: Callable[[str], int],
) -> list[tuple[float, float]] | None:
    """Spans (start, end) in seconds for each word, from (phoneme, start, end) in order.

    `count_phonemes(word)` says how many phonemes a word has alone; it is only called when
    the groups and the words do not line up one to one. None when nothing was spoken.
    """
    spoken: list[tuple[float, float]] = []
    group_starts: list[int] = []
    new_group = True
    for phoneme, start, end in timeline:
        if not is_spoken(phoneme):
            new_group = True
            continue
        if new_group:
            group_starts.append(len(spoken))
            new_group = False
        spoken.append((start, end))
    if not spoken or not words:
        return None
    total = len(spoken)
    if len(group_starts) == len(words):
        cuts = [*group_starts[1:]]
    else:
        cuts = _proportional_cuts(words, group_starts, total, count_phonemes)
    bounds = [0, *cuts, total]
    spans = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        if b > a:
            spans.append((spoken[a][0], spoken[b - 1][1]))
        else:  # a word with no phoneme of its own: an instant at the boundary
            at = spoken[a][0] if a < total else spoken[-1][1]
            spans.append((at, at))
    return spans


def _proportional_cuts(words, group_starts, total, count_phonemes) -> list[int]:
    counts = [max(1, count_phonemes(word)) for word in words]
    whole = sum(counts)
    cuts, running, previous = [], 0, 0
    for count in counts[:-1]:
        running += count
        ideal = running * total / whole
        nearest = min(group_starts, key=lambda g: (abs(g - ideal), g))
        cut = nearest if abs(nearest - ideal) <= max(1.0, 0.25 * count) else round(ideal)
        cut = min(max(cut, previous), total)
        cuts.append(cut)
        previous = cut
    return cuts
