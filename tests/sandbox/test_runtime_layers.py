"""Hostile code with the static check skipped, to prove each runtime layer stops it alone.

Each group turns off the layers above the one it tests: first the Python guards (builtins and
imports), then the audit hook, then the operating system (Landlock, seccomp, the network
namespace, resource limits). Nothing here renders video; each case starts one harness.
"""

import os
import platform
import socket
import sys

import pytest

from pipeline.sandbox import Limits, SandboxRenderError, SandboxTimeout, render_untrusted
from pipeline.sandbox.confine import landlock_abi

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the sandbox confines on Linux")

needs_landlock = pytest.mark.skipif(landlock_abi() < 1, reason="kernel without Landlock")
needs_seccomp = pytest.mark.skipif(
    platform.machine() != "x86_64", reason="seccomp filter is x86_64"
)
OS_ONLY = ("python_guards", "audit_hook")

# From any object to os.system without importing anything: the classic escape.
ESCAPE = (
    "w = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_wrap_close'][0]\n"
    "system = w.__init__.__globals__['system']\n"
)


# --- Python guards: restricted builtins and filtered imports ------------------------------


@pytest.mark.parametrize(
    "code, expected",
    [
        (
            "data = open('/etc/passwd').read()",
            "open() is not allowed in the sandbox (scene line 1)",
        ),
        ("f = __builtins__['open']\nf('/etc/passwd')", "open() is not allowed in the sandbox"),
        ("g = getattr(print, '__globals__')", "getattr() is not allowed in the sandbox"),
        ("m = __import__('os')", "import of 'os' is not allowed in the sandbox"),
        ("X = type('X', (object,), {})", "TypeError"),
        (
            "import numpy as np\nrows = np.load('/etc/passwd')",
            "module 'numpy' has no attribute 'load' (scene line 2)",
        ),
        (
            "from manim import *\nutils.file_ops.open_file('/etc/passwd')",
            "name 'utils' is not defined",
        ),
    ],
    ids=["open", "builtins_dict", "getattr", "dunder_import", "type", "numpy_load", "manim_utils"],
)
def test_python_guards_stop_what_the_static_check_would_have(run_unchecked, code, expected):
    error = run_unchecked(code)

    assert isinstance(error, SandboxRenderError)
    assert expected in str(error)


def test_python_guards_refuse_eval_exec_and_compile(run_unchecked):
    code = (
        "errors = []\n"
        "calls = (lambda: eval('1'), lambda: exec('x = 1'), lambda: compile('1', 'f', 'eval'))\n"
        "for call in calls:\n"
        "    try:\n        call()\n    except PermissionError as exc:\n"
        "        errors.append(str(exc))\n"
        "raise RuntimeError(errors)\n"
    )

    error = run_unchecked(code)

    for name in ("eval", "exec", "compile"):
        assert f"{name}() is not allowed in the sandbox" in str(error)


def test_python_guards_refuse_every_forbidden_import(run_unchecked):
    code = (
        "refused = []\n"
        "for name in ('os', 'sys', 'importlib', 'subprocess', 'socket', 'multiprocessing'):\n"
        "    try:\n        __import__(name)\n    except ImportError as exc:\n"
        "        refused.append(name)\n"
        "raise RuntimeError(f'refused {refused}')\n"
    )

    error = run_unchecked(code)

    assert "refused ['os', 'sys', 'importlib', 'subprocess', 'socket', 'multiprocessing']" in str(
        error
    )


# --- audit hook: library calls that reach files, programs or the network -----------------


def test_audit_hook_stops_the_subclasses_escape_from_running_a_program(run_unchecked, tmp_path):
    marker = tmp_path / "pwned"

    error = run_unchecked(ESCAPE + f"system('touch {marker}')", disable=["python_guards"])

    assert "starting programs is not allowed in the sandbox (os.system)" in str(error)
    assert not marker.exists()


@pytest.mark.parametrize(
    "code, expected",
    [
        ("open('/etc/passwd').read()", "reading /etc/passwd is not allowed in the sandbox"),
        (
            "import numpy as np\nnp.load('/etc/passwd', allow_pickle=False)",
            "reading /etc/passwd is not allowed in the sandbox",
        ),
        ("open('{outside}', 'w')", "writing {outside} is not allowed in the sandbox"),
        (
            "import socket\nsocket.create_connection(('127.0.0.1', 9))",
            "network access is not allowed in the sandbox",
        ),
        ("import os\nos.fork()", "starting programs is not allowed in the sandbox (os.fork)"),
        ("import ctypes\nctypes.CDLL(None).system(b'id')", "ctypes.dlopen is not allowed"),
        (
            "def f():\n    pass\nf.__code__ = (lambda: 1).__code__",
            "changing __code__ is not allowed in the sandbox",
        ),
    ],
    ids=["read", "numpy_read", "write", "socket", "fork", "ctypes", "code_swap"],
)
def test_audit_hook_stops_file_program_and_network_access(run_unchecked, tmp_path, code, expected):
    outside = str(tmp_path / "outside.txt")

    error = run_unchecked(code.format(outside=outside), disable=["python_guards"])

    assert expected.format(outside=outside) in str(error)
    assert not os.path.exists(outside)


