"""The YouTube generator: ideation, a script with image prompts, images, voices, assembly and
captions, with the title, description (with chapter timestamps) and tags ready to upload.

Each stage leaves its artifacts in the work folder and its timing in the manifest; with
`until` (and `continue`) the stages can be run one at a time through the API.
"""

import json

from rest_framework import serializers

from pipeline.generators.base import Generator, Stage
from pipeline.generators.shared.assembly import assemble_stills_stage
from pipeline.generators.shared.captions import captions_stage, captions_stage_named
from pipeline.generators.shared.narration import narration_stage, speech
from pipeline.generators.shared.options import SlideshowOptions
from pipeline.generators.shared.pictures import visuals_stage
from pipeline.generators.shared.plan import load_plan, plan_stage


class YouTubeOptions(SlideshowOptions):
    target_seconds = serializers.IntegerField(
        default=60, min_value=15, max_value=600, help_text="About how long the video runs."
    )
    audience = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


def script(ctx) -> dict:
    """The script a person would review: what is said and what is shown, scene by scene."""
    plan = load_plan(ctx)
    scenes = [
        {
            "scene": index + 1,
            "narration": scene.narration,
            "on_screen_text": scene.on_screen_text,
            "image_prompt": scene.image_prompt,
            "search_terms": scene.search_terms,
        }
        for index, scene in enumerate(plan.scenes)
    ]
    write_json(ctx, "script.json", {"title": plan.title, "scenes": scenes})
    return {"script_file": "script.json", "script": scenes, "title": plan.title}


def youtube_metadata(ctx) -> dict:
    """Title, description with chapter timestamps, and tags, for an upload to YouTube."""
    plan = load_plan(ctx)
    spans = speech(ctx)["scenes"]
    meta = plan.youtube
    chapters = []
    for chapter in meta.chapters if meta else []:
        seconds = int(spans[chapter.start_scene]["start"])
        chapters.append(f"{seconds // 60}:{seconds % 60:02d} {chapter.title}")
    description = (meta.description if meta else plan.summary).strip()
    if chapters:
        description += "\n\nChapters:\n" + "\n".join(chapters)
    return {
        "title": meta.title if meta else plan.title,
        "description": description,
        "tags": meta.tags if meta else [],
        "chapters": chapters,
    }


def write_json(ctx, name: str, data) -> str:
    ctx.path(name).write_text(json.dumps(data, indent=1))
    return name


def captions(ctx) -> dict:
    outputs = captions_stage(ctx)
    metadata = youtube_metadata(ctx)
    write_json(ctx, "youtube.json", metadata)
    return {**outputs, "youtube": metadata, "metadata_file": "youtube.json"}


generator = Generator(
    kind="youtube",
    roles=("llm", "tts", "images"),
    label="YouTube video",
    description="From a topic to a narrated video with pictures, captions, and a title, "
    "description with chapters and tags ready to upload.",
    stages=[
        Stage(
            "ideation",
            "Finding the angle",
            plan_stage("youtube"),
            weight=1,
            produces=("plan.json",),
            outputs=("plan_file",),
        ),
        Stage(
            "script",
            "Writing the script",
            script,
            weight=1,
            produces=("script.json",),
            needs=("plan_file",),
        ),
        Stage(
            "images",
            "Making images",
            visuals_stage,
            weight=2,
            produces=("stills",),
            needs=("plan_file",),
            outputs=("stills",),
        ),
        narration_stage("voices", "Recording voices", weight=2),
        Stage(
            "assembly",
            "Assembling the video",
            assemble_stills_stage,
            weight=2,
            produces=("video.mp4",),
            needs=("plan_file", "speech", "audio", "stills"),
        ),
        captions_stage_named(run=captions, produces=("youtube.json",), needs=("plan_file",)),
    ],  # fmt: skip
    options_serializer=YouTubeOptions,
    planning=(
        "A YouTube video with a strong hook in the first scene and a recap at the end; every "
        "sentence says something specific about the topic. Fill youtube: a title, a "
        "description, tags and chapters (start_scene indexes; the first chapter starts at "
        "scene 0)."
    ),
    prompt_label="Topic",
    prompt_max_chars=2_000,
)
