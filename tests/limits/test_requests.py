"""Request body limits and the site-wide API key, through the project's real ASGI application."""

import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from pipeline.models import Job
from tests.sockets import DEADLINE
from tests.studio.test_consumers import session_headers
from videogen.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "k-" + "7" * 30


def register_body(email="new@example.com", pad=0) -> bytes:
    """A valid sign-up, padded with whitespace (still valid JSON) to make it larger."""
    body = {"email": email, "password": "a-long-passphrase-42", "display_name": "New"}
    return json.dumps(body).encode() + b" " * pad


def http(path, *, method="POST", headers=(), chunks=(b"",), declare_length=True):
    """Sends a request to the ASGI application chunk by chunk; returns (status, headers,
    body, chunks the application asked for)."""

    async def go():
        body_size = sum(len(c) for c in chunks)
        head = [(b"host", b"testserver"), *headers]
        if declare_length:
            head.append((b"content-length", str(body_size).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": head,
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        communicator = ApplicationCommunicator(application, scope)
        for index, chunk in enumerate(chunks):
            more = index < len(chunks) - 1
            await communicator.send_input(
                {"type": "http.request", "body": chunk, "more_body": more}
            )
        start = await communicator.receive_output(10)
        body = b""
        while True:
            message = await communicator.receive_output(10)
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        unread = communicator.input_queue.qsize()
        await communicator.wait(5)
        return start["status"], dict(start["headers"]), body, unread

    return async_to_sync(go)()


def users(email="new@example.com"):
    return get_user_model().objects.filter(email=email).count()


# --- request body size ------------------------------------------------------------------------


def test_a_body_declared_over_the_limit_gets_413_before_it_is_read(settings):
    settings.REQUEST_MAX_BYTES = 4096
    body = register_body(pad=5000)
    # Sent in pieces: the answer comes before the application asks for the rest.
    chunks = [body[i : i + 1024] for i in range(0, len(body), 1024)]

    status, headers, answer, unread = http("/api/v1/auth/register", chunks=chunks)

    assert status == 413
    assert headers[b"content-type"] == b"application/json"
    detail = json.loads(answer)
    assert detail["code"] == "request_too_large" and detail["limit"] == 4096
    assert "4096 bytes" in detail["detail"] and "REQUEST_MAX_BYTES" in detail["detail"]
    assert unread == len(chunks), "no part of the body was read"
    assert users() == 0, "the view never ran"


def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(settings):
    settings.REQUEST_MAX_BYTES = 2500
    body = register_body(pad=5000)
    chunks = [body[i : i + 1024] for i in range(0, len(body), 1024)]

    status, _, answer, unread = http("/api/v1/auth/register", chunks=chunks, declare_length=False)

    assert status == 413 and json.loads(answer)["code"] == "request_too_large"
    assert unread == len(chunks) - 3, "reading stopped at the chunk that passed the limit"
    assert users() == 0


def test_a_body_under_the_limit_reaches_the_view(settings):
    settings.REQUEST_MAX_BYTES = 4096
    body = register_body(pad=3000)

    status, _, answer, _ = http(
        "/api/v1/auth/register",
        chunks=[body[:2000], body[2000:]],
        headers=[(b"content-type", b"application/json")],
    )

    assert status == 201, answer
    assert users() == 1


def test_a_chunked_body_under_the_limit_passes_but_django_reads_no_body(settings):
    """Django reads CONTENT_LENGTH bytes of a body, none without the header: a chunked
    request reaches the view with an empty body (so DATA_UPLOAD_MAX_MEMORY_SIZE never sees
    it); only the guard bounds what is received."""
    settings.REQUEST_MAX_BYTES = 4096
    body = register_body(pad=3000)

    status, _, answer, _ = http(
        "/api/v1/auth/register",
        chunks=[body[:2000], body[2000:]],
        declare_length=False,
        headers=[(b"content-type", b"application/json")],
    )

    assert status == 400 and "This field is required" in answer.decode()
    assert users() == 0


def test_the_default_limit_leaves_room_for_the_largest_upload():
    assert django_settings.REQUEST_MAX_BYTES > django_settings.UPLOAD_MAX_BYTES
    assert django_settings.REQUEST_MAX_BYTES > django_settings.AVATAR_MAX_BYTES


# --- API key ----------------------------------------------------------------------------------


@pytest.fixture
def api_key_on(settings):
    settings.API_KEY_REQUIRED = True
    settings.API_KEYS = ["another-key", KEY]


def test_without_the_setting_no_key_is_needed(api_for, alice):
    assert api_for(alice).get("/api/v1/jobs").status_code == 200


def test_with_the_setting_a_token_alone_is_refused_with_401(api_key_on, api_for, alice):
    response = api_for(alice).get("/api/v1/jobs")

    assert response.status_code == 401
    assert response.json()["code"] == "api_key_required"
    assert "X-API-Key" in response.json()["detail"]
    assert "X-API-Key" in response["WWW-Authenticate"]


def test_a_wrong_key_is_refused_and_named_as_wrong(api_key_on, api_for, alice):
    client = api_for(alice)
    response = client.get("/api/v1/jobs", HTTP_X_API_KEY="nope")
    assert response.status_code == 401 and response.json()["code"] == "api_key_invalid"


def test_the_key_and_a_token_together_are_let_in(api_key_on, api_for, alice):
    client = api_for(alice)
    assert client.get("/api/v1/jobs", HTTP_X_API_KEY=KEY).status_code == 200
    response = client.post(
        "/api/v1/jobs", {"kind": "demo", "prompt": "x"}, format="json", HTTP_X_API_KEY=KEY
    )
    assert response.status_code == 202


def test_the_key_does_not_replace_the_users_own_credentials(api_key_on, api_for):
    assert api_for().get("/api/v1/jobs", HTTP_X_API_KEY=KEY).status_code == 401


def test_sign_up_and_login_need_the_key_too(api_key_on, api_for, alice):
    body = {"email": "alice@example.com", "password": "correct-horse-battery-staple"}
    assert api_for().post("/api/v1/auth/token", body, format="json").status_code == 401
    ok = api_for().post("/api/v1/auth/token", body, format="json", HTTP_X_API_KEY=KEY)
    assert ok.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/schema/", "/api/docs/"])
def test_health_and_the_api_documentation_stay_open(api_key_on, client, path):
    assert client.get(path).status_code in (200, 503)


def test_the_browsers_session_needs_no_key(api_key_on, client, alice, make_job):
    """The studio's pages call the API with the session cookie (job-progress.js, gallery.js)."""
    client.force_login(alice)
    job = make_job()
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 200
    assert client.get("/studio/").status_code == 200  # pages are not affected


def test_a_session_with_a_token_header_still_needs_the_key(api_key_on, client, alice):
    client.force_login(alice)
    token, _ = Token.objects.get_or_create(user=alice)
    response = client.get("/api/v1/jobs", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401


def ws_connect(path, headers):
    async def go():
        communicator = WebsocketCommunicator(application, path, headers=headers)
        # Waits for the answer (accepted or refused), however long a loaded machine takes.
        connected, _ = await communicator.connect(timeout=DEADLINE)
        await communicator.disconnect(timeout=DEADLINE)
        return connected

    return async_to_sync(go)()


def test_websockets_with_a_token_need_the_key(api_key_on, alice):
    token, _ = Token.objects.get_or_create(user=alice)
    auth = [(b"authorization", f"Token {token.key}".encode())]

    assert not ws_connect("/ws/jobs/", auth)
    assert not ws_connect("/ws/jobs/?api_key=wrong", auth)
    assert ws_connect(f"/ws/jobs/?api_key={KEY}", auth)
    assert ws_connect("/ws/jobs/", [*auth, (b"x-api-key", KEY.encode())])


def test_websockets_on_the_browsers_session_need_no_key(api_key_on, alice):
    assert ws_connect("/ws/jobs/", session_headers(alice))


# --- throttles --------------------------------------------------------------------------------


def test_the_studio_form_shares_the_job_creation_rate_with_the_api(
    client, api_for, alice, settings
):
    settings.MAX_ACTIVE_JOBS_PER_USER = 10
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "job_create": "2/hour",
        },
    }
    client.force_login(alice)
    form = {"kind": "demo", "demo-prompt": "One card."}
    api = api_for(alice)

    assert client.post("/studio/", form).status_code == 302
    assert (
        api.post("/api/v1/jobs", {"kind": "demo", "prompt": "x"}, format="json").status_code == 202
    )
    refused = client.post("/studio/", form)

    assert refused.status_code == 429
    assert "too fast" in refused.content.decode()
    assert (
        api.post("/api/v1/jobs", {"kind": "demo", "prompt": "x"}, format="json").status_code == 429
    )
    assert Job.objects.count() == 2
