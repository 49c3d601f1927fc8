"""名寄せ: an agency system's CSV file is imported, its duplicates reviewed, a merge undone.

The municipal program office receives the user list of the 介護保険システム, exported as
Shift_JIS (CP932) with Japanese headers. Some of its people are already in the demo city,
written the way another office writes them: 髙 for 高, the reading in hiragana, the date of
birth in 和暦, the address with kanji numerals. The first file has two bad rows: the import
lists them in Japanese and registers nobody. The corrected file goes through the column
mapping with its preview to the status page, which waits for the background worker and
follows it (htmx polling by GET; the 状態 line follows it) to the result, where every row of the file has its outcome. In the review queue the
officer compares a pair side by side and merges it keeping the older record, judges another
pair to be two people, then undoes the merge from the merge history: the absorbed record is
back, with its link. A worker of an unrelated agency is refused every 名寄せ page.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from tsunagu.linkage.models import (
    CandidateStatus,
    ImportBatch,
    ImportOutcome,
    ImportRecord,
    ImportStatus,
    MatchCandidate,
    PersonMerge,
)
from tsunagu.linkage.services import imports
from tsunagu.people.models import Person

from .test_intake_8050 import field, main_nav, open_as  # noqa: F401  (open_as is a fixture)

SOURCE = "介護保険システム"
BAD_FILE = "介護保険_利用者一覧.csv"
GOOD_FILE = "介護保険_利用者一覧_修正版.csv"
HEADER = ["利用者番号", "氏名", "フリガナ", "生年月日（和暦）", "性別", "居所", "電話番号"]
ADDRESS_COLUMN = "6列目：居所"  # a header no synonym knows: mapped by hand

# Persons of the demo city, as the city registered them: (name, reading, date of birth, address)
TAKAGI = ("高木 浩二", "タカギ コウジ", "1972-12-15", "岐阜市金町5丁目3番9号")
SAKAI = ("坂井 ヨシ子", "サカイ ヨシコ", "1939-12-15", "岐阜市美殿町12番地3")
NOMURA = ("野村 トシ", "ノムラ トシ", "1946-03-30", "岐阜市日光町3丁目7番2号")
ONO = ("大野 涼雅", "オオノ リョウガ", "1942-07-01", "岐阜市京町6丁目28番2号")

# The same people as the 介護保険システム writes them, and one person new to the city.
ROWS = [
    line.split(",")
    for line in """
K-001,髙木 浩二,たかぎ こうじ,昭和47年12月15日,男,岐阜市金町五丁目三番九号,090-4190-8231
K-002,坂井 よし子,サカイ ヨシコ,昭和14年12月15日,女,岐阜市美殿町十二番地三,058-284-5618
K-003,野村 登志,のむら とし,昭和21年3月30日,女,岐阜市日光町三丁目七番二号,058-256-8261
K-004,大野 涼雅,オオノ リョウガ,,男,岐阜市京町六丁目二十八番二号,058-262-1063
K-005,柴田 ハナ,シバタ ハナ,昭和10年5月5日,女,岐阜市本町1丁目1番1号,058-200-0000
""".strip().splitlines()
]
SAKAI_IMPORTED = "坂井 よし子"
NOMURA_IMPORTED = "野村 登志"
NEW_PERSON = "柴田 ハナ"
BAD_DATE = "昭和21年2月30日"
REJECT_NOTE = "生年月日の記載がなく、介護保険課に確認したところ同姓同名の別人でした。"
CONFIRM_NOTE = "介護保険課に電話で確認。生年月日・住所・電話番号が一致し、同一人物。"
UNMERGE_REASON = "介護保険課から、住所の記載誤りで別の方の記録だったと連絡があった。"
FORBIDDEN = "この画面を開く権限がありません"


def shoot(page: Page, directory: Path, number: str, name: str) -> None:
    page.screenshot(path=directory / f"linkage-{number}-{name}.png", full_page=True)


def cp932_csv(rows: list[list[str]]) -> bytes:
    """A CSV file as agency systems export it: Shift_JIS (CP932), CRLF line ends."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue().encode("cp932")


