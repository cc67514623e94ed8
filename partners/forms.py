"""The onboarding form (Wagtail admin): it collects input; the service validates and writes."""

from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .models import DEFAULT_ACCENT, Region


class OnboardingForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    slug = forms.SlugField(
        label=_("Web address (slug)"),
        max_length=80,
        required=False,
        help_text=_(
            "The section lives at /<language>/<slug>/. Leave empty to derive it from the name."
        ),
    )
    region = forms.ChoiceField(label=_("Region"), choices=Region.choices)
    main_language = forms.ChoiceField(
        label=_("Main language"),
        choices=settings.LANGUAGES,
        help_text=_("The section is written in this language first."),
    )
    other_languages = forms.MultipleChoiceField(
        label=_("Also translated into"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    logo = forms.ImageField(label=_("Logo"), required=False)
    accent_colour = forms.CharField(
        label=_("Accent colour"),
        max_length=7,
        initial=DEFAULT_ACCENT,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    hostname = forms.CharField(
        label=_("Own hostname"),
        max_length=255,
        required=False,
        help_text=_(
            "Optional, for example partner.example.org; the section is then also served there."
        ),
    )
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    workflow = forms.BooleanField(
        label=_("Review by a second editor"),
        required=False,
        help_text=_(
            "Editors submit pages for review; another editor of the association publishes them."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("slug"):
            data["slug"] = slugify(data["name"])[:80]
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        main = data["main_language"]
        return {
            "name": data["name"],
            "slug": data["slug"],
            "region": data["region"],
            "languages": [
                main,
                *[code for code in data.get("other_languages", []) if code != main],
            ],
            "logo": data.get("logo"),
            "hostname": data.get("hostname") or None,
            "accent_colour": data.get("accent_colour") or DEFAULT_ACCENT,
            "intro": data.get("intro", ""),
            "workflow": bool(data.get("workflow")),
        }
