"""Captions from narration timings: cues that follow the spoken words, as WebVTT and SRT.

Cues start when their first word is spoken and end when their last word ends, hold at most
two lines that fit the frame, and break at sentence ends and pauses, so reading follows
listening.
"""

import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.media.visuals import font
from pipeline.timing import Timing

MAX_LINES = 2
MAX_CUE_SECONDS = 6.0
PAUSE_BREAK = 0.7  # a silence this long starts a new cue
# A one-word cue would flash by: short cues stay up this long, if the silence after allows.
MIN_CUE_SECONDS = 0.6
SAFE_WIDTH = 0.9  # of the frame, for caption lines
# Ordinary English prose, to measure how many characters a line holds on average.
_SAMPLE = "The keeper climbed the stairs and lit the lamp, as he had done every night for years."
_SENTENCE_END = re.compile(r"[.!?…]['\")\]”’»]*$")


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    lines: tuple[str, ...]
    # The timed words it shows, in order (for karaoke highlighting); empty when not known.
    words: tuple[Timing, ...] = field(default=(), compare=False)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def chars_per_line(frame_width: int, font_size: int) -> int:
    """How many characters of ordinary text fit across the safe width at this font size,
    measured with the font the captions are drawn in."""
    average = font(font_size).getlength(_SAMPLE) / len(_SAMPLE)
    return max(12, int(frame_width * SAFE_WIDTH / average))


def wrap_lines(text: str, max_chars: int) -> list[str]:
    """Word-wraps into as few lines as greedy wrapping needs, with their lengths evened out:
    balanced lines read faster than a long line over a stub. A word longer than `max_chars`
    keeps a line to itself rather than being cut."""
    words = text.split()
    if not words:
        return []
    lines = _greedy(words, max_chars)
    for width in range(math.ceil(len(" ".join(words)) / len(lines)), max_chars):
        candidate = _greedy(words, width)
        if len(candidate) == len(lines):
            return candidate
    return lines


def _greedy(words: list[str], width: int) -> list[str]:
    lines = [words[0]]
    for word in words[1:]:
        if len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def cues_from_words(
    words: Sequence[Timing],
    *,
    max_chars: int = 42,
    max_lines: int = MAX_LINES,
    max_seconds: float = MAX_CUE_SECONDS,
    breaks: Sequence[float] = (),
) -> list[Cue]:
    """Groups timed words into cues of at most `max_lines` lines of `max_chars`, starting a new
    cue after a sentence (of three words or more: shorter ones join the next), at a pause, at
    each of the `breaks` (the times scenes start: a title line without a full stop must not
    run into the scene after it), or before a cue would stay up longer than `max_seconds`."""
    cues: list[Cue] = []
    group: list[Timing] = []
    breaks = sorted(breaks)

    def flush():
        if group:
            lines = wrap_lines(" ".join(w.text for w in group), max_chars)
            end = max(group[-1].end, group[0].start + MIN_CUE_SECONDS)
            cues.append(Cue(round(group[0].start, 3), round(end, 3), tuple(lines), tuple(group)))
            group.clear()

    for word in words:
        text = word.text.strip()
        if not text:
            continue
        if group:
            wrapped = wrap_lines(" ".join([*(w.text for w in group), text]), max_chars)
            if (
                len(wrapped) > max_lines
                or word.end - group[0].start > max_seconds
                or word.start - group[-1].end >= PAUSE_BREAK
                or (_SENTENCE_END.search(group[-1].text) and len(group) >= 3)
                or any(group[-1].start < moment <= word.start for moment in breaks)
            ):
                flush()
        group.append(Timing(text, word.start, word.end))
    flush()
    # The minimum length never runs a cue into the next one.
    return [
        Cue(cue.start, min(cue.end, after.start), cue.lines, cue.words) if after else cue
        for cue, after in zip(cues, [*cues[1:], None], strict=True)
    ]


def words_from_sentences(sentences: Iterable[Timing]) -> list[Timing]:
    """Word timings spread over each sentence's real span by length, for voices that only
    report sentences (the space after a word counts: it takes time to say too)."""
    words = []
    for sentence in sentences:
        parts = sentence.text.split()
        total = sum(len(p) + 1 for p in parts)
        span = sentence.end - sentence.start
        done = 0
        for part in parts:
            start = round(sentence.start + span * done / total, 3)
            done += len(part) + 1
            words.append(Timing(part, start, round(sentence.start + span * done / total, 3)))
    return words


def cues_from_sentences(sentences: Sequence[Timing], **limits) -> list[Cue]:
    """Cues when only sentence spans are known: each sentence is split by characters within its
    own span, and no cue crosses from one sentence into the next."""
    cues: list[Cue] = []
    for sentence in sentences:
        cues += cues_from_words(words_from_sentences([sentence]), **limits)
    return cues


