"""The storyboard: a job in review pauses after planning; its plan is read, edited with
revisions and rendered; a finished job's edited plan renders a new version of the same video."""

import pytest
from django.core.files.storage import default_storage

from gallery.media import probe
from pipeline.engine.runner import job_run
from pipeline.models import Job, JobEvent, PlanRevision

pytestmark = pytest.mark.django_db(transaction=True)


def reviewed_job(client, prompt="First card. Second card.", **body):
    response = client.post(
        "/api/v1/jobs",
        {"kind": "demo", "prompt": prompt, "review": True, "options": {"cards": 2}, **body},
        format="json",
    )
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    assert job_run(job_id=job_id) == "paused"
    return job_id


def edited(plan: dict, *texts: str) -> dict:
    return {**plan, "scenes": [{**plan["scenes"][0], "narration": text} for text in texts]}


def test_review_pauses_after_planning_with_the_plan_as_revision_one(api_for, alice):
    client = api_for(alice)
    job_id = reviewed_job(client)

    job = client.get(f"/api/v1/jobs/{job_id}").json()
    assert (job["status"], job["paused_after"], job["plan_revision"]) == ("paused", "plan", 1)
    assert {"edit", "render"} <= set(job["actions"])
    body = client.get(f"/api/v1/jobs/{job_id}/plan").json()
    assert (body["revision"], body["current"], body["author"], body["editable"]) == (
        1,
        1,
        None,
        True,
    )
    assert [s["narration"] for s in body["plan"]["scenes"]] == ["First card.", "Second card."]
    assert body["estimated_seconds"] > 0


def test_review_names_its_field_when_it_cannot_be_honoured(api_for, alice):
    response = api_for(alice).post(
        "/api/v1/jobs",
        {"kind": "demo", "prompt": "One.", "review": True, "until": "frames"},
        format="json",
    )
    assert response.status_code == 400 and "review" in response.json()


def test_a_saved_edit_is_a_new_revision_and_the_render_uses_it(api_for, alice):
    client = api_for(alice)
    job_id = reviewed_job(client)
    plan = client.get(f"/api/v1/jobs/{job_id}/plan").json()["plan"]

    saved = client.put(
        f"/api/v1/jobs/{job_id}/plan",
        {"revision": 1, "plan": edited(plan, "A new opening.", "Middle.", "The end.")},
        format="json",
    )
    assert saved.status_code == 200, saved.json()
    assert (saved.json()["revision"], saved.json()["author"]) == (2, alice.get_full_name())
    event = JobEvent.objects.filter(job_id=job_id, type="plan_updated").get()
    assert event.payload["revision"] == 2
    # The history keeps the planner's revision.
    old = client.get(f"/api/v1/jobs/{job_id}/plan?revision=1").json()
    assert [s["narration"] for s in old["plan"]["scenes"]] == ["First card.", "Second card."]
    history = client.get(f"/api/v1/jobs/{job_id}/plan/revisions").json()
    assert [(r["revision"], r["author"], r["scenes"]) for r in history] == [
        (2, alice.get_full_name(), 3),
        (1, None, 2),
    ]

    assert client.post(f"/api/v1/jobs/{job_id}/render").status_code == 202
    assert job_run(job_id=job_id) == "succeeded"
    job = Job.objects.get(pk=job_id)
    # Three scenes were drawn: the edited plan, not the planner's, was rendered.
    assert job.manifest["stages"]["frames"]["outputs"]["cards"] == 3
    assert abs(probe(job.result.file.path).duration - 4.5) < 0.2
    assert job.result.plan_revision == 2


