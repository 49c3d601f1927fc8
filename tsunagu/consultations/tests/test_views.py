"""Screens of 相談受付 and つなぎ: every URL for every persona, the whole loop, consent, audit."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.consultations import services
from tsunagu.consultations.models import (
    Consultation,
    HelpDeskRoute,
    Referral,
    ReferralKind,
    ReferralStatus,
)

pytestmark = pytest.mark.django_db
S = ReferralStatus

CASE_ROLES = (
    "officer",
    "coordinator",
    "desk",
    "outreach",
    "participation",
    "community",
    "unrelated",
)
NO_CASE_CONTENT = ("guest", "admin")


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def private_consultation(personas, household_8050, categories):
    """The same household's consultation recorded 同意なし (not shared with the receiver)."""
    return services.consultation_record(
        by=personas["desk"].user,
        received_on=datetime.date(2026, 11, 21),
        channel="phone",
        consulter_type="self",
        person=household_8050["mother"],
        categories=[categories["elderly_care"]],
        primary_category=categories["elderly_care"],
        summary="介護保険の申請について。",
        consent_to_share=False,
        outcome="referred",
    )


@pytest.fixture
def referral(personas, agencies, consultation, household_8050):
    """The desk (地域包括) refers the son to the CSW (outreach) agency."""
    return services.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        to_agency=agencies["csw"],
        person=household_8050["son"],
        reason="ひきこもりの息子さんへの訪問をお願いします。",
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def html(response) -> str:
    return response.content.decode()


