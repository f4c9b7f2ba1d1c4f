"""One scene's narration, spoken on request so a person can hear it while editing the plan.

It goes through the job's scene cache with the key the narration stage uses, so words heard
here and then saved unchanged are not spoken again by the render."""

import shutil
import tempfile
from pathlib import Path

from rest_framework.exceptions import APIException

from pipeline.engine.scene_cache import SceneCache
from pipeline.errors import GeneratorError
from pipeline.generators.shared.narration import speech_cached
from pipeline.providers import get_provider


class ListenUnavailable(APIException):
    status_code = 503
    default_code = "voice_unavailable"


def scene_listen(*, job, text: str) -> tuple[bytes, bool]:
    """A WAV of `text` in the job's voice and pace, and whether it was spoken before."""
    options = job.options or {}
    folder = Path(tempfile.mkdtemp(prefix="listen-"))
    try:
        speech, reused = speech_cached(
            SceneCache(job.id, folder).entry,
            get_provider("tts"),
            folder=folder / "voice",
            text=text,
            voice=options.get("voice") or None,
            rate=float(options.get("speaking_rate", 1.0)),
        )
        return speech.audio_path.read_bytes(), reused
    except GeneratorError as exc:
        raise ListenUnavailable(exc.message)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
