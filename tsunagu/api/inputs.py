"""Reading a request's input the way the screens do: 和暦 dates, column lengths."""

import datetime
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator

from tsunagu.common.wareki import WarekiError, parse_date

from .errors import invalid


def date_input(value: str | None, field: str) -> datetime.date | None:
    """A date typed in 和暦 or 西暦 (``昭和55年3月1日``, ``S55.3.1``, ``1980-03-01``)."""
    if value is None or not str(value).strip():
        return None
    try:
        return parse_date(str(value))
    except WarekiError as exc:
        raise invalid({field: exc.message}) from exc


DAY_MESSAGE = "日付（例：2025-04-01）で指定してください。"
_NUMBER = re.compile(r"\s*[+-]?\d+(\.\d*)?\s*")


def _no_timestamp(value: Any) -> Any:
    """A number is no date (pydantic would read ``0`` as 1970-01-01, a Unix time)."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError(DAY_MESSAGE)
    return value


#: A date as the OpenAPI schema says it (``2025-04-01``), for a schema's field: a number (a
#: Unix time to pydantic) is refused with 422
Day = Annotated[datetime.date, BeforeValidator(_no_timestamp)]


def check_lengths(model, data: Mapping[str, Any], fields: Mapping[str, str]) -> None:
    """Texts longer than the column allows are refused with a Japanese message
    (``fields``: request body field → model field)."""
    errors = {}
    for body_field, model_field in fields.items():
        value = data.get(body_field)
        field = model._meta.get_field(model_field)
        if isinstance(value, str) and field.max_length and len(value) > field.max_length:
            errors[body_field] = (
                f"{field.verbose_name}は{field.max_length}文字以内で入力してください。"
            )
    if errors:
        raise invalid(errors)
