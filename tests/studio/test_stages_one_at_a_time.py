"""Running a job's stages a part at a time: `until`, `continue` and the artifacts."""

import pytest

from pipeline.engine.runner import job_run
from pipeline.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_job_stops_after_the_stage_asked_and_shows_its_artifacts(api_for, alice):
    client = api_for(alice)
    body = client.post(
        "/api/v1/jobs",
        {"kind": "demo", "prompt": "One. Two.", "until": "frames"},
        format="json",
    ).json()
    assert body["until"] == "frames"

    job_run(job_id=body["id"])

    job = client.get(f"/api/v1/jobs/{body['id']}").json()
    assert (job["status"], job["paused_after"], job["video"]) == ("paused", "frames", None)
    assert job["actions"] == ["continue", "render", "edit", "cancel", "delete"]
    artifacts = client.get(f"/api/v1/jobs/{body['id']}/artifacts").json()
    assert set(artifacts["stages"]) == {"plan", "frames"}
    paths = [f["path"] for f in artifacts["files"]]
    assert "plan.json" in paths and "cards/00.png" in paths
    png = client.get(next(f["url"] for f in artifacts["files"] if f["path"] == "cards/00.png"))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert b"".join(png.streaming_content).startswith(b"\x89PNG")


def test_continue_runs_the_rest_without_redoing_finished_stages(api_for, alice):
    client = api_for(alice)
    job_id = client.post(
        "/api/v1/jobs", {"kind": "demo", "prompt": "One.", "until": "plan"}, format="json"
    ).json()["id"]
    job_run(job_id=job_id)
    plan_done = Job.objects.get(pk=job_id).manifest["stages"]["plan"]["finished_at"]

    response = client.post(f"/api/v1/jobs/{job_id}/continue", {"until": "frames"}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    job_run(job_id=job_id)
    assert Job.objects.get(pk=job_id).paused_after == "frames"

    assert client.post(f"/api/v1/jobs/{job_id}/continue").status_code == 202
    job_run(job_id=job_id)
    job = Job.objects.get(pk=job_id)
    assert job.status == "succeeded" and job.result is not None and not job.paused_after
    assert job.manifest["stages"]["plan"]["finished_at"] == plan_done
    assert client.post(f"/api/v1/jobs/{job_id}/continue").status_code == 409


def test_until_must_name_a_stage(api_for, alice):
    response = api_for(alice).post(
        "/api/v1/jobs", {"kind": "demo", "prompt": "x", "until": "nope"}, format="json"
    )
    assert response.status_code == 400 and "until" in response.json()


def test_artifact_paths_cannot_leave_the_work_folder(api_for, alice, settings):
    client = api_for(alice)
    job_id = client.post(
        "/api/v1/jobs", {"kind": "demo", "prompt": "x", "until": "plan"}, format="json"
    ).json()["id"]
    job_run(job_id=job_id)
    secret = settings.JOB_WORK_DIR / "secret.txt"
    secret.write_text("not yours")
    for path in ["../secret.txt", "..%2Fsecret.txt", "/etc/passwd", "logs/x.log"]:
        assert client.get(f"/api/v1/jobs/{job_id}/artifacts/{path}").status_code == 404


def test_strangers_get_404_on_artifacts_and_continue(api_for, alice, bob):
    job_id = (
        api_for(alice)
        .post("/api/v1/jobs", {"kind": "demo", "prompt": "x", "until": "plan"}, format="json")
        .json()["id"]
    )
    job_run(job_id=job_id)
    stranger = api_for(bob)
    assert stranger.get(f"/api/v1/jobs/{job_id}/artifacts").status_code == 404
    assert stranger.get(f"/api/v1/jobs/{job_id}/artifacts/plan.json").status_code == 404
    assert stranger.post(f"/api/v1/jobs/{job_id}/continue").status_code == 404


def test_artifacts_are_served_from_storage_after_the_work_folder_is_gone(api_for, alice):
    import shutil

    from django.core.files.storage import default_storage

    from pipeline.engine.runner import job_workdir

    client = api_for(alice)
    job_id = client.post(
        "/api/v1/jobs", {"kind": "demo", "prompt": "One. Two.", "until": "frames"}, format="json"
    ).json()["id"]
    job_run(job_id=job_id)
    shutil.rmtree(job_workdir(job_id))

    files = {f["path"]: f for f in client.get(f"/api/v1/jobs/{job_id}/artifacts").json()["files"]}
    assert set(files) == {"plan.json", "cards/00.png", "cards/01.png"}
    plan = client.get(files["plan.json"]["url"])
    assert plan.status_code == 200 and plan["Content-Type"] == "application/json"
    assert (
        b"".join(plan.streaming_content) == default_storage.open(f"jobs/{job_id}/plan.json").read()
    )
    assert files["plan.json"]["size"] == default_storage.size(f"jobs/{job_id}/plan.json")


def test_a_job_resumed_elsewhere_fetches_finished_stages_from_storage(api_for, alice):
    import shutil

    from pipeline.engine.runner import job_workdir

    client = api_for(alice)
    job_id = client.post(
        "/api/v1/jobs", {"kind": "demo", "prompt": "One. Two.", "until": "frames"}, format="json"
    ).json()["id"]
    job_run(job_id=job_id)
    before = Job.objects.get(pk=job_id).manifest["stages"]
    shutil.rmtree(job_workdir(job_id))  # another host: an empty work folder

    client.post(f"/api/v1/jobs/{job_id}/continue")
    assert job_run(job_id=job_id) == "succeeded"

    after = Job.objects.get(pk=job_id).manifest["stages"]
    for stage in ("plan", "frames"):
        assert after[stage]["finished_at"] == before[stage]["finished_at"], stage


def test_a_stage_whose_stored_files_are_gone_runs_again(api_for, alice):
    import shutil

    from pipeline.engine.artifacts import job_artifacts_delete
    from pipeline.engine.runner import job_workdir

    client = api_for(alice)
    job_id = client.post(
        "/api/v1/jobs", {"kind": "demo", "prompt": "One.", "until": "frames"}, format="json"
    ).json()["id"]
    job_run(job_id=job_id)
    before = Job.objects.get(pk=job_id).manifest["stages"]
    shutil.rmtree(job_workdir(job_id))
    job_artifacts_delete(job_id=job_id)

    client.post(f"/api/v1/jobs/{job_id}/continue")
    assert job_run(job_id=job_id) == "succeeded"
    after = Job.objects.get(pk=job_id).manifest["stages"]
    assert after["frames"]["finished_at"] != before["frames"]["finished_at"]
    # The plan is not asked of the planner again: its revision in the database stands for it.
    assert after["plan"]["finished_at"] == before["plan"]["finished_at"]


def test_deleting_a_job_deletes_its_stored_artifacts(api_for, alice):
    from django.core.files.storage import default_storage

    client = api_for(alice)
    job_id = client.post(
        "/api/v1/jobs", {"kind": "demo", "prompt": "One.", "until": "plan"}, format="json"
    ).json()["id"]
    job_run(job_id=job_id)
    assert default_storage.exists(f"jobs/{job_id}/plan.json")

    assert client.delete(f"/api/v1/jobs/{job_id}").status_code == 204

    assert not default_storage.exists(f"jobs/{job_id}/plan.json")
