"""The 社会資源 directory's writes and search: schedules, capacity, confirmation, hosts."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.resources import selectors, services
from tsunagu.resources.models import (
    Frequency,
    HostProfile,
    Resource,
    ResourceKind,
    Schedule,
    Target,
)
from tsunagu.resources.services import ScheduleIn

pytestmark = pytest.mark.django_db

T = datetime.time


def kind(code: str) -> ResourceKind:
    return ResourceKind.objects.get(code=code)


@pytest.fixture
def editor(personas):
    return personas["participation"].user


@pytest.fixture
def shop(editor, city):
    org = services.organization_get_or_create(by=editor, name="柳ケ瀬商店街振興組合")
    return services.resource_create(
        by=editor,
        organization=org,
        name="八百屋まるやま 品出し体験",
        kind=kind("work_experience"),
        confirmed_on=timezone.localdate(),
        area=city,
        targets=[Target.YOUTH, Target.WORKING_AGE],
        capacity=2,
        places_free=1,
        description="野菜の品出しと袋詰め",
        schedules=[
            ScheduleIn(Frequency.WEEKLY, 2, T(10), T(12)),
            ScheduleIn(Frequency.MONTHLY, 5, T(9), T(11), weeks=(2, 4)),
        ],
    )


def test_standard_kinds_are_installed():
    assert ResourceKind.objects.count() == 12
    assert kind("kodomo_shokudo").name == "子ども食堂"


def test_a_resource_is_saved_with_its_schedules_and_audited(shop):
    labels = [s.label for s in shop.schedules.all()]
    assert labels == ["毎週水曜 10:00〜12:00", "第2・第4土曜 09:00〜11:00"]
    assert shop.target_labels() == ["若者", "現役世代"]
    event = AuditEvent.objects.get(action="resource.create", target_id=str(shop.pk))
    assert event.changes["schedules"]["after"] == labels


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (ScheduleIn(Frequency.WEEKLY, 2, T(12), T(10)), "終了時刻は開始時刻より後"),
        (ScheduleIn(Frequency.WEEKLY, 2, T(10), T(12), weeks=(5,)), "毎週の予定には「第n週」"),
        (ScheduleIn(Frequency.MONTHLY, 2, T(10), T(12)), "第何週か"),
        (ScheduleIn(Frequency.MONTHLY, 2, T(10), T(12), weeks=(6,)), "1〜5"),
        (ScheduleIn("daily", 2, T(10), T(12)), "くり返し"),
        (ScheduleIn(Frequency.WEEKLY, 7, T(10), T(12)), "曜日"),
    ],
)
def test_bad_schedules_write_nothing(editor, row, message):
    org = services.organization_get_or_create(by=editor, name="NPO法人 ひだまり")
    with pytest.raises(ValidationError) as caught:
        services.resource_create(
            by=editor,
            organization=org,
            name="居場所ひだまり",
            kind=kind("ibasho"),
            confirmed_on=timezone.localdate(),
            schedules=[row],
        )
    assert message in str(caught.value.message_dict["schedules.1"])
    assert not Resource.objects.exists() and not Schedule.objects.exists()


def test_capacity_future_confirmation_and_required_fields(editor):
    org = services.organization_get_or_create(by=editor, name="NPO法人 ひだまり")
    with pytest.raises(ValidationError) as caught:
        services.resource_create(
            by=editor,
            organization=org,
            name="",
            kind=None,
            confirmed_on=timezone.localdate() + datetime.timedelta(days=1),
            capacity=2,
            places_free=3,
        )
    errors = caught.value.message_dict
    assert set(errors) == {"name", "kind", "confirmed_on", "places_free"}
    assert not Resource.objects.exists()


def test_only_keepers_of_the_directory_edit_it(personas):
    for name in ("desk", "coordinator", "outreach", "guest", "admin", "unrelated"):
        with pytest.raises(PermissionDenied):
            services.organization_get_or_create(by=personas[name].user, name="団体")
    for name in ("officer", "participation", "community"):
        assert services.organization_get_or_create(by=personas[name].user, name="団体")


def test_update_replaces_schedules_and_records_the_change(editor, shop):
    services.resource_update(
        by=editor,
        resource=shop,
        places_free=0,
        schedules=[ScheduleIn(Frequency.WEEKLY, 3, T(13), T(15))],
    )
    shop.refresh_from_db()
    assert shop.is_full
    assert [s.label for s in shop.schedules.all()] == ["毎週木曜 13:00〜15:00"]
    event = AuditEvent.objects.filter(action="resource.update").latest("pk")
    assert event.changes["places_free"] == {"before": 1, "after": 0}
    assert event.changes["schedules"]["after"] == ["毎週木曜 13:00〜15:00"]
    with pytest.raises(ValidationError):
        services.resource_update(by=editor, resource=shop, places_free=5)


def test_search_by_day_time_kind_target_free_places_and_words(editor, shop, city):
    S = selectors.ResourceSearch
    found = lambda **kw: [r.pk for r in selectors.search(S(**kw))]  # noqa: E731
    assert found(weekday=2, at=T(10, 30)) == [shop.pk]  # Wednesday morning
    assert found(weekday=2, at=T(12)) == []  # closes at 12:00
    assert found(weekday=5, at=T(9, 30)) == [shop.pk]  # the 2nd/4th Saturday pattern
    assert found(kind=kind("work_experience").pk, target=Target.YOUTH) == [shop.pk]
    assert found(target=Target.ELDERLY) == []
    assert found(q="やおや") == []  # no reading stored: the words are the text's own
    assert found(q="品出し") == [shop.pk]
    assert found(q="品 出し") == [shop.pk]  # every word
    assert found(free_only=True) == [shop.pk]
    services.resource_update(by=editor, resource=shop, places_free=0)
    assert found(free_only=True) == []
    assert found(area=city.pk) == [shop.pk]
    rows = selectors.explain(
        list(selectors.with_related(selectors.search(S(weekday=2, at=T(10, 30))))),
        S(weekday=2, at=T(10, 30)),
    )
    assert rows[0].reasons == ["開いている：毎週水曜 10:00〜12:00"]


def test_stale_information_is_due_for_recheck(editor, shop):
    old = timezone.localdate() - datetime.timedelta(days=400)
    Resource.objects.filter(pk=shop.pk).update(confirmed_on=old)
    assert list(selectors.due_for_recheck()) == [shop]
    services.resource_confirm(by=editor, resource=shop)
    assert not selectors.due_for_recheck().exists()


def test_host_profile_and_its_assessment(editor, shop):
    with pytest.raises(ValidationError) as caught:
        services.host_save(
            by=editor, resource=shop, contact_person="丸山 店主", tasks="品出し", assessment="良好"
        )
    assert "assessed_on" in caught.value.message_dict
    assert not HostProfile.objects.exists()
    host = services.host_save(
        by=editor,
        resource=shop,
        contact_person="丸山 店主",
        tasks="品出し、袋詰め",
        concerns="接客は難しいかもしれない",
        assessment="店主は若者の受け入れに前向き。午前中の品出しなら負担が少ない。",
        assessed_on=timezone.localdate(),
    )
    assert host.is_assessed and host.assessed_by == editor
    assert AuditEvent.objects.filter(action="resource.host_save").exists()
