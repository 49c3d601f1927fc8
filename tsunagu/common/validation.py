"""Validation helpers shared by services."""

from __future__ import annotations

from django.db import models


def max_length_errors(model: type[models.Model], **values) -> dict[str, str]:
    """Japanese messages for values longer than their model field allows."""
    errors = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        limit = getattr(field, "max_length", None)
        if limit and value is not None and len(str(value)) > limit:
            errors[name] = f"{field.verbose_name}は{limit}文字以内で入力してください。"
    return errors


def choice_error(choices: type[models.TextChoices], value: str, label: str) -> dict[str, str]:
    return {} if value in choices.values else {label: "選択肢の中から選んでください。"}
