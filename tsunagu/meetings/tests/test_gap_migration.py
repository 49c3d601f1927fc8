"""The meetings' 不足する社会資源 move into the register with their text, area, stage, author
and date, each linked to its meeting (meetings 0003), and back."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("meetings", "0002_alter_agendaitem_purpose"), ("resources", "0005_resource_gaps")]
AFTER = [("meetings", "0003_gaps_in_the_register")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # the accounts app stays at its latest migration: its models as they are in the database
    return executor.loader.project_state(
        [*targets, *executor.loader.graph.leaf_nodes("accounts")]
    ).apps


@pytest.mark.django_db(transaction=True)
def test_gaps_move_into_the_register_and_back():
    apps = migrate(BEFORE)
    try:
        User = apps.get_model("accounts", "User")
        Agency = apps.get_model("accounts", "Agency")
        Area = apps.get_model("accounts", "Area")
        Meeting = apps.get_model("meetings", "Meeting")
        Old = apps.get_model("meetings", "ResourceGap")
        user = User.objects.create(username="coordinator-m")
        area = Area.objects.create(code="mig-city", name="移行市全域", kind="city")
        agency = Agency.objects.create(code="mig-ag", name="移行の機関", area=area)
        meeting = Meeting.objects.create(
            kind="conference",
            title="定例会議",
            convening_agency=agency,
            starts_at=timezone.now(),
            created_by=user,
        )
        when = timezone.now() - datetime.timedelta(days=40)
        rows = [
            ("夜間の居場所が足りない", area, "open"),
            ("就労体験先が北部にない", None, "in_development"),
            ("送迎の仕組み", None, "developed"),
        ]
        for description, where, status in rows:
            old = Old.objects.create(
                meeting=meeting,
                description=description,
                area=where,
                status=status,
                created_by=user,
            )
            Old.objects.filter(pk=old.pk).update(created_at=when)

        apps = migrate(AFTER)
        Gap = apps.get_model("resources", "ResourceGap")
        Link = apps.get_model("meetings", "MeetingGap")
        moved = list(Gap.objects.order_by("id"))
        assert [(g.description, g.area_id, g.status) for g in moved] == [
            ("夜間の居場所が足りない", area.pk, "open"),
            ("就労体験先が北部にない", None, "developing"),
            ("送迎の仕組み", None, "developed"),
        ]
        assert {g.origin for g in moved} == {"meeting"}
        assert {g.created_by_id for g in moved} == {user.pk}
        assert {g.created_at for g in moved} == {when}
        assert all(g.search_text for g in moved)
        assert [link.gap_id for link in Link.objects.filter(meeting_id=meeting.pk)] == [
            g.pk for g in moved
        ]
        Event = apps.get_model("resources", "ResourceGapEvent")
        assert Event.objects.filter(at=when).count() == 3

        apps = migrate(BEFORE)
        Old = apps.get_model("meetings", "ResourceGap")
        assert apps.get_model("resources", "ResourceGap").objects.count() == 0
        assert sorted(Old.objects.values_list("description", "status")) == sorted(
            [
                ("夜間の居場所が足りない", "open"),
                ("就労体験先が北部にない", "in_development"),
                ("送迎の仕組み", "developed"),
            ]
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
