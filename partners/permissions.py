"""Who may do what with partner associations and their sections.

Page and collection rights themselves are Wagtail's (GroupPagePermission and
GroupCollectionPermission, set up by onboarding). These functions add what Wagtail does
not check on its own, and every partners surface (admin views, the admin hooks that
narrow Wagtail's choosers and listings, the wagtail-localize guards) calls them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import policy_registry


def _is_admin(user) -> bool:
    return bool(getattr(user, "is_active", False) and user.is_superuser)


def can_onboard_partner(user) -> bool:
    """Only site administrators onboard associations (it creates groups and permissions)."""
    return _is_admin(user)


def check_can_onboard_partner(user) -> None:
    if not can_onboard_partner(user):
        raise PermissionDenied(_("Only site administrators can onboard partner associations."))


def can_manage_associations(user) -> bool:
    """List associations and change their branding: site administrators."""
    return _is_admin(user)


def explorable_pages(user) -> QuerySet[Page]:
    """Pages `user` may see in the admin: Wagtail's own notion (permitted subtrees + ancestors)."""
    return policy_registry.get_by_type(Page).explorable_instances(user)


def can_see_admin_page(user, page: Page) -> bool:
    """May `user` see this page (title, status, children) anywhere in the Wagtail admin?

    Wagtail lets an editor with pages in several language trees explore from the root and
    then open any page's listing header or chooser row; this closes that to pages outside
    the editor's own subtrees (and their ancestors, needed to navigate there).
    """
    if _is_admin(user):
        return True
    if not getattr(user, "is_active", False):
        return False
    return explorable_pages(user).filter(pk=page.pk).exists()


def check_can_see_admin_page(user, page: Page) -> None:
    if not can_see_admin_page(user, page):
        raise PermissionDenied(_("You do not have access to this page."))


def admin_visible_pages(user, pages: QuerySet[Page]) -> QuerySet[Page]:
    """Narrow an admin page queryset (choosers, search) to what `user` may see."""
    if _is_admin(user):
        return pages
    return pages.filter(pk__in=list(explorable_pages(user).values_list("pk", flat=True)))


def can_submit_page_translation(user, page: Page, locales: list[Locale] | None = None) -> bool:
    """wagtail-localize's "Translate this page", scoped to the editor's own pages.

    wagtail-localize only checks the global submit_translation permission; an editor must
    also be able to edit the source page and, for each target language, add pages under
    the translated parent (so translations land in their own section and nowhere else).
    """
    if not user.has_perm("wagtail_localize.submit_translation"):
        return False
    if _is_admin(user):
        return True
    if page.is_root() or not page.permissions_for_user(user).can_edit():
        return False
    parent = page.get_parent()
    for locale in locales or []:
        target_parent = parent.get_translation_or_none(locale) if parent else None
        if target_parent is None or not target_parent.permissions_for_user(user).can_add_subpage():
            return False
    return True


def can_sync_page_translations(user, page: Page, publish: bool = False) -> bool:
    """wagtail-localize's "Sync translated pages": source and translations must be the user's."""
    if not user.has_perm("wagtail_localize.submit_translation"):
        return False
    if _is_admin(user):
        return True
    for candidate in [page, *page.get_translations()]:
        perms = candidate.permissions_for_user(user)
        if not perms.can_edit() or (publish and not perms.can_publish()):
            return False
    return True


def can_submit_snippet_translation(user, model) -> bool:
    """Translating a snippet needs the right to edit that snippet type (plus submit_translation)."""
    from wagtail.snippets.permissions import user_can_edit_snippet_type

    return user.has_perm("wagtail_localize.submit_translation") and (
        _is_admin(user) or user_can_edit_snippet_type(user, model)
    )


def can_list_snippets(user, model) -> bool:
    """wagtail-localize's snippet API lists every row of a model: only for those who may edit it."""
    from wagtail.snippets.permissions import user_can_edit_snippet_type

    return _is_admin(user) or user_can_edit_snippet_type(user, model)


def can_view_translations_report(user) -> bool:
    """wagtail-localize's report lists every translation on the site (titles of drafts too)."""
    return _is_admin(user)


class AssociationPermissionPolicy(BasePermissionPolicy):
    """Admin policy for PartnerAssociation: site administrators list, onboard and rebrand;
    nobody deletes here (pages, groups, the collection and the site hang off an association)."""

    ALLOWED = {"add", "change", "view"}

    def user_has_permission(self, user, action):
        return action in self.ALLOWED and can_manage_associations(user)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        if not self.ALLOWED & set(actions):
            return get_user_model().objects.none()
        return get_user_model().objects.filter(is_active=True, is_superuser=True)
