"""Backup while the application writes, restore into a second, fresh database, and the
restore's refusals. On SQLite the application's database is a WAL file (a copy of the test
database's schema); on PostgreSQL (``DATABASE_URL``) it is the test database itself and the
restore goes into a scratch database created beside it."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from conftest import make_agency, make_persona
from tsunagu.accounts.models import Area, Role
from tsunagu.audit import checkpoint
from tsunagu.audit.models import AuditChainHead, AuditEvent
from tsunagu.audit.services import audit_record, audit_seal, audit_verify_chain
from tsunagu.grants.maintain import verify as grants_verify
from tsunagu.operations import backups
from tsunagu.people.models import Person
from tsunagu.people.services import person_create

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRES = connection.vendor == "postgresql"
KANA = ("ヤマダ タロウ", "スズキ ハナコ", "サトウ イチロウ", "タカハシ ユミ", "タナカ ジロウ")
NAMES = ("山田 太郎", "鈴木 花子", "佐藤 一郎", "髙橋 由美", "田中 次郎")


@contextmanager
def database(name: str):
    """Point the default database at ``name`` meanwhile: this thread's connection and the
    connections that other threads open."""
    original = connections["default"]
    saved = connections.settings["default"]
    settings_dict = {**saved, "NAME": name}
    wrapper = original.__class__(settings_dict, "default")
    connections.settings["default"] = settings_dict
    connections["default"] = wrapper
    try:
        yield
    finally:
        wrapper.close()
        connections["default"] = original
        connections.settings["default"] = saved


def _copy_sqlite(name: str, target: Path) -> None:
    source = sqlite3.connect(name, uri=name.startswith("file:"))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _postgres_admin(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.fixture
def source(tmp_path):
    """The application's database, which the backup reads while it is written."""
    if POSTGRES:
        yield connection.settings_dict["NAME"]
        return
    path = tmp_path / "source.sqlite3"
    _copy_sqlite(str(connection.settings_dict["NAME"]), path)
    with database(str(path)):
        yield str(path)


@pytest.fixture
def scratch(tmp_path, source):
    """A second, fresh database to restore into (its name)."""
    if not POSTGRES:
        yield str(tmp_path / "restored.sqlite3")
        return
    name = f"{source}_restore"
    _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _postgres_admin(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    try:
        yield name
    finally:
        _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "imports").mkdir(parents=True)
    (settings.MEDIA_ROOT / "imports" / "介護.csv").write_text("氏名\n山田 太郎\n", encoding="utf-8")
    return settings.MEDIA_ROOT


def _seed():
    city = Area.objects.create(code="city", name="テスト市全域", kind="city")
    desk = make_persona(
        "desk",
        make_agency("houkatsu", "地域包括支援センター中央", city, "elderly"),
        Role.DESK_WORKER,
    )
    make_persona("office", make_agency("office", "重層的支援推進室", city), Role.MUNICIPAL_OFFICER)
    for name, kana in zip(NAMES, KANA, strict=True):
        _register(desk, name, kana)
    audit_seal()
    return desk


def _register(desk, name, kana):
    """One registration and one read of it, in one transaction: two audit events a person."""
    with transaction.atomic():
        person = person_create(by=desk.user, name=name, name_kana=kana)
        audit_record(actor=desk.user, action="person.view", target=person, persons=[person])


def _writer(desk, stop: threading.Event, written: list):
    def run():
        try:
            n = 0
            while not stop.is_set():
                _register(desk, NAMES[n % 5], KANA[n % 5])
                n += 1
                written.append(n)
        except Exception as exc:  # pragma: no cover - reported by the test
            written.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _backup_while_writing(tmp_path, desk):
    stop, written = threading.Event(), []
    thread = _writer(desk, stop, written)
    try:
        deadline = time.monotonic() + 10
        while len(written) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        before = len(written)
        folder, manifest = backups.create_backup(tmp_path / "backups")
        after = len(written)
        time.sleep(0.2)  # and the application goes on writing
    finally:
        stop.set()
        thread.join(30)
    errors = [item for item in written if isinstance(item, Exception)]
    assert not errors, errors
    assert after > 0 and len(written) > before, "nothing was written around the backup"
    return folder, manifest


