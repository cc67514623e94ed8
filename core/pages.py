"""Where a plugin's pages may stand in a host's page tree.

Plaza's apps install into other Wagtail sites, whose home page is not `cms.HomePage`. An
index page's `parent_page_types` comes from a setting the app names (its `conf.py`), any
page by default; page types of apps the host did not install are left out, so an optional
app (partners) named in a list does not fail the host's `manage.py check`.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings

ANY_PAGE = ["wagtailcore.Page"]


def installed(labels) -> list[str]:
    """Of these "app_label.Model" names, those whose app is installed."""
    present = {config.label for config in apps.get_app_configs()}
    return [label for label in labels if label.split(".")[0] in present]


def parent_page_types(setting: str, default=None) -> list[str]:
    """`settings.<setting>` (or `default`, else any page), installed apps only."""
    chosen = getattr(settings, setting, None) or default or ANY_PAGE
    return installed(chosen) or ANY_PAGE
