"""The assembler, on real output probed with PyAV. Tiny frames keep it quick."""

import io

import av
import numpy as np
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from gallery.media import moov_before_mdat, poster_jpeg, probe
from pipeline.engine.scene_cache import SceneCache
from pipeline.media.assemble import assemble, concat_clips
from pipeline.media.captions import Cue
from pipeline.media.frames import Segment, Timeline, resolve_size
from pipeline.media.inspection import Expected, inspect_video
from pipeline.media.overlay import CaptionStyle
from pipeline.media.sound import duck, read_audio
from pipeline.timing import Timing
from tests.media.mediafiles import frame_at, frames, still, tone, tone_level

SIZE = (320, 180)


def test_stills_with_narration_make_a_browser_ready_mp4_as_long_as_the_voice(tmp_path, stills):
    voice = tone(tmp_path / "voice.wav", 2.7)
    # The pictures add up to 2 s: the last one is held until the voice ends.
    timeline = Timeline([Segment(1.0, image=s) for s in stills], narration=voice)
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=15)
    info = probe(out)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.width, info.height) == SIZE
    assert abs(info.duration - 2.7) < 0.1
    assert abs(info.video_duration - 2.7) < 0.1 and abs(info.audio_duration - 2.7) < 0.1
    assert moov_before_mdat(out)
    with av.open(str(out)) as container:
        video = container.streams.video[0].codec_context
        assert (video.pix_fmt, video.profile) == ("yuv420p", "High")
        assert container.streams.video[0].guessed_rate == 15
        assert video.colorspace == 1  # BT.709, as the pixels were converted
    assert frame_at(out, 2.6)[90, 160][2] > 150  # still the blue picture


def test_a_shorter_voice_cuts_the_pictures_short(tmp_path, stills):
    voice = tone(tmp_path / "voice.wav", 1.2)
    timeline = Timeline([Segment(1.0, image=s) for s in stills], narration=voice, crossfade=0)
    info = probe(assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=15))
    assert abs(info.video_duration - 1.2) < 0.1 and abs(info.audio_duration - 1.2) < 0.1


def test_the_frame_rate_is_constant_by_default(tmp_path, stills):
    timeline = Timeline([Segment(3.0, image=stills[0])])
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=30)
    times = [round(time, 3) for time, _ in frames(out)]
    assert times == [round(n / 30, 3) for n in range(90)]
    assert abs(probe(out).video_duration - 3.0) < 0.05


def test_a_picture_that_holds_is_encoded_once_at_a_variable_frame_rate(tmp_path, stills):
    timeline = Timeline([Segment(3.0, image=stills[0])])
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=30, constant_frame_rate=False)
    assert [round(time, 3) for time, _ in frames(out)] == [0.0, 2.967]  # and the last, to end
    assert abs(probe(out).video_duration - 3.0) < 0.05


def test_parts_encoded_side_by_side_join_seamlessly(tmp_path, stills):
    timeline = Timeline([Segment(3.0, image=stills[0]), Segment(3.0, image=stills[1])],
                        narration=tone(tmp_path / "v.wav", 6.0))  # fmt: skip
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=15)
    times = [round(time, 3) for time, _ in frames(out)]
    assert times == [round(n / 15, 3) for n in range(90)]  # no gap or overlap at the seam
    assert frame_at(out, 1.0)[90, 160][0] > 150 and frame_at(out, 5.0)[90, 160][2] > 150
    info = probe(out)
    assert abs(info.video_duration - info.audio_duration) < 0.1
    assert moov_before_mdat(out)


