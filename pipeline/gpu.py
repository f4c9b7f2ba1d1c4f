"""One model run per device at a time, across every worker process on the host.

A diffusion pipeline takes most of a GPU's memory; two at once would both run out. The lock is
a file lock (released by the kernel when its holder dies, even by SIGKILL), taken while the
stage keeps checking for cancel, so a job waiting for the device can still be canceled.
"""

import fcntl
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings


def _lock_path(device: str) -> Path:
    name = "".join(c if c.isalnum() else "_" for c in device) or "device"
    folder = Path(settings.GPU_LOCK_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.lock"


@contextmanager
def device_lock(device: str, *, check=None, on_wait=None, poll: float = 0.2):
    """Holds the device's lock for the duration of the block.

    `check` is called while waiting (it raises to give up, e.g. on cancel); `on_wait` is
    called once if the device is busy, to tell the person why nothing moves.
    """
    with open(_lock_path(device), "a+") as handle:
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if on_wait and not told:
                    on_wait()
                    told = True
                if check:
                    check()
                time.sleep(poll)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
