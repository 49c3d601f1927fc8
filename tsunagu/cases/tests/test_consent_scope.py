"""Consent governs what team agencies see (domain.md §6), on the screens and over the API.

The content of a 多機関協働 case — person and household, assessment, plans, monitoring, other
agencies' records, the meeting panel — is seen by the coordinating agency, the program office
and team agencies only while the current consent of the case's person names them. Any other
agency that knows of the case sees its state, its own plan items and its own progress records.
Consent is per person; leaving the team ends access at once.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu import access
from tsunagu.audit.models import AuditEvent
from tsunagu.cases import services
from tsunagu.cases.models import (
    Case,
    CaseStatus,
    CaseTeamMember,
    PlanKind,
    PlanStatus,
    SupportPlan,
)
from tsunagu.cases.services import activity
from tsunagu.cases.services import plan as plan_services
from tsunagu.cases.tests.conftest import give_consent
from tsunagu.cases.tests.flow import draft_plan, meeting, to_planning
from tsunagu.meetings import services as meeting_services
from tsunagu.people import services as people_services

API = "/api/v1"
C = CaseStatus


def html(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def api_get(client, path):
    return client.get(f"{API}{path}")


def api_post(client, path, body=None):
    return client.post(f"{API}{path}", data=json.dumps(body or {}), content_type="application/json")


def u(name, case, *args):
    return reverse(f"cases:{name}", args=[case.pk, *args])


def _record_activity(persona, case, summary):
    return activity.activity_record(
        by=persona.user,
        case=case,
        occurred_on=timezone.localdate(),
        kind="visit",
        summary=summary,
    )


@pytest.fixture
def team_case(personas, consented_case, agencies):
    """The consented case (consent naming the coordinating agency only) in assessment, with
    コミュニティソーシャルワーカー (the outreach persona's agency) added to the team."""
    coordinator = personas["coordinator"].user
    case = services.case_transition(by=coordinator, case=consented_case, to=C.ASSESSMENT)
    services.team_add(by=coordinator, case=case, agency=agencies["csw"], role="訪問")
    _record_activity(personas["coordinator"], case, "社協の面談記録")
    _record_activity(personas["outreach"], case, "CSWの訪問記録")
    return case


def _content_pages(case):
    return [
        u("assessment_detail", case),
        u("plan_list", case),
        reverse("cases:monitoring_list", args=[case.pk]),
    ]


def _sees_content(client, case, mother) -> bool:
    """Every content page answers alike: all 200, or all 404 (never a mix)."""
    codes = {client.get(path).status_code for path in _content_pages(case)}
    codes.add(client.get(reverse("people:person_detail", args=[mother.pk])).status_code)
    assert len(codes) == 1, codes
    return codes == {200}


# ----------------------------------------------------------------- the unnamed team agency


def test_a_team_agency_the_consent_does_not_name_sees_state_and_its_own_records(
    login, personas, team_case, household_8050
):
    client = login(personas["outreach"])
    page = html(client.get(u("case_detail", team_case)))
    assert 'data-testid="case-limited"' in page
    assert "山田 フミ" not in page and "山田世帯" not in page
    assert "CSWの訪問記録" in page and "社協の面談記録" not in page
    assert 'data-testid="case-assessment-link"' not in page
    assert 'data-testid="consent-history"' not in page
    assert not _sees_content(client, team_case, household_8050["mother"])
    listing = html(client.get(u("activity_list", team_case)))
    assert "CSWの訪問記録" in listing and "社協の面談記録" not in listing
    assert 'data-testid="activity-own-only"' in listing
    # its own progress records it still writes
    response = client.post(
        u("activity_create", team_case),
        {"occurred_on": timezone.localdate().isoformat(), "kind": "call", "summary": "電話した"},
    )
    assert response.status_code == 302
    # the case list does not name the person either
    rows = html(client.get(reverse("cases:case_list")))
    assert u("case_detail", team_case) in rows and "山田 フミ" not in rows
    assert "本人（共有されていません）" in rows


def test_the_api_decides_exactly_as_the_screens(login, personas, team_case):
    client = login(personas["outreach"])
    body = api_get(client, f"/cases/{team_case.pk}").json()
    assert body["content_visible"] is False
    assert (body["person_name"], body["household_label"]) == (None, None)
    assert body["consents"] == []
    assert all(event["note"] == "" for event in body["status_events"])
    listed = api_get(client, "/cases").json()["items"]
    assert [(c["id"], c["person_name"]) for c in listed] == [(team_case.pk, None)]
    for path in (
        f"/cases/{team_case.pk}/plans",
        f"/cases/{team_case.pk}/monitoring",
        f"/persons/{team_case.person_id}",
    ):
        assert api_get(client, path).status_code == 404, path
    entries = api_get(client, f"/cases/{team_case.pk}/activities").json()["items"]
    assert [e["summary"] for e in entries] == ["CSWの訪問記録"]
    coordinator_agency = personas["coordinator"].agency.pk
    other = api_get(client, f"/cases/{team_case.pk}/activities?agency_id={coordinator_agency}")
    assert other.json()["items"] == []


def test_own_plan_items_are_shown_to_the_agency_that_carries_them(
    login, personas, team_case, agencies
):
    case = to_planning(personas, team_case)
    plan = draft_plan(personas, case, agencies)
    plan_services.plan_item_add(
        by=personas["coordinator"].user,
        plan=plan,
        issue="息子への訪問",
        action="週1回の訪問",
        agency=agencies["csw"],
    )
    client = login(personas["outreach"])
    page = html(client.get(u("case_detail", case)))
    assert page.count('data-testid="own-plan-item"') == 1
    assert "息子への訪問" in page and "母の介護負担" not in page
    assert "息子が週1回外出できるようになる" not in page  # the plan's goals are content
    body = api_get(client, f"/cases/{case.pk}").json()
    assert [item["issue"] for item in body["own_plan_items"]] == ["息子への訪問"]


# ------------------------------------------------------------- named, then withdrawn, at once


def test_named_agency_sees_the_content_until_the_withdrawal_then_at_once_not(
    login, personas, team_case, agencies, household_8050
):
    mother = household_8050["mother"]
    give_consent(personas, team_case, agencies["council"], agencies["csw"])
    client = login(personas["outreach"])
    assert _sees_content(client, team_case, mother)
    page = html(client.get(u("case_detail", team_case)))
    assert 'data-testid="case-limited"' not in page
    assert "山田 フミ" in page and "社協の面談記録" in page
    assert api_get(client, f"/cases/{team_case.pk}").json()["content_visible"] is True

    response = login(personas["coordinator"]).post(
        u("consent_withdraw", team_case),
        {"given_by": "山田 フミ", "given_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    client = login(personas["outreach"])
    assert not _sees_content(client, team_case, mother)
    assert 'data-testid="case-limited"' in html(client.get(u("case_detail", team_case)))
    assert api_get(client, f"/cases/{team_case.pk}").json()["content_visible"] is False


def test_the_referring_agency_sees_what_it_sent_and_the_state_only(
    login, personas, team_case, household_8050
):
    client = login(personas["desk"])
    page = html(client.get(u("case_detail", team_case)))
    assert 'data-testid="case-limited"' in page
    assert reverse("consultations:referral_detail", args=[team_case.referral_id]) in page
    assert "アセスメント" in page  # the state
    assert client.get(u("assessment_detail", team_case)).status_code == 404


# ------------------------------------------------------------------- consent per person


def test_each_adult_consents_for_themselves(login, personas, team_case, agencies, household_8050):
    mother, son = household_8050["mother"], household_8050["son"]
    give_consent(personas, team_case, agencies["council"], agencies["csw"])
    outreach = personas["outreach"].user
    assert access.can_view(outreach, mother)
    assert not access.can_view(outreach, son)  # the mother's consent is not the son's
    client = login(personas["outreach"])
    household_page = html(
        client.get(reverse("people:household_detail", args=[household_8050["household"].pk]))
    )
    assert "山田 フミ" in household_page and "山田 一郎" not in household_page
    response = api_post(
        login(personas["coordinator"]),
        f"/cases/{team_case.pk}/consents",
        {
            "person_id": son.pk,
            "given_by": "山田 一郎",
            "given_on": timezone.localdate().isoformat(),
            "method": "signature",
            "scope_agency_ids": [agencies["csw"].pk],
        },
    )
    assert response.status_code == 201, response.content
    assert access.can_view(outreach, son)
    consents = response.json()["consents"]
    assert [(c["person_id"], c["is_current"]) for c in consents] == [
        (mother.pk, False),
        (mother.pk, True),
        (son.pk, True),
    ]
    # the son's withdrawal ends his sharing only
    services.consent_withdraw(
        by=personas["coordinator"].user,
        case=team_case,
        person=son,
        given_by="山田 一郎",
        given_on=timezone.localdate(),
    )
    assert not access.can_view(outreach, son)
    assert access.can_view(outreach, mother)
    assert team_case.current_consent() is not None


def test_a_minor_consents_through_a_guardian_and_an_adult_never_does(
    personas, team_case, household_8050
):
    by = personas["desk"].user
    child = people_services.person_create(
        by=by, name="山田 ゆい", name_kana="ヤマダ ユイ", birth_date=datetime.date(2015, 4, 1)
    )
    people_services.household_add_member(
        by=by, household=household_8050["household"], person=child, relation="grandchild"
    )
    values = {
        "by": personas["coordinator"].user,
        "case": team_case,
        "given_on": timezone.localdate(),
        "method": "signature",
        "scope_agencies": [],
        "share_in_conference": True,
    }
    with pytest.raises(ValidationError) as exc:
        services.consent_record(person=child, given_by="山田 ゆい", **values)
    assert "未成年です" in exc.value.message_dict["by_guardian"][0]
    consent = services.consent_record(
        person=child, given_by="山田 一郎", by_guardian=True, **values
    )
    assert consent.by_guardian and consent.person == child
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            person=household_8050["son"], given_by="山田 フミ", by_guardian=True, **values
        )
    assert "成人です" in exc.value.message_dict["by_guardian"][0]


def test_only_the_case_people_can_consent(personas, team_case):
    stranger = people_services.person_create(
        by=personas["desk"].user, name="佐藤 次郎", name_kana="サトウ ジロウ"
    )
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            by=personas["coordinator"].user,
            case=team_case,
            person=stranger,
            given_by="佐藤 次郎",
            given_on=timezone.localdate(),
            method="signature",
            scope_agencies=[],
            share_in_conference=True,
        )
    assert "本人・世帯の方ではありません" in exc.value.message_dict["person"][0]


def test_consent_form_records_a_member_by_tab(login, personas, team_case, agencies, household_8050):
    son = household_8050["son"]
    client = login(personas["coordinator"])
    page = html(client.get(u("consent_record", team_case) + f"?person={son.pk}"))
    assert page.count('data-testid="consent-person-tab"') == 2
    response = client.post(
        u("consent_record", team_case),
        {
            "person": son.pk,
            "given_by": "山田 一郎",
            "given_on": timezone.localdate().isoformat(),
            "method": "signature",
            "scope_agencies": [agencies["csw"].pk],
        },
    )
    assert response.status_code == 302
    assert "山田 一郎さんの本人同意を記録しました（第2版）。" in messages_of(response)
    detail = html(client.get(u("case_detail", team_case)))
    assert detail.count('data-testid="consent-person-row"') == 2


# ------------------------------------------------------------------------ leaving the team


def test_leaving_the_team_ends_access_at_once(login, personas, team_case, agencies):
    give_consent(personas, team_case, agencies["council"], agencies["csw"])
    outreach = login(personas["outreach"])
    assert outreach.get(u("case_detail", team_case)).status_code == 200
    member = CaseTeamMember.objects.get(case=team_case, agency=agencies["csw"], left_on=None)
    coordinator = login(personas["coordinator"])
    response = coordinator.post(u("team_leave", team_case), {"member": member.pk, "reason": ""})
    assert "チームを離れる理由を入力してください。" in messages_of(response)
    response = coordinator.post(
        u("team_leave", team_case), {"member": member.pk, "reason": "訪問の役割を終えたため"}
    )
    assert response.status_code == 302
    assert any("離脱を記録しました" in m for m in messages_of(response))
    member.refresh_from_db()
    assert (member.left_on, member.left_reason) == (timezone.localdate(), "訪問の役割を終えたため")
    event = AuditEvent.objects.filter(action="case.team_leave").latest("seq")
    assert event.context == {"case": team_case.pk, "agency": agencies["csw"].pk}
    outreach = login(personas["outreach"])
    assert outreach.get(u("case_detail", team_case)).status_code == 404
    assert outreach.get(u("activity_list", team_case)).status_code == 404
    assert not access.can_view(personas["outreach"].user, team_case.person)
    page = html(login(personas["coordinator"]).get(u("case_detail", team_case)))
    assert 'data-testid="former-team-row"' in page and "訪問の役割を終えたため" in page


def test_team_leave_over_the_api_and_its_rules(login, personas, team_case, agencies):
    path = f"/cases/{team_case.pk}/team/leave"
    body = {"agency_id": agencies["csw"].pk, "reason": "支援終了"}
    assert api_post(login(personas["unrelated"]), path, body).status_code == 404
    assert api_post(login(personas["desk"]), path, body).status_code == 403
    client = login(personas["coordinator"])
    refused = api_post(client, path, {"agency_id": agencies["council"].pk, "reason": "x"})
    assert refused.status_code == 422
    assert "外せません" in refused.json()["errors"]["agency_id"][0]
    missing = api_post(client, path, {"agency_id": agencies["csw"].pk, "reason": ""})
    assert missing.status_code == 422
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    assert api_post(client, path, {**body, "left_on": future}).status_code == 422
    response = api_post(client, path, body)
    assert response.status_code == 200, response.content
    left = [m for m in response.json()["team"] if m["agency_id"] == agencies["csw"].pk]
    assert left[0]["left_on"] == timezone.localdate().isoformat()
    assert left[0]["left_reason"] == "支援終了"
    assert api_get(login(personas["outreach"]), f"/cases/{team_case.pk}").status_code == 404
    again = api_post(login(personas["coordinator"]), path, body)
    assert again.status_code == 422
    with pytest.raises(PermissionDenied):
        services.team_leave(
            by=personas["desk"].user, case=team_case, agency=agencies["houkatsu"], reason="x"
        )


# --------------------------------------------------------------------------------- warnings


def test_adding_an_agency_the_consent_does_not_name_warns(login, personas, team_case, agencies):
    client = login(personas["coordinator"])
    response = client.post(u("team_add", team_case), {"agency": agencies["community"].pk})
    assert response.status_code == 302
    warnings = [m for m in messages_of(response) if "本人同意の共有先に含まれていません" in m]
    assert len(warnings) == 1 and "支援会議" in warnings[0]
    page = html(client.get(u("case_detail", team_case)))
    assert page.count('data-testid="team-consent-warning"') == 3  # 地域包括, CSW, 地域福祉
    give_consent(personas, team_case, agencies["council"], agencies["community"])
    body = api_get(client, f"/cases/{team_case.pk}").json()
    warned = {m["agency_id"]: m["consent_warning"] != "" for m in body["team"]}
    assert warned[agencies["community"].pk] is False
    assert warned[agencies["csw"].pk] is True
    # a named agency joins without a warning
    services.team_leave(
        by=personas["coordinator"].user, case=team_case, agency=agencies["community"], reason="x"
    )
    response = client.post(u("team_add", team_case), {"agency": agencies["community"].pk})
    assert not [m for m in messages_of(response) if "共有先に含まれていません" in m]


def test_a_plan_item_for_an_unnamed_agency_warns(login, personas, team_case, agencies):
    case = to_planning(personas, team_case)
    plan = plan_services.plan_create(
        by=personas["coordinator"].user, case=case, goals="目標", policy="方針"
    )
    client = login(personas["coordinator"])
    response = client.post(
        u("plan_item_add", case, plan.pk),
        {"issue": "住まい", "action": "転居先の相談", "agency": agencies["housing"].pk},
    )
    assert response.status_code == 302
    assert any(
        "住宅・空家対策課は本人同意の共有先に含まれていません" in m for m in messages_of(response)
    )
    api = api_post(
        client,
        f"/cases/{case.pk}/plans/{plan.pk}/items",
        {"issue": "介護", "action": "調整", "agency_id": agencies["council"].pk},
    )
    assert api.status_code == 201
    warnings = {i["agency_name"]: i["consent_warning"] for i in api.json()["items"]}
    assert warnings["福祉まるごと支援員（社協）"] == ""
    assert "共有先に含まれていません" in warnings["住宅・空家対策課"]


# ------------------------------------------- withdrawal while a reopened case's plan is listed


def test_withdrawal_returns_a_reopened_case_to_where_it_came_from(personas, team_case, agencies):
    coordinator = personas["coordinator"].user
    case = to_planning(personas, team_case)
    first = plan_services.plan_create(by=coordinator, case=case, goals="g", policy="p")
    # arrange: the first plan was confirmed, then the case closed
    SupportPlan.objects.filter(pk=first.pk).update(
        status=PlanStatus.SUPERSEDED, confirmed_on=timezone.localdate()
    )
    Case.objects.filter(pk=case.pk).update(status=C.CLOSED)
    case.refresh_from_db()
    case = services.case_transition(by=coordinator, case=case, to=C.ASSESSMENT, note="再開")
    case = to_planning(personas, case)
    plan = draft_plan(personas, case, agencies)
    assert plan.kind == PlanKind.REPLAN  # a reopened case's new plan is a 再プラン
    conference = meeting(personas, hours_ago=-24)
    meeting_services.agenda_add(
        by=coordinator, meeting=conference, purpose="plan_adoption", case=case, plan=plan
    )
    case.refresh_from_db()
    assert case.status == C.IN_CONFERENCE
    services.consent_withdraw(
        by=coordinator, case=case, given_by="山田 フミ", given_on=timezone.localdate()
    )
    case.refresh_from_db()
    assert case.status == C.PLANNING
    # and it can go on a 支援会議's agenda for adoption again
    confidential = meeting(personas, kind="confidential_meeting", hours_ago=-24)
    meeting_services.agenda_add(
        by=coordinator, meeting=confidential, purpose="plan_adoption", case=case, plan=plan
    )


# ------------------------------------------------------------------ every history (property)

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["consent", "withdraw", "join", "leave"]),
        st.sampled_from(["csw", "community", "housing"]),
        st.sampled_from(["mother", "son"]),
    ),
    min_size=1,
    max_size=12,
)


