"""Fuzzing: every operation of the project's own OpenAPI schema, as a user and as staff, with
the principal's token and real rows behind the ids (a demo job run to the end, so its script,
artifacts and video exist), through the WSGI application in this process and the test
database.

Every schemathesis check is on: no server error; status, content type, headers and body as the
schema says; data the schema allows accepted and data it forbids refused (cases of both kinds
are generated); a request without the token refused; other methods answered 405. The seed is
new each run and printed in the header (`FUZZ_SEED=<n>` replays it).
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from gallery.models import Video
from pipeline.engine.runner import job_run
from pipeline.library.services import media_create
from pipeline.models import Job, PlanRevision
from tests.accounts.imagefiles import image_bytes, upload
from tests.factories import UserFactory, VideoFactory
from tests.fuzz.conftest import SEED

# The runner's heartbeat reads the job on a connection of its own.
pytestmark = pytest.mark.django_db(transaction=True)

# Bounded for CI (the suite runs twice there): this many cases per operation and principal.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))

# Where a valid-by-the-schema request may still be refused with 400, because what decides it
# is not a shape a schema can state: a picture must decode, a prompt must fit its generator,
# `until` must be a stage of this job's own generator, a password must be the right one (or
# strong enough, or the address free), a title or name must pass the services' rules, a plan
# must pass the checks a planner's plan passes, a stock result must be found again for its
# query, and people do not report their own videos.
REFUSED_BY_CONTENT = [
    "PUT /api/v1/auth/avatar",
    "PATCH /api/v1/auth/me",
    "POST /api/v1/auth/password",
    "POST /api/v1/auth/register",
    "POST /api/v1/auth/token",
    "POST /api/v1/jobs",
    "POST /api/v1/jobs/{job_id}/continue",
    "PUT /api/v1/jobs/{job_id}/plan",
    "POST /api/v1/uploads",
    "POST /api/v1/media",
    "POST /api/v1/media/stock",
    "PATCH /api/v1/videos/{video_id}",
    "POST /api/v1/videos/{video_id}/report",
]
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                "include-name": label,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
            }
            for label in REFUSED_BY_CONTENT
        ]
    }
)


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


def paused_job(owner) -> Job:
    """A job stopped after planning, with its plan to edit and render. The ones earlier
    cases queued again go first: the cap on active jobs would refuse the render."""
    Job.objects.filter(owner=owner, status="queued").delete()
    job = Job.objects.create(owner=owner, kind="demo", prompt="One.", status="paused",
                             paused_after="plan", plan_revision=1)  # fmt: skip
    PlanRevision.objects.create(
        job=job, number=1, plan={"title": "One", "scenes": [{"narration": "One."}]}
    )
    return job


# What queues the job again: run on a paused job of its own each case.
RENDERS = {
    "POST /api/v1/jobs/{job_id}/render",
    "POST /api/v1/jobs/{job_id}/scenes/{scene}/regenerate",
}


def finished_job(owner, make_job) -> Job:
    job = make_job(owner=owner, cards=1)
    job_run(job_id=job.id)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result is not None, job.error
    return job


@pytest.fixture(params=["user", "staff"])
def principal(request, db):
    return UserFactory(staff=request.param == "staff")


@pytest.fixture
def api_schema(wsgi_app, principal, make_job):
    job = finished_job(principal, make_job)
    item = media_item(principal)
    token = Token.objects.create(user=principal)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app, config=CONFIG)
    schema.real = {
        "token": token.key,
        "user": principal,
        # The routes behind an id run on real rows, a finished job and its video.
        "ids": {
            "job_id": str(job.id),
            "video_id": str(job.result_id),
            "model_id": "t2v",
            "item_id": str(item.id),
            "scene": 0,
        },
        # A DELETE, or a render, gets rows of its own each case, so the finished ones stay
        # for the rest.
        "throwaway": {
            "job_id": lambda: str(Job.objects.create(owner=principal, kind="demo").id),
            "paused_job_id": lambda: str(paused_job(principal).id),
            "video_id": lambda: str(VideoFactory(owner=principal, with_captions=True).id),
            "item_id": lambda: str(media_item(principal).id),
        },
    }
    return schema


def _negative(case, location) -> bool:
    component = case.meta.components.get(location) if case.meta else None
    return component is not None and component.mode.is_negative


def fuzz(operation, real: dict) -> None:
    declared = {
        p["name"] for p in operation.definition.raw.get("parameters", []) if p["in"] == "query"
    }

    @given(
        case=st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )
    )
    @seed(SEED)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        print_blob=False,
    )
    def run(case):
        if not _negative(case, ParameterLocation.PATH):
            for name, value in real["ids"].items():
                if name in (case.path_parameters or {}):
                    if case.method.upper() == "DELETE" and name in real["throwaway"]:
                        value = real["throwaway"][name]()
                    elif operation.label in RENDERS and name == "job_id":
                        value = real["throwaway"]["paused_job_id"]()
                    case.path_parameters[name] = value
        # Revoking the token and changing the password are operations too: every case
        # starts with the token valid again.
        Token.objects.get_or_create(key=real["token"], defaults={"user": real["user"]})
        excluded = []
        if _negative(case, ParameterLocation.QUERY) and set(case.query or {}) - declared:
            # The one exception to "refused": a query parameter the operation does not
            # have is ignored, as HTTP APIs do (a cache-buster, a client's tracking tag).
            excluded = [negative_data_rejection]
        if _negative(case, ParameterLocation.BODY) and (case.media_type or "").startswith(
            "multipart/"
        ):
            # A form has no types: every value is text, so a boolean sent in one arrives as
            # the text "true", which a text field rightly takes.
            excluded.append(negative_data_rejection)
        case.call_and_validate(
            headers={"Authorization": f"Token {real['token']}"}, excluded_checks=excluded
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
    # The finished rows were there all along: the success shapes were what got checked.
    job = Job.objects.get(pk=api_schema.real["ids"]["job_id"])
    assert job.status == "succeeded" and Video.objects.filter(pk=job.result_id).exists()
    assert not failures, f"FUZZ_SEED={SEED}\n\n" + "\n\n".join(
        f"== {label}\n{text}" for label, text in failures.items()
    )
