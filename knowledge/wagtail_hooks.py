"""Wiring only: funding opportunities are snippets editors manage in the Wagtail admin."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import FundingOpportunity


class FundingOpportunityViewSet(SnippetViewSet):
    model = FundingOpportunity
    icon = "tag"
    menu_label = _("Funding")
    add_to_admin_menu = True
    menu_order = 300
    list_display = ["programme", "funder", "deadline"]
    list_filter = ["currency"]
    search_fields = ["funder", "programme", "description"]
    ordering = ["deadline"]


register_snippet(FundingOpportunityViewSet)
