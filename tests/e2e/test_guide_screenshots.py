"""The screenshots of the user guide (docs/guide/images), taken from the demo city's screens.

Each chapter of the guide shows the screens it describes as ``<chapter>-<n>.png``. The files are
committed, and this module writes them again on every run, so the guide shows the screens as
they are. One test signs in as each demo persona in turn (the demo city is seeded once).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tsunagu.accounts import services as account_services
from tsunagu.accounts.models import Agency, Role, User
from tsunagu.cases.models import Case, CaseStatus
from tsunagu.demo.services import DEMO_PASSWORD, FIRST_HOUKATSU
from tsunagu.guide.chapters import guide_dir
from tsunagu.meetings import services as meeting_services
from tsunagu.meetings.models import Meeting, MeetingKind
from tsunagu.outreach.models import OutreachRecord

IMAGES: Path = guide_dir() / "images"


def shot(page: Page, name: str) -> None:
    page.screenshot(path=IMAGES / f"{name}.png", full_page=True)


def sign_in_as(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + reverse("login"))
    page.get_by_label("ユーザーID", exact=True).fill(username)
    page.get_by_label("パスワード", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_test_id("greeting")).to_be_visible()


def open_menu(page: Page, label: str, title: str) -> None:
    nav = page.get_by_role("navigation", name="メインメニュー")
    nav.get_by_role("link", name=label, exact=True).click()
    expect(page).to_have_title(re.compile(title))


def expect_help_link(page: Page, chapter: str) -> None:
    expect(page.get_by_test_id("nav-help")).to_have_attribute(
        "href", reverse("guide:chapter", args=[chapter])
    )


def test_guide_screenshots(page: Page, demo_city):
    base = demo_city.url
    IMAGES.mkdir(parents=True, exist_ok=True)

    # A pending role grant, as the administrator proposes one, for the office to approve.
    admin = User.objects.get(username="admin")
    account_services.role_grant_propose(
        user=User.objects.get(username="housing"),
        agency=Agency.objects.get(code=FIRST_HOUKATSU),
        role=Role.DESK_WORKER,
        by=admin,
        title="兼務",
        reason="地域包括支援センター中央との兼務のため",
    )

    # The 民生委員 invited to the 支援会議 for a week, not yet pledged.
    confidential = Meeting.objects.filter(kind=MeetingKind.CONFIDENTIAL).order_by("pk").first()
    coordinator = User.objects.get(username="coordinator")
    coordinator.acting_membership = coordinator.memberships.get()
    meeting_services.member_add(
        by=coordinator,
        meeting=confidential,
        user=User.objects.get(username="guest"),
        invited_until=timezone.now() + timedelta(days=7),
    )

    # 1. 相談窓口
    sign_in_as(page, base, "desk")
    expect_help_link(page, "01-madoguchi")
    shot(page, "01-madoguchi-1")
    open_menu(page, "相談受付", "相談受付")
    page.get_by_role("link", name="相談を受け付ける").first.click()
    expect(page.get_by_role("heading", name="相談を受け付ける")).to_be_visible()
    shot(page, "01-madoguchi-2")
    open_menu(page, "つなぎ", "つなぎ")
    shot(page, "01-madoguchi-3")

    # 2. コーディネーター
    sign_in_as(page, base, "coordinator")
    expect_help_link(page, "02-coordinator")
    shot(page, "02-coordinator-1")
    open_menu(page, "多機関協働", "多機関協働")
    shot(page, "02-coordinator-2")
    case = Case.objects.filter(status=CaseStatus.ACTIVE).order_by("pk").first()
    page.goto(base + reverse("cases:case_detail", args=[case.pk]))
    expect(page.get_by_role("heading", name=re.compile(f"事例 #{case.pk}"))).to_be_visible()
    shot(page, "02-coordinator-3")

    # 3. 事務局
    sign_in_as(page, base, "officer")
    expect_help_link(page, "03-jimukyoku")
    shot(page, "03-jimukyoku-1")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("nav-role-grants").click()
    expect(page.get_by_role("button", name="承認する").first).to_be_visible()
    shot(page, "03-jimukyoku-2")
    open_menu(page, "統計", "統計")
    shot(page, "03-jimukyoku-3")

    # 4. アウトリーチ
    sign_in_as(page, base, "outreach")
    expect_help_link(page, "04-outreach")
    open_menu(page, "アウトリーチ", "アウトリーチ")
    shot(page, "04-outreach-1")
    record = OutreachRecord.objects.filter(person__isnull=False).order_by("pk").first()
    page.goto(base + reverse("outreach:record_detail", args=[record.pk]))
    expect(page.get_by_role("link", name="接触を記録")).to_be_visible()
    shot(page, "04-outreach-2")

    # 5. 参加支援
    sign_in_as(page, base, "participation")
    expect_help_link(page, "05-sanka")
    open_menu(page, "参加支援", "参加支援")
    shot(page, "05-sanka-1")
    open_menu(page, "社会資源", "社会資源")
    shot(page, "05-sanka-2")

    # 6. 地域福祉コーディネーター
    sign_in_as(page, base, "community")
    expect_help_link(page, "06-chiiki")
    open_menu(page, "地域づくり・見守り", "地域づくり・見守り")
    shot(page, "06-chiiki-1")
    page.goto(base + reverse("community:watch_list"))
    expect(page.get_by_role("heading", name="見守り")).to_be_visible()
    shot(page, "06-chiiki-2")

    # 7. 会議ゲスト
    sign_in_as(page, base, "guest")
    expect_help_link(page, "07-guest")
    shot(page, "07-guest-1")
    open_menu(page, "会議", "会議")
    shot(page, "07-guest-2")
    page.get_by_role("link", name=confidential.title).first.click()
    expect(page.get_by_role("button", name="守秘義務を誓約する")).to_be_visible()
    shot(page, "07-guest-3")

    # 8. 管理者
    sign_in_as(page, base, "admin")
    expect_help_link(page, "08-kanrisha")
    shot(page, "08-kanrisha-1")
    open_menu(page, "システム管理", "管理")
    shot(page, "08-kanrisha-2")

    # The help page itself, as the administrator opens it from the header.
    page.goto(base + "/")
    page.get_by_test_id("nav-help").click()
    expect(page.get_by_test_id("guide-page")).to_contain_text("管理者")
    expect(page.locator(".guide img").first).to_be_visible()
    page.screenshot(path=IMAGES / "00-hajimeni-1.png")  # the top of the page: the help itself
