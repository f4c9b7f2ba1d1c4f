"""Prepared queries (the token and one job, read on every API request): the same rows and
model instances as the queryset, each call reading the database again, one query a call."""

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from accounts.authentication import TOKEN_WITH_USER, token_user
from pipeline.models import Job
from studio.selectors import JOB_WITH_RESULT, job_visible_to
from tests.factories import VideoFactory

pytestmark = pytest.mark.django_db


def concrete(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_token_and_its_user_are_the_rows_the_queryset_reads(alice):
    key = Token.objects.create(user=alice).key
    expected = Token.objects.select_related("user").get(key=key)

    with CaptureQueriesContext(connection) as queries:
        token = token_user(key)
    assert len(queries) == 1
    assert concrete(token) == concrete(expected)
    # The user came in the same query, with its values converted (dates are datetimes).
    assert concrete(token.user) == concrete(expected.user)
    assert token.user.date_joined.tzinfo is not None
    assert token._state.db == "default" and not token._state.adding


def test_each_call_reads_the_database_again(alice):
    key = Token.objects.create(user=alice).key
    assert token_user(key).user.is_active

    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert not token_user(key).user.is_active
    Token.objects.filter(key=key).delete()
    assert token_user(key) is None


def test_a_job_with_and_without_its_video(make_job, alice):
    job = make_job()
    found = JOB_WITH_RESULT.first(pk=job.pk)
    assert concrete(found) == concrete(Job.objects.get(pk=job.pk))
    assert found.result is None

    video = VideoFactory(owner=alice, job_id=job.pk)
    Job.objects.filter(pk=job.pk).update(result=video)
    with CaptureQueriesContext(connection) as queries:
        found = JOB_WITH_RESULT.first(pk=str(job.pk))  # a string id is converted as well
        assert concrete(found.result) == concrete(video)
    assert len(queries) == 1  # the video came with the job


def test_who_may_read_a_job(make_job, alice, bob, charlie):
    job = make_job()
    assert job_visible_to(alice, job.pk) == job
    assert job_visible_to(charlie, job.pk) == job  # staff
    assert job_visible_to(bob, job.pk) is None
    assert job_visible_to(alice, uuid.uuid4()) is None
    assert job_visible_to(alice, "not-a-job-id") is None
    with pytest.raises(ValidationError):
        JOB_WITH_RESULT.first(pk="not-a-job-id")


@pytest.mark.django_db(transaction=True)
def test_each_thread_compiles_for_its_own_connection(alice):
    key = Token.objects.create(user=alice).key
    assert token_user(key) is not None
    here = TOKEN_WITH_USER._compiled("default")
    assert TOKEN_WITH_USER._compiled("default") is here  # compiled once, then reused

    seen = {}

    def elsewhere():
        try:
            seen["token"] = token_user(key)
            seen["compiled"] = TOKEN_WITH_USER._compiled("default")
            seen["connection"] = seen["compiled"].compiler.connection
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert seen["token"].user == alice
    assert seen["compiled"] is not here
    assert seen["connection"] is not here.compiler.connection


def test_a_job_read_through_the_api_takes_two_queries(make_job, alice, api_for):
    job = make_job()
    client = api_for(alice)
    client.get(f"/api/v1/jobs/{job.pk}")  # the first request of a thread compiles
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(f"/api/v1/jobs/{job.pk}")
    assert answer.status_code == 200 and answer.json()["id"] == str(job.pk)
    assert len(queries) == 2, [q["sql"] for q in queries]  # the token with its user; the job
