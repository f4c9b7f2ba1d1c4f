"""Azure AI Speech: natural neural voices in the cloud, with word timings from the service.

The whole text goes in one request (the service paces sentences itself); word boundary
events give each word's offset and duration, which are matched back to the written words.
"""

import re
import wave
from pathlib import Path
from xml.sax.saxutils import escape

from pipeline.errors import GeneratorError
from pipeline.providers.base import report
from pipeline.providers.text import tokens
from pipeline.providers.tts.base import AUDIO_NAME, Speech, TTSProvider, monotonic, wav_duration
from pipeline.timing import Timing

# A few well-known voices to offer in forms; any valid voice name is accepted.
COMMON_VOICES = [
    "en-US-JennyNeural", "en-US-GuyNeural", "en-US-AriaNeural", "en-US-DavisNeural",
    "en-GB-SoniaNeural", "en-GB-RyanNeural", "en-AU-NatashaNeural", "en-IN-NeerjaNeural",
    "de-DE-KatjaNeural", "fr-FR-DeniseNeural", "es-ES-ElviraNeural", "it-IT-ElsaNeural",
]  # fmt: skip
_VOICE_NAME = re.compile(r"[a-z]{2,3}-[A-Z]{2,4}(?:-[A-Za-z]+)?-[A-Za-z0-9:]+Neural")
_TICKS_PER_SECOND = 10_000_000


class AzureTTS(TTSProvider):
    name = "azure"
    label = "Azure Speech"
    option_defaults = {
        **TTSProvider.option_defaults,
        "key": "",
        "region": "",
        "voice": "en-US-JennyNeural",
        "timeout": 120.0,
    }
    option_settings = {
        **TTSProvider.option_settings,
        "key": "AZURE_SPEECH_KEY",
        "region": "AZURE_SPEECH_REGION",
        "voice": "AZURE_SPEECH_VOICE",
    }
    output_options = (*TTSProvider.output_options, "voice")
    required_options = ("key", "region")

    @classmethod
    def invalid_options(cls, options):
        problems = super().invalid_options(options)
        voice = options.get("voice")
        if voice and not _VOICE_NAME.fullmatch(str(voice)):
            problems.append(f"option 'voice' {voice!r} is not an Azure voice name")
        region = options.get("region")
        if region and not re.fullmatch(r"[a-z0-9]+", str(region)):
            problems.append(f"option 'region' {region!r} is not a region name (e.g. westeurope)")
        return problems

    def voices(self) -> list[str]:
        configured = self.options["voice"]
        return [configured, *(v for v in COMMON_VOICES if v != configured)]

    def default_voice(self) -> str:
        return self.options["voice"]

    def describe_voices(self) -> list[dict]:
        return [
            {**voice, "language": "-".join(voice["id"].split("-")[:2]), "quality": "neural",
             "name": voice["id"].split("-")[-1].removesuffix("Neural")}
            for voice in super().describe_voices()
        ]  # fmt: skip

    def resolve_voice(self, voice):
        if voice and not _VOICE_NAME.fullmatch(voice):
            raise GeneratorError(
                f"{voice!r} is not an Azure voice name.",
                permanent=True,
                hint=f"Use a name such as {', '.join(COMMON_VOICES[:3])}.",
            )
        return voice or self.default_voice()

    def synthesize_sentences(self, sentences, *, out_dir: Path, voice: str, on_progress=None,
                             speed: float = 1.0):  # fmt: skip
        import azure.cognitiveservices.speech as speechsdk

        report(on_progress, 0.05, "Sending the text to Azure Speech")
        text = " ".join(sentences)
        config = speechsdk.SpeechConfig(
            subscription=self.options["key"], region=self.options["region"]
        )
        config.speech_synthesis_voice_name = voice
        config.set_speech_synthesis_output_format(
            speechsdk.SpeechSynthesisOutputFormat.Riff24Khz16BitMonoPcm
        )
        path = out_dir / AUDIO_NAME
        synthesizer = speechsdk.SpeechSynthesizer(
            speech_config=config,
            audio_config=speechsdk.audio.AudioOutputConfig(filename=str(path)),
        )
        events: list[tuple[str, float, float]] = []

        def on_word(evt):
            if evt.boundary_type == speechsdk.SpeechSynthesisBoundaryType.Word:
                start = evt.audio_offset / _TICKS_PER_SECOND
                events.append((evt.text, start, start + evt.duration.total_seconds()))

        synthesizer.synthesis_word_boundary.connect(on_word)
        result = synthesizer.speak_ssml_async(self.ssml(text, voice, speed)).get()
        del synthesizer  # closes the WAV file
        if result.reason != speechsdk.ResultReason.SynthesizingAudioCompleted:
            raise self.failure(speechsdk, result)
        duration = wav_duration(path)
        with wave.open(str(path), "rb") as wav:
            sample_rate = wav.getframerate()
        words = match_words(tokens(text), events)
        return Speech(
            audio_path=path,
            duration=duration,
            sample_rate=sample_rate,
            words=monotonic(words, duration),
            sentences=monotonic(sentence_spans(sentences, words, duration), duration),
        )

    def ssml(self, text: str, voice: str, speed: float = 1.0) -> str:
        rate = f"{(speed - 1) * 100:+.0f}%"
        return (
            '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">'
            f'<voice name="{escape(voice)}"><prosody rate="{rate}">{escape(text)}</prosody>'
            "</voice></speak>"
        )

    def failure(self, speechsdk, result) -> GeneratorError:
        details = getattr(result, "cancellation_details", None)
        code = getattr(details, "error_code", None)
        message = f"Azure Speech failed: {getattr(details, 'error_details', '') or result.reason}"
        codes = speechsdk.CancellationErrorCode
        if code in (codes.AuthenticationFailure, codes.Forbidden):
            return GeneratorError(
                message,
                permanent=True,
                hint="Check AZURE_SPEECH_KEY and AZURE_SPEECH_REGION.",
            )
        if code == codes.BadRequest:
            return GeneratorError(message, permanent=True, hint="Check AZURE_SPEECH_VOICE.")
        return GeneratorError(message, permanent=False, hint="Azure Speech is busy or unreachable.")


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def match_words(words: list[str], events: list[tuple[str, float, float]]) -> list[Timing]:
    """Written words with the times of the boundary events that belong to them, in order.
    A word the service reported in several pieces spans them all; one it skipped gets an
    instant at the previous word's end."""
    spans: list[list[float] | None] = [None] * len(words)
    index = 0
    for text, start, end in events:
        key = _norm(text)
        if not key:
            continue
        probe = index
        while probe < len(words) and key not in _norm(words[probe]):
            probe += 1
        if probe == len(words):
            continue  # an event we cannot place (e.g. a number read differently)
        index = probe
        if spans[index] is None:
            spans[index] = [start, end]
        else:
            spans[index][1] = max(spans[index][1], end)
    timings, last = [], 0.0
    for word, span in zip(words, spans, strict=True):
        start, end = span if span else (last, last)
        timings.append(Timing(word, start, end))
        last = end
    return timings


def sentence_spans(sentences: list[str], words: list[Timing], duration: float) -> list[Timing]:
    spans, index = [], 0
    for sentence in sentences:
        count = len(tokens(sentence))
        own = words[index : index + count]
        index += count
        start = own[0].start if own else (spans[-1].end if spans else 0.0)
        end = own[-1].end if own else start
        spans.append(Timing(sentence, start, end))
    return spans