def bad_rows() -> list[list[str]]:
    """The file with an impossible date of birth (row 4) and a missing reading (row 6)."""
    rows = [list(row) for row in ROWS]
    rows[2][3] = BAD_DATE
    rows[4][2] = ""
    return rows


def demo_person(name: str, kana: str, birth: str, address: str) -> Person:
    person = Person.objects.get(name=name, is_archived=False)
    assert (person.name_kana, person.birth_date.isoformat(), person.address) == (
        kana,
        birth,
        address,
    ), f"the demo city no longer has {name} as this journey expects"
    return person


def upload(page: Page, base: str, filename: str, data: bytes) -> None:
    """From the import list: choose the file, name its source system, send it."""
    page.goto(base + "/linkage/imports/")
    page.get_by_test_id("import-new").click()
    expect(page.get_by_role("heading", name="CSVファイルを取り込む")).to_be_visible()
    form = page.get_by_test_id("import-upload-form")
    field(form, "取込元システム").fill(SOURCE)
    field(form, "CSVファイル").set_input_files(
        files={"name": filename, "mimeType": "text/csv", "buffer": data}
    )
    form.get_by_role("button", name="アップロードして列の対応へ").click()
    expect(page).to_have_url(re.compile(r"/linkage/imports/\d+/mapping/$"))


def check_mapping(page: Page, rows: int) -> None:
    """The mapping step: what was read, the preview, the suggested and one chosen column."""
    expect(page.get_by_role("alert").filter(has_text="ファイルを受け付けました")).to_contain_text(
        f"文字コード：Shift_JIS（CP932）、{rows}行"
    )
    expect(page.get_by_test_id("import-encoding")).to_have_text("Shift_JIS（CP932）")
    preview = page.get_by_test_id("import-preview")
    expect(preview.locator("thead th")).to_have_count(len(HEADER))
    expect(preview.locator("thead")).to_contain_text("4列目：生年月日（和暦）")
    expect(preview.locator("tbody tr")).to_have_count(3)
    expect(preview.locator("tbody tr").first).to_contain_text("髙木 浩二")
    expect(preview.locator("tbody tr").first).to_contain_text("岐阜市金町五丁目三番九号")
    form = page.get_by_test_id("import-mapping-form")
    # suggested from the header names
    for label, column in (
        ("取込元の番号", "0"),
        ("氏名", "1"),
        ("フリガナ", "2"),
        ("生年月日", "3"),
        ("性別", "4"),
        ("電話番号", "6"),
    ):
        expect(field(form, label)).to_have_value(column)
    expect(field(form, "住所")).to_have_value("")
    field(form, "住所").select_option(label=ADDRESS_COLUMN)


