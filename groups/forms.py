"""Forms for the group pages (validation of input only; writes go through services)."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.concurrency import VersionedForm
from core.users import handle_field

from .models import Membership, Region, Topic, WorkingGroup

ANY = [("", _("Any"))]
LANGUAGE_CHOICES = list(settings.LANGUAGES)


class DirectoryFilterForm(forms.Form):
    """The directory's GET filters; unknown values are reported, never a 500."""

    SORTS = [("activity", _("Last activity")), ("name", _("Name")), ("members", _("Members"))]

    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=ANY + list(WorkingGroup.Kind.choices)
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=ANY + list(Topic.choices))
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=ANY + list(Region.choices)
    )
    language = forms.ChoiceField(
        label=_("Language of work"), required=False, choices=ANY + LANGUAGE_CHOICES
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the moderators"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who you are and why you would like to join (optional)."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class InvitationForm(forms.Form):
    invitee = forms.CharField(
        label=_("Member or email address"),
        max_length=254,
        help_text=_("A member's @handle, or the email address of someone not yet on Plaza."),
    )
    message = forms.CharField(
        label=_("Personal message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_invitee(self):
        """Return ("user", User) or ("email", address)."""
        value = self.cleaned_data["invitee"].strip()
        if "@" in value[1:]:
            try:
                forms.EmailField().clean(value)
            except forms.ValidationError as exc:
                raise forms.ValidationError(_("Enter a valid email address.")) from exc
            return ("email", value.lower())
        handle = value.lstrip("@")
        user = (
            get_user_model()
            .objects.filter(**{f"{handle_field()}__iexact": handle}, is_active=True)
            .first()
        )
        if user is None:
            raise forms.ValidationError(
                _("No member with the handle @%(handle)s.") % {"handle": handle}
            )
        return ("user", user)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class BanForm(forms.Form):
    handle = forms.CharField(label=_("Member's @handle"), max_length=150)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_handle(self):
        handle = self.cleaned_data["handle"].strip().lstrip("@")
        user = get_user_model().objects.filter(**{f"{handle_field()}__iexact": handle}).first()
        if user is None:
            raise forms.ValidationError(
                _("No member with the handle @%(handle)s.") % {"handle": handle}
            )
        return user


class GroupSettingsForm(VersionedForm):
    """Owners' settings. `languages` is a list of codes; the service encodes it. `version`
    is the group's version when the form was loaded (a stale save is refused)."""

    name = forms.CharField(label=_("Name"), max_length=160)
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkingGroup.Kind.choices)
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=WorkingGroup.Visibility.choices,
        help_text=_(
            "Public: anyone can read. Members only: listed, content for members. "
            "Secret: unlisted, only members know it exists."
        ),
    )
    join_policy = forms.ChoiceField(label=_("Join policy"), choices=WorkingGroup.JoinPolicy.choices)
    topic = forms.ChoiceField(
        label=_("Topic"), required=False, choices=[("", "—")] + list(Topic.choices)
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", "—")] + list(Region.choices)
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages of work"), choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    @classmethod
    def initial_for(cls, group: WorkingGroup) -> dict:
        return {
            "name": group.name,
            "kind": group.kind,
            "visibility": group.visibility,
            "join_policy": group.join_policy,
            "topic": group.topic,
            "region": group.region,
            "languages": group.language_list,
            "version": group.version,
        }


class GroupCreateForm(GroupSettingsForm):
    version = None  # a new group has no earlier version to conflict with
    slug = forms.SlugField(
        label=_("Address (slug)"),
        max_length=80,
        help_text=_("Lower-case letters, digits and hyphens; part of the page address."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = [
        "name",
        "slug",
        "purpose",
        "kind",
        "topic",
        "region",
        "visibility",
        "join_policy",
        "languages",
    ]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if WorkingGroup.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("A group with this address already exists."))
        return slug
