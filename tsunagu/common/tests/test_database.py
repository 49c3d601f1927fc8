"""The PostgreSQL connection sends parameters apart and prepares what it sends again; the
setting turns both off; SQLite is left as it was."""

from __future__ import annotations

import pytest
from django.db import connection

from tsunagu.accounts.models import Agency
from tsunagu.common.database import PREPARED_MAX
from tsunagu.settings import base


def test_a_postgresql_url_asks_for_server_side_parameters_and_prepared_queries(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example:5432/tsunagu")
    monkeypatch.delenv("TSUNAGU_DB_PREPARED", raising=False)
    options = base.database_config()["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 2


@pytest.mark.parametrize("value", ["0", "false", "no"])
def test_the_setting_sends_every_query_as_text_again(monkeypatch, value):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example:5432/tsunagu")
    monkeypatch.setenv("TSUNAGU_DB_PREPARED", value)
    options = base.database_config().get("OPTIONS", {})
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options


def test_sqlite_is_left_as_it_was(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(base, "SQLITE_PATH", tmp_path / "db.sqlite3")
    options = base.database_config()["OPTIONS"]
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options


@pytest.mark.django_db
def test_a_query_sent_twice_is_prepared_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    assert connection.connection.prepared_max == PREPARED_MAX
    marker = "tsunagu-prepared-check"
    for _ in range(3):
        list(Agency.objects.filter(name=marker))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"accounts_agency"."name" = $1%'],
        )
        prepared = [row[0] for row in cursor.fetchall()]
    assert prepared, "the query sent three times was not prepared"
    assert marker not in prepared[0]  # the value travelled apart from the query
