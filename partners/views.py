"""Admin views: onboarding, and guards in front of wagtail-localize's unscoped views."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale, Page

from . import permissions
from .forms import OnboardingForm
from .services import partner_section_create


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names (else at the top)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    aliases = {"languages": "other_languages"}
    for field, errors in error.error_dict.items():
        target = aliases.get(field, field)
        form.add_error(target if target in form.fields else None, errors)


class OnboardView(WagtailAdminTemplateMixin, FormView):
    """Onboard a partner association in one step (site administrators only)."""

    form_class = OnboardingForm
    template_name = "partners/admin/onboard.html"
    page_title = gettext_lazy("Onboard a partner association")
    header_icon = "group"
    breadcrumbs_items = [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {
            "url": reverse_lazy("partnerassociations:index"),
            "label": gettext_lazy("Partner associations"),
        },
    ]

    def dispatch(self, request, *args, **kwargs):
        permissions.check_can_onboard_partner(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=reverse("partnerassociations:add"),
            submit_button_label=_("Onboard"),
            submit_button_active_label=_("Onboarding…"),
        )
        return context

    def form_valid(self, form):
        try:
            association = partner_section_create(**form.service_kwargs(), user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            self.request,
            _("“%(name)s” is onboarded: its section, groups, collection and permissions are ready.")
            % {"name": association.name},
        )
        return redirect("wagtailadmin_explore", association.section_id)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- wagtail-localize guards -------------------------------------------------------------
# wagtail-localize checks only the global submit_translation permission on these views, so
# an editor could translate, sync or list another association's pages. partners registers
# the same URL paths in front of wagtail-localize's (see wagtail_hooks.py) with these
# checks, then hands over to the original view.


def guarded(view, check):
    """Wrap a view: `check(request, **kwargs)` must be True, else PermissionDenied."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not check(request, **kwargs):
            raise PermissionDenied(_("You do not have permission to translate this content."))
        return view(request, *args, **kwargs)

    return wrapper


def check_submit_page(request, page_id, **kwargs) -> bool:
    page = get_object_or_404(Page, pk=page_id)
    locales = None
    if request.method == "POST":
        locales = list(
            Locale.objects.filter(
                pk__in=[v for v in request.POST.getlist("locales") if v.isdigit()]
            )
        )
    return permissions.can_submit_page_translation(request.user, page, locales)


def check_submit_snippet(request, app_label, model_name, **kwargs) -> bool:
    from wagtail.snippets.views.snippets import get_snippet_model_from_url_params

    return permissions.can_submit_snippet_translation(
        request.user, get_snippet_model_from_url_params(app_label, model_name)
    )


def check_update(request, translation_source_id, **kwargs) -> bool:
    from wagtail_localize.models import TranslationSource

    source = get_object_or_404(TranslationSource, pk=translation_source_id)
    instance = source.get_source_instance()
    if isinstance(instance, Page):
        publish = (
            bool(request.POST.get("publish_translations")) if request.method == "POST" else False
        )
        return permissions.can_sync_page_translations(request.user, instance, publish=publish)
    return permissions.can_submit_snippet_translation(request.user, type(instance))


def check_snippet_api(request, app_label, model_name, **kwargs) -> bool:
    from wagtail.snippets.views.snippets import get_snippet_model_from_url_params

    return permissions.can_list_snippets(
        request.user, get_snippet_model_from_url_params(app_label, model_name)
    )


def check_report(request, **kwargs) -> bool:
    return permissions.can_view_translations_report(request.user)
