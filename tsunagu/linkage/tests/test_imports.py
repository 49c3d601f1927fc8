"""CSV import services: reading the file, mapping, per-row validation, persons, linkage."""

from __future__ import annotations

import datetime
import importlib.util
import io
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.common.errors import RuleBroken
from tsunagu.linkage import csvfile, matching
from tsunagu.linkage.csvfile import suggest_mapping
from tsunagu.linkage.models import (
    CandidateStatus,
    ImportBatch,
    ImportOutcome,
    ImportStatus,
    MatchCandidate,
)
from tsunagu.linkage.selectors import imports as selectors
from tsunagu.linkage.services import imports
from tsunagu.linkage.services.imports import (
    import_map,
    import_start,
    import_upload,
    import_validate,
    import_work,
)
from tsunagu.people.models import Person
from tsunagu.people.services import person_create

HEADER = "利用者番号,氏名,フリガナ,生年月日,性別,住所,電話番号\r\n"
GOOD = HEADER + (
    "A-1,山田 太郎,ヤマダ タロウ,昭和55年3月1日,男,岐阜市今沢町1-2-3,058-123-4567\r\n"
    "A-2,鈴木 花子,スズキ ハナコ,1990/4/5,女,岐阜市柳ケ瀬通一丁目,\r\n"
)


def upload(by, text: str | bytes, *, name="export.csv", encoding="utf-8", label="介護システム"):
    data = text if isinstance(text, bytes) else text.encode(encoding)
    return import_upload(by=by, file=SimpleUploadedFile(name, data), source_label=label)


def validated(by, text, **kwargs):
    batch = upload(by, text, **kwargs)
    batch = import_map(by=by, batch=batch, mapping=batch.mapping)
    return import_validate(by=by, batch=batch)


def import_run(*, by, batch):
    """Start the job (the test settings run it at once) and answer the batch it left."""
    return import_start(by=by, batch=batch)


# --- reading the file -------------------------------------------------------------------


def test_utf8_with_bom_is_read_and_named(personas):
    batch = upload(personas["coordinator"].user, GOOD, encoding="utf-8-sig")
    assert batch.encoding == "utf-8-sig"
    assert csvfile.encoding_label(batch.encoding) == "UTF-8（BOM付き）"
    assert batch.header[0] == "利用者番号"  # no BOM left in the first header cell
    assert batch.row_count == 2
    assert batch.agency == personas["coordinator"].agency
    assert batch.status == ImportStatus.UPLOADED


def test_cp932_file_is_read(personas):
    batch = upload(personas["coordinator"].user, GOOD.replace("山田", "髙橋"), encoding="cp932")
    assert batch.encoding == "cp932"
    assert csvfile.encoding_label(batch.encoding) == "Shift_JIS（CP932）"
    _header, rows = csvfile.batch_rows(batch)
    assert rows[0][1] == "髙橋 太郎"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("name;kana\ncafé;x\n".encode("latin-1") + b"\xe9\xff", "文字コードを判別できません"),
        (b"PK\x03\x04\x14\x00\x00\x00binary", "CSVファイルではない"),
        (b"", "ファイルが空です"),
        ("氏名\n山田\n".encode(), "見出し行がありません"),
        (HEADER.encode(), "データの行がありません"),
    ],
)
def test_unreadable_files_are_refused_in_japanese(personas, data, message):
    with pytest.raises(ValidationError) as exc:
        upload(personas["coordinator"].user, data)
    assert message in exc.value.message_dict["file"][0]


def test_too_many_rows_are_refused(personas, monkeypatch):
    monkeypatch.setattr(csvfile, "MAX_ROWS", 1)
    with pytest.raises(ValidationError) as exc:
        upload(personas["coordinator"].user, GOOD)
    assert "1回に取り込めるのは" in exc.value.message_dict["file"][0]


def test_too_big_file_is_refused(personas, monkeypatch):
    monkeypatch.setattr(csvfile, "MAX_BYTES", 10)
    with pytest.raises(ValidationError) as exc:
        upload(personas["coordinator"].user, GOOD)
    assert "ファイルが大きすぎます" in exc.value.message_dict["file"][0]


def test_only_reviewers_import(personas):
    for name in ("desk", "outreach", "admin", "guest", "unrelated"):
        with pytest.raises(PermissionDenied):
            upload(personas[name].user, GOOD)
    assert upload(personas["officer"].user, GOOD).pk


