import pytest

from pipeline.engine.runner import job_run
from pipeline.models import Job

pytestmark = pytest.mark.django_db


def test_home_answers_anonymous_and_lists_generators(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Demo clip" in response.content


def test_studio_needs_login(client):
    response = client.get("/studio/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_studio_shows_a_form_per_generator_with_option_limits(client, alice):
    client.force_login(alice)
    body = client.get("/studio/").content.decode()
    assert 'name="kind" value="demo"' in body
    assert 'name="demo-opt_cards"' in body
    assert "Cards: 1–6" in body


def test_creating_a_job_from_the_studio_redirects_to_its_page(client, alice):
    client.force_login(alice)
    response = client.post(
        "/studio/",
        {"kind": "demo", "demo-prompt": "One card.", "demo-title": "Mine", "demo-opt_cards": "1"},
    )
    job = Job.objects.get(owner=alice)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.id}/"
    assert job.title == "Mine" and job.options["cards"] == 1


def test_studio_form_errors_are_shown_next_to_the_field(client, alice):
    client.force_login(alice)
    response = client.post("/studio/", {"kind": "demo", "demo-prompt": "", "demo-opt_cards": "9"})
    assert response.status_code == 200
    form = next(e["form"] for e in response.context["entries"] if e["generator"].kind == "demo")
    assert "prompt" in form.errors and "opt_cards" in form.errors
    assert not Job.objects.exists()


def test_studio_shows_the_active_job_cap(client, alice, settings, make_job):
    settings.MAX_ACTIVE_JOBS_PER_USER = 1
    make_job()
    client.force_login(alice)
    response = client.post("/studio/", {"kind": "demo", "demo-prompt": "Another."})
    assert "1 active jobs" in response.content.decode()
    assert Job.objects.count() == 1


def test_studio_post_needs_the_csrf_token(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post("/studio/", {"kind": "demo", "demo-prompt": "x"}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_job_page_shows_stages_and_the_player_when_done(client, alice, make_job):
    job = make_job()
    job_run(job_id=job.id)
    job.refresh_from_db()
    client.force_login(alice)
    body = client.get(f"/jobs/{job.id}/").content.decode()
    assert 'data-stage="encode" data-state="done"' in body
    assert f"/api/v1/videos/{job.result_id}/stream" in body
    assert 'id="job-data"' in body


def test_job_page_is_404_for_a_stranger_and_open_to_staff(client, bob, charlie, make_job):
    job = make_job()
    client.force_login(bob)
    assert client.get(f"/jobs/{job.id}/").status_code == 404
    client.force_login(charlie)
    assert client.get(f"/jobs/{job.id}/").status_code == 200


def test_jobs_list_shows_only_ones_own_jobs(client, alice, bob, make_job):
    mine = make_job(owner=alice, prompt="Mine to see.")
    make_job(owner=bob, prompt="Not yours.")
    client.force_login(alice)
    body = client.get("/jobs/").content.decode()
    assert str(mine.id) in body and "Not yours" not in body
