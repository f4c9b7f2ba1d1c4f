"""Hostile names: job and video titles, upload file names and artifact paths never reach the
file system as paths, and what is sent back (Content-Disposition, pages) stays harmless."""

import os
import re
from urllib.parse import unquote

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from gallery.models import Video
from pipeline.engine.runner import job_workdir
from pipeline.models import Upload
from tests.accounts.imagefiles import image_bytes, upload
from tests.factories import VideoFactory
from tests.security.conftest import artifacts_store, body_of, client_for

pytestmark = pytest.mark.django_db

HOSTILE_TITLES = {
    "dotdot": "../../../../etc/passwd",
    "backslashes": "..\\..\\windows\\win.ini",
    "absolute": "/etc/shadow",
    "home": "~/.ssh/id_rsa",
    "header": 'evil"; filename="x.html\r\nSet-Cookie: a=b',
    "markup": "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "unicode": "Ünïcødé 视频 \u202egnp.exe \U0001f3ac",
    "dots": "...",
    "long": "L" * 200,
}
STORED_NAME = re.compile(r"^(videos|uploads|avatars)/\d+/[0-9a-f]{32}\.(mp4|jpg|png|webp|vtt|srt)$")


def _files_under(folder) -> set[str]:
    return {
        os.path.relpath(os.path.join(root, name), folder)
        for root, _, names in os.walk(folder)
        for name in names
    }


def _disposition_name(header: str) -> str:
    match = re.fullmatch(r"attachment; filename\*=UTF-8''([^\s;\"]+)", header)
    assert match, header
    return unquote(match.group(1))


# --- titles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", HOSTILE_TITLES)
def test_hostile_job_title_is_stored_as_text_and_touches_no_file(world, kind, tmp_path):
    before = _files_under(tmp_path)
    title = HOSTILE_TITLES[kind]
    response = client_for(world, "owner").post(
        reverse("api-jobs"),
        {"kind": "demo", "prompt": title, "title": title, "options": {}},
        format="json",
    )
    assert response.status_code == 202, response.content
    assert response.json()["title"] == title
    assert _files_under(tmp_path) == before


