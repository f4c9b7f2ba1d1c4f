import pytest

from pipeline.sandbox import SandboxRenderError, SandboxViolation, check_code, find_problems
from pipeline.sandbox.policy import MAX_SOURCE_BYTES
from tests.sandbox.conftest import BENIGN_SCENE

HOSTILE = {
    "import_os": ("import os", "import of 'os' is not allowed (line 1)"),
    "from_os_import": ("from os import system", "import of 'os' is not allowed (line 1)"),
    "subprocess": ("import subprocess", "import of 'subprocess' is not allowed (line 1)"),
    "importlib": ("import importlib", "import of 'importlib' is not allowed (line 1)"),
    "dunder_import": (
        "m = __import__('os')",
        "the dunder name '__import__' is not allowed (line 1)",
    ),
    "read_passwd": ("data = open('/etc/passwd').read()", "'open' is not allowed (line 1)"),
    "eval": ("x = eval('1 + 1')", "'eval' is not allowed (line 1)"),
    "exec": ("exec('x = 1')", "'exec' is not allowed (line 1)"),
    "compile": ("c = compile('1', 'f', 'eval')", "'compile' is not allowed (line 1)"),
    "subclasses": (
        "classes = ().__class__.__base__.__subclasses__()",
        "access to the dunder attribute '__class__' is not allowed (line 1)",
    ),
    "builtins_dict": (
        "f = __builtins__['open']",
        "the dunder name '__builtins__' is not allowed (line 1)",
    ),
    "getattr_globals": (
        "g = getattr(print, '__globals__')",
        "'getattr' is not allowed (line 1)",
    ),
    "lambda_code": (
        "f = lambda: None\ncode_object = f.__code__",
        "access to the dunder attribute '__code__' is not allowed (line 2)",
    ),
    "socket": ("import socket", "import of 'socket' is not allowed (line 1)"),
    "urllib": ("import urllib.request", "import of 'urllib.request' is not allowed (line 1)"),
    "numpy_load": (
        "import numpy as np\nrows = np.load('/etc/passwd')",
        "access to the attribute 'load' is not allowed (line 2)",
    ),
    "numpy_fromfile_import": (
        "from numpy import fromfile",
        "import of 'numpy.fromfile' is not allowed: numpy's fromfile reads or writes files",
    ),
    "numpy_tofile": (
        "import numpy as np\nnp.zeros(10**9).tofile('big.bin')",
        "access to the attribute 'tofile' is not allowed (line 2)",
    ),
    "sys_modules": ("import sys\nm = sys.modules", "import of 'sys' is not allowed (line 1)"),
    "type_three_args": (
        "X = type('X', (object,), {})",
        "type() may only be called with one argument (line 1)",
    ),
    "manim_utils_os": (
        "from manim import *\nutils.file_ops.os.system('id')",
        "access to the attribute 'os' is not allowed (line 2)",
    ),
    "random_private": (
        "import random\nrandom._os.system('id')",
        "access to the private attribute '_os' is not allowed (line 2)",
    ),
    "fork_bomb": (
        "import os\nwhile True:\n    os.fork()",
        "the name 'os' is not allowed (it names a forbidden module) (line 3)",
    ),
    "multiprocessing": ("import multiprocessing", "import of 'multiprocessing' is not allowed"),
    "generator_frame": (
        "g = (i for i in [1])\nf = g.gi_frame.f_back",
        "access to the attribute 'gi_frame' is not allowed (line 2)",
    ),
    "format_string": (
        "s = '{0.__init__.__globals__}'.format(print)",
        "format strings may not reach dunder attributes (line 1)",
    ),
    "global": ("def f():\n    global x", "global statements are not allowed (line 2)"),
    "metaclass": ("class A(metaclass=M):\n    pass", "class keywords (such as metaclass=)"),
    "decorator": ("@trace\ndef f():\n    pass", "decorators other than @staticmethod"),
    "relative_import": ("from . import models", "relative imports are not allowed (line 1)"),
    "config_write": (
        "from manim import *\nconfig.media_dir = '/tmp'",
        "manim's config cannot be changed by scene code (line 2)",
    ),
    "config_alias": (
        "import manim\nmanim.config.media_dir = '/tmp'",
        "manim's config can only be used by name, as config.frame_width (line 2)",
    ),
    "tempconfig": (
        "from manim import *\nwith tempconfig({'media_dir': '/'}):\n    pass",
        "tempconfig reads or writes files and is not allowed (line 2)",
    ),
    "svg_file": (
        "from manim import *\nlogo = SVGMobject('/etc/passwd')",
        "SVGMobject reads or writes files and is not allowed (line 2)",
    ),
    "code_file": (
        "from manim import *\nlisting = Code('/etc/shadow')",
        "Code reads files; pass the source as Code(code_string=...) (line 2)",
    ),
    "vars": ("v = vars()", "'vars' is not allowed (line 1)"),
    "breakpoint": ("breakpoint()", "'breakpoint' is not allowed (line 1)"),
}


