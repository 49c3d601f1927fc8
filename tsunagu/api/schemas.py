"""The answers every ``/api/v1/`` operation shares: the error bodies (see :mod:`.errors`)."""

from ninja import Field, Schema


class ErrorOut(Schema):
    """401, 403, 404: ``{"detail": message}``."""

    detail: str


class InvalidOut(Schema):
    """422: ``{"detail": "入力内容に誤りがあります。", "errors": {field: [messages]}}``."""

    detail: str
    errors: dict[str, list[str]]


class RuleBrokenOut(Schema):
    """409: the rule that refuses the step, and the fields it names (``__all__`` for none)."""

    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)
