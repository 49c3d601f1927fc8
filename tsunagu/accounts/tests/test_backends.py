"""Permissions come from the rules alone: Django's model permission tables are never read."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from tsunagu.accounts.models import User

pytestmark = pytest.mark.django_db


def _fresh(persona):
    user = User.objects.get(pk=persona.user.pk)
    user.acting_membership = persona.membership
    return user


def test_a_refused_permission_reads_no_permission_table(personas):
    desk = _fresh(personas["desk"])
    with CaptureQueriesContext(connection) as captured:
        assert not desk.has_perm("accounts.decide_role_grant")
        assert not desk.has_perm("audit.view_log")
        assert not desk.has_module_perms("accounts")
    assert [q["sql"] for q in captured.captured_queries] == []


def test_the_rules_still_grant(personas):
    assert _fresh(personas["officer"]).has_perm("accounts.decide_role_grant")
    assert _fresh(personas["admin"]).has_perm("accounts.change_user")
    assert _fresh(personas["admin"]).has_module_perms("accounts")


def test_a_model_permission_granted_in_the_database_opens_nothing(personas):
    """Nothing grants Django's model permissions; one written straight into the table
    (by hand, or a leftover) must not open what the rules keep closed."""
    desk = personas["desk"].user
    desk.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    desk = _fresh(personas["desk"])
    assert not desk.has_perm("audit.view_auditevent")
    assert not desk.has_perm("audit.view_log")


def test_password_sign_in_still_works(personas, rf):
    request = rf.post("/accounts/login/")
    user = authenticate(request, username="desk", password=PASSWORD)
    assert user is not None and user.pk == personas["desk"].user.pk
    assert authenticate(request, username="desk", password="wrong-password") is None
