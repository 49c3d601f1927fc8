"""The heartbeat of background jobs: claiming, beating, taking over a stale claim."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tsunagu.common import jobs
from tsunagu.linkage.models import ImportBatch
from tsunagu.linkage.services.imports import import_upload


@pytest.fixture
def row(personas):
    """A row with a heartbeat and a job token (a CSV import)."""
    batch = import_upload(
        by=personas["coordinator"].user,
        file=SimpleUploadedFile("a.csv", "番号,氏名\r\n1,山田\r\n".encode()),
        source_label="介護",
    )
    return ImportBatch.objects.filter(pk=batch.pk)


def test_one_live_claim_at_a_time_and_a_stale_one_is_taken_over(row):
    assert jobs.claim(row, token="a")
    assert not jobs.claim(row, token="b")  # a holds it and is alive
    assert jobs.beat(row, token="a")
    assert not jobs.beat(row, token="b")  # b never held it: it writes nothing
    row.update(heartbeat_at=timezone.now() - jobs.STALE_AFTER - datetime.timedelta(seconds=1))
    assert jobs.is_stale(row.get().heartbeat_at)
    assert jobs.claim(row, token="b")
    assert not jobs.beat(row, token="a")  # the old job finds out and stops
    assert jobs.beat(row, token="b", heartbeat_at=None, job_token="")  # the end: let go
    assert (row.get().heartbeat_at, row.get().job_token) == (None, "")
    assert not jobs.is_stale(None)


@pytest.mark.django_db(transaction=True)
def test_a_long_step_beats_from_a_thread(row, monkeypatch):
    monkeypatch.setattr(jobs, "BEAT_EVERY", datetime.timedelta(seconds=0.05))
    assert jobs.claim(row, token="a")
    row.update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=50))
    with jobs.Heartbeat(row, token="a"):
        time.sleep(0.5)  # one long computation, no chunk to beat at
    assert timezone.now() - row.get().heartbeat_at < datetime.timedelta(seconds=5)


def test_a_short_step_does_not_touch_the_database_from_the_thread(row, monkeypatch):
    before = row.get().heartbeat_at
    with jobs.Heartbeat(row, token="a"):
        pass
    assert row.get().heartbeat_at == before
