from django import template

from core.panels import render_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, hook_name: str, *args):
    """`{% panels "plaza_thread_panels" thread %}`: what other apps add here (core.panels)."""
    return render_panels(hook_name, context.get("request"), *args)
