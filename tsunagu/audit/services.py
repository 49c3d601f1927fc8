"""Writing and verifying the audit chain.

Services call :func:`audit_record` inside their own ``transaction.atomic`` block so that the
event commits or rolls back with the change it describes. Views and API endpoints record a
read of personal data with :func:`audit_read` in one line.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .context import current_origin, via_for_path
from .models import AuditChainHead, AuditEvent, AuditPersonLink

GENESIS_HASH = "0" * 64


def _json_ready(value: Any) -> Any:
    """Round-trip through JSON so the stored value and the hashed value are identical."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps(
        data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder
    ).encode("utf-8")


def compute_hash(event: AuditEvent) -> str:
    """SHA-256 over every recorded field of ``event`` and the previous event's hash."""
    occurred = event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    payload = {
        "seq": event.seq,
        "occurred_at": occurred,
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "acting_agency_id": event.acting_agency_id,
        "acting_role": event.acting_role,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "person_ids": event.person_ids,
        "context": event.context,
        "purpose": event.purpose,
        "changes": event.changes,
        "ip_address": event.ip_address,
        "via": event.via,
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(_canonical(payload)).hexdigest()


def _target_of(target: models.Model | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    return target._meta.label_lower, str(target.pk)


def _person_ids(persons: Iterable[Any]) -> list[int]:
    ids = {int(getattr(p, "pk", p)) for p in persons}
    return sorted(ids)


def _normalise_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        return ipaddress.ip_address(ip.strip()).compressed
    except ValueError:
        return None


def _locked_head() -> AuditChainHead:
    try:
        with transaction.atomic():
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(
                id=1, defaults={"seq": 0, "hash": GENESIS_HASH}
            )
    except IntegrityError:  # another writer created the head row at the same moment
        head = AuditChainHead.objects.select_for_update().get(id=1)
    return head


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    persons: Iterable[Any] = (),
    context: Mapping[str, Any] | None = None,
    purpose: str = "",
    changes: Mapping[str, Any] | None = None,
    acting_membership: Any | None = None,
    ip_address: str | None = None,
    via: str = "",
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    ``actor`` is a user (``None`` for the system itself). ``acting_membership`` defaults to
    the membership the user is acting under (set on the user by the middleware or the API
    token). ``persons`` are Person instances or ids this event concerns.
    """
    if not action or "." not in action:
        raise ValueError("action must look like 'entity.verb', e.g. 'person.view'")
    if target is not None:
        target_type, target_id = _target_of(target)
    user = actor if getattr(actor, "is_authenticated", False) else None
    membership = acting_membership or getattr(user, "acting_membership", None)
    person_ids = _person_ids(persons)
    origin = current_origin()
    if origin is not None:
        ip_address = ip_address or origin.ip_address
        via = via or origin.via
    with transaction.atomic():
        head = _locked_head()
        event = AuditEvent(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            actor=user,
            actor_username=user.get_username() if user else "",
            acting_agency_id=getattr(membership, "agency_id", None),
            acting_role=getattr(membership, "role", "") or "",
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            person_ids=person_ids,
            context=_json_ready(dict(context or {})),
            purpose=purpose,
            changes=_json_ready(dict(changes or {})),
            ip_address=_normalise_ip(ip_address),
            via=via,
            prev_hash=head.hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        if person_ids:
            AuditPersonLink.objects.bulk_create(
                [AuditPersonLink(event=event, person_id=pid) for pid in person_ids]
            )
        AuditChainHead.objects.filter(id=1).update(seq=event.seq, hash=event.hash)
    return event


def client_ip(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR")


def audit_read(
    request: Any,
    action: str,
    target: models.Model | None = None,
    *,
    persons: Iterable[Any] = (),
    context: Mapping[str, Any] | None = None,
    purpose: str = "",
    via: str | None = None,
) -> AuditEvent:
    """Record that the user of ``request`` read personal data (one line in a view or API)."""
    if via is None:
        via = via_for_path(request.path)
    return audit_record(
        actor=request.user,
        action=action,
        target=target,
        persons=persons,
        context=context,
        purpose=purpose,
        ip_address=client_ip(request),
        via=via,
    )


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` (for a before/after diff)."""
    names = (
        list(fields)
        if fields is not None
        else [f.attname for f in instance._meta.concrete_fields if not f.primary_key]
    )
    return _json_ready({name: getattr(instance, name) for name in names})


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, Any]:
    """``{field: {"before": old, "after": new}}`` for each field whose value changed."""
    before = _json_ready(dict(before or {}))
    after = _json_ready(dict(after))
    changed = {}
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changed[key] = {"before": before.get(key), "after": after.get(key)}
    return changed


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    head_hash: str = GENESIS_HASH

    def describe(self) -> str:
        if self.ok:
            return f"監査ログは正常です（{self.checked}件を検証、末尾ハッシュ {self.head_hash}）。"
        return (
            f"監査ログの改ざんを検出しました: 連番 {self.broken_seq}"
            f"（id={self.broken_id}）: {self.reason}（それまでの{self.checked}件は正常）"
        )


def audit_verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in order; report the first event that is missing, altered or relinked."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    last_id = None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return ChainReport(
                ok=False,
                checked=checked,
                broken_seq=expected_seq,
                broken_id=None,
                reason=f"連番 {expected_seq} から {event.seq - 1} が欠落しています（削除の疑い）",
            )
        if event.prev_hash != prev_hash:
            return ChainReport(
                ok=False,
                checked=checked,
                broken_seq=event.seq,
                broken_id=event.pk,
                reason="直前のイベントとのつながり（prev_hash）が一致しません",
            )
        if compute_hash(event) != event.hash:
            return ChainReport(
                ok=False,
                checked=checked,
                broken_seq=event.seq,
                broken_id=event.pk,
                reason=f"内容が記録時から変更されています（操作 {event.action}）",
            )
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
        last_id = event.pk
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != prev_hash:
        return ChainReport(
            ok=False,
            checked=checked,
            broken_seq=checked + 1 if head_seq > checked else head_seq,
            broken_id=last_id,
            reason=(
                f"チェーン先頭の記録（連番 {head_seq}）と実際の末尾（連番 {checked}）が"
                "一致しません（末尾の削除または先頭記録の改ざんの疑い）"
            ),
        )
    return ChainReport(ok=True, checked=checked, head_hash=prev_hash)
