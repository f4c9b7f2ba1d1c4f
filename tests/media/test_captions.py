import pytest

from pipeline.media.captions import (
    SAFE_WIDTH,
    Cue,
    chars_per_line,
    cues_from_sentences,
    cues_from_words,
    read_vtt,
    words_from_sentences,
    wrap_lines,
    write_srt,
    write_vtt,
)
from pipeline.media.visuals import font
from pipeline.timing import Timing


def timed(text: str, start=0.0, step=0.3) -> list[Timing]:
    return [
        Timing(word, round(start + i * step, 3), round(start + i * step + 0.25, 3))
        for i, word in enumerate(text.split())
    ]


def test_cues_start_with_their_first_word_and_end_with_their_last():
    words = timed("One two three four five six seven eight nine ten eleven twelve thirteen")
    cues = cues_from_words(words, max_chars=20)
    assert len(cues) > 1
    assert " ".join(" ".join(c.lines) for c in cues).split() == [w.text for w in words]
    spoken = iter(words)
    for cue in cues:
        said = [next(spoken) for _ in " ".join(cue.lines).split()]
        assert (cue.start, cue.end) == (said[0].start, said[-1].end)


def test_cues_fit_the_lines_and_never_overlap():
    words = timed("a " * 10 + "supercalifragilistic word " * 6)
    cues = cues_from_words(words, max_chars=24, max_lines=2)
    for cue in cues:
        assert 1 <= len(cue.lines) <= 2
        assert all(len(line) <= 24 or " " not in line for line in cue.lines)
    for before, after in zip(cues, cues[1:], strict=False):
        assert before.end <= after.start


def test_lines_are_balanced_rather_than_a_long_line_over_a_stub():
    lines = wrap_lines("the keeper climbed the stairs and lit the lamp again", 42)
    assert len(lines) == 2
    assert abs(len(lines[0]) - len(lines[1])) <= 8
    assert wrap_lines("short and sweet", 42) == ["short and sweet"]
    assert wrap_lines("a " + "x" * 50 + " b", 20) == ["a", "x" * 50, "b"]


def test_sentence_ends_and_pauses_start_new_cues():
    words = timed("Here we go now.") + timed("Next part starts", start=2.5)
    cues = cues_from_words(words, max_chars=60)
    assert [c.text for c in cues] == ["Here we go now.", "Next part starts"]


def test_a_new_scene_starts_a_new_cue():
    words = timed("The Lighthouse") + timed("Ada kept the lamp.", start=0.95)
    assert [c.text for c in cues_from_words(words, max_chars=60)] == [
        "The Lighthouse Ada kept the lamp."
    ]
    cues = cues_from_words(words, max_chars=60, breaks=[0.95])
    assert [c.text for c in cues] == ["The Lighthouse", "Ada kept the lamp."]


def test_long_stretches_are_split_by_time():
    words = timed(" ".join(["word"] * 40), step=0.5)
    cues = cues_from_words(words, max_chars=200, max_lines=9, max_seconds=3)
    assert all(c.end - c.start <= 3 for c in cues)


def test_a_lone_word_stays_up_a_moment_but_not_into_the_next_cue():
    words = [Timing("Yes.", 0.0, 0.2), Timing("Then", 0.5, 0.7), Timing("more", 0.7, 0.9)]
    first, second = cues_from_words(words + [Timing("words", 3.0, 3.2)])[:2]
    assert first.text == "Yes. Then more"  # a sentence this short joins the next
    lone = cues_from_words([Timing("Go", 0.0, 0.2), Timing("now", 1.0, 1.2)])
    assert [(c.start, c.end) for c in lone] == [(0.0, 0.6), (1.0, 1.6)]
    close = cues_from_words([Timing("Go", 0.0, 0.2), Timing("onward", 0.3, 0.5)], max_chars=6,
                            max_lines=1)  # fmt: skip
    assert [(c.start, c.end) for c in close] == [(0.0, 0.3), (0.3, 0.9)]


def test_sentence_timings_become_word_timings_inside_the_real_span():
    words = words_from_sentences([Timing("Short one here.", 1.0, 2.0)])
    assert [w.text for w in words] == ["Short", "one", "here."]
    assert words[0].start == 1.0 and words[-1].end == 2.0
    assert all(a.end <= b.start + 1e-6 for a, b in zip(words, words[1:], strict=False))
    assert words[0].end - words[0].start > words[1].end - words[1].start  # by length


