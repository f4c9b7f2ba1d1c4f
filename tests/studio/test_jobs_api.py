import io

import pytest
from PIL import Image

from pipeline.engine.runner import job_run
from pipeline.models import Job, Upload

# Some tests run jobs, whose heartbeat reads them on a connection of its own.
pytestmark = pytest.mark.django_db(transaction=True)


def create(client, **body):
    body.setdefault("kind", "demo")
    body.setdefault("prompt", "A tiny clip. With two cards.")
    return client.post("/api/v1/jobs", body, format="json")


def test_creating_a_job_answers_202_with_the_queued_job(api_for, alice):
    response = create(api_for(alice), options={"cards": 1}, title="My clip")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["kind"] == "demo"
    assert body["options"]["cards"] == 1 and body["options"]["seconds"] == 0.0
    assert body["title"] == "My clip"
    assert [s["name"] for s in body["stages"]] == ["plan", "frames", "encode"]
    assert body["events_url"] == f"/api/v1/jobs/{body['id']}/events"
    job = Job.objects.get(pk=body["id"])
    assert job.owner == alice and job.last_seq == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "nope"}, "kind"),
        ({"prompt": "   "}, "prompt"),
        ({"prompt": "x" * 2001}, "prompt"),
        ({"options": {"cards": 99}}, "options"),
        ({"options": {"colour": "red"}}, "options"),
        ({"options": ["not", "an", "object"]}, "options"),
        ({"title": "t" * 201}, "title"),
    ],
)
def test_bad_input_gets_400_naming_the_field(api_for, alice, body, field):
    response = create(api_for(alice), **body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Job.objects.exists()


def test_option_errors_name_the_option(api_for, alice):
    response = create(api_for(alice), options={"cards": 99, "colour": "red"})
    errors = response.json()["options"]
    assert "cards" in errors or "colour" in errors


def test_missing_fields_and_malformed_json_get_400(api_for, alice):
    client = api_for(alice)
    assert client.post("/api/v1/jobs", {}, format="json").json().keys() >= {"kind", "prompt"}
    response = client.post("/api/v1/jobs", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_anonymous_cannot_create_or_list_jobs(api_for):
    assert create(api_for()).status_code == 401
    assert api_for().get("/api/v1/jobs").status_code == 401


def test_active_job_cap_answers_429_and_creates_nothing(api_for, alice, settings):
    settings.MAX_ACTIVE_JOBS_PER_USER = 2
    client = api_for(alice)
    assert create(client).status_code == 202
    assert create(client).status_code == 202
    response = create(client)
    assert response.status_code == 429
    assert "2 active jobs" in response.json()["detail"]
    assert Job.objects.count() == 2


def test_job_list_is_own_jobs_filtered_and_paginated(api_for, alice, bob, make_job):
    make_job(owner=alice)
    done = make_job(owner=alice)
    job_run(job_id=done.id)
    make_job(owner=bob)
    client = api_for(alice)

    body = client.get("/api/v1/jobs").json()
    assert body["count"] == 2
    assert client.get("/api/v1/jobs?status=succeeded").json()["count"] == 1
    assert client.get("/api/v1/jobs?kind=story").json()["count"] == 0
    page = client.get("/api/v1/jobs?page_size=1&page=2").json()
    assert len(page["results"]) == 1 and page["previous"]
    assert client.get("/api/v1/jobs?status=bogus").status_code == 400


JOB_ROUTES = [
    ("get", ""),
    ("delete", ""),
    ("post", "/cancel"),
    ("post", "/retry"),
    ("post", "/continue"),
    ("get", "/artifacts"),
    ("get", "/artifacts/plan.json"),
    ("get", "/events"),
    ("get", "/script"),
    ("get", "/video"),
]


@pytest.mark.parametrize(("method", "suffix"), JOB_ROUTES)
def test_a_stranger_gets_404_on_every_job_route(api_for, bob, make_job, method, suffix):
    job = make_job()
    job_run(job_id=job.id)
    response = getattr(api_for(bob), method)(f"/api/v1/jobs/{job.id}{suffix}")
    assert response.status_code == 404
    assert Job.objects.filter(pk=job.pk, status="succeeded").exists()


@pytest.mark.parametrize(("method", "suffix"), JOB_ROUTES)
def test_anonymous_gets_401_on_every_job_route(api_for, make_job, method, suffix):
    job = make_job()
    assert getattr(api_for(), method)(f"/api/v1/jobs/{job.id}{suffix}").status_code == 401


def test_staff_can_see_and_cancel_anyones_job(api_for, charlie, make_job):
    job = make_job()
    client = api_for(charlie)
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 200
    assert client.post(f"/api/v1/jobs/{job.id}/cancel").json()["status"] == "canceled"
    assert client.get("/api/v1/jobs").json()["count"] == 0  # the list is one's own


def test_cancel_and_retry_over_the_api(api_for, alice, make_job):
    client = api_for(alice)
    job = make_job()
    response = client.post(f"/api/v1/jobs/{job.id}/cancel")
    assert response.status_code == 202 and response.json()["status"] == "canceled"
    assert client.post(f"/api/v1/jobs/{job.id}/cancel").status_code == 409
    response = client.post(f"/api/v1/jobs/{job.id}/retry")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert client.post(f"/api/v1/jobs/{job.id}/retry").status_code == 409


def test_events_endpoint_replays_after_a_seq(api_for, alice, make_job):
    job = make_job()
    job_run(job_id=job.id)
    client = api_for(alice)
    everything = client.get(f"/api/v1/jobs/{job.id}/events").json()
    assert [e["seq"] for e in everything] == list(range(1, len(everything) + 1))
    later = client.get(f"/api/v1/jobs/{job.id}/events?after=3").json()
    assert [e["seq"] for e in later] == [e["seq"] for e in everything[3:]]
    assert everything[-1]["type"] == "job_complete"
    assert client.get(f"/api/v1/jobs/{job.id}/events?after=-1").status_code == 400
    assert client.get(f"/api/v1/jobs/{job.id}/events?after=x").status_code == 400


def test_events_endpoint_gives_at_most_limit_events_in_order(api_for, alice, make_job):
    job = make_job()
    job_run(job_id=job.id)
    client = api_for(alice)
    url = f"/api/v1/jobs/{job.id}/events"
    total = len(client.get(url).json())
    assert total > 5
    assert [e["seq"] for e in client.get(url, {"limit": 2}).json()] == [1, 2]
    page = client.get(url, {"limit": 3, "after": 2}).json()
    assert [e["seq"] for e in page] == [3, 4, 5]
    assert len(client.get(url, {"limit": 1000, "after": 1}).json()) == total - 1
    for bad in (0, 1001, "x"):
        response = client.get(url, {"limit": bad})
        assert response.status_code == 400 and "limit" in response.json()


def test_script_is_404_until_planned_then_returned(api_for, alice, make_job):
    job = make_job(prompt="First card. Second card.")
    client = api_for(alice)
    assert client.get(f"/api/v1/jobs/{job.id}/script").status_code == 404
    job_run(job_id=job.id)
    body = client.get(f"/api/v1/jobs/{job.id}/script").json()
    assert body["stage"] == "plan"
    assert body["script"] == ["First card.", "Second card."]


def test_video_streams_with_range_support(api_for, alice, make_job):
    job = make_job()
    client = api_for(alice)
    assert client.get(f"/api/v1/jobs/{job.id}/video").status_code == 404
    job_run(job_id=job.id)

    full = client.get(f"/api/v1/jobs/{job.id}/video")
    data = b"".join(full.streaming_content)
    assert full.status_code == 200 and full["Content-Type"] == "video/mp4"
    assert full["Accept-Ranges"] == "bytes" and len(data) == int(full["Content-Length"])
    part = client.get(f"/api/v1/jobs/{job.id}/video", HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 4-11/{len(data)}"
    assert b"".join(part.streaming_content) == data[4:12]
    tail = client.get(f"/api/v1/jobs/{job.id}/video", HTTP_RANGE="bytes=-5")
    assert b"".join(tail.streaming_content) == data[-5:]
    bad = client.get(f"/api/v1/jobs/{job.id}/video", HTTP_RANGE=f"bytes={len(data)}-")
    assert bad.status_code == 416 and bad["Content-Range"] == f"bytes */{len(data)}"
    download = client.get(f"/api/v1/jobs/{job.id}/video?download=1")
    assert download["Content-Disposition"].startswith("attachment; filename*=UTF-8''")


def test_deleting_a_job_removes_it_and_its_work_files(api_for, alice, make_job):
    from pipeline.engine.runner import job_workdir

    job = make_job(fail_at="encode")
    job_run(job_id=job.id)
    assert job_workdir(job.id).exists()

    response = api_for(alice).delete(f"/api/v1/jobs/{job.id}")

    assert response.status_code == 204
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not job_workdir(job.id).exists()


def png_bytes(size=(64, 48), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    buffer.seek(0)
    buffer.name = f"ref.{fmt.lower()}"
    return buffer


def test_uploading_a_reference_image_reencodes_it(api_for, alice):
    response = api_for(alice).post("/api/v1/uploads", {"image": png_bytes()}, format="multipart")
    assert response.status_code == 201
    body = response.json()
    assert (body["format"], body["width"], body["height"]) == ("PNG", 64, 48)
    upload = Upload.objects.get(pk=body["id"])
    assert upload.owner == alice
    assert "ref" not in upload.file.name  # stored under a random name


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"image": io.BytesIO(b"GIF89a not really")},
        {"image": io.BytesIO(b"plain text pretending")},
    ],
)
def test_bad_uploads_get_400_naming_the_field(api_for, alice, payload):
    for value in payload.values():
        value.name = "x.png"
    response = api_for(alice).post("/api/v1/uploads", payload, format="multipart")
    assert response.status_code == 400
    assert "image" in response.json()
    assert not Upload.objects.exists()


def test_generators_list_kinds_with_options_and_limits(api_for, alice):
    body = api_for(alice).get("/api/v1/generators").json()
    demo = next(g for g in body if g["kind"] == "demo")
    assert demo["available"] is True
    cards = next(o for o in demo["options"] if o["name"] == "cards")
    assert (cards["type"], cards["min"], cards["max"], cards["default"]) == ("integer", 1, 6, 2)


def test_health_reports_each_dependency(api_for):
    response = api_for().get("/api/v1/health")
    body = response.json()
    assert response.status_code == 200 and body["ok"] is True
    assert body["checks"]["database"]["ok"] is True
    assert "latency_ms" in body["checks"]["broker"]
    assert body["checks"]["channel_layer"]["ok"] is True


def test_health_answers_503_when_the_database_is_down(api_for, monkeypatch):
    from videogen import system_api

    def broken():
        raise RuntimeError("connection refused")

    monkeypatch.setattr(system_api, "_database", broken)
    response = api_for().get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["error"].endswith("connection refused")


def test_stats_are_for_staff_only(api_for, alice, charlie, make_job):
    make_job()
    assert api_for(alice).get("/api/v1/stats").status_code == 403
    body = api_for(charlie).get("/api/v1/stats").json()
    assert body["jobs"]["by_status"] == {"queued": 1}


def test_stats_count_jobs_by_kind_and_the_videos_storage(api_for, alice, bob, charlie, make_job):
    from gallery.models import Video
    from tests.factories import VideoFactory

    make_job()
    make_job(owner=bob)
    Job.objects.create(owner=bob, kind="explainer", status="failed")
    videos = [VideoFactory(owner=alice), VideoFactory(owner=bob)]
    body = api_for(charlie).get("/api/v1/stats").json()
    assert body["jobs"]["by_kind"] == {"demo": 2, "explainer": 1}
    assert body["jobs"]["by_status"] == {"queued": 2, "failed": 1}
    sizes = [Video.objects.get(pk=v.pk).size for v in videos]
    assert all(size > 0 for size in sizes)
    assert body["videos"] == {"count": 2, "bytes": sum(sizes)}


def test_openapi_schema_lists_the_job_routes(api_for):
    response = api_for().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/v1/jobs", "/api/v1/jobs/{job_id}/events", "/api/v1/generators"]:
        assert path in paths


def test_job_creation_is_throttled_per_user(api_for, alice, bob, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "job_create": "2/hour",
        },
    }
    settings.MAX_ACTIVE_JOBS_PER_USER = 100
    client = api_for(alice)
    assert [create(client).status_code for _ in range(3)] == [202, 202, 429]
    assert create(api_for(bob)).status_code == 202  # another person has their own budget
    assert client.get("/api/v1/jobs").status_code == 200  # reading is not throttled


def test_health_reports_manim_latex_and_the_providers(api_for):
    checks = api_for().get("/api/v1/health").json()["checks"]
    assert checks["manim"]["ok"] is True
    assert isinstance(checks["manim"]["latex"], bool)
    if not checks["manim"]["latex"]:  # matplotlib is a requirement: formulas are typeset
        assert checks["manim"]["formulas"].startswith("mathtext")
    roles = checks["providers"]["roles"]
    assert roles["tts"]["available"] is True
    assert set(roles) == {"llm", "tts", "images", "t2v"}