# --- mapping ----------------------------------------------------------------------------


def test_mapping_is_suggested_from_header_names():
    header = [
        "No",
        "氏名カナ",
        "氏名（漢字）",
        "ｾｲﾈﾝｶﾞｯﾋﾟ",
        "生年月日",
        "性別",
        "現住所",
        "TEL",
        "備考",
    ]
    assert suggest_mapping(header) == {
        "record_id": 0,
        "name": 2,
        "kana": 1,
        "dob": 4,
        "sex": 5,
        "address": 6,
        "phone": 7,
    }
    assert suggest_mapping(["id", "name", "kana", "dob"]) == {
        "record_id": 0,
        "name": 1,
        "kana": 2,
        "dob": 3,
    }


def test_mapping_requires_name_kana_and_record_id_and_distinct_columns(personas):
    by = personas["coordinator"].user
    batch = upload(by, GOOD)
    with pytest.raises(ValidationError) as exc:
        import_map(by=by, batch=batch, mapping={"name": 1, "kana": 1})
    errors = exc.value.message_dict
    assert "「取込元の番号」の列を選んでください。" in errors["record_id"]
    assert "にも選ばれています" in errors["kana"][0]
    with pytest.raises(ValidationError) as exc:
        import_map(by=by, batch=batch, mapping={"record_id": 0, "name": 99, "kana": 2})
    assert "name" in exc.value.message_dict
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UPLOADED


# --- validation -------------------------------------------------------------------------


def test_per_row_errors_and_nothing_written(personas):
    by = personas["coordinator"].user
    persons_before = Person.objects.count()
    text = HEADER + (
        "A-1,山田 太郎,ヤマダ タロウ,昭和55年3月1日,男,,\r\n"
        "A-2,,スズキ ハナコ,1990/4/5,女,,\r\n"
        "A-3,佐藤 一郎,サトウ イチロウ,平成99年13月1日,男,,\r\n"
        "A-1,田中 次郎,タナカ ジロウ,2100-01-01,男,,\r\n"
        f"A-5,{'長' * 101},チョウ,,不詳,,\r\n"
    )
    batch = validated(by, text)
    assert batch.status == ImportStatus.INVALID
    found = {(e["row"], e["column"]) for e in batch.errors}
    assert (3, "氏名") in found  # the header is row 1
    assert (4, "生年月日") in found
    assert (5, "利用者番号") in found
    assert (5, "生年月日") in found
    assert (6, "氏名") in found
    assert (6, "性別") in found
    messages = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    assert messages[(5, "利用者番号")] == "取込元の番号「A-1」が2行目と重複しています。"
    assert "未来の日付" in messages[(5, "生年月日")]
    assert "100文字以内" in messages[(6, "氏名")]
    assert (2, "氏名") not in found
    assert "取り込んでいません" in batch.error_summary
    assert Person.objects.count() == persons_before
    assert batch.records.count() == 0
    with pytest.raises(RuleBroken):
        import_start(by=by, batch=batch)
    assert import_work(batch.pk) == "busy"  # nothing for a job to do
    batch.refresh_from_db()
    assert batch.status == ImportStatus.INVALID
    assert Person.objects.count() == persons_before


# --- persons and linkage ----------------------------------------------------------------


def test_successful_import_creates_and_matches_persons(personas, monkeypatch):
    persons_while_matching = []

    def score_pairs(records, pool):
        persons_while_matching.append(Person.objects.count())
        return [], "stored"

    monkeypatch.setattr(matching, "score_pairs", score_pairs)
    by = personas["coordinator"].user
    existing = person_create(
        by=personas["officer"].user,
        name="山田　太郎",  # another width of space: the same key
        name_kana="やまだ たろう",
        birth_date=datetime.date(1980, 3, 1),
    )
    batch = validated(by, GOOD)
    assert batch.status == ImportStatus.VALIDATED
    assert batch.records.count() == 2
    assert Person.objects.count() == 1  # validation writes no person
    batch = import_run(batch=batch, by=by)
    assert persons_while_matching == [1]  # matching comes first and writes nothing
    assert batch.status == ImportStatus.DONE
    rows = {r.record_id: r for r in batch.records.all()}
    assert rows["A-1"].person == existing
    assert rows["A-1"].outcome == ImportOutcome.MATCHED_EXISTING
    created = rows["A-2"].person
    assert rows["A-2"].outcome == ImportOutcome.CREATED
    assert created.registered_by_agency == personas["coordinator"].agency
    assert created.birth_date == datetime.date(1990, 4, 5)
    assert created.sex == "female"
    assert rows["A-2"].raw[0] == "A-2"
    assert (batch.created_count, batch.matched_count) == (1, 1)
    assert batch.percent == 100 and batch.finished_at
    assert (batch.heartbeat_at, batch.job_token) == (None, "")  # the job let go
    assert batch.linkage["state"] == "matched" and batch.linkage["method"] == "stored"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "linkage.import_upload",
        "linkage.import_map",
        "linkage.import_validate",
        "linkage.import_persons",
        "linkage.import_link",
        "linkage.import_done",
    } <= actions
    event = AuditEvent.objects.get(action="linkage.import_persons")
    assert set(event.person_ids) == {existing.pk, created.pk}
    create = AuditEvent.objects.get(action="person.create", target_id=str(created.pk))
    assert create.purpose == "CSV取込"


