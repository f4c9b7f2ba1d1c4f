"""The narration backend's voices, and a short sample of each, made on first request and kept.

Samples are stored through the storage API under a name derived from the backend, the voice,
the rate and the sample text, so a changed voice file (another size or date) or a new
sentence gets a new sample and old ones are never served for it.
"""

import hashlib
import tempfile
import threading
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

from pipeline.errors import GeneratorError
from pipeline.providers import get_provider
from pipeline.providers.tts.base import RATE_LIMITS

SAMPLE_TEXT = "Hello! This is how I sound when I read your story aloud."
SAMPLE_FOLDER = "voice-samples"
_lock = threading.Lock()


class UnknownVoice(Exception):
    """The voice is not one of the backend's; the message names the list to choose from."""


def voice_catalogue() -> dict:
    """The configured backend and its voices (empty, with the reason, when it cannot speak)."""
    tts = get_provider("tts")
    status = tts.available()
    voices, default = [], ""
    if status.available:
        try:
            voices, default = tts.describe_voices(), tts.default_voice()
        except GeneratorError as exc:
            status = type(status).missing(exc.message, "VIDEOGEN_TTS")
    return {
        "backend": tts.name,
        "label": tts.display_name,
        "available": status.available,
        "reason": status.reason,
        "default": default,
        "speaking_rate": {"min": RATE_LIMITS[0], "max": RATE_LIMITS[1], "default": 1.0},
        "voices": voices,
    }


def _sample_name(tts, voice: str) -> str:
    stamp = ""
    if hasattr(tts, "voice_models"):  # a replaced voice file makes a new sample
        for model in tts.voice_models():
            if voice == model.id or voice in model.speakers or voice.startswith(f"{model.id}:"):
                stat = model.path.stat()
                stamp = f"{model.path}|{stat.st_size}|{stat.st_mtime_ns}"
                break
    key = "|".join([tts.name, voice, str(tts.options.get("rate")), SAMPLE_TEXT, stamp])
    return f"{SAMPLE_FOLDER}/{hashlib.sha256(key.encode()).hexdigest()[:32]}.wav"


def voice_sample(*, voice: str) -> str:
    """The storage name of a WAV of `voice` reading a sentence, made now if not yet made."""
    tts = get_provider("tts")
    known = tts.voices()
    if voice not in known:
        raise UnknownVoice(
            f"Unknown voice {voice!r}; choose one from the voices list (GET /api/v1/voices)."
        )
    name = _sample_name(tts, voice)
    with _lock:  # one synthesis at a time per process; the second request finds the file
        if not default_storage.exists(name):
            with tempfile.TemporaryDirectory(prefix="voice-sample-") as folder:
                speech = tts.synthesize(text=SAMPLE_TEXT, out_dir=Path(folder), voice=voice)
                with open(speech.audio_path, "rb") as audio:
                    name = default_storage.save(name, File(audio))
    return name
