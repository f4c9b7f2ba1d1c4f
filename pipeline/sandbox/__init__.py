"""Runs LLM-written Manim code safely: a static check, then a confined subprocess.

    from pipeline.sandbox import render_untrusted, render_with_repairs

Layers, outermost first: static_check.py (AST allowlist), runner.py (private folder, scrubbed
environment, isolated interpreter, wall timeout), confine.py inside the harness (resource
limits, network namespace, no capabilities, Landlock, seccomp) and guards.py (restricted
builtins, filtered imports, audit hook). repair.py sends failures back to the LLM.
"""

from pipeline.sandbox.errors import (
    Problem,
    SandboxError,
    SandboxRenderError,
    SandboxTimeout,
    SandboxUnavailable,
    SandboxViolation,
)
from pipeline.sandbox.repair import Attempt, RepairResult, render_with_repairs
from pipeline.sandbox.runner import Limits, RenderResult, render_untrusted
from pipeline.sandbox.static_check import check_code, find_problems

__all__ = [
    "Attempt",
    "Limits",
    "Problem",
    "RenderResult",
    "RepairResult",
    "SandboxError",
    "SandboxRenderError",
    "SandboxTimeout",
    "SandboxUnavailable",
    "SandboxViolation",
    "check_code",
    "find_problems",
    "render_untrusted",
    "render_with_repairs",
]
