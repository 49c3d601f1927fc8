"""合う社会資源がない: a participation record waits on a 不足する社会資源 of the register — a gap
chosen or raised from matching, in one transaction, audited; refused on a closed record and
twice for the same gap; removed with a reason. The same on the screens (with the personas)
and over the API, and the register's hooks: people waiting on a gap (one query), and links to
the records the viewer may see."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.common.errors import NotVisible
from tsunagu.participation import services
from tsunagu.participation.models import GapNeed
from tsunagu.participation.workflow import ParticipationRuleError
from tsunagu.people.services import person_create
from tsunagu.resources import gaps as register
from tsunagu.resources import hooks
from tsunagu.resources import services as directory
from tsunagu.resources.models import GapOrigin, GapStatus, ResourceGap, ResourceKind

pytestmark = pytest.mark.django_db
API = "/api/v1/participation"
ALREADY = "既にこの参加支援で「合う社会資源がない」として記録されています"


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def token_in(response) -> str:
    [token] = re.findall(r'name="form_token" value="([^"]+)"', response.content.decode())
    return token


@pytest.fixture
def worker(personas):
    return personas["participation"].user


def _person(worker, personas, name, kana):
    return person_create(
        by=worker, name=name, name_kana=kana, agency=personas["participation"].agency
    )


@pytest.fixture
def person(worker, personas):
    return _person(worker, personas, "高木 浩二", "タカギ コウジ")


def _record(worker, person, goals="人の役に立つことを少しずつしたい"):
    return services.record_open(
        by=worker,
        person=person,
        started_on=days_ago(60),
        goals=goals,
        outside_plan_reason="多機関協働の事例ではなく、参加支援だけを希望",
    )


@pytest.fixture
def record(worker, person):
    return _record(worker, person)


@pytest.fixture
def kind():
    return ResourceKind.objects.get(code="work_experience")


@pytest.fixture
def gap(worker, kind):
    return register.gap_create(
        by=worker,
        description="午後に通える就労体験先",
        kind=kind,
        origin=GapOrigin.COMMUNITY,
    )


def add_new(worker, record, **extra):
    return services.gap_need_add(
        by=worker,
        record=record,
        description=extra.pop("description", "夜間に通える居場所"),
        **extra,
    )


# --------------------------------------------------------------------------------- services


def test_a_new_gap_is_raised_from_matching_and_linked(worker, record, kind, city):
    need = add_new(
        worker,
        record,
        kind=kind,
        area=city,
        targets=["youth"],
        target_attributes="昼夜逆転の若者",
        note="夕方以降に開いている場がない",
    )
    gap = ResourceGap.objects.get()
    assert need.record == record and need.gap == gap and need.created_by == worker
    assert gap.origin == GapOrigin.MATCHING and gap.status == GapStatus.OPEN
    assert gap.kind == kind and gap.area == city and gap.target_list == ["youth"]
    event = AuditEvent.objects.get(action="participation.gap_need")
    assert event.context["gap"] == gap.pk and event.context["new_gap"] is True
    assert event.context["participation"] == record.pk
    assert event.person_ids == [record.person_id]
    assert AuditEvent.objects.filter(action="resource.gap_create").count() == 1
    # the register counts the person, without a name
    (counted,) = register.with_people([gap])
    assert counted.people == 1


def test_an_existing_gap_is_linked_once(worker, record, gap):
    need = services.gap_need_add(by=worker, record=record, gap=gap, note="近くにない")
    assert need.gap == gap and ResourceGap.objects.count() == 1
    event = AuditEvent.objects.get(action="participation.gap_need")
    assert event.context["new_gap"] is False
    with pytest.raises(ParticipationRuleError) as refused:
        services.gap_need_add(by=worker, record=record, gap=gap)
    assert ALREADY in str(refused.value.message_dict["gap"])
    assert GapNeed.objects.count() == 1
    assert AuditEvent.objects.filter(action="participation.gap_need").count() == 1


def test_a_closed_record_is_refused_and_nothing_is_written(worker, record, gap):
    services.record_close(by=worker, record=record, closed_on=days_ago(1), person_view="満足")
    record.refresh_from_db()
    with pytest.raises(ParticipationRuleError, match="終結した参加支援です"):
        add_new(worker, record)
    with pytest.raises(ParticipationRuleError):
        services.gap_need_add(by=worker, record=record, gap=gap)
    assert ResourceGap.objects.count() == 1 and not GapNeed.objects.exists()
    assert not AuditEvent.objects.filter(action="participation.gap_need").exists()


def test_input_errors_are_japanese_and_write_nothing(worker, record, gap):
    with pytest.raises(ValidationError) as error:
        services.gap_need_add(by=worker, record=record)
    assert "登録済みの不足する社会資源を選ぶか" in error.value.message_dict["gap"][0]
    with pytest.raises(ValidationError) as error:
        services.gap_need_add(by=worker, record=record, gap=gap, description="別のもの")
    assert "どちらかにしてください" in error.value.message_dict["gap"][0]
    with pytest.raises(ValidationError) as error:
        add_new(worker, record, note="あ" * 301)
    assert "300文字以内" in error.value.message_dict["note"][0]
    with pytest.raises(ValidationError) as error:
        add_new(worker, record, targets=["martians"])
    assert "対象の世代を選択肢から選んでください" in error.value.message_dict["targets"][0]
    with pytest.raises(ValidationError) as error:
        add_new(worker, record, description="あ" * 2001)
    assert "2000文字以内" in error.value.message_dict["description"][0]
    assert ResourceGap.objects.count() == 1 and not GapNeed.objects.exists()


def test_a_failed_link_rolls_back_the_new_gap(worker, record, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_audit", broken)
    with pytest.raises(RuntimeError):
        add_new(worker, record)
    assert not ResourceGap.objects.exists() and not GapNeed.objects.exists()


def test_a_developed_gap_points_to_its_resource_instead(worker, record, gap, kind):
    org = directory.organization_get_or_create(by=worker, name="カフェ ひだまり")
    cafe = directory.resource_create(
        by=worker, organization=org, name="午後カフェ", kind=kind, confirmed_on=days_ago(0)
    )
    register.gap_move(by=worker, gap=gap, status=GapStatus.DEVELOPED, met_by=cafe)
    with pytest.raises(ParticipationRuleError) as refused:
        services.gap_need_add(by=worker, record=record, gap=gap)
    assert "開発済み" in refused.value.message_dict["gap"][0]
    assert not GapNeed.objects.exists()


def test_only_the_records_workers_link_gaps(personas, record, gap):
    with pytest.raises(PermissionDenied):
        services.gap_need_add(by=personas["coordinator"].user, record=record, gap=gap)
    with pytest.raises(NotVisible):
        services.gap_need_add(by=personas["unrelated"].user, record=record, gap=gap)
    # the office works every record
    services.gap_need_add(by=personas["officer"].user, record=record, gap=gap)
    assert GapNeed.objects.count() == 1


def test_remove_needs_a_reason_and_keeps_the_gap(worker, personas, record, gap):
    need = services.gap_need_add(by=worker, record=record, gap=gap)
    with pytest.raises(ValidationError) as error:
        services.gap_need_remove(by=worker, need=need, reason=" ")
    assert "記録から外す理由を入力してください" in error.value.message_dict["reason"][0]
    with pytest.raises(PermissionDenied):
        services.gap_need_remove(by=personas["coordinator"].user, need=need, reason="x")
    services.gap_need_remove(by=worker, need=need, reason="合う社会資源が見つかった")
    assert not GapNeed.objects.exists() and ResourceGap.objects.filter(pk=gap.pk).exists()
    event = AuditEvent.objects.get(action="participation.gap_need_remove")
    assert event.context["reason"] == "合う社会資源が見つかった"
    assert event.context["gap"] == gap.pk
    with pytest.raises(ParticipationRuleError, match="既に記録から外されています"):
        services.gap_need_remove(by=worker, need=need, reason="二度目")
    # the gap may be linked again later
    services.gap_need_add(by=worker, record=record, gap=gap)
    assert GapNeed.objects.count() == 1


# ------------------------------------------------------------------------------------ hooks


def test_people_waiting_are_distinct_persons_in_one_query(
    worker, personas, person, record, gap, django_assert_num_queries
):
    other_gap = register.gap_create(by=worker, description="土日の居場所")
    second = _record(worker, person, goals="もう一つの目標")  # the same person again
    sister = _record(worker, _person(worker, personas, "高木 春子", "タカギ ハルコ"))
    for r in (record, second, sister):
        services.gap_need_add(by=worker, record=r, gap=gap)
    services.gap_need_add(by=worker, record=sister, gap=other_gap)
    lonely = register.gap_create(by=worker, description="誰も待っていない")
    ids = [gap.pk, other_gap.pk, lonely.pk]
    from tsunagu.participation.panels import gap_people

    with django_assert_num_queries(1):
        counted = gap_people(ids)
    assert counted == {gap.pk: 2, other_gap.pk: 1}
    assert hooks.people_affected(ids) == {gap.pk: 2, other_gap.pk: 1, lonely.pk: 0}


def test_links_name_the_person_only_for_who_may_see_the_record(worker, personas, record, gap):
    services.gap_need_add(by=worker, record=record, gap=gap)
    url = reverse("participation:record_detail", args=[record.pk])
    for name in ("participation", "coordinator", "officer"):
        user = personas[name].user
        assert ("参加支援：高木 浩二", url) in hooks.gap_links(user, gap), name
    read = AuditEvent.objects.filter(action="participation.view", context__page="resource_gap")
    assert read.count() == 3
    assert read.first().context["participation"] == [record.pk]
    for name in ("unrelated", "desk", "outreach", "community"):
        links = hooks.gap_links(personas[name].user, gap)
        assert not [label for label, _ in links if label.startswith("参加支援")], name
    assert read.count() == 3  # nothing seen, nothing recorded


# ----------------------------------------------------------------------------------- screens


def test_the_record_page_offers_the_step_and_lists_the_gaps(login, personas, worker, record, gap):
    client = login(personas["participation"])
    detail = reverse("participation:record_detail", args=[record.pk])
    page = client.get(detail).content.decode()
    assert 'data-testid="gap-needs"' in page and "合う社会資源がない" in page
    assert reverse("participation:gap_need_add", args=[record.pk]) in page
    services.gap_need_add(by=worker, record=record, gap=gap, note="午前は通院がある")
    page = client.get(detail).content.decode()
    assert "午後に通える就労体験先" in page and "未対応" in page and "午前は通院がある" in page
    assert reverse("resources:gap_detail", args=[gap.pk]) in page
    # the colleague who sees but does not work the record sees the gaps, not the step
    page = login(personas["coordinator"]).get(detail).content.decode()
    assert "午後に通える就労体験先" in page
    assert reverse("participation:gap_need_add", args=[record.pk]) not in page


def test_raise_a_new_gap_from_the_search_of_the_proposal(login, personas, record, kind, city):
    client = login(personas["participation"])
    propose = reverse("participation:match_propose", args=[record.pk])
    page = client.get(propose, {"kind": kind.pk, "area": city.pk, "q": "夜"}).content.decode()
    assert 'data-testid="gap-need-from-search"' in page
    link = re.search(r'href="([^"]+)" data-testid="gap-need-from-search"', page).group(1)
    link = link.replace("&amp;", "&")
    assert f"kind={kind.pk}" in link and f"area={city.pk}" in link
    response = client.get(link)
    body = response.content.decode()
    assert response.status_code == 200 and "探した条件" in body and "「夜」" in body
    assert f'<option value="{kind.pk}" selected>' in body
    response = client.post(
        link,
        {
            "form_token": token_in(response),
            "description": "夜に通える居場所",
            "kind": kind.pk,
            "area": city.pk,
            "targets": ["youth", "working_age"],
            "note": "昼夜逆転で日中は難しい",
        },
    )
    assert response.status_code == 302
    need = GapNeed.objects.select_related("gap").get()
    assert need.record == record and need.gap.origin == GapOrigin.MATCHING
    assert need.gap.kind == kind and need.gap.area == city
    assert need.gap.target_list == ["youth", "working_age"]
    page = client.get(response["Location"]).content.decode()
    assert "夜に通える居場所" in page and "未対応" in page


def test_choose_an_existing_gap_and_refusals_on_the_form(login, personas, worker, record, gap):
    client = login(personas["participation"])
    url = reverse("participation:gap_need_add", args=[record.pk])
    page = client.get(url).content.decode()
    assert f'<option value="{gap.pk}">午後に通える就労体験先（未対応・就労体験先）' in page
    response = client.post(url, {"description": "", "note": ""})
    assert "登録済みの不足する社会資源を選ぶか" in response.content.decode()
    response = client.post(url, {"gap": 999999})
    assert "選択肢から選んでください" in response.content.decode()
    assert client.post(url, {"gap": gap.pk}).status_code == 302
    response = client.post(url, {"gap": gap.pk})
    assert response.status_code == 200 and ALREADY in response.content.decode()
    assert GapNeed.objects.count() == 1 and ResourceGap.objects.count() == 1


def test_sent_twice_is_recorded_once(login, personas, record):
    client = login(personas["participation"])
    url = reverse("participation:gap_need_add", args=[record.pk])
    data = {"form_token": token_in(client.get(url)), "description": "送迎のある作業所"}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 302 and second.status_code == 302
    assert second["Location"] == first["Location"]
    assert GapNeed.objects.count() == 1 and ResourceGap.objects.count() == 1


def test_remove_from_the_record_page(login, personas, worker, record, gap):
    need = services.gap_need_add(by=worker, record=record, gap=gap)
    client = login(personas["participation"])
    url = reverse("participation:gap_need_remove", args=[record.pk, need.pk])
    assert "午後に通える就労体験先" in client.get(url).content.decode()
    response = client.post(url, {"reason": ""})
    assert "記録から外す理由を入力してください" in response.content.decode()
    assert client.post(url, {"reason": "合う場所が見つかった"}).status_code == 302
    assert not GapNeed.objects.exists()
    assert client.get(url).status_code == 404


def test_a_closed_record_is_refused_on_the_form(login, personas, worker, record, gap):
    services.record_close(by=worker, record=record, closed_on=days_ago(1), person_view="満足")
    client = login(personas["participation"])
    response = client.post(reverse("participation:gap_need_add", args=[record.pk]), {"gap": gap.pk})
    assert "終結した参加支援です" in response.content.decode()
    assert not GapNeed.objects.exists()


def test_who_gets_404_and_403_on_the_gap_pages(login, personas, worker, record, gap):
    need = services.gap_need_add(by=worker, record=record, gap=gap)
    urls = [
        reverse("participation:gap_need_add", args=[record.pk]),
        reverse("participation:gap_need_remove", args=[record.pk, need.pk]),
    ]
    for name in ("unrelated", "desk", "outreach"):
        client = login(personas[name])
        for url in urls:
            assert client.get(url).status_code == 404, (name, url)
            assert client.post(url, {"gap": gap.pk, "reason": "x"}).status_code == 404
    client = login(personas["coordinator"])
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url, {"gap": gap.pk, "reason": "x"}).status_code == 403
    assert GapNeed.objects.count() == 1


# --------------------------------------------------------------------------------------- API


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_api_raise_link_read_and_remove(login, personas, record, gap, kind, city):
    client = login(personas["participation"])
    url = f"{API}/records/{record.pk}/gap-needs"
    answer = post(
        client,
        url,
        {
            "description": "夜に通える居場所",
            "kind_id": kind.pk,
            "area_id": city.pk,
            "targets": ["youth"],
            "note": "昼夜逆転",
        },
    )
    assert answer.status_code == 201, answer.content
    [need] = answer.json()["gap_needs"]
    assert need["gap_description"] == "夜に通える居場所"
    assert need["gap_status"] == "open" and need["gap_status_label"] == "未対応"
    assert need["gap_kind_name"] == kind.name and need["gap_area_name"] == city.name
    assert need["note"] == "昼夜逆転"
    assert ResourceGap.objects.get(pk=need["gap_id"]).origin == GapOrigin.MATCHING
    answer = post(client, url, {"gap_id": gap.pk})
    assert answer.status_code == 201 and len(answer.json()["gap_needs"]) == 2
    detail = client.get(f"{API}/records/{record.pk}").json()
    assert [n["gap_id"] for n in detail["gap_needs"]] == [need["gap_id"], gap.pk]
    answer = post(client, url, {"gap_id": gap.pk})
    assert answer.status_code == 409 and "gap_id" in answer.json()["errors"]
    answer = post(client, url, {})
    assert answer.status_code == 422 and "gap_id" in answer.json()["errors"]
    answer = post(client, url, {"gap_id": 999999})
    assert answer.status_code == 422 and "gap_id" in answer.json()["errors"]
    answer = post(client, url, {"description": "x", "targets": ["martians"]})
    assert answer.status_code == 422 and "targets" in answer.json()["errors"]
    assert GapNeed.objects.count() == 2 and ResourceGap.objects.count() == 2
    remove = f"{url}/{need['id']}/remove"
    assert post(client, remove, {"reason": ""}).status_code == 422
    answer = post(client, remove, {"reason": "見つかった"})
    assert answer.status_code == 200
    assert [n["gap_id"] for n in answer.json()["gap_needs"]] == [gap.pk]
    assert post(client, remove, {"reason": "見つかった"}).status_code == 404


def test_api_refuses_closed_records_and_who_may_not(login, personas, worker, record, gap):
    url = f"{API}/records/{record.pk}/gap-needs"
    assert post(login(personas["unrelated"]), url, {"gap_id": gap.pk}).status_code == 404
    assert post(login(personas["coordinator"]), url, {"gap_id": gap.pk}).status_code == 403
    for name in ("guest", "admin"):
        assert post(login(personas[name]), url, {"gap_id": gap.pk}).status_code == 403
    services.record_close(by=worker, record=record, closed_on=days_ago(1), person_view="満足")
    answer = post(login(personas["participation"]), url, {"gap_id": gap.pk})
    assert answer.status_code == 409
    assert not GapNeed.objects.exists()


def test_the_openapi_document_lists_the_gap_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert f"{API}/records/{{record_id}}/gap-needs" in paths
    assert f"{API}/records/{{record_id}}/gap-needs/{{need_id}}/remove" in paths
