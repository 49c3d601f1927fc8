"""地域づくり・見守り from a salon to a consultation.

The community coordinator records today's salon in 早田 (a total that does not add up is
refused in Japanese, then left to add itself up) and what a resident said there: her neighbour
has not been seen for a week. The office finds the report untriaged and makes it a watch kept
by 地域包括支援センター中央, naming the person among those it sees. The watch is then dated a
week back, as if triaged then, so that the desk worker can log two 連絡つかず a week apart (a
check before the watch began is refused) after adding the 民生委員 as a watcher; the watch
page prompts an escalation, and the desk escalates to a consultation at its own centre, which
opens from the watch. The targets board counts the salon.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tsunagu.accounts.models import Agency, Area
from tsunagu.community.models import Watch
from tsunagu.community.workflow import next_check_on
from tsunagu.demo.services import FIRST_HOUKATSU, _acting
from tsunagu.people.models import Person, Sex

from .test_intake_8050 import DESK_AGENCY, field, main_nav, open_as  # noqa: F401  (fixture)

SALON = "早田東町ふれあいサロン 年末の会"
SALON_PLACE = "早田東町公民館"
WHAT = "サロンの参加者から：隣の家の80代の女性を、この1週間ほど見かけない。新聞がたまっている。"
REPORT_PLACE = "早田栄町2丁目"
LABEL = "早田東町 80代女性（サロンの気づき）"
MINSEI = "民生委員 早田 春子"
REASON = "民生委員の訪問に2回続けて応答がない。訪問して安否と生活の状況を確かめる。"
CATEGORY = "孤独・孤立"
TOTAL_MISMATCH = "参加者数（15人）が世代別の人数の合計（16人）と合いません。"
BEFORE_START = "確認日は見守りの開始日より前にはできません。"
PROMPT = "「連絡つかず」が続いています。相談窓口かアウトリーチにつないでください。"


def shoot(page: Page, directory, number: str, name: str) -> None:
    page.screenshot(path=directory / f"community-{number}-{name}.png", full_page=True)


def days_ago(days: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def activities_actual(page: Page, base: str) -> int:
    """The board's 地域づくり活動の回数 this 年度 (city-wide), as the page shows it."""
    page.goto(f"{base}/community/targets/")
    expect(page.get_by_role("heading", name=re.compile("成果目標と実績"))).to_be_visible()
    actual = page.locator("[data-testid=target-row][data-code=activities]").get_by_test_id(
        "target-actual"
    )
    expect(actual).to_have_text(re.compile(r"^\d+回$"))
    return int(actual.inner_text().removesuffix("回"))


def desk_person() -> Person:
    """An elderly woman the 地域包括支援センター registered (it sees her record), not the one of
    the demo's own watch."""
    desk = _acting("desk", FIRST_HOUKATSU)
    today = timezone.localdate()
    visible = Person.objects.visible_to(desk).filter(watches__isnull=True).order_by("pk")
    elderly = visible.filter(birth_date__lte=today - datetime.timedelta(days=75 * 365))
    person = elderly.filter(sex=Sex.FEMALE).first() or elderly.first() or visible.first()
    assert person is not None, "the demo has no person the 地域包括支援センター sees"
    return person


def record_check(page: Page, day: str, note: str):
    page.get_by_test_id("check-new").click()
    form = page.get_by_test_id("check-form")
    field(form, "確認日").fill(day)
    form.get_by_text("連絡つかず", exact=True).click()
    field(form, "確認した人・機関").select_option(label=MINSEI)
    field(form, "様子・記録").fill(note)
    page.get_by_test_id("check-submit").click()
    return form


