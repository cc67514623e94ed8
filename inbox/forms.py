"""The notification settings form: one submit for the email choice and every group row."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import EmailFrequency, WatchLevel


class SettingsForm(forms.Form):
    """`frequency`, then `level_<group id>` and `email_<group id>` per listed group."""

    frequency = forms.ChoiceField(
        label=_("Email me about activity"), choices=EmailFrequency.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, user, context: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.rows = context["group_rows"]
        self.fields["frequency"].initial = context["frequency"]
        self.initial["frequency"] = context["frequency"]
        for row in self.rows:
            gid = row["group"].pk
            self.fields[f"level_{gid}"] = forms.ChoiceField(
                label=_("Follow %(group)s") % {"group": row["group"].name},
                choices=WatchLevel.choices,
            )
            self.fields[f"email_{gid}"] = forms.ChoiceField(
                label=_("Email for %(group)s") % {"group": row["group"].name},
                choices=[("", _("As chosen above")), *EmailFrequency.choices],
                required=False,
            )
            self.initial[f"level_{gid}"] = row["level"]
            self.initial[f"email_{gid}"] = row["email"]

    def save(self) -> None:
        data = self.cleaned_data
        if data["frequency"] != self.initial["frequency"]:
            services.email_preference_set(user=self.user, frequency=data["frequency"])
        for row in self.rows:
            group, gid = row["group"], row["group"].pk
            level = data.get(f"level_{gid}")
            if level and level != row["level"]:
                services.watch_set_group(user=self.user, group=group, level=level)
            email = data.get(f"email_{gid}") or ""
            if email != row["email"]:
                services.group_email_preference_set(
                    user=self.user, group=group, frequency=email or None
                )
