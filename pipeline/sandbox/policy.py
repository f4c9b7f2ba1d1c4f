"""What LLM-written Manim code may use, shared by the static check and the harness.

Standard library only and free of project imports: the harness loads this file by path in an
isolated interpreter that cannot see the project.
"""

MAX_SOURCE_BYTES = 20_000
MAX_AST_NODES = 10_000

# Modules the scene code may import. `random` is allowed because generated scenes use it for
# scattered dots and jitter; it is pure computation, and its private helpers (`random._os`)
# are out of reach because private attribute access is rejected. The harness seeds it, so
# the same code renders the same video.
ALLOWED_MODULES = frozenset({"manim", "numpy", "math", "random"})

# Submodules that `from manim.x.y import Name` may name. The rest of manim (utils, _config,
# cli, plugins, scene_file_writer...) reads and writes files or runs programs.
ALLOWED_SUBMODULE_PREFIXES = (
    "manim.animation",
    "manim.camera",
    "manim.constants",
    "manim.mobject",
    "manim.scene.scene",
    "manim.scene.moving_camera_scene",
    "manim.scene.three_d_scene",
    "manim.scene.vector_space_scene",
    "manim.scene.zoomed_scene",
    "manim.utils.bezier",
    "manim.utils.color",
    "manim.utils.rate_functions",
    "manim.utils.space_ops",
    "numpy.fft",
    "numpy.linalg",
    "numpy.random",
)

# Modules reachable as attributes of an allowed module (`np.random`, `rate_functions.smooth`).
ALLOWED_ATTRIBUTE_MODULES = frozenset(
    {"numpy", "numpy.random", "numpy.linalg", "numpy.fft", "manim.utils.rate_functions"}
)

# `from X import *` brings names in unchecked, so only modules whose every public name is fine.
STAR_IMPORT_MODULES = frozenset({"manim", "math"})

SCENE_BASES = frozenset(
    {
        "Scene",
        "MovingCameraScene",
        "ThreeDScene",
        "ZoomedScene",
        "VectorScene",
        "LinearTransformationScene",
    }
)

# Builtins that reach files, code execution, frames or arbitrary attributes.
DENIED_BUILTINS = frozenset(
    {
        "open",
        "exec",
        "eval",
        "compile",
        "globals",
        "locals",
        "vars",
        "getattr",
        "setattr",
        "delattr",
        "input",
        "breakpoint",
        "help",
        "memoryview",
        "exit",
        "quit",
        "copyright",
        "credits",
        "license",
    }
)

# Module names: rejected wherever they appear, as a name or as an attribute (`utils.file_ops.os`).
DENIED_MODULE_NAMES = frozenset(
    {
        "os",
        "sys",
        "posix",
        "subprocess",
        "socket",
        "ssl",
        "select",
        "selectors",
        "asyncio",
        "importlib",
        "builtins",
        "shutil",
        "pathlib",
        "glob",
        "ctypes",
        "cffi",
        "pickle",
        "marshal",
        "shelve",
        "dbm",
        "sqlite3",
        "threading",
        "_thread",
        "multiprocessing",
        "concurrent",
        "signal",
        "io",
        "tempfile",
        "mmap",
        "urllib",
        "http",
        "ftplib",
        "smtplib",
        "requests",
        "webbrowser",
        "inspect",
        "gc",
        "code",
        "codeop",
        "pty",
        "resource",
        "fcntl",
        "runpy",
        "pkgutil",
        "zipimport",
        "site",
        "types",
        "weakref",
        "operator",
        "zipfile",
        "tarfile",
    }
)

# Attribute names used to climb from an object to frames, code or globals, plus file and
# process APIs that hang off allowed modules (`np.load`, `arr.tofile`, `np.ctypeslib`).
DENIED_ATTRIBUTES = frozenset(
    {
        "mro",
        "f_globals",
        "f_locals",
        "f_builtins",
        "f_back",
        "f_code",
        "f_trace",
        "gi_frame",
        "gi_code",
        "gi_yieldfrom",
        "cr_frame",
        "cr_code",
        "cr_await",
        "ag_frame",
        "ag_code",
        "tb_frame",
        "tb_next",
        "func_globals",
        "func_code",
        "func_closure",
        "cell_contents",
        "co_code",
        "co_consts",
        "format_map",
        "modules",
        "system",
        "popen",
        "fork",
        "spawnv",
        "execv",
        "kill",
        # numpy file and foreign-code access
        "load",
        "save",
        "savez",
        "savez_compressed",
        "loadtxt",
        "savetxt",
        "genfromtxt",
        "fromfile",
        "fromregex",
        "tofile",
        "memmap",
        "ctypeslib",
        "ctypes",
        "distutils",
        "f2py",
        "lib",
        "DataSource",
        "testing",
        # manim methods that read files
        "add_sound",
    }
)

# numpy names kept out of the runtime namespace too (statically they are denied attributes).
NUMPY_DENIED = frozenset(
    {
        "load",
        "save",
        "savez",
        "savez_compressed",
        "loadtxt",
        "savetxt",
        "genfromtxt",
        "fromfile",
        "fromregex",
        "memmap",
        "ctypeslib",
        "lib",
        "DataSource",
        "f2py",
        "testing",
        "show_config",
        "show_runtime",
        "get_include",
        "info",
    }
)

