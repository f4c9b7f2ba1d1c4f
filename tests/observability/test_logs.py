"""LOG_FORMAT=json: one object per line, with the job's id while a job runs."""

import io
import json
import logging

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from django.test import RequestFactory

from pipeline.engine.logcontext import job_log_context
from pipeline.engine.runner import job_run
from pipeline.models import Job
from videogen.asgi import django_asgi_app
from videogen.logs import JsonFormatter, RequestLogContext


@pytest.fixture
def json_lines():
    """Everything logged at INFO and above while the test runs, as the JSON lines written."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def read() -> list[dict]:
        handler.flush()
        lines = stream.getvalue().splitlines()
        return [json.loads(line) for line in lines]

    yield read
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.django_db(transaction=True)
def test_lines_logged_while_a_job_runs_carry_its_id(make_job, json_lines):
    job = make_job(cards=1)
    other = make_job(cards=1)
    assert job_run(job_id=job.id) == Job.Status.SUCCEEDED
    logging.getLogger("tests").info("after the run")

    lines = json_lines()
    for line in lines:
        assert {"time", "level", "logger", "message"} <= set(line)
    stages = [line for line in lines if line.get("stage")]
    assert [line["stage"] for line in stages] == ["plan", "frames", "encode"]
    # The runner logs these without naming the job: the id comes from the run's context.
    assert {line["job_id"] for line in stages} == {str(job.id)}
    assert all(line["logger"] == "pipeline.engine.runner" for line in stages)
    ended = [line for line in lines if line.get("result")]
    assert ended[-1]["job_id"] == str(job.id) and ended[-1]["result"] == "succeeded"
    assert not any(line.get("job_id") == str(other.id) for line in lines)
    assert "job_id" not in next(line for line in lines if line["message"] == "after the run")


def test_json_lines_carry_extra_fields_the_exception_and_the_request():
    formatter = JsonFormatter()
    logger = logging.getLogger("videogen.tests")

    def render(*args, **kwargs) -> dict:
        record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, *args, **kwargs)
        line = formatter.format(record)
        assert "\n" not in line
        return json.loads(line)

    line = render("could not enqueue job %s", ("j-1",), None, extra={"job_id": "j-1"})
    assert (line["level"], line["logger"], line["message"]) == (
        "ERROR",
        "videogen.tests",
        "could not enqueue job j-1",
    )
    assert line["job_id"] == "j-1" and line["time"].endswith("+00:00")

    try:
        raise ValueError("bad frame\nsecond line")
    except ValueError:
        import sys

        with job_log_context("j-2"):
            line = render("render failed", (), sys.exc_info(), extra={"shape": {1, 2}.__class__})
    assert line["job_id"] == "j-2"
    assert "ValueError: bad frame" in line["exc"] and "Traceback" in line["exc"]
    assert line["shape"] == "<class 'set'>"  # anything that is not JSON is written as text

    request = RequestFactory().post("/api/v1/jobs")
    line = render("Bad Request: %s", ("/api/v1/jobs",), None, extra={"request": request})
    assert (line["method"], line["path"]) == ("POST", "/api/v1/jobs")


@pytest.mark.django_db
def test_requests_name_their_method_and_path_and_get_an_access_line(settings, json_lines):
    settings.LOG_FORMAT = "json"
    app = RequestLogContext(django_asgi_app)
    communicator = HttpCommunicator(app, "GET", "/no-such-page/", headers=[(b"host", b"127.0.0.1")])
    response = async_to_sync(communicator.get_response)()
    assert response["status"] == 404

    lines = json_lines()
    not_found = next(line for line in lines if line["logger"] == "django.request")
    assert (not_found["method"], not_found["path"]) == ("GET", "/no-such-page/")
    access = next(line for line in lines if line["logger"] == "videogen.request")
    assert access["status"] == 404 and access["path"] == "/no-such-page/"
    assert access["duration_ms"] >= 0
