"""アウトリーチ from a 民生委員's report to 多機関協働.

The community social worker (outreach worker) records a man nobody has met, from the report
of a 民生委員: only a working label and what is known. Three letters go unanswered; on a
visit only the mother comes to the door (the contact form is filled in on a tablet, 768 px
wide). Before consent the outreach plan may be discussed only at a 支援会議, and the
coordinator records the meeting's decision on it. Then the son is met, identified among the
registered persons, consents, and is referred to 多機関協働; the coordinator who accepts the
referral sees the whole outreach history on the new case.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tsunagu.accounts.models import Agency, Membership, User
from tsunagu.consultations.models import Referral
from tsunagu.consultations.services import referral_accept
from tsunagu.demo.services import _acting
from tsunagu.meetings.models import Meeting, MeetingKind, MeetingMember
from tsunagu.people import services as people_services

from .test_intake_8050 import MARUGOTO, field, main_nav, open_as  # noqa: F401  (open_as: fixture)

LABEL = "則武 60代男性 E2E"
SON = "長森 健司"


def shoot(page: Page, directory, number: str, name: str) -> None:
    page.screenshot(path=directory / f"outreach-{number}-{name}.png", full_page=True)


def wareki_days_ago(days: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def confidential_meeting() -> Meeting:
    """A 支援会議 held this morning, the coordinator, the office and the outreach worker its
    pledged members present (a decision needs the coordinator and the office)."""
    coordinator = User.objects.get(username="coordinator")
    agency = Membership.objects.get(user=coordinator).agency
    now = timezone.localtime()
    meeting = Meeting.objects.create(
        kind=MeetingKind.CONFIDENTIAL,
        title="支援会議（アウトリーチ検討）",
        schedule="ad_hoc",
        format="in_person",
        starts_at=now.replace(hour=0, minute=5, second=0, microsecond=0),
        convening_agency=agency,
        created_by=coordinator,
    )
    for username in ("coordinator", "officer", "outreach"):
        user = User.objects.get(username=username)
        membership = Membership.objects.get(user=user)
        MeetingMember.objects.create(
            meeting=meeting,
            user=user,
            agency=membership.agency,
            role=membership.role,
            name=user.display_name,
            pledged_at=timezone.now(),
            attended=True,
        )
    return meeting


def add_contact(page: Page, days_ago: int, method: str, summary: str, *, next_action="") -> None:
    page.get_by_test_id("outreach-contact-new").click()
    form = page.get_by_test_id("outreach-contact-form")
    field(form, "実施日").fill(wareki_days_ago(days_ago))
    field(form, "方法").select_option(label=method)
    field(form, "内容・様子").fill(summary)
    if next_action:
        field(form, "次の予定").fill(next_action)
    page.get_by_test_id("contact-submit").click()
    expect(page.get_by_test_id("outreach-label")).to_contain_text(LABEL)


def change_stage(page: Page, stage: str) -> None:
    page.get_by_test_id("outreach-stage").click()
    form = page.get_by_test_id("outreach-step-form")
    field(form, "移る段階").select_option(label=stage)
    page.get_by_test_id("step-submit").click()
    expect(page.locator("[aria-current=step]")).to_have_text(stage)


def test_outreach_from_report_to_multi_agency(open_as, demo_city, screenshot_dir):
    meeting = confidential_meeting()
    worker = open_as("outreach")
    expect(worker.get_by_test_id("dashboard-outreach")).to_be_visible()  # due this week
    shoot(worker, screenshot_dir, "00", "dashboard")
    main_nav(worker).get_by_role("link", name="アウトリーチ").click()
    expect(worker.get_by_role("heading", name="アウトリーチ 担当一覧")).to_be_visible()
    # the demo caseload: urgent first
    expect(
        worker.get_by_test_id("outreach-row").first.get_by_test_id("outreach-urgent")
    ).to_be_visible()
    shoot(worker, screenshot_dir, "00", "caseload")
    worker.get_by_test_id("outreach-new").click()

    # 1. an unnamed man, from the 民生委員's report
    form = worker.get_by_test_id("outreach-record-form")
    field(form, "呼び名").fill(LABEL)
    field(form, "情報の入口").select_option(label="民生委員・児童委員")
    field(form, "開始日").fill(wareki_days_ago(30))
    field(form, "年代").select_option(label="60代")
    field(form, "世帯について分かっていること").fill("80代の母と二人暮らし")
    field(form, "分かっていること・心配なこと").fill(
        "10年ほど外出していない様子。母の介護が難しくなっている。"
    )
    field(form, "情報提供者の氏名").fill("民生委員 茜部")
    shoot(worker, screenshot_dir, "01", "new-record")
    worker.get_by_test_id("record-submit").click()
    expect(worker.get_by_test_id("outreach-person")).to_contain_text("未特定")

    # 2. three letters, then a visit where only the mother answers (on a tablet)
    for days in (25, 18, 11):
        add_contact(worker, days, "手紙を置いた・送った", "手紙を郵便受けに入れた。返事なし。")
    change_stage(worker, "③関係性構築")
    worker.set_viewport_size({"width": 768, "height": 1024})
    worker.get_by_test_id("outreach-contact-new").click()
    form = worker.get_by_test_id("outreach-contact-form")
    field(form, "実施日").fill(wareki_days_ago(4))
    field(form, "方法").select_option(label="訪問（家族のみ）")
    field(form, "内容・様子").fill("母が玄関に出た。本人は2階にいるとのこと。手紙は読んでいる。")
    field(form, "次の予定").fill("母の了解を得て再訪問")
    shoot(worker, screenshot_dir, "02", "contact-form-tablet")
    worker.get_by_test_id("contact-submit").click()
    worker.set_viewport_size({"width": 1280, "height": 900})
    expect(worker.get_by_test_id("outreach-contact-row")).to_have_count(4)
    expect(worker.get_by_test_id("outreach-first-met")).to_contain_text("まだ会えていません")

    # 3. the plan, before consent, goes only to a 支援会議
    worker.get_by_test_id("outreach-plan-new").click()
    form = worker.get_by_test_id("outreach-step-form")
    field(form, "関わりの切口").fill("母の介護の相談を入口に、本人の好きな釣りの話題から")
    field(form, "リスク").fill("母の体調悪化で生活が立ち行かなくなるおそれ")
    field(form, "緊急時の対応（警察・医療との連携）").fill(
        "母が倒れたときは救急、本人の保護は警察と保健所"
    )
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("outreach-meeting-rule")).to_contain_text("支援会議")
    worker.get_by_test_id("outreach-plan-to-meeting").click()
    select = field(worker, "協議する会議")
    offered = select.locator("option").all_inner_texts()[1:]
    assert offered and all("支援会議（社会福祉法" in text for text in offered), offered
    ours = next(text for text in offered if meeting.title in text)
    select.select_option(label=ours)
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("outreach-plan-status")).to_contain_text("会議で協議中")

    coordinator = open_as("coordinator")
    coordinator.goto(f"{demo_city.url}/meetings/{meeting.pk}/")
    expect(coordinator.get_by_test_id("agenda-outreach")).to_be_visible()
    coordinator.get_by_test_id(re.compile(r"^decision-link-\d+$")).first.click()
    coordinator.get_by_label("承認・決定").check()
    field(coordinator, "決定の内容・理由").fill("計画のとおり。母への支援から関係をつくる。")
    coordinator.get_by_test_id("decision-form-submit").click()
    expect(coordinator.get_by_test_id("agenda-decision")).to_contain_text("承認・決定")
    shoot(coordinator, screenshot_dir, "03", "confidential-meeting-decision")

    worker.reload()
    expect(worker.get_by_test_id("outreach-plan-status")).to_contain_text("会議で合意")
    expect(worker.get_by_test_id("outreach-plan-decision")).to_contain_text("母への支援から")

    # 4. the son is met, identified and consents
    outreach_user = _acting("outreach", "csw")
    people_services.person_create(
        by=outreach_user,
        name=SON,
        name_kana="ナガモリ ケンジ",
        birth_date=datetime.date(1963, 5, 2),
        agency=Membership.objects.get(user__username="outreach").agency,
    )
    add_contact(worker, 1, "訪問（本人に会えた）", "本人と玄関先で10分話せた。釣りの話に笑顔。")
    expect(worker.get_by_test_id("outreach-first-met")).not_to_contain_text("まだ")
    change_stage(worker, "④家庭訪問")
    worker.get_by_test_id("outreach-person-link").click()
    field(worker, "氏名・ふりがな").fill("長森")
    worker.get_by_role("button", name="探す").click()
    worker.get_by_test_id("person-link-choose").first.click()
    expect(worker.get_by_test_id("outreach-person")).to_contain_text(SON)
    worker.get_by_test_id("outreach-consent-record").click()
    form = worker.get_by_test_id("outreach-step-form")
    field(form, "同意の取り方").select_option(label="申込書に署名")
    field(form, "同意についての記録").fill("母同席。利用申込書に署名。")
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("outreach-consent")).to_contain_text("同意後")
    expect(worker.get_by_test_id("outreach-meeting-rule")).to_contain_text("重層的支援会議")

    # 5. referred to 多機関協働
    worker.get_by_test_id("outreach-handover-link").click()
    form = worker.get_by_test_id("outreach-handover-form")
    field(form, "つなぎ先（多機関協働事業者）").select_option(label=MARUGOTO)
    field(form, "つなぐ理由・依頼内容").fill("母の介護と本人の社会参加、世帯全体の支援が必要。")
    form.get_by_label("① 世帯全体として複合的な課題を抱えている").check()
    field(form, "これまでに他機関と連携して試みたこと").fill(
        "地域包括支援センターと母の介護について相談を重ねた。"
    )
    form.get_by_label("ひきこもり", exact=True).check()
    shoot(worker, screenshot_dir, "04", "handover")
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("outreach-handover")).to_contain_text("つなぎ")
    shoot(worker, screenshot_dir, "05", "record-after-handover")

    # 6. the coordinator accepts; the new case shows the outreach history
    referral = Referral.objects.get(person__name=SON, kind="multi_agency")
    referral_accept(
        by=_acting("coordinator", Agency.objects.get(name=MARUGOTO).code), referral=referral
    )
    referral.refresh_from_db()
    coordinator.goto(f"{demo_city.url}/cases/{referral.case.pk}/")
    panel = coordinator.get_by_test_id("case-outreach-panel")
    expect(panel).to_contain_text(LABEL)
    expect(panel).to_contain_text("訪問（本人に会えた）")
    shoot(coordinator, screenshot_dir, "06", "case-with-outreach-history")
