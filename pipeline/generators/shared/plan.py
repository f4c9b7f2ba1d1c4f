"""The planning stage, and reading the plan it wrote, for every generator with a plan."""

import json

from pipeline.plan import Plan, plan_from_json
from pipeline.providers import get_provider


def load_plan(ctx) -> Plan:
    """The plan as it is now (edited or not), from the file the planning stage named."""
    return plan_from_json(json.loads((ctx.workdir / ctx.output("plan_file")).read_text()))


def plan_stage(kind: str):
    def plan(ctx) -> dict:
        planner = get_provider("llm")
        result = planner.plan(
            kind=kind,
            prompt=ctx.prompt,
            options=ctx.options,
            on_progress=lambda fraction, message="": ctx.progress(fraction, message or "Planning"),
        )
        data = result.to_json()
        ctx.path("plan.json").write_text(json.dumps(data, indent=1))
        if result.notice:  # what the planner could not do, in the job's event log
            ctx.event("progress", result.notice)
        return {
            "plan_file": "plan.json",
            "title": result.title,
            "scenes": len(result.scenes),
            "script": data,
        }

    return plan
