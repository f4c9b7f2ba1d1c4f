"""Hostile uploads on every upload route (reference images, the avatar API and the profile
page): anything that is not a plain JPEG, PNG or WebP picture within the limits is refused
with a 4xx naming the field and leaves nothing behind; what is accepted is re-encoded, so
bytes smuggled after the picture are gone from the stored file."""

import io
import os
import zipfile

import pytest
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from pipeline.models import Upload
from tests.accounts.imagefiles import image_bytes, noise_png, png_claiming, upload

pytestmark = pytest.mark.django_db

SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)


def _zip(name="payload.class", data=b"\xca\xfe\xba\xbe" + b"x" * 64) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        archive.writestr(name, data)
    return buffer.getvalue()


def _real_bomb(side=12_000) -> bytes:
    """A real, complete greyscale PNG of side×side black pixels: ~140 KB on disk, 144 MB
    once decoded (compressed row by row, so making it costs no memory either)."""
    import struct
    import zlib

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    packer = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def _truncated_png() -> bytes:
    data = noise_png((64, 64))
    return data[: len(data) // 2]


# name -> (bytes, file name, declared content type, what the refusal says)
REFUSED = {
    "text-as-png": (b"hello, I am only text", "x.png", "image/png", "JPEG, PNG or WebP"),
    "html-as-jpeg": (SCRIPT, "x.jpg", "image/jpeg", "JPEG, PNG or WebP"),
    "svg-with-script": (SVG, "x.svg", "image/svg+xml", "JPEG, PNG or WebP"),
    "svg-named-png": (SVG, "x.png", "image/png", "JPEG, PNG or WebP"),
    "gifar": (image_bytes("GIF") + _zip(), "x.png", "image/png", "JPEG, PNG or WebP"),
    "zip-named-png": (_zip(), "x.png", "image/png", "JPEG, PNG or WebP"),
    "empty": (b"", "x.png", "image/png", "empty"),
    "truncated": (_truncated_png(), "x.png", "image/png", "damaged"),
    "bomb-header": (png_claiming(100_000, 100_000), "x.png", "image/png", "pixels"),
    "bomb-wide": (png_claiming(2_000_000, 30), "x.png", "image/png", "pixels"),
    "bomb-real": (_real_bomb(), "x.png", "image/png", "pixels"),
}
# Pictures with something appended after the image data: valid, so accepted, but only the
# pixels may survive.
PAYLOAD = b"POLYGLOT-PAYLOAD"
POLYGLOTS = {
    "png+html": image_bytes("PNG") + SCRIPT + PAYLOAD,
    "png+zip": image_bytes("PNG") + _zip(data=PAYLOAD * 4),
    "jpeg+zip": image_bytes("JPEG") + _zip(data=PAYLOAD * 4),
    "webp+html": image_bytes("WEBP") + SCRIPT + PAYLOAD,
}
ENDPOINTS = ["uploads", "avatar-api", "avatar-page"]


@pytest.fixture
def send(alice, api_for, client):
    client.force_login(alice)
    api = api_for(alice)

    def post(endpoint, file):
        if endpoint == "uploads":
            return api.post(reverse("api-uploads"), {"image": file}, format="multipart")
        if endpoint == "avatar-api":
            return api.put(reverse("auth-avatar"), {"image": file}, format="multipart")
        return client.post(reverse("accounts:avatar_upload"), {"image": file})

    return post


def _stored(settings) -> dict[str, bytes]:
    root = settings.MEDIA_ROOT
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as fh:
                files[os.path.relpath(path, root)] = fh.read()
    return files


def _refusal_text(endpoint, response) -> str:
    if endpoint == "avatar-page":
        return " ".join(response.context["avatar_form"].errors["image"])
    return " ".join(response.json()["image"])


# Pillow warns about the real bomb's size while reading its header; the refusal follows.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("case", REFUSED)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_hostile_file_is_refused_with_4xx_and_nothing_is_stored(
    send, alice, settings, endpoint, case
):
    data, name, content_type, reason = REFUSED[case]
    before = _stored(settings)

    response = send(endpoint, upload(data, name, content_type))

    assert response.status_code == 400, response.content[:300]
    assert reason in _refusal_text(endpoint, response)
    assert _stored(settings) == before
    assert not Upload.objects.exists()
    alice.refresh_from_db()
    assert not alice.avatar and not alice.avatar_small


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_file_over_the_size_limit_is_refused_and_nothing_is_stored(send, settings, endpoint):
    settings.UPLOAD_MAX_BYTES = settings.AVATAR_MAX_BYTES = 20_000
    before = _stored(settings)

    response = send(endpoint, upload(noise_png((200, 200))))

    assert response.status_code == 400
    assert "limit" in _refusal_text(endpoint, response)
    assert _stored(settings) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_real_picture_over_the_pixel_limit_is_refused(send, settings, endpoint):
    settings.IMAGE_MAX_PIXELS = 10_000
    response = send(endpoint, upload(image_bytes("PNG", size=(200, 200))))
    assert response.status_code == 400
    assert "pixels" in _refusal_text(endpoint, response)


@pytest.mark.parametrize("case", POLYGLOTS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_polyglot_is_stored_re_encoded_without_its_payload(send, settings, endpoint, case):
    before = _stored(settings)

    response = send(endpoint, upload(POLYGLOTS[case], "x.png"))

    assert response.status_code in (200, 201, 302), response.content[:300]
    new = {k: v for k, v in _stored(settings).items() if k not in before}
    assert new, "nothing was stored"
    for name, data in new.items():
        assert PAYLOAD not in data and b"<script" not in data and b"PK\x03\x04" not in data, name
        assert data != POLYGLOTS[case]
        with Image.open(io.BytesIO(data)) as stored:
            stored.verify()


def test_uploads_need_a_signed_in_user_and_store_nothing_for_strangers(settings):
    before = _stored(settings)
    response = APIClient().post(
        reverse("api-uploads"), {"image": upload(image_bytes("PNG"))}, format="multipart"
    )
    assert response.status_code == 401
    assert _stored(settings) == before