class Rollback(Exception):
    """Ends one example: everything it wrote is undone."""


WORKERS = {"csw": "outreach", "community": "community", "housing": "unrelated"}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(actions=ACTIONS)
def test_access_follows_consent_and_team_over_every_history(
    personas, case, agencies, household_8050, actions
):
    """Whatever the order of consents, withdrawals and team moves, an agency knows of the
    case exactly while it is on the team, sees its content exactly when the mother's (the
    case person's) current consent also names it, and sees the son exactly when his own
    current consent names it."""
    coordinator = personas["coordinator"].user
    people = {"mother": household_8050["mother"], "son": household_8050["son"]}
    try:
        with transaction.atomic():
            on_team: set[str] = set()
            named: dict[str, set[str]] = {"mother": set(), "son": set()}
            for action, code, who in actions:
                agency, person = agencies[code], people[who]
                if action == "join" and code not in on_team:
                    services.team_add(by=coordinator, case=case, agency=agency)
                    on_team.add(code)
                elif action == "leave" and code in on_team:
                    services.team_leave(by=coordinator, case=case, agency=agency, reason="r")
                    on_team.discard(code)
                elif action == "consent":
                    scope = named[who] | {code}
                    services.consent_record(
                        by=coordinator,
                        case=case,
                        person=person,
                        given_by=person.name,
                        given_on=timezone.localdate(),
                        method="signature",
                        scope_agencies=[agencies[c] for c in sorted(scope)],
                        share_in_conference=False,
                    )
                    named[who] = scope
                elif action == "withdraw" and services.person_consent(case, person):
                    services.consent_withdraw(
                        by=coordinator,
                        case=case,
                        person=person,
                        given_by=person.name,
                        given_on=timezone.localdate(),
                    )
                    named[who] = set()
                for code_, name in WORKERS.items():
                    worker = personas[name].user
                    involved = code_ in on_team
                    where = (actions, code_)
                    assert cases_known(worker, case) == involved, where
                    content = involved and code_ in named["mother"]
                    assert access.sees_case_content(worker, case) == content, where
                    sees_son = involved and code_ in named["son"]
                    assert access.can_view(worker, people["son"]) == sees_son, where
            raise Rollback
    except Rollback:
        pass


