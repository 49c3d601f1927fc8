"""プラットフォーム: creating and changing one (the end after the start, not before a member
joined or a meeting held), member organisations joining (an agency or a group by name, not
twice, within the platform's period) and leaving; the pages with every persona (staff read,
guests and administrators 403, non-editors 403 with the rule on writes) and the platform's
history of meetings."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import PERSONA_NAMES
from tsunagu.audit.models import AuditEvent

from ..models import Platform, PlatformMember
from ..selectors import activities as selectors
from ..services import activities as activity_services
from ..services import platforms as services
from .test_activities_fixtures import *  # noqa: F403
from .test_activities_fixtures import EDITORS, NOT_EDITORS, READERS, at, kind

pytestmark = pytest.mark.django_db

D = datetime.date


def token_of(body: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', body)[1]


# ------------------------------------------------------------------------------- services


def test_a_platform_is_created_and_audited(platform, editor):
    assert (platform.name, platform.started_on, platform.ended_on) == (
        "中央ぷらっと会議",
        D(2025, 4, 1),
        None,
    )
    event = AuditEvent.objects.get(action="community.platform_create")
    assert event.actor_id == editor.pk and event.changes["name"]["after"] == "中央ぷらっと会議"


@pytest.mark.parametrize(
    ("fields", "key", "message"),
    [
        ({"name": " "}, "name", "プラットフォームの名称を入力してください。"),
        ({"name": "あ" * 201}, "name", "名称は200文字以内で入力してください。"),
        ({"started_on": None}, "started_on", "開始日を入力してください。"),
        ({"ended_on": D(2025, 3, 1)}, "ended_on", "終了日は開始日より後の日付にしてください。"),
        ({"description": "あ" * 4001}, "description", "目的・内容は4000文字以内"),
    ],
)
def test_each_rule_answers_in_japanese_and_writes_nothing(editor, fields, key, message):
    values = {"name": "北部協議体", "started_on": D(2025, 4, 1), **fields}
    with pytest.raises(ValidationError) as caught:
        services.platform_create(by=editor, **values)
    assert message in caught.value.message_dict[key][0]
    assert Platform.objects.count() == 0 and AuditEvent.objects.count() == 0


@pytest.mark.parametrize("name", [*NOT_EDITORS, "guest", "admin"])
def test_only_community_coordinators_and_the_office_keep_platforms(personas, platform, name):
    user = personas[name].user
    with pytest.raises(PermissionDenied):
        services.platform_create(by=user, name="北部協議体", started_on=D(2025, 4, 1))
    with pytest.raises(PermissionDenied):
        services.platform_update(by=user, platform=platform, name="別名")
    with pytest.raises(PermissionDenied):
        services.member_add(by=user, platform=platform, name="自治会", joined_on=D(2025, 5, 1))
    assert Platform.objects.count() == 1 and PlatformMember.objects.count() == 0


def test_members_join_once_within_the_period_and_leave(platform, editor, personas):
    agency = personas["desk"].agency
    member = services.member_add(
        by=editor, platform=platform, agency=agency, role="相談窓口", joined_on=D(2025, 5, 1)
    )
    assert member.name == "地域包括支援センター中央"  # the agency's name
    with pytest.raises(ValidationError) as caught:
        services.member_add(by=editor, platform=platform, agency=agency, joined_on=D(2025, 6, 1))
    assert caught.value.message_dict["name"] == ["「地域包括支援センター中央」は既に構成団体です。"]
    with pytest.raises(ValidationError) as caught:
        services.member_add(by=editor, platform=platform, name="自治会", joined_on=D(2025, 3, 1))
    assert "開始日（令和7年4月1日）より後" in caught.value.message_dict["joined_on"][0]
    with pytest.raises(ValidationError) as caught:
        services.member_add(by=editor, platform=platform, joined_on=D(2025, 6, 1))
    assert caught.value.message_dict["name"] == ["団体名を入力するか、機関を選んでください。"]

    with pytest.raises(ValidationError) as caught:
        services.member_leave(by=editor, member=member, left_on=D(2025, 4, 30))
    assert "参加日（令和7年5月1日）より後" in caught.value.message_dict["left_on"][0]
    services.member_leave(by=editor, member=member, left_on=D(2026, 3, 31))
    member.refresh_from_db()
    assert member.left_on == D(2026, 3, 31)
    with pytest.raises(ValidationError) as caught:
        services.member_leave(by=editor, member=member, left_on=D(2026, 4, 1))
    assert "令和8年3月31日に退会しています" in caught.value.message_dict["left_on"][0]
    rejoined = services.member_add(  # after leaving, the agency may join again
        by=editor, platform=platform, agency=agency, joined_on=D(2026, 6, 1)
    )
    assert rejoined.pk != member.pk
    actions = AuditEvent.objects.filter(action__startswith="community.platform_member")
    assert sorted(actions.values_list("action", flat=True)) == [
        "community.platform_member_add",
        "community.platform_member_add",
        "community.platform_member_leave",
    ]


def test_the_period_cannot_exclude_its_members_or_meetings(platform, editor, area):
    services.member_add(by=editor, platform=platform, name="中央自治会", joined_on=D(2025, 6, 1))
    with pytest.raises(ValidationError) as caught:
        services.platform_update(by=editor, platform=platform, started_on=D(2025, 7, 1))
    assert (
        "「中央自治会」が令和7年6月1日に参加しています"
        in caught.value.message_dict["started_on"][0]
    )
    activity_services.activity_create(
        by=editor,
        kind=kind("platform"),
        title="ぷらっと 第3回",
        starts_at=at(2026, 2, 10, 18),
        area=area,
        platform=platform,
        elderly=8,
    )
    with pytest.raises(ValidationError) as caught:
        services.platform_update(by=editor, platform=platform, ended_on=D(2026, 1, 31))
    assert "令和8年2月10日の「ぷらっと 第3回」" in caught.value.message_dict["ended_on"][0]
    services.platform_update(by=editor, platform=platform, ended_on=D(2026, 3, 31))
    platform.refresh_from_db()
    assert platform.ended_on == D(2026, 3, 31)
    with pytest.raises(ValidationError) as caught:
        services.member_add(by=editor, platform=platform, name="商店街", joined_on=D(2026, 4, 2))
    assert "令和8年3月31日に終了しています" in caught.value.message_dict["joined_on"][0]
    event = AuditEvent.objects.get(action="community.platform_update")
    assert event.changes == {"ended_on": {"before": None, "after": "2026-03-31"}}


def test_search_by_word_area_and_those_ended(platform, editor, district):
    ended = services.platform_create(
        by=editor,
        name="旧 北部協議体",
        area=district,
        started_on=D(2020, 4, 1),
        ended_on=D(2023, 3, 31),
    )
    services.member_add(by=editor, platform=platform, name="NPO ひまわり", joined_on=D(2025, 5, 1))
    search, find = selectors.platform_search, selectors.PlatformSearch
    assert list(search(find())) == [platform]
    assert list(search(find(ended=True))) == [platform, ended]
    assert list(search(find(q="ひまわり"))) == [platform]  # a member's name
    assert list(search(find(area=platform.area_id, ended=True))) == [platform, ended]
    assert list(search(find(area=district.pk, ended=True))) == [ended]


# ---------------------------------------------------------------------------------- pages


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_list_and_page_by_persona(login, personas, platform, editor, area, name):
    services.member_add(
        by=editor, platform=platform, name="中央自治会", role="会場", joined_on=D(2025, 4, 1)
    )
    activity_services.activity_create(
        by=editor,
        kind=kind("platform"),
        title="ぷらっと 第1回",
        starts_at=at(2025, 5, 20, 18),
        area=area,
        platform=platform,
        working_age=6,
        discussed="空き家を使った居場所づくり",
        outcome="空き家の持ち主と話す会を始めた",
    )
    client = login(personas[name])
    expected = 200 if name in READERS else 403
    listed = client.get(reverse("community:platform_list"))
    page = client.get(reverse("community:platform_detail", args=[platform.pk]))
    assert (listed.status_code, page.status_code) == (expected, expected)
    if expected == 200:
        assert "中央ぷらっと会議" in listed.content.decode()
        body = page.content.decode()
        assert "中央自治会" in body and "会場" in body
        assert "空き家を使った居場所づくり" in body and "空き家の持ち主と話す会を始めた" in body
        assert ('data-testid="platform-edit-link"' in body) == (name in EDITORS)


@pytest.mark.parametrize("name", NOT_EDITORS)
def test_non_editors_get_403_with_the_rule_on_writes(login, personas, platform, editor, name):
    member = services.member_add(
        by=editor, platform=platform, name="自治会", joined_on=D(2025, 5, 1)
    )
    client = login(personas[name])
    routes = [
        reverse("community:platform_create"),
        reverse("community:platform_edit", args=[platform.pk]),
        reverse("community:platform_member_add", args=[platform.pk]),
        reverse("community:platform_member_leave", args=[platform.pk, member.pk]),
    ]
    for url in routes:
        for response in (client.get(url), client.post(url, {"name": "x", "left_on": "2026-01-01"})):
            assert response.status_code == 403
            assert "地域福祉コーディネーターと事務局" in response.content.decode()
    member.refresh_from_db()
    assert member.left_on is None and Platform.objects.count() == 1


@pytest.mark.parametrize("name", ["guest", "admin"])
def test_guests_and_administrators_get_403_on_writes(login, personas, platform, name):
    client = login(personas[name])
    assert client.get(reverse("community:platform_create")).status_code == 403
    assert client.get(reverse("community:platform_edit", args=[platform.pk])).status_code == 403


def test_creating_from_the_form_once_even_when_sent_twice(login, personas, area):
    client = login(personas["community"])
    url = reverse("community:platform_create")
    data = {
        "name": "南部 ささえあい会議",
        "area": str(area.pk),
        "description": "南部の協議体",
        "started_on": "令和8年4月1日",
        "form_token": token_of(client.get(url).content.decode()),
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    platform = Platform.objects.get()
    assert (platform.started_on, platform.area) == (D(2026, 4, 1), area)


def test_the_forms_show_the_services_messages(login, personas, platform):
    client = login(personas["officer"])
    edit = client.post(
        reverse("community:platform_edit", args=[platform.pk]),
        {"name": platform.name, "started_on": "2025-04-01", "ended_on": "2025-03-01"},
    )
    assert "終了日は開始日より後の日付にしてください。" in edit.content.decode()
    add = client.post(
        reverse("community:platform_member_add", args=[platform.pk]),
        {"name": "", "joined_on": "2025-05-01"},
    )
    assert "団体名を入力するか、機関を選んでください。" in add.content.decode()
    platform.refresh_from_db()
    assert platform.ended_on is None and PlatformMember.objects.count() == 0


def test_members_join_and_leave_on_the_pages(login, personas, platform):
    client = login(personas["community"])
    agency = personas["outreach"].agency
    added = client.post(
        reverse("community:platform_member_add", args=[platform.pk]),
        {"agency": str(agency.pk), "role": "アウトリーチ", "joined_on": "令和7年5月1日"},
    )
    assert added.status_code == 302
    member = PlatformMember.objects.get()
    assert (member.agency, member.name) == (agency, agency.name)
    url = reverse("community:platform_member_leave", args=[platform.pk, member.pk])
    assert member.name in client.get(url).content.decode()
    assert client.post(url, {"left_on": "2026-03-31"}).status_code == 302
    member.refresh_from_db()
    assert member.left_on == D(2026, 3, 31)
    body = client.get(reverse("community:platform_detail", args=[platform.pk])).content.decode()
    assert 'data-testid="platform-former"' in body
    other = services.platform_create(
        by=personas["community"].user, name="別", started_on=D(2025, 4, 1)
    )
    wrong = reverse("community:platform_member_leave", args=[other.pk, member.pk])
    assert client.get(wrong).status_code == 404


def test_a_meeting_is_recorded_from_the_platforms_page(login, personas, platform):
    client = login(personas["community"])
    body = client.get(reverse("community:platform_detail", args=[platform.pk])).content.decode()
    assert f"/community/activities/new/?platform={platform.pk}" in body
    form = client.get(reverse("community:activity_create"), {"platform": platform.pk})
    assert form.context["form"].initial["platform"] == platform.pk
