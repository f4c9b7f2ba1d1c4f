"""Story and youtube jobs take each scene's picture or clip from the library (or stock), fit
clips to the scene and the frame, and say which asset each scene used."""

import json

import av
import numpy as np
import pytest
from django.core.files.storage import default_storage

from pipeline.engine.artifacts import artifact_name
from pipeline.engine.runner import job_run
from pipeline.library.clips import clip_fit
from pipeline.library.services import media_create
from pipeline.models import Job
from studio.services import job_create
from tests.accounts.imagefiles import image_bytes
from tests.library.clipfiles import clip_bytes, upload
from tests.library.stockshapes import pixabay_images
from tests.media.mediafiles import frames

RED, BLUE, GREEN = (200, 30, 30), (30, 30, 200), (30, 160, 30)
STORY = (
    "A fox found a lantern in the snow. It carried the light through the forest. "
    "Other animals followed the glow."
)


def near(picture, color, tolerance=40) -> bool:
    return bool(np.all(np.abs(picture.reshape(-1, 3).mean(0) - color) < tolerance))


def run(owner, kind="story", prompt=STORY, **options):
    job = job_create(
        user=owner, kind=kind, prompt=prompt, options={"quality": 480, "fps": 24, **options}
    )
    assert job_run(job_id=job.id) == "succeeded", Job.objects.get(pk=job.id).error
    job.refresh_from_db()
    return job


def visuals_of(job) -> list[dict]:
    stages = job.manifest["stages"]
    return next(s["outputs"]["visuals"] for s in stages.values() if "visuals" in s["outputs"])


def scene_spans(job) -> list[dict]:
    # The work folder is gone once the video is published; the stage's artifacts stay.
    with default_storage.open(artifact_name(job.id, "speech.json")) as stored:
        return json.load(stored)["scenes"]


def test_clip_fit_crops_to_the_frame_and_loops(tmp_path):
    source = tmp_path / "clip.mp4"
    source.write_bytes(clip_bytes(1.0, size=(160, 120), fps=10, colors=(RED, BLUE)))
    out = clip_fit(source, tmp_path / "fit.mp4", size=(320, 180), fps=10, seconds=2.5)
    shown = frames(out)
    assert len(shown) == 25
    assert shown[0][1].shape == (180, 320, 3)
    # 4:3 into 16:9 is cropped, not letterboxed: the corners show the clip, not black.
    assert near(shown[0][1][:8, :8], RED) and near(shown[0][1][-8:, -8:], RED)
    colors = ["red" if near(p, RED) else "blue" if near(p, BLUE) else "?" for _, p in shown]
    assert colors == (["red"] * 5 + ["blue"] * 5) * 2 + ["red"] * 5  # looped


def test_clip_fit_trims_a_long_clip(tmp_path):
    source = tmp_path / "clip.mp4"
    source.write_bytes(clip_bytes(3.0, fps=10, colors=(RED, BLUE)))
    out = clip_fit(source, tmp_path / "fit.mp4", size=(160, 90), fps=10, seconds=0.8)
    shown = frames(out)
    assert len(shown) == 8 and all(near(p, RED) for _, p in shown)


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_story_scenes_use_matching_library_items(alice, bob):
    clip = media_create(
        owner=alice, file=upload(clip_bytes(1.0, size=(160, 120), colors=(RED, BLUE))),
        tags="lantern, snow",
    )  # fmt: skip
    picture = media_create(
        owner=alice, file=upload(image_bytes("PNG", color=GREEN), "forest.png", "image/png")
    )
    media_create(owner=bob, file=upload(image_bytes("PNG"), "animals.png", "image/png"))
    job = run(alice)
    chosen = visuals_of(job)
    assert [c["source"] for c in chosen] == ["library", "library", "procedural"]
    assert [c.get("item") for c in chosen[:2]] == [str(clip.id), str(picture.id)]
    assert "lantern" in chosen[0]["reason"] and "forest" in chosen[1]["reason"]
    assert "animal" in chosen[2]["reason"]  # bob's "animals.png" is not alice's to use
    spans = scene_spans(job)
    video = job.result.file.path
    shown = frames(video)
    first = [p for t, p in shown if spans[0]["start"] + 0.3 < t < spans[0]["end"] - 0.3]
    assert spans[0]["end"] - spans[0]["start"] > 1.5  # longer than the clip: it loops
    colors = {("red" if near(p, RED) else "blue" if near(p, BLUE) else "?") for p in first}
    assert colors == {"red", "blue"}
    assert all(near(p[:6, :6], RED, 60) or near(p[:6, :6], BLUE, 60) for p in first)  # no bars
    middle = (spans[1]["start"] + spans[1]["end"]) / 2
    second = [p for t, p in shown if abs(t - middle) < 0.05][0]
    assert near(second[100:-100, 100:-100], GREEN)  # the still, zooming
    with av.open(video) as container:
        assert container.streams.video[0].codec_context.name == "h264"


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_procedural_option_ignores_the_library(alice):
    media_create(owner=alice, file=upload(clip_bytes(1.0)), tags="lantern")
    job = run(alice, visuals="procedural", burn_captions=False)
    assert {c["source"] for c in visuals_of(job)} == {"procedural"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_youtube_takes_stock_with_its_credit(alice, stock_server, settings):
    settings.PEXELS_API_KEY = ""
    stock_server.routes["/api/"] = (200, pixabay_images(stock_server.url))
    stock_server.routes["/api/videos/"] = (200, {"total": 0, "totalHits": 0, "hits": []})
    stock_server.routes["/files/195893.png"] = (200, image_bytes("PNG", color=GREEN))
    job = run(alice, "youtube", "Lighthouses", target_seconds=15, max_scenes=2,
              visuals="stock")  # fmt: skip
    chosen = visuals_of(job)
    assert chosen[0]["source"] == "stock"
    assert chosen[0]["credit"] == "Image by Josch13 on Pixabay"
    assert chosen[0]["license"] == "Pixabay Content License"
    # One stock file, used once: the other scene is drawn, not the same picture again.
    assert chosen[1]["source"] == "procedural"
    searches = len(stock_server.searches())
    job2 = run(alice, "youtube", "Lighthouses", target_seconds=15, max_scenes=2,
               visuals="stock")  # fmt: skip
    assert visuals_of(job2)[0]["item"] == chosen[0]["item"]
    assert len(stock_server.searches()) == searches  # cached: no new request
    downloads = [r for r in stock_server.requests if r["path"].startswith("/files/")]
    assert len(downloads) == 1
