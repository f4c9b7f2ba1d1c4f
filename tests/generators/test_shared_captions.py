"""Caption cues from the narration's timings, and the caption files every generator writes."""

from pipeline.generators.shared.captions import speech_cues, write_captions
from pipeline.media.captions import read_vtt
from pipeline.media.overlay import CaptionStyle

# Two scenes; the first one's words end without a full stop, just before the second's.
TIMING = {
    "words": [
        {"text": "The", "start": 0.2, "end": 0.4},
        {"text": "harbour", "start": 0.45, "end": 0.8},
        {"text": "wakes", "start": 0.85, "end": 1.0},
        {"text": "Boats", "start": 1.1, "end": 1.4},
        {"text": "leave", "start": 1.45, "end": 1.7},
        {"text": "early.", "start": 1.75, "end": 2.1},
    ],
    "scenes": [{"speech_start": 0.2}, {"speech_start": 1.1}],
}


class Context:  # what write_captions needs of a stage's context
    def __init__(self, workdir):
        self.workdir = workdir

    def path(self, name):
        return self.workdir / name


def test_a_new_cue_starts_where_each_scene_is_spoken_unless_asked_not_to():
    assert [cue.text for cue in speech_cues(TIMING)] == ["The harbour wakes", "Boats leave early."]
    [joined] = speech_cues(TIMING, scene_breaks=False)
    assert joined.text == "The harbour wakes Boats leave early."


def test_caption_files_carry_the_look_when_there_is_one(tmp_path):
    ctx = Context(tmp_path)
    cues = speech_cues(TIMING)

    plain = write_captions(ctx, cues)
    assert plain == {"captions_vtt": "captions.vtt", "captions_srt": "captions.srt"}
    vtt = (tmp_path / "captions.vtt").read_text()
    assert "STYLE" not in vtt and [c.text for c in read_vtt(tmp_path / "captions.vtt")] == [
        c.text for c in cues
    ]
    assert (tmp_path / "captions.srt").read_text().startswith("1\n")

    write_captions(ctx, cues, CaptionStyle.from_preset("karaoke", size=30, position="top"))
    vtt = (tmp_path / "captions.vtt").read_text()
    assert "STYLE\n::cue" in vtt and "<c.w>" in vtt and "line:" in vtt