def test_salon_report_watch_escalation_and_target(open_as, demo_city, screenshot_dir):
    base = demo_city.url
    district = Area.objects.get(code="dist_soden")
    desk_agency = Agency.objects.get(code=FIRST_HOUKATSU)
    assert desk_agency.name == DESK_AGENCY
    person = desk_person()

    office = open_as("officer")
    before = activities_actual(office, base)

    # 1. the coordinator records this morning's salon
    coordinator = open_as("community")
    main_nav(coordinator).get_by_role("link", name="地域づくり・見守り").click()
    coordinator.get_by_test_id("community-sections").get_by_role(
        "link", name=re.compile("^地域づくり活動")
    ).click()
    coordinator.get_by_test_id("activity-create-link").click()
    form = coordinator.get_by_test_id("activity-form")
    field(form, "種類").select_option(label="サロン")
    field(form, "名称").fill(SALON)
    expect(field(form, "日付")).not_to_have_value("")  # today
    field(form, "開始時刻").fill("10:00")
    field(form, "終了時刻").fill("12:00")
    field(form, "場所（社会資源にないとき・補足）").fill(SALON_PLACE)
    field(form, "圏域・社協支部").select_option(value=str(district.pk))
    field(form, "高齢者").fill("14")
    field(form, "現役世代").fill("2")
    field(form, "参加者数（合計）").fill("15")
    field(form, "初参加").fill("1")
    field(form, "話し合ったこと・内容").fill("年末の大掃除の助け合い。近所で気になる方のこと。")
    coordinator.get_by_test_id("activity-form-submit").click()

    form = coordinator.get_by_test_id("activity-form")
    expect(coordinator.get_by_test_id("form-errors")).to_be_visible()
    expect(form.get_by_text(re.compile("^" + re.escape(TOTAL_MISMATCH)))).to_be_visible()
    expect(field(form, "参加者数（合計）")).to_have_class(re.compile("is-invalid"))
    expect(field(form, "高齢者")).to_have_value("14")
    shoot(coordinator, screenshot_dir, "01a", "salon-total-does-not-add-up")
    field(form, "参加者数（合計）").fill("")  # left to add up
    coordinator.get_by_test_id("activity-form-submit").click()

    expect(coordinator.get_by_test_id("activity-title")).to_have_text(SALON)
    expect(
        coordinator.get_by_role("alert").filter(has_text="地域づくり活動を記録しました。")
    ).to_be_visible()
    counts = coordinator.get_by_test_id("activity-counts")
    expect(coordinator.get_by_test_id("activity-participants")).to_have_text("16人")
    expect(counts.get_by_role("row", name=re.compile("^高齢者"))).to_contain_text("14人")
    expect(counts.get_by_role("row", name=re.compile("^現役世代"))).to_contain_text("2人")
    expect(counts.get_by_role("row", name=re.compile("^うち初参加"))).to_contain_text("1人")
    expect(coordinator.get_by_test_id("activity-place")).to_have_text(SALON_PLACE)
    shoot(coordinator, screenshot_dir, "01b", "salon-recorded")

    # 2. what a resident said at the salon, recorded from the salon's page
    coordinator.get_by_test_id("activity-report-link").click()
    form = coordinator.get_by_test_id("report-form")
    expect(field(form, "受付日")).not_to_have_value("")  # today
    expect(field(form, "気づいた地域づくり活動").locator("option:checked")).to_contain_text(SALON)
    field(form, "通報者の種類").select_option(label="地域住民")
    field(form, "通報者の氏名・名称").fill("サロン参加者（早田東町）")
    field(form, "気づいた日").fill(days_ago(0))
    field(form, "場所").fill(REPORT_PLACE)
    field(form, "圏域").select_option(value=str(district.pk))
    field(form, "気づいたこと").fill(WHAT)
    shoot(coordinator, screenshot_dir, "02a", "report-form")
    form.get_by_role("button", name="記録する").click()
    expect(
        coordinator.get_by_role("alert").filter(has_text="気づき・通報を記録しました。")
    ).to_be_visible()
    facts = coordinator.get_by_test_id("report-facts")
    expect(coordinator.get_by_test_id("report-what")).to_have_text(WHAT)
    expect(facts).to_contain_text("地域住民：サロン参加者（早田東町）")
    expect(coordinator.get_by_test_id("report-activity")).to_contain_text(SALON)
    expect(facts).to_contain_text(f"{REPORT_PLACE}（{district.name}）")
    expect(coordinator.get_by_test_id("report-triage-result")).to_contain_text(
        "まだ振り分けていません"
    )
    expect(coordinator.get_by_test_id("report-triage")).to_have_count(0)  # the office triages
    shoot(coordinator, screenshot_dir, "02b", "report-recorded")

    # 3. the office triages it into a watch kept by 地域包括支援センター中央
    office.goto(f"{base}/community/")
    office.get_by_test_id("community-sections").get_by_role(
        "link", name=re.compile("^気づき・通報")
    ).click()
    row = office.get_by_test_id("report-row").filter(has_text="サロンの参加者から")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("未振り分け")
    expect(row).to_contain_text("地域住民")
    shoot(office, screenshot_dir, "03a", "reports-untriaged")
    row.get_by_role("link").first.click()
    office.get_by_test_id("report-triage").click()
    expect(office.get_by_role("heading", name="振り分ける")).to_be_visible()
    search = office.get_by_test_id("triage-person-search")
    search.get_by_label("本人を探す（相談にするとき：氏名・ふりがな）").fill(person.name)
    search.get_by_role("button", name="探す").click()
    form = office.get_by_test_id("triage-form")
    form.get_by_label("見守りにした", exact=True).check()
    # the form shows the fields of the chosen outcome only
    expect(field(form, "対応しない理由")).to_be_hidden()
    expect(form.get_by_role("group", name="相談内容")).to_be_hidden()
    field(form, "つなぐ機関（相談窓口・見守りを担う機関）").select_option(label=DESK_AGENCY)
    chosen = field(form, "本人（相談では必須・見守りでは分かれば）")
    chosen.select_option(value=str(person.pk))
    expect(chosen.locator("option:checked")).to_have_text(person.name)
    field(form, "見守りの呼び名").fill(LABEL)
    field(form, "確認の頻度").select_option(label="週1回")
    shoot(office, screenshot_dir, "03b", "triage-form")
    office.get_by_test_id("triage-submit").click()
    expect(office.get_by_role("alert").filter(has_text="振り分けました。")).to_be_visible()
    result = office.get_by_test_id("report-triage-result")
    expect(result).to_contain_text("見守りにした")
    expect(result.get_by_role("link", name=f"見守り「{LABEL}」")).to_be_visible()
    shoot(office, screenshot_dir, "03c", "triaged-into-a-watch")

    watch = Watch.objects.get(label=LABEL)
    assert watch.agency == desk_agency and watch.person == person
    assert watch.starts_on == timezone.localdate()
    # The watch was begun today; its checks below span a week, so it is dated as if the
    # office had triaged the report a week ago.
    start = timezone.localdate() - datetime.timedelta(days=7)
    Watch.objects.filter(pk=watch.pk).update(
        starts_on=start,
        next_check_on=next_check_on(frequency=watch.frequency, starts_on=start, last_check_on=None),
    )

    # 4. the desk worker adds the 民生委員 and logs the checks
    desk = open_as("desk")
    main_nav(desk).get_by_role("link", name="地域づくり・見守り").click()
    desk.get_by_test_id("community-sections").get_by_role(
        "link", name=re.compile("^見守り")
    ).click()
    row = desk.get_by_test_id("watch-row").filter(has_text=LABEL)
    expect(row).to_contain_text(person.name)
    expect(row).to_contain_text("自機関")
    row.get_by_role("link", name=LABEL).click()
    expect(desk.get_by_test_id("watch-label")).to_have_text(LABEL)
    facts = desk.get_by_test_id("watch-facts")
    expect(facts.get_by_role("link", name=person.name)).to_be_visible()
    expect(facts).to_contain_text(DESK_AGENCY)
    expect(desk.get_by_test_id("watch-watchers")).to_contain_text("まだいません。")

    desk.get_by_role("link", name="見守る人を加える").click()
    form = desk.get_by_test_id("watch-step-form")
    field(form, "種類").select_option(label="民生委員・児童委員")
    field(form, "氏名・名称").fill(MINSEI)
    field(form, "連絡先").fill("090-0000-2222")
    desk.get_by_test_id("step-submit").click()
    expect(desk.get_by_test_id("watch-watchers")).to_contain_text(MINSEI)

    # a check before the watch began is refused; a week ago is accepted
    form = record_check(desk, days_ago(8), "呼び鈴に応答なし。")
    expect(form.get_by_text(BEFORE_START)).to_be_visible()
    field(form, "確認日").fill(days_ago(7))
    desk.get_by_test_id("check-submit").click()
    expect(desk.get_by_role("alert").filter(has_text="安否確認を記録しました。")).to_be_visible()
    expect(desk.get_by_test_id("check-row")).to_have_count(1)
    expect(desk.get_by_test_id("watch-prompt")).to_have_count(0)  # once is not yet a pattern

    record_check(desk, days_ago(0), "呼び鈴に応答なし。新聞が3日分たまり、雨戸が閉まったまま。")
    expect(desk.get_by_test_id("check-row")).to_have_count(2)
    expect(desk.get_by_test_id("check-row").first).to_contain_text("連絡つかず")
    expect(desk.get_by_test_id("check-row").first).to_contain_text(MINSEI)
    prompt = desk.get_by_test_id("watch-prompt")
    expect(prompt).to_contain_text(PROMPT)
    shoot(desk, screenshot_dir, "04a", "escalation-prompted")

    prompt.get_by_role("link", name="つなぐ").click()
    expect(desk.get_by_role("heading", name="相談窓口・アウトリーチにつなぐ")).to_be_visible()
    expect(desk.get_by_test_id("watch-prompt")).to_contain_text("連絡つかず")
    form = desk.get_by_test_id("watch-step-form")
    form.get_by_role("radio", name=re.compile("^アウトリーチ")).check()
    expect(field(form, "相談窓口（機関）")).to_be_hidden()  # a consultation's fields only
    form.get_by_role("radio", name=re.compile("^相談窓口（相談として受け付け")).check()
    expect(field(form, "相談窓口（機関）")).to_be_visible()
    field(form, "相談窓口（機関）").select_option(label=DESK_AGENCY)
    form.get_by_label(CATEGORY, exact=True).check()
    field(form, "つなぐ理由").fill(REASON)
    shoot(desk, screenshot_dir, "04b", "escalation-form")
    desk.get_by_test_id("step-submit").click()
    expect(desk.get_by_role("alert").filter(has_text="つなぎました。")).to_be_visible()
    expect(desk.get_by_test_id("watch-prompt")).to_have_count(0)
    escalations = desk.get_by_test_id("watch-escalations")
    expect(escalations).to_contain_text(REASON)
    shoot(desk, screenshot_dir, "04c", "escalated")

    escalations.get_by_role("link", name=re.compile("^相談（")).click()
    expect(desk.get_by_role("heading", name=re.compile(r"^相談 #\d+"))).to_be_visible()
    fields = desk.get_by_test_id("consultation-fields")
    expect(fields).to_contain_text(person.name)
    expect(fields).to_contain_text(DESK_AGENCY)
    expect(fields).to_contain_text(f"見守り「{LABEL}」から：{REASON}")
    expect(desk.get_by_test_id("consultation-categories")).to_contain_text(CATEGORY)
    shoot(desk, screenshot_dir, "04d", "consultation")

    # 5. the targets board counts the salon
    assert activities_actual(office, base) == before + 1
    shoot(office, screenshot_dir, "05", "targets-board")
