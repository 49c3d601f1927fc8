"""社会資源: the participation worker registers a place of work experience and finds it again.

The participation worker of the 社協 registers a greengrocer's shelf-stocking as a
就労体験先 in 京町地区, open every Wednesday 10:00–12:00, with the shop as a host (受け入れ先)
and its assessment. Later, with a young man beside her who can come on Wednesday mornings, she
searches for a 就労体験先 open on Wednesday at 10:30 in 中央圏域 (京町地区 lies in it) and
finds the shop, with the reasons it matched.
"""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tsunagu.common.wareki import format_wareki

from .test_intake_8050 import field, main_nav, open_as  # noqa: F401  (open_as: fixture)

NAME = "あさひ青果 品出し体験"
SHOP = "あさひ青果店"
INDENT = "\u3000"  # the area list is indented by depth: 市全域 > 日常生活圏域 > 地区


def shoot(page: Page, directory, number: str, name: str) -> None:
    page.screenshot(path=directory / f"resources-{number}-{name}.png", full_page=True)


def test_register_a_work_experience_and_find_it_on_wednesday_morning(
    open_as, demo_city, screenshot_dir
):
    worker = open_as("participation")
    main_nav(worker).get_by_role("link", name="社会資源").click()
    expect(worker.get_by_role("heading", name="社会資源をさがす")).to_be_visible()
    worker.get_by_test_id("resource-new").click()

    # 1. the shop, open every Wednesday 10:00–12:00
    form = worker.get_by_test_id("resource-form")
    field(form, "提供団体（新しく登録）").fill(SHOP)
    field(form, "名称").fill(NAME)
    field(form, "種類").select_option(label="就労体験先")
    field(form, "内容").fill("開店前の野菜の品出し、袋詰め、段ボールの片付け。")
    form.get_by_label("若者", exact=True).check()
    form.get_by_label("現役世代", exact=True).check()
    field(form, "対象（属性）").fill("ひきこもりの方、就労経験の少ない方")
    field(form, "圏域").select_option(label=INDENT * 2 + "京町地区")
    field(form, "所在地").fill("岐阜市京町2丁目")
    field(form, "定員").fill("2")
    field(form, "いまの空き").fill("1")
    field(form, "費用").fill("無料（交通費は自己負担）")
    form.get_by_label("1行目 くり返し").select_option(label="毎週")
    form.get_by_label("1行目 曜日").select_option(label="水曜")
    form.get_by_label("1行目 開始").fill("10:00")
    form.get_by_label("1行目 終了").fill("09:00")  # a slip: it closes before it opens
    form.get_by_label("1行目 備考").fill("祝日は休み")
    field(form, "連絡先の担当者").fill("店主 朝日")
    field(form, "電話番号").fill("058-000-2345")
    shoot(worker, screenshot_dir, "01", "new-resource-form")
    worker.get_by_test_id("resource-submit").click()
    expect(worker.get_by_test_id("schedule-errors")).to_contain_text(
        "1行目：終了時刻は開始時刻より後にしてください。"
    )
    expect(worker.get_by_test_id("schedule-row-errors")).to_be_visible()
    shoot(worker, screenshot_dir, "02", "schedule-error")
    form = worker.get_by_test_id("resource-form")
    expect(field(form, "提供団体（新しく登録）")).to_have_value(SHOP)  # nothing is lost
    form.get_by_label("1行目 終了").fill("12:00")
    worker.get_by_test_id("resource-submit").click()
    expect(worker.get_by_test_id("resource-title")).to_contain_text(NAME)
    expect(worker.get_by_test_id("resource-schedules")).to_contain_text("毎週水曜 10:00〜12:00")

    # 2. the host profile and its assessment, before anyone is matched
    worker.get_by_test_id("resource-host-edit").click()
    form = worker.get_by_test_id("resource-step-form")
    field(form, "受け入れ先の担当者").fill("店主 朝日 一郎")
    field(form, "切り出せる業務・役割").fill("品出し、袋詰め、段ボールの片付け")
    field(form, "受け入れの条件").fill("午前中、週1回から。エプロンは店で貸す")
    field(form, "受け入れ先の心配ごと").fill("接客をお願いするのは難しいかもしれない")
    field(form, "受け入れ先のアセスメント").fill(
        "店主は若者の受け入れに前向き。開店前の品出しは客と接しないので負担が少ない。"
    )
    field(form, "アセスメントの日").fill(format_wareki(timezone.localdate()))
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("resource-host-assessment")).to_contain_text("前向き")
    shoot(worker, screenshot_dir, "03", "resource-detail")

    # 3. with the young man beside her: Wednesday 10:30, in 中央圏域
    main_nav(worker).get_by_role("link", name="社会資源").click()
    search = worker.get_by_test_id("resource-filter")
    field(search, "種類").select_option(label="就労体験先")
    field(search, "圏域").select_option(label=INDENT + "中央圏域")
    field(search, "曜日").select_option(label="水曜")
    field(search, "時刻").fill("10:30")
    worker.get_by_test_id("resource-search-submit").click()
    # the search is in the address, to share or go back to (htmx pushes it once answered;
    # the filters answered on each change before, so wait for the last one)
    expect(worker).to_have_url(re.compile(r"at=10(%3A|:)30"))
    row = worker.get_by_test_id("resource-row").filter(has_text=NAME)
    expect(row).to_be_visible()
    reasons = row.get_by_test_id("resource-reasons")
    expect(reasons).to_contain_text("開いている：毎週水曜 10:00〜12:00")
    expect(reasons).to_contain_text("種類：就労体験先")
    expect(reasons).to_contain_text("圏域：京町地区")
    expect(row.get_by_test_id("resource-places")).to_contain_text("空き 1人")
    shoot(worker, screenshot_dir, "04", "search-wednesday-morning")

    # the same search, as a file for the office
    with worker.expect_download() as download:
        worker.get_by_test_id("resource-export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
