"""アウトリーチ from a 民生委員's report to 多機関協働.

The community social worker (outreach worker) records a man nobody has met, from the report
of a 民生委員: only a working label and what is known. Three letters go unanswered; on a
visit only the mother comes to the door (the contact form is filled in on a tablet, 768 px
wide). Before consent the outreach plan may be discussed only at a 支援会議: the coordinator
registers one, adds the office and the worker, the worker pledges confidentiality, and the
coordinator records the attendance and the meeting's decision on the plan. Then the son is met,
registered and identified from the record, consents, and is referred to 多機関協働; the
coordinator accepts the referral from the inbox and sees the whole outreach history on the new
case.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tsunagu.common.wareki import format_wareki

from .test_intake_8050 import (  # noqa: F401  (open_as: fixture)
    MARUGOTO,
    NO_MATCH,
    field,
    fill_identity,
    main_nav,
    open_as,
)

LABEL = "則武 60代男性 E2E"
SON = "長森 健司"
SON_KANA = "ナガモリ ケンジ"
SON_BIRTH = datetime.date(1963, 5, 2)
MEETING = "支援会議（アウトリーチ検討）"
OFFICER = "岐阜 直子"
WORKER = "鷺山 翔太"


def shoot(page: Page, directory, number: str, name: str) -> None:
    page.screenshot(path=directory / f"outreach-{number}-{name}.png", full_page=True)


def wareki_days_ago(days: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def register_confidential_meeting(page: Page) -> str:
    """The coordinator registers today's 支援会議 (begun at midnight, so attendance and
    decisions can be recorded) with the office and the outreach worker as members; returns
    the meeting page's address."""
    main_nav(page).get_by_role("link", name="会議", exact=True).click()
    page.get_by_test_id("meeting-create-link").click()
    form = page.get_by_test_id("meeting-form")
    field(form, "会議の種類").select_option(label="支援会議（社会福祉法第106条の6）")
    field(form, "会議名").fill(MEETING)
    form.get_by_label("随時", exact=True).check()
    form.get_by_label("対面", exact=True).check()
    field(form, "開催日").fill(format_wareki(timezone.localdate()))
    field(form, "開始時刻").fill("00:00")
    field(form, "場所・接続先").fill("市役所 本庁舎 会議室")
    page.get_by_test_id("meeting-submit").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))
    meeting_url = page.url
    for name in (OFFICER, WORKER):
        page.get_by_test_id("member-add-link").click()
        select = field(page, "システムの利用者")
        option = select.locator("option").filter(has_text=name)
        select.select_option(value=option.get_attribute("value"))
        page.get_by_test_id("member-form-submit").click()
        expect(page).to_have_url(meeting_url + "#members")
        expect(page.get_by_test_id("member-row").filter(has_text=name)).to_have_count(1)
    expect(page.get_by_test_id("member-row")).to_have_count(3)
    return meeting_url


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
    record_url = worker.url

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

    # the coordinator registers the 支援会議; the worker, a member, pledges confidentiality
    coordinator = open_as("coordinator")
    meeting_url = register_confidential_meeting(coordinator)
    worker.goto(meeting_url)
    expect(worker.get_by_test_id("materials-locked")).to_be_visible()
    worker.get_by_test_id("pledge-self").click()
    expect(worker.get_by_test_id("materials-locked")).to_have_count(0)
    worker.goto(record_url)

    worker.get_by_test_id("outreach-plan-to-meeting").click()
    select = field(worker, "協議する会議")
    # all_inner_texts() does not wait: first the page the click opens, with our meeting offered
    expect(select.locator("option").filter(has_text=MEETING)).to_have_count(1)
    offered = select.locator("option").all_inner_texts()[1:]
    assert offered and all("支援会議（社会福祉法" in text for text in offered), offered
    ours = next(text for text in offered if MEETING in text)
    select.select_option(label=ours)
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("outreach-plan-status")).to_contain_text("会議で協議中")

    # the office's pledge on paper, the coordinator's own, then who attended
    coordinator.goto(meeting_url)
    officer_row = coordinator.get_by_test_id("member-row").filter(has_text=OFFICER)
    officer_row.get_by_test_id(re.compile(r"^pledge-paper-\d+$")).click()
    expect(officer_row.get_by_test_id("member-pledge")).to_contain_text("誓約済み")
    coordinator.get_by_test_id("pledge-self").click()
    expect(coordinator.get_by_test_id("member-pledge").filter(has_text="未誓約")).to_have_count(0)
    attendance = coordinator.get_by_test_id("attendance-form")
    for box in attendance.get_by_role("checkbox").all():
        box.check()
    coordinator.get_by_test_id("attendance-submit").click()
    expect(coordinator.get_by_test_id("quorum-ok")).to_be_visible()
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

    # 4. the son is met, registered (not yet known to anyone), identified and consents
    add_contact(worker, 1, "訪問（本人に会えた）", "本人と玄関先で10分話せた。釣りの話に笑顔。")
    expect(worker.get_by_test_id("outreach-first-met")).not_to_contain_text("まだ")
    change_stage(worker, "④家庭訪問")
    worker.get_by_test_id("outreach-person-link").click()
    field(worker, "氏名・ふりがな").fill("長森")
    worker.get_by_role("button", name="探す").click()
    expect(worker.get_by_test_id("person-link-row")).to_have_count(0)
    with worker.context.expect_page() as opened:
        worker.get_by_test_id("person-register").click()
    register = opened.value
    register.wait_for_load_state()  # htmx is ready once the page has loaded
    expect(register.get_by_test_id("page-title")).to_have_text("新しい方の登録")
    fill_identity(register, SON, SON_KANA, format_wareki(SON_BIRTH))
    expect(register.get_by_test_id("known-check")).to_have_text(NO_MATCH)
    field(register, "性別").select_option(label="男")
    register.get_by_test_id("person-submit").click()
    expect(register.get_by_test_id("person-name")).to_have_text(SON)
    register.close()
    worker.get_by_role("button", name="探す").click()
    row = worker.get_by_test_id("person-link-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(format_wareki(SON_BIRTH))
    shoot(worker, screenshot_dir, "03b", "person-link")
    row.get_by_test_id("person-link-choose").click()
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

    # 6. the coordinator accepts from the inbox; the new case shows the outreach history
    main_nav(coordinator).get_by_role("link", name="つなぎ", exact=True).click()
    row = coordinator.get_by_test_id("referral-row").filter(has_text=SON)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("多機関協働")
    row.get_by_role("link").first.click()
    expect(coordinator.get_by_test_id("multi-accept-info")).to_be_visible()
    coordinator.get_by_label("メモ（任意）").fill(
        "アウトリーチの経過を確認。インテークに同行を依頼。"
    )
    coordinator.get_by_test_id("accept-case-button").click()
    expect(coordinator.get_by_test_id("referral-case")).to_contain_text("インテーク")
    shoot(coordinator, screenshot_dir, "05b", "referral-accepted")
    coordinator.get_by_test_id("referral-case").get_by_role("link").click()
    panel = coordinator.get_by_test_id("case-outreach-panel")
    expect(panel).to_contain_text(LABEL)
    expect(panel).to_contain_text("訪問（本人に会えた）")
    shoot(coordinator, screenshot_dir, "06", "case-with-outreach-history")

    # the record, still open beside the case, shows the accepted hand-over
    worker.reload()
    expect(worker.get_by_test_id("outreach-handover")).to_contain_text("受理")
