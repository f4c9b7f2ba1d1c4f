"""The device lock, with real processes holding it. No test waits on the clock: a holder lets
go when told, and every wait has a deadline that fails the test instead of hanging it."""

import subprocess
import sys
import time

import pytest

from pipeline.generators.shared.pictures import on_device
from pipeline.gpu import _lock_path, device_lock

# Holds the lock until a line comes on stdin (or for ever), then says so.
HOLD = """
import fcntl, sys
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.readline()
fcntl.flock(handle, fcntl.LOCK_UN)
print("released", flush=True)
"""

# Tries the lock once without waiting: "busy" or "free".
PROBE = """
import fcntl, sys
handle = open(sys.argv[1], "a+")
try:
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("free")
except BlockingIOError:
    print("busy")
"""

DEADLINE = 30.0


class WaitedTooLong(AssertionError):
    pass


def deadline_check(seconds=DEADLINE):
    """A `check` that gives up the wait after `seconds`: a lock nobody releases fails the test
    quickly rather than running into the suite's timeout."""
    end = time.monotonic() + seconds

    def check():
        if time.monotonic() > end:
            raise WaitedTooLong(f"the device lock was not free within {seconds} s")

    return check


def hold_in_other_process(device):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(_lock_path(device))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def release(proc):
    proc.stdin.write("go\n")
    proc.stdin.flush()


def probe(device) -> str:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(_lock_path(device))],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=True,
    )
    return out.stdout.strip()


@pytest.fixture
def holders():
    started = []
    yield started
    for proc in started:
        proc.kill()
        proc.wait()


def test_a_second_run_waits_until_the_device_is_free(holders):
    holder = hold_in_other_process("cuda:0")
    holders.append(holder)
    waited = []

    def on_wait():
        # The device is busy: only now is the holder told to let go.
        waited.append(True)
        release(holder)

    with device_lock("cuda:0", on_wait=on_wait, check=deadline_check()):
        # The holder let go before this block ran, and now this process holds the device.
        assert holder.stdout.readline().strip() == "released"
        assert probe("cuda:0") == "busy"
    assert waited == [True]
    assert probe("cuda:0") == "free"


def test_the_lock_is_freed_when_its_holder_is_killed(holders):
    holder = hold_in_other_process("cuda:0")
    holders.append(holder)
    assert probe("cuda:0") == "busy"
    holder.kill()
    holder.wait()
    with device_lock("cuda:0", on_wait=lambda: pytest.fail("the dead holder kept the lock")):
        assert probe("cuda:0") == "busy"


def test_waiting_can_be_given_up_by_the_check(holders):
    holders.append(hold_in_other_process("cuda:1"))

    class Canceled(Exception):
        pass

    def check():
        raise Canceled

    with pytest.raises(Canceled), device_lock("cuda:1", check=check):
        pytest.fail("the lock was taken although another process holds it")


def test_a_lock_never_released_fails_at_the_deadline_instead_of_hanging(holders):
    holders.append(hold_in_other_process("cuda:0"))
    with pytest.raises(WaitedTooLong), device_lock("cuda:0", check=deadline_check(0.5)):
        pytest.fail("the lock was taken although another process holds it")


def test_different_devices_do_not_wait_for_each_other(holders):
    holders.append(hold_in_other_process("cuda:0"))
    with device_lock("cuda:1", on_wait=lambda: pytest.fail("cuda:1 is free")):
        assert probe("cuda:1") == "busy" and probe("cuda:0") == "busy"


def test_a_model_run_on_a_gpu_holds_its_lock_and_says_why_it_waits(holders):
    holder = hold_in_other_process("cuda:0")
    holders.append(holder)
    waited = []

    def on_wait():
        waited.append(True)
        release(holder)

    with on_device("cuda:0", check=deadline_check(), on_wait=on_wait):
        assert holder.stdout.readline().strip() == "released"
        assert probe("cuda:0") == "busy"
    assert waited == [True]
    assert probe("cuda:0") == "free"


@pytest.mark.parametrize("device", ["cpu", "mps"])
def test_a_model_run_off_a_gpu_takes_no_lock(holders, device):
    holders.append(hold_in_other_process(device))
    with on_device(device, check=deadline_check(0.5), on_wait=lambda: pytest.fail("waited")):
        assert probe(device) == "busy"  # the other process's hold, not this run's


def test_a_model_that_fills_the_machine_locks_the_cpu_too():
    with on_device("cpu", check=deadline_check(), every_device=True):
        assert probe("cpu") == "busy"
    assert probe("cpu") == "free"
