"""The partners app's settings: names and defaults in one place (DEVELOPERS.md).

- `PARTNERS_INDEX_PARENT_PAGE_TYPES`: where the partners index and the associations'
  section pages may stand (any page when unset). Plaza's own site: `["cms.HomePage"]`.
"""

from core.pages import installed, parent_page_types


def index_parent_page_types() -> list[str]:
    return parent_page_types("PARTNERS_INDEX_PARENT_PAGE_TYPES")


def section_subpage_types() -> list[str]:
    return installed(
        ["partners.PartnerPage", "partners.NewsIndexPage", "knowledge.GoodPracticePage"]
    )


def page_subpage_types() -> list[str]:
    return installed(["partners.PartnerPage", "knowledge.GoodPracticePage"])