def cases_known(user, case) -> bool:
    return access.cases_visible_to(user).filter(pk=case.pk).exists()


def test_a_limited_view_names_no_other_agencys_plan_item_through_team_roles(
    login, personas, team_case, agencies
):
    CaseTeamMember.objects.filter(case=team_case, agency=agencies["houkatsu"]).update(
        role="支援プラン：長男の相談"
    )
    client = login(personas["outreach"])
    assert "長男の相談" not in html(client.get(u("case_detail", team_case)))
    roles = [m["role"] for m in api_get(client, f"/cases/{team_case.pk}").json()["team"]]
    assert "支援プラン：長男の相談" not in roles
    assert "長男の相談" in html(login(personas["coordinator"]).get(u("case_detail", team_case)))


def test_the_consent_rows_name_only_the_members_the_viewer_may_see(
    login, personas, team_case, agencies, household_8050
):
    give_consent(personas, team_case, agencies["council"], agencies["csw"])
    client = login(personas["outreach"])
    page = html(client.get(u("case_detail", team_case)))
    assert "山田 フミ" in page and "山田 一郎" not in page
    assert page.count('data-testid="consent-person-row"') == 1
    coordinator_page = html(login(personas["coordinator"]).get(u("case_detail", team_case)))
    assert coordinator_page.count('data-testid="consent-person-row"') == 2
    services.consent_record(
        by=personas["coordinator"].user,
        case=team_case,
        person=household_8050["son"],
        given_by="山田 一郎",
        given_on=timezone.localdate(),
        method="signature",
        scope_agencies=[agencies["council"]],
        share_in_conference=False,
    )
    body = api_get(login(personas["outreach"]), f"/cases/{team_case.pk}").json()
    assert {c["person_id"] for c in body["consents"]} == {household_8050["mother"].pk}


