from django import template
from django.core.exceptions import ObjectDoesNotExist

register = template.Library()


@register.filter
def clock(seconds) -> str:
    """A duration as a player shows it: 0:07, 2:05, 1:02:05."""
    try:
        total = max(0, round(float(seconds)))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


@register.filter
def visual_sources(video) -> list[dict]:
    """The pictures and clips a video's scenes showed, from its job's stage outputs (the
    visuals stage lists each scene's asset), one entry per asset with the scenes using it.
    Drawn scenes are left out; stock entries carry their author, licence and page."""
    try:
        job = video.source_job
    except ObjectDoesNotExist:
        return []
    found: dict[str, dict] = {}
    for stage in (job.manifest or {}).get("stages", {}).values():
        for record in (stage.get("outputs") or {}).get("visuals") or []:
            if not isinstance(record, dict) or not record.get("item"):
                continue
            entry = found.setdefault(record["item"], {**record, "scenes": []})
            entry["scenes"].append(int(record.get("scene", 0)) + 1)
    return list(found.values())
