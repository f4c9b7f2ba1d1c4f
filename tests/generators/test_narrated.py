"""story, youtube and explainer jobs run for real (ffmpeg output, Manim renders), with the
fake planner, voice and pictures of the test settings standing in for the edges."""

import json

import av
import numpy as np
import pytest
from PIL import Image

from gallery.media import moov_before_mdat, probe
from pipeline.engine.runner import job_run, job_workdir
from pipeline.media.captions import read_vtt
from pipeline.models import Job, JobEvent
from studio.services import job_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

STORY = (
    "A fox found a lantern in the snow. It carried the light through the forest. "
    "Other animals followed the glow. By morning they all reached the warm valley."
)


def run(alice, kind, prompt, **options):
    job = job_create(
        user=alice, kind=kind, prompt=prompt, options={"quality": 480, "fps": 24, **options}
    )
    assert job_run(job_id=job.id) == "succeeded", Job.objects.get(pk=job.id).error
    job.refresh_from_db()
    return job


def speech_duration(job) -> float:
    stages = job.manifest["stages"]
    return next(s["outputs"]["duration"] for s in stages.values() if "speech" in s["outputs"])


def assert_playable(job):
    video = job.result
    path = video.file.path
    info = probe(path)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert moov_before_mdat(path)
    assert abs(info.duration - speech_duration(job)) <= 0.5
    assert abs(info.video_duration - info.audio_duration) <= 0.2
    poster = np.asarray(Image.open(video.poster.path).convert("L"), dtype=float)
    assert poster.std() > 3, "the poster must not be blank"
    return info


def test_story_job_makes_a_narrated_captioned_video(alice):
    job = run(alice, "story", STORY, music="ambient")
    info = assert_playable(job)
    assert (info.width, info.height) == (852, 480)
    assert [e.stage for e in JobEvent.objects.filter(job=job, type="stage_complete")] == [
        "plan", "narrate", "captions", "visuals", "assemble",
    ]  # fmt: skip
    cues = read_vtt(job.result.captions_vtt.path)
    narration = " ".join(s["narration"] for s in job.manifest["stages"]["plan"]["outputs"]
                         ["script"]["scenes"])  # fmt: skip
    assert " ".join(" ".join(c.lines) for c in cues).split() == narration.split()
    assert job.result.captions_srt


def test_caption_cues_start_and_end_with_the_spoken_words(alice):
    job = job_create(user=alice, kind="story", prompt=STORY, options={"quality": 480},
                     until="captions")  # fmt: skip
    job_run(job_id=job.id)
    workdir = job_workdir(job.id)
    words = json.loads((workdir / "speech.json").read_text())["words"]
    starts = {round(w["start"], 3) for w in words}
    ends = {round(w["end"], 3) for w in words}
    cues = read_vtt(workdir / "captions.vtt")
    assert len(cues) >= 2
    for cue in cues:
        assert round(cue.start, 3) in starts
        assert any(abs(cue.end - end) < 0.002 for end in ends) or cue.end < max(ends)


def test_story_progress_milestones_follow_the_stages(alice):
    job = run(alice, "story", STORY)
    done = [e.progress for e in JobEvent.objects.filter(job=job, type="stage_complete")]
    assert done == [20, 40, 60, 80, 99]


def test_vertical_story_without_burned_captions(alice):
    job = run(alice, "story", STORY, aspect="9:16", burn_captions=False, motion=False)
    info = assert_playable(job)
    assert (info.width, info.height) == (480, 852)


def test_youtube_job_has_script_images_voices_and_metadata(alice):
    job = run(alice, "youtube", "How bees make honey", target_seconds=20, max_scenes=3)
    assert_playable(job)
    stages = job.manifest["stages"]
    ran = [e.stage for e in JobEvent.objects.filter(job=job, type="stage_complete")]
    assert ran == ["ideation", "script", "images", "voices", "assembly", "captions"]
    assert all("seconds" in s for s in stages.values())
    script = stages["script"]["outputs"]["script"]
    assert all(scene["narration"] and scene["image_prompt"] for scene in script)
    metadata = stages["captions"]["outputs"]["youtube"]
    assert metadata["title"] and metadata["description"]
    assert job.result.captions_vtt


def test_youtube_stages_run_one_at_a_time(alice, api_for):
    client = api_for(alice)
    body = client.post(
        "/api/v1/jobs",
        {"kind": "youtube", "prompt": "Why the sky is blue", "until": "script",
         "options": {"quality": 480, "max_scenes": 2}},
        format="json",
    ).json()  # fmt: skip
    job_run(job_id=body["id"])
    artifacts = client.get(f"/api/v1/jobs/{body['id']}/artifacts").json()
    assert set(artifacts["stages"]) == {"ideation", "script"}
    assert {"plan.json", "script.json"} <= {f["path"] for f in artifacts["files"]}
    client.post(f"/api/v1/jobs/{body['id']}/continue", {"until": "images"}, format="json")
    job_run(job_id=body["id"])
    files = {f["path"] for f in client.get(f"/api/v1/jobs/{body['id']}/artifacts").json()["files"]}
    assert "stills/00.png" in files and "narration.wav" not in files