def three_scenes(tmp_path, stills, middle=1.0, **options) -> Timeline:
    """Red (zooming), green and blue (zooming) scenes with a caption each and a voice as
    long as they are; the green one lasts `middle` seconds."""
    green = still(tmp_path / "green.png", (30, 200, 30))
    words = [Timing("Second", 1.1, 1.4), Timing("scene", 1.4, 0.8 + middle)]
    cues = [
        Cue(0.1, 0.8, ("First",)),
        Cue(1.1, 0.8 + middle, ("Second scene",), tuple(words)),
        Cue(1.1 + middle, 2.0 + middle, ("Third",)),
    ]
    segments = [Segment(1.0, image=stills[0], motion=True), Segment(middle, image=green),
                Segment(1.2, image=stills[1], motion=True)]  # fmt: skip
    return Timeline(segments, crossfade=0.4, captions=cues, narration=tone(
        tmp_path / f"voice-{middle}.wav", 2.2 + middle), **options)  # fmt: skip


@pytest.mark.parametrize("preset", ["plain", "karaoke"])
def test_the_parts_join_into_the_video_a_single_pass_makes(tmp_path, stills, preset):
    """Each scene's span and each crossfade are encoded on their own and joined as they are:
    the same video, frame for frame, as the timeline encoded in one pass."""
    style = CaptionStyle.from_preset(preset, size=20)
    timeline = three_scenes(tmp_path, stills, caption_style=style)
    named = []
    parts = assemble(timeline, tmp_path / "parts.mp4", size=SIZE, fps=10,
                     on_reuse=lambda reused, made: named.append((reused, made)))  # fmt: skip
    whole = assemble(timeline, tmp_path / "whole.mp4", size=SIZE, fps=10, split=False)

    assert named == [([], [0, (0, 1), 1, (1, 2), 2])]
    cut, joined = frames(parts), frames(whole)
    assert [round(t, 3) for t, _ in cut] == [round(t, 3) for t, _ in joined]
    assert len(cut) == 32 and abs(probe(parts).duration - probe(whole).duration) < 0.01
    assert max(np.abs(a - b).mean() for (_, a), (_, b) in zip(cut, joined, strict=True)) < 1.5
    info = probe(parts)
    assert abs(info.video_duration - 3.2) < 0.05 and abs(info.audio_duration - 3.2) < 0.05
    assert moov_before_mdat(parts)
    found = inspect_video(parts, Expected.from_timeline(timeline, size=SIZE))
    assert not found.errors, found.summary()


def test_a_long_scene_is_encoded_in_pieces_that_join_seamlessly(tmp_path, stills):
    job_id = "2b8d4f1a-6c3e-4a9b-8e7d-1f0a5c2b9d64"
    timeline = Timeline([Segment(9.0, image=stills[0], motion=True)])
    named = []
    pieces = assemble(timeline, tmp_path / "pieces.mp4", size=SIZE, fps=5,
                      cache=SceneCache(job_id, tmp_path / "work").entry,
                      on_reuse=lambda reused, made: named.append(made))  # fmt: skip
    whole = assemble(timeline, tmp_path / "whole.mp4", size=SIZE, fps=5, split=False)
    _dirs, stored = default_storage.listdir(f"jobs/{job_id}/cache/segment")
    assert len([name for name in stored if name.endswith(".mp4")]) == 3  # of 4, 4 and 1 s
    assert named == [[0]]  # named by their scene
    cut, joined = frames(pieces), frames(whole)
    assert [round(t, 3) for t, _ in cut] == [round(n / 5, 3) for n in range(45)]
    assert max(np.abs(a - b).mean() for (_, a), (_, b) in zip(cut, joined, strict=True)) < 1.5


def test_a_scene_made_longer_keeps_its_first_pieces(tmp_path, stills):
    """The slow zoom's place depends on the time into the scene only, and the pieces are cut
    from the scene's start: a longer version of a scene encodes only its new tail."""
    job_id = "5e0c2a7d-9b1f-4c3e-8a6d-0f4b7e2c1a95"
    cache = SceneCache(job_id, tmp_path / "work").entry

    def render(seconds: float, name: str):
        timeline = Timeline([Segment(seconds, image=stills[0], motion=True)])
        return frames(assemble(timeline, tmp_path / name, size=SIZE, fps=5, cache=cache))

    short, long = render(9.0, "short.mp4"), render(11.0, "long.mp4")
    _dirs, stored = default_storage.listdir(f"jobs/{job_id}/cache/segment")
    assert len([name for name in stored if name.endswith(".mp4")]) == 4  # 4+4+1, then +3
    assert len(long) == 55
    for n in range(40):  # the two pieces of 4 s, taken from the cache
        assert np.array_equal(short[n][1], long[n][1]), n


