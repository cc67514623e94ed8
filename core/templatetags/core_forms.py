"""Template tags for the shared form plumbing."""

from django import template
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from core.idempotency import FIELD, clean_key, new_key

register = template.Library()


@register.simple_tag(takes_context=True)
def idempotency_field(context) -> str:
    """The hidden `idempotency_key` input of a create form: a fresh key, or, when the page
    re-renders a refused POST, the key that POST carried (nothing was stored under it)."""
    request = context.get("request")
    key = None
    if request is not None and request.method == "POST":
        try:
            key = clean_key(request.POST.get(FIELD))
        except ValidationError:
            key = None
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, key or new_key())
