"""CSV import screens and API: personas, the mapping step, errors, progress polling, audit."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tsunagu.audit.models import AuditEvent
from tsunagu.linkage import imports
from tsunagu.linkage.models import ImportBatch, ImportStatus
from tsunagu.people.models import Person

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
    """Linkage itself is tested in test_imports; here it says why it did not run."""
    monkeypatch.setattr(
        imports, "_run_linkage", lambda batch, by: imports._skip_linkage(batch, by, "テスト")
    )


def csv_file(text=CSV, encoding="cp932"):
    return SimpleUploadedFile("export.csv", text.encode(encoding), content_type="text/csv")


def make_batch(persona, text=CSV):
    batch = imports.import_upload(by=persona.user, file=csv_file(text), source_label="介護")
    return batch


@pytest.mark.parametrize("name", ALLOWED)
def test_reviewers_walk_through_upload_mapping_progress_and_result(personas, login, name):
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
    assert 'hx-trigger="every 1s"' in page
    assert reverse("linkage:import_progress", args=[batch.pk]) in page
    assert Person.objects.count() == 0
    progress_url = reverse("linkage:import_progress", args=[batch.pk])
    for _ in range(5):
        fragment = client.get(progress_url, HTTP_HX_REQUEST="true")
        batch.refresh_from_db()
        if batch.status == ImportStatus.DONE:
            break
    assert batch.status == ImportStatus.DONE
    assert fragment["HX-Redirect"] == reverse("linkage:import_detail", args=[batch.pk])
    assert "every 1s" not in fragment.content.decode()  # polling stops
    page = client.get(reverse("linkage:import_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="count-created">2件' in page
    assert 'data-testid="linkage-skipped"' in page
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


def test_row_errors_are_listed_and_nothing_is_written(personas, login):
    client = login(personas["coordinator"])
    batch = make_batch(personas["coordinator"], BAD)
    client.post(
        reverse("linkage:import_mapping", args=[batch.pk]),
        {k: str(v) for k, v in batch.mapping.items()},
    )
    page = client.get(reverse("linkage:import_detail", args=[batch.pk])).content.decode()
    assert "4行目" in page and "氏名が空です。" in page
    assert "every 1s" not in page
    client.get(reverse("linkage:import_progress", args=[batch.pk]))
    assert Person.objects.count() == 0


def test_mapping_form_requires_the_name_column(personas, login):
    client = login(personas["coordinator"])
    batch = make_batch(personas["coordinator"])
    mapping = {k: str(v) for k, v in batch.mapping.items() if k != "name"}
    response = client.post(reverse("linkage:import_mapping", args=[batch.pk]), mapping)
    assert response.status_code == 422
    assert "「氏名」の列を選んでください。" in response.content.decode()


@pytest.mark.parametrize("name", REFUSED)
def test_other_roles_get_403(personas, login, name):
    batch = make_batch(personas["coordinator"])
    client = login(personas[name])
    for url in (
        reverse("linkage:import_list"),
        reverse("linkage:import_new"),
        reverse("linkage:import_detail", args=[batch.pk]),
        reverse("linkage:import_mapping", args=[batch.pk]),
        reverse("linkage:import_progress", args=[batch.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.get(f"{API}/linkage/imports/{batch.pk}").status_code == 403


def test_another_agencys_import_is_404_but_the_office_sees_it(personas, login, agencies):
    from conftest import make_persona
    from tsunagu.accounts.models import Role

    other = make_persona("coordinator2", agencies["csw"], Role.COORDINATOR)
    batch = make_batch(personas["coordinator"])
    client = login(other)
    assert client.get(reverse("linkage:import_detail", args=[batch.pk])).status_code == 404
    assert client.get(reverse("linkage:import_progress", args=[batch.pk])).status_code == 404
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
    assert response.status_code == 200
    done = response.json()
    assert done["status"] == "done" and done["percent"] == 100
    assert done["created"] == 2 and done["linkage_state"] == "skipped"
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
