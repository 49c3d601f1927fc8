"""The OpenAPI schema says every answer an operation can give.

Operations declare their own answers (``response={201: …, 404: ErrorOut}``); the error
answers of :mod:`.errors` and :mod:`.idempotency` can come from any of them, whatever they
declare. :class:`DocumentedAPI` completes the generated schema once, for every operation:

* 400 (a body or query that cannot be read, too many fields or files, a malformed
  ``Idempotency-Key``), 404 (not found, or not visible to the caller) and 422 (the input
  refused, by field) for an operation that takes any input; 413 for one with a body;
* 401 and 403 for an operation that needs authentication (403 also for a session's failed
  CSRF check, and for a sign-in whose second factor is not confirmed yet);
* 409 (a rule refuses the step; for a POST also a reused ``Idempotency-Key``) for every
  write;
* the ``Idempotent-Replayed`` header on the success answers of a POST;

each with its real body (``ErrorOut``, ``InvalidOut``, ``RuleBrokenOut`` of :mod:`.schemas`).
An answer an operation declares itself keeps its own description, and its body becomes "its
own or the shared one" (a 409 ``DuplicateOut`` of a person, or a rule's 409); a 422 declared
with the bare ``ErrorOut`` is given the body every 422 has (``InvalidOut``). Status
codes are written as strings (ninja's own are integers, ``openapi_extra``'s strings: the same
status could otherwise appear twice).
"""

from __future__ import annotations

import copy

from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE

from .idempotency import REPLAYED_HEADER
from .schemas import ErrorOut, InvalidOut, RuleBrokenOut

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
HTTP_METHODS = frozenset({"get", "head", "options", "trace", *WRITE_METHODS})

_BODIES = {"ErrorOut": ErrorOut, "InvalidOut": InvalidOut, "RuleBrokenOut": RuleBrokenOut}

#: status → (description, body) of the answers of tsunagu.api.errors and .idempotency
ANSWERS = {
    "400": (
        "要求を読み取れない（本文の形式の誤り、項目・ファイルの数が多すぎる、"
        "Idempotency-Key の形式の誤り）",
        "ErrorOut",
    ),
    "401": ("認証されていない（ログインしていない、API トークンが無効・期限切れ）", "ErrorOut"),
    "403": (
        "この操作の権限がない（ブラウザのセッションで CSRF の確認に失敗した、"
        "二段階認証が済んでいない場合も）",
        "ErrorOut",
    ),
    "404": ("見つからない、またはこの利用者には閲覧できない", "ErrorOut"),
    "409": ("ルールに反する操作（errors に関係する項目）", "RuleBrokenOut"),
    "413": ("送信された内容が大きすぎる（ファイルを除く）", "ErrorOut"),
    "422": ("入力内容の誤り（errors に項目ごとのメッセージ）", "InvalidOut"),
}
IDEMPOTENCY_CONFLICT = (
    "ルールに反する操作（errors に関係する項目）、または同じ Idempotency-Key で別の内容の"
    "要求・処理中の要求（detail のみ）"
)
REPLAYED = {
    "description": "同じ Idempotency-Key・同じ内容の再送に、最初の応答をもう一度返したとき true",
    "schema": {"type": "string", "enum": ["true"]},
}


def _ref(name: str) -> dict:
    return {"$ref": REF_TEMPLATE.format(model=name)}


def _answer(status: str, *, post: bool) -> dict:
    description, body = ANSWERS[status]
    if status == "409" and post:
        description = IDEMPOTENCY_CONFLICT
    return {"description": description, "content": {"application/json": {"schema": _ref(body)}}}


def _json_schema(response: dict) -> dict | None:
    return ((response.get("content") or {}).get("application/json") or {}).get("schema")


def _merge_statuses(responses: dict) -> dict:
    """``{409: …, "409": …}`` → ``{"409": …}``: the operation's own (ninja's integer key)
    wins over ``openapi_extra``'s."""
    merged: dict[str, dict] = {}
    for status, response in responses.items():
        if isinstance(status, str):
            merged[status] = response
    for status, response in responses.items():
        if not isinstance(status, str):
            merged[str(status)] = response
    return merged


def statuses_for(operation: dict, method: str) -> list[str]:
    """The error statuses :mod:`.errors` and :mod:`.idempotency` may answer for it."""
    takes_input = bool(operation.get("parameters")) or "requestBody" in operation
    found = []
    if takes_input:
        found += ["400", "404", "422"]
    if "requestBody" in operation:
        found.append("413")
    if operation.get("security"):
        found += ["401", "403"]
    if method in WRITE_METHODS:
        found.append("409")
        if method == "post":
            found += ["400"]
    return sorted(set(found))


def complete_operation(operation: dict, method: str) -> None:
    """Add the shared error answers (and the replay header) to one operation, in place."""
    responses = _merge_statuses(operation.get("responses") or {})
    post = method == "post"
    for status in statuses_for(operation, method):
        declared = responses.get(status)
        if declared is None:
            responses[status] = _answer(status, post=post)
            continue
        shared = _ref(ANSWERS[status][1])
        own = _json_schema(declared)
        if status == "422" and own == _ref("ErrorOut"):
            declared["content"]["application/json"]["schema"] = shared
        elif own is not None and own != shared:  # its own body, or the shared one
            declared["content"]["application/json"]["schema"] = {"anyOf": [own, shared]}
        if status == "409" and post:
            declared["description"] = IDEMPOTENCY_CONFLICT
    if post:
        for status, response in responses.items():
            if status.startswith("2"):
                response.setdefault("headers", {})[REPLAYED_HEADER] = copy.deepcopy(REPLAYED)
    operation["responses"] = dict(sorted(responses.items()))


def complete(schema: dict) -> dict:
    """The generated schema with every operation's error answers (see the module)."""
    schema = copy.deepcopy(dict(schema))
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in HTTP_METHODS:
                complete_operation(operation, method)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, body in _BODIES.items():
        if name not in components:
            components[name] = body.model_json_schema(ref_template=REF_TEMPLATE)
    return schema


class DocumentedAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI schema documents the shared error answers (see the module)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return complete(
            super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        )
