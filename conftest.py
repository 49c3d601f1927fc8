"""Shared personas (domain.md §2 roles plus a worker of an unrelated agency)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tsunagu.accounts.models import Agency, Area, Membership, Role, User
from tsunagu.audit import db as audit_db

PASSWORD = "persona-password-2026"
PERSONA_NAMES = (
    "officer",
    "coordinator",
    "desk",
    "outreach",
    "participation",
    "community",
    "guest",
    "admin",
    "unrelated",
)


@dataclass
class Persona:
    user: User
    membership: Membership

    @property
    def agency(self) -> Agency:
        return self.membership.agency


def make_agency(code: str, name: str, area: Area, field: str = "other") -> Agency:
    return Agency.objects.create(
        code=code, name=name, field=field, operation="direct", area=area, phone="058-000-0000"
    )


def make_persona(username: str, agency: Agency, role: str) -> Persona:
    user = User.objects.create_user(
        username=username, password=PASSWORD, display_name=f"{username} さん"
    )
    membership = Membership.objects.create(user=user, agency=agency, role=role)
    user.acting_membership = membership
    return Persona(user=user, membership=membership)


@pytest.fixture
def city(db) -> Area:
    return Area.objects.create(code="city", name="テスト市全域", kind="city")


@pytest.fixture
def agencies(city) -> dict[str, Agency]:
    daily = Area.objects.create(code="dl1", name="中央圏域", kind="daily_life", parent=city)
    return {
        "office": make_agency("office", "重層的支援推進室", city),
        "council": make_agency("council", "福祉まるごと支援員（社協）", city),
        "houkatsu": make_agency("houkatsu", "地域包括支援センター中央", daily, "elderly"),
        "csw": make_agency("csw", "コミュニティソーシャルワーカー", daily),
        "community": make_agency("community", "地域福祉コーディネーター", city),
        "minsei": make_agency("minsei", "民生委員・児童委員協議会", city),
        "policy": make_agency("policy", "福祉政策課", city),
        "housing": make_agency("housing", "住宅・空家対策課", city, "housing"),
    }


@pytest.fixture
def personas(agencies) -> dict[str, Persona]:
    """One persona per role, plus ``unrelated``: a desk worker of an uninvolved agency."""
    return {
        "officer": make_persona("officer", agencies["office"], Role.MUNICIPAL_OFFICER),
        "coordinator": make_persona("coordinator", agencies["council"], Role.COORDINATOR),
        "desk": make_persona("desk", agencies["houkatsu"], Role.DESK_WORKER),
        "outreach": make_persona("outreach", agencies["csw"], Role.OUTREACH_WORKER),
        "participation": make_persona(
            "participation", agencies["council"], Role.PARTICIPATION_WORKER
        ),
        "community": make_persona("community", agencies["community"], Role.COMMUNITY_COORDINATOR),
        "guest": make_persona("guest", agencies["minsei"], Role.MEETING_GUEST),
        "admin": make_persona("admin", agencies["policy"], Role.ADMIN),
        "unrelated": make_persona("unrelated", agencies["housing"], Role.DESK_WORKER),
    }


@pytest.fixture
def login(client):
    """``login(persona)`` signs the test client in as that persona."""

    def _login(persona: Persona):
        client.force_login(persona.user)
        return client

    return _login


def _flush_past_audit_triggers() -> None:
    """Between transactional tests the test database is emptied with ``DELETE FROM`` on
    SQLite, which the audit tables' triggers refuse; PostgreSQL empties it with ``TRUNCATE``,
    which row triggers do not see. On SQLite the triggers are dropped for the flush and
    created again in the same statement list."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    DatabaseOperations = DatabaseWrapper.ops_class
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not set(audit_db.ALL_TABLES) & set(tables):
            return statements
        triggers = [
            (audit_db.sqlite_trigger_name(t, op), audit_db.sqlite_trigger_sql(t, op))
            for t in audit_db.ALL_TABLES
            for op in audit_db.SQLITE_OPERATIONS
        ]
        return [
            *(f"DROP TRIGGER IF EXISTS {name}" for name, _ in triggers),
            *statements,
            *(create for _, create in triggers),
        ]

    DatabaseOperations.sql_flush = sql_flush


_flush_past_audit_triggers()
