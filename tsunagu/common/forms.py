"""What every app's forms share: the Bootstrap form bases and the 和暦 date field."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError

from .text import TEXT_MAX_LENGTH, too_long
from .wareki import WarekiError, format_wareki, parse_date


def _refuse_too_long(value: str) -> None:
    if len(value) > TEXT_MAX_LENGTH:
        raise ValidationError(too_long(len(value)), code="max_length")


def limit_texts(form: forms.BaseForm) -> None:
    """A text box or area without a ``max_length`` keeps at most :data:`TEXT_MAX_LENGTH`
    characters: more is refused with a Japanese message, on the form that keeps what was
    typed (the model would refuse it too, see :mod:`tsunagu.common.text`)."""
    for field in form.fields.values():
        if (
            isinstance(field, forms.CharField)
            and field.max_length is None
            and isinstance(field.widget, forms.Textarea | forms.TextInput)
            and _refuse_too_long not in field.validators
        ):
            field.validators.append(_refuse_too_long)


class WarekiDateInput(forms.TextInput):
    """A text box that shows a stored date in 和暦 and accepts 和暦 or 西暦."""

    def __init__(self, attrs=None):
        base = {"placeholder": "例：昭和55年3月1日、S55.3.1、1980-03-01", "autocomplete": "off"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return format_wareki(value)
        return super().format_value(value)


class WarekiDateField(forms.Field):
    """Accepts every 和暦/西暦 form that :func:`parse_date` does; errors are in Japanese."""

    widget = WarekiDateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date(str(value))
        except WarekiError as exc:
            raise forms.ValidationError(exc.message, code="invalid_date") from exc


class BootstrapForm(forms.Form):
    """Gives widgets their Bootstrap classes, marks fields in error with ``is-invalid`` and
    limits the texts (:func:`limit_texts`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_texts(self)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def add_service_errors(self, exc: ValidationError, aliases: dict[str, str] | None = None):
        """Show a service's ``ValidationError`` on the fields it names (others on top)."""
        aliases = aliases or {}
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                target = aliases.get(name, name)
                self.add_error(target if target in self.fields else None, messages)
        else:
            self.add_error(None, exc.messages)


class BootstrapErrorsMixin:
    """Marks the inputs of fields with errors as ``is-invalid`` for Bootstrap (and limits
    the texts, as :class:`BootstrapForm` does)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_texts(self)

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    widget.attrs["class"] = f"{css} is-invalid".strip()

    def full_clean(self):
        super().full_clean()
        self.mark_invalid()
