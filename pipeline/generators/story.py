"""The story generator: pasted text becomes narration, timed captions and background pictures,
assembled into a video.

Stages (with their share of the progress bar): plan 20, narrate 40, captions 60, visuals 80,
assemble 100.
"""

from pipeline.generators.base import Generator, Stage
from pipeline.generators.shared.assembly import assemble_stills_stage
from pipeline.generators.shared.captions import captions_stage_named
from pipeline.generators.shared.narration import narration_stage
from pipeline.generators.shared.options import SlideshowOptions
from pipeline.generators.shared.pictures import visuals_stage
from pipeline.generators.shared.plan import plan_stage


class StoryOptions(SlideshowOptions):
    pass


generator = Generator(
    kind="story",
    roles=("llm", "tts", "images"),
    label="Story",
    description="Paste a story: it is read aloud over pictures made for each part, with "
    "captions that follow the voice.",
    stages=[
        Stage(
            "plan",
            "Splitting the story into scenes",
            plan_stage("story"),
            weight=2,
            produces=("plan.json",),
            outputs=("plan_file",),
        ),
        narration_stage(weight=2),
        captions_stage_named(weight=2),
        Stage(
            "visuals",
            "Making pictures",
            visuals_stage,
            weight=2,
            produces=("stills",),
            needs=("plan_file",),
            outputs=("stills",),
        ),
        Stage(
            "assemble",
            "Assembling the video",
            assemble_stills_stage,
            weight=2,
            produces=("video.mp4",),
            needs=("plan_file", "speech", "audio", "stills"),
        ),
    ],  # fmt: skip
    options_serializer=StoryOptions,
    planning=(
        "A narrated story. When the request contains the story text, keep its wording as the "
        "narration, every sentence once and nothing added, and only split it into scenes; "
        "otherwise write a short story. Every scene uses visual type image with a vivid, "
        "concrete image_prompt in one consistent style."
    ),
    prompt_label="Story",
    prompt_max_chars=20_000,
)