def test_a_stale_or_invalid_plan_is_refused_and_changes_nothing(api_for, alice):
    client = api_for(alice)
    job_id = reviewed_job(client)
    plan = client.get(f"/api/v1/jobs/{job_id}/plan").json()["plan"]
    url = f"/api/v1/jobs/{job_id}/plan"
    first = client.put(url, {"revision": 1, "plan": edited(plan, "Two.")}, format="json")
    assert first.status_code == 200

    stale = client.put(url, {"revision": 1, "plan": edited(plan, "Mine.")}, format="json")
    assert stale.status_code == 409 and "revision 2" in stale.json()["detail"]

    bad = {**edited(plan, "Fine.", "  "), "title": ""}
    invalid = client.put(url, {"revision": 2, "plan": bad}, format="json")
    assert invalid.status_code == 400
    assert invalid.json()["plan"] == {
        "title": ["must not be empty"],
        "scenes[1].narration": ["must not be empty"],
    }
    missing = client.put(url, {"plan": plan}, format="json")
    assert missing.status_code == 400 and "revision" in missing.json()
    assert PlanRevision.objects.filter(job_id=job_id).count() == 2
    assert Job.objects.get(pk=job_id).plan_revision == 2


def test_the_plan_cannot_change_while_the_job_is_queued(api_for, alice):
    client = api_for(alice)
    job_id = reviewed_job(client)
    plan = client.get(f"/api/v1/jobs/{job_id}/plan").json()["plan"]
    assert client.post(f"/api/v1/jobs/{job_id}/render").status_code == 202

    refused = client.put(
        f"/api/v1/jobs/{job_id}/plan", {"revision": 1, "plan": plan}, format="json"
    )
    assert refused.status_code == 409 and "queued" in refused.json()["detail"]
    assert client.get(f"/api/v1/jobs/{job_id}/plan").json()["editable"] is False


def test_a_finished_job_renders_again_into_the_same_video(api_for, alice):
    client = api_for(alice)
    job_id = reviewed_job(client)
    client.post(f"/api/v1/jobs/{job_id}/render")
    assert job_run(job_id=job_id) == "succeeded"
    first = Job.objects.get(pk=job_id).result
    old_file = first.file.name
    assert client.get(f"/api/v1/jobs/{job_id}").json()["actions"] == ["render", "edit", "delete"]

    plan = client.get(f"/api/v1/jobs/{job_id}/plan").json()["plan"]
    client.put(
        f"/api/v1/jobs/{job_id}/plan",
        {"revision": 1, "plan": edited(plan, "Only one card now.")},
        format="json",
    )
    assert client.post(f"/api/v1/jobs/{job_id}/render").status_code == 202
    assert job_run(job_id=job_id) == "succeeded"

    job = Job.objects.get(pk=job_id)
    video = job.result
    assert video.pk == first.pk and video.plan_revision == 2 and video.revised_at
    assert video.file.name != old_file and not default_storage.exists(old_file)
    assert abs(probe(video.file.path).duration - 1.5) < 0.2
    assert abs(video.duration - 1.5) < 0.2
    assert client.get(f"/api/v1/videos/{video.pk}").json()["revised_at"]
    client.force_login(alice)
    page = client.get(f"/v/{video.pk}/")
    assert b'id="video-updated"' in page.content

    # Rendering again with nothing changed keeps the video as it is.
    assert client.post(f"/api/v1/jobs/{job_id}/render").status_code == 202
    assert job_run(job_id=job_id) == "succeeded"
    assert Job.objects.get(pk=job_id).result.file.name == video.file.name


def test_regenerating_a_scene_gives_it_a_new_seed_in_a_new_revision(api_for, alice):
    client = api_for(alice)
    job_id = reviewed_job(client)

    response = client.post(f"/api/v1/jobs/{job_id}/scenes/1/regenerate")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    body = client.get(f"/api/v1/jobs/{job_id}/plan").json()
    assert body["revision"] == 2 and "scene 2" in body["note"]
    assert body["plan"]["scenes"][0]["seed"] == 0 and body["plan"]["scenes"][1]["seed"] > 0
    assert client.post(f"/api/v1/jobs/{job_id}/scenes/2/regenerate").status_code == 404
    # Queued now: another regeneration waits for the render.
    assert client.post(f"/api/v1/jobs/{job_id}/scenes/0/regenerate").status_code == 409