def test_a_limited_view_is_audited_with_only_the_persons_it_may_show(
    login, personas, team_case, household_8050
):
    login(personas["outreach"]).get(u("case_detail", team_case))
    event = AuditEvent.objects.filter(action="case.view").latest("seq")
    assert event.context["page"] == "limited"
    assert event.person_ids == []
    api_get(login(personas["desk"]), f"/cases/{team_case.pk}")
    event = AuditEvent.objects.filter(action="case.view").latest("seq")
    assert sorted(event.person_ids) == sorted(
        [household_8050["mother"].pk, household_8050["son"].pk]
    )  # the referring desk registered both


def test_the_case_page_offers_the_consent_update_or_a_confidential_meeting(
    login, personas, team_case, agencies
):
    client = login(personas["coordinator"])
    page = html(client.get(u("case_detail", team_case)))
    routes = page.split('data-testid="team-consent-routes"')[1].split("</div>\n")[1]
    assert "地域包括支援センター中央、コミュニティソーシャルワーカー" in page
    assert u("consent_record", team_case) in routes
    meeting_url = reverse("meetings:meeting_create") + "?kind=confidential_meeting"
    assert meeting_url in routes
    form = client.get(meeting_url).context["form"]
    assert (form.initial["kind"], form.initial["schedule"]) == ("confidential_meeting", "ad_hoc")
    # nobody to warn about once the consent names the whole team; nor for a limited viewer
    give_consent(personas, team_case, agencies["council"], agencies["houkatsu"], agencies["csw"])
    assert 'data-testid="team-consent-routes"' not in html(client.get(u("case_detail", team_case)))


def test_the_consent_form_starts_as_a_guardians_for_an_infant(
    login, personas, team_case, household_8050
):
    by = personas["desk"].user
    baby = people_services.person_create(
        by=by,
        name="山田 はる",
        name_kana="ヤマダ ハル",
        birth_date=timezone.localdate() - datetime.timedelta(days=100),  # aged 0
    )
    people_services.household_add_member(
        by=by, household=household_8050["household"], person=baby, relation="grandchild"
    )
    response = login(personas["coordinator"]).get(
        u("consent_record", team_case) + f"?person={baby.pk}"
    )
    assert response.context["form"].initial["by_guardian"] is True
    assert response.context["form"].initial["given_by"] == ""
