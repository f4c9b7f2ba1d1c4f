from rest_framework import serializers

from pipeline.generators import all_generators, get_generator
from pipeline.models import Job
from pipeline.services import job_submit


def job_create(
    *,
    user,
    kind: str,
    prompt: str,
    options: dict | None,
    title: str = "",
    until: str = "",
    review: bool = False,
) -> Job:
    """Validates a request against its generator, then hands it to the pipeline.

    Raises serializers.ValidationError naming the field at fault (`kind`, `prompt`,
    `options.<name>`), or pipeline.services.ActiveJobLimit. With `review`, the job pauses
    after its planning stage, so the plan can be edited before the rest runs.
    """
    try:
        generator = get_generator(kind)
    except LookupError:
        choices = ", ".join(sorted(all_generators()))
        raise serializers.ValidationError(
            {"kind": [f"Unknown generator {kind!r}; choose one of: {choices}."]}
        )
    availability = generator.availability()
    if not availability.available:
        detail = f"{generator.label} is unavailable: {availability.reason}"
        if availability.setting:
            detail += f" (set {availability.setting})"
        raise serializers.ValidationError({"kind": [detail]})
    prompt, options = generator.validate(prompt=prompt, options=options or {})
    options = generator.validate_for_user(user=user, options=options)
    until = stage_name_validate(generator, until)
    if review:
        if until:
            raise serializers.ValidationError(
                {"review": ["Give either review (pause after planning) or until, not both."]}
            )
        if not generator.plan_stage:
            raise serializers.ValidationError(
                {"review": [f"{generator.label} has no plan to review."]}
            )
        until = generator.plan_stage
    return job_submit(
        owner=user, kind=kind, prompt=prompt, options=options, title=title or "", until=until
    )


def stage_name_validate(generator, until: str) -> str:
    """`until` must name one of the generator's stages (or be empty: run them all)."""
    until = (until or "").strip()
    if until and until not in generator.stage_names():
        choices = ", ".join(generator.stage_names())
        raise serializers.ValidationError(
            {"until": [f"{generator.label} has no stage {until!r}; its stages are: {choices}."]}
        )
    return until
