"""Errors from running LLM-written scene code.

All are permanent (running the same code again fails the same way), but violations and render
errors are `repairable`: their text is written to be sent back to the LLM, which can fix the
code. `SandboxUnavailable` is not: the sandbox itself could not start, so no code would work.
"""

from dataclasses import dataclass

from pipeline.errors import GeneratorError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the code: `kind` is "security" or "render"."""

    line: int
    message: str
    kind: str = "security"

    def __str__(self) -> str:
        return f"{self.message} (line {self.line})" if self.line else self.message


class SandboxError(GeneratorError):
    repairable = True

    def __init__(self, message: str, *, log: str = "", hint: str = ""):
        super().__init__(message, permanent=True, hint=hint)
        self.log = log

    def feedback(self) -> str:
        """The text to send to whoever fixes the code: the message, the hint, the log tail."""
        return "\n\n".join(part for part in (self.message, self.hint, self.log) if part)


class SandboxViolation(SandboxError):
    """The static check found code that could reach files, programs, the network or Python's
    internals. `problems` lists each with its line."""

    def __init__(self, problems: list[Problem]):
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(
            f"The scene code uses things the sandbox does not allow:\n{lines}",
            hint="Only manim, numpy, math and random may be used, without file or system access.",
        )
        self.problems = problems

    def __reduce__(self):
        return (type(self), (self.problems,))


class SandboxRenderError(SandboxError):
    """The code is not allowed to run as written (syntax, missing Scene, LaTeX) or failed while
    it ran. `log` holds the last lines of the traceback."""


class SandboxTimeout(SandboxRenderError):
    """The render ran past its wall-clock or CPU budget and was stopped."""


class SandboxUnavailable(GeneratorError):
    """The sandbox could not start (manim missing, interpreter broken): no code would render."""

    repairable = False

    def __init__(self, message: str, *, log: str = ""):
        super().__init__(message, permanent=True, hint="Check the worker's Manim installation.")
        self.log = log
