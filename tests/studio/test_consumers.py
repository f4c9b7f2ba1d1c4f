"""The WebSockets, through the project's real ASGI application (auth, origin check, routing)."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.authtoken.models import Token

from pipeline.engine.events import event_publish
from pipeline.engine.runner import job_run
from tests.sockets import DEADLINE, messages_until
from videogen.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def token_headers(user):
    token, _ = Token.objects.get_or_create(user=user)
    return [(b"authorization", f"Token {token.key}".encode())]


def session_headers(user, origin=b"http://127.0.0.1:8000"):
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()
    return [(b"cookie", cookie), (b"origin", origin)]


def connect(path, headers, until=None):
    """Connects; if accepted, reads until `until(message)` (by default, the snapshot)."""
    until = until or (lambda m: m["type"] == "snapshot")

    async def go():
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect(timeout=DEADLINE)
        messages = await messages_until(communicator, until) if connected else []
        await communicator.disconnect(timeout=DEADLINE)
        return connected, messages

    return async_to_sync(go)()


def up_to(seq):
    return lambda m: m.get("seq") == seq


def test_owner_gets_connected_snapshot_and_a_replay_of_every_event(alice, make_job):
    job = make_job()
    job_run(job_id=job.id)
    job.refresh_from_db()

    connected, messages = connect(f"/ws/jobs/{job.id}/", token_headers(alice), up_to(job.last_seq))

    assert connected
    assert messages[0] == {"type": "connected", "job": str(job.id), "after": 0}
    assert messages[1]["type"] == "snapshot" and messages[1]["job"]["status"] == "succeeded"
    replay = messages[2:]
    assert [m["seq"] for m in replay] == list(range(1, job.last_seq + 1))
    assert replay[-1]["type"] == "job_complete"


def test_replay_starts_after_the_given_seq(alice, make_job):
    job = make_job()
    job_run(job_id=job.id)
    job.refresh_from_db()
    _, messages = connect(f"/ws/jobs/{job.id}/?after=5", token_headers(alice), up_to(job.last_seq))
    assert [m["seq"] for m in messages[2:]] == list(range(6, job.last_seq + 1))


def test_session_cookie_from_an_allowed_origin_works(alice, make_job):
    job = make_job()
    connected, messages = connect(f"/ws/jobs/{job.id}/", session_headers(alice))
    assert connected and messages[0]["type"] == "connected"


def test_session_cookie_from_a_foreign_origin_is_refused(alice, make_job):
    job = make_job()
    connected, _ = connect(f"/ws/jobs/{job.id}/", session_headers(alice, b"https://evil.test"))
    assert not connected


@pytest.mark.parametrize("who", ["anonymous", "stranger", "bad token"])
def test_others_are_refused_at_the_handshake(bob, make_job, who):
    job = make_job()
    headers = {
        "anonymous": [],
        "stranger": token_headers(bob),
        "bad token": [(b"authorization", b"Token not-a-real-token")],
    }[who]
    assert connect(f"/ws/jobs/{job.id}/", headers)[0] is False
    if who != "stranger":
        assert connect("/ws/jobs/", headers)[0] is False


def test_staff_may_follow_anyones_job(charlie, make_job):
    job = make_job()
    assert connect(f"/ws/jobs/{job.id}/", token_headers(charlie))[0] is True


def test_live_events_are_forwarded_once_even_when_also_replayed(alice, make_job):
    job = make_job()
    job.refresh_from_db()
    headers = token_headers(alice)

    async def go():
        communicator = WebsocketCommunicator(application, f"/ws/jobs/{job.id}/", headers=headers)
        assert (await communicator.connect(timeout=DEADLINE))[0]
        initial = await messages_until(communicator, up_to(job.last_seq))
        from channels.db import database_sync_to_async

        publish = database_sync_to_async(event_publish)
        await publish(job_id=job.id, type="progress", progress=7, message="live", force=True)
        await publish(job_id=job.id, type="stage_complete", stage="plan", progress=10)
        live = await messages_until(communicator, lambda m: m["type"] == "stage_complete")
        await communicator.disconnect()
        return initial, live

    initial, live = async_to_sync(go)()
    seqs = [m["seq"] for m in initial[2:]] + [m["seq"] for m in live]
    assert seqs == list(range(1, job.last_seq + 3))
    assert [m["message"] for m in live][0] == "live"
    assert live[-1]["type"] == "stage_complete"


def test_user_socket_sends_a_snapshot_of_jobs_and_every_event_of_them(alice, bob, make_job):
    mine = make_job(owner=alice)
    theirs = make_job(owner=bob)
    headers = token_headers(alice)

    async def go():
        communicator = WebsocketCommunicator(application, "/ws/jobs/", headers=headers)
        assert (await communicator.connect(timeout=DEADLINE))[0]
        initial = await messages_until(communicator, lambda m: m["type"] == "snapshot")
        from channels.db import database_sync_to_async

        publish = database_sync_to_async(event_publish)
        await publish(job_id=theirs.id, type="progress", progress=1, force=True)
        await publish(job_id=mine.id, type="progress", progress=2, force=True)
        # Events reach a socket in the order they were sent: bob's, had it been forwarded,
        # would come before alice's.
        live = await messages_until(communicator, lambda m: m.get("job") == str(mine.id))
        await communicator.disconnect()
        return initial, live

    initial, live = async_to_sync(go)()
    assert initial[0]["type"] == "connected"
    assert [j["id"] for j in initial[1]["jobs"]] == [str(mine.id)]
    assert [m["job"] for m in live] == [str(mine.id)]
