"""The README's scale-out walkthrough, run as written: two web processes and two worker
clusters against PostgreSQL, Redis and a local S3 server (moto). A job created on one web
process streams its progress to a client of the other, and its video comes from the bucket."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import boto3
import httpx
import pytest
from websockets.sync.client import connect as ws_connect

from gallery.media import probe
from tests.live.stack import ROOT, LiveDatabase, free_port, wait_for

pytestmark = [pytest.mark.live, pytest.mark.timeout(180)]

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
# The variables the walkthrough reads at its top; nothing else of the script is changed.
WALKTHROUGH_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "VIDEOGEN_INSTANCE",
    "S3_PORT",
    "S3_ENDPOINT_URL",
    "S3_BUCKET",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "VIDEOGEN_DATA_DIR",
    "WEB_A_PORT",
    "WEB_B_PORT",
)


def reachable(address) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def walkthrough_script() -> str:
    """The one bash block of the README's "Scaling out" section."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Scaling out\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```bash\n(.*?)^```$", section, flags=re.S | re.M)
    assert len(blocks) == 1, f"the section should have one bash block, it has {len(blocks)}"
    script = blocks[0]
    for name in WALKTHROUGH_VARIABLES:
        assert re.search(rf"^(export )?{name}=", script, flags=re.M), f"{name} is not at the top"
    return script


class Walkthrough:
    def __init__(self, tmp: Path, database_url: str):
        self.tmp = tmp
        self.ports = {"S3_PORT": free_port(), "WEB_A_PORT": free_port(), "WEB_B_PORT": free_port()}
        self.instance = f"vgscale{uuid.uuid4().hex[:8]}"
        self.bucket = f"videogen-{uuid.uuid4().hex[:8]}"
        self.s3_url = f"http://127.0.0.1:{self.ports['S3_PORT']}"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("S3_", "DJANGO_", "Q_CLUSTER", "CHANNEL_LAYER", "JOB_"))
        }
        env.update(
            {
                **{name: str(port) for name, port in self.ports.items()},
                "DATABASE_URL": database_url,
                "REDIS_URL": "redis://127.0.0.1:6379/0",
                "VIDEOGEN_INSTANCE": self.instance,
                "S3_ENDPOINT_URL": self.s3_url,
                "S3_BUCKET": self.bucket,
                "S3_REGION": "us-east-1",
                "S3_ACCESS_KEY_ID": "walkthrough",
                "S3_SECRET_ACCESS_KEY": "walkthrough-secret",
                "VIDEOGEN_DATA_DIR": str(tmp / "data"),
                # What this test needs of the studio, not of the walkthrough.
                "VIDEOGEN_DEMO_KIND": "true",
                "SECRET_KEY": "walkthrough-secret-key",
                "THROTTLE_REGISTER": "1000/hour",
                "PYTHONUNBUFFERED": "1",
            }
        )
        self.env = env
        self.script = tmp / "scale-out.sh"
        self.script.write_text(walkthrough_script())
        self.log = tmp / "scale-out.log"
        self.proc = None

    def web(self, which: str) -> str:
        return f"127.0.0.1:{self.ports[f'WEB_{which}_PORT']}"

    def start(self):
        self.proc = subprocess.Popen(
            ["bash", str(self.script)],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def health(self, which: str):
        if self.proc.poll() is not None:
            raise AssertionError(f"the walkthrough stopped early:\n{self.output()}")
        try:
            response = httpx.get(f"http://{self.web(which)}/api/v1/health", timeout=3)
        except httpx.HTTPError:
            return None
        return response.json() if response.status_code < 500 else None

    def stop(self) -> bool:
        """SIGTERM to the script, as Ctrl-C would; True when its trap stopped every process
        (the group is then empty), False when they had to be killed."""
        if self.proc is None:
            return True
        pgid = self.proc.pid
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
            wait_for(lambda: not _group_alive(pgid), 10, "the walkthrough's processes to stop")
            return True
        except (subprocess.TimeoutExpired, AssertionError):
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait()
            return False

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


@pytest.fixture
def walkthrough(tmp_path):
    if not reachable(POSTGRES):
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432 (the README walkthrough uses it)")
    if not reachable(REDIS):
        pytest.skip("needs Redis on 127.0.0.1:6379 (the README walkthrough uses it)")
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        server = "postgres://postgres@127.0.0.1:5432/postgres"
    database = LiveDatabase(tmp_path, server_url=server)
    run = Walkthrough(tmp_path, database.url)
    try:
        yield run
    finally:
        stopped_cleanly = run.stop()
        database.drop()
        _forget_redis_keys(run.instance)
    assert stopped_cleanly, f"the script's trap left processes behind:\n{run.output()}"


def _forget_redis_keys(prefix: str):
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)


