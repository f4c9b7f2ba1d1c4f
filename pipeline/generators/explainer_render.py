"""The explainer's render stage: every scene of the plan drawn by our Manim templates, or by
LLM-written Manim code run in the sandbox when the job asks for it and a model can write it.

Scenes render in EXPLAINER_PARALLEL processes at once; each process renders its share of the
scenes one after the other, so Manim is imported once per process, not once per scene.
"""

import json
import sys
import threading
from pathlib import Path

from django.conf import settings

from pipeline.errors import GeneratorError
from pipeline.generators.shared.narration import report_reuse, speech
from pipeline.generators.shared.plan import load_plan
from pipeline.manim_scenes import latex_available
from pipeline.media.frames import resolve_size


def scene_specs(ctx) -> list[dict]:
    plan = load_plan(ctx)
    timing = speech(ctx)
    width, height = resolve_size(ctx.options["aspect"], int(ctx.options["quality"]))
    specs = []
    for index, (scene, span) in enumerate(zip(plan.scenes, timing["scenes"], strict=True)):
        duration = span["end"] - span["start"]
        specs.append(
            {
                "index": index,
                "visual": scene.visual,
                "bullets": scene.bullets,
                "formula": scene.formula,
                "on_screen_text": scene.on_screen_text,
                "duration": round(duration, 3),
                # Sentence starts, on the scene's own clock (after its lead-in).
                "beats": [
                    round(b + span["speech_start"] - span["start"], 3) for b in span["beats"]
                ],
                "width": width,
                "height": height,
                "fps": int(ctx.options["fps"]),
                "palette": ctx.options.get("style", "default"),
                "latex": latex_available(),
            }
        )
    return specs


def render_templates(ctx, specs: list[dict], reused: list[int]) -> list[str]:
    """Renders the specs in parallel processes; returns the clip paths (relative). A scene
    rendered before from the same spec is reused (its index added to `reused`)."""
    folders, entries = [], []
    for spec in specs:
        folder = ctx.path(f"scenes/{spec['index']:02d}/spec.json").parent
        (folder / "spec.json").write_text(json.dumps(spec))
        folders.append(folder)
        entry = ctx.cached("template-scene", _spec_key(spec), {"mp4": folder / "scene.mp4"})
        if entry.restored:
            reused.append(spec["index"])
        entries.append(entry)
    todo = [f for f, entry in zip(folders, entries, strict=True) if not entry.restored]
    workers = max(1, min(settings.EXPLAINER_PARALLEL, len(todo)))
    batches = [todo[i::workers] for i in range(workers)]
    errors: list[Exception] = []
    done = [len(folders) - len(todo)]
    lock = threading.Lock()

    def run(batch: list[Path], number: int):
        try:
            ctx.run(
                [sys.executable, "-m", "pipeline.manim_scenes", *[f / "spec.json" for f in batch]],
                label=f"manim-{number}",
                cwd=settings.BASE_DIR,
                timeout=settings.JOB_TIMEOUT,
            )
            with lock:
                done[0] += len(batch)
        except Exception as exc:  # reported below, after every process has stopped
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(b, n)) for n, b in enumerate(batches) if b]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        for thread in threads:
            thread.join(timeout=0.5)
        ctx.progress(done[0] / len(folders), f"Rendered {done[0]} of {len(folders)} scenes")
    if errors:
        ctx.check()  # a cancel shows as a failed child: say canceled, not failed
        first = errors[0]
        if isinstance(first, GeneratorError):
            raise first
        raise GeneratorError(f"Rendering a scene failed: {first}", permanent=True)
    for entry in entries:
        if not entry.restored:
            entry.store()
    return [str((f / "scene.mp4").relative_to(ctx.workdir)) for f in folders]


def _spec_key(spec: dict) -> dict:
    """What a scene's clip depends on: its spec, wherever the scene stands in the plan."""
    return {name: value for name, value in spec.items() if name != "index"}


CODE_SYSTEM = (
    "You write one Manim Community Edition scene in Python for an explainer video. Reply with "
    "code only. Rules: `from manim import *` and optionally numpy as np and math; exactly one "
    "class deriving from Scene with a construct(self) method; no files, no LaTeX (use Text or "
    "MarkupText, never Tex or MathTex), no SVG or images; the animations and waits must add "
    "up to the requested duration in seconds."
)


