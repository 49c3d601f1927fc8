"""The household page: its 多機関協働 cases and every referral about it or its members."""

from django.urls import reverse

from tsunagu.audit.models import AuditEvent
from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.cases.tests.flow import draft_plan, to_planning
from tsunagu.consultations import services as consultation_services


def page(client, household):
    return client.get(reverse("people:household_detail", args=[household.pk]))


def test_household_page_lists_its_cases_with_status_coordinator_plan_and_team(
    login, personas, agencies, household_8050, consented_case
):
    case = to_planning(personas, consented_case)
    plan = draft_plan(personas, case, agencies)
    response = page(login(personas["coordinator"]), household_8050["household"])
    html = response.content.decode()
    assert html.count('data-testid="household-case-row"') == 1
    assert reverse("cases:case_detail", args=[case.pk]) in html
    assert "プラン作成" in html  # the case's status
    assert "福祉まるごと支援員（社協）" in html  # the coordinating agency
    (row,) = response.context["cases"]
    assert row.plan == plan and "作成中" in html
    assert [a.pk for a in row.team] == [agencies["council"].pk, agencies["houkatsu"].pk]
    assert "地域包括支援センター中央" in html
    event = AuditEvent.objects.filter(action="household.view").latest("seq")
    assert event.context["cases"] == [case.pk]


def test_cases_the_viewer_may_not_see_are_not_listed(
    login, personas, agencies, household_8050, consultation, case
):
    # the CSW receives a referral about the son: it may open the household, not the case
    consultation_services.referral_send(
        by=personas["coordinator"].user,
        consultation=consultation,
        person=household_8050["son"],
        to_agency=agencies["csw"],
        reason="息子への訪問",
    )
    response = page(login(personas["outreach"]), household_8050["household"])
    assert response.status_code == 200
    assert response.context["cases"] == []
    html = response.content.decode()
    assert 'data-testid="household-case-row"' not in html
    assert reverse("cases:case_detail", args=[case.pk]) not in html
    assert "表示できる多機関協働の事例はありません。" in html
    # the referring desk sees it; an unrelated agency does not even see the household
    assert [
        row.case
        for row in page(login(personas["desk"]), household_8050["household"]).context["cases"]
    ] == [case]
    assert page(login(personas["unrelated"]), household_8050["household"]).status_code == 404


def test_every_visible_referral_about_the_household_or_a_member_is_listed(
    login, personas, agencies, household_8050, consultation, case
):
    coordinator = personas["coordinator"].user
    # the coordinator refers the son alone (a member, no household on the referral)
    about_son = consultation_services.referral_send(
        by=coordinator,
        consultation=consultation,
        person=household_8050["son"],
        to_agency=agencies["csw"],
        reason="息子への訪問",
    )
    # the desk refers the mother to the housing desk: neither end is the coordinator's agency,
    # but the coordinator of the household's case sees the whole household's referrals
    between_others = consultation_services.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        person=household_8050["mother"],
        to_agency=agencies["housing"],
        reason="住まいの相談",
    )
    response = page(login(personas["coordinator"]), household_8050["household"])
    shown = {r.pk for r in response.context["referrals"]}
    assert shown == {case.referral_id, about_son.pk, between_others.pk}
    assert (
        login(personas["coordinator"])
        .get(reverse("consultations:referral_detail", args=[between_others.pk]))
        .status_code
        == 200
    )
    # an agency with no part in it still does not
    outreach = page(login(personas["outreach"]), household_8050["household"])
    assert outreach.status_code == 404 or between_others.pk not in {
        r.pk for r in outreach.context["referrals"]
    }
    desk_shown = {
        r.pk
        for r in page(login(personas["desk"]), household_8050["household"]).context["referrals"]
    }
    assert desk_shown == {case.referral_id, between_others.pk}
