"""CSV import screens and API: personas, the mapping step, errors, progress polling, audit."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.linkage import matching
from tsunagu.linkage.models import ImportBatch, ImportStatus
from tsunagu.linkage.services import imports
from tsunagu.people.models import Person
from tsunagu.people.services import person_create

API = "/api/v1"
CSV = (
    "利用者番号,氏名,フリガナ,生年月日,性別\r\n"
    "A-1,山田 太郎,ヤマダ タロウ,昭和55年3月1日,男\r\n"
    "A-2,鈴木 花子,スズキ ハナコ,1990/4/5,女\r\n"
)
BAD = CSV + "A-3,,サトウ,平成99年1月1日,男\r\n"
ALLOWED = ("officer", "coordinator")
REFUSED = ("desk", "outreach", "participation", "community", "guest", "admin", "unrelated")


@pytest.fixture(autouse=True)
def no_splink(monkeypatch):
    """Linkage itself is tested in test_imports; here the matching step finds no pair."""
    monkeypatch.setattr(matching, "score_pairs", lambda records, pool: ([], "stored"))


def csv_file(text=CSV, encoding="cp932"):
    return SimpleUploadedFile("export.csv", text.encode(encoding), content_type="text/csv")


def make_batch(persona, text=CSV):
    batch = imports.import_upload(by=persona.user, file=csv_file(text), source_label="介護")
    return batch


def validated_batch(persona, text=CSV):
    batch = make_batch(persona, text)
    batch = imports.import_map(by=persona.user, batch=batch, mapping=batch.mapping)
    batch = imports.import_validate(by=persona.user, batch=batch)
    assert batch.status == ImportStatus.VALIDATED, batch.errors[:3]
    return batch


def done_batch(persona, text=CSV):
    return imports.import_start(by=persona.user, batch=validated_batch(persona, text))


def status_line(html: str) -> str:
    """The text of the page's (or the fragment's) 状態 line."""
    found = re.findall(r'<dd [^>]*data-testid="import-status"[^>]*>(.*?)</dd>', html)
    assert len(found) == 1, found
    return found[0]


def result_rows(html: str) -> list[tuple[str, str, str, str]]:
    """(行, 取込元の番号, 氏名, 結果) of each row of the result table."""
    return re.findall(
        r'<tr data-testid="import-record-row"><td[^>]*>(.*?)</td><td>(.*?)</td>'
        r"<td>(.*?)</td><td>(.*?)</td></tr>",
        html,
    )


def count(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">(.*?)<', html).group(1)


@pytest.mark.parametrize("name", ALLOWED)
def test_reviewers_walk_through_upload_mapping_progress_and_result(
    personas, login, name, held_jobs
):
    client = login(personas[name])
    assert client.get(reverse("linkage:import_list")).status_code == 200
    page = client.get(reverse("linkage:import_new"))
    assert "CSVファイル" in page.content.decode()
    response = client.post(
        reverse("linkage:import_new"), {"source_label": "介護", "file": csv_file()}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("linkage:import_mapping", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-preview"' in page
    assert "Shift_JIS（CP932）" in page and "山田 太郎" in page
    assert AuditEvent.objects.filter(action="linkage.import_preview").exists()
    mapping = {k: str(v) for k, v in batch.mapping.items()}
    response = client.post(reverse("linkage:import_mapping", args=[batch.pk]), mapping)
    assert response["Location"] == reverse("linkage:import_detail", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    progress_url = reverse("linkage:import_progress", args=[batch.pk])
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="{progress_url}"' in page and "hx-post" not in page
    assert status_line(page) == "検証済み（取込待ち）"
    assert 'data-testid="import-phase">順番待ち（取込処理の開始を待っています）' in page
    assert Person.objects.count() == 0
    fragment = client.get(progress_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="import-status"' in fragment and 'hx-swap-oob="true"' in fragment
    assert status_line(fragment) == "検証済み（取込待ち）"
    assert imports.import_work(batch.pk) == ImportStatus.DONE  # the worker runs the job
    fragment = client.get(progress_url, HTTP_HX_REQUEST="true")
    assert fragment["HX-Redirect"] == reverse("linkage:import_detail", args=[batch.pk])
    assert "every 2s" not in fragment.content.decode()  # polling stops
    assert status_line(fragment.content.decode()) == "完了"
    page = client.get(reverse("linkage:import_detail", args=[batch.pk])).content.decode()
    assert status_line(page) == "完了"
    assert count(page, "count-created") == "2件"
    assert count(page, "count-matched") == "0件"
    assert count(page, "count-queued") == "0件"
    assert "新規登録（同一人物の候補なし）" in page
    assert "名寄せ候補を0組追加しました" in page
    assert result_rows(page) == [
        ("2行目", "A-1", "山田 太郎", "新規登録"),
        ("3行目", "A-2", "鈴木 花子", "新規登録"),
    ]
    assert Person.objects.count() == 2


def test_upload_errors_are_shown_in_japanese(personas, login):
    client = login(personas["coordinator"])
    response = client.post(
        reverse("linkage:import_new"),
        {"source_label": "介護", "file": SimpleUploadedFile("x.csv", b"\x00\x01\x02binary")},
    )
    assert response.status_code == 422
    assert "CSVファイルではない" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_row_errors_are_listed_once_and_nothing_is_written(personas, login):
    client = login(personas["coordinator"])
    batch = make_batch(personas["coordinator"], BAD)
    response = client.post(
        reverse("linkage:import_mapping", args=[batch.pk]),
        {k: str(v) for k, v in batch.mapping.items()},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("linkage:import_detail", args=[batch.pk]), 302)]
    page = response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.INVALID
    assert batch.error_summary.endswith(
        "ファイルは取り込んでいません。修正して取り込み直してください。"
    )
    # the summary once: the page's own alert, no message repeating it
    assert page.count(batch.error_summary) == 1
    assert f'data-testid="import-invalid">{batch.error_summary}</div>' in page
    assert '<td class="text-nowrap">4行目</td><td>氏名</td><td>氏名が空です。</td>' in page
    assert "every 2s" not in page and 'data-testid="import-resume"' not in page
    client.get(reverse("linkage:import_progress", args=[batch.pk]))
    assert client.post(reverse("linkage:import_resume", args=[batch.pk])).status_code == 302
    assert Person.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.INVALID


def test_a_valid_file_says_so_once(personas, login, held_jobs):
    client = login(personas["coordinator"])
    batch = make_batch(personas["coordinator"])
    response = client.post(
        reverse("linkage:import_mapping", args=[batch.pk]),
        {k: str(v) for k, v in batch.mapping.items()},
        follow=True,
    )
    page = response.content.decode()
    assert page.count("すべての行を確認しました。取り込みを始めます。") == 1
    assert status_line(page) == "検証済み（取込待ち）"


# --- progress reads; an interrupted import is resumed -----------------------------------


def _interrupted(persona):
    """A batch whose job wrote nothing and stopped answering two minutes ago."""
    batch = validated_batch(persona)
    ImportBatch.objects.filter(pk=batch.pk).update(
        queued_at=timezone.now() - datetime.timedelta(minutes=3),
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=2),
        job_token="dead-worker",
    )
    return batch


def test_the_progress_only_reads(personas, login, held_jobs):
    persona = personas["coordinator"]
    batch = imports.import_start(by=persona.user, batch=validated_batch(persona))
    client = login(persona)
    url = reverse("linkage:import_progress", args=[batch.pk])
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}, {"HTTP_SEC_PURPOSE": "prefetch"}):
        response = client.get(url, **headers)
        assert response.status_code == 200
        html = response.content.decode()
        assert status_line(html) == "検証済み（取込待ち）"
        assert f'hx-get="{url}"' in html
        assert "HX-Redirect" not in response
    for method in (client.post, client.put, client.delete):
        assert method(url).status_code == 405
    batch.refresh_from_db()
    assert (batch.status, batch.processed) == (ImportStatus.VALIDATED, 0)
    assert Person.objects.count() == 0


def test_an_interrupted_import_says_so_and_resumes_once(personas, login):
    persona = personas["coordinator"]
    batch = _interrupted(persona)
    client = login(persona)
    page = client.get(reverse("linkage:import_detail", args=[batch.pk])).content.decode()
    assert "応答していません（中断されました）" in page
    assert 'data-testid="import-resume"' in page and "続きから再開" in page
    assert "every 2s" not in page  # nothing to wait for
    resume = reverse("linkage:import_resume", args=[batch.pk])
    assert client.get(resume).status_code == 405
    response = client.post(resume, follow=True)
    page = response.content.decode()
    assert "取り込みを再開しました" in page
    assert status_line(page) == "完了"
    assert Person.objects.count() == 2
    # a second click on the stale page: finished, said in Japanese, nothing doubled
    page = client.post(resume, follow=True).content.decode()
    assert "取り込みを始められません" in page
    assert Person.objects.count() == 2
    assert AuditEvent.objects.filter(action="linkage.import_resume").count() == 1


def test_resuming_needs_the_csrf_token_of_the_page(personas):
    batch = _interrupted(personas["coordinator"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["coordinator"].user)
    url = reverse("linkage:import_resume", args=[batch.pk])
    assert client.post(url).status_code == 403
    page = client.get(reverse("linkage:import_detail", args=[batch.pk])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE


# --- the result ------------------------------------------------------------------------


def test_result_lists_every_row_once_with_its_outcome(personas, login, monkeypatch):
    officer = personas["officer"].user
    person_create(
        by=officer,
        name="山田 太郎",
        name_kana="ヤマダ タロウ",
        birth_date=datetime.date(1980, 3, 1),
    )
    other = person_create(
        by=officer,
        name="鈴木 花子",
        name_kana="スズキ ハナコ",
        birth_date=datetime.date(1990, 4, 6),
    )

    pairs = [[f"p{other.pk}", "r3", 0.8]]  # row 3 and the registered 鈴木 花子
    monkeypatch.setattr(matching, "score_pairs", lambda records, pool: (pairs, "stored"))
    text = CSV + "A-3,佐藤 次郎,サトウ ジロウ,平成2年1月1日,男\r\n"
    batch = done_batch(personas["coordinator"], text)
    assert (batch.created_count, batch.matched_count, batch.queued_count) == (2, 1, 1)
    page = login(personas["coordinator"]).get(reverse("linkage:import_detail", args=[batch.pk]))
    html = page.content.decode()
    assert result_rows(html) == [
        ("2行目", "A-1", "山田 太郎", "既存の本人と一致"),
        ("3行目", "A-2", "鈴木 花子", "新規登録・名寄せ確認待ち"),
        ("4行目", "A-3", "佐藤 次郎", "新規登録"),
    ]
    # the cards do not overlap: they add up to the rows of the file
    assert count(html, "count-created") == "1件"
    assert count(html, "count-matched") == "1件"
    assert count(html, "count-queued") == "1件"
    assert "新規登録（同一人物の候補なし）" in html
    assert "新規登録・名寄せ確認待ち（同一人物の候補あり）" in html
    assert "ファイルの3行の内訳です" in html
    assert "新規に登録した本人は計2件（うち名寄せ確認待ち1件）です。" in html
    assert "3行中 1〜3行を表示" in html
    event = AuditEvent.objects.filter(action="linkage.import_view").latest("pk")
    assert event.person_ids == sorted(batch.records.values_list("person_id", flat=True))
    # the list of imports counts the same way
    listing = login(personas["coordinator"]).get(reverse("linkage:import_list")).content.decode()
    assert count(listing, f"import-created-{batch.pk}") == "1"
    assert count(listing, f"import-matched-{batch.pk}") == "1"
    assert count(listing, f"import-queued-{batch.pk}") == "1"


def test_a_large_result_pages_by_100_rows(personas, login):
    lines = [
        f"B-{i:04d},試験 {i:04d},シケン イチ,平成2年1月{i % 28 + 1}日,女\r\n" for i in range(230)
    ]
    batch = done_batch(
        personas["coordinator"], "利用者番号,氏名,フリガナ,生年月日,性別\r\n" + "".join(lines)
    )
    client = login(personas["coordinator"])
    url = reverse("linkage:import_detail", args=[batch.pk])
    first = client.get(url).content.decode()
    rows = result_rows(first)
    assert len(rows) == 100
    assert rows[0] == ("2行目", "B-0000", "試験 0000", "新規登録")
    assert rows[-1][0] == "101行目"
    assert "230行中 1〜100行を表示" in first and "1 / 3ページ" in first
    assert count(first, "count-created") == "230件"  # the cards count the whole file
    event = AuditEvent.objects.filter(action="linkage.import_view").latest("pk")
    assert len(event.person_ids) == 100  # the rows shown, not the whole file
    last = client.get(url + "?page=3").content.decode()
    rows = result_rows(last)
    assert len(rows) == 30
    assert rows[-1] == ("231行目", "B-0229", "試験 0229", "新規登録")
    assert "230行中 201〜230行を表示" in last
    # an out-of-range page shows the last one
    assert result_rows(client.get(url + "?page=99").content.decode()) == rows


def test_mapping_form_requires_the_name_column(personas, login):
    client = login(personas["coordinator"])
    batch = make_batch(personas["coordinator"])
    mapping = {k: str(v) for k, v in batch.mapping.items() if k != "name"}
    response = client.post(reverse("linkage:import_mapping", args=[batch.pk]), mapping)
    assert response.status_code == 422
    assert "「氏名」の列を選んでください。" in response.content.decode()


@pytest.mark.parametrize("name", REFUSED)
def test_other_roles_get_403(personas, login, name):
    batch = validated_batch(personas["coordinator"])
    client = login(personas[name])
    for url in (
        reverse("linkage:import_list"),
        reverse("linkage:import_new"),
        reverse("linkage:import_detail", args=[batch.pk]),
        reverse("linkage:import_mapping", args=[batch.pk]),
        reverse("linkage:import_progress", args=[batch.pk]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("linkage:import_resume", args=[batch.pk]))
    assert response.status_code == 403
    assert "この画面を開く権限がありません" in response.content.decode()
    assert client.get(f"{API}/linkage/imports/{batch.pk}").status_code == 403
    batch.refresh_from_db()
    assert (batch.status, batch.processed) == (ImportStatus.VALIDATED, 0)
    assert Person.objects.count() == 0


def test_another_agencys_import_is_404_but_the_office_sees_it(personas, login, agencies):
    from conftest import make_persona
    from tsunagu.accounts.models import Role

    other = make_persona("coordinator2", agencies["csw"], Role.COORDINATOR)
    batch = validated_batch(personas["coordinator"])
    client = login(other)
    assert client.get(reverse("linkage:import_detail", args=[batch.pk])).status_code == 404
    assert client.get(reverse("linkage:import_progress", args=[batch.pk])).status_code == 404
    assert client.post(reverse("linkage:import_resume", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED and Person.objects.count() == 0
    assert client.get(f"{API}/linkage/imports/{batch.pk}").status_code == 404
    assert (
        f"import-row-{batch.pk}" not in client.get(reverse("linkage:import_list")).content.decode()
    )
    client = login(personas["officer"])
    assert client.get(reverse("linkage:import_detail", args=[batch.pk])).status_code == 200


# --- API --------------------------------------------------------------------------------


def test_api_upload_run_and_status(personas, login):
    client = login(personas["coordinator"])
    response = client.post(
        f"{API}/linkage/imports",
        {
            "file": csv_file(encoding="utf-8-sig"),
            "source_label": "介護",
            "mapping": json.dumps({"record_id": "利用者番号", "name": 1, "kana": 2, "dob": 3}),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "validated" and body["encoding_label"] == "UTF-8（BOM付き）"
    assert body["mapping"] == {
        "record_id": "利用者番号",
        "name": "氏名",
        "kana": "フリガナ",
        "dob": "生年月日",
    }
    assert Person.objects.count() == 0
    response = client.post(f"{API}/linkage/imports/{body['id']}/run")
    assert response.status_code == 202  # the test settings run the job at once
    done = response.json()
    assert done["status"] == "done" and done["percent"] == 100
    assert done["created"] == 2 and done["linkage_state"] == "matched"
    assert client.get(f"{API}/linkage/imports/{body['id']}").json()["created"] == 2
    assert AuditEvent.objects.filter(action="linkage.import_view").count() == 2


def test_api_row_errors_are_422_with_rows(personas, login):
    client = login(personas["officer"])
    response = client.post(
        f"{API}/linkage/imports", {"file": csv_file(BAD), "source_label": "介護"}
    )
    assert response.status_code == 422
    body = response.json()
    rows = body["errors"]["rows"]
    assert {"row": 4, "column": "氏名", "message": "氏名が空です。"} in rows
    assert any(r["column"] == "生年月日" for r in rows)
    assert "取り込んでいません" in body["detail"]
    assert client.post(f"{API}/linkage/imports/{body['id']}/run").status_code == 409
    assert Person.objects.count() == 0


def test_api_refuses_bad_mapping_and_other_roles(personas, login):
    client = login(personas["coordinator"])
    response = client.post(
        f"{API}/linkage/imports",
        {"file": csv_file(), "source_label": "介護", "mapping": json.dumps({"kana": 2})},
    )
    assert response.status_code == 422
    assert "mapping.name" in response.json()["errors"]
    client = login(personas["desk"])
    response = client.post(f"{API}/linkage/imports", {"file": csv_file(), "source_label": "x"})
    assert response.status_code == 403


def test_the_page_says_how_far_the_pairs_are_queued(personas, login):
    batch = validated_batch(personas["coordinator"])
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.LINKING,
        queued_at=timezone.now(),
        heartbeat_at=timezone.now(),
        job_token="worker",
        processed=4,
        total_steps=4,
        linkage={"state": "matched", "person_pairs": [[1, 2, 0.9]] * 5, "pairs_queued": 2},
    )
    client = login(personas["coordinator"])
    page = client.get(reverse("linkage:import_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="import-phase">名寄せ候補を確認待ちに登録中（2／5組）' in page
    assert "99%" in page  # not 100 until done
