"""参加支援 from the first meeting to keeping in touch.

The participation worker of the 社協 begins participation support for a young man outside a
多機関協働 plan (he asked for it himself), finds a 就労体験先 in the directory whose host has
been assessed, proposes it, records the visit and the start, follows up with him and with the
host (the host is unsure how to give instructions), records that he has settled, and closes
with his own view. Three months on, keeping in touch is due on her home page.

The dates are typed as the worker would enter them afterwards, months back, so that keeping
in touch falls due today.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tsunagu.accounts.models import Membership
from tsunagu.demo.services import _acting
from tsunagu.people import services as people_services
from tsunagu.resources.models import HostProfile, ResourceStatus

from .test_intake_8050 import field, main_nav, open_as  # noqa: F401  (open_as: fixture)

YOUNG_MAN = "川島 悠斗"


def shoot(page: Page, directory, number: str, name: str) -> None:
    page.screenshot(path=directory / f"participation-{number}-{name}.png", full_page=True)


def day(days_ago: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat()


def assessed_host_with_room():
    """A demo 就労体験先 taking people in, its host assessed and a place free."""
    hosts = HostProfile.objects.select_related("resource").order_by("resource__name")
    for host in hosts:
        r = host.resource
        if (
            host.is_assessed
            and r.status == ResourceStatus.OPEN
            and not r.is_full
            and r.kind.code == "work_experience"
        ):
            return r
    raise AssertionError("the demo city has no assessed 就労体験先 with a free place")


def step(page: Page, form_fields: dict, *, select: dict | None = None) -> None:
    form = page.get_by_test_id("participation-step-form")
    for label, value in (select or {}).items():
        field(form, label).select_option(label=value)
    for label, value in form_fields.items():
        field(form, label).fill(value)
    page.get_by_test_id("step-submit").click()


def test_participation_from_first_meeting_to_keeping_in_touch(open_as, screenshot_dir):
    worker_user = _acting(
        "participation", Membership.objects.get(user__username="participation").agency.code
    )
    people_services.person_create(
        by=worker_user,
        name=YOUNG_MAN,
        name_kana="カワシマ ユウト",
        birth_date=datetime.date(2003, 4, 12),
        agency=Membership.objects.get(user__username="participation").agency,
    )
    shop = assessed_host_with_room()

    worker = open_as("participation")
    main_nav(worker).get_by_role("link", name="参加支援").click()
    worker.get_by_test_id("participation-new").click()

    # 1. the record, outside a 多機関協働 plan
    search = worker.get_by_test_id("participation-person-search")
    field(search, "氏名・ふりがな").fill("川島")
    search.get_by_role("button", name="探す").click()
    worker.get_by_test_id("participation-person-choose").first.click()
    form = worker.get_by_test_id("participation-record-form")
    field(form, "多機関協働のプラン外で行う理由").fill(
        "本人が参加支援だけを希望（家族の課題はない）"
    )
    field(form, "開始日").fill(day(200))
    field(form, "本人の目標（本人の言葉で）").fill(
        "週に何回か、人と一緒に体を動かす仕事をしてみたい"
    )
    shoot(worker, screenshot_dir, "01", "new-record")
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_role("heading", level=1)).to_contain_text(YOUNG_MAN)

    # 2. a 就労体験先 from the directory, its host assessed
    worker.get_by_test_id("propose-link").click()
    search = worker.get_by_test_id("participation-resource-search")
    field(search, "種類").select_option(label="就労体験先")
    search.get_by_role("button", name="探す").click()
    worker.get_by_test_id("participation-resource-row").filter(has_text=shop.name).get_by_test_id(
        "resource-choose"
    ).click()
    expect(worker.get_by_test_id("resource-chosen")).to_contain_text(shop.name)
    step(worker, {"提案日": day(190), "メモ": "体を動かす仕事がしたいという希望に合う"})
    expect(worker.get_by_test_id("match-status")).to_contain_text("提案")

    def move(to: str, on: str, note: str = "") -> None:
        worker.get_by_test_id("move-link").click()
        values = {"日付": on}
        if note:
            values["記録（終了・中止のときはその理由）"] = note
        step(worker, values, select={"進める先": to})

    move("見学・調整", day(185))
    worker.get_by_test_id("move-link").click()
    expect(worker.get_by_test_id("start-conditions")).to_contain_text("受け入れ先のアセスメント")
    shoot(worker, screenshot_dir, "02", "start-conditions")
    step(worker, {"日付": day(180)}, select={"進める先": "参加開始"})
    expect(worker.get_by_test_id("match-status")).to_contain_text("参加開始")

    # 3. follow-ups with him and with the host (on a tablet)
    worker.set_viewport_size({"width": 768, "height": 1024})
    worker.get_by_test_id("follow-up-person").click()
    shoot(worker, screenshot_dir, "03", "follow-up-tablet")
    step(worker, {"実施日": day(173), "様子・話したこと": "疲れたが楽しかった。来週も行く。"})
    worker.get_by_test_id("follow-up-host").click()
    form = worker.get_by_test_id("participation-step-form")
    form.get_by_label("支援チームに伝えたい心配ごとがある").check()
    step(
        worker,
        {
            "実施日": day(173),
            "様子・話したこと": "指示の出し方に迷う。一度に一つずつ伝えると伝えた。",
        },
    )
    worker.set_viewport_size({"width": 1280, "height": 900})
    expect(worker.get_by_test_id("follow-up-list")).to_contain_text("指示の出し方")

    # 4. settled, then closed with his own view
    move("定着", day(120))
    expect(worker.get_by_test_id("match-status")).to_contain_text("定着")
    worker.get_by_test_id("close-link").click()
    step(
        worker,
        {"終結日": day(95), "本人の受け止め": "ここなら続けられる。困ったら連絡する。"},
    )
    expect(worker.get_by_test_id("closure")).to_contain_text("ここなら続けられる")
    shoot(worker, screenshot_dir, "04", "closed-record")

    # 5. three months on, keeping in touch is due on the home page
    main_nav(worker).get_by_role("link", name="ダッシュボード").click()
    widget = worker.get_by_test_id("dashboard-participation")
    expect(widget).to_contain_text(YOUNG_MAN)
    expect(widget).to_contain_text("つながりの維持")
    shoot(worker, screenshot_dir, "05", "keep-in-touch-due")
    widget.get_by_role("link", name=re.compile(YOUNG_MAN)).first.click()
    worker.get_by_test_id("keep-in-touch-link").click()
    step(worker, {"実施日": day(0), "様子": "電話で元気な声。週2回通っている。"})
    expect(worker.get_by_test_id("keep-in-touch-list")).to_contain_text("週2回通っている")
