"""Fuzzing: every operation of the project's own OpenAPI schema, with a real user's token and
real rows behind the ids, through the WSGI application in this process and the test database.

Every response must be something other than a server error, and must match the schema: its
status code, content type, headers and body; requests the schema forbids must be refused.
(Not checked: that every schema-valid request is accepted. The schema cannot say that an
upload must really be a picture or a prompt fit its generator; those answer 400 naming the
field.) Job creation only queues (no worker runs here).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import positive_data_acceptance

from gallery.models import Video
from pipeline.library.services import media_create
from pipeline.models import Job, MediaItem
from tests.accounts.imagefiles import image_bytes, upload
from tests.factories import VideoFactory

# Bounded for CI: every operation gets this many generated cases.
MAX_EXAMPLES = 25


@pytest.fixture
def wsgi_app(db):
    """The WSGI application on the test database's connection, which Django's own test client
    keeps open the same way (the handler would close it after each request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def media_item(owner):
    return media_create(owner=owner, file=upload(image_bytes("PNG"), "sea.png"), tags="sea")


@pytest.fixture
def api_schema(wsgi_app, alice, make_job):
    job = make_job()
    video = VideoFactory(owner=alice, with_captions=True, with_poster=True, visibility="public")
    item = media_item(alice)
    token = Token.objects.create(user=alice)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    schema.real = {
        "token": token.key,
        "user": alice,
        # The routes behind an id run on real rows, not only their 404.
        "ids": {
            "job_id": str(job.id),
            "video_id": str(video.id),
            "model_id": "t2v",
            "item_id": str(item.id),
        },  # fmt: skip
        # DELETE is fuzzed too: the next cases get new rows.
        "remake": {
            "job_id": lambda: make_job(),
            "video_id": lambda: VideoFactory(owner=alice, with_captions=True, visibility="public"),
            "item_id": lambda: media_item(alice),
        },
    }
    return schema


def fuzz(operation, real: dict) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        print_blob=False,
    )
    def run(case):
        for name, value in real["ids"].items():
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = value
        # Revoking the token and changing the password are operations too: every case
        # starts with the token valid again.
        Token.objects.get_or_create(key=real["token"], defaults={"user": real["user"]})
        for name, model in (("job_id", Job), ("video_id", Video), ("item_id", MediaItem)):
            if not model.objects.filter(pk=real["ids"][name]).exists():
                real["ids"][name] = str(real["remake"][name]().pk)
        case.call_and_validate(
            headers={"Authorization": f"Token {real['token']}"},
            excluded_checks=[positive_data_acceptance],
        )

    run()


def test_every_operation_answers_within_its_schema(api_schema):
    failures, tried = {}, []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)
        try:
            fuzz(operation, api_schema.real)
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried, then reported
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:3000]
    assert len(tried) > 30, tried
    assert not failures, "\n\n".join(f"== {label}\n{text}" for label, text in failures.items())