# manim names that read or write files, run programs or change the render settings.
MANIM_DENIED = frozenset(
    {
        "SVGMobject",
        "ImageMobject",
        "register_font",
        "tempconfig",
        "SceneFileWriter",
        "capture",
        "get_video_metadata",
        "get_dir_layout",
        "add_extension_if_not_present",
        "guarantee_existence",
        "guarantee_empty_existence",
        "seek_full_path_from_defaults",
        "modify_atime",
        "open_file",
        "ensure_executable",
        "get_full_sound_file_path",
        "get_full_raster_image_path",
        "get_plugins",
        "list_plugins",
        "logger",
        "console",
        "error_console",
    }
)

# manim names that need LaTeX (or Typst), which the sandbox never runs: TeX can read any file
# it is pointed at, and starting programs is refused inside the sandbox.
TYPESETTING_NAMES = frozenset(
    {
        "Tex",
        "MathTex",
        "SingleStringMathTex",
        "TexTemplate",
        "TexTemplateLibrary",
        "TexFontTemplates",
        "TransformMatchingTex",
        "BulletedList",
        "Title",
        "MathTable",
        "IntegerTable",
        "DecimalTable",
        "Matrix",
        "IntegerMatrix",
        "DecimalMatrix",
        "MobjectMatrix",
        "DecimalNumber",
        "Integer",
        "Variable",
        "BraceLabel",
        "BraceText",
        "BarChart",
        "ChangingDecimal",
        "ChangeDecimalToValue",
        "Typst",
        "MathTypst",
        "add_coordinates",
        "add_numbers",
        "get_number_mobject",
        "get_number_mobjects",
    }
)

# Axis-label helpers typeset their labels with MathTex when given strings (or nothing).
LABEL_METHODS = frozenset(
    {"get_axis_labels", "get_x_axis_label", "get_y_axis_label", "get_graph_label", "add_labels"}
)

# What scene code may read from manim's `config`; it may never change it.
CONFIG_READABLE = frozenset(
    {
        "frame_width",
        "frame_height",
        "frame_x_radius",
        "frame_y_radius",
        "pixel_width",
        "pixel_height",
        "frame_rate",
        "background_color",
        "top",
        "bottom",
        "left_side",
        "right_side",
    }
)

# Dunder names scene code may still use: `super().__init__()` in a custom Mobject, and the
# usual `if __name__ == "__main__":` footer (false inside the sandbox).
ALLOWED_DUNDER_ATTRIBUTES = frozenset({"__init__"})
ALLOWED_DUNDER_NAMES = frozenset({"__name__"})
ALLOWED_DUNDER_METHODS = frozenset(
    {
        "__init__",
        "__repr__",
        "__str__",
        "__len__",
        "__iter__",
        "__getitem__",
        "__contains__",
        "__eq__",
        "__lt__",
        "__add__",
        "__sub__",
        "__mul__",
    }
)

# Plain builtins that only wrap their arguments; anything else needs a reason.
ALLOWED_DECORATORS = frozenset({"staticmethod", "classmethod", "property"})

# Builtins handed to scene code at run time.
SAFE_BUILTINS = frozenset(
    {
        "abs",
        "all",
        "any",
        "ascii",
        "bin",
        "bool",
        "bytearray",
        "bytes",
        "callable",
        "chr",
        "classmethod",
        "complex",
        "dict",
        "divmod",
        "enumerate",
        "filter",
        "float",
        "format",
        "frozenset",
        "hasattr",
        "hash",
        "hex",
        "id",
        "int",
        "isinstance",
        "issubclass",
        "iter",
        "len",
        "list",
        "map",
        "max",
        "min",
        "next",
        "object",
        "oct",
        "ord",
        "pow",
        "print",
        "property",
        "range",
        "repr",
        "reversed",
        "round",
        "set",
        "slice",
        "sorted",
        "staticmethod",
        "str",
        "sum",
        "super",
        "tuple",
        "zip",
        "None",
        "True",
        "False",
        "Ellipsis",
        "NotImplemented",
        "__build_class__",
    }
)


def import_allowed(module: str) -> bool:
    """Whether scene code may import `module` (a dotted name, absolute)."""
    if module in ALLOWED_MODULES:
        return True
    return any(
        module == prefix or module.startswith(prefix + ".") for prefix in ALLOWED_SUBMODULE_PREFIXES
    )


def denied_import_name(module: str, name: str) -> str | None:
    """Why `from module import name` is refused, or None when it is fine."""
    top = module.partition(".")[0]
    if name.startswith("_"):
        return f"'{name}' is private"
    if top == "manim" and name in MANIM_DENIED:
        return f"manim's {name} reads or writes files or changes the render settings"
    if top == "numpy" and (name in NUMPY_DENIED or name in DENIED_ATTRIBUTES):
        return f"numpy's {name} reads or writes files"
    if name in DENIED_BUILTINS or name in DENIED_MODULE_NAMES or name in DENIED_ATTRIBUTES:
        return f"'{name}' is not allowed"
    return None