def test_parts_join_at_a_variable_frame_rate(tmp_path, stills):
    timeline = three_scenes(tmp_path, stills, caption_style=CaptionStyle())
    held = assemble(timeline, tmp_path / "held.mp4", size=SIZE, fps=10, constant_frame_rate=False)
    every = assemble(timeline, tmp_path / "every.mp4", size=SIZE, fps=10, split=False)
    assert len(frames(held)) < len(frames(every))  # the green still is encoded once
    assert abs(probe(held).video_duration - 3.2) < 0.05
    for t in (0.5, 1.0, 1.5, 2.0, 2.5, 3.15):
        assert np.abs(frame_at(held, t) - frame_at(every, t)).mean() < 1.5, t


def test_a_scene_that_only_moved_is_taken_from_the_cache(tmp_path, stills):
    """The middle scene gets longer: the last one only moves later, and its part is the one
    encoded before, shifted; so is the crossfade into the (still) middle scene, whose
    frames do not depend on its length. The middle scene and the crossfade after it (which
    begins later in it) are encoded again."""
    job_id = "7c1e9a4b-3f2d-4e8a-9b6c-2d5f8a1e0c37"
    cache = SceneCache(job_id, tmp_path / "work").entry  # a job's cache, as outside a stage
    named = []

    def render(middle: float, name: str):
        timeline = three_scenes(tmp_path, stills, middle, caption_style=CaptionStyle())
        return assemble(timeline, tmp_path / name, size=SIZE, fps=10, cache=cache,
                        on_reuse=lambda reused, made: named.append((reused, made)))  # fmt: skip

    first = frames(render(1.0, "first.mp4"))
    second = frames(render(1.5, "second.mp4"))

    assert named == [([], [0, (0, 1), 1, (1, 2), 2]), ([0, (0, 1), 2], [1, (1, 2)])]
    assert len(second) == len(first) + 5
    # The first scene and the crossfade out of it (frames 0-11), and the last scene's own
    # part (frames 22-31, now 27-36) decode to the very same pictures.
    for n in [*range(12), *range(22, 32)]:
        moved = n if n < 12 else n + 5
        assert np.array_equal(first[n][1], second[moved][1]), n
    _dirs, stored = default_storage.listdir(f"jobs/{job_id}/cache/segment")
    assert len([name for name in stored if name.endswith(".mp4")]) == 7


def test_a_crossfade_blends_the_two_pictures(tmp_path, stills):
    timeline = Timeline([Segment(1.0, image=s) for s in stills], crossfade=0.6)
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=20)
    red, middle, blue = (frame_at(out, t)[90, 160] for t in (0.5, 1.0, 1.5))
    assert red[0] > 150 and blue[2] > 150
    assert 60 < middle[0] < 170 and 60 < middle[2] < 170  # half of each
    times = [time for time, _ in frames(out)]
    assert len([t for t in times if 0.7 < t < 1.3]) >= 10  # every frame of the fade


def test_burned_captions_change_the_caption_area_only_while_spoken(tmp_path, stills):
    cues = [Cue(0.2, 0.8, ("Hello captions",))]
    plain = Timeline([Segment(1.5, image=stills[0])])
    burned = Timeline([Segment(1.5, image=stills[0])], captions=cues, caption_style=CaptionStyle())
    a = assemble(plain, tmp_path / "a.mp4", size=SIZE, fps=10)
    b = assemble(burned, tmp_path / "b.mp4", size=SIZE, fps=10)
    bottom, top = slice(120, 180), slice(0, 60)
    assert np.abs(frame_at(a, 0.5)[bottom] - frame_at(b, 0.5)[bottom]).mean() > 5
    assert np.abs(frame_at(a, 0.5)[top] - frame_at(b, 0.5)[top]).mean() < 2
    assert np.abs(frame_at(a, 1.2)[bottom] - frame_at(b, 1.2)[bottom]).mean() < 2


