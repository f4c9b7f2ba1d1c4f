"""End to end, over real sockets, against real processes."""

import pytest

from gallery.media import moov_before_mdat, probe

pytestmark = [pytest.mark.live, pytest.mark.timeout(240)]


def test_register_create_follow_live_and_download(live, tmp_path):
    live.start_serve()
    client = live.register("live@example.com")
    assert client.get("/accounts/signup/").status_code == 200
    health = client.get("/api/v1/health").json()
    assert health["checks"]["channel_layer"]["ok"], health

    response = client.post(
        "/api/v1/jobs",
        json={
            "kind": "demo",
            "prompt": "Hello from a real worker. Second card.",
            "options": {"cards": 2, "seconds": 0.5},
        },
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]

    messages = live.follow(client, job_id)

    assert messages[0]["type"] == "connected"
    assert messages[1]["type"] == "snapshot"
    events = messages[2:]
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), "every event once, in order"
    types = [e["type"] for e in events]
    assert types.count("stage_complete") == 3 and types[-1] == "job_complete"
    assert any(e["type"] == "progress" and 0 < (e["progress"] or 0) < 100 for e in events)

    job = client.get(f"/api/v1/jobs/{job_id}").json()
    assert job["status"] == "succeeded" and job["video"]
    video = client.get(f"/api/v1/jobs/{job_id}/video")
    assert video.status_code == 200
    path = tmp_path / "download.mp4"
    path.write_bytes(video.content)
    info = probe(path)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert abs(info.duration - 3.0) < 0.2
    assert moov_before_mdat(path)

    # A second client that connects late replays the whole history from the rows.
    replay = live.follow(client, job_id, after=3)
    assert [e["seq"] for e in replay[2:]] == seqs[3:]

    # The run command stops everything on SIGTERM.
    assert live.stop("serve") < 20


def test_stranger_is_refused_on_both_websockets(live):
    live.start_serve()
    alice = live.register("alice-live@example.com")
    bob = live.register("bob-live@example.com")
    job_id = alice.post(
        "/api/v1/jobs", json={"kind": "demo", "prompt": "Private.", "options": {"cards": 1}}
    ).json()["id"]

    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    with pytest.raises(InvalidStatus) as refused:
        connect(
            f"ws://127.0.0.1:{live.port}/ws/jobs/{job_id}/",
            additional_headers={"Authorization": f"Token {bob.token}"},
        )
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus):
        connect(f"ws://127.0.0.1:{live.port}/ws/jobs/")
    assert bob.get(f"/api/v1/jobs/{job_id}").status_code == 404


def test_worker_killed_mid_stage_is_replaced_and_the_job_finishes_once(live):
    live.start_redis_if_embedded()
    live.start_web()
    live.start_worker("worker-1")
    client = live.register("crash@example.com")
    job_id = client.post(
        "/api/v1/jobs",
        json={
            "kind": "demo",
            "prompt": "Survive a crash. Then finish.",
            "options": {"cards": 3, "seconds": 9},
        },
    ).json()["id"]

    # Wait until the job is inside its second stage (its first card drawn, two still to come,
    # 3 s each), then kill the whole worker cluster.
    def drawing(event):
        return event.get("type") == "progress" and event.get("stage") == "frames"

    seen = live.follow(client, job_id, until=drawing, timeout=60)
    assert any(e.get("stage") == "plan" and e["type"] == "stage_complete" for e in seen)
    live.kill("worker-1")
    before = client.get(f"/api/v1/jobs/{job_id}").json()
    assert before["status"] == "running" and before["stage"] == "frames"

    live.start_worker("worker-2")
    events = live.follow(client, job_id, timeout=120)[2:]

    job = client.get(f"/api/v1/jobs/{job_id}").json()
    assert job["status"] == "succeeded"
    assert job["attempts"] == 2
    types = [(e["type"], e["stage"]) for e in events]
    assert types.count(("stage_complete", "plan")) == 1, "finished stages are not run again"
    assert types.count(("stage_complete", "frames")) == 1
    assert [e["type"] for e in events].count("job_complete") == 1
    recovered = [e for e in events if e["type"] == "status" and e["payload"].get("recovered")]
    assert len(recovered) == 1
    # After the recovery, the plan stage never starts again.
    after = [e for e in events if e["seq"] > recovered[0]["seq"]]
    assert not any(e["stage"] == "plan" for e in after)


def test_every_narrated_generator_with_the_embedded_defaults(live, tmp_path):
    """No key, no network: the local planner, the Piper voice from the wheel, procedural
    pictures or the Manim templates, and ffmpeg, in the worker the run command starts."""
    live.start_serve()
    client = live.register("narrated@example.com")
    jobs = {
        "story": client.post("/api/v1/jobs", json={
            "kind": "story", "options": {"quality": 480, "max_scenes": 2},
            "prompt": "The lighthouse keeper counted the ships. One night the lamp went out, "
                      "and a small robot lit it again.",
        }),
        "youtube": client.post("/api/v1/jobs", json={
            "kind": "youtube", "prompt": "Why cats purr",
            "options": {"quality": 480, "max_scenes": 2, "target_seconds": 15},
        }),
        "explainer": client.post("/api/v1/jobs", json={
            "kind": "explainer", "prompt": "Explain the Pythagorean theorem",
            "options": {"quality": 480, "fps": 24, "max_scenes": 2, "target_seconds": 15},
        }),
    }  # fmt: skip
    for kind, response in jobs.items():
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        events = live.follow(client, job_id, until=("job_complete", "error"), timeout=180)
        assert events[-1]["type"] == "job_complete", events[-1]
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        video = client.get(job["video"]["url"])
        path = tmp_path / f"{kind}.mp4"
        path.write_bytes(video.content)
        info = probe(path)
        assert (info.video_codec, info.audio_codec) == ("h264", "aac"), kind
        assert moov_before_mdat(path)
        assert abs(info.video_duration - info.audio_duration) < 0.5
        vtt = client.get(job["video"]["captions_vtt"])
        assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT")
