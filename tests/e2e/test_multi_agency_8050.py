"""The 8050 household through 多機関協働, from the accepted referral to closure.

福祉まるごと支援員 accepts the household sent by the 地域包括支援センター, records the
application and consent and the assessment, drafts a plan that gives roles to three
agencies including 参加支援, and puts it on the monthly 重層的支援会議. With the municipal
officer present the conference agrees it; the officer makes the 支援決定 and the plan is
confirmed. Three months on, monitoring is due on the coordinator's dashboard; finally a
conference closes the case naming the 地域包括支援センター as lead agency. Meanwhile a
neighbour who has not consented is refused on the conference's agenda and discussed at a
支援会議, whose materials a member sees only after pledging confidentiality.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tsunagu.accounts.models import Agency, Membership
from tsunagu.cases import services as case_services
from tsunagu.cases.models import Case, CaseStatus, PlanStatus, SupportPlan
from tsunagu.cases.selectors.monitoring import add_months
from tsunagu.cases.services.due_dates import refresh_due_dates
from tsunagu.common.wareki import format_wareki
from tsunagu.consultations import services as consultation_services
from tsunagu.consultations.models import IssueCategory
from tsunagu.demo.services import _acting
from tsunagu.people import services as people_services

from .test_intake_8050 import (  # noqa: F401  (open_as is a fixture)
    DESK_AGENCY,
    HIKIKOMORI,
    MARUGOTO,
    TRIED,
    field,
    main_nav,
    open_as,
)

HOUSEHOLD = "川瀬世帯"
MOTHER = "川瀬 トシ"
SON = "川瀬 博之"
NEIGHBOUR = "森 正雄"
SHURO = "生活・就労サポートセンター"
C = CaseStatus


def shoot(page: Page, directory: Path, number: str, name: str) -> None:
    page.screenshot(path=directory / f"multi-{number}-{name}.png", full_page=True)


def agency(name: str) -> Agency:
    return Agency.objects.get(name=name)


def referred_household(today: datetime.date):
    """What the intake journey ends with: the desk has sent the household to 多機関協働."""
    desk = _acting("desk", Membership.objects.get(user__username="desk").agency.code)
    household = people_services.household_create(by=desk, label=HOUSEHOLD)
    mother = people_services.person_create(
        by=desk, name=MOTHER, name_kana="カワセ トシ", birth_date=datetime.date(1942, 2, 10)
    )
    son = people_services.person_create(
        by=desk, name=SON, name_kana="カワセ ヒロユキ", birth_date=datetime.date(1973, 7, 3)
    )
    people_services.household_add_member(
        by=desk, household=household, person=mother, relation="head"
    )
    people_services.household_add_member(by=desk, household=household, person=son, relation="child")
    categories = {c.code: c for c in IssueCategory.objects.all()}
    consultation = consultation_services.consultation_record(
        by=desk,
        received_on=today,
        channel="walk_in",
        consulter_type="family",
        consulter_name=MOTHER,
        household=household,
        person=mother,
        categories=[
            categories["elderly_care"],
            categories["hikikomori"],
            categories["problem_8050"],
        ],
        primary_category=categories["problem_8050"],
        summary="母の介護が必要になり、長年ひきこもっている長男の今後が心配。",
        consent_to_share=True,
        outcome="referred",
    )
    consultation_services.referral_send(
        by=desk,
        consultation=consultation,
        to_agency=agency(MARUGOTO),
        reason="母の介護と長男のひきこもりが重なり、世帯として支援の方向性を整理したい。",
        kind="multi_agency",
        criterion_household=True,
        tried_with_agencies=TRIED,
    )
    return household


def neighbour_case(today: datetime.date) -> Case:
    """A neighbour the 民生委員 worries about, accepted for 多機関協働 without consent."""
    community = _acting("community", Membership.objects.get(user__username="community").agency.code)
    neighbour = people_services.person_create(
        by=community, name=NEIGHBOUR, name_kana="モリ マサオ", birth_date=datetime.date(1958, 4, 1)
    )
    categories = {c.code: c for c in IssueCategory.objects.all()}
    consultation = consultation_services.consultation_record(
        by=community,
        received_on=today,
        channel="from_resident",
        consulter_type="minsei",
        person=neighbour,
        categories=[categories["self_neglect"]],
        summary="ごみが家の外まであふれ、本人は訪問に応じない。",
        outcome="multi_agency",
    )
    referral = consultation_services.referral_send(
        by=community,
        consultation=consultation,
        to_agency=agency(MARUGOTO),
        reason="本人が支援を拒んでおり、関係機関で見守りの方針を決めたい。",
        kind="multi_agency",
        criterion_new_resource=True,
        tried_with_agencies="民生委員が3回訪問したが会えていない。",
    )
    coordinator = _acting("coordinator", agency(MARUGOTO).code)
    consultation_services.referral_accept(by=coordinator, referral=referral)
    case = Case.objects.get(referral=referral)
    return case_services.case_transition(
        by=coordinator,
        case=case,
        to=C.ASSESSMENT,
        without_consent=True,
        note="本人と会えないため、支援会議で扱う",
    )


def create_meeting(page: Page, base: str, *, kind: str, title: str, schedule: str) -> int:
    page.goto(base + "/meetings/new/")
    form = page.get_by_test_id("meeting-form")
    field(form, "会議の種類").select_option(label=kind)
    field(form, "会議名").fill(title)
    form.get_by_label(schedule, exact=True).check()
    form.get_by_label("対面", exact=True).check()
    if schedule == "定例":
        field(form, "定例会議の系列").fill("毎月第3木曜 定例会")
    field(form, "開催日").fill(format_wareki(timezone.localdate()))
    field(form, "開始時刻").fill("00:00")  # already begun: decisions can be recorded today
    field(form, "場所・接続先").fill("市役所 本庁舎 会議室")
    page.get_by_test_id("meeting-submit").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))
    return int(re.search(r"/meetings/(\d+)/", page.url).group(1))


def add_member(page: Page, base: str, meeting_id: int, username: str) -> None:
    page.goto(f"{base}/meetings/{meeting_id}/members/")
    membership = Membership.objects.get(user__username=username)
    field(page, "システムの利用者").select_option(value=str(membership.pk))
    page.get_by_test_id("member-form-submit").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}/"))


def add_item(page: Page, base: str, meeting_id: int, purpose: str, case: Case) -> None:
    page.goto(f"{base}/meetings/{meeting_id}/agenda/")
    field(page, "目的").select_option(label=purpose)
    field(page, "事例").select_option(value=str(case.pk))
    page.get_by_test_id("agenda-form-submit").click()


def all_present(page: Page) -> None:
    form = page.get_by_test_id("attendance-form")
    for box in form.get_by_role("checkbox").all():
        box.check()
    page.get_by_test_id("attendance-submit").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_8050_household_plan_conference_decision_monitoring_and_closure(
    open_as,
    demo_city,
    screenshot_dir,
    tmp_path,
):
    base = demo_city.url
    today = timezone.localdate()
    referred_household(today)
    neighbour = neighbour_case(today)

    # 1. The coordinator accepts the household: the case opens at インテーク.
    coordinator = open_as("coordinator")
    main_nav(coordinator).get_by_role("link", name="つなぎ", exact=True).click()
    coordinator.get_by_test_id("referral-row").filter(has_text=HOUSEHOLD).get_by_role(
        "link"
    ).first.click()
    coordinator.get_by_test_id("accept-case-button").click()
    expect(coordinator.get_by_test_id("referral-case")).to_contain_text("インテーク")
    coordinator.get_by_test_id("referral-case").get_by_role("link").click()
    coordinator.wait_for_load_state()
    case = Case.objects.get(household__label=HOUSEHOLD)

    # 2. Application and consent, then the assessment sheet.
    coordinator.get_by_test_id("consent-record-link").click()
    field(coordinator, "同意した方").fill(MOTHER)
    form = coordinator.get_by_test_id("consent-form")
    form.get_by_label("署名（利用申込書）").check()
    form.get_by_label(DESK_AGENCY, exact=True).check()
    form.get_by_label(HIKIKOMORI, exact=True).check()
    form.get_by_label("会議（重層的支援会議・ケース会議など）での共有に同意").check()
    coordinator.get_by_test_id("consent-submit").click()
    expect(coordinator.get_by_test_id("consent-summary")).to_contain_text("同意あり")
    coordinator.get_by_test_id("step-button-assessment").click()
    expect(coordinator.get_by_test_id("case-status")).to_have_text("アセスメント")
    coordinator.get_by_test_id("case-assessment-link").get_by_role("link").click()
    coordinator.goto(f"{base}/cases/{case.pk}/assessment/edit/")
    coordinator.get_by_test_id("assessment-field-wishes").get_by_role("textbox").first.fill(
        "母：家で暮らし続けたい。長男：人と会うのは怖いが、何か役に立ちたい。"
    )
    coordinator.get_by_test_id("assessment-field-assessor_view").get_by_role("textbox").first.fill(
        "母の介護体制を整えつつ、長男が安心できる居場所から段階的に参加を支える。"
    )
    # The source of 本人の意向 is found by part of a reading typed in hiragana: the one
    # list of agencies is filtered, in 50音 order, and picked with the keyboard.
    picker = coordinator.get_by_test_id("assessment-field-wishes").get_by_role("combobox")
    candidates = coordinator.get_by_role("listbox", name="情報元の機関の候補").get_by_role("option")
    picker.fill("ほうかつ")
    expect(candidates).to_have_count(20)  # 19 地域包括支援センター and 相談支援包括化推進員
    expect(candidates.first).to_contain_text("相談支援包括化推進員")
    expect(candidates.nth(1)).to_contain_text("地域包括支援センター茜部")
    shoot(coordinator, screenshot_dir, "00", "assessment-agency-picker")
    picker.fill("じゅうそう")
    expect(candidates).to_have_count(1)
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(picker).to_have_value("重層的支援推進室")
    expect(candidates).to_have_count(0)  # the list closed on the pick
    coordinator.get_by_test_id("assessment-form").get_by_role(
        "button", name=re.compile("記録")
    ).click()
    expect(coordinator).to_have_url(re.compile(rf"/cases/{case.pk}/assessment/$"))
    expect(coordinator.get_by_text("情報元：重層的支援推進室")).to_be_visible()
    coordinator.goto(f"{base}/cases/{case.pk}/")
    coordinator.get_by_test_id("step-button-planning").click()
    expect(coordinator.get_by_test_id("case-status")).to_have_text("プラン作成")
    shoot(coordinator, screenshot_dir, "01", "case-planning")

    # 3. A plan with roles for three agencies, one of them 参加支援 (a statutory service).
    coordinator.get_by_test_id("plan-create-link").click()
    field(coordinator, "本人の目標").fill(
        "母：住み慣れた家で暮らし続ける。長男：週1回、家の外に出る。"
    )
    field(coordinator, "支援方針").fill("介護と長男の社会参加を、世帯として並行して支える。")
    coordinator.get_by_test_id("plan-save").click()
    expect(coordinator.get_by_test_id("plan-status")).to_have_text("作成中")
    roles = [
        ("母の介護負担", "介護保険サービスの調整と見守り", DESK_AGENCY, ""),
        ("長男の孤立", "手紙と訪問で関係をつくる", HIKIKOMORI, ""),
        ("長男の社会参加", "居場所と就労体験先の見学に同行", SHURO, "参加支援事業"),
    ]
    for issue, action, agency_name, statutory in roles:
        form = coordinator.get_by_test_id("plan-item-form")
        field(form, "課題").fill(issue)
        field(form, "支援内容").fill(action)
        field(form, "担当機関").select_option(label=agency_name)
        field(form, "頻度").fill("月1回")
        if statutory:
            field(form, "法に基づく事業").select_option(label=statutory)
        coordinator.get_by_test_id("plan-item-add").click()
        coordinator.wait_for_load_state()
    expect(coordinator.get_by_test_id("plan-item-row")).to_have_count(3)
    expect(coordinator.get_by_test_id("statutory-badge")).to_have_count(1)
    expect(coordinator.get_by_test_id("plan-pattern")).to_contain_text("支援決定で確定")
    shoot(coordinator, screenshot_dir, "02", "plan-draft")

    # 4. The monthly conference: the officer is a member; the plan is on the agenda.
    conference_id = create_meeting(
        coordinator, base, kind="重層的支援会議", title="定例 重層的支援会議", schedule="定例"
    )
    add_member(coordinator, base, conference_id, "officer")
    add_item(coordinator, base, conference_id, "プランの決定", case)
    expect(coordinator.get_by_test_id("agenda-row")).to_have_count(1)
    case.refresh_from_db()
    assert case.status == C.IN_CONFERENCE
    # the neighbour has not consented: the conference refuses him
    add_item(coordinator, base, conference_id, "情報共有", neighbour)
    expect(
        coordinator.get_by_test_id("form-errors").or_(coordinator.get_by_role("alert"))
    ).to_contain_text("支援会議")
    coordinator.goto(f"{base}/meetings/{conference_id}/")
    expect(coordinator.get_by_test_id("agenda-row")).to_have_count(1)
    # no decision before the officer's attendance is recorded
    expect(coordinator.get_by_test_id("quorum-problems")).to_contain_text("自治体職員")
    all_present(coordinator)
    expect(coordinator.get_by_test_id("quorum-ok")).to_be_visible()
    shoot(coordinator, screenshot_dir, "03", "conference-before-decision")
    coordinator.get_by_test_id(re.compile(r"^decision-link-\d+$")).first.click()
    coordinator.get_by_label("承認・決定").check()
    field(coordinator, "決定の内容・理由").fill(
        "プランのとおり実施する。参加支援は支援決定を依頼。"
    )
    coordinator.get_by_test_id("decision-form-submit").click()
    coordinator.wait_for_load_state()
    expect(coordinator.get_by_test_id("agenda-decision")).to_contain_text("承認・決定")
    case.refresh_from_db()
    assert case.status == C.AWAITING_DECISION

    # The common-format summary sheet of the item, and its PDF.
    coordinator.get_by_test_id("summary-sheet-link").first.click()
    expect(coordinator.locator("main")).to_contain_text(HOUSEHOLD.removesuffix("世帯"))
    shoot(coordinator, screenshot_dir, "04", "summary-sheet")
    with coordinator.expect_download() as download_info:
        coordinator.get_by_role("link", name=re.compile("PDF")).first.click()
    pdf = Path(screenshot_dir) / "multi-04-summary-sheet.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):  # a picture of page 1, to look at
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                str(pdf),
                str(pdf.with_suffix("")),
            ],
            check=True,
        )

    # 5. The officer makes the 支援決定: the plan is confirmed and support starts.
    officer = open_as("officer")
    plan = SupportPlan.objects.get(case=case)
    officer.goto(f"{base}/cases/{case.pk}/plans/{plan.pk}/")
    field(officer, "支援決定日").fill(format_wareki(today))
    field(officer, "決定番号").fill("重支第1号")
    officer.get_by_test_id("support-decision-submit").click()
    expect(officer.get_by_test_id("plan-status")).to_have_text("確定")
    expect(officer.get_by_test_id("plan-support-decision")).to_contain_text("重支第1号")
    shoot(officer, screenshot_dir, "05", "plan-confirmed")
    case.refresh_from_db()
    assert case.status == C.ACTIVE
    team = set(case.team.filter(left_on__isnull=True).values_list("agency__name", flat=True))
    assert {agency(SHURO).name, agency(HIKIKOMORI).name, agency(DESK_AGENCY).name} <= team

    # 6. Three months later (the confirmation is moved back three months in the records),
    #    monitoring is due on the coordinator's dashboard.
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONFIRMED
    back = add_months(today, -3)
    SupportPlan.objects.filter(pk=plan.pk).update(
        confirmed_on=back, next_monitoring_on=today, evaluation_on=add_months(back, 6)
    )
    refresh_due_dates([case.pk])  # as every write that bypasses save(): the dates on the case
    coordinator.goto(base + "/")
    due = coordinator.get_by_test_id("dashboard-monitoring-row").filter(has_text=f"事例 #{case.pk}")
    expect(due).to_have_count(1)
    expect(due).to_contain_text("モニタリング")
    expect(due).to_contain_text(format_wareki(today))
    shoot(coordinator, screenshot_dir, "06", "dashboard-monitoring-due")

    # 7. The 支援会議 about the neighbour: members pledge before seeing its materials.
    confidential_id = create_meeting(
        coordinator,
        base,
        kind="支援会議（社会福祉法第106条の6）",
        title="支援会議（見守り）",
        schedule="随時",
    )
    add_member(coordinator, base, confidential_id, "officer")
    add_member(coordinator, base, confidential_id, "hikikomori")
    add_item(coordinator, base, confidential_id, "情報共有", neighbour)
    hikikomori = open_as("hikikomori")
    hikikomori.goto(f"{base}/meetings/{confidential_id}/")
    expect(hikikomori.get_by_test_id("materials-locked")).to_be_visible()
    expect(hikikomori.locator("main")).not_to_contain_text(NEIGHBOUR)
    shoot(hikikomori, screenshot_dir, "07", "confidential-before-pledge")
    hikikomori.get_by_test_id("pledge-self").click()
    hikikomori.wait_for_load_state()
    expect(hikikomori.locator("main")).to_contain_text(NEIGHBOUR)
    shoot(hikikomori, screenshot_dir, "08", "confidential-after-pledge")
    coordinator.goto(f"{base}/meetings/{confidential_id}/")
    for button in coordinator.get_by_test_id(re.compile(r"^pledge-paper-\d+$")).all():
        button.click()
        coordinator.wait_for_load_state()
    coordinator.goto(f"{base}/meetings/{confidential_id}/")
    if coordinator.get_by_test_id("pledge-self").count():
        coordinator.get_by_test_id("pledge-self").click()
        coordinator.wait_for_load_state()
    all_present(coordinator)
    expect(coordinator.get_by_test_id("quorum-ok")).to_be_visible()
    coordinator.get_by_test_id(re.compile(r"^decision-link-\d+$")).first.click()
    coordinator.get_by_label("確認・共有した").check()
    field(coordinator, "決定の内容・理由").fill(
        "民生委員と地域包括が週1回見守り、変化があれば連絡する。"
    )
    coordinator.get_by_test_id("decision-form-submit").click()
    coordinator.wait_for_load_state()
    expect(coordinator.get_by_test_id("agenda-decision")).to_contain_text("確認・共有した")
    shoot(coordinator, screenshot_dir, "09", "confidential-decided")

    # 8. A later conference closes the case, naming the 地域包括支援センター as lead agency.
    closing_id = create_meeting(
        coordinator,
        base,
        kind="重層的支援会議",
        title="定例 重層的支援会議（終結）",
        schedule="定例",
    )
    add_member(coordinator, base, closing_id, "officer")
    add_item(coordinator, base, closing_id, "終結の判断", case)
    coordinator.goto(f"{base}/meetings/{closing_id}/")
    all_present(coordinator)
    coordinator.get_by_test_id(re.compile(r"^decision-link-\d+$")).first.click()
    coordinator.get_by_label("承認・決定").check()
    coordinator.get_by_test_id("decision-form-submit").click()
    expect(coordinator.get_by_test_id("form-errors")).to_be_visible()  # no lead agency yet
    field(coordinator, "終結後の主担当機関").select_option(label=agency(DESK_AGENCY).name)
    field(coordinator, "決定の内容・理由").fill("介護体制が整い、長男も週1回外出できている。")
    coordinator.get_by_test_id("decision-form-submit").click()
    coordinator.wait_for_load_state()
    coordinator.goto(f"{base}/cases/{case.pk}/")
    expect(coordinator.get_by_test_id("case-status")).to_have_text("終結")
    expect(coordinator.get_by_test_id("case-fields")).to_contain_text(agency(DESK_AGENCY).name)
    shoot(coordinator, screenshot_dir, "10", "case-closed")
    case.refresh_from_db()
    assert (case.status, case.lead_agency_after_closure.name) == (
        C.CLOSED,
        agency(DESK_AGENCY).name,
    )
    neighbour.refresh_from_db()
    assert neighbour.agenda_items.filter(meeting__kind="conference").count() == 0
