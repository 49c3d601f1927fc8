"""Who may see a person, and why: the program office's section of the person page, the
history page, its Excel export for a disclosure request and the API — for the office only,
every read audited."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import PERSONA_NAMES
from tsunagu.audit.models import AuditEvent
from tsunagu.common.tests.exports import body
from tsunagu.common.wareki import format_wareki
from tsunagu.grants.models import AccessGrant, Basis
from tsunagu.grants.selectors import STILL_CURRENT, get_person_access_for_user, person_access
from tsunagu.grants.tests.test_equivalence import World
from tsunagu.people.models import Household

pytestmark = pytest.mark.django_db

# persona → status of the history page, the export and the API for a person they may see or
# not: the office only; persons' pages are closed to the administrator and guests altogether
OFFICE_ONLY = {name: 404 for name in PERSONA_NAMES} | {"officer": 200, "admin": 403, "guest": 403}
NOT_OFFICE = [name for name in PERSONA_NAMES if name != "officer"]


@pytest.fixture
def world(agencies, personas):
    """本人0 in 世帯0, consulted by the 地域包括 (the desk persona's agency); the household
    consulted by the CSW; a case coordinated by the 社協 (the coordinator persona's agency),
    which the CSW joined and left; then 本人0 left the household."""
    world = World(agencies, personas["coordinator"].user)
    world.apply(("join", 0, 0))
    world.apply(("consult", "houkatsu", 0, None))
    world.apply(("consult", "csw", None, 0))
    world.apply(("open_case", "houkatsu", "council", 0, None))
    world.apply(("team_join", 0, "csw"))
    world.apply(("team_leave", 0, "csw"))
    world.apply(("leave", 0, 0))
    world.apply(("consult", "houkatsu", 1, None))  # someone else: not in the answer
    return world


@pytest.fixture
def person(world):
    return world.persons[0]


def urls(person):
    return {
        "page": reverse("grants:person_access", args=[person.pk]),
        "xlsx": reverse("grants:person_access_xlsx", args=[person.pk]),
        "api": f"/api/v1/persons/{person.pk}/access",
    }


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def row_keys(rows):
    return [(r.agency_name, r.subject, r.basis, r.is_current) for r in rows]


# --- the selector -------------------------------------------------------------------------


def test_the_office_gets_the_grants_of_the_person_their_households_and_cases(
    world, person, personas, agencies
):
    access = person_access(user=personas["officer"].user, person=person)
    case = world.cases[0]
    household = world.households[0]
    expected = set(AccessGrant.objects.filter(person=person).values_list("pk", flat=True)) | set(
        AccessGrant.objects.filter(household=household).values_list("pk", flat=True)
    )
    expected |= set(AccessGrant.objects.filter(case=case).values_list("pk", flat=True))
    assert {r.grant_id for r in access.rows} == expected
    assert not AccessGrant.objects.filter(
        person=world.persons[1], pk__in=[r.grant_id for r in access.rows]
    ).exists()

    # current first, then the ended ones
    currents = [r.is_current for r in access.rows]
    assert currents == sorted(currents, reverse=True)
    keys = row_keys(access.rows)
    assert (agencies["houkatsu"].name, "本人", Basis.CONSULTED, True) in keys
    assert (agencies["council"].name, f"事例 #{case.pk}", Basis.COORDINATING, True) in keys
    assert (agencies["csw"].name, f"世帯「{household.label}」", Basis.CONSULTED, True) in keys
    # ended: the CSW left the team, and 本人0 left the household the CSW consulted about
    assert (agencies["csw"].name, f"事例 #{case.pk}", Basis.TEAM, False) in keys
    assert (agencies["csw"].name, "本人", Basis.HOUSEHOLD, False) in keys
    ended = next(r for r in access.rows if r.basis == Basis.TEAM and not r.is_current)
    assert ended.valid_until is not None and ended.valid_until >= ended.valid_from
    assert ended.basis_label == "支援チームの機関"

    # who may open 本人0's record now: the 地域包括 (consultation, referral) and the 社協
    # (referral); the CSW still sees the household (its consultation), not 本人0 nor the case
    assert [name for _id, name in access.agencies_now] == sorted(
        [agencies["houkatsu"].name, agencies["council"].name]
    )


@pytest.mark.parametrize("name", NOT_OFFICE)
def test_no_one_but_the_office_is_told(person, personas, name):
    from django.http import Http404

    user = personas[name].user
    assert person_access(user=user, person=person) is None
    with pytest.raises(Http404):
        get_person_access_for_user(user, person.pk)


def test_a_person_the_office_cannot_see_answers_404(person, personas):
    from django.http import Http404

    person.is_archived = True
    person.save()
    with pytest.raises(Http404):
        get_person_access_for_user(personas["officer"].user, person.pk)
    with pytest.raises(Http404):
        get_person_access_for_user(personas["officer"].user, "x")


# --- the person page's section ------------------------------------------------------------


def test_the_office_sees_the_section_with_an_ended_grant_and_its_end(
    login, personas, person, agencies
):
    response = login(personas["officer"]).get(reverse("people:person_detail", args=[person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="person-access"' in html
    shown = response.context["person_access"]["rows"]
    ended = [r for r in shown if not r.is_current]
    assert ended and all(r.valid_until for r in ended)
    assert format_wareki(timezone.localdate(ended[0].valid_until)) in html
    assert STILL_CURRENT in html
    assert agencies["csw"].name in html
    assert reverse("grants:person_access", args=[person.pk]) in html
    assert reverse("grants:person_access_xlsx", args=[person.pk]) in html
    # the page's audited read names the grants the section shows
    (event,) = events("person.view")
    assert event.context["access_grants"] == [r.grant_id for r in shown]


@pytest.mark.parametrize("name", ["desk", "coordinator"])
def test_others_who_see_the_person_get_no_section(login, personas, person, name):
    response = login(personas[name]).get(reverse("people:person_detail", args=[person.pk]))
    assert response.status_code == 200
    assert "person_access" not in response.context
    html = response.content.decode()
    assert 'data-testid="person-access"' not in html
    assert reverse("grants:person_access", args=[person.pk]) not in html
    (event,) = events("person.view")
    assert "access_grants" not in event.context


def test_the_section_shows_the_latest_ended_grants_and_counts_the_rest(
    login, personas, person, agencies
):
    from tsunagu.grants import panels

    case = AccessGrant.objects.filter(case__isnull=False).first().case
    for _ in range(panels.ENDED_SHOWN + 2):
        AccessGrant.objects.create(
            agency=agencies["minsei"],
            case=case,
            basis=Basis.TEAM,
            valid_from=case.created_at,
            valid_until=case.created_at,
        )
    answer = panels.person_panel(personas["officer"].user, person)["person_access"]
    assert len([r for r in answer["rows"] if not r.is_current]) == panels.ENDED_SHOWN
    assert answer["ended_hidden"] == answer["ended_count"] - panels.ENDED_SHOWN > 0
    html = login(personas["officer"]).get(reverse("people:person_detail", args=[person.pk]))
    assert f"ほかに終わった根拠が {answer['ended_hidden']} 件あります" in html.content.decode()


# --- the history page, the export and the API ---------------------------------------------


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_the_page_the_export_and_the_api_are_the_offices_only(login, personas, person, name):
    client = login(personas[name])
    for kind, url in urls(person).items():
        assert client.get(url).status_code == OFFICE_ONLY[name], (kind, name)
    if name != "officer":
        assert not events("person.access_view") and not events("person.access_export")


def test_a_person_no_one_may_see_answers_404_to_the_unrelated_agency_too(login, personas, world):
    client = login(personas["unrelated"])
    for url in urls(world.persons[2]).values():
        assert client.get(url).status_code == 404
    assert client.get("/api/v1/persons/999999/access").json() == {"detail": "見つかりません。"}


def test_the_history_page_shows_every_row_and_is_audited(login, personas, person, agencies):
    response = login(personas["officer"]).get(urls(person)["page"])
    assert response.status_code == 200
    html = response.content.decode()
    access = response.context["access"]
    assert html.count('data-testid="access-row"') == len(access.rows)
    for row in access.ended:
        assert format_wareki(timezone.localdate(row.valid_until)) in html
    (event,) = events("person.access_view")
    assert event.person_ids == [person.pk]
    assert event.target_type == "people.person" and event.target_id == str(person.pk)
    assert event.context["grants"] == [r.grant_id for r in access.rows]
    assert event.context["format"] == "html"
    assert event.actor == personas["officer"].user


def same_moment(cell, moment) -> bool:
    """An export's date-time cell holds the moment in local time (Excel keeps milliseconds)."""
    local = timezone.localtime(moment).replace(tzinfo=None)
    return abs(cell - local) < datetime.timedelta(milliseconds=1)


def test_the_export_opens_in_excel_with_the_rows_and_is_audited(login, personas, person, world):
    # a household name that looks like a formula stays text
    Household.objects.filter(pk=world.households[0].pk).update(label="=HYPERLINK(1)")
    response = login(personas["officer"]).get(urls(person)["xlsx"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    assert f"person_{person.pk}_access.xlsx" in response["Content-Disposition"]

    book = load_workbook(BytesIO(body(response)))
    sheet = book["閲覧の根拠"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("機関", "対象", "根拠", "開始", "終了", "開始（日時）", "終了（日時）")
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet["A1"].fill.fgColor.rgb.endswith("DDEBF7")
    access = person_access(user=personas["officer"].user, person=person)
    assert len(values) == len(access.rows) + 1
    assert sheet.auto_filter.ref == f"A1:G{len(access.rows) + 1}"
    for row, cells in zip(access.rows, values[1:], strict=True):
        assert cells[:3] == (row.agency_name, row.subject, row.basis_label)
        assert cells[3] == format_wareki(timezone.localdate(row.valid_from))
        if row.is_current:
            assert cells[4] == STILL_CURRENT and cells[6] is None
        else:
            assert cells[4] == format_wareki(timezone.localdate(row.valid_until))
            assert same_moment(cells[6], row.valid_until)
        assert same_moment(cells[5], row.valid_from)
    formula_like = [c for c in sheet["B"] if c.value == "世帯「=HYPERLINK(1)」"]
    assert formula_like and all(c.data_type == "s" for c in formula_like)
    about = dict(book["この出力について"].iter_rows(values_only=True))
    assert about["本人の番号"] == str(person.pk)

    (event,) = events("person.access_export")
    assert event.person_ids == [person.pk]
    assert event.context["format"] == "xlsx"
    assert event.context["grants"] == [r.grant_id for r in access.rows]
    assert event.context["rows"] == len(access.rows) and event.context["export"] == "xlsx"


def test_the_api_answers_the_same_rows_and_is_audited(login, personas, person):
    response = login(personas["officer"]).get(urls(person)["api"])
    assert response.status_code == 200
    body = response.json()
    access = person_access(user=personas["officer"].user, person=person)
    assert body["person_id"] == person.pk
    assert [g["grant_id"] for g in body["grants"]] == [r.grant_id for r in access.rows]
    ended = [g for g in body["grants"] if not g["is_current"]]
    assert ended and all(g["valid_until"] for g in ended)
    assert all(g["valid_until"] is None for g in body["grants"] if g["is_current"])
    first = body["grants"][0]
    assert set(first) >= {"agency_name", "subject", "basis_label", "valid_from", "valid_until"}
    assert [a["name"] for a in body["agencies_now"]] == [n for _i, n in access.agencies_now]
    (event,) = events("person.access_view")
    assert event.context["format"] == "json"
    assert event.via == "api"


@pytest.mark.parametrize("name", ["desk", "coordinator", "unrelated"])
def test_the_api_answers_404_to_others(login, personas, person, name):
    response = login(personas[name]).get(urls(person)["api"])
    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりません。"}


def test_the_operation_has_its_own_id(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/persons/{person_id}/access"]["get"]
    assert operation["operationId"] == "tsunagu_grants_api_person_access"
