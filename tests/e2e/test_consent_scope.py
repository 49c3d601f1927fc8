"""Consent decides what a team agency sees of a 多機関協働 case (domain.md §6).

福祉まるごと支援員 adds 住宅・空家対策課 to the team of the 高木世帯 (an 8050 household whose
mother has consented to sharing with the 地域包括支援センター and ひきこもり相談室 only) and is
warned that the consent does not name it. The housing worker then sees only the case's state,
its own plan items and its own progress records: no names, no assessment (404), none of the
other agencies' records. When the mother's consent is updated to name the agency, the whole
case opens to it; when she withdraws it, it closes again at once; when the agency leaves the
team, even the case's state is gone (404).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tsunagu.cases.models import Case
from tsunagu.common.wareki import format_wareki
from tsunagu.people.models import Person

from .test_intake_8050 import (  # noqa: F401  (open_as is a fixture)
    HIKIKOMORI,
    field,
    open_as,
)

HOUSEHOLD = "高木世帯"
MOTHER = "高木 キヨ"
SON = "高木 浩二"
HOUSING = "住宅・空家対策課"
NOT_NAMED = "本人同意の共有先に含まれていません"
HIDDEN = "（共有されていません）"
NOT_FOUND = "ページが見つかりません"
OWN_ENTRY = "家主から連絡。高木さん宅の屋根の修繕について相談したいとのこと。"
OTHERS_ENTRY = "長男と玄関先で5分ほど話せた"  # recorded by ひきこもり相談室 in the demo


def shoot(page: Page, directory: Path, number: str, name: str) -> None:
    page.screenshot(path=directory / f"consent-{number}-{name}.png", full_page=True)


def team_row(page: Page, agency_name: str):
    return page.get_by_test_id("team-row").filter(
        has=page.get_by_role("cell", name=re.compile("^" + re.escape(agency_name)))
    )


def expect_not_found(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 404, url
    expect(page.get_by_role("heading", level=1)).to_have_text(NOT_FOUND)
    expect(page.locator("main")).not_to_contain_text(MOTHER)


def expect_limited(page: Page, case_url: str) -> None:
    """The case's state only: the alert, no names, no assessment, no plan or meetings."""
    response = page.goto(case_url)
    assert response is not None and response.status == 200
    expect(page.get_by_test_id("case-limited")).to_be_visible()
    expect(page.get_by_test_id("case-status")).to_be_visible()
    main = page.locator("main")
    for name in (MOTHER, SON, HOUSEHOLD):
        expect(main).not_to_contain_text(name)
    expect(page.get_by_test_id("subject-person-hidden")).to_have_text(HIDDEN)
    expect(page.get_by_test_id("subject-household-hidden")).to_have_text(HIDDEN)
    expect(page.get_by_test_id("case-assessment-link")).to_have_count(0)
    expect(page.get_by_test_id("plan-panel")).to_have_count(0)
    expect(page.get_by_test_id("meetings-panel")).to_have_count(0)
    expect(page.get_by_test_id("consent-history")).to_have_count(0)
    expect(page.get_by_test_id("own-plan-items")).to_be_visible()
    expect(main).not_to_contain_text(OTHERS_ENTRY)
    expect_not_found(page, case_url + "assessment/")


