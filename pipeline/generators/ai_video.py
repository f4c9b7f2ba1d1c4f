"""The ai_video generator: a few shots from a text-to-video model, joined into one video.

The planner splits the request into shots (one scene each, with a detailed image prompt);
each shot is rendered by the t2v provider (LTX-Video through diffusers), on a GPU while
holding its lock, and kept under a hash of what it was asked as soon as it is done, so a
retried job, or one whose plan was edited, renders only the shots it is missing. With `narration`,
the planner's captions are spoken, each shot is looped or cut to last as long as its words,
and the words become captions. A reference image (an upload or a library picture of the job's
owner) becomes the first frame of the first shot.
"""

import json
import secrets
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from pipeline.errors import GeneratorError
from pipeline.generators.base import Availability, Generator, Stage
from pipeline.generators.shared.captions import speech_cues, write_captions
from pipeline.generators.shared.narration import narrate, report_reuse, speech
from pipeline.generators.shared.options import voice_validate
from pipeline.generators.shared.pictures import on_device
from pipeline.generators.shared.plan import load_plan
from pipeline.providers import get_provider
from pipeline.providers.t2v.base import SIZE_MULTIPLE, frames_problem, size_problem

# LTX-Video's own advice for what to keep out of a shot.
DEFAULT_NEGATIVE_PROMPT = "worst quality, inconsistent motion, blurry, jittery, distorted"
REFERENCE_FILE = "reference.png"
REFERENCE_HINT = (
    "Upload the picture again (POST /api/v1/uploads, or POST /api/v1/media for your library) "
    "and use the id it returns."
)


def _multiple_at_most(value: int, limit: int) -> int:
    limit -= limit % SIZE_MULTIPLE
    return max(SIZE_MULTIPLE, min(value, limit))


def _frames_at_most(value: int, limit: int) -> int:
    return max(9, min(value, limit - (limit - 1) % 8))


class AiVideoOptions(serializers.Serializer):
    """The options, with limits read from the settings each time (they can change)."""

    def get_fields(self):
        max_w, max_h = settings.T2V_MAX_WIDTH, settings.T2V_MAX_HEIGHT
        max_frames, max_shots = settings.T2V_MAX_FRAMES, settings.T2V_MAX_SHOTS
        return {
            "max_shots": serializers.IntegerField(
                default=min(3, max_shots), min_value=1, max_value=max_shots,
                help_text="How many shots (scenes) at most.",
            ),
            "width": serializers.IntegerField(
                default=_multiple_at_most(704, max_w), min_value=SIZE_MULTIPLE, max_value=max_w,
                help_text=f"Pixels, a multiple of {SIZE_MULTIPLE}.",
            ),
            "height": serializers.IntegerField(
                default=_multiple_at_most(480, max_h), min_value=SIZE_MULTIPLE, max_value=max_h,
                help_text=f"Pixels, a multiple of {SIZE_MULTIPLE}.",
            ),
            "num_frames": serializers.IntegerField(
                default=_frames_at_most(97, max_frames), min_value=9, max_value=max_frames,
                help_text="Frames per shot: 8n+1 (9, 17, 25, ... 97 is 4 s at 24 fps).",
            ),
            "fps": serializers.IntegerField(
                default=24, min_value=1, max_value=getattr(settings, "VIDEO_MAX_FPS", 60)
            ),
            "steps": serializers.IntegerField(
                default=None, allow_null=True, min_value=1, max_value=100,
                help_text="Denoising steps; empty for the model's default.",
            ),
            "guidance": serializers.FloatField(
                default=None, allow_null=True, min_value=0.0, max_value=20.0,
                help_text="How closely to follow the prompt; empty for the model's default.",
            ),
            "seed": serializers.IntegerField(
                default=None, allow_null=True, min_value=0, max_value=2**31 - 1,
                help_text="Same seed, same shots; empty for a random one.",
            ),
            "negative_prompt": serializers.CharField(
                default=DEFAULT_NEGATIVE_PROMPT, allow_blank=True, max_length=500
            ),
            "style": serializers.CharField(
                default="", allow_blank=True, max_length=200,
                help_text="Added to every shot, e.g. 'cinematic, 35 mm film, golden hour'.",
            ),
            "reference_image": serializers.CharField(
                default="", allow_blank=True, max_length=36,
                help_text=(
                    "The id of one of your uploads or of a picture in your media library: "
                    "the first shot starts from it."
                ),
            ),
            "narration": serializers.BooleanField(
                default=False, help_text="Speak each shot's caption over it."
            ),
            "voice": serializers.CharField(
                default="", allow_blank=True, max_length=100,
                help_text="A voice for the narration; empty for the default.",
            ),
        }  # fmt: skip

    def validate_width(self, value):
        return _refuse(size_problem(value), value)

    def validate_height(self, value):
        return _refuse(size_problem(value), value)

    def validate_num_frames(self, value):
        return _refuse(frames_problem(value), value)

    def validate_reference_image(self, value):
        if not value:
            return ""
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise serializers.ValidationError(
                "Must be the id of an upload or a library picture (a UUID)."
            )

    def validate_voice(self, value):
        return voice_validate(value)

    def validate(self, attrs):
        seconds = attrs["max_shots"] * attrs["num_frames"] / attrs["fps"]
        limit = getattr(settings, "VIDEO_MAX_SECONDS", 600)
        if seconds > limit:
            raise serializers.ValidationError(
                {"num_frames": [f"{seconds:.0f} s of shots in all; the limit is {limit} s."]}
            )
        return attrs


