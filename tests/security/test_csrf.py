"""CSRF: every POST form of the templates carries the token and its target refuses a POST
without it; every page route refuses unsafe methods without the token; the API refuses a
session-authenticated change without it; WebSockets check the browser's Origin."""

import re
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.views import APIView

from tests.accounts.imagefiles import image_bytes, upload
from tests.security.conftest import NEW_PASSWORD
from tests.security.routes import ROUTES, real_reset_link
from tests.security.test_http_matrix import resolved_routes
from tests.sockets import DEADLINE

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
POST_FORM = re.compile(r"<form\b[^>]*\bmethod=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
ACTION = re.compile(r"action=\"\{% url '([^']+)' %\}\"")
TOKEN_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def post_forms():
    """(template, target route name or "" for the page itself, form body) of every POST form."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for match in POST_FORM.finditer(text):
            action = ACTION.search(match.group(0))
            yield (
                str(path.relative_to(TEMPLATES)),
                action.group(1) if action else "",
                match.group(1),
            )


# template, target -> (who fills it, the page that shows it, what is posted)
FORMS = {
    ("base.html", "accounts:logout"): ("owner", "studio:home", {}),
    ("accounts/login.html", "accounts:login"): (
        "anonymous",
        "accounts:login",
        {"username": "alice@example.com", "password": NEW_PASSWORD},
    ),
    ("accounts/signup.html", "accounts:signup"): (
        "anonymous",
        "accounts:signup",
        {
            "email": "new@example.com",
            "password1": "plum-tree-orbit-77",
            "password2": "plum-tree-orbit-77",
        },
    ),
    ("accounts/password_reset.html", "accounts:password_reset"): (
        "anonymous",
        "accounts:password_reset",
        {"email": "alice@example.com"},
    ),
    ("accounts/password_change.html", "accounts:password_change"): (
        "owner",
        "accounts:password_change",
        {
            "old_password": NEW_PASSWORD,
            "new_password1": "plum-tree-orbit-77",
            "new_password2": "plum-tree-orbit-77",
        },
    ),
    ("accounts/password_reset_confirm.html", ""): (
        "anonymous",
        "accounts:password_reset_confirm",
        {"new_password1": "plum-tree-orbit-77", "new_password2": "plum-tree-orbit-77"},
    ),
    ("accounts/profile.html", "accounts:profile"): (
        "owner",
        "accounts:profile",
        {"display_name": "Alice Liddell"},
    ),
    ("accounts/profile.html", "accounts:avatar_upload"): ("owner", "accounts:profile", "avatar"),
    ("accounts/profile.html", "accounts:avatar_remove"): ("owner", "accounts:profile", {}),
    ("accounts/profile.html", "accounts:token_regenerate"): ("owner", "accounts:profile", {}),
    ("studio/studio.html", "studio:studio"): (
        "owner",
        "studio:studio",
        {
            "kind": "demo",
            "demo-prompt": "Hello there.",
            "demo-title": "A title",
            "demo-opt_cards": "1",
        },
    ),
    ("gallery/admin/hide.html", ""): ("staff", "admin:gallery_video_changelist", "hide"),
}


def test_every_post_form_is_in_the_table_and_carries_the_token():
    found = {}
    for template, target, body in post_forms():
        found[(template, target)] = body
        assert "{% csrf_token %}" in body, f"{template} form to {target or 'itself'}"
    assert set(found) == set(FORMS)


def _browser(world, principal):
    browser = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.7")
    user = {"owner": world.alice, "staff": world.charlie}.get(principal)
    if user is not None:
        browser.force_login(user)
    return browser


def _token(response) -> str:
    match = TOKEN_INPUT.search(response.content)
    assert match, "the page has no CSRF token"
    return match.group(1).decode()


@pytest.mark.parametrize("form", list(FORMS), ids=lambda f: f"{f[0]}->{f[1] or 'self'}")
def test_form_target_refuses_a_post_without_the_token_and_accepts_one_with_it(world, form):
    template, target = form
    principal, page, data = FORMS[form]
    browser = _browser(world, principal)
    if page == "accounts:password_reset_confirm":
        # The emailed link stores the token in the session and moves to a "set-password" URL.
        shown = browser.get(reverse(page, args=real_reset_link(world.alice)), follow=True)
        url = shown.redirect_chain[-1][0]
    elif data == "hide":
        listing = browser.get(reverse(page))
        url = reverse(page)
        shown = browser.post(
            url,
            {
                "action": "hide_videos",
                "_selected_action": [world.video.pk],
                "csrfmiddlewaretoken": _token(listing),
            },
        )
        data = {
            "action": "hide_videos",
            "_selected_action": [world.video.pk],
            "apply": "Hide",
            "reason": "Spam",
        }
    else:
        shown = browser.get(reverse(page))
        url = reverse(target) if target else reverse(page)
    assert shown.status_code == 200
    if target:
        assert f'action="{url}"'.encode() in shown.content, "the page does not show the form"
    token = _token(shown)
    if data == "avatar":
        data = {"image": upload(image_bytes("PNG"), "me.png")}
        refused = browser.post(url, data)
        data = {"image": upload(image_bytes("PNG"), "me.png")}
    else:
        refused = browser.post(url, data)

    assert refused.status_code == 403
    accepted = browser.post(url, {**data, "csrfmiddlewaretoken": token})
    # Every form redirects once it has done its work.
    assert accepted.status_code == 302, accepted.content[:300]


PAGE_ROUTES = [
    name
    for _, name, callback in resolved_routes()
    if name in ROUTES and not issubclass(getattr(callback, "cls", object), APIView)
]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("name", PAGE_ROUTES)
def test_no_page_accepts_a_change_without_the_token(world, name, method):
    route = ROUTES[name]
    browser = _browser(world, "owner")
    url = reverse(name, args=route.args(world) if route.args else [])

    response = getattr(browser, method)(url)

    assert response.status_code == 403, (name, method, response.status_code)


API_CHANGES = [
    (name, method)
    for _, name, callback in resolved_routes()
    if issubclass(getattr(callback, "cls", object), APIView) and name in ROUTES
    for method in ROUTES[name].methods
    if method not in ("GET", "HEAD", "OPTIONS")
]
# These two read credentials from the body and ignore the session, so there is nothing a
# forged request could borrow.
NO_SESSION = {("auth-register", "POST"), ("auth-token", "POST")}


@pytest.mark.parametrize(("name", "method"), API_CHANGES)
def test_api_refuses_a_session_change_without_the_token(world, name, method):
    route = ROUTES[name]
    url = reverse(name, args=route.args(world) if route.args else [])
    browser = _browser(world, "owner")

    refused = getattr(browser, method.lower())(url, content_type="application/json")

    if (name, method) in NO_SESSION:
        assert refused.status_code == 400
        return
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    browser.get(reverse("accounts:profile"))  # sets the csrftoken cookie
    accepted = getattr(browser, method.lower())(
        url,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=browser.cookies[settings.CSRF_COOKIE_NAME].value,
    )
    assert b"CSRF" not in accepted.content, accepted.content
    assert accepted.status_code < 500


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        (b"http://127.0.0.1:8000", True),
        (b"http://localhost:8000", True),
        (b"https://evil.example", False),
        (b"http://127.0.0.1.evil.example", False),
        (b"http://evil.example/http://127.0.0.1", False),
        (b"null", False),
        (b"file://", False),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_websocket_with_a_session_checks_the_origin(alice, origin, accepted):
    from videogen.asgi import application

    browser = Client()
    browser.force_login(alice)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"cookie", cookie.encode()), (b"origin", origin)]

    async def attempt():
        communicator = WebsocketCommunicator(application, "/ws/jobs/", headers=headers)
        # Waits for the answer (accepted or refused), however long a loaded machine takes.
        connected, _ = await communicator.connect(timeout=DEADLINE)
        await communicator.disconnect(timeout=DEADLINE)
        return connected

    assert async_to_sync(attempt)() is accepted
