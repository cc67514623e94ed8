"""Optimistic concurrency for front-end edit forms: a stale save never silently wins.

An edit form carries, in a hidden `version` field, the version of the object it was loaded
from (an integer the edit service increments on every change: `Post.edit_count`,
`WorkingGroup.version`, `ProjectIdea.version`). The service takes `expected_version` and
calls `check_version` inside its locked transaction (after `select_for_update`), so two
saves of the same version cannot both pass. A stale one raises `EditConflict` carrying
the saved version and values; nothing is written.

Views answer `STATUS` (409) and re-render the form through `VersionedForm.take_conflict`:
the member's own unsaved text stays in the form, the saved values are shown beside it
(template `core/includes/conflict.html`), and the hidden version moves to the saved one,
so saving again, after merging, goes through.

A form posted without a version (a tab opened before versions existed) is not checked:
the save applies as it always did.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FIELD = "version"
STATUS = 409


class EditConflict(ValidationError):
    """The object changed since the form was loaded. `version` is the saved version now,
    `current` the saved values of the fields the form edits (field name → value)."""

    def __init__(self, *, version: int, current: Mapping[str, object], message: str = ""):
        super().__init__(
            message
            or _(
                "Someone saved a newer version while you were editing. Nothing of yours was "
                "saved yet: compare the saved version with yours, merge them, and save again."
            ),
            code="conflict",
        )
        self.version = version
        self.current = dict(current)


def check_version(
    *,
    expected: int | None,
    current: int,
    saved: Mapping[str, object] | Callable[[], Mapping[str, object]],
) -> None:
    """Raise EditConflict when `expected` (from the form) is not the `current` version.
    Call it with the row locked. `saved` gives the saved values (a callable is only called
    on a conflict). `expected` None (no version sent) passes."""
    if expected is None or int(expected) == int(current):
        return
    raise EditConflict(version=int(current), current=saved() if callable(saved) else saved)


def _display(field: forms.Field | None, value: object) -> str:
    """A saved value as the member would read it (choice labels, not codes)."""
    values = value if isinstance(value, list | tuple) else [value]
    choices = dict(getattr(field, "choices", None) or ()) if field is not None else {}
    shown = [str(choices.get(v, v)) for v in values if v not in (None, "")]
    return ", ".join(shown)


class VersionedForm(forms.Form):
    """Base (or mixin) for edit forms: a hidden `version` field and the conflict plumbing.

    Give the form `initial={"version": obj.version, ...}`; pass `form.expected_version()`
    to the service and `form.changes()` (the cleaned data without the version) as values.
    """

    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if FIELD in self.errors:  # tampered with: say so where the page shows form errors
            self.add_error(
                None, _("This form is out of date. Please reload the page and send it again.")
            )
        return cleaned

    def expected_version(self) -> int | None:
        return self.cleaned_data.get(FIELD)

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != FIELD}

    def take_conflict(self, conflict: EditConflict) -> dict:
        """Re-base the bound form on the saved version (the member's values stay) and
        return the template's `conflict` context: the message and the saved values."""
        data = self.data.copy()
        data[self.add_prefix(FIELD)] = str(conflict.version)
        self.data = data
        rows = []
        for name, value in conflict.current.items():
            field = self.fields.get(name)
            text = _display(field, value)
            rows.append(
                {
                    "name": name,
                    "label": field.label if field is not None and field.label else name,
                    "value": text,
                    "multiline": "\n" in text or len(text) > 80,
                    "rows": min(12, max(3, text.count("\n") + 2)),
                }
            )
        return {"message": conflict.messages[0], "rows": rows}
