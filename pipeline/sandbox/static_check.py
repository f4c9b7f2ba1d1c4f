"""The first sandbox layer: read LLM-written scene code without running it.

The check is an allowlist of imports plus a denylist of names and attributes. It cannot prove
code safe (Python is too dynamic for that), so the harness enforces the same rules again at run
time and the operating system confines the process; this layer exists to refuse obvious abuse
early and to give the LLM precise, line-numbered feedback it can act on.
"""

import ast
import re

from pipeline.sandbox import policy
from pipeline.sandbox.errors import Problem, SandboxRenderError, SandboxViolation

# "{0.__class__}".format(x) walks attributes from inside a string.
_FORMAT_DUNDER = re.compile(r"\{[^{}]*__")


def check_code(code: str) -> None:
    """Raises SandboxViolation for unsafe code, SandboxRenderError for code that cannot work
    in the sandbox (syntax, no Scene, LaTeX); returns None when the code may run."""
    problems = find_problems(code)
    security = [p for p in problems if p.kind == "security"]
    if security:
        raise SandboxViolation(security)
    if problems:
        lines = "\n".join(f"- {p}" for p in problems)
        raise SandboxRenderError(f"The scene code cannot run in the sandbox:\n{lines}")


def find_problems(code: str) -> list[Problem]:
    """Every problem found, in source order; an empty list means the code may run."""
    try:
        size = len(code.encode("utf-8"))
    except UnicodeEncodeError:
        return [Problem(0, "the code is not valid UTF-8 text", "render")]
    if size > policy.MAX_SOURCE_BYTES:
        return [
            Problem(
                0, f"the code is {size} bytes; the limit is {policy.MAX_SOURCE_BYTES}", "render"
            )
        ]
    try:
        tree = ast.parse(code, filename="scene.py")
        compile(tree, "scene.py", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return [Problem(exc.lineno or 0, f"syntax error: {exc.msg}", "render")]
    except (ValueError, RecursionError, MemoryError) as exc:
        detail = str(exc) or type(exc).__name__
        return [Problem(0, f"the code cannot be parsed: {detail}", "render")]
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > policy.MAX_AST_NODES:
        return [Problem(0, f"the code is too complex ({nodes} syntax nodes)", "render")]
    checker = _Checker()
    try:
        checker.visit(tree)
    except RecursionError:
        return [Problem(0, "the code is nested too deeply", "render")]
    problems = checker.problems + _scene_problems(tree)
    return sorted(set(problems), key=lambda p: (p.line == 0, p.line, p.message))


class _Checker(ast.NodeVisitor):
    def __init__(self):
        self.problems: list[Problem] = []
        self._config_reads: set[int] = set()

    def add(self, node: ast.AST, message: str, kind: str = "security") -> None:
        self.problems.append(Problem(getattr(node, "lineno", 0), message, kind))

    # --- imports --------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if not policy.import_allowed(alias.name):
                self.add(node, f"import of '{alias.name}' is not allowed")
            if alias.asname:
                self._check_identifier(node, alias.asname)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level:
            self.add(node, "relative imports are not allowed")
            return
        if not policy.import_allowed(module):
            self.add(node, f"import of '{module}' is not allowed")
            return
        for alias in node.names:
            if alias.name == "*":
                if module not in policy.STAR_IMPORT_MODULES:
                    self.add(node, f"'from {module} import *' is not allowed; name what you use")
                continue
            reason = policy.denied_import_name(module, alias.name)
            if alias.name == "config" and alias.asname not in (None, "config"):
                self.add(node, "manim's config may not be renamed")
            elif reason:
                self.add(node, f"import of '{module}.{alias.name}' is not allowed: {reason}")
            elif alias.name in policy.TYPESETTING_NAMES:
                self._typesetting(node, alias.name)
            if alias.asname:
                self._check_identifier(node, alias.asname)

    # --- names and attributes -------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        if name == "config" and id(node) not in self._config_reads:
            self.add(node, "manim's config can only be read, as config.frame_width and the like")
        elif name in policy.MANIM_DENIED:
            self.add(node, f"{name} reads or writes files and is not allowed")
        elif name in policy.TYPESETTING_NAMES:
            self._typesetting(node, name)
        elif name not in policy.ALLOWED_DUNDER_NAMES:
            self._check_identifier(node, name)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        value = node.value
        if isinstance(value, ast.Name) and value.id == "config":
            self._config_reads.add(id(value))
            if not isinstance(node.ctx, ast.Load):
                self.add(node, "manim's config cannot be changed by scene code")
            elif attr not in policy.CONFIG_READABLE:
                self.add(node, f"config.{attr} is not readable by scene code")
        elif attr == "config":
            self.add(node, "manim's config can only be used by name, as config.frame_width")
        elif attr.startswith("__") and attr not in policy.ALLOWED_DUNDER_ATTRIBUTES:
            self.add(node, f"access to the dunder attribute '{attr}' is not allowed")
        elif attr.startswith("_") and not attr.startswith("__") and not _is_self(value):
            self.add(node, f"access to the private attribute '{attr}' is not allowed")
        elif attr in policy.DENIED_ATTRIBUTES:
            self.add(node, f"access to the attribute '{attr}' is not allowed")
        elif attr in policy.DENIED_MODULE_NAMES or attr in policy.DENIED_BUILTINS:
            self.add(node, f"access to the attribute '{attr}' is not allowed")
        elif attr in policy.MANIM_DENIED:
            self.add(node, f"{attr} reads or writes files and is not allowed")
        elif attr in policy.TYPESETTING_NAMES:
            self._typesetting(node, attr)
        self.generic_visit(node)

    def _check_identifier(self, node: ast.AST, name: str) -> None:
        if name.startswith("__"):
            self.add(node, f"the dunder name '{name}' is not allowed")
        elif name in policy.DENIED_BUILTINS:
            self.add(node, f"'{name}' is not allowed")
        elif name in policy.DENIED_MODULE_NAMES:
            self.add(node, f"the name '{name}' is not allowed (it names a forbidden module)")

    def _typesetting(self, node: ast.AST, name: str) -> None:
        self.add(
            node,
            f"{name} needs LaTeX, which the sandbox does not run; use Text or MarkupText instead",
            "render",
        )

    # --- calls ----------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        func = _called_name(node)
        if func == "type" and (len(node.args) != 1 or node.keywords):
            self.add(node, "type() may only be called with one argument")
        elif func == "Code" and (node.args or any(k.arg == "code_file" for k in node.keywords)):
            self.add(node, "Code reads files; pass the source as Code(code_string=...)")
        elif func in policy.LABEL_METHODS and _uses_typeset_labels(node, func):
            self.add(
                node,
                f"{func} typesets string labels with LaTeX, which the sandbox does not run; "
                "pass Text(...) labels instead",
                "render",
            )
        for keyword in node.keywords:
            if keyword.arg and keyword.arg.startswith("__"):
                self.add(node, f"the dunder keyword '{keyword.arg}' is not allowed")
            if keyword.arg == "include_numbers" and _is_true(keyword.value):
                self._typesetting(node, "include_numbers=True")
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if _is_str(key, "include_numbers") and _is_true(value):
                self._typesetting(node, "include_numbers=True")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and _FORMAT_DUNDER.search(node.value):
            self.add(node, "format strings may not reach dunder attributes")

    # --- definitions and statements -------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name.startswith("__") and node.name not in policy.ALLOWED_DUNDER_METHODS:
            self.add(node, f"defining the dunder method '{node.name}' is not allowed")
        elif not node.name.startswith("__"):
            self._check_identifier(node, node.name)
        self._check_decorators(node)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._check_identifier(node, node.name)
        self._check_decorators(node)
        if node.keywords:
            self.add(node, "class keywords (such as metaclass=) are not allowed")
        self.generic_visit(node)

    def visit_arg(self, node: ast.arg) -> None:
        self._check_identifier(node, node.arg)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._check_identifier(node, node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.add(node, "global statements are not allowed")

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.add(node, "nonlocal statements are not allowed")

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.add(node, "async functions are not supported in scenes", "render")

    def _check_decorators(self, node: ast.FunctionDef | ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            name = decorator.id if isinstance(decorator, ast.Name) else None
            if name not in policy.ALLOWED_DECORATORS:
                self.add(
                    decorator,
                    "decorators other than @staticmethod, @classmethod and "
                    "@property are not allowed",
                )


def _scene_problems(tree: ast.Module) -> list[Problem]:
    """The module must define a Scene subclass with construct(self) for the harness to render."""
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}

    def chain(cls: ast.ClassDef, seen: frozenset = frozenset()) -> list[ast.ClassDef] | None:
        """The user-defined classes from `cls` up to a manim scene base, or None."""
        for base in cls.bases:
            name = _base_name(base)
            if name in policy.SCENE_BASES:
                return [cls]
            if name in classes and name not in seen:
                rest = chain(classes[name], seen | {name})
                if rest:
                    return [cls, *rest]
        return None

    for cls in classes.values():
        lineage = chain(cls)
        if lineage and any(_defines_construct(c) for c in lineage):
            return []
    return [Problem(0, "no Scene subclass with a construct(self) method was found", "render")]


def _defines_construct(cls: ast.ClassDef) -> bool:
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == "construct":
            args = node.args
            return len(args.posonlyargs) + len(args.args) == 1 and not args.kwonlyargs
    return False


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _called_name(node: ast.Call) -> str | None:
    return _base_name(node.func)


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _is_true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _is_str(node: ast.expr | None, value: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


def _uses_typeset_labels(node: ast.Call, method: str) -> bool:
    """Label helpers typeset string labels with MathTex, and their defaults are strings."""
    positional = node.args[1:] if method == "get_graph_label" else node.args
    labels = [*positional, *(k.value for k in node.keywords if k.arg and "label" in k.arg)]
    if len(labels) < _LABELS_NEEDED.get(method, 0):
        return True
    for label in labels:
        values = label.values if isinstance(label, ast.Dict) else [label]
        if any(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values):
            return True
    return False


# How many labels each helper takes before it falls back to its string defaults.
_LABELS_NEEDED = {"get_axis_labels": 2, "get_graph_label": 1}