@pytest.mark.django_db(transaction=True)
def test_team_agency_sees_case_content_only_while_the_consent_names_it(
    open_as,
    demo_city,
    screenshot_dir,
):
    base = demo_city.url
    today = timezone.localdate()
    case = Case.objects.get(household__label=HOUSEHOLD)
    mother = Person.objects.get(name=MOTHER)
    assert case.person_id == mother.pk
    assert case.referring_agency.name != HOUSING
    case_url = f"{base}/cases/{case.pk}/"

    # 1. The coordinator adds 住宅・空家対策課 to the team: the consent does not name it.
    coordinator = open_as("coordinator")
    coordinator.goto(case_url)
    expect(coordinator.get_by_test_id("case-limited")).to_have_count(0)
    expect(team_row(coordinator, HOUSING)).to_have_count(0)
    expect(team_row(coordinator, HIKIKOMORI).get_by_test_id("team-consent-warning")).to_have_count(
        0
    )
    coordinator.get_by_test_id("team-add-link").click()
    form = coordinator.get_by_test_id("team-form")
    field(form, "追加する機関").select_option(label=HOUSING)
    field(form, "役割").fill("住まいの安全の確認")
    coordinator.get_by_test_id("team-submit").click()
    expect(coordinator).to_have_url(case_url)
    alerts = coordinator.get_by_role("alert")
    expect(alerts.filter(has_text="支援チームに追加しました")).to_have_count(1)
    expect(alerts.filter(has_text=NOT_NAMED)).to_contain_text(f"{HOUSING}は{NOT_NAMED}")
    expect(alerts.filter(has_text=NOT_NAMED)).to_contain_text("支援会議")
    expect(team_row(coordinator, HOUSING).get_by_test_id("team-consent-warning")).to_have_text(
        "同意の共有先外"
    )
    shoot(coordinator, screenshot_dir, "01", "coordinator-team-warning")

    # 2. The housing worker sees the case's state only, and records a progress entry.
    housing = open_as("housing")
    expect_limited(housing, case_url)
    housing.goto(case_url)
    expect(housing.get_by_test_id("no-actions")).to_be_visible()
    expect(housing.get_by_test_id("own-plan-items")).to_contain_text(
        "貴機関が担当する項目はありません"
    )
    expect(housing.get_by_test_id("activity-panel-empty")).to_be_visible()
    housing.get_by_test_id("activity-create-link").click()
    expect(housing.get_by_test_id("activity-acting-agency")).to_have_text(HOUSING)
    expect(housing.get_by_test_id("case-card-limited")).to_be_visible()
    form = housing.get_by_test_id("activity-form")
    field(form, "実施日").fill(format_wareki(today))
    field(form, "種別").select_option(label="情報提供を受けた")
    field(form, "内容").fill(OWN_ENTRY)
    housing.get_by_test_id("activity-submit").click()
    expect(housing).to_have_url(re.compile(rf"/cases/{case.pk}/activities/$"))
    expect(housing.get_by_test_id("activity-own-only")).to_be_visible()
    expect(housing.get_by_test_id("activity-row")).to_have_count(1)
    expect(housing.get_by_test_id("activity-row")).to_contain_text(OWN_ENTRY)
    expect(housing.locator("main")).not_to_contain_text(OTHERS_ENTRY)
    housing.goto(case_url)
    rows = housing.get_by_test_id("activity-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(OWN_ENTRY)
    expect(rows).to_contain_text(HOUSING)
    shoot(housing, screenshot_dir, "02", "housing-limited")

    # The coordinator receives the entry at once.
    coordinator.goto(case_url)
    expect(coordinator.get_by_test_id("activity-panel")).to_contain_text(OWN_ENTRY)

    # 3. A new version of the mother's consent names 住宅・空家対策課: the case opens to it.
    coordinator.goto(f"{case_url}consent/?person={mother.pk}")
    tabs = coordinator.get_by_test_id("consent-person-tab")
    expect(tabs.filter(has_text=MOTHER)).to_have_attribute("aria-current", "page")
    expect(tabs.filter(has_text=SON)).to_have_count(1)
    form = coordinator.get_by_test_id("consent-form")
    expect(form.get_by_label("未成年の方の保護者（法定代理人）による同意")).not_to_be_checked()
    expect(form.get_by_label(HIKIKOMORI, exact=True)).to_be_checked()  # from the current version
    expect(form.get_by_label(HOUSING, exact=True)).not_to_be_checked()
    form.get_by_label(HOUSING, exact=True).check()
    form.get_by_label("署名（利用申込書）").check()
    field(form, "同意日").fill(format_wareki(today))
    coordinator.get_by_test_id("consent-submit").click()
    expect(coordinator).to_have_url(case_url)
    expect(
        coordinator.get_by_role("alert").filter(has_text="本人同意を記録しました")
    ).to_contain_text(f"{MOTHER}さんの本人同意を記録しました（第2版）")
    expect(team_row(coordinator, HOUSING).get_by_test_id("team-consent-warning")).to_have_count(0)
    mother_row = coordinator.get_by_test_id("consent-person-row").filter(has_text=MOTHER)
    expect(mother_row).to_contain_text(HOUSING)

    response = housing.goto(case_url)
    assert response is not None and response.status == 200
    expect(housing.get_by_test_id("case-limited")).to_have_count(0)
    expect(housing.get_by_test_id("subject-person")).to_contain_text(MOTHER)
    expect(housing.get_by_test_id("subject-household")).to_contain_text(HOUSEHOLD)
    expect(housing.get_by_test_id("plan-panel")).to_be_visible()
    expect(housing.get_by_test_id("meetings-panel")).to_be_visible()
    expect(housing.get_by_test_id("activity-panel")).to_contain_text(OTHERS_ENTRY)
    expect(housing.get_by_test_id("activity-panel")).to_contain_text(OWN_ENTRY)
    expect(housing.get_by_test_id("case-assessment-link")).to_be_visible()
    shoot(housing, screenshot_dir, "03", "housing-after-consent")
    response = housing.goto(case_url + "assessment/")
    assert response is not None and response.status == 200
    expect(housing.get_by_role("heading", level=1)).not_to_have_text(NOT_FOUND)
    expect(housing.locator("main")).to_contain_text("息子のことが心配")  # the mother's wishes
    shoot(housing, screenshot_dir, "04", "housing-assessment")
    # one member's consent never opens another's: the son has not consented
    son = Person.objects.get(name=SON)
    expect_not_found(housing, f"{base}/persons/{son.pk}/")
    housing.goto(f"{base}/households/{case.household_id}/")
    expect(housing.locator("main")).to_contain_text(MOTHER)
    expect(housing.locator("main")).not_to_contain_text(SON)
    expect(housing.locator("main")).to_contain_text("閲覧できない世帯員")

    # 4. The mother withdraws her consent: at once the case is closed to the agency again.
    coordinator.goto(case_url)
    coordinator.get_by_test_id("consent-withdraw-link").click()
    expect(coordinator.get_by_test_id("current-consent")).to_contain_text(HOUSING)
    form = coordinator.get_by_test_id("withdraw-form")
    expect(field(form, "同意を撤回する方")).to_have_value(str(mother.pk))
    expect(field(form, "撤回を申し出た方")).to_have_value(MOTHER)
    field(form, "特記事項").fill("本人から電話で撤回の申し出があった。")
    coordinator.get_by_test_id("withdraw-submit").click()
    expect(coordinator).to_have_url(case_url)
    expect(coordinator.get_by_role("alert").filter(has_text="撤回")).to_contain_text(
        f"{MOTHER}さんの同意の撤回を記録しました（第3版）"
    )
    expect(team_row(coordinator, HOUSING).get_by_test_id("team-consent-warning")).to_be_visible()
    expect(team_row(coordinator, HIKIKOMORI).get_by_test_id("team-consent-warning")).to_be_visible()

    expect_limited(housing, case_url)
    housing.goto(case_url)
    rows = housing.get_by_test_id("activity-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(OWN_ENTRY)
    shoot(housing, screenshot_dir, "05", "housing-after-withdrawal")

    # 5. The agency leaves the team: the case is gone for it (it did not refer the case).
    coordinator.goto(case_url)
    row = team_row(coordinator, HOUSING)
    row.get_by_text("離脱を記録", exact=True).click()
    leave = row.get_by_test_id("team-leave-form")
    field(leave, "離脱の理由").fill("家主との調整が終わったため")
    leave.get_by_test_id("team-leave-submit").click()
    expect(coordinator).to_have_url(case_url)
    expect(coordinator.get_by_role("alert").filter(has_text="離脱")).to_contain_text(
        f"{HOUSING}の支援チームからの離脱を記録しました"
    )
    expect(team_row(coordinator, HOUSING)).to_have_count(0)
    former = coordinator.get_by_test_id("former-team-row").filter(has_text=HOUSING)
    expect(former).to_contain_text("離脱")
    expect(former).to_contain_text("家主との調整が終わったため")
    shoot(coordinator, screenshot_dir, "06", "coordinator-after-leave")

    expect_not_found(housing, case_url)
    expect_not_found(housing, case_url + "activities/")
    housing.goto(f"{base}/cases/")
    expect(housing.locator(f'main a[href="/cases/{case.pk}/"]')).to_have_count(0)
    shoot(housing, screenshot_dir, "07", "housing-after-leave")