@pytest.mark.parametrize(
    ("title", "field"),
    [("nul \x00 byte", "title"), ("T" * 201, "title")],
    ids=["nul", "too-long"],
)
def test_unusable_job_titles_are_refused_naming_the_field(world, title, field):
    response = client_for(world, "owner").post(
        reverse("api-jobs"), {"kind": "demo", "prompt": "Hi.", "title": title}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("kind", HOSTILE_TITLES)
def test_hostile_video_title_never_names_a_file_and_downloads_under_a_safe_name(world, kind):
    title = HOSTILE_TITLES[kind]
    client = client_for(world, "owner")
    video = VideoFactory(owner=world.alice, title=title, with_captions=True)
    renamed = client.patch(
        reverse("api-video", args=[world.video.pk]), {"title": title}, format="json"
    )
    assert renamed.status_code in (200, 400), renamed.content

    for v in (video, Video.objects.get(pk=world.video.pk)):
        for stored in (v.file, v.captions_vtt, v.captions_srt):
            if stored:
                assert STORED_NAME.match(stored.name), stored.name
        for route in ("api-video-download", "api-video-captions-srt"):
            response = client.get(reverse(route, args=[v.pk]))
            body_of(response)
            name = _disposition_name(response["Content-Disposition"])
            assert not set(name) & set('/\\"\r\n\x00'), name
            assert ".." not in name and not name.startswith((".", "~")), name
        response = client.get(reverse("api-job-video", args=[world.job.pk]) + "?download=1")
        body_of(response)
        assert _disposition_name(response["Content-Disposition"])


@pytest.mark.parametrize("route", ["gallery:video", "gallery:list", "studio:job"])
def test_markup_in_titles_is_escaped_on_pages(world, route):
    title = HOSTILE_TITLES["markup"]
    world.job.title = title
    world.job.save(update_fields=["title"])
    world.video.title = title
    world.video.save(update_fields=["title"])
    args = {"gallery:video": [world.video.pk], "studio:job": [world.job.pk]}.get(route, [])

    response = client_for(world, "owner").get(reverse(route, args=args))

    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content
    assert b"<img src=x" not in response.content


# --- upload file names ------------------------------------------------------------------------

HOSTILE_NAMES = [
    "../../etc/passwd",
    "..\\..\\x.png",
    "/abs.png",
    "....//....//y.png",
    "%2e%2e%2fz.png",
    "nul\x00.png",
    "n" * 500 + ".png",
    "ünï 视频.png",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
@pytest.mark.parametrize("endpoint", ["uploads", "avatar-api", "avatar-page"])
def test_upload_names_never_become_stored_names(world, tmp_path, name, endpoint):
    client = client_for(world, "owner")
    before = _files_under(tmp_path)
    file = upload(image_bytes("PNG"), name)
    if endpoint == "uploads":
        response = client.post(reverse("api-uploads"), {"image": file}, format="multipart")
        assert response.status_code == 201, response.content
        stored = [Upload.objects.get(pk=response.json()["id"]).file.name]
    elif endpoint == "avatar-api":
        response = client.put(reverse("auth-avatar"), {"image": file}, format="multipart")
        assert response.status_code == 200, response.content
        world.alice.refresh_from_db()
        stored = [world.alice.avatar.name, world.alice.avatar_small.name]
    else:
        response = client.post(reverse("accounts:avatar_upload"), {"image": file})
        assert response.status_code == 302
        world.alice.refresh_from_db()
        stored = [world.alice.avatar.name, world.alice.avatar_small.name]

    for stored_name in stored:
        assert STORED_NAME.match(stored_name), stored_name
    new_files = _files_under(tmp_path) - before
    assert all(f.startswith("media" + os.sep) for f in new_files), new_files
    assert not any(part in f for f in new_files for part in ("passwd", "abs", "..", "\\"))


# --- the artifacts route ----------------------------------------------------------------------


@pytest.fixture
def outside(world, tmp_path):
    """bob's work folder and a file outside every work folder, both with bob's secret."""
    bob_dir = job_workdir(world.bob_job.id)
    (bob_dir / "plan").mkdir(parents=True)
    (bob_dir / "plan" / "plan.json").write_text('{"title": "BOBSECRET"}')
    secret = tmp_path / "outside.txt"
    secret.write_text("BOBSECRET outside")
    return secret


def _artifact(world, client, tail):
    return client.get(f"/api/v1/jobs/{world.job.id}/artifacts/{tail}")


TRAVERSALS = [
    "../{bob}/plan/plan.json",
    "..%2f{bob}%2fplan%2fplan.json",
    "%2e%2e/{bob}/plan/plan.json",
    "%2e%2e%2f%2e%2e%2foutside.txt",
    "plan/../../{bob}/plan/plan.json",
    "..\\{bob}\\plan\\plan.json",
    "/{outside}",
    "{outside}",
    "plan/plan.json%00.png",
    "a%00b",
    "x" * 5000,
    "a/" * 3000 + "b",
    "logs/worker.log",
    "plan/../logs/worker.log",
    "link-to-outside",
    "link-to-bob/plan/plan.json",
    "link-to-logs/worker.log",
]


@pytest.mark.parametrize("tail", TRAVERSALS, ids=range(len(TRAVERSALS)))
@pytest.mark.parametrize("principal", ["owner", "staff"])
def test_artifact_paths_never_leave_the_jobs_work_folder(world, outside, tail, principal):
    workdir = job_workdir(world.job.id)
    os.symlink(outside, workdir / "link-to-outside")
    os.symlink(job_workdir(world.bob_job.id), workdir / "link-to-bob")
    os.symlink(workdir / "logs", workdir / "link-to-logs")
    tail = tail.format(bob=world.bob_job.id, outside=str(outside).lstrip("/"))

    response = _artifact(world, client_for(world, principal), tail)

    assert response.status_code == 404
    assert b"BOBSECRET" not in body_of(response)


def test_artifacts_leave_out_links_and_private_files(world, outside):
    workdir = job_workdir(world.job.id)
    os.symlink(outside, workdir / "plan" / "outside.txt")
    os.symlink(workdir / "plan" / "plan.json", workdir / "plan" / "inside-link.json")
    (workdir / "plan" / ".partial.mp4").write_text("being written")
    artifacts_store(world.job)

    response = client_for(world, "owner").get(reverse("api-job-artifacts", args=[world.job.id]))

    paths = [f["path"] for f in response.json()["files"]]
    assert paths == ["plan/plan.json"]
    stored = default_storage.listdir(f"jobs/{world.job.id}")
    assert stored == (["plan"], []), "logs and links were never copied to storage"


@pytest.mark.parametrize(
    ("name", "content_type", "inline"),
    [
        ("page.html", "application/octet-stream", False),
        ("drawing.svg", "application/octet-stream", False),
        ("feed.xml", "application/octet-stream", False),
        ("code.js", "application/octet-stream", False),
        ("scene.py", "text/plain; charset=utf-8", True),
        ("plan.json", "application/json", True),
        ("card.png", "image/png", True),
    ],
)
def test_artifacts_a_browser_could_run_are_downloads_in_a_sandbox(
    world, name, content_type, inline
):
    path = job_workdir(world.job.id) / "plan" / name
    path.write_text("<script>alert(document.cookie)</script>")
    artifacts_store(world.job)

    response = _artifact(world, client_for(world, "staff"), f"plan/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline" if inline else "attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    body_of(response)
