"""Drill: the disk of the worker's work folders fills up in the middle of a render.

The small disk is a 160 KB tmpfs, made in one of two ways so that the drill runs wherever the
suite runs: mounted on the test's folder (root with the right to mount), or mounted inside a
user and mount namespace of the worker's own (`unshare`, allowed to other users too), where the
test looks at it through /proc/<worker>/root. tests/pipeline/test_disk_full.py injects the error
where a stage writes, for machines that allow neither.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.drills.support import job, submit, wait_finished

pytestmark = [pytest.mark.live, pytest.mark.timeout(180)]

SIZE_KB = 160  # holds a one-card clip and its files, not a six-card one
TMPFS = ["-t", "tmpfs", "-o", f"size={SIZE_KB}k,mode=0700", "tmpfs"]
# Runs the rest of the command line in a new user and mount namespace, with the tmpfs
# mounted on $1 there (and nowhere else).
IN_NAMESPACE = [
    "unshare", "--user", "--map-root-user", "--mount", "--",
    "sh", "-c", f'mount {" ".join(TMPFS)} "$1" || exit 97; shift; exec "$@"', "sh",
]  # fmt: skip


class SmallDisk:
    def __init__(self, folder: Path, prefix: list[str]):
        self.folder = folder
        self.prefix = prefix  # to put before the worker's command

    def seen_by(self, worker) -> Path:
        """The small disk's folder as the test sees the worker's."""
        if not self.prefix:
            return self.folder
        return Path(f"/proc/{worker.pid}/root") / self.folder.relative_to("/")


def _refused(command: list[str]) -> str:
    """Why the command cannot run here ('' when it can)."""
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        return f"{exc} {detail.decode().strip()}"
    return ""


@pytest.fixture(params=["mounted", "namespace"])
def small_disk(request, tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    if request.param == "mounted":
        if why := _refused(["mount", *TMPFS, str(folder)]):
            pytest.skip(f"cannot mount a small tmpfs here: {why}")
        yield SmallDisk(folder, [])
        subprocess.run(["umount", "-l", str(folder)], check=False, timeout=10)
    else:
        if why := _refused([*IN_NAMESPACE, str(folder), "true"]):
            pytest.skip(f"cannot mount a small tmpfs in a namespace of its own here: {why}")
        # The namespace and its tmpfs go with the worker's last process.
        yield SmallDisk(folder, [*IN_NAMESPACE, str(folder)])


def used_kb(path) -> float:
    return (shutil.disk_usage(path).used) / 1024


def test_disk_full_mid_render_fails_the_job_cleanly_and_frees_its_files(live, small_disk):
    live.env.update({"JOB_WORK_DIR": str(small_disk.folder), "MAX_ACTIVE_JOBS_PER_USER": "100"})
    live.start_redis_if_embedded()
    live.start_web()
    worker = live.start_worker(prefix=small_disk.prefix)
    disk = small_disk.seen_by(worker)
    client = live.register("drill-disk@example.com")

    big = submit(client, "One. Two. Three. Four. Five. Six.", cards=6)
    failed = wait_finished(client, [big], timeout=60)[big]

    assert shutil.disk_usage(disk).total <= SIZE_KB * 1024, "the worker writes on the small disk"
    assert failed["status"] == "failed", failed
    error = failed["error"]
    assert "ENOSPC" in error["message"] and "disk" in error["message"].lower(), error
    assert error["hint"], "says what to do about it"
    assert failed["attempts"] == 1, "a full disk is not retried by itself"
    # Its work folder is gone and the disk is (almost) empty again.
    assert not (disk / big).exists()
    assert used_kb(disk) < 16, list(disk.rglob("*"))

    # The worker is still there and the next, smaller job fits.
    small = submit(client, "Just one card.", cards=1)
    done = wait_finished(client, [small], timeout=60)[small]
    assert done["status"] == "succeeded", done
    assert job(client, big)["status"] == "failed"
    assert used_kb(disk) < 16
