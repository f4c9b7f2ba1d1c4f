"""Per-scene outputs cached under a hash of their inputs: the cache itself against real
storage, and story jobs whose stages run again in the same job (as after an edit of the
plan) through the real runner, with the fake voice and pictures of the test settings
counting what is made again."""

import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from pipeline.cleanup import cleanup_run
from pipeline.engine.artifacts import artifact_name
from pipeline.engine.runner import job_run, job_workdir
from pipeline.engine.scene_cache import SceneCache, cache_key
from pipeline.models import Job
from pipeline.providers import get_provider
from pipeline.services import job_delete
from studio.services import job_create
from tests.rerender import last_seq, render_again, reuse_lines

STORY = "A fox found a lantern in the snow. It carried the light. The animals followed it."


# --- the cache ------------------------------------------------------------------------------


def test_the_key_is_a_hash_of_the_canonical_inputs():
    key = cache_key("picture", {"prompt": "a fox", "size": [64, 48], "seed": 1})
    assert key == cache_key("picture", {"seed": 1, "size": [64, 48], "prompt": "a fox"})
    assert len(key) == 32 and int(key, 16) >= 0
    assert key != cache_key("picture", {"prompt": "a fox", "size": [64, 48], "seed": 2})
    assert key != cache_key("narration", {"prompt": "a fox", "size": [64, 48], "seed": 1})


def test_stored_files_come_back_to_the_paths_a_stage_reads(tmp_path):
    job_id = "0f4c5a9e-2d7b-4b7e-9a63-8d0f2c1e5b11"
    made = SceneCache(job_id, tmp_path / "one")
    files = {"wav": tmp_path / "one/voice/a.wav", "json": tmp_path / "one/voice/a.json"}
    entry = made.entry("narration", {"text": "Hello."}, files)
    assert not entry.restored
    entry.files["wav"].parent.mkdir(parents=True)
    entry.files["wav"].write_bytes(b"RIFF sound")
    entry.files["json"].write_text('{"duration": 1.5}')
    entry.store()
    stored = f"jobs/{job_id}/cache/narration/{entry.key}"
    assert default_storage.exists(f"{stored}.wav") and default_storage.exists(f"{stored}.json")

    # Another worker, another work folder, another scene with the same words.
    again = SceneCache(job_id, tmp_path / "two")
    target = {"wav": tmp_path / "two/voice/03/x.wav", "json": tmp_path / "two/voice/03/x.json"}
    restored = again.entry("narration", {"text": "Hello."}, target)
    assert restored.restored
    assert target["wav"].read_bytes() == b"RIFF sound"
    assert target["json"].read_text() == '{"duration": 1.5}'
    # The downloads stay in the private .cache folder, never stored as artifacts.
    assert (tmp_path / "two/.cache/narration" / f"{entry.key}.wav").exists()
    assert not again.entry("narration", {"text": "Hello!"}, target).restored


def test_an_entry_counts_only_once_its_marker_is_stored(tmp_path):
    """A worker killed while storing an entry leaves files but no marker: not a hit."""
    cache = SceneCache("5d1f0c2a-7e1b-4c3d-8f2a-6b9e0d4c3a21", tmp_path)
    key = cache_key("picture", {"prompt": "half"})
    default_storage.save(cache.stored_name("picture", key, "png"), ContentFile(b"\x89PNG half"))
    assert not cache.fetch("picture", key, ["png"])
    assert not cache.entry("picture", {"prompt": "half"}, {"png": tmp_path / "p.png"}).restored


# --- story jobs rendered again --------------------------------------------------------------


def story(alice, **options):
    job = job_create(user=alice, kind="story", prompt=STORY, until="visuals",
                     options={"quality": 480, "voice": "fake", **options})  # fmt: skip
    assert job_run(job_id=job.id) == Job.Status.PAUSED, Job.objects.get(pk=job.id).error
    job.refresh_from_db()
    return job


def counts():
    return len(get_provider("tts").calls), len(get_provider("images").calls)


def stills(job) -> list[bytes]:
    folder = job_workdir(job.id) / "stills"
    return [path.read_bytes() for path in sorted(folder.glob("*.png"))]


def stored_cache(job) -> list[str]:
    names = []
    for kind in ("narration", "picture"):
        _dirs, files = default_storage.listdir(f"jobs/{job.id}/cache/{kind}")
        names += [f"jobs/{job.id}/cache/{kind}/{name}" for name in files]
    return names


@pytest.mark.django_db(transaction=True)
def test_a_story_rendered_again_reuses_every_scene_output(alice):
    job = story(alice)
    pictures = stills(job)
    speech = (job_workdir(job.id) / "speech.json").read_text()
    assert reuse_lines(job, "Narration") == ["Narration: made scenes 1, 2, 3"]
    assert reuse_lines(job, "Pictures") == ["Pictures: made scenes 1, 2, 3"]
    before, seq = counts(), last_seq(job)

    job = render_again(job, until="visuals", fresh_worker=True)

    assert counts() == before  # no scene spoken or painted again
    assert stills(job) == pictures
    assert (job_workdir(job.id) / "speech.json").read_text() == speech
    assert reuse_lines(job, "Narration", seq) == ["Narration: reused scenes 1, 2, 3"]
    assert reuse_lines(job, "Pictures", seq) == ["Pictures: reused scenes 1, 2, 3"]


