"""Drill: the disk of the worker's work folders fills up in the middle of a render."""

import shutil
import subprocess

import pytest

from tests.drills.support import job, submit, wait_finished

pytestmark = [pytest.mark.live, pytest.mark.timeout(180)]

SIZE_KB = 160  # holds a one-card clip and its files, not a six-card one


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "work"
    mount.mkdir()
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={SIZE_KB}k,mode=0700", "tmpfs", str(mount)],
            check=True,
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        pytest.skip(f"cannot mount a small tmpfs here ({exc} {detail.decode().strip()})")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False, timeout=10)


def used_kb(path) -> float:
    return (shutil.disk_usage(path).used) / 1024


def test_disk_full_mid_render_fails_the_job_cleanly_and_frees_its_files(live, small_disk):
    live.env.update({"JOB_WORK_DIR": str(small_disk), "MAX_ACTIVE_JOBS_PER_USER": "100"})
    live.start_redis_if_embedded()
    live.start_web()
    live.start_worker()
    client = live.register("drill-disk@example.com")

    big = submit(client, "One. Two. Three. Four. Five. Six.", cards=6)
    failed = wait_finished(client, [big], timeout=60)[big]

    assert failed["status"] == "failed", failed
    error = failed["error"]
    assert "ENOSPC" in error["message"] and "disk" in error["message"].lower(), error
    assert error["hint"], "says what to do about it"
    assert failed["attempts"] == 1, "a full disk is not retried by itself"
    # Its work folder is gone and the disk is (almost) empty again.
    assert not (small_disk / big).exists()
    assert used_kb(small_disk) < 16, list(small_disk.rglob("*"))

    # The worker is still there and the next, smaller job fits.
    small = submit(client, "Just one card.", cards=1)
    done = wait_finished(client, [small], timeout=60)[small]
    assert done["status"] == "succeeded", done
    assert job(client, big)["status"] == "failed"
    assert used_kb(small_disk) < 16
