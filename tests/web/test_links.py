"""id_link gives what reverse() gives, whatever the script prefix in force."""

import uuid

from django.urls import get_script_prefix, reverse, set_script_prefix

from accounts.links import id_link


def test_id_link_is_reverse_with_the_id_put_in():
    pk = uuid.uuid4()
    for name in ("api-video-stream", "gallery:video", "api-job-events"):
        assert id_link(name, pk) == reverse(name, args=[pk])


def test_id_link_follows_the_script_prefix():
    pk, before = uuid.uuid4(), get_script_prefix()
    plain = id_link("api-video-stream", pk)
    set_script_prefix("/studio/")
    try:
        assert id_link("api-video-stream", pk) == reverse("api-video-stream", args=[pk])
        assert id_link("api-video-stream", pk) == "/studio" + plain
    finally:
        set_script_prefix(before)
