"""A model field for "several values from a fixed vocabulary" that works on every database.

Stored as ",a,b," (delimited at both ends, the same convention as
`groups.WorkingGroup.languages`) so `field__contains=",a,"` is an exact, portable match —
SQLite has no array type and no JSON containment lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def split(value: str | None) -> list[str]:
    """ ",a,b," → ["a", "b"]."""
    return [item for item in (value or "").split(",") if item]


def encode(values: Iterable[str], vocabulary: Iterable[str] | None = None) -> str:
    """["b", "a"] → ",a,b," in vocabulary order (so equal sets store equal strings)."""
    chosen = {str(v) for v in values if str(v)}
    if vocabulary is not None:
        ordered = [str(v) for v in vocabulary if str(v) in chosen]
    else:
        ordered = sorted(chosen)
    return f",{','.join(ordered)}," if ordered else ""


def contains(value: str) -> str:
    """The `__contains` operand that matches exactly one item."""
    return f",{value},"


class ChoiceListFormField(forms.MultipleChoiceField):
    """Checkboxes in, the delimited string out."""

    widget = forms.CheckboxSelectMultiple

    def prepare_value(self, value):
        if isinstance(value, str):
            return split(value)
        return value

    def clean(self, value):
        chosen = super().clean(value)
        return encode(chosen, [str(v) for v, _label in self.choices])

    def has_changed(self, initial, data):
        return split(initial if isinstance(initial, str) else encode(initial or [])) != split(
            encode(data or [], [str(v) for v, _label in self.choices])
        )


class ChoiceListField(models.CharField):
    """Several values from `item_choices`, stored as ",a,b,".

    The vocabulary is not part of the schema (it is left out of `deconstruct`), so adding a
    topic never needs a migration.
    """

    description = _("A list of choices")

    def __init__(self, *args, item_choices: Iterable | Callable | None = None, **kwargs):
        self._item_choices = item_choices or ()
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    @property
    def item_choices(self) -> list[tuple[str, str]]:
        choices = self._item_choices() if callable(self._item_choices) else self._item_choices
        return [(str(value), label) for value, label in choices]

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        allowed = {v for v, _label in self.item_choices}
        unknown = [item for item in split(value) if item not in allowed]
        if unknown:
            raise ValidationError(
                _("Unknown choice: %(value)s"),
                params={"value": ", ".join(unknown)},
                code="invalid_choice",
            )

    def labels(self, value: str) -> list[str]:
        names = dict(self.item_choices)
        return [str(names.get(item, item)) for item in split(value)]

    def formfield(self, **kwargs):
        defaults = {
            "form_class": ChoiceListFormField,
            "choices": self.item_choices,
            "required": not self.blank,
            "label": self.verbose_name,
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        for unwanted in ("max_length", "empty_value", "choices_form_class", "coerce"):
            defaults.pop(unwanted, None)
        return form_class(**defaults)