def _failing_at(monkeypatch, row: int, error: Exception):
    """``person_create_for`` raising ``error`` for the ``row``-th person it is asked for
    (once), and the record ids it was asked for."""
    calls = []
    real = imports.person_create_for

    def flaky(by, batch, record):
        calls.append(record.record_id)
        if len(calls) == row:
            raise error
        return real(by, batch, record)

    monkeypatch.setattr(imports, "person_create_for", flaky)
    return calls


def test_a_row_refused_in_the_first_chunk_leaves_nothing_of_the_file(personas, monkeypatch):
    by = personas["coordinator"].user
    batch = validated(by, GOOD)
    calls = _failing_at(monkeypatch, 2, ValidationError({"name": "テスト用の失敗"}))
    batch = import_run(batch=batch, by=by)
    assert len(calls) == 2
    assert batch.status == ImportStatus.FAILED
    assert "1件も登録していません" in batch.error_summary
    assert "3行目" in batch.error_summary
    assert Person.objects.count() == 0
    assert not batch.records.exclude(person=None).exists()
    assert AuditEvent.objects.filter(action="linkage.import_fail").exists()


def test_a_row_refused_later_keeps_the_committed_chunks_and_says_so(personas, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 1)
    monkeypatch.setattr(imports, "SQLITE_CHUNK", 1)
    by = personas["coordinator"].user
    batch = validated(by, GOOD)
    _failing_at(monkeypatch, 2, ValidationError({"name": "テスト用の失敗"}))
    batch = import_run(batch=batch, by=by)
    assert batch.status == ImportStatus.FAILED
    assert "3行目" in batch.error_summary
    assert "それまでの1行は登録済みです" in batch.error_summary
    assert Person.objects.count() == 1
    assert list(batch.records.exclude(person=None).values_list("record_id", flat=True)) == ["A-1"]
    assert batch.created_count == 1
    assert import_work(batch.pk) == "busy"  # failed is final: no job takes it up again


def test_an_unexpected_error_interrupts_and_resuming_goes_on_from_the_next_row(
    personas, monkeypatch
):
    monkeypatch.setattr(imports, "CHUNK", 1)
    monkeypatch.setattr(imports, "SQLITE_CHUNK", 1)
    by = personas["coordinator"].user
    batch = validated(by, GOOD)
    calls = _failing_at(monkeypatch, 2, RuntimeError("connection lost"))
    batch = import_run(batch=batch, by=by)
    assert batch.status == ImportStatus.LINKING  # not failed: it waits to be resumed
    progress = selectors.progress(batch)
    assert progress["job"] == "interrupted" and progress["can_resume"]
    assert "中断" in progress["phase"] and "connection" not in progress["phase"]
    assert Person.objects.count() == 1
    assert AuditEvent.objects.filter(action="linkage.import_interrupt").count() == 1
    batch = import_start(by=by, batch=batch)
    assert batch.status == ImportStatus.DONE, batch.error_summary
    assert calls == ["A-1", "A-2", "A-2"]  # the first row is not written twice
    assert Person.objects.count() == 2
    assert (batch.created_count, batch.matched_count) == (2, 0)
    assert batch.error_summary == ""
    assert AuditEvent.objects.filter(action="linkage.import_resume").count() == 1


