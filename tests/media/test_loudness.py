"""Loudness: our EBU R128 meter against ffmpeg's, and normalised renders measured by ffmpeg."""

import numpy as np

from pipeline.media.assemble import assemble
from pipeline.media.frames import Segment, Timeline
from pipeline.media.loudness import integrated_loudness, measure, normalize
from pipeline.media.sound import read_audio
from tests.media.mediafiles import ebur128, speechlike, tone, tone_level

SIZE = (160, 90)


def test_the_meter_agrees_with_ffmpegs_ebur128(tmp_path):
    voice = speechlike(tmp_path / "voice.wav", 8.0)
    ours, theirs = measure(read_audio(voice)), ebur128(voice)
    assert abs(ours.integrated - theirs["integrated"]) <= 0.2
    assert abs(ours.true_peak - theirs["true_peak"]) <= 0.3
    assert abs(ours.range - theirs["range"]) <= 0.5


def test_a_render_is_normalised_to_the_target_with_its_true_peak_under_minus_one(tmp_path, stills):
    voice = speechlike(tmp_path / "voice.wav", 8.0)
    before = ebur128(voice)
    assert before["integrated"] < -16 and before["true_peak"] > -0.5  # as a TTS engine gives it
    timeline = Timeline([Segment(8.0, image=stills[0])], narration=voice, loudness=-14)
    measured = ebur128(assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=5))
    assert abs(measured["integrated"] - -14) <= 1
    assert measured["true_peak"] <= -1


def test_other_targets_are_reached_too(tmp_path, stills):
    voice = speechlike(tmp_path / "voice.wav", 6.0)
    timeline = Timeline([Segment(6.0, image=stills[0])], narration=voice, loudness=-23)
    measured = ebur128(assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=5))
    assert abs(measured["integrated"] - -23) <= 1 and measured["true_peak"] <= -1


def test_without_a_target_the_level_is_left_as_recorded(tmp_path, stills):
    voice = speechlike(tmp_path / "voice.wav", 6.0)
    timeline = Timeline([Segment(6.0, image=stills[0])], narration=voice)
    measured = ebur128(assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=5))
    assert abs(measured["integrated"] - ebur128(voice)["integrated"]) <= 0.5


def test_music_is_ducked_under_the_voice_before_the_level_is_set(tmp_path, stills):
    # The voice speaks for the first 2 s only; the music's share under it stays a third.
    voice = tone(tmp_path / "voice.wav", 4.0, freq=440, amplitude=0.9, during=(0, 2))
    music = tone(tmp_path / "music.wav", 4.0, freq=330, amplitude=0.9)
    timeline = Timeline([Segment(4.0, image=stills[0])], narration=voice, music=music,
                        loudness=-14)  # fmt: skip
    samples = read_audio(assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=5))
    under, alone = tone_level(samples, 330, 0.6, 1.4), tone_level(samples, 330, 2.8, 3.4)
    assert 0.2 < under / alone < 0.5
    assert tone_level(samples, 440, 0.6, 1.4) > 3 * under  # the voice stays on top


def test_silence_is_left_alone():
    silent = np.zeros(48000 * 2, dtype=np.float32)
    assert integrated_loudness(silent) is None
    assert not normalize(silent, -14).any()
