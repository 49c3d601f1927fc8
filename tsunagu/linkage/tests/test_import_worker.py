"""The CSV import job through the real queue: the database backend stores the job with the
change that asks for it, and ``manage.py db_worker`` (as systemd runs it) carries it out."""

from __future__ import annotations

import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tsunagu.audit.models import AuditEvent
from tsunagu.linkage import matching
from tsunagu.linkage.models import ImportStatus
from tsunagu.linkage.selectors import imports as selectors
from tsunagu.linkage.services import imports
from tsunagu.people.models import Person

CSV = (
    "利用者番号,氏名,フリガナ,生年月日,性別\r\n"
    "A-1,山田 太郎,ヤマダ タロウ,昭和55年3月1日,男\r\n"
    "A-2,鈴木 花子,スズキ ハナコ,1990/4/5,女\r\n"
)


@pytest.fixture
def worker_signals():
    """``db_worker`` installs its own SIGINT/SIGTERM handlers: give pytest its own back."""
    names = [s for s in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, s)]
    saved = {name: signal.getsignal(getattr(signal, name)) for name in names}
    yield
    for name, handler in saved.items():
        signal.signal(getattr(signal, name), handler)


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_queued_import(personas, settings, monkeypatch, worker_signals):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(matching, "score_pairs", lambda records, pool: ([], "stored"))
    by = personas["coordinator"].user
    batch = imports.import_upload(
        by=by, file=SimpleUploadedFile("a.csv", CSV.encode()), source_label="介護"
    )
    batch = imports.import_map(by=by, batch=batch, mapping=batch.mapping)
    batch = imports.import_validate(by=by, batch=batch)
    batch = imports.import_start(by=by, batch=batch)
    assert selectors.progress(batch)["job"] == "waiting"
    assert Person.objects.count() == 0
    job = DBTaskResult.objects.get()
    assert job.status == "READY" and job.args_kwargs["args"] == [batch.pk]
    imports.import_start(by=by, batch=batch)  # asked again while waiting: still one job
    assert DBTaskResult.objects.count() == 1

    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE, batch.error_summary
    assert (batch.created_count, batch.heartbeat_at, batch.job_token) == (2, None, "")
    assert Person.objects.count() == 2
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL" and job.return_value == ImportStatus.DONE
    # the worker's events name the uploader and the agency the file came from
    event = AuditEvent.objects.get(action="linkage.import_persons")
    assert (event.actor_id, event.acting_agency_id) == (by.pk, batch.agency_id)
