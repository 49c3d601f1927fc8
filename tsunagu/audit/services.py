"""Writing, sealing and verifying the audit chain.

Services call :func:`audit_record` inside their own ``transaction.atomic`` block so that the
event commits or rolls back with the change it describes. Views and API endpoints record a
read of personal data with :func:`audit_read` in one line.

Recording takes no lock: an event is inserted with the hash of its own content, and the
database's id orders it. :func:`audit_seal` (after each commit for the newest events, and
``manage.py audit_seal`` from cron for all) chains the committed events that have no seal yet
into append-only ``AuditSeal`` rows, in the order it sees them committed; only the sealer
locks the chain head, for one short batch. An event that commits late (a long import that got
a low id) is simply sealed later, after events with higher ids: the chain is in sealing order,
each event sealed exactly once.
:func:`audit_verify_chain` checks every seal and event in one snapshot, each event's person
links (the index of a person's access history) against the person list its hash covers, the
database's refusal of UPDATE and DELETE, and the checkpoints kept outside the database
(:mod:`.checkpoint`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import time
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from .checkpoint import CheckpointFileError, checkpoint_dir, read_checkpoints
from .context import current_origin, defer_sealing, via_for_path
from .db import consistent_snapshot, missing_protections
from .models import AuditChainHead, AuditEvent, AuditPersonLink, AuditSeal

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
SEAL_BATCH_SIZE = 1000


def seal_grace() -> timedelta:
    """How long an event may stay unsealed before verification reports it."""
    return timedelta(seconds=getattr(settings, "AUDIT_SEAL_GRACE_SECONDS", 300))


def _json_ready(value: Any) -> Any:
    """Round-trip through JSON so the stored value and the hashed value are identical."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps(
        data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder
    ).encode("utf-8")


def compute_hash(event: AuditEvent) -> str:
    """SHA-256 over every recorded field of ``event`` (its content hash).

    Events recorded before sealing existed also cover their old sequence number and link.
    """
    occurred = event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    payload = {
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
    }
    if event.legacy_seq is not None:
        payload["seq"] = event.legacy_seq
        payload["prev_hash"] = event.prev_hash
    return hashlib.sha256(_canonical(payload)).hexdigest()


