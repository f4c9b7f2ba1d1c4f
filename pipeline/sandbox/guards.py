"""The Python layer of the sandbox, set up by the harness right before scene code runs.

Scene code gets its own builtins (no open, exec, eval, compile, getattr...), an `__import__`
that hands out filtered copies of manim, numpy, math and random, and the process gets an
audit hook (PEP 578) that refuses file access outside the scene's folder, starting programs,
sockets, ctypes and frame or object-graph inspection, whoever asks: library code included.

None of this is a security boundary on its own: code that escapes to Python's internals could
undo it, which is what the static check and the operating-system layer (confine.py) are for.
It turns most mistakes and attacks into a clear Python exception the LLM can learn from.
Standard library only, loaded by path from the harness.
"""

import builtins
import importlib
import os
import sys
import types

try:
    from pipeline.sandbox import policy
except ImportError:  # loaded by path inside the harness
    import policy


# --- builtins -----------------------------------------------------------------------------


def safe_builtins() -> dict:
    """The builtins scene code sees: the safe ones, refusing stubs for the rest."""
    table = {name: getattr(builtins, name) for name in policy.SAFE_BUILTINS}
    table.update(
        {
            name: obj
            for name, obj in vars(builtins).items()
            if isinstance(obj, type) and issubclass(obj, BaseException)
        }
    )
    for name in policy.DENIED_BUILTINS:
        table[name] = _refuse(f"{name}() is not allowed in the sandbox")
    table["type"] = _one_argument_type
    table["__import__"] = guarded_import
    return table


def _refuse(message: str):
    def refused(*args, **kwargs):
        raise PermissionError(message)

    return refused


def _one_argument_type(obj):
    """type(x) only: the three-argument form builds classes from arbitrary dictionaries."""
    return type(obj)


# --- imports ------------------------------------------------------------------------------

_proxies: dict[str, types.ModuleType] = {}


def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    """`__import__` for scene code: allowed modules only, as filtered copies."""
    if level:
        raise ImportError("relative imports are not allowed in the sandbox")
    if not policy.import_allowed(name):
        raise ImportError(
            f"import of '{name}' is not allowed in the sandbox "
            "(only manim, numpy, math and random may be imported)"
        )
    module = importlib.import_module(name)
    if not fromlist:
        return _proxy(sys.modules[name.partition(".")[0]])
    target = _proxy(module)
    for item in fromlist:
        if item != "*" and not hasattr(target, item):
            reason = policy.denied_import_name(name, item) or "it is not available"
            raise ImportError(f"import of '{name}.{item}' is not allowed in the sandbox: {reason}")
    return target


def _proxy(module: types.ModuleType) -> types.ModuleType:
    """A module object holding the public, allowed names of `module` and nothing else, so
    `manim.utils`, `np.ctypeslib` or `np.load` are simply absent."""
    name = module.__name__
    if name in _proxies:
        return _proxies[name]
    proxy = types.ModuleType(name)
    _proxies[name] = proxy
    exported = []
    for attr in dir(module):
        if attr.startswith("_") or policy.denied_import_name(name, attr):
            continue
        if f"{name}.{attr}" not in sys.modules and _is_lazy_submodule(module, attr):
            continue
        value = getattr(module, attr, None)
        if isinstance(value, types.ModuleType):
            if value.__name__ not in policy.ALLOWED_ATTRIBUTE_MODULES:
                continue
            value = _proxy(value)
        setattr(proxy, attr, value)
        exported.append(attr)
    proxy.__all__ = exported
    return proxy


def _is_lazy_submodule(module: types.ModuleType, attr: str) -> bool:
    """numpy loads some submodules on first access; skip those rather than import them."""
    return attr not in vars(module) and hasattr(module, "__path__")


# --- audit hook ---------------------------------------------------------------------------

