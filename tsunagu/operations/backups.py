"""Backup and restore of the whole system: the database and the uploaded files.

A backup is one folder, ``tsunagu-YYYYMMDD-HHMM/``, holding

- ``database.sqlite3`` (SQLite: copied with SQLite's online backup API in one step, a
  consistent snapshot while the application goes on writing) or ``database.dump``
  (PostgreSQL: ``pg_dump --format=custom`` of a snapshot exported from a REPEATABLE READ
  transaction),
- ``media.tar``: the uploaded files (``MEDIA_ROOT``), when that folder exists,
- ``manifest.json``: the format, the product version, when, the database vendor, the latest
  applied migration of each app, the rows of every table and the audit chain head, all read in
  the very snapshot that was dumped, and the SHA-256 of every file.

The folder is written under a hidden temporary name and renamed when it is complete, so a
half-written backup is never taken for one.

A restore checks the manifest (format, vendor, every file's SHA-256), refuses to replace a
database holding records unless told to, restores (SQLite: the backup API into the configured
file; PostgreSQL: the dump's script run by ``psql`` in one transaction that first removes the
tables and functions already there, so the whole restore is committed or nothing is), puts
the uploaded files back, and then checks the restored database: the rows of every table
against the manifest, the audit chain head, the hash chain (``audit_verify_chain``) and the
grants against the access rules (what ``access_verify`` runs). The audit checkpoints kept
outside the database for it (:mod:`tsunagu.audit.checkpoint`) describe the chain as it was
before the restore: their file is set aside (``audit_seal`` starts a new one), and the restored
chain is compared with those of them that lie within it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from tsunagu.audit import checkpoint
from tsunagu.audit.models import AuditChainHead, AuditEvent, AuditSeal
from tsunagu.audit.services import GENESIS_HASH, audit_verify_chain
from tsunagu.grants.maintain import verify as grants_verify

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
MEDIA_FILE = "media.tar"
SQLITE_TIMEOUT = 20  # seconds to wait for a writer's lock

# exit codes of the commands
EXIT_FAILED = 1  # the backup or restore failed, or the restored database does not check out
EXIT_REFUSED = 2  # restore refused before anything was changed (manifest, hashes, vendor, data)
EXIT_TOOL_MISSING = 3  # pg_dump, pg_restore or psql is not installed

VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

Log = Callable[[str], None]


def _silent(text: str) -> None:
    pass


class BackupError(Exception):
    """A backup or restore that cannot go on: the message for the operator and the exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def default_backup_dir() -> Path:
    configured = settings.TSUNAGU.get("BACKUP_DIR")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "backups"


def model_tables() -> list[str]:
    """The tables of every model of the installed apps (their many-to-many tables too)."""
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def product_version() -> str:
    try:
        return metadata.version("tsunagu")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass
class Contents:
    """What a snapshot holds: rows per table, latest migration per app, audit chain head."""

    tables: dict[str, int]
    migrations: dict[str, str]
    chain_head: dict


def _read_contents(cursor, existing: set[str]) -> Contents:
    """Read with a DB-API ``cursor`` that sees one snapshot (SQLite or PostgreSQL)."""
    tables = {}
    for table in model_tables():
        if table in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            tables[table] = int(cursor.fetchone()[0])
    migrations = {}
    if "django_migrations" in existing:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            migrations[app] = name
    head = {"seq": 0, "hash": GENESIS_HASH}
    head_table = AuditChainHead._meta.db_table
    if head_table in existing:
        cursor.execute(f"SELECT seq, hash FROM {_quote(head_table)} WHERE id = 1")
        row = cursor.fetchone()
        if row:
            head = {"seq": int(row[0]), "hash": row[1]}
    return Contents(tables=tables, migrations=dict(sorted(migrations.items())), chain_head=head)


# --- the tools and connection settings ------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} が見つかりません。PostgreSQL のクライアントを導入してください"
            "（Debian/Ubuntu: apt install postgresql-client。サーバーと同じか新しい版）。",
            EXIT_TOOL_MISSING,
        )
    return found


PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "options": "PGOPTIONS",
}


def pg_environment(settings_dict: dict) -> dict[str, str]:
    """The environment for pg_dump, pg_restore and psql: the configured database's
    connection parameters, the password in ``PGPASSWORD`` (never on a command line)."""
    env = os.environ.copy()
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("NAME", "PGDATABASE"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in PG_OPTIONS.items():
        if options.get(option):
            env[variable] = str(options[option])
    return env


def _sqlite_name(settings_dict: dict) -> tuple[str, bool]:
    """The configured SQLite database and whether it is a URI (``file:…``, as in tests)."""
    name = str(settings_dict["NAME"])
    return name, name.startswith("file:")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - a file system without fsync of folders
        pass
    finally:
        os.close(fd)


# --- backup ----------------------------------------------------------------------------------


def _free_name(root: Path, name: str) -> str:
    candidate, number = name, 1
    while (root / candidate).exists() or (root / f".{candidate}.partial").exists():
        number += 1
        candidate = f"{name}-{number}"
    return candidate


def create_backup(output_dir: Path | str | None = None, *, log: Log = _silent) -> tuple[Path, dict]:
    """Write a complete backup folder under ``output_dir``; return it and its manifest."""
    root = Path(output_dir) if output_dir else default_backup_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"書き出し先のフォルダー {root} を作れません: {exc}") from exc
    started = timezone.localtime()
    name = _free_name(root, f"tsunagu-{started:%Y%m%d-%H%M}")
    partial = root / f".{name}.partial"
    partial.mkdir(mode=0o700)  # every record of every person: for the operator's eyes only
    try:
        vendor = connection.vendor
        if vendor == "sqlite":
            database_file = SQLITE_FILE
            contents = _backup_sqlite(partial / database_file, log)
        elif vendor == "postgresql":
            database_file = POSTGRES_FILE
            contents = _backup_postgresql(partial / database_file, log)
        else:
            raise BackupError(f"{vendor} のデータベースのバックアップには対応していません。")
        media = _backup_media(partial / MEDIA_FILE, log)
        files = {}
        for path in sorted(partial.iterdir()):
            _fsync(path)
            files[path.name] = sha256(path)
        manifest = {
            "format": FORMAT_VERSION,
            "product": "tsunagu",
            "version": product_version(),
            "created_at": started.isoformat(timespec="seconds"),
            "database": {"vendor": vendor, "file": database_file},
            "media": media,
            "migrations": contents.migrations,
            "tables": contents.tables,
            "audit_chain_head": contents.chain_head,
            "files": files,
        }
        manifest_path = partial / MANIFEST
        manifest_path.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        _fsync(manifest_path)
        final = root / name
        os.rename(partial, final)
        _fsync(root)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final, manifest


def _backup_sqlite(target: Path, log: Log) -> Contents:
    name, uri = _sqlite_name(connection.settings_dict)
    if not uri and not Path(name).exists():
        raise BackupError(f"データベースのファイル {name} が見つかりません。")
    log(f"SQLite のデータベース {name} を複製しています（オンラインバックアップ）…")
    try:
        source = sqlite3.connect(name, uri=uri, timeout=SQLITE_TIMEOUT)
        try:
            copy = sqlite3.connect(target)
            try:
                # one step (pages=-1): one read transaction, so one consistent snapshot;
                # in WAL mode the application's writers go on meanwhile
                source.backup(copy, pages=-1)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                check = copy.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise BackupError(f"複製したデータベースの検査で異常がありました: {check}")
                existing = {
                    row[0]
                    for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                }
                # counted in the copy itself: exactly what the backup holds
                return _read_contents(copy.cursor(), existing)
            finally:
                copy.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite のバックアップに失敗しました: {exc}") from exc


