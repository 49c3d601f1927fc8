"""The 参加支援 screens with every persona: the participation worker opens and works its
agency's records, the office sees them all, other agencies get 404 on every record page, and
staff without the participation role are refused the list."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.participation import services
from tsunagu.participation.models import (
    FollowUp,
    KeepInTouch,
    Match,
    MatchEvent,
    MatchStatus,
    ParticipationRecord,
)
from tsunagu.people.services import person_create
from tsunagu.resources import services as directory
from tsunagu.resources.models import ResourceKind

pytestmark = pytest.mark.django_db
S = MatchStatus
ALREADY = "この内容は既に送信されています"


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def token_in(response) -> str:
    [token] = re.findall(r'name="form_token" value="([^"]+)"', response.content.decode())
    return token


@pytest.fixture
def worker(personas):
    return personas["participation"].user


@pytest.fixture
def person(worker, personas):
    return person_create(
        by=worker,
        name="高木 浩二",
        name_kana="タカギ コウジ",
        agency=personas["participation"].agency,
    )


@pytest.fixture
def record(worker, person):
    return services.record_open(
        by=worker,
        person=person,
        started_on=days_ago(60),
        goals="人の役に立つことを少しずつしたい",
        outside_plan_reason="多機関協働の事例ではなく、参加支援だけを希望",
    )


@pytest.fixture
def shop(worker):
    org = directory.organization_get_or_create(by=worker, name="八百屋まるやま")
    return directory.resource_create(
        by=worker,
        organization=org,
        name="八百屋まるやま 品出し体験",
        kind=ResourceKind.objects.get(code="work_experience"),
        confirmed_on=timezone.localdate(),
        capacity=2,
        places_free=1,
    )


@pytest.fixture
def match(worker, record, shop):
    return services.match_propose(by=worker, record=record, resource=shop, proposed_on=days_ago(50))


def assess(worker, resource):
    directory.host_save(
        by=worker,
        resource=resource,
        contact_person="丸山 店主",
        tasks="品出し",
        assessment="午前中の品出しなら受け入れられる",
        assessed_on=timezone.localdate(),
    )


def started(worker, match, *, ago=20):
    services.match_move(by=worker, match=match, to=S.ARRANGING, occurred_on=days_ago(45))
    assess(worker, match.resource)
    return services.match_move(by=worker, match=match, to=S.STARTED, occurred_on=days_ago(ago))


def record_pages(record, match) -> list[str]:
    return [
        reverse("participation:record_detail", args=[record.pk]),
        reverse("participation:record_edit", args=[record.pk]),
        reverse("participation:match_propose", args=[record.pk]),
        reverse("participation:match_move", args=[record.pk, match.pk]),
        reverse("participation:follow_up_create", args=[record.pk, match.pk]),
        reverse("participation:record_close", args=[record.pk]),
        reverse("participation:keep_in_touch_create", args=[record.pk]),
        reverse("participation:keep_in_touch_end", args=[record.pk]),
    ]


# --------------------------------------------------------------------------------- who sees


def test_worker_sees_the_list_and_every_page(login, personas, record, match):
    client = login(personas["participation"])
    response = client.get(reverse("participation:record_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "高木 浩二" in page and "期限が近い・過ぎた" in page
    assert AuditEvent.objects.filter(action="participation.list").exists()
    for url in record_pages(record, match):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("participation:record_detail", args=[record.pk])).content.decode()
    assert "人の役に立つことを少しずつしたい" in page
    assert "八百屋まるやま 品出し体験" in page and "提案" in page
    assert "プラン外のため不要" in page
    assert AuditEvent.objects.filter(action="participation.view", target_id=str(record.pk)).exists()


def test_the_nav_shows_participation_to_its_workers(login, personas):
    client = login(personas["participation"])
    assert "参加支援" in client.get(reverse("dashboard")).content.decode()
    page = login(personas["desk"]).get(reverse("dashboard")).content.decode()
    assert 'href="/participation/"' not in page


def test_unrelated_agency_gets_404_on_every_record_page(login, personas, record, match):
    client = login(personas["unrelated"])
    for url in record_pages(record, match):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assert client.get(reverse("participation:record_list")).status_code == 403
    assert Match.objects.count() == 1 and not FollowUp.objects.exists()


@pytest.mark.parametrize("name", ["desk", "outreach"])
def test_other_staff_are_refused_the_list_and_see_no_record(login, personas, record, name):
    client = login(personas[name])
    assert client.get(reverse("participation:record_list")).status_code == 403
    assert client.get(reverse("participation:record_create")).status_code == 403
    url = reverse("participation:record_detail", args=[record.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["guest", "admin"])
def test_guest_and_admin_see_nothing(login, personas, record, name):
    client = login(personas[name])
    assert client.get(reverse("participation:record_list")).status_code == 403
    url = reverse("participation:record_detail", args=[record.pk])
    assert client.get(url).status_code in (403, 404)


def test_office_sees_every_record_but_does_not_open_one(login, personas, record, match):
    client = login(personas["officer"])
    page = client.get(reverse("participation:record_list")).content.decode()
    assert "高木 浩二" in page and "福祉まるごと支援員（社協）" in page
    assert client.get(reverse("participation:record_detail", args=[record.pk])).status_code == 200
    assert client.get(reverse("participation:record_create")).status_code == 403


def test_a_colleague_without_the_role_sees_but_does_not_work(login, personas, record, match):
    client = login(personas["coordinator"])  # same agency, coordinator role
    assert client.get(reverse("participation:record_detail", args=[record.pk])).status_code == 200
    url = reverse("participation:match_propose", args=[record.pk])
    assert client.get(url).status_code == 403
    response = client.post(
        reverse("participation:follow_up_create", args=[record.pk, match.pk]),
        {"track": "person", "occurred_on": days_ago(1).isoformat(), "note": "様子"},
    )
    assert response.status_code == 403
    assert not FollowUp.objects.exists()


# ------------------------------------------------------------------------------ the record


def test_open_a_record_from_the_forms(login, personas, person):
    client = login(personas["participation"])
    url = reverse("participation:record_create")
    page = client.get(url, {"q": "高木"}).content.decode()
    assert "この方で始める" in page and f"?person={person.pk}" in page
    assert AuditEvent.objects.filter(action="person.search").exists()
    response = client.get(url, {"person": person.pk})
    assert response.status_code == 200
    assert "見られる多機関協働の事例はありません" in response.content.decode()
    response = client.post(
        url,
        {
            "form_token": token_in(response),
            "person": person.pk,
            "started_on": "令和8年12月1日",
            "is_early": "on",
            "goals": "朝起きて外に出たい",
            "steps": "週1回、支援員と散歩",
        },
    )
    assert response.status_code == 302
    record = ParticipationRecord.objects.get()
    assert response["Location"] == reverse("participation:record_detail", args=[record.pk])
    assert record.person == person and record.is_early and record.case is None
    assert record.started_on == datetime.date(2026, 12, 1)
    assert record.agency == personas["participation"].agency
    page = client.get(response["Location"]).content.decode()
    assert "支援決定前の関わり" in page and "支援決定なし" in page


def test_a_person_the_worker_may_not_see_is_404(login, personas):
    stranger = person_create(by=personas["unrelated"].user, name="他 人", name_kana="タ ニン")
    client = login(personas["participation"])
    url = reverse("participation:record_create")
    assert client.get(url, {"person": stranger.pk}).status_code == 404
    assert client.get(url, {"q": "他"}).status_code == 200
    response = client.post(
        url,
        {"person": stranger.pk, "started_on": "R8.12.1", "is_early": "on", "goals": "目標"},
    )
    assert response.status_code == 404
    assert not ParticipationRecord.objects.exists()


def test_a_record_beside_a_case_shows_on_the_case_page(login, personas, case, household_8050):
    son = household_8050["son"]
    client = login(personas["participation"])
    url = reverse("participation:record_create")
    page = client.get(url, {"person": son.pk}).content.decode()
    assert f"事例 #{case.pk}" in page
    response = client.post(
        url,
        {
            "person": son.pk,
            "case": case.pk,
            "started_on": days_ago(3).isoformat(),
            "goals": "地域の役に立ちたい",
        },
    )
    assert response.status_code == 302
    record = ParticipationRecord.objects.get()
    assert record.case == case
    detail = client.get(response["Location"]).content.decode()
    assert f"事例 #{case.pk}" in detail and "支援決定なし" in detail
    page = login(personas["coordinator"]).get(reverse("cases:case_detail", args=[case.pk]))
    body = page.content.decode()
    assert 'data-testid="case-participation-panel"' in body and "山田 一郎さん" in body
    assert login(personas["unrelated"]).get(response["Location"]).status_code == 404


def test_edit_goals(login, personas, record):
    client = login(personas["participation"])
    url = reverse("participation:record_edit", args=[record.pk])
    response = client.post(url, {"goals": "", "steps": ""})
    assert "本人の目標（本人の言葉で）を入力してください" in response.content.decode()
    response = client.post(url, {"goals": "週に一度は外で人と話したい", "steps": ""})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.goals == "週に一度は外で人と話したい"


# ---------------------------------------------------------------------------------- matches


def test_propose_a_match_from_the_small_search(login, personas, worker, record, shop):
    paused_org = directory.organization_get_or_create(by=worker, name="休みの店")
    paused = directory.resource_create(
        by=worker,
        organization=paused_org,
        name="休止中のサロン",
        kind=ResourceKind.objects.get(code="work_experience"),
        confirmed_on=timezone.localdate(),
    )
    directory.resource_update(by=worker, resource=paused, status="paused")
    client = login(personas["participation"])
    url = reverse("participation:match_propose", args=[record.pk])
    page = client.get(url, {"q": "品出し"}).content.decode()
    assert "八百屋まるやま 品出し体験" in page and "休止中のサロン" not in page
    assert reverse("resources:search") in page
    page = client.get(url, {"q": "品出し", "resource": shop.pk}).content.decode()
    assert 'data-testid="resource-chosen"' in page
    response = client.post(
        url, {"resource": shop.pk, "proposed_on": days_ago(5).isoformat(), "note": "見学から"}
    )
    assert response.status_code == 302
    match = Match.objects.get()
    assert match.resource == shop and match.status == S.PROPOSED
    assert MatchEvent.objects.filter(match=match, to_status=S.PROPOSED).count() == 1
    # a resource that does not take people in is refused with the rule
    response = client.post(
        url, {"resource": paused.pk, "proposed_on": days_ago(5).isoformat(), "note": ""}
    )
    assert response.status_code == 200
    assert "一時休止のため、提案できません" in response.content.decode()
    assert Match.objects.count() == 1


def test_start_refused_without_the_host_assessment_then_allowed(
    login, personas, worker, record, match, shop
):
    client = login(personas["participation"])
    url = reverse("participation:match_move", args=[record.pk, match.pk])
    response = client.post(
        url, {"status": S.ARRANGING, "occurred_on": days_ago(40).isoformat(), "note": "見学"}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "受け入れ先のアセスメントがありません" in page
    assert reverse("resources:detail", args=[shop.pk]) in page
    response = client.post(url, {"status": S.STARTED, "occurred_on": days_ago(20).isoformat()})
    assert response.status_code == 200
    assert "受け入れ先のアセスメントを社会資源の画面で記録してください" in response.content.decode()
    match.refresh_from_db()
    assert match.status == S.ARRANGING
    assess(worker, shop)
    response = client.post(url, {"status": S.STARTED, "occurred_on": days_ago(20).isoformat()})
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == S.STARTED and match.started_on == days_ago(20)
    page = client.get(reverse("participation:record_detail", args=[record.pk])).content.decode()
    assert "次のフォローアップ（本人）" in page and "次のフォローアップ（受け入れ先）" in page
    assert "見学・調整 → 参加開始" in page


def test_start_needs_the_support_decision_and_a_reason_when_full(
    login, personas, worker, person, shop
):
    early = services.record_open(
        by=worker, person=person, started_on=days_ago(30), goals="働きたい", is_early=True
    )
    match = services.match_propose(by=worker, record=early, resource=shop, proposed_on=days_ago(9))
    services.match_move(by=worker, match=match, to=S.ARRANGING, occurred_on=days_ago(8))
    assess(worker, shop)
    client = login(personas["participation"])
    url = reverse("participation:match_move", args=[early.pk, match.pk])
    assert "支援決定がまだありません" in client.get(url).content.decode()
    response = client.post(url, {"status": S.STARTED, "occurred_on": days_ago(5).isoformat()})
    assert "支援決定が必要です" in response.content.decode()
    # outside a plan, a full resource needs the reason agreed with the host
    record = services.record_open(
        by=worker,
        person=person,
        started_on=days_ago(30),
        goals="働きたい",
        outside_plan_reason="本人が参加支援だけを希望",
    )
    directory.resource_update(by=worker, resource=shop, places_free=0)
    other = services.match_propose(by=worker, record=record, resource=shop, proposed_on=days_ago(9))
    services.match_move(by=worker, match=other, to=S.ARRANGING, occurred_on=days_ago(8))
    url = reverse("participation:match_move", args=[record.pk, other.pk])
    response = client.post(url, {"status": S.STARTED, "occurred_on": days_ago(5).isoformat()})
    assert "満員です" in response.content.decode()
    other.refresh_from_db()
    assert other.status == S.ARRANGING
    response = client.post(
        url,
        {
            "status": S.STARTED,
            "occurred_on": days_ago(5).isoformat(),
            "full_override_reason": "店主と相談し、週1回午前のみ受け入れることで合意",
        },
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == S.STARTED and other.full_override_reason


def test_end_and_cancel_need_a_reason(login, personas, record, match):
    client = login(personas["participation"])
    url = reverse("participation:match_move", args=[record.pk, match.pk])
    response = client.post(url, {"status": S.CANCELLED, "occurred_on": days_ago(1).isoformat()})
    assert "終了・中止の理由を入力してください" in response.content.decode()
    response = client.post(url, {"status": S.SETTLED, "occurred_on": days_ago(1).isoformat()})
    assert "進める先を選択肢から選んでください" in response.content.decode()
    response = client.post(
        url,
        {"status": S.CANCELLED, "occurred_on": days_ago(1).isoformat(), "note": "本人が辞退"},
    )
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == S.CANCELLED and match.end_reason == "本人が辞退"


# ------------------------------------------------------------------------------- follow-ups


def test_follow_ups_on_both_tracks(login, personas, worker, record, match):
    started(worker, match)
    client = login(personas["participation"])
    url = reverse("participation:follow_up_create", args=[record.pk, match.pk])
    page = client.get(url, {"track": "host"}).content.decode()
    assert 'class="btn-check"' in page and "次の本人" in page
    for track, note, concern in (
        ("person", "楽しいと話す", ""),
        ("host", "指示の出し方に迷うとのこと", "on"),
    ):
        response = client.post(
            url,
            {
                "track": track,
                "occurred_on": days_ago(13).isoformat(),
                "note": note,
                "concern": concern,
            },
        )
        assert response.status_code == 302, response.content.decode()
    assert FollowUp.objects.filter(match=match).count() == 2
    assert FollowUp.objects.get(track="host").concern
    page = client.get(reverse("participation:record_detail", args=[record.pk])).content.decode()
    assert "楽しいと話す" in page and "心配ごと" in page
    # the list's panel shows what falls due on each track (asked for once the list is shown)
    page = client.get(reverse("participation:record_list")).content.decode()
    assert 'data-testid="participation-dues-slot"' in page
    assert f"{reverse('participation:dues_list')}?panel=1" in page
    panel = client.get(reverse("participation:dues_list"), {"panel": 1}).content.decode()
    assert "<html" not in panel and 'data-testid="participation-dues"' in panel
    assert "フォローアップ（本人）" in panel and "フォローアップ（受け入れ先）" in panel


def test_the_dashboard_shows_what_falls_due(login, personas, worker, match):
    started(worker, match)
    page = login(personas["participation"]).get(reverse("dashboard")).content.decode()
    assert 'data-testid="dashboard-participation"' in page and "高木 浩二さん" in page
    assert AuditEvent.objects.filter(
        action="dashboard.view", context__panel="participation"
    ).exists()
    page = login(personas["desk"]).get(reverse("dashboard")).content.decode()
    assert 'data-testid="dashboard-participation"' not in page


# ------------------------------------------------------------------ closure, keeping in touch


def test_closure_and_keeping_in_touch(login, personas, worker, record, match):
    started(worker, match)
    client = login(personas["participation"])
    close_url = reverse("participation:record_close", args=[record.pk])
    response = client.post(
        close_url, {"closed_on": days_ago(1).isoformat(), "person_view": "続けたい"}
    )
    assert "進行中のマッチング" in response.content.decode()
    services.match_move(by=worker, match=match, to=S.SETTLED, occurred_on=days_ago(2))
    response = client.post(close_url, {"closed_on": days_ago(1).isoformat(), "person_view": ""})
    assert "本人の受け止めを入力してください" in response.content.decode()
    response = client.post(
        close_url,
        {
            "closed_on": days_ago(1).isoformat(),
            "person_view": "ここなら続けられる",
            "closure_note": "定着を確認",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.is_closed and record.next_keep_in_touch_on
    page = client.get(reverse("participation:record_detail", args=[record.pk])).content.decode()
    assert "ここなら続けられる" in page and "次のつながりの確認" in page
    response = client.post(
        reverse("participation:keep_in_touch_create", args=[record.pk]),
        {"occurred_on": timezone.localdate().isoformat(), "note": "元気に通っている"},
    )
    assert response.status_code == 302
    assert KeepInTouch.objects.filter(record=record).count() == 1
    end_url = reverse("participation:keep_in_touch_end", args=[record.pk])
    response = client.post(end_url, {"ended_on": timezone.localdate().isoformat()})
    assert "終える理由を入力してください" in response.content.decode()
    response = client.post(
        end_url,
        {"ended_on": timezone.localdate().isoformat(), "reason": "地域のサロンにもつながった"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.keep_in_touch_ended_on and record.next_keep_in_touch_on is None
    response = client.post(
        reverse("participation:keep_in_touch_create", args=[record.pk]),
        {"occurred_on": timezone.localdate().isoformat(), "note": "様子"},
    )
    assert "終結した後" in response.content.decode()
    assert KeepInTouch.objects.count() == 1


# ---------------------------------------------------------------------- errors, double submit


def test_bad_input_shows_japanese_errors_and_writes_nothing(
    login, personas, worker, person, record, match
):
    client = login(personas["participation"])
    response = client.post(
        reverse("participation:record_create"),
        {"person": person.pk, "started_on": "あした", "goals": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "本人の目標（本人の言葉で）を入力してください" in body
    response = client.post(
        reverse("participation:record_create"),
        {"person": person.pk, "started_on": days_ago(1).isoformat(), "goals": "外に出たい"},
    )
    assert "多機関協働の事例を選ぶか" in response.content.decode()
    assert ParticipationRecord.objects.count() == 1
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("participation:match_propose", args=[record.pk]),
        {"proposed_on": future, "note": ""},
    )
    body = response.content.decode()
    assert "社会資源を選んでください" in body
    response = client.post(
        reverse("participation:match_move", args=[record.pk, match.pk]),
        {"status": S.ARRANGING, "occurred_on": future},
    )
    assert "未来の日付は指定できません" in response.content.decode()
    response = client.post(
        reverse("participation:follow_up_create", args=[record.pk, match.pk]),
        {"track": "person", "occurred_on": days_ago(1).isoformat(), "note": "様子"},
    )
    assert "参加開始から終了までのマッチング" in response.content.decode()
    response = client.post(
        reverse("participation:record_close", args=[record.pk]),
        {"closed_on": future, "person_view": "よい"},
    )
    assert "未来の日付は指定できません" in response.content.decode()
    assert Match.objects.count() == 1 and MatchEvent.objects.count() == 1
    assert not FollowUp.objects.exists()
    match.refresh_from_db()
    record.refresh_from_db()
    assert match.status == S.PROPOSED and not record.is_closed


def test_the_same_record_sent_twice_is_opened_once(login, personas, person):
    client = login(personas["participation"])
    url = reverse("participation:record_create")
    data = {
        "form_token": token_in(client.get(url, {"person": person.pk})),
        "person": person.pk,
        "started_on": days_ago(1).isoformat(),
        "outside_plan_reason": "参加支援だけを希望",
        "goals": "外に出たい",
    }
    first = client.post(url, data)
    assert first.status_code == 302
    second = client.post(url, data)
    assert ParticipationRecord.objects.count() == 1
    assert second["Location"] == first["Location"]
    assert ALREADY in client.get(second["Location"]).content.decode()


def test_the_same_follow_up_sent_twice_is_recorded_once(login, personas, worker, record, match):
    started(worker, match)
    client = login(personas["participation"])
    url = reverse("participation:follow_up_create", args=[record.pk, match.pk])
    data = {
        "form_token": token_in(client.get(url)),
        "track": "host",
        "occurred_on": days_ago(3).isoformat(),
        "note": "順調",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert FollowUp.objects.count() == 1


def test_list_search_filter_and_htmx_rows(login, personas, worker, record, person):
    other = person_create(
        by=worker,
        name="森 さくら",
        name_kana="モリ サクラ",
        agency=personas["participation"].agency,
    )
    closed = services.record_open(
        by=worker, person=other, started_on=days_ago(30), goals="畑", is_early=True
    )
    services.record_close(by=worker, record=closed, closed_on=days_ago(1), person_view="満足")
    client = login(personas["participation"])
    url = reverse("participation:record_list")
    page = client.get(url).content.decode()
    assert "高木 浩二" in page and "森 さくら" not in page
    page = client.get(url, {"state": "closed"}).content.decode()
    assert "森 さくら" in page and "高木 浩二" not in page
    page = client.get(url, {"state": "all", "q": "モリ"}).content.decode()
    assert "森 さくら" in page and "高木 浩二" not in page
    partial = client.get(url, {"state": "all"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and 'data-testid="participation-table"' in body
    # another agency's records never show in the worker's list
    assert login(personas["unrelated"]).get(url).status_code == 403
