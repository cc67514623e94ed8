"""A searchable member chooser for the admin (a practice's contacts).

A plain select lists every member on every contact row — thousands of options per page
once the network grows. The chooser searches active members by name, username,
organisation or city and shows their public name only (never an email address).
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet


class MemberFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search members"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name, organisation or city")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = " ".join((self.cleaned_data.get("q") or "").split())
        for word in query.split()[:4]:
            objects = objects.filter(
                Q(display_name__icontains=word)
                | Q(username__icontains=word)
                | Q(organisation__icontains=word)
                | Q(city__icontains=word)
            )
        if query:
            self.is_searching, self.search_query = True, query
        return objects


class _ActiveMembers:
    filter_form_class = MemberFilterForm
    ordering = ["display_name", "username"]

    def get_object_list(self):
        return get_user_model().objects.filter(is_active=True)


class MemberChooseView(_ActiveMembers, ChooseView):
    pass


class MemberChooseResultsView(_ActiveMembers, ChooseResultsView):
    pass


class MemberChooserViewSet(ChooserViewSet):
    model = settings.AUTH_USER_MODEL
    icon = "user"
    choose_one_text = _("Choose a member")
    choose_another_text = _("Choose another member")
    choose_view_class = MemberChooseView
    choose_results_view_class = MemberChooseResultsView
    # Only where asked for (a practice's contacts), not for every user field in the admin.
    register_widget = False


member_chooser_viewset = MemberChooserViewSet("knowledge_member_chooser")
