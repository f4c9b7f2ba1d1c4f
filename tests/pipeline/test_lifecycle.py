"""The job's state machine: one writer of `Job.status`, conditional transitions, the actions
each status allows, and `paused` for a job stopped after a stage."""

import ast
import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps

from pipeline.engine import lifecycle
from pipeline.engine.runner import job_run
from pipeline.errors import JobStateError
from pipeline.models import Job, JobEvent

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["accounts", "gallery", "pipeline", "studio", "videogen"]


def _status_writes(path: Path) -> list[int]:
    """Lines that set a `status` field: `.update(status=…)`, `.create(status=…)` or
    `x.status = …`."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in {"update", "create", "get_or_create", "update_or_create"} and any(
                k.arg == "status" for k in node.keywords
            ):
                lines.append(node.lineno)
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        lines += [
            node.lineno for t in targets if isinstance(t, ast.Attribute) and t.attr == "status"
        ]
    return lines


def test_only_the_lifecycle_module_writes_a_jobs_status():
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or path.name == "lifecycle.py":
                continue
            if lines := _status_writes(path):
                found[str(path.relative_to(ROOT))] = lines
    assert found == {}
    assert _status_writes(ROOT / "pipeline" / "engine" / "lifecycle.py"), (
        "the scan finds real writes"
    )


@pytest.mark.django_db
def test_each_status_lists_the_actions_it_allows(make_job):
    job = make_job()
    expected = {
        "queued": ["cancel", "delete"],
        "running": ["cancel", "delete"],
        "paused": ["continue", "render", "edit", "cancel", "delete"],
        "succeeded": ["render", "edit", "delete"],
        "failed": ["retry", "edit", "delete"],
        "canceled": ["retry", "edit", "delete"],
    }
    assert set(expected) == set(Job.Status.values)
    for status, actions in expected.items():
        job.status = status
        assert lifecycle.job_actions(job) == actions


@pytest.mark.django_db(transaction=True)
def test_a_paused_job_reads_paused_with_its_stage_and_allowed_actions(api_for, alice):
    client = api_for(alice)
    job_id = client.post(
        "/api/v1/jobs", {"kind": "demo", "prompt": "One.", "until": "plan"}, format="json"
    ).json()["id"]

    assert job_run(job_id=job_id) == "paused"

    body = client.get(f"/api/v1/jobs/{job_id}").json()
    assert (body["status"], body["paused_after"], body["actions"]) == (
        "paused",
        "plan",
        ["continue", "render", "edit", "cancel", "delete"],
    )
    event = JobEvent.objects.filter(job_id=job_id).last()
    assert event.payload == {
        "status": "paused",
        "actions": ["continue", "render", "edit", "cancel", "delete"],
        "paused_after": "plan",
    }
    # Retrying is not what a paused job needs; cancelling it is allowed and immediate.
    assert client.post(f"/api/v1/jobs/{job_id}/retry").status_code == 409
    canceled = client.post(f"/api/v1/jobs/{job_id}/cancel")
    assert canceled.status_code == 202 and canceled.json()["status"] == "canceled"


@pytest.mark.django_db(transaction=True)
def test_a_transition_happens_once_and_only_for_the_lease_holder(make_job):
    job = make_job()
    assert lifecycle.job_claim(job_id=job.id, lease="a")
    assert not lifecycle.job_claim(job_id=job.id, lease="b")  # delivered twice: runs once

    assert not lifecycle.job_fail(
        job_id=job.id, lease="b", stage="", error_type="X", message="not yours"
    )
    assert lifecycle.job_fail(job_id=job.id, lease="a", stage="", error_type="X", message="m")
    assert not lifecycle.job_fail(job_id=job.id, lease="a", stage="", error_type="X", message="m")

    job.refresh_from_db()
    assert (job.status, job.lease, job.error_message) == ("failed", "", "m")
    errors = JobEvent.objects.filter(job=job, type="error")
    assert [e.payload["status"] for e in errors] == ["failed"]


@pytest.mark.django_db(transaction=True)
def test_refused_actions_name_the_status(make_job):
    job = make_job()
    with pytest.raises(JobStateError, match="queued job cannot be retried"):
        lifecycle.job_retry(job_id=job.id)
    with pytest.raises(JobStateError, match="Only a paused job"):
        lifecycle.job_continue(job_id=job.id)


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_jobs_stopped_after_a_stage_into_paused_ones(alice):
    from tests.factories import VideoFactory

    migration = importlib.import_module("pipeline.migrations.0006_job_paused")
    stopped = Job.objects.create(owner=alice, kind="demo", prompt="x", paused_after="plan")
    done = Job.objects.create(
        owner=alice, kind="demo", prompt="y", result=VideoFactory(owner=alice)
    )
    Job.objects.filter(pk__in=[stopped.pk, done.pk]).update(status="succeeded")

    migration.stopped_to_paused(django_apps, None)

    assert Job.objects.get(pk=stopped.pk).status == "paused"
    assert Job.objects.get(pk=done.pk).status == "succeeded"