def test_sentence_cues_split_each_span_by_characters_and_never_cross_sentences():
    first = Timing("aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll.", 2.0, 8.0)
    second = Timing("Ok.", 8.5, 9.0)
    cues = cues_from_sentences([first, second], max_chars=10, max_lines=2)
    assert [c.text for c in cues] == [
        "aaaa bbbb\ncccc dddd", "eeee ffff\ngggg hhhh", "iiii jjjj\nkkkk llll.", "Ok."
    ]  # fmt: skip
    assert cues[0].start == 2.0 and cues[2].end == 8.0 and cues[3].start == 8.5
    # Four words of five characters (with their spaces) out of 61 characters.
    assert cues[1].start == pytest.approx(2.0 + 6.0 * 20 / 61, abs=0.001)


def test_vtt_has_the_header_dotted_timestamps_and_escaped_text(tmp_path):
    cues = [
        Cue(1.234, 3.5, ("Hello there", "two lines")),
        Cue(61.0, 3725.007, ("Tom & Jerry --> <i>cats</i>",)),
    ]
    vtt = write_vtt(cues, tmp_path / "c.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\n00:00:01.234 --> 00:00:03.500\nHello there\ntwo lines\n\n")
    assert "00:01:01.000 --> 01:02:05.007\nTom &amp; Jerry --&gt; &lt;i&gt;cats&lt;/i&gt;\n" in vtt
    assert read_vtt(tmp_path / "c.vtt") == cues


def test_srt_is_numbered_with_comma_timestamps_and_nothing_can_break_it(tmp_path):
    cues = [Cue(1.234, 3.5, ("Hello there", "", "two lines")), Cue(4.0, 5.0, ("a --> b <i>",))]
    srt = write_srt(cues, tmp_path / "c.srt").read_text()
    assert srt == (
        "1\n00:00:01,234 --> 00:00:03,500\nHello there\ntwo lines\n\n"
        "2\n00:00:04,000 --> 00:00:05,000\na → b ‹i›\n"
    )


def test_reading_vtt_skips_notes_identifiers_and_cue_settings(tmp_path):
    path = tmp_path / "other.vtt"
    path.write_text(
        "\ufeffWEBVTT - made elsewhere\r\n\r\nNOTE a comment\r\n\r\n"
        "intro\r\n00:01.500 --> 00:02.000 align:start line:0\r\nfirst &amp; only\r\n",
        encoding="utf-8",
    )
    assert read_vtt(path) == [Cue(1.5, 2.0, ("first & only",))]


def test_chars_per_line_follows_the_frame_and_the_font():
    assert chars_per_line(1920, 40) > chars_per_line(1280, 40) > chars_per_line(720, 40)
    assert chars_per_line(1280, 30) > chars_per_line(1280, 50)
    line = "the keeper climbed the stairs and lit the lamp again and again and again"
    fitted = line[: chars_per_line(1280, 40)]
    assert font(40).getlength(fitted) <= 1280 * SAFE_WIDTH * 1.05


def test_webvtt_carries_the_preset_style_and_position(tmp_path):
    cues = cues_from_words(timed("Hello there friend"))
    path = write_vtt(cues, tmp_path / "c.vtt", preset="boxed", position="top")
    text = path.read_text()
    assert text.startswith("WEBVTT\n\nSTYLE\n::cue {") and "background-color" in text
    assert "00:00:00.000 --> 00:00:00.850 line:7%,start\n" in text
    tall = write_vtt(cues, tmp_path / "t.vtt", preset="plain", tall=True).read_text()
    assert " line:80%,end\n" in tall  # clear of a phone player's controls
    assert [c.lines for c in read_vtt(path)] == [c.lines for c in cues]


def test_karaoke_webvtt_times_each_word_in_a_class(tmp_path):
    cues = cues_from_words(timed("One two three"))
    text = write_vtt(cues, tmp_path / "k.vtt", preset="karaoke").read_text()
    assert "::cue(.w:past)" in text
    assert "<c.w>One</c> <00:00:00.300><c.w>two</c> <00:00:00.600><c.w>three</c>" in text
    assert [c.lines for c in read_vtt(tmp_path / "k.vtt")] == [("One two three",)]


def test_karaoke_keeps_escaping_the_words(tmp_path):
    cues = cues_from_words(timed("Fish & <chips>"))
    text = write_vtt(cues, tmp_path / "k.vtt", preset="karaoke").read_text()
    assert "<c.w>&amp;</c>" in text and "<c.w>&lt;chips&gt;</c>" in text
    assert read_vtt(tmp_path / "k.vtt")[0].lines == ("Fish & <chips>",)
