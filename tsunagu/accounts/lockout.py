"""Sign-in lockout after repeated failures (django-axes): the Japanese answer, the list of
locked accounts and unlocking by the program office, each recorded in the audit trail.

The lockout is counted by the user ID typed, whether or not such an account exists, so the
answer tells nothing about which IDs are real.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.helpers import get_cool_off
from axes.utils import reset
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

from tsunagu.audit.services import audit_record

from .models import LoginAttempt

LOCKED_STATUS = 429


def failure_limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def cooloff_minutes() -> int:
    cool_off = get_cool_off()
    return int(cool_off.total_seconds() // 60) if cool_off else 0


def lockout_response(request, original_response=None, credentials=None):
    """The answer to a sign-in refused because its user ID is locked (HTTP 429)."""
    return render(
        request,
        "accounts/locked_out.html",
        {"cooloff_minutes": cooloff_minutes()},
        status=LOCKED_STATUS,
    )


@dataclass(frozen=True)
class Lock:
    username: str
    failures: int
    addresses: int
    last_failure: datetime
    unlocks_at: datetime | None


def _recent_attempts():
    attempts = LoginAttempt.objects.exclude(username__isnull=True)
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts


def locked_accounts() -> list[Lock]:
    """User IDs refused at sign-in now (their recent failures reached the limit)."""
    cool_off = get_cool_off()
    rows = (
        _recent_attempts()
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=failure_limit())
        .order_by("-last")
    )
    locks = []
    for row in rows:
        addresses = (
            _recent_attempts()
            .filter(username=row["username"])
            .values("ip_address")
            .distinct()
            .count()
        )
        locks.append(
            Lock(
                username=row["username"],
                failures=row["failures"],
                addresses=addresses,
                last_failure=row["last"],
                unlocks_at=row["last"] + cool_off if cool_off else None,
            )
        )
    return locks


def is_locked(username: str) -> bool:
    total = _recent_attempts().filter(username=username).aggregate(n=Sum("failures_since_start"))
    return (total["n"] or 0) >= failure_limit()


def login_unlock(*, username: str, by, ip_address: str | None = None, via: str = "") -> int:
    """Forget the failed sign-ins of ``username`` (from every address): it may sign in again.

    Returns how many attempt records were removed; the unlock is audited either way.
    """
    with transaction.atomic():
        was_locked = is_locked(username)
        removed = reset(username=username)
        audit_record(
            actor=by,
            action="auth.unlocked",
            context={"username": username[:150], "was_locked": was_locked, "removed": removed},
            ip_address=ip_address,
            via=via,
        )
    return removed


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """Audit the failure that locked a user ID (not every refused try during the lockout:
    those are recorded as failed sign-ins)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures > failure_limit():
        return
    audit_record(
        actor=None,
        action="auth.locked_out",
        context={
            "username": str(username or "")[:150],
            "failure_limit": failure_limit(),
            "cooloff_minutes": cooloff_minutes(),
        },
        ip_address=ip_address,
        via="web",
    )
