"""Both WebSockets × the same principals, through the project's ASGI application (origin check,
session and token authentication, routing): the owner receives, others are refused or get
nothing of alice's, and the list socket never delivers another user's events."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from pipeline.engine.events import event_publish
from pipeline.models import Job
from tests.security.conftest import SECRET
from tests.sockets import DEADLINE, messages_until

pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED_ORIGIN = b"http://127.0.0.1:8000"


def _session_cookie(cookies) -> bytes:
    return f"{settings.SESSION_COOKIE_NAME}={cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def socket_headers(world, principal):
    """How each principal knocks: API clients send a token, browsers a cookie and Origin."""
    from django.test import Client

    def session_of(user, origin=ALLOWED_ORIGIN):
        browser = Client()
        browser.force_login(user)
        return [(b"cookie", _session_cookie(browser.cookies)), (b"origin", origin)]

    def token(key):
        return [(b"authorization", f"Token {key}".encode())]

    return {
        "owner": token(world.tokens["owner"]),
        "owner-session": session_of(world.alice),
        "other": token(world.tokens["other"]),
        "staff": token(world.tokens["staff"]),
        "anonymous": [],
        "revoked": token(world.tokens["revoked"]),
        "revoked-session": [
            (b"cookie", _session_cookie(world.stale_cookies)),
            (b"origin", ALLOWED_ORIGIN),
        ],
        # A page on another site opening a socket with alice's cookie.
        "owner-foreign-origin": session_of(world.alice, b"https://evil.example"),
        "bogus-token": [(b"authorization", b"Token 0000000000000000000000000000000000000000")],
    }[principal]


PRINCIPALS = [
    "owner",
    "owner-session",
    "other",
    "staff",
    "anonymous",
    "revoked",
    "revoked-session",
    "owner-foreign-origin",
    "bogus-token",
]
# Who may open each socket at all.
ACCEPTED = {
    "job": {"owner", "owner-session", "staff"},
    "list": {"owner", "owner-session", "other", "staff"},
}


END = "end of the test's events"


def _is_end(message) -> bool:
    return message.get("message") == END


def run_sockets(world, path):
    """Connects every principal to `path`, publishes an event for alice's job and one for
    bob's, and returns {principal: (accepted, every text frame received)}.

    Then one last event for each person's job (alice's, bob's, charlie's): a socket has been
    sent everything it would get from the first two once its own last one comes (a socket
    receives in the order things were sent), so nothing waits for a quiet spell."""
    from videogen.asgi import application

    headers = {p: socket_headers(world, p) for p in PRINCIPALS}

    async def go():
        sockets = {}
        for principal in PRINCIPALS:
            communicator = WebsocketCommunicator(application, path, headers=headers[principal])
            accepted, _ = await communicator.connect(timeout=DEADLINE)
            sockets[principal] = (accepted, communicator)
        # Made after the sockets opened, so it is in no snapshot.
        charlie_job = await database_sync_to_async(Job.objects.create)(
            owner=world.charlie, kind="demo", title="Charlie's"
        )
        publish = database_sync_to_async(event_publish)
        await publish(job_id=world.job.id, type="progress", progress=5, message=f"{SECRET} live")
        await publish(job_id=world.bob_job.id, type="progress", progress=6, message="bob live")
        for job_id in (world.job.id, world.bob_job.id, charlie_job.id):
            await publish(job_id=job_id, type="progress", progress=9, message=END, force=True)
        received = {}
        for principal, (accepted, communicator) in sockets.items():
            received[principal] = []
            if accepted:
                messages = await messages_until(communicator, _is_end)
                received[principal] = [json.dumps(m) for m in messages[:-1]]
                await communicator.disconnect(timeout=DEADLINE)
        return {p: (sockets[p][0], received[p]) for p in sockets}

    return async_to_sync(go)()


def _secrets_in(world, frames) -> list[str]:
    text = "\n".join(frames)
    return [m for m in world.markers() if m in text]


def test_job_socket_serves_the_owner_and_staff_and_refuses_everyone_else(world):
    results = run_sockets(world, f"/ws/jobs/{world.job.id}/")

    for principal, (accepted, frames) in results.items():
        assert accepted is (principal in ACCEPTED["job"]), principal
        if not accepted:
            assert frames == [], principal
            continue
        messages = [json.loads(f) for f in frames]
        assert messages[0]["type"] == "connected"
        assert messages[1]["type"] == "snapshot" and messages[1]["job"]["id"] == str(world.job.id)
        # The replay and the live event, and nothing of bob's job.
        assert any(SECRET in (m.get("message") or "") for m in messages[2:]), principal
        assert messages[-1]["message"] == f"{SECRET} live", principal
        assert all(m.get("job") in (None, str(world.job.id)) for m in messages[2:])


def test_list_socket_delivers_only_the_users_own_jobs(world):
    results = run_sockets(world, "/ws/jobs/")

    for principal, (accepted, frames) in results.items():
        assert accepted is (principal in ACCEPTED["list"]), principal
        messages = [json.loads(f) for f in frames]
        if principal.startswith("owner") and accepted:
            assert [j["id"] for j in messages[1]["jobs"]] == [str(world.job.id)]
            assert [m["job"] for m in messages[2:]] == [str(world.job.id)]
            continue
        assert not _secrets_in(world, frames), f"{principal} received alice's job"
        if principal == "other":
            # bob gets his own job's event: the socket works, it just is not alice's.
            assert [m["job"] for m in messages[2:]] == [str(world.bob_job.id)]
        if principal == "staff":
            # Staff may follow any job by its id, but their list is their own.
            assert messages[1]["jobs"] == [] and messages[2:] == []


def test_job_socket_for_someone_elses_or_unknown_job_leaks_nothing_on_refusal(world):
    """The refusal is the same for a job that exists and one that does not."""
    from videogen.asgi import application

    headers = socket_headers(world, "other")

    async def attempt(path):
        communicator = WebsocketCommunicator(application, path, headers=headers)
        accepted, code = await communicator.connect(timeout=DEADLINE)
        return accepted, code

    real = async_to_sync(attempt)(f"/ws/jobs/{world.job.id}/")
    unknown = async_to_sync(attempt)("/ws/jobs/00000000-0000-4000-8000-000000000000/")
    assert real == unknown
    assert real[0] is False
