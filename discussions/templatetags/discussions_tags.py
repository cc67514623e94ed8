from django import template

register = template.Library()


@register.filter
def slow_mode_interval(seconds) -> str:
    """'5 minutes', '1 hour' … for slow-mode notices (translated)."""
    from ..services import _wait_text

    try:
        return _wait_text(int(seconds))
    except (TypeError, ValueError):
        return ""
