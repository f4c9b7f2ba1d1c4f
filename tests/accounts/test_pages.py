import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import User
from tests.accounts.imagefiles import image_bytes, upload
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"
HOME = reverse("studio:home")


def signup_data(**overrides):
    data = {
        "email": "dana@example.com",
        "display_name": "Dana",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return {**data, **overrides}


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- sign-up ----------------------------------------------------------------------------------


def test_signup_page_shows_a_form_with_csrf_protection(client):
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert b'name="password1"' in response.content


def test_signup_creates_the_account_logs_in_and_goes_to_the_studio(client):
    response = client.post(reverse("accounts:signup"), signup_data(email="Dana@Example.com"))

    assert response.status_code == 302
    assert response["Location"] == HOME
    user = User.objects.get()
    assert user.email == "dana@example.com"
    assert user.display_name == "Dana"
    assert str(logged_in_user_id(client)) == str(user.pk)


def test_signup_follows_a_safe_next_but_not_an_external_one(client):
    response = client.post(reverse("accounts:signup"), {**signup_data(), "next": "/gallery/"})
    assert response["Location"] == "/gallery/"

    other = Client()
    response = other.post(
        reverse("accounts:signup"),
        {**signup_data(email="eve@example.com"), "next": "https://evil.example/"},
    )
    assert response["Location"] == HOME


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"email": "ALICE@example.com"}, "email"),
        ({"email": "not an email"}, "email"),
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "12345", "password2": "12345"}, "password1"),
        ({"display_name": "x" * 81}, "display_name"),
    ],
    ids=["taken-email", "bad-email", "mismatch", "weak-password", "long-name"],
)
def test_signup_shows_errors_next_to_the_field(client, alice, overrides, field):
    response = client.post(reverse("accounts:signup"), signup_data(**overrides))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field]
    assert b'class="error"' in response.content
    assert User.objects.count() == 1
    assert logged_in_user_id(client) is None