def _restore(folder, *args, stderr=None):
    out, err = _Text(), stderr or _Text()
    call_command("restore", str(folder), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class _Text:
    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def flush(self):
        pass

    def getvalue(self):
        return "".join(self.parts)


def test_a_backup_taken_while_the_application_writes_restores_whole(
    tmp_path, source, scratch, media
):
    desk = _seed()
    base_persons, base_events = Person.objects.count(), AuditEvent.objects.count()

    folder, manifest = _backup_while_writing(tmp_path, desk)

    assert folder.name.startswith("tsunagu-") and folder.parent == tmp_path / "backups"
    assert not list((tmp_path / "backups").glob(".*")), "the temporary folder is left"
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["version"] and manifest["migrations"]["audit"]
    database_file = "database.dump" if POSTGRES else "database.sqlite3"
    assert set(manifest["files"]) == {database_file, "media.tar"}
    # one snapshot: every registration is in it with both of its events, and the chain head
    # is the last of the seals it holds
    tables = manifest["tables"]
    persons = tables["people_person"]
    assert persons > base_persons
    assert tables["audit_auditevent"] - base_events == 2 * (persons - base_persons)
    assert manifest["audit_chain_head"]["seq"] == tables["audit_auditseal"]
    # the application went on writing after the snapshot
    assert Person.objects.count() > persons

    shutil.rmtree(media)
    with database(scratch):
        out, err = _restore(folder)
        assert "復元が完了し、すべての確認が一致しました。" in out, (out, err)
        assert "行数がマニフェストと一致しました" in out
        assert backups.count_rows(tables) == tables
        assert Person.objects.count() == persons
        head = AuditChainHead.objects.get()
        assert (head.seq, head.hash) == tuple(manifest["audit_chain_head"].values())
        report = audit_verify_chain()
        assert report.ok, report.describe()
        assert report.checked + report.unsealed == tables["audit_auditevent"]
        assert grants_verify() == []
    assert (media / "imports" / "介護.csv").read_text(encoding="utf-8") == "氏名\n山田 太郎\n"


def test_a_database_with_records_is_replaced_only_with_yes(
    tmp_path, source, scratch, media, monkeypatch
):
    desk = _seed()
    folder, manifest = backups.create_backup(tmp_path / "backups")
    with database(scratch):
        _restore(folder)
    _register(desk, "伊藤 三郎", "イトウ サブロウ")  # the source moves on after its backup
    (media / "imports" / "新しい.csv").write_text("x", encoding="utf-8")
    persons = Person.objects.count()

    with pytest.raises(CommandError) as refused:
        _restore(folder)
    assert refused.value.returncode == 2
    assert "記録（利用者または監査ログ）があります" in str(refused.value)
    assert "--yes" in str(refused.value)
    assert Person.objects.count() == persons  # untouched
    # at a terminal, the operator is asked and must answer yes
    prompts = []
    monkeypatch.setattr("sys.stdin", type("Tty", (), {"isatty": lambda self: True})())
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or "はい")
    with pytest.raises(CommandError, match="復元を中止しました") as refused:
        _restore(folder)
    assert refused.value.returncode == 2
    assert "いまの記録はすべて失われます" in prompts[0] and "yes と入力" in prompts[0]
    assert Person.objects.count() == persons
    monkeypatch.undo()

    out, _ = _restore(folder, "--yes")
    assert "すべての確認が一致しました" in out
    assert Person.objects.count() == manifest["tables"]["people_person"] == persons - 1
    assert audit_verify_chain().ok
    # the uploaded files of before the restore are kept beside the restored folder
    kept = list(media.parent.glob("media.before-restore-*"))  # one for each restore
    assert len(kept) == 2 and any((k / "imports" / "新しい.csv").exists() for k in kept)
    assert not (media / "imports" / "新しい.csv").exists()
    # a restored database holding records is refused too (the audit tables' triggers are
    # back in it), and replaced again with --yes
    with database(scratch):
        with pytest.raises(CommandError):
            _restore(folder)
        out, _ = _restore(folder, "--yes")
        assert "すべての確認が一致しました" in out


