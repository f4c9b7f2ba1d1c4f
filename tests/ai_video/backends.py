"""Backends for tests that need the real diffusers provider to meet a failure."""

from pipeline.providers.t2v.diffusion import DiffusersTextToVideo


class OutOfMemoryLTX(DiffusersTextToVideo):
    """Loads the model for real, then fails every shot the way a full GPU does, while
    `out_of_memory` is set (a test clears it to let the same provider run again). It keeps
    the pipelines it was handed, so a test can tell whether the loaded model survived."""

    out_of_memory = True

    def call_pipeline(self, pipe, arguments):
        self.__dict__.setdefault("pipes_seen", []).append(pipe)
        if self.out_of_memory:
            raise RuntimeError("CUDA out of memory. Tried to allocate 20.00 GiB")
        return super().call_pipeline(pipe, arguments)
