"""地域づくり活動 services: recording an activity (participants by generation adding up, by
attribute within the participants, the end after the start, a place that has not ended, a
platform in its period, consultations the writer may see), changing it, the gap noticed there
(raised in the register and linked in one transaction), the search, and the links the
community side adds to a gap's and a consultation's page."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tsunagu.audit.models import AuditEvent
from tsunagu.consultations import hooks as consultation_hooks
from tsunagu.resources import hooks as resource_hooks
from tsunagu.resources import services as resource_services
from tsunagu.resources.models import GapOrigin, ResourceGap, ResourceStatus

from ..models import (
    Activity,
    ActivityConsultation,
    ActivityGap,
    ActivityOrganiser,
    AttributeCount,
)
from ..selectors import activities as selectors
from ..services import activities as services
from ..services import platforms as platform_services
from .test_activities_fixtures import *  # noqa: F403
from .test_activities_fixtures import NOT_EDITORS, at, attribute, kind

pytestmark = pytest.mark.django_db


def record(by, where, **fields):
    values = {
        "kind": kind("salon"),
        "title": "いきいきサロン",
        "starts_at": at(2026, 6, 1),
        "area": where,
        "elderly": 10,
    }
    values.update(fields)
    return services.activity_create(by=by, **values)


def refused(by, where, **fields) -> dict:
    before = (Activity.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        record(by, where, **fields)
    assert (Activity.objects.count(), AuditEvent.objects.count()) == before
    assert ActivityOrganiser.objects.filter(activity__title=fields.get("title", "")).count() == 0
    return caught.value.message_dict


# ------------------------------------------------------------------------------- create


def test_an_activity_is_recorded_with_its_rows_and_audited(salon, editor, venue):
    assert salon.participants == 20
    assert (salon.place, salon.coordinator) == (venue, editor)
    assert [(o.name, o.contact) for o in salon.organisers.all()] == [("中央自治会", "058-111-2222")]
    assert [(c.attribute.code, c.count) for c in salon.attribute_counts.all()] == [
        ("first_time", 3)
    ]
    event = AuditEvent.objects.get(action="community.activity_create")
    assert event.actor_id == editor.pk
    assert event.changes["participants"]["after"] == 20
    assert event.changes["organisers"]["after"] == ["中央自治会"]


def test_participants_stated_must_be_the_sum_of_the_generations(editor, area):
    errors = refused(editor, area, children=2, elderly=10, participants=15)
    assert errors["participants"] == [
        "参加者数（15人）が世代別の人数の合計（12人）と合いません。"
        "子ども・若者・現役世代・高齢者の人数を確かめてください。"
    ]
    ok = record(editor, area, children=2, elderly=10, participants=12)
    assert ok.participants == 12


def test_the_database_refuses_counts_that_do_not_add_up(editor, area):
    activity = record(editor, area)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(participants=99)


@pytest.mark.parametrize(
    ("fields", "key", "message"),
    [
        ({"title": " "}, "title", "活動の名称を入力してください。"),
        ({"title": "あ" * 201}, "title", "名称は200文字以内で入力してください。"),
        ({"kind": None}, "kind", "活動の種類を選んでください。"),
        ({"area": None}, "area", "圏域・社協支部を選んでください。"),
        ({"starts_at": None}, "starts_at", "開始日時を入力してください。"),
        (
            {"ends_at": at(2026, 6, 1, 9)},
            "ends_at",
            "終了日時は開始日時より後にしてください。",
        ),
        ({"youth": -1}, "youth", "若者は0以上の整数で入力してください。"),
        ({"new_connections": "3"}, "new_connections", "新たなつながりは0以上の整数で"),
        ({"discussed": "あ" * 4001}, "discussed", "4000文字以内"),
        (
            {"organisers": [services.OrganiserIn(contact="090-0000-0000")]},
            "organisers.1",
            "主催・運営の1行目：団体名を入力してください。",
        ),
    ],
)
def test_each_rule_answers_in_japanese_and_writes_nothing(editor, area, fields, key, message):
    errors = refused(editor, area, **fields)
    assert message in errors[key][0]


def test_an_attribute_count_cannot_exceed_the_participants(editor, area):
    errors = refused(editor, area, elderly=5, attributes={attribute("disability"): 6})
    assert errors["attribute_disability"] == [
        "「障害のある人」の人数（6人）が参加者数（5人）を超えています。"
    ]
    assert AttributeCount.objects.count() == 0
    ok = record(editor, area, elderly=5, attributes={attribute("disability"): 5})
    assert ok.attribute_counts.get().count == 5


def test_a_place_that_has_ended_is_refused(editor, area, venue):
    resource_services.resource_update(by=editor, resource=venue, status=ResourceStatus.ENDED)
    venue.refresh_from_db()
    errors = refused(editor, area, place=venue)
    assert errors["place"] == ["「中央ふれあい会館」は終了した社会資源のため、場所に選べません。"]
    assert record(editor, area, place_text="公民館 2階").place_text == "公民館 2階"


def test_a_retired_kind_is_refused_for_a_new_activity(editor, area):
    retired = kind("other")
    retired.is_active = False
    retired.save()
    assert "使われなくなりました" in refused(editor, area, kind=retired)["kind"][0]


def test_an_activity_names_a_platform_only_within_its_period(editor, area, platform):
    errors = refused(editor, area, platform=platform, starts_at=at(2025, 3, 31))
    assert "令和7年4月1日に始まりました" in errors["platform"][0]
    platform_services.platform_update(
        by=editor, platform=platform, ended_on=datetime.date(2026, 3, 31)
    )
    platform.refresh_from_db()
    errors = refused(editor, area, platform=platform, starts_at=at(2026, 4, 2))
    assert "令和8年3月31日に終了しています" in errors["platform"][0]
    meeting = record(editor, area, platform=platform, starts_at=at(2026, 3, 31, 18))
    assert list(selectors.platform_meetings(platform)) == [meeting]


def test_only_consultations_the_writer_may_see_are_linked(personas, area, consultation):
    community = personas["community"].user  # another agency: does not see the desk's record
    errors = refused(community, area, consultations=[consultation.pk])
    assert errors["consultations"] == [
        f"相談受付 #{consultation.pk} は見つからないか、あなたが見られない記録です。"
    ]
    assert ActivityConsultation.objects.count() == 0
    office = personas["officer"].user
    activity = record(office, area, consultations=[consultation.pk])
    assert [link.consultation for link in activity.consultation_links.all()] == [consultation]


@pytest.mark.parametrize("name", [*NOT_EDITORS, "guest", "admin"])
def test_only_community_coordinators_and_the_office_record(personas, area, salon, name):
    user = personas[name].user
    with pytest.raises(PermissionDenied) as caught:
        record(user, area)
    assert "地域福祉コーディネーターと事務局" in str(caught.value)
    with pytest.raises(PermissionDenied):
        services.activity_update(by=user, activity=salon, title="別の名前")
    with pytest.raises(PermissionDenied):
        services.activity_gap_add(by=user, activity=salon, description="夜の居場所")
    assert Activity.objects.count() == 1


# ------------------------------------------------------------------------------- update


def test_update_recounts_replaces_rows_and_audits(salon, editor):
    services.activity_update(
        by=editor,
        activity=salon,
        children=5,
        organisers=[services.OrganiserIn(name="子ども食堂 ひまわり")],
        attributes={attribute("foreign"): 2},
    )
    salon.refresh_from_db()
    assert (salon.children, salon.participants) == (5, 23)
    assert [o.name for o in salon.organisers.all()] == ["子ども食堂 ひまわり"]
    assert [(c.attribute.code, c.count) for c in salon.attribute_counts.all()] == [("foreign", 2)]
    event = AuditEvent.objects.get(action="community.activity_update")
    assert event.changes["participants"] == {"before": 20, "after": 23}


def test_update_refuses_what_does_not_add_up_and_keeps_the_record(salon, editor):
    with pytest.raises(ValidationError) as caught:
        services.activity_update(by=editor, activity=salon, elderly=1, participants=20)
    assert "世代別の人数の合計（7人）" in caught.value.message_dict["participants"][0]
    with pytest.raises(ValidationError) as caught:  # 3 came for the first time
        services.activity_update(by=editor, activity=salon, youth=0, working_age=0, elderly=0)
    assert caught.value.message_dict["attribute_first_time"] == [
        "「初参加」の人数（3人）が参加者数（2人）を超えています。"
    ]
    salon.refresh_from_db()
    assert salon.participants == 20


def test_update_keeps_the_links_the_writer_cannot_see(personas, area, consultation):
    office = personas["officer"].user
    activity = record(office, area, consultations=[consultation.pk])
    community = personas["community"].user
    services.activity_update(by=community, activity=activity, consultations=[])
    assert activity.consultation_links.count() == 1  # not the coordinator's to remove
    services.activity_update(by=office, activity=activity, consultations=[])
    assert activity.consultation_links.count() == 0


def test_update_refuses_unknown_fields(salon, editor):
    with pytest.raises(ValidationError) as caught:
        services.activity_update(by=editor, activity=salon, created_by=None)
    assert "created_by" in caught.value.message_dict


# ---------------------------------------------------------------------------------- gaps


def test_a_gap_noticed_is_raised_in_the_register_and_linked(salon, editor):
    gap = services.activity_gap_add(
        by=editor, activity=salon, description="男性の高齢者が集まれる場がない", targets=["elderly"]
    )
    assert (gap.origin, gap.area, gap.created_by) == (GapOrigin.COMMUNITY, salon.area, editor)
    assert ActivityGap.objects.get().activity == salon
    assert AuditEvent.objects.filter(action="resource.gap_create").count() == 1
    event = AuditEvent.objects.get(action="community.activity_gap_add")
    assert event.context == {"gap": gap.pk}


def test_a_refused_gap_leaves_neither_gap_nor_link(salon, editor):
    with pytest.raises(ValidationError) as caught:
        services.activity_gap_add(by=editor, activity=salon, description=" ")
    assert "description" in caught.value.message_dict
    assert (ResourceGap.objects.count(), ActivityGap.objects.count()) == (0, 0)


# -------------------------------------------------------------------------------- search


def test_search_by_word_kind_area_dates_year_and_platform(editor, area, district, salon, platform):
    cafe = record(
        editor,
        district,
        kind=kind("kodomo_shokudo"),
        title="ひまわり食堂",
        starts_at=at(2026, 3, 20),
        platform=platform,
        organisers=[services.OrganiserIn(name="NPO ひまわり")],
    )
    search = selectors.activity_search
    find = selectors.ActivitySearch
    assert list(search(find(q="熱中症"))) == [salon]  # what was discussed
    assert list(search(find(q="ひまわり NPO"))) == [cafe]  # title and organiser
    assert list(search(find(q="ふれあい会館"))) == [salon]  # the place's name
    assert list(search(find(kind=kind("kodomo_shokudo").pk))) == [cafe]
    assert list(search(find(area=area.pk))) == [salon, cafe]  # with the 地区 under it
    assert list(search(find(area=district.pk))) == [cafe]
    assert list(search(find(fiscal_year=2025))) == [cafe]  # 令和7年度 ends 2026-03-31
    assert list(search(find(fiscal_year=2026))) == [salon]
    assert list(search(find(date_from=datetime.date(2026, 5, 10)))) == [salon]
    assert list(search(find(date_to=datetime.date(2026, 5, 9)))) == [cafe]
    assert list(search(find(platform=platform.pk))) == [cafe]


# --------------------------------------------------------------------------------- links


def test_a_gaps_page_names_the_activity_for_community_readers(salon, editor, personas):
    gap = services.activity_gap_add(by=editor, activity=salon, description="夜の居場所がない")
    links = resource_hooks.gap_links(personas["desk"].user, gap)
    assert (
        "地域づくり活動：ふれあいサロン 5月の会（令和8年5月10日）",
        f"/community/activities/{salon.pk}/",
    ) in links
    assert not any(
        "地域づくり活動" in label
        for label, _ in resource_hooks.gap_links(personas["guest"].user, gap)
    )


def test_a_consultations_page_links_the_activity_it_was_raised_at(personas, area, consultation):
    activity = record(personas["officer"].user, area, consultations=[consultation.pk])
    found = consultation_hooks.related_records(personas["desk"].user, consultation=consultation)
    assert (
        "地域づくり活動：いきいきサロン（令和8年6月1日）",
        f"/community/activities/{activity.pk}/",
    ) in (found)
    assert (
        consultation_hooks.related_records(personas["admin"].user, consultation=consultation) == []
    )


def test_the_coordinator_named_is_a_community_coordinator_or_the_office(personas, editor, area):
    errors = refused(editor, area, coordinator=personas["desk"].user)
    assert errors["coordinator"] == [
        "地域福祉コーディネーターには、地域福祉コーディネーターか事務局の職員を選んでください。"
    ]
    assert record(editor, area, coordinator=personas["officer"].user).coordinator == (
        personas["officer"].user
    )
    with pytest.raises(ValidationError):
        platform_services.platform_create(
            by=editor,
            name="北部ぷらっと",
            area=area,
            started_on=datetime.date(2025, 4, 1),
            coordinator=personas["participation"].user,
        )
