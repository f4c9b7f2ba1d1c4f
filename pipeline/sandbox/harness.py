"""Renders one LLM-written Manim scene inside the sandbox.

Started by runner.py as `python -I -B harness.py FOLDER/spec.json`, with FOLDER/scene.py next
to the spec and FOLDER/work as the working directory. In order, it: limits its resources,
imports manim and numpy (trusted), confines itself (network namespace, capabilities, Landlock,
seccomp), records which of those held in FOLDER/setup.json, installs the Python guards, runs
the scene module with restricted builtins, renders the Scene it defines, and writes
FOLDER/work/result.json. Scene code can overwrite that file, so the parent checks every path
it names. Standard library plus manim only: the project is not importable here.
"""

import json
import linecache
import os
import signal
import sys
import traceback
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import confine  # noqa: E402
import guards  # noqa: E402

del sys.path[0]

SCENE_MODULE = "__sandbox__"
SCENE_FILE = "scene.py"  # the name tracebacks show; its lines are served from linecache
LOG_LINES = 40
# Read-only places a render needs besides the interpreter and its packages: shared libraries,
# fonts and their caches, time zones.
SYSTEM_READ_PATHS = (
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/etc/fonts",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/var/cache/fontconfig",
    "/dev/urandom",
)


class Harness:
    def __init__(self, spec_path: Path):
        self.root = spec_path.parent
        self.work = self.root / "work"
        self.spec = json.loads(spec_path.read_text())
        self.disabled = frozenset(self.spec.get("disable", ()))

    # --- results --------------------------------------------------------------------------
    def write_result(self, **result) -> None:
        (self.work / "result.json").write_text(json.dumps(result))

    def fail(self, phase: str, exc: BaseException) -> int:
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != SCENE_FILE:
            tb = tb.tb_next  # the harness's own frames mean nothing to whoever fixes the scene
        lines = [f.lineno for f in traceback.extract_tb(tb) if f.filename == SCENE_FILE]
        message = _describe(exc, self.spec["limits"])
        if lines:
            message += f" (scene line {lines[-1]})"
        formatted = traceback.format_exception(type(exc), exc, tb or exc.__traceback__)
        log = "".join(formatted).splitlines()[-LOG_LINES:]
        self.write_result(ok=False, phase=phase, error=message, log="\n".join(log))
        print(f"sandbox: {phase} failed: {message}", file=sys.stderr)
        return 2 if phase == "setup" else 1

    def on_cpu_limit(self, signum, frame) -> None:
        """SIGXCPU arrives at the soft CPU limit; SIGKILL follows two seconds later."""
        seconds = self.spec["limits"]["cpu_seconds"]
        self.write_result(
            ok=False,
            phase="user",
            timeout=True,
            error=f"the render used more than {seconds} s of CPU",
        )
        os._exit(3)

    # --- steps ----------------------------------------------------------------------------
    def run(self) -> int:
        confine.die_with_parent(self.spec["parent_pid"])
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # oversized writes fail with EFBIG
        signal.signal(signal.SIGXCPU, self.on_cpu_limit)
        try:
            limits = confine.set_limits(**self.spec["limits"])
            import manim  # noqa: F401  (trusted imports, before any confinement)

            self.confine(limits)
        except Exception as exc:
            return self.fail("setup", exc)
        try:
            video = self.render_scene()
        except BaseException as exc:  # SystemExit too: whatever the scene raises is reported
            return self.fail("user", exc)
        self.write_result(ok=True, video=str(video))
        print(f"SANDBOX_VIDEO {video}")
        return 0

    def confine(self, limits: dict) -> None:
        """Applies the operating-system layer and records what held in setup.json, which the
        scene can read but not change (the folder above `work` is read-only to it)."""
        with open(self.root / "setup.json", "w") as setup:
            protections = {
                "network_isolated": self.step("network", confine.isolate_network),
                "capabilities_dropped": self.step("capabilities", confine.drop_capabilities),
                "landlock": self.step(
                    "landlock",
                    lambda: confine.restrict_filesystem(
                        read=[*_python_paths(), *SYSTEM_READ_PATHS, str(self.root)],
                        write=[str(self.work), "/dev/null"],
                    ),
                ),
                "seccomp": self.step("seccomp", confine.install_seccomp),
                "uid": os.getuid(),
            }
            protections["audit_hook"] = "audit_hook" not in self.disabled
            protections["python_guards"] = "python_guards" not in self.disabled
            protections["limits"] = limits
            json.dump(protections, setup)

    def step(self, name: str, apply):
        if name in self.disabled:
            return "disabled"
        return apply()

    def render_scene(self) -> Path:
        import random

        import manim
        import numpy

        random.seed(0)
        numpy.random.seed(0)
        source = (self.root / SCENE_FILE).read_text(encoding="utf-8")
        linecache.cache[SCENE_FILE] = (len(source), None, source.splitlines(True), SCENE_FILE)
        code = compile(source, SCENE_FILE, "exec", dont_inherit=True)
        namespace = {"__name__": SCENE_MODULE}
        if "python_guards" not in self.disabled:
            namespace["__builtins__"] = guards.safe_builtins()
        if "audit_hook" not in self.disabled:
            guards.install_audit_hook(
                writable=str(self.work),
                readable=(*_python_paths(), str(self.root), "/dev/null", "/dev/urandom"),
            )
        exec(code, namespace)
        scene_class = _find_scene(namespace, manim.Scene)
        width, height, fps = self.spec["width"], self.spec["height"], self.spec["fps"]
        options = {
            "media_dir": str(self.work / "media"),
            "pixel_width": width,
            "pixel_height": height,
            "frame_rate": fps,
            "frame_width": 8.0 * width / height,
            "frame_height": 8.0,
            "disable_caching": True,
            "write_to_movie": True,
            "save_last_frame": False,
            "format": "mp4",
            "output_file": "scene",
            "preview": False,
            "progress_bar": "none",
            "verbosity": "WARNING",
            "renderer": "cairo",
        }
        with manim.tempconfig(options):
            scene = scene_class()
            scene.render()
            return Path(scene.renderer.file_writer.movie_file_path)


def _find_scene(namespace: dict, scene_base: type) -> type:
    """The last Scene subclass the module defined whose construct it wrote itself."""
    found = [
        value
        for value in namespace.values()
        if isinstance(value, type)
        and issubclass(value, scene_base)
        and value.__module__ == SCENE_MODULE
        and any(c.__module__ == SCENE_MODULE and "construct" in vars(c) for c in value.__mro__)
    ]
    if not found:
        raise LookupError("no Scene subclass with a construct(self) method was found")
    return found[-1]


def _python_paths() -> list[str]:
    """Where the interpreter and the packages it imports live."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.update(p for p in sys.path if p and os.path.isdir(p))
    return sorted({os.path.realpath(p) for p in paths})


def _describe(exc: BaseException, limits: dict) -> str:
    if isinstance(exc, MemoryError):
        return f"the scene ran out of memory (limit {limits['memory_mb']} MB): {exc}".rstrip(": ")
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


if __name__ == "__main__":
    sys.exit(Harness(Path(sys.argv[1])).run())
