class GeneratorError(Exception):
    """A stage failed. `permanent` says whether running it again could help.

    Transient errors (a busy service, a lost connection) are retried with backoff; permanent
    ones fail the job with the message and a hint a person can act on.
    """

    def __init__(self, message: str, *, permanent: bool = True, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.hint = hint


class JobCanceled(Exception):
    """The job was canceled while it ran."""


class LeaseLost(Exception):
    """Another worker owns the job now (or it was deleted): stop without writing."""


class JobStateError(Exception):
    """The job is not in a state that allows this (cancel a finished job, retry a running one)."""
