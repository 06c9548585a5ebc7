"""Form building blocks every app's forms use. Forms check input types; services validate and write."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _

from .ordering import MoveDirection
from .parsing import MAX_YEAR, MIN_YEAR, parse_id

_RANGE_VALIDATORS = (MinValueValidator, MaxValueValidator)


def _names_ids(field: forms.ModelChoiceField) -> bool:
    """Whether the field's choices are named by an integer key (the pk, or an integer to_field_name)."""
    meta = field.queryset.model._meta
    key = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    return isinstance(key, models.IntegerField)


def _invalid_choice(field: forms.ModelChoiceField, value: object) -> ValidationError:
    shown = Truncator(str(value).replace("\x00", "")).chars(40)
    return ValidationError(field.error_messages["invalid_choice"], code="invalid_choice", params={"value": shown})


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses, before any query, an id that cannot be one.

    Text that is not a plain number within the database's id range (core.parsing.parse_id:
    "99999999999999999999", "abc", "²", "-1") gets the field's own "Select a valid
    choice" message, as for an id that names no row; Django would otherwise send it to the
    database, and an id beyond bigint is a server error on PostgreSQL.
    """

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not isinstance(value, models.Model) and _names_ids(self):
            self.validate_no_null_characters(value)
            if parse_id(value) is None:
                raise _invalid_choice(self, value)
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses ids that cannot be ids (see IdChoiceField) before any query."""

    def _check_values(self, value: Iterable[Any]) -> models.QuerySet:
        if _names_ids(self) and not isinstance(value, (str, bytes)):
            try:
                values = list(value)
            except TypeError:
                values = []  # Django's own check answers "Enter a list of values."
            for item in values:
                if not isinstance(item, models.Model):
                    self.validate_no_null_characters(item)
                    if parse_id(item) is None:
                        raise _invalid_choice(self, item)
        return super()._check_values(value)


def within_app_years(day: date | None) -> None:
    """A date the app can plan with: between core.parsing's MIN_YEAR and MAX_YEAR (not year 1 or 9999)."""
    if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError(
            _("Enter a date between the years %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": MIN_YEAR, "last": MAX_YEAR},
        )


def bound_to_column(formfield: forms.Field, db_field: models.Field) -> forms.Field:
    """`formfield` (made from `db_field`) bounded as the column is: a date within the app's years,
    an integer within the column's range. Model validation would check the range, but InputForm
    skips it, and a year-1 date or an integer past the column reaches the service (or the database).
    """
    if isinstance(formfield, forms.DateField) and not isinstance(formfield, forms.DateTimeField):
        if within_app_years not in formfield.validators:
            formfield.validators.append(within_app_years)
    elif isinstance(formfield, forms.IntegerField) and isinstance(db_field, models.IntegerField):
        present = {type(v) for v in formfield.validators}
        formfield.validators.extend(
            v for v in db_field.validators if isinstance(v, _RANGE_VALIDATORS) and type(v) not in present
        )
    return formfield


def bounded_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """A `formfield_callback` (for `fields_for_model` or a ModelForm's Meta): see `bound_to_column`."""
    formfield = db_field.formfield(**kwargs)
    return bound_to_column(formfield, db_field) if formfield is not None else None


class InputForm(forms.ModelForm):
    """A ModelForm used for its fields, labels and widgets only.

    The service validates and writes, with a message at the field that caused
    it; model validation here would report constraint failures away from their
    field, before the service had its say. Foreign keys are declared on each
    form (see `district_choice`): a generated one would query the fail-closed
    manager when the class is defined, outside any district.

    Its model fields are bounded as their columns are (`bound_to_column`): model
    validation, skipped here, would otherwise be their only range check.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_fields = {f.name: f for f in self._meta.model._meta.get_fields() if isinstance(f, models.Field)}
        for name, formfield in self.fields.items():
            if name in model_fields:
                bound_to_column(formfield, model_fields[name])

    def _post_clean(self) -> None:
        pass


def district_choice(model_field: Any, **kwargs: Any) -> IdChoiceField:
    """A choice of rows for a foreign key, labelled from the model field; the view sets the district's queryset."""
    return IdChoiceField(
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
