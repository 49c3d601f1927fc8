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
  same body with the errors as given.

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

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as InvalidInput

from tsunagu.common.errors import NotVisible, RuleBroken

NON_FIELD = "__all__"
UNAUTHENTICATED = "認証が必要です。"
FORBIDDEN = "この操作を行う権限がありません。"
NOT_FOUND = "見つかりません。"
INVALID = "入力内容に誤りがあります。"


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
        return answer(request, {"detail": INVALID, "errors": exc.errors}, 422)

    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(NotVisible, not_found)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(RuleBroken, rule_broken)
    api.add_exception_handler(ValidationError, refused_input)
    api.add_exception_handler(InvalidInput, invalid_input)
    api.add_decorator(_names_on_request, mode="operation")
