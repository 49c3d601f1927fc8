"""Form fields shared by every app."""

from __future__ import annotations

import datetime

from django import forms

from .wareki import WarekiError, format_wareki, parse_date


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