def test_a_crashed_job_shows_within_a_minute_and_a_live_one_is_never_doubled(
    personas, monkeypatch, held_jobs
):
    monkeypatch.setattr(matching, "score_pairs", lambda records, pool: ([], "stored"))
    by = personas["coordinator"].user
    batch = import_start(by=by, batch=validated(by, GOOD))
    assert selectors.progress(batch)["job"] == "waiting"
    assert import_start(by=by, batch=batch).queued_at == batch.queued_at  # a double click
    now = timezone.now()
    # a worker holds it and beat 30 s ago: running; another job finds it busy
    ImportBatch.objects.filter(pk=batch.pk).update(
        heartbeat_at=now - datetime.timedelta(seconds=30), job_token="worker-a"
    )
    batch.refresh_from_db()
    assert selectors.progress(batch)["job"] == "running"
    assert import_work(batch.pk) == "busy"
    assert import_start(by=by, batch=batch).job_token == "worker-a"
    # its last beat is 61 s old: it died, the page says so, and a new job takes over
    ImportBatch.objects.filter(pk=batch.pk).update(
        heartbeat_at=now - datetime.timedelta(seconds=61)
    )
    batch.refresh_from_db()
    assert selectors.progress(batch)["job"] == "interrupted"
    assert selectors.progress(batch)["can_resume"]
    assert import_work(batch.pk) == ImportStatus.DONE
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and Person.objects.count() == 2
    # the first job, were it alive after all, can no longer write
    assert not ImportBatch.objects.filter(pk=batch.pk, job_token="worker-a").exists()


