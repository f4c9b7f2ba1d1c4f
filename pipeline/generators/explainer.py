"""The explainer generator: a planner writes a scene plan, Manim draws it, a voice narrates it.

Stages: plan, narrate, captions, render, assemble. Scenes last as long as their
narration, so voice and animation stay in step; the render stage uses our own Manim templates,
or, when the job asks for it and a language model is configured, Manim code the model writes,
run in the sandbox with a bounded number of repairs before falling back to the templates.
"""

from rest_framework import serializers

from pipeline.generators.base import Generator, Stage
from pipeline.generators.explainer_render import render_stage
from pipeline.generators.shared.assembly import assemble_clips_stage
from pipeline.generators.shared.captions import captions_stage_named
from pipeline.generators.shared.narration import narration_stage
from pipeline.generators.shared.options import NarratedVideoOptions
from pipeline.generators.shared.plan import plan_stage


class ExplainerOptions(NarratedVideoOptions):
    llm_code = serializers.BooleanField(
        default=False,
        help_text="Let the language model write the Manim code (run in a sandbox).",
    )
    max_scenes = serializers.IntegerField(default=4, min_value=1, max_value=12)
    burn_captions = serializers.BooleanField(
        default=False, help_text="Draw the captions into the picture (files are made anyway)."
    )
    target_seconds = serializers.IntegerField(
        default=45, min_value=10, max_value=600, help_text="About how long the video runs."
    )


generator = Generator(
    kind="explainer",
    roles=("llm", "tts"),
    label="Explainer",
    description="A narrated animation that explains a topic: titles, bullet points, formulas, "
    "graphs and shapes drawn with Manim.",
    stages=[
        Stage(
            "plan",
            "Planning scenes",
            plan_stage("explainer"),
            weight=1,
            produces=("plan.json",),
            outputs=("plan_file",),
        ),
        narration_stage(weight=2),
        captions_stage_named(weight=0.5),
        Stage(
            "render",
            "Animating scenes",
            render_stage,
            weight=8,
            produces=("scenes",),
            needs=("plan_file", "speech"),
            outputs=("clips", "durations"),
        ),
        Stage(
            "assemble",
            "Assembling the video",
            assemble_clips_stage,
            weight=2,
            produces=("video.mp4",),
            needs=("plan_file", "speech", "audio", "clips", "durations"),
        ),
    ],  # fmt: skip
    options_serializer=ExplainerOptions,
    planning=(
        "An educational explainer. Open with a title scene, build the idea in small steps, "
        "end with a short recap. Show, don't list: give each scene the visual that draws its "
        "idea, with the data filled in: array for searches and sorts (one step per pointer "
        "move), graph (with trace, tangent or area) for functions, equation_steps for "
        "algebra, unit_circle for sine and cosine, number_line, code (highlight the line "
        "being explained), table, bar_chart, diagram (boxes and arrows), timeline, "
        "comparison; formula for one formula; bullets only when nothing else fits. The steps "
        "of a visual appear one per sentence of the scene's narration, so write one sentence "
        "per step."
    ),
    prompt_label="Topic",
    prompt_max_chars=5000,
)
