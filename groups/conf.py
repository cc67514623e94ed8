"""The groups app's settings: names and defaults in one place (DEVELOPERS.md lists them).

- `GROUPS_INDEX_PARENT_PAGE_TYPES`: where the group directory page may stand (page type
  labels; any page when unset). Plaza's own site: `["cms.HomePage"]`.
"""

from core.pages import parent_page_types


def index_parent_page_types() -> list[str]:
    return parent_page_types("GROUPS_INDEX_PARENT_PAGE_TYPES")