def _refuse(problem: str, value):
    if problem:
        raise serializers.ValidationError(problem)
    return value


class AiVideoGenerator(Generator):
    def availability(self) -> Availability:
        """Available when a text-to-video model is configured and present (no torch)."""
        try:
            return get_provider("t2v").available()
        except ImproperlyConfigured as exc:
            return Availability.missing(str(exc), "VIDEOGEN_PROVIDERS")

    def validate_for_user(self, *, user, options: dict) -> dict:
        """Checks what depends on the person: the reference image must be their upload or a
        picture of their library. (The storyboard stage checks it again, for jobs created some
        other way.)"""
        from pipeline.library.selectors import reference_of

        item_id = options.get("reference_image")
        found = reference_of(owner_id=user.pk, item_id=item_id) if item_id else None
        if item_id and (problem := reference_problem(found)):
            raise serializers.ValidationError({"options": {"reference_image": [problem]}})
        return options


def reference_problem(found) -> str:
    """Why what a reference_image id names (`reference_of`) cannot start a shot, or ""."""
    from pipeline.models import MediaItem

    if found is None:
        return "You have no upload or library picture with this id."
    if isinstance(found, MediaItem) and found.kind != MediaItem.Kind.IMAGE:
        return "This is a clip in your library; reference_image takes a picture."
    return ""


# --- storyboard -------------------------------------------------------------------------------
def storyboard(ctx) -> dict:
    """Plans the shots: one per planned scene, at most max_shots, each with its own seed. The
    plan is the only document: the shots stage reads its shots from it."""
    options = ctx.options
    reference_image(ctx)  # refuse someone else's picture, or a clip, before any work
    max_shots = int(options["max_shots"])
    shot_seconds = int(options["num_frames"]) / int(options["fps"])
    plan = get_provider("llm").plan(
        kind="ai_video",
        prompt=ctx.prompt,
        options={
            "max_scenes": max_shots,
            "target_seconds": max_shots * shot_seconds,
            "style": options.get("style") or "",
        },
        on_progress=lambda fraction, message="": ctx.progress(fraction, message or "Planning"),
    )
    plan.scenes = plan.scenes[:max_shots]
    seed = options.get("seed")
    seed = secrets.randbelow(2**31 - max_shots) if seed is None else int(seed)
    for index, scene in enumerate(plan.scenes):
        scene.seed = scene.seed or seed + index
    data = plan.to_json()
    # The narration stage reads the plan too: it holds exactly the scenes that became shots.
    ctx.path("plan.json").write_text(json.dumps(data, indent=1))
    return {
        "plan_file": "plan.json",
        "title": plan.title,
        "shots": len(plan.scenes),
        "script": data,
    }


