"""The narration role: text in, one WAV file plus word and sentence timings out.

Most engines speak best one sentence at a time, and doing so gives real sentence timings for
free: the base class splits the text (with the same splitter the planner uses), asks the
backend for each sentence's audio (`render_sentence`), joins the pieces with a short pause,
and places the words: exactly when the backend measured them, else in proportion to their
length inside the sentence's spoken part. Backends that speak a whole text at once (Azure)
override `synthesize_sentences` instead.
"""

import array
import sys
import wave
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import GeneratorError
from pipeline.providers.base import ProgressCallback, Provider, positive_number, report
from pipeline.providers.text import split_sentences, tokens
from pipeline.timing import Timing

AUDIO_NAME = "narration.wav"
RATE_LIMITS = (0.5, 2.0)  # a job's speaking rate, times the backend's own speed


@dataclass(frozen=True)
class Speech:
    audio_path: Path  # 16-bit mono PCM WAV
    duration: float  # seconds
    sample_rate: int
    words: list[Timing] = field(default_factory=list)
    sentences: list[Timing] = field(default_factory=list)

    def to_json(self, *, relative_to: Path | None = None) -> dict:
        """A JSON-able dict for a stage's outputs; the path relative to the work folder."""
        path = self.audio_path
        if relative_to is not None:
            path = path.relative_to(relative_to)
        return {
            "audio_path": str(path),
            "duration": self.duration,
            "sample_rate": self.sample_rate,
            "words": [w.as_dict() for w in self.words],
            "sentences": [s.as_dict() for s in self.sentences],
        }

    @classmethod
    def from_json(cls, data: dict, *, base: Path | None = None) -> "Speech":
        path = Path(data["audio_path"])
        return cls(
            audio_path=base / path if base is not None else path,
            duration=float(data["duration"]),
            sample_rate=int(data["sample_rate"]),
            words=[Timing.from_dict(w) for w in data.get("words", [])],
            sentences=[Timing.from_dict(s) for s in data.get("sentences", [])],
        )


@dataclass
class SentenceAudio:
    """One sentence as spoken: 16-bit mono PCM and, when the engine knows them, the spans
    (seconds from the start of this audio) of each of `tokens(sentence)`."""

    pcm: bytes
    sample_rate: int
    word_spans: list[tuple[float, float]] | None = None


class TTSProvider(Provider):
    """Base of the tts backends. `synthesize()` is the entry point."""

    role = "tts"
    choice_setting = "VIDEOGEN_TTS"
    option_defaults = {"rate": 1.0, "sentence_pause": 0.25}
    option_settings = {"rate": "TTS_RATE", "sentence_pause": "TTS_SENTENCE_PAUSE"}
    output_options = ("rate", "sentence_pause")

    @classmethod
    def invalid_options(cls, options):
        problems = positive_number(options, "rate")
        if not problems and not 0.25 <= float(options.get("rate", 1.0)) <= 4.0:
            problems.append(f"option 'rate' must be between 0.25 and 4, got {options['rate']!r}")
        return problems + positive_number(options, "sentence_pause", allow_zero=True)

    # --- public API -----------------------------------------------------------------------
    def synthesize(
        self,
        *,
        text: str,
        out_dir: Path,
        voice: str | None = None,
        rate: float = 1.0,
        on_progress: ProgressCallback | None = None,
    ) -> Speech:
        """Speaks `text` into `out_dir`/narration.wav with word and sentence timings, `rate`
        times the backend's own speed (TTS_RATE)."""
        if not RATE_LIMITS[0] <= rate <= RATE_LIMITS[1]:
            raise GeneratorError(
                f"The speaking rate must be between {RATE_LIMITS[0]} and {RATE_LIMITS[1]}, "
                f"got {rate}.",
                permanent=True,
            )
        sentences = split_sentences(text)
        if not sentences:
            raise GeneratorError("There is no text to narrate.", permanent=True)
        self.require_available()
        voice = self.resolve_voice(voice)
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        speech = self.synthesize_sentences(
            sentences, out_dir=out_dir, voice=voice, on_progress=on_progress,
            speed=float(self.options["rate"]) * rate,
        )  # fmt: skip
        report(on_progress, 1.0, "Narration ready")
        return speech

    def voices(self) -> list[str]:
        """Names accepted as `voice` (so the studio can check a job's option up front)."""
        raise NotImplementedError

    def describe_voices(self) -> list[dict]:
        """The voices with what is known of each, for the voices list: `id` (what a job's
        `voice` option takes), `name`, `language`, `quality`, `speaker` and the model's
        `speakers`. Backends that know more say more."""
        return [
            {"id": voice, "model": voice, "name": voice, "language": "", "language_name": "",
             "quality": "", "speaker": None, "speakers": []}
            for voice in self.voices()
        ]  # fmt: skip

    def default_voice(self) -> str:
        return self.voices()[0]

    def resolve_voice(self, voice: str | None) -> str:
        if not voice:
            return self.default_voice()
        known = self.voices()
        if voice not in known:
            shown = ", ".join(known[:20]) + (" ..." if len(known) > 20 else "")
            raise GeneratorError(
                f"{self.display_name} has no voice {voice!r}.",
                permanent=True,
                hint=f"Choose one of: {shown}",
            )
        return voice

    # --- hooks ----------------------------------------------------------------------------
    def render_sentence(self, sentence: str, *, voice: str, speed: float = 1.0) -> SentenceAudio:
        """One sentence's audio, spoken `speed` times as fast as the voice's normal pace."""
        raise NotImplementedError

    def synthesize_sentences(
        self, sentences: list[str], *, out_dir: Path, voice: str, on_progress=None,
        speed: float = 1.0,
    ) -> Speech:  # fmt: skip
        """Renders each sentence and joins them; see the module docstring."""
        pause = float(self.options["sentence_pause"])
        pieces: list[bytes] = []
        words: list[Timing] = []
        spans: list[Timing] = []
        sample_rate = 0
        offset = 0.0
        for index, sentence in enumerate(sentences):
            report(on_progress, index / len(sentences), f"Sentence {index + 1} of {len(sentences)}")
            audio = self.render_sentence(sentence, voice=voice, speed=speed)
            if sample_rate and audio.sample_rate != sample_rate:
                raise GeneratorError(f"{self.display_name} changed sample rate mid-text.")
            sample_rate = audio.sample_rate
            if index and pause:
                pieces.append(silence(pause, sample_rate))
                offset += pause
            length = pcm_seconds(audio.pcm, sample_rate)
            pieces.append(audio.pcm)
            spans.append(Timing(sentence, round(offset, 3), round(offset + length, 3)))
            words += place_words(sentence, audio, offset=offset, length=length)
            offset += length
        path = out_dir / AUDIO_NAME
        write_wav(path, b"".join(pieces), sample_rate)
        duration = wav_duration(path)
        return Speech(
            audio_path=path,
            duration=duration,
            sample_rate=sample_rate,
            words=monotonic(words, duration),
            sentences=monotonic(spans, duration),
        )