def _backup_postgresql(target: Path, log: Log) -> Contents:
    pg_dump = _tool("pg_dump")
    settings_dict = connection.settings_dict
    log(f"PostgreSQL のデータベース {settings_dict.get('NAME')} を pg_dump で書き出しています…")
    snapshot = connection.copy()  # a connection of its own, outside any transaction of ours
    try:
        snapshot.ensure_connection()
        with snapshot.connection.cursor() as cursor:
            # the counts and pg_dump read the same snapshot: this transaction exports it and
            # stays open until pg_dump is done
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_catalog.pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            cursor.execute(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
            )
            existing = {row[0] for row in cursor.fetchall()}
            contents = _read_contents(cursor, existing)
            result = subprocess.run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot_id}",
                    "--no-password",
                    f"--file={target}",
                ],
                env=pg_environment(settings_dict),
                capture_output=True,
                text=True,
                check=False,
            )
            cursor.execute("COMMIT")
    except DatabaseError as exc:
        raise BackupError(f"データベースに接続できません: {exc}") from exc
    finally:
        snapshot.close()
    if result.returncode != 0:
        raise BackupError(
            f"pg_dump が失敗しました（終了コード {result.returncode}）: {result.stderr.strip()}"
        )
    return contents


def _backup_media(target: Path, log: Log) -> str | None:
    root = Path(settings.MEDIA_ROOT) if settings.MEDIA_ROOT else None
    if root is None or not root.is_dir():
        log("アップロードされたファイルのフォルダーはありません（書き出しません）。")
        return None
    log(f"アップロードされたファイル {root} を書き出しています…")
    with tarfile.open(target, "w") as tar:
        tar.add(root, arcname="media")
    return target.name


# --- restore ---------------------------------------------------------------------------------


