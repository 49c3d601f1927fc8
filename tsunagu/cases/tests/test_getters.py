"""The one getter per model of cases (``get_case_for_user``, ``get_plan_for_user``): 404 for
whoever may not see the object (never 403), 403 for a visible but read-only agency asking
``for_write``, and the object for the coordinator and the program office."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tsunagu.cases import selectors
from tsunagu.cases.tests.conftest import give_consent

from .flow import draft_plan, to_planning

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(personas, consented_case, agencies):
    # the consent names the referring 地域包括 too: it reads the plan, without managing it
    give_consent(personas, consented_case, agencies["council"], agencies["houkatsu"])
    return draft_plan(personas, to_planning(personas, consented_case), agencies)


@pytest.mark.parametrize("who", ["coordinator", "officer"])
@pytest.mark.parametrize("for_write", [False, True])
def test_the_case_for_the_coordinator_and_the_office(personas, case, who, for_write):
    got = selectors.get_case_for_user(personas[who].user, case.pk, for_write=for_write)
    assert got == case
    assert got.content_visible


@pytest.mark.parametrize("who", ["unrelated", "outreach", "community"])
@pytest.mark.parametrize("for_write", [False, True])
def test_an_unseen_case_is_404_even_for_write(personas, case, who, for_write):
    with pytest.raises(Http404):
        selectors.get_case_for_user(personas[who].user, case.pk, for_write=for_write)


def test_the_referring_agency_reads_but_may_not_write(personas, case):
    desk = personas["desk"].user
    assert selectors.get_case_for_user(desk, case.pk) == case
    with pytest.raises(PermissionDenied):
        selectors.get_case_for_user(desk, case.pk, for_write=True)


def test_content_outside_the_consent_is_404(personas, consented_case):
    """The consent names the coordinating agency only: the referring desk sees the case, but
    not its content (404, not 403, for a page that shows it)."""
    desk = personas["desk"].user
    assert selectors.get_case_for_user(desk, consented_case.pk) == consented_case
    with pytest.raises(Http404):
        selectors.get_case_for_user(desk, consented_case.pk, content=True)
    coordinator = personas["coordinator"].user
    assert selectors.get_case_for_user(coordinator, consented_case.pk, content=True)


@pytest.mark.parametrize("pk", [0, "abc", None, "1.5"])
def test_a_missing_or_malformed_pk_is_404(personas, case, pk):
    with pytest.raises(Http404):
        selectors.get_case_for_user(personas["officer"].user, pk)


@pytest.mark.parametrize("who", ["coordinator", "officer"])
def test_the_plan_for_the_coordinator_and_the_office(personas, plan, who):
    got = selectors.get_plan_for_user(personas[who].user, plan.case_id, plan.pk, for_write=True)
    assert got == plan
    assert got.case.pk == plan.case_id
    assert [i.issue for i in got.items.all()] == ["母の介護負担", "息子の社会参加"]


def test_the_plan_is_404_for_the_unrelated_agency(personas, plan):
    for for_write in (False, True):
        with pytest.raises(Http404):
            selectors.get_plan_for_user(
                personas["unrelated"].user, plan.case_id, plan.pk, for_write=for_write
            )


def test_the_plan_is_read_only_for_the_referring_agency(personas, plan):
    desk = personas["desk"].user
    assert selectors.get_plan_for_user(desk, plan.case_id, plan.pk) == plan
    with pytest.raises(PermissionDenied):
        selectors.get_plan_for_user(desk, plan.case_id, plan.pk, for_write=True)


def test_a_plan_of_another_case_is_404(personas, plan, case):
    """The plan is looked up within the case of the URL, never by its own id alone."""
    other = personas["officer"].user
    with pytest.raises(Http404):
        selectors.get_plan_for_user(other, plan.case_id, plan.pk + 1000)
    with pytest.raises(Http404):
        selectors.get_plan_for_user(other, plan.case_id, "x")