_PROGRAM_EVENTS = frozenset(
    {
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "subprocess.Popen",
        "pty.spawn",
    }
)
_NETWORK_PREFIXES = ("socket.", "http.", "urllib.", "ftplib.", "smtplib.", "webbrowser.")
_DENIED_EVENTS = {
    "os.kill": "sending signals",
    "os.killpg": "sending signals",
    "os.chdir": "changing directory",
    "os.chmod": "changing permissions",
    "os.chown": "changing ownership",
    "shutil.chown": "changing ownership",
    "os.symlink": "creating links",
    "os.link": "creating links",
    "sys.settrace": "tracing",
    "sys.setprofile": "tracing",
    "sys._current_frames": "inspecting frames",
    "gc.get_objects": "walking the object graph",
    "gc.get_referrers": "walking the object graph",
    "gc.get_referents": "walking the object graph",
    "resource.setrlimit": "changing limits",
    "resource.prlimit": "changing limits",
}
_DENIED_PREFIXES = ("ctypes.", "sqlite3.", "syslog.", "winreg.")
# Events whose leading arguments are paths, and whether they change the filesystem.
_PATH_EVENTS = {
    "os.listdir": (1, False),
    "os.scandir": (1, False),
    "glob.glob": (1, False),
    "os.mkdir": (1, True),
    "os.remove": (1, True),
    "os.rmdir": (1, True),
    "os.rename": (2, True),
    "os.utime": (1, True),
    "os.truncate": (1, True),
    "tempfile.mkstemp": (1, True),
    "tempfile.mkdtemp": (1, True),
    "shutil.copyfile": (2, True),
    "shutil.copymode": (2, True),
    "shutil.copystat": (2, True),
    "shutil.copytree": (2, True),
    "shutil.move": (2, True),
    "shutil.rmtree": (1, True),
    "shutil.make_archive": (1, True),
    "shutil.unpack_archive": (2, True),
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_GUARDED_FUNCTION_ATTRIBUTES = frozenset({"__code__", "__defaults__", "__kwdefaults__"})


def install_audit_hook(*, writable: str, readable: tuple[str, ...]) -> None:
    """From now on this process may write only beneath `writable` and read only beneath it or
    `readable`, and may not start programs, open sockets or use ctypes. Audit hooks cannot be
    removed once added."""
    sys.addaudithook(_AuditPolicy(writable, readable))


class _AuditPolicy:
    __slots__ = ("writable", "readable")

    def __init__(self, writable: str, readable: tuple[str, ...]):
        self.writable = os.path.realpath(writable)
        self.readable = tuple(os.path.realpath(p) for p in readable)

    def __call__(self, event: str, args: tuple) -> None:
        if event == "open":
            self._check_open(args)
        elif event in _PATH_EVENTS:
            count, writes = _PATH_EVENTS[event]
            for path in args[:count]:
                self._check_path(path, writes)
        elif event in _PROGRAM_EVENTS:
            raise PermissionError(_program_message(event, args))
        elif event.startswith(_NETWORK_PREFIXES):
            raise PermissionError(f"network access is not allowed in the sandbox ({event})")
        elif event in _DENIED_EVENTS:
            raise PermissionError(f"{_DENIED_EVENTS[event]} is not allowed in the sandbox")
        elif event.startswith(_DENIED_PREFIXES):
            raise PermissionError(f"{event} is not allowed in the sandbox")
        elif event == "object.__setattr__" and args[1] in _GUARDED_FUNCTION_ATTRIBUTES:
            raise PermissionError(f"changing {args[1]} is not allowed in the sandbox")

    def _check_open(self, args: tuple) -> None:
        path, mode, flags = args
        if isinstance(path, int):
            return  # an already open descriptor
        writes = bool(flags & _WRITE_FLAGS) or any(c in (mode or "") for c in "wax+")
        self._check_path(path, writes)

    def _check_path(self, path, writes: bool) -> None:
        if path is None:
            path = "."
        if isinstance(path, int):
            return
        full = os.path.realpath(os.path.join(os.getcwd(), os.fsdecode(path)))
        if _beneath(full, (self.writable,)):
            return
        if writes:
            raise PermissionError(
                f"writing {full} is not allowed in the sandbox; only the scene's folder is writable"
            )
        if not _beneath(full, self.readable):
            raise PermissionError(f"reading {full} is not allowed in the sandbox")


def _beneath(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _program_message(event: str, args: tuple) -> str:
    if any(tool in repr(args) for tool in ("latex", "dvisvgm", "typst")):
        return (
            "LaTeX is not available in the sandbox: use Text or MarkupText instead of Tex/MathTex"
        )
    return f"starting programs is not allowed in the sandbox ({event})"
