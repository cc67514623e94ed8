"""Wagtail admin wiring for partner associations (the decisions live in permissions.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Page

from . import permissions, views
from .models import PartnerAssociation
from .selectors import PartnerModerationGrant
from .services import partner_branding_update

_GRANT = PartnerModerationGrant()


@hooks.register("plaza_group_grants")
def partner_moderation_grant():
    """Association moderators moderate the groups in their section (groups' policy)."""
    return _GRANT


class BrandingEditView(generic.EditView):
    """Edit an association's region, accent colour and logo through the service."""

    def save_instance(self):
        data = self.form.cleaned_data
        return partner_branding_update(
            association=PartnerAssociation.objects.get(pk=self.object.pk),
            region=data["region"],
            accent_colour=data["accent_colour"],
            logo=data.get("logo"),
            clear_logo=data.get("logo") is None,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            views.add_service_errors(form, error)
            return self.form_invalid(form)


class PartnerAssociationViewSet(ModelViewSet):
    model = PartnerAssociation
    icon = "group"
    menu_label = _("Partner associations")
    add_to_admin_menu = True
    menu_order = 250
    url_prefix = "partners"
    name = "partnerassociations"
    form_fields = ["region", "accent_colour", "logo"]
    list_display = [
        "name",
        "region",
        Column("languages", label=_("Languages"), accessor=lambda a: ", ".join(a.languages)),
        "hostname",
    ]
    list_filter = ["region"]
    copy_view_enabled = False
    edit_view_class = BrandingEditView

    @property
    def add_view(self):
        # "Add" is onboarding: one form that runs partner_section_create.
        return views.OnboardView.as_view()


@hooks.register("register_admin_viewset")
def register_partner_associations():
    return PartnerAssociationViewSet()


@hooks.register("construct_explorer_page_queryset")
def refuse_explorer_outside_own_pages(parent_page, pages, request):
    # An editor with sections in several languages explores from the root; Wagtail then
    # only redirects when a page is outside that root, so it would show another
    # association's page (draft title, status) as a listing header. Refuse instead.
    permissions.check_can_see_admin_page(request.user, parent_page)
    return pages


@hooks.register("construct_page_chooser_queryset")
def limit_page_chooser(pages, request):
    # The chooser shows its parent page as the first row and lists every page by default;
    # both are limited to what the user may see in the admin.
    match = getattr(request, "resolver_match", None)
    parent_id = match.kwargs.get("parent_page_id") if match else None
    if parent_id:
        parent = Page.objects.filter(pk=parent_id).first()
        if parent is not None:
            permissions.check_can_see_admin_page(request.user, parent)
    elif match and match.url_name == "wagtailadmin_choose_page" and request.GET.get("page_type"):
        # Without a parent, Wagtail starts at the common ancestor of all pages of the type.
        from wagtail.admin.views.chooser import page_models_from_string

        try:
            desired = page_models_from_string(request.GET["page_type"])
            start = Page.objects.all().type(*desired).first_common_ancestor()
        except (ValueError, LookupError, Page.DoesNotExist):
            start = None
        if start is not None:
            permissions.check_can_see_admin_page(request.user, start)
    return permissions.admin_visible_pages(request.user, pages)


@hooks.register("construct_reports_menu")
def hide_translations_report(request, menu_items):
    if not permissions.can_view_translations_report(request.user):
        report_url = reverse("wagtail_localize:translations_report")
        menu_items[:] = [item for item in menu_items if item.url != report_url]


@hooks.register("register_admin_urls", order=-100)
def guard_wagtail_localize_urls():
    """The same paths as wagtail-localize's unscoped views, resolved before them (order=-100)."""
    from wagtail_localize.views import (
        report,
        snippets_api,
        submit_translations,
        update_translations,
    )

    guarded = views.guarded
    report_view = report.TranslationsReportView.as_view()
    report_results = report.TranslationsReportView.as_view(results_only=True)
    return [
        path(
            "localize/submit/page/<int:page_id>/",
            guarded(
                submit_translations.SubmitPageTranslationView.as_view(), views.check_submit_page
            ),
            name="partners_guard_submit_page_translation",
        ),
        path(
            "localize/submit/snippet/<slug:app_label>/<slug:model_name>/<str:pk>/",
            guarded(
                submit_translations.SubmitSnippetTranslationView.as_view(),
                views.check_submit_snippet,
            ),
            name="partners_guard_submit_snippet_translation",
        ),
        path(
            "localize/update/<int:translation_source_id>/",
            guarded(update_translations.UpdateTranslationsView.as_view(), views.check_update),
            name="partners_guard_update_translations",
        ),
        path(
            "localize/reports/translations/",
            guarded(report_view, views.check_report),
            name="partners_guard_translations_report",
        ),
        path(
            "localize/reports/translations/results/",
            guarded(report_results, views.check_report),
            name="partners_guard_translations_report_results",
        ),
        path(
            "localize/api/snippets/<slug:app_label>/<slug:model_name>/",
            guarded(snippets_api.SnippetViewSet.as_view({"get": "list"}), views.check_snippet_api),
            name="partners_guard_snippets_api_listing",
        ),
        path(
            "localize/api/snippets/<slug:app_label>/<slug:model_name>/<str:pk>/",
            guarded(
                snippets_api.SnippetViewSet.as_view({"get": "retrieve"}), views.check_snippet_api
            ),
            name="partners_guard_snippets_api_detail",
        ),
    ]