def chain_hash(*, position: int, event_id: int, content_hash: str, prev_hash: str) -> str:
    """The hash of one seal: its place in the chain, the event and the link before it."""
    payload = {
        "position": position,
        "event_id": event_id,
        "content_hash": content_hash,
        "prev_hash": prev_hash,
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
        event = AuditEvent(
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
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        if person_ids:
            AuditPersonLink.objects.bulk_create(
                [AuditPersonLink(event=event, person_id=pid) for pid in person_ids]
            )
        _seal_after_commit()
    return event


def _seal_soon() -> None:
    if defer_sealing():  # in a request: when it ends
        return
    _seal_quietly()


_last_request_seal = [float("-inf")]  # monotonic time of this process's last request seal


def seal_after_request() -> None:
    """Seal what is committed (the tail of the chain), giving way to a sealer already running;
    a failure here is logged, never the user's: ``audit_seal`` (cron) seals it later.

    A process seals at most once every ``AUDIT_SEAL_EVERY_SECONDS``: under load one request
    a second seals the others' events in one batch, instead of every request taking the
    chain head for its own few. ``audit_seal`` (cron, every minute) seals what a quiet
    moment leaves."""
    every = getattr(settings, "AUDIT_SEAL_EVERY_SECONDS", 0)
    now = time.monotonic()
    if every and now - _last_request_seal[0] < every:
        return
    _last_request_seal[0] = now
    _seal_quietly()


def _seal_quietly() -> None:
    """Seal the tail of the chain; a failure is logged (cron's ``audit_seal`` seals later)."""
    try:
        audit_seal(wait=False, stragglers=False)
    except Exception:
        logger.exception("audit events not sealed now; audit_seal (cron) will seal them")


def _seal_after_commit() -> None:
    """Seal once after the outermost transaction commits (not once per event of an import)."""
    if any(func is _seal_soon for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_seal_soon, robust=True)


def _seal_head(*, wait: bool) -> AuditChainHead | None:
    """The chain head, locked for this transaction; ``None`` if another sealer holds it and
    ``wait`` is false (that sealer, or the next, seals what is committed)."""
    head = AuditChainHead.objects.select_for_update(skip_locked=not wait).filter(id=1).first()
    if head is not None or AuditChainHead.objects.filter(id=1).exists():
        return head
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(id=1, seq=0, hash=GENESIS_HASH)
    except IntegrityError:  # another sealer created it at the same moment
        pass
    return AuditChainHead.objects.select_for_update(skip_locked=not wait).filter(id=1).first()


def _seal_batch(*, batch_size: int, wait: bool, stragglers: bool) -> int | None:
    with transaction.atomic():
        head = _seal_head(wait=wait)
        if head is None:
            return None
        events = AuditEvent.objects.order_by("id").only("id", "hash")
        if stragglers:
            events = events.filter(seal__isnull=True)
        else:  # only the tail: a range scan, however long the chain
            last = AuditSeal.objects.aggregate(last=models.Max("event_id"))["last"] or 0
            events = events.filter(id__gt=last)
        events = list(events[:batch_size])
        if not events:
            return 0
        position, prev = head.seq, head.hash
        now = timezone.now()
        seals = []
        for event in events:
            position += 1
            link = chain_hash(
                position=position, event_id=event.pk, content_hash=event.hash, prev_hash=prev
            )
            seals.append(
                AuditSeal(
                    position=position, event_id=event.pk, sealed_at=now, prev_hash=prev, hash=link
                )
            )
            prev = link
        AuditSeal.objects.bulk_create(seals)
        AuditChainHead.objects.filter(id=1).update(seq=position, hash=prev)
        return len(events)


def audit_seal(
    *, batch_size: int = SEAL_BATCH_SIZE, wait: bool = True, stragglers: bool = True
) -> int:
    """Chain every committed, unsealed event, in id order, in short batches; return how many.

    One sealer at a time: each batch locks the chain head for its own short transaction.
    After a request's commit it runs with ``wait=False`` (it gives way to a sealer already
    running) and ``stragglers=False``: it seals only events with ids above the last sealed
    one, a cheap range. ``manage.py audit_seal`` (cron) also seals stragglers, events of a
    long transaction that got a lower id and committed after higher ones were sealed.
    """
    sealed = 0
    while True:
        count = _seal_batch(batch_size=batch_size, wait=wait, stragglers=stragglers)
        if not count:
            return sealed
        sealed += count
        if count < batch_size:
            return sealed


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
) -> AuditEvent | None:
    """Record that the user of ``request`` read personal data (one line in a view or API).

    Inside :func:`reads_together` the read is written with the block's others when it ends
    (and ``None`` is returned)."""
    if via is None:
        via = via_for_path(request.path)
    read = {
        "actor": request.user,
        "action": action,
        "target": target,
        "persons": persons,
        "context": context,
        "purpose": purpose,
        "ip_address": client_ip(request),
        "via": via,
    }
    pending = _pending_reads.get()
    if pending is not None:
        read["persons"] = _person_ids(persons)
        pending.append(read)
        return None
    return audit_record(**read)


_pending_reads: ContextVar[list[dict] | None] = ContextVar("tsunagu_pending_reads", default=None)


@contextmanager
def reads_together():
    """The audited reads of the block (a page built of panels, each recording what it shows)
    are written when it ends, as one event per action, purpose and target: the persons of
    all of them, and their contexts under ``parts``. Nothing is written if the block fails
    (nothing it read is shown)."""
    pending: list[dict] = []
    token = _pending_reads.set(pending)
    try:
        yield
    finally:
        _pending_reads.reset(token)
    for read in _merged(pending):
        audit_record(**read)


def pending_read_events() -> int:
    """How many events the enclosing :func:`reads_together` will write when it ends."""
    pending = _pending_reads.get()
    return len(_merged(pending)) if pending else 0


def _merged(reads: list[dict]) -> list[dict]:
    groups: dict[tuple, dict] = {}
    for read in reads:
        target = read["target"]
        key = (
            getattr(read["actor"], "pk", None),
            read["action"],
            read["purpose"],
            read["via"],
            read["ip_address"],
            _target_of(target) if target is not None else None,
        )
        group = groups.setdefault(key, {**read, "persons": set(), "parts": []})
        group["persons"].update(read["persons"])
        if read["context"]:
            group["parts"].append(dict(read["context"]))
    merged = []
    for group in groups.values():
        parts = group.pop("parts")
        group["persons"] = sorted(group["persons"])
        group["context"] = parts[0] if len(parts) == 1 else ({"parts": parts} if parts else None)
        merged.append(group)
    return merged


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
    """``ok`` is false only for tampering. Events left unsealed longer than the grace period
    are a separate problem (the sealer is not running): ``stale_unsealed``."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    head_hash: str = GENESIS_HASH
    unsealed: int = 0
    stale_unsealed: int = 0
    oldest_unsealed_at: datetime | None = None
    checkpoints: int = 0
    last_checkpoint_at: datetime | None = None
    checkpoint_stale: bool = False

    @property
    def problem(self) -> bool:
        return self.stale_unsealed > 0 or self.checkpoint_stale

    def describe(self) -> str:
        if not self.ok:
            where = (
                f"連番 {self.broken_seq}（id={self.broken_id}）: "
                if self.broken_seq is not None
                else ""
            )
            return (
                f"監査ログの改ざんを検出しました: {where}{self.reason}"
                f"（それまでの{self.checked}件は正常）"
            )
        text = f"監査ログは正常です（{self.checked}件を検証、末尾ハッシュ {self.head_hash}）。"
        if self.checkpoints:
            last = timezone.localtime(self.last_checkpoint_at).strftime("%Y-%m-%d %H:%M")
            text += f" 外部チェックポイント {self.checkpoints}件と一致（最新 {last}）。"
        if self.checkpoint_stale:
            text += (
                " 外部チェックポイントが"
                f"{int(checkpoint_max_age().total_seconds() // 3600)}時間以上書かれていません"
                "（audit_seal が動いているか、チェックポイントのフォルダーを確認してください）。"
            )
        if self.unsealed:
            text += f" 未封印 {self.unsealed}件"
            if self.stale_unsealed:
                oldest = timezone.localtime(self.oldest_unsealed_at).strftime("%Y-%m-%d %H:%M:%S")
                text += (
                    f"（うち{self.stale_unsealed}件は猶予時間を過ぎています。最古 {oldest}。"
                    "audit_seal が動いているか確認してください）"
                )
            text += "。"
        return text


def checkpoint_max_age() -> timedelta:
    """How old the newest external checkpoint may be before verification reports it."""
    return timedelta(seconds=getattr(settings, "AUDIT_CHECKPOINT_MAX_AGE_SECONDS", 86400))


def _broken(checked: int, event_id: int | None, reason: str, seq: int | None = None):
    return ChainReport(
        ok=False,
        checked=checked,
        broken_seq=seq if seq is not None else event_id,
        broken_id=event_id,
        reason=reason,
    )


def audit_verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the seals in order in one snapshot; report the first event or seal that is
    missing, altered or relinked, then count events not sealed yet."""
    with consistent_snapshot(connection):
        return _verify(chunk_size=chunk_size)


def _verify(*, chunk_size: int) -> ChainReport:
    missing = missing_protections(connection)
    if missing:
        return _broken(
            0,
            None,
            "監査ログの変更・削除を拒否するデータベースのトリガーがありません"
            f"（{', '.join(missing)}。外された疑い、または移行の不備）",
        )
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    expected = 1
    prev_hash = GENESIS_HASH
    checked = 0
    last_id = None
    while True:
        seals = list(
            AuditSeal.objects.filter(position__gte=expected).order_by("position")[:chunk_size]
        )
        if not seals:
            break
        events = AuditEvent.objects.in_bulk([s.event_id for s in seals])
        links: dict[int, set[int]] = {}
        for event_id, person_id in AuditPersonLink.objects.filter(
            event_id__in=[s.event_id for s in seals]
        ).values_list("event_id", "person_id"):
            links.setdefault(event_id, set()).add(person_id)
        for seal in seals:
            if seal.position != expected:
                return _broken(
                    checked,
                    None,
                    f"封印 {expected} から {seal.position - 1} が欠落しています（削除の疑い）",
                    seq=None,
                )
            event = events.get(seal.event_id)
            if event is None:
                return _broken(
                    checked, seal.event_id, "封印されたイベントが存在しません（削除の疑い）"
                )
            if seal.prev_hash != prev_hash:
                return _broken(
                    checked, event.pk, "直前の封印とのつながり（prev_hash）が一致しません"
                )
            if compute_hash(event) != event.hash:
                return _broken(
                    checked, event.pk, f"内容が記録時から変更されています（操作 {event.action}）"
                )
            link = chain_hash(
                position=seal.position,
                event_id=event.pk,
                content_hash=event.hash,
                prev_hash=prev_hash,
            )
            if link != seal.hash:
                return _broken(
                    checked,
                    event.pk,
                    "封印と内容のハッシュが一致しません"
                    f"（記録または封印の改ざんの疑い、操作 {event.action}）",
                )
            if links.get(event.pk, set()) != set(event.person_ids or []):
                return _broken(
                    checked,
                    event.pk,
                    "本人との関連づけ（本人ごとの閲覧・変更の履歴）が記録と一致しません"
                    f"（削除または追加の疑い、操作 {event.action}）",
                )
            prev_hash = link
            expected += 1
            checked += 1
            last_id = event.pk
    if head_seq != checked or head_hash != prev_hash:
        return _broken(
            checked,
            last_id,
            (
                f"チェーン先頭の記録（封印 {head_seq}）と実際の末尾（封印 {checked}）が"
                "一致しません（末尾の削除または先頭記録の改ざんの疑い）"
            ),
        )
    try:
        checkpoints, last_checkpoint, behind = _check_checkpoints(checked)
    except CheckpointFileError as exc:
        return _broken(checked, None, f"外部チェックポイントのファイル: {exc}")
    if behind is not None:
        return _broken(checked, None, behind)
    unsealed = AuditEvent.objects.filter(seal__isnull=True)
    cutoff = timezone.now() - seal_grace()
    stale = unsealed.filter(occurred_at__lt=cutoff)
    oldest = stale.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    return ChainReport(
        ok=True,
        checked=checked,
        head_hash=prev_hash,
        unsealed=unsealed.count(),
        stale_unsealed=stale.count(),
        oldest_unsealed_at=oldest,
        checkpoints=checkpoints,
        last_checkpoint_at=last_checkpoint.written_at if last_checkpoint else None,
        checkpoint_stale=_checkpoint_stale(last_checkpoint),
    )


def _check_checkpoints(head_position: int):
    """Compare the verified chain with the checkpoints outside the database: each one's
    position must still carry its hash, and none may lie beyond the chain's end. Returns
    (how many, the last one, what is wrong or ``None``)."""
    count, last, batch = 0, None, []

    def compare(batch) -> str | None:
        seals = dict(
            AuditSeal.objects.filter(position__in=[c.position for c in batch]).values_list(
                "position", "hash"
            )
        )
        for cp in batch:
            if seals.get(cp.position) != cp.hash:
                return (
                    f"封印 {cp.position} のハッシュが外部チェックポイント"
                    f"（{timezone.localtime(cp.written_at):%Y-%m-%d %H:%M}、{cp.line}行目）と"
                    "一致しません（記録を書き換えてチェーンを計算し直した疑い）"
                )
        return None

    for cp in read_checkpoints():
        if last is not None and cp.position < last.position:
            raise CheckpointFileError(f"{cp.line}行目の位置が前の行より小さくなっています")
        count, last = count + 1, cp
        if cp.position > head_position:
            return (
                count,
                last,
                f"チェーンの末尾（封印 {head_position}）が外部チェックポイント"
                f"（封印 {cp.position}、{timezone.localtime(cp.written_at):%Y-%m-%d %H:%M}）より"
                "短くなっています（末尾の削除の疑い。バックアップから復元した場合は、"
                "チェックポイントのファイルを退避してください）",
            )
        batch.append(cp)
        if len(batch) >= 1000:
            problem = compare(batch)
            if problem:
                return count, last, problem
            batch = []
    if batch:
        problem = compare(batch)
        if problem:
            return count, last, problem
    return count, last, None


def _checkpoint_stale(last) -> bool:
    """Checkpoints are turned on, the chain has events older than the allowed age, and no
    checkpoint was written within it."""
    if checkpoint_dir() is None:
        return False
    cutoff = timezone.now() - checkpoint_max_age()
    if last is not None and last.written_at >= cutoff:
        return False
    return AuditSeal.objects.filter(sealed_at__lt=cutoff).exists()