def test_readme_walkthrough_two_webs_two_workers_postgres_redis_s3(walkthrough, tmp_path):
    walkthrough.start()
    # Both worker clusters register in Redis; either web process sees both.
    health = wait_for(
        lambda: (
            (h := walkthrough.health("B")) and h["checks"]["workers"].get("clusters") == 2 and h
        ),
        90,
        "two worker clusters in the health report of web B",
        interval=0.3,
    )
    assert health["checks"]["database"]["vendor"] == "postgresql", health
    assert walkthrough.health("A")["checks"]["workers"]["clusters"] == 2

    a, b = walkthrough.web("A"), walkthrough.web("B")
    response = httpx.post(
        f"http://{a}/api/v1/auth/register",
        json={
            "email": "scale@example.com",
            "password": "a-long-passphrase-42",
            "display_name": "S",
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    auth = {"Authorization": f"Token {response.json()['token']}"}

    # Subscribed to all of the person's jobs on web B before the job exists on web A, so
    # every event arrives live, through Redis, from whichever worker runs it.
    with ws_connect(f"ws://{b}/ws/jobs/", additional_headers=auth, open_timeout=10) as feed:
        assert json.loads(feed.recv(timeout=10))["type"] == "connected"
        assert json.loads(feed.recv(timeout=10))["type"] == "snapshot"
        created = httpx.post(
            f"http://{a}/api/v1/jobs",
            json={
                "kind": "demo",
                "prompt": "Across two web servers. Second card.",
                "options": {"cards": 2, "seconds": 0.5},
            },
            headers=auth,
            timeout=10,
        )
        assert created.status_code == 202, created.text
        job_id = created.json()["id"]
        with ws_connect(
            f"ws://{b}/ws/jobs/{job_id}/", additional_headers=auth, open_timeout=10
        ) as one:
            followed = _messages_until_complete(one, job_id)
        live = _messages_until_complete(feed, job_id)

    for messages in (followed[2:], live):
        seqs = [m["seq"] for m in messages]
        assert seqs == list(range(1, len(seqs) + 1)), "every event once, in order"
        types = [m["type"] for m in messages]
        assert types[-1] == "job_complete"
        assert "stage_complete" in types
        assert any(m["type"] == "progress" and 0 < (m["progress"] or 0) < 100 for m in messages)
    assert followed[:2] and [m["type"] for m in followed[:2]] == ["connected", "snapshot"]

    # The video, downloaded from web B, is the object in the bucket.
    video = httpx.get(f"http://{b}/api/v1/jobs/{job_id}/video", headers=auth, timeout=30)
    assert video.status_code == 200 and video.headers["Content-Type"] == "video/mp4"
    s3 = boto3.client(
        "s3",
        endpoint_url=walkthrough.s3_url,
        region_name="us-east-1",
        aws_access_key_id="walkthrough",
        aws_secret_access_key="walkthrough-secret",
    )
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=walkthrough.bucket).get("Contents", ())]
    # The gallery's video, and the stages' artifacts (the encoded clip among them).
    assert f"jobs/{job_id}/clip.mp4" in keys and f"jobs/{job_id}/plan.json" in keys
    mp4 = [k for k in keys if k.startswith("videos/") and k.endswith(".mp4")]
    assert len(mp4) == 1, keys
    assert video.content == s3.get_object(Bucket=walkthrough.bucket, Key=mp4[0])["Body"].read()
    path = tmp_path / "download.mp4"
    path.write_bytes(video.content)
    info = probe(path)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert info.duration > 0.5
    media = tmp_path / "data" / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))

    # Both clusters still there at the end.
    assert walkthrough.health("A")["checks"]["workers"]["clusters"] == 2


def _messages_until_complete(ws, job_id, timeout: float = 60) -> list[dict]:
    messages = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if message.get("job") not in (None, job_id) and "seq" in message:
            continue
        messages.append(message)
        if message.get("type") == "job_complete":
            return messages
    raise AssertionError(f"no job_complete within {timeout} s; got {messages[-3:]}")
