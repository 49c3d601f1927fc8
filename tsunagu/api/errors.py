"""One answer for each kind of error, for every operation under ``/api/v1/``.

Operations call services plainly. Whatever they raise is answered here, by the handlers
:func:`install` registers once on the NinjaAPI (the kinds are :mod:`tsunagu.common.errors`):

* ``ninja.errors.AuthenticationError``: 401 ``{"detail": "認証が必要です。"}``;
* ``PermissionDenied`` (also from ``require_perm``): 403 ``{"detail": message}``;
* ``Http404`` and ``common.errors.NotVisible``: 404 ``{"detail": "見つかりません。"}``;
* ``common.errors.RuleBroken`` (a rule of the program refuses the step): 409
  ``{"detail": message, "errors": {field: [messages]}}``;
* Django's ``ValidationError`` (a service refuses the input): 422
  ``{"detail": "入力内容に誤りがあります。", "errors": {field: [messages]}}``;
* ``ninja.errors.ValidationError`` (the schema, or :func:`invalid` in an operation): 422, the
  same body; the schema's errors by field (``page``, ``name_kana``, ``rows.0.name``) in
  Japanese (:func:`schema_errors`);
* a body that cannot be read (multipart without a boundary, broken JSON) or with too many
  fields or files: 400 ``{"detail": message}``; a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``
  (files not counted): 413;
* ninja's ``HttpError``: its status, with ninja's own English messages in Japanese (a 422
  also names its message under ``errors["__all__"]``, as every 422 does).

The OpenAPI schema documents these answers for every operation (:mod:`.openapi`).

Field names. A service names the fields of its own arguments (``agency``, ``plan``); the
request body may call them otherwise (``agency_id``). An operation that differs says so with
:func:`api_fields` (``@api_fields({"agency": "agency_id"})`` under its ``@router.post``); the
operation then puts the names on the request before it runs (``request.api_fields``) and the
handlers rename the fields of a 409 or a 422 with them. Messages that name no field go under
``__all__``, or under the operation's ``non_field``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InvalidInput

from tsunagu.common.errors import NotVisible, RuleBroken

NON_FIELD = "__all__"
UNAUTHENTICATED = "認証が必要です。"
FORBIDDEN = "この操作を行う権限がありません。"
NOT_FOUND = "見つかりません。"
INVALID = "入力内容に誤りがあります。"
UNREADABLE = (
    "送信された内容を読み取れません。Content-Type と本文の形式（multipart/form-data の"
    " boundary、JSON の書き方など）を確認してください。"
)
TOO_MANY_PARTS = "送信された項目またはファイルの数が多すぎます。分けて送信してください。"
CSRF_FAILED = "CSRF の確認に失敗しました。画面を読み込み直してから、もう一度送信してください。"


def too_large() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    size = f"{limit / 1024**2:.3g} MB" if limit >= 1024**2 else f"{limit / 1024:.3g} KB"
    return (
        f"送信された内容が大きすぎます（ファイルを除いて{size}まで）。"
        "長い文章は分けて登録し、ファイルは添付として送ってください。"
    )


# ninja's own messages, as the API answers them
_NINJA_MESSAGES = {"Cannot parse request body": UNREADABLE, "CSRF check Failed": CSRF_FAILED}

# pydantic's error types, as a Japanese message (``ctx`` fills the braces)
_SCHEMA_MESSAGES = {
    "missing": "入力してください。",
    "int_parsing": "整数で指定してください。",
    "int_type": "整数で指定してください。",
    "int_from_float": "整数で指定してください。",
    "float_parsing": "数値で指定してください。",
    "float_type": "数値で指定してください。",
    "decimal_parsing": "数値で指定してください。",
    "decimal_type": "数値で指定してください。",
    "bool_parsing": "true または false で指定してください。",
    "bool_type": "true または false で指定してください。",
    "string_type": "文字列で指定してください。",
    "string_too_long": "{max_length}文字以内で入力してください。",
    "string_too_short": "{min_length}文字以上で入力してください。",
    "string_pattern_mismatch": "形式が正しくありません。",
    "too_long": "{max_length}件以内で指定してください。",
    "too_short": "{min_length}件以上指定してください。",
    "greater_than_equal": "{ge}以上の値を指定してください。",
    "greater_than": "{gt}より大きい値を指定してください。",
    "less_than_equal": "{le}以下の値を指定してください。",
    "less_than": "{lt}より小さい値を指定してください。",
    "date_parsing": "日付（例：2025-04-01）で指定してください。",
    "date_from_datetime_parsing": "日付（例：2025-04-01）で指定してください。",
    "date_type": "日付（例：2025-04-01）で指定してください。",
    "datetime_parsing": "日時（例：2025-04-01T09:30:00+09:00）で指定してください。",
    "datetime_from_date_parsing": "日時（例：2025-04-01T09:30:00+09:00）で指定してください。",
    "datetime_type": "日時（例：2025-04-01T09:30:00+09:00）で指定してください。",
    "time_parsing": "時刻（例：09:30）で指定してください。",
    "time_type": "時刻（例：09:30）で指定してください。",
    "enum": "選択肢の中から指定してください。",
    "literal_error": "選択肢の中から指定してください。",
    "list_type": "配列（[...]）で指定してください。",
    "dict_type": "オブジェクト（{{...}}）で指定してください。",
    "model_type": "オブジェクト（{{...}}）で指定してください。",
    "model_attributes_type": "オブジェクト（{{...}}）で指定してください。",
    "json_invalid": "JSON の形式が正しくありません。",
    "json_type": "JSON の形式が正しくありません。",
    "uuid_parsing": "UUID の形式で指定してください。",
    "uuid_type": "UUID の形式で指定してください。",
    "url_parsing": "URL の形式で指定してください。",
    "value_error": "値が正しくありません。",
}
_SCHEMA_MESSAGE = "値が正しくありません。"
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def invalid(errors: Mapping[str, list[str] | str]) -> InvalidInput:
    """422 ``{"detail": "入力内容に誤りがあります。", "errors": {field: [messages]}}`` for an
    input the operation itself refuses (fields named as in the request already)."""
    return InvalidInput(
        {name: [msgs] if isinstance(msgs, str) else list(msgs) for name, msgs in errors.items()}
    )


@dataclass(frozen=True)
class FieldNames:
    """How one operation names a service's fields in its request body."""

    renamed: Mapping[str, str] = field(default_factory=dict)
    non_field: str = NON_FIELD

    def errors(self, exc: ValidationError) -> dict[str, list[str]]:
        """The service's Japanese messages by the field names of the request body."""
        found = exc.message_dict if hasattr(exc, "error_dict") else {self.non_field: exc.messages}
        errors: dict[str, list[str]] = {}
        for name, messages in found.items():
            errors.setdefault(self.renamed.get(name, name), []).extend(messages)
        return errors


