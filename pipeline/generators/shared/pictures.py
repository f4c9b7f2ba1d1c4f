"""A picture (or clip) per scene, and the device lock a model run takes on a GPU."""

from contextlib import contextmanager

from pipeline.generators.shared.narration import report_reuse
from pipeline.generators.shared.options import frame_size
from pipeline.generators.shared.plan import load_plan
from pipeline.gpu import device_lock
from pipeline.providers import get_provider


def device_of(backend) -> str:
    """The device a backend runs its model on ("cuda:0", "cpu"); "cpu" for one without a
    model (procedural pictures, say)."""
    return backend.device() if hasattr(backend, "device") else "cpu"


@contextmanager
def on_device(device: str, *, check, on_wait=None, every_device: bool = False):
    """Runs the block holding `device`'s lock when it is a CUDA GPU, one model on it at a time
    across the host's workers (see pipeline/gpu.py); elsewhere the block runs at once, unless
    `every_device` (a model that fills the machine, such as text-to-video, takes the lock
    of the CPU too). `check` stops a wait on cancel; `on_wait` is called once if busy."""
    if not (every_device or device.startswith("cuda")):
        yield
        return
    with device_lock(device, check=check, on_wait=on_wait):
        yield


def visuals_stage(ctx) -> dict:
    """A picture or clip per scene: from the person's library or stock where one matches the
    scene's words (option `visuals`), else from the images backend (procedural by default).
    A picture made before from the same request to the same backend is reused."""
    from pipeline.library.choose import words
    from pipeline.library.visuals import scene_visuals

    plan = load_plan(ctx)
    images = get_provider("images")
    size = frame_size(ctx)
    device = device_of(images)
    chosen = scene_visuals(ctx, plan)
    paths, reused, made = [], [], []
    for index, scene in enumerate(plan.scenes):
        if chosen[index]["file"]:
            paths.append(chosen[index]["file"])
            continue
        path = ctx.path(f"stills/{index:02d}.png")
        paths.append(str(path.relative_to(ctx.workdir)))
        # The opening picture carries the title; the others the scene's own words (a heading,
        # key words), or nothing under burned captions, which already show what is said (so
        # does the opening one when its title is what the scene says).
        text = scene.on_screen_text if index else (plan.title or scene.on_screen_text)
        if ctx.options.get("burn_captions") and (index or words(text) == words(scene.narration)):
            text = ""
        request = {
            "prompt": scene.image_prompt or scene.narration,
            "size": size,
            "seed": index + scene.seed,  # a new seed, a new picture of the same scene
            "palette": ctx.options.get("style", "default"),
            "text": text,
        }
        entry = ctx.cached("picture", {**request, "images": images.identity()}, {"png": path})
        if entry.restored:
            reused.append(index)
            continue
        ctx.progress(index / len(plan.scenes), f"Picture {index + 1} of {len(plan.scenes)}")
        with on_device(device, check=ctx.check):
            images.generate(**request, out_path=path)
        entry.store()
        made.append(index)
    report_reuse(ctx, "Pictures", reused, made)
    return {"stills": paths, "visuals": chosen}
