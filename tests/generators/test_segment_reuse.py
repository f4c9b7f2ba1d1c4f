"""A finished story whose plan is edited and rendered again through the API: the assembler
encodes only the parts of the picture that changed (the edited scene and its two crossfades)
and copies the others from the first render, shifted in time. Real runner, real encodes,
with the fake planner, voice and pictures of the test settings."""

import json

import av
import numpy as np
import pytest
from django.core.files.storage import default_storage

from gallery.media import moov_before_mdat, probe
from pipeline.engine.runner import job_run
from pipeline.models import Job
from tests.rerender import last_seq, reuse_lines

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

STORY = (
    "A fox found a lantern in the snow. It carried the light through the forest. "
    "Other animals followed the glow. By morning they all reached the warm valley."
)
FPS = 24


def save_plan(client, job_id, change) -> None:
    """`change(plan)` edits the newest plan in place, saved as its next revision."""
    current = client.get(f"/api/v1/jobs/{job_id}/plan").json()
    change(current["plan"])
    saved = client.put(f"/api/v1/jobs/{job_id}/plan",
                       {"revision": current["revision"], "plan": current["plan"]},
                       format="json")  # fmt: skip
    assert saved.status_code == 200, saved.json()


def render(client, job_id) -> Job:
    assert client.post(f"/api/v1/jobs/{job_id}/render").status_code == 202
    assert job_run(job_id=job_id) == "succeeded", Job.objects.get(pk=job_id).error
    return Job.objects.get(pk=job_id)


def finished_story(client) -> str:
    """A story of four scenes (the fake planner writes three: one more is added in review)."""
    body = {"kind": "story", "prompt": STORY, "review": True,
            "options": {"quality": 480, "fps": FPS, "voice": "fake"}}  # fmt: skip
    response = client.post("/api/v1/jobs", body, format="json")
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    assert job_run(job_id=job_id) == "paused"

    def fourth(plan):
        plan["scenes"].append({**plan["scenes"][-1], "narration": "They slept in the warm hay."})

    save_plan(client, job_id, fourth)
    render(client, job_id)
    return job_id


def scene_starts(job_id) -> list[float]:
    """Where each scene's picture starts, from the narration stage's stored timings."""
    with default_storage.open(f"jobs/{job_id}/speech.json") as fh:
        return [span["start"] for span in json.load(fh)["scenes"]]


def pictures(path, indexes) -> dict[int, np.ndarray]:
    """The decoded frames with these numbers, as RGB."""
    wanted, found = set(indexes), {}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            n = round(frame.time * FPS)
            if n in wanted:
                found[n] = frame.to_ndarray(format="rgb24").astype(np.int16)
    assert set(found) == wanted
    return found


def test_an_edited_scene_is_encoded_again_and_the_rest_copied_shifted(api_for, alice, tmp_path):
    client = api_for(alice)
    job_id = finished_story(client)
    job = Job.objects.get(pk=job_id)
    first_video = tmp_path / "first.mp4"
    first_video.write_bytes(job.result.file.read())
    before = scene_starts(job_id)
    assert len(before) == 4
    assert reuse_lines(job, "Segments") == [
        "Segments: made scenes 1, 2, 3, 4 and crossfades 1-2, 2-3, 3-4"
    ]
    seq = last_seq(job)

    def edit(plan):
        plan["scenes"][1]["narration"] = (
            "It carried the light far away, through the dark and silent forest, all night long."
        )

    save_plan(client, job_id, edit)
    job = render(client, job_id)

    assert reuse_lines(job, "Narration", seq) == ["Narration: reused scenes 1, 3, 4; made scene 2"]
    assert reuse_lines(job, "Segments", seq) == [
        "Segments: reused scenes 1, 3, 4 and crossfade 3-4; made scene 2 and crossfades 1-2, 2-3"
    ]
    after = scene_starts(job_id)
    shift = round((after[2] - before[2]) * FPS)
    assert shift > 0 and after[1] == before[1]

    # The delivery checks passed (the stage fails otherwise) and the file is as delivered.
    second_video = job.result.file.path
    info = probe(second_video)
    assert abs(info.video_duration - info.audio_duration) <= 0.1
    assert abs(info.video_duration - (probe(first_video).video_duration + shift / FPS)) <= 0.05
    assert moov_before_mdat(second_video)
    assert not [c for c in job.result.checks if c["level"] == "error"]

    # Outside the edited scene (and its crossfades, half a second at most), the new video
    # is the old one, moved by the edited scene's change in length.
    cut_in, cut_out = round(before[1] * FPS), round(before[2] * FPS)
    end = round(probe(first_video).video_duration * FPS)
    unchanged = [0, cut_in // 2, cut_in - 12, cut_out + 12, (cut_out + end) // 2, end - 1]
    old = pictures(first_video, unchanged)
    new = pictures(second_video, [n if n < cut_in else n + shift for n in unchanged])
    for n in unchanged:
        moved = n if n < cut_in else n + shift
        assert np.abs(old[n] - new[moved]).mean() < 1.0, f"frame {n} changed"
    # Inside it, the captions say the new words.
    middle = (cut_in + cut_out) // 2
    old, new = pictures(first_video, [middle]), pictures(second_video, [middle])
    assert np.abs(old[middle] - new[middle]).mean() > 1.0


def test_an_explainer_encodes_again_only_the_scene_whose_animation_changed(api_for, alice):
    client = api_for(alice)
    body = {"kind": "explainer", "prompt": "Explain circles", "review": True,
            "options": {"quality": 480, "fps": FPS, "max_scenes": 2}}  # fmt: skip
    job_id = client.post("/api/v1/jobs", body, format="json").json()["id"]
    assert job_run(job_id=job_id) == "paused"
    job = render(client, job_id)
    assert reuse_lines(job, "Segments") == ["Segments: made scenes 1, 2"]
    seq = last_seq(job)

    def edit(plan):
        plan["scenes"][1]["bullets"] = ["Round things", "No corners at all"]

    save_plan(client, job_id, edit)
    job = render(client, job_id)

    assert reuse_lines(job, "Scenes", seq) == ["Scenes: reused scene 1; made scene 2"]
    assert reuse_lines(job, "Segments", seq) == ["Segments: reused scene 1; made scene 2"]