SAME_NAMES = FieldNames()


def _schema_field(loc) -> str:
    """``("body", "payload", "rows", 0, "name")`` → ``rows.0.name``; ``("query", "page")`` →
    ``page``. A body's parameter name (``payload``) is not a field of the request."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        source, parts = parts[0], parts[1:]
        if source in {"body", "form", "file"} and len(parts) > 1:
            parts = parts[1:]
    return ".".join(parts) or NON_FIELD


def _schema_message(error: Mapping) -> str:
    kind = error.get("type", "")
    if kind == "value_error":  # a validator of ours: its message is already Japanese
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        if text and not text.isascii():
            return text
    template = _SCHEMA_MESSAGES.get(kind, _SCHEMA_MESSAGE)
    ctx = {k: f"{v:,}" if isinstance(v, int) else v for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return _SCHEMA_MESSAGE


def schema_errors(errors: list[Mapping]) -> dict[str, list[str]]:
    """The schema's errors (pydantic's list) as ``{field: [Japanese messages]}``."""
    found: dict[str, list[str]] = {}
    for error in errors:
        if not isinstance(error, Mapping):
            found.setdefault(NON_FIELD, []).append(_SCHEMA_MESSAGE)
            continue
        messages = found.setdefault(_schema_field(error.get("loc") or ()), [])
        message = _schema_message(error)
        if message not in messages:
            messages.append(message)
    return found


def api_fields(
    renamed: Mapping[str, str] | None = None, /, *, non_field: str = NON_FIELD
) -> Callable[[Callable], Callable]:
    """Mark an operation whose request body names a service's fields otherwise:
    ``renamed`` maps the service's field to the body's, ``non_field`` takes the messages
    that name no field. Only marks the function (its signature and globals stay as ninja
    reads them); :func:`install` passes the names to the handlers."""
    names = FieldNames(dict(renamed or {}), non_field)

    def mark(view: Callable) -> Callable:
        view.api_fields = names
        return view

    return mark


def _names(request: HttpRequest) -> FieldNames:
    return getattr(request, "api_fields", SAME_NAMES)


def _names_on_request(view: Callable) -> Callable:
    """The operation decorator: a marked operation puts its names on the request."""
    names = getattr(view, "api_fields", None)
    if names is None:
        return view

    @functools.wraps(view)
    def operation(request, *args, **kwargs):
        request.api_fields = names
        return view(request, *args, **kwargs)

    return operation


def install(api: NinjaAPI) -> None:
    """Register the handlers (and the field names' decorator) on ``api``, once."""

    def answer(request: HttpRequest, body: dict, status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def unauthenticated(request, exc: AuthenticationError) -> HttpResponse:
        return answer(request, {"detail": UNAUTHENTICATED}, 401)

    def forbidden(request, exc: PermissionDenied) -> HttpResponse:
        return answer(request, {"detail": str(exc) or FORBIDDEN}, 403)

    def not_found(request, exc: Exception) -> HttpResponse:
        return answer(request, {"detail": NOT_FOUND}, 404)

    def rule_broken(request, exc: RuleBroken) -> HttpResponse:
        body = {"detail": " ".join(exc.messages), "errors": _names(request).errors(exc)}
        return answer(request, body, 409)

    def refused_input(request, exc: ValidationError) -> HttpResponse:
        return answer(request, {"detail": INVALID, "errors": _names(request).errors(exc)}, 422)

    def invalid_input(request, exc: InvalidInput) -> HttpResponse:
        found = exc.errors
        if not isinstance(found, Mapping):  # the schema's: pydantic's list, in English
            found = schema_errors(list(found))
        return answer(request, {"detail": INVALID, "errors": found}, 422)

    def unreadable(request, exc: Exception) -> HttpResponse:
        return answer(request, {"detail": UNREADABLE}, 400)

    def too_many_parts(request, exc: Exception) -> HttpResponse:
        return answer(request, {"detail": TOO_MANY_PARTS}, 400)

    def oversized(request, exc: RequestDataTooBig) -> HttpResponse:
        return answer(request, {"detail": too_large()}, 413)

    def http_error(request, exc: HttpError) -> HttpResponse:
        detail = str(exc)
        detail = _NINJA_MESSAGES.get(detail.split(" (")[0], detail)
        if exc.status_code == 422:  # the body every 422 has
            return answer(request, {"detail": detail, "errors": {NON_FIELD: [detail]}}, 422)
        return answer(request, {"detail": detail}, exc.status_code)

    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(NotVisible, not_found)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(RuleBroken, rule_broken)
    api.add_exception_handler(ValidationError, refused_input)
    api.add_exception_handler(InvalidInput, invalid_input)
    # the request itself cannot be read: Django's 400 page would answer in English HTML
    api.add_exception_handler(MultiPartParserError, unreadable)
    api.add_exception_handler(BadRequest, unreadable)
    api.add_exception_handler(TooManyFieldsSent, too_many_parts)
    api.add_exception_handler(TooManyFilesSent, too_many_parts)
    api.add_exception_handler(RequestDataTooBig, oversized)
    api.add_exception_handler(HttpError, http_error)
    api.add_decorator(_names_on_request, mode="operation")
