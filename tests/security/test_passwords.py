"""Passwords are validated wherever one is set, with the field named; changing or resetting a
password ends every other session and the old API token, on HTTP and on the WebSockets."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services
from accounts.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.security.routes import real_reset_link
from tests.sockets import DEADLINE, frames_until, is_close

pytestmark = pytest.mark.django_db

EMAIL = "zanzibar.quixote@example.com"
DISPLAY_NAME = "Bartholomew Quincy"
GOOD = "plum-tree-orbit-77"
# name -> (password, words of the message that must name the rule)
WEAK = {
    "too-short": ("Xy7!qa", "too short"),
    "common": ("qwertyuiop", "too common"),
    "numeric": ("48293017561", "entirely numeric"),
    "like-email": ("Zanzibar.Quixote", "too similar to the email"),
    "like-display-name": ("bartholomewquincy", "too similar to the display name"),
}


def _form_errors(response, field):
    # A page that accepted the password redirects and has no form to show.
    return response.context["form"].errors.get(field, []) if response.context else []


def _messages(errors) -> str:
    return " ".join(str(e) for e in errors)


@pytest.fixture
def zanzibar(db):
    return UserFactory(email=EMAIL, display_name=DISPLAY_NAME)


def _register_api(_, password):
    response = APIClient().post(
        reverse("auth-register"),
        {"email": EMAIL, "password": password, "display_name": DISPLAY_NAME},
        format="json",
    )
    return response.status_code, response.json().get("password", [])


def _signup_page(_, password):
    response = Client().post(
        reverse("accounts:signup"),
        {
            "email": EMAIL,
            "display_name": DISPLAY_NAME,
            "password1": password,
            "password2": password,
        },
    )
    return response.status_code, _form_errors(response, "password1")


def _change_api(user, password):
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(
        reverse("auth-password"),
        {"old_password": DEFAULT_PASSWORD, "new_password": password},
        format="json",
    )
    return response.status_code, response.json().get("new_password", [])


def _change_page(user, password):
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": password, "new_password2": password},
    )
    return response.status_code, _form_errors(response, "new_password1")


def _reset_page(user, password):
    client = Client()
    shown = client.get(
        reverse("accounts:password_reset_confirm", args=real_reset_link(user)), follow=True
    )
    response = client.post(
        shown.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    return response.status_code, _form_errors(response, "new_password1")


def _admin():
    client = Client()
    client.force_login(UserFactory(email="root@example.com", superuser=True))
    return client


def _admin_add_user(_, password):
    response = _admin().post(
        reverse("admin:accounts_user_add"),
        {
            "email": EMAIL,
            "display_name": DISPLAY_NAME,
            "usable_password": "true",
            "password1": password,
            "password2": password,
        },
    )
    return response.status_code, _admin_form_errors(response, "password2")


def _admin_set_password(user, password):
    response = _admin().post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"usable_password": "true", "password1": password, "password2": password},
    )
    return response.status_code, _admin_form_errors(response, "password2")


def _admin_form_errors(response, field):
    # The admin's add and password pages name their form `adminform` (wrapping `form`).
    if not response.context:
        return []
    form = response.context.get("adminform")
    form = getattr(form, "form", None) or response.context.get("form")
    return form.errors.get(field, []) + form.errors.get("password1", [])


ENTRY_POINTS = {
    "register-api": _register_api,
    "signup-page": _signup_page,
    "change-api": _change_api,
    "change-page": _change_page,
    "reset-page": _reset_page,
    "admin-add-user": _admin_add_user,
    "admin-set-password": _admin_set_password,
}


NEW_ACCOUNT = ("register-api", "signup-page", "admin-add-user")


@pytest.mark.parametrize("weak", WEAK)
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_weak_password_is_refused_naming_the_field_and_the_rule(entry, weak, request):
    password, words = WEAK[weak]
    user = None if entry in NEW_ACCOUNT else request.getfixturevalue("zanzibar")

    status, errors = ENTRY_POINTS[entry](user, password)

    assert status in (400, 200), status  # the API says 400; a page shows the form again
    if entry.endswith("api"):
        assert status == 400
    assert words in _messages(errors).lower(), errors
    if user is None:
        assert not User.objects.filter(email=EMAIL).exists()
    else:
        user.refresh_from_db()
        assert user.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_good_password_is_accepted_everywhere(entry, request):
    user = None if entry in NEW_ACCOUNT else request.getfixturevalue("zanzibar")
    status, errors = ENTRY_POINTS[entry](user, GOOD)
    assert status in (200, 201, 302) and not errors


# --- what a password change ends --------------------------------------------------------------


@pytest.fixture
def signed_in(alice):
    """alice in two browsers and one API client (with the account's token)."""
    first, second = Client(), Client()
    first.force_login(alice)
    second.force_login(alice)
    token = services.token_issue(user=alice).key
    return first, second, token


def _api(token):
    return APIClient(HTTP_AUTHORIZATION=f"Token {token}")


def _signed_in(browser) -> bool:
    return browser.get(reverse("accounts:profile")).status_code == 200


def _session_key(browser):
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def _after_change(alice, first, second, old_token, new_token, *, first_continues):
    assert _signed_in(first) is first_continues
    assert not _signed_in(second)
    assert _api(old_token).get(reverse("auth-me")).status_code == 401
    assert not Token.objects.filter(key=old_token).exists()
    if new_token:
        assert _api(new_token).get(reverse("auth-me")).json()["id"] == alice.pk


def test_changing_the_password_on_the_page_ends_other_sessions_and_the_token(alice, signed_in):
    first, second, token = signed_in
    key_before = _session_key(first)

    response = first.post(
        reverse("accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": GOOD, "new_password2": GOOD},
    )

    assert response.status_code == 302
    # This browser goes on under a new session key (a stolen old cookie is worth nothing).
    assert _session_key(first) != key_before
    _after_change(
        alice, first, second, token, Token.objects.get(user=alice).key, first_continues=True
    )


def test_changing_the_password_with_the_token_ends_every_session_and_the_old_token(
    alice, signed_in
):
    first, second, token = signed_in

    response = _api(token).post(
        reverse("auth-password"),
        {"old_password": DEFAULT_PASSWORD, "new_password": GOOD},
        format="json",
    )

    assert response.status_code == 200
    _after_change(alice, first, second, token, response.json()["token"], first_continues=False)


def test_changing_the_password_through_the_api_in_a_browser_keeps_only_that_browser(
    alice, signed_in
):
    first, second, token = signed_in
    first_api = APIClient()
    first_api.cookies = first.cookies
    key_before = _session_key(first)

    response = first_api.post(
        reverse("auth-password"),
        {"old_password": DEFAULT_PASSWORD, "new_password": GOOD},
        format="json",
    )

    assert response.status_code == 200
    assert _session_key(first_api) != key_before
    first.cookies = first_api.cookies
    _after_change(alice, first, second, token, response.json()["token"], first_continues=True)


def test_resetting_the_password_ends_every_session_and_revokes_the_token(alice, signed_in):
    first, second, token = signed_in
    visitor = Client()
    visitor.post(reverse("accounts:password_reset"), {"email": alice.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line).strip()
    path = link[link.index("/accounts/reset/") :]
    form = visitor.get(path, follow=True).redirect_chain[-1][0]

    response = visitor.post(form, {"new_password1": GOOD, "new_password2": GOOD})

    assert response.status_code == 302
    _after_change(alice, first, second, token, None, first_continues=False)
    assert not Token.objects.filter(user=alice).exists()
    # The link was for one use: the token in it depends on the old password.
    assert Client().get(path, follow=True).context["validlink"] is False
    assert Client().login(email=alice.email, password=GOOD)


@pytest.mark.django_db(transaction=True)
def test_old_session_and_token_cannot_open_a_websocket_after_a_password_change(alice):
    from videogen.asgi import application

    browser = Client()
    browser.force_login(alice)
    cookie = f"{settings.SESSION_COOKIE_NAME}={_session_key(browser)}".encode()
    token = services.token_issue(user=alice).key
    services.user_change_password(user=alice, old_password=DEFAULT_PASSWORD, new_password=GOOD)

    async def attempt(headers):
        communicator = WebsocketCommunicator(application, "/ws/jobs/", headers=headers)
        connected, _ = await communicator.connect(timeout=DEADLINE)
        await communicator.disconnect()
        return connected

    assert not async_to_sync(attempt)([(b"cookie", cookie), (b"origin", b"http://127.0.0.1:8000")])
    assert not async_to_sync(attempt)([(b"authorization", f"Token {token}".encode())])
    new = Token.objects.get(user=alice).key
    assert async_to_sync(attempt)([(b"authorization", f"Token {new}".encode())])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["password-change", "password-reset", "token-revoke"])
def test_open_websockets_on_the_old_credentials_close_when_they_are_revoked(
    alice, charlie, make_job, change
):
    """An open socket does not outlive its credential: after a password change (or reset, or
    a revoked token) alice's sockets close; charlie's socket on her job goes on."""
    from channels.db import database_sync_to_async

    from pipeline.engine.events import event_publish
    from videogen.asgi import application

    job = make_job(owner=alice)
    browser = Client()
    browser.force_login(alice)
    session = [
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={_session_key(browser)}".encode()),
        (b"origin", b"http://127.0.0.1:8000"),
    ]
    token = [(b"authorization", f"Token {services.token_issue(user=alice).key}".encode())]
    staff = [(b"authorization", f"Token {services.token_issue(user=charlie).key}".encode())]
    revoke = {
        "password-change": lambda: services.user_change_password(
            user=alice, old_password=DEFAULT_PASSWORD, new_password=GOOD
        ),
        "password-reset": lambda: services.user_set_password(user=alice, new_password=GOOD),
        "token-revoke": lambda: services.token_revoke(user=alice),
    }[change]
    sockets = {
        "session-job": (f"/ws/jobs/{job.id}/", session),
        "session-list": ("/ws/jobs/", session),
        "token-job": (f"/ws/jobs/{job.id}/", token),
        "token-list": ("/ws/jobs/", token),
        "staff-job": (f"/ws/jobs/{job.id}/", staff),
    }
    # A token revocation leaves the browser's session alone.
    closes = {"token-job", "token-list"} | (
        set() if change == "token-revoke" else {"session-job", "session-list"}
    )

    def ends(frame) -> bool:
        return is_close(frame) or json.loads(frame["text"]).get("message") == "after"

    async def go():
        open_ = {}
        for name, (path, headers) in sockets.items():
            communicator = WebsocketCommunicator(application, path, headers=headers)
            assert (await communicator.connect(timeout=DEADLINE))[0], name
            open_[name] = communicator
        await database_sync_to_async(revoke)()
        await database_sync_to_async(event_publish)(
            job_id=job.id, type="progress", progress=3, message="after", force=True
        )
        # The recheck is sent to the account's group before the event: a socket that is to
        # close has closed by the time the event would reach it.
        outcome = {}
        for name, communicator in open_.items():
            last = (await frames_until(communicator, ends))[-1]
            outcome[name] = last
            if last["type"] != "websocket.close":
                await communicator.disconnect()
        return outcome

    outcome = async_to_sync(go)()

    for name, last in outcome.items():
        if name in closes:
            assert last == {"type": "websocket.close", "code": 4401}, (name, last)
        else:
            assert json.loads(last["text"])["message"] == "after", (name, last)


def test_a_password_set_in_the_admin_ends_the_users_sessions_and_token(alice, signed_in):
    first, second, token = signed_in
    admin = Client()
    admin.force_login(UserFactory(email="root@example.com", superuser=True))

    response = admin.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]),
        {"password1": GOOD, "password2": GOOD},
    )

    assert response.status_code == 302
    _after_change(alice, first, second, token, None, first_continues=False)
