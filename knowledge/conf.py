"""The knowledge app's settings: names and defaults in one place (DEVELOPERS.md).

- `KNOWLEDGE_INDEX_PARENT_PAGE_TYPES`: where the practices and events index pages may
  stand (any page when unset). Plaza's own site: `["cms.HomePage"]`.
"""

from core.pages import installed, parent_page_types


def index_parent_page_types() -> list[str]:
    return parent_page_types("KNOWLEDGE_INDEX_PARENT_PAGE_TYPES")


def practice_parent_page_types() -> list[str]:
    """A practice lives in the database's index, or in a partner section (if installed)."""
    return installed(
        ["knowledge.GoodPracticeIndexPage", "partners.PartnerSectionPage", "partners.PartnerPage"]
    )
