"""Models shared by every app: the one-time form tokens, and the queryset every model with
personal data offers (``Model.objects.visible_to(user)``)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class VisibleQuerySet(models.QuerySet):
    """``Model.objects.visible_to(user)``: the rows ``user`` may see. The rule is not decided
    here, nor in the model: ``tsunagu.access``, the one place that decides access, registers
    its rule for each model (:func:`register_visibility`), so lists, object lookups and the API
    all answer from it, and no model imports it."""

    def visible_to(self, user) -> models.QuerySet:
        rule = _visibility_rules.get(self.model._meta.label)
        if rule is None:
            raise ImproperlyConfigured(f"No access rule is registered for {self.model.__name__}.")
        return self.filter(pk__in=rule(user).values("pk"))


_visibility_rules: dict[str, Callable] = {}


def register_visibility(model: type[models.Model], rule: Callable) -> None:
    """``rule(user)`` is the queryset of ``model`` that ``user`` may see."""
    _visibility_rules[model._meta.label] = rule


class FormSubmission(models.Model):
    """A one-time form token, claimed in the same transaction as the write it guards.

    The token is generated when the form is rendered (no row then); the first submission
    inserts this row, so a second submission of the same page – a double click, a reload,
    the back button – finds it and creates nothing. ``result_url`` is where the first
    submission led, to send the second one there too.
    """

    token = models.CharField("フォームの識別子", max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="利用者", on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField("送信先", max_length=1000)
    result_url = models.CharField("結果の画面", max_length=1000, blank=True)
    created_at = models.DateTimeField("送信日時", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "フォームの送信"
        verbose_name_plural = "フォームの送信"

    def __str__(self) -> str:
        return f"{self.path} ({self.created_at:%Y-%m-%d %H:%M})"
