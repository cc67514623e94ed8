"""Cached page chrome: what every visitor of a host in a language sees the same (the main
menu, a group's page link in discussions' breadcrumbs).

Entries live for CHROME_CACHE_SECONDS under a version that a save, delete or move of a menu
page (home and its children), a site or a locale bumps (cms/apps.py; apps that cache other
pages' chrome bump it for those pages too), so an edit shows at once in the process that
made it and within CHROME_CACHE_SECONDS in the others (the default cache is per process).
"""

from django.core.cache import cache

CHROME_CACHE_SECONDS = 60
MENU_DEPTH = 3  # the root is 1, a home page 2, the menu its children
VERSION_KEY = "plaza:chrome:version"


def chrome_version() -> int:
    return cache.get_or_set(VERSION_KEY, 0, None)


def chrome_version_bump(**kwargs) -> None:
    """Forget every cached piece of chrome (signal receiver: pages, sites, locales)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def chrome_cached(name: str, build):
    """`build()`'s value, cached under `name` for the current chrome version."""
    key = f"plaza:chrome:{chrome_version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CHROME_CACHE_SECONDS)
    return value