def consultation_post(**overrides):
    data = {
        "received_on": "令和8年11月21日",
        "channel": "walk_in",
        "consulter_type": "family",
        "consulter_name": "山田 花子",
        "consulter_relation": "長女",
        "categories": [],
        "primary_category": "",
        "summary": "母の物忘れがひどくなってきた。",
        "consent_to_share": "yes",
        "outcome": "handled",
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------- every URL × every persona


def detail_urls(consultation, referral):
    return {
        "consultation_detail": reverse("consultations:consultation_detail", args=[consultation.pk]),
        "consultation_update": reverse("consultations:consultation_update", args=[consultation.pk]),
        "referral_create": reverse("consultations:referral_create", args=[consultation.pk]),
        "referral_create_multi": reverse(
            "consultations:referral_create_multi", args=[consultation.pk]
        ),
        "referral_detail": reverse("consultations:referral_detail", args=[referral.pk]),
    }


ACTIONS = ("accept", "return", "start", "complete", "acknowledge", "resend")

# persona → expected status of each detail URL (consultation recorded by desk, shared 同意あり,
# referred to the CSW agency of ``outreach``)
EXPECTED_DETAIL = {
    "officer": {
        "consultation_detail": 200,
        "consultation_update": 403,  # visible, but recorded by another agency
        "referral_create": 200,
        "referral_create_multi": 200,
        "referral_detail": 200,
    },
    "desk": dict.fromkeys(
        [
            "consultation_detail",
            "consultation_update",
            "referral_create",
            "referral_create_multi",
            "referral_detail",
        ],
        200,
    ),
    "outreach": {
        "consultation_detail": 200,  # received a referral and the person consented to sharing
        "consultation_update": 403,
        "referral_create": 200,
        "referral_create_multi": 200,
        "referral_detail": 200,
    },
    "coordinator": dict.fromkeys(
        [
            "consultation_detail",
            "consultation_update",
            "referral_create",
            "referral_create_multi",
            "referral_detail",
        ],
        404,
    ),
}
EXPECTED_DETAIL["participation"] = EXPECTED_DETAIL["coordinator"]
EXPECTED_DETAIL["community"] = EXPECTED_DETAIL["coordinator"]
EXPECTED_DETAIL["unrelated"] = EXPECTED_DETAIL["coordinator"]
EXPECTED_DETAIL["guest"] = dict.fromkeys(EXPECTED_DETAIL["desk"], 403)
EXPECTED_DETAIL["admin"] = EXPECTED_DETAIL["guest"]


@pytest.mark.parametrize("name", [*CASE_ROLES, *NO_CASE_CONTENT])
def test_detail_pages_answer_each_persona(login, personas, consultation, referral, name):
    client = login(personas[name])
    for key, url in detail_urls(consultation, referral).items():
        response = client.get(url)
        assert response.status_code == EXPECTED_DETAIL[name][key], (name, key)
        if response.status_code == 200:
            assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", [*CASE_ROLES, *NO_CASE_CONTENT])
def test_lists_answer_each_persona(login, personas, consultation, referral, name):
    client = login(personas[name])
    urls = [
        reverse("consultations:consultation_list"),
        reverse("consultations:referral_list") + "?box=all",
        reverse("consultations:consultation_create"),
        reverse("consultations:suggest"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == (403 if name in NO_CASE_CONTENT else 200), (name, url)
    if name in NO_CASE_CONTENT:
        return
    consultations = client.get(urls[0]).context["total"]
    referrals = client.get(urls[1]).context["total"]
    expected = {"officer": (1, 1), "desk": (1, 1), "outreach": (1, 1)}.get(name, (0, 0))
    assert (consultations, referrals) == expected, name


OUTSIDERS = ("coordinator", "participation", "community", "unrelated", *NO_CASE_CONTENT)


@pytest.mark.parametrize("name", OUTSIDERS)
@pytest.mark.parametrize("action", ACTIONS)
def test_referral_actions_for_outsiders(login, personas, referral, name, action):
    """Agencies not part of the referral get 404 (guest and admin 403); the loop tests cover
    the sender, the receiver and the program office."""
    response = login(personas[name]).post(
        reverse(f"consultations:referral_{action}", args=[referral.pk]),
        {"reason": "理由", "outcome": "support_started", "to_agency": "1"},
    )
    assert response.status_code == (403 if name in NO_CASE_CONTENT else 404)
    referral.refresh_from_db()
    assert referral.status == S.SENT


@pytest.mark.parametrize("name", ["unrelated", "coordinator", "guest", "admin"])
def test_consultation_posts_by_outsiders_change_nothing(
    login, personas, consultation, household_8050, agencies, name
):
    client = login(personas[name])
    expected = 403 if name in NO_CASE_CONTENT else 404
    urls = [
        reverse("consultations:consultation_update", args=[consultation.pk]),
        reverse("consultations:referral_create", args=[consultation.pk]),
        reverse("consultations:referral_create_multi", args=[consultation.pk]),
        reverse("consultations:consultation_create") + f"?person={household_8050['mother'].pk}",
        reverse("consultations:consultation_create")
        + f"?household={household_8050['household'].pk}",
    ]
    for url in urls:
        response = client.post(url, {"summary": "x", "to_agency": agencies["housing"].pk})
        assert response.status_code == expected, url
    assert Consultation.objects.count() == 1
    assert Referral.objects.count() == 0


def test_anonymous_users_are_sent_to_login(client, consultation):
    for url in [
        reverse("consultations:consultation_list"),
        reverse("consultations:consultation_detail", args=[consultation.pk]),
        reverse("consultations:referral_list"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_missing_objects_answer_404(login, personas):
    client = login(personas["officer"])
    for url in [
        reverse("consultations:consultation_detail", args=[999999]),
        reverse("consultations:referral_detail", args=[999999]),
        reverse("consultations:consultation_create") + "?person=999999",
        reverse("consultations:consultation_create") + "?household=abc",
    ]:
        assert client.get(url).status_code == 404, url


def test_action_endpoints_accept_only_post(login, personas, referral):
    client = login(personas["outreach"])
    response = client.get(reverse("consultations:referral_accept", args=[referral.pk]))
    assert response.status_code == 405


# -------------------------------------------------------------------- consultation list


def test_list_shows_columns_with_primary_category_first(login, personas, consultation, referral):
    response = login(personas["desk"]).get(reverse("consultations:consultation_list"))
    page = html(response).split('data-testid="consultation-table"')[1]
    assert "令和8年11月20日" in page
    assert "地域包括支援センター中央" in page
    assert "山田 フミ" in page and "山田世帯" in page
    assert page.index("◎8050問題") < page.index("高齢・介護")
    assert "他機関へつなぎ" in page
    assert "1件" in page.split('data-testid="consultation-row"')[1]


def test_list_counts_the_referrals_of_each_consultation(
    login, personas, consultation, private_consultation, agencies
):
    for agency in ("csw", "council"):
        services.referral_send(
            by=personas["desk"].user,
            consultation=consultation,
            to_agency=agencies[agency],
            reason="依頼",
        )
    response = login(personas["desk"]).get(reverse("consultations:consultation_list"))
    counts = {c.pk: c.referral_count for c in response.context["rows"]}
    assert counts == {consultation.pk: 2, private_consultation.pk: 0}


def test_list_filters(login, personas, consultation, private_consultation, agencies, categories):
    client = login(personas["desk"])
    url = reverse("consultations:consultation_list")

    def total(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return response.context["total"]

    assert total() == 2
    assert total(q="ひきこもっている") == 1
    assert total(q="山田世帯") == 1
    assert total(q="フミ") == 2
    assert total(agency=agencies["houkatsu"].pk) == 2
    assert total(agency=agencies["csw"].pk) == 0
    assert total(category=categories["hikikomori"].pk) == 1
    assert total(outcome="referred") == 2
    assert total(outcome="handled") == 0
    assert total(date_from="R8.11.21") == 1
    assert total(date_to="2026-11-20") == 1
    assert total(date_from="令和8年11月20日", date_to="令和8年11月21日") == 2


def test_list_rejects_reversed_dates_in_japanese(login, personas, consultation):
    response = login(personas["desk"]).get(
        reverse("consultations:consultation_list"),
        {"date_from": "令和8年11月21日", "date_to": "令和8年11月1日"},
    )
    assert response.status_code == 200
    assert "受付日（まで）は受付日（から）と同じかそれより後の日付にしてください。" in html(
        response
    )
    assert 'data-testid="filter-errors"' in html(response)
    bad = login(personas["desk"]).get(
        reverse("consultations:consultation_list"), {"date_from": "あした"}
    )
    assert 'data-testid="filter-errors"' in html(bad)


def test_list_pages_by_25_and_htmx_gets_the_rows_only(login, personas, household_8050, categories):
    for i in range(27):
        services.consultation_record(
            by=personas["desk"].user,
            received_on=datetime.date(2026, 10, 1),
            channel="phone",
            consulter_type="self",
            person=household_8050["son"],
            categories=[categories["hikikomori"]],
            summary=f"電話相談 {i}",
            outcome="handled",
        )
    client = login(personas["desk"])
    url = reverse("consultations:consultation_list")
    first = client.get(url)
    assert len(first.context["rows"]) == 25
    assert "1 / 2ページ" in html(first)
    second = client.get(url, {"page": 2})
    assert len(second.context["rows"]) == 2
    partial = client.get(url, {"q": "電話"}, HTTP_HX_REQUEST="true")
    assert "<html" not in html(partial)
    assert 'data-testid="result-count"' in html(partial)


def test_list_read_is_audited_with_the_persons_shown(login, personas, consultation, household_8050):
    login(personas["desk"]).get(reverse("consultations:consultation_list"), {"q": "山田"})
    event = AuditEvent.objects.filter(action="consultation.list").latest("seq")
    # a household consultation concerns every current member of the household
    assert event.person_ids == sorted([household_8050["mother"].pk, household_8050["son"].pk])
    assert event.context["q"] == "山田"
    assert event.actor == personas["desk"].user


# ------------------------------------------------------------------ recording a consultation


def test_new_without_a_subject_points_to_person_search(login, personas):
    response = login(personas["desk"]).get(reverse("consultations:consultation_create"))
    page = html(response)
    assert response.status_code == 200
    assert 'data-testid="choose-person-first"' in page
    assert "本人（または世帯）を検索するか、新しく登録してください" in page
    assert 'data-testid="consultation-form"' not in page


def test_new_form_defaults_and_fields(login, personas, household_8050, categories):
    url = reverse("consultations:consultation_create") + f"?person={household_8050['son'].pk}"
    response = login(personas["desk"]).get(url)
    page = html(response)
    assert response.status_code == 200
    assert "山田 一郎" in page
    assert response.context["form"]["received_on"].value() == timezone.localdate()
    for label in ("来所", "電話", "訪問", "メール・SNS", "関係機関から", "地域住民から"):
        assert label in page
    assert "ひきこもり" in page and "◎" in page
    assert "同意あり" in page and "同意なし" in page
    assert 'data-testid="helpdesk-suggestions"' in page
    assert (
        'name="consent_to_share"' in page
        and "checked" not in page.split('data-testid="consent-choices"')[1].split("</fieldset>")[0]
    )
    event = AuditEvent.objects.filter(action="person.view").latest("seq")
    assert event.person_ids == [household_8050["son"].pk]
    assert event.context["page"] == "consultation_create"


def test_recording_a_consultation(login, personas, household_8050, categories):
    client = login(personas["desk"])
    url = reverse("consultations:consultation_create") + (
        f"?person={household_8050['mother'].pk}&household={household_8050['household'].pk}"
    )
    data = consultation_post(
        categories=[categories["elderly_care"].pk, categories["problem_8050"].pk],
        primary_category=categories["problem_8050"].pk,
    )
    response = client.post(url, data)
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "consultations:consultation_detail", args=[consultation.pk]
    )
    assert consultation.received_on == datetime.date(2026, 11, 21)
    assert consultation.person == household_8050["mother"]
    assert consultation.household == household_8050["household"]
    assert consultation.consent_to_share is True
    assert consultation.agency == personas["desk"].agency
    primary = consultation.category_links.get(is_primary=True)
    assert primary.category.code == "problem_8050"
    assert AuditEvent.objects.filter(action="consultation.create").count() == 1
    detail = client.get(response["Location"])
    assert "相談を登録しました" in html(detail)
    assert "◎8050問題" in html(detail)


@pytest.mark.parametrize(
    ("outcome", "target"),
    [("referred", "referral_create"), ("multi_agency", "referral_create_multi")],
)
def test_outcome_of_referral_goes_straight_to_the_referral_form(
    login, personas, household_8050, categories, outcome, target
):
    url = reverse("consultations:consultation_create") + f"?person={household_8050['son'].pk}"
    response = login(personas["desk"]).post(
        url, consultation_post(categories=[categories["hikikomori"].pk], outcome=outcome)
    )
    consultation = Consultation.objects.get()
    assert response["Location"] == reverse(f"consultations:{target}", args=[consultation.pk])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"categories": []}, "相談内容を1つ以上選んでください。"),
        (
            {"consent_to_share": ""},
            "情報共有への同意の有無（同意あり／同意なし）を選んでください。",
        ),
        ({"summary": "   "}, "相談内容（概要）を入力してください。"),
        ({"received_on": "令和99年1月1日"}, "受付日に未来の日付は指定できません。"),
        ({"received_on": ""}, "受付日を入力してください。"),
        ({"channel": ""}, "相談経路を選んでください。"),
        ({"outcome": ""}, "対応結果を選んでください。"),
        (
            "primary-not-chosen",
            "「最も困っていること（◎）」は選んだ相談内容の中から選んでください。",
        ),
    ],
)
def test_bad_consultations_show_japanese_errors_and_change_nothing(
    login, personas, household_8050, categories, overrides, message
):
    if overrides == "primary-not-chosen":
        overrides = {
            "categories": [categories["hikikomori"].pk],
            "primary_category": categories["debt"].pk,
        }
    data = consultation_post(categories=[categories["hikikomori"].pk])
    data.update(overrides)
    before = AuditEvent.objects.filter(action__startswith="consultation.create").count()
    url = reverse("consultations:consultation_create") + f"?person={household_8050['son'].pk}"
    response = login(personas["desk"]).post(url, data)
    assert response.status_code == 200
    assert message in html(response)
    assert "is-invalid" in html(response)
    assert Consultation.objects.count() == 0
    assert AuditEvent.objects.filter(action="consultation.create").count() == before


def test_consultation_detail_shows_everything_and_is_audited(
    login, personas, consultation, referral, household_8050
):
    client = login(personas["desk"])
    response = client.get(reverse("consultations:consultation_detail", args=[consultation.pk]))
    page = html(response)
    for text in (
        "令和8年11月20日",
        "来所",
        "家族",
        "山田 フミ",
        "母",
        "◎8050問題",
        "長年ひきこもっている息子",
        "同意あり",
        "他機関へつなぎ",
        "コミュニティソーシャルワーカー",
        'data-testid="referral-status"',
        "他機関へつなぐ",
        "多機関協働へつなぐ",
        'data-testid="edit-button"',
    ):
        assert text in page, text
    event = AuditEvent.objects.filter(action="consultation.view").latest("seq")
    assert event.target_id == str(consultation.pk)
    assert event.person_ids == sorted([household_8050["mother"].pk, household_8050["son"].pk])
    assert event.via == "web"


def test_overdue_referrals_show_in_red_on_the_consultation(login, personas, consultation, referral):
    Referral.objects.filter(pk=referral.pk).update(
        respond_by=timezone.now() - datetime.timedelta(days=1)
    )
    page = html(
        login(personas["desk"]).get(
            reverse("consultations:consultation_detail", args=[consultation.pk])
        )
    )
    assert "期限超過" in page and "list-group-item-danger" in page


def test_only_the_recording_agency_sees_the_edit_button(login, personas, consultation, referral):
    page = html(
        login(personas["officer"]).get(
            reverse("consultations:consultation_detail", args=[consultation.pk])
        )
    )
    assert 'data-testid="edit-button"' not in page


def test_editing_a_consultation(login, personas, consultation, categories):
    client = login(personas["desk"])
    url = reverse("consultations:consultation_update", args=[consultation.pk])
    form = client.get(url).context["form"]
    event = AuditEvent.objects.filter(action="consultation.view").latest("seq")
    assert event.context == {"consultation": consultation.pk, "page": "consultation_update"}
    assert form["consent_to_share"].value() == "yes"
    assert form["primary_category"].value() == categories["problem_8050"].pk
    response = client.post(
        url,
        consultation_post(
            received_on="R8.11.19",
            categories=[categories["hikikomori"].pk, categories["debt"].pk],
            primary_category=categories["debt"].pk,
            consent_to_share="no",
            outcome="multi_agency",
        ),
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.received_on == datetime.date(2026, 11, 19)
    assert consultation.consent_to_share is False
    assert consultation.category_links.get(is_primary=True).category.code == "debt"
    event = AuditEvent.objects.get(action="consultation.update")
    assert event.changes["consent_to_share"] == {"before": True, "after": False}
    bad = client.post(url, consultation_post(summary=""))
    assert bad.status_code == 200
    assert "相談内容（概要）を入力してください。" in html(bad)


def test_other_agencies_cannot_edit(login, personas, consultation, referral):
    url = reverse("consultations:consultation_update", args=[consultation.pk])
    response = login(personas["outreach"]).post(url, consultation_post(summary="書き換え"))
    assert response.status_code == 403
    consultation.refresh_from_db()
    assert "書き換え" not in consultation.summary


# ------------------------------------------------------------------- help-desk suggestions


@pytest.fixture
def routes(agencies, categories):
    HelpDeskRoute.objects.create(category=categories["hikikomori"], agency=agencies["csw"])
    HelpDeskRoute.objects.create(category=categories["problem_8050"], agency=agencies["csw"])
    HelpDeskRoute.objects.create(category=categories["problem_8050"], agency=agencies["council"])
    HelpDeskRoute.objects.create(category=categories["elderly_care"], agency=agencies["houkatsu"])
    HelpDeskRoute.objects.create(category=categories["debt"], agency=agencies["housing"])


def test_suggestions_list_the_routed_agencies(login, personas, agencies, categories, routes):
    response = login(personas["desk"]).get(
        reverse("consultations:suggest"),
        {
            "categories": [
                categories["hikikomori"].pk,
                categories["problem_8050"].pk,
                categories["elderly_care"].pk,
            ]
        },
    )
    page = html(response)
    assert response.status_code == 200
    assert "つなぎ先の候補（ヘルプデスク）" in page
    assert page.index("コミュニティソーシャルワーカー") < page.index("福祉まるごと支援員（社協）")
    assert "ひきこもり" in page and "8050問題" in page
    assert "058-000-0000" in page
    # the acting agency itself is not suggested
    assert "地域包括支援センター中央" not in page
    assert "住宅・空家対策課" not in page


def test_suggestions_without_categories(login, personas, routes):
    page = html(login(personas["desk"]).get(reverse("consultations:suggest")))
    assert "相談内容を選ぶと" in page
    page = html(login(personas["desk"]).get(reverse("consultations:suggest"), {"categories": "x"}))
    assert 'data-testid="helpdesk-suggestion"' not in page


def test_referral_form_lists_recommended_agencies_first(
    login, personas, consultation, routes, agencies
):
    response = login(personas["desk"]).get(
        reverse("consultations:referral_create", args=[consultation.pk])
    )
    page = html(response)
    select = page.split('name="to_agency"')[1].split("</select>")[0]
    assert select.index('label="おすすめ（ヘルプデスク）"') < select.index('label="その他の機関"')
    recommended = select.split('label="その他の機関"')[0]
    assert "コミュニティソーシャルワーカー" in recommended
    assert "地域包括支援センター中央" not in select  # own agency
    assert "本人：山田 フミ" in page and "世帯：山田世帯" in page
    assert "世帯員：山田 一郎（子）" in page


# ---------------------------------------------------------------------- the referral loop


def post(client, name, referral, data=None):
    return client.post(reverse(f"consultations:referral_{name}", args=[referral.pk]), data or {})


def test_full_loop_through_the_screens(login, personas, consultation, agencies, household_8050):
    desk = login(personas["desk"])
    response = desk.post(
        reverse("consultations:referral_create", args=[consultation.pk]),
        {
            "to_agency": agencies["csw"].pk,
            "target": f"member:{household_8050['son'].pk}",
            "reason": "息子さんへの訪問をお願いします。",
        },
    )
    referral = Referral.objects.get()
    assert response["Location"] == reverse("consultations:referral_detail", args=[referral.pk])
    assert referral.person == household_8050["son"]
    assert referral.household is None
    assert referral.from_agency == agencies["houkatsu"]

    outreach = login(personas["outreach"])
    page = html(outreach.get(reverse("consultations:referral_detail", args=[referral.pk])))
    assert 'data-testid="accept-button"' in page and 'data-testid="return-button"' in page
    assert "送付" in page.split('data-testid="referral-status"')[1][:20]

    response = post(outreach, "accept", referral, {"note": "担当者を決めました。"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED
    page = html(outreach.get(response["Location"]))
    assert "つなぎを受理しました。" in page
    assert 'data-testid="start-button"' in page and 'data-testid="complete-form"' in page

    post(outreach, "start", referral)
    referral.refresh_from_db()
    assert referral.status == S.IN_PROGRESS

    post(outreach, "complete", referral, {"outcome": "support_started", "note": "訪問を開始。"})
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED
    assert referral.outcome == "support_started"
    assert referral.outcome_note == "訪問を開始。"

    page = html(desk.get(reverse("consultations:referral_detail", args=[referral.pk])))
    timeline = page.split('data-testid="referral-timeline"')[1].split("</ol>")[0]
    for text in ("送付", "送付 → 受理", "受理 → 対応中", "対応中 → 完了", "担当者を決めました。"):
        assert text in timeline, text
    assert "令和8年" in timeline
    assert "コミュニティソーシャルワーカー" in timeline
    assert "支援開始" in page
    actions = {e.action for e in AuditEvent.objects.filter(target_id=str(referral.pk))}
    assert {
        "referral.send",
        "referral.accept",
        "referral.start",
        "referral.complete",
        "referral.view",
    } <= actions


def test_referring_the_household_or_one_person(
    login, personas, consultation, agencies, household_8050
):
    client = login(personas["desk"])
    url = reverse("consultations:referral_create", args=[consultation.pk])
    client.post(url, {"to_agency": agencies["csw"].pk, "target": "household", "reason": "世帯"})
    client.post(url, {"to_agency": agencies["csw"].pk, "target": "person", "reason": "本人"})
    by_reason = {r.reason: r for r in Referral.objects.all()}
    assert by_reason["世帯"].household == household_8050["household"]
    assert by_reason["世帯"].person is None
    assert by_reason["本人"].person == household_8050["mother"]
    assert by_reason["本人"].household is None


def test_referral_forms_default_target(login, personas, consultation, coordinator_agency):
    client = login(personas["desk"])
    standard = client.get(reverse("consultations:referral_create", args=[consultation.pk]))
    assert standard.context["form"]["target"].value() == "person"
    multi = client.get(reverse("consultations:referral_create_multi", args=[consultation.pk]))
    assert multi.context["form"]["target"].value() == "household"
    event = AuditEvent.objects.filter(action="consultation.view").latest("seq")
    assert event.context == {"consultation": consultation.pk, "page": "referral_create_multi"}


def test_a_receiver_may_only_refer_onward_whom_it_may_see(
    login, personas, consultation, referral, agencies
):
    """The CSW received the son only: the mother stays out of its reach."""
    response = login(personas["outreach"]).get(
        reverse("consultations:referral_create", args=[consultation.pk])
    )
    page = html(response)
    assert "本人：山田 フミ" not in page
    assert "世帯：山田世帯" in page
    assert "世帯員：山田 一郎（子）" in page
    response = login(personas["outreach"]).post(
        reverse("consultations:referral_create", args=[consultation.pk]),
        {"to_agency": agencies["council"].pk, "target": "person", "reason": "母も"},
    )
    assert "つなぐ対象を選択肢から選んでください。" in html(response)
    assert Referral.objects.count() == 1


def test_sender_cannot_accept_and_gets_403(login, personas, referral):
    response = post(login(personas["desk"]), "accept", referral)
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert post(login(personas["officer"]), "accept", referral).status_code == 403


def test_illegal_moves_show_japanese_errors(login, personas, referral):
    outreach = login(personas["outreach"])
    response = post(outreach, "start", referral)
    assert response.status_code == 302
    assert "「送付」のつなぎを「対応中」にはできません。" in messages_of(response)
    referral.refresh_from_db()
    assert referral.status == S.SENT
    response = post(outreach, "acknowledge", referral)
    assert "差し戻されたつなぎではありません。" in messages_of(response)


def test_return_acknowledge_and_resend(login, personas, referral, agencies):
    outreach = login(personas["outreach"])
    response = post(outreach, "return", referral, {"reason": ""})
    assert "差し戻す理由を入力してください。" in messages_of(response)
    referral.refresh_from_db()
    assert referral.status == S.SENT

    post(outreach, "return", referral, {"reason": "当機関の対象地域外です。"})
    referral.refresh_from_db()
    assert referral.status == S.RETURNED

    desk = login(personas["desk"])
    listing = desk.get(reverse("consultations:referral_list"), {"box": "outbox"})
    row = html(listing).split('data-testid="referral-row"')[1]
    assert "差戻し・要確認" in row and "table-warning" in html(listing)
    page = html(desk.get(reverse("consultations:referral_detail", args=[referral.pk])))
    assert "当機関の対象地域外です。" in page
    assert 'data-testid="acknowledge-button"' in page and 'data-testid="resend-form"' in page

    # the receiver cannot acknowledge on the sender's behalf
    assert post(login(personas["outreach"]), "acknowledge", referral).status_code == 403

    desk = login(personas["desk"])
    post(desk, "acknowledge", referral)
    referral.refresh_from_db()
    assert referral.return_acknowledged_at is not None
    listing = desk.get(reverse("consultations:referral_list"), {"box": "outbox"})
    assert "差戻し・要確認" not in html(listing).split('data-testid="referral-table"')[1]

    response = post(desk, "resend", referral, {"to_agency": "", "reason": "再送"})
    assert "再送先の機関を選んでください。" in messages_of(response)
    response = post(desk, "resend", referral, {"to_agency": agencies["council"].pk, "reason": ""})
    assert "つなぐ理由・依頼内容を入力してください。" in messages_of(response)
    assert Referral.objects.count() == 1

    response = post(
        desk,
        "resend",
        referral,
        {"to_agency": agencies["council"].pk, "reason": "社協へ再送します。"},
    )
    new = Referral.objects.exclude(pk=referral.pk).get()
    assert response["Location"] == reverse("consultations:referral_detail", args=[new.pk])
    assert new.previous == referral and new.to_agency == agencies["council"]
    page = html(desk.get(reverse("consultations:referral_detail", args=[new.pk])))
    assert 'data-testid="previous-referral"' in page
    page = html(desk.get(reverse("consultations:referral_detail", args=[referral.pk])))
    assert 'data-testid="next-referral"' in page
    assert 'data-testid="resend-form"' not in page


def test_resend_without_acknowledging_first(login, personas, referral, agencies):
    post(login(personas["outreach"]), "return", referral, {"reason": "対象外です。"})
    desk = login(personas["desk"])
    post(desk, "resend", referral, {"to_agency": agencies["council"].pk, "reason": "再送"})
    referral.refresh_from_db()
    assert referral.return_acknowledged_at is not None
    assert Referral.objects.count() == 2


def test_complete_with_rereferral_sends_onward(login, personas, referral, agencies):
    outreach = login(personas["outreach"])
    post(outreach, "accept", referral)
    referral.refresh_from_db()

    response = post(outreach, "complete", referral, {"outcome": "rereferred", "note": "社協へ"})
    assert "再紹介先の機関を選んでください。" in messages_of(response)
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED
    assert Referral.objects.count() == 1

    response = post(outreach, "complete", referral, {"outcome": ""})
    assert "結果を選んでください。" in messages_of(response)

    response = post(
        outreach,
        "complete",
        referral,
        {
            "outcome": "rereferred",
            "note": "就労の相談が中心のため",
            "rerefer_to": agencies["council"].pk,
            "rerefer_reason": "就労準備支援をお願いします。",
        },
    )
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED and referral.outcome == "rereferred"
    onward = Referral.objects.get(previous=referral)
    assert onward.from_agency == agencies["csw"] and onward.to_agency == agencies["council"]
    assert onward.reason == "就労準備支援をお願いします。"
    assert onward.status == S.SENT
    page = html(outreach.get(response["Location"]))
    assert f"#{onward.pk}" in page.split('data-testid="referral-chain"')[1]

    # the first sender does not see the onward referral it is not part of
    page = html(
        login(personas["desk"]).get(reverse("consultations:referral_detail", args=[referral.pk]))
    )
    assert 'data-testid="next-referral"' not in page
    assert (
        login(personas["desk"])
        .get(reverse("consultations:referral_detail", args=[onward.pk]))
        .status_code
        == 404
    )


def test_long_notes_are_refused_with_a_message(login, personas, referral):
    response = post(login(personas["outreach"]), "return", referral, {"reason": "あ" * 201})
    assert "差し戻す理由は200文字以内で入力してください。" in messages_of(response)
    referral.refresh_from_db()
    assert referral.status == S.SENT


def test_referral_form_errors(login, personas, consultation, agencies):
    client = login(personas["desk"])
    url = reverse("consultations:referral_create", args=[consultation.pk])
    response = client.post(url, {"to_agency": "", "target": "person", "reason": ""})
    assert "つなぎ先の機関を選んでください。" in html(response)
    response = client.post(
        url, {"to_agency": agencies["csw"].pk, "target": "person", "reason": "  "}
    )
    assert "つなぐ理由・依頼内容を入力してください。" in html(response)
    response = client.post(
        url, {"to_agency": agencies["houkatsu"].pk, "target": "person", "reason": "自分へ"}
    )
    assert "選択肢の中から機関を選んでください。" in html(response)
    response = client.post(
        url, {"to_agency": agencies["csw"].pk, "target": "member:999", "reason": "x"}
    )
    assert "つなぐ対象を選択肢から選んでください。" in html(response)
    assert Referral.objects.count() == 0


# ------------------------------------------------------------------- 多機関協働へのつなぎ


def test_multi_agency_form_shows_the_configured_criteria(
    login, personas, consultation, coordinator_agency
):
    page = html(
        login(personas["desk"]).get(
            reverse("consultations:referral_create_multi", args=[consultation.pk])
        )
    )
    assert "① 複雑・複合化した課題を有し、世帯として支援が必要であること。" in page
    assert "② どこにも繋がらない狭間のケースであること。" in page
    assert "③ 新たな資源開発や支援の仕組みに繋げたいケースであること。" in page
    assert "各相談窓口等での対応や既存のネットワーク等による連携では課題解決が困難" in page
    assert "多機関協働事業の支援を待たずに並行して既存の支援を進める" in page
    assert "これまでに他機関と連携して試みたこと" in page
    select = page.split('name="to_agency"')[1].split("</select>")[0]
    assert "福祉まるごと支援員（社協）" in select
    assert "コミュニティソーシャルワーカー" not in select


def test_multi_agency_referral_needs_criteria_and_what_was_tried(
    login, personas, consultation, coordinator_agency
):
    client = login(personas["desk"])
    url = reverse("consultations:referral_create_multi", args=[consultation.pk])
    response = client.post(
        url,
        {
            "to_agency": coordinator_agency.pk,
            "target": "household",
            "reason": "世帯全体の支援が必要です。",
            "tried_with_agencies": "",
        },
    )
    page = html(response)
    assert response.status_code == 200
    assert "基準①②③のうち当てはまるものを1つ以上選んでください。" in page
    assert "これまでに他機関と連携して試みたことを入力してください" in page
    assert Referral.objects.count() == 0
    assert not AuditEvent.objects.filter(action="referral.send").exists()


def test_multi_agency_referral_refuses_agencies_without_the_program(
    login, personas, consultation, coordinator_agency, agencies
):
    response = login(personas["desk"]).post(
        reverse("consultations:referral_create_multi", args=[consultation.pk]),
        {
            "to_agency": agencies["csw"].pk,
            "target": "household",
            "criteria": ["criterion_gap"],
            "tried_with_agencies": "CSWと訪問",
            "reason": "x",
        },
    )
    assert "選択肢の中から機関を選んでください。" in html(response)
    assert Referral.objects.count() == 0


def test_multi_agency_referral_waits_in_the_inbox_until_opened_as_a_case(
    login, personas, consultation, coordinator_agency
):
    desk = login(personas["desk"])
    response = desk.post(
        reverse("consultations:referral_create_multi", args=[consultation.pk]),
        {
            "to_agency": coordinator_agency.pk,
            "target": "household",
            "criteria": ["criterion_household", "criterion_gap"],
            "tried_with_agencies": "ケアマネジャー、CSWと訪問したが、息子さんと会えていない。",
            "is_urgent": "on",
            "reason": "世帯全体の支援が必要です。",
        },
    )
    referral = Referral.objects.get()
    assert response["Location"] == reverse("consultations:referral_detail", args=[referral.pk])
    assert referral.kind == ReferralKind.MULTI_AGENCY
    assert referral.criterion_household and referral.criterion_gap
    assert not referral.criterion_new_resource
    assert referral.is_urgent

    coordinator = login(personas["coordinator"])
    inbox = coordinator.get(reverse("consultations:referral_list"))
    assert inbox.context["total"] == 1
    page = html(coordinator.get(reverse("consultations:referral_detail", args=[referral.pk])))
    assert "受け付けると、多機関協働の事例（インテーク）が始まります。" in page
    assert 'data-testid="accept-case-button"' in page
    assert 'data-testid="return-button"' in page
    assert 'data-testid="eligibility"' in page and "緊急性あり" in page
    post(coordinator, "accept", referral)
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert referral.case.status == "intake"
    page = html(coordinator.get(reverse("consultations:referral_detail", args=[referral.pk])))
    assert 'data-testid="referral-case"' in page


# ----------------------------------------------------------------------------- consent


def test_without_consent_the_receiver_sees_the_referral_but_not_the_consultation(
    login, personas, private_consultation, agencies, household_8050
):
    login(personas["desk"]).post(
        reverse("consultations:referral_create", args=[private_consultation.pk]),
        {"to_agency": agencies["csw"].pk, "target": "person", "reason": "訪問をお願いします。"},
    )
    referral = Referral.objects.get()
    outreach = login(personas["outreach"])
    response = outreach.get(reverse("consultations:referral_detail", args=[referral.pk]))
    assert response.status_code == 200
    assert 'data-testid="consultation-link"' not in html(response)
    assert "情報共有の同意がないため" in html(response)
    detail = reverse("consultations:consultation_detail", args=[private_consultation.pk])
    assert outreach.get(detail).status_code == 404
    assert outreach.get(reverse("consultations:consultation_list")).context["total"] == 0


def test_with_consent_the_receiver_may_open_the_consultation(
    login, personas, household_8050, categories, agencies
):
    desk = login(personas["desk"])
    desk.post(
        reverse("consultations:consultation_create") + f"?person={household_8050['son'].pk}",
        consultation_post(categories=[categories["hikikomori"].pk], consent_to_share="yes"),
    )
    consultation = Consultation.objects.get()
    desk.post(
        reverse("consultations:referral_create", args=[consultation.pk]),
        {"to_agency": agencies["csw"].pk, "target": "person", "reason": "訪問をお願いします。"},
    )
    referral = Referral.objects.get()
    outreach = login(personas["outreach"])
    page = html(outreach.get(reverse("consultations:referral_detail", args=[referral.pk])))
    assert 'data-testid="consultation-link"' in page
    detail = outreach.get(reverse("consultations:consultation_detail", args=[consultation.pk]))
    assert detail.status_code == 200
    assert 'data-testid="edit-button"' not in html(detail)


# ------------------------------------------------------------------------- referral list


def test_referral_list_tabs_filters_and_overdue(login, personas, referral, agencies):
    outreach = login(personas["outreach"])
    url = reverse("consultations:referral_list")
    assert outreach.get(url).context["total"] == 1  # inbox by default
    assert outreach.get(url, {"box": "outbox"}).context["total"] == 0
    assert outreach.get(url, {"status": "accepted"}).context["total"] == 0
    assert outreach.get(url, {"status": "sent"}).context["total"] == 1
    assert outreach.get(url, {"overdue": "1"}).context["total"] == 0

    Referral.objects.filter(pk=referral.pk).update(
        respond_by=timezone.now() - datetime.timedelta(hours=1)
    )
    response = outreach.get(url, {"overdue": "1"})
    assert response.context["total"] == 1
    row = html(response).split('data-testid="referral-row"')[1]
    assert "期限超過" in row
    assert 'class="table-danger"' in html(response)
    desk = login(personas["desk"])
    assert desk.get(url, {"box": "outbox", "overdue": "1"}).context["total"] == 1
    assert desk.get(url, {"box": "inbox"}).context["total"] == 0
    page = html(desk.get(reverse("consultations:referral_detail", args=[referral.pk])))
    assert 'data-testid="referral-overdue"' in page

    partial = outreach.get(url, {"box": "inbox"}, HTTP_HX_REQUEST="true")
    assert "<html" not in html(partial)


def test_referral_list_pages_by_25(login, personas, consultation, agencies):
    for i in range(26):
        services.referral_send(
            by=personas["desk"].user,
            consultation=consultation,
            to_agency=agencies["csw"],
            reason=f"依頼 {i}",
        )
    client = login(personas["outreach"])
    url = reverse("consultations:referral_list")
    assert len(client.get(url).context["rows"]) == 25
    assert len(client.get(url, {"page": 2}).context["rows"]) == 1


def test_officer_sees_every_referral_under_all(login, personas, referral):
    client = login(personas["officer"])
    url = reverse("consultations:referral_list")
    assert client.get(url).context["total"] == 0  # nothing addressed to the office
    assert client.get(url, {"box": "all"}).context["total"] == 1
    page = html(client.get(reverse("consultations:referral_detail", args=[referral.pk])))
    assert 'data-testid="no-actions"' in page


def test_referral_reads_are_audited(login, personas, referral, household_8050):
    client = login(personas["outreach"])
    client.get(reverse("consultations:referral_list"))
    event = AuditEvent.objects.filter(action="referral.list").latest("seq")
    assert event.person_ids == [household_8050["son"].pk]
    assert event.context["box"] == "inbox"
    client.get(reverse("consultations:referral_detail", args=[referral.pk]))
    event = AuditEvent.objects.filter(action="referral.view").latest("seq")
    assert event.target_id == str(referral.pk)
    assert household_8050["son"].pk in event.person_ids
    assert event.acting_agency_id == personas["outreach"].agency.pk


def test_person_links_only_when_visible(login, personas, referral, household_8050):
    page = html(
        login(personas["outreach"]).get(
            reverse("consultations:referral_detail", args=[referral.pk])
        )
    )
    assert "山田 一郎" in page
    assert reverse("people:person_detail", args=[household_8050["son"].pk]) in page


def test_a_returned_multi_agency_referral_invites_the_sender_to_ask_again(
    login, personas, consultation, coordinator_agency
):
    referral = services.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        to_agency=coordinator_agency,
        reason="世帯全体の支援が必要です。",
        kind="multi_agency",
        criterion_household=True,
        tried_with_agencies="保健センターと連携",
    )
    page = html(
        login(personas["desk"]).get(reverse("consultations:referral_detail", args=[referral.pk]))
    )
    assert 'data-testid="ask-again"' not in page
    services.referral_return(
        by=personas["coordinator"].user, referral=referral, reason="単独の機関で対応できます。"
    )
    page = html(
        login(personas["desk"]).get(reverse("consultations:referral_detail", args=[referral.pk]))
    )
    assert 'data-testid="ask-again"' in page
    assert "改めて多機関協働へつないでください" in page
    assert coordinator_agency.name in page.split('data-testid="ask-again"')[1]
