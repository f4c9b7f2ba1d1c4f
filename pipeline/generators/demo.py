"""The demo generator: a short clip of title cards over a test tone.

It needs nothing but Pillow and ffmpeg, so it shows the whole pipeline (queue, stages,
checkpoints, live progress, the gallery) in seconds. It is off unless VIDEOGEN_DEMO_KIND is
set. Its `seconds` option spreads each stage's work over time, `fail_at` makes a stage fail,
and `hold_at` makes one wait until it is released (a file in the job's work folder): that is
how the pipeline's cancel, retry and recovery paths are exercised, and how a drill catches a
job in the middle of a stage without racing it.
"""

import json
import re
import time

from rest_framework import serializers

from pipeline.errors import GeneratorError
from pipeline.generators.base import Generator, Stage
from pipeline.media.ffmpeg import MP4_AUDIO, MP4_CONTAINER, MP4_VIDEO, base_args
from pipeline.plan import MAX_SCENES_LIMIT, NARRATION_MAX, Plan, Scene, plan_from_text
from pipeline.visuals import TITLE_MAX

CARD_SECONDS = 1.5
WIDTH, HEIGHT, FPS = 640, 360, 15
STAGE_NAMES = ["plan", "frames", "encode"]


class DemoOptions(serializers.Serializer):
    seconds = serializers.FloatField(
        default=0.0, min_value=0.0, max_value=30.0, help_text="Time each stage takes."
    )
    cards = serializers.IntegerField(default=2, min_value=1, max_value=6)
    fail_at = serializers.ChoiceField(
        choices=["", *STAGE_NAMES],
        default="",
        allow_blank=True,
        help_text="Make this stage fail (to try retries).",
    )
    fail_transient = serializers.BooleanField(
        default=False, help_text="Make that failure one that is retried automatically."
    )
    hold_at = serializers.ChoiceField(
        choices=["", *STAGE_NAMES],
        default="",
        allow_blank=True,
        help_text="Make this stage wait, once started, until `release-<stage>` exists in the "
        "job's work folder (it writes `holding-<stage>` there first).",
    )


def _work(ctx, seconds: float, message: str, steps: int = 10) -> None:
    for i in range(steps):
        _pause(ctx, seconds / steps)
        ctx.progress((i + 1) / steps, message)


def _pause(ctx, seconds: float) -> None:
    """Waits in short naps, looking for a cancel between them, as real work does."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(0.05, left))
        ctx.check()


def _maybe_hold(ctx) -> None:
    """A stage barrier: says it is holding, then waits (still stopping on cancel) until it
    is released."""
    if ctx.options.get("hold_at") != ctx.stage.name:
        return
    ctx.path(f"holding-{ctx.stage.name}").touch()
    release = ctx.workdir / f"release-{ctx.stage.name}"
    while not release.exists():
        _pause(ctx, 0.05)


def _maybe_fail(ctx) -> None:
    if ctx.options.get("fail_at") == ctx.stage.name:
        raise GeneratorError(
            f"Stage {ctx.stage.name} failed on purpose.",
            permanent=not ctx.options.get("fail_transient"),
            hint="Set fail_at to an empty value and retry.",
        )


def plan(ctx) -> dict:
    _maybe_fail(ctx)
    _maybe_hold(ctx)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", ctx.prompt) if s.strip()]
    cards = (sentences or [ctx.prompt])[: ctx.options.get("cards", 2)]
    while len(cards) < ctx.options.get("cards", 2):
        cards.append(cards[-1])
    _work(ctx, ctx.options.get("seconds", 0), "Planning cards")
    # A plan like every generator's (pipeline/plan.py): one scene per card, so the demo's
    # plan can be reviewed and edited too.
    plan = Plan(
        title=cards[0][:TITLE_MAX],
        summary="",
        scenes=[Scene(narration=card[:NARRATION_MAX]) for card in cards],
    )
    ctx.path("plan.json").write_text(json.dumps(plan.to_json()))
    return {"title": plan.title, "cards": len(cards), "script": cards}


def _cards(ctx) -> list[str]:
    text = (ctx.workdir / "plan.json").read_text()
    return [scene.narration for scene in plan_from_text(text, max_scenes=MAX_SCENES_LIMIT).scenes]


def frames(ctx) -> dict:
    from PIL import Image, ImageDraw, ImageFont

    _maybe_fail(ctx)
    _maybe_hold(ctx)
    cards = _cards(ctx)
    font = ImageFont.load_default(size=28)
    seconds = ctx.options.get("seconds", 0)
    for i, text in enumerate(cards):
        image = Image.new("RGB", (WIDTH, HEIGHT), (24 + 30 * i % 200, 40, 90))
        draw = ImageDraw.Draw(image)
        draw.rectangle([20, 20, WIDTH - 20, HEIGHT - 20], outline=(255, 255, 255), width=3)
        draw.multiline_text(
            (WIDTH // 2, HEIGHT // 2),
            _wrap(text, 36),
            font=font,
            fill="white",
            anchor="mm",
            align="center",
        )
        image.save(ctx.path(f"cards/{i:02d}.png"))
        _pause(ctx, seconds / len(cards))
        ctx.progress((i + 1) / len(cards), f"Drew card {i + 1} of {len(cards)}")
    return {"cards": len(cards)}


def encode(ctx) -> dict:
    _maybe_fail(ctx)
    _maybe_hold(ctx)
    count = ctx.output("cards")
    duration = count * CARD_SECONDS
    args = [*base_args()]
    for i in range(count):
        args += [
            "-loop",
            "1",
            "-framerate",
            str(FPS),
            "-t",
            str(CARD_SECONDS),
            "-i",
            ctx.workdir / f"cards/{i:02d}.png",
        ]
    args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={duration}"]
    inputs = "".join(f"[{i}:v]" for i in range(count))
    args += [
        "-filter_complex",
        f"{inputs}concat=n={count}:v=1:a=0,format=yuv420p[v]",
        "-map",
        "[v]",
        "-map",
        f"{count}:a",
        *MP4_VIDEO,
        "-r",
        str(FPS),
        *MP4_AUDIO,
        "-shortest",
        *MP4_CONTAINER,
        ctx.path("clip.mp4"),
    ]
    _work(ctx, ctx.options.get("seconds", 0), "Encoding", steps=5)
    ctx.run(args, label="ffmpeg")
    return {"video": "clip.mp4", "duration": duration, "title": _cards(ctx)[0][:80]}


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:5])


generator = Generator(
    kind="demo",
    label="Demo clip",
    description="A few title cards over a test tone: shows the pipeline working in seconds.",
    stages=[
        Stage("plan", "Planning", plan, weight=1, produces=("plan.json",)),
        Stage("frames", "Drawing cards", frames, weight=2, produces=("cards",), outputs=("cards",)),
        Stage("encode", "Encoding", encode, weight=2, produces=("clip.mp4",), needs=("cards",)),
    ],
    options_serializer=DemoOptions,
    prompt_max_chars=2000,
)
