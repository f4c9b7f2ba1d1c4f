"""ai_video jobs end to end with the fake text-to-video backend: stages, events, narration,
retries and the reference-image check."""

import pytest
from django.db import transaction
from PIL import Image

from pipeline.engine.runner import job_run, job_workdir
from pipeline.generators import get_generator
from pipeline.generators.ai_video import loop_or_cut
from pipeline.models import Job, JobEvent
from pipeline.services import job_retry, job_submit
from studio.services import job_create
from tests.ai_video.conftest import TINY, video_facts
from tests.rerender import last_seq, render_again, reuse_lines

pytestmark = pytest.mark.django_db(transaction=True)

PROMPT = "A fox runs through snow. It stops on a hill. The sun rises behind it."


def submit(user, until="", **options):
    with transaction.atomic():
        return job_create(
            user=user, kind="ai_video", prompt=PROMPT, options={**TINY, "seed": 7, **options},
            until=until,
        )  # fmt: skip


def run(job) -> str:
    result = job_run(job_id=job.id)
    job.refresh_from_db()
    return result


def events(job, type):
    return list(JobEvent.objects.filter(job=job, type=type).order_by("seq"))


def test_a_job_renders_each_shot_and_joins_them(alice, fake_t2v):
    t2v = fake_t2v()
    job = submit(alice, style="watercolour")

    assert run(job) == "succeeded", job.error

    facts = video_facts(job.result.file.path)
    assert (facts["width"], facts["height"], facts["frames"]) == (64, 64, 18)
    assert facts["codec"] == "h264"
    shots = events(job, "shot_complete")
    assert [e.payload["index"] for e in shots] == [0, 1]
    assert all(e.payload["seconds"] >= 0 and e.stage == "shots" for e in shots)
    assert [c["seed"] for c in t2v.calls] == [7, 8]
    assert all(c["prompt"].endswith(", watercolour") for c in t2v.calls)
    assert all(c["image_size"] is None for c in t2v.calls)
    assert [e.stage for e in events(job, "stage_complete")] == [
        "storyboard", "shots", "narrate", "assemble",
    ]  # fmt: skip
    assert job.manifest["stages"]["storyboard"]["outputs"]["script"]["scenes"][1]["seed"] == 8


def test_narration_sets_each_shots_length_and_is_the_soundtrack(alice, fake_t2v):
    fake_t2v()
    job = submit(alice, narration=True, voice="fake")

    assert run(job) == "succeeded", job.error

    spoken = job.manifest["stages"]["narrate"]["outputs"]["duration"]
    facts = video_facts(job.result.file.path)
    assert facts["audio"] == "aac"
    # Each caption takes a few seconds to say: far longer than a 9-frame shot.
    assert spoken > 2 * 9 / 8
    assert abs(facts["duration"] - spoken) < 0.3
    assert facts["frames"] == pytest.approx(spoken * 8, abs=1)
    vtt = job.result.captions_vtt.read().decode()
    assert vtt.startswith("WEBVTT") and "Scene 1 of 2." in vtt
    assert job.result.captions_srt


@pytest.mark.parametrize(
    ("seconds", "passes"),
    [(1.0, [1.0]), (0.4, [0.4]), (2.5, [1.0, 1.0, 0.5]), (3.0, [1.0, 1.0, 1.0])],
)
def test_a_shot_loops_or_is_cut_to_last_as_long_as_its_words(seconds, passes):
    assert loop_or_cut(seconds, 1.0) == pytest.approx(passes)


def test_a_retry_after_a_failed_shot_renders_only_the_missing_shots(alice, fake_t2v):
    failing = fake_t2v(fail="permanent", fail_on_call=2)
    job = submit(alice)

    assert run(job) == "failed"
    assert len(failing.calls) == 2
    assert [e.payload["index"] for e in events(job, "shot_complete")] == [0]
    assert (job_workdir(job.id) / "shots" / "00.mp4").exists()

    working = fake_t2v()
    job_retry(job=job)
    assert run(job) == "succeeded", job.error

    assert [c["seed"] for c in working.calls] == [8]  # shot 2 only
    assert [e.payload["index"] for e in events(job, "shot_complete")] == [0, 1]
    assert video_facts(job.result.file.path)["frames"] == 18
    assert job.manifest["stages"]["shots"]["outputs"]["rendered"] == [1]


def test_the_first_shot_starts_from_the_owners_reference_image(alice, fake_t2v, upload_image):
    t2v = fake_t2v()
    job = submit(alice, reference_image=upload_image(alice, size=(120, 80)))

    assert run(job) == "succeeded", job.error

    assert [c["image_size"] for c in t2v.calls] == [(120, 80), None]


