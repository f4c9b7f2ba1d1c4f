import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from accounts import services
from tests.accounts.imagefiles import image_bytes, noise_png, png_claiming, upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def stored_image(name):
    with default_storage.open(name, "rb") as handle:
        img = Image.open(io.BytesIO(handle.read()))
        img.load()
    return img


def three_stripes():
    """300×100: red, green and blue thirds, so a centre crop is all green."""
    img = Image.new("RGB", (300, 100), (255, 0, 0))
    img.paste((0, 255, 0), (100, 0, 200, 100))
    img.paste((0, 0, 255), (200, 0, 300, 100))
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


def avatar_names(user):
    user.refresh_from_db()
    return [user.avatar.name, user.avatar_small.name]


# --- the service ------------------------------------------------------------------------------


def test_avatar_is_centre_cropped_and_stored_in_two_png_sizes(alice):
    services.avatar_set(user=alice, image_file=upload(three_stripes()))

    large, small = avatar_names(alice)
    for name, size in [(large, 256), (small, 64)]:
        assert re.fullmatch(rf"avatars/{alice.pk}/[0-9a-f]{{32}}\.png", name)
        img = stored_image(name)
        assert img.format == "PNG"
        assert img.size == (size, size)
        r, g, b = img.convert("RGB").getpixel((2, 2))
        assert g > 200 and r < 40 and b < 40, "the corners come from the centre stripe"
    assert large != small


def test_replacing_the_avatar_deletes_the_old_files_after_commit(
    alice, django_capture_on_commit_callbacks
):
    services.avatar_set(user=alice, image_file=upload(image_bytes("PNG")))
    old = avatar_names(alice)

    with django_capture_on_commit_callbacks() as callbacks:
        services.avatar_set(user=alice, image_file=upload(image_bytes("JPEG")))
        assert all(default_storage.exists(name) for name in old), "kept until the commit"
    for callback in callbacks:
        callback()

    new = avatar_names(alice)
    assert set(new).isdisjoint(old)
    assert not any(default_storage.exists(name) for name in old)
    assert all(default_storage.exists(name) for name in new)


def test_deleting_the_avatar_clears_it_and_removes_the_files(
    alice, django_capture_on_commit_callbacks
):
    services.avatar_set(user=alice, image_file=upload(image_bytes("PNG")))
    old = avatar_names(alice)

    with django_capture_on_commit_callbacks(execute=True):
        services.avatar_delete(user=alice)

    assert avatar_names(alice) == ["", ""]
    assert not any(default_storage.exists(name) for name in old)


def test_deleting_when_there_is_no_avatar_does_nothing(alice):
    services.avatar_delete(user=alice)
    assert avatar_names(alice) == ["", ""]


def test_a_rejected_upload_keeps_the_current_avatar(alice, django_capture_on_commit_callbacks):
    services.avatar_set(user=alice, image_file=upload(image_bytes("PNG")))
    before = avatar_names(alice)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.avatar_set(user=alice, image_file=upload(image_bytes("GIF")))

    assert avatar_names(alice) == before
    assert all(default_storage.exists(name) for name in before)


def test_avatar_size_limit_comes_from_settings(alice, settings):
    settings.AVATAR_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="too large"):
        services.avatar_set(user=alice, image_file=upload(noise_png()))


def test_avatar_pixel_limit_comes_from_settings(alice, settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationError, match="pixels"):
        services.avatar_set(user=alice, image_file=upload(image_bytes("PNG", size=(101, 100))))


def test_decompression_bomb_avatar_is_rejected(alice):
    with pytest.raises(ValidationError, match="pixels"):
        services.avatar_set(user=alice, image_file=upload(png_claiming(30_000, 30_000)))
    assert avatar_names(alice) == ["", ""]


# --- serving ----------------------------------------------------------------------------------


@pytest.fixture
def alice_with_avatar(alice):
    services.avatar_set(user=alice, image_file=upload(image_bytes("PNG")))
    return alice


def avatar_path(user, size):
    return reverse("accounts:avatar", args=[user.pk, size])


@pytest.mark.parametrize("size", [256, 64])
def test_signed_in_people_see_other_users_avatars(client, alice_with_avatar, bob, size):
    client.force_login(bob)

    response = client.get(avatar_path(alice_with_avatar, size))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "private" in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
    img = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert img.size == (size, size)


def test_avatar_url_changes_with_each_upload(alice_with_avatar):
    before = alice_with_avatar.avatar_small_url
    services.avatar_set(user=alice_with_avatar, image_file=upload(image_bytes("WEBP")))
    assert alice_with_avatar.avatar_small_url != before
    assert alice_with_avatar.avatar_small_url.startswith(avatar_path(alice_with_avatar, 64))


