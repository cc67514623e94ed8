from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(AllauthSignupForm):
    """Sign-up asks for a display name too; the interface language becomes the preference."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=120,
        required=False,
        help_text=_("How other members see you, e.g. your full name."),
    )

    def save(self, request):
        user = super().save(request)
        user.display_name = self.cleaned_data.get("display_name", "")
        language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        if language in dict(settings.LANGUAGES):
            user.preferred_language = language
        user.save(update_fields=["display_name", "preferred_language"])
        return user


class ProfileForm(forms.ModelForm):
    """The member's own profile."""

    class Meta:
        model = User
        fields = [
            "display_name",
            "preferred_language",
            "time_zone",
            "country",
            "city",
            "organisation",
        ]
