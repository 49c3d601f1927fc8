"""Writes on users, memberships and API tokens; each records its audit event."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu.audit.services import audit_record

from .models import Agency, ApiToken, Membership, Notification, NotificationKind, Role, User

TOKEN_PREFIX_LEN = 8


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def user_create(
    *,
    username: str,
    password: str | None,
    display_name: str,
    by: User | None,
    display_name_kana: str = "",
    email: str = "",
    is_staff: bool = False,
) -> User:
    """Create a sign-in account (password ``None``: unusable until set by an administrator)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": "このユーザーIDは既に使われています。"})
    with transaction.atomic():
        user = User(
            username=username,
            display_name=display_name,
            display_name_kana=display_name_kana,
            email=email,
            is_staff=is_staff,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit_record(
            actor=by,
            action="user.create",
            target=user,
            changes={"username": {"before": None, "after": username}},
        )
    return user


def membership_grant(
    *, user: User, agency: Agency, role: str, by: User | None, title: str = ""
) -> Membership:
    """Give ``user`` a role at ``agency`` (re-activating a former identical membership)."""
    if role not in Role.values:
        raise ValidationError({"role": "役割が正しくありません。"})
    if not agency.is_active:
        raise ValidationError({"agency": "無効になっている機関には所属を追加できません。"})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, agency=agency, role=role, defaults={"title": title}
        )
        if not created and not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        audit_record(
            actor=by,
            action="membership.grant",
            target=membership,
            context={"user": user.pk, "agency": agency.pk},
            changes={"role": {"before": None, "after": role}},
        )
    return membership


def membership_revoke(*, membership: Membership, by: User | None) -> Membership:
    with transaction.atomic():
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit_record(
            actor=by,
            action="membership.revoke",
            target=membership,
            context={"user": membership.user_id, "agency": membership.agency_id},
        )
    return membership


def user_deactivate(*, user: User, by: User | None, reason: str = "") -> User:
    """Disable sign-in for ``user``. Users are never deleted while anything refers to them."""
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit_record(
            actor=by,
            action="user.deactivate",
            target=user,
            purpose=reason,
            changes={"is_active": {"before": True, "after": False}},
        )
    return user


def api_token_issue(
    *, membership: Membership, name: str, by: User | None, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for another system; the plain text is returned once and never stored."""
    if not name.strip():
        raise ValidationError({"name": "用途を入力してください。"})
    raw = "tsu_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=membership.user,
            membership=membership,
            name=name.strip(),
            prefix=raw[4 : 4 + TOKEN_PREFIX_LEN],
            token_hash=_hash_token(raw),
            expires_at=expires_at,
        )
        audit_record(
            actor=by,
            action="api_token.issue",
            target=token,
            context={"membership": membership.pk},
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, by: User | None) -> ApiToken:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="api_token.revoke", target=token)
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The valid token for ``raw`` (with user and membership loaded), or ``None``."""
    if not raw or not raw.startswith("tsu_"):
        return None
    token = (
        ApiToken.objects.select_related("user", "membership", "membership__agency")
        .filter(token_hash=_hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at and token.expires_at <= now:
        return None
    if not (token.user.is_active and token.membership.is_active):
        return None
    if not token.membership.agency.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- お知らせ (in-app notifications) ----------------------------------------------------


def notification_notify(
    *, recipient: User, kind: str, message: str, url: str = "", key: str
) -> tuple[Notification, bool]:
    """Give ``recipient`` a notice once per ``key`` (a second call returns the first one)."""
    if kind not in NotificationKind.values:
        raise ValidationError({"kind": "お知らせの種類が正しくありません。"})
    if not message.strip():
        raise ValidationError({"message": "お知らせの内容がありません。"})
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            recipient=recipient,
            key=key,
            defaults={"kind": kind, "message": message, "url": url},
        )
        if created:
            audit_record(
                actor=None,
                action="notification.create",
                target=notification,
                context={"recipient": recipient.pk, "kind": kind},
            )
    return notification, created


def notification_mark_read(*, by: User, notifications) -> int:
    """Mark ``by``'s own unread notices read; returns how many changed."""
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(
                pk__in=[n.pk for n in notifications], recipient=by, read_at__isnull=True
            ).values_list("pk", flat=True)
        )
        if ids:
            Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())
            audit_record(
                actor=by,
                action="notification.read",
                target_type="accounts.notification",
                target_id=",".join(map(str, ids))[:64],
                context={"notifications": ids},
            )
    return len(ids)
