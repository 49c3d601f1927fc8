"""Page numbers for the API's lists, with a hook that sees each page before it is answered."""

from ninja import Schema
from ninja.pagination import PageNumberPagination


class AuditedPagination(PageNumberPagination):
    """Page numbers; ``on_page(request, items, page=, **params)`` sees the page's items
    before they are answered (to record the persons shown as read)."""

    def __init__(self, *, on_page=None, **kwargs):
        self.on_page = on_page
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        result = super().paginate_queryset(queryset, pagination, request, **params)
        result[self.items_attribute] = items = list(result[self.items_attribute])
        if self.on_page is not None:
            self.on_page(request, items, page=pagination.page, **params)
        return result


def filter_context(filters: Schema, page: int) -> dict[str, str]:
    """The filters given (and the page) as an audit event's context."""
    context = {k: str(v) for k, v in filters.dict().items() if v not in (None, "", False, [])}
    context["page"] = str(page)
    return context