def test_a_changed_file_is_refused_before_anything_is_touched(tmp_path, source, scratch):
    _seed()
    folder, manifest = backups.create_backup(tmp_path / "backups")
    database_file = folder / manifest["database"]["file"]
    data = bytearray(database_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database_file.write_bytes(bytes(data))
    with database(scratch):
        with pytest.raises(CommandError) as refused:
            _restore(folder, "--yes")
        assert refused.value.returncode == 2
        assert f"{database_file.name} の SHA-256 がマニフェストと一致しません" in str(refused.value)
        assert "復元を中止しました" in str(refused.value)
        assert not backups.database_holds_data()

    database_file.unlink()
    with pytest.raises(CommandError, match="がありません。復元を中止しました") as missing:
        _restore(folder)
    assert missing.value.returncode == 2


def test_the_manifest_is_checked(tmp_path, source, scratch):
    _seed()
    folder, manifest = backups.create_backup(tmp_path / "backups")
    path = folder / "manifest.json"
    with database(scratch):
        for changed, message in (
            ({**manifest, "format": 99}, "形式（99）"),
            (
                {**manifest, "database": {**manifest["database"], "vendor": "oracle"}},
                "同じ種類のデータベースにだけ復元できます",
            ),
            ({k: v for k, v in manifest.items() if k != "tables"}, "必要な項目がありません"),
            (
                {**manifest, "migrations": {**manifest["migrations"], "people": "9999_future"}},
                "この版にないマイグレーション: people.9999_future",
            ),
        ):
            path.write_text(json.dumps(changed), encoding="utf-8")
            with pytest.raises(CommandError, match=message) as refused:
                _restore(folder)
            assert refused.value.returncode == 2
        path.unlink()
        with pytest.raises(CommandError, match=r"manifest\.json がありません") as refused:
            _restore(folder)
        assert refused.value.returncode == 2
        assert not backups.database_holds_data()


def test_a_restore_that_fails_midway_leaves_the_database_as_it_was(tmp_path, source, scratch):
    _seed()
    folder, manifest = backups.create_backup(tmp_path / "backups")
    with database(scratch):
        _restore(folder)
        before = backups.count_rows(manifest["tables"])
    # a database file cut short, its manifest entry rewritten to match
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    database_file = broken / manifest["database"]["file"]
    database_file.write_bytes(database_file.read_bytes()[: database_file.stat().st_size // 2])
    manifest["files"][database_file.name] = backups.sha256(database_file)
    (broken / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with database(scratch):
        with pytest.raises(CommandError) as failed:
            _restore(broken, "--yes")
        assert failed.value.returncode == 1
        assert "復元に失敗しました" in str(failed.value)
        assert backups.count_rows(manifest["tables"]) == before
        assert audit_verify_chain().ok


def test_a_restored_database_that_differs_from_the_manifest_fails(tmp_path, source, scratch):
    _seed()
    folder, manifest = backups.create_backup(tmp_path / "backups")
    manifest["tables"]["people_person"] += 1
    manifest["audit_chain_head"]["seq"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with database(scratch):
        err = _Text()
        with pytest.raises(CommandError) as failed:
            _restore(folder, stderr=err)
        assert failed.value.returncode == 1
        assert "2 件の不一致" in str(failed.value)
        assert "表 people_person の行数が一致しません" in err.getvalue()
        assert "監査チェーンの先頭がマニフェストと一致しません" in err.getvalue()


def test_the_audit_checkpoints_of_before_the_restore_are_set_aside_and_compared(
    tmp_path, source, settings
):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    desk = _seed()
    call_command("audit_seal", stdout=_Text())  # a checkpoint within the backup
    folder, _manifest = backups.create_backup(tmp_path / "backups")
    _register(desk, "伊藤 三郎", "イトウ サブロウ")
    call_command("audit_seal", stdout=_Text())  # and one beyond it
    path = checkpoint.checkpoint_path()
    assert len(list(checkpoint.read_checkpoints(path))) == 2

    out, err = _restore(folder, "--yes")
    assert "監査チェックポイントのファイルを" in out and "退避しました" in out, (out, err)
    assert "外部チェックポイント 1 件と一致しました（それより後の 1 件" in out
    assert not path.exists()
    assert audit_verify_chain().ok

    # checkpoints that the restored chain does not match: the backup was rewritten
    written_at = "2026-12-01T09:00:00+09:00"
    forged = {"position": 1, "hash": "f" * 64, "written_at": written_at}
    forged["mac"] = checkpoint._mac(1, "f" * 64, written_at)
    path.write_text(json.dumps(forged) + "\n", encoding="utf-8")
    err = _Text()
    with pytest.raises(CommandError) as failed:
        _restore(folder, "--yes", stderr=err)
    assert failed.value.returncode == 1
    assert "封印 1 が外部チェックポイント" in err.getvalue()
    assert "バックアップが書き換えられた疑い" in err.getvalue()


def test_a_failed_backup_leaves_no_folder(tmp_path, source, monkeypatch):
    _seed()

    def broken(target, log):
        raise backups.BackupError("ディスクがいっぱいです。")

    monkeypatch.setattr(backups, "_backup_media", broken)
    with pytest.raises(CommandError, match="ディスクがいっぱいです") as failed:
        call_command("backup", output_dir=str(tmp_path / "backups"), stdout=_Text())
    assert failed.value.returncode == 1
    assert list((tmp_path / "backups").iterdir()) == []


def test_the_backup_folder_comes_from_the_settings(tmp_path, source, settings):
    settings.TSUNAGU = {**settings.TSUNAGU, "BACKUP_DIR": str(tmp_path / "nightly")}
    settings.MEDIA_ROOT = tmp_path / "no-media"
    out = _Text()
    call_command("backup", stdout=out)
    (folder,) = (tmp_path / "nightly").iterdir()
    assert f"バックアップを作成しました: {folder}" in out.getvalue()
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["media"] is None
    # a second backup in the same minute gets a folder of its own
    call_command("backup", stdout=_Text())
    assert len(list((tmp_path / "nightly").iterdir())) == 2


def test_a_missing_postgresql_client_names_the_package(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError, match="apt install postgresql-client") as missing:
        backups._tool("pg_dump")
    assert missing.value.code == 3
    assert "pg_dump が見つかりません" in str(missing.value)


def test_the_password_goes_to_the_environment_not_the_command_line():
    env = backups.pg_environment(
        {
            "NAME": "tsunagu",
            "USER": "app",
            "PASSWORD": "s3cret",
            "HOST": "db",
            "PORT": 5433,
            "OPTIONS": {"sslmode": "require"},
        }
    )
    assert (env["PGDATABASE"], env["PGUSER"], env["PGPASSWORD"]) == ("tsunagu", "app", "s3cret")
    assert (env["PGHOST"], env["PGPORT"], env["PGSSLMODE"]) == ("db", "5433", "require")
