import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from tsunagu.accounts import services
from tsunagu.accounts.models import Area, Membership, Role
from tsunagu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_area_hierarchy_and_cycle_refused(city):
    daily = Area.objects.create(code="d", name="長良圏域", kind="daily_life", parent=city)
    district = Area.objects.create(code="x", name="長良支部", kind="district", parent=daily)
    assert district.ancestors() == [daily, city]
    assert district.path_label() == "テスト市全域 > 長良圏域 > 長良支部"
    city.parent = district
    with pytest.raises(ValidationError, match="上位圏域"):
        city.full_clean()


def test_referenced_user_cannot_be_deleted(personas):
    user = personas["desk"].user
    with pytest.raises(ProtectedError):
        user.delete()


def test_deactivate_keeps_the_user_and_audits(personas):
    user = personas["desk"].user
    services.user_deactivate(user=user, by=personas["admin"].user, reason="退職")
    user.refresh_from_db()
    assert user.is_active is False
    event = AuditEvent.objects.get(action="user.deactivate")
    assert (event.purpose, event.actor) == ("退職", personas["admin"].user)


def test_membership_grant_and_revoke(personas, agencies):
    user = personas["desk"].user
    m = services.membership_grant(
        user=user, agency=agencies["housing"], role=Role.DESK_WORKER, by=None
    )
    assert m.is_active
    services.membership_revoke(membership=m, by=None)
    assert not Membership.objects.get(pk=m.pk).is_active
    again = services.membership_grant(
        user=user, agency=agencies["housing"], role=Role.DESK_WORKER, by=None
    )
    assert again.pk == m.pk and again.is_active
    with pytest.raises(ValidationError, match="役割が正しくありません"):
        services.membership_grant(user=user, agency=agencies["housing"], role="boss", by=None)
    assert AuditEvent.objects.filter(action__startswith="membership.").count() == 3


def test_user_create_rejects_duplicate_username(personas):
    with pytest.raises(ValidationError, match="既に使われています"):
        services.user_create(username="desk", password=None, display_name="重複", by=None)
    user = services.user_create(username="new", password=None, display_name="新人", by=None)
    assert not user.has_usable_password()
