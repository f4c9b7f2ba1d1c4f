"""/metrics: who may read it, and what it says after real jobs ran through the runner."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.conf import Conf

from pipeline.engine.metrics import STAGE_DURATION_BUCKETS, bucket_label
from pipeline.engine.runner import job_run
from pipeline.models import Job, JobEvent
from pipeline.services import job_cancel
from tests.observability.promtext import matching, samples, value

REMOTE = "203.0.113.9"


def scrape(client, **headers) -> dict:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return samples(response.content.decode())


# --- who may read it ------------------------------------------------------------------------
@pytest.mark.django_db
def test_with_a_token_only_the_bearer_of_that_token_reads_metrics(client, charlie, settings):
    settings.METRICS_TOKEN = "scrape-me-please"
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="scrape-me-please").status_code == 401
    client.force_login(charlie)  # staff, and on loopback: the token still decides
    assert client.get("/metrics").status_code == 401
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me-please")
    assert ok.status_code == 200
    assert b"videogen_jobs" in ok.content


@pytest.mark.django_db
def test_without_a_token_only_staff_and_local_requests_read_metrics(
    client, alice, charlie, settings
):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR=REMOTE).status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    # Through a proxy on this machine the address is loopback, but the client is not.
    proxied = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=REMOTE)
    assert proxied.status_code == 403
    client.force_login(alice)
    assert client.get("/metrics", REMOTE_ADDR=REMOTE).status_code == 403
    client.force_login(charlie)
    assert client.get("/metrics", REMOTE_ADDR=REMOTE).status_code == 200


@pytest.mark.django_db
def test_metrics_answer_only_get_and_stay_out_of_the_api_schema(client, api_for):
    assert client.post("/metrics").status_code == 405
    paths = api_for().get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert "/metrics" not in paths and "/api/v1/health" in paths


# --- what it says ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_jobs_by_state_and_queue_depth_come_from_the_database_and_the_broker(
    client, make_job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ready = make_job()
        backing_off = make_job()
    Job.objects.filter(pk=backing_off.pk).update(run_after=timezone.now() + timedelta(hours=1))
    finished = make_job()
    Job.objects.filter(pk=finished.pk).update(status=Job.Status.FAILED)

    parsed = scrape(client)

    assert value(parsed, "videogen_jobs", status="queued", kind="demo") == 2
    assert value(parsed, "videogen_jobs", status="failed", kind="demo") == 1
    # Kinds with no jobs are listed at zero, so a series goes to 0 rather than vanishing.
    assert value(parsed, "videogen_jobs", status="running", kind="story") == 0
    assert value(parsed, "videogen_jobs_waiting") == 1
    # The two jobs created with their commit are the two tasks in the broker.
    assert value(parsed, "videogen_queue_tasks", queue=Conf.CLUSTER_NAME) == 2
    assert value(parsed, "videogen_worker_clusters") == 0
    assert value(parsed, "videogen_workers") == 0
    up = matching(parsed, "videogen_collector_up")
    assert len(up) == 5 and set(up.values()) == {1.0}
    assert ready.pk != backing_off.pk
    # The web process's own figures.
    assert value(parsed, "process_resident_memory_bytes") > 0


@pytest.mark.django_db(transaction=True)
def test_stage_durations_and_outcomes_are_counted_from_real_runs(client, make_job):
    done = make_job(cards=1)
    assert job_run(job_id=done.id) == Job.Status.SUCCEEDED
    paused = make_job(cards=1, until="plan")
    assert job_run(job_id=paused.id) == Job.Status.PAUSED  # not an outcome: not counted
    broken = make_job(cards=1, fail_at="encode")
    assert job_run(job_id=broken.id) == Job.Status.FAILED
    job_cancel(job=make_job(cards=1))

    parsed = scrape(client)

    finished = {
        dict(labels)["outcome"]: n
        for labels, n in matching(parsed, "videogen_jobs_finished_total", kind="demo").items()
    }
    assert finished == {"succeeded": 1, "failed": 1, "canceled": 1}
    # Each stage that finished, once per run, with the seconds the runner recorded.
    recorded: dict[str, list[float]] = {}
    for event in JobEvent.objects.filter(type=JobEvent.Type.STAGE_COMPLETE):
        recorded.setdefault(event.stage, []).append(event.payload["seconds"])
    assert sorted(len(v) for v in recorded.values()) == [1, 2, 3]  # encode failed once
    for stage, seconds in recorded.items():
        labels = {"kind": "demo", "stage": stage}
        count = value(parsed, "videogen_stage_duration_seconds_count", **labels)
        assert count == len(seconds), stage
        assert value(parsed, "videogen_stage_duration_seconds_sum", **labels) == pytest.approx(
            sum(seconds)
        )
        for bound in [*STAGE_DURATION_BUCKETS, float("inf")]:
            in_bucket = value(
                parsed, "videogen_stage_duration_seconds_bucket", le=bucket_label(bound), **labels
            )
            assert in_bucket == sum(1 for s in seconds if s <= bound), (stage, bound)
