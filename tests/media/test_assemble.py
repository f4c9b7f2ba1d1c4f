"""The assembler, on real output probed with PyAV. Tiny frames keep it quick."""

import wave

import av
import numpy as np
import pytest
from PIL import Image

from gallery.media import moov_before_mdat, probe
from pipeline.media.assemble import (
    CaptionStyle,
    Segment,
    Timeline,
    assemble,
    concat_clips,
    duck,
    make_poster,
    read_audio,
    resolve_size,
)
from pipeline.media.captions import Cue

SIZE = (320, 180)


def still(path, color):
    Image.new("RGB", (400, 300), color).save(path)
    return path


def tone(path, seconds, freq=220.0, rate=22050, amplitude=0.5):
    t = np.arange(int(seconds * rate)) / rate
    data = (amplitude * np.sin(2 * np.pi * freq * t) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(data.tobytes())
    return path


def frame_at(path, seconds):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if float(frame.pts * stream.time_base) >= seconds - 1e-3:
                return np.asarray(frame.to_image()).astype(int)
    raise AssertionError("no frame")


@pytest.fixture
def stills(tmp_path):
    return [still(tmp_path / "red.png", (200, 30, 30)), still(tmp_path / "blue.png", (30, 30, 200))]


def test_stills_with_narration_make_a_browser_ready_mp4_as_long_as_the_voice(tmp_path, stills):
    voice = tone(tmp_path / "voice.wav", 2.7)
    timeline = Timeline([Segment(1.35, image=s) for s in stills], narration=voice)
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=15)
    info = probe(out)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.width, info.height, info.fps) == (320, 180, 15)
    assert abs(info.duration - 2.7) < 0.1
    assert abs(info.video_duration - info.audio_duration) < 0.1
    assert moov_before_mdat(out)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert stream.codec_context.profile == "High"


def test_a_crossfade_blends_the_two_pictures(tmp_path, stills):
    timeline = Timeline([Segment(1.0, image=s) for s in stills], crossfade=0.6)
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=20)
    red, middle, blue = (frame_at(out, t)[90, 160] for t in (0.2, 1.0, 1.8))
    assert red[0] > 150 and blue[2] > 150
    assert 60 < middle[0] < 170 and 60 < middle[2] < 170  # half of each


def test_burned_captions_change_the_caption_area_only_while_spoken(tmp_path, stills):
    cues = [Cue(0.2, 0.8, ("Hello captions",))]
    plain = Timeline([Segment(1.5, image=stills[0])])
    burned = Timeline([Segment(1.5, image=stills[0])], captions=cues, caption_style=CaptionStyle())
    a = assemble(plain, tmp_path / "a.mp4", size=SIZE, fps=10)
    b = assemble(burned, tmp_path / "b.mp4", size=SIZE, fps=10)
    bottom = slice(120, 180)
    assert np.abs(frame_at(a, 0.5)[bottom] - frame_at(b, 0.5)[bottom]).mean() > 5
    assert np.abs(frame_at(a, 0.5)[:60] - frame_at(b, 0.5)[:60]).mean() < 2
    assert np.abs(frame_at(a, 1.2)[bottom] - frame_at(b, 1.2)[bottom]).mean() < 2


def test_slow_motion_on_a_still_moves_the_picture(tmp_path):
    image = Image.new("RGB", (400, 300))
    image.paste((255, 255, 255), (60, 40, 160, 120))  # off centre: a zoom moves its edges
    image.save(tmp_path / "half.png")
    timeline = Timeline([Segment(2.0, image=tmp_path / "half.png", motion=True)])
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=10)
    assert np.abs(frame_at(out, 0.0) - frame_at(out, 1.9)).mean() > 1


def test_music_ducks_under_the_voice(tmp_path):
    rate = 48000
    voice = np.zeros(rate * 2, dtype=np.float32)
    voice[rate : rate * 2] = 0.5 * np.sin(np.arange(rate) * 0.1)
    music = np.full(rate * 2, 0.5, dtype=np.float32)
    ducked = duck(music, voice, volume=0.3)
    quiet = np.abs(ducked[int(rate * 1.3) : int(rate * 1.7)]).mean()
    loud = np.abs(ducked[int(rate * 0.2) : int(rate * 0.6)]).mean()
    assert loud == pytest.approx(0.15, rel=0.05)
    assert quiet < loud / 2


def test_music_and_voice_are_mixed_into_the_track(tmp_path, stills):
    music = tone(tmp_path / "music.wav", 1.0, freq=440)
    timeline = Timeline([Segment(2.0, image=stills[0])], music=music, music_volume=0.5)
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=10)
    samples = read_audio(out)
    assert abs(len(samples) / 48000 - 2.0) < 0.1
    assert np.abs(samples[: 48000 // 2]).mean() > 0.05  # the music loops under the picture


def test_clips_of_other_sizes_and_rates_are_joined_to_the_requested_durations(tmp_path, stills):
    a = assemble(Timeline([Segment(1.0, image=stills[0])]), tmp_path / "a.mp4", size=(160, 120),
                 fps=8)  # fmt: skip
    b = assemble(Timeline([Segment(0.5, image=stills[1])]), tmp_path / "b.mp4", size=(640, 360),
                 fps=24)  # fmt: skip
    out = concat_clips([a, b], tmp_path / "joined.mp4", size=SIZE, fps=15, durations=[1.0, 1.5])
    info = probe(out)
    assert (info.width, info.height) == SIZE
    assert abs(info.video_duration - 2.5) < 0.1
    assert frame_at(out, 0.5)[90, 160][0] > 150  # the first clip, scaled
    assert frame_at(out, 2.3)[90, 160][2] > 150  # the second clip held past its end


def test_poster_is_a_jpeg_of_the_video(tmp_path, stills):
    out = assemble(Timeline([Segment(2.0, image=stills[1])]), tmp_path / "v.mp4", size=SIZE,
                   fps=10)  # fmt: skip
    poster = make_poster(out, tmp_path / "poster.jpg")
    image = Image.open(poster)
    assert image.format == "JPEG" and image.size == SIZE
    assert np.asarray(image)[90, 160][2] > 150


@pytest.mark.parametrize(
    ("aspect", "quality", "size"),
    [("16:9", 720, (1280, 720)), ("9:16", 1080, (1080, 1920)), ("1:1", 480, (480, 480)),
     ("16:9", 480, (852, 480))],
)  # fmt: skip
def test_output_sizes(aspect, quality, size):
    assert resolve_size(aspect, quality) == size


def test_canceling_stops_the_encoder(tmp_path, stills):
    class Stop(Exception):
        pass

    calls = []

    def check():
        calls.append(1)
        if len(calls) > 2:
            raise Stop

    timeline = Timeline([Segment(10.0, image=stills[0])])
    with pytest.raises(Stop):
        assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=30, check=check)
    assert not list(tmp_path.glob(".out.part*"))
