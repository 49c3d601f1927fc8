"""Append-only, hash-chained audit trail of every write and every read of personal data.

An event is inserted with the hash of its own content and nothing else, so writers never wait
for each other; the database orders events by their id (``seq`` is the id). The sealer
(:func:`tsunagu.audit.services.audit_seal`) later chains committed events in append-only
:class:`AuditSeal` rows; events themselves are never changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditImmutableError(Exception):
    """Raised when code tries to change or remove an audit event."""

    def __init__(self) -> None:
        super().__init__("監査ログは追記のみです。変更・削除はできません。")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutableError

    def delete(self):
        raise AuditImmutableError

    def bulk_update(self, *args, **kwargs):
        raise AuditImmutableError


class AuditEventQuerySet(AppendOnlyQuerySet):
    def concerning_person(self, person_id: int) -> AuditEventQuerySet:
        return self.filter(person_links__person_id=person_id)


class AuditEvent(models.Model):
    """One audited action. ``seq`` is the database-assigned id; ``hash`` covers the content.

    Events recorded before the chain was sealed separately keep their old sequence number in
    ``legacy_seq`` and their old chain link in ``prev_hash`` (both covered by their hash).
    """

    seq = models.GeneratedField(
        expression=models.F("id"),
        output_field=models.BigIntegerField(),
        db_persist=True,
        unique=True,
        verbose_name="連番",
    )
    legacy_seq = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    occurred_at = models.DateTimeField("日時", db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    actor_username = models.CharField("操作者ID", max_length=150, blank=True, editable=False)
    acting_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name="操作時の所属機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    acting_role = models.CharField("操作時の役割", max_length=30, blank=True, editable=False)
    action = models.CharField("操作", max_length=64, db_index=True, editable=False)
    target_type = models.CharField("対象種別", max_length=64, blank=True, editable=False)
    target_id = models.CharField("対象ID", max_length=64, blank=True, editable=False)
    person_ids = models.JSONField("関係する本人", default=list, editable=False)
    context = models.JSONField("文脈", default=dict, editable=False)
    purpose = models.CharField("目的", max_length=200, blank=True, editable=False)
    changes = models.JSONField("変更内容", default=dict, editable=False)
    ip_address = models.GenericIPAddressField("接続元", null=True, blank=True, editable=False)
    via = models.CharField("経路", max_length=10, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "監査イベント"
        verbose_name_plural = "監査イベント"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError


class AuditPersonLink(models.Model):
    """Index from a person to the events concerning them (for 開示請求 and access history)."""

    event = models.ForeignKey(
        AuditEvent, on_delete=models.PROTECT, related_name="person_links", editable=False
    )
    person_id = models.PositiveBigIntegerField("本人ID", db_index=True, editable=False)

    class Meta:
        verbose_name = "監査イベントの本人"
        verbose_name_plural = "監査イベントの本人"
        constraints = [
            models.UniqueConstraint(fields=["event", "person_id"], name="audit_person_link_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.event_id} → 本人 {self.person_id}"


class AuditSeal(models.Model):
    """One link of the chain: ``hash`` covers the position, the event, its content hash and
    the previous link's hash. Written only by the sealer, one row per event, never changed."""

    position = models.PositiveBigIntegerField("位置", unique=True, editable=False)
    event = models.OneToOneField(
        AuditEvent, on_delete=models.PROTECT, related_name="seal", editable=False
    )
    sealed_at = models.DateTimeField("封印日時", editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "監査チェーンの封印"
        verbose_name_plural = "監査チェーンの封印"
        ordering = ["position"]

    def __str__(self) -> str:
        return f"封印 {self.position} → #{self.event_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError


class AuditChainHead(models.Model):
    """Single row holding the last seal's position and hash; locked by the sealer only,
    for one batch."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "監査チェーンの先頭"
        verbose_name_plural = "監査チェーンの先頭"

    def __str__(self) -> str:
        return f"連番 {self.seq}"
