"""庁内アカウント in a real browser: the login page's button, the city's provider, and back.

The provider is the loopback OIDC provider of the unit tests, with its own sign-in page. A desk
worker asks for the person list, is sent to the login page, signs in at the provider and lands
on the list; a directory account tsunagu does not know comes back to the login page with the
reason. Signing out ends the provider's session as well. The login page with the button is the
administrator chapter's screenshot.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.tests.oidc_provider import Provider, apply_settings
from tsunagu.audit.models import AuditEvent

GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "guide" / "images"


@pytest.fixture
def provider():
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture
def directory_city(demo_city, settings, provider):
    apply_settings(settings, provider)
    return demo_city


def test_a_desk_worker_signs_in_with_the_city_account(
    page: Page, directory_city, provider, screenshot_dir
):
    page.goto(directory_city.url + "/persons/")
    expect(page).to_have_title(re.compile("ログイン"))
    button = page.get_by_role("link", name="庁内アカウントでログイン")
    expect(button).to_be_visible()
    expect(page.get_by_label("パスワード", exact=True)).to_be_visible()  # local accounts stay
    page.screenshot(path=GUIDE_IMAGES / "08-kanrisha-3.png")

    button.click()
    expect(page.get_by_role("heading", name="市の認証基盤")).to_be_visible()
    page.get_by_label("職員ID").fill("Desk")  # the directory writes it with a capital
    page.get_by_label("氏名").fill("窓口 花子")
    page.get_by_role("button", name="サインイン").click()

    expect(page).to_have_url(re.compile(r"/persons/$"))
    expect(page.get_by_role("heading", name=re.compile("本人"))).to_be_visible()
    expect(page.get_by_text("窓口 花子").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "directory-sign-in-landed.png")
    login = AuditEvent.objects.filter(action="auth.login").latest("id")
    assert login.context == {"method": "oidc"}
    assert login.actor.username == "desk"

    # signing out ends the provider's session too and comes back to the login page
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="ログアウト", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("link", name="庁内アカウントでログイン")).to_be_visible()
    assert len(provider.logouts) == 1
    assert provider.logouts[0]["id_token_hint"] == provider.issued_id_tokens[-1]


def test_an_account_tsunagu_does_not_know_comes_back_with_the_reason(
    page: Page, directory_city, screenshot_dir
):
    page.goto(directory_city.url + "/login/")
    page.get_by_role("link", name="庁内アカウントでログイン").click()
    page.get_by_label("職員ID").fill("visitor")
    page.get_by_role("button", name="サインイン").click()

    expect(page).to_have_title(re.compile("ログイン"))
    expect(page.get_by_role("alert")).to_contain_text(
        "庁内アカウントでのログインはできません（つなぐに登録されていないアカウント）。"
        "管理者にお問い合わせください。"
    )
    page.screenshot(path=screenshot_dir / "directory-sign-in-refused.png")