def test_captions_go_where_the_style_puts_them_and_stay_sharp_over_a_fade(tmp_path, stills):
    # An odd half-height: the chroma planes then start mid-row in the frame's array.
    size = (320, 182)
    cues = [Cue(0.0, 2.0, ("Top line",))]
    segments = [Segment(1.0, image=stills[0], motion=True), Segment(1.0, image=stills[1])]
    timeline = Timeline(segments, crossfade=0.6, captions=cues,
                        caption_style=CaptionStyle(position="top"))  # fmt: skip
    out = assemble(timeline, tmp_path / "out.mp4", size=size, fps=10)
    picture = frame_at(out, 1.0)
    assert picture.shape[:2] == (182, 320)
    assert picture[:40].max() > 230  # white text over a dark mix of red and blue
    assert picture[-40:].max() < 200


def test_a_caption_wider_than_the_frame_is_cut_not_fatal(tmp_path, stills):
    cues = [Cue(0.0, 1.0, ("x" * 300,))]
    timeline = Timeline([Segment(1.0, image=stills[0])], captions=cues,
                        caption_style=CaptionStyle(position="middle"))  # fmt: skip
    out = assemble(timeline, tmp_path / "out.mp4", size=(64, 36), fps=5)
    assert frame_at(out, 0.5)[18, :, 1].max() > 150  # white text on red, across the middle


def test_slow_motion_on_a_still_moves_the_picture_every_frame(tmp_path):
    image = Image.new("RGB", (400, 300))
    image.paste((255, 255, 255), (60, 40, 160, 120))  # off centre: a zoom moves its edges
    image.save(tmp_path / "half.png")
    timeline = Timeline([Segment(2.0, image=tmp_path / "half.png", motion=True)])
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=10)
    encoded = frames(out)
    assert len(encoded) == 20
    assert np.abs(encoded[0][1] - encoded[-1][1]).mean() > 1


def test_music_ducks_under_the_voice_in_the_output(tmp_path, stills):
    voice = tone(tmp_path / "voice.wav", 3.0, freq=1000, during=(1.0, 2.0))
    music = tone(tmp_path / "music.wav", 3.0, freq=440)
    timeline = Timeline([Segment(3.0, image=stills[0])], narration=voice, music=music,
                        music_volume=0.5)  # fmt: skip
    samples = read_audio(assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=10))
    alone = tone_level(samples, 440, 0.1, 0.6)
    under_voice = tone_level(samples, 440, 1.3, 1.8)
    assert under_voice < alone / 2
    assert tone_level(samples, 1000, 1.3, 1.8) > 2 * under_voice  # the voice is on top


def test_the_duck_gate_follows_the_voice():
    rate = 48000
    voice = np.zeros(rate * 2, dtype=np.float32)
    voice[rate : rate * 2] = 0.5 * np.sin(np.arange(rate) * 0.1)
    ducked = duck(np.full(rate * 2, 0.5, dtype=np.float32), voice, volume=0.3)
    quiet = np.abs(ducked[int(rate * 1.3) : int(rate * 1.7)]).mean()
    loud = np.abs(ducked[int(rate * 0.2) : int(rate * 0.6)]).mean()
    assert loud == pytest.approx(0.15, rel=0.05)
    assert quiet < loud / 2


def test_music_alone_loops_under_the_pictures(tmp_path, stills):
    music = tone(tmp_path / "music.wav", 1.0, freq=440)
    timeline = Timeline([Segment(2.0, image=stills[0])], music=music, music_volume=0.5)
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=10)
    samples = read_audio(out)
    assert abs(len(samples) / 48000 - 2.0) < 0.1
    assert tone_level(samples, 440, 1.1, 1.6) > 0.02  # the second pass of the loop


