"""Page numbers for the API's lists, with a hook that sees each page before it is answered.

Every list answers ``page`` from 1 to :data:`MAX_PAGE`; anything else (0, -1, ``abc``, a
number too large for the database's offset) is 422 ``{"errors": {"page": [message]}}`` in
Japanese. :class:`AuditedPagination` declares the bounds in its input (so the OpenAPI schema
shows them), and :func:`bounded_pages`, installed on the NinjaAPI in ``tsunagu/api_v1.py``,
holds every paged operation to them, whichever pagination class it uses. ``page_size`` above
a list's maximum is answered with the maximum (as ninja does).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from .errors import invalid

#: The last page any list answers (a hundred thousand pages of up to 100 rows: far beyond any
#: list, and far below what overflows the database's OFFSET)
MAX_PAGE = 100_000
PAGE_OUT_OF_RANGE = f"ページ番号は1から{MAX_PAGE:,}までの整数で指定してください。"


class AuditedPagination(PageNumberPagination):
    """Page numbers; ``on_page(request, items, page=, **params)`` sees the page's items
    before they are answered (to record the persons shown as read)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="ページ番号（1から）")
        page_size: int | None = Field(
            None, ge=1, description="1ページの件数（一覧ごとの上限を超える値は上限として扱う）"
        )

    def __init__(self, *, on_page=None, **kwargs):
        self.on_page = on_page
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        result = super().paginate_queryset(queryset, pagination, request, **params)
        result[self.items_attribute] = items = list(result[self.items_attribute])
        if self.on_page is not None:
            self.on_page(request, items, page=pagination.page, **params)
        return result


def bounded_pages(view: Callable) -> Callable:
    """The operation decorator (``mode="operation"``): a paged operation refuses a page
    number beyond :data:`MAX_PAGE` with 422, whatever its pagination class."""
    if not getattr(view, "_ninja_is_paginated", False):
        return view

    @functools.wraps(view)
    def operation(request, *args, **kwargs):
        page = getattr(kwargs.get("ninja_pagination"), "page", None)
        if isinstance(page, int) and not 1 <= page <= MAX_PAGE:
            raise invalid({"page": PAGE_OUT_OF_RANGE})
        return view(request, *args, **kwargs)

    return operation


def filter_context(filters: Schema, page: int) -> dict[str, str]:
    """The filters given (and the page) as an audit event's context."""
    context = {k: str(v) for k, v in filters.dict().items() if v not in (None, "", False, [])}
    context["page"] = str(page)
    return context