def test_avatar_answers_not_modified_to_a_matching_etag(client, alice_with_avatar, bob):
    client.force_login(bob)
    first = client.get(avatar_path(alice_with_avatar, 64))

    again = client.get(avatar_path(alice_with_avatar, 64), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304


def test_anonymous_visitors_get_404_for_avatars(client, alice_with_avatar):
    assert client.get(avatar_path(alice_with_avatar, 256)).status_code == 404


def test_avatar_of_a_user_without_one_is_404(client, alice, bob):
    client.force_login(bob)
    assert client.get(avatar_path(alice, 64)).status_code == 404


def test_avatar_of_an_inactive_user_is_404(client, alice_with_avatar, bob):
    alice_with_avatar.is_active = False
    alice_with_avatar.save()
    client.force_login(bob)
    assert client.get(avatar_path(alice_with_avatar, 64)).status_code == 404


@pytest.mark.parametrize("path", ["/accounts/avatar/{pk}/128/", "/accounts/avatar/999999/64/"])
def test_unknown_avatar_sizes_and_users_are_404(client, alice_with_avatar, bob, path):
    client.force_login(bob)
    assert client.get(path.format(pk=alice_with_avatar.pk)).status_code == 404


def test_avatar_view_accepts_only_get(client, alice_with_avatar):
    client.force_login(alice_with_avatar)
    assert client.post(avatar_path(alice_with_avatar, 64)).status_code == 405


# --- the profile page -------------------------------------------------------------------------


def test_profile_page_upload_sets_the_avatar(client, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:avatar_upload"), {"image": upload(image_bytes("JPEG"), "me.jpg")}
        )

    assert response.status_code == 302
    large, small = avatar_names(alice)
    assert stored_image(large).size == (256, 256)
    assert stored_image(small).size == (64, 64)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert alice.avatar_url.replace("&", "&amp;") in page
    assert "Your picture was updated" in page


def test_profile_page_replace_removes_the_old_files(
    client, alice_with_avatar, django_capture_on_commit_callbacks
):
    old = avatar_names(alice_with_avatar)
    client.force_login(alice_with_avatar)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:avatar_upload"), {"image": upload(image_bytes("WEBP"))})

    assert not any(default_storage.exists(name) for name in old)
    assert all(default_storage.exists(name) for name in avatar_names(alice_with_avatar))


def test_profile_page_remove_deletes_the_avatar(
    client, alice_with_avatar, django_capture_on_commit_callbacks
):
    old = avatar_names(alice_with_avatar)
    client.force_login(alice_with_avatar)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:avatar_remove"))

    assert response.status_code == 302
    assert avatar_names(alice_with_avatar) == ["", ""]
    assert not any(default_storage.exists(name) for name in old)


@pytest.mark.parametrize(
    "data,name,message",
    [
        (image_bytes("GIF"), "anim.gif", "JPEG, PNG or WebP"),
        (b"GIF89a but not really a picture", "cat.png", "JPEG, PNG or WebP"),
        (png_claiming(30_000, 30_000), "bomb.png", "pixels"),
    ],
    ids=["gif", "text-named-png", "bomb"],
)
def test_profile_page_shows_why_an_upload_was_refused(client, alice, data, name, message):
    client.force_login(alice)

    response = client.post(reverse("accounts:avatar_upload"), {"image": upload(data, name)})

    assert response.status_code == 400
    form = response.context["avatar_form"]
    assert message in " ".join(form.errors["image"])
    assert avatar_names(alice) == ["", ""]


def test_profile_page_refuses_an_upload_over_the_size_limit(client, alice, settings):
    settings.AVATAR_MAX_BYTES = 2000
    client.force_login(alice)

    response = client.post(
        reverse("accounts:avatar_upload"),
        {"image": upload(noise_png())},
    )

    assert "too large" in " ".join(response.context["avatar_form"].errors["image"])


def test_profile_page_upload_without_a_file_shows_the_field_error(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:avatar_upload"), {})
    assert response.context["avatar_form"].errors["image"]


def test_avatar_uploads_need_a_signed_in_user(client):
    response = client.post(reverse("accounts:avatar_upload"), {"image": upload(image_bytes())})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_stranger_cannot_remove_another_users_avatar(client, alice_with_avatar, bob):
    before = avatar_names(alice_with_avatar)
    client.force_login(bob)

    client.post(reverse("accounts:avatar_remove"), {"user": alice_with_avatar.pk})

    assert avatar_names(alice_with_avatar) == before


def test_factory_users_have_no_avatar():
    assert not UserFactory().avatar