def test_listen_speaks_the_given_words_in_the_jobs_voice(api_for, alice):
    client = api_for(alice)
    job_id = reviewed_job(client)

    response = client.post(
        f"/api/v1/jobs/{job_id}/scenes/0/listen", {"narration": "Hello there."}, format="json"
    )
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    assert response.content[:4] == b"RIFF" and len(response.content) > 10_000
    saved = client.post(f"/api/v1/jobs/{job_id}/scenes/1/listen", {}, format="json")
    assert saved.status_code == 200 and saved.content[:4] == b"RIFF"
    # A scene added in the editor and not saved yet: heard with its words, not without.
    added = client.post(
        f"/api/v1/jobs/{job_id}/scenes/2/listen", {"narration": "A third one."}, format="json"
    )
    assert added.status_code == 200 and added.content[:4] == b"RIFF"
    assert (
        client.post(f"/api/v1/jobs/{job_id}/scenes/2/listen", {}, format="json").status_code == 404
    )
    too_far = client.post(
        f"/api/v1/jobs/{job_id}/scenes/99/listen", {"narration": "No."}, format="json"
    )
    assert too_far.status_code == 404
    blank = client.post(
        f"/api/v1/jobs/{job_id}/scenes/0/listen", {"narration": "  "}, format="json"
    )
    assert blank.status_code == 400 and "narration" in blank.json()


def test_nobody_else_reads_or_changes_the_plan(api_for, alice, bob):
    job_id = reviewed_job(api_for(alice))
    stranger = api_for(bob)
    plan = {"title": "Mine now", "scenes": [{"narration": "Taken."}]}
    for method, path, body in [
        ("get", "/plan", None),
        ("get", "/plan?revision=1", None),
        ("get", "/plan/revisions", None),
        ("put", "/plan", {"revision": 1, "plan": plan}),
        ("post", "/render", None),
        ("post", "/scenes/0/regenerate", None),
        ("post", "/scenes/0/listen", {}),
    ]:
        response = getattr(stranger, method)(f"/api/v1/jobs/{job_id}{path}", body, format="json")
        assert response.status_code == 404, (method, path)
    assert PlanRevision.objects.filter(job_id=job_id).count() == 1
    assert Job.objects.get(pk=job_id).status == "paused"


def test_a_plan_that_is_not_there_yet_is_a_404(api_for, alice):
    client = api_for(alice)
    job_id = client.post("/api/v1/jobs", {"kind": "demo", "prompt": "One."}, format="json").json()[
        "id"
    ]
    assert client.get(f"/api/v1/jobs/{job_id}/plan").status_code == 404
    assert (
        client.post(f"/api/v1/jobs/{job_id}/scenes/0/listen", {}, format="json").status_code == 404
    )
    job_run(job_id=job_id)
    assert client.get(f"/api/v1/jobs/{job_id}/plan?revision=9").status_code == 404


@pytest.mark.slow
def test_words_heard_in_the_editor_are_not_spoken_again_by_the_render(api_for, alice):
    client = api_for(alice)
    job_id = client.post(
        "/api/v1/jobs",
        {
            "kind": "story",
            "prompt": "A fox found a lantern. It carried the light home.",
            "review": True,
            "options": {"quality": 480, "fps": 24},
        },
        format="json",
    ).json()["id"]
    assert job_run(job_id=job_id) == "paused"
    scenes = client.get(f"/api/v1/jobs/{job_id}/plan").json()["plan"]["scenes"]

    first = client.post(f"/api/v1/jobs/{job_id}/scenes/0/listen", {}, format="json")
    again = client.post(f"/api/v1/jobs/{job_id}/scenes/0/listen", {}, format="json")
    assert (first["X-Reused"], again["X-Reused"]) == ("0", "1")
    assert first.content == again.content

    client.post(f"/api/v1/jobs/{job_id}/render")
    assert job_run(job_id=job_id) == "succeeded", Job.objects.get(pk=job_id).error
    line = JobEvent.objects.filter(job_id=job_id, message__startswith="Narration: ").get()
    assert line.payload["reused"] == [0]
    assert line.payload["made"] == list(range(1, len(scenes)))
