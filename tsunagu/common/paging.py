"""Paging of long lists: counted only up to a cap.

Counting every row a list could show costs as much as reading them all (at city scale, tens of
thousands of persons for one desk), and nobody pages through more than a thousand rows: past
the cap the list says 「1,000件以上」 and asks for a narrower search, and its pages end there.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A paginator whose ``count`` reads at most ``cap + 1`` rows."""

    def __init__(self, object_list, per_page, *, cap: int = COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list
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
