"""Panels: how an app shows something on another app's page without either template
including the other's (a Wagtail hook per place, e.g. `plaza_thread_panels`)."""

from __future__ import annotations

from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from wagtail import hooks


def render_panels(hook_name: str, request, *args) -> SafeString:
    """Every callable registered for `hook_name`, by its `order` (default 100), called as
    `(request, *args)`; each returns HTML rendered through a template (so user content is
    already escaped) or None when it has nothing for this viewer."""
    rendered = []
    for panel in sorted(hooks.get_hooks(hook_name), key=lambda p: getattr(p, "order", 100)):
        html = panel(request, *args)
        if html:
            rendered.append((SafeString(html),))
    return format_html_join("\n", "{}", rendered)
