"""The audit log as a file: cell by cell in ISO and 和暦, the filters, only for its readers;
the export itself is one more audited read."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.audit.services import audit_record
from tsunagu.common.tests.exports import as_dict, csv_rows, xlsx
from tsunagu.people import services as people_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def hanako(personas):
    return people_services.person_create(
        by=personas["desk"].user, name="佐藤 花子", name_kana="サトウ ハナコ"
    )


@pytest.fixture
def logged(personas, hanako):
    desk = personas["desk"].user
    when = timezone.make_aware(datetime.datetime(2026, 4, 1, 9, 5))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tsunagu.audit.services.timezone.now", lambda: when)
        view = audit_record(
            actor=desk,
            action="person.view",
            target=hanako,
            persons=[hanako],
            context={"note": "=1+1"},
            acting_membership=personas["desk"].membership,
        )
    audit_record(actor=personas["outreach"].user, action="consultation.list", persons=[])
    return view


def test_the_log_leaves_as_xlsx_cell_by_cell(login, personas, hanako, logged):
    client = login(personas["officer"])
    rows, notes, _ = xlsx(client.get(reverse("audit:event_list"), {"export": "xlsx"}))
    header = rows[0]
    assert header[:3] == ["連番", "日時", "日時（和暦）"]
    by_seq = {row[0]: as_dict(header, row) for row in rows[1:]}
    row = by_seq[logged.pk]
    assert row["日時"] == datetime.datetime(2026, 4, 1, 9, 5)
    assert row["日時（和暦）"] == "令和8年4月1日 09:05"
    assert row["操作者ID"] == "desk"
    assert row["所属機関"] == "地域包括支援センター中央" and row["役割"] == "相談支援機関職員"
    assert row["操作"] == "本人の閲覧" and row["操作の種類"] == "person.view"
    assert row["対象種別"] == "people.person" and row["対象ID"] == str(hanako.pk)
    assert row["対象"] == f"佐藤 花子（本人 #{hanako.pk}）"
    assert row["本人ID"] == str(hanako.pk)
    assert row["文脈"] == '{"note": "=1+1"}'
    assert row["経路"] is None
    # the person creation's events came before; the export's own event is not in the file
    assert notes["件数"] == len(rows) - 1 == AuditEvent.objects.count() - 1
    assert notes["最後の連番"] == max(by_seq)
    (event,) = AuditEvent.objects.filter(action="audit.list")
    assert event.context["export"] == "xlsx" and event.context["rows"] == len(rows) - 1
    assert event.actor == personas["officer"].user


def test_the_filters_choose_the_rows_and_are_recorded(login, personas, hanako, logged):
    client = login(personas["officer"])
    response = client.get(
        reverse("audit:event_list"), {"export": "csv", "person": hanako.pk, "actor": "desk"}
    )
    rows = csv_rows(response)
    actions = {as_dict(rows[0], r)["操作の種類"] for r in rows[1:]}
    assert "person.view" in actions and "consultation.list" not in actions
    row = next(as_dict(rows[0], r) for r in rows[1:] if r[0] == str(logged.pk))
    assert row["日時"] == "2026-04-01 09:05:00" and row["日時（和暦）"] == "令和8年4月1日 09:05"
    assert row["文脈"] == '{"note": "=1+1"}'  # not a formula: it does not start with one
    (event,) = AuditEvent.objects.filter(action="audit.list")
    assert event.person_ids == [hanako.pk]
    assert event.context["person"] == str(hanako.pk) and event.context["actor"] == "desk"
    assert event.context["rows"] == len(rows) - 1 and event.context["export"] == "csv"


def test_only_the_log_readers_export_it(login, personas, logged):
    for name in ("desk", "unrelated", "coordinator"):
        response = login(personas[name]).get(reverse("audit:event_list"), {"export": "csv"})
        assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="audit.list").exists()


def test_the_page_links_both_files_with_its_filters(login, personas, logged):
    html = login(personas["officer"]).get(reverse("audit:event_list"), {"actor": "desk"})
    assert 'href="?actor=desk&amp;export=xlsx"' in html.content.decode()
