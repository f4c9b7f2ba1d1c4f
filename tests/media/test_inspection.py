"""The check before delivery: each finding tripped by a file made to have it."""

import pytest
from PIL import Image

from pipeline.media.assemble import assemble
from pipeline.media.captions import Cue
from pipeline.media.frames import Segment, Timeline
from pipeline.media.inspection import ERROR, WARNING, Expected, inspect_video
from pipeline.media.overlay import CaptionStyle
from tests.media.mediafiles import mismatched, speechlike, still, tone

SIZE = (160, 90)


def codes(inspection, level=None) -> set[str]:
    return {c["code"] for c in inspection.checks if level in (None, c["level"])}


def render(tmp_path, timeline, name="out.mp4", fps=10):
    return assemble(timeline, tmp_path / name, size=SIZE, fps=fps)


@pytest.fixture
def pattern(tmp_path):
    """A picture with detail, so a slow zoom visibly changes it."""
    image = Image.effect_mandelbrot((400, 300), (-2, -1.2, 1, 1.2), 60).convert("RGB")
    image.save(tmp_path / "pattern.png")
    return tmp_path / "pattern.png"


def test_a_good_render_passes_with_its_loudness_measured(tmp_path, pattern):
    voice = speechlike(tmp_path / "voice.wav", 4.0)
    timeline = Timeline([Segment(4.0, image=pattern, motion=True)], narration=voice, loudness=-14,
                        captions=[Cue(0.2, 2.0, ("Hello there",))],
                        caption_style=CaptionStyle())  # fmt: skip
    found = inspect_video(
        render(tmp_path, timeline), Expected.from_timeline(timeline, size=SIZE, loudness_target=-14)
    )
    assert found.checks == []
    assert abs(found.loudness.integrated - -14) <= 1 and found.loudness.true_peak <= -1
    assert abs(found.video_seconds - 4.0) < 0.05 and abs(found.audio_seconds - 4.0) < 0.05


def test_a_file_that_does_not_decode_is_an_error(tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100)
    found = inspect_video(broken, Expected())
    assert codes(found, ERROR) == {"decode"}
    assert "does not decode" in found.summary()


def test_no_sound_where_sound_was_meant_is_an_error(tmp_path, stills):
    out = render(tmp_path, Timeline([Segment(1.0, image=stills[0])]))
    assert codes(inspect_video(out, Expected(audio=True)), ERROR) == {"no_audio"}
    assert "no_audio" not in codes(inspect_video(out, Expected(audio=False)))


def test_picture_and_sound_of_different_lengths_are_an_error(tmp_path):
    out = mismatched(tmp_path / "out.mp4", video_seconds=2.0, audio_seconds=3.0)
    found = inspect_video(out, Expected())
    assert codes(found, ERROR) == {"duration"}
    assert "2.00 s but the sound 3.0" in found.summary()


def test_captions_that_outlast_the_video_are_an_error(tmp_path, stills):
    out = render(tmp_path, Timeline([Segment(2.0, image=stills[0])]))
    late = Expected(audio=False, captions=[Cue(1.5, 2.6, ("too late",))])
    assert codes(inspect_video(out, late), ERROR) == {"duration"}
    on_time = Expected(audio=False, captions=[Cue(1.5, 2.1, ("on time",))])
    assert not codes(inspect_video(out, on_time), ERROR)


def test_a_long_black_stretch_is_a_warning_unless_the_scene_asks_for_it(tmp_path, stills):
    black = still(tmp_path / "black.png", (0, 0, 0))
    segments = [Segment(1.0, image=stills[0]), Segment(3.0, image=black),
                Segment(1.0, image=stills[1])]  # fmt: skip
    out = render(tmp_path, Timeline(segments, crossfade=0))
    found = inspect_video(out, Expected(audio=False))
    assert codes(found) == {"black"}
    [black_check] = found.checks
    assert black_check["level"] == WARNING
    assert (black_check["start"], black_check["end"]) == (1.0, 4.0)
    asked = Expected(audio=False, still_spans=[(1.0, 4.0)])
    assert codes(inspect_video(out, asked)) == set()


def test_a_frozen_picture_is_a_warning_but_a_slow_zoom_is_not(tmp_path, pattern):
    held = render(tmp_path, Timeline([Segment(3.0, image=pattern)]), "held.mp4")
    assert codes(inspect_video(held, Expected(audio=False))) == {"frozen"}
    moving = render(tmp_path, Timeline([Segment(3.0, image=pattern, motion=True)]), "moving.mp4")
    assert codes(inspect_video(moving, Expected(audio=False))) == set()


def test_a_still_without_camera_motion_asks_to_stand_still(tmp_path, pattern):
    timeline = Timeline([Segment(3.0, image=pattern, motion=False)])
    expected = Expected.from_timeline(timeline, size=SIZE)
    assert expected.still_spans == [(0.0, 3.0)]
    assert codes(inspect_video(render(tmp_path, timeline), expected)) == set()


