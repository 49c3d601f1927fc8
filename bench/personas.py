"""The demo personas the page benchmarks act as, and the pages each one opens.

Shared by bench/pages.py (server time per page in one process) and bench/load.py (many
users against a real server). ``start_django`` sets Django up; the rest is called after it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

PERSONAS = (
    ("desk", "desk worker (地域包括)"),
    ("coordinator", "coordinator (多機関協働)"),
    ("officer", "office (推進室)"),
    ("housing", "desk worker (住宅課)"),
    ("hoken", "unrelated agency (保健C)"),
)
SEARCHES = {"search 1 char": "林", "search 2 chars": "佐藤", "search 3 chars": "佐々木"}


def start_django(name: str) -> None:
    """Django as the page benchmarks run it: the local settings with DEBUG off (no query
    log), the database of ``DATABASE_URL`` or else a new SQLite file, the test client's
    plumbing, every host allowed, the expected 404s not logged, migrated."""
    os.environ.setdefault(
        "TSUNAGU_SQLITE_PATH", str(Path(tempfile.mkdtemp(prefix=f"tsunagu-{name}-")) / "db.sqlite3")
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagu.settings.local"
    os.environ.setdefault("DJANGO_DEBUG", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)


def acting_user(username: str):
    """The demo user acting as their first membership."""
    from tsunagu.accounts.models import Membership, User

    user = User.objects.get(username=username)
    user.acting_membership = Membership.objects.filter(user=user).order_by("id").first()
    return user


def _pick(model, user):
    """A row the persona sees (the unrelated agency: one the desk sees and it does not)."""
    qs = model.objects.visible_to(user if user.username != "hoken" else acting_user("desk"))
    if user.username == "hoken":
        qs = qs.exclude(pk__in=model.objects.visible_to(user).values("pk"))
    return qs.order_by("-pk").first()


def pages_of(user) -> dict[str, str | None]:
    """``{page name: url}`` of the main pages for ``user`` (None: no row to open)."""
    from tsunagu.cases.models import Case, SupportPlan
    from tsunagu.meetings.models import Meeting
    from tsunagu.people.models import Household, Person

    person = _pick(Person, user)
    household = _pick(Household, user)
    case = _pick(Case, user)
    plan = SupportPlan.objects.filter(case=case).order_by("-pk").first() if case else None
    meeting = _pick(Meeting, user)
    return {
        "dashboard": "/",
        "person list": "/persons/",
        **{name: f"/persons/?q={q}" for name, q in SEARCHES.items()},
        "person page": person and f"/persons/{person.pk}/",
        "household page": household and f"/households/{household.pk}/",
        "case list": "/cases/",
        "case page": case and f"/cases/{case.pk}/",
        "plan page": plan and f"/cases/{case.pk}/plans/{plan.pk}/",
        "meeting page": meeting and f"/meetings/{meeting.pk}/",
        "referral inbox": "/referrals/",
    }


def session_of(user):
    """A signed-in session of ``user`` acting as their membership (as the login page leaves it)."""
    from django.test import Client

    from tsunagu.accounts.middleware import SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = user.acting_membership.pk
    session.save()
    return client, session.session_key