@pytest.mark.django_db(transaction=True)
def test_a_new_voice_speaks_every_scene_again_and_keeps_the_pictures(alice):
    job = story(alice)
    tts, images = counts()
    seq = last_seq(job)

    job = render_again(job, until="visuals", options={"voice": "fake-alt"})

    assert counts() == (tts + 3, images)
    assert [c["voice"] for c in get_provider("tts").calls[-3:]] == ["fake-alt"] * 3
    assert reuse_lines(job, "Narration", seq) == ["Narration: made scenes 1, 2, 3"]
    assert reuse_lines(job, "Pictures", seq) == ["Pictures: reused scenes 1, 2, 3"]


@pytest.mark.django_db(transaction=True)
def test_a_new_image_prompt_paints_only_that_picture(alice):
    job = story(alice)
    pictures = stills(job)
    tts, images = counts()
    seq = last_seq(job)

    def edit(plan):
        plan["scenes"][1]["image_prompt"] = "A lantern glowing in a dark forest"

    # The work folder keeps the old pictures: the edited scene's must not be taken for done.
    job = render_again(job, until="visuals", edit=edit)

    assert counts() == (tts, images + 1)
    assert get_provider("images").calls[-1]["prompt"] == "A lantern glowing in a dark forest"
    now = stills(job)
    assert now[0] == pictures[0] and now[2] == pictures[2] and now[1] != pictures[1]
    assert reuse_lines(job, "Narration", seq) == ["Narration: reused scenes 1, 2, 3"]
    assert reuse_lines(job, "Pictures", seq) == ["Pictures: reused scenes 1, 3; made scene 2"]


@pytest.mark.django_db(transaction=True)
def test_a_new_seed_paints_that_scene_again_but_keeps_its_narration(alice):
    job = story(alice)
    pictures = stills(job)
    tts, images = counts()
    seq = last_seq(job)

    def edit(plan):
        plan["scenes"][2]["seed"] = 41

    job = render_again(job, until="visuals", edit=edit)

    assert counts() == (tts, images + 1)
    assert get_provider("images").calls[-1]["seed"] == 2 + 41
    assert stills(job)[:2] == pictures[:2] and stills(job)[2] != pictures[2]
    assert reuse_lines(job, "Narration", seq) == ["Narration: reused scenes 1, 2, 3"]
    assert reuse_lines(job, "Pictures", seq) == ["Pictures: reused scenes 1, 2; made scene 3"]


@pytest.mark.django_db(transaction=True)
def test_a_cache_file_missing_in_storage_is_made_again(alice):
    job = story(alice)
    pictures = stills(job)
    _tts, images = counts()
    gone = sorted(n for n in stored_cache(job) if "/picture/" in n and n.endswith(".png"))[0]
    default_storage.delete(gone)
    seq = last_seq(job)

    job = render_again(job, until="visuals", fresh_worker=True)

    assert counts()[1] == images + 1
    assert stills(job) == pictures  # the same request makes the same picture
    assert default_storage.exists(gone)
    assert len(reuse_lines(job, "Pictures", seq)) == 1
    assert "made scene" in reuse_lines(job, "Pictures", seq)[0]


@pytest.mark.django_db(transaction=True)
def test_the_sweeps_keep_a_live_jobs_cache_and_deleting_the_job_removes_it(alice, settings):
    settings.ORPHAN_GRACE_HOURS = 1
    job = story(alice)
    cached = stored_cache(job)
    assert len(cached) == 3 * 3 + 3 * 2  # narration: wav, json, done; pictures: png, done
    assert all(n.startswith(artifact_name(job.id, "cache/")) for n in cached)

    cleanup_run(now=timezone.now() + timedelta(days=3))
    assert all(default_storage.exists(name) for name in cached)

    job_delete(job=job)
    assert not any(default_storage.exists(name) for name in cached)


def test_every_backends_output_options_are_options_it_has():
    from django.utils.module_loading import import_string

    from pipeline.providers.loader import BACKENDS

    paths = [p for role in BACKENDS.values() for p in role] + [
        "pipeline.providers.fakes.FakePlanner",
        "pipeline.providers.fakes.FakeTTS",
        "pipeline.providers.fakes.FakeImages",
        "pipeline.providers.t2v.fake.FakeTextToVideo",
    ]
    for path in paths:
        cls = import_string(path)
        assert set(cls.output_options) <= set(cls.option_defaults), path
    assert json.dumps(get_provider("tts").identity())