# --- operating system: what holds even if Python-level guards were undone -----------------


@needs_landlock
def test_landlock_denies_reading_and_writing_outside_the_folder(run_unchecked, tmp_path):
    outside = tmp_path / "outside.txt"
    code = (
        "errors = []\n"
        f"for path, mode in (('/etc/passwd', 'r'), ('{outside}', 'w'), ('/tmp/x', 'w')):\n"
        "    try:\n        open(path, mode)\n    except PermissionError as exc:\n"
        "        errors.append(exc.strerror)\n"
        "raise RuntimeError(errors)\n"
    )

    error = run_unchecked(code, disable=OS_ONLY)

    assert "['Permission denied', 'Permission denied', 'Permission denied']" in str(error)
    assert not outside.exists()


@needs_seccomp
def test_seccomp_stops_programs_forks_sockets_and_signals(run_unchecked, tmp_path):
    marker = tmp_path / "pwned"
    code = ESCAPE + (
        "import os, socket\n"
        "errors = []\n"
        f"status = system('touch {marker}')\n"
        "for call in (os.fork, socket.socket, lambda: os.kill(os.getppid(), 0)):\n"
        "    try:\n        call()\n    except OSError as exc:\n"
        "        errors.append(exc.strerror)\n"
        "raise RuntimeError(f'system exit {status >> 8}, {errors}')\n"
    )

    error = run_unchecked(code, disable=OS_ONLY)

    assert "system exit 127" in str(error)  # the shell never started
    assert str(error).count("Operation not permitted") == 3
    assert not marker.exists()


def test_network_namespace_leaves_no_route_even_to_localhost(run_unchecked):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)"

        error = run_unchecked(code, disable=[*OS_ONLY, "seccomp", "landlock"])

    assert "Network is unreachable" in str(error)


def test_environment_carries_no_secrets(run_unchecked, monkeypatch):
    monkeypatch.setenv("VIDEOGEN_SECRET_KEY", "hunter2")

    error = run_unchecked("import os\nraise RuntimeError(sorted(os.environ))", disable=OS_ONLY)

    assert "HOME" in str(error)
    assert "VIDEOGEN_SECRET_KEY" not in str(error) and "hunter2" not in str(error)


def test_file_size_limit_stops_a_huge_write(run_unchecked):
    code = "import numpy as np\nnp.zeros(10**7).tofile('big.bin')"  # 80 MB

    error = run_unchecked(code, disable=["python_guards"], limits=Limits(file_mb=5))

    assert "OSError" in str(error) and "written" in str(error)


# --- limits on code the static check accepts ----------------------------------------------

SCENE = "from manim import *\n\nclass Bomb(Scene):\n    def construct(self):\n        {body}\n"


def test_memory_bomb_ends_in_a_clean_error(sandbox_dir):
    code = SCENE.format(body="cells = [0] * 10**10")

    with pytest.raises(SandboxRenderError) as caught:
        render_untrusted(code, workdir=sandbox_dir, limits=Limits(memory_mb=1024), timeout=30)

    assert "the scene ran out of memory (limit 1024 MB)" in str(caught.value)
    assert "(scene line 5)" in str(caught.value)


def test_infinite_loop_is_stopped_at_the_wall_timeout(sandbox_dir):
    code = SCENE.format(body="while True:\n            pass")

    with pytest.raises(SandboxTimeout) as caught:
        render_untrusted(code, workdir=sandbox_dir, timeout=3)

    assert "took too long to render" in str(caught.value)
    assert list(sandbox_dir.iterdir()) == []  # the failed attempt's folder is gone


def test_infinite_loop_is_stopped_by_the_cpu_limit(sandbox_dir):
    code = SCENE.format(body="while True:\n            pass")

    with pytest.raises(SandboxTimeout) as caught:
        render_untrusted(code, workdir=sandbox_dir, timeout=600, limits=Limits(cpu_seconds=3))

    # The CPU limit, not the wall timeout, stopped it.
    assert "the render used more than 3 s of CPU" in str(caught.value)