def test_a_long_silence_in_the_narration_is_a_warning(tmp_path, pattern):
    voice = tone(tmp_path / "voice.wav", 5.0, during=[(0, 1), (3.6, 5)])
    timeline = Timeline([Segment(5.0, image=pattern, motion=True)], narration=voice)
    found = inspect_video(render(tmp_path, timeline), Expected.from_timeline(timeline, size=SIZE))
    assert codes(found) == {"silence"}
    assert 0.9 <= found.checks[0]["start"] <= 1.1 and 3.5 <= found.checks[0]["end"] <= 3.7


def test_clipped_narration_and_clipped_sound_are_warnings(tmp_path, pattern):
    voice = tone(tmp_path / "voice.wav", 2.0, amplitude=1.5)  # cut flat at full scale
    timeline = Timeline([Segment(2.0, image=pattern, motion=True)], narration=voice)
    found = inspect_video(render(tmp_path, timeline), Expected.from_timeline(timeline, size=SIZE))
    assert {"narration_clipping", "audio_clipping"} <= codes(found, WARNING)
    # Normalised, the delivered sound no longer clips (the recording still does).
    timeline.loudness = -14
    found = inspect_video(render(tmp_path, timeline, "fixed.mp4"),
                          Expected.from_timeline(timeline, size=SIZE))  # fmt: skip
    assert "audio_clipping" not in codes(found) and "narration_clipping" in codes(found)


def test_loudness_off_target_is_a_warning(tmp_path, pattern):
    voice = tone(tmp_path / "voice.wav", 2.0, amplitude=0.05)
    timeline = Timeline([Segment(2.0, image=pattern, motion=True)], narration=voice)
    expected = Expected.from_timeline(timeline, size=SIZE, loudness_target=-14)
    found = inspect_video(render(tmp_path, timeline), expected)
    assert codes(found) == {"loudness"}
    assert "not -14" in found.checks[0]["message"]


def test_captions_over_two_lines_or_outside_the_frame_are_warnings(tmp_path, stills):
    out = render(tmp_path, Timeline([Segment(2.0, image=stills[0])]))
    three = Cue(0.0, 1.0, ("one", "two", "three"))
    found = inspect_video(out, Expected(audio=False, captions=[three]))
    assert codes(found) == {"caption_lines"}
    huge = Cue(0.0, 1.0, ("Pneumonoultramicroscopicsilicovolcanoconiosis",))
    burned = Expected(audio=False, captions=[huge], caption_style=CaptionStyle(size=40), size=SIZE)
    assert codes(inspect_video(out, burned)) == {"caption_frame"}
    fits = Expected(audio=False, captions=[Cue(0.0, 1.0, ("Fine",))],
                    caption_style=CaptionStyle(size=20), size=SIZE)  # fmt: skip
    assert codes(inspect_video(out, fits)) == set()


def test_a_loud_low_tone_that_is_not_cut_is_not_clipping(tmp_path, pattern):
    voice = tone(tmp_path / "voice.wav", 2.0, freq=60, amplitude=1.0)  # peaks at full scale
    timeline = Timeline([Segment(2.0, image=pattern, motion=True)], narration=voice,
                        loudness=-14)  # fmt: skip
    found = inspect_video(render(tmp_path, timeline), Expected.from_timeline(timeline, size=SIZE))
    assert "narration_clipping" not in codes(found)


def test_a_frame_held_for_seconds_at_a_variable_frame_rate_is_frozen_too(tmp_path, pattern):
    timeline = Timeline([Segment(3.0, image=pattern)])
    out = assemble(timeline, tmp_path / "vfr.mp4", size=SIZE, fps=10, constant_frame_rate=False)
    found = inspect_video(out, Expected(audio=False))
    assert codes(found) == {"frozen"}
    assert (found.checks[0]["start"], found.checks[0]["end"]) == (0.0, 3.0)


def test_the_assembler_hands_the_check_its_parts_samples(tmp_path, pattern, stills):
    """The samples taken from each part as it was made are those of the joined video, frame
    for frame, so the check need not decode it again; a file missing frames of its parts
    does not pass."""
    import numpy as np

    from pipeline.media.samples import Samples, video_samples

    timeline = Timeline(
        [Segment(1.5, image=pattern, motion=True), Segment(1.0, image=stills[0]),
         Segment(1.2, image=stills[1])], crossfade=0.4,
    )  # fmt: skip
    handed = []
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=10, on_samples=handed.append)
    [samples] = handed
    decoded = video_samples(out)
    assert len(samples) == len(decoded) == 37
    assert np.allclose(samples.starts, decoded.starts) and abs(samples.end - decoded.end) < 1e-6
    assert np.array_equal(samples.grids, decoded.grids)
    assert codes(inspect_video(out, Expected(audio=False), samples)) == set()

    extra = Samples(
        np.append(samples.starts, samples.end), np.concatenate([samples.grids, samples.grids[:1]]),
        samples.end + 0.1,
    )  # fmt: skip
    found = inspect_video(out, Expected(audio=False), extra)
    assert codes(found, ERROR) == {"decode"} and "38" in found.summary()