def test_no_worker_within_a_minute_is_said_and_may_be_asked_again(personas, held_jobs):
    by = personas["coordinator"].user
    batch = import_start(by=by, batch=validated(by, GOOD))
    ImportBatch.objects.filter(pk=batch.pk).update(
        queued_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    batch.refresh_from_db()
    progress = selectors.progress(batch)
    assert progress["job"] == "waiting_long" and progress["can_resume"]
    assert "事務局" in progress["phase"]


def test_small_import_needs_no_splink_and_training_failure_falls_back(personas, monkeypatch):
    by = personas["coordinator"].user
    import tsunagu.linkage

    # whether or not an earlier test already loaded the module, Splink is unavailable
    monkeypatch.setitem(sys.modules, "tsunagu.linkage.batch", None)
    monkeypatch.delattr(tsunagu.linkage, "batch", raising=False)
    batch = import_run(by=by, batch=validated(by, GOOD))
    assert batch.status == ImportStatus.DONE
    assert (batch.linkage["state"], batch.linkage["method"]) == ("matched", "stored")
    assert Person.objects.count() == 2
    # a batch large enough to train, where training fails: the stored weights, not a failure
    monkeypatch.setattr(matching, "TRAIN_FROM", 2)
    batch = import_run(by=by, batch=validated(by, GOOD.replace("A-", "B-")))
    assert batch.status == ImportStatus.DONE, batch.error_summary
    assert batch.linkage["method"] == "stored"
    assert batch.matched_count == 2


def test_a_single_row_into_an_empty_register_has_nothing_to_compare(personas):
    by = personas["coordinator"].user
    batch = import_run(by=by, batch=validated(by, GOOD.rsplit("A-2", 1)[0]))
    assert batch.status == ImportStatus.DONE
    assert batch.linkage["state"] == "skipped"
    assert selectors.progress(batch)["linkage_skipped_reason"] == "比べる記録が2件未満です。"
    assert Person.objects.count() == 1


GENERATOR = Path(__file__).resolve().parents[3] / "bench" / "linkage" / "generate.py"


def _population(n: int):
    spec = importlib.util.spec_from_file_location("linkage_generate_imports", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.generate(n, seed=7)


def test_known_duplicate_becomes_a_pending_candidate_with_progress(personas, monkeypatch):
    pytest.importorskip("splink")
    by = personas["coordinator"].user
    rows, truth = _population(240)
    lines = ["source,record_id,name,kana,dob,sex,address,phone"]
    for row in rows:
        if not row[3].strip():
            row[3] = "ヨミ フメイ"
        lines.append(",".join(cell.replace(",", " ") for cell in row))
    batch = validated(by, "\n".join(lines) + "\n")
    assert batch.status == ImportStatus.VALIDATED, batch.errors[:3]
    seen = []
    real = imports._write_chunk

    def watched(batch, by, token, chunk):
        more = real(batch, by, token, chunk)
        seen.append(ImportBatch.objects.get(pk=batch.pk).percent)
        return more

    monkeypatch.setattr(imports, "_write_chunk", watched)
    monkeypatch.setattr(imports, "CHUNK", 50)
    monkeypatch.setattr(imports, "SQLITE_CHUNK", 50)
    batch = import_run(batch=batch, by=by)
    assert batch.status == ImportStatus.DONE
    assert len(seen) >= 5  # one committed chunk of 50 rows after another
    # matching is half the work; each chunk moves the bar; 100 only once done
    assert seen[0] > 50 and seen[:-1] == sorted(set(seen[:-1])) and seen[-1] == 99
    assert batch.percent == 100
    assert batch.linkage["state"] == "matched", batch.linkage
    pending = MatchCandidate.objects.filter(status=CandidateStatus.PENDING, origin="batch")
    assert pending.exists()
    assert batch.queued_count > 0
    # a pair the generator says is one person, written twice in the file
    person_of = {r.record_id: r.person_id for r in batch.records.all()}
    truth_of = {t[1]: t[2] for t in truth}
    same = {
        frozenset((person_of[a], person_of[b]))
        for a in person_of
        for b in person_of
        if a < b and truth_of[a] == truth_of[b] and person_of[a] != person_of[b]
    }
    pairs = {frozenset((c.person_a_id, c.person_b_id)) for c in pending}
    assert same & pairs
    assert not MatchCandidate.objects.exclude(status=CandidateStatus.PENDING).exists()


def test_each_row_has_one_outcome_and_only_new_persons_wait_for_review(personas, monkeypatch):
    """A row matched to an existing person stays 「既存の本人と一致」 even when that person is
    in a pending pair; the counts of the rows add up to the file."""

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

    # rows 2 and 3 of the file, each paired with the registered 鈴木 花子
    pairs = [["r2", f"p{other.pk}", 0.6], [f"p{other.pk}", "r3", 0.8]]
    monkeypatch.setattr(matching, "score_pairs", lambda records, pool: (pairs, "stored"))
    by = personas["coordinator"].user
    batch = import_run(by=by, batch=validated(by, GOOD))
    assert batch.status == ImportStatus.DONE
    assert {r.record_id: r.outcome for r in batch.records.all()} == {
        "A-1": ImportOutcome.MATCHED_EXISTING,
        "A-2": ImportOutcome.QUEUED_FOR_REVIEW,
    }
    assert (batch.created_count, batch.matched_count, batch.queued_count) == (1, 1, 1)
    result = selectors.import_results([batch.pk])[batch.pk]
    assert (result.created, result.matched, result.queued) == (0, 1, 1)
    assert (result.new_persons, result.rows) == (1, batch.row_count)
    assert selectors.OUTCOME_LABELS[ImportOutcome.QUEUED_FOR_REVIEW] == "新規登録・名寄せ確認待ち"


def test_pairs_are_queued_in_chunks_and_a_resume_queues_each_once(personas, monkeypatch):
    officer = personas["officer"].user
    other = person_create(
        by=officer,
        name="鈴木 花子",
        name_kana="スズキ ハナコ",
        birth_date=datetime.date(1990, 4, 6),
    )
    pairs = [["r2", f"p{other.pk}", 0.6], [f"p{other.pk}", "r3", 0.8], ["r2", "r3", 0.5]]
    monkeypatch.setattr(matching, "score_pairs", lambda records, pool: (pairs, "stored"))
    monkeypatch.setattr(imports, "PAIR_CHUNK", 1)
    real = imports.candidates_from_pairs
    calls = []

    def flaky(chunk, **kwargs):
        calls.append(len(chunk))
        if len(calls) == 2:
            raise RuntimeError("connection lost")
        return real(chunk, **kwargs)

    monkeypatch.setattr(imports, "candidates_from_pairs", flaky)
    by = personas["coordinator"].user
    batch = import_run(by=by, batch=validated(by, GOOD))
    assert selectors.progress(batch)["job"] == "interrupted"
    assert batch.linkage["pairs_queued"] == 1
    assert MatchCandidate.objects.count() == 1
    batch = import_start(by=by, batch=batch)
    assert batch.status == ImportStatus.DONE, batch.error_summary
    assert calls == [1, 1, 1, 1]  # the first pair is not queued again
    assert MatchCandidate.objects.count() == 3
    assert (batch.linkage["added"], batch.linkage.get("existing", 0)) == (3, 0)
    assert "person_pairs" not in batch.linkage and "pairs_queued" not in batch.linkage
    events = AuditEvent.objects.filter(action="linkage.import_queue")
    assert events.count() == 3


# --- the matching step never fails quietly ----------------------------------------------

MORI = HEADER + (
    "K-1,森 ふみ,モリ フミ,昭和13年5月2日,女,岐阜市金町5丁目3番9号,058-262-1234\r\n"
    "K-2,今井 健,イマイ ケン,1975/6/7,男,岐阜市長良1-1-1,\r\n"
    "K-3,小川 さやか,オガワ サヤカ,2001/2/3,女,,090-1111-2222\r\n"
)


def test_tiny_cp932_import_finds_the_registered_person(personas):
    """Three rows are too few to train a model: the stored weights find 森 フミ."""
    existing = person_create(
        by=personas["officer"].user,
        name="森 フミ",
        name_kana="モリ フミ",
        birth_date=datetime.date(1938, 5, 2),
        sex="female",
        phone="058-262-1234",
    )
    by = personas["coordinator"].user
    batch = import_run(by=by, batch=validated(by, MORI, encoding="cp932"))
    assert batch.status == ImportStatus.DONE, batch.error_summary
    assert batch.linkage["state"] != "skipped", batch.linkage
    mori = batch.records.get(record_id="K-1")
    if mori.person_id == existing.pk:
        return  # matched outright
    assert mori.outcome == ImportOutcome.QUEUED_FOR_REVIEW
    pair = MatchCandidate.objects.get(
        person_a__in=[existing, mori.person], person_b__in=[existing, mori.person]
    )
    assert pair.status == CandidateStatus.PENDING
    assert pair.match_probability >= 0.99  # same reading, date of birth and phone: 高


def test_matching_failure_leaves_the_import_unapplied_with_a_japanese_message(
    personas, monkeypatch
):
    person_create(by=personas["officer"].user, name="森 フミ", name_kana="モリ フミ")
    before = set(Person.objects.values_list("pk", flat=True))

    def broken(*args, **kwargs):
        raise RuntimeError("EMTrainingException: Training rule resulted in no record pairs")

    monkeypatch.setattr(matching, "score_pairs", broken)
    by = personas["coordinator"].user
    batch = import_run(by=by, batch=validated(by, MORI, encoding="cp932"))
    assert batch.status == ImportStatus.FAILED
    assert set(Person.objects.values_list("pk", flat=True)) == before
    assert not MatchCandidate.objects.exists()
    assert not batch.records.exclude(person=None).exists()
    summary = batch.error_summary
    assert "名寄せ" in summary and "取り込んでいません" in summary
    assert "Exception" not in summary and "Training" not in summary
    assert selectors.progress(batch)["status"] == "failed"
    assert AuditEvent.objects.filter(action="linkage.import_fail").exists()


def test_cron_resumes_a_crashed_import_but_not_one_stopped_by_an_error(
    personas, monkeypatch, held_jobs
):
    from django.core.management import call_command

    monkeypatch.setattr(matching, "score_pairs", lambda records, pool: ([], "stored"))
    by = personas["coordinator"].user
    crashed = import_start(by=by, batch=validated(by, GOOD))
    errored = import_start(by=by, batch=validated(by, GOOD.replace("A-", "B-")))
    alive = import_start(by=by, batch=validated(by, GOOD.replace("A-", "C-")))
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    ImportBatch.objects.filter(pk=crashed.pk).update(heartbeat_at=long_ago, job_token="dead")
    ImportBatch.objects.filter(pk=errored.pk).update(error_summary=imports.INTERRUPTED)
    ImportBatch.objects.filter(pk=alive.pk).update(heartbeat_at=timezone.now(), job_token="w")
    out = io.StringIO()
    call_command("import_resume_crashed", stdout=out)
    assert out.getvalue().strip() == f"CSV取込 #{crashed.pk} の取り込みを再開しました。"
    crashed.refresh_from_db()
    assert selectors.progress(crashed)["job"] == "waiting" and crashed.job_token == ""
    event = AuditEvent.objects.get(action="linkage.import_resume", target_id=str(crashed.pk))
    assert event.actor_id is None and event.context["was"] == "interrupted"
    errored.refresh_from_db()
    alive.refresh_from_db()
    assert selectors.progress(errored)["job"] == "interrupted"  # left to a person
    assert alive.job_token == "w"
    call_command("import_resume_crashed", stdout=out)  # nothing more to do
    assert AuditEvent.objects.filter(action="linkage.import_resume").count() == 1