def test_clips_of_other_sizes_and_rates_are_joined_and_fitted_inside_the_frame(tmp_path, stills):
    a = assemble(Timeline([Segment(1.0, image=stills[0])]), tmp_path / "a.mp4", size=(160, 120),
                 fps=8)  # fmt: skip
    b = assemble(Timeline([Segment(0.5, image=stills[1])]), tmp_path / "b.mp4", size=(640, 360),
                 fps=24)  # fmt: skip
    voice = tone(tmp_path / "voice.wav", 2.5)
    out = concat_clips([a, b], tmp_path / "joined.mp4", size=SIZE, fps=15, durations=[1.0, 1.5],
                       narration=voice)  # fmt: skip
    info = probe(out)
    assert (info.width, info.height) == SIZE
    assert abs(info.video_duration - 2.5) < 0.1 and abs(info.audio_duration - 2.5) < 0.1
    first = frame_at(out, 0.5)
    assert first[90, 160][0] > 150  # the 4:3 clip, scaled ...
    assert first[90, 10].max() < 30  # ... with black bars beside it rather than cropped
    assert frame_at(out, 2.3)[90, 160][2] > 150  # the second clip held past its end


def test_joined_clips_crossfade_at_the_first_clips_size(tmp_path, stills):
    a, b = (
        assemble(Timeline([Segment(1.0, image=s)]), tmp_path / f"{i}.mp4", size=(160, 90), fps=10)
        for i, s in enumerate(stills)
    )
    out = concat_clips([a, b], tmp_path / "joined.mp4", crossfade=0.4)
    info = probe(out)
    assert (info.width, info.height, info.audio_codec) == (160, 90, "")
    assert abs(info.video_duration - 2.0) < 0.05
    middle = frame_at(out, 1.0)[45, 80]
    assert 60 < middle[0] < 170 and 60 < middle[2] < 170


def test_a_clip_can_start_part_way_in(tmp_path, stills):
    clip = assemble(Timeline([Segment(1.0, image=s) for s in stills], crossfade=0),
                    tmp_path / "clip.mp4", size=SIZE, fps=10)  # fmt: skip
    out = assemble(Timeline([Segment(0.5, clip=clip, start=1.0)]), tmp_path / "out.mp4",
                   size=SIZE, fps=10)  # fmt: skip
    assert frame_at(out, 0.0)[90, 160][2] > 150  # the blue half, from its first frame


def test_poster_is_a_jpeg_of_the_frame_on_screen(tmp_path, stills):
    out = assemble(Timeline([Segment(1.0, image=s) for s in stills], crossfade=0),
                   tmp_path / "v.mp4", size=SIZE, fps=10)  # fmt: skip
    image = Image.open(io.BytesIO(poster_jpeg(out, at=1.5)))
    assert image.format == "JPEG" and image.size == SIZE
    assert np.asarray(image)[90, 160][2] > 150
    late = poster_jpeg(out, at=60)  # past the end: the last frame
    assert np.asarray(Image.open(io.BytesIO(late)))[90, 160][2] > 150


@pytest.mark.parametrize(
    ("aspect", "sizes"),
    [
        ("16:9", [(852, 480), (1280, 720), (1920, 1080)]),
        ("9:16", [(480, 852), (720, 1280), (1080, 1920)]),
        ("1:1", [(480, 480), (720, 720), (1080, 1080)]),
    ],
)
def test_output_sizes(aspect, sizes):
    assert [resolve_size(aspect, quality) for quality in (480, 720, 1080)] == sizes


def test_progress_is_reported_and_cancelling_leaves_no_file(tmp_path, stills):
    class Stop(Exception):
        pass

    seen, checks = [], []

    def check():
        checks.append(1)
        if len(checks) > 3:
            raise Stop

    timeline = Timeline([Segment(10.0, image=stills[0])], narration=tone(tmp_path / "v.wav", 10))
    with pytest.raises(Stop):
        assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=30, check=check,
                 on_progress=lambda fraction, message: seen.append(fraction))  # fmt: skip
    assert seen == sorted(seen) and all(fraction < 1 for fraction in seen)
    assert list(tmp_path.glob("*.mp4")) == list(tmp_path.glob(".*.mp4")) == []


