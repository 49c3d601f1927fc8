"""An 8050 household from the first visit to the agencies it is handed on to.

A 地域包括支援センター registers an 83-year-old mother and her 52-year-old son who has not
left home for years, records one household consultation, refers the son to ひきこもり相談室
and the household to 多機関協働. The receiving agencies see what was sent to them; an
unrelated 保健センター learns only that a record exists elsewhere and whom to ask.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, Request, Response, Route, expect

from tsunagu.accounts.models import Agency
from tsunagu.common.wareki import format_wareki
from tsunagu.consultations.models import Referral, ReferralKind, ReferralStatus
from tsunagu.demo.services import DEMO_PASSWORD, PROGRAM_OFFICE

from .conftest import ASSET_TYPES, LOCAL_HOSTS

MOTHER = "高橋 ミツ"
MOTHER_KANA = "たかはし みつ"
SON = "高橋 健一"
SON_KANA = "タカハシ ケンイチ"
HOUSEHOLD = "高橋世帯"
HIKIKOMORI = "ひきこもり相談室"
MARUGOTO = "福祉まるごと支援員（岐阜市社会福祉協議会）"
DESK_AGENCY = "地域包括支援センター中央"
TRIED = (
    "地域包括支援センターで母の介護保険申請を支援。長男には電話と訪問で3回声をかけたが、"
    "会えていない。"
)
TRIED_MISSING = "これまでに他機関と連携して試みたことを入力してください"
NO_MATCH = "登録済みの方で該当しそうな方は見つかりませんでした。"


def born(age: int, month: int, day: int, today: datetime.date) -> datetime.date:
    """The birthday (month, day) of someone who is ``age`` years old on ``today``."""
    year = today.year - age - ((today.month, today.day) < (month, day))
    return datetime.date(year, month, day)


@dataclass(frozen=True)
class Family:
    mother_birth: datetime.date
    son_birth: datetime.date

    @property
    def mother_birth_wareki(self) -> str:
        return format_wareki(self.mother_birth)

    @property
    def son_birth_wareki(self) -> str:
        return format_wareki(self.son_birth)


@pytest.fixture
def family() -> Family:
    # Ages as the application counts them: on the city's calendar day (Asia/Tokyo).
    today = timezone.localdate()
    return Family(mother_birth=born(83, 2, 10, today), son_birth=born(52, 7, 3, today))


@pytest.fixture
def open_as(browser: Browser, browser_context_args, demo_city) -> Iterator[Callable[[str], Page]]:
    """``open_as(username)``: a new browser (own cookies) signed in as that demo user.

    Each such browser is held to the same rules as the test's main tab: no hosts other than
    the live server, no JavaScript errors, no missing assets.
    """
    contexts: list[BrowserContext] = []
    blocked: list[str] = []
    errors: list[str] = []
    broken: list[str] = []

    def guard(route: Route, request: Request) -> None:
        url = urlsplit(request.url)
        if url.scheme in {"http", "https", "ws", "wss"} and url.hostname not in LOCAL_HOSTS:
            blocked.append(f"{request.method} {request.url}")
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def check(response: Response) -> None:
        if response.request.resource_type in ASSET_TYPES and response.status >= 400:
            broken.append(f"{response.status} {response.url}")

    def _open(username: str) -> Page:
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        context.route("**/*", guard)
        context.on("weberror", lambda error: errors.append(str(error.error)))
        context.on("response", check)
        page = context.new_page()
        sign_in_on(page, demo_city.url, username)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert blocked == [], "the browser requested hosts other than the live server"
    assert errors == [], "JavaScript errors on the page"
    assert broken == [], "assets of the page failed to load"


def sign_in_on(page: Page, base: str, username: str) -> None:
    page.goto(base + "/")
    expect(page).to_have_title(re.compile("ログイン"))
    page.get_by_label("ユーザーID", exact=True).fill(username)
    page.get_by_label("パスワード", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_test_id("greeting")).to_be_visible()


def main_nav(page: Page):
    return page.get_by_role("navigation", name="メインメニュー")


def shoot(page: Page, directory: Path, number: str, name: str) -> None:
    page.screenshot(path=directory / f"intake-{number}-{name}.png", full_page=True)


def field(scope, label: str):
    """A form control by its label; a required field's label ends in the badge 「必須」."""
    return scope.get_by_label(re.compile("^" + re.escape(label) + r"(\s*必須)?$"))


