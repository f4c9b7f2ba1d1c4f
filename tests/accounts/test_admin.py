import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import User
from tests.accounts.imagefiles import image_bytes, upload

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")


@pytest.fixture
def admin_client(client, charlie):
    client.force_login(charlie)
    return client


def test_user_list_shows_email_name_and_thumbnail(admin_client, alice):
    services.avatar_set(user=alice, image_file=upload(image_bytes()))

    page = admin_client.get(CHANGELIST).content.decode()

    assert "alice@example.com" in page
    assert "Alice" in page
    assert alice.avatar_small_url.replace("&", "&amp;") in page


def test_user_list_searches_email_and_display_name(admin_client, alice, bob):
    by_name = admin_client.get(CHANGELIST, {"q": "Bob"}).content.decode()
    assert "bob@example.com" in by_name and "alice@example.com" not in by_name

    by_email = admin_client.get(CHANGELIST, {"q": "alice@"}).content.decode()
    assert "alice@example.com" in by_email and "bob@example.com" not in by_email


def test_user_change_page_shows_the_avatar(admin_client, alice):
    services.avatar_set(user=alice, image_file=upload(image_bytes()))

    response = admin_client.get(reverse("admin:accounts_user_change", args=[alice.pk]))

    assert response.status_code == 200
    assert alice.avatar_url.replace("&", "&amp;") in response.content.decode()


def test_staff_can_add_a_user_by_email(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Example.com",
            "display_name": "New",
            "usable_password": "true",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert user.check_password("a-long-and-unusual-passphrase")


def test_remove_avatars_action_deletes_the_pictures(
    admin_client, alice, django_capture_on_commit_callbacks
):
    services.avatar_set(user=alice, image_file=upload(image_bytes()))
    names = [alice.avatar.name, alice.avatar_small.name]

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(CHANGELIST, {"action": "remove_avatars", "_selected_action": [alice.pk]})

    alice.refresh_from_db()
    assert not alice.avatar
    assert not any(default_storage.exists(name) for name in names)


def test_revoke_tokens_action_revokes_them(admin_client, alice):
    Token.objects.create(user=alice)

    admin_client.post(CHANGELIST, {"action": "revoke_tokens", "_selected_action": [alice.pk]})

    assert not Token.objects.filter(user=alice).exists()


def test_non_staff_cannot_open_the_user_admin(client, alice):
    client.force_login(alice)
    response = client.get(CHANGELIST)
    assert response.status_code == 302