def test_signup_page_sends_signed_in_people_home(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:signup"))["Location"] == HOME


def test_signup_page_is_throttled(client, throttle_rates):
    throttle_rates(register="2/hour")
    for n in range(2):
        client.post(reverse("accounts:signup"), signup_data(email=f"u{n}@example.com"))
        client.logout()

    response = client.post(reverse("accounts:signup"), signup_data(email="u9@example.com"))

    assert response.status_code == 429
    assert not User.objects.filter(email="u9@example.com").exists()


# --- login and logout -------------------------------------------------------------------------


def test_login_with_the_right_password_goes_to_the_studio(client, alice):
    response = client.post(
        reverse("accounts:login"), {"username": "ALICE@example.com", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert str(logged_in_user_id(client)) == str(alice.pk)


def test_login_with_a_wrong_password_shows_a_general_error(client, alice):
    response = client.post(
        reverse("accounts:login"), {"username": "alice@example.com", "password": "wrong"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert logged_in_user_id(client) is None


def test_inactive_users_cannot_log_in(client):
    UserFactory(email="gone@example.com", is_active=False)
    response = client.post(
        reverse("accounts:login"), {"username": "gone@example.com", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_login_is_throttled_per_address_and_email(client, alice, bob, throttle_rates):
    throttle_rates(login="3/min")
    url = reverse("accounts:login")
    for _ in range(3):
        client.post(url, {"username": "alice@example.com", "password": "wrong"})

    blocked = client.post(url, {"username": "alice@example.com", "password": DEFAULT_PASSWORD})
    other_email = client.post(url, {"username": "bob@example.com", "password": DEFAULT_PASSWORD})

    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert other_email.status_code == 302


def test_a_successful_login_resets_the_attempt_counter(client, alice, throttle_rates):
    throttle_rates(login="2/min")
    url = reverse("accounts:login")
    client.post(url, {"username": "alice@example.com", "password": "wrong"})
    client.post(url, {"username": "alice@example.com", "password": DEFAULT_PASSWORD})
    client.logout()

    client.post(url, {"username": "alice@example.com", "password": "wrong"})
    response = client.post(url, {"username": "alice@example.com", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302


def test_logout_is_post_only(client, alice):
    client.force_login(alice)

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert logged_in_user_id(client) is None


def test_forms_refuse_posts_without_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"), {"username": "alice@example.com", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 403


# --- password change --------------------------------------------------------------------------


def test_password_change_keeps_this_session_and_replaces_the_token(client, alice):
    old_token = Token.objects.create(user=alice)
    client.force_login(alice)
    other_browser = Client()
    other_browser.force_login(alice)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert other_browser.get(reverse("accounts:profile")).status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not Token.objects.filter(key=old_token.key).exists()
    assert Token.objects.filter(user=alice).exists()
    assert client.get(reverse("accounts:password_change_done")).status_code == 200


@pytest.mark.parametrize(
    "data,field",
    [
        ({"old_password": "wrong"}, "old_password"),
        ({"new_password1": "123", "new_password2": "123"}, "new_password1"),
        ({"new_password2": "different-but-long-enough"}, "new_password2"),
    ],
    ids=["wrong-old", "weak-new", "mismatch"],
)
def test_password_change_shows_errors_next_to_the_field(client, alice, data, field):
    client.force_login(alice)
    fields = {
        "old_password": DEFAULT_PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
        **data,
    }

    response = client.post(reverse("accounts:password_change"), fields)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    alice.refresh_from_db()
    assert alice.check_password(DEFAULT_PASSWORD)


def test_password_change_needs_a_signed_in_user(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- password reset ---------------------------------------------------------------------------


def test_password_reset_end_to_end(client, alice):
    Token.objects.create(user=alice)

    response = client.post(reverse("accounts:password_reset"), {"email": "Alice@Example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert client.get(response["Location"]).status_code == 200

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["alice@example.com"]
    assert "videogen" in email.subject
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", email.body).group(1)

    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.get(form_url)
    assert response.context["validlink"] is True

    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert client.get(response["Location"]).status_code == 200
    assert not Token.objects.filter(user=alice).exists()

    login = client.post(
        reverse("accounts:login"), {"username": "alice@example.com", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302
    assert str(logged_in_user_id(client)) == str(alice.pk)

    reused = Client().get(link, follow=True)
    assert reused.context["validlink"] is False


def test_password_reset_rejects_a_weak_password_next_to_the_field(client, alice):
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]

    response = client.post(form_url, {"new_password1": "alice", "new_password2": "alice"})

    assert response.context["form"].errors["new_password1"]
    alice.refresh_from_db()
    assert alice.check_password(DEFAULT_PASSWORD)


def test_password_reset_for_an_unknown_email_looks_the_same_but_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_requests_are_throttled(client, alice, throttle_rates):
    throttle_rates(login="2/min")
    for _ in range(2):
        client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})

    response = client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})

    assert response.status_code == 429
    assert len(mail.outbox) == 2


def test_password_reset_with_a_forged_link_is_refused(client, alice):
    response = client.get(reverse("accounts:password_reset_confirm", args=["MQ", "forged-token"]))
    assert response.status_code == 200
    assert response.context["validlink"] is False


# --- profile ----------------------------------------------------------------------------------


def test_profile_needs_a_signed_in_user(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_profile_shows_email_token_and_forms(client, alice):
    token = Token.objects.create(user=alice)
    client.force_login(alice)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert "alice@example.com" in page
    assert token.key in page
    assert reverse("accounts:token_regenerate") in page
    assert 'enctype="multipart/form-data"' in page
    assert "js/profile.js" in page


def test_profile_edit_changes_the_display_name(client, alice):
    client.force_login(alice)

    response = client.post(reverse("accounts:profile"), {"display_name": "Alice L."})

    assert response["Location"] == reverse("accounts:profile")
    alice.refresh_from_db()
    assert alice.display_name == "Alice L."


def test_profile_edit_shows_errors_next_to_the_field(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:profile"), {"display_name": "x" * 81})
    assert response.context["profile_form"].errors["display_name"]
    alice.refresh_from_db()
    assert alice.display_name == "Alice"


def test_stranger_cannot_change_another_users_profile(client, alice, bob):
    client.force_login(bob)

    client.post(
        reverse("accounts:profile"),
        {"display_name": "Hacked", "id": alice.pk, "email": "alice@example.com"},
    )

    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.display_name == "Alice"
    assert bob.display_name == "Hacked"


def test_regenerate_button_replaces_the_token(client, alice):
    old = Token.objects.create(user=alice)
    client.force_login(alice)

    response = client.post(reverse("accounts:token_regenerate"))

    assert response["Location"] == reverse("accounts:profile")
    new = Token.objects.get(user=alice)
    assert new.key != old.key
    assert new.key in client.get(reverse("accounts:profile")).content.decode()


def test_regenerate_is_post_only(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:token_regenerate")).status_code == 405


# --- layout -----------------------------------------------------------------------------------


def test_layout_for_visitors_offers_login_and_signup(client):
    page = client.get(HOME).content.decode()

    assert reverse("accounts:login") in page
    assert reverse("accounts:signup") in page
    assert 'href="/studio/"' not in page
    assert "css/app.css" in page
    assert 'name="viewport"' in page


def test_layout_for_members_shows_the_app_links_and_their_name(client, alice):
    client.force_login(alice)

    page = client.get(HOME).content.decode()

    for path in ["/studio/", "/jobs/", "/gallery/", "/explore/"]:
        assert f'href="{path}"' in page
    assert reverse("accounts:profile") in page
    assert "Alice" in page
    assert f'action="{reverse("accounts:logout")}"' in page
    assert reverse("admin:index") not in page


def test_layout_shows_the_avatar_and_the_admin_link_to_staff(client, charlie):
    services.avatar_set(user=charlie, image_file=upload(image_bytes()))
    client.force_login(charlie)

    page = client.get(HOME).content.decode()

    assert reverse("admin:index") in page
    assert charlie.avatar_small_url.replace("&", "&amp;") in page


def test_messages_are_shown_on_the_next_page(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:profile"), {"display_name": "A"}, follow=True)
    assert "Your profile was saved." in response.content.decode()
