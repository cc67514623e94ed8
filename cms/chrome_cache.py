"""Cached page chrome: what every visitor of a host in a language sees the same (the main
menu, a group's page link in discussions' breadcrumbs).

Entries live for CHROME_CACHE_SECONDS under a version per scope: the menu's is bumped by a
save, delete or move of a menu page (home and its children), a site or a locale
(cms/apps.py); an app caching other chrome bumps its own scope (discussions: group page
links). An edit shows at once in the process that made it and within CHROME_CACHE_SECONDS
in the others (the default cache is per process).
"""

from django.core.cache import cache

CHROME_CACHE_SECONDS = 60
MENU_DEPTH = 3  # the root is 1, a home page 2, the menu its children
MENU = "menu"  # the scope of the main menu; other apps name their own scopes


def _version_key(scope: str) -> str:
    return f"plaza:chrome:{scope}:version"


def chrome_version(scope: str = MENU) -> int:
    return cache.get_or_set(_version_key(scope), 0, None)


def chrome_version_bump(scope: str = MENU) -> None:
    """Forget every cached piece of chrome of one scope."""
    try:
        cache.incr(_version_key(scope))
    except ValueError:
        cache.set(_version_key(scope), 1, None)


def menu_changed(**kwargs) -> None:
    """Signal receiver: a site, a locale or a page's place changed; the menu may have."""
    chrome_version_bump(MENU)


def chrome_cached(name: str, build, scope: str = MENU):
    """`build()`'s value, cached under `name` for the current version of `scope`."""
    key = f"plaza:chrome:{scope}:{chrome_version(scope)}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CHROME_CACHE_SECONDS)
    return value