def plan_shots(ctx, plan) -> list[dict]:
    """What each shot asks of the model (what `t2v.generate` takes but the picture), from the
    plan as it is now, edited or not."""
    options = ctx.options
    style = (options.get("style") or "").strip()
    return [
        {
            "prompt": shot_prompt(scene.image_prompt or scene.narration, style),
            "negative_prompt": options.get("negative_prompt") or "",
            "width": int(options["width"]),
            "height": int(options["height"]),
            "num_frames": int(options["num_frames"]),
            "fps": int(options["fps"]),
            "seed": int(scene.seed),
            "steps": options.get("steps"),
            "guidance": options.get("guidance"),
        }
        for scene in plan.scenes
    ]


def shot_prompt(text: str, style: str) -> str:
    text = " ".join(text.split())
    return f"{text.rstrip('.')}, {style}" if style else text


def reference_image(ctx) -> Path | None:
    """The job's reference image, copied into the work folder on first use.

    Only the job owner's uploads and library pictures qualify: a job created with someone
    else's id, or a library clip's, fails here, permanently, whatever path it came in by.
    """
    from PIL import Image, UnidentifiedImageError

    item_id = ctx.options.get("reference_image")
    if not item_id:
        return None
    local = ctx.workdir / REFERENCE_FILE
    if local.exists():
        return local
    found = ctx.reference(item_id)
    if problem := reference_problem(found):
        raise GeneratorError(
            f"The reference image {item_id} was refused: {problem}",
            permanent=True,
            hint=REFERENCE_HINT,
        )
    partial = ctx.path(REFERENCE_FILE + ".part")
    try:
        with found.file.open("rb") as fh, Image.open(fh) as image:
            image.convert("RGB").save(partial, format="PNG")
    except (OSError, UnidentifiedImageError) as exc:
        raise GeneratorError(
            f"The reference image could not be read: {exc}", permanent=True, hint=REFERENCE_HINT
        )
    partial.replace(local)
    return local


# --- shots ------------------------------------------------------------------------------------
def shot_name(index: int) -> str:
    return f"shots/{index:02d}.mp4"


def render_shots(ctx) -> dict:
    """Renders every shot, one at a time, each under the device's lock. A shot rendered
    before from the same request (prompt, seed, size, reference picture ...) to the same
    model is reused, not rendered again; the first shot starts from the reference image."""
    shots = plan_shots(ctx, load_plan(ctx))
    reference = ctx.options.get("reference_image") or ""
    t2v = get_provider("t2v")
    device = t2v.device()
    total = len(shots)
    reused, rendered = [], []
    for index, request in enumerate(shots):
        from_image = reference if index == 0 else ""
        entry = ctx.cached(
            "shot",
            {**request, "reference": from_image, "t2v": t2v.identity()},
            {"mp4": ctx.path(shot_name(index))},
        )
        if entry.restored:
            reused.append(index)
            ctx.progress((index + 1) / total, f"Shot {index + 1} of {total} was already rendered")
            continue
        seconds = _render_shot(ctx, t2v, device, index, request, bool(from_image), total)
        entry.store()
        rendered.append(index)
        ctx.event(
            "shot_complete",
            f"Shot {index + 1} of {total} rendered in {seconds:.1f} s",
            {"index": index, "shots": total, "seconds": seconds, "file": shot_name(index)},
        )
    report_reuse(ctx, "Shots", reused, rendered, noun="shot")
    return {
        "shots": [shot_name(index) for index in range(total)],
        "rendered": rendered,
        "device": device,
    }


def _render_shot(
    ctx, t2v, device: str, index: int, request: dict, from_image: bool, total: int
) -> float:
    from PIL import Image

    image = None
    if from_image:
        with Image.open(reference_image(ctx)) as picture:
            image = picture.convert("RGB")

    def on_progress(fraction: float, message: str = "") -> None:
        label = f"Shot {index + 1} of {total}"
        ctx.progress((index + fraction) / total, f"{label}: {message}" if message else label)

    def on_wait() -> None:
        ctx.progress(index / total, f"Waiting for {device}: another job is using it")

    started = time.monotonic()
    with on_device(device, check=ctx.check, on_wait=on_wait, every_device=True):
        t2v.generate(
            **request, image=image, out_path=ctx.path(shot_name(index)), on_progress=on_progress
        )
    return round(time.monotonic() - started, 3)


