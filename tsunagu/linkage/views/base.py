"""What every 名寄せ screen shares: the page size, and a service's errors shown on the form.
Who may open a screen: ``personal_data_view("linkage.review")`` (the program office or a
coordinator)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

PAGE_SIZE = 25


def add_service_errors(form, exc: ValidationError, field_map: dict[str, str]) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = field_map.get(name, name)
            target = target if target in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
    else:
        form.add_error(None, exc.messages)
    form.mark_invalid()
