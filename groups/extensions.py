"""Extension point: other apps add sections to a group's page without groups importing them.

Arrows point one way (discussions → groups), so discussions registers, say, its thread
list from its AppConfig.ready():

    from groups.extensions import register_section
    register_section("discussions.sections.threads", order=10)

A section is `callable(request, page) -> str` (safe HTML, already permission-checked by the
callable with groups.permissions) or "" to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe

_SECTIONS: list[tuple[int, str | Callable]] = []


def register_section(section: str | Callable, *, order: int = 50) -> None:
    """Add a section (dotted path or callable) to every group page; registering twice is a no-op."""
    if all(existing != section for _order, existing in _SECTIONS):
        _SECTIONS.append((order, section))
        _SECTIONS.sort(key=lambda item: item[0])


def render_sections(request, page) -> list[str]:
    out = []
    for _order, section in _SECTIONS:
        func = import_string(section) if isinstance(section, str) else section
        html = func(request, page)
        if html:
            # Sections are rendered by their owning app's templates (autoescaped).
            out.append(mark_safe(html))
    return out