@pytest.mark.parametrize("code, expected", HOSTILE.values(), ids=HOSTILE.keys())
def test_static_check_refuses_hostile_code_and_names_the_problem(code, expected):
    with pytest.raises(SandboxViolation) as caught:
        check_code(code)

    assert expected in str(caught.value)
    assert caught.value.permanent


def test_static_check_lists_every_problem_with_its_line():
    problems = find_problems("import os\nimport socket\nx = eval('1')\n")

    assert [(p.line, p.kind) for p in problems] == [
        (1, "security"),
        (2, "security"),
        (3, "security"),
        (0, "render"),  # and no Scene to render
    ]


def test_llm_style_scene_passes():
    assert find_problems(BENIGN_SCENE) == []


@pytest.mark.parametrize(
    "code",
    [
        "from manim import *\nimport math, random\nimport numpy as np\n",
        "from manim import Scene, Circle, Create\nfrom manim.utils.rate_functions import smooth\n",
        "from manim import *\nw = config.frame_width\n",
        "from manim import *\nclass Dot3(VGroup):\n    def __init__(self, **kw):\n"
        "        super().__init__(**kw)\n        self._size = 3\n",
        "from manim import *\nclass H:\n    @staticmethod\n    def f(x):\n        return x\n",
        "from manim import *\nlisting = Code(code_string='print(1)', language='python')\n",
        "if __name__ == '__main__':\n    pass\n",
    ],
    ids=["imports", "submodule", "config_read", "custom_mobject", "staticmethod", "code", "main"],
)
def test_ordinary_manim_code_raises_no_security_problem(code):
    assert [p for p in find_problems(code) if p.kind == "security"] == []


@pytest.mark.parametrize(
    "snippet, expected",
    [
        ("MathTex(r'x^2')", "MathTex needs LaTeX"),
        ("Axes(axis_config={'include_numbers': True})", "include_numbers=True needs LaTeX"),
        ("Axes().get_axis_labels()", "get_axis_labels typesets string labels"),
    ],
)
def test_latex_is_a_repairable_render_error_not_a_violation(snippet, expected):
    code = (
        f"from manim import *\nclass S(Scene):\n    def construct(self):\n        m = {snippet}\n"
    )

    with pytest.raises(SandboxRenderError) as caught:
        check_code(code)

    assert not isinstance(caught.value, SandboxViolation)
    assert f"{expected}" in str(caught.value) and "(line 4)" in str(caught.value)
    assert caught.value.repairable


def test_labels_given_as_text_need_no_latex():
    code = (
        "from manim import *\nclass S(Scene):\n    def construct(self):\n"
        "        a = Axes()\n        a.get_axis_labels(Text('x'), Text('y'))\n"
    )

    assert find_problems(code) == []


@pytest.mark.parametrize(
    "code, expected",
    [
        ("class S(Scene):\n    def construct(self)\n", "syntax error"),
        ("from manim import *\nx = Circle()\n", "no Scene subclass with a construct(self) method"),
        ("x = 1\n" * (MAX_SOURCE_BYTES // 6 + 1), f"the limit is {MAX_SOURCE_BYTES}"),
    ],
    ids=["syntax", "no_scene", "too_big"],
)
def test_code_that_cannot_run_is_a_render_error(code, expected):
    with pytest.raises(SandboxRenderError) as caught:
        check_code(code)

    assert expected in str(caught.value)


def test_scene_may_inherit_construct_from_its_own_base():
    code = (
        "from manim import *\nclass Base(MovingCameraScene):\n    def construct(self):\n"
        "        pass\nclass Final(Base):\n    pass\n"
    )

    assert find_problems(code) == []
