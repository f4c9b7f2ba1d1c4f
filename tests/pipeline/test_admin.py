import pytest

from pipeline.engine.runner import job_run
from pipeline.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="root@example.com", superuser=True))
    return client


def act(admin, action, *jobs):
    return admin.post(
        "/admin/pipeline/job/",
        {"action": action, "_selected_action": [str(j.pk) for j in jobs]},
        follow=True,
    )


def test_job_page_shows_its_events_inline(admin, make_job):
    job = make_job()
    job_run(job_id=job.id)
    body = admin.get(f"/admin/pipeline/job/{job.id}/change/").content.decode()
    assert "job_complete" in body and "stage_complete" in body


def test_cancel_and_retry_actions_go_through_the_services(admin, make_job):
    queued = make_job()
    act(admin, "cancel_jobs", queued)
    queued.refresh_from_db()
    assert queued.status == "canceled"
    assert queued.events.last().type == "canceled"

    act(admin, "retry_jobs", queued)
    queued.refresh_from_db()
    assert queued.status == "queued"


def test_an_action_that_does_not_fit_the_state_says_so(admin, make_job):
    job = make_job()
    response = act(admin, "retry_jobs", job)
    assert "cannot be retried" in response.content.decode()


def test_delete_action_removes_jobs(admin, make_job):
    job = make_job()
    act(admin, "delete_jobs", job)
    assert not Job.objects.filter(pk=job.pk).exists()


def test_staff_in_the_moderators_group_can_use_the_desk(client, make_job):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    moderator = UserFactory(email="mod@example.com", staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    job = make_job()
    client.force_login(moderator)
    assert client.get("/admin/pipeline/job/").status_code == 200
    assert client.get("/admin/gallery/video/").status_code == 200
    assert client.get(f"/admin/pipeline/job/{job.id}/change/").status_code == 200
    act(client, "cancel_jobs", job)
    job.refresh_from_db()
    assert job.status == "canceled"
