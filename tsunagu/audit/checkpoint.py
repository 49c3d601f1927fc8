"""Checkpoints of the audit chain kept outside the database.

The hash chain proves that no sealed event was changed, removed or reordered — unless someone
who can write the database rewrites the rows *and* recomputes every hash after them, or removes
the last events and sets the chain head back. A checkpoint closes that gap: ``audit_seal``
(run from cron every few minutes) appends the chain head's position and hash, keyed with an
HMAC, to a file the database user cannot rewrite (an append-only file, ``chattr +a``, or a
folder another host collects; see docs/operations.md). ``audit_verify`` then checks that every
checkpoint's position still carries the same hash and that the chain has not become shorter.

The key is ``TSUNAGU_AUDIT_CHECKPOINT_KEY`` (never stored in the database); without it, a key
derived from ``DJANGO_SECRET_KEY`` is used. Each database has its own file in the checkpoint
folder (``TSUNAGU_AUDIT_CHECKPOINT_DIR``), named after the database, so a second database on
the same machine (a test, a restored copy) never reads another's checkpoints.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import AuditChainHead

TAIL_BYTES = 4096


@dataclass(frozen=True)
class Checkpoint:
    position: int
    hash: str
    written_at: datetime
    line: int


class CheckpointFileError(Exception):
    """A line of the checkpoint file is unreadable or its HMAC does not match."""


def checkpoint_dir() -> Path | None:
    """The folder of the checkpoint files; ``None`` when checkpoints are turned off."""
    folder = getattr(settings, "AUDIT_CHECKPOINT_DIR", None)
    return Path(folder) if folder else None


def _database_label(conn=connection) -> str:
    """A file-name-safe name of the configured database (its vendor, host and name)."""
    params = conn.settings_dict
    if conn.vendor == "sqlite":
        name = str(params.get("NAME", ""))
        readable = Path(name).stem or "sqlite"
        identity = str(Path(name).resolve()) if name and ":memory:" not in name else name
    else:
        readable = str(params.get("NAME", "")) or conn.vendor
        identity = f"{params.get('HOST', '')}:{params.get('PORT', '')}/{readable}"
    digest = hashlib.sha256(f"{conn.vendor}|{identity}".encode()).hexdigest()[:10]
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", readable)[:60]
    return f"{conn.vendor}-{safe}-{digest}"


def checkpoint_path(conn=connection) -> Path | None:
    folder = checkpoint_dir()
    if folder is None:
        return None
    return folder / f"audit-checkpoints-{_database_label(conn)}.jsonl"


def _key() -> bytes:
    configured = getattr(settings, "AUDIT_CHECKPOINT_KEY", "") or ""
    if configured:
        return configured.encode("utf-8")
    return hmac.new(
        settings.SECRET_KEY.encode("utf-8"), b"tsunagu.audit.checkpoint", hashlib.sha256
    ).digest()


def _mac(position: int, chain_hash: str, written_at: str) -> str:
    message = f"{position}|{chain_hash}|{written_at}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def _parse(text: str, number: int) -> Checkpoint:
    try:
        data = json.loads(text)
        position, chain_hash, written_at, mac = (
            int(data["position"]),
            str(data["hash"]),
            str(data["written_at"]),
            str(data["mac"]),
        )
        when = datetime.fromisoformat(written_at)
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointFileError(f"{number}行目が読み取れません") from exc
    if not hmac.compare_digest(mac, _mac(position, chain_hash, written_at)):
        raise CheckpointFileError(f"{number}行目の署名（HMAC）が一致しません（書き換えの疑い）")
    return Checkpoint(position=position, hash=chain_hash, written_at=when, line=number)


def read_checkpoints(path: Path | None = None) -> Iterator[Checkpoint]:
    """Every checkpoint of the file in order; raises :class:`CheckpointFileError` at the first
    line that is unreadable or not signed with the key."""
    path = path or checkpoint_path()
    if path is None or not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield _parse(text, number)


def _last_position(path: Path) -> int | None:
    if not path.exists():
        return None
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - TAIL_BYTES))
        lines = [line for line in handle.read().splitlines() if line.strip()]
    if not lines:
        return None
    try:
        return int(json.loads(lines[-1])["position"])
    except (ValueError, KeyError, TypeError):
        return None


def write_checkpoint() -> Checkpoint | None:
    """Append the chain head to this database's checkpoint file, if the chain grew since the
    last checkpoint; return what was written (``None``: turned off, empty or unchanged)."""
    path = checkpoint_path()
    if path is None:
        return None
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None or head.seq == 0 or _last_position(path) == head.seq:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    written_at = timezone.now().isoformat(timespec="seconds")
    record = {
        "position": head.seq,
        "hash": head.hash,
        "written_at": written_at,
        "mac": _mac(head.seq, head.hash, written_at),
    }
    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
    # O_APPEND: the file may be append-only (chattr +a); one write per line, then to disk
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return Checkpoint(
        position=head.seq,
        hash=head.hash,
        written_at=datetime.fromisoformat(written_at),
        line=0,
    )


def set_aside(suffix: str) -> Path | None:
    """Rename this database's checkpoint file (after a restore, whose chain is older than the
    checkpoints); return the new path, ``None`` if there was no file."""
    path = checkpoint_path()
    if path is None or not path.exists():
        return None
    target = path.with_name(f"{path.stem}.{suffix}{path.suffix}")
    path.rename(target)
    return target
