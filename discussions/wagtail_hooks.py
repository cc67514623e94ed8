"""Wiring: what discussions adds to other apps' pages."""

from wagtail import hooks


def _group_page_section(request, page):
    from .sections import threads

    return threads(request, page)


_group_page_section.order = 10
hooks.register("plaza_group_page_sections", _group_page_section)
