"""espeak-ng: robotic but instant, and available almost everywhere; the last resort.

Each sentence is spoken by the CLI into its own WAV, so sentence timings are measured, and
words are placed in proportion to their length inside each sentence's audible span.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.errors import GeneratorError
from pipeline.providers.base import Availability
from pipeline.providers.tts.base import SentenceAudio, TTSProvider, read_wav

WORDS_PER_MINUTE = 165  # espeak-ng's default is 175; a little slower is easier to follow


class EspeakTTS(TTSProvider):
    name = "espeak"
    label = "espeak-ng"
    option_defaults = {
        **TTSProvider.option_defaults,
        "binary": "espeak-ng",
        "voice": "en-us",
        "timeout": 30.0,
    }
    option_settings = {
        **TTSProvider.option_settings,
        "binary": "ESPEAK_BINARY",
        "voice": "ESPEAK_VOICE",
    }
    output_options = (*TTSProvider.output_options, "binary", "voice")

    def __init__(self, **options):
        super().__init__(**options)
        self._voices: list[str] | None = None
        self._names: dict[str, str] = {}

    def executable(self) -> str | None:
        return shutil.which(self.options["binary"])

    def available(self) -> Availability:
        if not self.executable():
            return Availability.missing(
                f"{self.options['binary']} is not installed (apt-get install espeak-ng).",
                "ESPEAK_BINARY",
            )
        return Availability()

    def voices(self) -> list[str]:
        """Language codes from `espeak-ng --voices` (e.g. en-us, en-gb, de, fr)."""
        if self._voices is None:
            self.require_available()
            result = subprocess.run(
                [self.executable(), "--voices"], capture_output=True, text=True, timeout=10
            )
            found = []
            for line in result.stdout.splitlines()[1:]:
                columns = line.split()
                if len(columns) >= 2 and columns[1] not in found:
                    found.append(columns[1])
                    if len(columns) >= 4:
                        self._names[columns[1]] = columns[3].replace("_", " ")
            self._voices = found
        return self._voices

    def default_voice(self) -> str:
        return self.options["voice"]

    def describe_voices(self) -> list[dict]:
        """Its languages: one voice each."""
        return [
            {**voice, "name": self._names.get(voice["id"], voice["id"]),
             "language": voice["id"], "language_name": self._names.get(voice["id"], "")}
            for voice in super().describe_voices()
        ]  # fmt: skip

    def render_sentence(self, sentence: str, *, voice: str, speed: float = 1.0) -> SentenceAudio:
        wpm = str(round(WORDS_PER_MINUTE * speed))
        with tempfile.TemporaryDirectory(prefix="espeak-") as folder:
            path = Path(folder) / "sentence.wav"
            try:
                subprocess.run(
                    [self.executable(), "-v", voice, "-s", wpm, "-w", str(path), "--stdin"],
                    input=sentence.encode("utf-8"),
                    capture_output=True,
                    timeout=float(self.options["timeout"]),
                    check=True,
                )
            except subprocess.CalledProcessError as exc:
                detail = exc.stderr.decode("utf-8", "replace").strip()[:300]
                raise GeneratorError(f"espeak-ng failed: {detail}", permanent=True) from exc
            except subprocess.TimeoutExpired as exc:
                raise GeneratorError("espeak-ng took too long.", permanent=False) from exc
            pcm, sample_rate = read_wav(path)
        return SentenceAudio(pcm=pcm, sample_rate=sample_rate)