def _code_prompt(spec: dict, narration: str) -> str:
    return (
        f"Scene {spec['index'] + 1}. Duration: {spec['duration']:.2f} seconds.\n"
        f"Narration: {narration}\n"
        f"On-screen title: {spec.get('on_screen_text', '')}\n"
        f"Bullets: {'; '.join(spec.get('bullets') or [])}\n"
        f"Formula (write it with Text): {spec.get('formula', '')}\n"
        f"Visual idea: {json.dumps(spec.get('visual') or {})}\n"
        f"Background colour is dark; keep everything inside the frame."
    )


def render_llm(ctx, specs: list[dict], reused: list[int]) -> tuple[list[str | None], str]:
    """Has the language model write each scene, rendered in the sandbox with repairs.

    Returns one clip path per scene (None where the model's code never rendered) and the code
    written, for GET jobs/<id>/script. A scene whose code rendered before from the same spec,
    narration, seed and model is reused (its index added to `reused`); a new seed asks again.
    """
    from pipeline.providers import get_provider
    from pipeline.sandbox import SandboxUnavailable, render_with_repairs

    planner = get_provider("llm")
    if not planner.supports_code:
        ctx.event("progress", f"{planner.display_name} cannot write code; using templates.")
        return [None] * len(specs), ""
    plan = load_plan(ctx)
    clips: list[str | None] = []
    scripts = []
    for spec, scene in zip(specs, plan.scenes, strict=True):
        index = spec["index"]
        folder = ctx.path(f"llm/{index:02d}/x").parent
        entry = ctx.cached(
            "llm-scene",
            {**_spec_key(spec), "narration": scene.narration, "seed": scene.seed,
             "llm": planner.identity()},
            {"mp4": folder / "scene.mp4", "py": folder / "scene.py"},
        )  # fmt: skip
        if entry.restored:
            reused.append(index)
            scripts.append(f"# scene {index + 1}\n{entry.files['py'].read_text()}")
            clips.append(str(entry.files["mp4"].relative_to(ctx.workdir)))
            continue
        ctx.progress(index / len(specs), f"Writing scene {index + 1}")
        prompt = _code_prompt(spec, scene.narration)

        def fix(code, error, prompt=prompt):
            return planner.generate_code(
                CODE_SYSTEM,
                f"{prompt}\n\nThis code failed:\n{code}\n\nError:\n{error}\n\nFix it.",
            )

        def told(attempt, index=index):
            if attempt.kind != "rendered":
                ctx.event(
                    "progress",
                    f"Scene {index + 1}: attempt {attempt.number + 1} failed "
                    f"({attempt.kind}); {attempt.error.splitlines()[0][:200]}",
                )

        try:
            result = render_with_repairs(
                code=planner.generate_code(CODE_SYSTEM, prompt),
                generate_fix=fix,
                max_repairs=settings.LLM_CODE_REPAIRS,
                workdir=folder,
                on_attempt=told,
                quality=(spec["width"], spec["height"], spec["fps"]),
                timeout=settings.SANDBOX_TIMEOUT,
                python=settings.SANDBOX_PYTHON or None,
                run=ctx.run,
            )
        except SandboxUnavailable as exc:
            ctx.event("progress", f"The sandbox is unavailable ({exc}); using templates.")
            reused.clear()
            return [None] * len(specs), "\n\n".join(scripts)
        scripts.append(f"# scene {index + 1}\n{result.code}")
        if result.video:
            Path(result.video).replace(entry.files["mp4"])
            entry.files["py"].write_text(result.code)
            entry.store()
            clips.append(str(entry.files["mp4"].relative_to(ctx.workdir)))
        else:
            ctx.event(
                "progress",
                f"Scene {index + 1}: the model's code did not render after "
                f"{len(result.attempts)} attempts; drawing it with the templates instead.",
            )
            clips.append(None)
    return clips, "\n\n".join(scripts)


def render_stage(ctx) -> dict:
    specs = scene_specs(ctx)
    clips: list[str | None] = [None] * len(specs)
    outputs: dict = {}
    reused: list[int] = []
    if ctx.options.get("llm_code"):
        clips, script = render_llm(ctx, specs, reused)
        if script:
            outputs["script"] = script
    missing = [spec for spec, clip in zip(specs, clips, strict=True) if clip is None]
    if missing:
        rendered = iter(render_templates(ctx, missing, reused))
        clips = [clip or next(rendered) for clip in clips]
    renderers = ["llm" if spec not in missing else "templates" for spec in specs]
    report_reuse(
        ctx, "Scenes", sorted(reused), [s["index"] for s in specs if s["index"] not in reused]
    )
    return {
        **outputs,
        "clips": clips,
        "durations": [spec["duration"] for spec in specs],
        "renderers": renderers,
        "latex": specs[0]["latex"] if specs else False,
    }
