"""``Idempotency-Key`` on every POST under ``/api/v1/``: a double click or a retry, one record.

Installed once on the NinjaAPI (``api.add_decorator(idempotent, mode="view")``), so every
POST operation of every router gets it. With the header:

* the caller is authenticated first (keys belong to one user; nothing is replayed to
  anyone else, and an anonymous request claims nothing);
* the key is claimed in its own committed row before the operation runs, so a second
  request with the same key arriving meanwhile gets 409 instead of a second record;
* the operation and the storing of its answer run in one transaction: a 2xx answer is
  kept for ``API_IDEMPOTENCY_TTL`` (24 h) and replayed byte for byte, with
  ``Idempotent-Replayed: true``, to the same user sending the same request; a 5xx answer
  rolls the request back; any other answer (403, 404, 422 …) changed nothing, so the key
  is released and a corrected request may use it;
* the same key with another method, path or body gets 409;
* a body that cannot be read answers as without the header (400 or 413, JSON, from
  :mod:`.errors`): the fingerprint reads the body before the operation does.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")

MALFORMED = "Idempotency-Key は1〜255文字の半角英数字・記号で指定してください。"
OTHER_REQUEST = (
    "この Idempotency-Key は別の内容の要求に使われています。"
    "新しい要求には新しいキーを使ってください。"
)
IN_PROGRESS = (
    "同じ Idempotency-Key の要求を処理中です。しばらく待ってから同じ内容で送り直してください。"
)

DESCRIPTION = (
    "\n\n**二重登録の防止（Idempotency-Key）**：POST の要求には `Idempotency-Key` ヘッダー"
    "（1〜255文字の半角英数字・記号。UUID を推奨）を付けられます。同じ利用者が同じキーで"
    "同じ内容を再送すると、登録は1件のまま、最初の応答（状態コードと本文）をもう一度返します"
    "（応答ヘッダー `Idempotent-Replayed: true`）。同じキーで別の内容を送ると 409、"
    "最初の要求の処理中に届いた再送も 409 です。キーは24時間保存され、利用者ごとに別です。"
    "エラーになった要求（4xx・5xx）はキーを使ったことになりません。"
)

OPENAPI_EXTRA = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "description": "二重登録を防ぐための要求ごとのキー（UUID を推奨）。"
            "同じキー・同じ内容の再送には最初の応答を返します。",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
        }
    ],
}
# the answers (400 for a malformed key, 409 for a reused one, the replay's header) are
# documented with every operation's error answers (tsunagu.api.openapi)


#: a body the fingerprint cannot read: answered as the operation would (tsunagu.api.errors)
UNREADABLE_BODY = (
    MultiPartParserError,
    BadRequest,
    TooManyFieldsSent,
    TooManyFilesSent,
    RequestDataTooBig,
)


def ttl() -> datetime.timedelta:
    return getattr(settings, "API_IDEMPOTENCY_TTL", datetime.timedelta(hours=24))


def stale_after() -> datetime.timedelta:
    """A claim without an answer for this long belongs to a request that died."""
    return getattr(settings, "API_IDEMPOTENCY_STALE", datetime.timedelta(minutes=10))


# --- the request's fingerprint ---------------------------------------------------------


def _body_digest(request: HttpRequest) -> str:
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        # the boundary differs between retries: compare the fields and the files' contents
        files = []
        for name, uploaded in sorted(request.FILES.items()):
            digest = hashlib.sha256()
            for chunk in uploaded.chunks():
                digest.update(chunk)
            uploaded.seek(0)
            files.append([name, uploaded.name, digest.hexdigest()])
        fields = sorted((k, request.POST.getlist(k)) for k in request.POST)
        return json.dumps([fields, files], ensure_ascii=False)
    raw = request.body
    if "json" in content_type:
        try:
            parsed = json.loads(raw)
        except ValueError:
            pass
        else:
            return json.dumps(parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if content_type == "application/x-www-form-urlencoded":
        return json.dumps(sorted((k, request.POST.getlist(k)) for k in request.POST))
    return hashlib.sha256(raw).hexdigest()


def fingerprint(request: HttpRequest) -> str:
    """What makes two requests "the same": method, path with query, and body."""
    parts = [request.method, request.get_full_path(), _body_digest(request)]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


# --- claiming and answering ------------------------------------------------------------


class Refused(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail


def claim(*, user, key: str, request: HttpRequest):
    """``(row, True)`` for a new claim of ``key``, ``(row, False)`` for an answer to replay.

    Raises :class:`Refused` for another request under the same key or one still running.
    """
    wanted = fingerprint(request)
    for _ in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    fingerprint=wanted,
                    method=request.method,
                    path=request.get_full_path()[:1000],
                    created_at=now,
                )
            return row, True
        except IntegrityError:
            pass
        row = IdempotencyKey.objects.filter(user=user, key=key).first()
        if row is None:
            continue  # purged meanwhile
        if row.created_at <= now - ttl():
            IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at).delete()
            continue
        if row.fingerprint != wanted:
            raise Refused(409, OTHER_REQUEST)
        if row.is_answered:
            return row, False
        if row.created_at <= now - stale_after():
            # the first request died without an answer; its writes were rolled back with it
            taken = IdempotencyKey.objects.filter(
                pk=row.pk, created_at=row.created_at, status_code=None
            ).update(created_at=now)
            if taken:
                row.created_at = now
                return row, True
        raise Refused(409, IN_PROGRESS)
    raise Refused(409, IN_PROGRESS)


def _answerable(response) -> bool:
    return 200 <= response.status_code < 300 and not isinstance(response, StreamingHttpResponse)


def _store(row: IdempotencyKey, response: HttpResponse) -> None:
    IdempotencyKey.objects.filter(pk=row.pk).update(
        status_code=response.status_code,
        content_type=response.get("Content-Type", "")[:100],
        location=response.get("Location", "")[:1000],
        body=response.content,
        completed_at=timezone.now(),
    )


def _release(row: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=row.pk, status_code=None).delete()


def replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(row.body or b""), status=row.status_code, content_type=row.content_type or None
    )
    if row.location:
        response["Location"] = row.location
    response[REPLAYED_HEADER] = "true"
    return response


def purge(*, now: datetime.datetime | None = None) -> int:
    """Delete keys older than the TTL; the number deleted."""
    cutoff = (now or timezone.now()) - ttl()
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- the ninja decorator ---------------------------------------------------------------


def _document(operation) -> None:
    extra = dict(operation.openapi_extra or {})
    parameters = [p for p in extra.get("parameters", []) if p.get("name") != HEADER]
    operation.openapi_extra = {**extra, "parameters": [*parameters, *OPENAPI_EXTRA["parameters"]]}


def idempotent(run: Callable) -> Callable:
    """Wrap a ninja operation's ``run`` (``mode="view"``): see the module docstring."""
    operation = getattr(run, "__self__", None)
    if operation is None or "POST" not in operation.methods:
        return run
    _document(operation)

    def refuse(request, status: int, detail: str) -> HttpResponse:
        return operation.api.create_response(request, {"detail": detail}, status=status)

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method != "POST" or HEADER not in request.headers:
            return run(request, *args, **kwargs)
        key = request.headers[HEADER]
        if not KEY_PATTERN.fullmatch(key):
            return refuse(request, 400, MALFORMED)
        error = operation._run_checks(request)  # who is asking: keys belong to one user
        if error:
            return error
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return run(request, *args, **kwargs)  # an open operation: nothing to scope by
        try:
            row, claimed = claim(user=user, key=key, request=request)
        except Refused as refused:
            return refuse(request, refused.status, refused.detail)
        except UNREADABLE_BODY as exc:  # the fingerprint reads the body before ninja does
            return operation.api.on_exception(request, exc)
        if not claimed:
            return replay(row)
        stored = False
        try:
            with transaction.atomic():
                response = run(request, *args, **kwargs)
                if _answerable(response):
                    _store(row, response)
                    stored = True
                elif response.status_code >= 500:
                    transaction.set_rollback(True)
        finally:
            if not stored:
                _release(row)
        return response

    return wrapper