# --- word placement -----------------------------------------------------------------------
def place_words(sentence: str, audio: SentenceAudio, *, offset: float, length: float):
    words = tokens(sentence)
    spans = audio.word_spans
    if spans is None or len(spans) != len(words):
        start, end = speech_bounds(audio.pcm, audio.sample_rate)
        spans = proportional_spans(words, start, end)
    return [
        Timing(word, round(offset + min(a, length), 3), round(offset + min(b, length), 3))
        for word, (a, b) in zip(words, spans, strict=True)
    ]


def proportional_spans(words: list[str], start: float, end: float) -> list[tuple[float, float]]:
    """Spans for `words` between start and end, each as long as its letters (plus one, so a
    short word still gets a moment)."""
    weights = [sum(ch.isalnum() for ch in word) + 1 for word in words]
    total = sum(weights) or 1
    spans, at = [], start
    for weight in weights:
        step = (end - start) * weight / total
        spans.append((at, at + step))
        at += step
    return spans


def monotonic(timings: list[Timing], duration: float) -> list[Timing]:
    """Clamps timings into [0, duration] so none starts before the previous one ends."""
    fixed, last_end = [], 0.0
    for timing in timings:
        start = min(max(round(timing.start, 3), last_end), duration)
        end = min(max(round(timing.end, 3), start), duration)
        fixed.append(Timing(timing.text, start, end))
        last_end = end
    return fixed


# --- PCM and WAV --------------------------------------------------------------------------
def pcm_seconds(pcm: bytes, sample_rate: int) -> float:
    return len(pcm) / 2 / sample_rate if sample_rate else 0.0


def silence(seconds: float, sample_rate: int) -> bytes:
    return b"\x00\x00" * int(round(seconds * sample_rate))


def speech_bounds(pcm: bytes, sample_rate: int, threshold: int = 600) -> tuple[float, float]:
    """Start and end (seconds) of the audible part, so proportional timings skip the
    silence an engine puts around a sentence."""
    samples = array.array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if sys.byteorder == "big":  # pragma: no cover - WAV data is little-endian
        samples.byteswap()
    loud = [i for i in range(0, len(samples), 64) if abs(samples[i]) > threshold]
    if not loud or not sample_rate:
        return 0.0, len(samples) / sample_rate if sample_rate else 0.0
    return loud[0] / sample_rate, min(len(samples), loud[-1] + 64) / sample_rate


def write_wav(path: Path, pcm: bytes, sample_rate: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)


def read_wav(path: Path) -> tuple[bytes, int]:
    """16-bit mono PCM and the sample rate of a WAV file."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise GeneratorError(f"{path.name} is not 16-bit mono audio.")
        return wav.readframes(wav.getnframes()), wav.getframerate()


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()
