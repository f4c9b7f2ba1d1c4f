"""A small world for the security tests: alice owns private things marked with a secret, bob
and charlie (staff, a moderator) own a little of their own, and five principals knock on
every door."""

import json
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services as accounts_services
from pipeline.engine.artifacts import stage_artifacts_store
from pipeline.engine.events import event_publish
from pipeline.engine.runner import job_workdir
from pipeline.library.services import media_create
from pipeline.models import Job, PlanRevision
from pipeline.services import upload_create
from tests.accounts.imagefiles import image_bytes, upload
from tests.factories import DEFAULT_PASSWORD, VideoFactory

# Everything of alice's that is private carries this marker (titles, prompt, events, files),
# so "does another principal's answer leak it?" is a plain substring search.
SECRET = "qz7SECRETalice"
NEW_PASSWORD = "a-much-newer-passphrase-42"
PRINCIPALS = ["owner", "other", "staff", "anonymous", "revoked"]


@dataclass
class World:
    alice: object
    bob: object
    charlie: object
    job: object
    video: object
    upload: object
    bob_job: object
    bob_video: object
    tokens: dict
    stale_cookies: dict = field(default_factory=dict)
    media: object = None

    def markers(self) -> list[str]:
        """Strings that only the owner (and, on detail routes, staff) may ever see."""
        return [
            SECRET, str(self.job.id), str(self.video.id), str(self.upload.id), str(self.media.id)
        ]  # fmt: skip


WORLD_PLAN = {"title": f"{SECRET} plan", "summary": "", "scenes": [{"narration": "One scene."}]}


def _job(owner, title, prompt):
    # A row is enough here (job_create's checks and queueing are tested elsewhere).
    return Job.objects.create(owner=owner, kind="demo", title=title, prompt=prompt)


@pytest.fixture
def world(db, alice, bob, charlie):
    charlie.groups.add(Group.objects.get(name="Moderators"))
    # A session of alice's opened before she changed her password, and her token from then.
    stale = APIClient()
    stale.force_login(alice)
    old_token = accounts_services.token_issue(user=alice).key
    accounts_services.user_change_password(
        user=alice, old_password=DEFAULT_PASSWORD, new_password=NEW_PASSWORD
    )
    alice.refresh_from_db()
    accounts_services.avatar_set(user=alice, image_file=upload(image_bytes("PNG"), "me.png"))

    job = _job(alice, f"{SECRET} job title", f"{SECRET} prompt text. A second card.")
    video = VideoFactory(
        owner=alice,
        title=f"{SECRET} video title",
        with_captions=True,
        with_poster=True,
        job_id=job.id,
    )
    job.status = "succeeded"
    job.result = video
    job.manifest = {
        "stages": {
            "plan": {"outputs": {"script": {"title": f"{SECRET} script"}}, "seconds": 0.1},
        }
    }
    job.plan_revision = 1
    job.save(update_fields=["status", "result", "manifest", "plan_revision"])
    PlanRevision.objects.create(job=job, number=1, plan=WORLD_PLAN)
    event_publish(job_id=job.id, type="status", message=f"{SECRET} event message")
    workdir = job_workdir(job.id)
    (workdir / "plan").mkdir(parents=True)
    (workdir / "plan" / "plan.json").write_text(json.dumps({"title": f"{SECRET} artifact"}))
    (workdir / "logs").mkdir()
    (workdir / "logs" / "worker.log").write_text(f"{SECRET} worker log")
    artifacts_store(job)
    reference = upload_create(owner=alice, file=upload(image_bytes("PNG"), "ref.png"))
    media = media_create(
        owner=alice, file=upload(image_bytes("PNG"), f"{SECRET}.png"), tags=[SECRET.lower()]
    )

    bob_job = _job(bob, "Bob's own job", "Bob's prompt.")
    bob_video = VideoFactory(owner=bob, title="Bob's own clip", visibility="private")
    return World(
        alice=alice,
        bob=bob,
        charlie=charlie,
        job=job,
        video=video,
        upload=reference,
        bob_job=bob_job,
        bob_video=bob_video,
        tokens={
            "owner": Token.objects.get(user=alice).key,
            "other": accounts_services.token_issue(user=bob).key,
            "staff": accounts_services.token_issue(user=charlie).key,
            "revoked": old_token,
        },
        stale_cookies=stale.cookies,
        media=media,
    )


def artifacts_store(job) -> None:
    """Stores the job's work files as the runner does when a stage ends (as the plan's)."""
    files = stage_artifacts_store(job_id=job.id, workdir=job_workdir(job.id), before={})
    job.refresh_from_db()
    job.manifest["stages"]["plan"]["files"] = files
    job.save(update_fields=["manifest"])


def client_for(world: World, principal: str, **kwargs) -> APIClient:
    """A client that speaks as `principal` to pages (session) and to the API (token).

    `revoked` carries alice's token from before her password change and the session cookie
    of a browser she signed in with before it: both must be worth nothing."""
    # From a remote address, as an attacker would be: some routes trust the loopback.
    client = APIClient(REMOTE_ADDR="203.0.113.7", **kwargs)
    user = {"owner": world.alice, "other": world.bob, "staff": world.charlie}.get(principal)
    if user is not None:
        client.force_login(user)
    if principal == "revoked":
        client.cookies = world.stale_cookies
    if principal in world.tokens:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[principal]}")
    return client


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
