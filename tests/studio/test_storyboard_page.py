"""The storyboard editor's place in the pages: the studio form asks for a review, and the job
page carries the editor for the job's owner (static/js/storyboard.js fills it from the plan
API; tests/e2e/test_storyboard.py drives it in a browser)."""

import re

import pytest

from pipeline.engine.runner import job_run
from pipeline.models import Job

pytestmark = pytest.mark.django_db

EDITOR = re.compile(r'<section class="card storyboard" id="storyboard"[^>]*>')


def editor_tag(body: str) -> str | None:
    found = EDITOR.search(body)
    return found.group() if found else None


def test_studio_form_asks_for_a_review_by_default(client, alice):
    client.force_login(alice)
    body = client.get("/studio/?kind=story").content.decode()
    box = re.search(r'<input type="checkbox" name="story-review"[^>]*>', body)
    assert box and "checked" in box.group()
    assert "Review the storyboard before rendering" in body


@pytest.mark.django_db(transaction=True)
def test_studio_form_with_review_stops_after_planning(client, alice):
    client.force_login(alice)
    form = {"kind": "demo", "demo-prompt": "One card. Another card.", "demo-review": "on"}
    response = client.post("/studio/", form)
    job = Job.objects.get(owner=alice)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.id}/"
    job_run(job_id=job.id)
    job.refresh_from_db()
    assert job.status == "paused" and job.paused_after == "plan"
    assert job.plan_revision == 1 and job.result_id is None


@pytest.mark.django_db(transaction=True)
def test_studio_form_without_review_makes_the_video(client, alice):
    client.force_login(alice)
    client.post("/studio/", {"kind": "demo", "demo-prompt": "One card."})
    job = Job.objects.get(owner=alice)
    job_run(job_id=job.id)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result_id is not None


@pytest.mark.django_db(transaction=True)
def test_storyboard_editor_is_on_the_job_page_for_its_owner_only(client, alice, bob, charlie):
    from studio.services import job_create

    job = job_create(user=alice, kind="demo", prompt="One. Two.", options={}, review=True)
    job_run(job_id=job.id)

    client.force_login(alice)
    body = client.get(f"/jobs/{job.id}/").content.decode()
    tag = editor_tag(body)
    assert tag and " hidden" not in tag, "a paused job's plan can be edited: the editor shows"
    assert 'id="sb-scene-template"' in body and "js/storyboard.js" in body
    assert 'id="sb-render"' in body and 'id="sb-render" hidden' not in body

    # Staff follow the job but do not edit someone else's plan; a stranger sees nothing.
    client.force_login(charlie)
    body = client.get(f"/jobs/{job.id}/").content.decode()
    assert editor_tag(body) is None and "js/storyboard.js" not in body
    client.force_login(bob)
    assert client.get(f"/jobs/{job.id}/").status_code == 404


def test_storyboard_editor_waits_hidden_while_the_job_is_queued(client, alice, make_job):
    job = make_job()
    client.force_login(alice)
    tag = editor_tag(client.get(f"/jobs/{job.id}/").content.decode())
    assert tag and " hidden" in tag
