"""Writes on users, memberships and API tokens; each records its audit event."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tsunagu.audit.services import audit_record

from .models import (
    PERSONAL_DATA_ROLES,
    Agency,
    ApiToken,
    Membership,
    Notification,
    NotificationKind,
    Role,
    RoleGrantRequest,
    RoleGrantStatus,
    User,
)

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


def may_issue_token(*, membership: Membership, by: User | None) -> bool:
    """A token acts as its user, so only that user issues it — or the system administrator,
    for a service account (システム連携用アカウント) that holds no role opening personal data.
    ``by=None`` is the system itself (a command run on the server)."""
    if by is None or by.pk == membership.user_id:
        return True
    holder = membership.user
    return (
        holder.is_service_account
        and membership.role not in PERSONAL_DATA_ROLES
        and not holder.memberships.filter(is_active=True, role__in=PERSONAL_DATA_ROLES).exists()
    )


def api_token_issue(
    *, membership: Membership, name: str, by: User | None, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for another system; the plain text is returned once and never stored."""
    if not name.strip():
        raise ValidationError({"name": "用途を入力してください。"})
    if not may_issue_token(membership=membership, by=by):
        raise ValidationError(
            {
                "membership": "APIトークンは本人だけが発行できます（システム管理者が発行できる"
                "のは、個人情報を開く役割を持たないシステム連携用アカウントのトークンだけです）。"
            }
        )
    if not (membership.is_active and membership.user.is_active):
        raise ValidationError({"membership": "無効になっている所属・利用者には発行できません。"})
    raw = "tsu_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=membership.user,
            membership=membership,
            name=name.strip(),
            prefix=raw[4 : 4 + TOKEN_PREFIX_LEN],
            token_hash=_hash_token(raw),
            expires_at=expires_at,
            issued_by=by,
        )
        audit_record(
            actor=by,
            action="api_token.issue",
            target=token,
            context={"membership": membership.pk, "user": membership.user_id},
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


# --- 役割付与の四つの目 (a second person approves a role that opens personal data) --------


def is_officer(user: User | None) -> bool:
    return bool(
        user
        and user.is_active
        and user.memberships.filter(
            role=Role.MUNICIPAL_OFFICER, is_active=True, agency__is_active=True
        ).exists()
    )


def role_grant_check(*, user: User, agency: Agency, role: str) -> None:
    """Refuse a request the user already holds or that already waits for approval."""
    if not agency.is_active:
        raise ValidationError({"agency": "無効になっている機関には所属を追加できません。"})
    if Membership.objects.filter(user=user, agency=agency, role=role, is_active=True).exists():
        raise ValidationError({"role": "この利用者は既にこの機関でこの役割を持っています。"})
    if RoleGrantRequest.objects.filter(
        user=user, agency=agency, role=role, status=RoleGrantStatus.PENDING
    ).exists():
        raise ValidationError({"role": "同じ役割付与が既に承認待ちです。"})


def role_grant_propose(
    *, user: User, agency: Agency, role: str, by: User, title: str = "", reason: str = ""
) -> RoleGrantRequest | Membership:
    """Grant a role through the admin site: at once if it opens no personal data (the
    administrator role), else as a request a municipal officer approves."""
    if role not in Role.values:
        raise ValidationError({"role": "役割が正しくありません。"})
    if role not in PERSONAL_DATA_ROLES:
        return membership_grant(user=user, agency=agency, role=role, by=by, title=title)
    role_grant_check(user=user, agency=agency, role=role)
    with transaction.atomic():
        grant = RoleGrantRequest.objects.create(
            user=user, agency=agency, role=role, title=title, reason=reason, proposed_by=by
        )
        audit_record(
            actor=by,
            action="membership.propose",
            target=grant,
            context={"user": user.pk, "agency": agency.pk},
            purpose=reason,
            changes={"role": {"before": None, "after": role}},
        )
        officers = User.objects.filter(
            is_active=True,
            memberships__role=Role.MUNICIPAL_OFFICER,
            memberships__is_active=True,
        ).exclude(pk__in=[by.pk, user.pk])
        for officer in officers.distinct():
            notification_notify(
                recipient=officer,
                kind=NotificationKind.ROLE_GRANT,
                message=(
                    f"{by}さんが{user}さんに「{agency.name}／{grant.get_role_display()}」の役割を"
                    "付与しようとしています。承認してください。"
                ),
                url=reverse("accounts:role_grant_list"),
                key=f"role_grant:{grant.pk}",
            )
    return grant


def role_grant_decide(
    *, grant: RoleGrantRequest, by: User, approve: bool, note: str = ""
) -> RoleGrantRequest:
    """A municipal officer other than the proposer and the user approves or rejects."""
    if not is_officer(by):
        raise ValidationError("役割付与を承認・却下できるのは自治体職員（事務局）です。")
    if by.pk in (grant.proposed_by_id, grant.user_id):
        raise ValidationError("提案した本人や、役割を受ける本人は承認・却下できません。")
    if not approve and not note.strip():
        raise ValidationError({"decision_note": "却下の理由を入力してください。"})
    with transaction.atomic():
        grant = RoleGrantRequest.objects.select_for_update().get(pk=grant.pk)
        if grant.status != RoleGrantStatus.PENDING:
            raise ValidationError("この申請は既に承認または却下されています。")
        if approve:
            grant.membership = membership_grant(
                user=grant.user, agency=grant.agency, role=grant.role, by=by, title=grant.title
            )
        grant.status = RoleGrantStatus.APPROVED if approve else RoleGrantStatus.REJECTED
        grant.decided_by = by
        grant.decided_at = timezone.now()
        grant.decision_note = note.strip()
        grant.save(
            update_fields=["status", "decided_by", "decided_at", "decision_note", "membership"]
        )
        audit_record(
            actor=by,
            action="membership.approve" if approve else "membership.reject",
            target=grant,
            context={
                "user": grant.user_id,
                "agency": grant.agency_id,
                "proposed_by": grant.proposed_by_id,
            },
            purpose=grant.decision_note,
            changes={"status": {"before": "pending", "after": grant.status}},
        )
        notification_notify(
            recipient=grant.proposed_by,
            kind=NotificationKind.ROLE_GRANT,
            message=(
                f"{grant.user}さんへの「{grant.agency.name}／{grant.get_role_display()}」の"
                f"役割付与は{grant.get_status_display()}になりました（{by}）。"
            ),
            url=reverse("accounts:role_grant_list"),
            key=f"role_grant:{grant.pk}:decided",
        )
    return grant


def password_set_by_another(*, user: User, by: User, ip_address: str | None = None) -> None:
    """Someone else (the system administrator) set ``user``'s password: audited, and the user
    is told in the app and, if they have an address, by e-mail."""
    from django.core.mail import send_mail

    with transaction.atomic():
        audit_record(
            actor=by,
            action="user.password_reset",
            target=user,
            changes={"password": {"before": "（非表示）", "after": "（変更）"}},
            ip_address=ip_address,
            via="admin",
        )
        when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        message = (
            f"{when} に{by}さん（{by.get_username()}）があなたのパスワードを設定しました。"
            "心当たりがない場合は、すぐに事務局に連絡してください。"
        )
        notification_notify(
            recipient=user,
            kind=NotificationKind.ACCOUNT_SECURITY,
            message=message,
            key=f"password_set:{user.pk}:{timezone.now().timestamp()}",
        )
    if user.email:
        send_mail(
            "【つなぐ】パスワードが変更されました",
            message,
            None,
            [user.email],
            fail_silently=True,
        )


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
