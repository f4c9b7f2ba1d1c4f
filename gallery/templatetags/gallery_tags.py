from django import template

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
