"""Forms: input only — every write goes through services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField
from wagtail.admin.forms import WagtailAdminPageForm

from core.concurrency import VersionedForm

from .choices import LanguageLevel, Region, Stage, Topic, spoken_language_choices
from .fields import ChoiceListFormField


def restrict_group_choice(form, user) -> None:
    """Offer and accept only the working groups `user` may know about (plus the one already
    chosen): the same queryset renders the select and validates the POST, so a secret
    group's id sent by hand is refused like any invalid choice."""
    field = form.fields.get("group")
    if field is None or user is None:
        return
    from .permissions import groups_for_editor  # permissions imports the models

    field.queryset = groups_for_editor(user, current=form.initial.get("group"))


class GoodPracticePageAdminForm(WagtailAdminPageForm):
    """The related-groups rows accept only groups the editor may know about."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        formset = self.formsets.get("related_groups")
        if formset is not None:
            for row in formset.forms:
                restrict_group_choice(row, self.for_user)


class EventPageAdminForm(WagtailAdminPageForm):
    """Start, end and deadline are typed as wall-clock times in the event's own zone.

    Django would read them in the editor's zone; an organiser in Berlin entering a Nairobi
    conference thinks "09:00 in Nairobi", so we re-read the naive time in `time_zone`.
    The organising group accepts only groups the editor may know about.
    """

    TIME_FIELDS = ("starts_at", "ends_at", "registration_deadline")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        restrict_group_choice(self, self.for_user)
        instance = self.instance
        if instance is not None and instance.pk and not self.is_bound:
            for name in self.TIME_FIELDS:
                value = getattr(instance, name, None)
                if value is not None and name in self.fields:
                    self.initial[name] = timezone.make_naive(value, instance.zone)

    def clean(self):
        cleaned = super().clean()
        import zoneinfo

        try:
            zone = zoneinfo.ZoneInfo(cleaned.get("time_zone") or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return cleaned
        current = timezone.get_current_timezone()
        for name in self.TIME_FIELDS:
            value = cleaned.get(name)
            if value is not None and timezone.is_aware(value):
                cleaned[name] = timezone.make_aware(timezone.make_naive(value, current), zone)
        return cleaned


# --- expert profile -----------------------------------------------------------------------


class ExpertProfileForm(forms.Form):
    """The member's expert profile, including where they work (kept on the user)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *countries]

    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    position = forms.CharField(label=_("Role or position"), max_length=160, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    # Choices are set per form: country names in the language of the request.
    country = LazyTypedChoiceField(label=_("Country"), choices=[], required=False)
    expertise = ChoiceListFormField(label=_("Expertise"), choices=Topic.choices, required=False)
    bio = forms.CharField(
        label=_("Short bio"),
        max_length=1200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    available_for_missions = forms.BooleanField(
        label=_("Available for expert missions"),
        required=False,
        help_text=_("Short assignments (days to a few weeks) to advise a partner city."),
    )
    listed = forms.BooleanField(
        label=_("List me in the people directory"),
        required=False,
        help_text=_(
            "Other members can then find you and contact you through "
            "Plaza. Your email address is never shown."
        ),
    )


class LanguageSkillForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), choices=LanguageLevel.choices, initial=LanguageLevel.FLUENT
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", "—"), *spoken_language_choices()]


class BaseLanguageSkillFormSet(forms.BaseFormSet):
    def _construct_form(self, i, **kwargs):
        # Every row is read, even one left as it was: the rows replace the member's languages.
        kwargs["empty_permitted"] = False
        return super()._construct_form(i, **kwargs)

    def clean(self):
        seen = set()
        for form in self.forms:
            language = (form.cleaned_data or {}).get("language")
            if language and language in seen:
                raise forms.ValidationError(_("Each language only once, please."))
            seen.add(language)

    def skills(self) -> list[tuple[str, str]]:
        return [
            (f.cleaned_data["language"], f.cleaned_data["level"])
            for f in self.forms
            if f.cleaned_data and f.cleaned_data.get("language")
        ]


# absolute_max caps the forms built from a posted TOTAL_FORMS (Django's default allows
# max_num + 1,000: a member asking for 10**9 rows had 1,012 forms built, validated and
# re-rendered, 20-40 s a request); beyond it the formset is refused at once.
LanguageSkillFormSet = forms.formset_factory(
    LanguageSkillForm,
    formset=BaseLanguageSkillFormSet,
    extra=2,
    max_num=12,
    absolute_max=12,
    validate_max=True,
)


class ContactForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=160)
    message = forms.CharField(
        label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 8})
    )
    share_email = forms.BooleanField(
        label=_("Share my email address so they can reply directly"),
        required=False,
        help_text=_("If you leave this unticked, they can answer through Plaza."),
    )


# --- directory filters --------------------------------------------------------------------


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    expertise = forms.ChoiceField(
        label=_("Expertise"), required=False, choices=[("", _("Any")), *Topic.choices]
    )
    language = forms.ChoiceField(label=_("Speaks"), required=False)
    country = LazyTypedChoiceField(label=_("Country"), required=False, choices=[])
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Any")), *Region.choices]
    )
    available = forms.BooleanField(label=_("Available for expert missions"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any")), *spoken_language_choices()]
        self.fields["country"].choices = [("", _("Any")), *countries]


# --- project ideas ------------------------------------------------------------------------


class ProjectIdeaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(
        label=_("Problem"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What problem does the project address, and for whom? Markdown works."),
    )
    approach = forms.CharField(
        label=_("Proposed approach"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    cities = forms.CharField(
        label=_("Cities involved"), max_length=300, required=False, help_text=_("Comma separated.")
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", "—"), *Region.choices]
    )
    topics = ChoiceListFormField(label=_("Topics"), choices=Topic.choices, required=False)
    expertise_needed = ChoiceListFormField(
        label=_("Expertise needed"), choices=Topic.choices, required=False
    )
    expertise_note = forms.CharField(
        label=_("Expertise needed, in words"), max_length=300, required=False
    )

    @classmethod
    def initial_from(cls, idea) -> dict:
        return {name: getattr(idea, name) for name in cls.base_fields}


class ProjectIdeaEditForm(VersionedForm, ProjectIdeaForm):
    """Editing an idea: the form also carries the idea's version it was loaded from."""


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("New stage"), choices=Stage.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class TeamMemberForm(forms.Form):
    username = forms.CharField(label=_("Member's username"), max_length=150)
    role = forms.CharField(label=_("Role"), max_length=120)


class ResultsForm(VersionedForm):
    results = forms.CharField(
        label=_("Results"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6})
    )
    lessons_learned = forms.CharField(
        label=_("Lessons learned"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6})
    )
