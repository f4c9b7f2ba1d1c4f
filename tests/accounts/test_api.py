import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services
from accounts.models import User
from tests.accounts.imagefiles import image_bytes, noise_png, png_claiming, upload
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"
REGISTER = reverse("auth-register")
TOKEN = reverse("auth-token")
ME = reverse("auth-me")
PASSWORD = reverse("auth-password")
AVATAR = reverse("auth-avatar")


def test_auth_routes_live_under_api_v1_auth():
    assert [REGISTER, TOKEN, ME, PASSWORD, AVATAR] == [
        "/api/v1/auth/register",
        "/api/v1/auth/token",
        "/api/v1/auth/me",
        "/api/v1/auth/password",
        "/api/v1/auth/avatar",
    ]


# --- register ---------------------------------------------------------------------------------


def test_register_returns_the_user_and_a_working_token(api_client):
    response = api_client.post(
        REGISTER,
        {"email": "Dana@Example.com", "password": NEW_PASSWORD, "display_name": "Dana"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "dana@example.com"
    assert body["user"]["display_name"] == "Dana"
    assert body["user"]["avatar_url"] is None
    me = APIClient(HTTP_AUTHORIZATION=f"Token {body['token']}").get(ME)
    assert me.status_code == 200
    assert me.json()["id"] == body["user"]["id"]


def test_register_works_for_a_browser_that_is_already_signed_in(client, alice):
    client.force_login(alice)
    response = client.post(
        REGISTER,
        {"email": "dana@example.com", "password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"email": "alice@EXAMPLE.com", "password": NEW_PASSWORD}, "email"),
        ({"email": "dana@example.com", "password": "123"}, "password"),
        ({"email": "not-an-email", "password": NEW_PASSWORD}, "email"),
        ({"password": NEW_PASSWORD}, "email"),
        ({"email": "dana@example.com"}, "password"),
        (
            {"email": "dana@example.com", "password": NEW_PASSWORD, "display_name": "x" * 81},
            "display_name",
        ),
    ],
    ids=["taken", "weak", "bad-email", "no-email", "no-password", "long-name"],
)
def test_register_names_the_bad_field(api_client, alice, payload, field):
    response = api_client.post(REGISTER, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "body,content_type",
    [("{not json", "application/json"), ("[1, 2]", "application/json"), ("", "text/plain")],
    ids=["malformed", "not-an-object", "wrong-type"],
)
def test_register_answers_bad_bodies_with_4xx(api_client, body, content_type):
    response = api_client.generic("POST", REGISTER, body, content_type=content_type)
    assert 400 <= response.status_code < 500


def test_register_is_throttled(api_client, throttle_rates):
    throttle_rates(register="2/hour")
    statuses = [
        api_client.post(
            REGISTER, {"email": f"u{n}@example.com", "password": NEW_PASSWORD}, format="json"
        ).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]


# --- token ------------------------------------------------------------------------------------


def test_token_is_issued_for_the_right_credentials(api_client, alice):
    response = api_client.post(
        TOKEN, {"email": "ALICE@example.com", "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=alice).key}


def test_every_client_of_an_account_gets_the_same_token(api_client, alice):
    credentials = {"email": "alice@example.com", "password": DEFAULT_PASSWORD}
    first = api_client.post(TOKEN, credentials, format="json").json()["token"]
    second = api_client.post(TOKEN, credentials, format="json").json()["token"]
    assert first == second


def test_wrong_credentials_get_one_answer_that_names_no_field(api_client, alice):
    UserFactory(email="gone@example.com", is_active=False)
    answers = []
    for email, password in [
        ("alice@example.com", "wrong"),
        ("nobody@example.com", DEFAULT_PASSWORD),
        ("gone@example.com", DEFAULT_PASSWORD),
    ]:
        response = api_client.post(TOKEN, {"email": email, "password": password}, format="json")
        assert response.status_code == 400
        answers.append(response.json())

    assert answers[0] == answers[1] == answers[2]
    assert list(answers[0]) == ["non_field_errors"]
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    "payload,field",
    [({"email": "alice@example.com"}, "password"), ({"password": "x"}, "email")],
)
def test_token_request_names_the_missing_field(api_client, payload, field):
    response = api_client.post(TOKEN, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_token_request_ignores_a_stale_authorization_header(alice):
    client = APIClient(HTTP_AUTHORIZATION="Token revoked-long-ago")
    response = client.post(
        TOKEN, {"email": "alice@example.com", "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200


def test_token_requests_are_throttled(api_client, alice, throttle_rates):
    throttle_rates(login="2/min")
    credentials = {"email": "alice@example.com", "password": DEFAULT_PASSWORD}
    statuses = [api_client.post(TOKEN, credentials, format="json").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_deleting_the_token_revokes_it(token_client, alice):
    client = token_client(alice)

    assert client.delete(TOKEN).status_code == 204

    assert not Token.objects.filter(user=alice).exists()
    assert client.get(ME).status_code == 401


def test_deleting_the_token_needs_authentication(api_client):
    assert api_client.delete(TOKEN).status_code == 401


def test_token_endpoint_has_no_get(token_client, alice):
    assert token_client(alice).get(TOKEN).status_code == 405


# --- me ---------------------------------------------------------------------------------------


def test_me_returns_the_signed_in_user(token_client, alice):
    response = token_client(alice).get(ME)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "email",
        "display_name",
        "avatar_url",
        "avatar_small_url",
        "date_joined",
        "is_staff",
        "usage",
    }
    assert body["email"] == "alice@example.com"
    assert body["is_staff"] is False


def test_me_works_with_the_browser_session(client, alice):
    client.force_login(alice)
    assert client.get(ME).json()["email"] == "alice@example.com"


def test_me_needs_authentication(api_client):
    assert api_client.get(ME).status_code == 401
    assert api_client.patch(ME, {"display_name": "x"}, format="json").status_code == 401


def test_a_bad_token_gets_401(alice):
    client = APIClient(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(ME).status_code == 401


def test_patch_me_changes_the_display_name(token_client, alice):
    response = token_client(alice).patch(ME, {"display_name": "Alice L."}, format="json")

    assert response.status_code == 200
    assert response.json()["display_name"] == "Alice L."
    alice.refresh_from_db()
    assert alice.display_name == "Alice L."


def test_patch_me_ignores_read_only_fields(token_client, alice):
    response = token_client(alice).patch(
        ME, {"email": "new@example.com", "is_staff": True}, format="json"
    )

    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert alice.is_staff is False


def test_patch_me_names_the_bad_field(token_client, alice):
    response = token_client(alice).patch(ME, {"display_name": "x" * 81}, format="json")
    assert response.status_code == 400
    assert "display_name" in response.json()


def test_patch_me_with_malformed_json_is_400(token_client, alice):
    response = token_client(alice).generic("PATCH", ME, "{oops", content_type="application/json")
    assert response.status_code == 400


def test_stranger_cannot_change_another_users_profile_through_the_api(token_client, alice, bob):
    response = token_client(bob).patch(
        ME, {"id": alice.pk, "email": alice.email, "display_name": "Hacked"}, format="json"
    )

    assert response.json()["id"] == bob.pk
    alice.refresh_from_db()
    assert alice.display_name == "Alice"


# --- password ---------------------------------------------------------------------------------


def test_password_change_returns_a_new_token_and_revokes_the_old(token_client, alice):
    client = token_client(alice)
    old = Token.objects.get(user=alice).key

    response = client.post(
        PASSWORD, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    new = response.json()["token"]
    assert new != old
    assert client.get(ME).status_code == 401
    assert APIClient(HTTP_AUTHORIZATION=f"Token {new}").get(ME).status_code == 200
    login = APIClient().post(
        TOKEN, {"email": "alice@example.com", "password": NEW_PASSWORD}, format="json"
    )
    assert login.json()["token"] == new


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"old_password": "wrong", "new_password": NEW_PASSWORD}, "old_password"),
        ({"old_password": DEFAULT_PASSWORD, "new_password": "123"}, "new_password"),
        ({"new_password": NEW_PASSWORD}, "old_password"),
        ({"old_password": DEFAULT_PASSWORD}, "new_password"),
    ],
    ids=["wrong-old", "weak-new", "no-old", "no-new"],
)
def test_password_change_names_the_bad_field(token_client, alice, payload, field):
    client = token_client(alice)

    response = client.post(PASSWORD, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert client.get(ME).status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(DEFAULT_PASSWORD)


def test_password_change_through_the_api_keeps_the_browser_session(alice):
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(alice)

    response = client.post(
        PASSWORD, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert client.get(ME).status_code == 200


def test_password_change_needs_authentication(api_client):
    response = api_client.post(PASSWORD, {"old_password": "a", "new_password": "b"}, format="json")
    assert response.status_code == 401


# --- avatar -----------------------------------------------------------------------------------


def test_avatar_upload_returns_the_user_with_avatar_urls(token_client, alice):
    response = token_client(alice).put(
        AVATAR, {"image": upload(image_bytes("JPEG"), "me.jpg")}, format="multipart"
    )

    assert response.status_code == 200
    body = response.json()
    alice.refresh_from_db()
    assert body["avatar_url"] == f"http://testserver{alice.avatar_url}"
    assert body["avatar_small_url"] == f"http://testserver{alice.avatar_small_url}"


@pytest.mark.parametrize(
    "data,name",
    [
        (image_bytes("GIF"), "anim.gif"),
        (b"plain text pretending", "cat.png"),
        (png_claiming(30_000, 30_000), "bomb.png"),
        (b"", "empty.png"),
    ],
    ids=["gif", "text", "bomb", "empty"],
)
def test_avatar_upload_refuses_bad_files_naming_the_field(token_client, alice, data, name):
    response = token_client(alice).put(AVATAR, {"image": upload(data, name)}, format="multipart")

    assert response.status_code == 400
    assert "image" in response.json()
    alice.refresh_from_db()
    assert not alice.avatar


def test_avatar_upload_refuses_a_file_over_the_limit(token_client, alice, settings):
    settings.AVATAR_MAX_BYTES = 2000
    response = token_client(alice).put(AVATAR, {"image": upload(noise_png())}, format="multipart")
    assert response.status_code == 400
    assert "too large" in response.json()["image"][0]


def test_avatar_upload_refuses_a_small_image_over_the_pixel_limit(token_client, alice, settings):
    settings.IMAGE_MAX_PIXELS = 50 * 50
    response = token_client(alice).put(
        AVATAR, {"image": upload(image_bytes(size=(60, 60)))}, format="multipart"
    )
    assert response.status_code == 400
    assert "pixels" in response.json()["image"][0]


def test_avatar_upload_without_the_field_is_400(token_client, alice):
    response = token_client(alice).put(AVATAR, {"picture": "x"}, format="multipart")
    assert response.status_code == 400
    assert "image" in response.json()


def test_avatar_upload_as_json_is_415(token_client, alice):
    response = token_client(alice).put(AVATAR, {"image": "aGVsbG8="}, format="json")
    assert response.status_code == 415


def test_avatar_delete_removes_the_files(token_client, alice, django_capture_on_commit_callbacks):
    services.avatar_set(user=alice, image_file=upload(image_bytes()))
    names = [alice.avatar.name, alice.avatar_small.name]

    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(alice).delete(AVATAR)

    assert response.status_code == 204
    alice.refresh_from_db()
    assert not alice.avatar and not alice.avatar_small
    assert not any(default_storage.exists(name) for name in names)


def test_avatar_endpoints_need_authentication(api_client):
    assert api_client.put(AVATAR, {"image": upload(image_bytes())}).status_code == 401
    assert api_client.delete(AVATAR).status_code == 401


def test_stranger_cannot_change_another_users_avatar(token_client, alice, bob):
    services.avatar_set(user=alice, image_file=upload(image_bytes()))
    before = (alice.avatar.name, alice.avatar_small.name)

    token_client(bob).put(
        AVATAR, {"image": upload(image_bytes("WEBP")), "user": alice.pk}, format="multipart"
    )
    token_client(bob).generic("DELETE", AVATAR, f"user={alice.pk}")

    alice.refresh_from_db()
    assert (alice.avatar.name, alice.avatar_small.name) == before
    bob.refresh_from_db()
    assert not bob.avatar
