"""The rules of 見守り in the services: the next check's date, checks, escalations into a
consultation or an outreach record, watchers, the end; bad input writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tsunagu.audit.models import AuditEvent
from tsunagu.common.errors import NotVisible, RuleBroken
from tsunagu.consultations.models import Consultation, Referral
from tsunagu.outreach import services as outreach_services
from tsunagu.outreach.models import OutreachRecord

from ..models import Escalation, SafetyCheck, Watch
from ..services import watches as services
from .test_watches_fixtures import *  # noqa: F403
from .test_watches_fixtures import days_ago

pytestmark = pytest.mark.django_db


def _check(by, watch, n, outcome="ok", **kw):
    kw.setdefault("checked_by_name", "民生委員 田中")
    return services.check_record(by=by, watch=watch, checked_on=days_ago(n), outcome=outcome, **kw)


# --------------------------------------------------------------------------------- create


def test_create_sets_the_first_due_date_from_the_start(watch, person):
    assert watch.person == person
    assert watch.label == person.name
    assert watch.next_check_on == days_ago(30) + datetime.timedelta(days=7)
    assert AuditEvent.objects.filter(action="community.watch_create", target_id=str(watch.pk))


def test_create_as_needed_has_no_due_date(keeper):
    w = services.watch_create(
        by=keeper, label="随時の方", reason="様子を見る", frequency="any", starts_on=days_ago(3)
    )
    assert w.next_check_on is None


def test_create_with_the_end_before_the_first_check_has_no_due_date(keeper):
    w = services.watch_create(
        by=keeper,
        label="短期",
        reason="退院直後",
        frequency="monthly",
        starts_on=days_ago(3),
        until_on=days_ago(-10),
    )
    assert w.next_check_on is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"label": "", "reason": "理由"}, "label"),
        ({"label": "呼び名", "reason": " "}, "reason"),
        ({"label": "呼び名", "reason": "理由", "frequency": "daily"}, "frequency"),
        ({"label": "呼び名", "reason": "理由", "starts_on": None}, "starts_on"),
        ({"label": "呼び名", "reason": "理由", "until_on": days_ago(40)}, "until_on"),
        ({"label": "あ" * 61, "reason": "理由"}, "label"),
    ],
)
def test_create_refuses_bad_input_in_japanese(keeper, kwargs, field):
    kwargs.setdefault("starts_on", days_ago(5))
    with pytest.raises(ValidationError) as exc:
        services.watch_create(by=keeper, **kwargs)
    assert field in exc.value.message_dict
    assert all(m.endswith("。") for m in exc.value.message_dict[field])
    assert not Watch.objects.exists()


def test_create_needs_a_watch_role(personas):
    for name in ("guest", "admin", "participation"):
        with pytest.raises(PermissionDenied):
            services.watch_create(
                by=personas[name].user, label="x", reason="y", starts_on=days_ago(1)
            )
    assert not Watch.objects.exists()


def test_create_refuses_a_person_the_user_does_not_see(personas, person):
    with pytest.raises(NotVisible):
        services.watch_create(
            by=personas["unrelated"].user, person=person, reason="y", starts_on=days_ago(1)
        )
    assert not Watch.objects.exists()


def test_only_the_office_names_another_keeping_agency(personas, agencies):
    with pytest.raises(PermissionDenied):
        services.watch_create(
            by=personas["desk"].user,
            label="x",
            reason="y",
            starts_on=days_ago(1),
            agency=agencies["csw"],
        )
    w = services.watch_create(
        by=personas["officer"].user,
        label="x",
        reason="y",
        starts_on=days_ago(1),
        agency=agencies["csw"],
    )
    assert w.agency == agencies["csw"]


# --------------------------------------------------------------------------------- checks


def test_a_check_moves_the_due_date_on(keeper, watch):
    _check(keeper, watch, 2)
    watch.refresh_from_db()
    assert watch.last_check_on == days_ago(2)
    assert watch.next_check_on == days_ago(2) + datetime.timedelta(days=7)
    assert AuditEvent.objects.filter(action="community.check", context__watch=watch.pk).exists()


def test_a_backdated_check_does_not_move_the_due_date_back(keeper, watch):
    _check(keeper, watch, 2)
    _check(keeper, watch, 10)
    watch.refresh_from_db()
    assert watch.last_check_on == days_ago(2)
    assert watch.next_check_on == days_ago(2) + datetime.timedelta(days=7)


def test_a_check_by_a_watcher(keeper, watch, named_watcher):
    check = services.check_record(
        by=keeper, watch=watch, checked_on=days_ago(1), outcome="ok", watcher=named_watcher
    )
    assert check.watcher == named_watcher


@pytest.mark.parametrize(
    ("n", "outcome", "kw", "field"),
    [
        (-1, "ok", {}, "checked_on"),  # in the future
        (31, "ok", {}, "checked_on"),  # before the watch started
        (1, "fine", {}, "outcome"),
        (1, "ok", {"checked_by_name": ""}, "checked_by_name"),
        (1, "ok", {"note": "あ" * 2001}, "note"),
    ],
)
def test_bad_checks_write_nothing(keeper, watch, n, outcome, kw, field):
    with pytest.raises(ValidationError) as exc:
        _check(keeper, watch, n, outcome, **kw)
    assert field in exc.value.message_dict
    assert not SafetyCheck.objects.exists()
    watch.refresh_from_db()
    assert watch.last_check_on is None


def test_a_watcher_of_another_watch_is_refused(keeper, watch, labelled):
    other = services.watcher_add(by=keeper, watch=labelled, kind="neighbour", name="隣の方")
    with pytest.raises(ValidationError) as exc:
        services.check_record(
            by=keeper, watch=watch, checked_on=days_ago(1), outcome="ok", watcher=other
        )
    assert "watcher" in exc.value.message_dict


def test_a_check_on_an_ended_watch_is_refused(keeper, watch):
    services.watch_end(by=keeper, watch=watch, ended_on=days_ago(1), reason="施設に入所")
    with pytest.raises(RuleBroken, match="終了しています"):
        _check(keeper, watch, 1)
    assert not SafetyCheck.objects.exists()


def test_watcher_agency_records_checks_unrelated_does_not_see(personas, watch, csw_watcher):
    _check(personas["outreach"].user, watch, 1)
    with pytest.raises(NotVisible):
        _check(personas["unrelated"].user, watch, 1)
    assert SafetyCheck.objects.count() == 1


# ------------------------------------------------------------------------------- prompting


def test_two_unreachable_in_a_row_prompt_an_escalation(keeper, watch):
    _check(keeper, watch, 5, "unreachable")
    assert services.prompt_for(watch) is None
    second = _check(keeper, watch, 3, "unreachable")
    assert services.prompt_for(watch) == second


def test_unreachable_with_a_check_between_does_not_prompt(keeper, watch):
    _check(keeper, watch, 5, "unreachable")
    _check(keeper, watch, 4, "absent")
    _check(keeper, watch, 3, "unreachable")
    assert services.prompt_for(watch) is None


def test_needs_action_prompts_and_escalating_clears_it(keeper, watch, category, agencies):
    check = _check(keeper, watch, 2, "needs_action")
    assert services.prompt_for(watch) == check
    services.escalate(
        by=keeper,
        watch=watch,
        to="consultation",
        reason="玄関先で転倒していた",
        agency=agencies["houkatsu"],
        categories=[category],
    )
    assert services.prompt_for(watch) is None
    later = _check(keeper, watch, 1, "needs_action")
    assert services.prompt_for(watch) == later


# ------------------------------------------------------------------------------ escalation


def test_escalate_to_another_desk_records_and_refers(keeper, watch, category, agencies):
    check = _check(keeper, watch, 1, "needs_action")
    esc = services.escalate(
        by=keeper,
        watch=watch,
        to="consultation",
        reason="食事がとれていない様子",
        agency=agencies["council"],
        categories=[category],
    )
    assert esc.safety_check == check
    consultation = esc.consultation
    assert consultation.agency == agencies["houkatsu"]
    assert consultation.person == watch.person
    assert consultation.outcome == "referred"
    referral = Referral.objects.get(consultation=consultation)
    assert referral.to_agency == agencies["council"]
    assert AuditEvent.objects.filter(action="community.escalate").exists()
    assert AuditEvent.objects.filter(action="consultation.create").exists()


def test_escalate_to_own_desk_is_handled_there(keeper, watch, category, agencies):
    esc = services.escalate(
        by=keeper,
        watch=watch,
        to="consultation",
        reason="r",
        agency=agencies["houkatsu"],
        categories=[category],
    )
    assert esc.consultation.outcome == "handled"
    assert not Referral.objects.exists()


def test_escalate_a_label_to_a_consultation_is_refused(keeper, labelled, category, agencies):
    with pytest.raises(ValidationError) as exc:
        services.escalate(
            by=keeper,
            watch=labelled,
            to="consultation",
            reason="r",
            agency=agencies["council"],
            categories=[category],
        )
    assert "本人が特定されていない" in exc.value.message_dict["to"][0]
    assert not Consultation.objects.exists()
    assert not Escalation.objects.exists()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"to": "police"}, "to"),
        ({"reason": ""}, "reason"),
        ({"agency": None}, "agency"),
        ({"categories": []}, "categories"),
    ],
)
def test_escalate_bad_input(keeper, watch, category, agencies, kw, field):
    args = {
        "to": "consultation",
        "reason": "r",
        "agency": agencies["council"],
        "categories": [category],
        **kw,
    }
    with pytest.raises(ValidationError) as exc:
        services.escalate(by=keeper, watch=watch, **args)
    assert field in exc.value.message_dict
    assert not Escalation.objects.exists()
    assert not Consultation.objects.exists()


def test_escalate_to_outreach_begins_a_record(personas, watch, csw_watcher):
    worker = personas["outreach"].user
    esc = services.escalate(by=worker, watch=watch, to="outreach", reason="訪問を拒否")
    record = esc.outreach_record
    assert record.agency == personas["outreach"].agency
    # the CSW sees the watch, not the person's register: the worker identifies them later
    assert record.person is None
    assert record.label == watch.label
    assert esc.consultation is None


def test_escalate_to_outreach_names_an_existing_record(personas, watch, csw_watcher):
    worker = personas["outreach"].user
    record = outreach_services.record_create(
        by=worker, label="既存", source="minsei", began_on=days_ago(3)
    )
    esc = services.escalate(
        by=worker, watch=watch, to="outreach", reason="r", outreach_record=record
    )
    assert esc.outreach_record == record
    assert OutreachRecord.objects.count() == 1


def test_escalate_to_outreach_needs_an_outreach_worker(keeper, watch):
    with pytest.raises(PermissionDenied, match="アウトリーチ"):
        services.escalate(by=keeper, watch=watch, to="outreach", reason="r")
    assert not OutreachRecord.objects.exists()
    assert not Escalation.objects.exists()


def test_a_failing_referral_leaves_nothing(keeper, watch, category, agencies):
    agencies["council"].is_active = False
    agencies["council"].save()
    with pytest.raises(ValidationError):
        services.escalate(
            by=keeper,
            watch=watch,
            to="consultation",
            reason="r",
            agency=agencies["council"],
            categories=[category],
        )
    assert not Consultation.objects.exists()


def test_escalate_on_an_ended_watch_is_refused(keeper, watch, category, agencies):
    services.watch_end(by=keeper, watch=watch, ended_on=days_ago(0), reason="転居")
    with pytest.raises(RuleBroken):
        services.escalate(
            by=keeper,
            watch=watch,
            to="consultation",
            reason="r",
            agency=agencies["council"],
            categories=[category],
        )


# -------------------------------------------------------------------------------- watchers


def test_an_agency_watcher_sees_the_watch(personas, keeper, watch, agencies):
    assert not Watch.objects.visible_to(personas["outreach"].user).exists()
    services.watcher_add(by=keeper, watch=watch, kind="other", agency=agencies["csw"])
    assert Watch.objects.visible_to(personas["outreach"].user).get() == watch


def test_watcher_rules(keeper, watch, agencies, personas, csw_watcher):
    with pytest.raises(RuleBroken):
        services.watcher_add(by=keeper, watch=watch, kind="other", agency=agencies["csw"])
    with pytest.raises(ValidationError) as exc:
        services.watcher_add(by=keeper, watch=watch, kind="other", name="")
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.watcher_add(by=keeper, watch=watch, kind="mayor", name="x")
    assert "kind" in exc.value.message_dict
    # a watcher agency logs checks but does not add watchers
    with pytest.raises(PermissionDenied):
        services.watcher_add(by=personas["outreach"].user, watch=watch, kind="neighbour", name="x")
    assert watch.watchers.count() == 1


# ------------------------------------------------------------------------------------- end


def test_end_needs_a_reason_and_a_sensible_date(keeper, watch):
    with pytest.raises(ValidationError) as exc:
        services.watch_end(by=keeper, watch=watch, ended_on=days_ago(1), reason=" ")
    assert "end_reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.watch_end(by=keeper, watch=watch, ended_on=days_ago(-1), reason="r")
    assert "ended_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.watch_end(by=keeper, watch=watch, ended_on=days_ago(31), reason="r")
    assert "ended_on" in exc.value.message_dict
    watch.refresh_from_db()
    assert watch.ended_on is None


def test_end_clears_the_due_date_and_is_done_once(keeper, watch, personas, csw_watcher):
    with pytest.raises(PermissionDenied):
        services.watch_end(
            by=personas["outreach"].user, watch=watch, ended_on=days_ago(0), reason="r"
        )
    ended = services.watch_end(by=keeper, watch=watch, ended_on=days_ago(0), reason="施設に入所")
    assert ended.next_check_on is None and ended.end_reason == "施設に入所"
    with pytest.raises(RuleBroken):
        services.watch_end(by=keeper, watch=watch, ended_on=days_ago(0), reason="again")
    assert AuditEvent.objects.filter(action="community.watch_end").count() == 1


def test_link_person_of_a_labelled_watch(keeper, labelled, person):
    linked = services.watch_link_person(by=keeper, watch=labelled, person=person)
    assert linked.person == person
    other = services.watch_create(
        by=keeper, label="x", reason="y", starts_on=days_ago(1), person=None
    )
    services.watch_link_person(by=keeper, watch=other, person=person)
    with pytest.raises(RuleBroken):
        from tsunagu.people import services as people_services

        someone = people_services.person_create(by=keeper, name="別 人", name_kana="ベツ ヒト")
        services.watch_link_person(by=keeper, watch=other, person=someone)
