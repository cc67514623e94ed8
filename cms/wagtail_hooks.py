"""Wiring: Plaza's own site tells the other apps where its home page is."""

from wagtail import hooks


@hooks.register("plaza_home_page")
def home_page():
    from .services import site_tree_ensure

    return site_tree_ensure()