@pytest.mark.django_db(transaction=True)
def test_cp932_import_review_merge_undo_and_refusal(open_as, demo_city, screenshot_dir, settings):
    # the job waits in the queue until the test, playing the worker, runs it
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    base = demo_city.url
    takagi = demo_person(*TAKAGI)
    sakai = demo_person(*SAKAI)
    demo_person(*NOMURA)
    ono = demo_person(*ONO)
    persons_before = Person.objects.count()

    # 1. The officer opens 名寄せ → CSV取込: nothing imported yet.
    officer = open_as("officer")
    main_nav(officer).get_by_role("link", name="名寄せ", exact=True).click()
    expect(officer.get_by_role("heading", name="名寄せ（同一人物の確認）")).to_be_visible()
    officer.get_by_test_id("tab-imports").click()
    expect(officer.get_by_role("heading", name="CSV取込", exact=True)).to_be_visible()
    expect(officer.get_by_test_id("import-empty")).to_have_text("取り込んだファイルはありません。")

    # 2. The first file has two bad rows: each is named in Japanese, nobody is registered.
    upload(officer, base, BAD_FILE, cp932_csv(bad_rows()))
    check_mapping(officer, rows=len(ROWS))
    shoot(officer, screenshot_dir, "01", "mapping-preview")
    officer.get_by_role("button", name="検証して取り込む").click()
    expect(officer).to_have_url(re.compile(r"/linkage/imports/\d+/$"))
    expect(officer.get_by_test_id("import-status")).to_have_text("誤りあり（取り込んでいません）")
    expect(officer.get_by_test_id("import-invalid")).to_have_text(
        "2行に2件の誤りがあります。ファイルは取り込んでいません。修正して取り込み直してください。"
    )
    # said once, by the page itself (no message above it repeating the summary)
    expect(officer.locator("main").get_by_text("2行に2件の誤りがあります。")).to_have_count(1)
    errors = officer.get_by_test_id("import-error-row")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("4行目")
    expect(errors.nth(0)).to_contain_text("生年月日（和暦）")
    expect(errors.nth(0)).to_contain_text(
        f"生年月日「{BAD_DATE}」を読み取れません：{BAD_DATE}は存在しません（1946年2月は28日までです）"
    )
    expect(errors.nth(1)).to_contain_text("6行目")
    expect(errors.nth(1)).to_contain_text("フリガナが空です（本人の登録に必要です）。")
    expect(officer.get_by_test_id("import-progress")).to_have_count(0)  # nothing to run
    shoot(officer, screenshot_dir, "02", "row-errors")
    bad = ImportBatch.objects.get(original_filename=BAD_FILE)
    assert bad.status == ImportStatus.INVALID
    assert [(e["row"], e["column"]) for e in bad.errors] == [
        (4, "生年月日（和暦）"),
        (6, "フリガナ"),
    ]
    assert not ImportRecord.objects.filter(batch=bad).exists()
    assert Person.objects.count() == persons_before
    assert not MatchCandidate.objects.exists()

    # 3. The corrected file: mapping again, then the progress bar polls until the end.
    officer.get_by_role("link", name="修正したファイルを取り込む").click()
    expect(officer).to_have_url(re.compile(r"/linkage/imports/new/$"))
    upload(officer, base, GOOD_FILE, cp932_csv(ROWS))
    check_mapping(officer, rows=len(ROWS))
    polls: list[Response] = []

    def count_poll(response: Response) -> None:
        if re.search(r"/linkage/imports/\d+/progress/$", response.url):
            polls.append(response)

    officer.on("response", count_poll)
    officer.get_by_role("button", name="検証して取り込む").click()
    expect(officer).to_have_url(re.compile(r"/linkage/imports/\d+/$"))
    expect(
        officer.get_by_role("alert").filter(has_text="すべての行を確認しました。")
    ).to_be_visible()
    expect(officer.get_by_test_id("import-status")).to_have_text("検証済み（取込待ち）")
    progress = officer.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("hx-trigger", "every 2s")
    expect(officer.get_by_test_id("import-phase")).to_have_text(
        "順番待ち（取込処理の開始を待っています）"
    )
    shoot(officer, screenshot_dir, "03", "progress-waiting")
    batch = ImportBatch.objects.latest("pk")
    assert imports.import_work(batch.pk) == ImportStatus.DONE  # the worker's turn
    expect(officer.get_by_test_id("import-status")).to_have_text("完了", timeout=20_000)
    assert len(polls) >= 1 and all(r.ok for r in polls)
    assert {r.request.method for r in polls} == {"GET"}  # the page only reads the progress
    expect(progress).not_to_have_attribute("hx-trigger", re.compile("every"))
    expect(officer.get_by_test_id("import-phase")).to_have_text("完了")
    expect(officer.get_by_role("progressbar", name="取込の進み具合")).to_have_attribute(
        "aria-valuenow", "100"
    )

    # 4. The result: 髙木 is the city's 高木 (same keys); three pairs wait for review. Each
    #    row of the file is counted once and listed with its outcome.
    expect(officer.get_by_test_id("count-created")).to_have_text("1件")
    expect(officer.get_by_test_id("count-matched")).to_have_text("1件")
    expect(officer.get_by_test_id("count-queued")).to_have_text("3件")
    expect(officer.get_by_test_id("result-breakdown")).to_contain_text(
        "新規に登録した本人は計4件（うち名寄せ確認待ち3件）"
    )
    expect(officer.locator("main")).to_contain_text("名寄せ候補を3組追加しました。")
    records = officer.get_by_test_id("import-records").locator("tbody tr")
    expect(records).to_have_count(len(ROWS))
    expect(records.nth(0).locator("td")).to_have_text(
        ["2行目", "K-001", "髙木 浩二", "既存の本人と一致"]
    )
    for name in (SAKAI_IMPORTED, NOMURA_IMPORTED, ONO[0]):
        expect(records.filter(has_text=name).locator("td").nth(3)).to_have_text(
            "新規登録・名寄せ確認待ち"
        )
    expect(records.nth(4).locator("td")).to_have_text(["6行目", "K-005", NEW_PERSON, "新規登録"])
    shoot(officer, screenshot_dir, "04", "import-result")
    good = ImportBatch.objects.get(original_filename=GOOD_FILE)
    assert (good.status, good.created_count, good.matched_count, good.queued_count) == (
        ImportStatus.DONE,
        4,
        1,
        3,
    )
    outcome = {r.record_id: (r.outcome, r.person) for r in good.records.select_related("person")}
    assert outcome["K-001"] == (ImportOutcome.MATCHED_EXISTING, takagi)
    assert outcome["K-005"][0] == ImportOutcome.CREATED
    assert Person.objects.count() == persons_before + 4
    imported = Person.objects.get(name=SAKAI_IMPORTED)
    assert imported.registered_by_agency.name == "重層的支援推進室"
    # both files in the list
    officer.get_by_role("navigation", name="パンくず").get_by_role("link", name="CSV取込").click()
    expect(officer.get_by_test_id(f"import-status-{bad.pk}")).to_have_text(
        "誤りあり（取り込んでいません）"
    )
    expect(officer.get_by_test_id(f"import-status-{good.pk}")).to_have_text("完了")

    # 5. The review queue: the pair of 坂井 side by side, merged into the city's record.
    pair = MatchCandidate.objects.get(person_a=sakai, person_b=imported)
    ono_new = Person.objects.get(name=ONO[0], is_archived=False, birth_date__isnull=True)
    ono_pair = MatchCandidate.objects.get(person_a=ono, person_b=ono_new)
    assert MatchCandidate.objects.filter(status=CandidateStatus.PENDING).count() == 3
    officer.goto(base + "/linkage/imports/")
    officer.get_by_test_id("linkage-tabs").get_by_role("link", name="確認待ちの候補").click()
    expect(officer.get_by_test_id("candidate-total")).to_have_text("3件")
    row = officer.get_by_test_id(f"candidate-row-{pair.pk}")
    expect(row).to_contain_text(SAKAI[0])
    expect(row).to_contain_text(SAKAI_IMPORTED)
    expect(row).to_contain_text("昭和14年12月15日")
    expect(row).to_contain_text("一括名寄せ")
    shoot(officer, screenshot_dir, "05", "review-queue")
    row.get_by_role("link", name="見比べる").click()
    expect(officer).to_have_url(re.compile(rf"/linkage/review/{pair.pk}/$"))
    expect(officer.get_by_role("navigation", name="パンくず").get_by_role("link")).to_have_text(
        ["ホーム", "名寄せ"]
    )
    tabs = officer.get_by_test_id("linkage-tabs")
    expect(tabs.locator(".active")).to_have_text("確認待ちの候補")
    expect(tabs.get_by_role("link", name="統合の履歴")).to_have_attribute(
        "href", "/linkage/merges/"
    )
    expect(officer.get_by_test_id("candidate-status")).to_have_text("確認待ち")
    expect(officer.get_by_test_id("candidate-reasons")).to_contain_text("フリガナ・生年月日")
    expect(officer.get_by_test_id("side-name-1")).to_have_text(SAKAI[0])
    expect(officer.get_by_test_id("side-name-2")).to_have_text(SAKAI_IMPORTED)
    for side in ("1", "2"):
        expect(officer.get_by_test_id(f"side-birth-{side}")).to_contain_text("昭和14年12月15日")
    expect(officer.get_by_test_id("side-address-1")).to_have_text(SAKAI[3])
    expect(officer.get_by_test_id("side-address-2")).to_have_text("岐阜市美殿町十二番地三")
    expect(officer.get_by_test_id("side-agency-1")).to_contain_text("地域包括支援センター中央")
    expect(officer.get_by_test_id("side-agency-2")).to_contain_text("重層的支援推進室")
    shoot(officer, screenshot_dir, "06", "side-by-side")
    confirm = officer.get_by_test_id("confirm-form")
    confirm.get_by_label(f"A：{SAKAI[0]}（ID {sakai.pk}）").check()
    field(confirm, "確認メモ").fill(CONFIRM_NOTE)
    officer.get_by_test_id("confirm-submit").click()
    expect(officer).to_have_url(re.compile(r"/linkage/merges/\d+/$"))
    expect(
        officer.get_by_role("alert").filter(has_text="同一人物として統合しました。")
    ).to_contain_text("「元に戻す」で取り消せます。")
    expect(officer.get_by_test_id("merge-status")).to_have_text("統合中")
    expect(officer.get_by_test_id("merge-survivor")).to_contain_text(SAKAI[0])
    expect(officer.get_by_test_id("merge-merged")).to_contain_text(SAKAI_IMPORTED)
    expect(officer.get_by_test_id("merge-merged")).to_contain_text("アーカイブ済み")
    expect(officer.get_by_test_id("merge-merged").get_by_role("link")).to_have_count(0)
    expect(officer.get_by_role("navigation", name="パンくず").get_by_role("link")).to_have_text(
        ["ホーム", "名寄せ", "統合の履歴"]
    )
    expect(officer.get_by_test_id("linkage-tabs").locator(".active")).to_have_text("統合の履歴")
    shoot(officer, screenshot_dir, "07", "merged")
    # in a narrow window the details wrap between items, never inside a date
    officer.set_viewport_size({"width": 700, "height": 900})
    for cell in ("merge-survivor", "merge-merged"):
        registered = officer.get_by_test_id(cell).get_by_test_id("merge-registered")
        expect(registered).to_contain_text("登録")
        box = registered.bounding_box()
        assert box and box["height"] < 30, f"the registration date wraps in {cell}"
    shoot(officer, screenshot_dir, "07", "merged-narrow")
    officer.set_viewport_size({"width": 1280, "height": 900})
    merge = PersonMerge.objects.get(candidate=pair)
    assert (merge.survivor_id, merge.merged_id, merge.unmerged_at) == (sakai.pk, imported.pk, None)
    imported.refresh_from_db()
    pair.refresh_from_db()
    assert imported.is_archived and pair.status == CandidateStatus.CONFIRMED
    # the absorbed record is gone from the person pages
    response = officer.goto(f"{base}/persons/{imported.pk}/")
    assert response.status == 404
    officer.goto(base + "/persons/?q=坂井")
    expect(officer.get_by_test_id("person-row")).to_have_count(1)
    expect(officer.get_by_test_id("person-row")).to_contain_text(SAKAI[0])

    # 6. The pair of 大野 without a date of birth: two people (a reason is required).
    officer.goto(f"{base}/linkage/review/{ono_pair.pk}/")
    expect(officer.get_by_test_id("side-birth-2")).to_contain_text("不明")
    officer.get_by_test_id("reject-submit").click()
    reject = officer.get_by_test_id("reject-form")
    expect(reject.get_by_text("別人と判断した理由を入力してください。")).to_be_visible()
    field(reject, "別人と判断した理由").fill(REJECT_NOTE)
    officer.get_by_test_id("reject-submit").click()
    expect(officer).to_have_url(re.compile(r"/linkage/review/$"))
    expect(officer.get_by_role("alert").filter(has_text="別人と判断しました。")).to_be_visible()
    expect(officer.get_by_test_id(f"candidate-row-{ono_pair.pk}")).to_have_count(0)
    expect(officer.get_by_test_id("candidate-total")).to_have_text("1件")  # 野村 still waits
    ono_pair.refresh_from_db()
    assert (ono_pair.status, ono_pair.review_note) == (CandidateStatus.REJECTED, REJECT_NOTE)
    assert not PersonMerge.objects.filter(candidate=ono_pair).exists()
    officer.goto(f"{base}/linkage/review/{ono_pair.pk}/")
    expect(officer.get_by_test_id("candidate-decided")).to_contain_text("確認結果：別人と判断")
    expect(officer.get_by_test_id("candidate-decided")).to_contain_text("岐阜 直子")
    expect(officer.get_by_test_id("candidate-decided")).to_contain_text(REJECT_NOTE)
    expect(officer.get_by_test_id("confirm-form")).to_have_count(0)
    shoot(officer, screenshot_dir, "08", "rejected")

    # 7. The merge history: 元に戻す brings the absorbed record back.
    main_nav(officer).get_by_role("link", name="名寄せ", exact=True).click()
    officer.get_by_test_id("linkage-tabs").get_by_role("link", name="統合の履歴").click()
    expect(officer.get_by_test_id("merge-total")).to_have_text("1件")
    history = officer.get_by_test_id(f"merge-row-{merge.pk}")
    expect(history).to_contain_text(SAKAI[0])
    expect(history).to_contain_text(SAKAI_IMPORTED)
    expect(history).to_contain_text("統合中")
    shoot(officer, screenshot_dir, "09", "merge-history")
    officer.get_by_test_id(f"merge-unmerge-{merge.pk}").click()
    expect(officer).to_have_url(re.compile(rf"/linkage/merges/{merge.pk}/#unmerge$"))
    field(officer.get_by_test_id("unmerge-form"), "元に戻す理由").fill(UNMERGE_REASON)
    officer.get_by_test_id("unmerge-submit").click()
    expect(officer.get_by_role("alert").filter(has_text="統合を元に戻しました。")).to_contain_text(
        "2件の記録は別々の本人に戻りました。"
    )
    expect(officer.get_by_test_id("merge-status")).to_have_text("元に戻し済み")
    expect(officer.get_by_test_id("merge-unmerged")).to_contain_text(UNMERGE_REASON)
    expect(officer.get_by_test_id("unmerge-form")).to_have_count(0)
    restored = officer.get_by_test_id("merge-merged")
    expect(restored).not_to_contain_text("アーカイブ済み")
    expect(restored.get_by_role("link", name="本人の記録")).to_have_attribute(
        "href", f"/persons/{imported.pk}/"
    )
    shoot(officer, screenshot_dir, "10", "unmerged")
    merge.refresh_from_db()
    imported.refresh_from_db()
    pair.refresh_from_db()
    assert merge.unmerged_at is not None and merge.unmerge_reason == UNMERGE_REASON
    assert not imported.is_archived
    assert pair.status == CandidateStatus.REJECTED  # not asked about again
    officer.get_by_test_id("merge-merged").get_by_role("link", name="本人の記録").click()
    expect(officer).to_have_url(re.compile(rf"/persons/{imported.pk}/$"))
    expect(officer.get_by_test_id("person-name")).to_have_text(SAKAI_IMPORTED)
    officer.goto(base + "/persons/?q=坂井")
    expect(officer.get_by_test_id("person-row")).to_have_count(2)
    expect(officer.get_by_test_id("person-row").filter(has_text=SAKAI_IMPORTED)).to_have_count(1)
    shoot(officer, screenshot_dir, "11", "person-back")
    officer.goto(base + "/linkage/merges/")
    expect(officer.get_by_test_id(f"merge-undone-{merge.pk}")).to_have_text("元に戻し済み")

    # 8. A worker of the 住宅・空家対策課 has no 名寄せ: every page refuses, nothing leaks.
    housing = open_as("housing")
    expect(main_nav(housing).get_by_role("link", name="名寄せ", exact=True)).to_have_count(0)
    pending = MatchCandidate.objects.get(status=CandidateStatus.PENDING)
    for path in (
        "/linkage/review/",
        f"/linkage/review/{pending.pk}/",
        "/linkage/merges/",
        f"/linkage/merges/{merge.pk}/",
        "/linkage/imports/",
        f"/linkage/imports/{good.pk}/",
    ):
        response = housing.goto(base + path)
        assert response.status == 403, path
        expect(housing.get_by_role("heading", level=1)).to_have_text(FORBIDDEN)
        expect(housing.locator("main")).not_to_contain_text(NOMURA[0])
        expect(housing.locator("main")).not_to_contain_text(NOMURA_IMPORTED)
    housing.goto(base + "/linkage/review/")
    shoot(housing, screenshot_dir, "12", "unrelated-refused")
