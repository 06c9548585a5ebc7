"""Form building blocks every app's forms use. Forms check input types; services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst

from .ordering import MoveDirection


class InputForm(forms.ModelForm):
    """A ModelForm used for its fields, labels and widgets only.

    The service validates and writes, with a message at the field that caused
    it; model validation here would report constraint failures away from their
    field, before the service had its say. Foreign keys are declared on each
    form (see `district_choice`): a generated one would query the fail-closed
    manager when the class is defined, outside any district.
    """

    def _post_clean(self) -> None:
        pass


def district_choice(model_field: Any, **kwargs: Any) -> forms.ModelChoiceField:
    """A choice of rows for a foreign key, labelled from the model field; the view sets the district's queryset."""
    return forms.ModelChoiceField(
        queryset=model_field.related_model._base_manager.none(),
        required=not model_field.blank,
        label=capfirst(model_field.verbose_name),
        help_text=model_field.help_text,
        **kwargs,
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[(d.value, d.value) for d in MoveDirection])

    @property
    def direction_value(self) -> MoveDirection:
        return MoveDirection(self.cleaned_data["direction"])