# --- files ---------------------------------------------------------------------------------
def _timestamp(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _text_lines(cue: Cue) -> list[str]:
    """A blank line ends a cue in both formats, so blank lines inside the text are dropped."""
    return [line.strip() for line in cue.text.splitlines() if line.strip()]


# How each caption preset looks in players that read the file's STYLE block. Karaoke marks
# each word with a timestamp and the class `w`: a word is :past once it has been spoken.
_VTT_STYLES = {
    "plain": "::cue { color: #fff; }",
    "boxed": "::cue { color: #fff; background-color: rgba(0, 0, 0, 0.67); }",
    "bold-outline": "::cue { color: #fff; font-weight: bold; background-color: transparent;\n"
    "  text-shadow: -2px -2px 0 #000, 2px -2px 0 #000, -2px 2px 0 #000, 2px 2px 0 #000; }",
    "karaoke": "::cue { color: #fff; font-weight: bold; }\n::cue(.w:past) { color: #ffd60a; }",
}


def vtt_settings(position: str = "bottom", *, tall: bool = False) -> str:
    """WebVTT cue settings for a caption position; a tall (9:16) frame keeps its bottom fifth
    clear, as the burned-in captions do."""
    if position == "top":
        return "line:7%,start"
    if position == "middle":
        return "line:50%,center"
    return "line:80%,end" if tall else ""


def write_vtt(cues: Iterable[Cue], path: Path, *, preset: str | None = None,
              position: str = "bottom", tall: bool = False) -> Path:  # fmt: skip
    """WebVTT: `00:00:01.234` timestamps; `&`, `<` and `>` escaped as entities (which also keeps
    `-->` out of the text). With a caption `preset`, its look goes in a STYLE block and the
    position in each cue's settings; karaoke times every word inside the cue."""
    blocks = ["WEBVTT"]
    if preset:
        blocks.append("STYLE\n" + _VTT_STYLES[preset])
    settings = vtt_settings(position, tall=tall)
    for cue in cues:
        timing = f"{_timestamp(cue.start, '.')} --> {_timestamp(cue.end, '.')}"
        if settings:
            timing += " " + settings
        lines = [html.escape(x, quote=False) for x in _text_lines(cue)]
        if preset == "karaoke" and cue.words:
            lines = _karaoke_lines(cue) or lines
        blocks.append("\n".join([timing, *lines]))
    return _write(path, blocks)


def _karaoke_lines(cue: Cue) -> list[str] | None:
    """The cue's lines with each word in `<c.w>` and preceded by the time it is spoken."""
    words = iter(cue.words)
    out = []
    for line in _text_lines(cue):
        parts = []
        for token in line.split():
            word = next(words, None)
            if word is None:
                return None
            text = f"<c.w>{html.escape(token, quote=False)}</c>"
            if word.start > cue.start:
                text = f"<{_timestamp(max(word.start, cue.start), '.')}>{text}"
            parts.append(text)
        out.append(" ".join(parts))
    return out


def write_srt(cues: Iterable[Cue], path: Path) -> Path:
    """SubRip: numbered cues, `00:00:01,234` timestamps.

    SRT has no escapes (players print entities as they are, and read `<i>` as italics), so
    angle brackets become look-alikes and `-->` an arrow: nothing in the text can break it.
    """
    blocks = []
    for number, cue in enumerate(cues, 1):
        timing = f"{_timestamp(cue.start, ',')} --> {_timestamp(cue.end, ',')}"
        lines = [_srt_text(line) for line in _text_lines(cue)]
        blocks.append("\n".join([str(number), timing, *lines]))
    return _write(path, blocks)


def _srt_text(line: str) -> str:
    return line.replace("-->", "→").replace("<", "‹").replace(">", "›")


def _write(path: Path, blocks: list[str]) -> Path:
    path = Path(path)
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


_TAG = re.compile(r"<[^>]*>")  # <c.w>, </c>, <00:00:01.000>: markup, not text
_VTT_TIME = re.compile(r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})")


def read_vtt(path: Path) -> list[Cue]:
    """The cues of a WebVTT file; cue identifiers, cue settings, and NOTE, STYLE and REGION
    blocks are skipped, entities decoded."""
    content = Path(path).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    cues = []
    for block in re.split(r"\n[ \t]*\n", content.strip()):
        lines = block.split("\n")
        timing = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing is None:
            continue
        start, _, rest = lines[timing].partition("-->")
        text = tuple(html.unescape(_TAG.sub("", line)) for line in lines[timing + 1 :])
        cues.append(Cue(_vtt_seconds(start), _vtt_seconds(rest.split()[0]), text))
    return cues


def _vtt_seconds(stamp: str) -> float:
    match = _VTT_TIME.fullmatch(stamp.strip())
    if match is None:
        raise ValueError(f"not a WebVTT timestamp: {stamp!r}")
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000
