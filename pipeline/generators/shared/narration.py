"""The narration stage: the plan spoken scene by scene, and its timings for later stages.

Narration is synthesized scene by scene: each scene's audio span is then known exactly, so
the pictures of a scene last as long as its words, and the word timings the voice reports
are placed on the whole video's clock for the captions.

Each scene's words start on a frame of the video (the pause before them stretched by under a
frame), and the narration ends on one: every scene then lasts a whole number of frames, so a
scene that only moves in time when another one changes is drawn and encoded exactly as before
(the assembler's per-scene segments are reused), and its cut falls on the frame it names.
"""

import json
import math
import wave
from pathlib import Path

from pipeline.errors import GeneratorError
from pipeline.generators.base import Stage
from pipeline.generators.shared.plan import load_plan
from pipeline.providers import get_provider
from pipeline.providers.tts.base import AUDIO_NAME, Speech
from pipeline.timing import Timing

SCENE_GAP = 0.35  # seconds of silence between scenes
LEAD_IN = 0.2


def narrate(ctx) -> dict:
    """Speaks every scene, then joins them into narration.wav on one clock. A scene spoken
    before with the same words, voice, rate and backend is reused, not spoken again."""
    plan = load_plan(ctx)
    tts = get_provider("tts")
    voice = ctx.options.get("voice") or None
    speaking_rate = float(ctx.options.get("speaking_rate", 1.0))
    fps = int(ctx.options.get("fps", 30))
    pieces, starts, spans, words, sentences = [], [], [], [], []
    reused, made = [], []
    clock = LEAD_IN
    rate = None
    for index, scene in enumerate(plan.scenes):
        ctx.progress(index / len(plan.scenes), f"Narrating scene {index + 1} of {len(plan.scenes)}")
        speech, was_reused = scene_speech(
            ctx, tts, index=index, text=scene.narration, voice=voice, rate=speaking_rate
        )
        (reused if was_reused else made).append(index)
        with wave.open(str(speech.audio_path), "rb") as source:
            if rate is None:
                rate, width = source.getframerate(), source.getsampwidth()
            elif source.getframerate() != rate:
                raise GeneratorError("The voice changed its sample rate between scenes.")
            pcm = source.readframes(source.getnframes())
        pieces.append(pcm)
        start = on_frame(clock, fps)
        starts.append(start)
        # Times to the millisecond, as the spans are written: a scene's words then lie at
        # the same offsets from its start wherever the scene falls.
        at = round(start, 3)
        words += [Timing(w.text, round(at + w.start, 3), round(at + w.end, 3))
                  for w in speech.words]  # fmt: skip
        sentences += [Timing(s.text, round(at + s.start, 3), round(at + s.end, 3))
                      for s in speech.sentences]  # fmt: skip
        clock = start + speech.duration
        spans.append(
            {
                "start": at,
                "speech_start": at,
                "speech_end": round(clock, 3),
                "beats": [round(s.start, 3) for s in speech.sentences],
            }
        )
        clock += SCENE_GAP
    report_reuse(ctx, "Narration", reused, made)
    total = on_frame(clock - SCENE_GAP + LEAD_IN, fps)
    # Each scene's picture runs until the next one's words start.
    for index, span in enumerate(spans):
        span["end"] = spans[index + 1]["start"] if index + 1 < len(spans) else round(total, 3)
        span["start"] = 0.0 if index == 0 else span["start"]
    _write_wav(ctx.path("narration.wav"), pieces, starts, total, rate, width)
    ctx.path("speech.json").write_text(
        json.dumps(
            {
                "duration": round(total, 3),
                "scenes": spans,
                "words": [w.as_dict() for w in words],
                "sentences": [s.as_dict() for s in sentences],
            }
        )
    )
    return {"audio": "narration.wav", "speech": "speech.json", "duration": round(total, 3)}


def scene_speech(ctx, tts, *, index: int, text: str, voice, rate: float) -> tuple[Speech, bool]:
    """One scene's speech in voice/<index>/ (audio and timings), and whether it was reused."""
    folder = ctx.path(f"voice/{index:02d}/x").parent
    return speech_cached(ctx.cached, tts, folder=folder, text=text, voice=voice, rate=rate)


def speech_cached(cached, tts, *, folder: Path, text: str, voice, rate: float):
    """Speech of `text` in `folder` (audio and timings) through the job's scene cache
    (`cached`: StageContext.cached, or SceneCache.entry outside a stage), and whether it was
    reused. The key is what changes the sound; a scene's seed is not part of it: a new seed
    makes a scene's picture again, not its voice."""
    entry = cached(
        "narration",
        {"text": text, "voice": voice or "", "rate": rate, "tts": tts.identity()},
        {"wav": folder / AUDIO_NAME, "json": folder / "timings.json"},
    )
    if not entry.restored:
        speech = tts.synthesize(text=text, out_dir=folder, voice=voice, rate=rate)
        timings = speech.to_json()
        del timings["audio_path"]  # the same words may be another scene's next time
        entry.files["json"].write_text(json.dumps(timings))
        entry.store()
    timings = json.loads(entry.files["json"].read_text())
    return Speech.from_json({**timings, "audio_path": entry.files["wav"]}), entry.restored


def report_reuse(ctx, label: str, reused: list, made: list, noun: str = "scene"):
    """One line in the job's event log: which scenes (0-based indexes) an earlier run's
    outputs served, and which were made, e.g. "Narration: reused scenes 1, 2; made scene 3".
    A tuple of indexes is the crossfade between those scenes: "Segments: reused scenes 1, 2
    and crossfade 1-2; made scene 3 and crossfade 2-3"."""

    def named(word: str, labels: list[str]) -> str:
        return f"{word if len(labels) == 1 else word + 's'} {', '.join(labels)}"

    def listed(verb: str, items: list) -> str:
        scenes = [str(i + 1) for i in items if isinstance(i, int)]
        fades = ["-".join(str(i + 1) for i in pair) for pair in items if not isinstance(pair, int)]
        groups = [named(word, labels) for word, labels in ((noun, scenes), ("crossfade", fades))
                  if labels]  # fmt: skip
        return f"{verb} {' and '.join(groups)}"

    parts = [listed(verb, found) for verb, found in (("reused", reused), ("made", made)) if found]
    if parts:
        ctx.event("progress", f"{label}: {'; '.join(parts)}", {"reused": reused, "made": made})


def on_frame(seconds: float, fps: int) -> float:
    """The first time at or after `seconds` that a frame of the video starts at."""
    return math.ceil(seconds * fps - 1e-6) / fps


def _write_wav(path: Path, pieces: list[bytes], starts: list[float], total: float, rate: int,
               width: int) -> None:  # fmt: skip
    """The scenes' sound, each piece from its start (seconds), silence around them."""
    audio = bytearray(round(total * rate) * width)
    for piece, start in zip(pieces, starts, strict=True):
        at = round(start * rate) * width
        audio[at : at + len(piece)] = piece
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(bytes(audio[: round(total * rate) * width]))


def speech(ctx) -> dict:
    """The narration's timings (speech.json): its duration, each scene's span and beats, and
    every word and sentence on the video's clock."""
    return json.loads((ctx.workdir / ctx.output("speech")).read_text())


def narration_stage(name: str = "narrate", label: str = "Recording narration", weight=2):
    return Stage(
        name, label, narrate, weight=weight, produces=("narration.wav", "speech.json"),
        needs=("plan_file",), outputs=("audio", "speech"),
    )  # fmt: skip
