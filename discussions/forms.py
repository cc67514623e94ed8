"""Forms only shape input; limits and permissions live in services (one place)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.concurrency import VersionedForm

from .models import Report
from .services import REASON_MAX_LENGTH, TITLE_MAX_LENGTH

BODY_HELP = _(
    "Markdown: *emphasis*, **bold**, lists, [links](https://…), > quotes, `code`. "
    "Mention someone with @username."
)


def _body_field(label=None):
    # No max_length here: the service gives the one clear message for every surface.
    return forms.CharField(
        label=label or _("Message"),
        help_text=BODY_HELP,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-mentions": ""}),
    )


def _language_field():
    return forms.ChoiceField(label=_("Language of your post"), choices=settings.LANGUAGES)


class ThreadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), widget=forms.TextInput(attrs={"maxlength": TITLE_MAX_LENGTH})
    )
    body = _body_field()
    language = _language_field()


class ReplyForm(forms.Form):
    body = _body_field(_("Your reply"))
    language = _language_field()
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EditForm(VersionedForm):
    """The author's edit; `version` is the post's edit_count when the form was loaded."""

    title = forms.CharField(
        label=_("Title"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX_LENGTH}),
    )
    body = _body_field()
    language = _language_field()


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this post?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=_("Anything the moderators should know? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


SLOW_MODE_CHOICES = [
    (0, _("Off")),
    (30, _("30 seconds")),
    (60, _("1 minute")),
    (300, _("5 minutes")),
    (900, _("15 minutes")),
    (3600, _("1 hour")),
    (86400, _("1 day")),
]


class SlowModeForm(forms.Form):
    seconds = forms.TypedChoiceField(
        label=_("One post per member every"), choices=SLOW_MODE_CHOICES, coerce=int
    )
    reason = forms.CharField(
        label=_("Why (shown to members)"), required=False, max_length=REASON_MAX_LENGTH
    )


class MoveForm(forms.Form):
    target = forms.TypedChoiceField(label=_("Move to group"), coerce=int, choices=())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=REASON_MAX_LENGTH)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(g.pk, g.name) for g in groups]


class PremoderationForm(forms.Form):
    premoderate_first_posts = forms.IntegerField(
        label=_("Hold the first posts of each new member for approval"),
        min_value=0,
        help_text=_("How many posts of a new member wait for a moderator (0 = off)."),
    )


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
