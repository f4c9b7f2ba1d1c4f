"""One scene's narration, spoken on request so a person can hear it while editing the plan."""

import shutil
import tempfile
from pathlib import Path

from rest_framework.exceptions import APIException

from pipeline.errors import GeneratorError
from pipeline.providers import get_provider


class ListenUnavailable(APIException):
    status_code = 503
    default_code = "voice_unavailable"


def scene_listen(*, job, text: str) -> bytes:
    """A WAV of `text` in the job's voice and pace."""
    options = job.options or {}
    folder = Path(tempfile.mkdtemp(prefix="listen-"))
    try:
        speech = get_provider("tts").synthesize(
            text=text,
            out_dir=folder,
            voice=options.get("voice") or None,
            rate=float(options.get("speaking_rate") or 1.0),
        )
        return speech.audio_path.read_bytes()
    except GeneratorError as exc:
        raise ListenUnavailable(exc.message)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
