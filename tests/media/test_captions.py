from pipeline.media.captions import (
    Cue,
    chars_per_line,
    cues_from_words,
    read_vtt,
    words_from_sentences,
    write_srt,
    write_vtt,
)
from pipeline.timing import Timing


def timed(text: str, start=0.0, step=0.3) -> list[Timing]:
    words = []
    for i, word in enumerate(text.split()):
        words.append(Timing(word, round(start + i * step, 3), round(start + i * step + 0.25, 3)))
    return words


def test_cues_start_with_their_first_word_and_end_with_their_last():
    words = timed("One two three four five six seven eight nine ten eleven twelve thirteen")
    cues = cues_from_words(words, max_chars=20)
    spoken = [w.text for w in words]
    assert " ".join(" ".join(c.lines) for c in cues).split() == spoken
    for cue in cues:
        first = next(w for w in words if w.text == cue.lines[0].split()[0])
        assert cue.start == first.start
    assert cues[-1].end == words[-1].end


def test_cues_fit_the_lines_and_never_overlap():
    words = timed("a " * 10 + "supercalifragilistic word " * 6)
    cues = cues_from_words(words, max_chars=24, max_lines=2)
    for cue in cues:
        assert 1 <= len(cue.lines) <= 2
        assert all(len(line) <= 24 or " " not in line for line in cue.lines)
    for before, after in zip(cues, cues[1:], strict=False):
        assert before.end <= after.start


def test_sentence_ends_and_pauses_start_new_cues():
    words = timed("Here we go now.") + timed("Next part starts", start=2.5)
    cues = cues_from_words(words, max_chars=60)
    assert [c.text for c in cues] == ["Here we go now.", "Next part starts"]


def test_long_stretches_are_split_by_time():
    words = timed(" ".join(["word"] * 40), step=0.5)
    cues = cues_from_words(words, max_chars=200, max_lines=9, max_seconds=3)
    assert all(c.end - c.start <= 3.3 for c in cues)


def test_sentence_timings_become_word_timings_inside_the_real_span():
    words = words_from_sentences([Timing("Short one here.", 1.0, 2.0)])
    assert [w.text for w in words] == ["Short", "one", "here."]
    assert words[0].start == 1.0 and abs(words[-1].end - 2.0) < 0.01
    assert all(a.end <= b.start + 1e-6 for a, b in zip(words, words[1:], strict=False))


def test_vtt_and_srt_formats(tmp_path):
    cues = [Cue(1.234, 3.5, ("Hello there", "two lines")), Cue(61.0, 3725.007, ("a --> b <i>",))]
    vtt = write_vtt(cues, tmp_path / "c.vtt").read_text()
    srt = write_srt(cues, tmp_path / "c.srt").read_text()
    assert vtt.startswith("WEBVTT\n\n00:00:01.234 --> 00:00:03.500\nHello there\ntwo lines\n")
    assert "01:02:05.007" in vtt
    assert srt.startswith("1\n00:00:01,234 --> 00:00:03,500\nHello there\ntwo lines\n\n2\n")
    assert "a → b ‹i›" in srt  # nothing in the text can break the format
    back = read_vtt(tmp_path / "c.vtt")
    assert [(c.start, c.end) for c in back] == [(1.234, 3.5), (61.0, 3725.007)]


def test_chars_per_line_grows_with_the_frame():
    assert chars_per_line(1920, 40) > chars_per_line(1280, 40) > chars_per_line(720, 40)
