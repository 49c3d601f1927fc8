"""Background jobs: the heartbeat that tells a running job from a crashed one.

A job (``django_tasks`` with the database backend, run by ``manage.py db_worker``) that works
on a record claims it by writing a token and the time into it, and writes the time again at
each committed chunk. When the time stops moving — the worker was killed, the machine
restarted — the record shows as interrupted after :data:`STALE_AFTER`, and the user (or an
integration) may resume it; a new job takes the claim over from the stale one.

A step that cannot commit in chunks (one long computation) runs inside :class:`Heartbeat`,
which writes the time from a thread every :data:`BEAT_EVERY` while it runs.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

#: How often a running job shows that it is alive.
BEAT_EVERY = timedelta(seconds=10)
#: A job silent for longer than this is taken as crashed.
STALE_AFTER = timedelta(seconds=60)


def new_token() -> str:
    return uuid.uuid4().hex


def is_stale(beat) -> bool:
    """True when the last heartbeat ``beat`` (a datetime) is older than :data:`STALE_AFTER`."""
    return beat is not None and beat < timezone.now() - STALE_AFTER


def claim(queryset, *, token: str) -> bool:
    """Take the one row of ``queryset`` (a model with ``heartbeat_at`` and ``job_token``) for
    this job unless a live job holds it (its heartbeat is recent). True when taken."""
    now = timezone.now()
    free = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STALE_AFTER)
    return bool(queryset.filter(free).update(heartbeat_at=now, job_token=token))


def beat(queryset, *, token: str, **fields) -> bool:
    """Write the heartbeat (and ``fields``) while this job still holds the row. False when
    another job took it over: the caller stops."""
    values = {"heartbeat_at": timezone.now(), **fields}  # fields may end the beat (None)
    return bool(queryset.filter(job_token=token).update(**values))


class Heartbeat:
    """Write the heartbeat from a thread every :data:`BEAT_EVERY` while the block runs (for a
    step that is one long computation). The thread touches the database only if the block
    lasts longer than one interval, and closes its own connection."""

    def __init__(self, queryset, *, token: str):
        self.queryset = queryset
        self.token = token
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="job-heartbeat", daemon=True)

    def _run(self) -> None:
        used = False
        try:
            while not self._stop.wait(BEAT_EVERY.total_seconds()):
                used = True
                try:
                    beat(self.queryset, token=self.token)
                except Exception:  # a missed beat is not the job's failure
                    logger.exception("heartbeat not written")
        finally:
            if used:
                connection.close()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