def test_explainer_job_animates_at_least_three_scenes_in_step_with_the_voice(alice):
    job = run(alice, "explainer", "Explain the Pythagorean theorem", max_scenes=4)
    info = assert_playable(job)
    render = job.manifest["stages"]["render"]["outputs"]
    assert len(render["clips"]) >= 3
    assert set(render["renderers"]) == {"templates"}
    assert abs(info.video_duration - info.audio_duration) <= 0.5
    with av.open(job.result.file.path) as container:
        assert container.streams.video[0].average_rate == 24


def test_explainer_with_llm_code_renders_in_the_sandbox_and_keeps_the_script(alice, api_for):
    job = run(alice, "explainer", "Explain circles", max_scenes=1, llm_code=True)
    render = job.manifest["stages"]["render"]["outputs"]
    assert render["renderers"] == ["llm"]
    script = api_for(alice).get(f"/api/v1/jobs/{job.id}/script").json()
    assert script["stage"] == "render" and "class" in script["script"]
    assert_playable(job)


def test_story_sound_is_normalised_and_the_video_checked_before_delivery(alice):
    from tests.media.mediafiles import ebur128

    job = run(alice, "story", STORY, music="ambient")
    video = job.result
    measured = ebur128(video.file.path)
    assert abs(measured["integrated"] - -14) <= 1 and measured["true_peak"] <= -1
    assert abs(video.loudness["integrated"] - measured["integrated"]) <= 0.2
    assert abs(video.loudness["true_peak"] - measured["true_peak"]) <= 0.3
    assert video.captions_burned and isinstance(video.checks, list)
    assert not [c for c in video.checks if c["level"] == "error"]
    assemble = job.manifest["stages"]["assemble"]["outputs"]
    assert assemble["loudness"] == video.loudness and assemble["checks"] == video.checks


def test_a_video_that_fails_its_check_fails_the_stage_with_the_reason(tmp_path):
    from pipeline.errors import GeneratorError
    from pipeline.generators.shared.assembly import review
    from pipeline.media.inspection import Expected
    from tests.media.mediafiles import mismatched

    class Stage:  # what review needs of a stage's context
        def progress(self, fraction, message=""):
            pass

    out = mismatched(tmp_path / "out.mp4", video_seconds=1.0, audio_seconds=2.0)
    with pytest.raises(GeneratorError) as failed:
        review(Stage(), out, Expected())
    assert "failed its check" in failed.value.message and "sound 2.0" in failed.value.message
    assert failed.value.permanent and failed.value.hint


def test_caption_style_and_position_reach_the_webvtt_file(alice):
    job = run(alice, "story", STORY, aspect="9:16", caption_style="karaoke")
    vtt = job.result.captions_vtt.read().decode()
    assert "STYLE\n::cue" in vtt and "<c.w>" in vtt and " line:80%,end\n" in vtt
    assert job.result.captions_burned


@pytest.mark.parametrize("burned", [True, False])
def test_story_pictures_open_with_the_title_and_leave_the_words_to_captions(alice, burned):
    from pipeline.providers import get_provider

    images = get_provider("images")
    before = len(images.calls)
    job = run(alice, "story", STORY, burn_captions=burned)
    texts = [call["text"] for call in images.calls[before:]]
    plan = job.manifest["stages"]["plan"]["outputs"]["script"]
    assert texts[0] == plan["title"]
    if burned:
        assert all(text == "" for text in texts[1:])
    else:
        assert texts[1:] == [s["on_screen_text"] for s in plan["scenes"][1:]]


@pytest.mark.parametrize("burned", [True, False])
def test_an_opening_title_that_repeats_the_narration_is_left_to_the_captions(
    alice, settings, burned
):
    """A youtube video on a subject the offline planner does not know is one scene that says
    its title: under burned captions the same words would be on screen twice."""
    from pipeline.providers import get_provider

    local = {"BACKEND": "pipeline.providers.llm.local.LocalPlanner", "OPTIONS": {}}
    settings.VIDEOGEN_PROVIDERS = {**settings.VIDEOGEN_PROVIDERS, "llm": local}
    images = get_provider("images")
    before = len(images.calls)
    subject = "Why honeybees dance: how a forager tells the hive where the flowers are"
    job = run(alice, "youtube", subject, burn_captions=burned)
    [text] = [call["text"] for call in images.calls[before:]]
    assert job.result.title == subject
    assert text == ("" if burned else subject)