def group(page: Page, legend: str):
    """A fieldset by the start of its legend (the legend also carries 「必須」)."""
    return page.get_by_role("group", name=re.compile("^" + re.escape(legend)))


def fill_identity(page: Page, name: str, kana: str, birth: str) -> None:
    """Type name, reading and birth date; wait for the "known?" check on the full entry."""
    field(page, "氏名").fill(name)
    field(page, "フリガナ").fill(kana)
    with page.expect_response(
        lambda r: "/persons/known-check/" in r.url and "birth_date=" in r.url and r.ok
    ):
        field(page, "生年月日").fill(birth)
        field(page, "生年月日").press("Tab")


def referral_link(page: Page, text: str):
    """The inbox row that names ``text``, and the link that opens it."""
    row = page.get_by_test_id("referral-row").filter(has_text=text)
    return row, row.get_by_role("link").first


def test_8050_household_is_registered_consulted_and_referred(
    page: Page, sign_in, open_as, demo_city, screenshot_dir, family: Family
):
    base = demo_city.url
    program_office = Agency.objects.get(code=PROGRAM_OFFICE)

    # 1. 地域包括支援センター中央 registers the mother, her household and her son.
    sign_in("desk", DEMO_PASSWORD)
    expect(page.get_by_test_id("acting-agency")).to_have_text(DESK_AGENCY)
    main_nav(page).get_by_role("link", name="本人・世帯", exact=True).click()
    expect(page.get_by_role("heading", name="本人・世帯の検索")).to_be_visible()
    page.get_by_test_id("person-create-link").click()
    page.wait_for_load_state()  # htmx is ready once the page has loaded
    expect(page.get_by_test_id("page-title")).to_have_text("新しい方の登録")

    assert family.mother_birth_wareki.startswith("昭和")
    fill_identity(page, MOTHER, MOTHER_KANA, family.mother_birth_wareki)
    expect(page.get_by_test_id("known-check")).to_have_text(NO_MATCH)
    field(page, "性別").select_option(label="女")
    field(page, "住所").fill("岐阜市長良福光1番地")
    shoot(page, screenshot_dir, "01a", "mother-form")
    page.get_by_test_id("person-submit").click()

    expect(page.get_by_test_id("person-name")).to_have_text(MOTHER)
    expect(
        page.get_by_role("alert").filter(has_text=f"{MOTHER}さんを登録しました。")
    ).to_be_visible()
    expect(page.get_by_test_id("person-birth")).to_contain_text(family.mother_birth_wareki)
    expect(page.get_by_test_id("person-birth")).to_contain_text("83歳")
    mother_url = page.url
    assert re.search(r"/persons/\d+/$", mother_url)

    page.get_by_test_id("household-create").click()
    expect(page.get_by_test_id("household-head")).to_contain_text(MOTHER)
    label = field(page, "世帯の呼称")
    expect(label).to_have_value(HOUSEHOLD)
    label.fill(HOUSEHOLD)
    page.get_by_test_id("household-submit").click()
    expect(page.get_by_test_id("household-label")).to_have_text(HOUSEHOLD)
    household_url = page.url
    household_id = int(re.search(r"/households/(\d+)/$", household_url).group(1))

    adder = page.get_by_test_id("member-add")
    adder.get_by_label("追加する方の続柄").select_option(label="子")
    adder.get_by_role("button", name="世帯員を追加する").click()
    page.wait_for_load_state()  # htmx is ready once the page has loaded
    expect(page).to_have_url(
        re.compile(rf"/persons/new/\?household={household_id}&relation=child$")
    )
    expect(page.get_by_test_id("page-title")).to_have_text(f"{HOUSEHOLD}に世帯員を追加する")
    fill_identity(page, SON, SON_KANA, family.son_birth_wareki)
    expect(page.get_by_test_id("known-check")).to_have_text(NO_MATCH)
    field(page, "性別").select_option(label="男")
    expect(field(page, "続柄（世帯主から見た関係）")).to_have_value("child")
    page.get_by_test_id("person-submit").click()

    expect(page).to_have_url(household_url)
    expect(page.get_by_role("alert").filter(has_text=f"{SON}さんを登録し")).to_be_visible()
    members = page.get_by_test_id("member-row")
    expect(members).to_have_count(2)
    expect(members.filter(has_text=MOTHER)).to_contain_text("世帯主")
    expect(members.filter(has_text=MOTHER)).to_contain_text("83歳")
    expect(members.filter(has_text=SON)).to_contain_text("子")
    expect(members.filter(has_text=SON)).to_contain_text("52歳")
    son_url = members.filter(has_text=SON).get_by_role("link", name=SON).get_attribute("href")
    assert re.fullmatch(r"/persons/\d+/", son_url)
    shoot(page, screenshot_dir, "01", "household")

    # 2. A household consultation: the mother came to the desk about herself and her son.
    page.get_by_test_id("consult-household").click()
    page.wait_for_load_state()  # htmx is ready once the page has loaded
    expect(page.get_by_role("heading", name="相談を受け付ける")).to_be_visible()
    expect(page.get_by_test_id("subject-household")).to_contain_text(HOUSEHOLD)
    group(page, "相談経路").get_by_label("来所", exact=True).check()
    group(page, "相談者").get_by_label("家族", exact=True).check()
    field(page, "相談者氏名").fill(MOTHER)
    field(page, "本人との関係").fill("母")

    suggestions = page.get_by_test_id("helpdesk-suggestions")
    expect(suggestions).to_contain_text("相談内容を選ぶと")
    categories = page.get_by_test_id("category-choices")
    for name in ("高齢・介護", "ひきこもり", "8050問題"):
        with page.expect_response(lambda r: "/consultations/suggest/" in r.url and r.ok):
            categories.get_by_label(name, exact=True).check()
    categories.get_by_label("8050問題を最も困っていることにする").check()
    offered = suggestions.get_by_test_id("helpdesk-suggestion")
    expect(offered.get_by_text(HIKIKOMORI, exact=True)).to_have_count(1)
    expect(offered.get_by_text(DESK_AGENCY, exact=True)).to_have_count(0)  # not one's own desk

    field(page, "相談内容（概要）").fill(
        "母（83歳）は足腰が弱り、入浴や買い物に介助が必要になってきた。"
        "同居の長男（52歳）は20年近く自宅から出ておらず、母の年金で暮らしている。"
        "母は自分が亡くなった後の長男の生活を心配している。"
    )
    page.get_by_test_id("consent-choices").get_by_label("同意あり", exact=True).check()
    group(page, "対応結果").get_by_label("他機関へつなぎ", exact=True).check()
    shoot(page, screenshot_dir, "02", "consultation-form")
    page.get_by_test_id("save-consultation").click()

    # Choosing 「他機関へつなぎ」 leads straight on to the referral form.
    expect(page).to_have_url(re.compile(r"/consultations/(\d+)/refer/$"))
    consultation_id = int(re.search(r"/consultations/(\d+)/", page.url).group(1))
    expect(page.get_by_role("alert").filter(has_text="相談を登録しました")).to_be_visible()

    # 3. The son goes to ひきこもり相談室.
    field(page, "つなぎ先").select_option(label=HIKIKOMORI)
    page.get_by_label(f"世帯員：{SON}（子）", exact=True).check()
    field(page, "つなぐ理由・依頼内容").fill(
        "長男が長期間ひきこもっています。母の介護の相談で来所された際に母から相談がありました。"
        "本人への接触方法を含めてご相談させてください。"
    )
    page.get_by_test_id("send-referral").click()
    expect(page).to_have_url(re.compile(r"/referrals/\d+/$"))
    expect(page.get_by_test_id("referral-status")).to_have_text("送付")
    expect(page.get_by_test_id("referral-route")).to_have_text(f"{DESK_AGENCY} → {HIKIKOMORI}")
    expect(page.get_by_test_id("subject-person")).to_contain_text(SON)
    expect(page.get_by_role("alert").filter(has_text=f"{HIKIKOMORI}へつなぎました")).to_be_visible()
    shoot(page, screenshot_dir, "03", "referral-hikikomori")

    # 4. The household goes to 多機関協働, from the same consultation.
    page.get_by_test_id("consultation-link").click()
    expect(page).to_have_url(re.compile(rf"/consultations/{consultation_id}/$"))
    expect(page.get_by_test_id("consultation-referral")).to_have_count(1)
    page.get_by_test_id("refer-multi-button").click()
    expect(page.get_by_role("heading", name="多機関協働へつなぐ")).to_be_visible()
    field(page, "つなぎ先").select_option(label=MARUGOTO)
    expect(page.get_by_label(f"世帯：{HOUSEHOLD}", exact=True)).to_be_checked()
    page.get_by_test_id("criteria-choices").get_by_label(re.compile("^①")).check()
    urgent = page.get_by_label("緊急性あり", exact=True)
    expect(urgent).not_to_be_checked()
    reason = "母の介護と長男のひきこもりが重なっており、世帯として支援の方向性を整理したい。"
    field(page, "つなぐ理由・依頼内容").fill(reason)
    page.get_by_test_id("send-referral").click()

    # Without what was tried so far, nothing is sent and the page says why.
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.get_by_text(TRIED_MISSING)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/consultations/{consultation_id}/refer-multi-agency/$"))
    assert Referral.objects.filter(consultation_id=consultation_id).count() == 1
    expect(page.get_by_test_id("criteria-choices").get_by_label(re.compile("^①"))).to_be_checked()
    expect(field(page, "つなぐ理由・依頼内容")).to_have_value(reason)
    shoot(page, screenshot_dir, "04a", "multi-agency-missing-tried")

    field(page, "これまでに他機関と連携して試みたこと").fill(TRIED)
    page.get_by_test_id("send-referral").click()
    expect(page).to_have_url(re.compile(r"/referrals/\d+/$"))
    expect(page.get_by_test_id("referral-status")).to_have_text("送付")
    expect(page.get_by_test_id("referral-route")).to_have_text(f"{DESK_AGENCY} → {MARUGOTO}")
    expect(page.get_by_test_id("subject-household")).to_contain_text(HOUSEHOLD)
    eligibility = page.get_by_test_id("eligibility")
    expect(eligibility).to_contain_text(TRIED)
    expect(eligibility).to_contain_text("緊急性なし")
    shoot(page, screenshot_dir, "04", "referral-multi-agency")

    sent = Referral.objects.filter(consultation_id=consultation_id)
    assert sent.count() == 2
    multi = sent.get(kind=ReferralKind.MULTI_AGENCY)
    assert multi.criterion_household and not multi.criterion_gap and not multi.is_urgent
    assert multi.household_id == household_id and multi.person_id is None

    # The household page now shows the consultation and both agencies it was handed on to.
    page.goto(household_url)
    expect(page.get_by_test_id("consultation-row")).to_have_count(1)
    handed_on = page.get_by_test_id("referral-row")
    expect(handed_on).to_have_count(2)
    expect(handed_on.filter(has_text=HIKIKOMORI)).to_contain_text(SON)
    expect(handed_on.filter(has_text=MARUGOTO)).to_contain_text("世帯全体")
    shoot(page, screenshot_dir, "04b", "household-after-referrals")
    page.goto(mother_url)
    shoot(page, screenshot_dir, "04c", "mother-after-referrals")

    # 5. ひきこもり相談室 finds the son in its inbox and accepts.
    hikikomori = open_as("hikikomori")
    panels = hikikomori.get_by_test_id("referral-panels")
    expect(panels).to_contain_text(SON)
    expect(panels).to_contain_text(f"{DESK_AGENCY} → {HIKIKOMORI}")
    shoot(hikikomori, screenshot_dir, "05a", "hikikomori-dashboard")
    main_nav(hikikomori).get_by_role("link", name="つなぎ", exact=True).click()
    expect(hikikomori.get_by_test_id("tab-inbox")).to_have_attribute("aria-current", "page")
    row, link = referral_link(hikikomori, SON)
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("referral-status")).to_have_text("送付")
    shoot(hikikomori, screenshot_dir, "05b", "hikikomori-inbox")
    link.click()
    expect(hikikomori.get_by_test_id("referral-status")).to_have_text("送付")
    hikikomori.get_by_test_id("accept-button").click()
    expect(hikikomori.get_by_test_id("referral-status")).to_have_text("受理")
    expect(hikikomori.get_by_test_id("referral-timeline")).to_contain_text("送付 → 受理")
    shoot(hikikomori, screenshot_dir, "05", "hikikomori-accepted")
    standard = sent.get(kind=ReferralKind.STANDARD)
    standard.refresh_from_db()
    assert standard.status == ReferralStatus.ACCEPTED

    # 6. 福祉まるごと支援員 sees the household waiting and accepts it as a 多機関協働 case.
    coordinator = open_as("coordinator")
    panels = coordinator.get_by_test_id("referral-panels")
    expect(panels).to_contain_text(HOUSEHOLD)
    expect(panels).to_contain_text("多機関協働")
    shoot(coordinator, screenshot_dir, "06a", "coordinator-dashboard")
    main_nav(coordinator).get_by_role("link", name="つなぎ", exact=True).click()
    row, link = referral_link(coordinator, HOUSEHOLD)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("多機関協働へのつなぎ")
    link.click()
    expect(coordinator.get_by_test_id("referral-status")).to_have_text("送付")
    expect(coordinator.get_by_test_id("accept-button")).to_have_count(0)
    expect(coordinator.get_by_test_id("multi-accept-info")).to_be_visible()
    expect(coordinator.get_by_test_id("return-button")).to_be_visible()
    shoot(coordinator, screenshot_dir, "06", "coordinator-inbox")
    # accepting opens the 多機関協働 case at インテーク
    coordinator.get_by_test_id("accept-case-button").click()
    expect(coordinator.get_by_test_id("referral-status")).to_have_text("受理")
    expect(coordinator.get_by_test_id("referral-case")).to_contain_text("インテーク")
    shoot(coordinator, screenshot_dir, "06b", "coordinator-case-opened")
    # the case page: record the application/consent, then start the assessment
    coordinator.get_by_test_id("referral-case").get_by_role("link").click()
    coordinator.wait_for_load_state()
    expect(coordinator.get_by_test_id("case-status")).to_have_text(
        "インテーク（利用申込・同意の確認）"
    )
    coordinator.get_by_test_id("consent-record-link").click()
    coordinator.wait_for_load_state()
    form = coordinator.get_by_test_id("consent-form")
    field(coordinator, "同意した方").fill(MOTHER)  # a household case: the applicant is named
    form.get_by_label("署名（利用申込書）").check()
    form.get_by_label("会議（重層的支援会議・ケース会議など）での共有に同意").check()
    coordinator.get_by_test_id("consent-submit").click()
    coordinator.wait_for_load_state()
    expect(coordinator.get_by_test_id("consent-summary")).to_contain_text("同意あり（第1版）")
    coordinator.get_by_test_id("step-button-assessment").click()
    coordinator.wait_for_load_state()
    expect(coordinator.get_by_test_id("case-status")).to_have_text("アセスメント")
    shoot(coordinator, screenshot_dir, "06c", "coordinator-case-assessment")

    # 7. An unrelated 保健センター learns only that a record exists, and whom to ask.
    hoken = open_as("hoken")
    main_nav(hoken).get_by_role("link", name="本人・世帯", exact=True).click()
    hoken.wait_for_load_state()  # htmx is ready once the page has loaded
    with hoken.expect_response(lambda r: "/persons/?q=" in r.url and r.ok):
        field(hoken, "氏名・フリガナ").fill(SON)
    results = hoken.locator("#person-results")
    expect(results).not_to_contain_text(SON)
    expect(results).not_to_contain_text(MOTHER)
    expect(results).not_to_contain_text(HOUSEHOLD)
    shoot(hoken, screenshot_dir, "07a", "hoken-search")

    for url in (base + son_url, mother_url, household_url):
        response = hoken.goto(url)
        assert response is not None and response.status == 404, url
        expect(hoken.get_by_role("heading", name="ページが見つかりません")).to_be_visible()
        expect(hoken.locator("main")).not_to_contain_text("高橋")
    shoot(hoken, screenshot_dir, "07b", "hoken-not-found")

    hoken.goto(base + "/persons/new/")
    fill_identity(hoken, SON, SON_KANA, family.son_birth_wareki)
    box = hoken.get_by_test_id("known-check")
    hidden = box.get_by_test_id("known-hidden")
    expect(hidden).to_contain_text("他の機関にあります（1件）")
    expect(hidden).to_contain_text(program_office.name)
    expect(hidden).to_contain_text(program_office.phone)
    expect(box.get_by_test_id("known-match")).to_have_count(0)
    for secret in (SON, DESK_AGENCY, "ひきこもり", MOTHER, HOUSEHOLD):
        expect(box).not_to_contain_text(secret)
    shoot(hoken, screenshot_dir, "07", "hoken-known-check")
