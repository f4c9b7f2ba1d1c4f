import subprocess
import sys
import time

import pytest

from pipeline.gpu import _lock_path, device_lock

HOLD = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold_in_other_process(device, seconds):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(_lock_path(device)), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_run_waits_until_the_device_is_free():
    holder = hold_in_other_process("cuda:0", 0.6)
    waited = []
    started = time.monotonic()
    with device_lock("cuda:0", on_wait=lambda: waited.append(True)):
        elapsed = time.monotonic() - started
    holder.wait()
    assert waited == [True]
    assert elapsed >= 0.4


def test_the_lock_is_freed_when_its_holder_is_killed():
    holder = hold_in_other_process("cuda:0", 60)
    holder.kill()
    holder.wait()
    with device_lock("cuda:0"):
        pass


def test_waiting_can_be_given_up_by_the_check():
    holder = hold_in_other_process("cuda:1", 60)

    class Canceled(Exception):
        pass

    def check():
        raise Canceled

    try:
        with pytest.raises(Canceled), device_lock("cuda:1", check=check):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_different_devices_do_not_wait_for_each_other():
    holder = hold_in_other_process("cuda:0", 60)
    try:
        with device_lock("cuda:1", on_wait=lambda: pytest.fail("cuda:1 is free")):
            pass
    finally:
        holder.kill()
        holder.wait()
