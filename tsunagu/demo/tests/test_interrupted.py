"""``seed_demo`` stopped part-way (Ctrl-C, a killed process) and run again makes the same city
as a run that was never stopped: the same rows in every table, the demo users able to sign in,
an audit chain that verifies and grants that agree with the rules.

A stop is simulated by raising ``KeyboardInterrupt`` from a ``post_save`` receiver while one
step runs: half-way through the rows that step writes, or after its last one (before its
transaction commits). One scenario, made once for this module in a transaction rolled back
at the end, stops the command in every step in turn — each run completes the step the run
before it was stopped in and is stopped in the next — and then runs it to the end; beside it,
a run that was never stopped. Seeding costs seconds, so the tests below read what the
scenario recorded instead of seeding again.
"""

import dataclasses
import io
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models.signals import post_save

from tsunagu.accounts.models import User
from tsunagu.audit.services import audit_seal, audit_verify_chain
from tsunagu.demo import services
from tsunagu.demo.services import DEMO_PASSWORD, DEMO_USERS, STEPS
from tsunagu.grants.maintain import verify

HOUSEHOLDS = 3
# where each step is stopped: half-way through its writes, or after the last of them
WHERE = {
    "areas": "end",
    "agencies": "half",
    "users": "end",
    "categories": "half",
    "help_desk": "end",
    "households": "half",
    "activity": "end",
    "cases": "half",
    "resources": "end",
    "outreach": "half",
    "participation": "end",
    "community": "end",
}


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", households=HOUSEHOLDS, stdout=out)
    return out.getvalue()


class _Stop:
    """Counts the rows a step saves; raises ``KeyboardInterrupt`` at save number ``at``
    (``None``: never), or after the step's last write when ``at_end``."""

    def __init__(self, at: int | None = None, *, at_end: bool = False):
        self.at, self.at_end, self.saves = at, at_end, 0
        self.before: dict[str, int] = {}

    def wrap(self, step):
        def run(households):
            self.before = _counts()  # the steps before it done, nothing of it yet

            def saved(**kwargs):
                self.saves += 1
                if self.saves == self.at:
                    raise KeyboardInterrupt

            post_save.connect(saved, weak=False, dispatch_uid="demo-stop")
            try:
                step.run(households)
            finally:
                post_save.disconnect(dispatch_uid="demo-stop")
            if self.at_end:
                raise KeyboardInterrupt

        return dataclasses.replace(step, run=run)


def _steps(stops: dict) -> tuple:
    return tuple(stops[s.key].wrap(s) if s.key in stops else s for s in STEPS)


@dataclass
class Stopped:
    message: str
    returncode: int
    saves: int  # rows the step had saved when it was stopped
    left_nothing: bool  # nothing of the step is left in the database


@dataclass
class Scenario:
    clean: dict[str, int]
    clean_saves: dict[str, int]
    stopped: dict[str, Stopped]
    completed: dict[str, int]
    completed_out: str
    sign_in: dict[str, bool]
    grant_differences: list
    audit_ok: bool


def _play() -> Scenario:
    # the city of a run never stopped, and how many rows each step saves
    empty = _counts()
    counters = {s.key: _Stop() for s in STEPS}
    with pytest.MonkeyPatch.context() as m, transaction.atomic():
        m.setattr(services, "STEPS", _steps(counters))
        _seed()
        clean = _counts()
        transaction.set_rollback(True)
    assert _counts() == empty
    clean_saves = {key: stop.saves for key, stop in counters.items()}

    stopped = {}
    for step in STEPS:
        at_end = WHERE[step.key] == "end"
        stop = _Stop(None if at_end else max(1, clean_saves[step.key] // 2), at_end=at_end)
        with pytest.MonkeyPatch.context() as m:
            m.setattr(services, "STEPS", _steps({step.key: stop}))
            try:
                _seed()
            except CommandError as error:
                left = _counts() == stop.before
                stopped[step.key] = Stopped(str(error), error.returncode, stop.saves, left)
    out = _seed()
    completed = _counts()
    sign_in = {}
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        sign_in[spec.username] = (
            user.is_active
            and user.check_password(DEMO_PASSWORD)
            and user.memberships.filter(role=spec.role, agency__code=spec.agency).exists()
        )
    differences = verify()
    audit_seal()
    audit_ok = audit_verify_chain().ok
    return Scenario(clean, clean_saves, stopped, completed, out, sign_in, differences, audit_ok)


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker) -> Scenario:
    with django_db_blocker.unblock(), transaction.atomic():
        played = _play()
        transaction.set_rollback(True)
    return played


@pytest.mark.django_db  # (the scenario's database is set up for tests that use one)
@pytest.mark.parametrize("key", list(WHERE))
def test_a_run_stopped_in_a_step_leaves_nothing_of_that_step(scenario, key):
    stopped = scenario.stopped[key]
    assert stopped.saves >= 1  # the step had written rows before it was stopped
    label = next(s.label for s in STEPS if s.key == key)
    assert f"「{label}」の作成中に中断しました" in stopped.message
    assert "もう一度実行すると" in stopped.message
    assert stopped.returncode == 130
    assert stopped.left_nothing


def test_every_step_is_stopped_in_the_scenario():
    assert list(WHERE) == [s.key for s in STEPS]


@pytest.mark.django_db
def test_the_next_run_completes_the_city_as_a_run_never_stopped(scenario):
    differing = {
        table: (count, scenario.clean[table])
        for table, count in scenario.completed.items()
        if count != scenario.clean[table]
    }
    assert differing == {}
    assert scenario.completed["people.Person"] > 0
    assert "デモデータを作成しました。" in scenario.completed_out
    assert all(scenario.sign_in.values()), scenario.sign_in
    assert scenario.grant_differences == []
    assert scenario.audit_ok


def test_a_stop_after_the_last_step_says_the_city_is_complete(monkeypatch):
    from tsunagu.demo.management.commands import seed_demo as command

    def stopped_after_all(*, households, on_step):
        for step in STEPS:
            on_step(step, 0)
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "seed_demo", stopped_after_all)
    with pytest.raises(CommandError, match="デモデータはすべて作成済みです") as stopped:
        call_command("seed_demo", households=HOUSEHOLDS, stdout=io.StringIO())
    assert stopped.value.returncode == 130
