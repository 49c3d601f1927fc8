"""Every demo user signs in, sees the dashboard of their role, and signs out again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts import selectors
from tsunagu.accounts.models import Agency, Role
from tsunagu.accounts.views import PAGE_SIZE
from tsunagu.demo.services import DEMO_PASSWORD, DEMO_USERS, DemoUser

LOGIN_TITLE = re.compile("ログイン")
BAD_LOGIN = "ユーザーIDまたはパスワードが正しくありません。"

# Navigation entries and the only roles that may see them.
NAV_ONLY_FOR = {
    "監査ログ": {Role.MUNICIPAL_OFFICER},
    "システム管理": {Role.ADMIN},
    "支援関係機関": {role for role in Role if role != Role.MEETING_GUEST},
}


def main_nav(page: Page):
    return page.get_by_role("navigation", name="メインメニュー")


def expect_login_page(page: Page) -> None:
    expect(page).to_have_title(LOGIN_TITLE)
    expect(page.get_by_label("ユーザーID", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="ログイン", exact=True)).to_be_visible()


@pytest.mark.parametrize("demo_user", DEMO_USERS, ids=lambda u: u.username)
def test_dashboard_of_each_role(page: Page, demo_city, screenshot_dir, demo_user: DemoUser):
    base = demo_city.url
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect_login_page(page)

    page.get_by_label("ユーザーID", exact=True).fill(demo_user.username)
    page.get_by_label("パスワード", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()

    expect(page).to_have_url(base + "/")
    expect(page).to_have_title(re.compile("ダッシュボード"))
    expect(page.get_by_test_id("greeting")).to_contain_text(demo_user.display_name)
    agency = Agency.objects.get(code=demo_user.agency)
    expect(page.get_by_test_id("acting-agency")).to_have_text(agency.name)
    expect(page.get_by_test_id("acting-role")).to_have_text(Role(demo_user.role).label)

    nav = main_nav(page)
    expect(nav.get_by_role("link", name="ダッシュボード", exact=True)).to_be_visible()
    for label, roles in NAV_ONLY_FOR.items():
        entry = nav.get_by_role("link", name=label, exact=True)
        if demo_user.role in roles:
            expect(entry).to_be_visible()
        else:
            expect(entry).to_have_count(0)

    page.screenshot(path=screenshot_dir / f"dashboard-{demo_user.username}.png", full_page=True)

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="ログアウト", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect_login_page(page)
    expect(main_nav(page)).to_have_count(0)


def test_wrong_password_is_refused_in_japanese(page: Page, sign_in, screenshot_dir):
    sign_in("officer", DEMO_PASSWORD + "-wrong")

    expect(page.get_by_role("alert")).to_have_text(BAD_LOGIN)
    expect_login_page(page)
    expect(page.get_by_label("ユーザーID", exact=True)).to_have_value("officer")
    expect(page.get_by_label("パスワード", exact=True)).to_have_value("")
    page.screenshot(path=screenshot_dir / "login-error.png", full_page=True)


def test_officer_searches_agency_directory(page: Page, sign_in, demo_city, screenshot_dir):
    sign_in("officer", DEMO_PASSWORD)
    expect(page.get_by_test_id("greeting")).to_be_visible()

    main_nav(page).get_by_role("link", name="支援関係機関", exact=True).click()
    expect(page).to_have_url(re.compile(r"/agencies/$"))
    expect(page.get_by_role("heading", name="支援関係機関")).to_be_visible()
    count = page.get_by_test_id("result-count")
    total = selectors.agency_list(user=None).count()
    expect(count).to_have_text(f"{total}件")

    # A marker on the window survives an htmx swap but not a full page load.
    page.evaluate("window.__noReload = true")
    with page.expect_response(
        lambda r: "/agencies/" in r.url and r.request.headers.get("hx-request") == "true"
    ) as search:
        page.get_by_label("キーワード", exact=True).fill("包括")
    assert search.value.ok

    matching = selectors.agency_list(user=None, q="包括").count()
    assert 0 < matching < total
    expect(count).not_to_have_text(f"{total}件")
    expect(count).to_have_text(f"{matching}件")
    assert page.evaluate("window.__noReload") is True
    expect(page).to_have_url(re.compile(r"/agencies/\?q=%E5%8C%85%E6%8B%AC(&|$)"))

    rows = page.locator("#agency-results tbody tr")
    centers = rows.filter(has_text=re.compile("地域包括支援センター"))
    expect(rows).to_have_count(min(matching, PAGE_SIZE))
    expect(centers.first).to_be_visible()
    page.screenshot(path=screenshot_dir / "agency-search.png", full_page=True)
