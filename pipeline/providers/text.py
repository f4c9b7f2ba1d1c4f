"""Plain-text functions shared by the planners and the voices: sentences, words, keywords.

Both sides must split text the same way: the planner's scenes, the narration's sentence
timings and the captions all line up only if "a sentence" means one thing everywhere.
"""

import re
from collections import Counter

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "e.g", "i.e", "eg",
    "ie", "no", "fig", "figs", "approx", "inc", "ltd", "co", "corp", "dept", "est", "gen",
    "gov", "sen", "rep", "rev", "vol", "ch", "p", "pp", "cf", "al", "u.s", "u.k", "a.m", "p.m",
}  # fmt: skip

_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+|$)")

STOP_WORDS = frozenset(
    """
    a about above after again against all almost also although always am among an and any
    anyone anything are aren't around as at away back be became because become becomes been
    before being below between both but by came can cannot can't could couldn't did didn't do
    does doesn't doing done don't down during each either else enough even ever every
    everyone everything few first for from further get gets getting give given go goes going
    gone got had hadn't has hasn't have haven't having he he'd he'll her here here's hers
    herself he's him himself his how however i i'd if i'll i'm in into is isn't it its it's
    itself i've just keep know known last later least less let let's like made make makes
    many may me might more most much must my myself near need never new next no nor not
    nothing now of off often old on once one only onto or other others our ours ourselves out
    over own part per perhaps please put quite rather really said same say says see seem
    seemed seems shall she she'd she'll she's should shouldn't show since so some something
    sometimes soon still such take tell than that that's the their theirs them themselves
    then there therefore there's these they they'd they'll they're they've thing things this
    those though through thus till to today together too took toward towards under until up
    upon us use used uses using very via was wasn't way we we'd well we'll went were we're
    weren't we've what what's when where where's whether which while who whole who's whom
    whose why will with within without won't would wouldn't yes yet you you'd you'll your
    you're yours yourself yourselves you've explain explains explained describe video videos
    lesson tutorial create write tell want wants let's look looks looking called call two
    three four five six seven eight nine ten began became broke brought came felt found gave
    grew kept knew left ran saw stood thought told
    """.split()
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]")


def normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; single line breaks are only wrapping."""
    parts = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n"))
    return [normalize_space(p) for p in parts if normalize_space(p)]


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, in order; abbreviations, initials and decimals do not end one."""
    sentences: list[str] = []
    for paragraph in split_paragraphs(text):
        sentences.extend(_paragraph_sentences(paragraph))
    return sentences


def _paragraph_sentences(paragraph: str) -> list[str]:
    sentences = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        end = match.end()
        if match.group().startswith(".") and _is_abbreviation(paragraph[start : match.start()]):
            continue
        rest = paragraph[end:].lstrip()
        # "... it's 3. then" or "e.g. something": a lowercase start continues the sentence.
        if rest and rest[0].islower():
            continue
        sentence = paragraph[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _is_abbreviation(before: str) -> bool:
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    word = word.lstrip("(\"'“‘")
    if not word:
        return False
    if word.lower() in _ABBREVIATIONS:
        return True
    # Initials such as "J. K. Rowling" or "U.S.A"; a lower-case letter ("the sine of x.") is
    # a variable ending its sentence.
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]|[A-Z]", word))


def tokens(text: str) -> list[str]:
    """Whitespace-separated words as written; a token with no letter or digit (a dash, a
    quote mark) joins the word before it, so every token is something a voice says."""
    words: list[str] = []
    for token in normalize_space(text).split(" "):
        if not token:
            continue
        if words and not any(ch.isalnum() for ch in token):
            words[-1] = f"{words[-1]} {token}"
        else:
            words.append(token)
    return words


def word_count(text: str) -> int:
    return len(tokens(text))


def content_words(text: str) -> list[str]:
    """Lower-case words that carry meaning (stop words, numbers and one-letter words dropped)."""
    found = []
    for word in _WORD.findall(text or ""):
        word = word.replace("’", "'")
        lowered = word.lower()
        if lowered.endswith("'s"):
            lowered = lowered[:-2]
        if len(lowered) < 3 or lowered in STOP_WORDS:
            continue
        found.append(lowered)
    return found


def keywords(text: str, limit: int = 5) -> list[str]:
    """The most frequent content words, ties broken by first appearance (deterministic)."""
    words = content_words(text)
    counts = Counter(words)
    first = {}
    for index, word in enumerate(words):
        first.setdefault(word, index)
    # Past-tense verbs ("climbed", "waved") make poor search terms and headings.
    ranked = [w for w in counts if not (w.endswith("ed") and not w.endswith("eed") and len(w) > 4)]
    ranked.sort(key=lambda w: (-counts[w], first[w]))
    return ranked[:limit]


def is_name(word: str, sentences: list[str]) -> bool:
    """Whether `word` reads as a name in these sentences: capitalised wherever it appears,
    and at least once where a sentence does not start."""
    found = [
        (match.group(), match.start())
        for sentence in sentences
        for match in re.finditer(rf"\b{re.escape(word)}\b", sentence, re.IGNORECASE)
    ]
    return (
        bool(found)
        and all(text[0].isupper() for text, _ in found)
        and any(start > 0 for _, start in found)
    )


def shorten(text: str, limit: int) -> str:
    """Cuts at a word boundary and adds an ellipsis when the text is longer than `limit`."""
    text = normalize_space(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-–— ")
    return f"{cut}…"


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