# --- caption presets ---------------------------------------------------------------------------
def _yellow(picture) -> np.ndarray:
    """Where the karaoke highlight is: red and green high, blue low."""
    r, g, b = picture[..., 0], picture[..., 1], picture[..., 2]
    return (r > 180) & (g > 150) & (b < 90)


def test_karaoke_highlights_the_word_being_spoken(tmp_path):
    grey = Image.new("RGB", (400, 300), (90, 90, 90))
    grey.save(tmp_path / "grey.png")
    words = (Timing("left", 0.0, 0.5), Timing("right", 0.5, 1.0))
    cues = [Cue(0.0, 1.0, ("left right",), words)]
    style = CaptionStyle.from_preset("karaoke", size=40, position="middle")
    timeline = Timeline([Segment(1.0, image=tmp_path / "grey.png")], captions=cues,
                        caption_style=style)  # fmt: skip
    out = assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=10)
    first, second = _yellow(frame_at(out, 0.2)), _yellow(frame_at(out, 0.7))
    assert first.sum() > 20 and second.sum() > 20
    assert np.nonzero(first)[1].mean() < SIZE[0] / 2 < np.nonzero(second)[1].mean()


def test_boxed_captions_sit_on_a_dark_panel(tmp_path):
    Image.new("RGB", (400, 300), (200, 200, 200)).save(tmp_path / "light.png")
    cues = [Cue(0.0, 1.0, ("Boxed",))]
    style = CaptionStyle.from_preset("boxed", size=24)
    timeline = Timeline([Segment(1.0, image=tmp_path / "light.png")], captions=cues,
                        caption_style=style)  # fmt: skip
    picture = frame_at(assemble(timeline, tmp_path / "out.mp4", size=SIZE, fps=5), 0.5)
    rows = picture[100:175].mean(axis=2).min(axis=1)
    assert rows.min() < 110  # the panel darkens the light picture behind the words
    assert picture[:60].mean() > 180  # and nothing else


def test_vertical_captions_keep_clear_of_the_bottom_fifth(tmp_path):
    size = (180, 320)
    Image.new("RGB", (400, 300), (200, 40, 40)).save(tmp_path / "red.png")
    cues = [Cue(0.0, 1.0, ("Clear of the", "phone controls"))]
    style = CaptionStyle.from_preset("bold-outline", size=22)
    timeline = Timeline([Segment(1.0, image=tmp_path / "red.png")], captions=cues,
                        caption_style=style)  # fmt: skip
    picture = frame_at(assemble(timeline, tmp_path / "out.mp4", size=size, fps=5), 0.5)
    white = (picture.min(axis=2) > 200).any(axis=1)
    assert white.any()
    assert not white[int(320 * 0.8) :].any()


def test_a_long_caption_is_balanced_and_fits_inside_a_narrow_frame():
    from pipeline.media.captions import chars_per_line, wrap_lines
    from pipeline.media.overlay import caption_image, caption_layout

    size = (180, 320)
    style = CaptionStyle.from_preset("bold-outline", size=20)
    text = "The keeper climbed the stairs and lit the lamp again"
    lines = wrap_lines(text, chars_per_line(size[0] - 2 * style.outline, style.size))
    cue = Cue(0.0, 1.0, tuple(lines))
    layout = caption_layout(cue, size, style)
    image, (x, y) = caption_image(cue, size, style)
    assert not layout.cut and x >= 0 and x + image.width <= size[0]
    assert max(map(len, lines)) - min(map(len, lines)) <= 10


def test_an_unknown_preset_is_refused_by_name():
    with pytest.raises(ValueError, match="neon"):
        CaptionStyle.from_preset("neon", size=20)
