"""Paging of long lists: counted only up to a cap, each page read in two steps.

Counting every row a list could show costs as much as reading them all (at city scale, tens of
thousands of persons for one desk), and nobody pages through more than a thousand rows: past
the cap the list says 「1,000件以上」 and asks for a narrower search, and its pages end there.

A page (and a panel's first rows: :func:`first_rows`) is read as the ids of its rows first —
the list's own table, its filters and its order, nothing joined — then those rows with
everything they show. In one query the database joins the related rows (person, household,
agencies) to every row that matches before it sorts and keeps a page of them.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 1000


def rows_by_ids(qs: QuerySet, ids: list) -> list:
    """The rows of ``qs`` with these ids, in the order of ``ids``."""
    if not ids:
        return []
    found = {row.pk: row for row in qs.order_by().filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def first_rows(qs, limit: int) -> list:
    """The first ``limit`` rows of ``qs`` in its order, read as ids first (see above)."""
    if not isinstance(qs, QuerySet):
        return list(qs[:limit])
    return rows_by_ids(qs, list(qs.values_list("pk", flat=True)[:limit]))


class CappedPaginator(Paginator):
    """A paginator whose ``count`` reads at most ``cap + 1`` rows."""

    def __init__(self, object_list, per_page, *, cap: int = COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    def _get_page(self, object_list, number, paginator) -> Page:
        if isinstance(object_list, QuerySet):  # the slice of self.object_list for this page
            object_list = rows_by_ids(
                self.object_list, list(object_list.values_list("pk", flat=True))
            )
        return super()._get_page(object_list, number, paginator)

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):  # ids only, unsorted: no annotation, join or sort
            return rows.order_by().values_list("pk")[: self.cap + 1].count()
        if hasattr(rows, "count") and not isinstance(rows, list | tuple):
            return rows[: self.cap + 1].count()
        return len(rows)

    @cached_property
    def count(self) -> int:
        """The rows paged: all of them, or the first ``cap``."""
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows match than are counted and paged."""
        return self._counted > self.cap

    @property
    def count_label(self) -> str:
        """「N件」, or 「1,000件以上」 past the cap."""
        if self.capped:
            return f"{self.cap:,}件以上（条件で絞り込んでください）"
        return f"{self.count:,}件"