# --- narration --------------------------------------------------------------------------------
def narrate_shots(ctx) -> dict:
    """Speaks each shot's caption (`narrate` finds the plan the storyboard wrote)."""
    if not ctx.options.get("narration"):
        return {"skipped": True}
    return narrate(ctx)


# --- assembly ---------------------------------------------------------------------------------
def assemble(ctx) -> dict:
    """Joins the shots. With narration, each shot lasts as long as its caption is spoken
    (looped when the words run longer than the shot, cut when shorter), and the words become
    WebVTT and SRT captions."""
    from pipeline.generators.shared.assembly import review
    from pipeline.media.assemble import concat_clips
    from pipeline.media.inspection import Expected

    clips = [ctx.workdir / name for name in ctx.output("shots")]
    width, height, fps = (int(ctx.options[key]) for key in ("width", "height", "fps"))
    clip_seconds = int(ctx.options["num_frames"]) / fps
    durations = [clip_seconds] * len(clips)
    narration, outputs = None, {}
    if ctx.options.get("narration"):
        timing = speech(ctx)
        durations = [span["end"] - span["start"] for span in timing["scenes"]]
        narration = ctx.workdir / ctx.output("audio")
        # Sidecar captions only (the player draws them), cut where the voice pauses.
        cues = speech_cues(timing, scene_breaks=False)
        outputs = write_captions(ctx, cues) if cues else {}
    paths, lengths = [], []
    for clip, seconds in zip(clips, durations, strict=True):
        pieces = loop_or_cut(seconds, clip_seconds)
        paths += [clip] * len(pieces)
        lengths += pieces
    concat_clips(
        paths,
        ctx.path("video.mp4"),
        size=(width, height),
        fps=fps,
        durations=lengths,
        narration=narration,
        on_progress=lambda fraction, message="": ctx.progress(fraction, message or "Joining"),
        check=ctx.check,
        loudness=settings.AUDIO_TARGET_LUFS,
        on_samples=(samples := []).append,
    )
    expected = Expected(
        audio=narration is not None, size=(width, height), narration=narration,
        loudness_target=settings.AUDIO_TARGET_LUFS if narration else None,
    )  # fmt: skip
    return {
        "video": "video.mp4",
        "duration": round(sum(durations), 3),
        "title": load_plan(ctx).title,
        **outputs,
        **review(ctx, ctx.path("video.mp4"), expected, *samples),
    }


def loop_or_cut(seconds: float, clip_seconds: float) -> list[float]:
    """How long each pass through a clip lasts so that together they last `seconds`."""
    passes = [clip_seconds] * int(seconds // clip_seconds)
    rest = seconds - sum(passes)
    if rest > 1e-3 or not passes:
        passes.append(rest)
    return passes


generator = AiVideoGenerator(
    kind="ai_video",
    roles=("llm", "t2v", "tts"),
    label="AI video",
    description=(
        "Shots from a text-to-video model (LTX-Video), optionally narrated and started from "
        "a picture you upload or keep in your media library."
    ),
    stages=[
        Stage(
            "storyboard",
            "Planning shots",
            storyboard,
            weight=1,
            produces=("plan.json",),
            outputs=("plan_file",),
        ),
        Stage(
            "shots",
            "Rendering shots",
            render_shots,
            weight=10,
            produces=("shots",),
            needs=("plan_file",),
            outputs=("shots",),
        ),
        Stage(
            "narrate",
            "Narrating",
            narrate_shots,
            weight=1,
            needs=("plan_file",),
            outputs=("audio", "speech"),
        ),
        Stage(
            "assemble",
            "Joining shots",
            assemble,
            weight=2,
            produces=("video.mp4",),
            needs=("plan_file", "shots", "speech", "audio"),
        ),
    ],
    options_serializer=AiVideoOptions,
    planning=(
        "Shots for a text-to-video model: every scene is one shot of a few seconds with a "
        "detailed image_prompt (subject, action, camera, light) and visual type image; "
        "narration is a short caption of the shot."
    ),
    prompt_label="What should the video show?",
    prompt_max_chars=5000,
    uses_gpu=True,
)
