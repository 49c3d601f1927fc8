"""不足する社会資源: from noticing a missing place to the resource that meets it.

A desk worker who keeps hearing that young people have nowhere to go in the evening raises
it in the register (the empty form first answers in Japanese). The community coordinator
finds the demo city's 三輪 gap under 検討中, tries to mark it 開発済み without naming a
resource and is told to choose one, finds the 集いの場 by name, and closes it as developed;
the page shows the history, and the register leaves as an Excel file.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .test_intake_8050 import field, open_as  # noqa: F401  (open_as: fixture)

RAISED = "中央圏域に、夕方以降に若者が立ち寄れる場所がない"
MIWA = "三輪圏域に、夜間や休日に若者がふらっと立ち寄れる場所がない"


def shoot(page: Page, directory, number: str, name: str) -> None:
    page.screenshot(path=directory / f"gaps-{number}-{name}.png", full_page=True)


def test_a_gap_raised_at_the_desk_and_one_developed_by_the_community(
    open_as, live_server, demo_city, screenshot_dir
):
    # 1. the desk worker raises what they keep hearing
    desk = open_as("desk")
    desk.goto(f"{live_server.url}/resources/")
    desk.get_by_test_id("resource-gaps-link").click()
    expect(desk.get_by_role("heading", name="不足する社会資源（地域課題）")).to_be_visible()
    desk.get_by_test_id("gap-create-link").click()
    desk.get_by_test_id("gap-form-submit").click()
    expect(desk.get_by_test_id("gap-form")).to_contain_text(
        "不足している社会資源・仕組みを入力してください。"
    )
    form = desk.get_by_test_id("gap-form")
    field(form, "不足している社会資源・仕組み").fill(RAISED)
    field(form, "求められる資源の種類").select_option(label="居場所")
    form.get_by_label("若者", exact=True).check()
    shoot(desk, screenshot_dir, "01", "desk-raises")
    desk.get_by_test_id("gap-form-submit").click()
    expect(desk.get_by_test_id("gap-description")).to_contain_text(RAISED)
    expect(desk.get_by_test_id("gap-status")).to_have_text("未対応")
    expect(desk.get_by_test_id("gap-move-link")).to_have_count(0)  # the desk does not keep it

    # 2. the community coordinator takes the 三輪 gap to 開発済み
    community = open_as("community")
    community.goto(f"{live_server.url}/resources/gaps/")
    search = community.get_by_test_id("gap-search")
    field(search, "状況").select_option(label="検討中")
    search.get_by_test_id("gap-search-submit").click()
    rows = community.get_by_test_id("gap-row")
    expect(rows.filter(has_text=MIWA)).to_have_count(1)
    expect(rows.filter(has_text=RAISED)).to_have_count(0)
    shoot(community, screenshot_dir, "02", "considering")
    rows.filter(has_text=MIWA).get_by_role("link").first.click()
    expect(community.get_by_test_id("gap-events")).to_contain_text("協議体で取り上げ")
    community.get_by_test_id("gap-move-link").click()
    form = community.get_by_test_id("gap-move-form")
    field(form, "新しい状況").select_option(label="開発済み")
    community.get_by_test_id("gap-move-submit").click()
    expect(community.get_by_test_id("gap-move-form")).to_contain_text(
        "開発済みにするには、対応した社会資源を選んでください。"
    )
    shoot(community, screenshot_dir, "03", "needs-a-resource")
    finder = community.get_by_test_id("gap-move-find")
    finder.get_by_label("対応した社会資源を名称で探す").fill("ぷらっと 早田")
    finder.get_by_role("button", name="探す").click()
    form = community.get_by_test_id("gap-move-form")
    field(form, "新しい状況").select_option(label="開発済み")
    choice = field(form, "対応した社会資源")
    choice.select_option(index=1)
    expect(choice.locator("option:checked")).to_contain_text("集いの場 ぷらっと 早田")
    field(form, "経過").fill("早田の集いの場が、金曜の夜に若者向けに開くことになった")
    community.get_by_test_id("gap-move-submit").click()
    expect(community.get_by_test_id("gap-status")).to_have_text("開発済み")
    expect(community.get_by_test_id("gap-met-by")).to_contain_text("集いの場 ぷらっと 早田")
    expect(community.get_by_test_id("gap-event")).to_have_count(3)
    shoot(community, screenshot_dir, "04", "developed")

    # 3. the register leaves as Excel
    community.goto(f"{live_server.url}/resources/gaps/?status=all")
    expect(community.get_by_test_id("gap-row").filter(has_text=RAISED)).to_have_count(1)
    with community.expect_download() as download:
        community.get_by_test_id("gap-export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
