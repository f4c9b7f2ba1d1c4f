"""Backends for tests that need the real diffusers provider to meet a failure."""

from pipeline.providers.t2v.diffusion import DiffusersTextToVideo


class OutOfMemoryLTX(DiffusersTextToVideo):
    """Loads the model for real, then fails every shot the way a full GPU does."""

    def call_pipeline(self, pipe, arguments):
        raise RuntimeError("CUDA out of memory. Tried to allocate 20.00 GiB")