def test_a_job_naming_someone_elses_upload_fails_before_any_shot(
    alice, bob, fake_t2v, upload_image
):
    """Whatever way the job came in (here past job_create), the stage checks the owner."""
    t2v = fake_t2v()
    bobs = upload_image(bob)
    _prompt, options = get_generator("ai_video").validate(
        prompt=PROMPT, options={**TINY, "reference_image": bobs}
    )
    with transaction.atomic():
        job = job_submit(owner=alice, kind="ai_video", prompt=PROMPT, options=options)

    assert run(job) == "failed"

    assert job.error["message"] == (
        f"The reference image {bobs} was refused: "
        "You have no upload or library picture with this id."
    )
    assert "uploads" in job.error["hint"]
    assert job.error_type == "GeneratorError"
    assert t2v.calls == []
    assert job.status == Job.Status.FAILED


def test_a_picture_of_the_owners_library_is_copied_as_the_reference_and_starts_the_first_shot(
    alice, fake_t2v, library_item
):
    t2v = fake_t2v()
    job = submit(alice, until="shots", reference_image=library_item(alice, size=(120, 80)))

    assert run(job) == "paused", job.error

    with Image.open(job_workdir(job.id) / "reference.png") as copied:
        assert (copied.format, copied.size) == ("PNG", (120, 80))
        assert copied.getpixel((10, 10)) == (40, 200, 40)
    assert [c["image_size"] for c in t2v.calls] == [(120, 80), None]


def test_a_job_naming_a_library_clip_fails_before_any_shot(alice, fake_t2v, library_item):
    """Past job_create, the storyboard stage refuses a clip as it refuses a stranger's id."""
    t2v = fake_t2v()
    clip = library_item(alice, clip=True)
    _prompt, options = get_generator("ai_video").validate(
        prompt=PROMPT, options={**TINY, "reference_image": clip}
    )
    with transaction.atomic():
        job = job_submit(owner=alice, kind="ai_video", prompt=PROMPT, options=options)

    assert run(job) == "failed"

    assert job.error["message"] == (
        f"The reference image {clip} was refused: "
        "This is a clip in your library; reference_image takes a picture."
    )
    assert job.stage == "storyboard"
    assert t2v.calls == []


def test_the_storyboard_writes_the_plan_with_each_shots_seed(alice, fake_t2v):
    fake_t2v()
    job = submit(alice, until="storyboard")

    assert run(job) == "paused", job.error

    record = job.manifest["stages"]["storyboard"]
    assert [f["path"] for f in record["files"]] == ["plan.json"]
    assert [s["seed"] for s in record["outputs"]["script"]["scenes"]] == [7, 8]


def test_shots_rendered_again_are_reused_and_a_new_seed_renders_only_that_shot(
    alice, fake_t2v, upload_image
):
    t2v = fake_t2v()
    job = submit(alice, until="shots", reference_image=upload_image(alice))
    assert run(job) == "paused", job.error
    first = [(job_workdir(job.id) / f"shots/{i:02d}.mp4").read_bytes() for i in (0, 1)]
    seq = last_seq(job)

    job = render_again(job, until="shots", fresh_worker=True)

    assert len(t2v.calls) == 2
    assert reuse_lines(job, "Shots", seq) == ["Shots: reused shots 1, 2"]
    assert not [e for e in events(job, "shot_complete") if e.seq > seq]
    assert job.manifest["stages"]["shots"]["outputs"]["rendered"] == []
    seq = last_seq(job)

    def new_seed(plan):
        plan["scenes"][1]["seed"] = 99

    job = render_again(job, until="shots", edit=new_seed)

    assert [c["seed"] for c in t2v.calls[2:]] == [99]
    assert [e.payload["index"] for e in events(job, "shot_complete") if e.seq > seq] == [1]
    assert reuse_lines(job, "Shots", seq) == ["Shots: reused shot 1; made shot 2"]
    assert (job_workdir(job.id) / "shots/00.mp4").read_bytes() == first[0]
    seq = last_seq(job)

    # Another reference picture changes the first shot only.
    job = render_again(job, until="shots", options={"reference_image": upload_image(alice)})

    assert [(c["seed"], c["image_size"]) for c in t2v.calls[3:]] == [(7, (96, 64))]
    assert reuse_lines(job, "Shots", seq) == ["Shots: reused shot 2; made shot 1"]
