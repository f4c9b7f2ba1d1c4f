"""An S3-compatible server for the storage tests: moto's server mode, on 127.0.0.1."""

import re
import subprocess
import sys
import uuid

import boto3
import httpx
import pytest

from tests.live.stack import free_port, wait_for

REGION = "us-east-1"
KEY = "videogen-test"
# Werkzeug's access log line: "GET /bucket/key?query HTTP/1.1" 206 -
_REQUEST = re.compile(r'"(\w+) (\S+) HTTP/[\d.]+" (\d{3})')
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


class S3Server:
    """A moto server process and what it was asked (from its access log)."""

    def __init__(self, tmp):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "moto.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for(self._answers, 30, "the moto S3 server")
        self.client = boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=KEY,
            aws_secret_access_key=KEY,
        )

    def _answers(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"moto exited: {self.log.read_text()[-2000:]}")
        try:
            return httpx.get(self.url, timeout=1).status_code < 500
        except httpx.HTTPError:
            return False

    def log_mark(self) -> int:
        return self.log.stat().st_size

    def requests_since(self, mark: int) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request the server answered since `mark`."""
        with self.log.open("rb") as fh:
            fh.seek(mark)
            text = _COLOUR.sub("", fh.read().decode(errors="replace"))
        return [(m, path, int(code)) for m, path, code in _REQUEST.findall(text)]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    server = S3Server(tmp_path_factory.mktemp("s3"))
    yield server
    server.stop()


def s3_storages(server: S3Server, bucket: str) -> dict:
    """STORAGES as videogen/settings.py builds it from the S3_* variables."""
    return {
        "default": {
            "BACKEND": "videogen.storage.MediaS3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": server.url,
                "region_name": REGION,
                "access_key": KEY,
                "secret_key": KEY,
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


class Bucket:
    """One bucket of the server, as a test sees it."""

    def __init__(self, server: S3Server, name: str):
        self.server = server
        self.name = name

    def keys(self) -> list[str]:
        listed = self.server.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", ()))

    def body(self, key: str) -> bytes:
        return self.server.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def remove(self, key: str) -> None:
        self.server.client.delete_object(Bucket=self.name, Key=key)

    def reads_of(self, key: str, mark: int) -> list[int]:
        """The statuses of the GETs of `key` since `mark` (206: a ranged read)."""
        path = f"/{self.name}/{key}"

        def reads():
            return [
                status
                for method, target, status in self.server.requests_since(mark)
                if method == "GET" and target.split("?")[0] == path
            ]

        # The server writes its log line just after the response.
        wait_for(reads, 5, f"a GET of {key}")
        return reads()


@pytest.fixture
def s3(settings, s3_server):
    """Media storage on a fresh bucket of the moto server, for one test."""
    from django.core.files.storage import default_storage

    name = f"videogen-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = s3_storages(s3_server, name)
    assert default_storage.ensure_bucket() is True
    return Bucket(s3_server, name)


def local_media_files(settings) -> list:
    """Files written under MEDIA_ROOT: none may be, with S3 storage."""
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