def read_manifest(folder: Path | str) -> dict:
    """The manifest of a complete backup whose files all match their SHA-256; otherwise
    :class:`BackupError` (``EXIT_REFUSED``) saying what is wrong."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupError(f"バックアップのフォルダー {folder} が見つかりません。", EXIT_REFUSED)
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{folder} に {MANIFEST} がありません（書き込み途中のバックアップか、"
            "バックアップのフォルダーではありません）。",
            EXIT_REFUSED,
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        fmt = manifest["format"]
        if fmt != FORMAT_VERSION:
            raise BackupError(
                f"バックアップの形式（{fmt}）は、この版で復元できる形式（{FORMAT_VERSION}）と"
                "異なります。",
                EXIT_REFUSED,
            )
        files = dict(manifest["files"])
        database_file = manifest["database"]["file"]
        manifest["database"]["vendor"]
        manifest["tables"]
        manifest["audit_chain_head"]["seq"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(
            f"{MANIFEST} を読めません（壊れているか、必要な項目がありません: {exc}）。",
            EXIT_REFUSED,
        ) from exc
    if database_file not in files or (manifest.get("media") and manifest["media"] not in files):
        raise BackupError(f"{MANIFEST} のファイルの一覧が不完全です。", EXIT_REFUSED)
    for name, expected in files.items():
        file = folder / name
        if Path(name).name != name or not file.is_file():
            raise BackupError(
                f"バックアップのファイル {name} がありません。復元を中止しました。", EXIT_REFUSED
            )
        if sha256(file) != expected:
            raise BackupError(
                f"バックアップのファイル {name} の SHA-256 がマニフェストと一致しません"
                "（壊れているか、書き換えられています）。復元を中止しました。",
                EXIT_REFUSED,
            )
    return manifest


def check_vendor(manifest: dict) -> None:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"このバックアップは {_vendor_name(vendor)} のものですが、設定されているデータベースは"
            f" {_vendor_name(connection.vendor)} です。同じ種類のデータベースにだけ復元できます。",
            EXIT_REFUSED,
        )


def check_version(manifest: dict) -> None:
    """Refuse a backup whose database has migrations this version does not know (it was
    written by a newer version: restore it with that version or a later one)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces or ())
    unknown = [
        f"{app}.{name}"
        for app, name in manifest.get("migrations", {}).items()
        if app in loader.migrated_apps and (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            f"このバックアップは、この版（{product_version()}）より新しい版"
            f"（{manifest.get('version')}）で作られています（この版にないマイグレーション: "
            f"{', '.join(unknown)}）。同じか新しい版のつなぐで復元してください。",
            EXIT_REFUSED,
        )


def record_tables() -> list[str]:
    """The tables that any database in use has rows in (a fresh ``migrate`` leaves them
    empty, filling only reference lists): the users and the audit events."""
    return [get_user_model()._meta.db_table, AuditEvent._meta.db_table]


def database_holds_data() -> bool:
    """Whether the configured database has records (users or audit events)."""
    if connection.vendor == "sqlite":
        name, uri = _sqlite_name(connection.settings_dict)
        if not uri and not Path(name).exists():
            return False
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in record_tables():
            if table in existing:
                cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


def restore_database(folder: Path | str, manifest: dict, *, log: Log = _silent) -> None:
    """Replace the configured database with the backup's (checked by :func:`read_manifest`)."""
    dump = Path(folder) / manifest["database"]["file"]
    if connection.vendor == "sqlite":
        _restore_sqlite(dump, log)
    elif connection.vendor == "postgresql":
        _restore_postgresql(dump, log)
    else:
        raise BackupError(f"{connection.vendor} のデータベースへの復元には対応していません。")


def _restore_sqlite(copy: Path, log: Log) -> None:
    name, uri = _sqlite_name(connection.settings_dict)
    log(f"SQLite のデータベース {name} にバックアップを書き戻しています…")
    connection.close()
    if not uri:
        Path(name).parent.mkdir(parents=True, exist_ok=True)
    try:
        source = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(name, uri=uri, timeout=SQLITE_TIMEOUT)
            try:
                source.backup(target, pages=-1)  # replaces every page, under the write lock
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite への復元に失敗しました: {exc}") from exc


# Run first, in the restore's transaction: the tables, views, sequences and functions of the
# schema go (those of extensions such as pg_trgm stay), so the dump's script creates everything
# afresh. Dropping a table fires no row trigger, so the audit tables' refusal of UPDATE and
# DELETE does not stand in the way; nothing is deleted row by row.
CLEAR_SCHEMA = """
BEGIN;
SET LOCAL client_min_messages = warning;
SET LOCAL lock_timeout = '30s';
DO $clear$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass::text AS name, c.relkind
        FROM pg_catalog.pg_class c
        WHERE c.relnamespace = current_schema()::text::regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND NOT EXISTS (
              SELECT 1 FROM pg_catalog.pg_depend d
              WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                AND d.deptype = 'e'
          )
        ORDER BY c.relkind = 'S'
    LOOP
        EXECUTE format(
            'DROP %s IF EXISTS %s CASCADE',
            CASE item.relkind
                WHEN 'v' THEN 'VIEW'
                WHEN 'm' THEN 'MATERIALIZED VIEW'
                WHEN 'f' THEN 'FOREIGN TABLE'
                WHEN 'S' THEN 'SEQUENCE'
                ELSE 'TABLE'
            END,
            item.name
        );
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure::text AS name
        FROM pg_catalog.pg_proc p
        WHERE p.pronamespace = current_schema()::text::regnamespace
          AND p.prokind IN ('f', 'p')
          AND NOT EXISTS (
              SELECT 1 FROM pg_catalog.pg_depend d
              WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                AND d.deptype = 'e'
          )
    LOOP
        EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', item.name);
    END LOOP;
END
$clear$;
"""


def _restore_list(pg_restore: str, dump: Path, env: dict[str, str]) -> str:
    """The dump's table of contents without the comment on an extension (pg_trgm): only the
    extension's owner may set it, and the tables' owner need not be that (the extension itself
    is created if missing, as the trusted extension it is)."""
    listing = subprocess.run(
        [pg_restore, "--list", str(dump)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        raise BackupError(
            "PostgreSQL への復元に失敗しました。pg_restore でバックアップを読めません"
            f"（終了コード {listing.returncode}。データベースは変えていません）: "
            f"{listing.stderr.strip()}"
        )
    return "".join(
        line + "\n"
        for line in listing.stdout.splitlines()
        if " COMMENT - EXTENSION " not in f" {line} "
    )


def _restore_postgresql(dump: Path, log: Log) -> None:
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    env = pg_environment(connection.settings_dict)
    log(
        f"PostgreSQL のデータベース {connection.settings_dict.get('NAME')} に"
        "バックアップを書き戻しています（一つのトランザクション）…"
    )
    connection.close()
    contents = _restore_list(pg_restore, dump, env)
    with (
        tempfile.NamedTemporaryFile("w", suffix=".list", encoding="utf-8") as use_list,
        tempfile.TemporaryFile() as restore_errors,
        tempfile.TemporaryFile() as psql_errors,
    ):
        use_list.write(contents)
        use_list.flush()
        # psql runs the whole script in the transaction CLEAR_SCHEMA opens, and commits only
        # when pg_restore has produced the script completely
        consumer = subprocess.Popen(
            [psql, "--no-psqlrc", "--quiet", "--no-password", "-v", "ON_ERROR_STOP=1", "-f", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=env,
        )
        producer = subprocess.Popen(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                f"--use-list={use_list.name}",
                "--file=-",
                str(dump),
            ],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
            env=env,
        )
        try:
            consumer.stdin.write(CLEAR_SCHEMA.encode())
            shutil.copyfileobj(producer.stdout, consumer.stdin, 1024 * 1024)
            producer.stdout.close()
            if producer.wait() == 0:
                consumer.stdin.write(b"COMMIT;\n")
        except BrokenPipeError:  # psql stopped at an error; its message says which
            pass
        finally:
            producer.stdout.close()
            with contextlib.suppress(BrokenPipeError):
                consumer.stdin.close()
            producer.wait()
            consumer.wait()
        if producer.returncode != 0 or consumer.returncode != 0:
            restore_errors.seek(0)
            psql_errors.seek(0)
            detail = (
                restore_errors.read().decode(errors="replace").strip()
                + "\n"
                + psql_errors.read().decode(errors="replace").strip()
            ).strip()
            raise BackupError(
                "PostgreSQL への復元に失敗しました。一つのトランザクションで行ったため、"
                "データベースは復元前のままです。アプリケーション（Web・db_worker）を止め、"
                "テーブルの所有者の接続（DATABASE_URL）で実行してください。"
                f"\n{detail}"
            )


def restore_media(folder: Path | str, manifest: dict, *, log: Log = _silent) -> Path | None:
    """Put the backup's uploaded files in ``MEDIA_ROOT``; the folder that was there is kept
    beside it (returned), never deleted."""
    if not manifest.get("media"):
        return None
    root = Path(settings.MEDIA_ROOT)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    staging = root.with_name(f".{root.name}.restoring-{stamp}")
    staging.mkdir(parents=True)
    try:
        with tarfile.open(Path(folder) / manifest["media"]) as tar:
            tar.extractall(staging, filter="data")
        previous = None
        if root.exists():
            previous = root.with_name(
                _free_name(root.parent, f"{root.name}.before-restore-{stamp}")
            )
            root.rename(previous)
        (staging / "media").rename(root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"アップロードされたファイルを {root} に戻しました。")
    return previous


def set_aside_checkpoints() -> Path | None:
    """Set this database's audit checkpoint file aside after a restore (its later checkpoints
    lie beyond the restored chain); return where it went, ``None`` if there was none."""
    return checkpoint.set_aside(f"before-restore-{timezone.localtime():%Y%m%d-%H%M%S}")


@dataclass
class Verification:
    """The checks of a restored database: what agrees (``notes``) and what does not."""

    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def count_rows(tables) -> dict[str, int | None]:
    """Rows of each table in the configured database (``None``: no such table)."""
    existing = set(connection.introspection.table_names())
    counts: dict[str, int | None] = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table not in existing:
                counts[table] = None
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _compare_checkpoints(path: Path, result: Verification) -> None:
    """The checkpoints of the set-aside file that lie within the restored chain must name the
    very seals it holds: a backup rewritten with its hashes recomputed would not."""
    try:
        saved = list(checkpoint.read_checkpoints(path))
    except checkpoint.CheckpointFileError as exc:
        result.problems.append(f"退避した監査チェックポイントのファイルを読めません: {exc}")
        return
    head = AuditChainHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
    within = [cp for cp in saved if cp.position <= head]
    for start in range(0, len(within), 1000):
        chunk = within[start : start + 1000]
        seals = dict(
            AuditSeal.objects.filter(position__in=[cp.position for cp in chunk]).values_list(
                "position", "hash"
            )
        )
        for cp in chunk:
            if seals.get(cp.position) != cp.hash:
                written = timezone.localtime(cp.written_at)
                result.problems.append(
                    f"復元した監査チェーンの封印 {cp.position} が外部チェックポイント"
                    f"（{written:%Y-%m-%d %H:%M}、{cp.line}行目）と一致しません"
                    "（バックアップが書き換えられた疑い）。"
                )
                return
    if within:
        result.notes.append(
            f"復元した監査チェーンは外部チェックポイント {len(within)} 件と一致しました"
            f"（それより後の {len(saved) - len(within)} 件はバックアップの後のものです）。"
        )


def verify_restored(manifest: dict, *, checkpoints: Path | None = None) -> Verification:
    """Check the configured database against the manifest of the backup restored into it
    (and against the audit checkpoints set aside from it, if any)."""
    result = Verification()
    expected = manifest["tables"]
    counts = count_rows(expected)
    for table, rows in expected.items():
        if counts[table] is None:
            result.problems.append(f"表 {table} がありません（バックアップでは {rows} 行）。")
        elif counts[table] != rows:
            result.problems.append(
                f"表 {table} の行数が一致しません"
                f"（バックアップ {rows} 行、復元後 {counts[table]} 行）。"
            )
    if not result.problems:
        result.notes.append(
            f"{len(expected)} 個の表の行数がマニフェストと一致しました"
            f"（計 {sum(expected.values())} 行）。"
        )
    try:
        pending = _pending_migrations()
        if pending:
            result.notes.append(
                f"この版のマイグレーションのうち {pending} 件が未適用です（バックアップの方が"
                "古い版）。manage.py migrate を実行してください。"
            )
        head = AuditChainHead.objects.filter(id=1).values_list("seq", "hash").first()
        seq, chain_hash = head or (0, GENESIS_HASH)
        wanted = manifest["audit_chain_head"]
        if (seq, chain_hash) != (wanted["seq"], wanted["hash"]):
            result.problems.append(
                "監査チェーンの先頭がマニフェストと一致しません"
                f"（バックアップ 封印 {wanted['seq']}、復元後 封印 {seq}）。"
            )
        report = audit_verify_chain()
        (result.notes if report.ok else result.problems).append(report.describe())
        if report.ok and report.unsealed:
            result.notes.append("未封印の監査イベントは manage.py audit_seal（cron）が封印します。")
        if checkpoints is not None:
            _compare_checkpoints(checkpoints, result)
        differences = grants_verify()
        if differences:
            result.problems.append(
                f"閲覧の根拠が規則と {len(differences)} か所で一致しません。manage.py "
                "access_verify で一覧を確かめ、manage.py access_rebuild で計算し直してください。"
            )
        else:
            result.notes.append("閲覧の根拠はすべての機関で規則と一致しています。")
    except DatabaseError as exc:
        result.problems.append(
            f"復元したデータベースを確認できませんでした（{exc}）。manage.py migrate の後に "
            "manage.py audit_verify と manage.py access_verify を実行してください。"
        )
    return result
