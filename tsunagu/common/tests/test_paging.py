"""Long lists are counted up to a cap: 「N件」 below it, 「1,000件以上」 past it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tsunagu.accounts.models import Area
from tsunagu.common.paging import CappedPaginator, first_rows


@pytest.fixture
def areas(db):
    Area.objects.bulk_create(Area(code=f"a{n:03}", name=f"圏域{n}", kind="city") for n in range(12))
    return Area.objects.order_by("code")


def test_below_the_cap_every_row_is_counted_and_paged(areas):
    paginator = CappedPaginator(areas, 5, cap=12)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (12, False, 3)
    assert paginator.count_label == "12件"
    assert len(paginator.page(3).object_list) == 2


def test_past_the_cap_the_count_stops_and_the_pages_end_at_the_cap(areas):
    paginator = CappedPaginator(areas, 5, cap=10)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.capped
    assert "LIMIT 11" in queries[0]["sql"]  # reads at most one row past the cap
    assert paginator.count == 10
    assert paginator.num_pages == 2
    assert [a.code for a in paginator.page(2).object_list] == [f"a{n:03}" for n in range(5, 10)]
    assert paginator.count_label == "10件以上（条件で絞り込んでください）"


def test_a_list_is_counted_as_a_queryset_is(areas):
    paginator = CappedPaginator(list(areas), 5, cap=10)
    assert (paginator.count, paginator.capped) == (10, True)


def test_a_page_is_its_ids_first_then_its_rows_in_the_same_order(areas):
    ordered = areas.order_by("-code")
    paginator = CappedPaginator(ordered, 5, cap=100)
    with CaptureQueriesContext(connection) as queries:
        rows = list(paginator.page(2).object_list)
    assert [a.code for a in rows] == [f"a{n:03}" for n in range(6, 1, -1)]
    ids_query, rows_query = (q["sql"] for q in queries[-2:])
    assert "LIMIT 5 OFFSET 5" in ids_query and '"name"' not in ids_query  # ids only
    assert "LIMIT" not in rows_query and '"name"' in rows_query


def test_first_rows_keep_the_order_and_the_related_rows(areas, django_assert_num_queries):
    parent = areas.first()
    areas.exclude(pk=parent.pk).update(parent=parent)
    qs = Area.objects.exclude(pk=parent.pk).select_related("parent").order_by("-code")
    rows = first_rows(qs, 3)
    assert [a.code for a in rows] == ["a011", "a010", "a009"]
    with django_assert_num_queries(0):
        assert {a.parent.code for a in rows} == {parent.code}
    assert first_rows(qs.none(), 3) == []
    assert first_rows([1, 2, 3, 4], 2) == [1, 2]
