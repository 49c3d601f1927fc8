"""Request plumbing of the API: ``Idempotency-Key`` records."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` of one user: claimed before the request runs, answered after.

    While ``status_code`` is empty the first request is still running (or failed before it
    could answer); a stored answer is replayed to the same user for the same request only.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="利用者",
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField("Idempotency-Key", max_length=255)
    fingerprint = models.CharField("要求の指紋", max_length=64)
    method = models.CharField("メソッド", max_length=8)
    path = models.CharField("パス", max_length=1000)
    created_at = models.DateTimeField("受付日時", db_index=True)
    status_code = models.PositiveSmallIntegerField("応答コード", null=True, blank=True)
    content_type = models.CharField("応答の形式", max_length=100, blank=True)
    location = models.CharField("Location", max_length=1000, blank=True)
    body = models.BinaryField("応答本文", null=True, blank=True)
    completed_at = models.DateTimeField("応答日時", null=True, blank=True)

    class Meta:
        verbose_name = "冪等キー"
        verbose_name_plural = "冪等キー"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"

    @property
    def is_answered(self) -> bool:
        return self.status_code is not None
