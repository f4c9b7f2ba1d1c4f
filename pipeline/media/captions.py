"""Captions from narration timings: cues that follow the spoken words, as WebVTT and SRT.

Cues start when their first word is spoken and end when their last word ends, hold at most
two lines that fit the frame, and break at sentence ends and pauses, so reading follows
listening.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.timing import Timing

MAX_LINES = 2
MAX_CUE_SECONDS = 6.0
PAUSE_BREAK = 0.7  # a silence this long starts a new cue
MIN_CUE_SECONDS = 0.6


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def chars_per_line(frame_width: int, font_size: int) -> int:
    """About how many characters of a sans-serif font fit across 90% of the frame."""
    return max(12, int(frame_width * 0.9 / (font_size * 0.52)))


def _wrap(words: list[str], width: int) -> list[str]:
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines


def cues_from_words(
    words: list[Timing],
    *,
    max_chars: int = 42,
    max_lines: int = MAX_LINES,
    max_seconds: float = MAX_CUE_SECONDS,
) -> list[Cue]:
    """Groups timed words into cues of at most `max_lines` lines of `max_chars`."""
    cues: list[Cue] = []
    group: list[Timing] = []

    def flush():
        if group:
            lines = _wrap([w.text for w in group], max_chars)
            end = max(group[-1].end, group[0].start + MIN_CUE_SECONDS)
            cues.append(Cue(round(group[0].start, 3), round(end, 3), tuple(lines)))
            group.clear()

    for word in words:
        if not word.text.strip():
            continue
        if group:
            too_long = len(_wrap([w.text for w in group] + [word.text], max_chars)) > max_lines
            too_slow = word.end - group[0].start > max_seconds
            paused = word.start - group[-1].end >= PAUSE_BREAK
            sentence_done = re.search(r"[.!?…]['\")\]]?$", group[-1].text) and len(group) >= 3
            if too_long or too_slow or paused or sentence_done:
                flush()
        group.append(word)
    flush()
    # Never let a cue run into the next one.
    fixed = []
    for index, cue in enumerate(cues):
        end = cue.end
        if index + 1 < len(cues):
            end = min(end, cues[index + 1].start)
        fixed.append(Cue(cue.start, max(end, cue.start + 0.05), cue.lines))
    return fixed


def words_from_sentences(sentences: list[Timing]) -> list[Timing]:
    """Word timings spread over each sentence's real span by length, for voices that only
    report sentences."""
    words = []
    for sentence in sentences:
        parts = sentence.text.split()
        total = sum(len(p) + 1 for p in parts) or 1
        clock = sentence.start
        span = sentence.end - sentence.start
        for part in parts:
            length = span * (len(part) + 1) / total
            words.append(Timing(part, round(clock, 3), round(clock + length, 3)))
            clock += length
    return words


def _timestamp(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _clean(line: str) -> str:
    # "-->" would end a cue's timing line early; stray angle brackets look like tags.
    return line.replace("-->", "→").replace("<", "‹").replace(">", "›")


def write_vtt(cues: list[Cue], path: Path) -> Path:
    blocks = ["WEBVTT", ""]
    for cue in cues:
        blocks.append(f"{_timestamp(cue.start, '.')} --> {_timestamp(cue.end, '.')}")
        blocks.extend(_clean(line) for line in cue.lines)
        blocks.append("")
    Path(path).write_text("\n".join(blocks), encoding="utf-8")
    return Path(path)


def write_srt(cues: list[Cue], path: Path) -> Path:
    blocks = []
    for number, cue in enumerate(cues, 1):
        blocks.append(str(number))
        blocks.append(f"{_timestamp(cue.start, ',')} --> {_timestamp(cue.end, ',')}")
        blocks.extend(_clean(line) for line in cue.lines)
        blocks.append("")
    Path(path).write_text("\n".join(blocks), encoding="utf-8")
    return Path(path)


_CUE_TIME = re.compile(r"(\d+):(\d{2}):(\d{2})[.,](\d{3})")


def _seconds(stamp: str) -> float:
    h, m, s, ms = (int(g) for g in _CUE_TIME.fullmatch(stamp.strip()).groups())
    return h * 3600 + m * 60 + s + ms / 1000


def read_vtt(path: Path) -> list[Cue]:
    """Reads cues back (our own files; enough of WebVTT for that)."""
    cues = []
    for block in Path(path).read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line]
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue
        start, end = lines[timing].split("-->")
        cues.append(Cue(_seconds(start), _seconds(end), tuple(lines[timing + 1 :])))
    return cues
